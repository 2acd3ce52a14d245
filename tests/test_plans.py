"""Maintenance plans (SPEC v2 §2): occurrences, carried-out and current occurrence, postponement, status.

Every expected day below is worked out by hand from the SPEC text, the arithmetic beside it; none was
copied from the code's output. Policy defaults: due_soon_days 7.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmdata.engine.plans import (
    PlanDue,
    first_index_after,
    nth_occurrence,
    plan_completion_rate,
    plan_due,
    plan_occurrences,
    plans_due,
)
from crmdata.engine.schedule import Status
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.models import Plan, Policy
from crmdata.records.validate import validate
from tests.conftest import DataRepo

D = date.fromisoformat


def a_plan(cycle: str, first: date, **fields: object) -> Plan:
    return Plan.model_validate(
        {"id": "JH-1", "customer": "KH-1", "cycle": cycle, "goal": "回访", "owner": "ming", "date": first, **fields}
    )


def first(plan: Plan, count: int) -> list[str]:
    return [day.isoformat() for day in islice(plan_occurrences(plan), count)]


def load(repo: DataRepo) -> Dataset:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    return outcome.dataset


def due_of(repo: DataRepo, as_of: str) -> dict[str, PlanDue]:
    return {due.plan_id: due for due in plans_due(load(repo), D(as_of))}


# --- occurrences -------------------------------------------------------------------------------------


def test_a_monthly_plan_from_the_31st_clips_to_each_months_end_and_comes_back() -> None:
    # 2023 is not a leap year: February has 28 days; March has 31 again (computed from date, no drift)
    assert first(a_plan("monthly", D("2023-01-31")), 4) == ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30"]


def test_a_monthly_plan_in_a_leap_year_falls_on_the_29th_of_february() -> None:
    assert first(a_plan("monthly", D("2024-01-31")), 3) == ["2024-01-31", "2024-02-29", "2024-03-31"]


def test_a_yearly_plan_from_the_29th_of_february_is_the_28th_in_common_years() -> None:
    assert first(a_plan("yearly", D("2024-02-29")), 5) == [
        "2024-02-29",
        "2025-02-28",
        "2026-02-28",
        "2027-02-28",
        "2028-02-29",
    ]


def test_weekly_and_quarterly_plans_step_by_seven_days_and_three_months() -> None:
    assert first(a_plan("weekly", D("2024-12-20")), 3) == ["2024-12-20", "2024-12-27", "2025-01-03"]
    # 11-30 + 3 months: February 2025 has 28 days; + 6 months: 05-30; + 9: 08-30
    assert first(a_plan("quarterly", D("2024-11-30")), 4) == ["2024-11-30", "2025-02-28", "2025-05-30", "2025-08-30"]


def test_a_once_plan_has_one_occurrence() -> None:
    assert first(a_plan("once", D("2024-06-01")), 5) == ["2024-06-01"]


# --- the current occurrence --------------------------------------------------------------------------


@pytest.fixture
def crm(repo: DataRepo) -> DataRepo:
    """The fixture's customer KH-2024001 (active, ming's) with the handbook's plan: monthly from 2024-05-10."""
    repo.plan("JH-2024001", "KH-2024001", content="[询问运行稳定性, 收集改进建议]")
    return repo


def test_with_nothing_carried_out_the_first_occurrence_is_current_and_overdue(crm: DataRepo) -> None:
    due = due_of(crm, "2024-05-20")["JH-2024001"]
    assert due == PlanDue(
        plan_id="JH-2024001",
        customer="KH-2024001",
        owner="ming",
        goal="了解系统使用体验",
        content=("询问运行稳定性", "收集改进建议"),
        occurrence=D("2024-05-10"),
        due=D("2024-05-10"),
        status=Status.OVERDUE,
        days_overdue=10,  # 05-20 - 05-10
        postponed=False,
        carried_out=0,
    )


def test_a_conversation_logged_early_carries_out_the_earliest_occurrence(crm: DataRepo) -> None:
    crm.interaction("JL-2024002", "KH-2024001", "2024-05-08", plan="JH-2024001")
    due = due_of(crm, "2024-05-20")["JH-2024001"]
    # 05-10 carried out (early, on 05-08): 06-10 is current; 06-10 > 05-20 + 7 = 05-27: ok
    assert (due.occurrence, due.due, due.status, due.carried_out) == (D("2024-06-10"), D("2024-06-10"), Status.OK, 1)


def test_each_conversation_carries_out_one_occurrence_even_two_on_a_day(crm: DataRepo) -> None:
    crm.interaction("JL-2024002", "KH-2024001", "2024-05-10", plan="JH-2024001")
    crm.interaction("JL-2024003", "KH-2024001", "2024-05-10", plan="JH-2024001")
    crm.interaction("JL-2024004", "KH-2024001", "2024-08-01", plan="JH-2024001")  # after as_of: ignored
    due = due_of(crm, "2024-06-05")["JH-2024001"]
    # 05-10 and 06-10 carried out: 07-10 is current, 35 days after 06-05: ok
    assert (due.occurrence, due.status, due.carried_out) == (D("2024-07-10"), Status.OK, 2)


def test_a_postponed_occurrence_is_due_on_its_new_day(crm: DataRepo) -> None:
    crm.plan("JH-2024001", "KH-2024001", postponed_to="2024-05-12", notes="客户出差，顺延至5月12日")
    due = due_of(crm, "2024-05-11")["JH-2024001"]
    assert (due.occurrence, due.due, due.postponed, due.status) == (
        D("2024-05-10"),
        D("2024-05-12"),
        True,
        Status.DUE_SOON,  # 05-12 <= 05-11 + 7
    )
    late = due_of(crm, "2024-05-14")["JH-2024001"]
    assert (late.status, late.days_overdue) == (Status.OVERDUE, 2)  # 05-14 - 05-12


def test_once_the_postponed_occurrence_is_carried_out_the_next_is_due_on_its_own_day(crm: DataRepo) -> None:
    crm.plan("JH-2024001", "KH-2024001", postponed_to="2024-05-12")
    crm.interaction("JL-2024002", "KH-2024001", "2024-05-12", plan="JH-2024001")
    due = due_of(crm, "2024-06-08")["JH-2024001"]
    assert (due.occurrence, due.due, due.postponed, due.status) == (
        D("2024-06-10"),
        D("2024-06-10"),  # postponed_to 05-12 is not later than 06-10: it moved the earlier occurrence
        False,
        Status.DUE_SOON,
    )


def test_a_cancelled_plan_plans_nothing(crm: DataRepo) -> None:
    crm.plan("JH-2024001", "KH-2024001", status="cancelled")
    assert due_of(crm, "2024-05-20") == {}


def test_a_once_plan_carried_out_is_done(crm: DataRepo) -> None:
    crm.plan("JH-2024002", "KH-2024001", cycle="once", date="2024-06-01")
    crm.interaction("JL-2024002", "KH-2024001", "2024-06-03", plan="JH-2024002")
    assert "JH-2024002" not in due_of(crm, "2024-06-05")
    before = due_of(crm, "2024-06-02")["JH-2024002"]  # the conversation is after as_of: not carried out yet
    assert (before.due, before.status, before.days_overdue) == (D("2024-06-01"), Status.OVERDUE, 1)


def test_a_churned_customers_plans_are_out_of_the_list(crm: DataRepo) -> None:
    crm.customer("KH-2024002", stage="churned", churned_on="2024-04-01")
    crm.plan("JH-2024002", "KH-2024002")
    assert set(due_of(crm, "2024-05-20")) == {"JH-2024001"}


def test_plans_are_sorted_by_due_then_id(crm: DataRepo) -> None:
    crm.plan("JH-2024003", "KH-2024001", date="2024-05-01")
    crm.plan("JH-2024002", "KH-2024001", date="2024-05-10")
    assert list(due_of(crm, "2024-05-20")) == ["JH-2024003", "JH-2024001", "JH-2024002"]


# --- completion rate ---------------------------------------------------------------------------------


def test_the_completion_rate_counts_occurrences_due_in_the_last_90_days_carried_out_by_their_day(
    crm: DataRepo,
) -> None:
    crm.plan("JH-2024001", "KH-2024001", date="2024-01-10")
    for iid, day in [("JL-2024011", "2024-01-10"), ("JL-2024012", "2024-02-12"), ("JL-2024013", "2024-03-09")]:
        crm.interaction(iid, "KH-2024001", day, plan="JH-2024001")
    crm.interaction("JL-2024014", "KH-2024001", "2024-04-15", plan="JH-2024001")
    # as_of 05-20, window 02-20 < due <= 05-20: 03-10 (carried out 03-09: on time), 04-10 (04-15: late),
    # 05-10 (not carried out): 1 of 3
    assert plan_completion_rate(load(crm), D("2024-05-20")) == round(1 / 3, 4)


def test_a_postponed_occurrence_carried_out_on_its_new_day_is_on_time(crm: DataRepo) -> None:
    crm.plan("JH-2024001", "KH-2024001", postponed_to="2024-05-12")
    crm.interaction("JL-2024002", "KH-2024001", "2024-05-12", plan="JH-2024001")
    assert plan_completion_rate(load(crm), D("2024-05-20")) == 1.0
    crm.plan("JH-2024001", "KH-2024001")  # not postponed: 05-12 is two days late
    assert plan_completion_rate(load(crm), D("2024-05-20")) == 0.0


def test_without_an_occurrence_due_the_completion_rate_is_none(crm: DataRepo) -> None:
    assert plan_completion_rate(load(crm), D("2024-05-01")) is None
    crm.plan("JH-2024001", "KH-2024001", status="cancelled")
    assert plan_completion_rate(load(crm), D("2024-06-20")) is None


# --- properties --------------------------------------------------------------------------------------

CYCLES = st.sampled_from(["weekly", "monthly", "quarterly", "yearly"])
DAYS = st.dates(min_value=D("1990-01-01"), max_value=D("2090-12-31"))
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


@given(cycle=st.sampled_from(list(MONTHS)), start=DAYS, index=st.integers(0, 400))
def test_every_calendar_occurrence_is_whole_months_from_date_with_the_day_clipped(
    cycle: str, start: date, index: int
) -> None:
    occurrence = nth_occurrence(a_plan(cycle, start), index)
    assert occurrence is not None
    months = (occurrence.year - start.year) * 12 + occurrence.month - start.month
    assert months == index * MONTHS[cycle]
    next_month = date(occurrence.year + occurrence.month // 12, occurrence.month % 12 + 1, 1)
    month_end = (next_month - timedelta(days=1)).day
    assert occurrence.day == min(start.day, month_end)


@given(cycle=CYCLES, start=DAYS, offset=st.integers(-100, 3000))
def test_first_index_after_is_the_number_of_occurrences_on_or_before_the_day(
    cycle: str, start: date, offset: int
) -> None:
    plan = a_plan(cycle, start)
    day = start + timedelta(days=offset)
    counted = 0
    for occurrence in plan_occurrences(plan):
        if occurrence > day:
            break
        counted += 1
    assert first_index_after(plan, day) == counted


@given(
    cycle=CYCLES,
    start=DAYS,
    gaps=st.lists(st.integers(-40, 60), max_size=12),
    postponed_by=st.one_of(st.none(), st.integers(1, 90)),
    as_of_offset=st.integers(0, 800),
)
def test_the_current_occurrence_follows_the_carried_out_ones_and_is_never_due_before_its_day(
    cycle: str, start: date, gaps: list[int], postponed_by: int | None, as_of_offset: int
) -> None:
    carried = sorted(start + timedelta(days=gap) for gap in gaps)
    fields = {} if postponed_by is None else {"postponed_to": start + timedelta(days=postponed_by)}
    plan = a_plan(cycle, start, **fields)
    as_of = start + timedelta(days=as_of_offset)
    due = plan_due(plan, carried, as_of, Policy())
    assert due is not None
    assert due.occurrence == nth_occurrence(plan, len(carried))
    assert due.carried_out == len(carried)
    assert due.due >= due.occurrence
    assert due.postponed == (due.due != due.occurrence)
    assert due.days_overdue == max(0, (as_of - due.due).days)
    assert (due.status is Status.OVERDUE) == (due.due < as_of)
