"""Stage 1: find the fact files and parse them into plain data with line marks.

Every fact file is untrusted input. Parsing uses PyYAML's safe composer only, refuses
anchors, aliases, merge keys, duplicate keys and non-standard tags, and keeps the line
and column of every key and value so later stages can point at the exact spot.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import FactError, FactsInvalid
from .kinds import KINDS, expected_files, folders, required_files, single_files

# A fact is a short document; anything larger is a mistake or an attack.
MAX_FILE_BYTES = 256 * 1024
# Fact files nest four levels at most (claim > sources > source > field); PyYAML's composer
# recurses per level, so an unbounded depth would end in a RecursionError.
MAX_DEPTH = 20


_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}

# A position in a file: line * _COLUMNS + column (_pack, _unpack), one int per value.
Location = int
FieldPath = tuple[Any, ...]


@dataclass(frozen=True)
class Document:
    """One parsed fact file: its data and where each value and key sits."""

    path: Path
    display: str
    kind: str
    data: Any
    marks: dict[FieldPath, Location] = field(default_factory=dict, compare=False)
    key_marks: dict[FieldPath, Location] = field(default_factory=dict, compare=False)
    # The written text of unquoted scalars that YAML typed (true, 12, null), so a
    # field that wants text can take `status: true` as the verdict id "true".
    plain: dict[FieldPath, str] = field(default_factory=dict, compare=False)

    @property
    def stem(self) -> str:
        return self.path.stem

    def at(self, where: FieldPath, message: str, *, key: bool = False) -> FactError:
        """An error at a field path, located at the key (key=True) or the value."""
        marks = self.key_marks if key else self.marks
        probe = tuple(where)
        while probe not in marks and probe:
            probe = probe[:-1]
        line, column = _unpack(marks.get(probe, _pack(1, 1)))
        return FactError(self.display, line, column, format_field(where), message)


# Every fact file of a kind has the same field paths (("sources", 0, "title"), ...): one tuple
# each, shared by every document, and a position packed in one int, so 10,000 parsed files
# keep their locations in a fraction of the memory.
_PATHS: dict[tuple, tuple] = {}
_COLUMNS = 1 << 20


def _path(where: FieldPath) -> FieldPath:
    if len(_PATHS) > 1 << 20:
        _PATHS.clear()  # hostile files with a million distinct paths: share no more of them
    return _PATHS.setdefault(where, where)


def _pack(line: int, column: int) -> int:
    return line * _COLUMNS + min(column, _COLUMNS - 1)


def _unpack(position: int) -> tuple[int, int]:
    return divmod(position, _COLUMNS)


def format_field(where: FieldPath) -> str:
    """('sources', 0, 'url') -> 'sources[0].url'."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Problem(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str, where: FieldPath = ()):
        self.line = mark.line + 1 if mark else 1
        self.column = mark.column + 1 if mark else 1
        self.message = message
        self.field = format_field(where)


try:
    # libyaml scans and parses about ten times faster than PyYAML's pure-Python reader.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None


class _SafeComposer(yaml.composer.Composer):
    """PyYAML's composer, refusing anchors and aliases before they expand."""

    depth = 0

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
        event = self.peek_event()
        if self.depth >= MAX_DEPTH:
            raise _Problem(event.start_mark, f"values are nested more than {MAX_DEPTH} levels deep")
        if isinstance(event, yaml.AliasEvent):
            raise _Problem(event.start_mark, f"aliases (*{event.anchor}) are not allowed; write the value out")
        if getattr(event, "anchor", None):
            raise _Problem(event.start_mark, f"anchors (&{event.anchor}) are not allowed; write the value out")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _PythonComposer(_SafeComposer, yaml.SafeLoader):
    """Events from PyYAML's pure-Python parser."""


if _Parser is not None:

    class _Composer(_SafeComposer, _Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        """Events from libyaml's parser; composition stays ours."""

        def __init__(self, stream: str):
            _Parser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

        def dispose(self) -> None:
            pass

else:  # pragma: no cover - PyYAML built without libyaml
    _Composer = _PythonComposer


def _tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the working folder when inside it."""
    # abspath, not resolve: a symlink is shown under the name the user gave it.
    absolute = os.path.abspath(path)
    base = _real_folder(os.getcwd())
    if absolute.startswith(base + os.sep):
        return absolute[len(base) + 1:]
    return str(path)


@lru_cache(maxsize=8)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def parse_text(text: str, display: str) -> tuple[Any, dict, dict, dict]:
    """Parse one YAML document into plain data plus value marks, key marks and plain texts."""
    marks: dict[FieldPath, Location] = {}
    key_marks: dict[FieldPath, Location] = {}
    plain: dict[FieldPath, str] = {}
    try:
        # The reader refuses control characters as soon as it is made, so it is made in here.
        loader = _Composer(text)
    except yaml.reader.ReaderError as exc:
        raise _problem_at(text, exc.position, _control_message(exc)) from None
    try:
        node = loader.get_single_node()
    except _Problem:
        raise
    except yaml.reader.ReaderError as exc:
        raise _problem_at(text, exc.position, _control_message(exc)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem += " (a tab: indent with spaces, not tabs)"
        raise _Problem(mark, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:
        raise _Problem(None, f"YAML error: {exc}") from None
    except RecursionError:
        raise _Problem(None, f"values are nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
    if node is None:
        raise _Problem(None, "the file is empty; expected a mapping of fields")
    data = _convert(node, (), loader, marks, key_marks, plain)
    return data, marks, key_marks, plain


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


def _control_message(exc: yaml.reader.ReaderError) -> str:
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
    return f"control character U+{code:04X} is not allowed in YAML; remove it"


def _problem_at(text: str, position: int, message: str) -> _Problem:
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    return _Problem(yaml.Mark("", position, line, column, None, None), message)


def _convert(
    node: yaml.Node, where: FieldPath, loader: yaml.SafeLoader, marks: dict, key_marks: dict, plain: dict
) -> Any:
    where = _path(where)
    marks[where] = _pack(node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _TAG + "map":
            raise _Problem(node.start_mark, f"the tag {_tag(node.tag)!r} is not allowed; fact files use plain YAML values", where)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                raise _Problem(key_node.start_mark, "merge keys (<<) are not allowed; write the fields out", where)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _TAG + "str":
                raise _Problem(key_node.start_mark, "field names must be plain text", where)
            key = key_node.value
            if key in result:
                first = _unpack(key_marks[where + (key,)])
                raise _Problem(
                    key_node.start_mark,
                    f"duplicate field (first set on line {first[0]}); keep one",
                    where + (key,),
                )
            key_marks[_path(where + (key,))] = _pack(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = _convert(value_node, where + (key,), loader, marks, key_marks, plain)
        return result
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _TAG + "seq":
            raise _Problem(node.start_mark, f"the tag {_tag(node.tag)!r} is not allowed; fact files use plain YAML values", where)
        return [_convert(item, where + (i,), loader, marks, key_marks, plain) for i, item in enumerate(node.value)]
    if node.tag not in _SCALAR_TAGS:
        raise _Problem(node.start_mark, f"the tag {_tag(node.tag)!r} is not allowed; fact files use plain YAML values", where)
    if node.tag in (_TAG + "str", _TAG + "timestamp"):
        # Dates stay text here; validation checks them against the calendar.
        return node.value
    if not node.style and node.value:
        plain[where] = node.value
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):
        raise _Problem(node.start_mark, f"{node.value!r} is not a valid value", where) from None


def read_bytes(path: Path, root: Path) -> bytes:
    """The bytes of one fact file, or FactsInvalid saying why it cannot be read.

    The file is opened without blocking and checked to be a regular file on the open handle,
    so a FIFO, a device or a folder swapped in after listing cannot hang or crash the read."""
    display = display_path(path)

    def fail(message: str) -> FactsInvalid:
        return FactsInvalid([FactError(display, 1, 1, "", message)])

    try:
        if path.is_symlink() and not _inside(_resolved(path), _resolved(root)):
            raise fail("is a symbolic link to a file outside the facts folder; facts must live inside it")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise fail("was removed while the facts were being read; run again") from None
    except OSError as problem:
        raise fail(f"cannot be read: {problem.strerror or problem}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise fail("is not a regular file; a fact is a .yaml text file")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(f"the file is {info.st_size:,} bytes; a fact file may be at most {MAX_FILE_BYTES:,} bytes")
        chunks, total = [], 0
        while True:
            chunk = os.read(descriptor, 65536)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_FILE_BYTES:  # the file grew after fstat
                raise fail(f"the file is over {MAX_FILE_BYTES:,} bytes; a fact file may be at most "
                           f"{MAX_FILE_BYTES:,} bytes")
        return b"".join(chunks)
    except OSError as problem:
        raise fail(f"cannot be read: {problem.strerror or problem}") from None
    finally:
        os.close(descriptor)


def parse_document(path: Path, kind: str, raw: bytes) -> Document:
    """Parse one fact file's bytes; raise FactsInvalid with its located error."""
    display = display_path(path)

    def fail(message: str, line: int = 1, column: int = 1, field: str = "") -> FactsInvalid:
        return FactsInvalid([FactError(display, line, column, field, message)])

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", line, column)
    if "\x00" in text:
        raise fail("contains a NUL character; fact files are plain text")
    try:
        data, marks, key_marks, plain = parse_text(text, display)
    except _Problem as problem:
        raise fail(problem.message, problem.line, problem.column, problem.field) from None
    return Document(path, display, kind, data, marks, key_marks, plain)


def read_document(path: Path, kind: str, root: Path) -> Document:
    """Read and parse one fact file; raise FactsInvalid with its located error."""
    return parse_document(path, kind, read_bytes(path, root))


def _resolved(path: Path) -> Path:
    """path.resolve(), with a symlink loop reported as an OSError like every other bad path."""
    try:
        return path.resolve()
    except RuntimeError:  # Python 3.11 raises this for a loop
        raise OSError(40, "too many levels of symbolic links (a loop)") from None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def is_editor_file(name: str) -> bool:
    """Backup, lock and swap files that editors leave beside the files being edited."""
    return name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig", ".rej")) or name.startswith(("#", ".#"))


def _entries(folder: Path, errors: list[FactError]) -> list[Path]:
    """The visible entries of a folder, sorted; an unreadable folder is a located error."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as problem:
        errors.append(FactError(display_path(folder), 1, 1, "", f"cannot be read: {problem.strerror or problem}"))
        return []
    seen: dict[str, str] = {}
    entries = []
    for name in names:
        if name.startswith(".") or is_editor_file(name):
            continue
        # Two spellings of one name (NFC and NFD) look identical; a reader could not tell them apart.
        normal = unicodedata.normalize("NFC", name)
        if normal in seen:
            errors.append(FactError(display_path(folder / name), 1, 1, "",
                                    f"has the same name as {seen[normal]!r} in another Unicode form; keep one"))
            continue
        seen[normal] = name
        entries.append(folder / name)
    return entries


def find_fact_files(root: Path) -> tuple[list[tuple[Path, str]], list[FactError]]:
    """List the fact files under root with their kind; report files that do not belong."""
    found: list[tuple[Path, str]] = []
    errors: list[FactError] = []
    if root.is_symlink():
        return [], [FactError(display_path(root), 1, 1, "", "the facts folder is a symbolic link; "
                              "make it a real folder, so no fact comes from outside the repository")]
    if not root.is_dir():
        return [], [FactError(display_path(root), 1, 1, "", "there is no facts folder here; run the command "
                              "in the site's folder (beside mkdocs.yml) or name the folder with --facts")]
    files, kind_folders = single_files(), folders()
    for name in required_files():
        if not (root / name).is_file():
            errors.append(FactError(display_path(root / name), 1, 1, "", "required file is missing"))
    real_root = root.resolve()
    for entry in _entries(root, errors):
        try:
            target = _resolved(entry)
        except OSError as problem:
            errors.append(FactError(display_path(entry), 1, 1, "", f"cannot be read: {problem.strerror}"))
            continue
        if entry.name in files and not entry.is_dir():
            found.append((entry, files[entry.name]))
        elif entry.name in kind_folders and entry.is_dir():
            if not _inside(target, real_root):
                errors.append(FactError(display_path(entry), 1, 1, "", "is a symbolic link to a folder outside "
                                        "the facts folder; facts must live inside it"))
                continue
            for item in _entries(entry, errors):
                if item.suffix == ".yaml" and not item.is_dir():
                    found.append((item, kind_folders[entry.name]))
                else:
                    expected = KINDS[kind_folders[entry.name]].pattern
                    errors.append(
                        FactError(display_path(item), 1, 1, "", f"unexpected file; expected {expected}")
                    )
        elif entry.name.lower() in ("readme.md",):
            continue
        else:
            errors.append(FactError(display_path(entry), 1, 1, "", f"unexpected file; expected {expected_files()}"))
    return found, errors


class DocumentCache:
    """Parsed files kept between rebuilds of one `mkdocs serve` session, keyed by a hash of
    their bytes: an edit that keeps the size and restores the mtime (cp -p, rsync -t) is
    still seen, and an unchanged file is not parsed again."""

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[bytes, Document]] = {}
        # Schema results of unchanged documents (see validate.validate_facts).
        self.checked: dict[int, tuple[Document, Any, list]] = {}
        # Model objects built from unchanged documents (see validate.build_model): reusing them
        # keeps their hashes, so cached pages and JSON are found without hashing them again.
        self.built: dict[int, tuple[Document, Any]] = {}

    def read(self, path: Path, kind: str, root: Path) -> Document:
        raw = read_bytes(path, root)
        key = hashlib.blake2b(raw + f"\0{kind}\0{os.getcwd()}".encode(), digest_size=16).digest()
        cached = self._entries.get(path)
        if cached and cached[0] == key:
            return cached[1]
        document = parse_document(path, kind, raw)
        self._entries[path] = (key, document)
        return document


def load_facts(root: Path | str, cache: DocumentCache | None = None) -> list[Document]:
    """Parse every fact file under root; raise FactsInvalid listing every problem found."""
    root = Path(root)
    files, errors = find_fact_files(root)
    documents: list[Document] = []
    for path, kind in files:
        try:
            documents.append(cache.read(path, kind, root) if cache else read_document(path, kind, root))
        except FactsInvalid as invalid:
            errors.extend(invalid.errors)
    if errors:
        raise FactsInvalid(errors)
    return documents
