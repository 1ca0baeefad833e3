"""The MkDocs adapter: adds generated pages, watches facts, exposes JSON-LD and data files.

All the work happens in the stages; this file only translates between them and MkDocs.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import urllib.parse
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from .build import SessionCache
from .config import FactcheckConfig
from .errors import FactsInvalid, GeneratorError
from .publish import THEME_DIR, THEME_MESSAGES, Site, publish_site
from .i18n import Messages, catalogue_language
from .options import SiteOptions
from .sanitize import html_problems
from .search_index import cited_sources, fold_search_index

log = logging.getLogger("mkdocs.plugins.factcheck")
REQUIRED_EXTENSIONS = ("tables", "attr_list", "md_in_html", "toc")


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
        site_name=config.site_name or "",
        place_singular=plugin_config.places_label.singular or t("place_singular"),
        place_plural=plugin_config.places_label.plural or t("place_plural"),
        places_folder=plugin_config.places_folder.strip("/") or "places",
        share_images=plugin_config.share_images,
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


def footer_links(site: Site, present, options: SiteOptions) -> list[tuple[str, str]]:
    """(label, page URL) of the footer links this site has: About, Contributing, the feed."""
    t = Messages(options.language)
    present = set(present)
    links = [(t("footer_about"), options.page_path("about.md"))]
    if "contributing.md" in present:
        links.append((t("footer_contributing"), options.page_path("contributing.md")))
    if site.data:
        links.append((t("footer_feed"), "feed.xml"))
    return links


def prune_nav(nav: list, missing: set[str]) -> list:
    """The nav without entries for generated pages this site does not have (no places, no
    timeline), so a nav written once never breaks --strict."""
    pruned = []
    for entry in nav:
        if isinstance(entry, dict):
            (title, value), = entry.items()
            if isinstance(value, list):
                value = prune_nav(value, missing)
                if value:
                    pruned.append({title: value})
            elif value not in missing:
                pruned.append(entry)
        elif entry not in missing:
            pruned.append(entry)
    return pruned


class FactcheckPlugin(BasePlugin[FactcheckConfig]):
    supports_multiple_instances = False

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup makes MkDocs keep this instance across serve rebuilds, so the
        # session cache lives as long as the server; a one-off build needs none.
        self.session = SessionCache() if command == "serve" else None
        self.command = command

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # State is rebuilt on every config load, so each `serve` rebuild starts clean.
        root = Path(config.config_file_path or ".").resolve().parent
        self.facts_dir = (root / self.config.facts_dir).resolve()
        self.cache_dir = (root / self.config.cache_dir).resolve()
        try:
            self.options = site_options(config, self.config)
        except GeneratorError as problem:
            raise PluginError(f"factcheck: {problem}") from None
        self.warn_local_site_url(config)
        templates = root / self.config.templates_dir
        self.template_dirs = (str(templates),) if templates.is_dir() else ()
        self.site: Site | None = None
        # Words the theme parts need (the 404 page), in the site's language.
        t = Messages(self.options.language)
        config.extra["factcheck"] = {key: t(key) for key in THEME_MESSAGES}
        for extension in REQUIRED_EXTENSIONS:
            if extension not in config.markdown_extensions:
                config.markdown_extensions.append(extension)
        # Our templates, partials and CSS come with the package: after the site's custom_dir (so a
        # site can override any of them), before Material's own.
        if str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, str(THEME_DIR))
        return config

    def on_serve(self, server, /, *, config: MkDocsConfig, builder):  # noqa: ANN001 - MkDocs' signature
        server.watch(str(self.facts_dir))
        return server

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        try:
            session = getattr(self, "session", None)
            self.site = publish_site(self.facts_dir, self.options, cache=session, with_data=self.config.data_files,
                                     template_dirs=self.template_dirs, image_cache=self.cache_dir / "images")
        except FactsInvalid as invalid:
            for error in invalid.errors:
                log.error(str(error))
            raise PluginError(f"factcheck: {len(invalid.errors)} error(s) in {self.config.facts_dir}/; "
                              "fix the facts above (python -m generator check lists them)") from None
        for page in self.site.pages:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                raise PluginError(f"factcheck: {config.docs_dir}/{page.path} is also a generated page; "
                                  "remove or rename the hand-written file")
            cache_file = self.cache_dir / "pages" / page.path
            write_if_changed(cache_file, page.markdown, session.written if session else None)
            files.append(File.generated(config, page.path, abs_src_path=str(cache_file)))
        for name, text in self.site.data.items():
            files.append(File.generated(config, name, content=text))
        for name, source in self.site.static.items():
            files.append(File.generated(config, name, abs_src_path=str(source)))
        for name, data in self.site.binary.items():
            files.append(File.generated(config, name, content=data))
        if config.nav:
            config.nav = prune_nav(config.nav, self.site.missing_pages(files.src_uris))
        config.extra["factcheck"]["footer"] = footer_links(self.site, files.src_uris, self.options)
        return files

    def on_page_markdown(self, markdown, /, *, page, config, files):  # noqa: ANN001 - MkDocs' signature
        if page.file.generated_by:
            return markdown
        try:
            return self.site.expand_snippets(markdown, page.file.src_uri)
        except GeneratorError as problem:
            raise PluginError(f"factcheck: {config.docs_dir}/{problem}") from None

    def on_page_content(self, html, /, *, page, config, files):  # noqa: ANN001 - MkDocs' signature
        # The last line: whatever escaping missed, a generated page holding HTML outside the
        # allow-list (a handler, a script URL, an element the templates never emit) is not written.
        if not page.file.generated_by:
            return html
        session = getattr(self, "session", None)
        checked = session.clean_html if session else None
        key = hashlib.blake2b(html.encode("utf-8"), digest_size=16).digest()
        if checked is not None and checked.get(page.file.src_uri) == key:
            return html  # this very HTML passed on an earlier rebuild of this serve session
        problems = html_problems(html)
        if problems:
            factcheck = page.meta.get("factcheck") or {}
            source = factcheck.get("source") or f"{self.config.facts_dir}/"
            listed = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
            raise PluginError(f"factcheck: page {page.file.src_uri}, made from {source}, holds HTML that "
                              f"is not allowed: {listed}. Fix the fact text; this is never published.")
        if checked is not None:
            checked[page.file.src_uri] = key
        return html

    def on_page_context(self, context, /, *, page, config, nav):  # noqa: ANN001 - MkDocs' signature
        factcheck = page.meta.get("factcheck") if page.meta else None
        if factcheck and page.file.generated_by:
            # Material's edit button should open the fact file, not a Markdown file that does not exist.
            page.edit_url = factcheck.get("edit_url") or None
        return context

    def on_post_page(self, output, /, *, page, config):  # noqa: ANN001 - MkDocs' signature
        # A site's own overrides/ may replace our main.html; if it drops what the theme parts add,
        # say so (a warning, so --strict fails) rather than publish claims without their markup.
        factcheck = page.meta.get("factcheck") if page.meta else None
        if factcheck and factcheck.get("kind") == "claim" and page.file.generated_by:
            missing = [name for name, marker in THEME_MARKERS if marker not in output]
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

    @event_priority(-50)  # after the search plugin, whatever their order in mkdocs.yml: it writes the index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Rewrite the search index as readers search it (search_index.py): plain text, typographic
        variants folded, the sources each claim cites."""
        path = Path(config.site_dir) / "search" / "search_index.json"
        if getattr(self, "site", None) is None or not path.is_file():
            return
        index = json.loads(path.read_text(encoding="utf-8"))
        folded = fold_search_index(index, cited_sources(self.site.pages, self.site.facts, self.options))
        # As Material writes it: compact, ASCII.
        path.write_text(json.dumps(folded, separators=(",", ":")), encoding="utf-8")


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
