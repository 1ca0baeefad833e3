"""Verdict changes are never silent: compare claims with a git ref (the pull request's base).

Three git commands in all, however many claims: `rev-parse` finds the repository and the base
commit, `diff -M --raw` lists the claim files changed since it (a renamed file paired with its
old name, so renaming a claim cannot hide a new verdict), and one `cat-file --batch` reads
every old version. The comparison is with the working tree, so staged and committed edits both
count; a renamed file that git does not track yet is seen as new until it is added.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import FactError, GeneratorError
from .load import Document, _Problem, load_facts, parse_text


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
    # A ref starting with "-" would reach git as an option.
    if ref.startswith("-"):
        raise HistoryUnavailable(f"git does not know the ref {ref!r}")
    shown = _git(["rev-parse", "--show-toplevel", "--verify", "--quiet", f"{ref}^{{commit}}"], folder)
    lines = shown.stdout.decode("utf-8", "surrogateescape").splitlines()
    if not lines:
        raise HistoryUnavailable(f"{folder} is not in a git repository")
    if shown.returncode != 0 or len(lines) != 2:
        raise HistoryUnavailable(f"git does not know the ref {ref!r}")
    return Path(lines[0]), lines[1]


def _old_names(top: Path, commit: str, folder: str) -> dict[str, tuple[str, str]]:
    """Claim files changed since commit: new path (from top) -> (old path, old blob id)."""
    # --raw gives the old blob ids, so cat-file needs no paths; -z keeps odd file names whole.
    shown = _git(["diff", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", commit, "--",
                  f":(literal){folder}"], top)
    if shown.returncode != 0:
        raise HistoryUnavailable(f"git diff failed: {shown.stderr.decode('utf-8', 'replace').strip()}")
    fields = shown.stdout.decode("utf-8", "surrogateescape").split("\0")
    changed: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(fields) and fields[i].startswith(":"):
        _, _, old_blob, _, status = fields[i][1:].split(" ")
        if status[0] in "RC":
            old, new, i = fields[i + 1], fields[i + 2], i + 3
        else:
            old = new = fields[i + 1]
            i += 2
        if status[0] in "MRT":  # A: new file, nothing to protect; D: gone, not a verdict change
            changed[new] = (old, old_blob)
    return changed


def _blobs(top: Path, ids: list[str]) -> dict[str, bytes]:
    """The contents of the given blobs, read in one git process."""
    if not ids:
        return {}
    shown = _git(["cat-file", "--batch"], top, "".join(f"{b}\n" for b in ids).encode("ascii"))
    out, position, contents = shown.stdout, 0, {}
    for blob in ids:
        end = out.find(b"\n", position)
        header = out[position:end].split()
        if end < 0 or len(header) != 3:  # "<id> missing": no old text to compare
            position = end + 1
            continue
        size = int(header[2])
        contents[blob] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return contents


def _status(data: dict, plain: dict) -> str:
    return plain.get(("status",), data.get("status"))


def unrecorded_verdict_changes(facts_dir: Path | str, ref: str, documents: list[Document] | None = None
                               ) -> list[FactError]:
    """Claims whose status differs from ref without a corrections entry added since (documents:
    the facts as already loaded, so a command parses each file once)."""
    facts_dir = Path(facts_dir)
    documents = load_facts(facts_dir) if documents is None else documents
    claims = [d for d in documents if d.kind == "claim" and isinstance(d.data, dict)]
    top, commit = _base(facts_dir, ref)
    real_top = top.resolve()
    try:
        folder = (facts_dir / "claims").resolve().relative_to(real_top).as_posix()
    except ValueError:
        raise HistoryUnavailable(f"{facts_dir} is not inside the repository at {top}") from None
    changed = _old_names(top, commit, folder)
    old_texts = _blobs(top, sorted({blob for _, blob in changed.values()}))
    errors: list[FactError] = []
    for document in claims:
        # The folder is resolved, not the file: a claim is compared under its own name.
        name = (document.path.parent.resolve() / document.path.name).relative_to(real_top).as_posix()
        if name not in changed or changed[name][1] not in old_texts:
            continue  # unchanged, or new since ref
        old_path, blob = changed[name]
        # Decoded leniently: a stray byte elsewhere in the old file must not unprotect its verdict.
        before = old_texts[blob].decode("utf-8-sig", "replace").replace("\0", "\ufffd")
        try:
            old, _, _, old_plain = parse_text(before, old_path)
        except _Problem:
            continue  # the old version was not YAML: it had no verdict to protect
        if isinstance(old, dict):
            errors.extend(_compare(document, old, old_plain, ref))
    return errors


def _compare(document: Document, old: dict, old_plain: dict, ref: str) -> list[FactError]:
    new_status = _status(document.data, document.plain)
    old_status = _status(old, old_plain)
    if old_status == new_status:
        return []
    new_count = len(document.data.get("corrections") or [])
    old_count = len(old.get("corrections") or [])
    if new_count > old_count:
        return []
    return [document.at(("status",), f"changed from {old_status!r} to {new_status!r} since {ref} without a new "
                                     "corrections entry; add one (date, note) saying what changed and why")]
