"""Parsing on several cores gives exactly the result of parsing on one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from crmdata.load import PARALLEL_THRESHOLD
from crmdata.synth import generate
from tests.conftest import run_crm


def test_workers_report_the_same_problems_as_one_process(tmp_path: Path) -> None:
    root = tmp_path / "big"
    generate(root, customers=300, interactions=PARALLEL_THRESHOLD, seed=3, as_of=date(2026, 11, 24))
    (root / "customers" / "KH-BAD1.yaml").write_text("id: KH-BAD1\nid: KH-BAD1\n", encoding="utf-8")
    (root / "customers" / "KH-BAD2.yaml").write_text("id: KH-BAD2\nname: [unclosed\n", encoding="utf-8")
    one = run_crm("validate", "--root", str(root), "--format", "json", "--no-cache", "--jobs", "1")
    two = run_crm("validate", "--root", str(root), "--format", "json", "--no-cache", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    files = {error["file"] for error in json.loads(two.stdout)["errors"]}
    assert files == {"customers/KH-BAD1.yaml", "customers/KH-BAD2.yaml"}
