"""Published facts are permanent: `check --since REF` against hostile and careless pull requests,
the withdrawn state, redirects from old ids, and dated change notes on the verdict scale.

Each scenario edits the fixture facts in a scratch repository (the `repo` fixture commits them)
the way a contributor would, then runs the command as CI does."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.build import build_pages
from generator.cli import main
from generator.options import SiteOptions
from generator.validate import validate_facts
from generator.load import load_facts

from .conftest import build_in_process, git, open_page, run, serve_folder

SCHEMA_LINE = "# yaml-language-server: $schema=../../../../generator/schemas/claim.schema.json\n"
STATUS_CHANGED = ("status: changed from 'true' to 'misleading' since HEAD without a new corrections entry; "
                  "add one (date, note) saying what changed and why")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def since(ref: str = "HEAD"):
    return invoke("check", "--since", ref)


def lines(result) -> list[str]:
    return result.stdout.splitlines()


def commit(repo: Path, message: str = "edit") -> None:
    git("add", "-A", cwd=repo)
    git("commit", "-qm", message, cwd=repo)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def claim(repo: Path, name: str) -> Path:
    return repo / "facts" / "claims" / f"{name}.yaml"


def restyle(path: Path, target: Path, **changes) -> None:
    """Rewrite a claim in another YAML style (every value quoted, keys sorted, lines folded) with
    some fields changed, as a contributor's editor or a hostile pull request might."""
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not None}
    text = yaml.safe_dump(data, sort_keys=True, width=36, default_style='"', allow_unicode=True)
    path.unlink()
    target.write_text(SCHEMA_LINE + text)


def withdraw(path: Path, day: str, note: str) -> None:
    edit(path, "reviewed: 2021-05-06\n", f"reviewed: 2021-05-06\nwithdrawn: {day}\n")
    text = path.read_text()
    entry = f"  - date: {day}\n    note: {note}\n"
    path.write_text(text + entry if "corrections:\n" in text else text + "corrections:\n" + entry)


# --- a published claim never vanishes ------------------------------------------------------------

def test_a_deleted_claim_fails_since_its_page_would_vanish(repo: Path) -> None:
    git("rm", "-q", str(claim(repo, "most-engineers")), cwd=repo)
    commit(repo, "delete a claim")

    result = since("HEAD~1")

    assert result.exit_code == 1, result.output
    assert lines(result) == [
        "facts/claims/most-engineers.yaml:1:1: id: claim 'most-engineers' was published at HEAD~1 and is gone: "
        "its page and every link to it would break. Keep the file and withdraw the claim (withdrawn: "
        "YYYY-MM-DD and a corrections entry of that date saying why), or list 'most-engineers' in the "
        "previous_ids of the claim that replaces it"
    ]


def test_a_withdrawn_claim_keeps_its_page_and_passes(repo: Path) -> None:
    withdraw(claim(repo, "most-engineers"), "2021-07-01", "The statistics office withdrew its ranking.")
    result = since()
    assert result.exit_code == 0, result.output


def test_withdrawn_needs_a_correction_of_that_date(facts: Path) -> None:
    path = facts / "claims" / "factory-coming.yaml"
    edit(path, "reviewed: 2021-05-06\n", "reviewed: 2021-05-06\nwithdrawn: 2021-07-01\n")
    result = invoke("check")
    assert result.exit_code == 1
    assert lines(result) == [
        "facts/claims/factory-coming.yaml:23:12: withdrawn: has no corrections entry dated 2021-07-01; add one "
        "(date: 2021-07-01, note) saying why the claim was withdrawn: readers see it on the claim's page and "
        "in the feed"
    ]


@pytest.mark.parametrize("day,message", [
    ("2021-05-01", "2021-05-01 is before the claim's reviewed date (2021-05-06); a claim is withdrawn after it "
                   "is published"),
    ("2999-01-01", "2999-01-01 is in the future (today is {today})"),
])
def test_withdrawn_date_lies_between_review_and_today(facts: Path, day: str, message: str) -> None:
    path = facts / "claims" / "factory-coming.yaml"
    edit(path, "reviewed: 2021-05-06\n", f"reviewed: 2021-05-06\nwithdrawn: {day}\n")
    # The correction saying why has the same date; it is refused on its own for being early or future.
    path.write_text(path.read_text() + f"corrections:\n  - date: {day}\n    note: Withdrawn.\n")
    result = invoke("check")
    assert result.exit_code == 1
    assert f"facts/claims/factory-coming.yaml:23:12: withdrawn: {message.format(today=dt.date.today())}" \
        in lines(result)


def test_a_withdrawal_needs_a_new_correction_not_an_old_one(repo: Path) -> None:
    # most-engineers was corrected on 2021-06-01; withdrawing it "on" that date reuses the old note.
    edit(claim(repo, "most-engineers"), "reviewed: 2021-05-06\n", "reviewed: 2021-05-06\nwithdrawn: 2021-06-01\n")
    result = since()
    assert result.exit_code == 1
    assert lines(result) == [
        "facts/claims/most-engineers.yaml:19:12: withdrawn: withdrawn since HEAD without a new corrections "
        "entry of that date; add one (note: why) and date both the day of the withdrawal (on or after "
        "2021-06-01), for its page and the feed"
    ]


def test_a_withdrawal_is_final_unless_corrected(repo: Path) -> None:
    path = claim(repo, "most-engineers")
    withdraw(path, "2021-07-01", "The ranking was withdrawn.")
    commit(repo, "withdraw")
    edit(path, "withdrawn: 2021-07-01\n", "withdrawn: 2021-08-01\n")
    path.write_text(path.read_text() + "  - date: 2021-08-01\n    note: Withdrawn again.\n")
    assert lines(since())[0].endswith("withdrawn: was 2021-07-01 at HEAD; the date of a withdrawal is published "
                                      "and stays")
    path.write_text(path.read_text().replace("withdrawn: 2021-08-01\n", "").replace(
        "  - date: 2021-08-01\n    note: Withdrawn again.\n", ""))
    result = since()
    assert result.exit_code == 1
    assert lines(result) == [
        "facts/claims/most-engineers.yaml:2:1: withdrawn: the claim was withdrawn on 2021-07-01 at HEAD and is "
        "no longer; reinstating it needs a new corrections entry (date, note) saying why"
    ]
    path.write_text(path.read_text() + "  - date: 2021-08-02\n    note: Reinstated; the ranking was republished.\n")
    assert since().exit_code == 0


def test_a_withdrawn_claim_cannot_be_deleted_later(repo: Path) -> None:
    withdraw(claim(repo, "most-engineers"), "2021-07-01", "The ranking was withdrawn.")
    commit(repo, "withdraw")
    claim(repo, "most-engineers").unlink()
    assert "claim 'most-engineers' was published at HEAD and is gone" in since().stdout


# --- ids: renames are declared, and old addresses redirect ----------------------------------------

def test_rename_restyle_and_flip_is_matched_by_content(repo: Path) -> None:
    restyle(claim(repo, "factory-coming"), claim(repo, "widget-plant"), id="widget-plant", status="false")
    commit(repo, "rename, restyle, flip")
    # git no longer pairs the two files: the old check followed renames and saw nothing.
    shown = subprocess.run(["git", "diff", "-M", "--name-status", "HEAD~1", "HEAD"], cwd=repo, capture_output=True,
                           text=True, check=True).stdout.split()
    assert shown[0] == "D" and "R" not in "".join(shown[::2])

    result = since("HEAD~1")

    assert result.exit_code == 1
    assert [line.split(": ", 2)[1] for line in lines(result)] == ["id", "status"]
    assert ("id: matches claim 'factory-coming' published at HEAD~1 (same quote), whose page is gone: if this is "
            "that claim, add previous_ids: [factory-coming] so its old address redirects here") in result.stdout
    assert ("status: 'False' (1 on a scale from 1 (False) to 5 (True)) differs from 'True' (5 on a scale from 1 (False) to 5 (True)), the verdict of "
            "claim 'factory-coming' at HEAD~1 (same quote); add a corrections entry (date: on or after "
            "2021-06-01, note) saying why the verdict differs") in result.stdout


def test_a_declared_rename_still_needs_a_correction_for_the_flip(repo: Path) -> None:
    restyle(claim(repo, "factory-coming"), claim(repo, "widget-plant"), id="widget-plant", status="false",
            previous_ids=["factory-coming"])
    result = since()
    assert result.exit_code == 1
    assert [line.split(": ", 2)[1:] for line in lines(result)] == [[
        "status", "changed from 'true' to 'false' since HEAD (when it was claim 'factory-coming') without a new "
                  "corrections entry; add one (date, note) saying what changed and why"]]
    restyle(claim(repo, "widget-plant"), claim(repo, "widget-plant"),
            corrections=[{"date": "2021-07-01", "note": "Rated false: the shortlist had one town."}])
    assert since().exit_code == 0, since().output


def test_a_claim_re_added_under_a_new_id_with_another_verdict_fails(repo: Path) -> None:
    old = claim(repo, "factory-coming")
    git("rm", "-q", str(old), cwd=repo)
    commit(repo, "delete")
    # Back a commit later: a new id, a new quote, the same claim sentence, another verdict.
    text = subprocess.run(["git", "show", "HEAD~1:facts/claims/factory-coming.yaml"], cwd=repo, capture_output=True,
                          text=True, check=True).stdout
    new = claim(repo, "factory-shortlist")
    new.write_text(text.replace("id: factory-coming", "id: factory-shortlist")
                   .replace("quote: two towns are competing for a widget factory", "quote: two towns compete")
                   .replace("status: true", "status: misleading"))
    commit(repo, "re-add")

    result = since("HEAD~2")

    assert result.exit_code == 1
    assert [line.split(": ", 2)[1] for line in lines(result)] == ["id", "status"]
    assert ("id: matches claim 'factory-coming' published at HEAD~2 (same claim sentence), whose page is gone"
            in result.stdout)


def test_an_undeclared_rename_fails_even_with_the_same_verdict(repo: Path) -> None:
    path = claim(repo, "most-engineers")
    git("mv", str(path), str(claim(repo, "engineers")), cwd=repo)
    edit(claim(repo, "engineers"), "id: most-engineers", "id: engineers")
    result = since()
    assert result.exit_code == 1
    assert lines(result) == [
        "facts/claims/engineers.yaml:2:5: id: matches claim 'most-engineers' published at HEAD (same quote), whose "
        "page is gone: if this is that claim, add previous_ids: [most-engineers] so its old address redirects "
        "here; if not, keep 'most-engineers' and withdraw it"
    ]
    edit(claim(repo, "engineers"), "id: engineers\n", "id: engineers\nprevious_ids: [most-engineers]\n")
    assert since().exit_code == 0


def test_an_old_address_keeps_redirecting(repo: Path) -> None:
    path = claim(repo, "most-engineers")
    git("mv", str(path), str(claim(repo, "engineers")), cwd=repo)
    edit(claim(repo, "engineers"), "id: most-engineers\n", "id: engineers\nprevious_ids: [most-engineers]\n")
    commit(repo, "rename")
    git("mv", str(claim(repo, "engineers")), str(claim(repo, "engineer-count")), cwd=repo)
    edit(claim(repo, "engineer-count"), "id: engineers\nprevious_ids: [most-engineers]\n",
         "id: engineer-count\nprevious_ids: [engineers]\n")

    result = since()

    assert lines(result) == [
        "facts/claims/engineer-count.yaml:3:15: previous_ids: 'most-engineers' led to this claim's page at HEAD "
        "(a previous id of 'engineers'); keep it in previous_ids so that old address still leads here"
    ]


def test_swapping_two_claims_ids_fails(repo: Path) -> None:
    first, second = claim(repo, "factory-coming"), claim(repo, "most-engineers")
    a, b = first.read_text(), second.read_text()
    first.write_text(b.replace("id: most-engineers", "id: factory-coming").replace("position: 2", "position: 1"))
    second.write_text(a.replace("id: factory-coming", "id: most-engineers").replace("position: 1", "position: 2"))

    result = since()

    assert result.exit_code == 1
    fields = [line.split(": ", 2)[0].rsplit(":", 2)[0] + " " + line.split(": ", 2)[1] for line in lines(result)]
    # The correction that came along with most-engineers' text is not a new one for factory-coming.
    assert fields == [
        "facts/claims/factory-coming.yaml claim", "facts/claims/factory-coming.yaml quote",
        "facts/claims/factory-coming.yaml status", "facts/claims/factory-coming.yaml corrections[0]",
        "facts/claims/most-engineers.yaml corrections", "facts/claims/most-engineers.yaml claim",
        "facts/claims/most-engineers.yaml quote", "facts/claims/most-engineers.yaml status",
    ]
    assert ("factory-coming.yaml:20:5: corrections[0]: has the date and note of a correction published at HEAD on "
            "claim 'most-engineers'; a new correction says what changed on this claim") in result.stdout


def test_changing_the_claim_or_quote_needs_a_correction(repo: Path) -> None:
    # The verdict stays, but what it rates is now the opposite claim.
    path = claim(repo, "factory-coming")
    edit(path, "claim: A widget factory will be built in one of two towns.",
         "claim: No widget factory will be built in either town.")
    edit(path, "quote: two towns are competing for a widget factory", "quote: no town is competing")
    result = since()
    assert result.exit_code == 1
    assert [line.split(": ", 2)[1] for line in lines(result)] == ["claim", "quote"]
    path.write_text(path.read_text() + "corrections:\n  - date: 2021-07-01\n    note: The claim was misquoted.\n")
    assert since().exit_code == 0
    assert since().exit_code == 0


def test_restyling_a_claim_changes_nothing(repo: Path) -> None:
    restyle(claim(repo, "most-engineers"), claim(repo, "most-engineers"))
    edit(claim(repo, "most-engineers"), '"position": !!int "2"', '"position": 2')
    assert since().exit_code == 0, since().output


def test_a_new_claim_rating_a_published_quote_differently_needs_a_correction(repo: Path) -> None:
    # Split: the published claim stays as it was; a new one rates the same words the other way.
    text = claim(repo, "factory-coming").read_text()
    claim(repo, "factory-doubt").write_text(
        text.replace("id: factory-coming", "id: factory-doubt").replace("position: 1", "position: 3")
        .replace("claim: A widget factory will be built in one of two towns.",
                 "claim: Both towns still want the widget factory.").replace("status: true", "status: unproven"))

    result = since()

    assert result.exit_code == 1
    assert lines(result) == [
        "facts/claims/factory-doubt.yaml:7:9: status: 'Unproven' (3 on a scale from 1 (False) to 5 (True)) differs from 'True' "
        "(5 on a scale from 1 (False) to 5 (True)), the verdict of claim 'factory-coming' at HEAD (same quote); add a corrections "
        "entry (date: on or after 2021-06-01, note) saying why the verdict differs"
    ]


def test_a_new_claim_with_a_published_quote_and_the_same_verdict_passes(repo: Path) -> None:
    text = claim(repo, "factory-coming").read_text()
    claim(repo, "factory-towns").write_text(
        text.replace("id: factory-coming", "id: factory-towns").replace("position: 1", "position: 3")
        .replace("claim: A widget factory will be built in one of two towns.", "claim: Two towns were shortlisted."))
    assert since().exit_code == 0


def test_a_withdrawal_keeps_the_last_verdict(repo: Path) -> None:
    path = claim(repo, "factory-coming")
    withdraw(path, "2021-07-01", "The shortlist was never confirmed.")
    edit(path, "status: true", "status: \"false\"")
    assert lines(since()) == [
        "facts/claims/factory-coming.yaml:7:9: status: changed from 'true' to 'false' since HEAD, but a withdrawn "
        "claim keeps the verdict it was published with; set it back to 'true'"
    ]


def test_a_retargeted_claims_folder_is_compared_with_what_it_held(repo: Path) -> None:
    # facts/claims is a link to a hidden folder; the pull request points it at a copy whose
    # verdict differs.
    facts = repo / "facts"
    (facts / "claims").rename(facts / ".claims-a")
    (facts / "claims").symlink_to(".claims-a")
    commit(repo, "claims behind a link")
    subprocess.run(["cp", "-r", str(facts / ".claims-a"), str(facts / ".claims-b")], check=True)
    edit(facts / ".claims-b" / "factory-coming.yaml", "status: true", "status: misleading")
    (facts / "claims").unlink()
    (facts / "claims").symlink_to(".claims-b")
    assert lines(since()) == [f"facts/claims/factory-coming.yaml:7:9: {STATUS_CHANGED}"]


def test_a_claim_behind_a_symbolic_link_is_compared_with_its_target(repo: Path) -> None:
    # The claim file links to a hidden file that load never lists; editing the hidden file
    # changes the published claim.
    path = claim(repo, "factory-coming")
    hidden = path.with_name(".factory-coming.yaml")
    path.rename(hidden)
    path.symlink_to(hidden.name)
    commit(repo, "link")
    edit(hidden, "status: true", "status: misleading")

    result = since()

    assert result.exit_code == 1
    assert lines(result) == [f"facts/claims/factory-coming.yaml:7:9: {STATUS_CHANGED}"]


def test_an_untracked_rename_is_seen(repo: Path) -> None:
    claim(repo, "most-engineers").rename(claim(repo, "engineers"))
    edit(claim(repo, "engineers"), "id: most-engineers", "id: engineers")
    assert "add previous_ids: [most-engineers]" in since().stdout


def test_previous_ids_cannot_take_a_current_id(facts: Path) -> None:
    path = facts / "claims" / "most-engineers.yaml"
    edit(path, "id: most-engineers\n", "id: most-engineers\nprevious_ids: [factory-coming, most-engineers]\n")
    result = invoke("check")
    assert lines(result) == [
        "facts/claims/most-engineers.yaml:3:16: previous_ids[0]: 'factory-coming' is the id of "
        "facts/claims/factory-coming.yaml; an old id redirects here, so it cannot also be a claim of its own",
        "facts/claims/most-engineers.yaml:3:32: previous_ids[1]: 'most-engineers' is this claim's own id; "
        "list only ids it had before",
    ]


def test_a_renamed_place_needs_previous_ids(repo: Path) -> None:
    places = repo / "facts" / "places"
    git("mv", str(places / "southtown.yaml"), str(places / "south-town.yaml"), cwd=repo)
    edit(claim(repo, "factory-coming"), "places: [northtown, southtown]", "places: [northtown, south-town]")
    result = since()
    assert lines(result) == [
        "facts/places/south-town.yaml:2:1: previous_ids: has the name of place 'southtown', published at HEAD, "
        "whose page is gone: if this is that place, add previous_ids: [southtown] so its old address redirects "
        "here"
    ]
    edit(places / "south-town.yaml", "name: Southtown\n", "name: Southtown\nprevious_ids: [southtown]\n")
    assert since().exit_code == 0


def test_a_deleted_place_fails(repo: Path) -> None:
    (repo / "facts" / "places" / "southtown.yaml").unlink()
    edit(claim(repo, "factory-coming"), "places: [northtown, southtown]", "places: [northtown]")
    assert lines(since()) == [
        "facts/places/southtown.yaml:1:1: previous_ids: place 'southtown' was published at HEAD and is gone: its "
        "page and every link to it would break; keep the file, or list 'southtown' in the previous_ids of the "
        "place that replaces it (its address then redirects there)"
    ]


# --- corrections: new, well dated, never removed ---------------------------------------------------

def test_a_correction_dated_2000_01_01_fails(repo: Path) -> None:
    path = claim(repo, "most-engineers")
    edit(path, "status: misleading", "status: \"false\"")
    edit(path, "corrections:\n", "corrections:\n  - date: 2000-01-01\n    note: Back to false.\n")
    assert lines(since()) == [
        "facts/claims/most-engineers.yaml:7:9: status: changed from 'misleading' to 'false' since HEAD without a "
        "new corrections entry; add one (date, note) saying what changed and why",
        "facts/claims/most-engineers.yaml:20:11: corrections[0].date: 2000-01-01 is before the newest change "
        "published at HEAD (2021-06-01); date a new correction the day it is made, so it heads the feed and "
        "\"Recently updated\"",
    ]


def test_a_claim_reviewed_again_keeps_its_earlier_corrections(repo: Path) -> None:
    """A whole new review moves `reviewed` on; the corrections made before it stay as they were."""
    path = claim(repo, "most-engineers")
    edit(path, "reviewed: 2021-05-06", "reviewed: 2022-01-01")
    assert invoke("check").exit_code == 0
    assert since().exit_code == 0


def test_a_new_correction_dated_before_the_newest_published_change_fails(repo: Path) -> None:
    # After factory-coming's review, before most-engineers' correction of 2021-06-01: the feed,
    # newest first, would list it below changes readers have already seen.
    path = claim(repo, "factory-coming")
    edit(path, "status: true", "status: misleading")
    path.write_text(path.read_text() + "corrections:\n  - date: 2021-05-20\n    note: Misleading.\n")
    result = since()
    assert lines(result) == [
        f"facts/claims/factory-coming.yaml:7:9: {STATUS_CHANGED}",
        "facts/claims/factory-coming.yaml:24:11: corrections[0].date: 2021-05-20 is before the newest change "
        "published at HEAD (2021-06-01); date a new correction the day it is made, so it heads the feed and "
        "\"Recently updated\"",
    ]
    edit(path, "date: 2021-05-20", "date: 2021-06-01")
    assert since().exit_code == 0


def test_a_removed_or_rewritten_correction_fails(repo: Path) -> None:
    path = claim(repo, "most-engineers")
    edit(path, "note: Verdict changed from False to Misleading", "note: Verdict confirmed")
    result = since()
    assert lines(result) == [
        "facts/claims/most-engineers.yaml:20:3: corrections: the correction of 2021-06-01 published at HEAD "
        "('Verdict changed from False to Misleading after the 2020 f...') was removed or changed; corrections are "
        "never removed or rewritten: restore it and add a new one"
    ]


def test_a_correction_in_the_future_does_not_count(repo: Path) -> None:
    path = claim(repo, "factory-coming")
    edit(path, "status: true", "status: misleading")
    path.write_text(path.read_text() + "corrections:\n  - date: 2999-01-01\n    note: Misleading.\n")
    result = since()
    assert "corrections[0].date: 2999-01-01 is in the future" in result.stdout


# --- the verdict scale ---------------------------------------------------------------------------------

def swap_true_and_false(path: Path) -> None:
    data = path.read_text()
    data = data.replace('label: "True"', "label: SWAP").replace('label: "False"', 'label: "True"')
    data = data.replace("label: SWAP", 'label: "False"')
    data = data.replace("rating_value: 5", "rating_value: SWAP").replace("rating_value: 1\n", "rating_value: 5\n")
    path.write_text(data.replace("rating_value: SWAP", "rating_value: 1"))


def test_swapping_true_and_false_on_the_scale_fails(repo: Path) -> None:
    swap_true_and_false(repo / "facts" / "verdicts.yaml")
    result = since()
    assert result.exit_code == 1
    assert lines(result) == [
        "facts/verdicts.yaml:6:12: verdicts[0].label: changes the verdict shown on 1 published claim since HEAD "
        "('factory-coming') from 'True' (5 on a scale from 1 (False) to 5 (True)) to 'False' (1 on a scale from 1 (False) to 5 (True)); add a change "
        "note under `changes` (date: on or after 2021-06-01, note: what changed and why, verdicts: [true]), "
        "shown with the scale"
    ]


def test_a_scale_change_with_a_change_note_passes_and_is_published(repo: Path) -> None:
    verdicts = repo / "facts" / "verdicts.yaml"
    swap_true_and_false(verdicts)
    verdicts.write_text(verdicts.read_text() + "changes:\n  - date: 2021-07-01\n    note: True and False were "
                        "swapped by mistake in the scale; every claim keeps its rating.\n    verdicts: [\"true\"]\n")
    assert since().exit_code == 0, since().output
    _, _, files = build_pages(repo / "facts", SiteOptions(site_url="https://example.org/"))
    assert json.loads(files["facts.json"])["verdict_changes"] == [
        {"date": "2021-07-01", "note": "True and False were swapped by mistake in the scale; every claim keeps "
                                       "its rating.", "verdicts": ["true"]}]
    assert "<title>Our verdict scale changed</title>" in files["feed.xml"]
    assert "<id>https://example.org/verdicts/#scale-change-1</id>" in files["feed.xml"]


def test_swapping_verdict_ids_on_the_scale_fails(repo: Path) -> None:
    # The claims' files are untouched; what their status points at is not.
    verdicts = repo / "facts" / "verdicts.yaml"
    edit(verdicts, 'id: "true"', "id: SWAP")
    edit(verdicts, 'id: "false"', 'id: "true"')
    edit(verdicts, "id: SWAP", 'id: "false"')
    assert [line.split(": ", 2)[1] for line in lines(since())] == ["verdicts[4].label", "verdicts[4].description"]


def test_a_change_note_does_not_excuse_a_claims_own_new_verdict(repo: Path) -> None:
    verdicts = repo / "facts" / "verdicts.yaml"
    verdicts.write_text(verdicts.read_text() + "changes:\n  - date: 2021-07-01\n    note: Misleading clarified.\n"
                        "    verdicts: [misleading]\n")
    edit(claim(repo, "factory-coming"), "status: true", "status: misleading")
    assert lines(since()) == [f"facts/claims/factory-coming.yaml:7:9: {STATUS_CHANGED}"]


def test_a_change_note_dated_before_the_claims_it_covers_fails(repo: Path) -> None:
    verdicts = repo / "facts" / "verdicts.yaml"
    swap_true_and_false(verdicts)
    verdicts.write_text(verdicts.read_text() + "changes:\n  - date: 2000-01-01\n    note: Swapped.\n"
                        "    verdicts: [\"true\"]\n")
    assert "changes the verdict shown on 1 published claim" in since().stdout


def test_a_verdict_tied_with_an_end_of_the_scale_changes_what_rated_claims_show(repo: Path) -> None:
    """A new verdict rated like the top one renames the top of the scale on every rated claim page
    ("from 1 (False) to 5 (Not yet checked)"), though no claim's own verdict changed."""
    verdicts = repo / "facts" / "verdicts.yaml"
    text = verdicts.read_text()
    at = text.index("  - id: mostly-true")
    verdicts.write_text(text[:at] + "  - id: unchecked\n    label: Not yet checked\n    description: Not checked.\n"
                        "    rating_value: 5\n" + text[at:])
    result = since()
    assert result.exit_code == 1
    assert "to 5 (Not yet checked))" in result.stdout


def test_a_claim_moved_to_a_verdict_of_the_same_label_but_another_meaning_needs_a_correction(repo: Path) -> None:
    verdicts = repo / "facts" / "verdicts.yaml"
    text = verdicts.read_text()
    at = text.index("  - id: mostly-true")
    verdicts.write_text(text[:at] + "  - id: true-but\n    label: \"True\"\n    description: The record contradicts "
                        "it, but the wording is literally true.\n    rating_value: 5\n" + text[at:])
    edit(claim(repo, "factory-coming"), "status: true", "status: true-but")
    result = since()
    assert result.exit_code == 1 and "factory-coming.yaml:7:9: status:" in result.stdout, result.stdout


@pytest.mark.parametrize("before,after", [
    ("A widget factory will be built", "A WIDGET FACTORY WILL BE BUILT"),
    ("one of two towns", "one of ２ towns"),
])
def test_a_claim_reworded_only_in_case_or_by_a_lookalike_needs_a_correction(repo: Path, before: str,
                                                                            after: str) -> None:
    edit(claim(repo, "factory-coming"), before, after)
    result = since()
    assert result.exit_code == 1 and "claim: changed since HEAD without a new corrections entry" in result.stdout


def test_two_claims_merged_into_one_pass_with_a_correction(repo: Path) -> None:
    """The methodology merges two claims that rate the same thing and says so in a correction:
    the one that stays keeps both claims' corrections and the other's address."""
    keep, merged = claim(repo, "most-engineers"), claim(repo, "factory-coming")
    data = yaml.safe_load(keep.read_text())
    gone = yaml.safe_load(merged.read_text())
    data["previous_ids"] = ["factory-coming"]
    data["corrections"] = [*(data.get("corrections") or ()), *(gone.get("corrections") or ()),
                           {"date": dt.date.today().isoformat(), "note": "Merged with the factory claim."}]
    keep.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    merged.unlink()
    timeline = repo / "facts" / "timeline.yaml"
    timeline.write_text(timeline.read_text().replace("factory-coming", "most-engineers"))
    result = since()
    assert result.exit_code == 0, result.stdout


def test_a_correction_dated_today_in_the_editors_time_zone_is_not_in_the_future(repo: Path) -> None:
    from generator.validate import today_anywhere

    ahead = today_anywhere()
    path = claim(repo, "factory-coming")
    edit(path, "status: true", "status: misleading")
    path.write_text(path.read_text() + f"corrections:\n  - date: {ahead.isoformat()}\n    note: Misleading.\n")
    assert invoke("check").exit_code == 0
    assert since().exit_code == 0


def test_an_empty_ref_is_refused_not_compared_with_nothing(repo: Path) -> None:
    result = invoke("check", "--since", "")
    assert result.exit_code == 2 and "--since needs a git ref" in result.output


def test_a_new_verdict_at_the_top_changes_every_rated_claim(repo: Path) -> None:
    verdicts = repo / "facts" / "verdicts.yaml"
    edit(verdicts, "verdicts:\n", "verdicts:\n  - id: proven\n    label: Proven\n    description: Proven.\n"
                                  "    rating_value: 6\n")
    result = since()
    # ClaimReview's bestRating changes from 5 to 6 for every claim on the true-false line.
    assert [line.split(": ", 2)[1] for line in lines(result)] == ["verdicts[1]", "verdicts[3]"]
    assert ("from 'True' (5 on a scale from 1 (False) to 5 (True)) to 'True' (5 on a scale from 1 (False) to "
            "6 (Proven))") in result.stdout


def test_renaming_a_verdict_id_keeps_what_readers_see(repo: Path) -> None:
    edit(repo / "facts" / "verdicts.yaml", "id: misleading", "id: misleads")
    edit(claim(repo, "most-engineers"), "status: misleading", "status: misleads")
    assert since().exit_code == 0, since().output


def test_a_verdicts_meaning_needs_a_change_note(repo: Path) -> None:
    edit(repo / "facts" / "verdicts.yaml", "description: The record contradicts it.",
         "description: The record supports it.")
    edit(repo / "facts" / "verdicts.yaml", "description: Accurate as worded; the record supports it.",
         "description: The record contradicts it.")
    result = since()
    assert lines(result) == [
        "facts/verdicts.yaml:7:18: verdicts[0].description: changed since HEAD, and published claims carry the "
        "verdict 'true': what it means changed for them; add a change note under `changes` (date, note: what "
        "changed and why, verdicts: [true]), shown with the scale"
    ]


def test_a_published_change_note_stays(repo: Path) -> None:
    verdicts = repo / "facts" / "verdicts.yaml"
    verdicts.write_text(verdicts.read_text() + "changes:\n  - date: 2021-07-01\n    note: Opinion added.\n"
                        "    verdicts: [opinion]\n")
    commit(repo, "note")
    # A new note goes at the end: one put first would renumber the published ones.
    edit(verdicts, "changes:\n", "changes:\n  - date: 2021-07-02\n    note: Outdated added.\n    verdicts: [outdated]\n")
    assert "changes[0]: the change note of 2021-07-01 published at HEAD as note 1 was moved" in since().stdout
    edit(verdicts, "  - date: 2021-07-02\n    note: Outdated added.\n    verdicts: [outdated]\n", "")
    verdicts.write_text(verdicts.read_text() + "  - date: 2021-07-02\n    note: Outdated added.\n    verdicts: [outdated]\n")
    assert since().exit_code == 0, since().output
    edit(verdicts, "note: Opinion added.", "note: Nothing changed.")
    assert lines(since()) == [
        "facts/verdicts.yaml:41:5: changes[0]: the change note of 2021-07-01 published at HEAD as note 1 was "
        "moved, changed or removed; notes on the scale stay as they were: restore it, and add new notes at the end"
    ]


# --- what the site shows -------------------------------------------------------------------------------

OPTIONS = SiteOptions(site_url="https://example.org/site/", repo_url="https://github.com/example/facts")


def test_a_withdrawn_claim_keeps_its_page_data_and_feed_entry(facts: Path) -> None:
    withdraw(facts / "claims" / "most-engineers.yaml", "2021-07-01", "The statistics office withdrew its ranking.")
    _, pages, files = build_pages(facts, OPTIONS)
    page = next(p.html for p in pages if p.path == "claims/most-engineers.md")
    assert ('<p class="fc-withdrawn" role="note"><strong>Withdrawn</strong> We withdrew this fact-check on 1 July '
            "2021: The statistics office withdrew its ranking. The verdict below is the last one we gave, kept for "
            "the record.</p>") in page
    assert ">Misleading</span>" in page  # the last verdict, kept
    assert "withdrawn 1 July 2021" in page
    by_path = {p.path: p.html for p in pages}
    # Counted nowhere, listed apart with its date and last verdict, its passage kept and marked.
    assert ">Misleading</span> 1</a>" not in by_path["index.md"] and "1 withdrawn</a>" in by_path["index.md"]
    assert ('<a href="../claims/most-engineers/">Northtown has the most engineers in the country.</a> '
            '<span class="fc-item__summary">withdrawn 1 July 2021; our last verdict: Misleading</span>'
            ) in by_path["verdicts/index.md"]
    assert "withdrawn 1 July 2021</span>" in by_path["article.md"]
    assert 'id="withdrawn"' in by_path["places/northtown.md"]
    claim_data = next(c for c in json.loads(files["facts.json"])["claims"] if c["id"] == "most-engineers")
    assert claim_data["withdrawn"] == "2021-07-01" and claim_data["status"] == "misleading"
    item = next(i for i in json.loads(files["claimreview.json"])["dataFeedElement"]
                if i["item"]["url"].endswith("/most-engineers/"))
    assert item["dateModified"] == "2021-07-01"
    assert item["item"]["creativeWorkStatus"] == "Withdrawn"
    assert item["item"]["correction"] == {"@type": "CorrectionComment", "datePublished": "2021-07-01",
                                          "text": "The statistics office withdrew its ranking."}
    assert item["item"]["reviewRating"]["alternateName"] == "Misleading"
    feed = files["feed.xml"]
    first = feed.index("<entry>")
    assert feed.index("<title>Withdrawn: Northtown has the most engineers in the country.</title>") > first
    assert ("<summary>Withdrawn 1 July 2021: The statistics office withdrew its ranking. Our last verdict was "
            "Misleading.</summary>") in feed
    header = files["facts.csv"].splitlines()[0].split(",")
    assert header[-5:-3] == ["previous_ids", "withdrawn"]


def test_the_model_leaves_withdrawn_claims_out_of_what_counts(facts: Path) -> None:
    withdraw(facts / "claims" / "most-engineers.yaml", "2021-07-01", "Withdrawn.")
    model = validate_facts(load_facts(facts))
    assert [c.id for c in model.current_claims] == ["factory-coming"]
    assert [c.id for c in model.withdrawn_claims] == ["most-engineers"]
    assert model.withdrawn_claims[0].withdrawal.note == "Withdrawn."
    assert model.recently_updated(1)[0].id == "most-engineers"


@pytest.mark.parametrize("directory_urls,claim_file,href,canonical", [
    (True, "claims/old-factory/index.html", "../factory-coming/", "https://example.org/site/claims/factory-coming/"),
    (False, "claims/old-factory.html", "factory-coming.html", "https://example.org/site/claims/factory-coming.html"),
])
def test_redirect_pages_for_old_ids(facts: Path, directory_urls: bool, claim_file: str, href: str,
                                    canonical: str) -> None:
    edit(facts / "claims" / "factory-coming.yaml", "id: factory-coming\n",
         "id: factory-coming\nprevious_ids: [old-factory]\n")
    edit(facts / "places" / "southtown.yaml", "name: Southtown\n", "name: Southtown\nprevious_ids: [south]\n")
    from generator.redirects import redirect_pages

    model = validate_facts(load_facts(facts))
    options = SiteOptions(site_url="https://example.org/site/", use_directory_urls=directory_urls,
                          places_folder="towns")
    pages = redirect_pages(model, options)
    assert sorted(pages) == sorted([claim_file, "towns/south/index.html" if directory_urls else "towns/south.html"])
    page = pages[claim_file]
    assert f'<meta http-equiv="refresh" content="0; url={href}">' in page
    assert f'<link rel="canonical" href="{canonical}">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert f'<p>This page has moved to <a href="{href}">A widget factory will be built in one of two towns.</a>.</p>' \
        in page
    # Without a site_url the canonical link is relative, like the others.
    bare = redirect_pages(model, SiteOptions(use_directory_urls=directory_urls))[claim_file]
    assert f'<link rel="canonical" href="{href}">' in bare


def test_redirect_text_is_escaped(facts: Path) -> None:
    path = facts / "claims" / "factory-coming.yaml"
    edit(path, "id: factory-coming\n", "id: factory-coming\nprevious_ids: [old]\n")
    edit(path, "claim: A widget factory will be built in one of two towns.",
         "claim: \"<script>alert(1)</script> & <b>\"")
    from generator.redirects import redirect_pages

    page = redirect_pages(validate_facts(load_facts(facts)), SiteOptions())["claims/old/index.html"]
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in page


def test_a_renamed_claim_and_place_redirect_in_a_real_browser(site: Path, browser) -> None:
    claim_path = site / "facts" / "claims" / "hesai-d-round.yaml"
    edit(claim_path, "id: hesai-d-round\n", "id: hesai-d-round\nprevious_ids: [hesai-series-d]\n")
    edit(site / "facts" / "places" / "wuhan.yaml", "name: Wuhan\n", "name: Wuhan\nprevious_ids: [wuhan-city]\n")
    data = yaml.safe_load(claim_path.read_text())
    withdrawn = max([dt.date.fromisoformat(str(data["reviewed"]))]
                    + [dt.date.fromisoformat(str(c["date"])) for c in data.get("corrections") or ()]).isoformat()
    data["withdrawn"] = withdrawn
    data["corrections"] = [*(data.get("corrections") or ()), {"date": withdrawn, "note": "Withdrawn for a test."}]
    claim_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    out = build_in_process(site) / "out"
    assert (out / "claims" / "hesai-series-d" / "index.html").is_file()
    assert (out / "cities" / "wuhan-city" / "index.html").is_file()
    withdrawn_page = (out / "claims" / "hesai-d-round" / "index.html").read_text()
    assert 'class="fc-withdrawn"' in withdrawn_page and "Withdrawn for a test." in withdrawn_page
    for base in serve_folder(out):
        page = open_page(browser)
        try:
            page.goto(base + "claims/hesai-series-d/")
            page.wait_for_url(base + "claims/hesai-d-round/")
            assert page.locator("h1").first.inner_text().startswith("Xiaomi led Hesai Technology's Series D")
            page.goto(base + "cities/wuhan-city/")
            page.wait_for_url(base + "cities/wuhan/")
            assert page.console_errors == [] and page.foreign_requests == []
        finally:
            page.context.close()


# --- git: asked little, and refusals are clear -------------------------------------------------------

def test_since_asks_git_three_times_however_many_claims(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import history

    for name in ("factory-coming", "most-engineers"):
        edit(claim(repo, name), "reviewed: 2021-05-06", "reviewed: 2021-05-07")
    calls: list[list[str]] = []

    class Counting(subprocess.Popen):  # subprocess.run starts its process through Popen too
        def __init__(self, args, *rest, **kwargs):
            calls.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(history.subprocess, "Popen", Counting)
    assert since().exit_code == 0
    # Where the base is, its facts (one batch), and which other files changed (for the code warnings).
    assert [c[1] for c in calls if c[0] == "git"] == ["rev-parse", "cat-file", "diff"]


def test_since_reads_a_base_version_that_is_not_utf8(repo: Path) -> None:
    path = claim(repo, "factory-coming")
    good = path.read_bytes()
    path.write_bytes(good.replace(b"both towns were", b"both towns w\xe9re"))
    commit(repo, "latin-1 byte")
    path.write_bytes(good.replace(b"status: true", b"status: misleading"))

    result = since()

    # The undecodable byte is replaced, so the old verdict is still protected.
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert lines(result) == [f"facts/claims/factory-coming.yaml:7:9: {STATUS_CHANGED}"]


def test_since_in_a_subprocess_as_ci_runs_it(repo: Path) -> None:
    claim(repo, "most-engineers").unlink()
    result = run(["generator", "check", "--format", "github", "--since", "HEAD"], cwd=repo)
    assert result.returncode == 1
    assert result.stdout.startswith("::error file=facts/claims/most-engineers.yaml,line=1,col=1::")
    assert result.stderr == "1 error in facts\n"


def test_a_first_commit_without_facts_passes(repo: Path) -> None:
    git("commit", "-q", "--allow-empty", "-m", "empty", cwd=repo)
    subprocess.run(["git", "checkout", "-q", "--orphan", "fresh"], cwd=repo, check=True)
    git("rm", "-rq", "--cached", "facts", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "no facts", cwd=repo)
    assert since().exit_code == 0, since().output


def test_since_without_git_on_path_is_a_refusal(repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-tools"
    empty.mkdir()

    result = run(["generator", "check", "--since", "HEAD"], cwd=repo, PATH=str(empty))

    assert result.returncode == 2, result.stderr
    assert result.stderr == "check --since: git was not found on PATH; --since needs git\n"


def test_since_refuses_a_ref_that_looks_like_an_option(repo: Path) -> None:
    result = invoke("check", "--since", "--output=/tmp/x")
    assert result.exit_code == 2
    assert result.stderr == "check --since: git does not know the ref '--output=/tmp/x'\n"


def test_since_outside_a_repository_is_a_refusal(facts: Path) -> None:
    result = invoke("check", "--since", "HEAD")
    assert result.exit_code == 2
    assert result.stderr.startswith("check --since: facts is not in a git repository")


def test_history_module_never_hands_git_a_path(repo: Path) -> None:
    # Names from the base's tree (which may hold newlines) never reach git's input: objects are
    # asked for by id. A claim file whose name holds a newline is simply not a fact.
    odd = repo / "facts" / "claims" / "odd\nname.yaml"
    odd.write_text("id: x\n")
    git("add", "-A", cwd=repo)
    git("commit", "-qm", "odd", cwd=repo)
    odd.unlink()
    assert since().exit_code == 0, since().output


# --- the site's config: where published pages are ----------------------------------------------

CONFIG = """site_name: Test
plugins:
  - search
  - factcheck:
      facts_dir: facts
      places_folder: towns
"""


@pytest.fixture
def site_repo(facts: Path) -> Path:
    """The fixture facts and a mkdocs.yml using the plugin, committed."""
    root = facts.parent
    (root / "mkdocs.yml").write_text(CONFIG)
    git("init", "-q", "-b", "main", cwd=root)
    git("add", "facts", "mkdocs.yml", cwd=root)
    git("commit", "-qm", "site", cwd=root)
    return root


@pytest.mark.parametrize("change,field", [
    (("      places_folder: towns\n", "      places_folder: places\n"), "places_folder"),
    (("site_name: Test\n", "site_name: Test\nuse_directory_urls: false\n"), "use_directory_urls"),
    (("  - factcheck:\n      facts_dir: facts\n      places_folder: towns\n", ""), "plugins"),
])
def test_a_config_change_that_moves_published_pages_fails(site_repo: Path, change: tuple[str, str], field: str) -> None:
    edit(site_repo / "mkdocs.yml", *change)
    result = since()
    assert result.exit_code == 1
    assert f"mkdocs.yml:" in result.stdout and f": {field}: " in result.stdout, result.stdout


def test_facts_moved_to_another_folder_are_compared_with_the_old_folder(site_repo: Path) -> None:
    git("mv", "facts", "data", cwd=site_repo)
    edit(site_repo / "mkdocs.yml", "facts_dir: facts", "facts_dir: data")
    edit(site_repo / "data" / "claims" / "factory-coming.yaml", "status: true", "status: misleading")
    result = invoke("check", "--since", "HEAD")
    assert result.exit_code == 1
    assert "data/claims/factory-coming.yaml:7:9: status: changed from 'true' to 'misleading'" in result.stdout


def test_a_copy_of_the_facts_built_instead_is_the_one_checked(site_repo: Path) -> None:
    import shutil

    shutil.copytree(site_repo / "facts", site_repo / "data")
    edit(site_repo / "mkdocs.yml", "facts_dir: facts", "facts_dir: data")
    edit(site_repo / "data" / "claims" / "factory-coming.yaml", "status: true", "status: misleading")
    result = invoke("check", "--since", "HEAD")
    assert result.exit_code == 1 and "data/claims/factory-coming.yaml" in result.stdout, result.stdout


def test_code_that_shapes_pages_changed_alongside_is_flagged_for_review(site_repo: Path) -> None:
    """Templates, theme and config are code: the corrections rule cannot judge them, so check
    --since names each changed one as a warning (a GitHub annotation) for the reviewers."""
    (site_repo / "templates").mkdir()
    (site_repo / "templates" / "claim.html.j2").write_text("<h1>{{ claim.claim }}</h1>\n")
    git("add", "templates", cwd=site_repo)
    result = invoke("check", "--since", "HEAD", "--format", "github")
    assert result.exit_code == 0
    assert "::warning file=templates/claim.html.j2,line=1,col=1::" in result.output, result.output
    assert "facts/" not in result.output


def test_what_runs_the_checks_changed_alongside_is_flagged_for_review(site_repo: Path) -> None:
    """A pull request that edits the workflows, the Makefile or the hooks could weaken the check
    that judges it: each such file is named for review, and a plain doc is not."""
    changed = [".github/workflows/pull-request.yml", ".github/actions/x/action.yml", "Makefile",
               ".pre-commit-config.yaml", "docs/notes.md"]
    for name in changed:
        (site_repo / name).parent.mkdir(parents=True, exist_ok=True)
        (site_repo / name).write_text("changed\n")
    git("add", "-A", cwd=site_repo)
    result = invoke("check", "--since", "HEAD", "--format", "github")
    assert result.exit_code == 0, result.output
    for name in changed[:-1]:
        assert f"::warning file={name},line=1,col=1::" in result.output, (name, result.output)
    assert "docs/notes.md" not in result.output
