"""Static fact-check microsite generator: YAML facts in, a MkDocs site out.

Stages: load -> validate -> model -> pages/render -> publish (one Site). Adapters: plugin (MkDocs),
export (a plugin-free folder) and cli (init, new, check, export).
"""

from .build import build_pages, check_facts
from .errors import FactError, FactsInvalid, GeneratorError
from .options import SiteOptions
from .render import Page

__all__ = ["FactError", "FactsInvalid", "GeneratorError", "Page", "SiteOptions", "build_pages", "check_facts"]
