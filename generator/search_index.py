"""The search index as readers type: plain text, typographic variants folded, cited sources findable.

Material's search plugin writes search/search_index.json from the built pages; the MkDocs adapter
hands it to `fold_search_index` after the build, which returns the index readers search:

- Text is plain: an entity in a title or text (`O&#x27;Brien`) becomes its character, except
  `&lt;`, `&gt;` and `&amp;`, which Material itself writes because its results are HTML. (Lunr,
  Material's search library, breaks on some tokens with digits in them, such as `o&#x27`:
  its token set then names words the index does not hold and every query that meets them throws.
  The site's search worker repairs that too, theme/assets/javascripts/workers/factcheck-search.js.)
- Typographic variants are folded to one form: curly and fullwidth quotes to ' and ", fullwidth
  letters and digits to ASCII (their NFKC forms). The index config carries the table (`fold`),
  and the worker folds every query with it, so `O’Brien` typed on a phone finds `O'Brien`. A
  character the site's search separator splits words at is never folded into one it does not:
  folding changes how words are written, never where they end.
- The sources a claim cites are searchable: a claim page's Sources section is left out of the index
  (its table headings and archive links would be noise in every result), so each claim gets a
  section holding its sources' titles and publishers. A source's title is often the only place a
  name appears in the source's own language (a Chinese place name in the headline of a Chinese
  source that an English site cites).

Lower case is lunr's own: it lowers every indexed word and every query term.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .i18n import Messages
from .model import Facts
from .options import SiteOptions

# Each character readers type for the same thing, and the one form both index and query use.
_APOSTROPHES = "\u2018\u2019\u201a\u201b\u02bc\uff07"  # ‘ ’ ‚ ‛ ʼ ＇
_QUOTES = "\u201c\u201d\u201e\u201f\uff02"  # “ ” „ ‟ ＂
_FULLWIDTH_ALNUM = [chr(c) for span in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
                    for c in range(span[0], span[1] + 1)]
FOLDS: dict[str, str] = {
    **{c: "'" for c in _APOSTROPHES},
    **{c: '"' for c in _QUOTES},
    **{c: unicodedata.normalize("NFKC", c) for c in _FULLWIDTH_ALNUM},
}

# Material's index text is HTML: markup, and text in which <, > and & are entities.
_MARKUP = re.compile(r"(<[^>]*>)")
# Han runs, as Material's search plugin finds them to segment with jieba.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


@dataclass(frozen=True)
class CitedSources:
    """A page's cited sources, to be searchable: where they are on the page (the location of the
    page's Sources section), its heading, and one line per source, worded as the site's language
    words it ("Title (Publisher)"). Plain text: escaped here."""

    location: str
    heading: str
    lines: tuple[str, ...]


def cited_sources(pages: Iterable[Any], facts: Facts, options: SiteOptions) -> list[CitedSources]:
    """The cited sources of every claim page among pages (the generated pages, as render.Page),
    at the page's Sources section (#sources), in the site's language."""
    claims = {claim.id: claim for claim in facts.claims}
    cited = []
    for page in pages:
        factcheck = (page.meta or {}).get("factcheck") or {}
        claim = claims.get(factcheck.get("id")) if factcheck.get("kind") == "claim" else None
        if claim is not None and claim.sources:
            cited.append(_cited(claim, page.path, options))
    return cited


# Kept by claim: under `mkdocs serve` every rebuild indexes every claim's sources again.
@functools.lru_cache(maxsize=1 << 16)
def _cited(claim: Any, path: str, options: SiteOptions) -> CitedSources:
    t = Messages(options.language)
    lines = tuple(source.title + (t("open_paren") + source.publisher + t("close_paren") if source.publisher else "")
                  for source in claim.sources)
    return CitedSources(options.page_path(path) + "#sources", t("sources"), lines)


def fold_table(separator: str | None) -> dict[str, str]:
    """FOLDS without the characters the separator splits words at while their folded form does
    not: folding must not join words the site's separator keeps apart."""
    try:
        splits = re.compile(separator or r"[\s\-]+")
    except re.error:  # a separator written for JavaScript only: fold everything
        return dict(FOLDS)
    return {char: folded for char, folded in FOLDS.items()
            if not (splits.fullmatch(char) and not splits.fullmatch(folded))}


def plain_html(text: str, table: Mapping[str, str]) -> str:
    """Index HTML with its text plain and folded: entities other than &lt; &gt; &amp; become
    their characters; markup is kept as it is."""
    return _Folder(table)(text)


class _Folder:
    """plain_html for one fold table, compiled once: most index text needs no change, and a
    search finds that faster than the rewrite would."""

    def __init__(self, table: Mapping[str, str]):
        self.translation = str.maketrans(dict(table))
        characters = "".join(re.escape(char) for char in table)
        self.needed = re.compile("&(?!(?:lt|gt|amp);)" + (f"|[{characters}]" if characters else ""))

    def __call__(self, text: str) -> str:
        if not self.needed.search(text):
            return text
        parts = _MARKUP.split(text)
        for i in range(0, len(parts), 2):  # even parts are text, odd parts markup
            if parts[i]:
                parts[i] = html.escape(html.unescape(parts[i]), quote=False).translate(self.translation)
        return "".join(parts)


def segment_chinese(text: str) -> str:
    """Han runs cut into words with zero-width spaces, as Material's search plugin cuts them when
    jieba is installed (it is a dependency), so added text is found as the rest is."""
    try:
        import jieba
    except ImportError:
        return text
    segmented = _HAN.sub(lambda run: "\u200b" + "\u200b".join(jieba.cut(run.group(0))) + "\u200b", text)
    return segmented.strip("\u200b")


@functools.lru_cache(maxsize=1 << 16)
def _paragraph(line: str) -> str:
    # Cached: under `mkdocs serve` every rebuild indexes every claim's sources again, and jieba
    # is most of that work; a source line seldom changes.
    return f"<p>{segment_chinese(html.escape(line, quote=False))}</p>"


def sources_entry(cited: CitedSources, page: Mapping[str, Any]) -> dict[str, Any]:
    """The index entry of a page's cited sources, one paragraph per source, with the page's tags
    and half its boost (a claim's own words outrank the titles it cites). Fact text is escaped
    here: Material shows index text as HTML."""
    entry: dict[str, Any] = {
        "location": cited.location,
        "title": segment_chinese(html.escape(cited.heading, quote=False)),
        "text": " ".join(_paragraph(line) for line in cited.lines),
    }
    if "tags" in page:
        entry["tags"] = list(page["tags"])
    entry["boost"] = float(page.get("boost", 1)) / 2
    return entry


def fold_search_index(index: dict[str, Any], cited: Iterable[CitedSources] = (), *,
                      in_place: bool = False) -> dict[str, Any]:
    """The index readers search (see the module docstring); `index` is search_index.json as
    Material wrote it. Entries for cited sources go after their page's last section. With
    in_place, the entries are changed where they are rather than copied (the search plugin's
    own, at 10,000 claims tens of megabytes)."""
    config = dict(index.get("config") or {})
    table = fold_table(config.get("separator"))
    config["fold"] = table
    plain = _Folder(table)
    by_page: dict[str, list[dict[str, Any]]] = {}
    order: list[str] = []
    for doc in index.get("docs") or []:
        doc = doc if in_place else dict(doc)
        for field in ("title", "text"):
            if isinstance(doc.get(field), str):
                doc[field] = plain(doc[field])
        if isinstance(doc.get("tags"), list):
            doc["tags"] = [plain(tag) if isinstance(tag, str) else tag for tag in doc["tags"]]
        page = str(doc.get("location", "")).split("#", 1)[0]
        if page not in by_page:
            by_page[page] = []
            order.append(page)
        by_page[page].append(doc)
    for entry in cited:
        page = entry.location.split("#", 1)[0]
        docs = by_page.get(page)
        if not docs or any(d.get("location") == entry.location for d in docs):
            continue  # the page is not indexed (search: exclude), or already has that section
        added = sources_entry(entry, docs[0])
        for field in ("title", "text"):
            added[field] = plain(added[field])
        docs.append(added)
    return {**index, "config": config, "docs": [doc for page in order for doc in by_page[page]]}
