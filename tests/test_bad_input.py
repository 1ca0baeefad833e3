"""Every kind of bad input gets one exact, located message and a non-zero exit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

from .conftest import FIXTURES

VERDICTS = "true, mostly-true, misleading, unproven, false, opinion, outdated"
WEB = "is not a web address (http:// or https:// with a host name)"

# fixture file in tests/fixtures/bad -> the exact message `check` prints for it
CASES = {
    "bad-status.yaml": f"facts/claims/bad-status.yaml:7:9: status: 'mostly' is not a verdict (expected one of {VERDICTS})",
    "unknown-place.yaml": "facts/claims/unknown-place.yaml:6:21: places[1]: 'atlantis' is not a place (expected one of northtown, southtown)",
    "id-mismatch.yaml": "facts/claims/id-mismatch.yaml:2:5: id: 'other-name' does not match the file name; expected 'id-mismatch' (or rename the file)",
    "Bad_Name.yaml": "facts/claims/Bad_Name.yaml:2:5: id: 'Bad_Name' is not a slug (lowercase letters, digits and single hyphens, e.g. my-claim-id)",
    "syntax-error.yaml": "facts/claims/syntax-error.yaml:4:6: YAML syntax error: did not find expected ',' or ']'",
    "tab-indent.yaml": "facts/claims/tab-indent.yaml:11:1: YAML syntax error: found character that cannot start any token (a tab: indent with spaces, not tabs)",
    "duplicate-key.yaml": "facts/claims/duplicate-key.yaml:19:1: status: duplicate field (first set on line 7); keep one",
    "anchor-alias.yaml": "facts/claims/anchor-alias.yaml:11:5: anchors (&first) are not allowed; write the value out",
    "alias-bomb.yaml": "facts/claims/alias-bomb.yaml:1:4: anchors (&a) are not allowed; write the value out",
    "merge-key.yaml": "facts/claims/merge-key.yaml:7:1: merge keys (<<) are not allowed; write the fields out",
    "python-tag.yaml": "facts/claims/python-tag.yaml:5:11: position: the tag '!!python/object:os.system' is not allowed; fact files use plain YAML values",
    "custom-tag.yaml": "facts/claims/custom-tag.yaml:8:10: summary: the tag '!shout' is not allowed; fact files use plain YAML values",
    "missing-field.yaml": "facts/claims/missing-field.yaml:2:1: summary: required field is missing",
    "wrong-type.yaml": "facts/claims/wrong-type.yaml:5:11: position: expected a whole number, got text 'second'",
    "empty-string.yaml": "facts/claims/empty-string.yaml:3:8: claim: must not be empty",
    "empty-sources.yaml": "facts/claims/empty-sources.yaml:10:10: sources: must not be empty",
    "not-a-date.yaml": "facts/claims/not-a-date.yaml:18:11: reviewed: '2021-02-30' is not a real date (no such day in the calendar)",
    "published-after-accessed.yaml": "facts/claims/published-after-accessed.yaml:14:16: sources[0].published: 2021-06-01 is after the date it was accessed (2021-05-05)",
    "future-date.yaml": "facts/claims/future-date.yaml:18:11: reviewed: 2999-01-01 is in the future (today is {today})",
    "javascript-url.yaml": f"facts/claims/javascript-url.yaml:13:10: sources[0].url: 'javascript:alert(1)' {WEB}",
    "relative-url.yaml": f"facts/claims/relative-url.yaml:13:10: sources[0].url: '/stats' {WEB}",
    "bad-link.yaml": f"facts/claims/bad-link.yaml:9:11: analysis: link target 'javascript:alert(1)' {WEB}",
    "bad-kind.yaml": "facts/claims/bad-kind.yaml:16:11: sources[0].kind: 'primry' is not one of primary, secondary",
    "empty.yaml": "facts/claims/empty.yaml:1:1: the file is empty; expected a mapping of fields",
    "top-level-list.yaml": "facts/claims/top-level-list.yaml:1:1: expected a mapping of fields at the top, got a list",
    "top-level-scalar.yaml": "facts/claims/top-level-scalar.yaml:1:1: expected a mapping of fields at the top, got text 'just some words'",
    "not-utf8.yaml": "facts/claims/not-utf8.yaml:8:26: is not UTF-8 text (byte 0xe9); save the file as UTF-8",
    "too-large.yaml": "facts/claims/too-large.yaml:1:1: the file is 300,670 bytes; a fact file may be at most 262,144 bytes",
    "deep-nesting.yaml": "facts/claims/deep-nesting.yaml:1:23: values are nested more than 20 levels deep",
    "control-character.yaml": "facts/claims/control-character.yaml:8:26: control character U+001F is not allowed in YAML; remove it",
    "notes.txt": "facts/claims/notes.txt:1:1: unexpected file; expected claims/<id>.yaml",
}


def check(*args: str):
    return CliRunner().invoke(main, ["check", *args])


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_fact_gets_one_located_message(facts: Path, name: str) -> None:
    import datetime as dt

    shutil.copy(FIXTURES / "bad" / name, facts / "claims" / name)
    result = check()
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [CASES[name].format(today=dt.date.today())]
    assert "Traceback" not in result.output


def test_every_bad_fixture_has_an_expected_message() -> None:
    listed = {p.name for p in (FIXTURES / "bad").iterdir()} - {"bom-crlf.yaml", "unknown-field.yaml"}
    assert listed == set(CASES)


def test_bom_and_crlf_line_endings_are_fine(facts: Path) -> None:
    shutil.copy(FIXTURES / "bad" / "bom-crlf.yaml", facts / "claims" / "bom-crlf.yaml")
    result = check()
    assert result.exit_code == 0, result.output
    assert "3 claims" in result.stdout


def test_every_error_of_a_run_is_reported(facts: Path) -> None:
    for name in ("bad-status.yaml", "javascript-url.yaml", "wrong-type.yaml"):
        shutil.copy(FIXTURES / "bad" / name, facts / "claims" / name)
    result = check()
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr.strip() == "3 errors in facts"


def test_unknown_field_suggests_the_near_miss(facts: Path) -> None:
    shutil.copy(FIXTURES / "bad" / "unknown-field.yaml", facts / "claims" / "unknown-field.yaml")
    result = check()
    assert result.stdout.splitlines() == [
        "facts/claims/unknown-field.yaml:2:1: status: required field is missing",
        "facts/claims/unknown-field.yaml:7:1: statuss: unknown field (did you mean 'status'?); expected one of "
        "id, previous_ids, claim, quote, position, places, status, summary, analysis, sources, reviewed, "
        "corrections, withdrawn, keywords, credits",
    ]


def test_plain_true_is_the_verdict_true(facts: Path) -> None:
    # `status: true` is a YAML boolean; a contributor means the verdict id "true".
    text = (facts / "claims" / "factory-coming.yaml").read_text()
    assert "status: true\n" in text
    assert check().exit_code == 0


def test_duplicate_positions_are_refused(facts: Path) -> None:
    path = facts / "claims" / "most-engineers.yaml"
    path.write_text(path.read_text().replace("position: 2", "position: 1"))
    result = check()
    assert result.stdout.splitlines() == [
        "facts/claims/most-engineers.yaml:5:11: position: 1 is also the position of claim 'factory-coming'"
    ]


def test_missing_required_file(facts: Path) -> None:
    (facts / "verdicts.yaml").unlink()
    result = check()
    assert result.exit_code == 1
    assert result.stdout.splitlines() == ["facts/verdicts.yaml:1:1: required file is missing"]


def test_symlink_outside_facts_is_refused(facts: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    shutil.copy(facts / "claims" / "most-engineers.yaml", outside)
    (facts / "claims" / "linked.yaml").symlink_to(outside)
    result = check()
    assert result.stdout.splitlines() == [
        "facts/claims/linked.yaml:1:1: is a symbolic link to a file outside the facts folder; "
        "facts must live inside it"
    ]


def test_github_format_puts_errors_on_diff_lines(facts: Path) -> None:
    shutil.copy(FIXTURES / "bad" / "bad-status.yaml", facts / "claims" / "bad-status.yaml")
    result = check("--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=facts/claims/bad-status.yaml,line=7,col=9::facts/claims/bad-status.yaml:7:9: "
        f"status: 'mostly' is not a verdict (expected one of {VERDICTS})"
    ]


def test_unexpected_file_at_the_top_says_what_is_expected(facts: Path) -> None:
    (facts / "claims.yml").write_text("id: x\n")
    result = check()
    assert result.stdout.splitlines() == [
        "facts/claims.yml:1:1: unexpected file; expected article.yaml, verdicts.yaml, timeline.yaml, "
        "places/<slug>.yaml or claims/<id>.yaml"
    ]
