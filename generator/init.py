"""`init DIR`: a complete, neutral fact-check site, ready to build and fill in.

The site is rendered from generator/starter/: common/ first, then the language's folder on top
(same relative paths). Files ending in .j2 are Jinja templates; a path segment `dot-` becomes
`.` (dot-github -> .github). The JSON Schemas are copied to the site's schemas/ folder so the
`$schema` line of every fact file resolves in the site and editors complete fields.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2

from .errors import GeneratorError
from .i18n import Messages, catalogue_language, languages
from .publish import SCHEMA_DIR

STARTER_DIR = Path(__file__).parent / "starter"
DISTRIBUTION = "factcheck-microsite"
COMMAND = "factcheck-microsite"
_FOLDER = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


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
        "org_name": settings.org_name or t("example_organisation"),
        "today": (today or dt.date.today()).isoformat(),
        "package": DISTRIBUTION,
        "requirement": requirement(),
        "module": __package__,
        "command": COMMAND,
        "schema_base": "../../schemas/",
        "schema_base_top": "../schemas/",
    }
    files = _starter_files(language, settings.places)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False)
    written = []
    try:
        target.mkdir(parents=True, exist_ok=True)
        for relative, source in sorted(files.items()):
            data = source.read_bytes()
            if source.suffix == ".j2":
                data = env.from_string(data.decode("utf-8")).render(**values).encode("utf-8")
            written.append(_write_new(target / relative, data))
        for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):
            written.append(_write_new(target / "schemas" / schema.name, schema.read_bytes()))
    except OSError as problem:
        raise InitFailed(f"{target}: {problem.strerror or problem}") from None
    return written


class InitFailed(GeneratorError):
    """The system refused a write (read-only folder, disk full)."""


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
    if not (STARTER_DIR / language).is_dir():
        raise InitRefused(f"--language {language}: no starter pages in that language yet")
    for name in ("site_name", "place_singular", "place_plural", "org_name", "repo_url"):
        value = getattr(settings, name)
        if len(value) > 200 or any(char in "<>&\"\\" or unicodedata.category(char)[0] in "CZ" and char != " "
                                   for char in value):
            raise InitRefused(f"{name.replace('_', '-')}: plain text of at most 200 characters, please: no "
                              "line breaks, control characters or < > & \" \\ (they would be read as markup)")
    if not settings.site_name.strip():
        raise InitRefused("--title: the site needs a title")
    if not _FOLDER.fullmatch(settings.places_folder):
        raise InitRefused(f"--places-folder {settings.places_folder!r}: lowercase letters, digits and hyphens")
    if settings.repo_url and not re.fullmatch(r"https://[^\s'\"<>]+", settings.repo_url):
        raise InitRefused(f"--repo-url {settings.repo_url!r}: an https:// address")
    return language


def _starter_files(language: str, places: bool) -> dict[str, Path]:
    """Output path -> starter file; the language's files replace common ones of the same path."""
    files: dict[str, Path] = {}
    for layer in ("common", language):
        root = STARTER_DIR / layer
        for source in root.rglob("*"):
            if not source.is_file() or source.name.startswith(".") or "__pycache__" in source.parts:
                continue
            parts = [("." + part[4:]) if part.startswith("dot-") else part
                     for part in source.relative_to(root).parts]
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
