"""Ask every source address in the facts whether it still answers: `check --links`.

Each distinct URL is fetched once, concurrently, with HEAD first and GET when the server
answers HEAD with an error. Every problem is reported at each place the URL is written:
- broken (error): no connection, unknown host, timeout, TLS failure, HTTP 404, 410, 5xx;
- refused (warning): HTTP 401, 403 or 429, the server answered but turned a robot away.
"""

from __future__ import annotations

import socket
import ssl
import string
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from http.client import HTTPException

from .errors import FactError
from .load import Document, FieldPath

USER_AGENT = "factcheck-generator link check (python -m generator check --links)"
GET_LIMIT = 4096  # bytes read from a GET answer: enough to know the page is served
REFUSED = {401, 403, 429}
SOURCE_LISTS = {"claim": "sources", "city": "outcome_sources"}


@dataclass(frozen=True, order=True)
class LinkProblem:
    """One problem at one place: level "error" (broken) or "warning" (refused automated access)."""

    error: FactError
    level: str


@dataclass
class LinkReport:
    """What `check --links` found: distinct URLs checked, broken, refused, and each located problem."""

    checked: int = 0
    broken: int = 0
    refused: int = 0
    problems: list[LinkProblem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (f"links: {self.checked} URL{'s' if self.checked != 1 else ''} checked, "
                f"{self.broken} broken, {self.refused} refused automated access")


def source_urls(documents: Iterable[Document]) -> dict[str, list[tuple[Document, FieldPath]]]:
    """Every source URL of claims, cities and the timeline, with each place it is written."""
    places: dict[str, list[tuple[Document, FieldPath]]] = {}
    for document in documents:
        for where, sources in _source_lists(document):
            for i, source in enumerate(sources):
                places.setdefault(source["url"], []).append((document, where + (i, "url")))
    return places


def _source_lists(document: Document) -> Iterator[tuple[FieldPath, list]]:
    if document.kind == "timeline":
        for e, event in enumerate(document.data["events"]):
            yield ("events", e, "sources"), event["sources"]
    elif document.kind in SOURCE_LISTS:
        name = SOURCE_LISTS[document.kind]
        yield (name,), document.data.get(name, [])


def check_links(documents: Iterable[Document], workers: int = 8, timeout: float = 10.0) -> LinkReport:
    """Fetch each distinct source URL once and locate every problem at each place it is used."""
    places = source_urls(documents)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda url: probe(url, timeout), places))
    report = LinkReport(checked=len(places))
    for url, (level, message) in zip(places, outcomes):
        if level == "ok":
            continue
        if level == "error":
            report.broken += 1
        else:
            report.refused += 1
        report.problems += [LinkProblem(doc.at(where, message), level) for doc, where in places[url]]
    report.problems.sort()
    return report


def probe(url: str, timeout: float) -> tuple[str, str]:
    """("ok" | "error" | "warning", message) for one address; never raises for network trouble."""
    address = _ascii_url(url)
    try:
        status = _status(address, "HEAD", timeout)
        if status >= 400:  # many servers refuse or mishandle HEAD: ask again as a browser would
            status = _status(address, "GET", timeout)
    except (OSError, HTTPException, ValueError) as problem:
        return "error", _network_message(problem, timeout)
    try:
        text = f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        text = f"HTTP {status}"
    if status < 300:
        return "ok", text
    if status in REFUSED:
        return "warning", f"{text}: the server refused an automated request; check the page in a browser"
    if status < 400:
        return "error", f"{text}: the redirect could not be followed (a loop, too many hops or not http)"
    return "error", text


def _status(url: str, method: str, timeout: float) -> int:
    """The final HTTP status of one request; urllib follows redirects."""
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if method == "GET":
                response.read(GET_LIMIT)
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def _ascii_url(url: str) -> str:
    """Percent-encode non-ASCII characters outside the host; http.client sends ASCII only."""
    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    path, query = (urllib.parse.quote(part, safe=string.punctuation) for part in (parts.path, parts.query))
    return urllib.parse.urlunsplit(parts._replace(path=path, query=query))


def _network_message(problem: Exception, timeout: float) -> str:
    reason = problem.reason if isinstance(problem, urllib.error.URLError) else problem
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(reason, socket.gaierror):
        return "the host name was not found (DNS)"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error: {reason}"
    return f"could not fetch: {reason}"
