"""The real facts, built by real MkDocs into a real site, and what the plugin promises of it.

`built` is the session's build of the real site (conftest.py); tests that change the site copy their own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from generator.build import check_facts

from .conftest import PUBLIC_URL, ROOT, run

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
CLAIM_IDS = sorted(p.stem for p in (ROOT / "facts" / "claims").glob("*.yaml"))


def _page_file(out: Path, url: str) -> Path:
    path = url.split("://", 1)[-1].split("/", 1)[1]
    return out / path / "index.html" if path.endswith("/") or not path else out / path


def test_every_page_type_is_built(built: Path) -> None:
    out = built / "out"
    facts = check_facts(built / "facts")
    data = json.loads((out / "facts.json").read_text())
    for page in ("index.html", "verdicts/index.html", "about/index.html", "article/index.html",
                 "methodology/index.html", "data/index.html", "contributing/index.html", "facts.json",
                 "schemas/claim.schema.json", "404.html"):
        assert (out / page).is_file(), page
    assert (out / "timeline" / "index.html").is_file() == bool(facts.timeline)
    for place in data["places"]:
        assert _page_file(out, place["url"]).is_file(), place["slug"]
        listing = _page_file(out, place["url"]).parent.parent / "index.html"
        assert listing.is_file()
    for claim_id in CLAIM_IDS:
        assert (out / "claims" / claim_id / "index.html").is_file()


def test_claim_pages_are_not_in_the_nav(built: Path) -> None:
    home = (built / "out" / "index.html").read_text()
    nav = home[home.index('<nav class="md-nav md-nav--primary"'):]
    nav = nav[: nav.index("</nav>")]
    assert "claims/" not in nav


def test_every_claim_page_has_claim_review_json_ld(built: Path) -> None:
    facts = check_facts(built / "facts")
    for claim in facts.claims:
        html = (built / "out" / "claims" / claim.id / "index.html").read_text()
        blocks = JSON_LD.findall(html)
        assert len(blocks) == 1, claim.id
        data = json.loads(blocks[0])
        assert data["@type"] == "ClaimReview"
        assert data["claimReviewed"] == claim.claim
        assert data["reviewRating"]["alternateName"] == facts.verdict(claim.status).label
        assert data["url"].endswith(f"/claims/{claim.id}/")
        assert data["author"]["name"] and data["author"]["url"].startswith("https://")
        assert data["itemReviewed"]["@type"] == "Claim"


def test_edit_button_opens_the_fact_file(built: Path) -> None:
    claim_id = CLAIM_IDS[0]
    html = (built / "out" / "claims" / claim_id / "index.html").read_text()
    assert re.search(rf'href="[^"]*/edit/main/facts/claims/{claim_id}\.yaml"[^>]*class="md-content__button', html)


def test_facts_json_holds_every_fact(built: Path) -> None:
    data = json.loads((built / "out" / "facts.json").read_text())
    assert sorted(c["id"] for c in data["claims"]) == CLAIM_IDS
    facts = check_facts(built / "facts")
    assert [p["slug"] for p in data["places"]] == [p.slug for p in facts.places]
    assert [v["id"] for v in data["verdicts"]] == [v.id for v in facts.verdicts]
    assert len(data["timeline"]) == len(facts.timeline)


def test_site_requests_nothing_from_third_party_hosts(built: Path) -> None:
    for page in (built / "out").rglob("*.html"):
        html = page.read_text()
        loaded = re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(https?://[^"]+)"', html)
        # <link rel="canonical"> names the page's own address; nothing else may point off-site.
        loaded = [u for u in loaded if not u.startswith(PUBLIC_URL)]
        assert loaded == [], (page, loaded)
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


def test_export_refuses_a_folder_it_did_not_make(built: Path, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.md").write_text("my notes")
    result = run(["generator", "export", "--out", str(tmp_path / "mine")], cwd=built)
    assert result.returncode == 2
    assert "folder is not empty and was not made by export" in result.stderr
    assert (tmp_path / "mine" / "notes.md").read_text() == "my notes"


def test_a_bad_fact_stops_the_build_with_a_located_message(site: Path) -> None:
    claim_id = CLAIM_IDS[0]
    claim = site / "facts" / "claims" / f"{claim_id}.yaml"
    lines = claim.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("status:"))
    lines[number] = "status: mostly"
    claim.write_text("\n".join(lines) + "\n")
    result = run(["mkdocs", "build", "--strict", "-d", "out"], cwd=site)
    assert result.returncode == 1
    assert f"facts/claims/{claim_id}.yaml:{number + 1}:9: status: 'mostly' is not a verdict" in result.stderr
    assert "Traceback" not in result.stderr
    check = run(["generator", "check"], cwd=site)
    assert check.returncode == 1
    assert check.stdout.splitlines()[0].startswith(f"facts/claims/{claim_id}.yaml:{number + 1}:9: status:")


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_real_facts_check_clean() -> None:
    result = run(["generator", "check"], cwd=ROOT)
    assert result.returncode == 0, result.stdout
    facts = check_facts(ROOT / "facts")
    def count(number: int, noun: str) -> str:
        return f"{number} {noun}" if number == 1 else f"{number} {noun}s"

    assert (f"{count(len(facts.claims), 'claim')}, {count(len(facts.places), 'place')}, "
            f"{count(len(facts.verdicts), 'verdict')}: all valid") in result.stdout


def test_generated_front_matter_is_yaml(built: Path) -> None:
    for page in (built / ".cache" / "factcheck" / "pages").rglob("*.md"):
        text = page.read_text()
        assert text.startswith("---\n")
        yaml.safe_load(text.split("---\n")[1])


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, text: str, seconds: float = 60) -> str:
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode()
            if text in body:
                return body
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {text!r}")


def test_serve_shows_fact_edits_live_and_survives_a_bad_fact(site: Path) -> None:
    import os
    import subprocess
    import sys

    # A theme override too: its edits show live (the session keeps compiled theme templates
    # only while their source is unchanged).
    overrides = site / "overrides" / "partials"
    overrides.mkdir(parents=True)
    (overrides / "copyright.html").write_text("<span>Footer mark one</span>\n")
    # And a page template of the site's own, edited while serving.
    ours = (ROOT / "generator" / "templates" / "claim.html.j2").read_text()
    heading = '<h2>{{ t("what_we_found") }}</h2>'
    assert heading in ours
    (site / "templates").mkdir()
    (site / "templates" / "claim.html.j2").write_text(ours.replace(heading, "<h2>Findings, first words</h2>"))
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("theme:\n", "theme:\n  custom_dir: overrides\n", 1))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--watch-theme", "-a", f"127.0.0.1:{port}"],
        cwd=site, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    claim_id = CLAIM_IDS[0]
    url = f"http://127.0.0.1:{port}/claims/{claim_id}/"
    claim = site / "facts" / "claims" / f"{claim_id}.yaml"
    original = claim.read_text()
    lines = original.splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("status:"))
    broken = "\n".join(lines[:number] + ["status: mostly"] + lines[number + 1:]) + "\n"
    first_words = max(re.findall(r"[A-Za-z]{4,}", yaml.safe_load(original)["claim"]), key=len)
    summary_line = next(i for i, line in enumerate(lines) if line.startswith("summary:"))

    def with_summary(prefix: str) -> str:
        """The claim with its one-line summary rewritten as a quoted string that starts with prefix."""
        summary = yaml.safe_load(original)["summary"]
        edited = lines[:summary_line] + [f"summary: {json.dumps(prefix + summary, ensure_ascii=False)}"]
        return "\n".join(edited + lines[summary_line + 1:]) + "\n"

    try:
        _wait_for(url, first_words)
        claim.write_text(with_summary("Edited live. "))
        _wait_for(url, "Edited live.")
        assert "Footer mark one" in _wait_for(url, "Edited live.")
        (overrides / "copyright.html").write_text("<span>Footer mark two</span>\n")
        _wait_for(url, "Footer mark two")
        _wait_for(url, "Findings, first words")
        (site / "templates" / "claim.html.j2").write_text(ours.replace(heading, "<h2>Findings, second words</h2>"))
        _wait_for(url, "Findings, second words")
        claim.write_text(broken)
        import time

        time.sleep(3)
        assert server.poll() is None, "serve stopped on a bad fact"
        claim.write_text(with_summary("Fixed again. "))
        _wait_for(url, "Fixed again.")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"facts/claims/{claim_id}.yaml:{number + 1}:9: status: 'mostly' is not a verdict" in output
    assert "Traceback" not in output


def test_methodology_shows_the_verdict_scale_from_the_facts(built: Path) -> None:
    html = (built / "out" / "methodology" / "index.html").read_text()
    assert "factcheck:verdicts" not in html
    facts = check_facts(built / "facts")
    for verdict in facts.verdicts:
        assert f"</span>{verdict.label}</span>" in html, verdict.label
    assert f'href="../verdicts/#{facts.verdicts[-1].id}"' in html
