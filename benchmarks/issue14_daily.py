"""Benchmark the daily commands of issue 14 on a generated repository, as a user runs them (one process each).

Times `crm show`, `crm done`, `crm resolve`-free edits (`crm stage`), `crm merge` (dry run and real) and
`crm notify --dry-run` against `crm validate` (warm cache) on the same data, so the figures read as multiples
of a validation. The edits run on a copy of the generated set (made once per run), never on the set itself.
Prints figures; asserts nothing; not part of the tests.

    python benchmarks/issue14_daily.py                          # 10k customers, 100k conversations
    python benchmarks/issue14_daily.py --customers 1000 --interactions 10000
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from benchmarks.common import CRM, Measured, data_set, measure, size_parser


def _first_open_todo(root: Path) -> str:
    """The id of an interaction with exactly one open todo (crm done needs no number for it)."""
    for path in sorted((root / "interactions").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        todos = record.get("todos") or []
        if sum(1 for todo in todos if not todo.get("done")) == 1:
            return str(record["id"])
    raise SystemExit("no interaction with one open todo in the generated set")


def _two_customers(root: Path) -> tuple[str, str]:
    first, second = sorted(path.stem for path in (root / "customers").glob("*.yaml"))[:2]
    return first, second


def _another_stage(root: Path, customer: str) -> str:
    """A stage the customer is not at (crm stage refuses a move to the stage it has)."""
    record = yaml.safe_load((root / "customers" / f"{customer}.yaml").read_text(encoding="utf-8"))
    return "dormant" if record.get("stage") == "stable" else "stable"


def _line(label: str, result: Measured, reference: float) -> str:
    status = "" if result.exit_code == 0 else f"  (exit {result.exit_code})"
    ratio = result.seconds / reference
    return f"  {label:34} {result.seconds:7.2f} s  {ratio:5.2f}× validate  {result.peak_mb:6.0f} MB{status}"


def main() -> None:
    arguments = size_parser(__doc__, repeat=1).parse_args()
    source = data_set(arguments.customers, arguments.interactions, arguments.root)
    with tempfile.TemporaryDirectory(prefix="crm-daily-") as scratch:
        root = Path(scratch) / "crm"
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".crm-cache", "site"))
        todo = _first_open_todo(root)
        duplicate, into = _two_customers(root)
        crm = [str(CRM)]
        at = ["--root", str(root)]
        measure([*crm, "validate", *at])  # fills the parse cache, as a team's checkout has it
        reference = min(measure([*crm, "validate", *at]).seconds for _ in range(max(1, arguments.repeat)))
        files = sum(1 for _ in root.rglob("*.yaml"))
        print(f"{files:,} record files in {root}; crm validate (warm) {reference:.2f} s")
        runs = [
            ("crm show", [*crm, "show", duplicate, *at]),
            ("crm find (pinyin initials)", [*crm, "find", "hxkj", *at]),
            ("crm done (one todo)", [*crm, "done", todo, *at]),
            ("crm stage", [*crm, "stage", into, _another_stage(root, into), *at]),
            ("crm notify --dry-run (every owner)", [*crm, "notify", "--dry-run", *at]),
            ("crm merge --dry-run", [*crm, "merge", duplicate, into, "--dry-run", *at]),
            ("crm merge", [*crm, "merge", duplicate, into, *at]),
            ("crm validate after the merge", [*crm, "validate", *at]),
        ]
        for label, command in runs:
            print(_line(label, measure(command), reference), flush=True)


if __name__ == "__main__":
    main()
