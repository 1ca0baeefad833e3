"""`init DIR`: a complete, neutral fact-check site, ready to build and fill in.

The site is rendered from generator/starter/common/, one starter for every language: its pages,
facts and config are Jinja templates that read every word from the message catalogue of the
site's language (`t`), so a new language is one catalogue file. Files ending in .j2 are
templates; a path segment `dot-` becomes `.` (dot-github -> .github). The JSON Schemas are copied
to the site's schemas/ folder so the `$schema` line of every fact file resolves in the site.

Text the user typed (--title, --organisation, --place-label) is plain text: it is escaped for
each place it lands in (YAML-quoted in YAML, Markdown-escaped in Markdown, HTML-escaped where
Material prints config values as HTML), so it is shown as typed and never read as markup.
Every example value carries the catalogue's example marker (see placeholders.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from .errors import GeneratorError
from .escape import html_attr, md_inline, yaml_block, yaml_scalar
from .i18n import Messages, catalogue_language, languages
from .publish import SCHEMA_DIR

STARTER_DIR = Path(__file__).parent / "starter" / "common"
DISTRIBUTION = "factcheck-microsite"
COMMAND = "factcheck-microsite"
_FOLDER = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_OPTION_LENGTH = 200
# The option a user typed for each setting, so a refusal names what they wrote.
OPTIONS = {"site_name": "--title", "org_name": "--organisation", "place_singular": "--place-label",
           "place_plural": "--place-label", "repo_url": "--repo-url", "places_folder": "--places-folder",
           "language": "--language"}
# Characters that cannot be part of one line of text: controls, line and paragraph separators,
# surrogates, and format characters (direction overrides, invisible tags) but for the joiners
# that emoji and some scripts need. Everything else is text, and escaped where it is written.
_NOT_TEXT = {"Cc", "Cs", "Zl", "Zp", "Cf"}
_JOINERS = {"\u200c", "\u200d"}


class InitRefused(GeneratorError):
    """init will not write here: the folder is not empty, or an option is not usable."""

    exit_code = 2


@dataclass(frozen=True)
class SiteSettings:
    """What `init` asks for; every field has a sensible default."""

    site_name: str
    language: str = "en"
    places: bool = True
    place_singular: str = ""
    place_plural: str = ""
    places_folder: str = "places"
    org_name: str = ""
    repo_url: str = ""


def init_site(target: Path | str, settings: SiteSettings, today: dt.date | None = None) -> list[Path]:
    """Write a new site into target (empty or absent) and return the files written."""
    target = Path(target)
    language = _checked(settings)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitRefused(f"{target}: the folder is not empty; init writes only into a new or empty folder, "
                          "so nothing of yours is overwritten")
    t = Messages(language)
    values = {
        **asdict(settings),
        "language": language,
        "place_singular": settings.place_singular or t("place_singular"),
        "place_plural": settings.place_plural or t("place_plural"),
        "org_name": settings.org_name if settings.org_name.strip() else t("example_organisation"),
        "org_given": bool(settings.org_name.strip()),
        "today": (today or dt.date.today()).isoformat(),
        "package": DISTRIBUTION,
        "requirement": requirement(),
        "module": __package__,
        "command": COMMAND,
        "schema_base": "../../schemas/",
        "schema_base_top": "../schemas/",
    }
    files = _starter_files(settings.places)
    written = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for relative, source in sorted(files.items()):
            if source.suffix == ".j2":
                template = writing_environment(STARTER_DIR).get_template(source.relative_to(STARTER_DIR).as_posix())
                words = writing_words(t, values, markdown=relative.endswith(".md"))
                data = template.render(**values, **words).encode("utf-8")
            else:
                data = source.read_bytes()
            written.append(_write_new(target / relative, data))
        for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):
            written.append(_write_new(target / "schemas" / schema.name, schema.read_bytes()))
    except OSError as problem:
        raise InitFailed(f"{target}: {problem.strerror or problem}") from None
    return written


class InitFailed(GeneratorError):
    """The system refused a write (read-only folder, disk full)."""


def writing_words(t: Messages, values: dict[str, Any], markdown: bool = False) -> dict[str, Callable[..., str]]:
    """The words of a file `init` or `new` writes, for its template.

    `t(key)` is a catalogue message with the command names filled in; in a Markdown file it also
    fills in the site's names (title, organisation, place labels) Markdown-escaped. In every other
    file a template passes each name itself, escaped for where it goes, with the filters of
    writing_environment. `example(key)` and `fill(key)` are messages carrying the catalogue's
    example and placeholder markers (see placeholders.py)."""
    filled: dict[str, Any] = {name: values[name] for name in
                              ("command", "module", "package", "places_folder", "schema_base", "schema_base_top")
                              if name in values}
    filled["marker"] = t("example_marker")
    filled["fill_marker"] = t("placeholder_marker")
    if markdown:
        singular, plural = values["place_singular"], values["place_plural"]
        filled.update(site_name=md_inline(values["site_name"]), organisation=md_inline(values["org_name"]),
                      place=md_inline(singular), place_lower=md_inline(singular.lower()),
                      places=md_inline(plural), places_lower=md_inline(plural.lower()))

    def words(key: str, **extra: Any) -> str:
        return t(key, **{**filled, **extra})

    def marked(marker: str) -> Callable[..., str]:
        def value(key: str, **extra: Any) -> str:
            return t(f"{marker}_value", marker=t(f"{marker}_marker"), text=words(key, **extra))
        return value

    def example_text(text: str) -> str:
        return t("example_value", marker=t("example_marker"), text=text)

    return {"t": words, "example": marked("example"), "fill": marked("placeholder"), "example_text": example_text}


@lru_cache(maxsize=None)
def writing_environment(folder: Path) -> jinja2.Environment:
    """The Jinja environment of the templates in folder that `init` and `new` render, kept so each
    template is compiled once. Its filters escape what a template writes for where it goes: `yaml`
    and `block` (YAML scalars), `md` (inline Markdown), `html` (HTML text or attribute), `comment`
    (YAML or Make comment lines)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(yaml=yaml_scalar, block=yaml_block, md=md_inline, html=html_attr, comment=_comment)
    return env


def _comment(text: str, indent: int = 0) -> str:
    """Text as comment lines (`# ...`), the lines after the first indented by `indent`."""
    return ("\n" + " " * indent).join(f"# {line}".rstrip() for line in str(text).splitlines())


def requirement() -> str:
    """How the new site's requirements.txt names this package: from the package index, or, for a
    copy installed from a folder or a repository (PEP 610), from that same place, so `make`
    installs what `init` ran from."""
    from importlib import metadata

    try:
        direct = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return DISTRIBUTION
    if not direct:
        return f"{DISTRIBUTION}=={metadata.version(DISTRIBUTION)}"
    url = json.loads(direct).get("url", "")
    return f"{DISTRIBUTION} @ {url}" if url else DISTRIBUTION


def _checked(settings: SiteSettings) -> str:
    try:
        language = catalogue_language(settings.language)
    except GeneratorError:
        raise InitRefused(f"--language {settings.language}: no message catalogue; "
                          f"available: {', '.join(languages())}") from None
    for name in ("site_name", "place_singular", "place_plural", "org_name", "repo_url"):
        value = getattr(settings, name)
        option = OPTIONS[name]
        if len(value) > MAX_OPTION_LENGTH:
            raise InitRefused(f"{option}: {len(value)} characters; at most {MAX_OPTION_LENGTH}, please")
        bad = next((char for char in value if unicodedata.category(char) in _NOT_TEXT and char not in _JOINERS),
                   None)
        if bad is not None:
            name_of = unicodedata.name(bad, "a control character").lower()
            raise InitRefused(f"{option}: holds U+{ord(bad):04X} ({name_of}); write it as one line of plain "
                              "text, without line breaks or control characters")
    if not settings.site_name.strip():
        raise InitRefused("--title: the site needs a title")
    if not _FOLDER.fullmatch(settings.places_folder):
        raise InitRefused(f"--places-folder {settings.places_folder!r}: lowercase letters, digits and hyphens")
    if settings.repo_url and not re.fullmatch(r"https://[^\s'\"<>]+", settings.repo_url):
        raise InitRefused(f"--repo-url {settings.repo_url!r}: an https:// address")
    return language


def _starter_files(places: bool) -> dict[str, Path]:
    """Output path -> starter file."""
    files: dict[str, Path] = {}
    for source in STARTER_DIR.rglob("*"):
        if not source.is_file() or source.name.startswith(".") or "__pycache__" in source.parts:
            continue
        parts = [("." + part[4:]) if part.startswith("dot-") else part
                 for part in source.relative_to(STARTER_DIR).parts]
        if parts[-1].endswith(".j2"):
            parts[-1] = parts[-1][:-3]
        relative = "/".join(parts)
        if not places and relative.startswith("facts/places/"):
            continue
        files[relative] = source
    return files


def _write_new(path: Path, data: bytes) -> Path:
    """Create path with data; never replace or follow anything already there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    with open(descriptor, "wb") as handle:
        handle.write(data)
    return path
