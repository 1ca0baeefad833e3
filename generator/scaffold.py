"""`new`: start a fact file with its schema line and every field, never over an existing file.

Every text field it writes carries the catalogue's placeholder marker, in the site's language,
so `check` and the build name each one until it is replaced (see placeholders.py)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import FactsInvalid, GeneratorError
from .files import write_new
from .i18n import DEFAULT_LANGUAGE, Messages
from .init import writing_environment, writing_words
from .load import Document, display_path, read_document
from .kinds import KINDS, Kind
from .publish import SCHEMA_DIR
from .render import TEMPLATE_DIR
from .validate import is_slug



class ScaffoldRefused(GeneratorError):
    """The file will not be written: a bad name, it exists already, or its folder is not a folder."""

    exit_code = 2


class ScaffoldFailed(GeneratorError):
    """The file could not be written: the system said no (read-only folder, a file in the way)."""


def new_fact(facts_dir: Path | str, kind: str, name: str, today: dt.date | None = None, *,
             language: str = DEFAULT_LANGUAGE, site_places: bool | None = None) -> Path:
    """Write the new fact file of a kind (facts/claims/<name>.yaml, facts/places/<name>.yaml) and
    return its path; its words in `language`. `site_places` is whether the site's config declares
    places (None: no config); a place is refused in a site that has none."""
    facts_dir = Path(facts_dir)
    if not is_slug(name):
        raise ScaffoldRefused(f"{name!r} is not a slug (lowercase letters, digits and single hyphens, "
                              "e.g. my-claim-id)")
    folder = facts_dir / KINDS[kind].folder
    t = Messages(language)
    if kind == "place" and site_places is False and not (folder.exists() or folder.is_symlink()):
        # A site made with --no-places has no places folder and no places_label: a place file
        # there would add pages, a nav entry and a column that the site chose not to have.
        raise ScaffoldRefused(t("new_no_places", folder=display_path(folder) + "/", config="mkdocs.yml"))
    target = folder / f"{name}.yaml"
    if folder.is_symlink() and not folder.exists():
        raise ScaffoldRefused(f"{display_path(folder)} is a symbolic link that points nowhere; make it a folder")
    if folder.is_symlink():
        raise ScaffoldRefused(f"{display_path(folder)} is a symbolic link; `check` refuses facts from outside "
                              "the facts folder, so new writes none there")
    if target.exists() or target.is_symlink():
        raise ScaffoldRefused(f"{display_path(target)} already exists; edit it instead")
    position = 1
    if kind == "claim":
        positions = [c.data.get("position") for c in _claims(folder) if isinstance(c.data, dict)]
        position = max([p for p in positions if isinstance(p, int)], default=0) + 1
    day = (today or dt.date.today()).isoformat()
    schema = schema_line(folder, KINDS[kind].schema)
    if KINDS[kind].scaffold:
        text = writing_environment(TEMPLATE_DIR).get_template(KINDS[kind].scaffold).render(
            id=name, position=position, today=day, schema=schema, **writing_words(t, {}))
    else:
        text = skeleton(KINDS[kind], name, schema, day, t)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as problem:
        raise ScaffoldFailed(f"{display_path(folder)}: cannot create the folder: {problem.strerror}") from None
    _write_new(target, text)
    return target


def skeleton(kind: Kind, name: str, schema: str, today: str, t: Messages) -> str:
    """A new fact file for a kind with no template of its own, made from its JSON Schema: every
    required field, text marked as a placeholder with the field's own description, so `check`
    names each one until it is filled in."""
    from .validate import read_schema

    properties = read_schema(kind.schema)
    data: dict[str, Any] = {}
    for field in properties.get("required", []):
        spec = properties["properties"][field]
        data[field] = _starter_value(field, spec, name, today, t, kind.schema)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return f"# yaml-language-server: $schema={schema}\n{text}"


def _starter_value(field: str, spec: dict[str, Any], name: str, today: str, t: Messages,
                   current: str | Path) -> Any:
    from .validate import _resolve

    while "$ref" in spec:
        target, current = _resolve(spec["$ref"], current)
        spec = {**target, **{k: v for k, v in spec.items() if k != "$ref"}}
    if field == "id":
        return name
    if "enum" in spec:
        return spec["enum"][0]
    if spec.get("format") == "date":
        return today
    kind = spec.get("type")
    if kind == "array":
        return []
    if kind == "integer":
        return spec.get("minimum", 1)
    if kind == "boolean":
        return False
    description = (spec.get("description") or field).split(". ")[0].rstrip(".")
    return t("placeholder_value", marker=t("placeholder_marker"), text=description)


def schema_line(folder: Path, schema: str | Path) -> str:
    """Where a fact file in `folder` finds its JSON Schema, for the editor's language server: the
    site's own schemas/ folder (written by `init`) when there is one, else the package's."""
    if Path(schema).is_absolute():
        return Path(schema).as_uri()  # a site's own schema, wherever it lives
    site_copy = folder.parent.parent / "schemas" / schema
    target = site_copy if site_copy.is_file() else SCHEMA_DIR / schema
    try:
        return Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return target.resolve().as_uri()


def _write_new(target: Path, text: str) -> None:
    """Create target with text; never replace or follow anything already there."""
    try:
        write_new(target, text.encode("utf-8"))
    except FileExistsError:
        raise ScaffoldRefused(f"{display_path(target)} already exists; edit it instead") from None
    except OSError as problem:
        raise ScaffoldFailed(f"{display_path(target)}: {problem.strerror}") from None


def _claims(folder: Path) -> Iterator[Document]:
    """The readable claims beside the new one; the rest are check's business, not new's."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return
    except OSError as problem:
        if problem.errno == errno.ENOTDIR:
            return  # mkdir reports it, with the folder's name
        raise ScaffoldFailed(f"{display_path(folder)}: cannot be read: {problem.strerror}") from None
    for name in names:
        path = folder / name
        try:
            # lstat: a FIFO, device or link is never opened here, so it cannot block or escape.
            if not name.endswith(".yaml") or not stat.S_ISREG(path.lstat().st_mode):
                continue
            yield read_document(path, "claim", folder.parent)
        except (FactsInvalid, OSError):
            continue  # a broken or vanished neighbour does not stop a new file
