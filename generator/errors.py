"""The generator's errors: one root, GeneratorError, that the adapters (CLI, plugin) convert at
their edge; FactError is one problem located in a fact file."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Control, format-override and line-separator characters would let a file name or a field name
# rewrite the terminal (escape sequences), split an annotation (newline) or reverse text (U+202E).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """Text safe to print on one terminal line: unprintable characters shown as escapes."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class FactError:
    """One problem, located by file, 1-based line and column, and field path."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        field = f"{printable(self.field)}: " if self.field else ""
        return f"{printable(self.path)}:{self.line}:{self.column}: {field}{printable(self.message)}"

    def github(self, level: str = "error") -> str:
        """Format as a GitHub Actions annotation so it shows on the diff line."""
        text = str(self).replace("%", "%25")
        path = printable(self.path).replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        return f"::{level} file={path},line={self.line},col={self.column}::{text}"


class GeneratorError(Exception):
    """The root of every error the generator raises on purpose. The CLI prints it and exits 1
    (or 2 when `exit_code` says the command was refused); the plugin turns it into a build error."""

    exit_code = 1


class FactsInvalid(GeneratorError):
    """Raised once a stage has collected every error it found; carries them all."""

    def __init__(self, errors: list[FactError]):
        self.errors = sorted(set(errors))
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:
        count = len(self.errors)
        noun = "error" if count == 1 else "errors"
        return "\n".join(str(e) for e in self.errors) + f"\n{count} {noun} in facts"
