"""Ask every source address in the facts whether it still answers: `check --links`.

Each distinct URL is fetched once, concurrently, with HEAD first and GET when the server
answers HEAD with an error. Every problem is reported at each place the URL is written:
- broken (error): no connection, unknown host, timeout, TLS failure, HTTP 404, 410, 5xx,
  a redirect to something that is not a public http(s) address;
- refused (warning): HTTP 401, 403 or 429, the server answered but turned a robot away;
- not fetched (warning): the host is loopback, private, link-local or otherwise not public,
  unless the caller allows private hosts (a fact file must not make CI probe its own network).

Requests go straight to the addresses that were checked (no second DNS lookup, no proxy), and
each URL has one deadline for all its requests, redirects and reads together.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import string
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from http.client import HTTPException

from .errors import FactError, GeneratorError
from .load import Document, FieldPath
from .urls import to_ascii_host

USER_AGENT = "factcheck-generator link check (python -m generator check --links)"
GET_LIMIT = 4096  # bytes read from a GET answer: enough to know the page is served
REFUSED = {401, 403, 429}
REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 10  # as many as urllib follows
NOT_PUBLIC = "a loopback, private or reserved address"
INVALID = "not a valid web address"


class LinkRefused(GeneratorError):
    """An address the checker will not fetch: not http(s), or a host that is not public."""

    exit_code = 2


class _Refusal(LinkRefused):
    """Why one address is refused, before it is worded for a first request or a redirect."""

    def __init__(self, reason: str, host: str = ""):
        super().__init__(reason)
        self.reason = reason  # "invalid", "scheme" or "private"
        self.host = host


@dataclass(frozen=True, order=True)
class LinkProblem:
    """One problem at one place: level "error" (broken) or "warning" (refused or not fetched)."""

    error: FactError
    level: str


@dataclass
class LinkReport:
    """What `check --links` found: distinct URLs checked, broken, refused, not fetched, and each
    located problem."""

    checked: int = 0
    broken: int = 0
    refused: int = 0
    skipped: int = 0
    problems: list[LinkProblem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = (f"links: {self.checked} URL{'s' if self.checked != 1 else ''} checked, "
                f"{self.broken} broken, {self.refused} refused automated access")
        return text + (f", {self.skipped} not fetched (private address)" if self.skipped else "")


def source_urls(documents: Iterable[Document]) -> dict[str, list[tuple[Document, FieldPath]]]:
    """Every source URL of every fact kind, with each place it is written."""
    places: dict[str, list[tuple[Document, FieldPath]]] = {}
    for document in documents:
        for where, sources in _source_lists(document.data, ()):
            for i, source in enumerate(sources):
                if isinstance(source, dict) and isinstance(source.get("url"), str):
                    places.setdefault(source["url"], []).append((document, where + (i, "url")))
    return places


def _source_lists(data: object, where: FieldPath) -> Iterator[tuple[FieldPath, list]]:
    """Lists of sources wherever a kind keeps them: `sources`, or any `<name>_sources` field."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, list) and (key == "sources" or str(key).endswith("_sources")):
                yield where + (key,), value
            else:
                yield from _source_lists(value, where + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _source_lists(item, where + (i,))


_LEVELS = {"broken": "error", "refused": "warning", "skipped": "warning"}


def check_links(documents: Iterable[Document], workers: int = 8, timeout: float = 10.0,
                allow_private: bool = False) -> LinkReport:
    """Fetch each distinct source URL once and locate every problem at each place it is used.

    timeout is the whole time one URL may take; allow_private lets loopback and private hosts
    be fetched (a local test server, an intranet mirror)."""
    places = source_urls(documents)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda url: _check(url, timeout, allow_private), places))
    report = LinkReport(checked=len(places))
    for url, (kind, message) in zip(places, outcomes):
        if kind == "ok":
            continue
        setattr(report, kind, getattr(report, kind) + 1)
        report.problems += [LinkProblem(doc.at(where, message), _LEVELS[kind]) for doc, where in places[url]]
    report.problems.sort()
    return report


def probe(url: str, timeout: float, allow_private: bool = False) -> tuple[str, str]:
    """("ok" | "error" | "warning", message) for one address; never raises for network trouble."""
    kind, message = _check(url, timeout, allow_private)
    return _LEVELS.get(kind, kind), message


def _check(url: str, timeout: float, allow_private: bool) -> tuple[str, str]:
    """("ok" | "broken" | "refused" | "skipped", message) for one address."""
    try:
        hop = _hop(url, allow_private)
    except _Refusal as refusal:
        if refusal.reason == "private":
            return "skipped", (f"not fetched: {refusal.host} is {NOT_PUBLIC}; "
                               "pass --allow-private-hosts to check it")
        return "broken", INVALID if refusal.reason == "invalid" else "not an http(s) address"
    except OSError as problem:  # the host name could not be resolved
        return "broken", _network_message(problem, timeout, False)
    deadline = _Deadline(timeout)
    try:
        status = _status(hop, "HEAD", deadline, allow_private)
        if status >= 400:  # many servers refuse or mishandle HEAD: ask again as a browser would
            status = _status(hop, "GET", deadline, allow_private)
    except LinkRefused as refused:
        return "broken", str(refused)
    except (OSError, HTTPException, ValueError) as problem:
        return "broken", _network_message(problem, timeout, deadline.expired)
    finally:
        deadline.cancel()
    try:
        text = f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        text = f"HTTP {status}"
    if status < 300:
        return "ok", text
    if status in REFUSED:
        return "refused", f"{text}: the server refused an automated request; check the page in a browser"
    if status < 400:
        return "broken", f"{text}: the redirect could not be followed (a loop, too many hops or no Location)"
    return "broken", text


def redirect_target(current: str, location: str, allow_private: bool) -> str:
    """The address a redirect from current to location leads to, or LinkRefused when it is not
    a public http(s) address (or not an http(s) address at all, with allow_private)."""
    return _next_hop(current, location, allow_private).url


@dataclass(frozen=True)
class _Hop:
    """One address to request: the URL, its parts, and the checked addresses to connect to."""

    url: str
    parts: urllib.parse.SplitResult
    host: str  # ASCII (IDNA) form
    port: int
    addresses: tuple[str, ...]


def _hop(url: str, allow_private: bool) -> _Hop:
    """Parse, resolve and check one address; raise _Refusal or, for DNS failures, OSError."""
    try:
        address = _ascii_url(url)
        parts = urllib.parse.urlsplit(address)
        port = parts.port
        host = to_ascii_host(parts.hostname) if parts.hostname else ""
    except (ValueError, UnicodeError):  # InvalidURL is a ValueError
        raise _Refusal("invalid") from None
    if parts.scheme not in ("http", "https"):
        raise _Refusal("scheme")
    if not host:
        raise _Refusal("invalid")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = (str(literal),)
    else:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = tuple(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise _Refusal("private", parts.hostname or host)
    return _Hop(address, parts, host, port, addresses)


def _next_hop(current: str, location: str, allow_private: bool) -> _Hop:
    target = urllib.parse.urljoin(current, location.strip())
    try:
        return _hop(target, allow_private)
    except _Refusal as refusal:
        if refusal.reason == "private":
            raise LinkRefused(f"redirects to {target}, {NOT_PUBLIC}; not followed") from None
        if refusal.reason == "scheme":
            raise LinkRefused(f"redirects to {target}, not an http(s) address; not followed") from None
        raise LinkRefused(f"redirects to {target!r}, {INVALID}; not followed") from None


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback, though not every Python says so
    return ip.is_global


class _Deadline:
    """One time limit for everything one URL takes. A socket timeout bounds each read, so a
    server sending a byte a second would never trip it; this shuts the socket down instead."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise TimeoutError("deadline passed")
        return left

    def attach(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._socket = sock
            if self.expired:
                self._shutdown()
        return sock

    def cancel(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._socket is None:
            return
        try:
            # socket.socket's own shutdown, also for a TLS socket: it wakes a blocked read
            # without touching the TLS state another thread is using.
            socket.socket.shutdown(self._socket, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed: nothing left to wake


def _connect(hop: _Hop, deadline: _Deadline, timeout: float) -> socket.socket:
    """A connection to the first checked address that answers; never a fresh DNS lookup."""
    last: OSError = ConnectionError("no address to connect to")
    for address in hop.addresses:
        try:
            return socket.create_connection((address, hop.port), min(timeout, deadline.remaining()))
        except TimeoutError:
            raise
        except OSError as problem:
            last = problem
    raise last


class _Connection(http.client.HTTPConnection):
    """HTTP to the checked addresses, under the URL's deadline."""

    def __init__(self, hop: _Hop, deadline: _Deadline, timeout: float):
        super().__init__(hop.host, hop.port, timeout=timeout)
        self._hop, self._deadline = hop, deadline

    def connect(self) -> None:
        self.sock = self._deadline.attach(_connect(self._hop, self._deadline, self.timeout))


class _TLSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses; the certificate is checked against the host name."""

    def __init__(self, hop: _Hop, deadline: _Deadline, timeout: float):
        super().__init__(hop.host, hop.port, timeout=timeout, context=ssl.create_default_context())
        self._hop, self._deadline = hop, deadline

    def connect(self) -> None:
        raw = _connect(self._hop, self._deadline, self.timeout)
        try:
            # Attach before the handshake so a server that trickles it is cut off too.
            wrapped = self._context.wrap_socket(raw, server_hostname=self._hop.host,
                                                do_handshake_on_connect=False)
        except (OSError, ValueError):
            raw.close()
            raise
        self.sock = self._deadline.attach(wrapped)
        self.sock.do_handshake()


def _status(hop: _Hop, method: str, deadline: _Deadline, allow_private: bool) -> int:
    """The final HTTP status of one request, following redirects to public http(s) addresses."""
    for _ in range(MAX_REDIRECTS + 1):
        status, location = _request(hop, method, deadline)
        if status not in REDIRECTS or not location:
            return status
        hop = _next_hop(hop.url, location, allow_private)
        method = "GET"  # as urllib did: the target is asked for the page itself
    return status


def _request(hop: _Hop, method: str, deadline: _Deadline) -> tuple[int, str | None]:
    timeout = min(deadline.seconds, deadline.remaining())
    kind = _TLSConnection if hop.parts.scheme == "https" else _Connection
    connection = kind(hop, deadline, timeout)
    target = (hop.parts.path or "/") + (f"?{hop.parts.query}" if hop.parts.query else "")
    try:
        connection.request(method, target, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        if method == "GET":
            response.read(GET_LIMIT)
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def _ascii_url(url: str) -> str:
    """Percent-encode non-ASCII characters outside the host; http.client sends ASCII only."""
    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    path, query = (urllib.parse.quote(part, safe=string.punctuation) for part in (parts.path, parts.query))
    return urllib.parse.urlunsplit(parts._replace(path=path, query=query))


def _network_message(problem: Exception, timeout: float, expired: bool) -> str:
    if expired or isinstance(problem, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(problem, socket.gaierror):
        return "the host name was not found (DNS)"
    if isinstance(problem, ConnectionRefusedError):
        return "connection refused"
    if isinstance(problem, ssl.SSLError):
        return f"TLS error: {problem}"
    return f"could not fetch: {problem}"
