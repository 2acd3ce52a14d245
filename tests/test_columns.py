"""Terminal tables stay aligned: Chinese text (two columns a character), a 20-character owner key, long
ids and 4-digit day counts, in both languages. Each test reads a command's rows and checks that every
row's fields start at the same display column."""

from __future__ import annotations

import re

import pytest

from crmdata.cli.common import display_width
from crmdata.engine.kpis import KPIS
from tests.conftest import DataRepo, invoke_crm

LONG_OWNER = "regional_sales_lead1"  # 20 characters
KPI_NAMES = sorted((definition.name for definition in KPIS), key=len, reverse=True)  # longest first
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _repository(repo: DataRepo, language: str) -> None:
    repo.config(f"language: {language}\nteam:\n  ming: {{name: 张明}}\n  {LONG_OWNER}: {{name: 欧阳娜娜}}\n")
    repo.customer("KH-A", name="深圳市前海微众数字科技集团股份有限公司华南分公司", owner=LONG_OWNER, since="2020-01-01")
    repo.customer("KH-2024000017-LONG", name="Li", owner=LONG_OWNER, since="2023-01-01", stage="stable")
    repo.customer("KH-B", name="王", owner="ming", since="2023-05-01")
    repo.interaction(
        "JL-2020001", "KH-A", "2020-01-02", "todos:", "  - {task: 寄送合同, due: 2020-01-09}", owner=LONG_OWNER
    )
    repo.interaction("JL-2023000000001", "KH-B", "2023-05-02", "todos:", "  - {task: 回电, due: 2023-05-10}")


def _column(line: str, text: str) -> int:
    """The display column where `text` starts in `line`."""
    return display_width(line[: line.index(text)])


def _aligned(rows: list[str], *fields: list[str]) -> None:
    """Every row's given field (one value per row, per field) starts at the same display column."""
    for values in fields:
        columns = {_column(row, value) for row, value in zip(rows, values, strict=True)}
        assert len(columns) == 1, "\n".join(rows)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_due_rows_line_up(repo: DataRepo, language: str) -> None:
    _repository(repo, language)
    result = invoke_crm("due", "--root", str(repo.root), "--as-of", "2023-06-19", "--all")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    followups = [line for line in lines if "KH-" in line and "JL-" not in line]
    assert len(followups) == 4 and any("1234" in line for line in followups), result.stdout
    ids = [re.search(r"KH-\S+", line).group() for line in followups]  # type: ignore[union-attr]
    dates = [DAY.search(line).group() for line in followups]  # type: ignore[union-attr]
    _aligned(followups, dates, ids)
    names = [{"KH-A": "深圳", "KH-2024000017-LONG": "Li ", "KH-B": "王", "KH-2024001": "华星"}[cid] for cid in ids]
    _aligned(followups, names)
    todos = [line for line in lines if "JL-20" in line]
    assert len(todos) == 2, result.stdout
    interactions = [re.search(r"JL-\d+", line).group() for line in todos]  # type: ignore[union-attr]
    customers = ["KH-A " if "JL-2020001" in line else "KH-B " for line in todos]
    tasks = ["寄送合同" if "JL-2020001" in line else "回电" for line in todos]
    todo_dates = [DAY.search(line).group() for line in todos]  # type: ignore[union-attr]
    _aligned(todos, todo_dates, interactions, customers, tasks)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_segment_members_line_up(repo: DataRepo, language: str) -> None:
    _repository(repo, language)
    result = invoke_crm("segments", "tier:regular", "--root", str(repo.root), "--as-of", "2023-05-26")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("  KH-")]
    assert len(rows) == 3, result.stdout
    owners = [LONG_OWNER if "KH-B" not in row and "KH-2024001" not in row else "ming " for row in rows]
    stages = [row.split()[-1] for row in rows]
    _aligned(rows, owners, stages)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_segment_list_lines_up(repo: DataRepo, language: str) -> None:
    _repository(repo, language)
    result = invoke_crm("segments", "--root", str(repo.root), "--as-of", "2023-05-26")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    sizes = [re.search(r" +\d+  ", row) for row in rows]
    assert all(sizes), result.stdout
    ends = {display_width(row[: size.end()]) for row, size in zip(rows, sizes, strict=True) if size}
    assert len(ends) == 1, result.stdout  # the sizes right-aligned, what follows them in one column


@pytest.mark.parametrize("language", ["zh", "en"])
def test_kpi_rows_line_up(repo: DataRepo, language: str) -> None:
    _repository(repo, language)
    for owner in ((), ("--owner", LONG_OWNER)):
        result = invoke_crm("kpi", "--root", str(repo.root), "--as-of", "2023-05-26", *owner)
        assert result.returncode == 0, result.stderr
        rows = result.stdout.splitlines()[1:]
        found = [re.search(rf" (?P<key>{'|'.join(KPI_NAMES)}) +(?P<value>\S)", row) for row in rows]
        assert all(found), result.stdout
        for part in ("key", "value"):
            starts = {display_width(row[: match.start(part)]) for row, match in zip(rows, found, strict=True) if match}
            assert len(starts) == 1, result.stdout
