"""`check --links` against a local HTTP server: never the internet. The server is on 127.0.0.1,
so these tests pass --allow-private-hosts (test_cli_edges checks that without it nothing is fetched)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.links import probe

from .conftest import run

TIMEOUT = "2"  # --link-timeout; /slow waits longer than this (not sub-second: it must not flake under load)
SLOW_SECONDS = 6
HOLD_SECONDS = 0.4
SUMMARY_OK = "links: 4 URLs checked, 0 broken, 1 refused automated access"


class Handler(BaseHTTPRequestHandler):
    """/ok 200, /gone 404, /error 500, /redirect 302 -> /ok, /to-ftp 302 -> ftp://, /no-head 405 on HEAD,
    /forbidden 403, /slow, /hold (200 after a moment, counting the requests in flight)."""

    def do_HEAD(self) -> None:
        self.answer(body=False)

    def do_GET(self) -> None:
        self.answer(body=True)

    def answer(self, body: bool) -> None:
        self.server.requests.append((self.command, self.path))
        path = urlsplit(self.path).path
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
        if path == "/hold":  # counts how many requests are in flight at once
            with self.server.lock:
                self.server.active += 1
                self.server.most = max(self.server.most, self.server.active)
            time.sleep(HOLD_SECONDS)
            with self.server.lock:
                self.server.active -= 1
        if path in ("/redirect", "/to-ftp"):
            self.send_response(302)
            self.send_header("Location", "/ok?from=redirect" if path == "/redirect" else "ftp://files.example/x")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = {"/ok": 200, "/slow": 200, "/hold": 200, "/gone": 404, "/error": 500, "/forbidden": 403,
                  "/no-head": 405 if not body else 200}.get(path, 404)
        content = b"<p>page</p>" * 1000
        self.send_response(status)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    requests: list[tuple[str, str]]
    lock = threading.Lock()
    active = 0
    most = 0

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # /slow writes to a client that gave up


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def base(server: Server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody-listens"


def fetched(server: Server) -> Counter:
    return Counter(urlsplit(path).path for _, path in server.requests)


CLAIM = """\
id: most-engineers
claim: Northtown has the most engineers in the country.
quote: Northtown has the most engineers
position: 2
places: [northtown]
status: misleading
summary: Northtown ranks third, not first.
analysis: National statistics put Northtown third.
reviewed: 2021-05-06
corrections:
  - date: 2021-06-01
    note: Verdict changed from False to Misleading after the 2020 figures came out.
sources:
"""
FIRST_SOURCE_LINE = CLAIM.count("\n") + 1  # one source per line after `sources:`
CLAIM_PATH = "facts/claims/most-engineers.yaml"


def point_facts_at(facts: Path, server: Server, claim_urls: list[str]) -> None:
    """Shared URL /ok in the city and the timeline, /redirect in one claim, claim_urls in the other."""
    for name in ("places/northtown.yaml", "timeline.yaml"):
        path = facts / name
        path.write_text(path.read_text().replace("https://example.org/factory-north", f"{base(server)}/ok"))
    path = facts / "claims/factory-coming.yaml"
    path.write_text(path.read_text().replace("url: https://example.org/shortlist", f"url: {base(server)}/redirect"))
    sources = "".join(
        f"  - {{url: {url}, title: Source {i}, publisher: Test, published: null, accessed: 2021-05-05, "
        "kind: primary, stance: contradicts}\n"
        for i, url in enumerate(claim_urls)
    )
    (facts / "claims/most-engineers.yaml").write_text(CLAIM + sources)


def at(i: int, message: str) -> str:
    """The located line for the claim's source i (column 11: after `  - {url: `)."""
    return f"{CLAIM_PATH}:{FIRST_SOURCE_LINE + i}:11: sources[{i}].url: {message}"


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_broken_links_are_located_errors(facts: Path, server: Server) -> None:
    urls = [f"{base(server)}/{name}" for name in ("gone", "error", "no-head", "forbidden", "slow")]
    point_facts_at(facts, server, [*urls, closed_port_url()])

    result = run(["generator", "check", "--links", "--allow-private-hosts", "--link-timeout", TIMEOUT],
                 cwd=facts.parent)

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "facts: 2 claims, 2 places, 7 verdicts: all valid",
        at(0, "HTTP 404 Not Found"),
        at(1, "HTTP 500 Internal Server Error"),
        at(3, "HTTP 403 Forbidden: the server refused an automated request; check the page in a browser (warning)"),
        at(4, f"no answer within {TIMEOUT} s"),
        at(5, "connection refused"),
    ]
    assert result.stderr.splitlines()[-1] == "links: 8 URLs checked, 4 broken, 1 refused automated access"
    assert "Traceback" not in result.stderr


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_fine_links_pass_and_a_shared_url_is_fetched_once(facts: Path, server: Server) -> None:
    point_facts_at(facts, server, [f"{base(server)}/no-head", f"{base(server)}/forbidden"])

    result = run(["generator", "check", "--links", "--allow-private-hosts", "--link-timeout", TIMEOUT],
                 cwd=facts.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1:] == [
        at(1, "HTTP 403 Forbidden: the server refused an automated request; check the page in a browser (warning)"),
    ]
    assert result.stderr.splitlines()[-1] == SUMMARY_OK
    # /ok sits in the city and the timeline, plus the redirect's target: two fetches, not three.
    assert fetched(server)["/ok"] == 2
    assert ("GET", "/ok?from=redirect") in server.requests
    assert [r for r in server.requests if r[1] == "/no-head"] == [("HEAD", "/no-head"), ("GET", "/no-head")]


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_a_broken_shared_url_is_reported_at_every_place(facts: Path, server: Server) -> None:
    point_facts_at(facts, server, [f"{base(server)}/ok"])
    for name in ("places/northtown.yaml", "timeline.yaml"):
        path = facts / name
        path.write_text(path.read_text().replace(f"{base(server)}/ok", f"{base(server)}/gone"))

    result = run(["generator", "check", "--links", "--allow-private-hosts"], cwd=facts.parent)

    assert result.returncode == 1
    assert result.stdout.splitlines()[1:] == [
        "facts/places/northtown.yaml:10:10: outcome_sources[0].url: HTTP 404 Not Found",
        "facts/timeline.yaml:9:14: events[0].sources[0].url: HTTP 404 Not Found",
    ]
    assert fetched(server)["/gone"] == 2  # HEAD, then GET in case only HEAD is refused


def test_github_format_annotates_errors_and_warnings(facts: Path, server: Server) -> None:
    point_facts_at(facts, server, [f"{base(server)}/gone", f"{base(server)}/forbidden"])

    result = run(["generator", "check", "--links", "--allow-private-hosts", "--format", "github"], cwd=facts.parent)

    assert result.returncode == 1
    line = FIRST_SOURCE_LINE
    assert result.stdout.splitlines()[1:] == [
        f"::error file={CLAIM_PATH},line={line},col=11::{at(0, 'HTTP 404 Not Found')}",
        f"::warning file={CLAIM_PATH},line={line + 1},col=11::"
        + at(1, "HTTP 403 Forbidden: the server refused an automated request; check the page in a browser"),
    ]


def test_without_links_nothing_is_fetched(facts: Path, server: Server) -> None:
    point_facts_at(facts, server, [f"{base(server)}/gone"])

    result = run(["generator", "check"], cwd=facts.parent)

    assert result.returncode == 0, result.stdout
    assert server.requests == []
    assert "links:" not in result.stderr


def test_tls_failure_is_a_message_not_a_traceback(server: Server) -> None:
    level, message = probe(f"https://127.0.0.1:{server.server_address[1]}/ok", timeout=2, allow_private=True)

    assert level == "error"
    assert message.startswith("TLS error: ")


def test_an_international_host_is_looked_up_as_browsers_map_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """UTS 46 (non-transitional): faß.de is xn--fa-hia.de, a different domain from fass.de."""
    from generator import links

    asked: list[str] = []

    def getaddrinfo(host, *args, **kwargs):
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "not in the test's table")

    monkeypatch.setattr(links.socket, "getaddrinfo", getaddrinfo)
    assert probe("https://faß.de/x", timeout=2) == ("error", "the host name was not found (DNS)")
    assert asked == ["xn--fa-hia.de"]


@pytest.mark.parametrize("url", ["https://\U0001f600.example/", "https://\u0430pple.com/"])
def test_an_invalid_or_look_alike_host_is_not_fetched(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import links

    monkeypatch.setattr(links.socket, "getaddrinfo", lambda *a, **k: pytest.fail("no lookup for an invalid host"))
    assert probe(url, timeout=2) == ("error", "not a valid web address")


# --- third round: addresses inside addresses, a deadline for the run, a limit per host ----------

EMBEDDED = [
    ("64:ff9b::a00:1", "NAT64 of 10.0.0.1"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 of the cloud metadata address 169.254.169.254"),
    ("64:ff9b:1::808:808", "local-use NAT64 (never public)"),
    ("2002:a00:1::1", "6to4 of 10.0.0.1"),
    ("2002:7f00:1::", "6to4 of 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo with client 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo with client 10.0.0.1"),
    ("::7f00:1", "IPv4-compatible 127.0.0.1"),
    ("::a9fe:a9fe", "IPv4-compatible 169.254.169.254"),
    ("::ffff:0:a00:1", "IPv4-translated 10.0.0.1"),
]


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt fails the test: these addresses must be refused before one."""
    from generator import links

    monkeypatch.setattr(links.socket, "create_connection",
                        lambda *args, **kwargs: pytest.fail(f"connected to {args[0]}"))


@pytest.mark.parametrize("address, what", EMBEDDED)
def test_an_ipv6_literal_carrying_a_private_ipv4_is_not_fetched(no_connections, address: str, what: str) -> None:
    assert probe(f"http://[{address}]/", timeout=2) == (
        "warning", f"not fetched: {address} is a loopback, private or reserved address; "
                   "pass --allow-private-hosts to check it")


@pytest.mark.parametrize("address, what", EMBEDDED)
def test_a_name_resolving_to_an_address_carrying_a_private_ipv4_is_not_fetched(
        no_connections, monkeypatch: pytest.MonkeyPatch, address: str, what: str) -> None:
    """A DNS64 resolver answers every name with a NAT64 address: the IPv4 inside decides."""
    from generator import links

    monkeypatch.setattr(links.socket, "getaddrinfo", lambda host, port, *args, **kwargs: [
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))])
    assert probe("https://intranet.example/", timeout=2) == (
        "warning", "not fetched: intranet.example is a loopback, private or reserved address; "
                   "pass --allow-private-hosts to check it")


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:808:808",
                                     "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "2606:4700::1111"])
def test_the_same_kinds_of_address_carrying_a_public_ipv4_stay_public(address: str) -> None:
    from generator.links import _is_public

    assert _is_public(address)


def test_the_run_stops_at_its_deadline_and_reports_what_it_did_not_check(facts: Path, server: Server) -> None:
    urls = [f"{base(server)}/slow?{i}" for i in range(6)]
    point_facts_at(facts, server, urls)

    started = time.monotonic()
    result = run(["generator", "check", "--links", "--allow-private-hosts", "--link-timeout", "30",
                  "--links-deadline", "2"], cwd=facts.parent)
    elapsed = time.monotonic() - started

    assert elapsed < SLOW_SECONDS + 4, elapsed  # not 6 URLs x 6 s, nor one of them in full
    assert result.returncode == 0, result.stdout + result.stderr  # not checked is a warning
    unchecked = ("not checked: the run's deadline (2 s) passed first; run check --links again or raise "
                 "--links-deadline (warning)")
    assert [at(i, unchecked) for i in range(6)] == [line for line in result.stdout.splitlines()
                                                    if line.startswith(CLAIM_PATH)]
    # The city's and the timeline's URLs wait for the same host: checked or not, by the deadline.
    summary = result.stderr.splitlines()[-1]
    assert re.fullmatch(r"links: 8 URLs checked, 0 broken, 0 refused automated access, [678] not checked "
                        r"\(the run's deadline passed\)", summary), summary
    assert "Traceback" not in result.stderr


def test_a_deadline_must_be_a_finite_number_of_seconds(facts: Path) -> None:
    result = run(["generator", "check", "--links", "--links-deadline", "inf"], cwd=facts.parent)
    assert result.returncode == 2
    assert "--links-deadline" in result.stderr and "must be a finite number of seconds" in result.stderr


def test_one_host_gets_at_most_two_requests_at_once(facts: Path, server: Server) -> None:
    point_facts_at(facts, server, [f"{base(server)}/hold?{i}" for i in range(8)])

    result = run(["generator", "check", "--links", "--allow-private-hosts", "--link-workers", "8"],
                 cwd=facts.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert fetched(server)["/hold"] == 8
    assert server.most == 2


def test_a_host_name_lookup_that_hangs_ends_at_the_urls_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import links

    release = threading.Event()
    monkeypatch.setattr(links.socket, "getaddrinfo", lambda *args, **kwargs: release.wait(30) and [])
    started = time.monotonic()
    try:
        assert probe("https://slow-dns.example/", timeout=1) == ("error", "no answer within 1 s")
    finally:
        release.set()
    assert time.monotonic() - started < 5
