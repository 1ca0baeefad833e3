"""Published facts are permanent: compare the facts on disk with a git ref (the pull request's base).

What is compared is what readers saw at the ref. Every claim published there keeps a page: its
own, or the one its old address now redirects to (`previous_ids`); a claim is withdrawn, never
deleted. A claim's verdict as shown (the label and rating its status has on the scale, with the
scale's ends and their labels, and what the verdict means), its claim sentence and its quote
(exactly, whitespace aside) and its withdrawal change only with a new
corrections entry, dated on or after the newest change published at the ref (so it heads the
feed and "Recently updated") and not after today anywhere on earth. A change of the scale (verdicts.yaml) that
changes what published claims show needs a dated change note on the scale. Corrections and
change notes published at the ref are never removed or rewritten. Places keep their pages the
same way. The site's config at the ref says where its facts were (a moved folder is compared
with the old one) and where its pages are: the plugin, places_folder and use_directory_urls
may not change. Other changed files that shape pages (templates, theme, config, scripts, the
generator) are code, named as warnings for reviewers: this module judges facts.

Claims are matched by the ids they declare (`id`, `previous_ids`) and by content (the same
quote or claim sentence, or the same position with a similar quote or claim), never by git's
rename detection: a claim renamed, restyled and re-rated is found. Content is looked up in
indexes (by quote, claim sentence and position), so the comparison stays linear in the number
of claims whatever a pull request adds.

Three git processes, however many facts: `rev-parse` finds the repository and the base commit,
one `cat-file --batch` walks the base's trees (objects asked for by id, never by path) and
reads the old config and fact files, and `diff --name-only` lists changed files for the code
warnings. A file whose bytes equal its old blob is not parsed again. Symbolic
links inside the base's tree are followed as `load` follows them. The comparison is with the
files on disk, so committed, staged and untracked edits all count.
"""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
import subprocess
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import FactError, GeneratorError
from .kinds import KINDS
from .siteconfig import Addresses, parse_config, site_config
from .validate import today_anywhere
from .load import MAX_FILE_BYTES, Document, _Problem, display_path, is_editor_file, load_facts, parse_text, read_bytes

_SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
# Symbolic links followed in a row before a path counts as unresolvable (a loop).
_MAX_HOPS = 16
# How alike two quotes (or claim sentences) at the same position must be to count as one claim.
_SIMILAR = 0.6
_OPENING = 300
_TREE, _LINK = "40000", "120000"


class HistoryUnavailable(GeneratorError):
    """git cannot answer: not installed, not a repository, or an unknown ref. A refusal, not a
    finding about the facts."""

    exit_code = 2


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise HistoryUnavailable("git was not found on PATH; --since needs git") from None
    except OSError as problem:
        raise HistoryUnavailable(f"git could not be run: {problem.strerror or problem}") from None


def _base(folder: Path, ref: str) -> tuple[Path, str]:
    """The repository's top folder and the commit ref names."""
    # A ref starting with "-" would reach git as an option; an empty one would compare with nothing.
    if not ref.strip():
        raise HistoryUnavailable("--since needs a git ref (a branch, a tag or a commit); it was empty")
    if ref.startswith("-"):
        raise HistoryUnavailable(f"git does not know the ref {ref!r}")
    shown = _git(["rev-parse", "--show-toplevel", "--verify", "--quiet", f"{ref}^{{commit}}"], folder)
    lines = shown.stdout.decode("utf-8", "surrogateescape").splitlines()
    if not lines:
        raise HistoryUnavailable(f"{folder} is not in a git repository")
    if shown.returncode != 0 or len(lines) != 2:
        raise HistoryUnavailable(f"git does not know the ref {ref!r}")
    return Path(lines[0]), lines[1]


class _Objects:
    """One `git cat-file --batch` process: objects by id, and paths in the base's tree resolved
    by walking its trees (symbolic links followed), so no path is ever written to git's input."""

    def __init__(self, top: Path, commit: str):
        try:
            self.process = subprocess.Popen(["git", "cat-file", "--batch"], cwd=top, stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as problem:
            raise HistoryUnavailable(f"git could not be run: {problem.strerror or problem}") from None
        self.id_bytes = len(commit) // 2
        self.trees: dict[str, dict[str, tuple[str, str]]] = {}
        root = self._ask(f"{commit}^{{tree}}")
        if root is None or root[0] != "tree":
            self.close()
            raise HistoryUnavailable(f"git could not read the tree of {commit}")
        self.root = root[1]

    def close(self) -> None:
        """End the git process."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait()

    def _answer(self) -> tuple[str, str, bytes] | None:
        """Read one answer: (type, id, content), or None for an object the base does not have."""
        header = self.process.stdout.readline()
        if not header:
            raise HistoryUnavailable("git cat-file stopped before answering")
        parts = header.split()
        if len(parts) != 3:  # "<name> missing" or "<name> ambiguous"
            return None
        size = int(parts[2])
        body = self.process.stdout.read(size)
        self.process.stdout.read(1)
        return parts[1].decode("ascii"), parts[0].decode("ascii"), body

    def _ask(self, name: str) -> tuple[str, str, bytes] | None:
        """(type, id, content) of one object, or None when the base has no such object."""
        self.process.stdin.write(name.encode("ascii") + b"\n")
        self.process.stdin.flush()
        return self._answer()

    def blobs(self, ids: list[str]) -> dict[str, bytes]:
        """Many blobs in one go: a thread writes the requests while this one reads the answers,
        so neither pipe can fill up and stall git."""
        def write() -> None:
            try:
                self.process.stdin.write("".join(f"{i}\n" for i in ids).encode("ascii"))
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        contents = {}
        for blob in ids:
            answer = self._answer()
            if answer is not None and answer[0] == "blob":
                contents[blob] = answer[2]
        writer.join()
        return contents

    def tree(self, tree_id: str) -> dict[str, tuple[str, str]]:
        """A tree's entries: name -> (mode, object id)."""
        if tree_id not in self.trees:
            answer = self._ask(tree_id)
            raw = answer[2] if answer is not None and answer[0] == "tree" else b""
            entries: dict[str, tuple[str, str]] = {}
            at = 0
            while at < len(raw):
                space = raw.index(b" ", at)
                nul = raw.index(b"\0", space)
                name = raw[space + 1:nul].decode("utf-8", "surrogateescape")
                entries[name] = (raw[at:space].decode("ascii"), raw[nul + 1:nul + 1 + self.id_bytes].hex())
                at = nul + 1 + self.id_bytes
            self.trees[tree_id] = entries
        return self.trees[tree_id]

    def resolve(self, parts: tuple[str, ...], hops: int = 0) -> tuple[str, str, tuple[str, ...]] | None:
        """(mode, object id, real path) of a path from the top of the base's tree, following
        symbolic links that stay inside it; None when it does not exist there."""
        mode, object_id, real = _TREE, self.root, ()
        for i, name in enumerate(parts):
            if mode != _TREE:
                return None
            entry = self.tree(object_id).get(name)
            if entry is None:
                return None
            mode, object_id = entry
            if mode == _LINK:
                if hops >= _MAX_HOPS:
                    return None
                answer = self._ask(object_id)
                target = answer[2].decode("utf-8", "surrogateescape") if answer else ""
                joined = posixpath.normpath(posixpath.join("/".join(real), target))
                if target.startswith("/") or joined == ".." or joined.startswith("../"):
                    return None  # outside the repository: load refuses such a link too
                rest = tuple(p for p in joined.split("/") if p not in ("", "."))
                return self.resolve(rest + parts[i + 1:], hops + 1)
            real += (name,)
        return mode, object_id, real


# --- what readers saw: claims, places and the scale, read the same way at the ref and now --------

def _text(data: Any, plain: dict, where: tuple) -> str | None:
    """A text field as written (`status: true` is the verdict id "true")."""
    if where in plain:
        return plain[where]
    value = data
    for part in where:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value if isinstance(value, str) else None


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _same(text: str | None) -> str:
    """Text as compared: exactly as readers see it, whitespace collapsed (so restyled YAML and
    folded lines are the same text, but a capital letter, a full-width digit or a ligature is a
    change readers see)."""
    return " ".join((text or "").split())


def _similar(a: str, b: str) -> bool:
    """Whether two texts are alike enough to be one claim's; their openings are compared, which
    is enough for a sentence and keeps difflib's quadratic worst case small on hostile text."""
    if not a or not b:
        return False
    matcher = difflib.SequenceMatcher(None, a[:_OPENING], b[:_OPENING])
    return matcher.real_quick_ratio() >= _SIMILAR and matcher.quick_ratio() >= _SIMILAR and matcher.ratio() >= _SIMILAR


def _ids(data: Any, plain: dict, key: str) -> tuple[str, ...]:
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(t for i in range(len(items)) if (t := _text(data, plain, (key, i))) is not None)


@dataclass
class _Fact:
    """A claim or place as readers saw it (at the ref) or will see it (now)."""

    id: str
    display: str
    data: dict
    plain: dict
    document: Document | None = None
    previous_ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # a place's names, for matching

    @property
    def declared(self) -> set[str]:
        return {self.id, *self.previous_ids}


@dataclass
class _Claim(_Fact):
    claim: str = ""
    quote: str = ""
    position: int | None = None
    status: str | None = None
    reviewed: dt.date | None = None
    withdrawn: dt.date | None = None
    corrections: tuple[tuple[dt.date | None, str], ...] = ()

    @property
    def updated(self) -> dt.date:
        dates = [self.reviewed, self.withdrawn, *(d for d, _ in self.corrections)]
        return max((d for d in dates if d is not None), default=dt.date.min)


def _claim(stem: str, display: str, data: dict, plain: dict, document: Document | None = None) -> _Claim:
    corrections = data.get("corrections")
    entries = []
    for i in range(len(corrections) if isinstance(corrections, list) else 0):
        entries.append((_date(_text(data, plain, ("corrections", i, "date"))),
                        _same(_text(data, plain, ("corrections", i, "note")))))
    position = data.get("position")
    return _Claim(stem, display, data, plain, document, _ids(data, plain, "previous_ids"),
                  claim=_same(_text(data, plain, ("claim",))), quote=_same(_text(data, plain, ("quote",))),
                  position=position if isinstance(position, int) and not isinstance(position, bool) else None,
                  status=_text(data, plain, ("status",)), reviewed=_date(_text(data, plain, ("reviewed",))),
                  withdrawn=_date(_text(data, plain, ("withdrawn",))), corrections=tuple(entries))


def _place(stem: str, display: str, data: dict, plain: dict, document: Document | None = None) -> _Fact:
    names = tuple(_same(_text(data, plain, (key,))) for key in ("name", "local_name"))
    return _Fact(stem, display, data, plain, document, _ids(data, plain, "previous_ids"), tuple(n for n in names if n))


@dataclass(frozen=True)
class _Verdict:
    index: int
    label: str | None
    rating: int | None
    description: str | None


@dataclass
class _Scale:
    verdicts: dict[str, _Verdict] = field(default_factory=dict)
    # The ends of the true-false line as a claim page names them: (rating, label) of the first
    # verdict of the lowest rating and of the last of the highest, in scale order.
    ends: tuple[tuple[int, str | None], tuple[int, str | None]] | None = None
    changes: tuple[tuple[dt.date | None, str, tuple[str, ...]], ...] = ()

    def shown(self, status: str | None) -> tuple | None:
        """What a claim with this status shows: its label and, on the true-false line, its rating
        and the scale's ends with their labels ("4 on our scale from 1 (False) to 5 (True)",
        ClaimReview's worstRating and bestRating)."""
        verdict = self.verdicts.get(status or "")
        if verdict is None:
            return None
        return (verdict.label, verdict.rating, self.ends if verdict.rating is not None else None)

    def meaning(self, status: str | None) -> str | None:
        """What the verdict of this status means (its description), where the claim page links."""
        verdict = self.verdicts.get(status or "")
        return verdict.description if verdict else None


def _scale(data: Any, plain: dict) -> _Scale | None:
    items = data.get("verdicts") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    scale = _Scale()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        rating = item.get("rating_value")
        rating = rating if isinstance(rating, int) and not isinstance(rating, bool) else None
        verdict_id = _text(data, plain, ("verdicts", i, "id"))
        if verdict_id is not None and verdict_id not in scale.verdicts:
            scale.verdicts[verdict_id] = _Verdict(i, _text(data, plain, ("verdicts", i, "label")), rating,
                                                  _same(_text(data, plain, ("verdicts", i, "description"))))
    line = sorted((v for v in scale.verdicts.values() if v.rating is not None), key=lambda v: (v.rating, v.index))
    scale.ends = ((line[0].rating, line[0].label), (line[-1].rating, line[-1].label)) if line else None
    changes = data.get("changes")
    scale.changes = tuple(
        (_date(_text(data, plain, ("changes", i, "date"))), _same(_text(data, plain, ("changes", i, "note"))),
         _ids(changes[i], {k[2:]: v for k, v in plain.items() if k[:2] == ("changes", i)}, "verdicts"))
        for i in range(len(changes) if isinstance(changes, list) else 0) if isinstance(changes[i], dict))
    return scale


def _described(shown: tuple | None, status: str | None) -> str:
    if shown is None:
        return repr(status)
    label, rating, ends = shown
    if rating is None or ends is None:
        return repr(label)
    (low, low_label), (high, high_label) = ends
    return f"{label!r} ({rating} on a scale from {low} ({low_label}) to {high} ({high_label}))"


# --- reading the ref ---------------------------------------------------------------------------

@dataclass
class _Then:
    """The facts at the ref."""

    claims: dict[str, _Claim] = field(default_factory=dict)
    places: dict[str, _Fact] = field(default_factory=dict)
    scale: _Scale | None = None
    scale_changed: bool = False

    @cached_property
    def latest(self) -> dt.date:
        """The newest change published at the ref: a new correction or change note dated on or
        after it heads the feed and "Recently updated", so readers see it."""
        dates = [claim.updated for claim in self.claims.values()]
        dates += [date for date, _, _ in self.scale.changes if date] if self.scale else []
        return max(dates, default=dt.date.min)

    @cached_property
    def published(self) -> dict[tuple[dt.date | None, str], str]:
        """Every correction published at the ref, (date, note) -> the claim it is on."""
        return {entry: claim.id for claim in self.claims.values() for entry in claim.corrections}


def _read_then(facts_dir: Path, top: Path, commit: str, documents: list[Document], now: dict[int, Any],
               then_parts: tuple[str, ...] | None = None, objects: _Objects | None = None) -> _Then:
    """Every claim, place and the scale as they were at commit. A file whose bytes equal its old
    blob is not parsed again: its record is the one made from the document on disk (now: records
    by id of their document). Bytes are compared, not hashes, so no SHA-1 collision can pass a
    changed file off as unchanged."""
    then = _Then()
    facts_parts = then_parts if then_parts is not None else _parts_in(facts_dir, top)
    on_disk: dict[tuple[str, str], Document] = {}
    for document in documents:
        on_disk[(KINDS[document.kind].folder or "", document.path.name)] = document
    own = objects is None
    objects = objects or _Objects(top, commit)
    try:
        facts = objects.resolve(facts_parts)
        if facts is None or facts[0] != _TREE:
            return then  # no facts at the ref: nothing was published
        base = facts[2]
        wanted: list[tuple[str, str, str]] = []  # (folder, file name, blob id)
        for folder in ("claims", "places"):
            listed = objects.resolve(base + (folder,))
            if listed is None or listed[0] != _TREE:
                continue
            for name, (mode, blob) in objects.tree(listed[1]).items():
                if (not name.endswith(".yaml") or name.startswith(".") or is_editor_file(name)
                        or not set(name[:-5]) <= _SLUG_CHARS):
                    continue  # load never read it, so it was never published
                if mode == _LINK:
                    target = objects.resolve(listed[2] + (name,))
                    if target is None or target[2][:len(base)] != base or target[0] == _TREE:
                        continue  # a link load refuses (outside the facts) was never published
                    blob = target[1]
                elif mode == _TREE:
                    continue
                wanted.append((folder, name, blob))
        verdicts = objects.resolve(base + ("verdicts.yaml",))
        if verdicts is not None and verdicts[0] != _TREE:
            wanted.append(("", "verdicts.yaml", verdicts[1]))
        contents = objects.blobs(sorted({blob for _, _, blob in wanted}))
    finally:
        if own:
            objects.close()
    unchanged: dict[tuple[str, str], Document] = {}
    for folder, name, blob in wanted:
        document = on_disk.get((folder, name))
        if document is not None and blob in contents and read_bytes(document.path, facts_dir) == contents[blob]:
            unchanged[(folder, name)] = document
    for folder, name, blob in wanted:
        document = unchanged.get((folder, name))
        if document is not None:
            record = now[id(document)]
        else:
            display = display_path(facts_dir / folder / name) if folder else display_path(facts_dir / name)
            parsed = _parse_old(contents.get(blob), display)
            if parsed is None:
                continue  # not a fact file at the ref: it had nothing to publish
            make = {"claims": _claim, "places": _place}.get(folder)
            record = make(name[:-5], display, *parsed) if make else _scale(*parsed)
            then.scale_changed |= make is None
        if folder == "claims":
            then.claims[name[:-5]] = record
        elif folder == "places":
            then.places[name[:-5]] = record
        else:
            then.scale = record
    return then


def _parse_old(raw: bytes | None, display: str) -> tuple[dict, dict] | None:
    if raw is None or len(raw) > MAX_FILE_BYTES:
        return None
    # Decoded leniently: a stray byte elsewhere in the old file must not unprotect its verdict.
    text = raw.decode("utf-8-sig", "replace").replace("\0", "\ufffd")
    try:
        data, _, _, plain = parse_text(text, display)
    except _Problem:
        return None
    return (data, plain) if isinstance(data, dict) else None


def changed_code(facts_dir: Path, ref: str, top: Path, commit: str) -> list[FactError]:
    """Files changed since ref, outside the facts, that decide how pages look (the site's config,
    templates, theme, hooks, scripts, what it installs, the generator's own code): the
    corrections rule compares facts, so a change there is for reviewers to read as code. One
    warning each, on its first line."""
    shown = _git(["diff", "--name-only", "-z", "--no-ext-diff", commit, "--"], top)
    if shown.returncode != 0:
        return []
    try:
        facts = facts_dir.resolve().relative_to(top.resolve()).as_posix() + "/"
    except ValueError:
        return []
    warnings = []
    for name in filter(None, shown.stdout.decode("utf-8", "surrogateescape").split("\0")):
        if name.startswith(facts) or not _CODE.search(name):
            continue
        warnings.append(FactError(display_path(top / name), 1, 1, "", (
            f"changed since {ref}: it shapes what readers see, and check --since compares facts, not code; "
            "review this change as code before merging")))
    return warnings


# Build inputs besides the facts: config, page and theme templates, styles and scripts, hooks,
# installed requirements and the generator's code; and what runs the checks and the deploy
# (workflows, actions, Makefile, pre-commit), which a pull request could otherwise weaken unseen.
_CODE = re.compile(r"(^|/)(mkdocs\.ya?ml|requirements[^/]*\.txt|constraints\.txt|pyproject\.toml|setup\.(py|cfg)"
                   r"|Makefile|action\.ya?ml|\.pre-commit-(config|hooks)\.yaml)$"
                   r"|(^|/)(templates|overrides|theme|hooks|generator|\.github)/|\.(py|j2|html|js|css)$")


def _parts_in(path: Path, top: Path) -> tuple[str, ...]:
    try:
        return path.resolve().relative_to(top.resolve()).parts
    except ValueError:
        raise HistoryUnavailable(f"{path} is not inside the repository at {top}") from None


@dataclass
class _Moved:
    """What the site's config at the ref says of its addresses: where its facts were (compared
    with the facts now, wherever they live now), and the changes that would move published pages."""

    then_facts: tuple[str, ...] | None = None
    errors: list[FactError] = field(default_factory=list)


def _addresses(facts_dir: Path, top: Path, objects: _Objects, ref: str) -> _Moved:
    """The site's config then and now: the facts folder at the ref (so moving it compares its old
    facts with the new folder, not with nothing), and the settings that decide published
    addresses (the plugin itself, places_folder, use_directory_urls), which may not change."""
    moved = _Moved()
    config_file = facts_dir.parent / "mkdocs.yml"
    if not config_file.is_file():
        config_file = Path("mkdocs.yml")
    if not config_file.is_file():
        return moved
    site_parts = _parts_in(config_file.parent, top)
    found = objects.resolve(site_parts + ("mkdocs.yml",))
    if found is None or found[0] == _TREE:
        return moved  # no config at the ref: nothing was published from it
    raw = objects.blobs([found[1]]).get(found[1], b"")
    then, now = Addresses.of(parse_config(raw)), Addresses.of(site_config(facts_dir))
    if not then.plugin:
        return moved
    moved.then_facts = site_parts + Path(then.facts_dir).parts
    shown = display_path(config_file)
    text = config_file.read_text(encoding="utf-8", errors="replace")

    def fail(key: str, message: str) -> None:
        line = next((i for i, row in enumerate(text.splitlines(), start=1) if row.lstrip().startswith(key + ":")), 1)
        moved.errors.append(FactError(shown, line, 1, key, message))

    if not now.plugin:
        fail("plugins", f"the factcheck plugin was on at {ref} and is gone: every claim, place and verdict page "
                        "and the data files would vanish; keep the plugin")
        return moved
    if then.places_folder != now.places_folder:
        fail("places_folder", f"was {then.places_folder!r} at {ref}: every place page's address would move and "
                              f"published links to them break; keep {then.places_folder!r}")
    if then.use_directory_urls != now.use_directory_urls:
        fail("use_directory_urls", f"was {str(then.use_directory_urls).lower()} at {ref}: every page's address "
                                   "would change and published links break; keep it")
    return moved


# --- the comparison ----------------------------------------------------------------------------

@dataclass
class _Comparison:
    """One run: the facts at the ref, and the errors found so far."""

    then: _Then
    ref: str
    today: dt.date
    errors: list[FactError] = field(default_factory=list)

    def fail(self, fact: _Fact, where: tuple, message: str) -> None:
        if fact.document is not None:
            self.errors.append(fact.document.at(where, message))
        else:
            self.errors.append(FactError(fact.display, 1, 1, ".".join(map(str, where)), message))


def unrecorded_changes(facts_dir: Path | str, ref: str, documents: list[Document] | None = None,
                       today: dt.date | None = None, code: list[FactError] | None = None) -> list[FactError]:
    """Every change since ref that readers would not be told about (and, into `code`, warnings for
    changed files that shape pages but are not facts): a published claim or place whose page is gone, an id changed without `previous_ids`, a claim's shown verdict, claim
    sentence, quote or withdrawal changed without a new, properly dated corrections entry, a
    scale change without a change note, a correction or change note removed (documents: the
    facts as already loaded and valid, so a command parses each file once)."""
    facts_dir = Path(facts_dir)
    documents = load_facts(facts_dir) if documents is None else documents
    top, commit = _base(facts_dir, ref)
    claims = {d.stem: _claim(d.stem, d.display, d.data, d.plain, d) for d in documents if d.kind == "claim"}
    places = {d.stem: _place(d.stem, d.display, d.data, d.plain, d) for d in documents if d.kind == "place"}
    scale_document = next((d for d in documents if d.kind == "verdicts"), None)
    scale = _scale(scale_document.data, scale_document.plain) if scale_document else None
    now: dict[int, Any] = {id(fact.document): fact for fact in [*claims.values(), *places.values()]}
    if scale_document is not None:
        now[id(scale_document)] = scale
    objects = _Objects(top, commit)
    try:
        moved = _addresses(facts_dir, top, objects, ref)
        then = _read_then(facts_dir, top, commit, documents, now, moved.then_facts, objects)
    finally:
        objects.close()
    comparison = _Comparison(then, ref, today or today_anywhere())
    comparison.errors += moved.errors
    if code is not None:
        code += changed_code(facts_dir, ref, top, commit)
    _compare_places(comparison, places)
    _compare_claims(comparison, claims, scale, scale_document)
    return comparison.errors


def _successors(old: dict[str, _Fact], new: dict[str, _Fact]) -> dict[str, _Fact]:
    """Old id -> the fact that now holds it, as its id or a previous id."""
    holder = {}
    for fact in new.values():
        for name in fact.declared:
            holder.setdefault(name, fact)
    return {old_id: holder[old_id] for old_id in old if old_id in holder}


def _kept_redirects(comparison: _Comparison, old: _Fact, new: _Fact, noun: str) -> None:
    """Every address that led to old at the ref still leads to its successor."""
    for previous in old.previous_ids:
        if previous not in new.declared:
            comparison.fail(new, ("previous_ids",), (
                f"{previous!r} led to this {noun}'s page at {comparison.ref} (a previous id of {old.id!r}); "
                f"keep it in previous_ids so that old address still leads here"))


def _compare_places(comparison: _Comparison, places: dict[str, _Fact]) -> None:
    then, ref = comparison.then, comparison.ref
    successors = _successors(then.places, places)
    by_name: dict[str, list[_Fact]] = {}
    for place in places.values():
        for name in place.names:
            by_name.setdefault(name, []).append(place)
    for old_id, old in then.places.items():
        new = successors.get(old_id)
        if new is not None:
            _kept_redirects(comparison, old, new, "place")
            continue
        twins = [p for name in old.names for p in by_name.get(name, ())]
        if twins:
            comparison.fail(twins[0], ("previous_ids",), (
                f"has the name of place {old_id!r}, published at {ref}, whose page is gone: if this is that "
                f"place, add previous_ids: [{old_id}] so its old address redirects here"))
        else:
            comparison.fail(old, ("previous_ids",), (
                f"place {old_id!r} was published at {ref} and is gone: its page and every link to it would "
                f"break; keep the file, or list {old_id!r} in the previous_ids of the place that replaces it "
                "(its address then redirects there)"))


@dataclass
class _Fresh:
    """A claim's corrections added since the ref, by index: well dated (on or after the newest
    change published at the ref, and not after today), too early, or copied from a correction
    published on another claim."""

    good: list[int] = field(default_factory=list)
    early: list[int] = field(default_factory=list)
    copied: list[tuple[int, str]] = field(default_factory=list)

    def dates(self, claim: _Claim) -> set[dt.date | None]:
        return {claim.corrections[i][0] for i in self.good}


def _fresh(old: _Claim | None, new: _Claim, comparison: _Comparison, own: Counter | None = None) -> _Fresh:
    """`own`: the corrections published on the claims this one continues (all of them, when it
    absorbed others in a merge), which it keeps rather than adds."""
    own = Counter(own if own is not None else (old.corrections if old else ()))
    elsewhere = comparison.then.published
    since = comparison.then.latest
    fresh = _Fresh()
    for i, entry in enumerate(new.corrections):
        if own[entry] > 0:
            own[entry] -= 1
        elif entry in elsewhere:
            fresh.copied.append((i, elsewhere[entry]))
        elif entry[0] is not None and entry[0] < since:
            fresh.early.append(i)
        elif entry[0] is not None and entry[0] <= comparison.today:
            fresh.good.append(i)
    return fresh


def _report_fresh(comparison: _Comparison, new: _Claim, fresh: _Fresh) -> None:
    ref, latest = comparison.ref, comparison.then.latest
    for i in fresh.early:
        comparison.fail(new, ("corrections", i, "date"), (
            f"{new.corrections[i][0]} is before the newest change published at {ref} ({latest}); date a new "
            "correction the day it is made, so it heads the feed and \"Recently updated\""))
    for i, other in fresh.copied:
        comparison.fail(new, ("corrections", i), (
            f"has the date and note of a correction published at {ref} on claim {other!r}; a new correction "
            "says what changed on this claim"))


def _compare_claims(comparison: _Comparison, claims: dict[str, _Claim], scale: _Scale | None,
                    scale_document: Document | None) -> None:
    then, ref = comparison.then, comparison.ref
    old_scale = then.scale if then.scale_changed else scale
    successors = _successors(then.claims, claims)
    predecessors: dict[str, list[_Claim]] = {}
    for old_id, new in successors.items():
        predecessors.setdefault(new.id, []).append(then.claims[old_id])
    notes = _scale_notes(comparison, scale, scale_document, old_scale)

    def shown_then(old: _Claim) -> tuple | None:
        return old_scale.shown(old.status) if old_scale else None

    def shown_now(new: _Claim) -> tuple | None:
        return scale.shown(new.status) if scale else None

    by_scale: dict[str, list[tuple[_Claim, _Claim]]] = {}
    for old_id, new in successors.items():
        old = then.claims[old_id]
        _kept_redirects(comparison, old, new, "claim")
        _kept_corrections(comparison, old, new)
        since = _since(comparison, old, new)
        # A claim that absorbed others (a merge) keeps their corrections as its own.
        inherited = Counter(entry for predecessor in predecessors[new.id] for entry in predecessor.corrections)
        fresh = _fresh(old, new, comparison, inherited)
        _report_fresh(comparison, new, fresh)
        before, after = shown_then(old), shown_now(new)
        changed_verdict = _verdict_differs(old, new, before, after, old_scale, scale)
        if changed_verdict and old.status == new.status:
            # Only the scale changed under the claim: a note on the scale, or a correction, tells readers.
            if not fresh.good and not notes.covers(new.status):
                by_scale.setdefault(new.status or "", []).append((old, new))
        elif changed_verdict and new.withdrawn:
            # A withdrawal shows the last verdict published; a new one must not arrive under its notice.
            comparison.fail(new, ("status",), (
                f"changed from {old.status!r} to {new.status!r} since {since}, but a withdrawn claim keeps the "
                f"verdict it was published with; set it back to {old.status!r}"))
        elif changed_verdict and not fresh.good:
            comparison.fail(new, ("status",), (
                f"changed from {old.status!r} to {new.status!r} since {since} without a new corrections entry; "
                "add one (date, note) saying what changed and why"))
        _unrecorded_edits(comparison, old, new, fresh.dates(new))
    _scale_errors(comparison, by_scale, scale, scale_document, old_scale, shown_then)
    if then.scale_changed and old_scale is not None and scale is not None and scale_document is not None:
        carried = {new.status for old_id, new in successors.items() if then.claims[old_id].status == new.status}
        for verdict_id in sorted(carried & old_scale.verdicts.keys() & scale.verdicts.keys()):
            verdict = scale.verdicts[verdict_id]
            if old_scale.verdicts[verdict_id].description != verdict.description and not notes.covers(verdict_id):
                comparison.errors.append(scale_document.at(("verdicts", verdict.index, "description"), (
                    f"changed since {ref}, and published claims carry the verdict {verdict_id!r}: what it means "
                    f"changed for them; add a change note under `changes` (date, note: what changed and why, "
                    f"verdicts: [{verdict_id}]), shown with the scale")))
    _new_claims(comparison, claims, successors, predecessors, shown_then, shown_now, old_scale, scale)


def _verdict_differs(old: _Claim, new: _Claim, before: tuple | None, after: tuple | None,
                     old_scale: _Scale | None, scale: _Scale | None) -> bool:
    """Whether readers see another verdict: its label, rating or scale ends, or (moved to another
    verdict of the scale with the same label) what it means, where the claim page links."""
    if before is None or after is None:
        return old.status != new.status
    if before != after:
        return True
    return (old.status != new.status and old_scale is not None and scale is not None
            and old_scale.meaning(old.status) != scale.meaning(new.status))


def _kept_corrections(comparison: _Comparison, old: _Claim, new: _Claim) -> None:
    missing = Counter(old.corrections) - Counter(new.corrections)
    for date, note in sorted(missing.elements(), key=lambda e: (e[0] or dt.date.min, e[1])):
        shown = note if len(note) <= 60 else note[:57] + "..."
        comparison.fail(new, ("corrections",), (
            f"the correction of {date} published at {comparison.ref} ({shown!r}) was removed or changed; "
            "corrections are never removed or rewritten: restore it and add a new one"))


def _since(comparison: _Comparison, old: _Claim, new: _Claim) -> str:
    """"since REF", naming the old claim when the comparison follows a change of id."""
    if old.id == new.id:
        return comparison.ref
    return f"{comparison.ref} (when it was claim {old.id!r})"


def _unrecorded_edits(comparison: _Comparison, old: _Claim, new: _Claim, fresh: set[dt.date | None]) -> None:
    """What readers rely on besides the verdict, changed without a new correction (fresh: the
    dates of the well-dated corrections added since the ref)."""
    ref, since = comparison.ref, _since(comparison, old, new)
    add = "add a corrections entry (date, note) saying what changed and why"
    if old.claim != new.claim and not fresh:
        comparison.fail(new, ("claim",), f"changed since {since} without a new corrections entry; the claim "
                                         f"sentence is what the verdict rates: {add}")
    if old.quote != new.quote and not fresh:
        comparison.fail(new, ("quote",), f"changed since {since} without a new corrections entry; the quote is "
                                         f"the words the verdict rates: {add}")
    if old.withdrawn == new.withdrawn:
        return
    if old.withdrawn and new.withdrawn:
        comparison.fail(new, ("withdrawn",), (
            f"was {old.withdrawn} at {ref}; the date of a withdrawal is published and stays"))
    elif old.withdrawn and not fresh:
        comparison.fail(new, ("withdrawn",), (
            f"the claim was withdrawn on {old.withdrawn} at {ref} and is no longer; reinstating it needs a new "
            "corrections entry (date, note) saying why"))
    elif new.withdrawn and new.withdrawn not in fresh:
        comparison.fail(new, ("withdrawn",), (
            f"withdrawn since {ref} without a new corrections entry of that date; add one (note: why) and date "
            f"both the day of the withdrawal (on or after {comparison.then.latest}), for its page and the feed"))


def _new_claims(comparison: _Comparison, claims: dict[str, _Claim], successors: dict[str, _Claim],
                predecessors: dict[str, list[_Claim]], shown_then, shown_now,  # noqa: ANN001
                old_scale: _Scale | None, scale: _Scale | None) -> None:
    """A claim that did not exist at the ref, or a published claim that is gone: matched by
    content, so a rename, a re-add under a new id or a re-rating cannot pass unseen."""
    then, ref = comparison.then, comparison.ref
    by_quote: dict[str, list[_Claim]] = {}
    by_claim: dict[str, list[_Claim]] = {}
    by_position: dict[int, list[_Claim]] = {}
    for old in then.claims.values():
        by_quote.setdefault(old.quote, []).append(old)
        by_claim.setdefault(old.claim, []).append(old)
        if old.position is not None:
            by_position.setdefault(old.position, []).append(old)
    matched_gone: set[str] = set()
    for new in claims.values():
        if new.id in predecessors:
            continue
        twins: dict[str, str] = {}
        for old in by_quote.get(new.quote, ()):
            twins.setdefault(old.id, "same quote")
        for old in by_claim.get(new.claim, ()):
            twins.setdefault(old.id, "same claim sentence")
        for old in by_position.get(new.position, ()) if new.position is not None else ():
            if _similar(old.quote, new.quote) or _similar(old.claim, new.claim):
                twins.setdefault(old.id, "same position, similar quote or claim")
        for old_id, how in sorted(twins.items()):
            old = then.claims[old_id]
            successor = successors.get(old_id)
            if successor is None:
                matched_gone.add(old_id)
                comparison.fail(new, ("id",), (
                    f"matches claim {old_id!r} published at {ref} ({how}), whose page is gone: if this is that "
                    f"claim, add previous_ids: [{old_id}] so its old address redirects here; if not, keep "
                    f"{old_id!r} and withdraw it"))
            elif successor.withdrawn:
                continue  # the old claim says on its own page that it was withdrawn, and why
            before, after = shown_then(old), shown_now(new)
            differs = _verdict_differs(old, new, before, after, old_scale, scale)
            if differs and not _fresh(old, new, comparison).good:
                comparison.fail(new, ("status",), (
                    f"{_described(after, new.status)} differs from {_described(before, old.status)}, the verdict "
                    f"of claim {old_id!r} at {ref} ({how}); add a corrections entry (date: on or after "
                    f"{comparison.then.latest}, note) saying why the verdict differs"))
    for old_id, old in then.claims.items():
        if old_id not in successors and old_id not in matched_gone:
            comparison.fail(old, ("id",), (
                f"claim {old_id!r} was published at {ref} and is gone: its page and every link to it would "
                "break. Keep the file and withdraw the claim (withdrawn: YYYY-MM-DD and a corrections entry of "
                f"that date saying why), or list {old_id!r} in the previous_ids of the claim that replaces it"))


@dataclass
class _Notes:
    """The scale's change notes added since the ref, each well dated."""

    fresh: list[tuple[dt.date, tuple[str, ...]]] = field(default_factory=list)

    def covers(self, verdict_id: str | None) -> bool:
        return any(verdict_id in verdicts for _, verdicts in self.fresh)


def _scale_notes(comparison: _Comparison, scale: _Scale | None, document: Document | None,
                 old_scale: _Scale | None) -> _Notes:
    """The change notes added to the scale since the ref. Notes published at the ref stay as
    they were and where they were (the feed numbers them), so new ones go at the end."""
    notes = _Notes()
    if scale is None or document is None or old_scale is None:
        return notes
    kept = len(old_scale.changes)
    for i, (date, note, _) in enumerate(old_scale.changes):
        if i >= len(scale.changes) or scale.changes[i][:2] != (date, note):
            comparison.errors.append(document.at(("changes", i) if i < len(scale.changes) else ("changes",), (
                f"the change note of {date} published at {comparison.ref} as note {i + 1} was moved, changed or "
                "removed; notes on the scale stay as they were: restore it, and add new notes at the end")))
            kept = i
            break
    last = comparison.then.latest
    for i, (date, note, verdicts) in enumerate(scale.changes[kept:], start=kept):
        if date is None or (date, note) in {(d, n) for d, n, _ in old_scale.changes}:
            continue
        if date < last:
            comparison.errors.append(document.at(("changes", i, "date"), (
                f"{date} is before the newest change published at {comparison.ref} ({last}); date a new note "
                "the day the scale changed, so it heads the feed")))
        elif date <= comparison.today:
            notes.fresh.append((date, verdicts))
    return notes


def _scale_errors(comparison: _Comparison, by_scale: dict[str, list[tuple[_Claim, _Claim]]],
                  scale: _Scale | None, document: Document | None, old_scale: _Scale | None,
                  shown_then) -> None:  # noqa: ANN001
    """One error per verdict of the scale whose change alters published claims' shown verdict
    (and one per changed meaning), located in verdicts.yaml where it changed."""
    if scale is None or document is None:
        return
    ref = comparison.ref
    for verdict_id, pairs in sorted(by_scale.items()):
        verdict = scale.verdicts[verdict_id]
        before = shown_then(pairs[0][0])
        old = old_scale.verdicts.get(verdict_id) if old_scale else None
        where: tuple = ("verdicts", verdict.index)
        if old is not None and old.label != verdict.label:
            where += ("label",)
        elif old is not None and old.rating != verdict.rating:
            where += ("rating_value",)
        names = ", ".join(repr(old.id) for old, _ in pairs[:3]) + (", ..." if len(pairs) > 3 else "")
        count = f"{len(pairs)} published claim{'s' if len(pairs) != 1 else ''}"
        comparison.errors.append(document.at(where, (
            f"changes the verdict shown on {count} since {ref} ({names}) from {_described(before, verdict_id)} "
            f"to {_described(scale.shown(verdict_id), verdict_id)}; add a change note under `changes` (date: on "
            f"or after {comparison.then.latest}, note: what changed and why, verdicts: [{verdict_id}]), shown with the scale")))
