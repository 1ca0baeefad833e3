"""Fact files are untrusted: any input gives a site or located errors, fast; no text runs as script."""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build_pages
from generator.errors import FactsInvalid

from .conftest import FIXTURES, ROOT, run

LOCATED = re.compile(r"^[^:\n]+:\d+:\d+: ")
CLAIM = (FIXTURES / "facts" / "claims" / "most-engineers.yaml").read_text()


def assert_site_or_located_errors(facts_dir: Path) -> None:
    # A guard against hangs, not a speed claim: speed is measured by the benchmark.
    started = time.monotonic()
    try:
        build_pages(facts_dir)
    except FactsInvalid as invalid:
        assert invalid.errors
        for error in invalid.errors:
            assert LOCATED.match(str(error)), str(error)
    assert time.monotonic() - started < 10.0


yaml_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), yaml_text,
                    st.dates().map(str))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(yaml_text, inner, max_size=4)),
                         max_leaves=12)


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=yaml_text)
def test_random_text_gives_a_site_or_located_errors(facts: Path, text: str) -> None:
    (facts / "claims" / "most-engineers.yaml").write_text(text, encoding="utf-8")
    assert_site_or_located_errors(facts)


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(list(yaml.safe_load(CLAIM))), value=documents)
def test_mutated_claims_give_a_site_or_located_errors(facts: Path, field: str, value) -> None:
    data = yaml.safe_load(CLAIM)
    data[field] = value
    (facts / "claims" / "most-engineers.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    assert_site_or_located_errors(facts)


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=len(CLAIM)), insert=yaml_text)
def test_spliced_claims_give_a_site_or_located_errors(facts: Path, cut: int, insert: str) -> None:
    (facts / "claims" / "most-engineers.yaml").write_text(CLAIM[:cut] + insert + CLAIM[cut:], encoding="utf-8")
    assert_site_or_located_errors(facts)


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_build_never_writes_into_facts_or_docs(site: Path) -> None:
    before = {name: tree_digest(site / name) for name in ("facts", "docs")}
    assert run(["mkdocs", "build", "--strict", "-d", "out"], cwd=site).returncode == 0
    assert run(["generator", "export", "--out", "exported"], cwd=site).returncode == 0
    assert {name: tree_digest(site / name) for name in ("facts", "docs")} == before


# Every text field of the payload site carries this. It must show as written and never run.
PAYLOAD = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
           '"\'></title></script><svg onload=window.__pwned=1> {: onclick="window.__pwned=1" } '
           '[link](javascript:window.__pwned=1) *bold* `code` | pipe')
# Names, labels and search terms are short (at most 200 or 100 characters, a quarter of them
# markup): they carry the script and the handler alone.
SHORT_PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
SHORT_FIELDS = {"name", "local_name", "region", "aliases", "keywords", "label"}
URL_FIELDS = {"url", "archive_url"}
KEEP = {"id", "status", "kind", "stance", "places", "claims", "position", "rating_value", "color", "role"}
# Markdown fields refuse javascript: links outright (tests/test_bad_input.py); the rest must still be inert.
MARKDOWN_FIELDS = {"analysis", "outcome", "summary"}


def poison(value, key=None):
    """Append PAYLOAD to every free-text field; keep ids, dates, enums and URLs valid."""
    if isinstance(value, dict):
        return {k: poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(v, key) for v in value]
    if key in URL_FIELDS:
        return value + '?q="><script>window.__pwned=1</script>'
    if isinstance(value, str) and key not in KEEP and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        payload = PAYLOAD.replace("[link](javascript:window.__pwned=1) ", "") if key in MARKDOWN_FIELDS else PAYLOAD
        return value + " " + (SHORT_PAYLOAD if key in SHORT_FIELDS else payload)
    return value


class _PayloadFinder(HTMLParser):
    """Collects payload that became markup: handlers, script, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.script_type: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on") and value and "__pwned" in value:
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src") and value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")
        if tag == "script":
            self.script_type = dict(attrs).get("type") or "text/javascript"

    def handle_endtag(self, tag):
        if tag == "script":
            self.script_type = None

    def handle_data(self, data):
        # JSON-LD is data, not code; anything else in a script element would run.
        if self.script_type and self.script_type != "application/ld+json" and "__pwned" in data:
            self.found.append("<script> with payload")


def live_payloads(html: str) -> list[str]:
    finder = _PayloadFinder()
    finder.feed(html)
    return finder.found


def make_payload_site(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(FIXTURES / "facts", target / "facts")
    for path in (target / "facts").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        path.write_text(yaml.safe_dump(poison(data), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_payload_facts_are_valid_and_build(payload_built: Path) -> None:
    site = payload_built  # built in strict mode once per session (conftest.py); test_browser serves it
    for page in (site / "out").rglob("*.html"):
        assert live_payloads(page.read_text()) == [], page
    claim_page = (site / "out" / "claims" / "most-engineers" / "index.html").read_text()
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', claim_page, re.S)
    assert json.loads(block)["claimReviewed"] == "Northtown has the most engineers in the country. " + PAYLOAD
    for name in ("facts.json", "claimreview.json"):
        data = (site / "out" / name).read_text()
        assert "<" not in data and ">" not in data, name
        json.loads(data)
    # The payload stays text in every place a claim is shared or syndicated.
    claim = "Northtown has the most engineers in the country. " + PAYLOAD
    meta = dict(re.findall(r'<meta property="(og:title)" content="([^"]*)"', claim_page))
    assert html.unescape(meta["og:title"]) == f"Claim: {claim} - Verdict: Misleading " + SHORT_PAYLOAD
    feed = ET.fromstring((site / "out" / "feed.xml").read_bytes())
    titles = [e.findtext("{http://www.w3.org/2005/Atom}title") for e in feed.iter("{http://www.w3.org/2005/Atom}entry")]
    assert f"Claim: {claim} - Verdict: Misleading " + SHORT_PAYLOAD in titles
    assert not any(e.tag.endswith("script") for e in feed.iter())
    rows = list(csv.DictReader(io.StringIO((site / "out" / "facts.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert claim in [row["claim"] for row in rows]
    index = (site / "out" / "search" / "search_index.json").read_text()
    assert "<script>window.__pwned" not in index
