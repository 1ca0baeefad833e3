"""What the built site gives a reader beyond a page per claim: the walk-through, charts, open data,
sharing, tags, dates and search in Chinese. Checked on a real `mkdocs build --strict`."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import pytest

from generator.build import check_facts
from generator.data import FEED_ENTRIES, csv_columns
from generator.model import Facts

from .conftest import PUBLIC_URL

SITE_URL = PUBLIC_URL
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def facts(built: Path) -> Facts:
    return check_facts(built / "facts")


def page(built: Path, path: str) -> str:
    return (built / "out" / path / "index.html").read_text(encoding="utf-8")


def out_path(url: str) -> str:
    """The file in the built site that a site URL points at."""
    path = urlparse(url).path.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


class Tags(HTMLParser):
    """Collects start tags with their attributes, and the text inside given elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def start_tags(text: str) -> list[tuple[str, dict[str, str]]]:
    parser = Tags()
    parser.feed(text)
    return parser.tags


def content(text: str) -> str:
    """The article part of a page, without Material's header, nav and footer."""
    return text[text.index('<article class="md-content__inner'):text.index("</article>")]


def test_walk_through_shows_every_checked_passage_in_article_order(built: Path, facts: Facts) -> None:
    text = content(page(built, "article"))
    claims = sorted(facts.claims, key=lambda c: c.position)
    positions = [int(n) for n in re.findall(r'<div class="fc-passage" id="passage-(\d+)"', text)]
    assert positions == [c.position for c in claims]
    for claim, part in zip(claims, text.split('<div class="fc-passage" ')[1:], strict=True):
        verdict = facts.verdict(claim.status)
        # The quoted words, the verdict in words (colour only repeats it), the claim link, the conclusion.
        assert claim.quote in html.unescape(part)
        assert f">{html.escape(verdict.label)}</span>" in part
        assert f'href="../claims/{claim.id}/"' in part
        assert claim.summary[:40] in html.unescape(part)


def test_claim_pages_link_back_to_their_passage(built: Path, facts: Facts) -> None:
    claim = facts.claims[0]
    assert f'href="../../article/#passage-{claim.position}"' in page(built, f"claims/{claim.id}")


def place_pages(built: Path) -> dict[str, str]:
    """Each place's page path in the built site, from facts.json (the URL folder is a site option)."""
    data = json.loads((built / "out" / "facts.json").read_text())
    return {p["slug"]: out_path(p["url"]).rsplit("/index.html", 1)[0] for p in data["places"]}


def _chart(text: str) -> tuple[str, list[tuple[str, str]]]:
    figure = re.search(r'<figure class="fc-chart"[^>]*>.*?</figure>', text, re.S).group(0)
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figure).group(1)
    bars = re.findall(r'<span class="fc-chart__label">(.*?)</span>.*?<span class="fc-chart__count">(\d+)</span>', figure)
    return caption, bars


def test_home_and_place_pages_chart_the_verdicts_in_text(built: Path, facts: Facts) -> None:
    pages = place_pages(built)
    for path, claims in [("", facts.claims)] + [(pages[p.slug], facts.claims_in(p.slug)) for p in facts.places]:
        text = page(built, path)
        counts = {v.label: sum(c.status == v.id for c in claims) for v in facts.verdicts}
        caption, bars = _chart(text)
        # Every bar is a label and a number in text, so colour never carries the meaning alone.
        assert bars == [(html.escape(label), str(n)) for label, n in counts.items() if n], path
        assert f"{len(claims)} claim" in caption, path


def test_claimreview_feed_is_a_datafeed_with_google_required_properties(built: Path, facts: Facts) -> None:
    feed = json.loads((built / "out" / "claimreview.json").read_text())
    assert feed["@context"] == "https://schema.org" and feed["@type"] == "DataFeed"
    assert feed["license"].startswith("https://creativecommons.org/licenses/by/4.0")
    items = feed["dataFeedElement"]
    assert len(items) == len(facts.claims)
    by_id = {c.id: c for c in facts.claims}
    for element in items:
        assert element["@type"] == "DataFeedItem" and element["dateCreated"] and element["dateModified"]
        review = element["item"]
        assert review["@type"] == "ClaimReview"
        # Google's required properties: claimReviewed, reviewRating (with alternateName), url on our domain.
        claim = by_id[review["url"].rstrip("/").rsplit("/", 1)[1]]
        assert review["claimReviewed"] == claim.claim
        assert review["reviewRating"]["@type"] == "Rating"
        assert review["reviewRating"]["alternateName"] == facts.verdict(claim.status).label
        assert review["url"].startswith(SITE_URL)
        assert (built / "out" / out_path(review["url"])).is_file()
        # Recommended: author, datePublished, itemReviewed.
        assert review["author"]["name"] and review["datePublished"] == claim.reviewed.isoformat()
        assert review["itemReviewed"]["@type"] == "Claim"
        rating = review["reviewRating"]
        if "ratingValue" in rating:
            assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]


def test_csv_and_json_agree_with_the_facts(built: Path, facts: Facts) -> None:
    rows = list(csv.DictReader(io.StringIO((built / "out" / "facts.csv").read_text(encoding="utf-8-sig"), newline="")))
    data = json.loads((built / "out" / "facts.json").read_text())
    assert list(rows[0]) == list(csv_columns())
    claims = sorted(facts.claims, key=lambda c: c.position)
    assert [r["id"] for r in rows] == [c.id for c in claims]
    from_json = {c["id"]: c for c in data["claims"]}
    for row, claim in zip(rows, claims, strict=True):
        verdict = facts.verdict(claim.status)
        assert row["claim"] == claim.claim == from_json[claim.id]["claim"]
        assert row["quote"] == claim.quote == from_json[claim.id]["quote"]
        assert row["summary"] == claim.summary == from_json[claim.id]["summary"]
        assert int(row["position"]) == claim.position == from_json[claim.id]["position"]
        assert row["verdict"] == claim.status == from_json[claim.id]["status"]
        assert row["verdict_label"] == verdict.label
        assert row["rating_value"] == ("" if verdict.rating_value is None else str(verdict.rating_value))
        assert (row["places"].split(" ; ") if row["places"] else []) == list(claim.places) == from_json[claim.id]["places"]
        assert row["reviewed"] == claim.reviewed.isoformat() == from_json[claim.id]["reviewed"]
        assert row["updated"] == claim.updated.isoformat()
        assert int(row["sources"]) == len(claim.sources) == len(from_json[claim.id]["sources"])
        assert row["source_urls"].split(" ; ") == [s.url for s in claim.sources]
        assert row["url"] == from_json[claim.id]["url"] == f"{SITE_URL}claims/{claim.id}/"
        assert from_json[claim.id]["analysis"] == claim.analysis


def test_atom_feed_parses_and_lists_the_latest_changes(built: Path, facts: Facts) -> None:
    raw = (built / "out" / "feed.xml").read_bytes()
    root = ET.fromstring(raw)  # well-formed XML, or this raises
    assert root.tag == f"{ATOM}feed"
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert len(parsed.entries) == min(FEED_ENTRIES, len(facts.claims))
    updated = [entry.updated for entry in parsed.entries]
    assert updated == sorted(updated, reverse=True)
    by_url = {f"{SITE_URL}claims/{c.id}/": c for c in facts.claims}
    for entry in parsed.entries:
        claim = by_url[entry.link]
        assert entry.title == f"Claim: {claim.claim} - Verdict: {facts.verdict(claim.status).label}"
        assert entry.id == entry.link and entry.updated.startswith(claim.updated.isoformat())
        assert claim.summary in entry.summary
    # Pages announce the feed to browsers and feed readers.
    assert '<link rel="alternate" type="application/atom+xml"' in page(built, "")


def test_shared_claim_links_say_what_was_found(built: Path, facts: Facts) -> None:
    for claim in facts.claims:
        meta = {a.get("property") or a.get("name"): a.get("content") for t, a in start_tags(page(built, f"claims/{claim.id}"))
                if t == "meta" and (a.get("property", "").startswith("og:") or a.get("name", "").startswith("twitter:"))}
        title = f"Claim: {claim.claim} - Verdict: {facts.verdict(claim.status).label}"
        assert meta["og:title"] == title and meta["twitter:title"] == title
        assert meta["og:description"] == claim.summary
        assert meta["og:url"] == f"{SITE_URL}claims/{claim.id}/"
        assert meta["og:type"] == "article"


def test_claim_pages_show_review_dates_and_home_lists_recent_updates(built: Path, facts: Facts) -> None:
    from generator.i18n import Messages

    t = Messages("en")
    for claim in facts.claims:
        assert f"Reviewed {t.date(claim.reviewed)}" in page(built, f"claims/{claim.id}")
    home = content(page(built, ""))
    if len({c.updated for c in facts.claims}) == 1:
        # With one date for every claim, "recently updated" would only repeat article order.
        assert 'id="recently-updated"' not in home
        return
    recent = home[home.index('id="recently-updated"'):]
    recent = recent[: recent.index("</ul>")]
    listed = re.findall(r'href="claims/([^/]+)/"', recent)
    assert listed == [c.id for c in facts.recently_updated(5)]


def test_tags_page_lists_claims_by_verdict_and_place(built: Path, facts: Facts) -> None:
    tags = content(page(built, "tags"))
    for verdict in facts.verdicts:
        rated = facts.claims_rated(verdict.id)
        if rated:
            assert f"Verdict: {html.escape(verdict.label)}" in tags
    # Claims are tagged by verdict only: a place tag would outrank the place's own page in search.
    assert "City:" not in tags
    for claim in facts.claims:
        assert f'href="../claims/{claim.id}/"' in tags
    claim_page = page(built, f"claims/{facts.claims[0].id}")
    assert re.search(r'<a href="../../tags/#tag:verdict-[^"]+" class="md-tag', claim_page)


def test_every_source_links_an_archived_copy_or_a_wayback_lookup(built: Path, facts: Facts) -> None:
    for claim in facts.claims:
        text = page(built, f"claims/{claim.id}")
        for source in claim.sources:
            if source.archive_url:
                assert f'href="{html.escape(source.archive_url)}"' in text
            else:
                assert re.search(r'href="https://web\.archive\.org/web/\*/[^"]+"[^>]*>Wayback Machine lookup<', text)


def test_search_index_segments_chinese_place_names(built: Path, facts: Facts) -> None:
    index = json.loads((built / "out" / "search" / "search_index.json").read_text())
    # The client splits on the separator; jieba's zero-width spaces must be in it.
    assert "\\u200b" in index["config"]["separator"]
    claim_docs = [d for d in index["docs"] if d["location"].startswith("claims/")]
    for place in facts.places:
        if not place.local_name or not re.search(r"[\u4e00-\u9fff]", place.local_name):
            continue  # jieba segments Chinese only
        about = {c.id for c in facts.claims_in(place.slug)}
        segmented = f"\u200b{place.local_name}\u200b"
        holding = {d["location"].split("/")[1] for d in claim_docs if segmented in d["text"]}
        assert about <= holding, place.slug


# --- search index, local addresses, Chinese sites --------------------------------------------------

def test_the_search_index_holds_plain_text_folded_as_readers_type(built: Path, facts: Facts) -> None:
    index = json.loads((built / "out" / "search" / "search_index.json").read_text())
    fold = index["config"]["fold"]
    assert fold["’"] == "'" and fold["ｘ"] == "x"
    for doc in index["docs"]:
        for text in [doc["title"], doc["text"], *doc.get("tags", [])]:
            # Only what Material itself writes: its results are HTML, so <, > and & stay entities.
            assert set(re.findall(r"&[#\w]+;", text)) <= {"&lt;", "&gt;", "&amp;"}, (doc["location"], text[:200])
            assert not set(text) & set(fold), (doc["location"], set(text) & set(fold))
    # Every claim's title is in the index as it is written (apostrophes and all).
    titles = {doc["title"].replace("\u200b", "") for doc in index["docs"]}
    table = str.maketrans(fold)
    for claim in facts.claims:
        assert html.escape(claim.claim, quote=False).translate(table) in titles, claim.id


def test_every_claim_cites_its_sources_in_the_search_index_and_each_result_opens_its_section(built: Path, facts: Facts) -> None:
    index = json.loads((built / "out" / "search" / "search_index.json").read_text())
    docs = {doc["location"]: doc for doc in index["docs"]}
    for claim in facts.claims:
        sources = docs[f"claims/{claim.id}/#sources"]
        text = sources["text"].replace("\u200b", "")
        for source in claim.sources:
            assert html.escape(source.title, quote=False).translate(str.maketrans(index["config"]["fold"])) in text
    for location in docs:
        page_path, _, anchor = location.partition("#")
        if anchor:
            assert f'id="{anchor}"' in (built / "out" / page_path / "index.html").read_text(), location


def init_site(folder: Path, *args: str) -> Path:
    """A new site from `init` (one example claim), its example text replaced as an editor does
    before publishing: quick to build with --strict."""
    from click.testing import CliRunner

    from generator.cli import main

    from .starter_sites import fill_in_examples

    result = CliRunner().invoke(main, ["init", str(folder), "--title", "Local check", *args])
    assert result.exit_code == 0, result.output
    fill_in_examples(folder)
    return folder


@pytest.mark.parametrize("site_url", ["http://127.0.0.1:8000/", "http://localhost:8000/check/", "http://[::1]/"])
def test_a_build_for_a_local_address_fails_strict_and_says_why(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch, site_url: str) -> None:
    from mkdocs.exceptions import Abort

    from generator.plugin import build_strict

    site = init_site(tmp_path / "site")
    monkeypatch.setenv("SITE_URL", site_url)
    with pytest.raises(Abort):
        build_strict(site / "mkdocs.yml", site / "out")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(f"site_url is {site_url}, a local address: share links, share cards" in w for w in warnings), warnings


def test_a_local_build_without_site_url_passes_strict_and_shares_nothing_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.plugin import build_strict

    site = init_site(tmp_path / "site")
    monkeypatch.delenv("SITE_URL", raising=False)
    build_strict(site / "mkdocs.yml", site / "out")
    claim_page = (site / "out" / "claims" / "example-claim" / "index.html").read_text()
    assert "127.0.0.1" not in claim_page and "localhost" not in claim_page
    assert 'class="fc-share"' not in claim_page


def test_serve_expects_its_own_local_address(tmp_path: Path) -> None:
    """`mkdocs serve` sets site_url to where it serves: no warning there, even with --strict."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    site = init_site(tmp_path / "site")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--strict", "-a", f"127.0.0.1:{port}"],
                              cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**env, "NO_MKDOCS_2_WARNING": "1"})
    try:
        deadline, body = time.monotonic() + 90, ""
        while time.monotonic() < deadline and server.poll() is None and "Local check" not in body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/claims/example-claim/", timeout=5) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.3)
        assert "Local check" in body, "serve --strict stopped: " + (server.stdout.read() if server.poll() is not None else "")
        # Under serve the share links point at the preview, as they should there.
        assert f"127.0.0.1%3A{port}" in body or f"127.0.0.1:{port}" in body
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "a local address" not in output, output


def test_a_chinese_site_has_no_language_selector_in_its_header(tmp_path: Path) -> None:
    from generator.plugin import build_strict

    site = init_site(tmp_path / "zh", "--language", "zh")
    build_strict(site / "mkdocs.yml", site / "out")
    page_text = (site / "out" / "index.html").read_text()
    header = page_text[page_text.index("<header"):page_text.index("</header>")]
    # Material shows a language selector when a site lists alternates (extra.alternate); a site in
    # one language has none, and no language code ("Zh") stands in for a name.
    assert "md-select" not in header and "hreflang" not in page_text
    assert not re.search(r">\s*(?:zh|Zh|ZH|en|En)\s*<", header)


def test_a_chinese_site_shares_to_weibo_by_its_chinese_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.i18n import Messages
    from generator.plugin import build_strict

    site = init_site(tmp_path / "zh", "--language", "zh")
    monkeypatch.setenv("SITE_URL", PUBLIC_URL)
    build_strict(site / "mkdocs.yml", site / "out")
    claim_page = (site / "out" / "claims" / "example-claim" / "index.html").read_text()
    names = re.findall(r'class="fc-share">([^<]*)</a>', claim_page)
    assert Messages("zh")("share_weibo") in names and "Weibo" not in names


def test_a_claim_card_says_claim_and_verdict_and_who_made_the_claim(built: Path, facts: Facts) -> None:
    from generator.i18n import Messages
    from generator.pages import attribution
    from generator.share_image import claim_card

    t = Messages("en")
    claim = facts.claims[0]
    verdict = facts.verdict(claim.status)
    site_name = re.search(r'<meta property="og:site_name" content="([^"]*)"', page(built, "")).group(1)
    expected = claim_card(claim.claim, verdict.label, verdict.color or "#6b6b6b", html.unescape(site_name),
                          urlparse(PUBLIC_URL).hostname, claim_word=t("claim_label"), verdict_word=t("verdict"),
                          claimant=attribution(facts.article, t))
    assert (built / "out" / "claims" / f"{claim.id}.png").read_bytes() == expected
