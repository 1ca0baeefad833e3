"""Sites made by `init`, as a newsroom would make them, for the tests that build one."""

from __future__ import annotations

import re
from pathlib import Path

from generator.i18n import Messages, languages

# An address under .example, the domain reserved for examples (see generator/placeholders.py).
_EXAMPLE_HOST = re.compile(r"(https?://[\w.-]+)\.example(?=[/:\"'\s)]|$)", re.MULTILINE)


def fill_in_examples(site: Path) -> list[Path]:
    """Replace every example value `init` wrote in the site's facts with text of one's own, as
    an editor does before publishing: the example marker goes and every example address moves to
    a real domain. Returns the files changed."""
    markers = sorted({Messages(language)("example_marker") for language in languages()}, key=len, reverse=True)
    changed = []
    for path in sorted((site / "facts").rglob("*.yaml")):
        text = original = path.read_text(encoding="utf-8")
        for marker in markers:
            text = text.replace(marker + " ", "").replace(marker, "")
        text = _EXAMPLE_HOST.sub(r"\1.example.org", text)
        if text != original:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
