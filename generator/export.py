"""`export`: the same Site the plugin serves, as a folder any MkDocs-compatible engine builds
without our plugin (plain MkDocs + Material, ProperDocs, Zensical).

The folder holds mkdocs.yml (the site's own config without the factcheck plugin, pointing at
the folder's overrides/), docs/ (the hand-written pages with their markers expanded, the
generated pages, the data files and the schemas) and overrides/ (our theme parts under the
site's own). Page meta carries what the plugin would have added (JSON-LD, Open Graph, edit
links), and the theme parts read it from there, so both builds show the same pages.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import yaml

from .errors import GeneratorError
from .i18n import Messages
from .publish import REQUIRED_EXTENSIONS, THEME_DIR, publish_site, theme_files
from .options import SiteOptions

PLUGIN = "factcheck"


class ExportConfigError(GeneratorError):
    """The MkDocs config named for export cannot be read."""


def _mkdocs_config(config_file: Path) -> tuple[Any, dict[str, Any]]:
    """The config as MkDocs loads it (for options) and as plain data (to rewrite)."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError
    from mkdocs.utils.yaml import yaml_load

    try:
        config = load_config(str(config_file))
        with open(config_file, encoding="utf-8") as handle:
            raw = yaml_load(handle)
    except (ConfigurationError, OSError, yaml.YAMLError) as problem:
        raise ExportConfigError(f"{config_file}: cannot read the MkDocs config: {problem}") from None
    return config, raw or {}


def _plugin_entry(entry: Any) -> str:
    return entry if isinstance(entry, str) else next(iter(entry), "") if isinstance(entry, dict) else ""


def plain_config(raw: dict[str, Any], site_name: str) -> dict[str, Any]:
    """The site's config for a build without our plugin: our theme parts as its custom_dir."""
    config = dict(raw)
    config.setdefault("site_name", site_name)
    config["docs_dir"] = "docs"
    config.pop("site_dir", None)
    theme = config.get("theme") or {"name": "material"}
    theme = {"name": theme} if isinstance(theme, str) else dict(theme)
    theme["custom_dir"] = "overrides"
    config["theme"] = theme
    plugins = config.get("plugins")
    if plugins is None:
        plugins = ["search"]
    if isinstance(plugins, dict):
        plugins = {name: value for name, value in plugins.items() if name != PLUGIN}
    else:
        plugins = [entry for entry in plugins if _plugin_entry(entry) != PLUGIN]
    config["plugins"] = plugins
    extensions = list(config.get("markdown_extensions") or [])
    present = {_plugin_entry(entry) for entry in extensions}
    extensions += [name for name in REQUIRED_EXTENSIONS if name not in present]
    config["markdown_extensions"] = extensions
    return config


def export_files(config_file: Path | None, facts_dir: Path | None = None,
                 today: dt.date | None = None, warnings: list | None = None) -> dict[str, bytes]:
    """Every file of the exported folder, by its path inside it; the Site's warnings (unreplaced
    example text) are added to `warnings` when given."""
    from .plugin import FactcheckPlugin, site_options

    files: dict[str, bytes] = {}
    raw: dict[str, Any] = {}
    docs_dir: Path | None = None
    custom_dir: Path | None = None
    options = SiteOptions()
    plugin = None
    if config_file is not None and config_file.is_file():
        config, raw = _mkdocs_config(config_file)
        plugin = next((p for p in config.plugins.values() if isinstance(p, FactcheckPlugin)), None)
        root = config_file.resolve().parent
        if plugin is not None:
            options = site_options(config, plugin.config)
            facts_dir = facts_dir or root / plugin.config.facts_dir
        else:
            options = SiteOptions(site_url=config.site_url or "", repo_url=config.repo_url or "",
                                  use_directory_urls=config.use_directory_urls)
        docs_dir = Path(config.docs_dir)
        custom_dir = Path(config.theme.custom_dir) if config.theme.custom_dir else None
    template_dirs: tuple[str, ...] = ()
    if config_file is not None and plugin is not None:
        templates = config_file.resolve().parent / plugin.config.templates_dir
        template_dirs = (str(templates),) if templates.is_dir() else ()
    site = publish_site(facts_dir or Path("facts"), options, today=today, template_dirs=template_dirs)
    if warnings is not None:
        warnings.extend(site.warnings)
    if docs_dir is not None and docs_dir.is_dir():
        site.refuse_clashes([path.relative_to(docs_dir).as_posix() for path in docs_dir.rglob("*.md")],
                            os.path.relpath(docs_dir, config_file.resolve().parent))
        for path in sorted(docs_dir.rglob("*")):
            relative = path.relative_to(docs_dir).as_posix()
            if not path.is_file() or any(part.startswith(".") for part in relative.split("/")):
                continue
            data = path.read_bytes()
            if path.suffix == ".md":
                data = site.expand_snippets(data.decode("utf-8"), relative).encode("utf-8")
            files[f"docs/{relative}"] = data
    for page in site.pages:
        files[f"docs/{page.path}"] = page.markdown.encode("utf-8")
    for name, text in site.data.items():
        files[f"docs/{name}"] = text.encode("utf-8")
    for name, source in site.static.items():
        files[f"docs/{name}"] = source.read_bytes()
    for name, data in site.binary.items():
        files[f"docs/{name}"] = data
    for name, source in theme_files().items():
        files[f"overrides/{name}"] = source.read_bytes()
    if custom_dir is not None and custom_dir.is_dir() and custom_dir.resolve() != THEME_DIR.resolve():
        for path in sorted(custom_dir.rglob("*")):
            relative = path.relative_to(custom_dir).as_posix()
            # Hidden files (.gitkeep, .DS_Store) are not theme parts, and export writes none.
            if path.is_file() and not any(part.startswith(".") for part in relative.split("/")):
                files[f"overrides/{relative}"] = path.read_bytes()
    config = plain_config(raw, Messages(options.language)("feed_title", title=site.facts.article.title))
    # The nav and what the theme parts read (404 page, feed link, footer), as the plugin sets them.
    present = [name[len("docs/"):] for name in files if name.startswith("docs/")]
    if config.get("nav"):
        config["nav"] = site.prune_nav(config["nav"], present)
    extra = site.theme_extra(present)
    extra["footer"] = [list(link) for link in extra["footer"]]
    config["extra"] = {**(config.get("extra") or {}), "factcheck": extra}
    header = ("# Written by `python -m generator export`: this site's config without the factcheck\n"
              "# plugin. Build with `mkdocs build`, `properdocs build` or `zensical build`.\n")
    files["mkdocs.yml"] = (header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False)).encode("utf-8")
    return files

