"""What pages need to know about the site they land in: URLs, language, labels, layout.

One policy makes every URL: `page_url` honours MkDocs' `use_directory_urls`, so JSON-LD, the
data files, the feed and the links between pages point at the pages' own addresses. Where each
kind of page lives is said here once (`claim_path`, `place_path`, ...).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from .model import remember_hash


@dataclass(frozen=True)
class TocOptions:
    """How the site's Markdown `toc` extension makes heading ids and permalinks; generated
    pages make theirs the same way, so a link to a heading works whichever made it."""

    permalink: bool = False
    permalink_text: str = "&para;"
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"
    permalink_leading: bool = False
    separator: str = "-"
    slugify: Callable[[str, str], str] | None = field(default=None, compare=True)


@remember_hash  # part of every page's cache key, hashed on every serve rebuild
@dataclass(frozen=True)
class SiteOptions:
    site_url: str = ""
    repo_url: str = ""
    edit_uri: str = "edit/main/"
    facts_path: str = "facts"
    passages_per_page: int = 100
    use_directory_urls: bool = True
    language: str = "en"
    site_name: str = ""
    # What readers call the article's places, and the URL folder of their pages.
    place_singular: str = "Place"
    place_plural: str = "Places"
    places_folder: str = "places"
    share_images: bool = False
    data_files: bool = True
    toc: TocOptions = TocOptions()

    # --- where each page lives (paths inside the docs folder) ---

    @staticmethod
    def claim_path(claim_id: str) -> str:
        return f"claims/{claim_id}.md"

    def place_path(self, slug: str) -> str:
        return f"{self.places_folder}/{slug}.md"

    def places_path(self) -> str:
        return f"{self.places_folder}/index.md"

    @staticmethod
    def fact_path(folder: str, slug: str) -> str:
        """The page of one fact of a kind a site registered: <folder>/<slug>.md."""
        return f"{folder}/{slug}.md"

    def edit_url(self, source_path: str) -> str:
        """The repository's edit page of a fact file ('claims/x.yaml')."""
        if not self.repo_url:
            return ""
        return f"{self.repo_url.rstrip('/')}/{self.edit_uri.strip('/')}/{self.facts_path.strip('/')}/{source_path}"

    def report_url(self, claim_id: str) -> str:
        """The "Report an error" issue form, with the claim id filled in."""
        if not self.repo_url:
            return ""
        return f"{self.repo_url.rstrip('/')}/issues/new?template=report-error.yml&claim={claim_id}"

    def file_url(self, path: str) -> str:
        """Absolute URL of a file published as it is ('feed.xml' -> '<site_url>feed.xml')."""
        return (self.site_url.rstrip("/") + "/" + path) if self.site_url else "/" + path

    def page_url(self, path: str) -> str:
        """Absolute URL of a generated page, as MkDocs will publish it: 'claims/x.md' is
        '<site_url>claims/x/' with directory URLs (the default), '<site_url>claims/x.html' without."""
        return (self.site_url.rstrip("/") + "/" if self.site_url else "/") + self.page_path(path)

    def page_path(self, path: str) -> str:
        """A page's URL path relative to the site root ('claims/x.md' -> 'claims/x/')."""
        if not path.endswith(".md"):
            return path  # a file published as it is (feed.xml)
        if not self.use_directory_urls:
            return path[: -len(".md")] + ".html"
        if path == "index.md":
            return ""
        if path.endswith("/index.md"):
            return path[: -len("index.md")]
        return path[: -len(".md")] + "/"

    def links_from(self, source: str) -> Links:
        """The link maker of the page at `source` (a path in the docs folder)."""
        return Links(self, source)


class Links:
    """Relative URLs from one page to others, as the browser resolves them: link("claims/x.md")
    from 'places/north.md' is '../../claims/x/' with directory URLs."""

    def __init__(self, options: SiteOptions, source: str):
        self.options = options
        here = options.page_path(source)
        self._folder = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
        if self._folder == "/":
            self._folder = ""

    def __call__(self, target: str, anchor: str = "") -> str:
        relative = _relative_url(self.options.page_path(target), self._folder)
        return relative + (f"#{anchor}" if anchor else "")

    def claim(self, claim_id: str, anchor: str = "") -> str:
        return self(self.options.claim_path(claim_id), anchor)

    def place(self, slug: str) -> str:
        return self(self.options.place_path(slug))


@lru_cache(maxsize=1 << 16)
def _relative_url(url: str, folder: str) -> str:
    """url (from the site root) as seen from a page in folder; a few thousand distinct pairs
    serve every link of a site, so each is worked out once."""
    relative = posixpath.relpath(url or ".", folder or ".")
    if url.endswith("/") or not url:
        relative = "./" if relative == "." else relative + "/"
    return relative
