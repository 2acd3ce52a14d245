"""Benchmark `crm export` and `crm import` on the large generated data set.

Exports the customers and interactions of 10,000 customers + 100,000 interactions as CSV and XLSX, then
imports the customer sheet into an empty repository with the same crm.yaml (dry run of the CSV and of
the XLSX, then --write of the CSV), and re-imports it into the now-filled repository (every row
"already imported"). Goal (issue 5): a 10,000-row customer sheet imports in seconds. Each step runs
once (--repeat for best of N); prints wall time and the peak memory of the process; asserts nothing.

    python benchmarks/transfer.py                          # 10k customers + 100k interactions
    python benchmarks/transfer.py --interactions-import    # also re-import the 100k interaction sheet
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, Measured, data_set, measure, size_parser


def best(command: list[str], repeat: int) -> Measured:
    return min((measure(command) for _ in range(repeat)), key=lambda run: run.seconds)


def show(name: str, run: Measured, extra: str = "") -> None:
    print(f"{name:48s}: {run.seconds:7.2f} s  peak {run.peak_mb:6,.0f} MB  exit {run.exit_code}{extra}", flush=True)


def main() -> None:
    parser = size_parser(__doc__, repeat=1)
    parser.add_argument(
        "--interactions-import", action="store_true", help="also dry-run the interaction sheet into the data set"
    )
    args = parser.parse_args()

    root = data_set(args.customers, args.interactions, args.root)
    work = Path(tempfile.mkdtemp(prefix="crm-bench-transfer-"))
    try:
        measure([str(CRM), "validate", "--root", str(root)])  # the parse cache, as a user has it
        sheets = {}
        for kind in ("customers", "interactions"):
            for suffix in ("csv", "xlsx"):
                out = work / f"{kind}.{suffix}"
                command = [str(CRM), "export", kind, "--root", str(root), "--out", str(out), "--force"]
                run = best(command, args.repeat)
                sheets[(kind, suffix)] = out
                show(f"crm export {kind} --out {kind}.{suffix}", run, f"  {out.stat().st_size / 1e6:6.1f} MB")

        empty = work / "empty"
        empty.mkdir()
        shutil.copy(root / "crm.yaml", empty / "crm.yaml")
        for suffix in ("csv", "xlsx"):
            sheet = str(sheets[("customers", suffix)])
            show(
                f"crm import customers (.{suffix}) dry run, empty repo",
                best([str(CRM), "import", "customers", sheet, "--root", str(empty)], args.repeat),
            )
        sheet = str(sheets[("customers", "csv")])
        show(
            "crm import customers (.csv) --write, empty repo",
            measure([str(CRM), "import", "customers", sheet, "--root", str(empty), "--write"]),
            f"  {len(list((empty / 'customers').glob('*.yaml'))):,} files",
        )
        show(
            "crm import customers (.csv) again: all unchanged",
            best([str(CRM), "import", "customers", sheet, "--root", str(empty)], args.repeat),
        )
        if args.interactions_import:
            sheet = str(sheets[("interactions", "csv")])
            show(
                "crm import interactions (.csv) into the data set",
                best([str(CRM), "import", "interactions", sheet, "--root", str(root)], args.repeat),
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
