"""Stage 4: render the page types (pages.py) into ready HTML with Jinja2 templates.

Generated pages never go through the site's Markdown: a template writes the page's HTML with
autoescaping on, so text from a fact file is escaped unless it is marked safe, and the only
values marked safe are made here: the Markdown fields of a fact, converted once by the
generator's own Markdown (`markdown_html`, the same converter `check` runs), and catalogue
messages (trusted) with their values escaped (`message_html`). Every web address goes through
the `url` filter (urls.py). Headings get ids, permalinks and a table of contents the way the
site's `toc` extension would have made them, so anchors stay where readers' links point.

For engines that run no plugin of ours, `Page.markdown` gives the same page as Markdown: the
headings as Markdown headings (so the engine makes its own table of contents) and everything
else as raw HTML blocks that Markdown passes through untouched.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markdown as markdown_lib
import yaml
from markupsafe import Markup

from .errors import GeneratorError
from .sanitize import UnsafePage, check_html, html_problems
from .escape import md_block, md_inline, web_url
from .i18n import Messages
from .model import Facts
from .options import SiteOptions, TocOptions
from .pages import PAGE_TYPES, PageType, SiteView

TEMPLATE_DIR = Path(__file__).parent / "templates"
# libyaml's emitter when PyYAML has it: the pure-Python one is slow at thousands of pages.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
# The Wayback Machine's list of captures of a URL, for sources with no recorded archive copy.
WAYBACK_LOOKUP = "https://web.archive.org/web/*/"
# A heading as the templates write it: alone on its line, attributes, plain (escaped) text.
_HEADING = re.compile(r'^<h([1-6])((?: [a-z-]+(?:="[^"<>]*")?)*)>(.*)</h\1>$', re.MULTILINE)
_ID = re.compile(r'\sid="([^"]*)"')
_ATTRIBUTE = re.compile(r' ([a-z-]+)(?:="([^"]*)")?')
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Heading:
    """One entry of a page's table of contents."""

    level: int
    id: str
    # The heading's text as HTML (escaped), as MkDocs' table of contents wants it.
    name: str


@dataclass(frozen=True)
class Page:
    """One generated page: where it goes, its title, its ready HTML, its table of contents and
    its metadata (what the theme parts and the search read)."""

    path: str
    title: str
    html: str
    toc: tuple[Heading, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    # The listed page this one belongs under, shown as active in the nav.
    section: str | None = None

    @cached_property
    def digest(self) -> str:
        """A fingerprint of everything the page shows (its HTML, title and metadata): a page
        object the serve cache hands out again is not hashed again."""
        hashed = hashlib.blake2b(digest_size=16)
        for part in (self.html, self.title, json.dumps(self.meta, sort_keys=True, default=str)):
            hashed.update(part.encode("utf-8"))
        return hashed.hexdigest()

    @cached_property
    def ids(self) -> frozenset[str]:
        """Every id on the page: the anchors other pages may link to."""
        return frozenset(_ID.findall(self.html))

    def searchable(self) -> str:
        """The page without the blocks and sections marked data-search-exclude: what the search
        plugin keeps of it, for it to parse in a fraction of the time (the index is the same)."""
        kept, dropping, seen_heading, preface = [], False, False, False
        for chunk in self.html.split("\n\n"):
            heading = _HEADING.match(chunk)
            if heading:
                dropping, seen_heading = "data-search-exclude" in heading.group(2), True
            first_tag = chunk[:chunk.find(">") + 1] if chunk.startswith("<") else ""
            if not dropping and "data-search-exclude" not in first_tag:
                kept.append(chunk)
                preface = preface or not seen_heading
            elif not seen_heading and not preface:
                # Blocks before the first heading make the page's own entry (with no text when
                # they are all excluded); an empty paragraph keeps that entry.
                kept.append("<p></p>")
                preface = True
        return "\n\n".join(kept)

    @cached_property
    def markdown(self) -> str:
        """The page as a Markdown file with front matter, for engines without our plugin."""
        return front_matter(self.meta) + "\n" + markdown_body(self.html)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter; safe_dump quotes anything YAML could misread."""
    text = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + text + "---\n"


def markdown_body(body: str) -> str:
    """The page's HTML with its headings written as Markdown headings: the engine's Markdown
    passes the HTML blocks through and gives the headings the same ids and permalinks."""
    def heading(match: re.Match) -> str:
        level, attributes, inner = match.groups()
        inner = re.sub(r'<a class="[^"]*" href="#[^"]*" title="[^"]*">.*?</a>', "", inner)
        text = md_inline(html.unescape(_TAG.sub("", inner)))
        parts = []
        for name, value in _ATTRIBUTE.findall(attributes):
            if name == "id":
                parts.insert(0, f"#{value}")
            elif name == "class":
                parts += [f".{c}" for c in value.split()]
            else:
                parts.append(f'{name}="{value}"' if value else name)
        return "#" * int(level) + " " + text + (" { " + " ".join(parts) + " }" if parts else "")

    return _HEADING.sub(heading, body)


_PRE = re.compile(r"(<pre[ >].*?</pre>)", re.S)


_AFTER_HEADING = re.compile(r"(</h[1-6]>)\n{2,}")


def joined_blocks(blocks: str) -> str:
    """The page's blocks spaced as Markdown spaces them when it passes HTML blocks through:
    a blank line after each block, none after a heading (blank lines inside a <pre> are its
    content, and stay). So a page is the same HTML whether our plugin or an engine's Markdown
    (after `export`) puts it on the site."""
    parts = _PRE.split(blocks.strip("\n"))
    return "".join(part if i % 2 else _AFTER_HEADING.sub(r"\1\n", re.sub(r"\n{3,}", "\n\n", part))
                   for i, part in enumerate(parts))


def wayback_lookup(url: str) -> str:
    """The Wayback Machine's captures of url; '#' and spaces are encoded so the whole URL is looked up."""
    return WAYBACK_LOOKUP + quote(url, safe=":/?&=%+,;@~!$'()*[]")


class UnsafeText(GeneratorError):
    """A Markdown field became HTML outside the allow-list (the renderer names the page)."""


@lru_cache(maxsize=256)
def markdown_html(text: str) -> Markup:
    """A Markdown field of a fact as HTML: paragraphs, emphasis, lists and links; anything else
    shows as text (escape.md_block). One converter with no extension, the one `check` runs, so
    what check passed is what the page shows. The result passes the HTML allow-list before any
    page holds it. Cached by text: a field is converted and checked once."""
    converter = _converter()
    converter.reset()
    converted = converter.convert(md_block(text))
    problems = html_problems(converted)
    if problems:
        raise UnsafeText("; ".join(problems[:5]))
    return Markup(converted)


@lru_cache(maxsize=1)
def _converter() -> markdown_lib.Markdown:
    return markdown_lib.Markdown(extensions=[])


# A catalogue message may hold a little Markdown (links, emphasis); it is ours, so it is turned
# into HTML once, and the values filled into it are escaped.
_MESSAGE_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_MESSAGE_STRONG = re.compile(r"\*\*(.+?)\*\*")
_MESSAGE_EM = re.compile(r"\*(.+?)\*")


@lru_cache(maxsize=None)
def _message_template(message: str) -> str:
    text = html.escape(message, quote=False)
    text = _MESSAGE_LINK.sub(r'<a href="\2">\1</a>', text)
    text = _MESSAGE_STRONG.sub(r"<strong>\1</strong>", text)
    return _MESSAGE_EM.sub(r"<em>\1</em>", text)


class HtmlMessages:
    """The catalogue for HTML templates: t("key", name=value) is escaped text (Jinja escapes
    it), t.html("key", ...) is the message's own links and emphasis as HTML with every value
    escaped (values that are already Markup, such as links made by the template, stay)."""

    def __init__(self, messages: Messages):
        self._messages = messages
        self.language = messages.language
        self.n = messages.n

    def date(self, value: Any, precision: str = "day") -> str:
        """A date as the language writes it, to the precision the sources give (day, month, year)."""
        if value is None or precision == "day":
            return self._messages.date(value)
        from babel.dates import format_date

        pattern = self._messages("month_format" if precision == "month" else "year_format")
        return format_date(value, format=pattern, locale=self.language.replace("-", "_"))

    def __call__(self, key: str, **values: Any) -> str:
        return self._messages(key, **values)

    def html(self, key: str, **values: Any) -> Markup:
        template = _message_template(self._messages.raw(key))
        return Markup(template).format(**values)


class TemplateFailed(GeneratorError):
    """A page template (ours or a site's override) could not be rendered."""


def _template_problem(problem: jinja2.TemplateError, template: str) -> str:
    """Where a template failed, as a person can find it: its file and line, and why."""
    import traceback

    where = template
    for frame in reversed(traceback.extract_tb(problem.__traceback__)):
        if frame.filename.endswith(".j2"):
            where = f"{frame.filename}:{frame.lineno}"
            break
    if isinstance(problem, jinja2.TemplateSyntaxError):
        where = f"{problem.filename or problem.name or template}:{problem.lineno}"
    return f"{where}: the page template failed: {problem.message or problem}"


def _slugify_default(value: str, separator: str) -> str:
    return markdown_lib.extensions.toc.slugify(value, separator)


def _unique(identifier: str, used: set[str]) -> str:
    # As Python-Markdown's toc does: a taken or empty id gets _1, _2, ...
    while identifier in used or not identifier:
        match = re.match(r"^(.*)_([0-9]+)$", identifier)
        identifier = f"{match.group(1)}_{int(match.group(2)) + 1}" if match else f"{identifier}_1"
    used.add(identifier)
    return identifier


def finish_headings(body: str, toc: TocOptions) -> tuple[str, tuple[Heading, ...]]:
    """Give every heading an id (slugified from its text, unique on the page, as the toc
    extension does), the site's permalink, and collect the table of contents."""
    used = set(_ID.findall(body))
    slugify = toc.slugify or _slugify_default
    headings: list[Heading] = []

    def heading(match: re.Match) -> str:
        level, attributes, inner = match.groups()
        given = _ID.search(attributes)
        text = html.unescape(_TAG.sub("", inner))
        identifier = given.group(1) if given else _unique(slugify(text, toc.separator), used)
        # As Markdown writes a heading: its text escaped for HTML, its id last.
        attributes = _ID.sub("", attributes) + f' id="{identifier}"'
        inner = html.escape(text, quote=False)
        headings.append(Heading(int(level), identifier, inner))
        if toc.permalink:
            link = (f'<a class="{toc.permalink_class}" href="#{identifier}" '
                    f'title="{html.escape(toc.permalink_title)}">{toc.permalink_text}</a>')
            inner = link + inner if toc.permalink_leading else inner + link
        return f"<h{level}{attributes}>{inner}</h{level}>"

    return _HEADING.sub(heading, body), tuple(headings)


def template_stamp(template_dirs: tuple[str, ...]) -> tuple:
    """What a site's own template folders hold: each file's name, size and modification time.
    A serve session renders with a new environment (and renders every page again) when a site
    edits one of its templates."""
    return tuple((str(path), stat.st_mtime_ns, stat.st_size)
                 for folder in template_dirs for path in sorted(Path(folder).rglob("*"))
                 if (stat := path.stat()) and path.is_file())


@lru_cache(maxsize=8)
def make_environment(template_dirs: tuple[str, ...] = (), stamp: tuple = ()) -> jinja2.Environment:
    """One environment per set of template folders as they are now (stamp: template_stamp),
    so templates compile once, not on every serve rebuild. A site's own templates folder comes
    first, so it can override any of ours. Autoescape is on: fact text is text unless this
    module marks it safe."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*template_dirs, str(TEMPLATE_DIR)]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        auto_reload=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(markdown=markdown_html, url=web_url, wayback=wayback_lookup)
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
        self.t = HtmlMessages(Messages(self.options.language))
        self.env = make_environment(template_dirs, template_stamp(template_dirs))

    def page_types(self) -> list[PageType]:
        """Every page of the site, in a stable order."""
        return [page for kind in PAGE_TYPES for page in kind.all(self.site)]

    def render(self, page: PageType) -> Page:
        context = page.context()
        key = (self.env, page.template, page.path, _frozen(context))
        if self.cache is None:
            return self._render(page, context)
        self._keys.add(page.path)
        return self.cache.get(page.path, key, lambda: self._render(page, context))

    def _render(self, page: PageType, context: dict[str, Any]) -> Page:
        links = self.options.links_from(page.path)
        meta = page.meta()
        source = meta.get("factcheck", {}).get("source") or "the facts"
        template = self.env.get_template(page.template)
        try:
            body = template.render(**context, t=self.t, link=links)
        except jinja2.TemplateError as problem:
            raise TemplateFailed(_template_problem(problem, page.template)) from None
        except UnsafeText as problem:
            raise UnsafePage(f"page {page.path}, made from {source}, holds HTML that is not allowed: {problem}. "
                             "Fix the text; this is never published.") from None
        body, toc = finish_headings(body, self.options.toc)
        if not template.filename.startswith(str(TEMPLATE_DIR)):
            # Our templates escape every value and take HTML only from checked fields; a site's
            # own template may do anything, so its whole page passes the allow-list.
            check_html(body, page.path, source)
        return Page(page.path, page.title(), joined_blocks(body), toc, meta, page.section())

    def render_pages(self) -> list[Page]:
        """Every generated page. With a cache (a serve session), a page is rendered again only
        when its context changed."""
        self._keys: set = set()
        pages = [self.render(page) for page in self.page_types()]
        if self.cache is not None:
            self.cache.keep_only(self._keys)
        return pages

    def render_snippet(self, name: str, page_path: str) -> str:
        """HTML for a `<!-- factcheck:NAME -->` marker in a hand-written page at page_path: a
        raw HTML block, which Markdown passes through."""
        if name != "verdicts":
            raise KeyError(name)
        counts = {v.id: 0 for v in self.facts.verdicts}
        for claim in self.site.current:
            counts[claim.status] += 1
        return self.env.get_template("_verdict_table.html.j2").render(
            t=self.t, options=self.options, link=self.options.links_from(page_path),
            scale_counts=tuple((v, counts[v.id]) for v in self.facts.verdicts), verdict_page="",
            changes=self.site.scale_changes())
