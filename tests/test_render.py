"""Golden pages: the fixture facts render to exactly the pages in tests/golden/.

After an intended change to a template, regenerate with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.build import build_pages
from generator.render import SiteOptions, md_block, md_inline

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


def test_claim_pages_carry_what_a_reader_needs() -> None:
    page = rendered()["claims/most-engineers.md"]
    assert "# Northtown has the most engineers in the country." in page
    assert 'class="fc-verdict fc-verdict--misleading"' in page and ">Misleading</span>" in page
    assert "> Northtown has the most engineers" in page
    assert '<a href="https://example.org/stats" rel="noopener nofollow">Engineers by town</a>' in page
    assert "| Statistics Office |" in page and "| undated | Primary | Contradicts |" in page
    assert "[Northtown (北镇)](../cities/northtown.md)" in page
    assert "Reviewed 6 May 2021." in page
    assert "- **1 June 2021:** Verdict changed from False to Misleading" in page
    assert ('<a href="https://github.com/example/facts/edit/main/facts/claims/most-engineers.yaml" '
            'class="fc-edit">Edit this fact</a>') in page


def test_archive_links_show_when_recorded() -> None:
    page = rendered()["claims/factory-coming.md"]
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

    options = replace(OPTIONS, passages_per_page=1)
    _, pages, _ = build_pages(FIXTURES / "facts", options)
    by_path = {page.path: page.markdown for page in pages}
    first, second = by_path["article.md"], by_path["article/2.md"]
    # Each page holds its block of passages, links the others, and reaches claims from where it sits.
    assert 'id="passage-1"' in first and 'id="passage-2"' not in first
    assert 'id="passage-2"' in second and "(../claims/most-engineers.md)" in second
    assert "Passages: **1-1** · [2-2](article/2.md)" in first
    assert "Passages: [1-1](../article.md) · **2-2**" in second
    assert "# The article, checked: passages 2-2" in second
    # A claim page links its passage on the page that holds it.
    assert "[checked article](../article/2.md#passage-2)" in by_path["claims/most-engineers.md"]
    assert "[checked article](../article.md#passage-1)" in by_path["claims/factory-coming.md"]


def test_cached_pages_always_equal_a_fresh_render() -> None:
    """Under serve, pages come from a cache keyed by what each shows; after any edit, every
    page must still be exactly what a fresh render gives."""
    from dataclasses import replace

    from generator.build import check_facts
    from generator.render import PageCache, Renderer

    facts = check_facts(FIXTURES / "facts")
    first, second = facts.claims
    city = facts.cities[0]
    edits = [
        replace(facts, claims=(replace(first, summary="A new summary."), second)),
        replace(facts, claims=(first, replace(second, status="true"))),
        replace(facts, claims=(replace(first, claim="Reworded claim.", position=3), second)),
        replace(facts, cities=(replace(city, name="Renamed"), *facts.cities[1:])),
        replace(facts, verdicts=tuple(replace(v, label=v.label.upper()) for v in facts.verdicts)),
        replace(facts, article=replace(facts.article, title="A new title")),
        facts,
    ]
    cache = PageCache()
    Renderer(facts, OPTIONS, cache).render_pages()
    for edited in edits:
        cached = {page.path: page.markdown for page in Renderer(edited, OPTIONS, cache).render_pages()}
        fresh = {page.path: page.markdown for page in Renderer(edited, OPTIONS).render_pages()}
        assert cached == fresh
