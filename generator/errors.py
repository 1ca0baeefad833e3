"""The one error type of the generator: a problem located in a fact file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class FactError:
    """One problem, located by file, 1-based line and column, and field path."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {field}{self.message}"

    def github(self, level: str = "error") -> str:
        """Format as a GitHub Actions annotation so it shows on the diff line."""
        text = str(self).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        return f"::{level} file={path},line={self.line},col={self.column}::{text}"


class FactsInvalid(Exception):
    """Raised once a stage has collected every error it found; carries them all."""

    def __init__(self, errors: list[FactError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:
        count = len(self.errors)
        noun = "error" if count == 1 else "errors"
        return "\n".join(str(e) for e in self.errors) + f"\n{count} {noun} in facts"
