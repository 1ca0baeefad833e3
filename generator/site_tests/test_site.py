"""A site's own checks, run from the site's folder (where mkdocs.yml is)."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ..build import check_facts
from ..model import Facts

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="session")
def facts() -> Facts:
    if not Path("mkdocs.yml").is_file():
        pytest.fail("run the site tests from the site's folder, where mkdocs.yml is")
    return check_facts(Path("facts"))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, facts: Facts) -> Path:
    """The site built once, --strict, into a temporary folder."""
    from ..plugin import build_strict

    out = tmp_path_factory.mktemp("site")
    build_strict(Path("mkdocs.yml"), out)
    return out


def _page(out: Path, url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1] if "://" in url else url.lstrip("/")
    target = out / path
    return (target / "index.html" if path.endswith("/") or not path else target).read_text(encoding="utf-8")


def test_every_claim_page_carries_its_claim_review(built: Path, facts: Facts) -> None:
    data = json.loads((built / "facts.json").read_text(encoding="utf-8"))
    urls = {claim["id"]: claim["url"] for claim in data["claims"]}
    for claim in facts.claims:
        html = _page(built, urls[claim.id])
        (block,) = JSON_LD.findall(html)
        review = json.loads(block)
        assert review["claimReviewed"] == claim.claim
        assert review["reviewRating"]["alternateName"] == facts.verdict(claim.status).label
        assert 'property="og:title"' in html


def test_data_files_hold_one_entry_per_claim(built: Path, facts: Facts) -> None:
    rows = list(csv.DictReader(io.StringIO((built / "facts.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert [row["id"] for row in rows] == [c.id for c in sorted(facts.claims, key=lambda c: c.position)]
    feed = ET.fromstring((built / "feed.xml").read_bytes())
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    # The feed also announces changes to the verdict scale.
    assert len(entries) == min(len(facts.claims) + len(facts.verdict_changes), 50)
    assert len(json.loads((built / "claimreview.json").read_text())["dataFeedElement"]) == len(facts.claims)


def test_every_place_has_its_page(built: Path, facts: Facts) -> None:
    data = json.loads((built / "facts.json").read_text(encoding="utf-8"))
    for place in data["places"]:
        assert place["name"] in _page(built, place["url"])
