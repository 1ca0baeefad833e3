"""A site's mkdocs.yml read as plain data, for the commands that run without MkDocs (`check`,
`new`, `export`'s refusals, `check --since` reading the config at a git ref).

Only plain values are read; MkDocs' own tags (!ENV, !!python/name) read as null, and a file
past MAX_CONFIG_BYTES or that is not YAML counts as no config (the build reports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

# A site's mkdocs.yml is read for plain settings only; past this size it is not one.
MAX_CONFIG_BYTES = 1 << 20


class _ConfigLoader(yaml.SafeLoader):
    """Reads a mkdocs.yml for plain values; MkDocs' own tags (!ENV, !!python/name) read as null."""


_ConfigLoader.add_constructor(None, lambda loader, node: None)


def parse_config(raw: bytes) -> dict:
    """A mkdocs.yml's bytes as plain data; {} when they are not a readable config."""
    if len(raw) > MAX_CONFIG_BYTES:
        return {}
    try:
        config = yaml.load(raw.decode("utf-8"), Loader=_ConfigLoader)
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return {}
    return config if isinstance(config, dict) else {}


def site_config(facts_dir: Path) -> dict:
    """The mkdocs.yml of the site the facts folder belongs to (beside the folder, else in the
    working folder), as plain data; {} when there is none or it cannot be read."""
    for candidate in (facts_dir.parent / "mkdocs.yml", Path("mkdocs.yml")):
        try:
            with open(candidate, "rb") as handle:
                raw = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError:
            continue
        return parse_config(raw)
    return {}


def plugins(config: dict) -> list[tuple[object, object]]:
    """(name, options) of each plugin a site's config lists, in either of MkDocs' forms."""
    listed = config.get("plugins")
    if isinstance(listed, dict):
        return list(listed.items())
    if isinstance(listed, list):
        return [(entry, None) if isinstance(entry, str) else next(iter(entry.items()))
                for entry in listed if isinstance(entry, str) or isinstance(entry, dict) and len(entry) == 1]
    return []


def plugin_options(config: dict) -> dict | None:
    """The factcheck plugin's options in a site's config ({} when it sets none), or None when the
    config does not use the plugin."""
    for name, options in plugins(config):
        if name == "factcheck":
            return options if isinstance(options, dict) else {}
    return None


@dataclass(frozen=True)
class Addresses:
    """The settings of a site's config that decide where its generated pages are: change one,
    and published addresses move."""

    plugin: bool
    facts_dir: str
    places_folder: str
    use_directory_urls: bool

    @classmethod
    def of(cls, config: dict) -> Addresses:
        options = plugin_options(config)
        given = options or {}
        folder = given.get("places_folder")
        directory_urls = config.get("use_directory_urls")
        return cls(plugin=options is not None,
                   facts_dir=str(given.get("facts_dir") or "facts"),
                   places_folder=(folder.strip("/") if isinstance(folder, str) and folder.strip("/") else "places"),
                   use_directory_urls=directory_urls if isinstance(directory_urls, bool) else True)
