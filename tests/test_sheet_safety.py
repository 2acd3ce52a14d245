"""Exported sheets are data on someone's desk: no record text becomes a formula or a row of its own, and
what `crm export` neutralised, `crm import` restores exactly.

OWASP's CSV injection advice: a cell starting with = + - @ TAB or CR is run as a formula by Excel and
LibreOffice, so it is written with a leading ' (CSV) or marked as text typed with a quote (xlsx).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook  # type: ignore[import-untyped]

from crmdata.records.load import LoadOptions, load
from crmdata.sheets.exporter import Table, csv_text, xlsx_bytes
from crmdata.sheets.importer import read_sheet
from crmdata.sheets.tables import CUSTOMERS, is_empty, read_cell
from tests.conftest import CRM, DataRepo, invoke_crm

TRICKY = {
    "notes": "\r=1+1",
    "industry": "-5",
    "source": "@SUM(A1)",
    "churn_reason": '\'=HYPERLINK("https://evil.example")',
    "tags": ["\t=1", "'tag"],
}
"""A carriage return, a negative number that is text, a function, a value that really starts with '= and
a tab: each a formula start (or text that looks like a neutralised one)."""


def write_tricky(repo: DataRepo) -> None:
    extra = "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in TRICKY.items())
    extra = f"churned_on: 2024-05-01\n{extra}"
    repo.customer("KH-2024002", extra, name=json.dumps("华星\r=1+1"), stage="churned")


def export_bytes(*args: str) -> bytes:
    """`crm export` to standard output, bytes as written (text mode would turn a lone CR into a line end)."""
    done = subprocess.run([str(CRM), "export", *args], capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_csv_on_standard_output_keeps_each_row_one_row_and_neutralises_formulas(repo: DataRepo) -> None:
    write_tricky(repo)
    data = export_bytes("customers", "--root", str(repo.root), "--headers", "en")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert len(rows) == 3, rows  # the header and two customers: the CR in a name does not start a row
    header, row = rows[0], dict(zip(rows[0], rows[2], strict=True))
    assert header[:3] == ["no", "id", "name"]
    assert row["name"] == "华星\r=1+1"  # quoted, so the CR stays inside its cell; not a formula start
    assert row["notes"] == "'\r=1+1"
    assert row["industry"] == "'-5"  # text in a text field: Excel shows -5 as text, import reads "-5"
    assert row["source"] == "'@SUM(A1)"
    assert row["churn_reason"] == "''=HYPERLINK(\"https://evil.example\")"  # one ' for crm, one of the text
    assert row["tags"] == "'\t=1；'tag"
    assert b'"\xe5\x8d\x8e\xe6\x98\x9f\r=1+1"' in data  # the csv module's own quoting, on standard output too


def test_xlsx_cells_that_start_like_formulas_are_text_typed_with_a_quote(repo: DataRepo, tmp_path: Path) -> None:
    write_tricky(repo)
    out = tmp_path / "customers.xlsx"
    exported = invoke_crm("export", "customers", "--root", str(repo.root), "--headers", "en", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    sheet = load_workbook(out).active
    header = [cell.value for cell in sheet[1]]
    cells = {name: sheet.cell(row=3, column=header.index(name) + 1) for name in header}
    for name in ("notes", "industry", "source", "churn_reason", "tags"):
        cell = cells[name]
        assert cell.data_type == "s", name
        assert cell.quotePrefix, f"{name}: Excel keeps a quote-prefixed cell text even when it is edited"
    assert cells["industry"].value == "-5"  # the value itself is exact: the quote is a cell property in xlsx
    assert cells["notes"].value in ("\r=1+1", "\n=1+1")  # XML reads a lone CR back as a line feed
    assert cells["churn_reason"].value == '\'=HYPERLINK("https://evil.example")'
    assert not cells["id"].quotePrefix and not cells["name"].quotePrefix


def _records(root: Path) -> dict[str, dict[str, Any]]:
    dataset, problems, _ = load(root, LoadOptions(use_cache=False))
    assert not [problem for problem in problems if problem.is_error], problems
    return {record.id: record.model_dump() for record in dataset.customers}


def test_export_then_import_gives_back_the_tricky_values(repo: DataRepo, tmp_path: Path) -> None:
    """Every path: CSV on standard output, a CSV file (with BOM and CRLF), an xlsx file."""
    repo.customer(
        "KH-2024002",
        'churned_on: 2024-05-01\nnotes: "\'=x"\nindustry: "-5"\nsource: "\'\'=y"\nchurn_reason: "\'"\n'
        'tags: ["+86 138 0013 8000", "@team", "\'plain", "=1+1"]\n',
        stage="churned",
    )
    root = str(repo.root)
    sheets = {name: tmp_path / name for name in ("stdout.csv", "file.csv", "file.xlsx")}
    sheets["stdout.csv"].write_bytes(export_bytes("customers", "--root", root))
    for name in ("file.csv", "file.xlsx"):
        assert invoke_crm("export", "customers", "--root", root, "--out", str(sheets[name])).returncode == 0
    for name, sheet in sheets.items():
        fresh = DataRepo(tmp_path / name.replace(".", "-"))
        fresh.config((repo.root / "crm.yaml").read_text(encoding="utf-8"))
        result = invoke_crm("import", "customers", str(sheet), "--root", str(fresh.root), "--write")
        assert result.returncode == 0, name + result.stdout + result.stderr
        assert _records(fresh.root) == _records(repo.root), name


# --- the round trip, for any text -------------------------------------------------------------------

NOTES = CUSTOMERS.column("notes")
TEXT = st.text(alphabet=st.sampled_from(list("'=+-@\t\r\n \u3000\"，,;a1华")), min_size=1, max_size=12)


def _imported(path: Path) -> object:
    """The notes value `crm import` reads from the sheet at `path` (None for an empty cell)."""
    sheet = read_sheet(path, CUSTOMERS, None)
    cells = sheet.rows[0][1]
    index = sheet.headers.index(NOTES.zh)
    return read_cell(NOTES, cells[index], {}) if index < len(cells) and not is_empty(cells[index]) else None


def _sheet_with(value: str, fmt: str, folder: Path) -> Path:
    table = Table(sheet="客户", headers=["客户名称", NOTES.zh], rows=[["甲", value]])
    path = folder / f"sheet.{fmt}"
    path.write_bytes(xlsx_bytes(table) if fmt == "xlsx" else csv_text(table, "\n").encode("utf-8"))
    return path


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TEXT)
def test_import_export_import_is_exact_for_any_text(typed: str, tmp_path: Path) -> None:
    """A cell as a user typed it in a CSV imports as some text; exported (CSV or xlsx) and imported again,
    that text comes back exactly, whatever quotes, formula starts and line breaks it holds."""
    user = tmp_path / "user.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["客户名称", NOTES.zh], ["甲", typed]])
    user.write_text(buffer.getvalue(), encoding="utf-8")
    first = _imported(user)
    if not isinstance(first, str):
        return  # an empty cell: nothing to round-trip
    for fmt in ("csv", "xlsx"):
        assert _imported(_sheet_with(first, fmt, tmp_path)) == first, fmt
