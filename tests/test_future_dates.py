"""SPEC v2 §2: a record dated after the day `crm validate` runs is a warning.

A mistyped year (2027 for 2026) is otherwise accepted without a word and then left out of every
computation, since everything ignores records dated after as_of.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from tests.conftest import DataRepo, invoke_crm

TODAY = date.today()
TOMORROW = TODAY + timedelta(days=1)


def _warnings(repo: DataRepo) -> list[tuple[str, int, str, str]]:
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    report = json.loads(result.stdout)
    assert result.returncode == 0, report["errors"]
    return [(w["file"], w["line"], w["field"], w["message"]) for w in report["warnings"]]


def _after_today(field: str, day: date) -> str:
    """The warning in these repositories' language (crm.yaml without `language`: Chinese)."""
    return f"{field} {day.isoformat()} 晚于今天（{TODAY.isoformat()}）：年份写错了？在那天之前，这条记录不计入任何统计"


def test_an_interaction_dated_tomorrow_is_a_warning(repo: DataRepo) -> None:
    repo.customer("KH-1")
    repo.interaction("JL-1", "KH-1", TOMORROW.isoformat())
    assert _warnings(repo) == [(f"interactions/{TOMORROW.year}/JL-1.yaml", 3, "date", _after_today("date", TOMORROW))]


def test_a_mistyped_year_in_since_recorded_and_done(repo: DataRepo) -> None:
    later = date(TODAY.year + 1, 1, 5)
    repo.customer("KH-1", since=later.isoformat())
    repo.customer("KH-2")
    repo.interaction(
        "JL-1",
        "KH-2",
        TODAY.isoformat(),
        f"recorded: {later.isoformat()} 10:00\ntodos:\n  - {{task: 报价, due: {TODAY}, done: {later}}}\n",
    )
    found = _warnings(repo)
    assert ("customers/KH-1.yaml", 7, "since", _after_today("since", later)) in found
    interaction = f"interactions/{TODAY.year}/JL-1.yaml"
    assert (interaction, 7, "recorded", _after_today("recorded", later)) in found
    assert (interaction, 9, "todos[0].done", _after_today("done", later)) in found
    assert len(found) == 4  # and the 24-hour rule: recorded months after the conversation


def test_today_and_earlier_are_fine(repo: DataRepo) -> None:
    repo.customer("KH-1", since=TODAY.isoformat())
    repo.interaction("JL-1", "KH-1", TODAY.isoformat(), f"recorded: {TODAY.isoformat()} 23:59\n")
    assert _warnings(repo) == []
