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
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import FactError, FactsInvalid
from .load import Document, FieldPath
from .sanitize import markdown_links
from .urls import InvalidURL, check_url, is_web_url
from .model import Article, City, Claim, Correction, Event, Facts, Organisation, Source, Verdict

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMA_FOR_KIND = {
    "article": "article.schema.json",
    "verdicts": "verdicts.schema.json",
    "city": "city.schema.json",
    "claim": "claim.schema.json",
    "timeline": "timeline.schema.json",
}
SUPPORTED_KEYWORDS = {
    "$schema", "$id", "$ref", "$defs", "title", "description", "type", "properties", "required",
    "additionalProperties", "enum", "pattern", "minLength", "maxLength", "minimum", "minItems",
    "items", "uniqueItems", "format", "anyOf", "x-error", "maximum", "contentMediaType",
}
TYPE_NAMES = {
    "string": "text", "integer": "a whole number", "object": "a mapping of fields",
    "array": "a list", "null": "null", "boolean": "true or false", "number": "a number",
}
# Characters no fact text may hold: C0 and C1 controls (tab and newline aside), lone surrogates,
# non-characters, and the bidirectional overrides that can make text read differently from
# what it holds (U+202E). They break XML and terminals and hide what a reviewer reads.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(1, 17))
    + "]"
)


@lru_cache(maxsize=None)
def read_schema(name: str) -> dict[str, Any]:
    """Load a schema file from generator/schemas, refusing keywords the validator lacks."""
    schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    _check_keywords(schema, name)
    return schema


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


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'a control character').lower()})"


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

    def __init__(self, document: Document):
        self.document = document
        self.errors: list[FactError] = []

    def run(self, schema_name: str) -> Any:
        return self.check(self.document.data, read_schema(schema_name), (), schema_name)

    def fail(self, where: FieldPath, message: str, *, key: bool = False) -> None:
        self.errors.append(self.document.at(where, message, key=key))

    def check(self, value: Any, schema: dict[str, Any], where: FieldPath, name: str, error: str | None = None) -> Any:
        if "$ref" in schema:
            target, target_name = _resolve(schema["$ref"], name)
            return self.check(value, target, where, target_name, schema.get("x-error", error))
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
            return self._check_text(value, schema, where, error)
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
            trial = SchemaCheck(self.document)
            result = trial.check(value, option, where, name, error)
            if not trial.errors:
                return result
        # Report against the first option: it is the one a person means (null is the fallback).
        return self.check(value, options[0], where, name, error)

    def _check_text(self, value: str, schema: dict[str, Any], where: FieldPath, error: str | None) -> str:
        # The length bound comes first, so no pattern ever runs on an unbounded text.
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            self.fail(where, f"is {len(value):,} characters; at most {schema['maxLength']:,} allowed")
            return value
        bad = _FORBIDDEN.search(value)
        if bad:
            self.fail(where, f"contains {_char_name(bad.group())} at character {bad.start() + 1}; "
                             "remove it (control and direction-override characters are not allowed)")
            return value
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            if not value.strip():
                self.fail(where, "must not be empty")
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
        if schema.get("contentMediaType") == "text/markdown":
            for element, target in markdown_links(value):
                if element != "a":
                    self.fail(where, "images are not allowed in fact text; link to the source instead")
                elif not is_web_url(target):
                    self.fail(where, f"link target {_short(target)} is not a web address "
                                     "(http:// or https:// with a host name)")
        return value

    def _check_list(self, value: list, schema: dict[str, Any], where: FieldPath, name: str) -> list:
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


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _source(data: dict) -> Source:
    return Source(
        title=data["title"], publisher=data["publisher"], url=data["url"],
        published=_date(data.get("published")), accessed=dt.date.fromisoformat(data["accessed"]),
        archive_url=data.get("archive_url"), kind=data["kind"], stance=data["stance"],
    )


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
        elif isinstance(data, str) and where and where[-1] in ("published", "accessed", "reviewed", "date"):
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


def _check_document(document: Document, today: dt.date) -> tuple[Any, list[FactError]]:
    """Schema and date checks of one document on its own: (its data read as the schema says, errors)."""
    if not isinstance(document.data, dict):
        return None, [document.at((), f"expected a mapping of fields at the top, got {_describe(document.data)}")]
    check = SchemaCheck(document)
    data = check.run(SCHEMA_FOR_KIND[document.kind])
    cross = CrossCheck(today)
    cross.dates(document, data)
    return (None if check.errors else data), check.errors + cross.errors


def validate_facts(
    documents: list[Document], today: dt.date | None = None, memo: dict[int, tuple] | None = None
) -> Facts:
    """Check every document and build the model; raise FactsInvalid listing every error.

    memo (kept by a serve session) holds the per-document results of unchanged documents."""
    today = today or dt.date.today()
    errors: list[FactError] = []
    checked: dict[str, list[tuple[Document, dict]]] = {kind: [] for kind in SCHEMA_FOR_KIND}
    cross = CrossCheck(today)
    fresh: dict[int, tuple] = {}
    for document in documents:
        remembered = memo.get(id(document)) if memo is not None else None
        if remembered and remembered[0] is document and remembered[1] == today:
            data, found = remembered[2], remembered[3]
        else:
            data, found = _check_document(document, today)
        fresh[id(document)] = (document, today, data, found)
        errors.extend(found)
        if data is not None:
            checked[document.kind].append((document, data))
    if memo is not None:
        memo.clear()
        memo.update(fresh)

    verdict_ids = [v["id"] for _, d in checked["verdicts"] for v in d["verdicts"]]
    city_slugs = []
    for document, data in checked["city"]:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", document.stem):
            errors.append(document.at((), f"file name {document.path.name!r} is not a slug; "
                                          "rename it to lowercase letters, digits and hyphens"))
        city_slugs.append(document.stem)
    for document, data in checked["verdicts"]:
        seen: set[str] = set()
        for i, verdict in enumerate(data["verdicts"]):
            if verdict["id"] in seen:
                errors.append(document.at(("verdicts", i, "id"), f"verdict {verdict['id']!r} is defined twice"))
            seen.add(verdict["id"])

    claim_ids: dict[str, Document] = {}
    positions: dict[int, str] = {}
    for document, data in checked["claim"]:
        if data["id"] != document.stem:
            errors.append(document.at(("id",), f"{data['id']!r} does not match the file name; "
                                               f"expected {document.stem!r} (or rename the file)"))
        if data["id"] in claim_ids:
            errors.append(document.at(("id",), f"{data['id']!r} is also the id of {claim_ids[data['id']].display}"))
        claim_ids[data["id"]] = document
        if data["position"] in positions:
            errors.append(document.at(("position",), f"{data['position']} is also the position of "
                                                     f"claim {positions[data['position']]!r}"))
        positions[data["position"]] = data["id"]
        if verdict_ids and data["status"] not in verdict_ids:
            errors.append(document.at(("status",), f"{data['status']!r} is not a verdict "
                                                   f"(expected one of {', '.join(verdict_ids)})"))
        for i, slug in enumerate(data["cities"]):
            if slug not in city_slugs:
                errors.append(document.at(("cities", i), f"{slug!r} is not a city "
                                                         f"(expected one of {', '.join(city_slugs) or 'none defined'})"))
    for document, data in checked["timeline"]:
        for i, event in enumerate(data["events"]):
            for j, slug in enumerate(event["cities"]):
                if slug not in city_slugs:
                    errors.append(document.at(("events", i, "cities", j), f"{slug!r} is not a city "
                                              f"(expected one of {', '.join(city_slugs) or 'none defined'})"))
    errors.extend(cross.errors)
    if errors:
        raise FactsInvalid(errors)
    return _build_model(checked)


def _build_model(checked: dict[str, list[tuple[Document, dict]]]) -> Facts:
    (_, article_data), = checked["article"]
    (_, verdict_data), = checked["verdicts"]
    organisation = article_data["organisation"]
    article = Article(
        title=article_data["title"], outlet=article_data["outlet"], language=article_data["language"],
        published=_date(article_data.get("published")), date_note=article_data.get("date_note"),
        url=article_data.get("url"), summary=article_data["summary"],
        organisation=Organisation(organisation["name"], organisation["url"]),
    )
    verdicts = tuple(
        Verdict(v["id"], v["label"], v["description"], v.get("rating_value"), v.get("color"))
        for v in verdict_data["verdicts"]
    )
    cities = tuple(
        City(
            slug=doc.stem, name=d["name"], name_zh=d["name_zh"], province=d["province"], summary=d["summary"],
            outcome=d.get("outcome"), outcome_sources=tuple(_source(s) for s in d.get("outcome_sources", [])),
            source_path=_relative(doc),
        )
        for doc, d in checked["city"]
    )
    claims = tuple(sorted(
        (
            Claim(
                id=d["id"], claim=d["claim"], quote=d["quote"], position=d["position"], cities=tuple(d["cities"]),
                status=d["status"], summary=d["summary"], analysis=d["analysis"],
                sources=tuple(_source(s) for s in d["sources"]), reviewed=dt.date.fromisoformat(d["reviewed"]),
                corrections=tuple(Correction(dt.date.fromisoformat(c["date"]), c["note"])
                                  for c in d.get("corrections", [])),
                source_path=_relative(doc),
            )
            for doc, d in checked["claim"]
        ),
        key=lambda claim: claim.position,
    ))
    timeline = tuple(sorted(
        (
            Event(dt.date.fromisoformat(e["date"]), e["event"], tuple(e["cities"]),
                  tuple(_source(s) for s in e["sources"]))
            for _, d in checked["timeline"] for e in d["events"]
        ),
        key=lambda event: event.date,
    ))
    return Facts(article, verdicts, cities, claims, timeline)


def _relative(document: Document) -> str:
    """The file's path from the facts folder, e.g. claims/hesai-d-round.yaml."""
    parent = document.path.parent
    return f"{parent.name}/{document.path.name}" if document.kind in ("city", "claim") else document.path.name
