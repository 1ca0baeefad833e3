"""Benchmark: synthesise N claims and measure check, render, build, memory, size and live edits.

    python -m generator.bench                 # 1,000 and 10,000 claims, 3,000 for the edit test
    python -m generator.bench --claims 500 --edit-claims 500 --cities 10

Each build runs in a fresh process so its peak memory is its own. The baseline is the same
pages written by `export` into a plain Material site (same theme and search, claims out of the
nav, no plugin of ours), so the plugin's cost is a ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("city plant investment electric vehicle project council report figure capital district "
         "battery factory agreement statement official source company funding round output "
         "record analysis market supplier launch delivery").split()

SITE_CONFIG = """site_name: Benchmark
site_url: https://bench.example.org/
repo_url: https://github.com/example/bench
theme:
  name: material
  font: false
plugins:
  - search:
      separator: '[\\s\\u200b\\-]+'
  - tags
{plugin}
markdown_extensions:
  - tables
  - attr_list
  - md_in_html
  - toc:
      permalink: true
nav:
  - Home: index.md
  - The article, checked: article.md
  - Places: places/index.md
  - Verdicts: verdicts/index.md
  - Tags: tags.md
  - Methodology: methodology.md
not_in_nav: |
  /claims/
  /places/*.md
  /article/
"""


def _sentence(seed: int, words: int) -> str:
    text = " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(words))
    return text[0].upper() + text[1:] + "."


def synthesise(target: Path, claims: int, cities: int) -> None:
    """A site folder with N valid claims over M cities, sized like real checks."""
    facts = target / "facts"
    (facts / "claims").mkdir(parents=True)
    (facts / "places").mkdir()
    shutil.copy(ROOT / "facts" / "verdicts.yaml", facts / "verdicts.yaml")
    shutil.copy(ROOT / "facts" / "article.yaml", facts / "article.yaml")
    (target / "docs").mkdir()
    (target / "docs" / "methodology.md").write_text("# Methodology\n\n<!-- factcheck:verdicts -->\n")
    shutil.copy(ROOT / "docs" / "tags.md", target / "docs" / "tags.md")
    verdicts = [v["id"] for v in yaml.safe_load((facts / "verdicts.yaml").read_text())["verdicts"]]
    slugs = [f"city-{i}" for i in range(cities)]
    for i, slug in enumerate(slugs):
        (facts / "places" / f"{slug}.yaml").write_text(yaml.safe_dump({
            "name": f"City {i}", "local_name": "城市", "region": f"Province {i % 7}",
            "summary": _sentence(i, 30), "outcome": _sentence(i + 1, 25)}, allow_unicode=True))
    for n in range(claims):
        claim = {
            "id": f"claim-{n}", "claim": _sentence(n, 9), "quote": _sentence(n + 3, 18), "position": n + 1,
            "places": [slugs[n % cities], slugs[(n + 1 + (n // cities) % (cities - 1)) % cities]]
            if cities > 1 else [slugs[0]],
            "status": verdicts[n % len(verdicts)], "summary": _sentence(n + 5, 22),
            "analysis": "\n\n".join(_sentence(n + k, 60) for k in range(3)),
            "sources": [{"title": _sentence(n + k, 8), "publisher": f"Publisher {k}",
                         "url": f"https://example.org/{n}/{k}", "published": "2021-06-01",
                         "accessed": "2026-11-01", "kind": "primary" if k == 0 else "secondary",
                         "stance": ("supports", "context", "contradicts")[k]} for k in range(3)],
            "reviewed": "2026-11-01",
        }
        (facts / "claims" / f"claim-{n}.yaml").write_text(yaml.safe_dump(claim, allow_unicode=True, sort_keys=False))
    # Share images are left out of the timed builds (their cost is per card, cached on disk
    # between builds, and reported on its own line) so the ratio measures the same work as the
    # baseline's.
    plugin = "  - factcheck:\n      share_images: false"
    (target / "mkdocs.yml").write_text(SITE_CONFIG.format(plugin=plugin))


def make_baseline(site: Path, target: Path) -> None:
    """The same site, exported: its pages, theme parts and config in a plain Material site with
    no plugin of ours (the same search, tags and nav)."""
    subprocess.run([sys.executable, "-m", "generator", "export", "--out", str(target)], cwd=site,
                   check=True, capture_output=True)


def measure_build(site: Path, dirty: bool = False) -> dict:
    """Run one build in a fresh process; its wall time (build call only) and peak memory."""
    code = (
        "import json, resource, sys, time\n"
        "from mkdocs.config import load_config\n"
        "from mkdocs.commands.build import build\n"
        "import logging; logging.getLogger('mkdocs').setLevel(logging.ERROR)\n"
        "started = time.perf_counter()\n"
        "config = load_config('mkdocs.yml', site_dir='site')\n"
        f"config.plugins.on_startup(command='build', dirty={dirty})\n"
        f"build(config, dirty={dirty})\n"
        "config.plugins.on_shutdown()\n"
        "seconds = time.perf_counter() - started\n"
        "print(json.dumps({'seconds': seconds, 'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=site, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"build failed in {site}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def generator_seconds(site: Path) -> tuple[float, float]:
    """Seconds to check (load + validate) and to render, in this process."""
    from .build import check_facts
    from .data import data_files
    from .options import SiteOptions
    from .render import Renderer

    started = time.perf_counter()
    facts = check_facts(site / "facts")
    checked = time.perf_counter()
    options = SiteOptions(site_url="https://bench.example.org/", repo_url="https://github.com/example/bench")
    Renderer(facts, options).render_pages()
    data_files(facts, options)
    return checked - started, time.perf_counter() - checked


def command_seconds(site: Path) -> tuple[float, float]:
    """Whole-process seconds of `check` and of `check --since HEAD~1` (the site in a git
    repository whose last commit changed one claim's summary)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=site, check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "facts")
    git("commit", "-qm", "facts")
    path = site / "facts" / "claims" / "claim-3.yaml"
    path.write_text(path.read_text().replace("summary: ", "summary: Changed. ", 1))
    git("commit", "-qam", "one edit")
    timings = []
    for extra in ([], ["--since", "HEAD~1"]):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator", "check", *extra], cwd=site, check=True,
                       capture_output=True)
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def card_seconds(count: int = 50) -> float:
    """Seconds to draw one Open Graph card, averaged over `count` distinct claims."""
    from .share_image import claim_card

    started = time.perf_counter()
    for n in range(count):
        claim_card(_sentence(n, 12), "Mostly true", "#4f7d1c", "Benchmark", "example.org")
    return (time.perf_counter() - started) / count


def page_sizes(site: Path, claims: int) -> tuple[float, float, float]:
    """Mean and largest claim page HTML in KB; search index bytes per claim page."""
    pages = list((site / "site" / "claims").glob("*/index.html"))
    sizes = [p.stat().st_size for p in pages]
    index = json.loads((site / "site" / "search" / "search_index.json").read_text())
    claim_bytes = sum(len(json.dumps(doc, ensure_ascii=False).encode()) for doc in index["docs"]
                      if doc["location"].startswith("claims/"))
    return sum(sizes) / len(sizes) / 1024, max(sizes) / 1024, claim_bytes / claims


def measure_edit(site: Path) -> tuple[float, float, bool]:
    """Run `mkdocs serve --dirty`, edit one fact, and read the rebuild time MkDocs reports.

    Returns (rebuild seconds as MkDocs logs them, seconds from the edit until the served page
    shows it, whether it does)."""
    import queue
    import re
    import socket
    import threading
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"], cwd=site,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()

    def wait_for(pattern: str, seconds: float) -> re.Match:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                match = re.search(pattern, lines.get(timeout=1))
            except queue.Empty:
                continue
            if match:
                return match
        raise SystemExit(f"mkdocs serve never logged {pattern!r}")

    url = f"http://127.0.0.1:{port}/claims/claim-7/"
    try:
        wait_for(r"Serving on", 900)
        path = site / "facts" / "claims" / "claim-7.yaml"
        edited = time.perf_counter()
        path.write_text(path.read_text().replace("summary: ", "summary: Edited for the benchmark. ", 1))
        seconds = float(wait_for(r"Documentation built in ([0-9.]+) seconds", 300).group(1))
        shown = False
        while time.perf_counter() - edited < 120 and not shown:
            with urllib.request.urlopen(url, timeout=30) as response:
                shown = "Edited for the benchmark." in response.read().decode()
            if not shown:
                time.sleep(0.05)
        visible = time.perf_counter() - edited
    finally:
        server.terminate()
        server.wait(timeout=60)
    return seconds, visible, shown


def run_size(claims: int, cities: int, workdir: Path) -> dict:
    site = workdir / f"site-{claims}"
    synthesise(site, claims, cities)
    check_s, render_s = generator_seconds(site)
    check_cli_s, since_cli_s = command_seconds(site)
    ours = measure_build(site)
    mean_kb, max_kb, index_per_claim = page_sizes(site, claims)
    baseline_dir = workdir / f"baseline-{claims}"
    make_baseline(site, baseline_dir)
    baseline = measure_build(baseline_dir)
    return {"claims": claims, "check_s": check_s, "render_s": render_s, "check_cli_s": check_cli_s,
            "since_cli_s": since_cli_s, "build_s": ours["seconds"],
            "peak_mb": ours["peak_mb"], "baseline_s": baseline["seconds"], "baseline_mb": baseline["peak_mb"],
            "page_kb": mean_kb, "page_kb_max": max_kb, "index_b_per_claim": index_per_claim}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {cpu}, {memory:.0f} GiB RAM, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--claims", default="1000,1500,10000",
                        help="comma-separated claim counts (default 1000,1500,10000)")
    parser.add_argument("--cities", type=int, default=20, help="cities to spread claims over (default 20)")
    parser.add_argument("--edit-claims", type=int, default=3000, help="site size for the live-edit test")
    parser.add_argument("--keep", action="store_true", help="keep the temporary sites and print where")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.claims.split(",") if n]
    workdir = Path(tempfile.mkdtemp(prefix="factcheck-bench-"))
    try:
        rows = [run_size(n, args.cities, workdir) for n in sizes]
        edit_site = workdir / "edit"
        synthesise(edit_site, args.edit_claims, args.cities)
        edit_s, visible_s, shown = measure_edit(edit_site)
    finally:
        if args.keep:
            print(f"sites kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"# factcheck benchmark, {dt.date.today()}: {machine()}\n")
    print("| claims | `check` s | `check --since` s | load+validate s | render s | generator share | build s "
          "| baseline s | ours/baseline | peak MB | baseline MB | claim page KB (max) | index B/claim |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        share = (r["check_s"] + r["render_s"]) / r["build_s"]
        print(f"| {r['claims']:,} | {r['check_cli_s']:.2f} | {r['since_cli_s']:.2f} | {r['check_s']:.2f} "
              f"| {r['render_s']:.2f} | {share:.1%} | {r['build_s']:.1f} "
              f"| {r['baseline_s']:.1f} | {r['build_s'] / r['baseline_s']:.3f} | {r['peak_mb']:.0f} "
              f"| {r['baseline_mb']:.0f} | {r['page_kb']:.1f} ({r['page_kb_max']:.1f}) "
              f"| {r['index_b_per_claim']:.0f} |")
    if len(rows) >= 2:
        small, large = rows[0], rows[-1]
        print(f"\nbuild time x{large['build_s'] / small['build_s']:.2f} for x{large['claims'] / small['claims']:.0f} "
              "claims")
    print(f"\nlive edit under `mkdocs serve --dirty`, one fact changed among {args.edit_claims:,}: "
          f"rebuild {edit_s:.2f} s (as MkDocs logs it); edit to page showing it {visible_s:.2f} s; "
          f"edited page shows the change: {'yes' if shown else 'NO'}")
    print(f"\nOpen Graph card: {card_seconds() * 1000:.0f} ms each when drawn; cached on disk by content, "
          "so a rebuild draws only the cards of changed claims")
    return 0 if shown else 1


if __name__ == "__main__":
    sys.exit(main())
