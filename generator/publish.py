"""Publish: the one step both adapters consume. Given the facts and the site options it returns
the whole Site: generated pages, data files, static files (schemas, theme parts) and the
snippets hand-written pages ask for. The MkDocs plugin serves this Site; `export` writes it to
disk; so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from .build import SessionCache, check_facts
from .data import data_files
from .errors import GeneratorError
from .model import Facts
from .render import Page, Renderer, SiteOptions

PACKAGE = Path(__file__).parent
SCHEMA_DIR = PACKAGE / "schemas"
THEME_DIR = PACKAGE / "theme"
# Hand-written pages may ask for generated parts: <!-- factcheck:verdicts --> is the verdict table.
MARKER = re.compile(r"<!-- factcheck:([a-z-]+) -->")
SNIPPETS = ("verdicts",)


class UnknownSnippet(GeneratorError):
    """A hand-written page asks for a generated part that does not exist."""


@dataclass
class Site:
    """Everything the generator adds to a site, by path inside the docs folder."""

    facts: Facts
    renderer: Renderer
    pages: list[Page]
    data: dict[str, str] = field(default_factory=dict)
    # Published as they are: path in the site -> file in the package.
    static: dict[str, Path] = field(default_factory=dict)

    def expand_snippets(self, markdown: str, page_path: str) -> str:
        """A hand-written page's Markdown with every <!-- factcheck:NAME --> marker replaced."""
        if "<!-- factcheck:" not in markdown:
            return markdown

        def snippet(match: re.Match) -> str:
            name = match.group(1)
            if name not in SNIPPETS:
                known = ", ".join(f"<!-- factcheck:{n} -->" for n in SNIPPETS)
                raise UnknownSnippet(f"{page_path}: unknown marker {match.group(0)}; known: {known}")
            return self.renderer.render_snippet(name, page_path)

        return MARKER.sub(snippet, markdown)


def schema_files() -> dict[str, Path]:
    """The JSON Schemas, published at schemas/<kind>.schema.json so editors can point at them."""
    return {f"schemas/{path.name}": path for path in sorted(SCHEMA_DIR.glob("*.schema.json"))}


def theme_files() -> dict[str, Path]:
    """Our theme parts (page head, partials, CSS), by their path inside a custom_dir."""
    return {path.relative_to(THEME_DIR).as_posix(): path for path in sorted(THEME_DIR.rglob("*"))
            if path.is_file() and not path.name.startswith(".")}


def publish_site(facts_dir: Path | str, options: SiteOptions | None = None, *, today: dt.date | None = None,
                 cache: SessionCache | None = None, with_data: bool = True) -> Site:
    """Check the facts and make every generated part of the site; raise FactsInvalid if any is wrong."""
    options = options or SiteOptions()
    facts = check_facts(facts_dir, today, cache)
    renderer = Renderer(facts, options, cache.pages if cache else None)
    pages = renderer.render_pages()
    site = Site(facts, renderer, pages)
    if with_data:
        site.data = data_files(facts, options)
        site.static = schema_files()
    return site
