"""Publish: the one step both adapters consume. Given the facts and the site options it returns
the whole Site: generated pages, data files, static files (schemas, theme parts) and the
snippets hand-written pages ask for. The MkDocs plugin serves this Site; `export` writes it to
disk; so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .build import SessionCache, check_documents
from .data import data_files
from .errors import FactError, GeneratorError
from .model import Facts
from .options import SiteOptions
from .placeholders import find_placeholders
from .render import Page, Renderer

PACKAGE = Path(__file__).parent
SCHEMA_DIR = PACKAGE / "schemas"
THEME_DIR = PACKAGE / "theme"
# Hand-written pages may ask for generated parts: <!-- factcheck:verdicts --> is the verdict table.
MARKER = re.compile(r"<!-- factcheck:([a-z-]+) -->")
SNIPPETS = ("verdicts",)
# Bump when the card's drawing changes, so cached cards are drawn again.
CARD_VERSION = 1
# Messages the theme parts read from config.extra.factcheck (theme/404.html).
THEME_MESSAGES = ("not_found_title", "not_found_text", "not_found_home", "feed_subtitle", "made_with")


class UnknownSnippet(GeneratorError):
    """A hand-written page asks for a generated part that does not exist."""


@dataclass
class Site:
    """Everything the generator adds to a site, by path inside the docs folder."""

    facts: Facts
    renderer: Renderer
    pages: list[Page]
    data: dict[str, str] = field(default_factory=dict)
    # Binary files made at build time (share images), by path.
    binary: dict[str, bytes] = field(default_factory=dict)
    # Published as they are: path in the site -> file in the package.
    static: dict[str, Path] = field(default_factory=dict)
    # What must not be published but does not stop a preview (unreplaced example text): every
    # adapter reports these as warnings, so `mkdocs build --strict` and the deploy fail.
    warnings: list[FactError] = field(default_factory=list)

    def missing_pages(self, present: Iterable[str]) -> set[str]:
        """Generated pages a site may list in its nav that this site does not have."""
        options = self.renderer.options
        possible = {"index.md", "about.md", "article.md", "verdicts/index.md", "timeline.md",
                    f"{options.places_folder}/index.md"}
        return possible - {page.path for page in self.pages} - set(present)

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


def share_images(facts: Facts, options: SiteOptions, cache_dir: Path | None = None) -> dict[str, bytes]:
    """The Open Graph image of every claim (claims/<id>.png), drawn at build time without the
    network. Drawing takes ~15 ms a card, so cards are kept in cache_dir under a hash of what
    they show, and a rebuild draws only the cards whose claim or verdict changed."""
    from .share_image import claim_card

    caption = urllib.parse.urlsplit(options.site_url).hostname or ""
    images = {}
    for claim in facts.claims:
        verdict = facts.verdict(claim.status)
        shown = (claim.claim, verdict.label, verdict.color or "#6b6b6b", options.site_name, caption)
        key = hashlib.sha256(json.dumps([CARD_VERSION, *shown]).encode("utf-8")).hexdigest()[:32]
        cached = cache_dir / f"{key}.png" if cache_dir else None
        if cached is not None and cached.is_file():
            images[f"claims/{claim.id}.png"] = cached.read_bytes()
            continue
        data = claim_card(*shown)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(data)
        images[f"claims/{claim.id}.png"] = data
    return images


def publish_site(facts_dir: Path | str, options: SiteOptions | None = None, *, today: dt.date | None = None,
                 cache: SessionCache | None = None, with_data: bool = True,
                 template_dirs: tuple[str, ...] = (), image_cache: Path | None = None) -> Site:
    """Check the facts and make every generated part of the site; raise FactsInvalid if any is wrong."""
    options = options or SiteOptions()
    documents, facts = check_documents(facts_dir, today, cache, options.language)
    renderer = Renderer(facts, options, cache.pages if cache else None, template_dirs)
    pages = renderer.render_pages()
    site = Site(facts, renderer, pages, warnings=find_placeholders(documents, options.language))
    if with_data:
        site.data = data_files(facts, options)
        site.static = schema_files()
    if options.share_images:
        site.binary = share_images(facts, options, image_cache)
    return site
