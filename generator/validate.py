"""Stage 2: check parsed fact files against their JSON Schemas and each other, build the model.

The JSON Schemas in generator/schemas/ are the single definition of the format: the same
files drive this validator and contributors' editors. The validator understands the subset
of JSON Schema those files use and refuses a schema that uses anything else, so the two
cannot silently disagree. Every problem of a run is collected before failing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Callable
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import FactError, FactsInvalid
from .i18n import DEFAULT_LANGUAGE, Messages
from .load import Document, FieldPath
from .sanitize import markdown_links
from .textcheck import FileTally, character_problem, field_budget_problem, text_costs
from .urls import InvalidURL, check_url, is_web_url
from .kinds import KINDS, Kind, folder_kinds
from .model import (Article, Claim, Correction, Credit, DateRange, Event, Facts, Organisation, Person, Place, Source,
                    Verdict, VerdictChange)

SCHEMA_DIR = Path(__file__).parent / "schemas"
SUPPORTED_KEYWORDS = {
    "$schema", "$id", "$ref", "$defs", "title", "description", "type", "properties", "required",
    "additionalProperties", "enum", "pattern", "minLength", "maxLength", "minimum", "minItems",
    "items", "uniqueItems", "format", "anyOf", "x-error", "maximum", "contentMediaType", "x-reference",
    "maxItems",
}
# File stems a folder kind cannot use: its listing page is <folder>/index.md.
_RESERVED_STEMS = {"index"}
TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "object": "a mapping of fields",
    "array": "a list", "null": "null", "boolean": "true or false", "number": "a number",
}


@lru_cache(maxsize=None)
def read_schema(name: str) -> dict[str, Any]:
    """Load a schema file from generator/schemas, refusing keywords the validator lacks."""
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    _check_keywords(schema, name)
    return schema


def today_anywhere() -> dt.date:
    """The latest date it is anywhere on earth (UTC+14): a correction an editor dates today in
    their own time zone is never "in the future" on a build machine elsewhere."""
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=14)).date()


def is_slug(text: str) -> bool:
    """Whether text is a slug as the schemas define one (defs.schema.json, $defs/slug): the one
    rule for file names, ids, `new`'s names and init's places folder."""
    slug = read_schema("defs.schema.json")["$defs"]["slug"]
    return len(text) <= slug["maxLength"] and bool(_pattern(slug["pattern"]).search(text))


def _check_keywords(node: Any, name: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in SUPPORTED_KEYWORDS:
                raise ValueError(f"{name}: schema keyword {key!r} is not supported by the validator")
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _check_keywords(sub, name)
            elif key in ("items", "additionalProperties"):
                _check_keywords(value, name)
            elif key == "anyOf":
                for sub in value:
                    _check_keywords(sub, name)


def _resolve(ref: str, current: str) -> tuple[dict[str, Any], str]:
    file, _, pointer = ref.partition("#")
    name = file or current
    node: Any = read_schema(name)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node, name


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _describe(value: Any) -> str:
    kind = _type_of(value)
    if kind in ("object", "array"):
        return TYPE_NAMES[kind]
    if kind == "string":
        return f"text {_short(value)}"
    return f"{TYPE_NAMES[kind]} ({json.dumps(value)})"


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _number(value: int) -> str:
    text = str(value) if value.bit_length() < 64 else f"a number of {len(str(abs(value)))} digits"
    return text


@lru_cache(maxsize=None)
def _pattern(pattern: str) -> re.Pattern:
    """A schema pattern with JSON Schema's (ECMAScript's) meaning of `$`: the very end of the
    text. Python's `$` also matches before a final newline, so "true\\n" would pass as a slug."""
    translated, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            translated.append(r"\Z")
            continue
        translated.append(char)
    return re.compile("".join(translated))


class SchemaCheck:
    """Checks one document against its schema, collecting located errors.

    `value` returns the document's data with plain scalars read as text where the schema
    wants text (so `status: true` means the verdict id "true").
    """

    def __init__(self, document: Document, messages: Messages | None = None):
        self.document = document
        # The site's catalogue, for the messages that have moved into it (budgets, characters).
        self.t = messages or Messages(DEFAULT_LANGUAGE)
        self.errors: list[FactError] = []
        # (field path, value, kind it names) for every field the schema marks with x-reference.
        self.references: list[tuple[FieldPath, str, str]] = []
        self.tally = FileTally()

    def run(self, schema_name: str) -> Any:
        return self.check(self.document.data, read_schema(schema_name), (), schema_name)

    def fail(self, where: FieldPath, message: str, *, key: bool = False) -> None:
        self.errors.append(self.document.at(where, message, key=key))

    def check(self, value: Any, schema: dict[str, Any], where: FieldPath, name: str, error: str | None = None,
              reference: str | None = None) -> Any:
        if "$ref" in schema:
            target, target_name = _resolve(schema["$ref"], name)
            reference = schema.get("x-reference", reference)
            before = len(self.references)
            result = self.check(value, target, where, target_name, schema.get("x-error", error), reference)
            if "x-reference" in schema and isinstance(result, str) and len(self.references) == before:
                self.references.append((where, result, schema["x-reference"]))
            return result
        error = schema.get("x-error", error)
        if "anyOf" in schema:
            return self._check_any(value, schema["anyOf"], where, name, error)
        if "type" in schema:
            wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if _type_of(value) not in wanted:
                if "string" in wanted and where in self.document.plain:
                    value = self.document.plain[where]
                else:
                    names = " or ".join(TYPE_NAMES[t] for t in wanted)
                    self.fail(where, f"expected {names}, got {_describe(value)}")
                    return value
        if "enum" in schema and value not in schema["enum"]:
            if where in self.document.plain and self.document.plain[where] in schema["enum"]:
                value = self.document.plain[where]
            else:
                shown = repr(value) if isinstance(value, str) else _describe(value)
                self.fail(where, f"{shown} is not one of {', '.join(schema['enum'])}")
                return value
        if isinstance(value, str):
            if "x-reference" in schema:
                self.references.append((where, value, schema["x-reference"]))
            return self._check_text(value, schema, where, error, reference)
        elif isinstance(value, int) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                self.fail(where, f"must be at least {schema['minimum']}, got {_number(value)}")
            elif "maximum" in schema and value > schema["maximum"]:
                self.fail(where, f"must be at most {schema['maximum']:,}, got {_number(value)}")
        elif isinstance(value, list):
            return self._check_list(value, schema, where, name)
        elif isinstance(value, dict):
            return self._check_mapping(value, schema, where, name)
        return value

    def _check_any(self, value: Any, options: list[dict], where: FieldPath, name: str, error: str | None) -> Any:
        for option in options:
            trial = SchemaCheck(self.document, self.t)
            result = trial.check(value, option, where, name, error)
            if not trial.errors:
                self.references += trial.references
                self.tally.merge(trial.tally)
                return result
        # Report against the first option: it is the one a person means (null is the fallback).
        return self.check(value, options[0], where, name, error)

    def _check_text(self, value: str, schema: dict[str, Any], where: FieldPath, error: str | None,
                    reference: str | None = None) -> str:
        # The length bound comes first, so no pattern ever runs on an unbounded text.
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.fail(where, f"is {len(value):,} characters; at most {schema['maxLength']:,} allowed")
            return value
        problem = character_problem(value)
        if problem:
            self.fail(where, problem.message(self.t))
            return value
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            if not value.strip():
                self.fail(where, "must not be empty")
            elif reference:
                # `status: mostly true` names a verdict, badly: the reference check says which
                # verdicts (or places, claims) this site has, which helps more than "not a slug".
                self.references.append((where, value, reference))
            else:
                self.fail(where, f"{_short(value)} {error or 'does not match ' + schema['pattern']}")
            return value
        if schema.get("format") == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                self.fail(where, f"{_short(value)} is not a real date (no such day in the calendar)")
                return value
        if schema.get("format") == "uri":
            try:
                value = check_url(value)
            except InvalidURL as problem:
                self.fail(where, f"{_short(value)} {problem}")
                return value
        if "minLength" in schema and len(value) < schema["minLength"]:
            self.fail(where, "must not be empty")
        if "format" not in schema:
            if not self._within_budget(value, where, schema.get("contentMediaType") == "text/markdown",
                                       schema.get("maxLength")):
                return value
        if schema.get("contentMediaType") == "text/markdown":
            try:
                links = markdown_links(value)
            except RecursionError:
                self.fail(where, "is nested too deeply for Markdown (lists or emphasis inside each other); flatten it")
                return value
            for element, target in links:
                if element != "a":
                    self.fail(where, "images are not allowed in fact text; link to the source instead")
                elif not is_web_url(target):
                    self.fail(where, f"link target {_short(target)} is not a web address "
                                     "(http:// or https:// with a host name)")
        return value

    def _within_budget(self, value: str, where: FieldPath, markdown: bool, max_length: int | None) -> bool:
        """Count the text against its field's and its file's budgets (textcheck.py), before
        Markdown sees it; False when the field is over one."""
        costs = text_costs(value, markdown)
        self.tally.add(where, costs)
        problem = field_budget_problem(value, markdown, max_length, costs)
        if problem:
            self.fail(where, problem.message(self.t))
        return problem is None

    def budget_errors(self) -> list[FactError]:
        """The file's text over a per-file budget, located at the field that took it over."""
        return [self.document.at(where, problem.message(self.t)) for where, problem in self.tally.problems()]

    def _check_list(self, value: list, schema: dict[str, Any], where: FieldPath, name: str) -> list:
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            # Items past the bound are not checked one by one: the count alone is the error.
            self.fail(where, self.t("too_many_items", count=f"{len(value):,}", limit=f"{schema['maxItems']:,}"))
            return value
        if "minItems" in schema and len(value) < schema["minItems"]:
            self.fail(where, "must not be empty" if schema["minItems"] == 1 else
                      f"needs at least {schema['minItems']} items")
        result = [self.check(item, schema.get("items", {}), where + (i,), name) for i, item in enumerate(value)]
        if schema.get("uniqueItems"):
            seen: set[str] = set()
            for i, item in enumerate(result):
                marker = json.dumps(item, sort_keys=True)
                if marker in seen:
                    shown = repr(item) if isinstance(item, str) else _describe(item)
                    self.fail(where + (i,), f"{shown} is listed twice")
                seen.add(marker)
        return result

    def _check_mapping(self, value: dict, schema: dict[str, Any], where: FieldPath, name: str) -> dict:
        properties = schema.get("properties", {})
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key in properties:
                result[key] = self.check(item, properties[key], where + (key,), name)
            elif schema.get("additionalProperties", True) is False:
                near = difflib.get_close_matches(key, list(properties), n=1, cutoff=0.6)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                self.fail(where + (key,), f"unknown field{hint}; expected one of {', '.join(properties)}", key=True)
        for key in schema.get("required", []):
            if key not in value:
                # A missing field has no mark of its own: this points at its mapping's first line.
                self.fail(where + (key,), "required field is missing")
        return result


class CrossCheck:
    """The checks a schema cannot express: references, dates, links, file names."""

    def __init__(self, today: dt.date):
        self.today = today
        self.errors: list[FactError] = []

    def dates(self, document: Document, data: Any, where: FieldPath = ()) -> None:
        """No date may lie in the future; no source may be published after it was read."""
        if isinstance(data, dict):
            if {"published", "accessed"} <= data.keys():
                published, accessed = data["published"], data["accessed"]
                if _valid_date(published) and _valid_date(accessed) and published > accessed:
                    self.errors.append(document.at(
                        where + ("published",), f"{published} is after the date it was accessed ({accessed})"))
            for key, value in data.items():
                self.dates(document, value, where + (key,))
        elif isinstance(data, list):
            for i, value in enumerate(data):
                self.dates(document, value, where + (i,))
        elif isinstance(data, str) and where and where[-1] in ("published", "accessed", "reviewed", "date", "from", "to"):
            if _valid_date(data) and dt.date.fromisoformat(data) > self.today:
                self.errors.append(document.at(where, f"{data} is in the future (today is {self.today})"))


def _valid_date(text: Any) -> bool:
    if not isinstance(text, str):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))


def _check_document(document: Document, today: dt.date,
                    messages: Messages | None = None) -> tuple[Any, list[FactError], list]:
    """Schema and date checks of one document on its own: (its data read as the schema says,
    errors, references to other facts)."""
    if not isinstance(document.data, dict):
        return None, [document.at((), f"expected a mapping of fields at the top, got {_describe(document.data)}")], []
    check = SchemaCheck(document, messages)
    data = check.run(KINDS[document.kind].schema)
    check.errors += check.budget_errors()
    cross = CrossCheck(today)
    cross.dates(document, data)
    return (None if check.errors else data), check.errors + cross.errors, check.references


def validate_facts(
    documents: list[Document], today: dt.date | None = None, memo: dict[int, tuple] | None = None,
    built: dict[int, tuple] | None = None, language: str = DEFAULT_LANGUAGE,
) -> Facts:
    """Check every document and build the model; raise FactsInvalid listing every error.

    memo (kept by a serve session) holds the per-document results of unchanged documents;
    `language` is the site's, for the messages that list what a reference may name."""
    today = today or today_anywhere()
    errors: list[FactError] = []
    checked: dict[str, list[tuple[Document, dict]]] = {kind: [] for kind in KINDS}
    references: list[tuple[Document, FieldPath, str, str]] = []
    fresh: dict[int, tuple] = {}
    for document in documents:
        remembered = memo.get(id(document)) if memo is not None else None
        if remembered and remembered[0] is document and remembered[1] == today:
            data, found, named = remembered[2], remembered[3], remembered[4]
        else:
            data, found, named = _check_document(document, today, Messages(language))
        fresh[id(document)] = (document, today, data, found, named)
        errors.extend(found)
        if data is not None:
            checked[document.kind].append((document, data))
            references += [(document, where, value, kind) for where, value, kind in named]
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    errors += _check_ids(checked)
    # A fact whose own file has errors still exists: a reference to it is not another error.
    broken = {(document.kind, document.stem) for document in documents if document.kind in KINDS}
    errors += _check_references(checked, references, language, broken)
    errors += _check_ranges(checked)
    errors += _check_withdrawn(checked, today)
    errors += _check_previous_ids(checked)
    if errors:
        raise FactsInvalid(errors)
    return build_model(checked, built)


def _check_ids(checked: dict[str, list[tuple[Document, dict]]]) -> list[FactError]:
    """File names are slugs; ids equal their file's stem and are unique; positions are unique."""
    errors: list[FactError] = []
    for name, kind in KINDS.items():
        if not kind.folder:
            continue
        seen: dict[str, Document] = {}
        for document, data in checked[name]:
            if not is_slug(document.stem):
                errors.append(document.at((), f"file name {document.path.name!r} is not a slug; "
                                              "rename it to lowercase letters, digits and hyphens"))
            elif document.stem in _RESERVED_STEMS:
                errors.append(document.at((), f"file name {document.path.name!r} is taken by the "
                                              f"{kind.folder} listing page; choose another name"))
            if kind.id_field and data[kind.id_field] != document.stem:
                errors.append(document.at((kind.id_field,), f"{data[kind.id_field]!r} does not match the file "
                                                            f"name; expected {document.stem!r} (or rename the file)"))
            key = data[kind.id_field] if kind.id_field else document.stem
            if key in seen:
                errors.append(document.at((kind.id_field,) if kind.id_field else (),
                                          f"{key!r} is also the id of {seen[key].display}"))
            seen[key] = document
    for document, data in checked["verdicts"]:
        ids: set[str] = set()
        for i, verdict in enumerate(data["verdicts"]):
            if verdict["id"] in ids:
                errors.append(document.at(("verdicts", i, "id"), f"verdict {verdict['id']!r} is defined twice"))
            ids.add(verdict["id"])
    positions: dict[int, str] = {}
    for document, data in checked["claim"]:
        if data["position"] in positions:
            errors.append(document.at(("position",), f"{data['position']} is also the position of "
                                                     f"claim {positions[data['position']]!r}"))
        positions[data["position"]] = data["id"]
    return errors


def _check_ranges(checked: dict[str, list[tuple[Document, dict]]]) -> list[FactError]:
    """A date range runs forwards."""
    errors = []
    for document, data in checked["article"]:
        span = data.get("published_range")
        if span and _valid_date(span["from"]) and _valid_date(span["to"]) and span["from"] > span["to"]:
            errors.append(document.at(("published_range", "to"), f"{span['to']} is before the start of the "
                                                                  f"range ({span['from']})"))
    return errors


def _check_withdrawn(checked: dict[str, list[tuple[Document, dict]]], today: dt.date) -> list[FactError]:
    """A withdrawn claim says when and why: `withdrawn` is a date from its review to today, and a
    corrections entry of that very date gives the reason shown on its page and in the feed."""
    errors: list[FactError] = []
    for document, data in checked["claim"]:
        withdrawn = data.get("withdrawn")
        if withdrawn is None:
            continue
        if withdrawn < data["reviewed"] <= today.isoformat():
            errors.append(document.at(("withdrawn",), f"{withdrawn} is before the claim's reviewed date "
                                                      f"({data['reviewed']}); a claim is withdrawn after it is published"))
        elif dt.date.fromisoformat(withdrawn) > today:
            errors.append(document.at(("withdrawn",), f"{withdrawn} is in the future (today is {today})"))
        if not any(c["date"] == withdrawn for c in data.get("corrections") or ()):
            errors.append(document.at(("withdrawn",), (
                f"has no corrections entry dated {withdrawn}; add one (date: {withdrawn}, note) saying why "
                "the claim was withdrawn: readers see it on the claim's page and in the feed")))
    return errors


def _check_previous_ids(checked: dict[str, list[tuple[Document, dict]]]) -> list[FactError]:
    """An old id redirects to the one claim (or place) that had it: it is not the id of a current
    fact of that kind (whose page would be overwritten), nor claimed by two facts, nor a
    listing page's name."""
    errors: list[FactError] = []
    for name in ("claim", "place"):
        kind = KINDS[name]
        current = {(data[kind.id_field] if kind.id_field else document.stem): document
                   for document, data in checked[name]}
        owners: dict[str, Document] = {}
        for document, data in checked[name]:
            own = data[kind.id_field] if kind.id_field else document.stem
            for i, old in enumerate(data.get("previous_ids") or ()):
                where = ("previous_ids", i)
                if old == own:
                    errors.append(document.at(where, f"{old!r} is this {name}'s own id; list only ids it had before"))
                elif old in current:
                    errors.append(document.at(where, (
                        f"{old!r} is the id of {current[old].display}; an old id redirects here, so it cannot "
                        f"also be a {name} of its own")))
                elif old in _RESERVED_STEMS:
                    errors.append(document.at(where, f"{old!r} is taken by the {kind.folder} listing page"))
                elif old in owners:
                    errors.append(document.at(where, f"{old!r} is also a previous id of {owners[old].display}; "
                                                     "an old address redirects to one page only"))
                else:
                    owners[old] = document
    return errors


def _known_ids(checked: dict[str, list[tuple[Document, dict]]]) -> dict[str, list[str]]:
    """The ids each kind defines, for x-reference checks."""
    known = {"verdict": [v["id"] for _, d in checked["verdicts"] for v in d["verdicts"]]}
    for name, kind in KINDS.items():
        if kind.folder:
            known[name] = [data[kind.id_field] if kind.id_field else doc.stem for doc, data in checked[name]]
    return known


def _check_references(checked: dict[str, list[tuple[Document, dict]]],
                      references: list[tuple[Document, FieldPath, str, str]],
                      language: str = DEFAULT_LANGUAGE,
                      present: set[tuple[str, str]] = frozenset()) -> list[FactError]:
    """Every reference names a fact that exists; a wrong one lists the ids this site has.
    `present`: (kind, file stem) of every fact file found, valid or not."""
    known = _known_ids(checked)
    sets = {kind: set(ids) | {stem for named, stem in present if named == kind} for kind, ids in known.items()}
    t = Messages(language)
    errors = []
    for document, where, value, kind in references:
        if kind == "verdict" and not known["verdict"] and is_slug(value):
            continue  # verdicts.yaml has its own errors
        if value not in sets.get(kind, ()):
            expected = t("list_separator").join(known.get(kind, [])) or t("none_defined")
            key = f"not_a_{kind}" if kind in ("verdict", "place", "claim") else "not_a_reference"
            errors.append(document.at(where, t(key, value=_short(value), expected=expected, kind=kind)))
    return errors


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _tuple_of(cls: type) -> Callable[[list], tuple]:
    return lambda items: tuple(build(cls, item) for item in items)


# How a value from a fact file becomes a model field, by field name; other fields are taken as
# they are (lists become tuples). Pelican's METADATA_PROCESSORS is the model.
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "published": _date, "accessed": _date, "reviewed": _date, "date": _date, "withdrawn": _date,
    "sources": _tuple_of(Source), "outcome_sources": _tuple_of(Source),
    "corrections": _tuple_of(Correction), "credits": _tuple_of(Credit),
    "organisation": lambda data: build(Organisation, data), "people": _tuple_of(Person),
    "published_range": lambda data: DateRange(_date(data["from"]), _date(data["to"])),
}


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple:
    return fields(cls)


def build(cls: type, data: dict[str, Any], **extra: Any) -> Any:
    """An instance of a model dataclass from checked data: each field by the converter table."""
    values = dict(extra)
    for item in _fields(cls):
        if item.name in values or item.name not in data:
            continue
        value = data[item.name]
        convert = CONVERTERS.get(item.name)
        if convert is not None:
            value = convert(value) if value is not None else None
        elif isinstance(value, list):
            value = tuple(value)
        values[item.name] = value
    return cls(**values)


# Badge colours for verdicts that name none.
PALETTE = ("#1b7a3d", "#4f7d1c", "#a15c00", "#6b6b6b", "#b3261e", "#3d5a99", "#7a4e9c")


def build_model(checked: dict[str, list[tuple[Document, dict]]], built: dict[int, tuple] | None = None) -> Facts:
    """The Facts model from every checked document. `built` (kept by a serve session) holds the
    objects made from documents on the last rebuild; an unchanged document gives the same object."""
    fresh: dict[int, tuple] = {}

    def once(document: Document, make: Callable[[], Any]) -> Any:
        previous = built.get(id(document)) if built is not None else None
        made = previous[1] if previous is not None and previous[0] is document else make()
        fresh[id(document)] = (document, made)
        return made

    (_, article_data), = checked["article"]
    (_, verdict_data), = checked["verdicts"]
    article = build(Article, article_data)
    verdicts = tuple(replace(verdict, color=verdict.color or PALETTE[i % len(PALETTE)])
                     for i, verdict in enumerate(build(Verdict, v) for v in verdict_data["verdicts"]))
    # Every folder kind the same way: one model object per file, in the kind's order.
    collections: dict[str, tuple] = {}
    for kind in folder_kinds():
        items = (once(doc, lambda doc=doc, data=data, kind=kind: build(kind.model, data, **_identity(kind, doc)))
                 for doc, data in checked[kind.name])
        key = (lambda item, field=kind.order: getattr(item, field)) if kind.order else (lambda item: item.slug)
        collections[kind.collection] = tuple(sorted(items, key=key))
    if built is not None:
        built.clear()
        built.update(fresh)
    timeline = tuple(sorted((build(Event, e) for _, d in checked["timeline"] for e in d["events"]),
                            key=lambda event: event.date))
    changes = tuple(build(VerdictChange, change) for change in verdict_data.get("changes") or ())
    places, claims = collections.pop("places"), collections.pop("claims")
    return Facts(article, verdicts, places, claims, timeline, changes, tuple(collections.items()))


def _identity(kind: Kind, document: Document) -> dict[str, str]:
    """What a model object knows of its file: its slug (the file's stem) and its path, for the
    models that have those fields."""
    names = {item.name for item in _fields(kind.model)}
    found = {"slug": document.stem} if "slug" in names and not kind.id_field else {}
    if "source_path" in names:
        found["source_path"] = _relative(document)
    return found


def _relative(document: Document) -> str:
    """The file's path from the facts folder, e.g. claims/my-claim-id.yaml."""
    kind = KINDS[document.kind]
    return f"{kind.folder}/{document.path.name}" if kind.folder else document.path.name
