"""The registry of fact kinds: where each lives, its schema, its model and how its files are named.

Discovery (load), checking (validate), the model (validate.build_model), the data files
(facts.json), the pages (pages.py), link checking, `new` and the CLI's counts read this table, so
a kind is described once: a schema, a dataclass, and (for a kind with pages) a page template.
What a kind refers to (a claim's verdict and places, an event's claims) is declared in its JSON
Schema with `x-reference`, next to the field. A site or a test adds a kind with `register_kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Claim, Place


@dataclass(frozen=True)
class Kind:
    """One kind of fact file."""

    name: str
    # The JSON Schema: a file name in generator/schemas, or a path to a site's own schema.
    schema: str | Path
    # A kind is either one file (article.yaml) or a folder of files named by their slug.
    file: str | None = None
    folder: str | None = None
    required: bool = False
    # The field that must equal the file's stem, for kinds whose files carry their own id.
    id_field: str | None = None
    # Template for `new KIND SLUG`; a folder kind without one gets a file made from its schema.
    scaffold: str | None = None
    # What each file of a folder kind becomes (a dataclass), the name of their list in the model
    # and in facts.json, and the field they are sorted by (else their file names).
    model: type | None = None
    collection: str | None = None
    order: str | None = None
    # Whether each one has a page (<folder>/<slug>.md, template <name>.html.j2).
    pages: bool = False

    @property
    def pattern(self) -> str:
        """How the kind appears in messages: claims/<id>.yaml, article.yaml."""
        return self.file or f"{self.folder}/<{self.id_field or 'slug'}>.yaml"


# The kinds every site has. Places and claims have their own page types (pages.py), whose URLs
# follow the site's options (a places folder of its own name).
BUILT_IN: tuple[Kind, ...] = (
    Kind("article", "article.schema.json", file="article.yaml", required=True),
    Kind("verdicts", "verdicts.schema.json", file="verdicts.yaml", required=True),
    Kind("timeline", "timeline.schema.json", file="timeline.yaml"),
    Kind("place", "place.schema.json", folder="places", scaffold="new-place.yaml.j2", model=Place,
         collection="places"),
    Kind("claim", "claim.schema.json", folder="claims", id_field="id", scaffold="new-claim.yaml.j2", model=Claim,
         collection="claims", order="position"),
)
KINDS: dict[str, Kind] = {kind.name: kind for kind in BUILT_IN}


class KindClash(ValueError):
    """A kind that would share a name, folder, file or list with one already registered."""


def register_kind(kind: Kind) -> None:
    """Add a kind of fact: its files are found, checked, built into the model, published in
    facts.json, given pages (with `pages=True`) and started by `new`, like the built-in kinds."""
    for other in KINDS.values():
        shared = [what for what in ("name", "file", "folder", "collection")
                  if getattr(kind, what) and getattr(kind, what) == getattr(other, what)]
        if shared:
            raise KindClash(f"kind {kind.name!r} has the same {', '.join(shared)} as kind {other.name!r}")
    if kind.folder and not (kind.model and kind.collection):
        raise KindClash(f"kind {kind.name!r} lives in a folder, so it needs a model and a collection")
    KINDS[kind.name] = kind


def unregister_kind(name: str) -> None:
    """Remove a kind a site or a test added (the built-in kinds stay)."""
    if name in {kind.name for kind in BUILT_IN}:
        raise KindClash(f"kind {name!r} is built in")
    KINDS.pop(name, None)


def single_files() -> dict[str, str]:
    """File name -> kind, for the kinds that are one file."""
    return {kind.file: kind.name for kind in KINDS.values() if kind.file}


def folders() -> dict[str, str]:
    """Folder name -> kind, for the kinds that are a folder of files."""
    return {kind.folder: kind.name for kind in KINDS.values() if kind.folder}


def required_files() -> tuple[str, ...]:
    return tuple(kind.file for kind in KINDS.values() if kind.required and kind.file)


def expected_files() -> str:
    """What a facts folder may hold, for messages: "article.yaml, ... or claims/<id>.yaml"."""
    patterns = [kind.pattern for kind in KINDS.values()]
    return ", ".join(patterns[:-1]) + " or " + patterns[-1]


def folder_kinds() -> list[Kind]:
    """The kinds whose facts are a folder of files, each file one fact of the model."""
    return [kind for kind in KINDS.values() if kind.folder]
