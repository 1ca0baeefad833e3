"""One publication by construction: across the site options that used to make the plugin and
`export` disagree, both builds give the same pages, with the same content, JSON-LD and links,
and refuse the same mistakes."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from generator.cli import main as cli_main

from .conftest import FIXTURES, build_in_process

ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">.*?</article>', re.S)
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
FEED_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*>')

BASE_CONFIG = {
    "site_name": "Matrix",
    "site_url": "https://example.org/matrix/",
    "repo_url": "https://github.com/example/matrix",
    "edit_uri": "edit/main/docs/",
    "theme": {"name": "material", "font": False},
    "plugins": ["search", {"factcheck": {"share_images": False}}],
    "markdown_extensions": ["tables", "attr_list", "md_in_html", {"toc": {"permalink": True}}],
    "nav": [{"Home": "index.md"}, {"The article, checked": "article.md"}, {"Places": "places/index.md"},
            {"Verdicts": "verdicts/index.md"}, {"What happened next": "timeline.md"},
            {"Methodology": "methodology.md"}],
    "not_in_nav": "/claims/\n/places/*.md\n/article/\n",
}


class Links(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found += [value or "" for name, value in attrs if name in ("href", "src")]


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def shown(html: str) -> dict[str, object]:
    article = ARTICLE.findall(html)
    return {"article": article, "json_ld": JSON_LD.findall(html), "feed_link": FEED_LINK.findall(html),
            "links": links(article[0]) if article else []}


def make_site(root: Path, case: str) -> Path:
    config = yaml.safe_load(yaml.safe_dump(BASE_CONFIG))
    shutil.copytree(FIXTURES / "facts", root / "facts")
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "methodology.md").write_text("# Methodology\n\nThe scale:\n\n<!-- factcheck:verdicts -->\n")
    plugin = config["plugins"][1]["factcheck"]
    if case == "no-places":
        shutil.rmtree(root / "facts" / "places")
        for claim in (root / "facts" / "claims").glob("*.yaml"):
            data = yaml.safe_load(claim.read_text())
            data.pop("places", None)
            claim.write_text(yaml.safe_dump(data, allow_unicode=True))
        timeline = yaml.safe_load((root / "facts" / "timeline.yaml").read_text())
        for event in timeline["events"]:
            event.pop("places", None)
        (root / "facts" / "timeline.yaml").write_text(yaml.safe_dump(timeline, allow_unicode=True))
    elif case == "no-timeline":
        (root / "facts" / "timeline.yaml").unlink()
    elif case == "no-data-files":
        plugin["data_files"] = False
    elif case == "file-urls":
        config["use_directory_urls"] = False
    elif case == "zh":
        config["theme"]["language"] = "zh"
    elif case == "template-override":
        (root / "templates").mkdir()
        claim = (Path(__file__).parent.parent / "generator" / "templates" / "claim.html.j2").read_text()
        (root / "templates" / "claim.html.j2").write_text(
            claim.replace('<h2>{{ t("what_we_found") }}</h2>', '<h2>Our own findings heading</h2>'))
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return root


def export_site(site: Path, out: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        with pytest.raises(SystemExit) as ended:
            cli_main(["export", "--out", str(out)], standalone_mode=True)
        assert ended.value.code in (0, None)


CASES = ["plain", "no-places", "no-timeline", "no-data-files", "file-urls", "zh", "template-override"]


@pytest.mark.parametrize("case", CASES)
def test_plugin_and_export_publish_the_same_site(tmp_path: Path, case: str) -> None:
    site = make_site(tmp_path / "site", case)
    build_in_process(site)
    export_site(site, tmp_path / "exported")
    build_in_process(tmp_path / "exported")
    plugin_out, export_out = site / "out", tmp_path / "exported" / "out"
    pages = sorted(p.relative_to(plugin_out).as_posix() for p in plugin_out.rglob("*.html"))
    assert pages == sorted(p.relative_to(export_out).as_posix() for p in export_out.rglob("*.html"))
    files = sorted(p.relative_to(plugin_out).as_posix() for p in plugin_out.rglob("*")
                   if p.is_file() and not p.name.startswith("sitemap") and p.parts[-2:] != ("search", "search_index.json"))
    assert files == sorted(p.relative_to(export_out).as_posix() for p in export_out.rglob("*")
                           if p.is_file() and not p.name.startswith("sitemap")
                           and p.parts[-2:] != ("search", "search_index.json"))
    for page in pages:
        plugin_page, export_page = (plugin_out / page).read_text(), (export_out / page).read_text()
        assert shown(plugin_page) == shown(export_page), page
    # What each case is about is really there (or really absent) in both builds.
    for out in (plugin_out, export_out):
        home = (out / ("index.html")).read_text()
        if case == "no-places":
            assert not (out / "places").exists() and ">Places<" not in home
        if case == "no-timeline":
            assert not (out / "timeline").exists() and "What happened next" not in home
        if case == "no-data-files":
            assert not (out / "feed.xml").exists() and "feed.xml" not in "".join(
                p.read_text() for p in out.rglob("*.html"))
        if case == "file-urls":
            assert (out / "claims" / "most-engineers.html").is_file()
            assert 'href="claims/most-engineers.html"' in home
        if case == "zh":
            assert "核查结论" in home
        if case == "template-override":
            assert "Our own findings heading" in (out / "claims" / "most-engineers" / "index.html").read_text()


def test_a_hand_written_page_where_a_generated_one_goes_is_refused_by_both(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    from mkdocs.exceptions import Abort

    site = make_site(tmp_path / "site", "plain")
    (site / "docs" / "about.md").write_text("# About us, by hand\n")
    with pytest.raises(Abort):
        build_in_process(site)
    assert "factcheck: docs/about.md is also a generated page" in caplog.text
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        with pytest.raises(SystemExit) as ended:
            cli_main(["export", "--out", str(tmp_path / "exported")], standalone_mode=True)
    assert ended.value.code == 1
    assert "export: docs/about.md is also a generated page" in capsys.readouterr().err
    assert not (tmp_path / "exported" / "docs" / "about.md").exists()


def test_a_site_template_that_emits_a_script_link_fails_the_build(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    """The allow-list fires on a page a site's own template override made."""
    from mkdocs.exceptions import Abort

    site = make_site(tmp_path / "site", "plain")
    (site / "templates").mkdir()
    claim = (Path(__file__).parent.parent / "generator" / "templates" / "claim.html.j2").read_text()
    (site / "templates" / "claim.html.j2").write_text(
        claim.replace("<h2>{{ t(\"what_we_found\") }}</h2>",
                      '<h2>{{ t("what_we_found") }}</h2>\n\n<p><a href="javascript:alert(1)">x</a></p>'))
    with pytest.raises(Abort):
        build_in_process(site)
    assert re.search(r"page claims/.*\.md, made from facts/claims/.*\.yaml, holds HTML that is not allowed: "
                     r"<a href> links to a javascript: address", caplog.text), caplog.text


def test_fences_and_admonitions_in_fact_text_stay_text_whatever_the_site_enables(tmp_path: Path) -> None:
    """A site with Material's usual mermaid fence and admonitions: a fact's fence does not load
    a diagram script, and its admonition draws no site-styled warning box. `check` and the build
    read fact Markdown with the same converter, so check passing means the build shows text."""
    site = make_site(tmp_path / "site", "plain")
    config = yaml.safe_load((site / "mkdocs.yml").read_text())
    config["markdown_extensions"] += ["admonition", {"pymdownx.superfences": {"custom_fences": [
        {"name": "mermaid", "class": "mermaid", "format": "!!python/name:pymdownx.superfences.fence_code_format"}]}}]
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False).replace(
        "'!!python/name:pymdownx.superfences.fence_code_format'", "!!python/name:pymdownx.superfences.fence_code_format")
    (site / "mkdocs.yml").write_text(text)
    claim = site / "facts" / "claims" / "most-engineers.yaml"
    data = yaml.safe_load(claim.read_text())
    data["analysis"] = ("Before.\n\n~~~mermaid\ngraph TD; A-->B\n~~~\n\n!!! danger \"Security alert\"\n"
                        "    Your account is locked.\n\nAfter.")
    claim.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    from generator.cli import main as cli

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        with pytest.raises(SystemExit) as ended:
            cli(["check"], standalone_mode=True)
    assert ended.value.code in (0, None)
    build_in_process(site)
    page = (site / "out" / "claims" / "most-engineers" / "index.html").read_text()
    article = ARTICLE.search(page).group(0)
    assert 'class="mermaid"' not in article and "admonition" not in article
    assert "~~~mermaid" in article and "!!! danger" in article


def test_exclude_docs_cannot_drop_a_generated_page(tmp_path: Path) -> None:
    """A line of config must not make a published claim or place page vanish."""
    site = make_site(tmp_path / "site", "plain")
    config = yaml.safe_load((site / "mkdocs.yml").read_text())
    config["exclude_docs"] = "claims/most-engineers.md\nplaces/northtown.md\nfeed.xml\n"
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    out = build_in_process(site) / "out"
    assert (out / "claims" / "most-engineers" / "index.html").is_file()
    assert (out / "places" / "northtown" / "index.html").is_file()
    assert (out / "feed.xml").is_file()
