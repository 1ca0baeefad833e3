"""What the text of a fact may hold, checked before Markdown or any page sees it.

Two kinds of rule, both run on every text value of every fact file (validate.py calls them):

**Characters.** Refused wherever they appear, because a reviewer cannot see them or they change
how the text around them reads:
- C0 and C1 controls (tab and newline aside), lone surrogates, non-characters, and the
  bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069);
- invisible formatting characters (Unicode's default-ignorable code points): soft hyphen,
  U+061C, U+180E, U+200B and the direction marks U+200E/U+200F, U+2060-U+206F, U+FEFF inside
  text, U+FFF0-U+FFFB, the Hangul fillers, the shorthand and musical format controls, the
  combining grapheme joiner, and the tag characters U+E0000-U+E007F (hidden text for machine
  readers). Tags are kept only inside the three emoji flags that are made of them (England,
  Scotland, Wales).
Kept because a language needs them, each where it is needed and nowhere else:
- ZWNJ U+200C and ZWJ U+200D right after a letter or mark of a script that joins (Hebrew through
  Mongolian, the Indic and South-East Asian scripts, Arabic presentation forms, the scripts
  beyond the Basic Multilingual Plane), and ZWJ inside an emoji sequence; never two in a row.
  Latin, Greek, Cyrillic and CJK text never needs one, so they cannot carry hidden bits there.
- A variation selector (U+FE00-U+FE0F, U+E0100-U+E01EF, the Mongolian ones) right after the one
  visible character it varies, never after a space, a mark or another selector: a run of them
  is how data is smuggled behind an emoji.
- The visible format characters (Arabic number signs, the Syriac abbreviation mark, Egyptian
  hieroglyph format controls).
And at most MAX_MARKS combining marks in a row, so a letter cannot carry a tower of marks that
paints over the page around it (no script stacks more than a handful).

**Budgets.** Python-Markdown is quadratic in some inputs: backslash escapes within one paragraph,
fences that never close (the fence regex rescans the page from each opener), nested lists,
definition lists (they recurse per item). Each costly kind of character is counted per field and
per file, and a field or file over its budget is refused with the number and the limit, so no
valid fact file costs more than a few seconds to build. Lists that the pages join into one
paragraph (keywords, aliases, credits, places) are bounded in the schemas (maxItems, maxLength).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

# At most this many combining marks may follow one another (Tibetan stacks, Hebrew with points
# and cantillation and Vietnamese stay well below it).
MAX_MARKS = 8

# Controls, bidi controls, surrogates and non-characters: no text needs them.
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_CONTROL_ASTRAL = "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17))
# Default-ignorable code points (Unicode's DerivedCoreProperties), less the joiners and variation
# selectors checked in context below, plus the interlinear annotation marks: all invisible.
_INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u2060-\u2065\u206a-\u206f"
              "\u3164\ufeff\uffa0\ufff0-\ufffb")
_INVISIBLE_ASTRAL = "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e00ff\U000e01f0-\U000e0fff"
# A class of Basic Multilingual Plane characters alone compiles to a bitmap, many times faster
# than one with ranges beyond it; most text has nothing beyond it, so it gets the first.
_REFUSED_BMP = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_REFUSED = re.compile(f"[{_CONTROL}{_CONTROL_ASTRAL}{_INVISIBLE}{_INVISIBLE_ASTRAL}]")
_CONTROLS = re.compile(f"[{_CONTROL}{_CONTROL_ASTRAL}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_TAGS = re.compile("[\U000e0000-\U000e007f]")
# The only tag sequences in use: the subdivision flags of England, Scotland and Wales (RGI emoji).
_TAG_FLAG = re.compile("\U0001f3f4\U000e0067\U000e0062(?:\U000e0065\U000e006e\U000e0067|\U000e0073\U000e0063"
                       "\U000e0074|\U000e0077\U000e006c\U000e0073)\U000e007f")
_JOINERS = "\u200c\u200d"
_SELECTORS = "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"
_CONTEXTUAL = re.compile(f"[{_JOINERS}{_SELECTORS}]")
_CONTEXTUAL_BMP = re.compile(f"[{_JOINERS}\u180b-\u180d\u180f\ufe00-\ufe0f]")
_SELECTOR = re.compile(f"[{_SELECTORS}]")
# Scripts whose letters may be followed by a joiner: Hebrew to Mongolian and the Indic and
# South-East Asian blocks, their extensions, Arabic presentation forms, and the scripts outside
# the Basic Multilingual Plane (Brahmi, Kaithi, ...) below the emoji and CJK planes.
_JOINING_SCRIPTS = ((0x0590, 0x1CFF), (0xA800, 0xABFF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFE), (0x10000, 0x1EFFF))
_VISIBLE_BASE = ("L", "N", "S", "P")


@lru_cache(maxsize=2)
def _mark_run(astral: bool) -> re.Pattern:
    """MAX_MARKS + 1 combining marks in a row (joiners inside the run count with them). Built on
    first use: walking the code points where marks live takes a few milliseconds. astral: also
    the marks beyond the Basic Multilingual Plane (a slower class; see _REFUSED_BMP)."""
    ranges: list[list[int]] = []
    codes = [*range(0x0300, 0x20000), *range(0xE0100, 0xE01F0)] if astral else range(0x0300, 0x10000)
    for code in codes:
        if unicodedata.category(chr(code))[0] == "M" or code in (0x200C, 0x200D):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    chars = "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)
    return re.compile(f"[{chars}]{{{MAX_MARKS + 1},}}")


@dataclass(frozen=True)
class TextProblem:
    """Why a text may not be published: a message catalogue key and the values its message
    needs; `what` names the catalogue key of a budget's own words."""

    key: str
    values: tuple[tuple[str, Any], ...]

    def message(self, t: Callable[..., str]) -> str:
        """The message in the catalogue's language (t: an i18n.Messages)."""
        values = dict(self.values)
        if "what" in values:
            values["what"] = t(values["what"], chars=" ".join(MARKUP))
        return t(self.key, **values)


def _problem(key: str, **values: Any) -> TextProblem:
    return TextProblem(key, tuple(values.items()))


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character').lower()})"


def _joins(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char)[0] in "LM" and any(low <= code <= high for low, high in _JOINING_SCRIPTS)


def _emoji_part(char: str) -> bool:
    return char == "\ufe0f" or unicodedata.category(char) in ("So", "Sk")


def character_problem(text: str) -> TextProblem | None:
    """Why text may not be published as it is (the first refused character, with its position),
    or None. See the module docstring for what is refused and what is kept."""
    if text.isascii():
        bad = _REFUSED_BMP.search(text)  # in ASCII text only a control can match
        return _at(bad, "text_control") if bad else None
    astral = _ASTRAL.search(text) is not None
    for bad in (_REFUSED if astral else _REFUSED_BMP).finditer(text):
        if _TAGS.match(bad.group()) and _inside_flag(text, bad.start()):
            continue
        return _at(bad, "text_control" if _CONTROLS.match(bad.group()) else "text_invisible")
    for found in (_CONTEXTUAL if astral else _CONTEXTUAL_BMP).finditer(text):
        problem = _context_problem(text, found.start())
        if problem:
            return problem
    run = _mark_run(astral).search(text)
    if run:
        return _problem("text_marks", count=f"{len(run.group()):,}", position=run.start() + 1, limit=MAX_MARKS)
    return None


def _at(bad: re.Match, key: str) -> TextProblem:
    return _problem(key, char=_char_name(bad.group()), position=bad.start() + 1)


def _inside_flag(text: str, position: int) -> bool:
    start = text.rfind("\U0001f3f4", max(0, position - 6), position)
    flag = _TAG_FLAG.match(text, start) if start >= 0 else None
    return flag is not None and flag.end() > position


def _context_problem(text: str, position: int) -> TextProblem | None:
    char = text[position]
    before = text[position - 1] if position else ""
    after = text[position + 1] if position + 1 < len(text) else ""
    if char in _JOINERS:
        joined = before and after and after not in _JOINERS and not _SELECTOR.match(after) and (
            _joins(before) or (char == "\u200d" and _emoji_part(before) and _emoji_part(after)))
        return None if joined else _problem("text_joiner", char=_char_name(char), position=position + 1)
    if not before or unicodedata.category(before)[0] not in _VISIBLE_BASE:
        return _problem("text_selector", char=_char_name(char), position=position + 1)
    return None


# --- budgets -------------------------------------------------------------------------------------

_FENCE = re.compile(r"`{3,}|~{3,}")
# A line that starts a list item, a definition, an admonition, a collapsible block or a tab.
_BLOCK_MARKER = re.compile(r"^[ \t]*(?:[-*+:]|\d{1,9}[.)]|!!!|\?\?\?\+?|===\+?)(?=[ \t]|$)", re.MULTILINE)
# Python-Markdown recurses once per level of nested lists or emphasis; past a few hundred levels it
# raises RecursionError. Real prose nests a few levels, so deeper text is refused first.
MAX_NESTING = 20
_NESTED_LIST = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+){%d}" % (MAX_NESTING + 1), re.MULTILINE)
_DEEP_INDENT = re.compile(r"^[ \t]{%d}" % (4 * MAX_NESTING + 1), re.MULTILINE)


def _counter(chars: str) -> Callable[[str], int]:
    return lambda text: sum(text.count(char) for char in chars)


def _fences(text: str) -> int:
    return len(_FENCE.findall(text)) if "```" in text or "~~~" in text else 0


# What Python-Markdown's link parser reads: brackets, parentheses, and blank lines (the ends of
# paragraphs, where every scan stops).
_LINK_TOKEN = re.compile(r"[\[\]()]|\n[ \t]*\n")


def _link_scan(text: str) -> int:
    """How many characters Python-Markdown reads looking for the ends of links: each `[` reads
    on to its matching `]`, and each link's `](` to its balancing `)`, or to the end of the
    paragraph when there is none (several parsers do so for each). Unclosed brackets in a long
    paragraph make this, and the build, quadratic; closed links in prose keep it near their length."""
    if "[" not in text:
        return 0
    total = 0
    opened: list[int] = []  # positions of the `[` not yet closed
    destinations: list[tuple[int, int]] = []  # (position, parenthesis level) of each open `](`
    level = 0
    for token in _LINK_TOKEN.finditer(text):
        char, at = token.group(), token.start()
        if char == "[":
            opened.append(at)
        elif char == "]":
            # Only a `]` that closes a `[` makes a link, whose destination is then read.
            if opened:
                total += at - opened.pop()
                if text.startswith("(", at + 1):
                    destinations.append((at + 1, level + 1))
        elif char == "(":
            level += 1
        elif char == ")":
            if destinations and destinations[-1][1] == level:
                total += at - destinations.pop()[0]
            level = max(level - 1, 0)
        else:  # a blank line: every scan still open ends here
            total += sum(at - start for start in opened) + sum(at - start for start, _ in destinations)
            opened, destinations, level = [], [], 0
    end = len(text)
    return total + sum(end - start for start in opened) + sum(end - start for start, _ in destinations)


def _line_markers(text: str) -> int:
    # One line (most fields): only its start can be a marker, and match() looks only there.
    if "\n" not in text:
        return 1 if _BLOCK_MARKER.match(text) else 0
    return len(_BLOCK_MARKER.findall(text))


@dataclass(frozen=True)
class Budget:
    """One costly kind of text: how to count it, and the most a Markdown field, a plain-text
    field and a whole fact file may hold (None: no budget of that kind). A plain-text field's
    budget may instead be a share of the length its schema allows (plain_share: one character
    in that many), so a short name holds far less markup than a quote may."""

    key: str  # the catalogue key of the words that name what it counts
    count: Callable[[str], int]
    markdown: int | None
    plain: int | None
    file: int | None
    plain_share: int | None = None

    def limit(self, markdown: bool, max_length: int | None) -> int | None:
        """The most one field may hold (None: no budget for it)."""
        if markdown:
            return self.markdown
        if self.plain_share and max_length:
            return max_length // self.plain_share
        return self.plain


# The characters a page shows as text by escaping them for Markdown (a backslash or an entity each).
MARKUP = "\\`*_{}[]()#+!|&<>"

BUDGETS = (
    Budget("budget_brackets", _counter("["), 200, None, 400),
    Budget("budget_entities", _counter("&<>"), 2000, None, 4000),
    Budget("budget_emphasis", _counter("*_"), 2000, None, 4000),
    Budget("budget_escapes", _counter("\\`{}|"), 2000, None, 4000),
    # Plain text may hold none: pages (and the HTML that `export` gives other engines) put it on
    # lines of its own, where an engine's fence extension would scan the page from each one.
    Budget("budget_fences", _fences, 10, 0, 20),
    Budget("budget_line_markers", _line_markers, 200, None, 400),
    # Links in Markdown fields only: plain text shows its brackets as text, never as a link.
    Budget("budget_link_scan", _link_scan, 400_000, None, 800_000),
    # Plain text is shown as written, so each of these becomes an escape, and pages join some
    # plain fields (place names, claim titles, keywords) into one paragraph: one in four
    # characters of what a field may hold keeps every such paragraph far below where Markdown
    # turns slow, and still lets a name or a title carry a bracket or an ampersand.
    Budget("budget_markup", _counter(MARKUP), None, None, None, plain_share=4),
)


# Any character a character budget counts: text without one costs nothing to count.
_COUNTED = re.compile("[" + re.escape(MARKUP) + "]")
_CHARACTER_BUDGETS = frozenset(i for i, budget in enumerate(BUDGETS)
                               if budget.count not in (_fences, _line_markers, _link_scan))


def text_costs(text: str, markdown: bool = True) -> tuple[int, ...]:
    """How much of each budget's kind the text holds, in the order of BUDGETS. Counts only:
    linear in the length of the text, and quick for text with no markup at all."""
    counted = _COUNTED.search(text) is not None
    return tuple(0 if (i in _CHARACTER_BUDGETS and not counted) or (budget.count is _link_scan and not markdown)
                 else budget.count(text) for i, budget in enumerate(BUDGETS))


def field_budget_problem(text: str, markdown: bool, max_length: int | None = None,
                         costs: tuple[int, ...] | None = None) -> TextProblem | None:
    """Why one field costs too much to render (a count over its budget), or None. max_length is
    the most characters its schema allows; costs, the text's text_costs when already counted.
    Runs before Markdown sees the text."""
    costs = costs if costs is not None else text_costs(text, markdown)
    for budget, count in zip(BUDGETS, costs):
        limit = budget.limit(markdown, max_length)
        if limit is not None and count > limit:
            key = "budget_field_markdown" if markdown else "budget_field_text" if limit else "budget_field_none"
            return _problem(key, count=f"{count:,}", what=budget.key, limit=f"{limit:,}", length=f"{max_length or 0:,}")
    if markdown and (_NESTED_LIST.search(text) or _DEEP_INDENT.search(text)):
        return _problem("budget_nesting", limit=MAX_NESTING)
    return None


@dataclass
class FileTally:
    """The costly characters of one fact file's text fields, for the per-file budgets."""

    # (where, count per budget) of each field that holds any, in the order they were checked.
    fields: list[tuple[Any, tuple[int, ...]]] = field(default_factory=list)

    def add(self, where: Any, costs: tuple[int, ...]) -> None:
        """Count one text field of the file, by its text_costs."""
        if any(costs):
            self.fields.append((where, costs))

    def merge(self, other: FileTally) -> None:
        """Take the fields another tally counted (a trial check of one anyOf option)."""
        self.fields += other.fields

    def problems(self) -> list[tuple[Any, TextProblem]]:
        """(where, problem) for each per-file budget the file is over, located at the field
        that took the total over."""
        found = []
        for i, budget in enumerate(BUDGETS):
            if budget.file is None:
                continue
            total, crossed = 0, None
            for where, counts in self.fields:
                total += counts[i]
                if crossed is None and total > budget.file:
                    crossed = where
            if crossed is not None:
                found.append((crossed, _problem("budget_file", total=f"{total:,}", what=budget.key,
                                                limit=f"{budget.file:,}")))
        return found
