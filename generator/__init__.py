"""Static fact-check microsite generator: YAML facts in, a MkDocs site out.

Stages: load -> validate -> model -> pages/render -> publish (one Site). Adapters: plugin (MkDocs),
export (a plugin-free folder) and cli (init, new, check, export).
"""

# The one version source: pyproject.toml reads it (setuptools dynamic version), `--version` prints
# it and `init` pins new sites to it. A release tag v<version> must match (release workflow).
__version__ = "0.2.0"
DISTRIBUTION = "factcheck-microsite"  # the name on PyPI
COMMAND = "factcheck-microsite"  # the console script

# Loaded on first use (PEP 562), so a command imports only what it runs: `check` never loads
# the page templates, Jinja or the share-image code.
_EXPORTS = {"build_pages": ".build", "check_facts": ".build", "FactError": ".errors", "FactsInvalid": ".errors",
            "GeneratorError": ".errors", "SiteOptions": ".options", "Page": ".render"}


def __getattr__(name: str):  # noqa: ANN202 - any of the exported names
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value


__all__ = ["FactError", "FactsInvalid", "GeneratorError", "Page", "SiteOptions", "__version__", "build_pages",
           "check_facts"]
