"""Parsing on several cores gives exactly the result of parsing on one."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from crmdata.records.load import PARALLEL_THRESHOLD
from tests.conftest import CRM, DataRepo, run_crm
from tools.synth import generate


def test_workers_report_the_same_problems_as_one_process(tmp_path: Path) -> None:
    root = tmp_path / "big"
    generate(root, customers=300, interactions=PARALLEL_THRESHOLD, seed=3, as_of=date(2026, 11, 24))
    DataRepo(root).put("id: KH-BAD1\nid: KH-BAD1\n")
    DataRepo(root).put("id: KH-BAD2\nname: [unclosed\n")
    one = run_crm("validate", "--root", str(root), "--format", "json", "--no-cache", "--jobs", "1")
    two = run_crm("validate", "--root", str(root), "--format", "json", "--no-cache", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    files = {error["file"] for error in json.loads(two.stdout)["errors"]}
    assert files == {"customers/KH-BAD1.yaml", "customers/KH-BAD2.yaml"}


def test_progress_is_shown_on_a_terminal_and_not_in_logs(tmp_path: Path) -> None:
    root = tmp_path / "big"
    generate(root, customers=300, interactions=PARALLEL_THRESHOLD, seed=3, as_of=date(2026, 11, 24))
    logged = run_crm("validate", "--root", str(root), "--no-cache")
    assert logged.returncode == 0 and logged.stderr == ""  # a CI log gets no carriage-return noise
    script = shutil.which("script")
    if script is None:
        pytest.skip("util-linux `script` (a pseudo-terminal) is not installed")
    command = f"{CRM} validate --root {root} --no-cache"
    on_terminal = subprocess.run([script, "-qc", command, "/dev/null"], capture_output=True, text=True, check=True)
    records = sum(1 for path in root.rglob("*.yaml") if path.parent != root)  # every record file but crm.yaml
    assert records > 300 + PARALLEL_THRESHOLD  # the customers, the interactions, and plans, deals and contracts
    assert f"parsing 500/{records:,} files" in on_terminal.stdout  # text mode reads the carriage return as a newline
    assert "有效：0 个错误" in on_terminal.stdout
