"""`crm import` of hostile, huge and damaged spreadsheets, and faults while it writes: the installed `crm`
run on generated files, killed with real signals, writing into a folder it cannot write.

Limits (rows, bytes per cell, size of the sheet, time) refuse early with a message naming the limit and
the option that raises it; the dry run and --write share every check; a killed or failing --write leaves
no temporary file and never claims a row it did not write.
"""

from __future__ import annotations

import codecs
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CRM, DEFAULT_CONFIG, DataRepo, interruptible, invoke_crm, run_crm
from tools.hostile_sheets import xlsx_with_sheet_xml

DEFAULTS = ("--set", "type=enterprise", "--set", "stage=active", "--set", "owner=张明")
HEADER = "客户名称,客户类型,合作起始日期\r\n"


@pytest.fixture
def empty_repo(empty_repo: DataRepo) -> DataRepo:
    """An English repository (`language: en`): the limits' messages are compared here word for word in
    English; tests/test_sheet_words.py checks that a Chinese repository is told in Chinese."""
    empty_repo.config(DEFAULT_CONFIG + "language: en\n")
    return empty_repo


def customer_csv(path: Path, rows: int, start: int = 1) -> Path:
    """A customer sheet of `rows` valid rows (公司1, 公司2, ...), written in one go."""
    lines = "".join(f"公司{number},普通客户,2024-01-01\r\n" for number in range(start, start + rows))
    path.write_bytes((HEADER + lines).encode("utf-8"))
    return path


def peak_rss_mb(command: list[str]) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run a command in a Python wrapper that reports the peak memory of its child (ru_maxrss of children)."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(done.returncode)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, timeout=300, check=False
    )
    *lines, peak_kb = result.stderr.rstrip("\n").split("\n")
    result.stderr = "\n".join(lines) + "\n"
    return result, int(peak_kb) / 1024


# --- rows ------------------------------------------------------------------------------------------


def test_a_400000_row_csv_is_refused_at_the_row_limit_in_bounded_memory(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = customer_csv(tmp_path / "big.csv", 400_000)
    command = [str(CRM), "import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS]
    result, peak_mb = peak_rss_mb(command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "Error: big.csv: row 100,002 is past the limit of 100,000 rows below the header (row 1); "
        "raise it with --max-rows N"
    )
    assert result.stdout == ""
    assert peak_mb < 1024  # generous: the figures are in benchmarks/import_limits.py


def test_raising_the_row_limit_lets_the_sheet_through(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = customer_csv(tmp_path / "three.csv", 3)
    root = str(empty_repo.root)
    refused = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--max-rows", "2")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "Error: three.csv: row 4 is past the limit of 2 rows below the header (row 1); raise it with --max-rows N"
    )
    allowed = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--max-rows", "3", "--write")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert sorted(path.name for path in (empty_repo.root / "customers").iterdir()) == [
        "KH-2024001.yaml",
        "KH-2024002.yaml",
        "KH-2024003.yaml",
    ]


def test_the_time_limit_stops_reading_and_names_its_option(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = customer_csv(tmp_path / "slow.csv", 2000)
    result = invoke_crm(
        "import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--time-limit", "0.001"
    )
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert message.startswith("Error: slow.csv: reading and checking the sheet took longer than the limit of 0.001 s")
    assert message.endswith("raise it with --time-limit SECONDS")


# --- xlsx: zip bombs, lying headers, rows no spreadsheet has -----------------------------------------


def inline_row(number: int, name_pieces: Iterator[bytes]) -> Iterator[bytes]:
    yield f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>'.encode()
    yield from name_pieces
    yield f'</t></is></c><c r="B{number}" t="inlineStr"><is><t>普通客户</t></is></c>'.encode()
    yield f'<c r="C{number}" t="inlineStr"><is><t>2024-01-01</t></is></c></row>'.encode()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(empty_repo: DataRepo, tmp_path: Path) -> None:
    megabyte = b"A" * (1024 * 1024)
    bomb = xlsx_with_sheet_xml(tmp_path / "bomb.xlsx", inline_row(2, iter([megabyte] * 210)))
    assert bomb.stat().st_size < 2 * 1024 * 1024
    command = [str(CRM), "import", "customers", str(bomb), "--root", str(empty_repo.root), *DEFAULTS]
    result, peak_mb = peak_rss_mb(command)
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert message.startswith("Error: bomb.xlsx unpacks to 220,")
    assert message.endswith(
        " bytes, over the limit of 209,715,200 bytes for one sheet; raise it with --max-sheet-size SIZE"
    )
    assert peak_mb < 300


def test_a_raised_sheet_size_lets_the_workbook_through_to_the_cell_limit(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = xlsx_with_sheet_xml(tmp_path / "cell.xlsx", inline_row(2, iter([b"B" * 100_000])))
    root = str(empty_repo.root)
    small = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--max-sheet-size", "20K")
    assert small.returncode == 2
    assert "over the limit of 20,480 bytes for one sheet; raise it with --max-sheet-size SIZE" in small.stderr
    result = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: cell.xlsx, sheet Sheet: row 2, column 客户名称 (A): a cell of 100,000 bytes, over the limit of "
        "65,536 bytes per cell; raise it with --max-cell-bytes SIZE"
    )
    raised = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--max-cell-bytes", "100000")
    assert raised.returncode == 0, raised.stdout + raised.stderr
    assert "  row 2: would create customers/KH-2024001.yaml  BBBB" in raised.stdout


def test_a_huge_cell_is_refused_while_it_is_read_even_with_a_raised_sheet_size(
    empty_repo: DataRepo, tmp_path: Path
) -> None:
    megabyte = b"D" * (1024 * 1024)
    sheet = xlsx_with_sheet_xml(tmp_path / "huge.xlsx", inline_row(2, iter([megabyte] * 300)))
    root = str(empty_repo.root)
    command = [str(CRM), "import", "customers", str(sheet), "--root", root, *DEFAULTS, "--max-sheet-size", "1G"]
    result, peak_mb = peak_rss_mb(command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "Error: huge.xlsx, sheet Sheet: row 2, column A: a cell over the limit of 65,536 bytes per cell; "
        "raise it with --max-cell-bytes SIZE"
    )
    assert peak_mb < 300  # the cell is refused after half a megabyte, not built


def shared_strings(*texts: bytes) -> Iterator[bytes]:
    yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    for text in texts:
        yield b"<si><t>" + text + b"</t></si>"
    yield b"</sst>"


def test_shared_strings_are_read_within_the_cell_limit(empty_repo: DataRepo, tmp_path: Path) -> None:
    row = b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>2</v></c></row>'
    fine = xlsx_with_sheet_xml(
        tmp_path / "fine.xlsx", iter([row]), shared_strings("普通客户".encode(), "甲公司".encode(), b"2024-01-01")
    )
    result = invoke_crm("import", "customers", str(fine), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  row 2: would create customers/KH-2024001.yaml  甲公司" in result.stdout

    big = xlsx_with_sheet_xml(tmp_path / "big.xlsx", iter([row]), shared_strings(b"E" * 100_000, b"x", b"y"))
    refused = invoke_crm("import", "customers", str(big), "--root", str(empty_repo.root), *DEFAULTS)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "Error: big.xlsx: a text in the workbook (its shared strings) is over the limit of 65,536 bytes per cell; "
        "raise it with --max-cell-bytes SIZE"
    )


def test_a_cell_far_right_of_the_header_is_an_unknown_column(empty_repo: DataRepo, tmp_path: Path) -> None:
    far = b'<row r="3"><c r="XFD3" t="inlineStr"><is><t>far</t></is></c></row>'
    sheet = xlsx_with_sheet_xml(tmp_path / "far-right.xlsx", iter([*inline_row(2, iter(["甲公司".encode()])), far]))
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "Error: far-right.xlsx, sheet Sheet: unknown columns: column XFD (no header, but it holds data)."
    )


def test_a_zip_whose_header_lies_about_the_size_is_not_unpacked_beyond_it(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = xlsx_with_sheet_xml(tmp_path / "liar.xlsx", inline_row(2, iter([b"C" * (1024 * 1024)] * 100)))
    data = bytearray(sheet.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    entry = data.rindex(b"PK\x01\x02", 0, data.rindex(name))  # its central-directory entry
    extra_at = entry + 46 + len(name)
    if data[entry + 24 : entry + 28] == b"\xff\xff\xff\xff":  # the real size is in the zip64 extra field
        data[extra_at + 4 : extra_at + 12] = (4096).to_bytes(8, "little")
    else:
        data[entry + 24 : entry + 28] = (4096).to_bytes(4, "little")
    sheet.write_bytes(bytes(data))
    command = [str(CRM), "import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS]
    result, peak_mb = peak_rss_mb(command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("Error: liar.xlsx: sheet 'Sheet' cannot be read (")
    assert peak_mb < 300


def test_a_row_wider_than_any_spreadsheet_is_refused(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = xlsx_with_sheet_xml(tmp_path / "wide.xlsx", iter([b'<row r="2">', b"<c/>" * 2_000_000, b"</row>"]))
    command = [str(CRM), "import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS]
    result, peak_mb = peak_rss_mb(command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "Error: wide.xlsx, sheet Sheet: row 2 has more than 16,384 cells, the most a spreadsheet row holds: "
        "the file is damaged or was not written by a spreadsheet program"
    )
    assert peak_mb < 300


def test_a_row_numbered_past_the_limit_ends_the_reading(empty_repo: DataRepo, tmp_path: Path) -> None:
    far = inline_row(400_000_000, iter([b"far away"]))
    sheet = xlsx_with_sheet_xml(tmp_path / "far.xlsx", iter([*inline_row(2, iter([b"near"])), *far]))
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "Error: far.xlsx, sheet Sheet: row 400,000,000 is past the limit of 100,000 rows below the header "
        "(row 1); raise it with --max-rows N"
    )


# --- one validation path for the dry run and --write ------------------------------------------------


def test_a_50_mb_name_is_refused_alike_by_the_dry_run_and_write(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = tmp_path / "name.csv"
    sheet.write_bytes((HEADER + "A" * (50 * 1024 * 1024) + ",普通客户,2024-01-01\r\n").encode("utf-8"))
    root = str(empty_repo.root)
    dry = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS)
    write = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--write")
    assert (dry.returncode, write.returncode) == (2, 2)
    assert dry.stderr == write.stderr
    assert dry.stderr.strip() == (
        "Error: name.csv: row 2: a cell over the limit of 65,536 bytes per cell (or a double quote that is "
        "never closed); raise it with --max-cell-bytes SIZE"
    )
    assert not (empty_repo.root / "customers").exists()

    raised = ("--max-cell-bytes", "60M")
    dry = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, *raised)
    write = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, *raised, "--write")
    assert (dry.returncode, write.returncode) == (1, 1), dry.stderr + write.stderr
    problem = "  row 2: the record would be a file of 52,428,9"  # the exact size depends on the YAML around it
    limit = " bytes, over the limit of 1,048,576 bytes for one record; raise it with --max-file-size SIZE"
    for result in (dry, write):
        lines = result.stdout.splitlines()
        assert lines[1].startswith(problem) and lines[1].endswith(limit), lines[1]
    assert dry.stdout.splitlines()[1:3] == write.stdout.splitlines()[1:3]
    assert write.stdout.splitlines()[-1].startswith("nothing written: 1 invalid row")
    assert not (empty_repo.root / "customers").exists()


# --- encodings, NUL bytes, unquoted commas -----------------------------------------------------------


def test_a_gbk_csv_with_one_utf8_cell_is_refused_naming_the_row(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = tmp_path / "mixed.csv"
    gbk = (HEADER + "华星科技有限公司,战略客户,2024-01-10\r\n").encode("gb18030")
    pasted = "新锐传媒".encode() + ",普通客户,2024-02-01\r\n".encode("gb18030")  # a cell pasted as UTF-8
    sheet.write_bytes(gbk + pasted)
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "Error: mixed.csv: row 3: text in UTF-8 in a GBK/GB18030 file (新锐传媒): the file mixes two encodings; "
        "save it again from the spreadsheet as CSV UTF-8 (or as .xlsx)"
    )

    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes(
        (HEADER + '"华星科技\n有限公司",战略客户,2024-01-10\r\n').encode() + "新锐传媒,普通客户\r\n".encode("gbk")
    )
    refused = invoke_crm("import", "customers", str(utf8), "--root", str(empty_repo.root), *DEFAULTS)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "Error: utf8.csv: row 3 (line 4): bytes that are not UTF-8 in a UTF-8 file (they read as GBK/GB18030: "
        "the file mixes two encodings); fix or re-save the file (CSV UTF-8)"
    )


def test_a_nul_byte_is_an_error_naming_the_row(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = tmp_path / "nul.csv"
    sheet.write_bytes((HEADER + "甲公司,普通客户,2024-01-01\r\n乙\x00公司,普通客户,2024-01-01\r\n").encode())
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "Error: nul.csv: row 3: a NUL byte, which no text holds: the file is damaged or is not a CSV file; "
        "save it again from the spreadsheet as CSV UTF-8 (or as .xlsx)"
    )

    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(codecs.BOM_UTF16_LE + (HEADER + "乙\x00公司,普通客户,2024-01-01\r\n").encode("utf-16-le"))
    refused = invoke_crm("import", "customers", str(utf16), "--root", str(empty_repo.root), *DEFAULTS)
    assert refused.returncode == 2
    assert refused.stderr.strip().startswith("Error: utf16.csv: row 2: a NUL byte, which no text holds")


def test_an_unquoted_comma_names_the_row_and_suggests_quoting(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = tmp_path / "comma.csv"
    sheet.write_bytes((HEADER + "甲公司,普通客户,2024-01-01\r\nAcme, Inc.,普通客户,2024-01-01\r\n").encode())
    root = str(empty_repo.root)
    result = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--write")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[1:3] == [
        "  row 2: would create customers/KH-2024001.yaml  甲公司",
        '  row 3: 4 fields, but the header row has 3: put a value that holds a comma in double quotes ("Acme, '
        'Inc."), or give the extra column a header',
    ]
    assert "--map" not in result.stdout + result.stderr
    assert not (empty_repo.root / "customers").exists()


# --- faults while writing ----------------------------------------------------------------------------


def start_import(repo: DataRepo, sheet: Path) -> subprocess.Popen[bytes]:
    command = [str(CRM), "import", "customers", str(sheet), "--root", str(repo.root), *DEFAULTS, "--write"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=interruptible)


def wait_for_files(folder: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the import has written some records (it is then in the middle of writing the others)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if folder.is_dir() and sum(1 for _ in zip(folder.glob("*.yaml"), range(20), strict=False)) >= 20:
            return
        time.sleep(0.005)
    raise AssertionError(f"the import did not start writing (exit {process.poll()})")


def temporaries(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_write_leaves_no_temporary_file(
    empty_repo: DataRepo, tmp_path: Path, signum: signal.Signals
) -> None:
    sheet = customer_csv(tmp_path / "many.csv", 6000)
    process = start_import(empty_repo, sheet)
    folder = empty_repo.root / "customers"
    wait_for_files(folder, process)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert temporaries(folder) == []
    # SIGTERM exits as the signal would, after cleaning up; Ctrl-C is click's "Aborted!" (1) or 130
    assert process.returncode in ((143,) if signum == signal.SIGTERM else (1, 130)), stderr
    assert 0 < len(list(folder.glob("*.yaml"))) < 6000
    assert run_crm("validate", "--root", str(empty_repo.root)).returncode == 0  # every file written is whole


def test_a_killed_write_is_swept_by_the_next_run(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = customer_csv(tmp_path / "many.csv", 6000)
    process = start_import(empty_repo, sheet)
    folder = empty_repo.root / "customers"
    wait_for_files(folder, process)
    process.kill()  # SIGKILL: nothing of crm runs; its temporary files stay behind
    process.wait(timeout=60)
    ended = subprocess.run([sys.executable, "-c", "pass"], check=True)  # a process that has ended: its pid
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert ended.returncode == 0
    (folder / f".KH-2024999.yaml.{dead.pid}.tmp").write_text("id: KH-2024999\n", encoding="utf-8")
    alive = folder / f".KH-2024998.yaml.{os.getpid()}.tmp"  # another crm run, still writing
    alive.write_text("id: KH-2024998\n", encoding="utf-8")

    again = run_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--write")
    assert again.returncode == 0, again.stdout + again.stderr
    assert temporaries(folder) == [alive.name]
    alive.unlink()
    assert len(list(folder.glob("*.yaml"))) == 6000
    assert run_crm("validate", "--root", str(empty_repo.root)).returncode == 0


def without_file_writes() -> None:
    """In the child: every write of file data fails (EFBIG), as on a full or read-only disk; root included."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def test_a_folder_that_cannot_be_written_is_reported_and_no_row_is_claimed(
    empty_repo: DataRepo, tmp_path: Path
) -> None:
    sheet = customer_csv(tmp_path / "two.csv", 2)
    command = [str(CRM), "import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--write"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False, preexec_fn=without_file_writes
    )
    assert result.returncode == 1
    assert "created customers/" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[1].startswith("  row 2: not created: cannot write customers/KH-2024001.yaml (File too large)")
    assert lines[-1].startswith("0 created, ")
    assert result.stderr.strip() == (
        "Error: cannot write into customers/ (File too large): 2 rows not created; "
        "fix the folder (permissions, free space), then run the same import again"
    )
    assert [path.name for path in (empty_repo.root / "customers").iterdir()] == []


def line_end_at_chunk_end(data: bytes, end: bytes) -> bytes:
    """`data` padded so that a line end `end` starts at the last byte of the first 64 KiB read."""
    chunk = 64 * 1024
    before = data.rindex(end, 0, chunk - 1)
    row_start = data.rindex(end, 0, before) + len(end)
    return data[:row_start] + b"x" * (chunk - 1 - before) + data[row_start:]


def test_lines_end_at_crlf_cr_or_lf_wherever_the_file_is_cut_for_reading(empty_repo: DataRepo, tmp_path: Path) -> None:
    """The CSV is read in chunks: a CRLF split between two chunks is one line end, and old Mac files
    (CR only) and blank lines before the header read as before."""
    rows = "".join(f"公司{number},普通客户,2024-01-01\r\n" for number in range(1, 5001))
    crlf = line_end_at_chunk_end(("\r\n\r\n" + HEADER + rows).encode(), b"\r\n")
    assert crlf[64 * 1024 - 1 : 64 * 1024 + 1] == b"\r\n"
    cr = line_end_at_chunk_end((HEADER + rows).replace("\r\n", "\r").encode(), b"\r")
    lf = (HEADER + rows).replace("\r\n", "\n").encode()
    for name, data, last_row in (("crlf.csv", crlf, 5003), ("cr.csv", cr, 5001), ("lf.csv", lf, 5001)):
        sheet = tmp_path / name
        sheet.write_bytes(data)
        result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr
        lines = result.stdout.splitlines()
        assert lines[-3] == f"  row {last_row}: would create customers/KH-2024{5000:03d}.yaml  公司5000", name
        assert lines[-2].startswith("5000 to create, "), name


def test_a_stop_while_writing_starts_no_new_file(tmp_path: Path) -> None:
    """SIGTERM (crm's Stopped) while files are written: the files in progress finish, no queued one starts.

    Before, the queued writes all ran before crm could exit: 6,000 fsyncs on a busy machine outlived CI's
    grace period."""
    import threading
    import types

    from crmdata.sheets.importer import write_plan
    from crmdata.system.errors import Stopped

    started: list[str] = []
    lock = threading.Lock()

    def create(path: Path, text: str) -> None:
        with lock:
            started.append(path.name)
            if len(started) == 20:
                os.kill(os.getpid(), signal.SIGTERM)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    rows = [
        types.SimpleNamespace(path=f"customers/KH-{n}.yaml", text=f"id: KH-{n}\n", companions=[]) for n in range(3000)
    ]
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(Stopped):
            write_plan(types.SimpleNamespace(to_create=rows), tmp_path, create)  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGTERM, previous)
    # The handler runs when the main thread next wakes, so on a busy machine the writers may start a few
    # dozen more files first; before the fix every one of the 3,000 queued writes ran.
    assert len(started) < len(rows) // 10, len(started)
