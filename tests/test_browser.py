"""What a reader does, in a real browser: Debian's Chromium driven by Playwright.

The browser, a fresh `page` per test and the `served` sites come from conftest.py."""

from __future__ import annotations

import json

import pytest

from .conftest import open_page


def facts_data(built) -> dict:
    """The built site's facts.json: what every expectation below is derived from."""
    return json.loads((built / "out" / "facts.json").read_text())


def path_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[1]


def test_reader_goes_home_place_claim_source(page, served: str, built) -> None:
    data = facts_data(built)
    place = next(p for p in data["places"] if any(place_slug == p["slug"] for c in data["claims"]
                                                  for place_slug in c["places"]))
    shown = f"{place['name']} ({place['local_name']})" if place.get("local_name") else place["name"]
    page.goto(served)
    page.locator("article").get_by_role("link", name=shown, exact=True).first.click()
    assert page.url.endswith("/" + path_of(place["url"]))
    assert page.locator("h1").inner_text().startswith(shown)
    claim = next(c for c in data["claims"] if place["slug"] in c["places"])
    page.locator("article").get_by_role("link", name=claim["claim"], exact=True).first.click()
    assert page.url.endswith("/" + path_of(claim["url"]))
    # The claim is labelled as a claim, its verdict and our ruling come before the analysis.
    assert page.locator(".fc-kicker__label").inner_text().strip().lower() == "claim"
    assert page.locator(".fc-rating .fc-verdict").count() == 1
    assert page.locator("#ruling").count() == 1
    source = page.locator("table.fc-sources a[rel~=noopener]").first
    href = source.get_attribute("href")
    assert href.startswith(("http://", "https://"))
    source.click()  # leaves the site: the guard refuses it, as the closed network would
    assert page.foreign_requests and page.foreign_requests[-1].startswith(href.split("#")[0])
    assert page.console_errors == []


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_the_first_screen_gives_the_bottom_line_and_names_the_false_claims(browser, served: str, built,
                                                                          width: int, height: int) -> None:
    data = facts_data(built)
    ratings = [v["rating_value"] for v in data["verdicts"] if v["rating_value"] is not None]
    threshold = min(ratings) + (max(ratings) - min(ratings)) / 4
    low = {v["id"] for v in data["verdicts"] if v["rating_value"] is not None and v["rating_value"] <= threshold}
    flagged = [c["claim"] for c in sorted(data["claims"], key=lambda c: c["position"]) if c["status"] in low]
    page = open_page(browser, viewport={"width": width, "height": height})
    page.goto(served)
    bottom_line = page.locator(".fc-bottom-line")
    first_words = " ".join(data["article"]["bottom_line"].split()[:6])
    assert first_words in " ".join(bottom_line.inner_text().split())
    box = bottom_line.bounding_box()
    assert box["y"] < height, box
    for claim in flagged:
        link = page.locator("article").get_by_role("link", name=claim, exact=True).first
        link_box = link.bounding_box()
        assert link_box and link_box["y"] + link_box["height"] <= height, (claim, link_box)
    counts = page.locator(".fc-counts").bounding_box()
    assert counts and counts["y"] < height
    page.context.close()


def test_no_page_scrolls_sideways_on_a_phone(browser, served: str, built) -> None:
    out = built / "out"
    pages = sorted(p.relative_to(out).parent.as_posix() for p in out.rglob("index.html")
                   if p.parent.name not in ("search", "assets"))
    page = open_page(browser, viewport={"width": 390, "height": 844})
    wide = []
    for path in pages:
        page.goto(served + ("" if path == "." else path + "/"))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((path, width))
    assert wide == [], wide
    assert len(pages) >= 5
    page.context.close()


def test_a_dark_system_preference_gives_the_dark_scheme(browser, served: str) -> None:
    for scheme, expected in (("dark", "slate"), ("light", "default")):
        page = open_page(browser, color_scheme=scheme)
        page.goto(served)
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected, scheme
        page.context.close()


def search(page, query: str) -> list[str]:
    """Type a query in Material's search box as a reader does; the result links, best first."""
    box = page.locator(".md-search__input").first
    box.click()
    box.fill("")
    # The index loads in a worker; typing before it is ready would search nothing.
    page.wait_for_function("() => !document.querySelector('.md-search-result__meta')"
                           ".textContent.includes('Initializing')", timeout=10000)
    # The whole query at once (as an input method or a paste commits it), so the results read
    # below are those of the full query, never of a prefix typed on the way.
    page.keyboard.insert_text(query)
    box.press("End")
    page.locator(".md-search-result__item a").first.wait_for(timeout=10000)
    return page.locator(".md-search-result__item > a").evaluate_all("links => links.map(a => a.href)")


def search_cases(data: dict) -> list[tuple[str, str]]:
    """(query, URL path that must come first or second): every place by its name, local name and
    aliases; every claim keyword by a claim that carries it."""
    cases = []
    for place in data["places"]:
        for query in [place["name"], place.get("local_name"), *place.get("aliases", [])]:
            if query:
                cases.append((query, path_of(place["url"])))
    for claim in data["claims"]:
        for keyword in claim.get("keywords", []):
            cases.append((keyword, None))
    return cases


def test_search_finds_what_people_type(page, served: str, built) -> None:
    data = facts_data(built)
    table = []
    for query, expected in search_cases(data):
        page.goto(served)
        # One entry per page: Material lists a page, then its matching sections.
        results = list(dict.fromkeys(path_of(url).split("?")[0].split("#")[0] for url in search(page, query)))
        if expected is None:  # a keyword: one of the claims that carry it, first or second
            carriers = {path_of(c["url"]) for c in data["claims"] if query in c.get("keywords", [])}
            rank = next((i + 1 for i, r in enumerate(results) if r in carriers), None)
        else:
            rank = next((i + 1 for i, r in enumerate(results) if r == expected), None)
        table.append((query, rank, results[:3]))
    misses = [row for row in table if row[1] is None or row[1] > 2]
    assert misses == [], misses
    assert page.console_errors == [] and page.foreign_requests == []


def test_search_by_verdict_ranks_a_claim_above_listings(page, served: str, built) -> None:
    data = facts_data(built)
    label = next(v["label"] for v in data["verdicts"] if any(c["status"] == v["id"] for c in data["claims"]))
    page.goto(served)
    results = search(page, label.lower())
    assert "/claims/" in results[0], results


def test_walk_through_leads_to_a_claim_and_back(page, served: str, built) -> None:
    data = facts_data(built)
    claim = sorted(data["claims"], key=lambda c: c["position"])[-1]
    position = claim["position"]
    page.goto(served)
    page.locator("article").get_by_role("link", name="Read the article, checked").click()
    assert page.url.endswith("/article/")
    passage = page.locator(f"#passage-{position}")
    assert " ".join(claim["quote"].split()[:4]) in passage.locator("blockquote").inner_text()
    passage.get_by_role("link", name=claim["claim"], exact=True).click()
    assert page.url.endswith("/" + path_of(claim["url"]))
    page.get_by_role("link", name=f"Passage {position}", exact=True).click()
    assert page.url.endswith(f"/article/#passage-{position}")
    assert page.console_errors == []


def test_charts_are_readable_on_a_phone(browser, served: str, built) -> None:
    data = facts_data(built)
    page = open_page(browser, viewport={"width": 390, "height": 844})
    for path in ["", "article/"] + [path_of(p["url"]) for p in data["places"]][:1]:
        page.goto(served + path)
        labels = page.locator(".fc-chart__label")
        assert labels.count() >= 1, path
        size = labels.first.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
        assert size >= 12, (path, size)
    assert page.console_errors == [] and page.foreign_requests == []
    page.context.close()


def test_tags_lead_from_a_claim_to_its_verdict(page, served: str, built) -> None:
    data = facts_data(built)
    claim = data["claims"][0]
    label = next(v["label"] for v in data["verdicts"] if v["id"] == claim["status"])
    page.goto(served + path_of(claim["url"]))
    page.locator("a.md-tag", has_text=f"Verdict: {label}").click()
    page.wait_for_url("**/tags/#tag:verdict-*")
    assert page.locator(f"article a[href$='claims/{claim['id']}/']").count() >= 1
    assert page.console_errors == [] and page.foreign_requests == []


def test_data_downloads_are_served(page, served: str) -> None:
    page.goto(served + "data/")
    for name in ("facts.json", "claimreview.json", "facts.csv", "feed.xml"):
        link = page.locator(f"article a[href$='{name}']").first
        response = page.request.get(link.evaluate("a => a.href"))
        assert response.status == 200, name
        assert len(response.body()) > 1000, name


PAGES = ["", "article/", "claims/most-engineers/", "claims/factory-coming/", "cities/", "cities/northtown/",
         "cities/southtown/", "verdicts/", "timeline/", "tags/", "about/"]


def test_payloads_show_as_text_and_never_run(page, payload_served: str) -> None:
    from .test_untrusted import PAYLOAD

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in PAGES:
        page.goto(payload_served + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert "<script>window.__pwned=1</script>" in page.locator("article").inner_text(), path
    page.goto(payload_served + "claims/most-engineers/")
    assert PAYLOAD in page.locator("h1").inner_text()
    page.locator(".md-search__input").first.click()
    page.locator(".md-search__input").press_sequentially("engineers", delay=30)
    page.locator(".md-search-result__item").first.wait_for(timeout=10000)
    page.wait_for_timeout(500)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == [] and page.console_errors == [] and page.foreign_requests == []
