"""Ask every source address in the facts whether it still answers: `check --links`.

Each distinct URL is fetched once, concurrently, with HEAD first and GET when the server
answers HEAD with an error. Every problem is reported at each place the URL is written:
- broken (error): no connection, unknown host, timeout, TLS failure, HTTP 404, 410, 5xx,
  a redirect to something that is not a public http(s) address;
- refused (warning): HTTP 401, 403 or 429, the server answered but turned a robot away;
- not fetched (warning): the host is loopback, private, link-local or otherwise not public,
  unless the caller allows private hosts (a fact file must not make CI probe its own network).
  An IPv6 address that carries an IPv4 one (NAT64, 6to4, Teredo, IPv4-compatible or -mapped) is
  judged by the IPv4 address inside it, so 64:ff9b::10.0.0.1 is as private as 10.0.0.1;
- not checked (warning): the whole run's deadline passed before the URL was fetched.

Requests go straight to the addresses that were checked (no second DNS lookup, no proxy); each
URL has one deadline for its lookup, requests, redirects and reads together, the run has one
for all URLs, and no host gets more than PER_HOST requests at once, so a fact file of thousands
of addresses on one slow host can neither hammer it nor hold CI for hours.
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
# Requests one host gets at once: enough to be quick, few enough to be polite.
PER_HOST = 2
# The whole run's default deadline: a few minutes, however many URLs the facts hold.
RUN_DEADLINE = 300.0
# Addresses that carry an IPv4 address inside, and where (see _embedded_ipv4).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # local use only (RFC 8215): never public
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")


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
    unchecked: int = 0
    problems: list[LinkProblem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = (f"links: {self.checked} URL{'s' if self.checked != 1 else ''} checked, "
                f"{self.broken} broken, {self.refused} refused automated access")
        text += f", {self.skipped} not fetched (private address)" if self.skipped else ""
        return text + (f", {self.unchecked} not checked (the run's deadline passed)" if self.unchecked else "")


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


_LEVELS = {"broken": "error", "refused": "warning", "skipped": "warning", "unchecked": "warning"}


def check_links(documents: Iterable[Document], workers: int = 8, timeout: float = 10.0,
                allow_private: bool = False, deadline: float = RUN_DEADLINE, per_host: int = PER_HOST) -> LinkReport:
    """Fetch each distinct source URL once and locate every problem at each place it is used.

    timeout is the whole time one URL may take; deadline the whole time the run may take (URLs
    not fetched by then are reported as not checked); per_host how many requests one host gets
    at once; allow_private lets loopback and private hosts be fetched (a local test server, an
    intranet mirror)."""
    places = source_urls(documents)
    run = _Run(deadline, per_host)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda url: _check(url, timeout, allow_private, run), places))
    report = LinkReport(checked=len(places))
    for url, (kind, message) in zip(places, outcomes):
        if kind == "ok":
            continue
        setattr(report, kind, getattr(report, kind) + 1)
        report.problems += [LinkProblem(doc.at(where, message), _LEVELS[kind]) for doc, where in places[url]]
    report.problems.sort()
    return report


class _Run:
    """What all URLs of one run share: its deadline and a limit of requests per host."""

    def __init__(self, seconds: float, per_host: int):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.per_host = per_host
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return self.end - time.monotonic()

    def host(self, name: str) -> threading.BoundedSemaphore:
        """The semaphore that lets `per_host` requests at a time reach this host."""
        with self._lock:
            return self._hosts.setdefault(name, threading.BoundedSemaphore(self.per_host))

    @property
    def unchecked(self) -> tuple[str, str]:
        return "unchecked", (f"not checked: the run's deadline ({self.seconds:g} s) passed first; run check --links "
                             "again or raise --links-deadline")


def probe(url: str, timeout: float, allow_private: bool = False) -> tuple[str, str]:
    """("ok" | "error" | "warning", message) for one address; never raises for network trouble."""
    kind, message = _check(url, timeout, allow_private, _Run(timeout + 1, PER_HOST))
    return _LEVELS.get(kind, kind), message


def _check(url: str, timeout: float, allow_private: bool, run: _Run) -> tuple[str, str]:
    """("ok" | "broken" | "refused" | "skipped" | "unchecked", message) for one address."""
    if run.remaining() <= 0:
        return run.unchecked
    # The URL's own deadline, cut short by the run's: what the run's deadline stops is not broken.
    cut = run.remaining() < timeout
    deadline = _Deadline(min(timeout, run.remaining()))
    try:
        hop = _hop(url, allow_private, deadline)
        status = _status(hop, "HEAD", deadline, allow_private, run)
        if status >= 400:  # many servers refuse or mishandle HEAD: ask again as a browser would
            status = _status(hop, "GET", deadline, allow_private, run)
    except _Refusal as refusal:
        if refusal.reason == "private":
            return "skipped", (f"not fetched: {refusal.host} is {NOT_PUBLIC}; "
                               "pass --allow-private-hosts to check it")
        return "broken", INVALID if refusal.reason == "invalid" else "not an http(s) address"
    except LinkRefused as refused:
        return "broken", str(refused)
    except (OSError, HTTPException, ValueError) as problem:
        if cut and (deadline.expired or isinstance(problem, TimeoutError)):
            return run.unchecked
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


def _hop(url: str, allow_private: bool, deadline: _Deadline | None = None) -> _Hop:
    """Parse, resolve and check one address; raise _Refusal or, for DNS failures, OSError
    (TimeoutError when the lookup outlasts the deadline)."""
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
        found = _resolve(host, port, deadline)
        addresses = tuple(dict.fromkeys(str(info[4][0]) for info in found))
    if not allow_private and not all(_is_public(a) for a in addresses):
        raise _Refusal("private", parts.hostname or host)
    return _Hop(address, parts, host, port, addresses)


def _resolve(host: str, port: int, deadline: _Deadline | None) -> list:
    """getaddrinfo, given up when the deadline passes: the system's resolver has no timeout of
    its own that a caller sets, so the lookup runs in a thread the checker stops waiting for."""
    if deadline is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["found"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as problem:
            outcome["problem"] = problem

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        deadline.expired = True
        raise TimeoutError("the host name lookup took too long")
    if "problem" in outcome:
        raise outcome["problem"]  # type: ignore[misc]
    return outcome["found"]  # type: ignore[return-value]


def _next_hop(current: str, location: str, allow_private: bool, deadline: _Deadline | None = None) -> _Hop:
    target = urllib.parse.urljoin(current, location.strip())
    try:
        return _hop(target, allow_private, deadline)
    except _Refusal as refusal:
        if refusal.reason == "private":
            raise LinkRefused(f"redirects to {target}, {NOT_PUBLIC}; not followed") from None
        if refusal.reason == "scheme":
            raise LinkRefused(f"redirects to {target}, not an http(s) address; not followed") from None
        raise LinkRefused(f"redirects to {target!r}, {INVALID}; not followed") from None


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64_LOCAL:
            return False
        inside = _embedded_ipv4(ip)
        if inside:
            # Whatever Python's table says of the outer address: the packets end at these.
            return all(embedded.is_global for embedded in inside)
    return ip.is_global


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address leads to: IPv4-mapped (::ffff:a.b.c.d) and -translated
    (::ffff:0:a.b.c.d), NAT64's well-known prefix (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::),
    Teredo (its server, and its client: the last 32 bits inverted), IPv4-compatible (::a.b.c.d)."""
    last = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return (ip.ipv4_mapped,)
    if ip in _IPV4_TRANSLATED or ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return (last,)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo
    return ()


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


def _status(hop: _Hop, method: str, deadline: _Deadline, allow_private: bool, run: _Run) -> int:
    """The final HTTP status of one request, following redirects to public http(s) addresses."""
    for _ in range(MAX_REDIRECTS + 1):
        status, location = _request(hop, method, deadline, run)
        if status not in REDIRECTS or not location:
            return status
        hop = _next_hop(hop.url, location, allow_private, deadline)
        method = "GET"  # as urllib did: the target is asked for the page itself
    return status


def _request(hop: _Hop, method: str, deadline: _Deadline, run: _Run) -> tuple[int, str | None]:
    # A turn among the host's requests, waited for within the URL's deadline.
    turn = run.host(hop.host)
    if not turn.acquire(timeout=deadline.remaining()):
        deadline.expired = True
        raise TimeoutError(f"{hop.host} was busy with other requests")
    try:
        return _send(hop, method, deadline)
    finally:
        turn.release()


def _send(hop: _Hop, method: str, deadline: _Deadline) -> tuple[int, str | None]:
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
