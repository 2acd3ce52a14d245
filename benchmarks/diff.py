"""Benchmark `crm diff` between two commits of a large data repository.

Goal (issue 5): seconds, not minutes, for 10,000 customers and 100,000 interactions. The generated data
set (benchmarks.common.data_set) is copied into a git repository in the temporary folder and committed;
a second commit changes a few records as a pull request would (three customers change stage, one
churns, two todos are done, five conversations are logged). Then `crm diff HEAD~1` runs:

- cold: no parse cache anywhere (a CI job on a fresh clone);
- warm: after `crm validate` in the working tree (a person at their machine): crm diff starts from a
  copy of the working tree's parse cache, so only the files that differ from the working tree are parsed.

Each is measured --repeat times (default 3) and the best run counts. Prints figures; asserts nothing.

    python benchmarks/diff.py                      # 10k customers + 100k interactions
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, Measured, data_set, measure, size_parser
from crmdata.records.load import RECORD_FOLDERS

AS_OF = "2026-11-24"


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def repository(source: Path, target: Path) -> Path:
    """`source`'s data committed in a fresh git repository at `target` (reused when it is there)."""
    if (target / ".git").is_dir():
        return target
    print(f"committing {source} into {target} ...", flush=True)
    target.mkdir(parents=True)
    for name in ("crm.yaml", *RECORD_FOLDERS):  # every folder load() reads: without plans/, HEAD is invalid
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        else:
            shutil.copy2(source / name, target / name)
    git(target, "init", "-q", "-b", "main")
    git(target, "config", "user.name", "benchmark")
    git(target, "config", "user.email", "benchmark@example.com")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "base")
    return target


def change_a_few_records(root: Path) -> None:
    """The second commit: a pull request's worth of edits, all valid."""
    git(root, "reset", "-q", "--hard", "main")  # the benchmark's own repository: start from the base again
    git(root, "checkout", "-q", "-B", "change")
    customers = sorted((root / "customers").glob("*.yaml"))
    active = []
    for path in customers:
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        if record["stage"] == "active" and str(record.get("since", "9999")) < "2026-01-01":
            active.append((path, record))
        if len(active) == 4:
            break
    for path, _ in active[:3]:
        path.write_text(path.read_text(encoding="utf-8").replace("stage: active", "stage: stable"), encoding="utf-8")
    churned_path, _ = active[3]
    text = churned_path.read_text(encoding="utf-8").replace("stage: active", "stage: churned")
    churned_path.write_text(text + "churned_on: 2026-11-20\nchurn_reason: 预算取消\n", encoding="utf-8")
    done = 0
    for path in sorted((root / "interactions").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        open_todos = [todo for todo in record.get("todos", []) if "done" not in todo]
        if open_todos:
            open_todos[0]["done"] = date.fromordinal(open_todos[0]["due"].toordinal())  # not an alias of due
            path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
            done += 1
            if done == 2:
                break
    for number, (_, record) in enumerate(active[:3] + active[:2], start=1):
        folder = root / "interactions" / "2026"
        folder.mkdir(exist_ok=True)
        (folder / f"JL-BENCH-{number}.yaml").write_text(
            f"id: JL-BENCH-{number}\ncustomer: {record['id']}\ndate: 2026-11-{10 + number}\nchannel: phone\n"
            f"owner: {record['owner']}\ntopic: 基准测试回访\n",
            encoding="utf-8",
        )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "a few records")


def best(command: list[str], repeat: int, before: list[str] | None = None) -> Measured:
    runs = []
    for _ in range(repeat):
        if before is not None:
            subprocess.run(before, check=False, capture_output=True)
        runs.append(measure(command))
    return min(runs, key=lambda run: run.seconds)


def main() -> None:
    parser = size_parser(__doc__)
    parser.add_argument("--repository", type=Path, default=None, help="the git repository to make (or reuse)")
    args = parser.parse_args()

    source = data_set(args.customers, args.interactions, args.root)
    target = args.repository or Path(tempfile.gettempdir()) / f"crm-bench-diff-{args.customers}-{args.interactions}"
    root = repository(source, target)
    change_a_few_records(root)
    command = [str(CRM), "diff", "HEAD~1", "--root", str(root), "--as-of", AS_OF]
    summary = subprocess.run(command, capture_output=True, text=True, check=False)
    print(summary.stdout.splitlines()[2] if summary.returncode == 0 else summary.stderr.strip())

    forget_cache = ["rm", "-rf", str(root / ".crm-cache")]
    cold = best(command, args.repeat, before=forget_cache)
    validate_cold = best([str(CRM), "validate", "--root", str(root)], args.repeat, before=forget_cache)  # beside it
    cold_json = best([*command, "--format", "json"], args.repeat, before=forget_cache)
    warm = best(command, args.repeat)  # the working tree's cache is the one crm validate left
    validate_warm = best([str(CRM), "validate", "--root", str(root)], args.repeat)
    for name, run in (
        ("crm diff HEAD~1, cold", cold),
        ("crm diff --format json, cold", cold_json),
        ("crm validate, cold", validate_cold),
        ("crm diff HEAD~1, warm", warm),
        ("crm validate, warm", validate_warm),
    ):
        print(f"{name:30s}: {run.seconds:6.2f} s  peak {run.peak_mb:,.0f} MB  exit {run.exit_code}")
    print(f"cold crm diff / cold crm validate: {cold.seconds / validate_cold.seconds:.2f}x (goal: <= 1.3x)")
    print(f"warm crm diff / warm crm validate: {warm.seconds / validate_warm.seconds:.2f}x")


if __name__ == "__main__":
    main()
