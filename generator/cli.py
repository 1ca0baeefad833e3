"""The command-line adapter: `python -m generator check | export | new | init`.

The library raises GeneratorError (FactsInvalid carries located errors); this module turns
those, and the OSErrors a user's paths cause, into one line each and an exit code: 1 when
something is wrong, 2 when the command refuses to run. Never a traceback.

What `check`, `new` and `init` tell a site's editors is in the site's language: the
`theme.language` of the mkdocs.yml beside the facts folder (or in the working folder) for
`check` and `new`, `--language` for `init`.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import click

from . import COMMAND, DISTRIBUTION, __version__
from .errors import FactsInvalid, GeneratorError, printable
from .i18n import DEFAULT_LANGUAGE, Messages, catalogue_language, languages
from .kinds import KINDS, folder_kinds
from .history import HistoryUnavailable, unrecorded_changes
from .links import RUN_DEADLINE, check_links
from .load import display_path, load_facts
from .placeholders import find_placeholders
from .siteconfig import parse_config, plugin_options, plugins, site_config
from .validate import validate_facts

EXPORT_MARKER = ".factcheck-export"
# The marker's first line names its format; every other line is one file export wrote, as
# sha256sum writes it (the SHA-256 of its content, two spaces, its path), so a later export
# removes a file it no longer writes only while the file still holds what export wrote there.
MARKER_HEADER = ("factcheck-export 2: written by python -m generator export; the SHA-256 and the path of each "
                 "file it wrote, one a line")
# The first format listed paths alone: its files are never removed, as nothing shows they are unchanged.
_MARKER_HEADER_1 = "Written by python -m generator export; safe to overwrite. Files it wrote, one a line:"
_MARKER_LINE = re.compile(r"([0-9a-f]{64})  (.+)")
# Far more than the marker of 10,000 claims (about 1.5 MB); a larger file is not export's.
MAX_MARKER_BYTES = 64 * 1024 * 1024
# What export writes, and so all it may ever remove: the config and these two folders.
EXPORT_CONFIG = "mkdocs.yml"
EXPORT_FOLDERS = ("docs", "overrides")


def site_language(config: dict) -> str:
    """The catalogue language of a site's config (theme.language), the default without one."""
    theme = config.get("theme")
    language = theme.get("language") if isinstance(theme, dict) else None
    try:
        return catalogue_language(language if isinstance(language, str) else None)
    except GeneratorError:
        return DEFAULT_LANGUAGE


def configured_facts() -> Path:
    """The facts folder the site in the working folder builds from (the plugin's facts_dir in
    mkdocs.yml), so `check` checks what the build publishes; facts/ without a config."""
    options = plugin_options(site_config(Path("facts")))
    folder = options.get("facts_dir") if options else None
    return Path(folder) if isinstance(folder, str) and folder.strip() else Path("facts")


def site_places(config: dict) -> bool | None:
    """Whether a site's config gives the factcheck plugin places (places_label or places_folder);
    None without a config that uses the plugin."""
    options = plugin_options(config)
    return None if options is None else bool(options.keys() & {"places_label", "places_folder"})


def _language() -> str:
    """The language the current command speaks to site editors in (set by the command)."""
    return click.get_current_context().meta.get("factcheck.language", DEFAULT_LANGUAGE)


class ExportRefused(GeneratorError):
    """export will not write here: the folder is someone else's, or holds a link where it writes."""

    exit_code = 2


class ExportFailed(GeneratorError):
    """export could not write a file; the message names it."""


def _report(invalid: FactsInvalid, output_format: str) -> None:
    for error in invalid.errors:
        click.echo(error.github() if output_format == "github" else str(error))
    click.echo(Messages(_language()).n("errors_in_facts", len(invalid.errors)), err=True)


def _os_message(problem: OSError) -> str:
    """`path: reason` for an OSError, the path as the user would type it."""
    reason = problem.strerror or str(problem)
    return f"{display_path(Path(os.fsdecode(problem.filename)))}: {reason}" if problem.filename else reason


def _at_edge(command: Callable) -> Callable:
    """Turn what a command raises into one line on stderr (facts errors on stdout) and its exit code."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        name = click.get_current_context().info_name
        try:
            return command(*args, **kwargs)
        except FactsInvalid as invalid:
            _report(invalid, kwargs.get("output_format", "text"))
            sys.exit(invalid.exit_code)
        except GeneratorError as problem:
            # printable: a newline in a file name must not forge a second line of output.
            click.echo(f"{name}: {printable(str(problem))}", err=True)
            sys.exit(problem.exit_code)
        except OSError as problem:  # a path the user gave: unreadable, vanished, a folder for a file
            click.echo(f"{name}: {printable(_os_message(problem))}", err=True)
            sys.exit(1)

    return run


def _finite_seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    # FloatRange lets inf and nan through; neither is a time anyone can wait.
    if not math.isfinite(value):
        raise click.BadParameter("must be a finite number of seconds")
    return value


@click.group()
# The version the package was built with (generator.__version__), not a second copy of it.
@click.version_option(__version__, "--version", prog_name=COMMAND, message="%(prog)s %(version)s")
def main() -> None:
    """Check fact files and write the fact-check site's pages."""


@main.command()
@click.option("--facts", "facts_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of fact files (default: the plugin's facts_dir in mkdocs.yml, else facts).")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]), default="text",
              show_default=True, help="github: GitHub Actions annotations on the diff lines.")
@click.option("--since", "since", metavar="GIT-REF", default=None,
              help="Also fail what readers would not be told about since this ref: a published claim or "
                   "place gone (withdraw it, or list its id in previous_ids), a verdict as shown, claim or "
                   "quote changed without a new dated corrections entry, a scale change without a change note.")
@click.option("--links", is_flag=True,
              help="Also fetch every source URL; fail on broken ones, warn when a server refuses robots.")
@click.option("--link-workers", default=8, show_default=True, type=click.IntRange(min=1),
              help="With --links: how many URLs to fetch at once.")
@click.option("--link-timeout", default=10.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0, min_open=True), callback=_finite_seconds,
              help="With --links: seconds each URL may take in all, redirects and retries included.")
@click.option("--links-deadline", default=RUN_DEADLINE, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0, min_open=True), callback=_finite_seconds,
              help="With --links: seconds the whole check may take; URLs not fetched by then are reported "
                   "as not checked (a warning).")
@click.option("--allow-private-hosts", is_flag=True,
              help="With --links: also fetch loopback, private and link-local hosts (a local test server). "
                   "Without it they are reported as not fetched, and redirects to them as broken.")
@_at_edge
def check(facts_dir: Path, output_format: str, since: str | None, links: bool, link_workers: int,
          link_timeout: float, links_deadline: float, allow_private_hosts: bool) -> None:
    """Validate every fact file; print each error as path:line:col: field: message."""
    facts_dir = facts_dir if facts_dir is not None else configured_facts()
    language = site_language(site_config(facts_dir))
    click.get_current_context().meta["factcheck.language"] = language
    t = Messages(language)
    # Each file is read and parsed once; validation, --since, placeholders and --links share it.
    documents = load_facts(facts_dir)
    # Example text `init` or `new` wrote and nobody replaced must not be published: the build
    # warns about it (so --strict fails); check, which runs before review, fails on it. It is
    # reported with every other error of the run, so one run lists them all.
    placeholders = find_placeholders(documents, language)
    try:
        facts = validate_facts(documents, language=language)
    except FactsInvalid as invalid:
        raise FactsInvalid(invalid.errors + placeholders) from None
    if since is not None:
        try:
            code: list = []
            changes = unrecorded_changes(facts_dir, since, documents, code=code)
            for warning in code:
                click.echo(warning.github("warning") if output_format == "github" else f"{warning} (warning)")
        except HistoryUnavailable as problem:
            click.echo(f"check --since: {printable(str(problem))}", err=True)
            sys.exit(problem.exit_code)
        if changes:
            raise FactsInvalid(changes)
    if placeholders:
        raise FactsInvalid(placeholders)
    click.echo(t("check_valid", facts=facts_dir, claims=t.n("claim_count", len(facts.claims)),
                 places=t.n("place_count", len(facts.places)), verdicts=t.n("verdict_count", len(facts.verdicts))))
    if links:
        report = check_links(documents, link_workers, link_timeout, allow_private_hosts, deadline=links_deadline)
        for problem in report.problems:
            if output_format == "github":
                click.echo(problem.error.github(problem.level))
            else:
                click.echo(f"{problem.error}{' (warning)' if problem.level == 'warning' else ''}")
        click.echo(report.summary, err=True)
        if report.broken:
            sys.exit(1)


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the site into: mkdocs.yml, docs/ and overrides/.")
@click.option("--facts", "facts_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of fact files (default: the plugin's facts_dir in mkdocs.yml, else facts).")
@click.option("--config-file", "config_file", default="mkdocs.yml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The site's MkDocs config: its settings, hand-written pages and plugin options.")
@click.option("--force", is_flag=True, help="Write into a non-empty folder that export did not create.")
@_at_edge
def export(out_dir: Path, facts_dir: Path | None, config_file: Path, force: bool) -> None:
    """Write the site as a folder that MkDocs, ProperDocs or Zensical builds without our plugin:
    the same pages, data files, schemas, verdict table and edit links as the plugin serves.

    The marker file lists what export wrote, with a hash of each file; a later export removes
    a listed file it no longer writes (a deleted claim's page) only while the file still has
    that hash, and nothing else. export never writes into the site's own folder, its docs or
    facts, nor over a config that uses the factcheck plugin. Links inside the folder are never
    followed: a link where a page goes is replaced by the page."""
    from .export import export_files  # the whole renderer: loaded only by the commands that render

    _refuse_site_folder(out_dir, config_file, facts_dir)
    warnings: list = []
    outputs = export_files(config_file, facts_dir, warnings=warnings)
    for warning in warnings:  # unreplaced example text: exported, but not fit to publish
        click.echo(f"export: {warning}", err=True)
    with _OutputFolder(out_dir, force) as folder:
        folder.begin(outputs)
        for name, data in outputs.items():
            folder.write(name, data)
        folder.finish()
    for name in folder.kept:
        click.echo(f"export: kept {display_path(out_dir / name)}: it changed since export wrote it, "
                   "so it is not export's to remove", err=True)
    pages = sum(1 for name in outputs if name.startswith("docs/") and name.endswith(".md"))
    click.echo(f"wrote mkdocs.yml, {pages} pages, the data files and the theme to {out_dir}; "
               f"build it with: cd {out_dir} && mkdocs build --strict")


def _read_config(text: str) -> dict:
    """A MkDocs config as plain data (its tags read as null), {} when it is not one."""
    return parse_config(text.encode("utf-8"))


def _refuse_site_folder(out_dir: Path, config_file: Path, facts_dir: Path | None) -> None:
    """ExportRefused when the folder is the site's own (where its config is), or its docs or
    facts folder, or inside one: export's config there would replace the site's, and its pages
    the site's hand-written ones with their markers expanded."""
    out = Path(os.path.realpath(out_dir))
    site = Path(os.path.realpath(config_file)).parent
    config = {}
    if config_file.is_file():
        try:
            config = _read_config(config_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            config = {}
    options = plugin_options(config)
    docs = site / str(config.get("docs_dir") or "docs")
    if facts_dir is None:  # the facts export reads, found as export_files finds them
        facts_dir = site / str(options.get("facts_dir") or "facts") if options is not None else Path("facts")
    facts = Path(os.path.realpath(facts_dir))
    for folder, what in ((docs, "the site's docs folder"), (facts, "the site's facts folder")):
        folder = Path(os.path.realpath(folder))
        if out == folder or folder in out.parents:
            raise ExportRefused(f"{out_dir}: is {what} or inside it; export writes a separate copy of the site, "
                                "choose a folder outside docs and facts (such as --out export)")
    if out == site and config_file.is_file():
        raise ExportRefused(f"{out_dir}: is the site's own folder (its {config_file.name} is there); export writes a "
                            "separate copy of the site, choose another folder (such as --out export)")


def _name_problem(name: str) -> str | None:
    """Why a path is not one export writes (or removes), or None: only mkdocs.yml and what is
    under docs/ and overrides/, never a hidden file (.git/config), never outside the folder."""
    if not name or any(ord(char) < 32 or ord(char) == 127 for char in name) or "\\" in name:
        return f"{name!r} is not a path export writes (empty, or a control character or backslash in it)"
    parts = name.split("/")
    if name.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return f"{name!r} is not a path inside the folder"
    if any(part.startswith(".") for part in parts):
        return f"{name!r} is a hidden file (such as .git/config); export writes none and removes none"
    if name != EXPORT_CONFIG and not (parts[0] in EXPORT_FOLDERS and len(parts) > 1):
        return (f"{name!r} is not a file export writes ({EXPORT_CONFIG}, or under "
                f"{' or '.join(folder + '/' for folder in EXPORT_FOLDERS)}); export removes nothing else")
    return None


class _OutputFolder:
    """export's folder, written through file descriptors opened without following links, so a
    link planted inside it (out/index.md -> ../README.md) is never written through."""

    def __init__(self, root: Path, force: bool):
        self.root = root
        self.force = force
        self.written: dict[str, str] = {}  # name -> SHA-256 of what export wrote there
        self.kept: list[str] = []  # listed, no longer written, but changed since: left in place
        self._folders: dict[tuple[str, ...], int] = {}

    def __enter__(self) -> _OutputFolder:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            top = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as problem:
            raise ExportFailed(f"{self.root}: cannot create the folder: {problem.strerror}") from None
        self._folders[()] = top
        try:
            self._refuse_a_site_config()
            self.previous = self._read_manifest()
            if self.previous is None and os.listdir(top) and not self.force:
                raise ExportRefused(f"{self.root}: folder is not empty and was not made by export; "
                                    "choose an empty folder or pass --force")
        except GeneratorError:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for descriptor in self._folders.values():
            os.close(descriptor)
        self._folders.clear()

    def write(self, name: str, data: bytes) -> None:
        """Write root/name atomically: a temporary file beside it, then a rename over the name."""
        *parents, leaf = self._parts(name)
        folder = self._folder(tuple(parents), create=True)
        temporary = f".{leaf}.{os.getpid()}.tmp"
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666,
                                 dir_fd=folder)
            try:
                with open(descriptor, "wb") as handle:
                    handle.write(data)
                # A rename replaces the name itself: a link there is replaced, never followed.
                os.replace(temporary, leaf, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError:
                os.unlink(temporary, dir_fd=folder)
                raise
        except OSError as problem:
            raise ExportFailed(f"{self._shown(name)}: {problem.strerror}") from None
        if name != EXPORT_MARKER:
            self.written[name] = hashlib.sha256(data).hexdigest()

    def begin(self, outputs: dict[str, bytes]) -> None:
        """Record the old and the new files before writing, so an export cut short leaves no file
        that a later export would not know to remove. Each name is listed with the hash of what
        this export writes there; a file it does not get to keeps its old content, whose hash no
        longer matches, so it is left in place, never removed by mistake."""
        for name in outputs:
            problem = _name_problem(name)
            if problem:  # the site itself made it (a hidden file of its theme folder): not written
                raise ExportFailed(f"{self._shown(name)}: {problem}")
        listed = {name: digest for name, digest in (self.previous or {}).items() if digest}
        listed.update({name: hashlib.sha256(data).hexdigest() for name, data in outputs.items()})
        self._record(listed)

    def finish(self) -> None:
        """Remove what the last export wrote and this one did not, if it is unchanged since;
        then record this one's files."""
        for name, digest in sorted((self.previous or {}).items()):
            if name not in self.written:
                self._remove_stale(name, digest)
        self._record(self.written)

    def _record(self, listed: dict[str, str]) -> None:
        lines = "".join(f"{digest}  {name}\n" for name, digest in sorted(listed.items()))
        self.write(EXPORT_MARKER, f"{MARKER_HEADER}\n{lines}".encode("utf-8"))

    def _refuse_a_site_config(self) -> None:
        """ExportRefused when the folder's mkdocs.yml uses the factcheck plugin: that is a site's
        own config (export's never has the plugin), and --force does not make it export's."""
        try:
            descriptor = os.open(EXPORT_CONFIG, os.O_RDONLY | os.O_NONBLOCK, dir_fd=self._folders[()])
        except OSError:
            return  # none, or unreadable: nothing export could replace by mistake
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return
            text = handle.read(MAX_MARKER_BYTES).decode("utf-8", "replace")
        if plugin_options(_read_config(text)) is not None:
            raise ExportRefused(f"{self._shown(EXPORT_CONFIG)} uses the factcheck plugin: it is a site's own config, "
                                "which export would replace by one without the plugin; choose another folder")

    def _read_manifest(self) -> dict[str, str | None] | None:
        """The previous export's files and their hashes (None for a file of the first format,
        which kept no hash), or None when the folder holds no marker; ExportFailed, located at
        the line, for a marker that is not one export writes."""
        try:
            descriptor = os.open(EXPORT_MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
                                 dir_fd=self._folders[()])
        except OSError:
            return None  # missing, a link or unreadable: not a marker export can trust
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            raw = handle.read(MAX_MARKER_BYTES + 1)
        shown = self._shown(EXPORT_MARKER)

        def bad(line: int, message: str) -> ExportFailed:
            return ExportFailed(f"{shown}:{line}: {message}; delete the marker to export again with --force "
                                "(then export removes nothing it wrote before)")

        if len(raw) > MAX_MARKER_BYTES:
            raise bad(1, f"is over {MAX_MARKER_BYTES:,} bytes, far more than export writes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as problem:
            raise bad(raw.count(b"\n", 0, problem.start) + 1,
                      f"is not UTF-8 text (byte 0x{raw[problem.start]:02x})") from None
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for number, line in enumerate(lines, 1):
            if "\x00" in line:
                raise bad(number, "holds a NUL character, which export never writes")
        first = lines[0] if lines else ""
        if first not in (MARKER_HEADER, _MARKER_HEADER_1):
            raise bad(1, f"is not a marker of a format export knows (its first line is {first[:80]!r})")
        listed: dict[str, str | None] = {}
        for number, line in enumerate(lines[1:], 2):
            if first == _MARKER_HEADER_1:
                digest, name = None, line
            else:
                match = _MARKER_LINE.fullmatch(line)
                if not match:
                    raise bad(number, f"{line[:80]!r} is not a SHA-256, two spaces and a path")
                digest, name = match.groups()
            if name == EXPORT_MARKER:
                continue  # the marker is never stale, whatever the list says
            problem = _name_problem(name)
            if problem:
                raise bad(number, problem)
            if name in listed:
                raise bad(number, f"{name!r} is listed twice")
            listed[name] = digest
        return listed

    def _remove_stale(self, name: str, digest: str | None) -> None:
        """Remove a file export wrote and no longer writes, when it still holds what export
        wrote (its hash); a changed file, or one of the first format, is kept and reported."""
        try:
            *parents, leaf = self._parts(name)
            folder = self._folder(tuple(parents), create=False)
        except (GeneratorError, ValueError, OSError):
            return  # its folder is gone, or is a link: not export's to remove
        try:
            descriptor = os.open(leaf, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        except FileNotFoundError:
            return
        except OSError:
            return  # a link or unreadable: never removed
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return
            current = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest is None or current != digest:
            self.kept.append(name)
            return
        try:
            os.unlink(leaf, dir_fd=folder)
        except FileNotFoundError:
            pass
        except OSError as problem:
            raise ExportFailed(f"{self._shown(name)}: cannot remove the old page: {problem.strerror}") from None

    @staticmethod
    def _parts(name: str) -> list[str]:
        """The parts of a relative name inside the folder; ValueError for anything that leaves it."""
        path = PurePosixPath(name)
        if path.is_absolute() or not path.parts or ".." in path.parts or "\\" in name or "\x00" in name:
            raise ValueError(name)
        return list(path.parts)

    def _folder(self, parts: tuple[str, ...], create: bool) -> int:
        """A descriptor of root/parts, each step opened without following a link."""
        if parts in self._folders:
            return self._folders[parts]
        parent = self._folder(parts[:-1], create)
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        try:
            descriptor = os.open(parts[-1], flags, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise
            try:
                os.mkdir(parts[-1], 0o777, dir_fd=parent)
                descriptor = os.open(parts[-1], flags, dir_fd=parent)
            except OSError as problem:
                raise ExportFailed(f"{self._shown('/'.join(parts))}: {problem.strerror}") from None
        except OSError as problem:
            if os.path.islink(self.root / Path(*parts)):
                raise ExportRefused(f"{self._shown('/'.join(parts))} is a symbolic link; export does not "
                                    "write through links, remove it") from None
            raise ExportFailed(f"{self._shown('/'.join(parts))}: {problem.strerror}") from None
        self._folders[parts] = descriptor
        return descriptor

    def _shown(self, name: str) -> str:
        return display_path(self.root / name)


class _FolderKind(click.ParamType):
    """A kind of fact that lives in a folder (place, claim, or one a site registered), read when
    the command runs rather than when this module loads."""

    name = "kind"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        names = [kind.name for kind in folder_kinds()]
        if value not in names:
            self.fail(f"{value!r} is not one of {', '.join(map(repr, names))}", param, ctx)
        return value

    def get_metavar(self, param, ctx=None):  # noqa: ANN001 - click's signature (ctx since click 8.2)
        return "[" + "|".join(kind.name for kind in folder_kinds()) + "]"


@main.command()
@click.argument("kind", type=_FolderKind())
@click.argument("name")
@click.option("--facts", "facts_dir", default="facts", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of fact files.")
@_at_edge
def new(kind: str, name: str, facts_dir: Path) -> None:
    """Start facts/claims/NAME.yaml or facts/places/NAME.yaml with every field to fill in."""
    from .scaffold import new_fact

    config = site_config(facts_dir)
    t = Messages(site_language(config))
    path = new_fact(facts_dir, kind, name, language=t.language, site_places=site_places(config))
    click.echo(t("new_wrote", path=path, marker=t("placeholder_marker"), command=COMMAND))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="", help="The site's title (default: from the folder name).")
@click.option("--language", default="en", show_default=True,
              help=f"The site's language: every page and message in it ({', '.join(languages())}).")
@click.option("--places/--no-places", default=True, show_default=True,
              help="Whether the article's claims are about places (cities, countries, topics).")
@click.option("--place-label", default="", metavar="SINGULAR/PLURAL",
              help="What readers call the places, e.g. City/Cities or Country/Countries.")
@click.option("--places-folder", default="", metavar="FOLDER",
              help="URL folder of the place pages (default: from --place-label, else places).")
@click.option("--organisation", default="", help="Who publishes the fact-check.")
@click.option("--repo-url", default="", help="The site's repository, https://github.com/OWNER/NAME.")
@_at_edge
def init(folder: Path, title: str, language: str, places: bool, place_label: str, places_folder: str,
         organisation: str, repo_url: str) -> None:
    """Start a new fact-check site in FOLDER (new or empty): config, facts with one worked
    example, hand-written pages, workflows and a README with its two commands."""
    from .init import InitRefused, SiteSettings, init_site, requirement

    singular, _, plural = place_label.partition("/")
    if place_label and not (singular.strip() and plural.strip()):
        raise InitRefused("--place-label: write it as SINGULAR/PLURAL, e.g. City/Cities")
    folder_name = places_folder or (re.sub(r"[^a-z0-9]+", "-", plural.lower()).strip("-") if plural else "places")
    settings = SiteSettings(
        site_name=title or folder.resolve().name.replace("-", " ").replace("_", " ").capitalize(),
        language=language, places=places, place_singular=singular.strip(), place_plural=plural.strip(),
        places_folder=folder_name or "places", org_name=organisation, repo_url=repo_url)
    pin = requirement()
    written = init_site(folder, settings, pin=pin)
    t = Messages(catalogue_language(language))
    click.echo(t("init_wrote", count=len(written), folder=folder, marker=t("example_marker")))
    if pin.warning:
        # Last, so it is not scrolled away: the new site would not build elsewhere as it stands.
        click.echo(printable(t(pin.warning, package=DISTRIBUTION, version=__version__, origin=pin.origin,
                               line=pin.line)), err=True)
