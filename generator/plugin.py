"""The MkDocs adapter: hands MkDocs the Site that publish.py makes, and watches the facts.

Everything is decided in publish.py; this file only translates. Generated pages reach MkDocs
ready: a `GeneratedPage` carries its HTML, table of contents and metadata, so MkDocs' Markdown
(and the YAML front matter parse) never runs on them. Every GeneratorError is turned into a
MkDocs error at this edge, so a build never ends in a traceback.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
from html import unescape as html_unescape
import json
import logging
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markdown.extensions.toc import nest_toc_tokens
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page as MkDocsPage
from mkdocs.structure.toc import get_toc

from . import render
from .build import SessionCache
from .config import FactcheckConfig
from .errors import FactsInvalid, GeneratorError
from .i18n import Messages, catalogue_language
from .options import SiteOptions, TocOptions
from .data import forget_claim_json
from .publish import REQUIRED_EXTENSIONS, THEME_DIR, Site, publish_site
from .sanitize import check_html
from .search_index import cited_sources, fold_search_index

log = logging.getLogger("mkdocs.plugins.factcheck")


def site_options(config: MkDocsConfig, plugin_config: FactcheckConfig) -> SiteOptions:
    """The SiteOptions a MkDocs config implies; shared with `export` so both write the same pages.

    MkDocs' edit_uri points into the docs folder (edit/main/docs/); fact files sit beside it,
    so their edit links start from the repository's root: the docs folder is taken off the end."""
    edit_uri = (config.edit_uri or "edit/main/").strip("/") + "/"
    root = Path(config.config_file_path or ".").resolve().parent
    try:
        docs = Path(config.docs_dir).resolve().relative_to(root).as_posix() + "/"
    except ValueError:
        docs = ""
    if docs and edit_uri.endswith("/" + docs):
        edit_uri = edit_uri[: -len(docs)]
    language = catalogue_language(config.theme.get("language") or "en")
    t = Messages(language)
    return SiteOptions(
        site_url=config.site_url or "",
        repo_url=config.repo_url or "",
        edit_uri=edit_uri,
        facts_path=plugin_config.facts_path,
        passages_per_page=max(1, plugin_config.passages_per_page),
        use_directory_urls=config.use_directory_urls,
        language=language,
        # Material prints site_name as HTML (init writes it HTML-escaped); the share card draws text.
        site_name=html_unescape(config.site_name or ""),
        place_singular=plugin_config.places_label.singular or t("place_singular"),
        place_plural=plugin_config.places_label.plural or t("place_plural"),
        places_folder=plugin_config.places_folder.strip("/") or "places",
        share_images=plugin_config.share_images,
        data_files=plugin_config.data_files,
        toc=toc_options((config.mdx_configs or {}).get("toc") or {}),
    )


def toc_options(settings: dict[str, Any]) -> TocOptions:
    """The site's `toc` extension settings, as generated pages apply them to their headings."""
    permalink = settings.get("permalink", False)
    text = permalink if isinstance(permalink, str) else "&para;"
    return TocOptions(
        permalink=bool(permalink),
        permalink_text=text,
        permalink_class=settings.get("permalink_class", "headerlink"),
        permalink_title=settings.get("permalink_title", "Permanent link"),
        permalink_leading=bool(settings.get("permalink_leading", False)),
        separator=settings.get("separator", "-"),
        slugify=settings.get("slugify"),
    )


def write_if_changed(path: Path, text: str, written: dict[Path, str] | None = None) -> None:
    """Rewrite a cache file only when its text changes, so its mtime marks real changes.

    `written` remembers what this session wrote, so an unchanged page costs no disk read."""
    if written is not None and written.get(path) == text and path.is_file():
        return
    data = text.encode("utf-8")
    if not (path.is_file() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if written is not None:
        written[path] = text


# What our main.html adds to a claim page's head, and how to see it in the page.
THEME_MARKERS = (("the ClaimReview JSON-LD", 'type="application/ld+json"'),
                 ("the Open Graph title", 'property="og:title"'),
                 ("the feed link", 'type="application/atom+xml"'))


class GeneratedPage(MkDocsPage):
    """A page the generator made: MkDocs gets its HTML, table of contents and metadata as they
    are, so the site's Markdown never runs on it."""

    def __init__(self, file: File, config: MkDocsConfig, generated: render.Page):
        super().__init__(None, file, config)
        self.generated = generated
        # Material's edit button opens the fact file, not a Markdown file that does not exist.
        self.edit_url = generated.meta.get("factcheck", {}).get("edit_url") or None

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown = ""
        self.meta = dict(self.generated.meta)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        tokens = [{"level": h.level, "id": h.id, "name": h.name} for h in self.generated.toc]
        self.content = self.generated.html
        self.toc = get_toc(nest_toc_tokens(tokens))
        self._title_from_render = None
        self.present_anchor_ids = set(self.generated.ids)
        self.links_to_anchors = {}


def _nav_titles(nav: list | None) -> dict[str, str]:
    """The titles the site's nav gives its pages: a nav title names the page in the nav, as
    MkDocs does for pages it makes itself."""
    titles: dict[str, str] = {}
    for entry in nav or ():
        if isinstance(entry, dict):
            (title, value), = entry.items()
            if isinstance(value, list):
                titles.update(_nav_titles(value))
            elif isinstance(value, str) and title is not None:
                titles[value] = str(title)
    return titles


def _at_edge(hook: Callable) -> Callable:
    """Any GeneratorError a hook meets becomes one clear MkDocs error (never a traceback)."""

    @functools.wraps(hook)
    def run(self, *args, **kwargs):
        try:
            return hook(self, *args, **kwargs)
        except FactsInvalid as invalid:
            for error in invalid.errors:
                log.error(str(error))
            raise PluginError(f"factcheck: {len(invalid.errors)} error(s) in {self.config.facts_dir}/; "
                              "fix the facts above (python -m generator check lists them)") from None
        except GeneratorError as problem:
            raise PluginError(f"factcheck: {problem}") from None

    return run


class FactcheckPlugin(BasePlugin[FactcheckConfig]):
    supports_multiple_instances = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup makes MkDocs keep this instance across serve rebuilds, so the
        # session cache lives as long as the server; a one-off build needs none.
        self.session = SessionCache() if command == "serve" else None
        self.command = command

    @_at_edge
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # State is rebuilt on every config load, so each `serve` rebuild starts clean.
        root = Path(config.config_file_path or ".").resolve().parent
        self.facts_dir = (root / self.config.facts_dir).resolve()
        self.cache_dir = (root / self.config.cache_dir).resolve()
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        self.options = site_options(config, self.config)
        self.warn_local_site_url(config)
        templates = root / self.config.templates_dir
        self.template_dirs = (str(templates),) if templates.is_dir() else ()
        self.site: Site | None = None
        self.expanded: set[str] = set()
        # Our templates, partials and CSS come with the package: after the site's custom_dir (so a
        # site can override any of them), before Material's own.
        if str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        return config

    def on_serve(self, server, /, *, config: MkDocsConfig, builder):  # noqa: ANN001 - MkDocs' signature
        server.watch(str(self.facts_dir))
        for folder in self.template_dirs:
            server.watch(folder)
        return server

    @_at_edge
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        session = getattr(self, "session", None)
        self.site = site = publish_site(self.facts_dir, self.options, cache=session,
                                        template_dirs=self.template_dirs, image_cache=self.cache_dir / "images")
        for warning in site.warnings:
            log.warning(str(warning))
        root = Path(config.config_file_path or ".").resolve().parent
        site.refuse_clashes(files.src_uris, os.path.relpath(config.docs_dir, root))
        # Generated files are never excluded by the site's exclude_docs or draft_docs: a published
        # page or redirect cannot be dropped by a line of config (not_in_nav still applies).
        nav_exclude = config.get("not_in_nav")

        def inclusion(path: str) -> InclusionLevel:
            return (InclusionLevel.NOT_IN_NAV if nav_exclude and nav_exclude.match_file(path)
                    else InclusionLevel.INCLUDED)

        for page in site.pages:
            if session is not None:
                # Under serve, a page's cache file changes only when the page does, so
                # `serve --dirty` rebuilds only what changed.
                cache_file = self.cache_dir / "pages" / page.path
                write_if_changed(cache_file, page.digest, session.written)
                file = File.generated(config, page.path, abs_src_path=str(cache_file), inclusion=inclusion(page.path))
            else:
                file = File.generated(config, page.path, content=page.html, inclusion=inclusion(page.path))
            files.append(file)
            GeneratedPage(file, config, page)
        for name in site.data:
            # Written one at a time to disk, not held: MkDocs copies the file, and the texts (tens
            # of megabytes at 10,000 claims) are not kept for the rest of the build.
            data_file = self.cache_dir / "data" / name
            write_if_changed(data_file, site.data[name], session.written if session else None)
            files.append(File.generated(config, name, abs_src_path=str(data_file), inclusion=InclusionLevel.INCLUDED))
        if session is None:
            forget_claim_json()
        for name, source in site.static.items():
            files.append(File.generated(config, name, abs_src_path=str(source), inclusion=InclusionLevel.INCLUDED))
        for name, data in site.binary.items():
            files.append(File.generated(config, name, content=data, inclusion=InclusionLevel.INCLUDED))
        config.nav = site.prune_nav(config.nav, files.src_uris)
        config.extra["factcheck"] = site.theme_extra(files.src_uris)
        return files

    def on_env(self, env, /, *, config: MkDocsConfig, files: Files):  # noqa: ANN001 - MkDocs' signature
        session = getattr(self, "session", None)
        if session is not None:
            env.bytecode_cache = session.theme_bytecode
        return env

    def on_nav(self, nav, /, *, config: MkDocsConfig, files: Files):  # noqa: ANN001 - MkDocs' signature
        titles = _nav_titles(config.nav)
        for page in nav.pages:
            if isinstance(page, GeneratedPage) and page.file.src_uri in titles:
                page.title = titles[page.file.src_uri]
        return nav

    @event_priority(100)
    def _searchable_content(self, context, /, *, page, config, nav):  # noqa: ANN001 - MkDocs' signature
        # Before the search plugin reads the page: only what it indexes, so it parses a fraction
        # of the HTML and makes the same entries. Restored below, before the theme writes the page.
        if isinstance(page, GeneratedPage):
            page.content = page.generated.searchable()
        return context

    @event_priority(-100)
    def _page_context(self, context, /, *, page, config, nav):  # noqa: ANN001 - MkDocs' signature
        if isinstance(page, GeneratedPage):
            page.content = page.generated.html
        # A claim or place page is not in the nav; its section's entry shows where the reader is.
        self.active_section = None
        if isinstance(page, GeneratedPage) and page.generated.section:
            section = next((p for p in nav.pages if p.file.src_uri == page.generated.section), None)
            if section is not None and not section.active:
                section.active = True
                self.active_section = section
        return context

    on_page_context = CombinedEvent(_searchable_content, _page_context)

    @_at_edge
    def on_page_markdown(self, markdown, /, *, page, config, files):  # noqa: ANN001 - MkDocs' signature
        if isinstance(page, GeneratedPage):
            return markdown
        expanded = self.site.expand_snippets(markdown, page.file.src_uri)
        if expanded is not markdown:
            self.expanded.add(page.file.src_uri)
        return expanded

    @_at_edge
    def on_page_content(self, html, /, *, page, config, files):  # noqa: ANN001 - MkDocs' signature
        # Hand-written pages that hold generated parts, or that `init` wrote from the options
        # someone typed, pass the same allow-list as generated pages.
        written_by = (page.meta.get("factcheck") or {}).get("written_by") if isinstance(page.meta, dict) else None
        if not isinstance(page, GeneratedPage) and (page.file.src_uri in self.expanded or written_by):
            docs = os.path.relpath(config.docs_dir, Path(config.config_file_path or ".").resolve().parent)
            check_html(html, f"{docs}/{page.file.src_uri}", "a hand-written page the generator expanded")
        return html

    def on_post_page(self, output, /, *, page, config):  # noqa: ANN001 - MkDocs' signature
        if getattr(self, "active_section", None) is not None:
            self.active_section.active = False
            self.active_section = None
        # A site's own overrides/ may replace our main.html; if it drops what the theme parts add,
        # say so (a warning, so --strict fails) rather than publish claims without their markup.
        factcheck = page.meta.get("factcheck") if page.meta else None
        if factcheck and factcheck.get("kind") == "claim" and isinstance(page, GeneratedPage):
            missing = [name for name, marker in THEME_MARKERS if marker not in output
                       and (marker != 'type="application/atom+xml"' or self.site.data)]
            if missing:
                log.warning(f"factcheck: {page.file.src_uri} lacks {', '.join(missing)}: the site's "
                            "overrides replace main.html without what ours adds; extend \"main.html\" "
                            "from the factcheck theme or keep {{ super() }} in its extrahead block")
        return output

    def warn_local_site_url(self, config: MkDocsConfig) -> None:
        """Warn (so --strict fails) when a build would publish share links and cards that point at
        this machine. `mkdocs serve` sets site_url to its own address: there it is expected."""
        if getattr(self, "command", "build") == "serve" or not config.site_url:
            return
        host = (urllib.parse.urlsplit(config.site_url).hostname or "").rstrip(".").lower()
        try:
            address = ipaddress.ip_address(host)
            local = address.is_loopback or address.is_unspecified or address.is_private or address.is_link_local
        except ValueError:
            local = host == "localhost" or host.endswith(".localhost")
        if local:
            log.warning("factcheck: " + Messages(self.options.language)("local_site_url", site_url=config.site_url))

    @event_priority(50)  # before the search plugin writes the index, whatever their order in mkdocs.yml
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Make the search index as readers search it (search_index.py): plain text, typographic
        variants folded, the sources each claim cites. Done to the entries the search plugin holds,
        before it writes them, so the index is never read back, parsed and written again."""
        session = getattr(self, "session", None)
        if session is not None:
            session.settle()
        search = next((plugin for plugin in config.plugins.values() if hasattr(plugin, "search_index")), None)
        if getattr(self, "site", None) is None or search is None or not search.config.get("enabled", True):
            return
        index = search.search_index
        folded = fold_search_index({"config": {"separator": index.config.get("separator")}, "docs": index.entries},
                                   cited_sources(self.site.pages, self.site.facts, self.options), in_place=True)
        index.entries = folded["docs"]
        # The fold table goes into the index's config, which the worker reads to fold queries.
        table = json.dumps(folded["config"]["fold"], separators=(",", ":"))
        generate = index.generate_search_index

        def with_fold(previous):  # noqa: ANN001, ANN202 - the search plugin's own signature
            data = generate(previous)
            if not data.startswith('{"config":{'):
                log.warning("factcheck: the search index has a form this version does not know; queries are "
                            "not folded (curly quotes, full-width letters)")
                return data
            return '{"config":{"fold":' + table + "," + data[len('{"config":{'):]

        index.generate_search_index = with_fold


def build_strict(config_file: Path, site_dir: Path) -> None:
    """`mkdocs build --strict` of a site, in this process, as the MkDocs command runs it (the
    site tests and the generator's own tests use it; a subprocess would cost a second each)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
