"""What pages need to know about the site they land in: URLs, language, labels, layout.

One policy makes every URL: `page_url` honours MkDocs' `use_directory_urls`, so JSON-LD, the
data files and the feed point at the pages' own addresses.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from .model import remember_hash


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
        if not self.use_directory_urls:
            return path[: -len(".md")] + ".html"
        if path == "index.md":
            return ""
        if path.endswith("/index.md"):
            return path[: -len("index.md")]
        return path[: -len(".md")] + "/"


def relative_link(target: str, source: str) -> str:
    """A Markdown link from the page at `source` to the file at `target`, both relative to the
    docs folder ('places/wuhan.md' from 'claims/x.md' is '../places/wuhan.md')."""
    return posixpath.relpath(target, posixpath.dirname(source) or ".")

