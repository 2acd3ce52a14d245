"""Benchmark the records of past days read from git (issue 17): a year of monthly snapshots against one warm
`crm validate`, at 10,000 customers and 100,000 conversations with a typical year of history.

The repository is made once under --work by tools.synth (seed 7) and git: the customers and every conversation
dated before a year ago in a first commit, then a commit a week, each adding that week's conversations and
changing 20 customers (a stage, an owner or a tier) and 5 older conversations (a line of feedback), dated on
that week's day. Figures (best of --repeat):

- warm `crm validate` (the reference: the cache warm, nothing changed);
- the twelve month-ends' snapshots built from the loaded working tree (crmdata.git.snapshots), and the
  same with the working tree's load counted in;
- one `crm kpi --at REV` (a revision read from nothing, through a scratch copy), for comparison;
- the KPIs of the twelve snapshots (kpis.report), which the site keeps by commit.

Goal: the twelve snapshots cost at most 3x one warm `crm validate`. Prints figures; asserts nothing.

    python benchmarks/history.py                       # 10,000 customers
    python benchmarks/history.py --customers 1000
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM

PROJECT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 24)
YEAR_AGO = AS_OF - timedelta(days=365)
CHANGED_CUSTOMERS = 20
EDITED_CONVERSATIONS = 5
GOAL_RATIO = 3.0
_DATE = re.compile(rb"^date: '?(\d{4}-\d{2}-\d{2})", re.MULTILINE)
_GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com", "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com"}  # fmt: skip


def git(root: Path, *args: str, when: date | None = None) -> str:
    env = {**os.environ, **_GIT}
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{when.isoformat()}T18:00:00+08:00"
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, check=True)
    return done.stdout.decode()


def month_ends(as_of: date, count: int = 12) -> list[date]:
    """The last day of each of the `count` months before as_of's month, oldest first."""
    ends, first = [], as_of.replace(day=1)
    for _ in range(count):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return sorted(ends)


def make_repository(work: Path, customers: int) -> Path:
    """The data set with a year of weekly commits (kept between runs)."""
    root = work / f"history-{customers}"
    if (root / ".git").is_dir() and (root / "crm.yaml").exists():
        return root
    source = work / f"synth-{customers}"
    if not (source / "crm.yaml").exists():
        print(f"generating {customers:,} customers and {10 * customers:,} conversations ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "tools.synth", "--root", str(source), "--customers", str(customers),
             "--interactions", str(10 * customers), "--seed", "7", "--as-of", AS_OF.isoformat(), "--clean"],
            check=True, cwd=PROJECT,
        )  # fmt: skip
    print(f"making the git history in {root} ...", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    for name in ("crm.yaml", "customers", "plans", "opportunities", "contracts"):
        if (source / name).is_dir():
            shutil.copytree(source / name, root / name)
        elif (source / name).exists():
            shutil.copy2(source / name, root / name)
    later: dict[date, list[Path]] = {}
    for path in (source / "interactions").rglob("*.yaml"):
        found = _DATE.search(path.read_bytes()[:400])
        day = date.fromisoformat(found.group(1).decode()) if found else YEAR_AGO
        if day < YEAR_AGO:
            _copy_into(source, root, path)
        else:
            later.setdefault(day, []).append(path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the CRM a year ago", when=YEAR_AGO)
    chooser = random.Random(7)
    team = sorted(yaml.safe_load((root / "crm.yaml").read_text(encoding="utf-8"))["team"])
    customer_files = sorted((root / "customers").glob("*.yaml"))
    day = YEAR_AGO
    while day + timedelta(days=7) <= AS_OF:
        week_end = day + timedelta(days=7)
        for each in [d for d in later if day <= d < week_end]:
            for path in later.pop(each):
                _copy_into(source, root, path)
        for path in chooser.sample(customer_files, CHANGED_CUSTOMERS):
            text = path.read_text(encoding="utf-8")
            kind = chooser.choice(("stage", "owner", "tier"))
            if kind == "stage" and "\nsince:" not in text:
                kind = "tier"  # a prospect without `since` stays a prospect
            values = {
                "stage": ["active", "stable", "dormant"],
                "tier": ["regular", "potential", "strategic"],
                "owner": team,
            }
            new = chooser.choice(values[kind])
            path.write_text(re.sub(rf"^{kind}: \S+", f"{kind}: {new}", text, count=1, flags=re.MULTILINE))
        conversations = sorted((root / "interactions").rglob("*.yaml"))
        for path in chooser.sample(conversations, min(EDITED_CONVERSATIONS, len(conversations))):
            text = path.read_text(encoding="utf-8")
            if "\nfeedback:" not in text and text.endswith("\n"):
                path.write_text(text + f"feedback: 第 {week_end.isoformat()} 周补记\n", encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"week of {week_end.isoformat()}", when=week_end)
        day = week_end
    return root


def _copy_into(source: Path, root: Path, path: Path) -> None:
    target = root / path.relative_to(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)


def best_of(repeat: int, run: object) -> float:
    assert callable(run)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/crm-bench-history"))
    options = parser.parse_args()
    root = make_repository(options.work, options.customers)
    commits = int(git(root, "rev-list", "--count", "HEAD"))
    print(f"\n== {options.customers:,} customers, {commits} commits: {root}", flush=True)

    def validate() -> None:
        subprocess.run([str(CRM), "validate", "--root", str(root)], check=True, capture_output=True)

    validate()  # the caches warm
    validate_s = best_of(options.repeat, validate)
    print(f"crm validate, warm                       : {validate_s:7.2f} s", flush=True)

    from crmdata.engine import kpis
    from crmdata.git import gitrev, records_at
    from crmdata.git.snapshots import Snapshots
    from crmdata.records.verdict import validated

    repo = gitrev.repository(root)
    history = records_at.first_parent_history(repo)
    days = month_ends(AS_OF)
    chosen = [records_at.commit_of_day(history, day) for day in days]
    started = time.perf_counter()
    current = validated(root).dataset
    load_s = time.perf_counter() - started

    def snapshots() -> list[object]:
        built = Snapshots(repo, current)  # newest first: each a month of changes from the last (the site's order)
        return [built.dataset_at(commit.commit) for commit in reversed(chosen) if commit is not None][::-1]

    snapshots_s = best_of(options.repeat, snapshots)
    ratio = snapshots_s / validate_s
    print(
        f"12 month-end snapshots from the loaded tree: {snapshots_s:7.2f} s = {ratio:.2f}x warm validate "
        f"(goal <= {GOAL_RATIO:.0f}x) {'PASS' if ratio <= GOAL_RATIO else 'MISS'}",
        flush=True,
    )
    print(f"  + loading the working tree first         : {load_s + snapshots_s:7.2f} s "
          f"= {(load_s + snapshots_s) / validate_s:.2f}x", flush=True)  # fmt: skip
    datasets = snapshots()
    started = time.perf_counter()
    for day, dataset in zip(days, datasets, strict=True):
        kpis.report(dataset, day)  # type: ignore[arg-type]
    print(f"their KPI reports (kept by commit in the site): {time.perf_counter() - started:7.2f} s", flush=True)
    middle = chosen[len(chosen) // 2]
    assert middle is not None

    def one_at() -> None:
        subprocess.run(
            [str(CRM), "kpi", "--root", str(root), "--at", middle.commit, "--format", "json"],
            check=True, capture_output=True,
        )  # fmt: skip

    at_s = best_of(max(1, options.repeat - 1), one_at)
    print(f"one crm kpi --at REV (a scratch copy)      : {at_s:7.2f} s", flush=True)


if __name__ == "__main__":
    main()
