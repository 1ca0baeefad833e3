"""One rule for text that must not be published: what `init` wrote as an example and what `new`
wrote to be filled in, still unreplaced.

Every example value `init` writes carries the catalogue's `example_marker` ("[EXAMPLE]",
"【示例】"), every value `new` writes carries its `placeholder_marker` ("[FILL IN]", "【待填写】"),
and every example address is under `.example`, the top-level domain reserved for examples
(RFC 2606), which never leads to a real page. The markers of every catalogue count, so a site
whose language changed after `init` still finds them. `check` reports what this finds as errors;
the build (publish_site) as warnings, so `mkdocs serve` previews a fresh site while
`mkdocs build --strict`, and with it the deploy, fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import i18n
from .errors import FactError
from .i18n import Messages, languages
from .load import Document, FieldPath

# A web address whose host name ends in .example (any label before it, any case, an optional
# final dot); the host stops at a port, path, query, fragment or whatever ends a link in prose.
_EXAMPLE_ADDRESS = r"https?://(?:[^\s/?#@]*@)?(?:[^\s/?#:@.\[\]()<>\"']+\.)+example\.?(?=[:/?#\s)\]>\"']|$)"


def find_placeholders(documents: Iterable[Document], language: str = i18n.DEFAULT_LANGUAGE,
                      memo: dict[int, tuple] | None = None) -> list[FactError]:
    """Every value of the documents that still holds an example of `init`, a placeholder of
    `new` or an example address, located by file, line and field; messages in `language`.

    memo (kept by a serve session) holds what was found in each document last time: an
    unchanged document (the same object) is not searched again."""
    pattern, needles = _pattern(i18n.MESSAGE_DIR)
    t = Messages(language)
    found: list[FactError] = []
    fresh: dict[int, tuple] = {}
    for document in documents:
        remembered = memo.get(id(document)) if memo is not None else None
        if remembered is not None and remembered[0] is document and remembered[1] == language:
            fresh[id(document)] = remembered
            found += remembered[2]
            continue
        mine = _find(document, pattern, needles, t)
        fresh[id(document)] = (document, language, mine)
        found += mine
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    return found


def _find(document: Document, pattern: re.Pattern[str], needles: tuple[str, ...], t: Messages) -> list[FactError]:
    """What find_placeholders finds in one document."""
    # The whole document's text is searched for substrings first: a site's facts run to megabytes
    # and nearly all of it holds no marker, so only a document that may is walked field by field.
    texts: list[str] = []
    _collect(document.data, texts)
    lowered = "\0".join(texts).lower()
    if not any(needle in lowered for needle in needles):
        return []
    found: list[FactError] = []
    for where, text in _strings(document.data, ()):
        match = pattern.search(text)
        if match is not None:
            found.append(document.at(where, t(f"placeholder_{match.lastgroup}")))
    return found


@lru_cache(maxsize=None)
def _pattern(folder: Path) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One expression for every language's markers and the example addresses, and the lowercased
    strings without one of which a text cannot match it."""
    example = {Messages(language)("example_marker") for language in languages()}
    new = {Messages(language)("placeholder_marker") for language in languages()}

    def alternatives(markers: set[str]) -> str:
        # Longest first, so a marker that contains another is matched whole.
        return "|".join(re.escape(marker) for marker in sorted(markers, key=len, reverse=True) if marker.strip())

    pattern = re.compile(f"(?P<example>{alternatives(example)})|(?P<new>{alternatives(new)})"
                         f"|(?P<address>(?i:{_EXAMPLE_ADDRESS}))")
    needles = {marker.lower() for marker in example | new if marker.strip()} | {".example"}
    return pattern, tuple(sorted(needles))


def _collect(value: Any, texts: list[str]) -> None:
    """Every text value in a document's data, appended to texts."""
    if isinstance(value, str):
        texts.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, texts)
    elif isinstance(value, list):
        for item in value:
            _collect(item, texts)


def _strings(value: Any, where: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    """Every text value in a document's data, with its field path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, where + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, where + (i,))
    elif isinstance(value, str):
        yield where, value
