"""Example text is never published: what `init` and `new` wrote and nobody replaced fails `check`
and warns in the build (so `mkdocs build --strict` and the deploy fail), named by file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main

from .conftest import build_in_process, run
from .starter_sites import fill_in_examples

EXAMPLE_TEXT = "still holds example text written by init; replace it"
EXAMPLE_ADDRESS = "is an example address (.example never leads to a real page); replace it with the real one"
_EXAMPLE_URL = re.compile(r"https?://[^/\s]+\.example(/|$)")


def command(site: Path, *args: str):
    """A command run in the site's folder, in this process (the first test runs it for real)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        return CliRunner().invoke(main, list(args))


def init(folder: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["init", str(folder), "--title", "Budget claims, checked", *args])
    assert result.exit_code == 0, result.output
    return folder


def _scalars(node: yaml.Node, field: str = ""):
    """(field, value, line, column) of every text under a composed YAML node: the quoted and
    block scalars, in which init writes every text, and the web addresses. Plain words (ids,
    verdicts, kinds, stances) name things rather than say them."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _scalars(value, f"{field}.{key.value}" if field else key.value)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _scalars(item, f"{field}[{i}]")
    elif node.tag == "tag:yaml.org,2002:str" and (node.style or _EXAMPLE_URL.match(node.value) or
                                                   node.value.startswith(("http://", "https://"))):
        yield field, node.value, node.start_mark.line + 1, node.start_mark.column + 1


def written_text(site: Path, exempt: set[str] = frozenset()) -> list[str]:
    """Every text value of the site's facts, as check would name it if it were example text: read
    with PyYAML's own marks, not the generator's. verdicts.yaml is a default scale to publish as it
    is, not an example; `exempt` holds other values the user typed."""
    lines = []
    for path in sorted((site / "facts").rglob("*.yaml")):
        shown = path.relative_to(site).as_posix()
        if path.name == "verdicts.yaml":
            continue
        for field, value, line, column in _scalars(yaml.compose(path.read_text(encoding="utf-8"))):
            if f"{shown}:{field}" in exempt:
                continue
            message = EXAMPLE_ADDRESS if _EXAMPLE_URL.match(value) else EXAMPLE_TEXT
            lines.append(f"{shown}:{line}:{column}: {field}: {message}")
    return sorted(lines)


def test_an_untouched_init_site_fails_check_naming_every_value_init_wrote(tmp_path: Path) -> None:
    site = init(tmp_path / "site")
    expected = written_text(site)
    assert len(expected) >= 30
    funding = (site / "facts" / "article.yaml").read_text(encoding="utf-8").splitlines().index("  funding: |") + 1
    assert f"facts/article.yaml:{funding}:12: organisation.funding: {EXAMPLE_TEXT}" in expected
    result = run(["generator", "check"], cwd=site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert sorted(result.stdout.splitlines()) == expected
    assert result.stderr == f"{len(expected)} errors in facts\n"
    # Once an editor has replaced every example value, check passes.
    fill_in_examples(site)
    result = run(["generator", "check"], cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "facts: 1 claim, 1 place, 7 verdicts: all valid\n"


def test_the_organisation_typed_at_init_is_not_example_text(tmp_path: Path) -> None:
    site = init(tmp_path / "site", "--organisation", "Budget Desk", "--no-places")
    assert not (site / "facts" / "places").exists()
    expected = written_text(site, exempt={"facts/article.yaml:organisation.name"})
    result = command(site, "check")
    assert sorted(result.stdout.splitlines()) == expected
    assert not any(":organisation.name:" in line for line in result.stdout.splitlines())


def test_the_strict_build_fails_on_each_example_and_a_preview_still_builds(tmp_path: Path) -> None:
    site = init(tmp_path / "site")
    expected = written_text(site)
    strict = run(["mkdocs", "build", "--strict", "-d", "strict-out"], cwd=site)
    assert strict.returncode == 1, strict.stderr
    warnings = [line.removeprefix("WARNING -  ") for line in strict.stderr.splitlines() if line.startswith("WARNING")]
    assert sorted(warnings) == expected
    assert f"Aborted with {len(expected)} warnings in strict mode!" in strict.stdout + strict.stderr
    # A preview (mkdocs build or serve without --strict) still builds, and says what to replace.
    preview = run(["mkdocs", "build", "-d", "preview-out"], cwd=site)
    assert preview.returncode == 0, preview.stderr
    assert (site / "preview-out" / "claims" / "example-claim" / "index.html").is_file()
    assert sum(line.startswith("WARNING") for line in preview.stderr.splitlines()) == len(expected)
    # Every example replaced: the strict build passes.
    fill_in_examples(site)
    build_in_process(site, "out")
    assert (site / "out" / "about" / "index.html").is_file()


def test_export_warns_about_example_text(tmp_path: Path) -> None:
    site = init(tmp_path / "site")
    result = command(site, "export", "--out", "exported")
    assert result.exit_code == 0, result.output
    warned = [line.removeprefix("export: ") for line in result.stderr.splitlines() if line.startswith("export: ")]
    assert sorted(warned) == written_text(site)


def test_a_chinese_site_is_told_in_chinese(tmp_path: Path) -> None:
    site = init(tmp_path / "zh", "--language", "zh", "--place-label", "城市/城市")
    result = command(site, "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "facts/article.yaml:4:8: title: 仍是 init 写入的示例文字，请替换" in lines
    assert "facts/article.yaml:8:6: url: 是示例网址（.example 域名不会指向真实网页），请换成真实网址" in lines
    assert result.stderr == f"事实文件中有 {len(lines)} 处错误\n"
    fill_in_examples(site)
    assert command(site, "check").stdout == "facts：1 条说法、1 个地点、7 种判定，全部有效\n"
    # new writes its placeholders in the site's language, and check names them in it.
    made = command(site, "new", "claim", "second-claim")
    assert made.exit_code == 0, made.output
    assert made.stdout == ("已写入 facts/claims/second-claim.yaml：请替换其中每一处【待填写】，"
                           "然后运行 factcheck-microsite check\n")
    claim = yaml.safe_load((site / "facts" / "claims" / "second-claim.yaml").read_text(encoding="utf-8"))
    assert claim["claim"] == "【待填写】用一句话概括这条说法，尽量不超过 75 个字符"
    checked = command(site, "check")
    assert "facts/claims/second-claim.yaml:3:8: claim: 仍是 `new` 写入的待填内容，请替换" in checked.stdout.splitlines()


def test_an_example_address_is_refused_wherever_it_comes_from(facts: Path) -> None:
    path = facts / "claims" / "most-engineers.yaml"
    text = path.read_text(encoding="utf-8")
    url = re.search(r"^    url: (\S+)$", text, re.M)
    path.write_text(text.replace(url.group(0), "    url: https://Records.EXAMPLE/filing"), encoding="utf-8")
    line = text[: url.start()].count("\n") + 1
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"facts/claims/most-engineers.yaml:{line}:10: sources[0].url: {EXAMPLE_ADDRESS}"]


def test_new_marks_every_field_to_fill_in(facts: Path) -> None:
    """Every text field `new` writes is named by check until replaced; its address too."""
    assert CliRunner().invoke(main, ["new", "claim", "demo"]).exit_code == 0
    result = CliRunner().invoke(main, ["check"])
    found = [re.fullmatch(r"facts/claims/demo\.yaml:\d+:\d+: ([^:]+): (.*)", line).groups()
             for line in result.stdout.splitlines()]
    assert sorted(found) == [
        ("analysis", "still holds the placeholder written by `new`; replace it"),
        ("claim", "still holds the placeholder written by `new`; replace it"),
        ("quote", "still holds the placeholder written by `new`; replace it"),
        ("sources[0].publisher", "still holds the placeholder written by `new`; replace it"),
        ("sources[0].title", "still holds the placeholder written by `new`; replace it"),
        ("sources[0].url", EXAMPLE_ADDRESS),
        ("summary", "still holds the placeholder written by `new`; replace it"),
    ]
