"""The registry of fact kinds: where each lives, its schema, and how its files are named.

Discovery (load), checking (validate), link checking, `new` and the CLI's counts read this
table, so a kind is described once. What a kind refers to (a claim's verdict and places, an
event's claims) is declared in its JSON Schema with `x-reference`, next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of fact file."""

    name: str
    schema: str
    # A kind is either one file (article.yaml) or a folder of files named by their slug.
    file: str | None = None
    folder: str | None = None
    required: bool = False
    # The field that must equal the file's stem, for kinds whose files carry their own id.
    id_field: str | None = None
    # Template for `new KIND SLUG`, when contributors may start one.
    scaffold: str | None = None

    @property
    def pattern(self) -> str:
        """How the kind appears in messages: claims/<id>.yaml, article.yaml."""
        return self.file or f"{self.folder}/<{self.id_field or 'slug'}>.yaml"


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("article", "article.schema.json", file="article.yaml", required=True),
    Kind("verdicts", "verdicts.schema.json", file="verdicts.yaml", required=True),
    Kind("timeline", "timeline.schema.json", file="timeline.yaml"),
    Kind("place", "place.schema.json", folder="places", scaffold="new-place.yaml.j2"),
    Kind("claim", "claim.schema.json", folder="claims", id_field="id", scaffold="new-claim.yaml.j2"),
)}
SINGLE_FILES = {kind.file: kind.name for kind in KINDS.values() if kind.file}
FOLDERS = {kind.folder: kind.name for kind in KINDS.values() if kind.folder}
REQUIRED_FILES = tuple(kind.file for kind in KINDS.values() if kind.required and kind.file)
_PATTERNS = [kind.pattern for kind in KINDS.values()]
EXPECTED = ", ".join(_PATTERNS[:-1]) + " or " + _PATTERNS[-1]
