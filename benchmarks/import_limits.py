"""Benchmark `crm import` on huge and hostile sheets: wall time and peak memory (RSS of the process tree).

Each case is generated into a temporary folder (a few seconds), imported once as a dry run into an
empty repository, and reported with its exit status; nothing is asserted. The defaults are the limits
of `crm import` (100,000 rows, 64 KiB per cell, 200 MB per sheet, 120 s): a case over a limit shows
how early it is refused, a case within them what an import at the limit costs.

    python benchmarks/import_limits.py             # every case
    python benchmarks/import_limits.py --quick     # without the 100,000-row .xlsx (slow to generate)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, measure
from tools.hostile_sheets import xlsx_with_sheet_xml

HEADER = "客户名称,客户类型,合作起始日期\r\n"
DEFAULTS = ["--set", "type=enterprise", "--set", "stage=active", "--set", "owner=ming"]
MB = 1024 * 1024


def customer_csv(path: Path, rows: int) -> Path:
    lines = "".join(f"公司{number},普通客户,2024-01-01\r\n" for number in range(1, rows + 1))
    path.write_bytes((HEADER + lines).encode("utf-8"))
    return path


def customer_xlsx(path: Path, rows: int) -> Path:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("客户")
    sheet.append(["客户名称", "客户类型", "合作起始日期"])
    for number in range(1, rows + 1):
        sheet.append([f"公司{number}", "普通客户", "2024-01-01"])
    workbook.save(path)
    return path


def inline_row(number: int, text: Iterable[bytes]) -> Iterable[bytes]:
    yield f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>'.encode()
    yield from text
    yield f'</t></is></c><c r="B{number}" t="inlineStr"><is><t>普通客户</t></is></c></row>'.encode()


def tiny_shared_strings(total: int) -> Iterable[bytes]:
    """About `total` bytes of shared strings, each one character: the most strings a size allows."""
    item = b"<si><t>x</t></si>"
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    block = item * 65536
    for _ in range(total // len(block)):
        yield block
    yield b"</sst>"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="leave out the 100,000-row .xlsx")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="crm-bench-limits-"))
    root = work / "repo"
    root.mkdir()
    (root / "crm.yaml").write_text("team:\n  ming: {name: 张明}\n", encoding="utf-8")
    cases: list[tuple[str, Path, list[str]]] = [
        ("CSV, 400,000 rows (over --max-rows)", customer_csv(work / "400k.csv", 400_000), []),
        ("CSV, 100,000 rows (at --max-rows)", customer_csv(work / "100k.csv", 100_000), []),
        (
            "xlsx bomb: a 1 GB cell, 1 MB zipped",
            xlsx_with_sheet_xml(work / "bomb.xlsx", inline_row(2, (b"A" * MB for _ in range(1024)))),
            [],
        ),
        (
            "xlsx bomb, --max-sheet-size 2G (cell limit)",
            work / "bomb.xlsx",
            ["--max-sheet-size", "2G"],
        ),
        (
            "xlsx, 190 MB of 1-character shared strings",
            xlsx_with_sheet_xml(work / "strings.xlsx", [], tiny_shared_strings(190 * MB)),
            [],
        ),
        (
            "xlsx, a row of 50,000,000 cells",
            xlsx_with_sheet_xml(
                work / "wide.xlsx", [b'<row r="2">', *(b"<c/>" * 1_000_000 for _ in range(50)), b"</row>"]
            ),
            [],
        ),
        (
            "xlsx, one row numbered 400,000,000",
            xlsx_with_sheet_xml(work / "far.xlsx", inline_row(400_000_000, [b"far"])),
            [],
        ),
    ]
    if not args.quick:
        cases.insert(2, ("xlsx, 100,000 rows (at --max-rows)", customer_xlsx(work / "100k.xlsx", 100_000), []))
    try:
        for name, sheet, options in cases:
            command = [str(CRM), "import", "customers", str(sheet), "--root", str(root), *DEFAULTS, *options]
            run = measure(command)
            size = sheet.stat().st_size / MB
            print(
                f"{name:46s}: {run.seconds:6.2f} s  peak {run.peak_mb:6,.0f} MB  exit {run.exit_code}  "
                f"({size:,.1f} MB file)",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
