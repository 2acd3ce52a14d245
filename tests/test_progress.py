"""Progress counters: drawn on stderr only at a terminal, by the one printer of crmdata.cli.common, for
files (`crm validate` of a large repository) and spreadsheet rows (`crm import` of a large sheet)."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

from tests.conftest import CRM, DataRepo

SET = ("--set", "type=enterprise", "--set", "tier=regular", "--set", "stage=active", "--set", "owner=ming")


def stderr_at_a_terminal(*args: str) -> tuple[int, str]:
    """Run crm with its stderr on a pseudo-terminal (stdout elsewhere, as in `crm ... > file`)."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen([str(CRM), *args], stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the last holder of the terminal has ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    return process.wait(timeout=120), shown.decode("utf-8")


def customer_sheet(path: Path, rows: int) -> Path:
    lines = "".join(f"公司{number},2024-01-01\r\n" for number in range(1, rows + 1))
    path.write_text("客户名称,合作起始日期\r\n" + lines, encoding="utf-8")
    return path


def test_a_large_sheet_counts_its_rows_at_a_terminal(empty_repo: DataRepo, tmp_path: Path) -> None:
    code, shown = stderr_at_a_terminal(
        "import", "customers", str(customer_sheet(tmp_path / "big.csv", 2500)), "--root", str(empty_repo.root), *SET
    )
    assert code == 0, shown
    assert "\r正在检查行 2,500/2,500\r" in shown  # rows, counted without a unit, in crm.yaml's language (zh)


def test_a_small_sheet_shows_no_counter(empty_repo: DataRepo, tmp_path: Path) -> None:
    code, shown = stderr_at_a_terminal(
        "import", "customers", str(customer_sheet(tmp_path / "small.csv", 30)), "--root", str(empty_repo.root), *SET
    )
    assert code == 0, shown
    assert "正在检查行" not in shown and "\r" not in shown.replace("\r\n", "\n")


def test_a_large_repository_counts_its_files_at_a_terminal(empty_repo: DataRepo) -> None:
    for number in range(1, 2102):
        empty_repo.customer(f"KH-{number}")
    code, shown = stderr_at_a_terminal("validate", "--root", str(empty_repo.root), "--no-cache")
    assert code == 0, shown
    assert "\rparsing 2,101/2,101 files" in shown
