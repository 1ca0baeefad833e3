"""The command-line adapter: `python -m generator check | export | new`.

The library raises FactsInvalid; this module turns it into messages and an exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .build import build_pages, check_facts
from .errors import FactsInvalid
from .history import HistoryUnavailable, unrecorded_verdict_changes
from .links import check_links
from .load import load_facts
from .render import SiteOptions
from .scaffold import ScaffoldRefused, find_placeholders, new_fact

EXPORT_MARKER = ".factcheck-export"


def _report(invalid: FactsInvalid, output_format: str) -> None:
    for error in invalid.errors:
        click.echo(error.github() if output_format == "github" else str(error))
    count = len(invalid.errors)
    click.echo(f"{count} error{'s' if count != 1 else ''} in facts", err=True)


@click.group()
def main() -> None:
    """Check fact files and write the fact-check site's pages."""


@main.command()
@click.option("--facts", "facts_dir", default="facts", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of fact files.")
@click.option("--format", "output_format", type=click.Choice(["text", "github"]), default="text",
              show_default=True, help="github: GitHub Actions annotations on the diff lines.")
@click.option("--since", "since", metavar="GIT-REF", default=None,
              help="Also fail claims whose status changed since this ref without a new corrections entry.")
@click.option("--links", is_flag=True,
              help="Also fetch every source URL; fail on broken ones, warn when a server refuses robots.")
@click.option("--link-workers", default=8, show_default=True, type=click.IntRange(min=1),
              help="With --links: how many URLs to fetch at once.")
@click.option("--link-timeout", default=10.0, show_default=True, metavar="SECONDS",
              type=click.FloatRange(min=0, min_open=True), help="With --links: seconds to wait for each answer.")
def check(facts_dir: Path, output_format: str, since: str | None, links: bool, link_workers: int,
          link_timeout: float) -> None:
    """Validate every fact file; print each error as path:line:col: field: message."""
    try:
        facts = check_facts(facts_dir)
        if since:
            changes = unrecorded_verdict_changes(facts_dir, since)
            if changes:
                raise FactsInvalid(changes)
    except FactsInvalid as invalid:
        _report(invalid, output_format)
        sys.exit(1)
    except HistoryUnavailable as problem:
        click.echo(f"check --since: {problem}", err=True)
        sys.exit(2)
    for warning in find_placeholders(facts_dir):
        click.echo(warning.github("warning") if output_format == "github" else f"{warning} (warning)")
    click.echo(f"{facts_dir}: {len(facts.claims)} claims, {len(facts.cities)} cities, "
               f"{len(facts.verdicts)} verdicts: all valid")
    if links:
        report = check_links(load_facts(facts_dir), link_workers, link_timeout)
        for problem in report.problems:
            if output_format == "github":
                click.echo(problem.error.github(problem.level))
            else:
                click.echo(f"{problem.error}{' (warning)' if problem.level == 'warning' else ''}")
        click.echo(report.summary, err=True)
        if report.broken:
            sys.exit(1)


def _options_from_mkdocs(config_file: Path | None) -> tuple[SiteOptions, Path | None]:
    """Read site_url, repo_url and the plugin's options the way `mkdocs build` does."""
    if config_file is None or not config_file.is_file():
        return SiteOptions(), None
    from mkdocs.config import load_config

    from .plugin import FactcheckPlugin, site_options

    config = load_config(str(config_file))
    plugin = next((p for p in config.plugins.values() if isinstance(p, FactcheckPlugin)), None)
    if plugin is None:
        return SiteOptions(site_url=config.site_url or "", repo_url=config.repo_url or ""), None
    facts_dir = config_file.resolve().parent / plugin.config.facts_dir
    return site_options(config, plugin.config), facts_dir


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the Markdown pages into.")
@click.option("--facts", "facts_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="Folder of fact files (default: the plugin's facts_dir in mkdocs.yml, else facts).")
@click.option("--config-file", "config_file", default="mkdocs.yml", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="MkDocs config to take site_url, repo_url and plugin options from, if it exists.")
@click.option("--force", is_flag=True, help="Write into a non-empty folder that export did not create.")
def export(out_dir: Path, facts_dir: Path | None, config_file: Path, force: bool) -> None:
    """Write the generated pages to disk, byte for byte what the MkDocs plugin serves."""
    options, configured_facts = _options_from_mkdocs(config_file)
    facts_dir = facts_dir or configured_facts or Path("facts")
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / EXPORT_MARKER).exists() and not force:
        click.echo(f"{out_dir}: folder is not empty and was not made by export; "
                   "choose an empty folder or pass --force", err=True)
        sys.exit(2)
    try:
        _, pages, files = build_pages(facts_dir, options)
    except FactsInvalid as invalid:
        _report(invalid, "text")
        sys.exit(1)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / EXPORT_MARKER).write_text("Written by python -m generator export; safe to overwrite.\n")
    for page in pages:
        target = out_dir / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.markdown.encode("utf-8"))
    for name, text in files.items():
        (out_dir / name).write_bytes(text.encode("utf-8"))
    click.echo(f"wrote {len(pages)} pages and {', '.join(files)} to {out_dir}")


@main.command()
@click.argument("kind", type=click.Choice(["claim", "city"]))
@click.argument("name")
@click.option("--facts", "facts_dir", default="facts", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder of fact files.")
def new(kind: str, name: str, facts_dir: Path) -> None:
    """Start facts/claims/NAME.yaml or facts/cities/NAME.yaml with every field to fill in."""
    try:
        path = new_fact(facts_dir, kind, name)
    except ScaffoldRefused as refused:
        click.echo(f"new: {refused}", err=True)
        sys.exit(1)
    click.echo(f"wrote {path}: fill in every FILL IN, then run python -m generator check")
