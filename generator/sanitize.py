"""The last line of defence: an allow-list check of the HTML made from generated pages.

Escaping (escape.py) and URL normalisation (urls.py) keep fact text inert; this module checks
the result. The HTML that Markdown makes of a generated page may hold only the elements and
attributes our templates and Markdown emit, no event handler, no style but a verdict colour,
and no link whose scheme is not http(s) or mailto. A page that fails is not written: the build
stops naming the page and the fact file.

`markdown_links` applies the same parser to one Markdown field at `check` time, so every link
form Markdown accepts (inline, reference definitions anywhere, autolinks) is found by Markdown
itself rather than by a regex that misses one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

import markdown

from .errors import GeneratorError
from .escape import md_block

MARKDOWN_EXTENSIONS = ("tables", "attr_list", "md_in_html", "toc")

_COMMON = {"class", "id", "title", "data-search-exclude", "markdown"}
# Elements the templates, Markdown (with the extensions above) and the charts emit, with the
# attributes each may carry beyond _COMMON.
ALLOWED: dict[str, set[str]] = {
    **{tag: set() for tag in (
        "p", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "br", "hr", "span", "div",
        "table", "thead", "tbody", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption",
        "nav", "section", "small", "sup", "sub", "abbr", "dl", "dt", "dd", "time", "button",
    )},
    "a": {"href", "rel", "target", "hreflang", "aria-label", "aria-current", "download"},
    "th": {"style", "align", "scope", "colspan"},
    "td": {"style", "align", "colspan", "data-label"},
    "img": {"src", "alt", "width", "height", "loading"},
    # Inline SVG charts (charts.py).
    "svg": {"viewbox", "role", "aria-labelledby", "aria-describedby", "width", "height", "xmlns",
            "preserveaspectratio", "focusable"},
    "title": set(), "desc": set(), "g": {"transform"},
    "rect": {"x", "y", "width", "height", "fill", "rx"},
    "text": {"x", "y", "fill", "text-anchor", "dominant-baseline", "font-size"},
    "line": {"x1", "x2", "y1", "y2", "stroke"},
}
# Attributes that hold a URL; their scheme is checked.
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "poster", "background", "cite"}
SCHEMES = {"http", "https", "mailto"}
# The styles our templates write: a verdict colour (badges, passages), and a bar's share of a chart.
_STYLE = re.compile(r"--fc-color: ?#[0-9a-fA-F]{6};?( ?--fc-share: ?\d{1,3}(\.\d)?%;?)?")
_TEXT_ALIGN = re.compile(r"text-align: ?(left|right|center);?")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Browsers drop ASCII tab and newline anywhere in a URL and C0 controls and spaces at its ends
# before they read the scheme, so "java\tscript:" is javascript:. The check does the same.
_URL_NOISE = re.compile(r"[\t\n\r]")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = ALLOWED.get(tag)
        if allowed is None:
            self.problems.append(f"element <{tag}> is not one the templates emit")
            return
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler attribute {name}")
            elif name == "style":
                if not (_STYLE.fullmatch(value) or (tag in ("th", "td") and _TEXT_ALIGN.fullmatch(value))):
                    self.problems.append(f"<{tag}> has a style other than a verdict colour: {value[:80]!r}")
            elif name in URL_ATTRIBUTES:
                problem = url_problem(value)
                if problem:
                    self.problems.append(f"<{tag} {name}> {problem}")
            elif name not in allowed and name not in _COMMON and not name.startswith(("aria-", "data-")):
                self.problems.append(f"<{tag}> has an attribute {name} the templates never write")

    handle_startendtag = handle_starttag


def url_problem(value: str) -> str | None:
    """Why a URL attribute value is not allowed (a scheme other than http(s)/mailto), or None."""
    url = _URL_NOISE.sub("", value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                            "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                                            "\x1d\x1e\x1f ")
    match = _SCHEME.match(url)
    if match and match.group(1).lower() not in SCHEMES:
        return f"links to a {match.group(1).lower()}: address ({value[:60]!r})"
    if url.startswith(("//", "\\", "/\\", "\\/")):
        return f"links to another host without a scheme ({value[:60]!r})"
    return None


class UnsafePage(GeneratorError):
    """A page holds HTML outside the allow-list: whatever escaping missed is never published."""


def check_html(html: str, page_path: str, made_from: str) -> None:
    """The last line: a page holding HTML outside the allow-list (a handler, a script URL, an
    element the templates never emit) is not published."""
    problems = html_problems(html)
    if problems:
        listed = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise UnsafePage(f"page {page_path}, made from {made_from}, holds HTML that is not allowed: {listed}. "
                         "Fix the text; this is never published.")


def html_problems(html: str) -> list[str]:
    """Every way this HTML leaves the allow-list, empty when it is clean."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems


@lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in URL_ATTRIBUTES:
                self.links.append((tag, value or ""))


def markdown_links(text: str) -> list[tuple[str, str]]:
    """(element, target) of every link and image that a Markdown field becomes on a page."""
    if "[" not in text and "<" not in text and "&" not in text:
        return []  # no link form of Markdown is possible without one of these
    converter = _converter()
    converter.reset()
    parser = _Links()
    parser.feed(converter.convert(md_block(text)))
    parser.close()
    return parser.links
