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
import ipaddress
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from . import COMMAND, DISTRIBUTION, __version__
from .errors import GeneratorError
from .files import write_new
from .escape import html_attr, html_text, md_inline, yaml_block, yaml_scalar
from .i18n import Messages, catalogue_language, languages
from .publish import SCHEMA_DIR
from .validate import is_slug

STARTER_DIR = Path(__file__).parent / "starter" / "common"
# What a new site installs besides this package (requirements.txt), for `make test` and its CI.
SITE_TOOLS = ("pytest>=8",)
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


def init_site(target: Path | str, settings: SiteSettings, today: dt.date | None = None,
              pin: RequirementLine | None = None) -> list[Path]:
    """Write a new site into target (empty or absent) and return the files written. pin is the
    requirement line for this package (default: requirement(), which the CLI also reports)."""
    target = Path(target)
    language = _checked(settings)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitRefused(f"{target}: the folder is not empty; init writes only into a new or empty folder, "
                          "so nothing of yours is overwritten")
    t = Messages(language)
    pin = pin or requirement()
    values = {
        **asdict(settings),
        "language": language,
        "place_singular": settings.place_singular or t("place_singular"),
        "place_plural": settings.place_plural or t("place_plural"),
        "org_name": settings.org_name if settings.org_name.strip() else t("example_organisation"),
        "org_given": bool(settings.org_name.strip()),
        "today": (today or dt.date.today()).isoformat(),
        "package": DISTRIBUTION,
        "requirement": pin.line,
        "hook_repository": pin.repository,
        "hook_revision": pin.revision,
        "site_tools": SITE_TOOLS,
        "constraints": constraints(),
        # The workflows run the Python that init ran on: constraints.txt was resolved for it.
        "python_version": f"{sys.version_info.major}.{sys.version_info.minor}",
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
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            written.append(write_new(target / relative, data))
        for schema in sorted(SCHEMA_DIR.glob("*.schema.json")):
            (target / "schemas").mkdir(parents=True, exist_ok=True)
            written.append(write_new(target / "schemas" / schema.name, schema.read_bytes()))
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
    and `block` (YAML scalars), `md` (inline Markdown), `html` (HTML text: < > & escaped, quotes kept, as
    Material writes site_name both raw and escaped), `attr` (an HTML attribute, for
    site_description, which Material writes raw into one), `comment`
    (YAML or Make comment lines)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)
    env.filters.update(yaml=yaml_scalar, block=yaml_block, md=md_inline, html=html_text, attr=html_attr,
                       comment=_comment)
    # `tojson` writes names from the catalogue as YAML strings; Chinese stays readable, not \u escapes.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    return env


def _comment(text: str, indent: int = 0) -> str:
    """Text as comment lines (`# ...`), the lines after the first indented by `indent`."""
    return ("\n" + " " * indent).join(f"# {line}".rstrip() for line in str(text).splitlines())


@dataclass(frozen=True)
class RequirementLine:
    """How a new site names this package: the requirements.txt line, and the repository and
    revision its pre-commit hook comes from (empty when unknown). `warning` is a message key, set
    when the line cannot install exactly the code init ran from; `origin` is where that came from."""

    line: str
    repository: str = ""
    revision: str = ""
    warning: str = ""
    origin: str = ""


def requirement(distribution: metadata.Distribution | None = None) -> RequirementLine:
    """The requirement line that installs this package on any machine (PEP 610 says where the
    installed copy came from): `==version` from a package index; `@ git+https://...@<commit>` from
    a public repository; otherwise (a local folder or wheel, a repository only this machine
    reaches) the project's public Source URL at the tag of its version, with a warning. Never a
    local path: a site's workflows and its other editors cannot reach one."""
    found = distribution or _installed()
    if found is None:
        # Run from a source folder that was never installed: no record of where it came from.
        return RequirementLine(f"{DISTRIBUTION}=={__version__}", warning="requirement_not_installed")
    version = found.version
    source = _project_url(found, "Source")
    tag = f"v{version}"
    direct = _direct_url(found)
    if direct is None:
        if found.read_text("INSTALLER") is not None:  # from an index: a published version
            return RequirementLine(f"{DISTRIBUTION}=={version}", source, tag if source else "")
        direct = {}  # an .egg-info left in a source folder by a build: that folder is the origin
    url = direct.get("url") if isinstance(direct.get("url"), str) else ""
    vcs = direct.get("vcs_info")
    archive = direct.get("archive_info")
    subdirectory = direct.get("subdirectory")
    fragment = f"#subdirectory={subdirectory}" if isinstance(subdirectory, str) and _SAFE.fullmatch(subdirectory) \
        else ""
    if isinstance(vcs, dict) and _public(url):
        commit = vcs.get("commit_id")
        if vcs.get("vcs") == "git" and isinstance(commit, str) and _COMMIT.fullmatch(commit):
            return RequirementLine(f"{DISTRIBUTION} @ git+{url}@{commit}{fragment}", "" if fragment else url, commit)
    if isinstance(archive, dict) and _public(url) and not fragment:
        hashes = archive.get("hashes") if isinstance(archive.get("hashes"), dict) else {}
        sha256 = hashes.get("sha256")
        pin = f"#sha256={sha256}" if isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256) else ""
        return RequirementLine(f"{DISTRIBUTION} @ {url}{pin}", source, tag if source else "")
    line = f"{DISTRIBUTION} @ git+{source}@{tag}" if source else f"{DISTRIBUTION}=={version}"
    return RequirementLine(line, source, tag if source else "", "requirement_local", url or str(found.locate_file("")))


# Characters a URL may carry into a requirement line: no space, quote, backslash, `#` or `;`,
# which would end the URL or start a comment, a fragment or an environment marker.
_SAFE = re.compile(r"[A-Za-z0-9._~:/?\[\]@!$&()*+,=%-]+")
_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _installed() -> metadata.Distribution | None:
    """The installed record of this package. Building from a source folder leaves an .egg-info
    there that, when init runs from that folder, comes first on sys.path; the record an installer
    wrote (it has INSTALLER) is the one that says where the package came from."""
    found = list(metadata.distributions(name=DISTRIBUTION))
    recorded = [candidate for candidate in found if candidate.read_text("INSTALLER") is not None]
    return (recorded or found or [None])[0]


def _direct_url(distribution: metadata.Distribution) -> dict | None:
    """direct_url.json (PEP 610) as a mapping; None when the package came from an index."""
    text = distribution.read_text("direct_url.json")
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _public(url: str) -> bool:
    """Whether url is an https address another machine can reach: no credentials, no loopback,
    private or link-local address, and nothing that would break the requirement line."""
    if not _SAFE.fullmatch(url):
        return False
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme != "https" or not host or parts.username or parts.password or "." not in host.strip("[]"):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return host != "localhost" and not host.endswith((".localhost", ".local", ".internal"))


def _project_url(distribution: metadata.Distribution, label: str) -> str:
    """The [project.urls] entry `label` of the installed metadata, if it is a public https URL."""
    for entry in distribution.metadata.get_all("Project-URL") or []:
        name, _, url = entry.partition(",")
        if name.strip() == label and _public(url.strip()):
            return url.strip().removesuffix("/")
    return ""


def constraints(distribution: metadata.Distribution | None = None) -> list[str]:
    """`name==version` for every package the new site installs besides this one, as installed
    now: the dependency closure of this package and of the site's tools (SITE_TOOLS), with
    environment markers and extras evaluated for this Python. The site's constraints.txt, so that
    its CI and every editor's `make` install what init ran with."""
    found = distribution or _installed()
    queue = [(Requirement(text), "") for text in SITE_TOOLS]
    if found is not None:
        queue += [(Requirement(text), "") for text in found.requires or ()]
    pins: dict[str, str] = {}
    expanded: set[tuple[str, str]] = set()
    while queue:
        wanted, extra = queue.pop()
        if wanted.marker is not None and not wanted.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(wanted.name)
        try:
            installed = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a tool not installed here stays unpinned: requirements.txt gives its floor
        pins[name] = installed.version
        # Each (package, extra) brings its dependencies once; "" is the package without extras.
        for chosen in ("", *sorted(canonicalize_name(e) for e in wanted.extras)):
            if (name, chosen) not in expanded:
                expanded.add((name, chosen))
                queue += [(Requirement(text), chosen) for text in installed.requires or ()]
    pins.pop(canonicalize_name(DISTRIBUTION), None)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


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
    if not is_slug(settings.places_folder):
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
