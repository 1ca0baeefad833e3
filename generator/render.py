"""Stage 4: render the page types (pages.py) into Markdown pages with Jinja2 templates.

Text from fact files is untrusted. It reaches a page only through the filters of escape.py,
each made for the context the text lands in: `md` for inline Markdown, `md_block` for Markdown
fields (a little Markdown allowed, never HTML), `e` for HTML, `url` for every web address, and
Jinja's `tojson` for JSON inside a script element (it escapes <, > and &). Every word the
generator itself writes comes from the message catalogue (`t`, i18n.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import yaml

from .escape import html_attr, md_block, md_inline, url_attr
from .i18n import Messages
from .model import Facts
from .options import SiteOptions, relative_link
from .pages import PAGE_TYPES, PageType, SiteView

TEMPLATE_DIR = Path(__file__).parent / "templates"
# libyaml's emitter when PyYAML has it: the pure-Python one was most of render time.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# The Wayback Machine's list of captures of a URL, for sources with no recorded archive copy.
WAYBACK_LOOKUP = "https://web.archive.org/web/*/"


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes, its Markdown (front matter included), its metadata."""

    path: str
    markdown: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter; safe_dump quotes anything YAML could misread."""
    text = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + text + "---\n"


def wayback_lookup(url: str) -> str:
    """The Wayback Machine's captures of url; '#' and spaces are encoded so the whole URL is looked up."""
    return WAYBACK_LOOKUP + quote(url, safe=":/?&=%+,;@~!$'()*[]")


@lru_cache(maxsize=None)
def make_environment(template_dirs: tuple[str, ...] = ()) -> jinja2.Environment:
    """Templates are Markdown, so autoescape is off; every fact value goes through a filter.

    A site's own templates folder comes first, so it can override any of ours. One environment
    per set of folders, so templates compile once, not on every serve rebuild."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*template_dirs, str(TEMPLATE_DIR)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=md_inline, md_block=md_block, e=html_attr, url=url_attr, wayback=wayback_lookup,
                       rel=relative_link)
    return env


def _frozen(context: dict[str, Any]) -> tuple:
    """A cache key from a template context: its items, in the order the page type wrote them
    (the same code writes them in the same order), every value hashable."""
    return tuple(context.items())


class PageCache:
    """Generated pages kept between rebuilds of a serve session, keyed by their template and
    everything it receives, so only pages that would change are rendered again."""

    def __init__(self) -> None:
        # path -> (key, page): one entry per page, replaced when its key changes.
        self._pages: dict[str, tuple[Any, Page]] = {}

    def get(self, path: str, key: Any, make) -> Page:  # noqa: ANN001 - a zero-argument callable
        cached = self._pages.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        page = make()
        self._pages[path] = (key, page)
        return page

    def keep_only(self, paths: set[str]) -> None:
        for path in set(self._pages) - paths:
            del self._pages[path]


class Renderer:
    """Renders every page of a site from one Facts model."""

    def __init__(self, facts: Facts, options: SiteOptions | None = None, cache: PageCache | None = None,
                 template_dirs: tuple[str, ...] = ()):
        self.facts = facts
        self.options = options or SiteOptions()
        self.cache = cache
        self.site = SiteView(facts, self.options)
        self.t = Messages(self.options.language)
        self.env = make_environment(template_dirs)

    def page_types(self) -> list[PageType]:
        """Every page of the site, in a stable order."""
        return [page for kind in PAGE_TYPES for page in kind.all(self.site)]

    def render(self, page: PageType) -> Page:
        context = page.context()
        key = (page.template, page.path, _frozen(context))
        if self.cache is None:
            return self._render(page, context)
        self._keys.add(page.path)
        return self.cache.get(page.path, key, lambda: self._render(page, context))

    def _render(self, page: PageType, context: dict[str, Any]) -> Page:
        meta = page.meta()
        body = self.env.get_template(page.template).render(**context, t=self.t)
        return Page(page.path, front_matter(meta) + "\n" + body, meta)

    def render_pages(self) -> list[Page]:
        """Every generated page. With a cache (a serve session), a page is rendered again only
        when its context changed."""
        self._keys: set = set()
        pages = [self.render(page) for page in self.page_types()]
        if self.cache is not None:
            self.cache.keep_only(self._keys)
        return pages

    def render_snippet(self, name: str, page_path: str) -> str:
        """Markdown for a `<!-- factcheck:NAME -->` marker in a hand-written page at page_path."""
        if name != "verdicts":
            raise KeyError(name)
        counts = {v.id: 0 for v in self.facts.verdicts}
        for claim in self.facts.claims:
            counts[claim.status] += 1
        return self.env.get_template("_verdict_table.md.j2").render(
            t=self.t, options=self.options, path=page_path,
            scale_counts=tuple((v, counts[v.id]) for v in self.facts.verdicts),
            verdict_link=relative_link("verdicts/index.md", page_path))
