"""Benchmark `crm build` against plain `mkdocs build` of the same pages written by hand.

The baseline is mkdocs-material building the very Markdown the plugin generated (copied out of its staging
folder into an ordinary docs/ folder, with the same theme, extensions, assets and nav, and no crm plugin),
so the ratio crm/plain is the plugin's own overhead: validation, computing KPIs and segments, rendering
the templates and writing the staging folder. Goals (the site-builder issue): 1k customers within 1.5x of
plain mkdocs; 10k in one command under 4 minutes and 1 GB, with progress shown; every customer page under
50 KB; after a one-record edit a second `crm build` into the same site/ rebuilds only what changed
(site_builder.reuse): the issue's goals are under 3 s at 1k customers and under 10 s at 10k.

Each data set is generated once by tools.synth (N customers, 10 interactions each, seed 7) and kept
under --work. Every crm build is cold for the site (the staging folder and the output are deleted first)
and warm for the parse cache (`crm validate` runs once before, as a user has it): the figures measure the
site, not YAML loading, which benchmarks/validate.py covers. The best of --repeat runs counts, as timeit
does: the machine's other work only ever adds time. Prints figures; asserts nothing.

    python benchmarks/build.py                          # 1k and 10k customers (10k takes many minutes)
    python benchmarks/build.py --sizes 1000 --repeat 3
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, TreePeak

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MKDOCS = BIN / "mkdocs"
AS_OF = "2026-11-24"
EDIT = "feedback: 基准测试修改\n"
"""Appended to one interaction for the incremental build: a field the customer page shows."""

GOAL_RATIO_1K = 1.5
GOAL_SECONDS_10K = 240.0
GOAL_MB_10K = 1024.0
GOAL_PAGE_KB = 50.0
SILENCE_DEFECT_S = 20.0
"""A stretch without a line on stderr longer than this looks like a hung build to the user."""

PLUGIN_LINE = re.compile(r"crm: ([\d,]+) pages and files .*\(([\d,]+) changed, ([\d,]+) removed\) in ([\d.]+) s")
PROGRESS_LINE = re.compile(
    r"crm: [\d,]+ pages (rendered|converted|written)|crm：(已生成|mkdocs 已转换|mkdocs 已写出) [\d,]+ 个页面"
)
"""The plugin's progress in either language (the data set's crm.yaml says zh): pages it rendered into the
staging folder, pages mkdocs converted, then pages mkdocs wrote."""
NAV_TOP = (
    "index.md",
    "followups.md",
    "customers/index.md",
    "owners/index.md",
    "segments/index.md",
    "kpis.md",
    "data-quality.md",
)
"""The generated pages the crm plugin puts in the nav (in its order); owners/*.md sit under owners/index.md."""


@dataclass
class Run:
    """One command: wall time, peak memory, and what it said on stderr with when it said it."""

    seconds: float
    peak_mb: float
    """The larger of the sampled sum of the process tree's RSS and the kernel's max RSS of one process."""
    exit_code: int
    lines: list[tuple[float, str]] = field(default_factory=list)
    load: float = 0.0
    """1-minute load average when the run started: another job on 2 cores shows up here first."""

    @property
    def stderr(self) -> str:
        return "\n".join(line for _, line in self.lines)

    def silences(self) -> list[tuple[float, str, str]]:
        """Times without output, longest first, with the lines on either side (start and exit count)."""
        marks = [(0.0, "<start>"), *self.lines, (self.seconds, "<exit>")]
        gaps = [(later[0] - earlier[0], earlier[1], later[1]) for earlier, later in itertools.pairwise(marks)]
        return sorted(gaps, reverse=True)

    def plugin_line(self) -> re.Match[str] | None:
        return next((match for _, line in self.lines if (match := PLUGIN_LINE.search(line))), None)


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run a command, recording wall time, peak memory and each stderr line's arrival time.

    Memory is measured two ways because they fail differently: sampling the summed RSS of the whole tree
    every 20 ms catches worker processes running side by side but can miss a short spike; the kernel's
    maximum resident set size of the child (ru_maxrss from wait4, what `/usr/bin/time -v` prints) is
    exact but only for the largest single process.
    """
    load = os.getloadavg()[0]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace"
    )
    sampler = TreePeak(process.pid)
    lines = []
    assert process.stderr is not None
    for line in process.stderr:
        lines.append((time.perf_counter() - started, line.rstrip()))
    _, status, usage = os.wait4(process.pid, 0)
    exit_code = process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    peak_kb = max(sampler.stop(), usage.ru_maxrss)  # ru_maxrss is in kilobytes on Linux
    if exit_code != 0:
        print(f"  ! exit {exit_code}: {' '.join(command)}", flush=True)
        for _, line in lines[-15:]:
            print(f"  ! {line}", flush=True)
    return Run(seconds, peak_kb / 1024, exit_code, lines, load)


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda item: item.seconds)


def data_set(work: Path, customers: int) -> Path:
    """The generated repository for this size, kept between runs (10k takes half a minute to write)."""
    root = work / f"data-{customers}"
    # Made again (--clean) when it predates plans, opportunities and contracts.
    if not (root / "crm.yaml").exists() or not (root / "contracts").is_dir():
        print(f"generating {customers:,} customers and {10 * customers:,} interactions into {root} ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tools.synth",
                "--root",
                str(root),
                "--customers",
                str(customers),
                "--interactions",
                str(10 * customers),
                "--seed",
                "7",
                "--as-of",
                AS_OF,
                "--clean",
            ],
            check=True,
            cwd=PROJECT,
        )
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    # One hand-written page, so docs_dir is real and `crm build` and the mkdocs.yml of the incremental test
    # see the same pages; `crm build` picks up <root>/docs by itself.
    (docs / "notes.md").write_text("# 备注\n\n基准测试用的手写页面。\n", encoding="utf-8")
    return root


def theme_config() -> dict[str, Any]:
    """The project's mkdocs.yml, parsed: the theme, extensions and plugins the site is built with."""
    loaded = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def front_matter_title(page: Path) -> str:
    match = re.search(r'^title: "(.*)"$', page.read_text(encoding="utf-8")[:500], flags=re.MULTILINE)
    return match.group(1) if match else page.stem


def plain_project(staging: Path, target: Path, site_html: Path) -> Path:
    """An ordinary mkdocs project holding the generated pages as if written by hand; returns its mkdocs.yml.

    Same theme, markdown extensions and assets as the crm site, the same site name and language as the
    plugin sets (the search plugin segments Chinese with jieba, a large share of the time), and an explicit
    nav of the same top-level pages with customer and segment pages out of it, as the plugin does.
    """
    docs = target / "docs"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(staging, docs)
    head = site_html.read_text(encoding="utf-8")[:4000]
    language = re.search(r'<html lang="([^"]+)"', head)
    nav: list[Any] = []
    for src in NAV_TOP:
        title = front_matter_title(docs / src)
        if src == "owners/index.md":
            owners = sorted(path for path in (docs / "owners").glob("*.md") if path.name != "index.md")
            nav.append({title: [src, *({front_matter_title(path): f"owners/{path.name}"} for path in owners)]})
        elif src.endswith("/index.md"):
            nav.append({title: [src]})
        else:
            nav.append({title: src})
    config = theme_config()
    config.pop("docs_dir", None)
    site_title = re.search(r"<title>([^<]*)</title>", head)  # "<page> - <site>"; the home page's is "<site> - <site>"
    if site_title:
        config["site_name"] = site_title.group(1).rsplit(" - ", 1)[-1]
    config["theme"]["language"] = language.group(1) if language else "en"
    config["plugins"] = ["search"]
    config["nav"] = nav
    config["not_in_nav"] = "/customers/*.md\n/segments/*.md\n"
    config["extra_css"] = ["assets/crm.css"]
    config["extra_javascript"] = ["assets/crm.js"]
    path = target / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def pick_interaction(root: Path) -> Path:
    """An interaction without feedback, so appending one is a valid edit that shows on its customer's page."""
    for path in sorted((root / "interactions").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "\nfeedback:" not in text and text.endswith("\n"):
            return path
    raise SystemExit("no interaction without feedback to edit")


@dataclass
class Sizes:
    largest_customer: tuple[int, str]
    median_customer: float
    largest_page: tuple[int, str]
    site_bytes: int
    search_bytes: int
    pages: int
    over_goal: int
    """HTML pages of any kind at or over the page-size goal."""


def page_sizes(site: Path) -> Sizes:
    customers = [(path.stat().st_size, path.parent.name) for path in (site / "customers").glob("*/index.html")]
    pages = [(path.stat().st_size, path.relative_to(site).as_posix()) for path in site.rglob("*.html")]
    total = sum(path.stat().st_size for path in site.rglob("*") if path.is_file())
    search = site / "search" / "search_index.json"
    return Sizes(
        max(customers) if customers else (0, "-"),
        statistics.median(size for size, _ in customers) if customers else 0.0,
        max(pages),
        total,
        search.stat().st_size if search.exists() else 0,
        len(pages),
        sum(1 for size, _ in pages if size >= GOAL_PAGE_KB * 1024),
    )


def modified_since(site: Path, moment: float) -> int:
    """HTML pages written after a moment: what mkdocs itself rewrote, beside what the plugin restaged."""
    return sum(1 for path in site.rglob("*.html") if path.stat().st_mtime >= moment)


@dataclass
class Result:
    customers: int
    validate: Run
    crm: Run
    plain: Run | None
    sizes: Sizes
    full: Run | None = None
    dirty: Run | None = None
    dirty_pages: int = 0
    dirty_search_bytes: int = 0
    """The search index after the dirty build: mkdocs-material indexes only the pages a build rendered."""
    restore: Run | None = None


def timed(label: str, command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run one build and print its line: seconds, peak memory, machine load, exit status."""
    result = run(command, env=env)
    print(
        f"{label:<38} : {result.seconds:7.1f} s  peak {result.peak_mb:,.0f} MB  "
        f"load {result.load:.1f}  exit {result.exit_code}",
        flush=True,
    )
    return result


def measure_size(
    customers: int, work: Path, repeat: int, skip_plain: bool, skip_dirty: bool, skip_full: bool
) -> Result | None:
    """Every figure for one size, or None when `crm build` fails (its last lines are printed)."""
    root = data_set(work, customers)
    site = root / "site"
    staging_root = root / ".crm-cache" / "site"
    print(f"\n== {customers:,} customers, {10 * customers:,} interactions: {root}", flush=True)

    validate = run([str(CRM), "validate", "--root", str(root), "--format", "json"])
    print(f"crm validate (warms the parse cache)   : {validate.seconds:7.1f} s  load {validate.load:.1f}", flush=True)

    def cold_crm() -> Run:
        shutil.rmtree(staging_root, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
        command = [str(CRM), "build", "--root", str(root), "--as-of", AS_OF, "--out", str(site)]
        return timed("crm build, cold site, warm parse cache", command)

    crm = best([cold_crm() for _ in range(repeat)])
    if crm.exit_code != 0:
        print(f"crm build failed on {customers:,} customers; nothing more to measure for this size", flush=True)
        return None
    sizes = page_sizes(site)

    plain = None
    if not skip_plain:
        config = plain_project(staging_root / "public", work / f"plain-{customers}", site / "index.html")
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}

        def plain_build() -> Run:
            return timed("plain mkdocs build of the same pages", [str(MKDOCS), "build", "-q", "-f", str(config)], env)

        plain = best([plain_build() for _ in range(repeat)])
        plain_sizes = page_sizes(config.parent / "site")
        print(
            f"  plain site: {plain_sizes.pages:,} pages, {plain_sizes.site_bytes / 1e6:,.1f} MB, largest customer "
            f"page {plain_sizes.largest_customer[0] / 1024:.0f} KB (crm: {sizes.pages:,} pages, "
            f"{sizes.site_bytes / 1e6:,.1f} MB)",
            flush=True,
        )

    result = Result(customers, validate, crm, plain, sizes)
    if not skip_dirty:
        measure_dirty(root, result, skip_full)
    return result


def measure_dirty(root: Path, result: Result, skip_full: bool) -> None:
    """The site after a small change: `crm build` again into the same site/ (site_builder.reuse), first with
    nothing changed, then after a one-record edit (text no KPI reads), then with the edit undone (so the data
    set ends as it began), then after an edit of a field the KPIs read (the channel) and again undone.
    Compared with the cold `crm build` above (`skip_full` is kept for old command lines)."""
    command = [str(CRM), "build", "--root", str(root), "--as-of", AS_OF, "--out", str(root / "site")]
    result.full = result.crm
    unchanged = run(command)
    print(
        f"crm build again, nothing changed       : {unchanged.seconds:7.1f} s  {describe_reuse(unchanged)}", flush=True
    )
    edited = pick_interaction(root)
    original = edited.read_bytes()
    try:
        edited.write_bytes(original + EDIT.encode("utf-8"))
        moment = time.time()
        result.dirty = run(command)
        result.dirty_pages = modified_since(root / "site", moment)
        result.dirty_search_bytes = page_sizes(root / "site").search_bytes
        print(
            f"crm build after 1 edit                 : {result.dirty.seconds:7.1f} s  load {result.dirty.load:.1f}  "
            f"{describe_reuse(result.dirty)}; {result.dirty_pages:,} HTML pages written ({edited.relative_to(root)}); "
            f"{kpis_reused(result.dirty.stderr)}",
            flush=True,
        )
    finally:
        edited.write_bytes(original)
    result.restore = run(command)
    print(f"crm build, edit undone                 : {result.restore.seconds:7.1f} s  {describe_reuse(result.restore)}")
    try:
        edited.write_bytes(other_channel(original))
        fact = run(command)
        print(
            f"crm build after 1 edit the KPIs read   : {fact.seconds:7.1f} s  load {fact.load:.1f}  "
            f"{describe_reuse(fact)}; {kpis_reused(fact.stderr)}",
            flush=True,
        )
    finally:
        edited.write_bytes(original)
    run(command)
    logged = todays_call(root, edited)
    try:
        today = run(command)
        print(
            f"crm build after a call logged today     : {today.seconds:7.1f} s  load {today.load:.1f}  "
            f"{describe_reuse(today)}; {kpis_reused(today.stderr)}",
            flush=True,
        )
    finally:
        logged.unlink()
    run(command)  # the data set as it began, and its site


EARLIER_KPIS_REUSED = "天前的指标所依据的记录没有变"
TODAYS_KPIS_REUSED = "当天的指标所依据的记录没有变"


def kpis_reused(stderr: str) -> str:
    """Which KPI values the build took from the last one (site_builder.kept.KeptKpis), from its log."""
    kept = [
        name
        for name, line in (("today's", TODAYS_KPIS_REUSED), ("earlier days'", EARLIER_KPIS_REUSED))
        if line in stderr
    ]
    return f"KPIs reused: {' and '.join(kept)}" if kept else "KPIs computed"


def other_channel(text: bytes) -> bytes:
    """The interaction's text with another channel: a field the KPIs read (kpis.UNREAD_FIELDS does not list
    it), so the build computes every KPI again."""
    found = re.search(rb"^channel: (\w+)$", text, flags=re.MULTILINE)
    assert found is not None, "the edited interaction has a channel"
    other = b"visit" if found.group(1) != b"visit" else b"phone"
    return text[: found.start(1)] + other + text[found.end(1) :]


TODAYS_TOPIC = "基准测试：今天的回访"


def todays_call(root: Path, like: Path) -> Path:
    """A new conversation dated the data date (the most common change of a working day: a call logged the
    day it happened), made from `like` (another interaction of the data set) with a new id."""
    text = like.read_text(encoding="utf-8")
    old_id = re.search(r"^id: (\S+)$", text, re.MULTILINE)
    assert old_id is not None, like
    new_id = "JL-29991231"
    lines = [line for line in text.splitlines() if not line.startswith((" ", "-", "todos:", "feedback:"))]
    kept = [line for line in lines if line.split(":", 1)[0] in ("customer", "channel", "owner")]
    body = f"id: {new_id}\ndate: {AS_OF}\ntopic: {TODAYS_TOPIC}\n" + "\n".join(kept) + "\n"
    year_folder = root / "interactions" / AS_OF[:4]
    year_folder.mkdir(parents=True, exist_ok=True)
    path = year_folder / f"{new_id}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


REUSE_LINE = re.compile(
    r"沿用上次构建中未变的 ([\d,]+) 个文件（共 ([\d,]+) 个）|([\d,]+) of ([\d,]+) files are unchanged"
)


def describe_reuse(result: Run) -> str:
    """What the build took from the previous site, from its own line (either language)."""
    found = REUSE_LINE.search(result.stderr)
    if found is None:
        return "(no reuse line)"
    reused, total = (group for group in found.groups() if group is not None)
    parts = re.search(r"搜索索引沿用未变的 (\d+)/(\d+) 部分|(\d+) of (\d+) search index parts", result.stderr)
    search = "" if parts is None else " search parts reused " + "/".join(g for g in parts.groups() if g is not None)
    return f"reused {reused} of {total} files;{search}"


def describe_plugin(result: Run) -> str:
    match = result.plugin_line()
    if match is None:
        return "(no crm plugin line)"
    return f"plugin: {match.group(2)} of {match.group(1)} files changed in {match.group(4)} s"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: list[Result]) -> None:
    print("\n" + "=" * 110)
    header = (
        f"{'customers':>9} {'crm s':>7} {'peak MB':>8} {'plain s':>8} {'ratio':>6} {'cust KB max':>11} "
        f"{'median':>7} {'site MB':>8} {'search MB':>9} {'full s':>7} {'dirty s':>8} {'rewritten':>10}"
    )
    print(header)
    for item in results:
        ratio = item.crm.seconds / item.plain.seconds if item.plain else float("nan")
        plugin = item.dirty.plugin_line() if item.dirty else None
        rewritten = f"{plugin.group(2)}/{item.dirty_pages}" if plugin else "-"
        print(
            f"{item.customers:>9,} {item.crm.seconds:>7.1f} {item.crm.peak_mb:>8,.0f} "
            f"{item.plain.seconds if item.plain else float('nan'):>8.1f} {ratio:>6.2f} "
            f"{item.sizes.largest_customer[0] / 1024:>11.0f} {item.sizes.median_customer / 1024:>7.0f} "
            f"{item.sizes.site_bytes / 1e6:>8.1f} {item.sizes.search_bytes / 1e6:>9.1f} "
            f"{item.full.seconds if item.full else float('nan'):>7.1f} "
            f"{item.dirty.seconds if item.dirty else float('nan'):>8.1f} {rewritten:>10}"
        )
    print("(rewritten = staging files the plugin changed / HTML pages mkdocs wrote in the dirty build)\n")
    for item in results:
        n = f"{item.customers:,}"
        size = item.sizes
        print(
            f"{n}: largest customer page {size.largest_customer[1]} {size.largest_customer[0] / 1024:.0f} KB, "
            f"median {size.median_customer / 1024:.0f} KB; largest page {size.largest_page[1]} "
            f"{size.largest_page[0] / 1024:.0f} KB; {size.pages:,} HTML pages"
        )
        silences = item.crm.silences()
        gap = silences[0][0]
        progress = sum(1 for _, line in item.crm.lines if PROGRESS_LINE.search(line))
        print(
            f"{n}: progress lines during crm build: {progress}; "
            f"longest silence, then any other over {SILENCE_DEFECT_S:.0f} s:"
        )
        for seconds, before, after in silences[:1] + [item for item in silences[1:] if item[0] > SILENCE_DEFECT_S]:
            print(f"    {seconds:6.1f} s between {before[:90]!r} and {after[:90]!r}")
        if item.plain and item.customers <= 1000:
            ratio = item.crm.seconds / item.plain.seconds
            print(f"  {verdict(ratio <= GOAL_RATIO_1K)}  within {GOAL_RATIO_1K}x of plain mkdocs: {ratio:.2f}x")
        if item.customers >= 10_000:
            print(
                f"  {verdict(item.crm.seconds < GOAL_SECONDS_10K)}  one command under {GOAL_SECONDS_10K:.0f} s: "
                f"{item.crm.seconds:.1f} s"
            )
            peak = item.crm.peak_mb
            print(f"  {verdict(peak < GOAL_MB_10K)}  under {GOAL_MB_10K:.0f} MB: {peak:,.0f} MB")
            print(
                f"  {verdict(progress > 0 and gap <= SILENCE_DEFECT_S)}  progress shown, no silence over "
                f"{SILENCE_DEFECT_S:.0f} s: longest {gap:.1f} s"
            )
        print(
            f"  {verdict(size.largest_customer[0] < GOAL_PAGE_KB * 1024)}  customer pages under "
            f"{GOAL_PAGE_KB:.0f} KB: largest {size.largest_customer[0] / 1024:.0f} KB"
        )
        print(
            f"  {verdict(size.over_goal == 0)}  all pages under {GOAL_PAGE_KB:.0f} KB: {size.over_goal:,} of "
            f"{size.pages:,} over, largest {size.largest_page[1]} {size.largest_page[0] / 1024:.0f} KB"
        )
        if item.dirty and item.full:
            plugin = item.dirty.plugin_line()
            print(
                f"  {verdict(item.dirty.seconds < item.full.seconds / 2)}  dirty rebuild after 1 edit "
                f"{item.dirty.seconds:.1f} s vs full {item.full.seconds:.1f} s; plugin rewrote "
                f"{plugin.group(2) if plugin else '?'} staging files, mkdocs wrote {item.dirty_pages:,} pages"
            )
            print(
                f"  {verdict(item.dirty_search_bytes >= size.search_bytes * 0.9)}  search index intact after the "
                f"dirty build: {item.dirty_search_bytes / 1e6:.2f} MB (full build: {size.search_bytes / 1e6:.2f} MB)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="customer counts, comma-separated (default 1000,10000)")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "crm-bench-build",
        help="where data sets and plain projects are kept (default /tmp/crm-bench-build)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="runs of each build; the best counts (default 2 up to 1k customers, 1 above)",
    )
    parser.add_argument("--skip-plain", action="store_true", help="no plain mkdocs baseline")
    parser.add_argument("--skip-dirty", action="store_true", help="no incremental (--dirty) measurement")
    parser.add_argument(
        "--skip-full",
        action="store_true",
        help="compare the dirty build with the cold crm build instead of a full build of bench-mkdocs.yml",
    )
    args = parser.parse_args()

    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    print(
        f"cores: {os.cpu_count()}   load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}   "
        "peak memory: the child's ru_maxrss and the sampled process tree",
        flush=True,
    )
    results = []
    for customers in sizes:
        repeat = args.repeat or (2 if customers <= 1000 else 1)
        result = measure_size(customers, args.work, repeat, args.skip_plain, args.skip_dirty, args.skip_full)
        if result is not None:
            results.append(result)
    report(results)


if __name__ == "__main__":
    main()
