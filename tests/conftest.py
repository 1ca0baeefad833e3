"""Shared fixtures: copies of the fixture facts and the real site in temporary folders, the real site
built once per session, one Chromium per session, and the tiers (fast, build, browser).

Tiers are given by what a test uses, never by hand: a test that uses the `browser` fixture (through
`page`) is `browser`; a test that, itself or through any of its fixtures, builds or serves with MkDocs
is `build`; everything else is `fast` (`make test-fast` runs only those)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import CodeType
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without these, Chromium phones Google at start-up, and this machine's closed network refuses it.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture
def facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the small fixture facts as ./facts, with the working folder at tmp_path."""
    target = tmp_path / "facts"
    shutil.copytree(FIXTURES / "facts", target)
    monkeypatch.chdir(tmp_path)
    return target


def copy_site(target: Path) -> Path:
    """Copy the real site (mkdocs.yml, docs/, facts/) into target."""
    target.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("docs", "facts"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def build_in_process(source: Path, out: str = "out") -> Path:
    """`mkdocs build --strict -d out` of the site in source, run in this process (as the CLI runs it).

    A subprocess costs a second of start-up per build and hides tracebacks; the CLI itself is
    covered by the tests that run `mkdocs build --strict` for real."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    with pytest.MonkeyPatch.context() as patch:
        # Error messages name files relative to the working folder, as they do for a user.
        patch.chdir(source)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        config = load_config(str(source / "mkdocs.yml"), site_dir=str(source / out), strict=True)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    return source


def build_site(target: Path) -> Path:
    """A copy of the real site, built with MkDocs in strict mode into target/out."""
    return build_in_process(copy_site(target))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the real site."""
    return copy_site(tmp_path / "site-src")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once per session into built/out; tests only read it.

    A test that needs a modified site copies its own (the `site` fixture) and builds that."""
    return build_site(tmp_path_factory.mktemp("built") / "src")


@pytest.fixture(scope="session")
def payload_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site whose every fact text field carries script payloads (test_untrusted), built once."""
    from .test_untrusted import make_payload_site

    return build_in_process(make_payload_site(tmp_path_factory.mktemp("payload") / "src"))


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run a command of the project the way a user does, in a real subprocess."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=600)


# --- serving and the browser ---------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def serve_folder(folder: Path) -> Iterator[str]:
    """Serve folder on a loopback port for as long as the generator lives; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served(built: Path) -> Iterator[str]:
    """The session's built site, served on a loopback port; yields its base URL."""
    yield from serve_folder(built / "out")


@pytest.fixture(scope="session")
def payload_served(payload_built: Path) -> Iterator[str]:
    """The payload site, served on a loopback port; yields its base URL."""
    yield from serve_folder(payload_built / "out")


def require_chromium() -> None:
    """Skip without Chromium or Playwright; under CI=true, fail instead, so CI never passes by skipping."""
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


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright; one per session (each test gets a fresh context)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page in a fresh context that records console errors and refuses any request off this machine."""
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
    context.close()


# --- tiers ---------------------------------------------------------------------------------------

BROWSER_FIXTURES = {"browser"}
# Helpers whose use means a MkDocs build; a string constant "mkdocs" means `python -m mkdocs ...`.
BUILD_HELPERS = {"build_site", "build_in_process"}


def _runs_mkdocs(code: CodeType) -> bool:
    """Whether code (or a function, comprehension or lambda inside it) builds or serves with MkDocs."""
    if BUILD_HELPERS & set(code.co_names):
        return True
    stack = list(code.co_consts)
    while stack:
        const = stack.pop()
        if const == "mkdocs":
            return True
        if isinstance(const, tuple | frozenset):
            stack.extend(const)
        elif isinstance(const, CodeType) and _runs_mkdocs(const):
            return True
    return False


def _tier(item: pytest.Item) -> str:
    names = set(getattr(item, "fixturenames", ()))
    if names & BROWSER_FIXTURES:
        return "browser"
    functions = [getattr(item, "function", None)]
    fixture_info = getattr(item, "_fixtureinfo", None)
    if fixture_info is not None:
        functions += [d.func for defs in fixture_info.name2fixturedefs.values() for d in defs]
    for function in functions:
        code = getattr(getattr(function, "__wrapped__", function), "__code__", None)
        if code is not None and _runs_mkdocs(code):
            return "build"
    return "fast"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(_tier(item))
