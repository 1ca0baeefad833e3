"""The registry drives everything: a kind is a schema, a dataclass, a page class (here the
generic one) and a template. Registered in this test (never shipped), a "person" kind is found,
checked, built into the model, published in facts.json, given pages and started by `new`, and
its pages come from the serve cache exactly as a fresh render."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

from generator.build import check_facts
from generator.cli import main as cli_main
from generator.errors import FactsInvalid
from generator.kinds import Kind, register_kind, unregister_kind
from generator.options import SiteOptions
from generator.render import PageCache, Renderer

from .conftest import FIXTURES, build_in_process

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "person.schema.json",
    "title": "Person",
    "description": "Someone the article quotes: facts/people/<slug>.yaml.",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "role", "summary"],
    "properties": {
        "name": {"$ref": "defs.schema.json#/$defs/text", "description": "The name as the article gives it."},
        "role": {"$ref": "defs.schema.json#/$defs/text", "description": "What they do."},
        "summary": {"$ref": "defs.schema.json#/$defs/longtext", "description": "Why they matter here."},
        "claims": {"type": "array", "uniqueItems": True,
                   "items": {"$ref": "defs.schema.json#/$defs/slug", "x-reference": "claim"}},
    },
}
TEMPLATE = """<h1>{{ fact.name }}</h1>

<p class="fc-subtitle">{{ fact.role }}</p>

{{ fact.summary | markdown }}

{% if fact.claims %}
<ul>
{% for claim_id in fact.claims %}
<li><a href="{{ link.claim(claim_id) }}">{{ claim_id }}</a></li>
{% endfor %}
</ul>
{% endif %}
"""


@dataclass(frozen=True)
class PersonFact:
    slug: str
    name: str
    role: str
    summary: str
    source_path: str = ""
    claims: tuple[str, ...] = ()


@pytest.fixture
def person_kind(tmp_path: Path):
    schema = tmp_path / "person.schema.json"
    schema.write_text(json.dumps(SCHEMA))
    register_kind(Kind("person", schema, folder="people", model=PersonFact, collection="people", pages=True))
    yield
    unregister_kind("person")


@pytest.fixture
def person_facts(person_kind, facts: Path) -> Path:
    (facts / "people").mkdir()
    (facts / "people" / "test-spokesperson.yaml").write_text(yaml.safe_dump({
        "name": "Test Spokesperson", "role": "Spokesperson (a test fact)",
        "summary": "Speaks for the *example* company.", "claims": ["factory-coming"]}))
    return facts


def test_a_registered_kind_is_checked_and_built_into_the_model(person_facts: Path) -> None:
    model = check_facts(person_facts)
    (person,) = model.collection("people")
    assert person == PersonFact("test-spokesperson", "Test Spokesperson", "Spokesperson (a test fact)",
                                "Speaks for the *example* company.", "people/test-spokesperson.yaml",
                                ("factory-coming",))


def test_a_registered_kind_gets_located_errors_like_any_other(person_facts: Path) -> None:
    path = person_facts / "people" / "test-spokesperson.yaml"
    original = path.read_text()
    path.write_text(original + "age: 40\n")
    with pytest.raises(FactsInvalid) as invalid:
        check_facts(person_facts)
    (error,) = [str(e) for e in invalid.value.errors]
    assert error.startswith("facts/people/test-spokesperson.yaml:6:1: age: unknown field"), error
    path.write_text(original.replace("factory-coming", "no-such-claim"))
    with pytest.raises(FactsInvalid) as invalid:
        check_facts(person_facts)
    (error,) = [str(e) for e in invalid.value.errors]
    assert "claims[0]: 'no-such-claim' is not a claim (expected one of factory-coming, most-engineers)" in error


def test_a_registered_kind_has_pages_and_data_in_a_real_build(person_facts: Path, tmp_path: Path) -> None:
    site = person_facts.parent
    (site / "templates").mkdir()
    (site / "templates" / "person.html.j2").write_text(TEMPLATE)
    (site / "docs").mkdir()
    (site / "mkdocs.yml").write_text(yaml.safe_dump({
        "site_name": "Kinds", "site_url": "https://example.org/kinds/", "theme": {"name": "material"},
        "plugins": ["search", {"factcheck": {"share_images": False}}]}))
    build_in_process(site)
    page = (site / "out" / "people" / "test-spokesperson" / "index.html").read_text()
    assert "<h1 id=\"test-spokesperson\">Test Spokesperson" in page
    assert "<em>example</em>" in page and 'href="../../claims/factory-coming/"' in page
    data = json.loads((site / "out" / "facts.json").read_text())
    assert data["people"] == [{"slug": "test-spokesperson", "name": "Test Spokesperson",
                               "role": "Spokesperson (a test fact)", "summary": "Speaks for the *example* company.",
                               "claims": ["factory-coming"],
                               "url": "https://example.org/kinds/people/test-spokesperson/"}]


def test_new_starts_a_registered_kind_from_its_schema(person_kind, facts: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(facts.parent)
        with pytest.raises(SystemExit) as ended:
            cli_main(["new", "person", "someone-new"], standalone_mode=True)
    assert ended.value.code in (0, None)
    written = yaml.safe_load((facts / "people" / "someone-new.yaml").read_text())
    assert written["name"].startswith("[FILL IN] The name as the article gives it")
    # Until each placeholder is replaced, check names it.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(facts.parent)
        with pytest.raises(SystemExit) as ended:
            cli_main(["check"], standalone_mode=True)
    assert ended.value.code == 1


def test_cached_pages_of_a_registered_kind_equal_a_fresh_render(person_facts: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "person.html.j2").write_text(TEMPLATE)
    options = SiteOptions(site_url="https://example.org/site/")
    model = check_facts(person_facts)
    cache = PageCache()
    Renderer(model, options, cache, (str(templates),)).render_pages()
    (person,) = model.collection("people")
    for edited in (replace(person, role="Former spokesperson"), replace(person, summary="Changed."),
                   replace(person, claims=())):
        changed = replace(model, others=(("people", (edited,)),))
        cached = {p.path: p.html for p in Renderer(changed, options, cache, (str(templates),)).render_pages()}
        fresh = {p.path: p.html for p in Renderer(changed, options, None, (str(templates),)).render_pages()}
        assert cached == fresh
        assert cached["people/test-spokesperson.md"] != ""
