"""One publishing path: `export` makes the site the plugin serves, and every URL in the data
files is a page's own URL whatever `use_directory_urls` says."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from generator.build import check_facts

from .conftest import PUBLIC_URL, ROOT, build_in_process, copy_site, run

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
OPEN_GRAPH = re.compile(r'<meta property="og:[^>]*>')
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">.*?</article>', re.S)
EDIT = re.compile(r'<a href="([^"]*)" title="Edit this page"')


def shown(html: str) -> dict[str, object]:
    """What a reader and a crawler get from a page: main content, JSON-LD, Open Graph, edit link."""
    return {"article": ARTICLE.findall(html), "json_ld": JSON_LD.findall(html),
            "og": OPEN_GRAPH.findall(html), "edit": EDIT.findall(html)}


@pytest.fixture(scope="module")
def two_builds(built: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The site built by the plugin (the session's build), and its export built by plain MkDocs + Material."""
    exported = tmp_path_factory.mktemp("publish") / "exported"
    # For the address the session's build was made for (conftest.build_site).
    result = run(["generator", "export", "--out", str(exported)], cwd=built, SITE_URL=PUBLIC_URL)
    assert result.returncode == 0, result.stderr
    plugins = yaml.safe_load((exported / "mkdocs.yml").read_text())["plugins"]
    assert "factcheck" not in json.dumps(plugins)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SITE_URL", PUBLIC_URL)
        build_in_process(exported)
    return built / "out", exported / "out"


def test_the_export_builds_strict_on_plain_material_with_the_same_pages(two_builds) -> None:
    plugin, exported = two_builds
    pages = sorted(p.relative_to(plugin) for p in plugin.rglob("*.html"))
    assert pages == sorted(p.relative_to(exported) for p in exported.rglob("*.html"))
    claim_pages = [p for p in pages if p.parts[0] == "claims"]
    assert len(claim_pages) == len(check_facts(Path(__file__).parent.parent / "facts").claims)
    for page in pages:
        assert shown((plugin / page).read_text()) == shown((exported / page).read_text()), page


def test_the_export_carries_data_files_schemas_and_the_verdict_table(two_builds) -> None:
    plugin, exported = two_builds
    for name in ("facts.json", "claimreview.json", "facts.csv", "feed.xml", "schemas/claim.schema.json",
                 "assets/factcheck.css"):
        assert (exported / name).read_bytes() == (plugin / name).read_bytes(), name
    methodology = (exported / "methodology" / "index.html").read_text()
    assert "<!-- factcheck:verdicts -->" not in methodology and "fc-verdict" in methodology


def test_claim_pages_edit_the_fact_file_in_both_builds(two_builds) -> None:
    for out in two_builds:
        claim_id = sorted(p.stem for p in (ROOT / "facts" / "claims").glob("*.yaml"))[0]
        html = (out / "claims" / claim_id / "index.html").read_text()
        (edit,) = EDIT.findall(html)
        assert edit.endswith(f"/edit/main/facts/claims/{claim_id}.yaml"), edit
        methodology = (out / "methodology" / "index.html").read_text()
        assert EDIT.findall(methodology)[0].endswith("/edit/main/docs/methodology.md")
        assert EDIT.findall((out / "index.html").read_text()) == []


def test_without_directory_urls_every_data_url_is_the_pages_own(tmp_path: Path) -> None:
    site = copy_site(tmp_path / "site")
    config = (site / "mkdocs.yml").read_text()
    (site / "mkdocs.yml").write_text(config + "\nuse_directory_urls: false\n")
    result = run(["mkdocs", "build", "--strict", "-d", "out"], cwd=site, SITE_URL="https://example.org/check/")
    assert result.returncode == 0, result.stderr
    out = site / "out"

    def page_of(url: str) -> Path:
        assert url.startswith("https://example.org/check/") and url.endswith(".html"), url
        path = out / url[len("https://example.org/check/"):]
        assert path.is_file(), url
        return path

    facts = json.loads((out / "facts.json").read_text())
    for claim in facts["claims"]:
        page = page_of(claim["url"])
        (review,) = JSON_LD.findall(page.read_text())
        assert json.loads(review)["url"] == claim["url"]
    for place in facts["places"]:
        page_of(place["url"])
    for item in json.loads((out / "claimreview.json").read_text())["dataFeedElement"]:
        page_of(item["item"]["url"])
    rows = list(csv.DictReader(io.StringIO((out / "facts.csv").read_text(encoding="utf-8-sig"), newline="")))
    for row in rows:
        page_of(row["url"])
    atom = "{http://www.w3.org/2005/Atom}"
    for entry in ET.fromstring((out / "feed.xml").read_bytes()).iter(f"{atom}entry"):
        page_of(entry.find(f"{atom}link").get("href"))


def test_an_override_that_drops_our_head_additions_fails_the_strict_build(tmp_path: Path) -> None:
    """A site's overrides/main.html that extends Material's base directly would silently lose the
    JSON-LD, Open Graph and feed link; the build says so instead."""
    site = copy_site(tmp_path / "site")
    (site / "overrides").mkdir()
    (site / "overrides" / "main.html").write_text('{% extends "base.html" %}\n')
    config = (site / "mkdocs.yml").read_text().replace("theme:\n  name: material\n",
                                                       "theme:\n  name: material\n  custom_dir: overrides\n")
    (site / "mkdocs.yml").write_text(config)
    result = run(["mkdocs", "build", "--strict", "-d", "out"], cwd=site)
    assert result.returncode == 1
    assert "lacks the ClaimReview JSON-LD, the Open Graph title, the feed link" in result.stderr
