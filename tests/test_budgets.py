"""No valid fact file costs more than a few seconds to build.

Python-Markdown is quadratic on some inputs (backslash escapes within one paragraph, fences that
never close, long definition lists); textcheck.py counts those before Markdown sees them and the
schemas bound the lists that pages join into one paragraph. Here the worst fact files that
`check` still accepts, each just under every budget it can fill, are built for real in a site
whose config turns on the Markdown extensions Material sites commonly use (a fence extension
among them), and each build is timed against a normal build of the same site. What `check`
refuses over each budget is in test_hostile.py.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator.build import check_facts
from generator.textcheck import BUDGETS, MAX_MARKS

from .conftest import FIXTURES, ROOT, build_in_process

# Material's usual extensions besides the site's own: each adds block or inline syntax.
EXTENSIONS = ["admonition", "pymdownx.details", "pymdownx.superfences", "def_list", "footnotes", "abbr",
              "pymdownx.tabbed", "pymdownx.tasklist"]
LIMITS = {budget.key: budget for budget in BUDGETS}


def limit(key: str, kind: str) -> int:
    """A budget's bound, for a Markdown field, a text field (a share) or a file."""
    return getattr(LIMITS[key], kind)


MD_ESCAPES = limit("budget_escapes", "markdown")
MD_EMPHASIS = limit("budget_emphasis", "markdown")
MD_ENTITIES = limit("budget_entities", "markdown")
MD_BRACKETS = limit("budget_brackets", "markdown")
MD_FENCES = limit("budget_fences", "markdown")
MD_ITEMS = limit("budget_line_markers", "markdown")
MARKUP_SHARE = limit("budget_markup", "plain_share")


def markdown_field(share: float = 1.0) -> str:
    """A Markdown field that fills `share` of every per-field budget at once: one paragraph of
    escapes, emphasis, entities and links, a long list and unclosed fences."""
    def n(full: int) -> int:
        return int(full * share)

    links = "[a](https://example.org/)" * (n(MD_BRACKETS) - 1)
    paragraph = " ".join(["|" * n(MD_ESCAPES), "*a" * (n(MD_EMPHASIS) // 2), "&" * n(MD_ENTITIES), links])
    items = "\n".join(f"- item {i}" for i in range(n(MD_ITEMS)))
    fences = "\n\nText.\n".join("~~~x" for _ in range(n(MD_FENCES)))
    text = f"{paragraph}\n\n{items}\n\n{fences}"
    assert len(text) <= 20000
    return text


def plain(first: str, char: str, length: int, allowed: int | None = None) -> str:
    """A text field of `length` characters holding as many markup characters as its budget
    lets a field of `allowed` characters (its schema's maxLength; default: length), in one run."""
    markup = char * (min(length, (allowed or length) // MARKUP_SHARE) - len(first))
    return first + markup + "x" * (length - len(first) - len(markup))


class _Dumper(yaml.SafeDumper):
    """Writes a value used twice out twice: fact files refuse YAML anchors."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1 << 20)


def edit(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(dump(data), encoding="utf-8")


def worst_claim(facts: Path) -> None:
    """One claim with every field and list at its budget; its file's totals at theirs."""
    def change(data: dict) -> None:
        data["analysis"] = markdown_field()
        data["claim"] = plain("C", "(", 2000)
        data["quote"] = plain("Q", "#", 2000)
        data["summary"] = plain("S", "!", 2000)
        # The pages join keywords and credits into one paragraph each.
        data["keywords"] = [plain(f"k{i}", "+", 100) for i in range(20)]
        data["credits"] = [{"role": "reviewed", "name": plain(f"n{i}", ")", 200)} for i in range(20)]
        # Lists at their lengths, and the file at its size (256 KB) between them.
        data["corrections"] = [{"date": "2021-06-01", "note": plain(f"{i} ", "#", 1000, 2000)} for i in range(100)]
        data["sources"] = [dict(data["sources"][0], title=plain(f"t{i}", "(", 600, 2000)) for i in range(100)]
    edit(facts / "claims" / "most-engineers.yaml", change)


def worst_place(facts: Path) -> None:
    """A place with both Markdown fields at their budgets (together at the file's) and every
    alias and name at its length."""
    def change(data: dict) -> None:
        data["summary"] = markdown_field(0.5)
        data["outcome"] = markdown_field(0.5)
        data["name"] = plain("N", "(", 200)
        data["local_name"] = plain("L", ")", 200)
        data["region"] = plain("R", "#", 200)
        data["aliases"] = [plain(f"a{i}", "(", 100) for i in range(20)]
    edit(facts / "places" / "northtown.yaml", change)


def worst_about_page(facts: Path) -> None:
    """The article's six Markdown fields, four of them on the About page, sharing the file's budgets."""
    def change(data: dict) -> None:
        for name in ("about", "independence", "funding", "contact"):
            data["organisation"][name] = markdown_field(0.3)
        data["summary"] = data["bottom_line"] = markdown_field(0.15)
    edit(facts / "article.yaml", change)


def many_claims_joined(facts: Path, hostile: bool = True) -> None:
    """Pages that join other files' text into one line: a claim about 30 places whose names are
    all markup, and a timeline event that settles 30 claims whose titles are (hostile=False:
    the same files and lengths in plain letters, to compare with)."""
    def text(first: str, char: str, length: int) -> str:
        return plain(first, char if hostile else "x", length)

    base = yaml.safe_load((facts / "places" / "northtown.yaml").read_text(encoding="utf-8"))
    claim = yaml.safe_load((facts / "claims" / "factory-coming.yaml").read_text(encoding="utf-8"))
    for i in range(30):
        place = dict(base, name=text(f"P{i}", "(", 200), local_name=text(f"L{i}", ")", 200))
        (facts / "places" / f"p{i}.yaml").write_text(dump(place), encoding="utf-8")
        # One claim is about every place; each is settled by the event.
        item = dict(claim, id=f"c{i}", position=10 + i, claim=text(f"C{i}", "(", 2000),
                    places=[f"p{j}" for j in range(30)] if i == 0 else [])
        (facts / "claims" / f"c{i}.yaml").write_text(dump(item), encoding="utf-8")
    edit(facts / "timeline.yaml", lambda data: data["events"][0].update(claims=[f"c{i}" for i in range(30)]))


SCAN_BUDGET = limit("budget_link_scan", "markdown")


def unclosed(share: float) -> str:
    """A Markdown field whose unclosed brackets make Markdown read `share` of its link budget:
    each [ reads on to the end of the one long paragraph."""
    filler = 19000
    return "[\n" * int(SCAN_BUDGET * share // filler) + "x" * filler


def links_never_closed(facts: Path) -> None:
    """Unclosed brackets, up to the field's budget in a claim and the file's in the article."""
    edit(facts / "claims" / "most-engineers.yaml", lambda data: data.update(analysis=unclosed(0.95)))

    def change(data: dict) -> None:
        data["organisation"]["about"] = data["organisation"]["independence"] = unclosed(0.95)
    edit(facts / "article.yaml", change)


def stacked_marks(facts: Path) -> None:
    """Every letter of the claim's text fields carries the most combining marks allowed."""
    marked = ("a" + "\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a"[:MAX_MARKS]) * (2000 // (MAX_MARKS + 1))
    edit(facts / "claims" / "most-engineers.yaml", lambda data: data.update(claim=marked, quote=marked, summary=marked))


# Each worst case, and what it is compared with: the fixture site (None), or the same files
# with ordinary text where the case adds files.
WORST: dict[str, tuple[Callable[[Path], None], Callable[[Path], None] | None]] = {
    "claim": (worst_claim, None),
    "place": (worst_place, None),
    "about page": (worst_about_page, None),
    "stacked marks": (stacked_marks, None),
    "links never closed": (links_never_closed, None),
    "text joined across files": (many_claims_joined, lambda facts: many_claims_joined(facts, hostile=False)),
}


def make_site(target: Path, change: Callable[[Path], None] | None = None) -> Path:
    """The fixture facts in the real site's config plus EXTENSIONS, changed by `change`."""
    target.mkdir(parents=True)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    extra = "".join(f"  - {name}\n" for name in EXTENSIONS)
    (target / "mkdocs.yml").write_text(config.replace("markdown_extensions:\n", "markdown_extensions:\n" + extra),
                                       encoding="utf-8")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(FIXTURES / "facts", target / "facts")
    if change is not None:
        change(target / "facts")
    return target


def build_seconds(site: Path) -> float:
    """CPU seconds of one in-process strict build of the site."""
    started = time.process_time()
    build_in_process(site)
    return time.process_time() - started


@pytest.fixture(scope="module")
def normal_seconds(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Callable[[Path], None] | None], float]:
    """CPU seconds of a normal build of the fixture site (or of the site a change makes), after
    a first build has warmed the process; each measured once per module."""
    measured: dict[object, float] = {}

    def seconds(change: Callable[[Path], None] | None) -> float:
        if change not in measured:
            site = make_site(tmp_path_factory.mktemp("normal") / "src", change)
            build_seconds(site)
            measured[change] = build_seconds(site)
        return measured[change]

    return seconds


@pytest.mark.parametrize("case", list(WORST))
def test_the_worst_valid_facts_build_in_a_few_seconds(tmp_path: Path, normal_seconds, case: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    change, baseline = WORST[case]
    normal = normal_seconds(baseline)
    site = make_site(tmp_path / "src", change)
    monkeypatch.chdir(site)
    check_facts(site / "facts", dt.date(2026, 11, 26))  # valid: each budget is filled, none is passed
    seconds = build_seconds(site)
    # Generous, so a busy machine does not fail it: on main, inputs a little over these budgets
    # took from half a minute to twenty.
    assert seconds < 3 * normal + 2, f"{case}: {seconds:.2f} s against {normal:.2f} s normally"
