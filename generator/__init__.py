"""Static fact-check microsite generator: YAML facts in, Markdown pages out.

Stages: load -> validate -> model -> render. Adapters: plugin (MkDocs) and cli.
"""

from .build import build_pages, check_facts
from .errors import FactError, FactsInvalid
from .options import SiteOptions
from .render import Page

__all__ = ["FactError", "FactsInvalid", "Page", "SiteOptions", "build_pages", "check_facts"]
