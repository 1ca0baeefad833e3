"""The command line at its edges: odd files, odd paths, missing tools, hostile servers and
output folders. Every case ends in one clear line and exit 1 (located error) or 2 (refusal),
never a traceback or a hang."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import links
from generator.cli import EXPORT_MARKER, MARKER_HEADER, main
from generator.load import read_document
from generator.links import check_links, probe

from .test_links import Server, at, base, point_facts_at, server  # noqa: F401 - server is a fixture

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# --- check --links -------------------------------------------------------------------------------

def claim_with_source(tmp_path: Path, url: str):
    path = tmp_path / "facts" / "claims" / "demo.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"id: demo\nsources:\n  - url: '{url}'\n")
    return read_document(path, "claim", tmp_path / "facts")


@pytest.mark.parametrize("url", ["https://[a.b/\u00e9", "http://[::1", "http://host:port/x"])
def test_an_unparseable_url_is_a_located_error(facts: Path, url: str) -> None:
    level, message = probe(url, timeout=2)
    assert (level, message) == ("error", "not a valid web address")

    report = check_links([claim_with_source(facts.parent, url)], workers=1, timeout=2)

    assert [str(p.error) for p in report.problems] == ["facts/claims/demo.yaml:3:10: sources[0].url: "
                                                       "not a valid web address"]
    assert report.broken == 1


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_link_timeout_must_be_finite(facts: Path, value: str) -> None:
    result = invoke("check", "--links", "--link-timeout", value)
    assert result.exit_code == 2
    assert "--link-timeout" in result.stderr and "must be a finite number of seconds" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def trickle() -> Iterator[str]:
    """A server that answers every request with one byte of its status line every half second for 20 s."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    def drip(conn: socket.socket) -> None:
        with conn:
            conn.recv(4096)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 40:
                if stop.wait(0.5):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/drip"
    stop.set()
    thread.join()
    listener.close()


@pytest.mark.slow  # over a second: `make test` runs it, `make test-fast` does not
def test_a_server_that_trickles_bytes_hits_the_deadline(trickle: str) -> None:
    started = time.monotonic()
    level, message = probe(trickle, timeout=2, allow_private=True)
    elapsed = time.monotonic() - started
    assert (level, message) == ("error", "no answer within 2 s")
    assert elapsed < 10


def test_private_hosts_are_not_fetched_without_the_option(facts: Path, server: Server) -> None:  # noqa: F811
    point_facts_at(facts, server, [f"{base(server)}/gone"])

    result = invoke("check", "--links")

    assert result.exit_code == 0, result.output
    assert server.requests == []
    warning = ("not fetched: 127.0.0.1 is a loopback, private or reserved address; "
               "pass --allow-private-hosts to check it (warning)")
    assert at(0, warning) in result.stdout.splitlines()
    assert result.stderr.splitlines()[-1] == ("links: 3 URLs checked, 0 broken, 0 refused automated access, "
                                              "3 not fetched (private address)")


@pytest.mark.parametrize("url, address", [
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://10.0.0.1/", "10.0.0.1"),
    ("http://[::1]:8080/", "::1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1"),
    ("http://0.0.0.0/", "0.0.0.0"),
])
def test_non_public_ip_literals_are_refused(url: str, address: str) -> None:
    assert probe(url, timeout=2) == ("warning", f"not fetched: {address} is a loopback, private or reserved "
                                                "address; pass --allow-private-hosts to check it")


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, str]) -> None:
    """Names resolve from table only: no real DNS lookups in tests."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "not in the test's table")
        family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (table[host], port or 80))]

    monkeypatch.setattr(links.socket, "getaddrinfo", getaddrinfo)


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"intranet.example": "192.168.1.10"})
    assert probe("https://intranet.example/", timeout=2) == (
        "warning", "not fetched: intranet.example is a loopback, private or reserved address; "
                   "pass --allow-private-hosts to check it")


@pytest.mark.parametrize("location, message", [
    ("http://127.0.0.1/admin", "redirects to http://127.0.0.1/admin, a loopback, private or reserved address; "
                               "not followed"),
    ("http://metadata.example/", "redirects to http://metadata.example/, a loopback, private or reserved "
                                 "address; not followed"),
    ("ftp://files.example/x", "redirects to ftp://files.example/x, not an http(s) address; not followed"),
    ("file:///etc/passwd", "redirects to file:///etc/passwd, not an http(s) address; not followed"),
])
def test_redirects_to_private_hosts_or_other_schemes_are_refused(
    monkeypatch: pytest.MonkeyPatch, location: str, message: str
) -> None:
    fake_dns(monkeypatch, {"metadata.example": "169.254.169.254", "news.example": "93.184.216.34"})
    with pytest.raises(links.LinkRefused) as refused:
        links.redirect_target("https://news.example/story", location, allow_private=False)
    assert str(refused.value) == message
    assert links.redirect_target("https://news.example/story", "/moved", allow_private=False) == \
        "https://news.example/moved"


def test_a_redirect_to_another_scheme_is_broken(server: Server) -> None:  # noqa: F811
    assert probe(f"{base(server)}/to-ftp", timeout=2, allow_private=True) == (
        "error", "redirects to ftp://files.example/x, not an http(s) address; not followed")


# --- new -----------------------------------------------------------------------------------------

def test_new_does_not_block_on_a_fifo_among_the_claims(facts: Path) -> None:
    os.mkfifo(facts / "claims" / "pipe.yaml")

    result = subprocess.run([sys.executable, "-m", "generator", "new", "claim", "demo"], cwd=facts.parent,
                            capture_output=True, text=True, timeout=30)

    assert result.returncode == 0, result.stderr
    assert "position: 3\n" in (facts / "claims" / "demo.yaml").read_text()


def test_new_with_facts_at_a_file_is_a_located_error(facts: Path) -> None:
    result = invoke("new", "claim", "demo", "--facts", "/dev/null")
    assert result.exit_code == 1
    assert result.stderr == "new: /dev/null/claims: cannot create the folder: Not a directory\n"


def test_new_with_a_dangling_claims_link_is_refused(facts: Path) -> None:
    shutil.rmtree(facts / "claims")
    (facts / "claims").symlink_to("nowhere")

    result = invoke("new", "claim", "demo")

    assert result.exit_code == 2
    assert result.stderr == ("new: facts/claims is a symbolic link that points nowhere; "
                             "make it a folder\n")
    assert not (facts / "nowhere").exists()


def test_new_when_the_file_cannot_be_created_is_a_located_error(
    facts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-only case where the tests run as root, which ignores folder permissions."""
    from generator import scaffold

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", args[0])

    monkeypatch.setattr(scaffold.os, "open", refuse)
    result = invoke("new", "place", "eastville")
    assert result.exit_code == 1
    assert result.stderr == "new: facts/places/eastville.yaml: Permission denied\n"


# --- export --------------------------------------------------------------------------------------

def export(*args: str):
    return invoke("export", "--out", "out", *args)


def manifest(out: Path) -> list[str]:
    """The paths the marker lists (each line: SHA-256, two spaces, path)."""
    return [line.split("  ", 1)[1] for line in (out / EXPORT_MARKER).read_text().splitlines()[1:]]


def listed(out: Path, name: str) -> str:
    """The marker's line for one file, as export writes it."""
    return f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}"


def test_export_removes_the_page_of_a_deleted_claim(facts: Path) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    assert "docs/claims/most-engineers.md" in manifest(out)
    (facts / "claims" / "most-engineers.yaml").unlink()

    result = export()

    assert result.exit_code == 0, result.output
    assert not (out / "docs" / "claims" / "most-engineers.md").exists()
    assert (out / "docs" / "claims" / "factory-coming.md").is_file()
    assert "docs/claims/most-engineers.md" not in manifest(out)


def test_export_removes_only_files_it_listed(facts: Path) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    (out / "notes.txt").write_text("mine")
    marker = out / EXPORT_MARKER
    marker.write_text(marker.read_text() + f"{hashlib.sha256(b'x').hexdigest()}  {EXPORT_MARKER}\n")

    assert export().exit_code == 0

    assert (out / "notes.txt").read_text() == "mine"
    assert marker.is_file()


# A tampered marker: each line names something export never writes. Every one is a located
# error, and nothing is removed (on main, export deleted .git/config and CNAME).
TAMPERED = {
    ".git/config": "'.git/config' is a hidden file (such as .git/config); export writes none and removes none",
    "docs/.git/config": "'docs/.git/config' is a hidden file (such as .git/config)",
    "CNAME": "'CNAME' is not a file export writes (mkdocs.yml, or under docs/ or overrides/); export removes "
             "nothing else",
    "facts/claims/most-engineers.yaml": "'facts/claims/most-engineers.yaml' is not a file export writes",
    "../victim.txt": "'../victim.txt' is not a path inside the folder",
    "docs/../../victim.txt": "'docs/../../victim.txt' is not a path inside the folder",
    "/etc/passwd": "'/etc/passwd' is not a path inside the folder",
    "docs//x.md": "'docs//x.md' is not a path inside the folder",
    "docs\\x.md": "'docs\\\\x.md' is not a path export writes (empty, or a control character or backslash in it)",
}


@pytest.mark.parametrize("name", list(TAMPERED))
def test_a_marker_naming_a_file_export_never_writes_is_a_located_error(facts: Path, name: str) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    (out / ".git").mkdir()
    (out / ".git" / "config").write_text("[core]")
    (out / "CNAME").write_text("example.org")
    victim = facts.parent / "victim.txt"
    victim.write_text("keep me")
    marker = out / EXPORT_MARKER
    lines = marker.read_text().splitlines()
    # The line carries the hash of the file it names, as a forger would write it.
    target = out / name.lstrip("/") if not name.startswith("/") else Path(name)
    digest = hashlib.sha256(target.read_bytes() if target.is_file() else b"").hexdigest()
    marker.write_text("\n".join(lines[:2] + [f"{digest}  {name}"] + lines[2:]) + "\n")

    result = export()

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"export: out/{EXPORT_MARKER}:3: {TAMPERED[name]}"), result.stderr
    assert "Traceback" not in result.output
    assert (out / ".git" / "config").read_text() == "[core]" and (out / "CNAME").read_text() == "example.org"
    assert victim.read_text() == "keep me" and (facts / "claims" / "most-engineers.yaml").is_file()


@pytest.mark.parametrize("damage, line, message", [
    (lambda text: text.replace("docs/about.md", "docs/ab\x00out.md"), 2, "holds a NUL character, which export never writes"),
    (lambda text: text.replace("factcheck-export 2", "factcheck-export 9"), 1,
     "is not a marker of a format export knows (its first line is 'factcheck-export 9: written by"),
    (lambda text: "\n".join(text.splitlines()[:3] + ["docs/about.md"] + text.splitlines()[3:]), 4,
     "'docs/about.md' is not a SHA-256, two spaces and a path"),
    (lambda text: text + text.splitlines()[1] + "\n", None, "is listed twice"),
    (lambda text: text.replace("  docs/about.md", " docs/about.md"), 2, "is not a SHA-256, two spaces and a path"),
])
def test_a_damaged_marker_is_a_located_error_not_a_traceback(facts: Path, damage, line: int | None, message: str) -> None:
    assert export().exit_code == 0
    marker = facts.parent / "out" / EXPORT_MARKER
    marker.write_text(damage(marker.read_text()))

    for _ in range(2):  # on main the NUL gave a traceback on every later export
        result = export()
        assert result.exit_code == 1, result.output
        where = f"export: out/{EXPORT_MARKER}:{line if line else ''}"
        assert result.stderr.startswith(where) and message in result.stderr, result.stderr
        assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1


def test_a_marker_that_is_not_utf8_is_a_located_error(facts: Path) -> None:
    assert export().exit_code == 0
    marker = facts.parent / "out" / EXPORT_MARKER
    marker.write_bytes(marker.read_bytes().replace(b"docs/article.md", b"docs/\xffarticle.md"))

    result = export()

    assert result.exit_code == 1
    assert result.stderr.startswith(f"export: out/{EXPORT_MARKER}:3: is not UTF-8 text (byte 0xff)"), result.stderr


def test_export_keeps_a_page_that_changed_since_it_wrote_it(facts: Path) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    page = out / "docs" / "claims" / "most-engineers.md"
    page.write_text(page.read_text() + "\nA note someone added by hand.\n")
    (facts / "claims" / "most-engineers.yaml").unlink()
    (facts / "claims" / "factory-coming.yaml").unlink()
    untouched = out / "docs" / "claims" / "factory-coming.md"

    result = export()

    assert result.exit_code == 0, result.output
    assert page.read_text().endswith("A note someone added by hand.\n")
    assert not untouched.exists()
    assert "export: kept out/docs/claims/most-engineers.md: it changed since export wrote it" in result.stderr
    assert "docs/claims/most-engineers.md" not in manifest(out)


def test_a_marker_of_the_first_format_is_read_and_removes_nothing(facts: Path) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    (out / EXPORT_MARKER).write_text("Written by python -m generator export; safe to overwrite. Files it wrote, "
                                     "one a line:\ndocs/about.md\ndocs/claims/gone.md\n")
    (out / "docs" / "claims" / "gone.md").write_text("a page of a claim deleted long ago")

    result = export()

    assert result.exit_code == 0, result.output
    assert (out / "docs" / "claims" / "gone.md").is_file()
    assert (out / EXPORT_MARKER).read_text().startswith(MARKER_HEADER)
    assert listed(out, "docs/about.md") in (out / EXPORT_MARKER).read_text()


@pytest.mark.parametrize("out", [".", "docs", "docs/sub", "facts", "facts/claims"])
def test_export_never_writes_into_the_sites_own_folders(site: Path, out: str) -> None:
    before = {name: (site / name).read_bytes() for name in ("mkdocs.yml", "docs/methodology.md")}

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = invoke("export", "--out", out, "--force")

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"export: {out}: is the site's ")
    assert {name: (site / name).read_bytes() for name in before} == before
    assert not (site / "docs" / "sub").exists() and not (site / "docs" / "docs").exists()
    assert not (site / "overrides").exists() and not (site / EXPORT_MARKER).exists()


def test_export_never_replaces_a_config_that_uses_the_plugin(site: Path, tmp_path: Path) -> None:
    other = tmp_path / "another-site"
    other.mkdir()
    config = (site / "mkdocs.yml").read_text()
    (other / "mkdocs.yml").write_text(config)

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = invoke("export", "--out", str(other), "--force")

    assert result.exit_code == 2, result.output
    assert "mkdocs.yml uses the factcheck plugin: it is a site's own config" in result.stderr
    assert (other / "mkdocs.yml").read_text() == config and sorted(p.name for p in other.iterdir()) == ["mkdocs.yml"]


def test_export_replaces_a_symlink_instead_of_writing_through_it(facts: Path) -> None:
    readme = facts.parent / "README.md"
    readme.write_text("the project's readme")
    out = facts.parent / "out"
    out.mkdir()
    (out / EXPORT_MARKER).write_text(MARKER_HEADER + "\n")
    (out / "docs").mkdir()
    (out / "docs" / "index.md").symlink_to("../../README.md")

    result = export()

    assert result.exit_code == 0, result.output
    assert readme.read_text() == "the project's readme"
    assert not (out / "docs" / "index.md").is_symlink()
    assert (out / "docs" / "index.md").read_text().strip()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


def test_export_refuses_a_symlinked_folder(facts: Path) -> None:
    elsewhere = facts.parent / "elsewhere"
    elsewhere.mkdir()
    out = facts.parent / "out"
    out.mkdir()
    (out / EXPORT_MARKER).write_text(MARKER_HEADER + "\n")
    (out / "docs").mkdir()
    (out / "docs" / "claims").symlink_to("../../elsewhere")

    result = export()

    assert result.exit_code == 2
    assert result.stderr == "export: out/docs/claims is a symbolic link; export does not write through links, " \
                            "remove it\n"
    assert list(elsewhere.iterdir()) == []


def test_export_stale_entry_behind_a_symlinked_folder_is_left_alone(facts: Path) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    elsewhere = facts.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "gone.md").write_text("not export's")
    (out / "docs" / "old").symlink_to("../../elsewhere")
    marker = out / EXPORT_MARKER
    # Listed with the hash of what is there now: only the link keeps it from being removed.
    digest = hashlib.sha256(b"not export's").hexdigest()
    marker.write_text(marker.read_text() + f"{digest}  docs/old/gone.md\n")

    assert export().exit_code == 0

    assert (elsewhere / "gone.md").read_text() == "not export's"


def test_export_into_a_path_under_a_file_is_a_located_error(facts: Path) -> None:
    result = invoke("export", "--out", "/dev/null/x")
    assert result.exit_code == 1
    assert result.stderr == "export: /dev/null/x: cannot create the folder: Not a directory\n"


def test_export_where_a_page_would_replace_a_folder_is_a_located_error(facts: Path) -> None:
    assert export().exit_code == 0
    out = facts.parent / "out"
    (out / "docs" / "index.md").unlink()
    (out / "docs" / "index.md").mkdir()

    result = export()

    assert result.exit_code == 1
    assert result.stderr == "export: out/docs/index.md: Is a directory\n"


def test_an_os_error_from_a_users_path_is_one_line(facts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever OSError a stage lets through (here a simulated unreadable file: the tests may run
    as root, who can read anything) ends as `command: path: reason` and exit 1."""
    from generator import cli

    def unreadable(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(facts / "claims" / "most-engineers.yaml"))

    monkeypatch.setattr(cli, "load_facts", unreadable)
    result = invoke("check")
    assert result.exit_code == 1
    assert result.stderr == "check: facts/claims/most-engineers.yaml: Permission denied\n"


def test_export_copies_the_sites_theme_parts_but_no_hidden_file(site: Path) -> None:
    config = (site / "mkdocs.yml").read_text().replace("theme:\n  name: material\n",
                                                       "theme:\n  name: material\n  custom_dir: theme\n")
    (site / "mkdocs.yml").write_text(config)
    (site / "theme" / "partials").mkdir(parents=True)
    (site / "theme" / "partials" / "extra.html").write_text("<p>extra</p>")
    (site / "theme" / ".gitkeep").write_text("")

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(site)
        result = invoke("export", "--out", "exported")

    assert result.exit_code == 0, result.output
    assert (site / "exported" / "overrides" / "partials" / "extra.html").read_text() == "<p>extra</p>"
    assert not (site / "exported" / "overrides" / ".gitkeep").exists()
