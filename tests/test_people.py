"""The article and its people: the checked article is named, dated and linked (with its archived
copy), ClaimReview says who made each claim, when and where, and About names the people behind
the check with their roles and an e-mail contact, for a site whose facts name them.

This repository's own site names its volunteer organisation only; the people here are clearly
test data, never presented as real."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import yaml

from generator.build import build_pages
from generator.options import SiteOptions

OPTIONS = SiteOptions(site_url="https://example.org/site/", repo_url="https://github.com/example/facts")
PEOPLE = [{"name": "Test Editor One", "role": "Editor: decides every verdict", "url": "https://example.org/one"},
          {"name": "Test Researcher Two", "role": "Researcher"}]


def named_site(facts: Path, **article: object) -> dict[str, str]:
    data = yaml.safe_load((facts / "article.yaml").read_text())
    data["organisation"].update(email="desk@example.org", people=PEOPLE)
    data.update(archive_url="https://web.archive.org/web/2021/https://example.org/widgets", **article)
    (facts / "article.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    _, pages, files = build_pages(facts, OPTIONS, dt.date(2026, 12, 2))
    return {**{page.path: page.html for page in pages}, **files}, pages


def test_about_names_the_people_with_their_roles_and_an_email_contact(facts: Path) -> None:
    pages, _ = named_site(facts)
    about = pages["about.md"]
    assert '<a href="https://example.org/one" rel="noopener">Test Editor One</a>: Editor: decides every verdict' in about
    assert "<li>Test Researcher Two: Researcher</li>" in about
    assert 'E-mail: <a href="mailto:desk@example.org">desk@example.org</a>' in about


def test_home_and_walk_through_cite_the_article_with_its_copies(facts: Path) -> None:
    pages, _ = named_site(facts)
    for path in ("index.md", "article.md"):
        text = pages[path]
        assert "<em>Two towns want the widget factory</em>, The Example Gazette, 4 May 2021" in text, path
        assert '<a href="https://example.org/widgets" rel="noopener nofollow">original</a>' in text, path
        assert ('<a href="https://web.archive.org/web/2021/https://example.org/widgets" rel="noopener nofollow">'
                "archived copy</a>") in text, path


def test_an_undated_article_is_cited_by_the_days_it_appeared_between(facts: Path) -> None:
    pages, page_list = named_site(facts, published=None, published_range={"from": "2021-06-14", "to": "2021-08-16"})
    assert "The Example Gazette, between 14 June 2021 and 16 August 2021" in pages["index.md"]
    review = next(p for p in page_list if p.path.startswith("claims/")).meta["factcheck"]["claim_review"]
    assert review["itemReviewed"]["appearance"][0]["temporalCoverage"] == "2021-06-14/2021-08-16"


def test_claimreview_says_who_made_the_claim_when_and_where(facts: Path) -> None:
    _, page_list = named_site(facts)
    reviews = {p.path: p.meta["factcheck"]["claim_review"] for p in page_list if p.path.startswith("claims/")}
    for path, review in reviews.items():
        item = review["itemReviewed"]
        assert item["author"] == {"@type": "Organization", "name": "The Example Gazette"}
        assert item["datePublished"] == "2021-05-04"
        original, archived = item["appearance"]
        assert original["url"] == "https://example.org/widgets" and original["headline"]
        assert archived["url"].startswith("https://web.archive.org/")
    # Corrected claims say when they changed; uncorrected ones do not pretend to.
    assert reviews["claims/most-engineers.md"]["dateModified"] == "2021-06-01"
    assert "dateModified" not in reviews["claims/factory-coming.md"]


def test_people_text_is_text(facts: Path) -> None:
    """Names and roles are fact text like any other: shown literally, never markup."""
    data = yaml.safe_load((facts / "article.yaml").read_text())
    data["organisation"]["people"] = [{"name": "<script>alert(1)</script>", "role": "[x](javascript:alert(1))"}]
    (facts / "article.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    _, pages, _ = build_pages(facts, OPTIONS, dt.date(2026, 12, 2))
    about = next(p.html for p in pages if p.path == "about.md")
    assert "<script>" not in about and "javascript:" not in re.sub(r">[^<]*<", "><", about)
    assert html.escape("<script>alert(1)</script>") in about.replace("&#39;", "'")


def test_facts_json_keeps_the_article_fields_as_written(facts: Path) -> None:
    _, _ = named_site(facts, published=None, published_range={"from": "2021-06-14", "to": "2021-08-16"})
    _, _, files = build_pages(facts, OPTIONS, dt.date(2026, 12, 2))
    article = json.loads(files["facts.json"])["article"]
    assert article["published_range"] == {"from": "2021-06-14", "to": "2021-08-16"}
    assert article["organisation"]["people"][0]["name"] == "Test Editor One"
