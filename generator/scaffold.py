"""`new`: start a fact file with its schema line and every field, never over an existing file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2

from .errors import FactError
from .load import display_path, load_facts
from .render import TEMPLATE_DIR

PLACEHOLDER = "FILL IN"
PLACEHOLDER_URL = "https://example.com/replace-with-"
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class ScaffoldRefused(Exception):
    """The file cannot be written: bad name, or it exists already."""


def new_fact(facts_dir: Path | str, kind: str, name: str, today: dt.date | None = None) -> Path:
    """Write facts/claims/<name>.yaml or facts/cities/<name>.yaml and return its path."""
    facts_dir = Path(facts_dir)
    if not _SLUG.fullmatch(name) or len(name) > 80:
        raise ScaffoldRefused(f"{name!r} is not a slug (lowercase letters, digits and single hyphens, "
                              "e.g. hesai-d-round)")
    folder = facts_dir / ("claims" if kind == "claim" else "cities")
    target = folder / f"{name}.yaml"
    if target.exists() or target.is_symlink():
        raise ScaffoldRefused(f"{display_path(target)} already exists; edit it instead")
    position = 1
    if kind == "claim":
        positions = [c.data.get("position") for c in _claims(folder)]
        position = max([p for p in positions if isinstance(p, int)], default=0) + 1
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    text = env.get_template(f"new-{kind}.yaml.j2").render(
        id=name, position=position, today=(today or dt.date.today()).isoformat())
    folder.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never replace a file made meanwhile
        handle.write(text)
    return target


def _claims(folder: Path):
    from .load import read_document

    for path in sorted(folder.glob("*.yaml")):
        try:
            yield read_document(path, "claim", folder.parent)
        except Exception:  # noqa: BLE001 - a broken neighbour does not stop a new file
            continue


def find_placeholders(facts_dir: Path | str) -> list[FactError]:
    """Fields that still hold the text `new` wrote, to be filled in before review."""
    found: list[FactError] = []
    for document in load_facts(Path(facts_dir)):
        for where, text in _strings(document.data, ()):
            if text.startswith(PLACEHOLDER) or text.startswith(PLACEHOLDER_URL):
                found.append(document.at(where, "still holds the placeholder written by `new`; replace it"))
    return found


def _strings(value, where):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, where + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, where + (i,))
    elif isinstance(value, str):
        yield where, value
