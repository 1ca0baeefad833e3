"""Verdict changes are never silent: compare claims with a git ref (the pull request's base)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import FactError
from .load import Document, load_facts, parse_text


class HistoryUnavailable(Exception):
    """git could not show the base version (not a repository, or an unknown ref)."""


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def _text_at(ref: str, path: Path) -> str | None:
    """The file's text at ref, or None when it did not exist there."""
    folder = path.parent
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0:
        raise HistoryUnavailable(f"{folder} is not in a git repository")
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], folder).returncode != 0:
        raise HistoryUnavailable(f"git does not know the ref {ref!r}")
    relative = path.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = _git(["show", f"{ref}:{relative}"], folder)
    return shown.stdout if shown.returncode == 0 else None


def _status(data: dict, plain: dict) -> str:
    return plain.get(("status",), data.get("status"))


def unrecorded_verdict_changes(facts_dir: Path | str, ref: str) -> list[FactError]:
    """Claims whose status differs from ref without a corrections entry added since."""
    errors: list[FactError] = []
    for document in load_facts(Path(facts_dir)):
        if document.kind != "claim" or not isinstance(document.data, dict):
            continue
        before = _text_at(ref, document.path)
        if before is None:
            continue
        try:
            old, _, _, old_plain = parse_text(before, document.display)
        except Exception:  # noqa: BLE001 - an unreadable old version has no verdict to protect
            continue
        if not isinstance(old, dict):
            continue
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
