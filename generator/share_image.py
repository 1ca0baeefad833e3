"""Open Graph share images: a 1200x630 PNG card per claim, drawn at build time without the network.

The card reads as the claim page does: the site name (small, top); the word for "claim" in a dark
label and who made the claim ("in The Daily, 4 May 2021"); the claim (large, wrapped, at most four
lines); the word for "verdict" and the verdict as a coloured badge, and a short caption (bottom).
The words come from the caller (the site's message catalogue), in the site's language. `card_layout`
says where each string goes; `claim_card` draws that layout. Text is drawn with Noto Sans SC from the
`pylopdf-fonts-zh-cn` package, a declared dependency, so Chinese and Latin claims render on any
machine that installed the project, and every machine draws the same pixels."""

from __future__ import annotations

import functools
import io
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFont

from .errors import GeneratorError

WIDTH, HEIGHT = 1200, 630

_BACKGROUND = (255, 255, 255)
_INK = (20, 24, 31)
_MUTED = (95, 102, 115)

_LABEL_INK = (255, 255, 255)

_STRIPE = 16  # the verdict-coloured stripe down the left edge
_LEFT, _RIGHT = _STRIPE + 72, WIDTH - 80
_CONTENT = _RIGHT - _LEFT
_HEADER_TOP, _HEADER_SIZE = 52, 28
# The kicker: the "Claim" label (white on ink, like the claim page's) and who made the claim.
_KICKER_TOP, _KICKER_HEIGHT, _KICKER_SIZE, _KICKER_PAD, _GAP = 102, 44, 26, 14, 16
_CLAIM_TOP, _CLAIM_BOTTOM = 160, 470
# Largest first: a short claim gets large type, a long one steps down before it is cut.
_CLAIM_SIZES = (64, 56, 48)
_CLAIM_LEADING = 1.2
_CLAIM_MAX_LINES = 4
_BADGE_TOP, _BADGE_HEIGHT, _BADGE_SIZE, _BADGE_PAD = 494, 72, 34, 30
_CAPTION_SIZE = 26

# Four lines of the smallest claim type hold fewer than 200 Latin characters; laying out more is
# wasted work on text nobody sees, and a megabyte of it would stall the build.
_CLAIM_LIMIT = 400
_LINE_LIMIT = 120
# Noto Sans SC draws U+2026 full-width and centred, as Chinese sets it; after Latin text that reads
# as a gap, so Latin lines end with three full stops.
_ELLIPSIS_CJK, _ELLIPSIS_LATIN = "…", "..."

# Characters that may not start a line (closing punctuation) or end one (opening punctuation);
# each is kept with its neighbour when wrapping.
_NO_START = set(",.;:!?%)]}’”、。，．；：！？）］｝〉》」』】〕〗〙〛…‥・·")
_NO_END = set("([{‘“（［｛〈《「『【〔〖〘〚")
# Scripts written without spaces, where a line may break between any two characters.
_BREAK_ANYWHERE = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_TOKEN = re.compile(f" +|[{_BREAK_ANYWHERE}]|[^ {_BREAK_ANYWHERE}]+")
_ENDS_CJK = re.compile(f"[{_BREAK_ANYWHERE}]$")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

# A plane-15 private-use code point: no font maps it, so it draws the font's "missing glyph" box.
_UNMAPPED = "\U000f0000"
# A CJK font must have this; a font that lacks it would draw Chinese claims as boxes.
_PROBE = "中"


class ShareImageUnavailable(GeneratorError):
    """No font that can draw Chinese and Latin text was found, so no share image can be made."""


class ClaimLayout(NamedTuple):
    """How a claim is set on the card: its type size in pixels and its lines, as drawn."""

    size: int
    lines: list[str]


class CardText(NamedTuple):
    """One string on the card: what it is (role), the text as drawn, where (xy and Pillow's anchor),
    its type size and colours, and the box its glyphs cover, in card pixels."""

    role: str
    text: str
    xy: tuple[int, int]
    anchor: str
    size: int
    fill: tuple[int, int, int]
    background: tuple[int, int, int]
    box: tuple[int, int, int, int]


class CardLayout(NamedTuple):
    """Everything on a card: the verdict colour, filled rectangles (box, colour, corner radius)
    drawn first, then the strings."""

    accent: tuple[int, int, int]
    shapes: list[tuple[tuple[int, int, int, int], tuple[int, int, int], int]]
    texts: list[CardText]


def find_font(font_path: str | None = None) -> str:
    """The path of the font the cards are drawn with: font_path if given, else the packaged Noto Sans SC.

    Raises ShareImageUnavailable, saying what to install, when there is no such font or it cannot
    draw Chinese."""
    if font_path is None:
        try:
            import pylopdf_fonts_zh_cn
        except ImportError as error:
            raise ShareImageUnavailable(
                "share images need the Noto Sans SC font from the Python package pylopdf-fonts-zh-cn; "
                "install the project again (pip install -e .) or run: pip install pylopdf-fonts-zh-cn"
            ) from error
        path = str(pylopdf_fonts_zh_cn.sans_path())
    else:
        path = font_path
    if not Path(path).is_file():
        raise ShareImageUnavailable(f"share image font not found: {path}")
    try:
        _font(path, _HEADER_SIZE)
    except OSError as error:
        raise ShareImageUnavailable(f"share image font cannot be read: {path}: {error}") from error
    if not _has_glyph(path, _PROBE):
        raise ShareImageUnavailable(
            f"share image font has no Chinese glyphs: {path}; use a CJK font such as Noto Sans SC"
        )
    return path


def card_layout(
    claim: str,
    verdict_label: str,
    verdict_color: str,
    site_name: str,
    caption: str = "",
    *,
    claim_word: str = "",
    verdict_word: str = "",
    claimant: str = "",
    font_path: str | None = None,
) -> CardLayout:
    """Where each string of a card goes. claim_word and verdict_word are the site's words for
    "claim" and "verdict"; claimant says who made the claim, and when. Every string is cleaned
    and cut to fit its place (an ellipsis marks a cut); an empty one is left out."""
    if not _COLOR.fullmatch(verdict_color):
        raise ValueError(f"verdict_color must be #rrggbb, got {verdict_color!r}")
    path = find_font(font_path)
    accent = _rgb(verdict_color)
    shapes: list[tuple[tuple[int, int, int, int], tuple[int, int, int], int]] = [
        ((0, 0, _STRIPE - 1, HEIGHT - 1), accent, 0)]
    texts: list[CardText] = []

    def place(role: str, text: str, xy: tuple[int, int], anchor: str, size: int,
              fill: tuple[int, int, int], background: tuple[int, int, int] = _BACKGROUND) -> None:
        if text:
            left, top, right, bottom = _font(path, size).getbbox(text, anchor=anchor)
            box = (xy[0] + left, xy[1] + top, xy[0] + right, xy[1] + bottom)
            texts.append(CardText(role, text, xy, anchor, size, fill, background, box))

    header = _font(path, _HEADER_SIZE)
    place("site_name", _fit_line(_clean(path, site_name, _LINE_LIMIT), header, _CONTENT),
          (_LEFT, _HEADER_TOP), "lt", _HEADER_SIZE, _MUTED)

    kicker = _font(path, _KICKER_SIZE)
    kicker_middle = _KICKER_TOP + _KICKER_HEIGHT // 2
    x = _LEFT
    word = _fit_line(_clean(path, claim_word, _LINE_LIMIT), kicker, _CONTENT // 3)
    if word:
        label_width = round(_width(kicker, word)) + 2 * _KICKER_PAD
        shapes.append(((x, _KICKER_TOP, x + label_width - 1, _KICKER_TOP + _KICKER_HEIGHT - 1), _INK, 6))
        place("claim_word", word, (x + label_width // 2, kicker_middle), "mm", _KICKER_SIZE, _LABEL_INK, _INK)
        x += label_width + _GAP
    place("claimant", _fit_line(_clean(path, claimant, _LINE_LIMIT), kicker, _RIGHT - x),
          (x, kicker_middle), "lm", _KICKER_SIZE, _MUTED)

    layout = wrap_claim(claim, font_path=path)
    leading = round(layout.size * _CLAIM_LEADING)
    # Centred in its band, so a one-line claim does not leave a hole above the badge.
    top = _CLAIM_TOP + (_CLAIM_BOTTOM - _CLAIM_TOP - leading * len(layout.lines)) // 2
    for number, line in enumerate(layout.lines):
        # "lm": the middle of each line box sits on the leading grid, whatever the script's ascent.
        place("claim", line, (_LEFT, top + leading * number + leading // 2), "lm", layout.size, _INK)

    middle = _BADGE_TOP + _BADGE_HEIGHT // 2
    footer = _font(path, _CAPTION_SIZE)
    x = _LEFT
    word = _fit_line(_clean(path, verdict_word, _LINE_LIMIT), footer, _CONTENT // 4)
    if word:
        place("verdict_word", word, (x, middle), "lm", _CAPTION_SIZE, _MUTED)
        x += round(_width(footer, word)) + _GAP
    badge = _font(path, _BADGE_SIZE)
    label = _fit_line(_clean(path, verdict_label, _LINE_LIMIT), badge, _CONTENT // 2 - 2 * _BADGE_PAD)
    badge_width = round(_width(badge, label)) + 2 * _BADGE_PAD
    shapes.append(((x, _BADGE_TOP, x + badge_width - 1, _BADGE_TOP + _BADGE_HEIGHT - 1), accent, 12))
    place("verdict_label", label, (x + badge_width // 2, middle), "mm", _BADGE_SIZE, _text_color_on(accent), accent)
    x += badge_width + 48
    place("caption", _fit_line(_clean(path, caption, _LINE_LIMIT), footer, _RIGHT - x),
          (_RIGHT, middle), "rm", _CAPTION_SIZE, _MUTED)
    return CardLayout(accent, shapes, texts)


def claim_card(
    claim: str,
    verdict_label: str,
    verdict_color: str,
    site_name: str,
    caption: str = "",
    *,
    claim_word: str = "",
    verdict_word: str = "",
    claimant: str = "",
    font_path: str | None = None,
) -> bytes:
    """PNG bytes of a 1200x630 card, laid out by card_layout (same arguments)."""
    path = find_font(font_path)
    layout = card_layout(claim, verdict_label, verdict_color, site_name, caption, claim_word=claim_word,
                         verdict_word=verdict_word, claimant=claimant, font_path=path)
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    for box, color, radius in layout.shapes:
        if radius:
            draw.rounded_rectangle(box, radius=radius, fill=color)
        else:
            draw.rectangle(box, fill=color)
    for text in layout.texts:
        draw.text(text.xy, text.text, font=_font(path, text.size), fill=text.fill, anchor=text.anchor)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def wrap_claim(claim: str, *, font_path: str | None = None) -> ClaimLayout:
    """The claim set for the card: the largest type size at which it fits in four lines, or the
    smallest size with the fourth line cut short by an ellipsis."""
    path = find_font(font_path)
    text = _clean(path, claim, _CLAIM_LIMIT)
    for size in _CLAIM_SIZES:
        lines, complete = _wrap(text, _font(path, size), _CONTENT, _CLAIM_MAX_LINES)
        if complete:
            return ClaimLayout(size, lines)
    font = _font(path, _CLAIM_SIZES[-1])
    lines[-1] = _with_ellipsis(lines[-1], font, _CONTENT)
    return ClaimLayout(_CLAIM_SIZES[-1], lines)


@functools.lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    # The basic layout engine, not Raqm: whether Raqm is present varies by machine, and the same
    # inputs must give the same bytes everywhere. Right-to-left text is out of scope.
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


def _width(font: ImageFont.FreeTypeFont, text: str) -> float:
    """The advance width of text: the sum of its characters' advances.

    The basic layout engine adds nothing between glyphs but the old `kern` table's pairs, which Noto
    Sans SC does not have; measuring character by character from a cache keeps wrapping a long claim
    from measuring the same line again for every word added to it."""
    return sum(_advance(font, char) for char in text)


@functools.lru_cache(maxsize=16384)
def _advance(font: ImageFont.FreeTypeFont, char: str) -> float:
    return font.getlength(char)


@functools.lru_cache(maxsize=8192)
def _has_glyph(path: str, char: str) -> bool:
    # Pillow cannot ask a font for its character map; a character that draws exactly as an
    # unmapped code point does is one the font lacks.
    return _glyph_pixels(path, char) != _glyph_pixels(path, _UNMAPPED)


@functools.lru_cache(maxsize=8192)
def _glyph_pixels(path: str, char: str) -> tuple[tuple[int, int, int, int], bytes]:
    font = _font(path, 32)
    box = font.getbbox(char)
    image = Image.new("L", (64, 64))
    ImageDraw.Draw(image).text((16, 16), char, font=font, fill=255)
    return box, image.tobytes()


def _clean(path: str, text: str, limit: int) -> str:
    """Text safe to lay out: control, format and separator characters made spaces, runs of space
    made one, characters the font cannot draw left out, and at most limit characters."""
    # Cut before the per-character work, leaving room for what cleaning removes.
    text = unicodedata.normalize("NFC", str(text)[: limit * 4])
    kept = []
    for char in text:
        if unicodedata.category(char)[0] in "CZ":
            kept.append(" ")
        elif _has_glyph(path, char):
            kept.append(char)
    return re.sub(" +", " ", "".join(kept)).strip()[:limit].rstrip()


def _tokens(text: str) -> list[str]:
    """Text cut where a line may break; punctuation stays with the word it belongs to."""
    tokens: list[str] = []
    glue_next = False
    for token in _TOKEN.findall(text):
        if tokens and not tokens[-1].isspace() and not token.isspace() and (glue_next or token[0] in _NO_START):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue_next = not token.isspace() and token[-1] in _NO_END
    return tokens


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> tuple[list[str], bool]:
    """At most max_lines lines of text no wider than width, and whether all of the text is in them."""
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        if _width(font, (current + token).rstrip()) <= width:
            current += token
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = "" if token.isspace() else token
        # A word wider than the line (a long URL, say) is broken between characters.
        while _width(font, current) > width:
            cut = _longest_prefix(current, font, width)
            lines.append(current[:cut])
            current = current[cut:]
        if len(lines) >= max_lines:
            return lines[:max_lines], False
    if current.strip():
        lines.append(current.rstrip())
    return lines[:max_lines], len(lines) <= max_lines


def _longest_prefix(text: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    """The length of the longest prefix of text no wider than width; at least 1."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _width(font, text[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _with_ellipsis(line: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """line ended by an ellipsis, shortened until both fit in width."""
    while line:
        kept = line.rstrip(" ,.;:，、。；：")
        shortened = kept + (_ELLIPSIS_CJK if _ENDS_CJK.search(kept) else _ELLIPSIS_LATIN)
        if _width(font, shortened) <= width:
            return shortened
        line = line[:-1]
    return _ELLIPSIS_LATIN


def _fit_line(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """text on one line no wider than width, cut with an ellipsis if it is too long."""
    if _width(font, text) <= width:
        return text
    return _with_ellipsis(text[: _longest_prefix(text, font, width)], font, width)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance."""
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _text_color_on(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever contrasts more with background.

    Pure black and white, not softer tints: one of the two always reaches 4.58:1 against any colour,
    above WCAG's 4.5:1, where a dark grey would fall short on mid-tones."""
    luminance = _luminance(background)
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return (0, 0, 0) if on_black >= on_white else (255, 255, 255)
