"""Golden pages: the fixture facts render to exactly the pages in tests/golden/.

After an intended change to a template, regenerate with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from generator.build import build_pages
from generator.escape import md_block, md_inline
from generator.options import SiteOptions

from .conftest import FIXTURES

GOLDEN = Path(__file__).parent / "golden"
OPTIONS = SiteOptions(site_url="https://example.org/site/", repo_url="https://github.com/example/facts")


def rendered() -> dict[str, str]:
    _, pages, files = build_pages(FIXTURES / "facts", OPTIONS)
    return {**{page.path: page.markdown for page in pages}, **files}


def test_pages_match_golden_files() -> None:
    pages = rendered()
    if os.environ.get("UPDATE_GOLDEN"):
        for path, text in pages.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(text.encode("utf-8"))
    on_disk = {str(p.relative_to(GOLDEN)): p.read_bytes().decode("utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(pages)
    for path, text in pages.items():
        assert text == on_disk[path], f"{path} differs from tests/golden/{path} (UPDATE_GOLDEN=1 to accept)"


def html_pages(options: SiteOptions = OPTIONS) -> dict[str, str]:
    _, pages, _ = build_pages(FIXTURES / "facts", options)
    return {page.path: page.html for page in pages}


def test_claim_pages_carry_what_a_reader_needs() -> None:
    page = html_pages()["claims/most-engineers.md"]
    assert ('<h1 id="northtown-has-the-most-engineers-in-the-country">Northtown has the most engineers in the '
            'country.</h1>') in page
    assert 'class="fc-verdict fc-verdict--misleading"' in page and ">Misleading</span>" in page
    assert '<p class="fc-quote">Northtown has the most engineers' in page
    assert '<a href="https://example.org/stats" rel="noopener nofollow">Engineers by town</a>' in page
    assert '<td data-label="Publisher">Statistics Office</td>' in page
    assert '<td data-label="Published">undated; retrieved 5 May 2021</td><td data-label="Type">Primary</td>' in page
    assert '<a href="../../places/northtown/">Northtown (北镇)</a>' in page
    assert "Reviewed 6 May 2021" in page and '<p class="fc-ruling-label" data-search-exclude>Our ruling</p>' in page
    assert '<span class="fc-kicker__label">Claim</span>' in page
    assert "<li><strong>1 June 2021:</strong> Verdict changed from False to Misleading" in page
    assert ('<a href="https://github.com/example/facts/edit/main/facts/claims/most-engineers.yaml" '
            'class="fc-edit">Suggest a correction</a>') in page


def test_archive_links_show_when_recorded() -> None:
    page = html_pages()["claims/factory-coming.md"]
    assert '(<a href="https://web.archive.org/web/2021/https://example.org/shortlist" ' in page


@pytest.mark.parametrize("text,expected", [
    ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
    ("[x](javascript:alert(1))", "\\[x\\]\\(javascript:alert\\(1\\)\\)"),
    ("1. not a list", "1\\. not a list"),
    ("- not a list", "\\- not a list"),
    ("a *b* _c_ `d` {: onclick=x}", "a \\*b\\* \\_c\\_ \\`d\\` \\{: onclick=x\\}"),
    ("two\nlines", "two lines"),
])
def test_inline_text_is_escaped(text: str, expected: str) -> None:
    assert md_inline(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("*emphasis* and [a link](https://example.org)", "*emphasis* and [a link](https://example.org)"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("# Heading", "\\# Heading"),
    ("para\n---", "para\n\\---"),
    ("![img](https://example.org/x.png)", "\\![img](https://example.org/x.png)"),
    ("text {: onclick=alert(1) }", "text \\{: onclick=alert(1) \\}"),
    ("--8<-- \"/etc/passwd\"", "--8&lt;-- \"/etc/passwd\""),
])
def test_analysis_keeps_simple_markdown_and_nothing_else(text: str, expected: str) -> None:
    assert md_block(text) == expected


def test_a_long_article_walks_through_several_pages() -> None:
    from dataclasses import replace

    by_path = html_pages(replace(OPTIONS, passages_per_page=1))
    first, second = by_path["article.md"], by_path["article/2.md"]
    # Each page holds its block of passages, links the others, and reaches claims from where it sits.
    assert 'id="passage-1"' in first and 'id="passage-2"' not in first
    assert 'id="passage-2"' in second and 'href="../../claims/most-engineers/"' in second
    assert 'Passages: <strong>1-1</strong> · <a href="2/">2-2</a>' in first
    assert 'Passages: <a href="../">1-1</a> · <strong>2-2</strong>' in second
    assert ">The article, checked: passages 2-2</h1>" in second
    # A claim page links its passage on the page that holds it.
    assert '<a href="../../article/2/#passage-2">Passage 2</a>' in by_path["claims/most-engineers.md"]
    assert '<a href="../../article/#passage-1">Passage 1</a>' in by_path["claims/factory-coming.md"]


def _enums() -> dict[str, list[str]]:
    """Fields whose values the schemas enumerate (a source's kind and stance, a credit's role)."""
    from generator.validate import read_schema

    found: dict[str, list[str]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.get("properties", {}).items():
                if isinstance(value, dict) and "enum" in value:
                    found[key] = value["enum"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for name in ("defs.schema.json", "claim.schema.json"):
        walk(read_schema(name))
    return found


def _example(kind: Any, like: Any = None) -> Any:
    """A new value of a field's type, for optional fields the fixtures leave out."""
    import datetime as dt

    from generator.model import Correction, Credit, Source

    if kind is Correction:
        return Correction(dt.date(2021, 6, 2), "Added correction.")
    if kind is Source:
        return Source("Added source", "Example Publisher", "https://example.org/added", None,
                      dt.date(2021, 6, 1), "secondary", "context")
    if kind is str:
        return "Added text"
    if kind is bool:
        return True
    if kind is Credit:
        return Credit("reviewed", "Example Desk")
    if kind is dt.date:
        return dt.date(2021, 6, 3)
    if is_dataclass(kind):
        # Any other record (a person, a date range): each of its fields made the same way.
        import typing

        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _example(hints[f.name]) for f in fields(kind) if f.default is f.default_factory})
    return like


def _edits(value: Any, hint: Any, name: str, facts: Any) -> Iterator[Any]:
    """Changed versions of one field's value that keep the facts valid."""
    import datetime as dt
    import typing

    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if name in _enums():
        yield next(option for option in _enums()[name] if option != value)
    elif name == "status":
        yield next(v.id for v in facts.verdicts if v.id != value)
    elif name in ("places", "claims") and isinstance(value, tuple):
        pool = [p.slug for p in facts.places] if name == "places" else [c.id for c in facts.claims]
        yield value[1:] if value else tuple(pool[:1])
    elif value is None and name.endswith("url"):
        yield "https://example.org/added"
    elif value is None:
        yield _example(args[0] if args else hint)
    elif isinstance(value, bool):
        yield not value
    elif isinstance(value, int):
        yield value + 7
    elif isinstance(value, str) and name in ("id", "slug"):
        yield value + "-edited"
    elif isinstance(value, str) and name.endswith("url"):
        yield value.rstrip("/") + "/edited"
    elif isinstance(value, str):
        yield value + " (edited)"
    elif isinstance(value, dt.date):
        yield value - dt.timedelta(days=1)
    elif isinstance(value, tuple):
        item_hint = typing.get_args(hint)[0] if typing.get_args(hint) else str
        if not value:
            yield (_example(item_hint),)
        elif is_dataclass(value[0]):
            for edited in _variants(value[0], facts):
                yield (edited, *value[1:])
        else:
            yield value[1:]
    elif is_dataclass(value):
        yield from _variants(value, facts)


def _variants(obj: Any, facts: Any) -> Iterator[Any]:
    """obj with one field changed, for every field (nested dataclasses field by field)."""
    import typing

    hints = typing.get_type_hints(type(obj))
    for item in fields(obj):
        if not item.compare:
            continue  # where the fact came from (source_path), not what it says
        for edited in _edits(getattr(obj, item.name), hints[item.name], item.name, facts):
            yield replace(obj, **{item.name: edited})


def _every_edit(facts: Any) -> Iterator[tuple[str, Any]]:
    """(what changed, facts with that one change) for every field of every kind."""
    for article in _variants(facts.article, facts):
        yield "article", replace(facts, article=article)
    for i, verdict in enumerate(facts.verdicts):
        for edited in _variants(verdict, facts):
            if edited.id != verdict.id:
                continue  # renaming a verdict id would orphan the claims rated with it
            yield "verdict", replace(facts, verdicts=facts.verdicts[:i] + (edited,) + facts.verdicts[i + 1:])
    for kind, items in (("place", facts.places), ("claim", facts.claims), ("event", facts.timeline)):
        for i, obj in enumerate(items):
            for edited in _variants(obj, facts):
                if getattr(edited, "slug", None) != getattr(obj, "slug", None):
                    continue  # a renamed place would orphan its claims; renames are new pages anyway
                changed = items[:i] + (edited,) + items[i + 1:]
                field = {"place": "places", "claim": "claims", "event": "timeline"}[kind]
                yield kind, replace(facts, **{field: changed})


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_cached_pages_always_equal_a_fresh_render() -> None:
    """Under serve, pages come from a cache keyed by everything their template receives; after
    an edit of any field of any kind, every page must still be exactly a fresh render."""
    from generator.build import check_facts
    from generator.render import PageCache, Renderer
    from generator.validate import read_schema

    facts = check_facts(FIXTURES / "facts")
    cache = PageCache()
    Renderer(facts, OPTIONS, cache).render_pages()
    edited_fields: set[str] = set()
    count = 0
    for kind, edited in _every_edit(facts):
        cached = {page.path: page.markdown for page in Renderer(edited, OPTIONS, cache).render_pages()}
        fresh = {page.path: page.markdown for page in Renderer(edited, OPTIONS).render_pages()}
        assert cached == fresh, kind
        count += 1
    assert count > 60
    # Every field the schemas define is a model field the edits above went through.
    models = {"article.schema.json": "Article", "place.schema.json": "Place", "claim.schema.json": "Claim"}
    from generator import model

    for schema_name, class_name in models.items():
        names = {f.name for f in fields(getattr(model, class_name))}
        edited_fields |= names
        assert set(read_schema(schema_name)["properties"]) <= names, schema_name


def test_the_search_plugin_makes_the_same_entries_from_the_searchable_view() -> None:
    """Generated pages hand Material's search plugin only what it indexes (page.searchable);
    its parser must make exactly the sections it makes from the whole page."""
    from material.plugins.search.plugin import Parser

    def sections(html: str) -> list[tuple]:
        parser = Parser()
        parser.feed(html)
        parser.close()
        # As the plugin makes its entries: title and text stripped.
        return [(s.id, "".join(s.title).strip(), "".join(s.text).strip()) for s in parser.data if not s.is_excluded()]

    _, pages, _ = build_pages(Path(__file__).parent.parent / "facts", OPTIONS)
    _, fixture_pages, _ = build_pages(FIXTURES / "facts", OPTIONS)
    for page in [*pages, *fixture_pages]:
        assert sections(page.searchable()) == sections(page.html), page.path
        assert len(page.searchable()) < len(page.html) or "data-search-exclude" not in page.html, page.path
