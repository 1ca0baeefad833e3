"""What a reader does, in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from .conftest import IN_CI, build_site, run

import os

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without these, Chromium phones Google at start-up, and this machine's closed network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def _require_chromium() -> None:
    missing = not Path(CHROMIUM).exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        message = f"browser tests need {CHROMIUM} (apt-get install chromium) and the playwright package"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """The real site, built and served on a loopback port; yields its base URL."""
    _require_chromium()
    source = build_site(tmp_path_factory.mktemp("browser") / "src")
    handler = functools.partial(_QuietHandler, directory=str(source / "out"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def page():
    """A fresh page that records console errors and refuses any request off this machine."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        page = context.new_page()
        page.console_errors = []
        page.foreign_requests = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        def guard(route):
            if urlparse(route.request.url).hostname == "127.0.0.1":
                route.continue_()
            else:
                page.foreign_requests.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        yield page
        browser.close()


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


@pytest.fixture(scope="module")
def payload_served(tmp_path_factory: pytest.TempPathFactory):
    """A site whose every fact text field carries script payloads, built and served locally."""
    from .test_untrusted import make_payload_site

    _require_chromium()
    source = make_payload_site(tmp_path_factory.mktemp("payload") / "src")
    result = run(["mkdocs", "build", "--strict", "-d", "out"], cwd=source)
    assert result.returncode == 0, result.stderr
    handler = functools.partial(_QuietHandler, directory=str(source / "out"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


PAGES = ["", "claims/most-engineers/", "claims/factory-coming/", "cities/", "cities/northtown/",
         "cities/southtown/", "verdicts/", "timeline/"]


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
