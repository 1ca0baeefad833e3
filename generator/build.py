"""Runs the stages in order: check (load + validate) and, for the tests and the benchmark,
build_pages; publish.py builds the whole Site that the adapters consume."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import jinja2

from .i18n import DEFAULT_LANGUAGE
from .load import Document, DocumentCache, load_facts
from .model import Facts
from .data import data_files
from .options import SiteOptions
from .render import Page, PageCache, Renderer
from .validate import validate_facts


class SessionCache:
    """What a long-running session (mkdocs serve) keeps between rebuilds."""

    def __init__(self) -> None:
        self.documents = DocumentCache()
        self.pages = PageCache()
        # Text of each generated page's cache file as this session last wrote it.
        self.written: dict[Path, str] = {}
        # Unreplaced example text found in each unchanged document (placeholders.find_placeholders).
        self.placeholders: dict[int, tuple] = {}
        # MkDocs makes a new theme environment on every rebuild; compiled templates are kept here
        # and used while their source is unchanged.
        self.theme_bytecode = MemoryBytecodeCache()

    def settle(self) -> None:
        """Called at the end of the first build, when its model and pages are in memory. What a
        session keeps for its whole life (hundreds of thousands of objects at a few thousand
        claims) is moved out of the garbage collector's sight: otherwise every rebuild pays a full
        collection that walks all of it (0.3-0.4 s of a 1.5 s rebuild at 3,000 claims), though
        none of it is garbage. Once per process; what is kept is still freed when nothing refers
        to it (only cycles among the first build's own MkDocs objects stay, once)."""
        global _SETTLED
        if not _SETTLED:
            gc.collect()
            gc.freeze()
            _SETTLED = True


_SETTLED = False


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates by name, checked against their source (Jinja stores a checksum)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def check_facts(facts_dir: Path | str, today: dt.date | None = None, cache: SessionCache | None = None) -> Facts:
    """Load and validate; raise FactsInvalid with every located error."""
    return check_documents(facts_dir, today, cache)[1]


def check_documents(facts_dir: Path | str, today: dt.date | None = None, cache: SessionCache | None = None,
                    language: str = DEFAULT_LANGUAGE) -> tuple[list[Document], Facts]:
    """Load and validate, keeping the parsed documents (their line marks locate later findings,
    such as unreplaced examples); raise FactsInvalid with every located error."""
    documents = load_facts(Path(facts_dir), cache.documents if cache else None)
    return documents, validate_facts(documents, today, cache.documents.checked if cache else None,
                                     cache.documents.built if cache else None, language)


def build_pages(
    facts_dir: Path | str, options: SiteOptions | None = None, today: dt.date | None = None,
    cache: SessionCache | None = None,
) -> tuple[Facts, list[Page], dict[str, str]]:
    """Check the facts and render every page; also return the data files (path -> text)."""
    facts = check_facts(facts_dir, today, cache)
    pages = Renderer(facts, options, cache.pages if cache else None).render_pages()
    return facts, pages, data_files(facts, options)
