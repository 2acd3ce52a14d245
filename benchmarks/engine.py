"""Benchmark `crm due` and `crm kpi` against `crm validate` on the same data.

Goal (issue #3): each costs at most 1.2x of `crm validate` (the computation is small next to loading).
First one cold pair (no parse cache: loading dominates, as the issue assumed); then all run with the
parse cache in place, as a user runs them one after another (the stricter reading); each is measured
--repeat times (default 3) and the best run counts. Prints figures; asserts nothing.

    python benchmarks/engine.py                      # 10k customers + 100k interactions
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, Measured, data_set, measure, size_parser


def best(command: list[str], repeat: int) -> Measured:
    return min((measure(command) for _ in range(repeat)), key=lambda run: run.seconds)


def main() -> None:
    parser = size_parser(__doc__)
    args = parser.parse_args()

    root = data_set(args.customers, args.interactions, args.root)
    base = ["--root", str(root)]
    shutil.rmtree(root / ".crm-cache", ignore_errors=True)
    cold_validate = measure([str(CRM), "validate", *base, "--format", "json"])  # parses all, writes the cache
    shutil.rmtree(root / ".crm-cache", ignore_errors=True)
    cold_kpi = measure([str(CRM), "kpi", *base, "--as-of", "2026-11-24", "--format", "json"])
    print(
        f"cold (no parse cache): validate {cold_validate.seconds:.2f} s, kpi --format json {cold_kpi.seconds:.2f} s"
        f" = {cold_kpi.seconds / cold_validate.seconds:.2f}x"
    )
    measure([str(CRM), "validate", *base])  # the cache, as a user has it
    validate = best([str(CRM), "validate", *base, "--format", "json"], args.repeat)
    print(f"crm validate             : {validate.seconds:6.2f} s  peak {validate.peak_mb:,.0f} MB")
    for name, command in (
        ("crm due --format json", ["due", *base, "--as-of", "2026-11-24", "--format", "json"]),
        ("crm due (text)", ["due", *base, "--as-of", "2026-11-24"]),
        ("crm kpi --format json", ["kpi", *base, "--as-of", "2026-11-24", "--format", "json"]),
        ("crm segments", ["segments", *base, "--as-of", "2026-11-24"]),
    ):
        run = best([str(CRM), *command], args.repeat)
        print(
            f"{name:25s}: {run.seconds:6.2f} s  = {run.seconds / validate.seconds:.2f}x validate (goal <= 1.20x)"
            f"  peak {run.peak_mb:,.0f} MB  exit {run.exit_code}"
        )


if __name__ == "__main__":
    main()
