"""The JSON Schemas (what editors use) and the validator (what CI uses) agree.

jsonschema is the independent referee: every document in the table must be judged the same
way by it and by generator.validate.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from generator.load import Document
from generator.validate import SCHEMA_DIR, SchemaCheck

from .conftest import ROOT

SOURCE = {"title": "T", "publisher": "P", "url": "https://example.org/a", "published": "2021-01-02",
          "accessed": "2021-02-03", "kind": "primary", "stance": "supports"}
CLAIM = {"id": "a-claim", "claim": "C", "quote": "Q", "position": 1, "places": ["x"], "status": "true",
         "summary": "S", "analysis": "A", "sources": [SOURCE], "reviewed": "2021-03-04"}


def variant(path: tuple, value, base=CLAIM):
    data = copy.deepcopy(base)
    target = data
    for part in path[:-1]:
        target = target[part]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


TABLE = [
    ("valid", CLAIM, True),
    ("undated source", variant(("sources", 0, "published"), None), True),
    ("archive url", variant(("sources", 0, "archive_url"), "https://web.archive.org/x"), True),
    ("corrections", variant(("corrections",), [{"date": "2021-05-01", "note": "N"}]), True),
    ("no places", variant(("places",), []), True),
    ("places left out", variant(("places",), KeyError), True),
    ("keywords and credits", variant(("keywords",), ["雷军"]) | {"credits": [{"role": "reviewed", "name": "A. Editor"}]}, True),
    ("unknown credit role", variant(("credits",), [{"role": "wrote", "name": "A"}]), False),
    ("position beyond the bound", variant(("position",), 10**7), False),
    ("missing claim", variant(("claim",), KeyError), False),
    ("unknown field", variant(("extra",), 1), False),
    ("position zero", variant(("position",), 0), False),
    ("position text", variant(("position",), "1"), False),
    ("blank summary", variant(("summary",), "   "), False),
    ("empty quote", variant(("quote",), ""), False),
    ("bad slug", variant(("id",), "A Claim"), False),
    ("path trick", variant(("id",), "../x"), False),
    ("double hyphen", variant(("id",), "a--b"), False),
    ("repeated place", variant(("places",), ["x", "x"]), False),
    ("no sources", variant(("sources",), []), False),
    ("bad kind", variant(("sources", 0, "kind"), "tertiary"), False),
    ("bad stance", variant(("sources", 0, "stance"), "agrees"), False),
    ("no such day", variant(("reviewed",), "2021-02-30"), False),
    ("date format", variant(("reviewed",), "04/03/2021"), False),
    ("javascript url", variant(("sources", 0, "url"), "javascript:alert(1)"), False),
    ("data url", variant(("sources", 0, "url"), "data:text/html,x"), False),
    ("file url", variant(("sources", 0, "url"), "file:///etc/passwd"), False),
    ("relative url", variant(("sources", 0, "url"), "/a/b"), False),
    ("no host", variant(("sources", 0, "url"), "https://"), False),
    ("url with space", variant(("sources", 0, "url"), "https://exa mple.org"), False),
    ("source field missing", variant(("sources", 0, "publisher"), KeyError), False),
    ("correction without note", variant(("corrections",), [{"date": "2021-05-01"}]), False),
    ("top-level list", [CLAIM], False),
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    resources = []
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def referee_says(data, schema_name: str, registry: Registry) -> bool:
    schema = json.loads((SCHEMA_DIR / schema_name).read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=registry,
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return validator.is_valid(data)


def validator_says(data, schema_name: str) -> bool:
    document = Document(Path("x.yaml"), "x.yaml", "claim", data)
    check = SchemaCheck(document)
    check.run(schema_name)
    return not check.errors


@pytest.mark.parametrize("name,data,expected", TABLE, ids=[row[0] for row in TABLE])
def test_schema_and_validator_agree(name: str, data, expected: bool, registry: Registry) -> None:
    assert referee_says(data, "claim.schema.json", registry) is expected
    assert validator_says(data, "claim.schema.json") is expected


def test_schemas_are_valid_json_schemas() -> None:
    for path in SCHEMA_DIR.glob("*.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_real_fact_files_pass_the_referee(registry: Registry) -> None:
    from generator.load import load_facts
    from generator.kinds import KINDS

    for document in load_facts(ROOT / "facts"):
        data = _as_json_text(document)
        assert referee_says(data, KINDS[document.kind].schema, registry), document.display


def _as_json_text(document: Document):
    """Plain scalars read as text where the validator reads them so (status: true)."""
    def walk(value, where):
        if isinstance(value, dict):
            return {k: walk(v, where + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, where + (i,)) for i, v in enumerate(value)]
        if isinstance(value, bool) and where and where[-1] in ("status", "id"):  # text fields only
            return document.plain[where]
        return value
    return walk(document.data, ())


def test_every_fact_file_names_its_schema() -> None:
    for path in sorted((ROOT / "facts").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        from generator.kinds import folders, single_files

        in_folder = path.parent.name in folders()
        name = folders()[path.parent.name] if in_folder else single_files()[path.name]
        prefix = "../../" if in_folder else "../"
        assert first == f"# yaml-language-server: $schema={prefix}generator/schemas/{name}.schema.json", path
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file()
