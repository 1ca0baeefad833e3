"""What `init`, `new` and `check` tell a new site's editors: options are plain text wherever they
are written, a site without places gets no place, the generator names no article of its own, and
every word comes from the site's catalogue (one starter for every language)."""

from __future__ import annotations

import html
import logging
import re
import shutil
import string
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import i18n
from generator.cli import main
from generator.i18n import Messages

from .conftest import FIXTURES, ROOT, build_in_process, run
from .starter_sites import fill_in_examples

GENERATOR = ROOT / "generator"


def init(folder: Path, *args: str):
    return CliRunner().invoke(main, ["init", str(folder), *args])


class _Page(HTMLParser):
    """The visible text of an HTML page and the link targets and event handlers in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.targets: list[str] = []
        self.handlers: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction") and value is not None:
                self.targets.append(value)
            if name.startswith("on"):
                self.handlers.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def read_page(source: str) -> _Page:
    page = _Page()
    page.feed(source)
    page.close()
    return page


def unsafe_targets(page: _Page) -> list[str]:
    """Link targets whose scheme is not http(s) (relative links have none)."""
    return [target for target in page.targets if urlsplit(target.strip()).scheme not in ("", "http", "https")]


def shown(page: _Page) -> str:
    return " ".join("".join(page.text).split())


def render_docs(site: Path) -> dict[str, _Page]:
    """The site's hand-written pages as the site's own Markdown extensions render them."""
    config = yaml.load((site / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    extensions = [next(iter(entry)) if isinstance(entry, dict) else entry for entry in config["markdown_extensions"]]
    pages = {}
    for path in sorted((site / "docs").glob("*.md")):
        text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
        pages[path.name] = read_page(markdown.markdown(text, extensions=extensions))
    pages["README.md"] = read_page(markdown.markdown((site / "README.md").read_text(encoding="utf-8"),
                                                     extensions=["tables"]))
    return pages


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml as data; MkDocs' !ENV tag reads as null."""


_ConfigLoader.add_constructor("!ENV", lambda loader, node: None)


def written_options(site: Path) -> dict[str, str]:
    """Where init wrote each option, as YAML loads it back (and, for the values Material prints
    as HTML, as a browser reads the HTML)."""
    config = yaml.load((site / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_ConfigLoader)
    article = yaml.safe_load((site / "facts" / "article.yaml").read_text(encoding="utf-8"))
    factcheck = next(entry["factcheck"] for entry in config["plugins"] if isinstance(entry, dict) and "factcheck" in entry)
    nav_titles = [next(iter(entry)) for entry in config["nav"]]
    return {"title": html.unescape(config["site_name"]), "organisation": article["organisation"]["name"],
            "singular": factcheck["places_label"]["singular"], "plural": factcheck["places_label"]["plural"],
            "nav": html.unescape(nav_titles[2])}


# --- options are plain text -----------------------------------------------------------------------

def test_options_the_brief_names_are_accepted_and_written_as_typed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    title, organisation = 'AT&T and the "fair share"', "[x](javascript:alert(1))"
    result = init(site, "--title", title, "--organisation", organisation, "--place-label", "Topic/Topics")
    assert result.exit_code == 0, result.output
    assert written_options(site) == {"title": title, "organisation": organisation, "singular": "Topic",
                                     "plural": "Topics", "nav": "Topics"}
    pages = render_docs(site)
    assert all(not unsafe_targets(page) for page in pages.values())
    assert f"if you credit {organisation} and link back" in shown(pages["data.md"])
    assert shown(pages["README.md"]).startswith(f"{title} A fact-check of one article by {organisation}.")


# The alphabet of text that means something to YAML, Markdown or HTML, and the words around it.
HOSTILE = st.lists(st.sampled_from([
    '"', "'", "&", "<", ">", "[", "]", "(", ")", "`", "javascript:", ":", "#", "-", "?", "{", "}", "!", "*", "|",
    "\\", "%", "&amp;", "<b>", "[x](javascript:alert(1))", "{: onclick=x}", " ", "  ", "1.", "---", "Desk", "城市",
    "é", "\u00a0", "\u200d", "~~", "_", "@", ",", "=",
]), min_size=1, max_size=12).map("".join)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=HOSTILE.filter(str.strip), organisation=HOSTILE.filter(str.strip),
       singular=HOSTILE.filter(lambda text: text.strip() and "/" not in text),
       plural=HOSTILE.filter(lambda text: text.strip()))
def test_any_plain_text_option_is_written_as_typed_and_never_as_markup(
        tmp_path_factory: pytest.TempPathFactory, title: str, organisation: str, singular: str, plural: str) -> None:
    site = tmp_path_factory.mktemp("hostile") / "site"
    result = init(site, "--title", title, "--organisation", organisation, "--place-label", f"{singular}/{plural}")
    assert result.exit_code == 0, result.output
    assert written_options(site) == {"title": title, "organisation": organisation, "singular": singular.strip(),
                                     "plural": plural.strip(), "nav": plural.strip()}
    pages = render_docs(site)
    for name, page in pages.items():
        assert not unsafe_targets(page), (name, page.targets)
        assert not page.handlers, (name, page.handlers)
    # Markdown shows the text as typed (runs of spaces aside, as HTML shows them).
    assert " ".join(organisation.split()) in shown(pages["data.md"])
    assert " ".join(title.split()) in shown(pages["README.md"])
    assert f"[{' '.join(plural.split())}](" not in pages["methodology.md"].text
    assert " ".join(plural.strip().split()) in shown(pages["methodology.md"])


def test_a_hostile_site_builds_and_shows_every_option_as_typed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    title = '<script>alert(1)</script> "Budget" & [x](javascript:alert(1))'
    organisation = "AT&T <b>Desk</b> `x` [y](javascript:alert(2)) {: onclick=\"alert(3)\" }"
    result = init(site, "--title", title, "--organisation", organisation,
                  "--place-label", '<i>City</i> "a"/Ci&ties [z](javascript:alert(4))')
    assert result.exit_code == 0, result.output
    fill_in_examples(site)
    out = build_in_process(site) / "out"
    for path in out.rglob("*.html"):
        page = read_page(path.read_text(encoding="utf-8"))
        assert not unsafe_targets(page), (path, unsafe_targets(page))
        assert not page.handlers, (path, page.handlers)
    home = read_page((out / "index.html").read_text(encoding="utf-8"))
    assert title in shown(home)  # the header shows the title as typed
    data = read_page((out / "data" / "index.html").read_text(encoding="utf-8"))
    assert f"if you credit {organisation} and link back" in shown(data)
    assert 'Ci&ties [z](javascript:alert(4))' in shown(data)  # the menu entry


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "x" * 201], "init: --title: 201 characters; at most 200, please\n"),
    (["--title", "T", "--organisation", "Desk\nurl: https://evil.example/"],
     "init: --organisation: holds U+000A (a control character); write it as one line of plain text, without "
     "line breaks or control characters\n"),
    (["--title", "T", "--place-label", "City/Cit\u202eies"],
     "init: --place-label: holds U+202E (right-to-left override); write it as one line of plain text, without "
     "line breaks or control characters\n"),
    (["--title", "  "], "init: --title: the site needs a title\n"),
    (["--title", "T", "--place-label", "City"], "init: --place-label: write it as SINGULAR/PLURAL, e.g. City/Cities\n"),
])
def test_init_refuses_only_what_cannot_be_text_and_names_the_option(tmp_path: Path, args: list[str],
                                                                     message: str) -> None:
    result = init(tmp_path / "site", *args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert not (tmp_path / "site").exists()


# --- a site without places ------------------------------------------------------------------------

def test_new_place_in_a_site_without_places_is_refused_with_what_to_do(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert init(site, "--title", "Budget", "--no-places").exit_code == 0
    result = run(["generator", "new", "place", "leeds"], cwd=site)
    assert result.returncode == 2
    assert result.stderr == (
        "new: facts/places/ does not exist and mkdocs.yml gives the factcheck plugin no places_label: this site "
        "has no places (init --no-places made it so). To give it places, add places_label (singular, plural) and "
        "places_folder under factcheck in mkdocs.yml, and a places entry to its nav; then run new place again.\n")
    assert not (site / "facts" / "places").exists()
    # A claim is still welcome.
    assert CliRunner().invoke(main, ["new", "claim", "second", "--facts", str(site / "facts")]).exit_code == 0


def test_new_place_in_a_site_with_places_needs_no_folder_yet(tmp_path: Path) -> None:
    """git keeps no empty folder: a site that deleted its last place still has places."""
    site = tmp_path / "site"
    assert init(site, "--title", "Cities", "--place-label", "City/Cities").exit_code == 0
    shutil.rmtree(site / "facts" / "places")
    result = CliRunner().invoke(main, ["new", "place", "leeds", "--facts", str(site / "facts")])
    assert result.exit_code == 0, result.output
    assert (site / "facts" / "places" / "leeds.yaml").is_file()


# --- a status that is not a verdict ---------------------------------------------------------------

@pytest.mark.parametrize("status", ["mostly true", "正确", "Mostly-True"])
def test_a_status_that_is_not_a_slug_lists_the_sites_verdicts(facts: Path, status: str) -> None:
    shutil.copy(FIXTURES / "bad" / "bad-status.yaml", facts / "claims" / "bad-status.yaml")
    path = facts / "claims" / "bad-status.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: mostly", f"status: {status}"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"facts/claims/bad-status.yaml:7:9: status: {status!r} is not a verdict (expected one of true, mostly-true, "
        "misleading, unproven, false, opinion, outdated)"]


def test_a_chinese_site_lists_its_verdicts_in_chinese(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert init(site, "--title", "核查", "--language", "zh", "--no-places").exit_code == 0
    fill_in_examples(site)
    path = site / "facts" / "claims" / "example-claim.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: mostly-true", "status: 正确"), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--facts", str(site / "facts")])
    assert result.stdout.splitlines() == [
        f"{site}/facts/claims/example-claim.yaml:9:9: status: '正确' 不是判定（应为以下之一：true、mostly-true、misleading、"
        "false、unproven、opinion、outdated）"]
    assert result.stderr == "事实文件中有 1 处错误\n"


def test_the_generator_names_no_article_of_its_own() -> None:
    names = re.compile(r"hesai|xiaomi|wuhan|武汉|lei jun|雷军|小米|beijing|北京|xi'an|西安", re.I)
    found = [f"{path.relative_to(ROOT)}:{number}"
             for path in sorted(GENERATOR.rglob("*")) if path.is_file() and path.suffix in (".py", ".j2", ".json",
                                                                                             ".yaml", ".yml", ".html")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if names.search(line)]
    assert found == []


# --- languages ------------------------------------------------------------------------------------

def _fields(message: str) -> frozenset[str]:
    # A label may be used as written or lowercased ({place}, {place_lower}): languages differ.
    return frozenset(name.removesuffix("_lower") for _, name, _, _ in string.Formatter().parse(message) if name)


def _shape(message: object) -> object:
    """A message's placeholders; for plural forms also that the `other` form is there."""
    if isinstance(message, dict):
        return ("plural forms", frozenset().union(*(_fields(form) for form in message.values())), "other" in message)
    return _fields(str(message))


def test_every_catalogue_has_every_english_key_with_the_same_placeholders() -> None:
    english = yaml.safe_load((GENERATOR / "messages" / "en.yaml").read_text(encoding="utf-8"))
    for path in sorted((GENERATOR / "messages").glob("*.yaml")):
        catalogue = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert sorted(set(english) - set(catalogue)) == [], path.name
        assert sorted(set(catalogue) - set(english)) == [], path.name
        different = {key: (_shape(english[key]), _shape(catalogue[key])) for key in english
                     if _shape(english[key]) != _shape(catalogue[key])}
        assert different == {}, path.name


@pytest.fixture
def messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private messages folder with the shipped catalogues, which i18n reads instead."""
    folder = tmp_path / "messages"
    shutil.copytree(GENERATOR / "messages", folder)
    monkeypatch.setattr(i18n, "MESSAGE_DIR", folder)
    return folder


def test_a_missing_key_falls_back_to_english_with_one_warning(messages: Path, caplog: pytest.LogCaptureFixture) -> None:
    zh = yaml.safe_load((messages / "zh.yaml").read_text(encoding="utf-8"))
    del zh["home_heading"], zh["claims_checked"]
    (messages / "zh.yaml").write_text(yaml.safe_dump(zh, allow_unicode=True), encoding="utf-8")
    t = Messages("zh")
    with caplog.at_level(logging.WARNING, logger="generator.i18n"):
        assert [t("home_heading") for _ in range(3)] == ["The bottom line"] * 3
        assert t.n("claims_checked", 2) == "2 claims checked"
        assert t("verdicts") == "判定"
    assert caplog.messages == [
        "message catalogue zh.yaml has no 'home_heading'; using the English text until it is translated",
        "message catalogue zh.yaml has no 'claims_checked'; using the English text until it is translated"]


def test_a_third_language_is_one_catalogue_file(messages: Path, tmp_path: Path) -> None:
    french = yaml.safe_load((messages / "en.yaml").read_text(encoding="utf-8"))
    french.update(home_heading="L'essentiel", nav_home="Accueil", example_marker="[EXEMPLE]",
                  readme_commands_heading="Deux commandes", contributing_title="Contribuer",
                  date_format="d MMMM y", check_valid="{facts} : {claims}, {places}, {verdicts} : tout est valide")
    (messages / "fr.yaml").write_text(yaml.safe_dump(french, allow_unicode=True), encoding="utf-8")
    site = tmp_path / "site"
    result = init(site, "--title", "Le budget, vérifié", "--language", "fr")
    assert result.exit_code == 0, result.output
    assert (site / "README.md").read_text(encoding="utf-8").count("## Deux commandes") == 1
    assert yaml.safe_load((site / "facts" / "article.yaml").read_text(encoding="utf-8"))["title"].startswith("[EXEMPLE] ")
    assert fill_in_examples(site)
    checked = CliRunner().invoke(main, ["check", "--facts", str(site / "facts")])
    assert checked.stdout == f"{site / 'facts'} : 1 claim, 1 place, 7 verdicts : tout est valide\n"
    out = build_in_process(site) / "out"
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "L&#39;essentiel" in home or "L'essentiel" in home
    assert "Accueil" in home and 'lang="fr"' in home
    assert "Contribuer" in (out / "contributing" / "index.html").read_text(encoding="utf-8")


def test_a_chinese_sites_forms_and_checklist_are_chinese(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert init(site, "--title", "核查", "--language", "zh").exit_code == 0
    github = site / ".github"
    report = yaml.safe_load((github / "ISSUE_TEMPLATE" / "report-error.yml").read_text(encoding="utf-8"))
    suggest = yaml.safe_load((github / "ISSUE_TEMPLATE" / "suggest-claim.yml").read_text(encoding="utf-8"))
    assert (report["name"], suggest["name"]) == ("报告事实错误", "建议核查一条说法")
    assert [item["id"] for item in report["body"]] == ["claim", "problem", "source"]
    assert (github / "pull_request_template.md").read_text(encoding="utf-8").startswith("## 改动内容\n")
