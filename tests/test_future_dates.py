"""SPEC v2 §2: a record dated after the day `crm validate` runs is a warning.

A mistyped year (2027 for 2026) is otherwise accepted without a word and then left out of every
computation, since everything ignores records dated after as_of. crm reads the clock itself here, so each
test writes its records and runs crm on one calendar day (`on_one_day`), in a folder named after that day.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import DataRepo, invoke_crm, on_one_day, valid_repo

Warning = tuple[str, int, str, str]


def _warnings_on_one_day(tmp_path: Path, write: Callable[[DataRepo, date], None]) -> tuple[date, list[Warning]]:
    """The day and `crm validate`'s warnings about a repository `write` filled on that day."""

    def act(today: date) -> list[Warning]:
        repo = valid_repo(tmp_path / today.isoformat())
        write(repo, today)
        result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
        report = json.loads(result.stdout)
        assert result.returncode == 0, report["errors"]
        return [(w["file"], w["line"], w["field"], w["message"]) for w in report["warnings"]]

    return on_one_day(act)


def _after_today(field: str, day: date, today: date) -> str:
    """The warning in these repositories' language (crm.yaml without `language`: Chinese)."""
    return f"{field} {day.isoformat()} 晚于今天（{today.isoformat()}）：年份写错了？在那天之前，这条记录不计入任何统计"


def test_an_interaction_dated_tomorrow_is_a_warning(tmp_path: Path) -> None:
    def write(repo: DataRepo, today: date) -> None:
        repo.customer("KH-1")
        repo.interaction("JL-1", "KH-1", (today + timedelta(days=1)).isoformat())

    today, found = _warnings_on_one_day(tmp_path, write)
    tomorrow = today + timedelta(days=1)
    assert found == [(f"interactions/{tomorrow.year}/JL-1.yaml", 3, "date", _after_today("date", tomorrow, today))]


def test_a_mistyped_year_in_since_recorded_and_done(tmp_path: Path) -> None:
    def write(repo: DataRepo, today: date) -> None:
        later = date(today.year + 1, 1, 5)
        repo.customer("KH-1", since=later.isoformat())
        repo.customer("KH-2")
        repo.interaction(
            "JL-1",
            "KH-2",
            today.isoformat(),
            f"recorded: {later.isoformat()} 10:00\ntodos:\n  - {{task: 报价, due: {today}, done: {later}}}\n",
        )

    today, found = _warnings_on_one_day(tmp_path, write)
    later = date(today.year + 1, 1, 5)
    assert ("customers/KH-1.yaml", 7, "since", _after_today("since", later, today)) in found
    interaction = f"interactions/{today.year}/JL-1.yaml"
    assert (interaction, 7, "recorded", _after_today("recorded", later, today)) in found
    assert (interaction, 9, "todos[0].done", _after_today("done", later, today)) in found
    assert len(found) == 4  # and the 24-hour rule: recorded months after the conversation


def test_today_and_earlier_are_fine(tmp_path: Path) -> None:
    def write(repo: DataRepo, today: date) -> None:
        repo.customer("KH-1", since=today.isoformat())
        repo.interaction("JL-1", "KH-1", today.isoformat(), f"recorded: {today.isoformat()} 23:59\n")

    assert _warnings_on_one_day(tmp_path, write)[1] == []
