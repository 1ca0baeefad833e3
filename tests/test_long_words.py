"""Text a fact may hold cannot break a page's layout: a very long word and a word of letters that
each carry the most combining marks allowed wrap inside the article, in a real browser, on a
phone and on a desktop, and never paint over the table of contents."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES, ROOT, build_in_process, open_page, serve_folder

LONG_WORD = "Northtown" + "x" * 291  # 300 characters, no place to break
# 125 letters with 8 combining marks each: 1,000 marks, the most a valid fact may stack per letter.
MARKED_WORD = ("a" + "\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a") * 125
CLAIMS = {"most-engineers": LONG_WORD, "factory-coming": MARKED_WORD}
# Pages that show the hostile words in every layout the theme has: headings, running text, the
# sources table (cards on phones), badges, the pager, the walk-through grid, lists and charts.
PAGES = ["claims/most-engineers/", "claims/factory-coming/", "", "article/", "cities/northtown/", "verdicts/",
         "timeline/"]


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_site(target: Path) -> Path:
    """The fixture facts in the real site's config, with the hostile words in every kind of text
    a page shows: claim titles, rulings, analyses, quotes, sources, keywords, verdict labels,
    place names and the article's title."""
    target.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(FIXTURES / "facts", target / "facts")
    facts = target / "facts"
    for claim, word in CLAIMS.items():
        def change(data, word=word):
            data.update(claim=word, quote=f"{word} said", summary=f"Ruling: {word} stays inside the page.",
                        analysis=f"{word}\n\n- {word} in a list\n\n{word} and more text after it.",
                        keywords=[word[:100]])
            data["sources"][0].update(title=word, publisher=word)
        _edit(facts / "claims" / f"{claim}.yaml", change)
    label = "Misleading" + "y" * 190  # the longest verdict label, in every badge of the claim

    def verdicts(data):
        for verdict in data["verdicts"]:
            if verdict["id"] == "misleading":
                verdict["label"] = label
    _edit(facts / "verdicts.yaml", verdicts)
    _edit(facts / "places" / "northtown.yaml", lambda data: data.update(name=LONG_WORD[:200], region=MARKED_WORD[:200]))
    _edit(facts / "article.yaml", lambda data: data.update(title=LONG_WORD))
    return target


@pytest.fixture(scope="module")
def long_words_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = build_in_process(make_site(tmp_path_factory.mktemp("long-words") / "src"))
    yield from serve_folder(site / "out")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("width", [390, 1280])
def test_long_words_wrap_inside_the_article(browser, long_words_served: str, path: str, width: int) -> None:
    page = open_page(browser, viewport={"width": width, "height": 900})
    try:
        page.goto(f"{long_words_served}{path}")
        layout = page.evaluate(MEASURE)
        assert layout["scrollWidth"] <= layout["innerWidth"], layout
        assert layout["widest"] <= layout["article"]["right"] + 1, layout
        if width >= 1280:
            assert layout["toc"] is not None, "the table of contents is shown at desktop widths"
            assert layout["widest"] <= layout["toc"]["left"] + 1, layout
        assert page.console_errors == []
    finally:
        page.context.close()


# The page's width, the article's and the table of contents' boxes, and how far right the
# article's text is painted.
MEASURE = """() => {
    const box = (selector) => {
        const element = document.querySelector(selector);
        if (!element || !element.offsetParent) return null;  // absent or not displayed
        const r = element.getBoundingClientRect();
        return {left: r.left, right: r.right, width: r.width};
    };
    // A block keeps its width while its text overflows it, so each text's own boxes are
    // measured, cut at any ancestor that clips or scrolls its content (a visually hidden table
    // head, a table that scrolls sideways).
    const article = document.querySelector("article");
    const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
    let widest = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        let right = 0;
        for (const rect of range.getClientRects()) right = Math.max(right, rect.right);
        for (let element = node.parentElement; element && right; element = element.parentElement) {
            if (getComputedStyle(element).overflowX !== "visible") {
                right = Math.min(right, element.getBoundingClientRect().right);
            }
        }
        widest = Math.max(widest, right);
    }
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
            article: box("article"), toc: box(".md-sidebar--secondary .md-sidebar__scrollwrap"), widest: widest};
}"""
