"""Old addresses keep working: every id a claim or place had before (`previous_ids`) gets a small
HTML page at its old address that sends readers, and search engines, to the page it has now.

A shared link to a renamed claim must not end on the 404 page. Each redirect page refreshes at
once, names the new page as canonical, is kept out of search indexes (`noindex`) and shows a
plain link for browsers that do not follow the refresh. Links are relative, so they hold
wherever the site is served; the canonical link is absolute when the site has a `site_url`.
"""

from __future__ import annotations

import html
import posixpath

from .i18n import Messages
from .model import Facts
from .options import SiteOptions

# The anchor goes into a catalogue sentence after the sentence is escaped; a NUL cannot come
# from a catalogue, so it marks the spot.
_LINK = "\0"


def redirect_pages(facts: Facts, options: SiteOptions) -> dict[str, str]:
    """The redirect page of every previous id of a claim or place, by its file path in the site
    (claims/old/index.html with directory URLs, claims/old.html without)."""
    t = Messages(options.language)
    moves = [(options.claim_path(old), options.claim_path(claim.id), claim.claim)
             for claim in facts.claims for old in claim.previous_ids]
    moves += [(options.place_path(old), options.place_path(place.slug), place.display_name)
              for place in facts.places for old in place.previous_ids]
    return {_file(old, options): _page(old, new, title, options, t) for old, new, title in moves}


def _file(page: str, options: SiteOptions) -> str:
    """The file MkDocs would write for a page at this source path."""
    path = options.page_path(page)
    return path + "index.html" if path.endswith("/") or not path else path


def _href(source: str, target: str, options: SiteOptions) -> str:
    """The link from the redirect file at source to the page target, relative to it."""
    page = options.page_path(target)
    relative = posixpath.relpath(page or ".", posixpath.dirname(source) or ".")
    return relative + "/" if page.endswith("/") else relative


def _page(old: str, new: str, title: str, options: SiteOptions, t: Messages) -> str:
    source = _file(old, options)
    href = html.escape(_href(source, new, options), quote=True)
    canonical = html.escape(options.page_url(new) if options.site_url else _href(source, new, options), quote=True)
    link = f'<a href="{href}">{html.escape(title, quote=False)}</a>'
    text = html.escape(t("moved_text", link=_LINK), quote=False).replace(_LINK, link)
    return (
        "<!doctype html>\n"
        f'<html lang="{html.escape(options.language, quote=True)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{html.escape(t('moved_title'), quote=False)}</title>\n"
        '<meta name="robots" content="noindex">\n'
        f'<link rel="canonical" href="{canonical}">\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        "</head>\n"
        "<body>\n"
        f"<p>{text}</p>\n"
        "</body>\n"
        "</html>\n"
    )
