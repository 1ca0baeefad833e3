"""Shared fixtures: copies of the fixture facts and the real site in temporary folders, the real site
built once per session, one Chromium per session, and the tiers (fast, build, browser).

Tiers follow from what a test uses. A test that uses the `browser` fixture (through `page`) is
`browser`. A test that, itself or through any of its fixtures, builds or serves a site is `build`: it
imports mkdocs.commands.build, runs `mkdocs`, `properdocs` or `zensical` build or serve, or calls a
helper of the tests that does. Everything else is `fast`, and `make test-fast` runs only those.
A test may still carry a tier by hand, for a build this rule cannot see."""

from __future__ import annotations

import functools
import http.server
import inspect
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


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repo(facts: Path) -> Path:
    """A scratch git repository (in tmp_path) whose first commit holds the fixture facts."""
    root = facts.parent
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "facts", cwd=root)
    git("commit", "-qm", "facts", cwd=root)
    return root


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
    from generator.plugin import build_strict

    with pytest.MonkeyPatch.context() as patch:
        # Error messages name files relative to the working folder, as they do for a user.
        patch.chdir(source)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        build_strict(source / "mkdocs.yml", source / out)
    return source


# The address the session's copy of the real site is built for, as the deploy workflow sets SITE_URL
# (a build without one leaves share links and cards out; a local address fails --strict).
PUBLIC_URL = "https://factcheck.example.org/"


def build_site(target: Path) -> Path:
    """A copy of the real site, built with MkDocs in strict mode into target/out, for PUBLIC_URL."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", PUBLIC_URL)
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


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # noqa: ANN001 - the base class's names
        # A browser that drops a connection mid-response is not a test failure, and a traceback
        # printed from this thread would land in another test's captured output.
        pass


def serve_folder(folder: Path) -> Iterator[str]:
    """Serve folder on a loopback port for as long as the generator lives; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = _QuietServer(("127.0.0.1", 0), handler)
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


def open_page(browser, **context_options):
    """A fresh page in a fresh context that records console errors and refuses any request off
    this machine; context_options as Playwright's (viewport, color_scheme)."""
    context = browser.new_context(**context_options)
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
    return page


@pytest.fixture
def page(browser):
    """A fresh page (see open_page), closed after the test."""
    page = open_page(browser)
    yield page
    page.context.close()


# --- tiers ---------------------------------------------------------------------------------------

BROWSER_FIXTURES = {"browser"}
# A build is `import mkdocs.commands.build` (in-process) or a command such as ["mkdocs", "build", ...],
# [sys.executable, "-m", "mkdocs", "serve", ...] or ["zensical", "build", ...].
ENGINES = {"mkdocs", "properdocs", "zensical"}
ENGINE_VERBS = {"build", "serve", "gh-deploy"}
# In-process builds: MkDocs' build module, or the adapter's helper that wraps it.
IN_PROCESS_BUILD = {"mkdocs.commands.build", "build_strict"}


def _constants(code: CodeType) -> Iterator[object]:
    """The constants code holds, in order of first use, with constant tuples (list displays)
    spread out. Read from co_consts rather than by disassembling: it is a tenth of the cost, and a
    command such as ["mkdocs", "build"] still reads as its words in order."""
    for value in code.co_consts:
        yield from value if isinstance(value, tuple) else (value,)


def _runs_mkdocs(code: CodeType, scope: dict, seen: set[CodeType]) -> bool:
    """Whether code builds or serves a site: itself, in a nested function or lambda, or in a helper
    of the tests (a function of this package that it names) that it calls."""
    if code in seen:
        return False
    seen.add(code)
    if IN_PROCESS_BUILD & set(code.co_names):
        return True
    previous = None
    for value in _constants(code):
        if previous in ENGINES and value in ENGINE_VERBS:
            return True
        previous = value if isinstance(value, str) else None
        if isinstance(value, CodeType) and _runs_mkdocs(value, scope, seen):
            return True
    for name in code.co_names:
        helper = scope.get(name)
        if inspect.isfunction(helper) and helper.__module__.startswith(__package__ or "tests"):
            if _runs_mkdocs(helper.__code__, helper.__globals__, seen):
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
    seen: set[CodeType] = set()
    for function in functions:
        # Hypothesis wraps a @given test; the body that might build is its inner test.
        function = getattr(getattr(function, "hypothesis", None), "inner_test", function)
        function = inspect.unwrap(function) if callable(function) else None
        code = getattr(function, "__code__", None)
        if code is not None and _runs_mkdocs(code, function.__globals__, seen):
            return "build"
    return "fast"


TIERS = ("fast", "build", "browser")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every test its tier; a test marked with a tier by hand (for a build the rule cannot see) keeps it."""
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(_tier(item))
