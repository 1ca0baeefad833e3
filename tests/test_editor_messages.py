"""What a new site's editors meet first, from a newcomer's trial: every message says what to do,
one `check` lists every problem, and a broken file does not make others look broken."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from generator.build import build_pages
from generator.cli import main
from generator.options import SiteOptions

from .conftest import FIXTURES


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_new_help_and_a_wrong_kind_answer_without_a_traceback(facts: Path) -> None:
    result = invoke("new", "--help")
    assert result.exit_code == 0 and "[place|claim]" in result.output, result.output
    result = invoke("new", "claimz", "x")
    assert result.exit_code == 2 and "'claimz' is not one of 'place', 'claim'" in result.output
    assert "Traceback" not in result.output


def test_check_lists_example_text_and_other_errors_in_one_run(facts: Path) -> None:
    path = facts / "claims" / "factory-coming.yaml"
    data = yaml.safe_load(path.read_text())
    data["summary"] = "[FILL IN] the one-line conclusion"
    data["status"] = "no-such-verdict"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = invoke("check")
    assert result.exit_code == 1
    assert "status: 'no-such-verdict' is not a verdict" in result.output
    assert "summary: still holds the placeholder written by `new`; replace it" in result.output


def test_a_broken_claim_is_not_also_missing_where_it_is_named(facts: Path) -> None:
    path = facts / "claims" / "factory-coming.yaml"
    path.write_text(path.read_text().replace("reviewed: 2021-05-06", "reviewed: 2021-13-06"))
    result = invoke("check")
    assert result.exit_code == 1
    assert "reviewed: '2021-13-06' is not a real date" in result.output
    assert "is not a claim" not in result.output, result.output


def test_check_outside_a_site_says_where_to_run_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("check")
    assert result.exit_code == 1
    assert "facts:1:1: there is no facts folder here; run the command in the site's folder" in result.output


def test_previous_and_next_claims_are_two_links_apart() -> None:
    _, pages, _ = build_pages(FIXTURES / "facts", SiteOptions())
    page = next(p.html for p in pages if p.path == "claims/factory-coming.md")
    assert '<p class="fc-pager__next"><a href="../most-engineers/">Next: ' in page
    assert "</a></p>" in page.split('class="fc-pager__next"', 1)[1]
