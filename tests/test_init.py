"""`init` makes a working site for any article: places or none, any UI language."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.i18n import Messages

from .conftest import run
from .starter_sites import fill_in_examples


def init(folder: Path, *args: str):
    return CliRunner().invoke(main, ["init", str(folder), *args])


def build(site: Path) -> Path:
    """`mkdocs build --strict` of an init site, in-process; returns the output folder."""
    from generator.plugin import build_strict

    build_strict(site / "mkdocs.yml", site / "out")
    return site / "out"


def article(html: str) -> str:
    """A page's main content, without the theme's inline scripts."""
    start = html.index('<article class="md-content__inner md-typeset">')
    return re.sub(r"<script.*?</script>", "", html[start: html.index("</article>", start)], flags=re.S)


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("mine")
    result = init(tmp_path, "--title", "T")
    assert result.exit_code == 2
    assert "the folder is not empty" in result.stderr
    assert (tmp_path / "mine.txt").read_text() == "mine" and len(list(tmp_path.iterdir())) == 1


def test_a_site_about_cities_builds_with_its_labels(tmp_path: Path) -> None:
    site = tmp_path / "transit"
    result = init(site, "--title", "Transit claims, checked", "--place-label", "City/Cities",
                  "--organisation", "Example Desk")
    assert result.exit_code == 0, result.output
    # The schema line of every fact file resolves inside the site.
    for path in (site / "facts").rglob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file(), path
    fill_in_examples(site)
    out = build(site)
    assert (out / "cities" / "index.html").is_file() and (out / "cities" / "example-place" / "index.html").is_file()
    home = (out / "index.html").read_text()
    assert 'href="cities/"' in home and "Cities" in home and "Transit claims, checked" in home
    assert (out / "about" / "index.html").is_file() and (out / "claims" / "example-claim.png").is_file()


def test_a_site_with_no_places_has_no_places_anywhere(tmp_path: Path) -> None:
    site = tmp_path / "budget"
    assert init(site, "--title", "Budget speech, checked", "--no-places").exit_code == 0
    assert not (site / "facts" / "places").exists()
    fill_in_examples(site)
    out = build(site)
    assert not (out / "places").exists()
    home = (out / "index.html").read_text()
    assert "places/" not in home and "Places" not in home
    claim = (out / "claims" / "example-claim" / "index.html").read_text()
    assert "About:" not in article(claim)


def test_a_chinese_site_speaks_chinese(tmp_path: Path) -> None:
    site = tmp_path / "zh"
    assert init(site, "--title", "示例核查", "--language", "zh", "--place-label", "城市/城市").exit_code == 0
    fill_in_examples(site)
    out = build(site)
    english, chinese = Messages("en"), Messages("zh")
    # Every fixed English interface string that Chinese words differently must be absent.
    phrases = set()
    for key in english.keys():
        try:
            en_text, zh_text = english(key), chinese(key)
        except (KeyError, TypeError):
            continue
        for part in re.split(r"\{[a-z_]+\}|\[|\]\([^)]*\)|[.:,]", en_text):
            part = part.strip()
            if len(part) >= 4 and part not in zh_text and re.search(r"[A-Za-z]{3}", part):
                phrases.add(part)
    pages = [p for p in out.rglob("index.html") if p.parent.name != "search"]
    assert len(pages) >= 8
    for page in pages:
        # Code (field names, commands) is the same in every language; words are not.
        text = re.sub(r"<code[^>]*>.*?</code>", " ", article(page.read_text(encoding="utf-8")), flags=re.S)
        text = re.sub(r"<[^>]+>", " ", text)
        found = [phrase for phrase in phrases if re.search(rf"\b{re.escape(phrase)}\b", text)]
        assert not found, (page.relative_to(out), found)
    assert "年" in (out / "claims" / "example-claim" / "index.html").read_text()


@pytest.mark.build  # pytest in a subprocess builds the site
def test_the_site_tests_pass_in_a_new_site(tmp_path: Path) -> None:
    site = tmp_path / "fresh"
    assert init(site, "--title", "Fresh").exit_code == 0
    fill_in_examples(site)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--pyargs",
                             "generator.site_tests"], cwd=site, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\b3 passed\b", result.stdout)


def test_new_writes_a_schema_line_that_resolves_in_the_site(tmp_path: Path) -> None:
    site = tmp_path / "s"
    assert init(site, "--title", "S").exit_code == 0
    result = run(["generator", "new", "claim", "second-claim"], cwd=site)
    assert result.returncode == 0, result.stderr
    path = site / "facts" / "claims" / "second-claim.yaml"
    first = path.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/claim.schema.json"
    data = yaml.safe_load(path.read_text())
    assert data["position"] == 2 and json.loads((site / "schemas" / "claim.schema.json").read_text())
