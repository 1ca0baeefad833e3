"""Accessibility, in a real browser: axe-core on every kind of page in both colour schemes, and the keyboard."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import IN_CI, ROOT

# Kinds of page checked with axe; each is resolved to a path of the built site from its facts.json,
# so a site with other facts (or no places, or no timeline) checks its own pages.
PAGES = ["home", "article", "tags", "places", "place", "verdicts", "timeline", "methodology", "data", "about",
         "claim", "404"]


def page_path(built: Path, kind: str) -> str | None:
    """The site path of one page of a kind ("" is home), or None when this site has none."""
    data = json.loads((built / "out" / "facts.json").read_text())
    own = lambda url: url.split("://", 1)[-1].split("/", 1)[1]  # noqa: E731
    if kind == "home":
        return ""
    if kind in ("place", "places"):
        if not data["places"]:
            return None
        path = own(data["places"][0]["url"])
        return path if kind == "place" else path.rstrip("/").rsplit("/", 1)[0] + "/"
    if kind == "claim":
        low = min(data["claims"], key=lambda c: next(v["rating_value"] or 99 for v in data["verdicts"]
                                                     if v["id"] == c["status"]))
        return own(low["url"])
    if kind == "timeline":
        return "timeline/" if data["timeline"] else None
    if kind == "404":
        return "404.html"
    return f"{kind}/"


# Material's two colour schemes as configured in mkdocs.yml: (scheme, name of the toggle that switches to it).
SCHEMES = [("default", None), ("slate", "Switch to dark mode")]

AXE = ROOT / "tests" / "tools" / "node_modules" / "axe-core" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Not a WCAG success criterion of its own, but skipped levels make the outline hard to follow.
    "rules": {"heading-order": {"enabled": True}},
}

# Problems that Material's theme itself causes, as (axe rule, CSS selector, why): a finding of that rule on an
# element matching that selector is set aside; the element is still checked by every other rule, and the rule
# still checks every other element. Never a whole rule: what our content or factcheck.css causes gets fixed.
MATERIAL_KNOWN: list[tuple[str, str, str]] = [
    # None today: factcheck.css underlines content links and lightens Material's footer text.
]


# Runs axe and sets aside MATERIAL_KNOWN findings in the page (where the elements are), leaving plain data.
AXE_RUN = """async ([options, known]) => {
    const results = await axe.run(document, {...options, elementRef: true});
    for (const kind of ['violations', 'incomplete', 'passes']) {
        results[kind] = results[kind].map(rule => ({...rule, nodes: rule.nodes
            .filter(n => kind !== 'violations' || !known.some(([id, sel]) => id === rule.id && n.element.matches(sel)))
            .map(({element, ...n}) => ({...n, relatedNodes: (n.relatedNodes || []).map(({element, ...r}) => r)}))}))
            .filter(rule => kind !== 'violations' || rule.nodes.length);
    }
    return results;
}"""


def _require_axe() -> None:
    if not AXE.exists():
        message = f"accessibility tests need {AXE.relative_to(ROOT)}: run npm ci --prefix tests/tools"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _settle(page) -> None:
    """Wait until no CSS transition runs (Material fades colours when the scheme changes)."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')", timeout=5000)


def _switch_scheme(page, scheme: str, toggle: str | None) -> None:
    """Choose the colour scheme with the header's palette toggle, the way a reader does."""
    if toggle is not None:
        page.get_by_title(toggle).click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'", timeout=5000)
    _settle(page)


def _report(violations: list[dict], where: str, nodes_shown: int = 3) -> str:
    lines = [f"{len(violations)} axe violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:nodes_shown]:
            target = " >> ".join(" ".join(part) if isinstance(part, list) else part for part in node["target"])
            html = " ".join(node["html"].split())
            lines.append(f"    at {target}")
            lines.append(f"       {html[:300]}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(violation["nodes"]) > nodes_shown:
            lines.append(f"    ... and {len(violation['nodes']) - nodes_shown} more element(s)")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme,toggle", SCHEMES, ids=[s for s, _ in SCHEMES])
@pytest.mark.parametrize("kind", PAGES)
def test_axe_finds_no_violations(page, served: str, built: Path, kind: str, scheme: str, toggle: str | None) -> None:
    _require_axe()
    path = page_path(built, kind)
    if path is None:
        return  # this site has no page of that kind
    page.goto(served + path)
    page.wait_for_load_state("load")
    _switch_scheme(page, scheme, toggle)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(AXE_RUN, [AXE_OPTIONS, MATERIAL_KNOWN])
    ran = {rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable") for rule in results[kind]}
    assert "heading-order" in ran and "color-contrast" in ran, sorted(ran)
    assert results["violations"] == [], _report(results["violations"], f"/{path} ({scheme})")
    assert page.foreign_requests == [] and page.console_errors == []


def _focused(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName, text: (e.innerText || '').trim(), href: e.getAttribute('href'), cls: e.className,
                inArticle: !!e.closest('article'), outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth,
                boxShadow: s.boxShadow};
    }""")


def test_keyboard_reader_skips_searches_and_opens_a_claim(page, served: str, built: Path) -> None:
    page.goto(served)
    page.wait_for_load_state("load")

    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["tag"] == "A" and first["text"] == "Skip to content", first
    assert first["href"].startswith("#") and page.locator(first["href"]).count() == 1, first

    # A visible focus indicator on the first link in the text (not Material's edit button or a heading's
    # permalink, which carry classes besides the focus-visible one Material's script adds), reached with Tab alone.
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if focused["tag"] == "A" and focused["inArticle"] and set(focused["cls"].split()) <= {"focus-visible"}:
            break
    else:
        pytest.fail("Tab never reached a link in the page's content")
    has_outline = focused["outlineStyle"] != "none" and focused["outlineWidth"] not in ("0px", "")
    assert has_outline or focused["boxShadow"] != "none", focused

    # Material's "/" shortcut opens search; ArrowDown moves to the first result; Enter opens it. The
    # query is a claim's own distinctive word, taken from the facts.
    data = json.loads((built / "out" / "facts.json").read_text())
    claim = max(data["claims"], key=lambda c: max(len(w) for w in c["claim"].split()))
    word = max(claim["claim"].strip(".").split(), key=len)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.classList.contains('md-search__input')")
    page.keyboard.type(word, delay=30)
    page.locator(".md-search-result__item a").first.wait_for(timeout=10000)
    page.keyboard.press("ArrowDown")
    result = _focused(page)
    assert result["tag"] == "A" and "claims/" in result["href"], result
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/claims/" in urlparse(page.url).path, page.url
    assert page.foreign_requests == [] and page.console_errors == []
