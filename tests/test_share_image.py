"""Share images: a 1200x630 PNG per claim, drawn offline with a packaged CJK font, the same bytes
for the same inputs, Chinese drawn as glyphs (never boxes), long text cut inside the card, and
badge text readable on any verdict colour."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import mkdocs
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from generator.i18n import Messages
from generator.share_image import ShareImageUnavailable, card_layout, claim_card, find_font, wrap_claim

SITE = "武汉事实核查"
CAPTION = "factcheck.example.org"
LONG_ENGLISH = (
    "Lei Jun said in a 2021 interview that Xiaomi would never build a car, and that the company's "
    "electric vehicle plans were a rumour spread by competitors who wanted to damage the brand before "
    "its annual shareholder meeting in Hong Kong, where investors were due to vote on the new board."
)
LONG_CHINESE = (
    "雷军在2021年的采访中表示，小米永远不会造车，并称公司的电动汽车计划只是竞争对手为了在香港年度股东大会"
    "之前损害品牌声誉而散布的谣言。此外，他还说武汉的新工厂将在三个月内完工，每年生产一百万辆汽车，"
    "远超所有其他中国汽车制造商的产能总和。"
)
ELLIPSES = ("…", "...")
# A plane-15 private-use code point, which no font maps: it draws as the font's missing-glyph box.
UNMAPPED = "\U000f0000"


def open_png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def glyph_pixels(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    image = Image.new("L", (96, 96))
    ImageDraw.Draw(image).text((16, 16), char, font=font, fill=255)
    return image.tobytes()


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """As WCAG 2.2 defines it."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in rgb)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_card_is_a_1200_by_630_png():
    data = claim_card("Wuhan's population doubled in ten years.", "False", "#c62828", "Fact Check", CAPTION)

    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = open_png(data)
    assert image.format == "PNG"
    assert image.size == (1200, 630)


def test_same_inputs_give_the_same_bytes():
    first = claim_card(LONG_CHINESE, "错误", "#c62828", SITE, CAPTION)
    second = claim_card(LONG_CHINESE, "错误", "#c62828", SITE, CAPTION)

    assert first == second


def test_each_input_shows_on_the_card():
    base = ("武汉是中国人口最多的城市。", "错误", "#c62828", SITE, CAPTION)
    variants = [
        ("武汉是中国人口第二多的城市。", *base[1:]),
        (base[0], "正确", *base[2:]),
        (*base[:2], "#2e7d32", *base[3:]),
        (*base[:3], "Fact Check Wuhan", base[4]),
        (*base[:4], "another.example.org"),
    ]

    cards = {claim_card(*args) for args in [base, *variants]}

    assert len(cards) == 1 + len(variants)


def test_font_has_glyphs_for_chinese_text():
    font = ImageFont.truetype(find_font(), 48)
    missing = glyph_pixels(font, UNMAPPED)

    drawn = [glyph_pixels(font, char) for char in "武汉雷军错误"]

    assert all(pixels != missing for pixels in drawn)
    assert len(set(drawn)) == len(drawn)


def test_characters_the_font_lacks_are_left_out_not_drawn_as_boxes():
    font = ImageFont.truetype(find_font(), 48)
    lacking = "😀🙂"
    assert all(glyph_pixels(font, char) == glyph_pixels(font, UNMAPPED) for char in lacking)
    verdict = ("错误", "#c62828", SITE, CAPTION)

    assert claim_card(f"武汉{lacking}", *verdict) == claim_card("武汉", *verdict)
    assert claim_card(lacking, *verdict) == claim_card("", *verdict)
    assert claim_card("武汉", *verdict) != claim_card("", *verdict)


def test_control_characters_become_spaces():
    verdict = ("False", "#c62828", "Fact Check", CAPTION)

    hostile = claim_card("Wuhan\x00is\x1b[31m big\u202e\n\tcity", *verdict)

    assert hostile == claim_card("Wuhan is [31m big city", *verdict)


def test_huge_text_is_cut_before_layout():
    verdict = ("False", "#c62828", "Fact Check", CAPTION)

    assert claim_card("word " * 200_000, *verdict) == claim_card("word " * 400, *verdict)


def test_a_claim_that_fits_is_set_whole():
    layout = wrap_claim("Wuhan's population doubled in ten years.")

    assert " ".join(layout.lines) == "Wuhan's population doubled in ten years."


@pytest.mark.parametrize("claim, joiner", [(LONG_ENGLISH, " "), (LONG_CHINESE, "")])
def test_long_claim_is_cut_to_four_lines_with_an_ellipsis(claim: str, joiner: str):
    layout = wrap_claim(claim)

    assert len(layout.lines) == 4
    assert layout.lines[-1].endswith(ELLIPSES)
    shown = joiner.join(layout.lines)
    for ellipsis in ELLIPSES:
        shown = shown.removesuffix(ellipsis)
    assert claim.startswith(shown)


def test_chinese_punctuation_does_not_start_a_line():
    layout = wrap_claim(LONG_CHINESE)

    assert not [line for line in layout.lines if line[0] in "，。、；：！？）」"]


@pytest.mark.parametrize(
    "claim",
    [LONG_ENGLISH, LONG_CHINESE, "https://example.org/" + "averylongpathsegment" * 30],
    ids=["english", "chinese", "unbroken"],
)
def test_long_text_stays_inside_the_card(claim: str):
    image = open_png(claim_card(claim, "基本属实 " * 20, "#2e7d32", SITE * 20, CAPTION * 10)).convert("RGB")
    background = image.getpixel((600, 2))
    width, height = image.size

    # The left edge carries a verdict-coloured stripe; every other edge is a blank margin.
    margins = [(40, 0, width, 40), (40, height - 40, width, height), (width - 40, 0, width, height)]

    for box in margins:
        margin = image.crop(box)
        assert margin.getcolors() == [(margin.width * margin.height, background)]


@pytest.mark.parametrize(
    "color",
    [f"#{r:02x}{g:02x}{b:02x}" for r in (0, 0x80, 0xFF) for g in (0, 0x80, 0xFF) for b in (0, 0x80, 0xFF)]
    + ["#767676", "#777777", "#959595", "#c62828", "#f9a825", "#2e7d32", "#1565c0"],
)
def test_badge_text_contrasts_with_the_badge(color: str):
    fill = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    image = open_png(claim_card("Claim", "Mostly true", color, "Site", "")).convert("RGB")
    lower = image.crop((40, image.height // 2, image.width, image.height))
    channels = [band.point(lambda v, want=want: 255 if v == want else 0) for band, want in zip(lower.split(), fill)]
    box = ImageChops.multiply(ImageChops.multiply(channels[0], channels[1]), channels[2]).getbbox()
    assert box is not None, "no badge in the verdict colour"

    # The glyphs' solid pixels are the text colour; their anti-aliased edges blend towards the fill.
    colors = [rgb for _, rgb in lower.crop(box).getcolors(maxcolors=1 << 16)]

    assert max(contrast(rgb, fill) for rgb in colors) >= 4.5


def test_verdict_color_must_be_hex():
    with pytest.raises(ValueError, match="#rrggbb"):
        claim_card("Claim", "False", "red", "Site")


def test_explicit_font_path_is_used():
    import pylopdf_fonts_zh_cn

    serif = str(pylopdf_fonts_zh_cn.serif_path())

    assert find_font(serif) == serif
    assert claim_card("武汉", "错误", "#c62828", SITE, font_path=serif) != claim_card("武汉", "错误", "#c62828", SITE)


def test_missing_font_file_is_named():
    with pytest.raises(ShareImageUnavailable, match="share image font not found: /nowhere/font.otf"):
        find_font("/nowhere/font.otf")


def test_a_file_that_is_no_font_is_refused():
    with pytest.raises(ShareImageUnavailable, match="cannot be read"):
        find_font(__file__)


def test_a_font_without_chinese_is_refused():
    icons = Path(mkdocs.__file__).parent / "themes" / "mkdocs" / "webfonts" / "fa-solid-900.ttf"

    with pytest.raises(ShareImageUnavailable, match="has no Chinese glyphs"):
        claim_card("武汉", "错误", "#c62828", SITE, font_path=str(icons))


def test_missing_font_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)

    with pytest.raises(ShareImageUnavailable, match="pip install pylopdf-fonts-zh-cn"):
        find_font()


def words(language: str) -> dict[str, str]:
    """The card's words in a site's language, from its message catalogue."""
    t = Messages(language)
    return {"claim_word": t("claim_label"), "verdict_word": t("verdict")}


@pytest.mark.parametrize("language, claim, label, claimant", [
    ("en", "Wuhan's population doubled in ten years.", "Mostly true", "in The Changjiang Daily (J. Doe), 4 May 2021"),
    ("zh", "武汉人口十年翻了一番。", "基本属实", "见于《长江日报》，2021年5月4日"),
])
def test_the_card_says_claim_and_verdict_and_who_made_the_claim(language: str, claim: str, label: str, claimant: str):
    """No OCR here: the layout names every string and its box, and the drawn card holds, in each
    box, exactly the pixels of that string drawn alone. So each word is on the card, whole, where
    the layout says, inside the card and clear of every other string."""
    shown = words(language)
    layout = card_layout(claim, label, "#4f7d1c", SITE, CAPTION, claimant=claimant, **shown)
    texts = {text.role: text for text in layout.texts}
    assert texts["claim_word"].text == shown["claim_word"] and texts["verdict_word"].text == shown["verdict_word"]
    assert texts["verdict_label"].text == label and texts["claimant"].text == claimant
    assert "".join(t.text for t in layout.texts if t.role == "claim").replace(" ", "") == claim.replace(" ", "")

    card = open_png(claim_card(claim, label, "#4f7d1c", SITE, CAPTION, claimant=claimant, **shown)).convert("RGB")
    font_path = find_font()
    for text in layout.texts:
        left, top, right, bottom = text.box
        assert 40 <= left < right <= card.width - 40 and 40 <= top < bottom <= card.height - 40, text
        alone = Image.new("RGB", card.size, text.background)
        ImageDraw.Draw(alone).text(text.xy, text.text, font=ImageFont.truetype(font_path, text.size, layout_engine=ImageFont.Layout.BASIC),
                                   fill=text.fill, anchor=text.anchor)
        assert card.crop(text.box).tobytes() == alone.crop(text.box).tobytes(), text.role
    boxes = [t.box for t in layout.texts]
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    assert overlapping == []


def test_long_words_and_claimant_are_cut_inside_their_places():
    layout = card_layout("Claim", "Mostly true", "#4f7d1c", "Site", "", claim_word="Claim " * 30,
                         verdict_word="Verdict " * 30, claimant="The Daily " * 60)
    texts = {text.role: text for text in layout.texts}
    assert texts["claimant"].text.endswith(ELLIPSES) and texts["claimant"].box[2] <= 1200 - 80
    assert texts["claim_word"].text.endswith(ELLIPSES) and texts["verdict_word"].text.endswith(ELLIPSES)
    assert texts["verdict_word"].box[2] < texts["verdict_label"].box[0]


def test_a_card_without_words_leaves_their_places_empty():
    layout = card_layout("Claim", "False", "#c62828", "Site", "")
    assert {text.role for text in layout.texts} == {"site_name", "claim", "verdict_label"}


def test_a_card_planted_in_the_cache_is_never_published(facts: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A card committed into a site's cache folder (say, a "True" card under the name of a false
    claim's card) is not what the deploy publishes: cache names need a secret of the machine that
    drew them, so a fresh machine finds nothing to reuse and draws every card again."""
    from generator.options import SiteOptions
    from generator.publish import share_images
    from generator.build import check_facts

    model = check_facts(facts)
    options = SiteOptions(site_url="https://example.org/", site_name="Test", share_images=True)
    cache = tmp_path / "images"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-a"))
    drawn = share_images(model, options, cache)
    forged = claim_card("A forged card", "True", "#1b7a3d", "Test")
    for planted in cache.glob("*.png"):
        planted.write_bytes(forged)  # as if committed, under every name machine A used
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-b"))
    assert share_images(model, options, cache) == drawn
    # The machine that drew them reuses its own cache (that is what the cache is for).
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine-a"))
    assert all(card == forged for card in share_images(model, options, cache).values())
