"""Runs the stages in order; the one entry point the adapters call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .load import load_facts
from .model import Facts
from .render import Page, SiteOptions, facts_json, render_site
from .validate import validate_facts


def check_facts(facts_dir: Path | str, today: dt.date | None = None) -> Facts:
    """Load and validate; raise FactsInvalid with every located error."""
    return validate_facts(load_facts(Path(facts_dir)), today)


def build_pages(
    facts_dir: Path | str, options: SiteOptions | None = None, today: dt.date | None = None
) -> tuple[Facts, list[Page], str]:
    """Check the facts and render every page; also return the facts.json text."""
    facts = check_facts(facts_dir, today)
    return facts, render_site(facts, options), facts_json(facts, options)
