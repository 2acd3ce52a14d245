"""The tests' guard against midnight: crm reads the clock itself, as a person runs it, so a test that works
out "today" and then runs crm must see both on the same day (CI failed once on a run that crossed midnight:
the tests expected 2026-11-28, crm said 2026-11-29)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from tests.conftest import on_one_day


def _clock(days: list[date]) -> Iterator[date]:
    yield from days


class _Act:
    """An act that remembers the days it was run on and answers how many times it ran."""

    def __init__(self) -> None:
        self.seen: list[date] = []

    def __call__(self, today: date) -> int:
        self.seen.append(today)
        return len(self.seen)


def test_an_act_that_crossed_midnight_is_tried_again_on_the_new_day() -> None:
    ticks = _clock([date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 29), date(2026, 11, 29)])
    act = _Act()
    day, answer = on_one_day(act, clock=lambda: next(ticks))
    assert act.seen == [date(2026, 11, 28), date(2026, 11, 29)]
    assert (day, answer) == (date(2026, 11, 29), 2)


def test_an_act_on_one_day_runs_once() -> None:
    act = _Act()
    day, answer = on_one_day(act, clock=lambda: date(2026, 11, 28))
    assert (act.seen, day, answer) == ([date(2026, 11, 28)], date(2026, 11, 28), 1)


def test_a_clock_that_never_settles_is_an_error() -> None:
    ticks = _clock([date(2026, 1, n) for n in range(1, 10)])
    with pytest.raises(AssertionError, match="the day changed"):
        on_one_day(_Act(), clock=lambda: next(ticks))
