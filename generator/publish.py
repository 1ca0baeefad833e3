"""Publish: the one step both adapters consume. Given the facts and the site options it returns
the whole publication: generated pages (ready HTML, each page type owning its URL), data files,
static files (schemas), share images, the nav pruned to the pages that exist, what the theme
parts read from the config, and the checks every page passes (the HTML allow-list). The MkDocs
plugin and `export` only translate this Site for their engine; neither decides anything the
other could decide differently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .build import SessionCache, check_documents
from .data import DataFiles
from .errors import FactError, GeneratorError
from .i18n import Messages
from .model import Facts
from .options import SiteOptions
from .placeholders import find_placeholders
from .redirects import redirect_pages
from .render import Page, Renderer
from .sanitize import check_html

PACKAGE = Path(__file__).parent
SCHEMA_DIR = PACKAGE / "schemas"
THEME_DIR = PACKAGE / "theme"
# Hand-written pages may ask for generated parts: <!-- factcheck:verdicts --> is the verdict table.
MARKER = re.compile(r"<!-- factcheck:([a-z-]+) -->")
SNIPPETS = ("verdicts",)
# Bump when the card's drawing changes, so cached cards are drawn again.
CARD_VERSION = 2
# Messages the theme parts read from config.extra.factcheck (theme/404.html).
THEME_MESSAGES = ("not_found_title", "not_found_text", "not_found_home", "feed_subtitle", "made_with")
# Markdown extensions the hand-written pages' markers and the site's pages rely on.
REQUIRED_EXTENSIONS = ("tables", "attr_list", "md_in_html", "toc")


class UnknownSnippet(GeneratorError):
    """A hand-written page asks for a generated part that does not exist."""


class PageClash(GeneratorError):
    """A hand-written page has the path of a generated one."""


@dataclass
class Site:
    """Everything the generator adds to a site, by path inside the docs folder."""

    facts: Facts
    renderer: Renderer
    pages: list[Page]
    # The data files (facts.json, ...) by path, each written when asked for (data.DataFiles).
    data: Mapping[str, str] = field(default_factory=dict)
    # Binary files made at build time (share images), by path.
    binary: dict[str, bytes] = field(default_factory=dict)
    # Published as they are: path in the site -> file in the package.
    static: dict[str, Path] = field(default_factory=dict)
    # Problems that do not stop a preview but must stop a publication (a MkDocs warning each),
    # such as example text nobody replaced: every adapter reports them.
    warnings: list[FactError] = field(default_factory=list)

    @property
    def options(self) -> SiteOptions:
        return self.renderer.options

    def missing_pages(self, present: Iterable[str]) -> set[str]:
        """Generated pages a site may list in its nav that this site does not have."""
        options = self.options
        possible = {"index.md", "about.md", "article.md", "verdicts/index.md", "timeline.md", options.places_path()}
        return possible - {page.path for page in self.pages} - set(present)

    def prune_nav(self, nav: list | None, present: Iterable[str]) -> list | None:
        """The site's nav without entries for generated pages this site does not have (no
        places, no timeline), so a nav written once never breaks --strict."""
        if not nav:
            return nav
        return _pruned(nav, self.missing_pages(present))

    def theme_extra(self, present: Iterable[str]) -> dict[str, Any]:
        """What the theme parts read from config.extra.factcheck: their words in the site's
        language (404 page, feed link) and the footer links this site has."""
        t = Messages(self.options.language)
        return {**{key: t(key) for key in THEME_MESSAGES}, "footer": footer_links(self, present),
                "feed": bool(self.data)}

    def refuse_clashes(self, hand_written: Iterable[str], docs_dir: str) -> None:
        """A hand-written page where a generated page goes is refused, by every adapter alike:
        neither may silently replace the other."""
        generated = {page.path for page in self.pages}
        for path in sorted(set(hand_written) & generated):
            raise PageClash(f"{docs_dir}/{path} is also a generated page; remove or rename the hand-written file")

    def expand_snippets(self, markdown: str, page_path: str) -> str:
        """A hand-written page's Markdown with every <!-- factcheck:NAME --> marker replaced."""
        if "<!-- factcheck:" not in markdown:
            return markdown

        def snippet(match: re.Match) -> str:
            name = match.group(1)
            if name not in SNIPPETS:
                known = ", ".join(f"<!-- factcheck:{n} -->" for n in SNIPPETS)
                raise UnknownSnippet(f"{page_path}: unknown marker {match.group(0)}; known: {known}")
            html = self.renderer.render_snippet(name, page_path)
            check_html(html, page_path, "the verdict scale")
            return html

        return MARKER.sub(snippet, markdown)


def _pruned(nav: list, missing: set[str]) -> list:
    pruned = []
    for entry in nav:
        if isinstance(entry, dict):
            (title, value), = entry.items()
            if isinstance(value, list):
                value = _pruned(value, missing)
                if value:
                    pruned.append({title: value})
            elif value not in missing:
                pruned.append(entry)
        elif entry not in missing:
            pruned.append(entry)
    return pruned


def footer_links(site: Site, present: Iterable[str]) -> list[tuple[str, str]]:
    """(label, URL from the site root) of the footer links this site has: About, Contributing,
    the feed."""
    options = site.options
    t = Messages(options.language)
    present = set(present)
    links = [(t("footer_about"), options.page_path("about.md"))]
    if "contributing.md" in present:
        links.append((t("footer_contributing"), options.page_path("contributing.md")))
    if site.data:
        links.append((t("footer_feed"), "feed.xml"))
    return links


def schema_files() -> dict[str, Path]:
    """The JSON Schemas, published at schemas/<kind>.schema.json so editors can point at them."""
    return {f"schemas/{path.name}": path for path in sorted(SCHEMA_DIR.glob("*.schema.json"))}


def theme_files() -> dict[str, Path]:
    """Our theme parts (page head, partials, CSS), by their path inside a custom_dir."""
    return {path.relative_to(THEME_DIR).as_posix(): path for path in sorted(THEME_DIR.rglob("*"))
            if path.is_file() and not path.name.startswith(".")}


def card_salt() -> bytes:
    """A secret of this machine's that every card's cache key includes, kept outside any site
    (the user's cache folder). A card committed into a site's cache folder under a name someone
    computed from what a card shows is never read: without the secret, no one can name the file
    a build would look for. Where the secret cannot be kept, each build has its own."""
    import os
    import secrets

    from .files import write_new

    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "factcheck-microsite"
    path = home / "card-salt"
    try:
        home.mkdir(parents=True, exist_ok=True)
        try:
            write_new(path, secrets.token_hex(32).encode("ascii"))
        except FileExistsError:
            pass
        salt = path.read_bytes()
        if len(salt) == 64:
            return salt
    except OSError:
        pass
    return secrets.token_hex(32).encode("ascii")


def share_images(facts: Facts, options: SiteOptions, cache_dir: Path | None = None) -> dict[str, bytes]:
    """The Open Graph image of every claim (claims/<id>.png), drawn at build time without the
    network. Drawing takes ~15 ms a card, so cards are kept in cache_dir under a hash of what
    they show, and a rebuild draws only the cards whose claim or verdict changed."""
    from .pages import attribution
    from .share_image import claim_card

    t = Messages(options.language)
    caption = urllib.parse.urlsplit(options.site_url).hostname or ""
    # The card's own words: "Claim" with who made it, and "Verdict" before the badge.
    words = {"claim_word": t("claim_label"), "verdict_word": t("verdict"), "claimant": attribution(facts.article, t)}
    salt = card_salt() if cache_dir is not None else b""
    images = {}
    for claim in facts.claims:
        verdict = facts.verdict(claim.status)
        shown = (claim.claim, verdict.label, verdict.color or "#6b6b6b", options.site_name, caption)
        key = hashlib.sha256(salt + json.dumps([CARD_VERSION, *shown, words]).encode("utf-8")).hexdigest()[:32]
        cached = cache_dir / f"{key}.png" if cache_dir else None
        path = options.claim_path(claim.id)[: -len(".md")] + ".png"
        if cached is not None and cached.is_file():
            images[path] = cached.read_bytes()
            continue
        data = claim_card(*shown, **words)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(data)
        images[path] = data
    return images


def publish_site(facts_dir: Path | str, options: SiteOptions | None = None, *, today: dt.date | None = None,
                 cache: SessionCache | None = None, template_dirs: tuple[str, ...] = (),
                 image_cache: Path | None = None) -> Site:
    """Check the facts and make every generated part of the site; raise FactsInvalid if any fact
    is wrong, UnsafePage if a page leaves the HTML allow-list."""
    options = options or SiteOptions()
    documents, facts = check_documents(facts_dir, today, cache, options.language)
    warnings = find_placeholders(documents, options.language, cache.placeholders if cache else None)
    del documents  # parsed files with every line mark: not needed past here, and large at scale
    renderer = Renderer(facts, options, cache.pages if cache else None, template_dirs)
    # Every page passed the HTML allow-list as it was rendered (render.py): the Markdown fields
    # it holds, and the whole page when a site's own template made it.
    pages = renderer.render_pages()
    site = Site(facts, renderer, pages, warnings=warnings)
    if options.data_files:
        site.data = DataFiles(facts, options)
        site.static = schema_files()
    if options.share_images:
        site.binary = share_images(facts, options, image_cache)
    site.binary.update((path, page.encode("utf-8")) for path, page in redirect_pages(facts, options).items())
    return site
