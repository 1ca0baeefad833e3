"""What a reader does, in a real browser: Debian's Chromium driven by Playwright.

The browser, a fresh `page` per test and the `served` sites come from conftest.py."""

from __future__ import annotations

import re

import pytest
import yaml

from .conftest import ROOT


def test_reader_goes_home_city_claim_source(page, served: str) -> None:
    page.goto(served)
    assert "Xiaomi" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Wuhan (武汉)").first.click()
    assert page.url.endswith("/cities/wuhan/")
    assert page.locator("h1").inner_text().startswith("Wuhan (武汉)")
    page.get_by_role("link", name="Lei Jun is a native of Hubei province.").click()
    assert "/claims/lei-jun-hubei-native/" in page.url
    assert "Verdict:" in page.locator(".fc-verdict-line").inner_text()
    source = page.locator("table a[rel~=noopener]").first
    href = source.get_attribute("href")
    assert href.startswith(("http://", "https://"))
    source.click()  # leaves the site: the guard refuses it, as the closed network would
    assert page.foreign_requests and page.foreign_requests[-1].startswith(href.split("#")[0])
    assert page.console_errors == []


def test_search_finds_a_claim(page, served: str) -> None:
    page.goto(served)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").press_sequentially("Hesai", delay=30)
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=10000)
    assert "claims/hesai-d-round" in result.get_attribute("href")
    assert page.foreign_requests == [] and page.console_errors == []


def search(page, query: str) -> list[str]:
    """Type a query in Material's search box as a reader does; the result links, best first."""
    box = page.locator(".md-search__input").first
    box.click()
    box.fill("")
    # The index loads in a worker; typing before it is ready would search nothing.
    page.wait_for_function("() => !document.querySelector('.md-search-result__meta')"
                           ".textContent.includes('Initializing')", timeout=10000)
    if query.isascii():
        box.press_sequentially(query, delay=30)
    else:
        page.keyboard.insert_text(query)  # an input method commits Chinese text in one go
        box.press("End")  # ... and the key that committed it is released
    page.locator(".md-search-result__item a").first.wait_for(timeout=10000)
    return page.locator(".md-search-result__item > a").evaluate_all("links => links.map(a => a.href)")


CITY_CLAIMS = {  # a city's Chinese name: the city, and a claim about it a reader should reach
    "北京": ("beijing", "beijing-headquarters"), "上海": ("shanghai", "shanghai-auto-industry"),
    "武汉": ("wuhan", "wuhan-ranks-first"), "西安": ("xian", "xian-bureau-message"),
}


@pytest.mark.parametrize("query", sorted(CITY_CLAIMS))
def test_search_in_chinese_reaches_the_city_and_its_claims(page, served: str, query: str) -> None:
    page.goto(served)
    city, claim = CITY_CLAIMS[query]
    results = search(page, query)
    assert any(f"/cities/{city}/" in url for url in results[:2]), results
    assert any(f"/claims/{claim}/" in url for url in results), results
    page.locator(f".md-search-result__item > a[href*='/claims/{claim}/']").first.click()
    page.wait_for_url(f"**/claims/{claim}/**")
    assert page.locator(f"article a[href$='cities/{city}/']").count() >= 1
    assert page.console_errors == [] and page.foreign_requests == []


def test_search_by_verdict_ranks_the_claim_above_listings(page, served: str) -> None:
    page.goto(served)
    results = search(page, "false")
    assert "/claims/wuhan-ranks-first/" in results[0], results


def test_walk_through_leads_to_a_claim_and_its_source(page, served: str) -> None:
    # The passage of the claim rated false, wherever the facts put it.
    position = yaml.safe_load((ROOT / "facts" / "claims" / "wuhan-ranks-first.yaml").read_text())["position"]
    page.goto(served)
    page.get_by_role("link", name="the article, checked passage by passage").click()
    assert page.url.endswith("/article/")
    passage = page.locator(f"#passage-{position}")
    assert "False" in passage.locator(".fc-verdict").inner_text()
    assert "ranks first in China" in passage.locator("blockquote").inner_text()
    passage.get_by_role("link").first.click()
    assert page.url.endswith("/claims/wuhan-ranks-first/")
    source = page.locator("table a[rel~=noopener]:not(.fc-wayback)").first
    href = source.get_attribute("href")
    source.click()  # leaves the site: the guard refuses it, as the closed network would
    assert page.foreign_requests and page.foreign_requests[-1].startswith(href.split("#")[0])
    page.go_back()
    page.get_by_role("link", name="checked article").click()
    assert page.url.endswith(f"/article/#passage-{position}")
    assert page.console_errors == []


def test_charts_are_drawn_with_their_labels(page, served: str) -> None:
    for path in ("", "cities/wuhan/", "article/"):
        page.goto(served + path)
        chart = page.locator("svg.fc-chart__svg").first
        box = chart.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 40, path
        labels = chart.locator("text[text-anchor=end]").evaluate_all("nodes => nodes.map(n => n.textContent)")
        assert labels and "True" in labels, path
        assert page.get_by_role("img", name=re.compile("claim")).count() >= 1, path
    assert page.console_errors == [] and page.foreign_requests == []


def test_tags_lead_from_a_claim_to_its_verdict_and_city(page, served: str) -> None:
    page.goto(served + "claims/wuhan-ranks-first/")
    page.locator("a.md-tag", has_text="Verdict: False").click()
    page.wait_for_url("**/tags/#tag:verdict-false")
    assert page.locator("article a[href$='claims/wuhan-ranks-first/']").count() >= 1
    assert page.console_errors == [] and page.foreign_requests == []


def test_data_downloads_are_served(page, served: str) -> None:
    page.goto(served + "data/")
    for name in ("facts.json", "claimreview.json", "facts.csv", "feed.xml"):
        link = page.locator(f"article a[href$='{name}']").first
        response = page.request.get(link.evaluate("a => a.href"))
        assert response.status == 200, name
        assert len(response.body()) > 1000, name


PAGES = ["", "article/", "claims/most-engineers/", "claims/factory-coming/", "cities/", "cities/northtown/",
         "cities/southtown/", "verdicts/", "timeline/", "tags/"]


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
