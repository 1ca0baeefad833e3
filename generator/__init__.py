"""Static fact-check microsite generator: YAML facts in, a MkDocs site out.

Stages: load -> validate -> model -> pages/render -> publish (one Site). Adapters: plugin (MkDocs),
export (a plugin-free folder) and cli (init, new, check, export).
"""

# The one version source: pyproject.toml reads it (setuptools dynamic version), `--version` prints
# it and `init` pins new sites to it. A release tag v<version> must match (release workflow).
__version__ = "0.2.0"

from .build import build_pages, check_facts
from .errors import FactError, FactsInvalid, GeneratorError
from .options import SiteOptions
from .render import Page

__all__ = ["FactError", "FactsInvalid", "GeneratorError", "Page", "SiteOptions", "__version__", "build_pages",
           "check_facts"]
