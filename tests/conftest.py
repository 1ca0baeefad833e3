"""Shared fixtures: copies of the fixture facts and the real site in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture
def facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the small fixture facts as ./facts, with the working folder at tmp_path."""
    target = tmp_path / "facts"
    shutil.copytree(FIXTURES / "facts", target)
    monkeypatch.chdir(tmp_path)
    return target


def copy_site(target: Path) -> Path:
    """Copy the real site (mkdocs.yml, docs/, overrides/, facts/) into target."""
    target.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("docs", "overrides", "facts"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def build_site(target: Path) -> Path:
    """A copy of the real site built with `mkdocs build --strict` into target/out."""
    copy_site(target)
    result = run(["mkdocs", "build", "--strict", "-d", "out"], cwd=target)
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A private copy of the real site."""
    return copy_site(tmp_path / "site-src")


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run a command of the project the way a user does, in a real subprocess."""
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=600)
