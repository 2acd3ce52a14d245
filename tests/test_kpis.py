"""KPIs (crmdata.engine.kpis), each checked against answers worked out by hand.

Every expected value below was derived from the KPI's definition with the date arithmetic written next to
it; none was copied from the program's output. Unless a test says otherwise as_of is 2026-06-30, so
"the last 365 days" is 2025-06-30 < day <= 2026-06-30 (2025-06-30 + 365 = 2026-06-30: 2026 is no leap
year) and the last 90 days are 2026-04-01 < day <= 2026-06-30 (April 30 + May 31 + June 29 = 90).
The policy is the SPEC's default: cadence active 30, stable 90, dormant 30, new_customer_days 90,
new_cadence_days 30, high_value_cadence_days 15, silent_after_days 90, record_within_hours 24.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crmdata.engine import kpis, schedule
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo

PROJECT = Path(__file__).resolve().parent.parent
D = date.fromisoformat
AS_OF = D("2026-06-30")

CONFIG = """\
team:
  ming: {name: 张明}
  hong: {name: 李红}
"""

SPEC_KEYS = {
    "customers_total",
    "customers_by_stage",
    "overdue_followups",
    "silent_customers",
    "followup_compliance",
    "csat_avg",
    "open_complaints",
    "overdue_todos",
}


@pytest.fixture
def crm(tmp_path: Path) -> DataRepo:
    """An empty data repository with a team of two (ming, hong) and the default policy."""
    data = DataRepo(tmp_path / "crm")
    data.config(CONFIG)
    return data


def load(repo: DataRepo) -> Dataset:
    """The repository's dataset; it must validate (warnings allowed: late records, contacts before since)."""
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.errors]
    return outcome.dataset


def kpi(repo: DataRepo, name: str, as_of: date = AS_OF) -> object:
    """One KPI of the team on as_of."""
    return kpis.compute(load(repo), as_of)[name]


def table(value: object) -> dict[str, Any]:
    """A KPI value that is an object (JSON), typed as such."""
    assert isinstance(value, dict)
    return value


# ---------------------------------------------------------------------------------------------------
# The SPEC's KPIs (section 4)
# ---------------------------------------------------------------------------------------------------


def test_customers_total_counts_everyone_who_existed_by_as_of_churned_too(crm: DataRepo) -> None:
    crm.customer("A", since="2025-01-01")
    crm.customer("B", "churned_on: 2026-03-01", since="2026-01-01", stage="churned")
    crm.customer("C", since=None, stage="prospecting")
    crm.customer("D", since="2026-08-01")
    # A (since before as_of), B (churned, but it was a customer), C (a prospect, no since): 3.
    # D starts 2026-08-01, after as_of: not yet a customer.
    assert kpi(crm, "customers_total") == 3


def test_customers_by_stage_lists_every_stage_as_of_that_day(crm: DataRepo) -> None:
    crm.customer("A", since="2025-01-01")
    crm.customer("B", "churned_on: 2026-03-01", since="2026-01-01", stage="churned")
    crm.customer("C", since=None, stage="prospecting")
    crm.customer("D", since="2026-08-01")
    crm.customer("E", "churned_on: 2026-09-01", since="2025-01-01", stage="churned")
    # A active; B churned (2026-03-01 <= as_of); C prospecting; D not a customer yet;
    # E churned on 2026-09-01, after as_of: a record keeps only its current stage, so it counts as churned
    # (as `crm due` leaves it out). stable and dormant: nobody, still listed with 0.
    assert kpi(crm, "customers_by_stage") == {"prospecting": 1, "active": 1, "stable": 0, "dormant": 0, "churned": 2}


def _followup_scenario(crm: DataRepo) -> None:
    crm.customer("A", since="2025-01-01")
    crm.interaction("J1", "A", "2026-06-10")
    crm.customer("F", since="2025-01-01")
    crm.interaction("J2", "F", "2026-05-01")
    crm.interaction("J3", "F", "2026-07-05")  # after as_of: ignored
    crm.customer("G", since="2024-01-01", stage="stable")
    crm.interaction("J4", "G", "2026-03-01")
    crm.customer("H", "churned_on: 2026-01-01", since="2024-01-01", stage="churned")
    crm.customer("I", since="2025-01-01")
    crm.interaction("J5", "I", "2026-04-01")
    crm.interaction("J6", "I", "2026-06-20", kind="care")  # a greeting is not a contact


def test_overdue_followups(crm: DataRepo) -> None:
    _followup_scenario(crm)
    # A: active 30, last contact 06-10 → due 07-10 >= as_of → not overdue.
    # F: last contact 05-01 (07-05 is after as_of) → due 05-31 < 06-30 → overdue.
    # G: stable 90, last contact 03-01 → due 03-01 + 90 = 05-30 (Mar 31 + Apr 30 + May 29) → overdue.
    # H: churned → not scheduled.  I: last contact 04-01 (care ignored) → due 05-01 → overdue.
    assert kpi(crm, "overdue_followups") == 3


def test_silent_customers(crm: DataRepo) -> None:
    _followup_scenario(crm)
    # A: 20 days since contact; F: 05-01 → 06-30 = 60 days; both < 90 → not silent.
    # G: 03-01 → 04-01 31, → 05-01 61, → 06-01 92, → 06-30 121 days ≥ 90 → silent.
    # I: 04-01 → 05-01 30, → 06-01 61, → 06-30 90 days ≥ 90 → silent (the care call does not count).
    # H is churned: not counted.
    assert kpi(crm, "silent_customers") == 2


def test_followup_compliance(crm: DataRepo) -> None:
    _followup_scenario(crm)
    # non-churned: A, F, G, I; not overdue: A only → 1/4.
    assert kpi(crm, "followup_compliance") == 0.25


def test_followup_compliance_is_null_without_scheduled_customers(crm: DataRepo) -> None:
    crm.customer("H", "churned_on: 2026-01-01", stage="churned")
    assert kpi(crm, "followup_compliance") is None


def test_csat_avg_over_the_last_365_days(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2025-06-30", "satisfaction: 1")  # as_of - 365: just outside
    crm.interaction("J2", "A", "2025-07-01", "satisfaction: 5")
    crm.interaction("J3", "A", "2026-03-01")  # no score: not counted
    crm.interaction("J4", "A", "2026-06-30", "satisfaction: 4")
    crm.interaction("J5", "A", "2026-07-01", "satisfaction: 1")  # after as_of
    # (5 + 4) / 2 = 4.5
    assert kpi(crm, "csat_avg") == 4.5
    # on 2025-06-29 the window is 2024-06-29 < day <= 2025-06-29: no score at all → null
    assert kpi(crm, "csat_avg", D("2025-06-29")) is None


def test_open_complaints(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2026-01-10", kind="complaint")  # never resolved → open
    crm.interaction("J2", "A", "2026-02-01", "resolved: 2026-02-10", kind="complaint")  # closed
    crm.interaction("J3", "A", "2026-06-01", "resolved: 2026-07-15", kind="complaint")  # has resolved → not open (SPEC)
    crm.interaction("J4", "A", "2026-07-02", kind="complaint")  # after as_of: ignored
    crm.interaction("J5", "A", "2026-06-02")  # not a complaint
    assert kpi(crm, "open_complaints") == 1
    # on 2026-07-20 J3 is resolved, J4 has come in: J1 and J4 are open
    assert kpi(crm, "open_complaints", D("2026-07-20")) == 2


def test_overdue_todos(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction(
        "J1",
        "A",
        "2026-04-01",
        "todos:",
        "  - {task: 报价单, due: 2026-06-01}",  # open, due before as_of → overdue
        "  - {task: 合同, due: 2026-06-30}",  # due on as_of is not before it → not overdue
        "  - {task: 发票, due: 2026-05-01, done: 2026-05-02}",  # done → not overdue
        "  - {task: 样品, due: 2026-05-01, done: 2026-07-10}",  # done only after as_of → overdue
    )
    crm.interaction("J2", "A", "2026-07-01", "todos: [{task: 回访, due: 2026-06-15}]")  # conversation after as_of
    assert kpi(crm, "overdue_todos") == 2


# ---------------------------------------------------------------------------------------------------
# Further KPIs
# ---------------------------------------------------------------------------------------------------


def _gap_history(crm: DataRepo) -> None:
    crm.customer("K", since="2024-01-01")  # active, medium value, long past new: interval 30 throughout
    crm.interaction("J1", "K", "2025-05-01")
    crm.interaction("J2", "K", "2025-07-15")
    crm.interaction("J3", "K", "2025-08-10")
    crm.interaction("J4", "K", "2026-04-20")
    crm.interaction("J5", "K", "2026-05-15")
    crm.interaction("J6", "K", "2026-05-30", kind="care")  # not a contact
    crm.interaction("J7", "K", "2026-06-30")
    crm.interaction("J8", "K", "2026-07-10")  # after as_of


def test_followup_on_time_rate_365d(crm: DataRepo) -> None:
    _gap_history(crm)
    # gaps whose later contact is after 2025-06-30:
    # 05-01 → 07-15: May 31 + June 30 + 14 = 75 > 30 late;  07-15 → 08-10: 26 on time;
    # 2025-08-10 → 2026-04-20: 253 late;  04-20 → 05-15: 25 on time;  05-15 → 06-30: 46 late.
    # 2 of 5 on time.
    assert kpi(crm, "followup_on_time_rate_365d") == 0.4


def test_followup_on_time_rate_90d(crm: DataRepo) -> None:
    _gap_history(crm)
    # later contact after 2026-04-01: 04-20 (253, late), 05-15 (25, on time), 06-30 (46, late) → 1/3.
    assert kpi(crm, "followup_on_time_rate_90d") == 0.3333


def test_on_time_uses_the_interval_of_the_earlier_contact(crm: DataRepo) -> None:
    crm.customer("N", since="2026-01-01", stage="stable")
    crm.interaction("J1", "N", "2026-03-01")
    crm.interaction("J2", "N", "2026-04-10")
    crm.interaction("J3", "N", "2026-06-20")
    # N is new while day - since < 90, i.e. until 2026-03-31 (Jan 31 + Feb 28 + Mar 31 = 90 → 04-01 is not new).
    # 03-01 → 04-10 = 40 days; at 03-01 N was new: interval min(stable 90, new 30) = 30 → late.
    # 04-10 → 06-20 = 71 days; at 04-10 N was no longer new: interval 90 → on time.
    assert kpi(crm, "followup_on_time_rate_365d") == 0.5
    assert kpi(crm, "followup_on_time_rate_90d") == 0.5  # both later contacts are after 04-01


def test_followup_on_time_rates_are_null_without_gaps(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2026-06-01")  # one contact: no gap
    assert kpi(crm, "followup_on_time_rate_365d") is None
    assert kpi(crm, "followup_on_time_rate_90d") is None


def test_todo_on_time_rate(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction(
        "J1",
        "A",
        "2025-06-01",
        "todos:",
        "  - {task: 早, due: 2026-06-01, done: 2026-05-30}",  # on time
        "  - {task: 当天, due: 2026-06-01, done: 2026-06-01}",  # on the due day: on time
        "  - {task: 晚, due: 2026-06-10, done: 2026-06-12}",  # late
        "  - {task: 未做, due: 2026-06-20}",  # open: not on time
        "  - {task: 后补, due: 2026-06-15, done: 2026-07-01}",  # done after as_of: not on time
        "  - {task: 去年, due: 2025-06-30, done: 2025-06-01}",  # due outside the last 365 days
        "  - {task: 未到期, due: 2026-07-05, done: 2026-06-01}",  # due after as_of
    )
    # due in the window: 5; on time: 2 → 0.4
    assert kpi(crm, "todo_on_time_rate") == 0.4


def test_todo_on_time_rate_is_null_when_nothing_was_due(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2026-06-01", "todos: [{task: 报价, due: 2026-07-05}]")
    assert kpi(crm, "todo_on_time_rate") is None


def test_logging_24h_rate(crm: DataRepo) -> None:
    crm.customer("A")
    # a day without time counts from its end (23:59:59.999999)
    crm.interaction("J1", "A", "2026-06-01", "recorded: '2026-06-02 10:00'")  # ~10 h → in time
    crm.interaction("J2", "A", "2026-06-01", "recorded: '2026-06-03 08:00'")  # ~32 h → late
    crm.interaction("J3", "A", "'2026-06-05 09:00'", "recorded: '2026-06-06 09:00'")  # exactly 24 h → in time
    crm.interaction("J4", "A", "'2026-06-05 09:00'", "recorded: '2026-06-06 09:01'")  # 24 h 1 min → late
    crm.interaction("J5", "A", "'2026-06-07T09:00:00+08:00'", "recorded: '2026-06-08T08:00:00+08:00'")  # 23 h
    crm.interaction("J6", "A", "2026-06-10")  # no recorded: not counted
    crm.interaction("J7", "A", "2025-05-01", "recorded: '2025-06-01 10:00'")  # outside the last 365 days
    # counted: J1..J5; in time: J1, J3, J5 → 3/5
    assert kpi(crm, "logging_24h_rate") == 0.6


def _retention_scenario(crm: DataRepo) -> None:
    crm.customer("R1", since="2024-01-01")
    crm.customer("R2", since="2025-06-30")  # a customer exactly a year ago
    crm.customer("R3", since="2025-07-01")  # not yet a customer a year ago
    crm.customer("R4", "churned_on: 2025-06-30", stage="churned")  # already lost a year ago
    crm.customer("R5", "churned_on: 2025-12-01", stage="churned")  # lost in the year
    crm.customer("R6", "churned_on: 2026-08-01", stage="churned")  # lost only after as_of
    crm.customer("R7", "churned_on: 2026-01-10")  # lost in the year, active again (won back)


def test_retention_12m(crm: DataRepo) -> None:
    _retention_scenario(crm)
    # a year ago = 2025-06-30: customers then were R1, R2, R5, R6, R7 (R3 came later, R4 was gone).
    # not churned by as_of: R1, R2, R6 (churned 2026-08-01 > as_of) → 3/5; R7's churn counts though won back.
    assert kpi(crm, "retention_12m") == 0.6


def test_churn_rate_12m(crm: DataRepo) -> None:
    _retention_scenario(crm)
    # of the 5 customers a year ago, R5 and R7 churned by as_of → 2/5
    assert kpi(crm, "churn_rate_12m") == 0.4


def test_retention_is_null_without_customers_a_year_ago(crm: DataRepo) -> None:
    crm.customer("R3", since="2025-07-01")
    assert kpi(crm, "retention_12m") is None
    assert kpi(crm, "churn_rate_12m") is None


def test_win_backs_12m(crm: DataRepo) -> None:
    crm.customer("W1", "churned_on: 2026-01-10")
    crm.interaction("J1", "W1", "2026-03-01")  # contact after churning, active again: won back
    crm.customer("W2", "churned_on: 2026-01-10")
    crm.interaction("J2", "W2", "2025-12-01")  # before churning
    crm.interaction("J3", "W2", "2026-03-01", kind="care")  # a greeting is not a contact
    crm.customer("W3", "churned_on: 2025-05-01")
    crm.interaction("J4", "W3", "2026-03-01")  # churned more than 365 days ago
    crm.customer("W4", "churned_on: 2026-02-01", stage="churned")
    crm.interaction("J5", "W4", "2026-03-01")  # still churned
    crm.customer("W5", "churned_on: 2026-06-01")
    crm.interaction("J6", "W5", "2026-07-02")  # the win-back contact is after as_of
    assert kpi(crm, "win_backs_12m") == 1
    # on 2026-07-02 W5's contact has happened: W1 and W5
    assert kpi(crm, "win_backs_12m", D("2026-07-02")) == 2


def test_new_customers_12m(crm: DataRepo) -> None:
    crm.customer("A", since="2025-06-30")  # as_of - 365: outside
    crm.customer("B", since="2025-07-01")
    crm.customer("C", since="2026-06-30")
    crm.customer("E", "churned_on: 2026-03-01", since="2026-01-01", stage="churned")  # new, then lost: counts
    crm.customer("F", since="2026-07-01")  # after as_of
    crm.customer("P", since=None, stage="prospecting")  # no since: not new
    assert kpi(crm, "new_customers_12m") == 3


def test_churned_12m(crm: DataRepo) -> None:
    crm.customer("A", "churned_on: 2026-03-01", stage="churned")
    crm.customer("B", "churned_on: 2026-01-10")  # won back since: it still churned in the year
    crm.customer("C", "churned_on: 2025-06-30", stage="churned")  # outside
    crm.customer("E", "churned_on: 2026-07-15", stage="churned")  # after as_of
    assert kpi(crm, "churned_12m") == 2


def test_new_customers_by_month(crm: DataRepo) -> None:
    crm.customer("A", since="2025-06-15")  # before the first month shown
    crm.customer("B", since="2025-07-01")
    crm.customer("C", since="2026-02-28")
    crm.customer("E", since="2026-06-01")
    crm.customer("F", since="2026-06-30")
    crm.customer("G", since="2026-07-01")  # after as_of
    expected = {f"2025-{month:02d}": 0 for month in range(7, 13)} | {f"2026-{month:02d}": 0 for month in range(1, 7)}
    expected |= {"2025-07": 1, "2026-02": 1, "2026-06": 2}
    result = kpi(crm, "new_customers_by_month")
    assert result == expected
    assert isinstance(result, dict) and list(result) == sorted(expected)  # oldest month first


def test_months_run_across_the_year_end(crm: DataRepo) -> None:
    crm.customer("A", since="2025-02-01")
    # as_of 2026-01-15: the 12 months are 2025-02 … 2026-01
    result = kpi(crm, "new_customers_by_month", D("2026-01-15"))
    assert isinstance(result, dict)
    assert list(result) == [f"2025-{month:02d}" for month in range(2, 13)] + ["2026-01"]
    assert result["2025-02"] == 1


def test_interactions_by_month(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2025-06-30")  # before 2025-07: not shown
    crm.interaction("J2", "A", "2025-07-01", channel="phone")
    crm.interaction("J3", "A", "2025-07-31", kind="care", channel="visit")  # every kind counts
    crm.interaction("J4", "A", "2026-06-30", channel="im")
    crm.interaction("J5", "A", "2026-07-01", channel="im")  # after as_of
    result = kpi(crm, "interactions_by_month")
    assert isinstance(result, dict)
    assert len(result) == 12
    channels = ["phone", "video", "visit", "im", "email", "sms", "event", "other"]
    assert all(list(counts) == channels for counts in result.values())
    zero = dict.fromkeys(channels, 0)
    assert result["2025-07"] == zero | {"phone": 1, "visit": 1}
    assert result["2026-06"] == zero | {"im": 1}
    assert sum(sum(counts.values()) for counts in result.values()) == 3


def test_satisfaction_by_quarter(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2024-06-30", "satisfaction: 1")  # 2024-Q2: before the 8 quarters shown
    crm.interaction("J2", "A", "2024-07-01", "satisfaction: 4")  # 2024-Q3
    crm.interaction("J3", "A", "2026-04-01", "satisfaction: 5")  # 2026-Q2
    crm.interaction("J4", "A", "2026-06-30", "satisfaction: 2")  # 2026-Q2
    crm.interaction("J5", "A", "2026-07-01", "satisfaction: 1")  # after as_of
    # as_of 2026-06-30 is in 2026-Q2: the 8 quarters are 2024-Q3 … 2026-Q2
    assert kpi(crm, "satisfaction_by_quarter") == {
        "2024-Q3": 4.0,
        "2024-Q4": None,
        "2025-Q1": None,
        "2025-Q2": None,
        "2025-Q3": None,
        "2025-Q4": None,
        "2026-Q1": None,
        "2026-Q2": 3.5,  # (5 + 2) / 2
    }


def _complaints(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J1", "A", "2025-06-30", "resolved: 2025-07-10", kind="complaint")  # 10 days; outside the window
    crm.interaction("J2", "A", "2025-12-01", "resolved: 2025-12-03", kind="complaint")  # 2 days
    crm.interaction("J3", "A", "2026-01-01", "resolved: 2026-01-21", kind="complaint")  # 20 days
    crm.interaction("J4", "A", "2026-06-01", kind="complaint")  # open
    crm.interaction("J5", "A", "2026-06-10", "resolved: 2026-07-05", kind="complaint")  # resolved after as_of
    crm.interaction("J6", "A", "2026-07-02", kind="complaint")  # after as_of


def test_complaints_12m(crm: DataRepo) -> None:
    _complaints(crm)
    # dated after 2025-06-30 and by as_of: J2, J3, J4, J5
    assert kpi(crm, "complaints_12m") == 4


def test_complaint_median_resolution_days(crm: DataRepo) -> None:
    _complaints(crm)
    # resolved on or before as_of: J1 10, J2 2, J3 20 days → median 10 (J5's resolution is after as_of)
    assert kpi(crm, "complaint_median_resolution_days") == 10.0
    # on 2026-07-05 J5 is resolved too: 2, 10, 20, 25 → (10 + 20) / 2 = 15
    assert kpi(crm, "complaint_median_resolution_days", D("2026-07-05")) == 15.0
    # before any resolution: null
    assert kpi(crm, "complaint_median_resolution_days", D("2025-07-09")) is None


def test_referrals_12m(crm: DataRepo) -> None:
    crm.customer("X", since="2020-01-01")
    crm.customer("A", "referred_by: X", since="2026-01-01")  # referred, new in the year
    crm.customer("B", "referred_by: X", since="2025-01-01")  # referred, but long ago
    crm.customer("C", since="2026-02-01")  # new, not referred
    crm.customer("E", "referred_by: X", since="2026-07-01")  # after as_of
    crm.interaction("J1", "X", "2026-05-01", kind="referral")
    crm.interaction("J2", "X", "2025-06-30", kind="referral")  # outside
    crm.interaction("J3", "X", "2026-07-01", kind="referral")  # after as_of
    crm.interaction("J4", "X", "2026-05-02")  # not a referral
    assert kpi(crm, "referrals_12m") == {"referred_customers": 1, "referral_interactions": 1}


# ---------------------------------------------------------------------------------------------------
# The report as a whole
# ---------------------------------------------------------------------------------------------------


def _mixed_team(crm: DataRepo) -> None:
    """Customers of both owners, complaints, todos (one of hong's on ming's customer), a churn."""
    _followup_scenario(crm)  # A, F, G, H, I: ming's
    crm.customer("M", since="2025-03-01", owner="hong")
    crm.interaction("J7", "M", "2026-02-01", "satisfaction: 3", kind="complaint", owner="hong")
    crm.interaction("J8", "M", "2026-06-25", "satisfaction: 5", "todos: [{task: 方案, due: 2026-06-01}]", owner="hong")
    crm.interaction("J9", "A", "2026-05-05", "todos: [{task: 演示, due: 2026-05-20, owner: hong}]", owner="ming")
    crm.customer("Q", "churned_on: 2026-02-01", since="2025-02-01", stage="churned", owner="hong")


def test_report_has_every_spec_key_at_the_top_and_per_owner(crm: DataRepo) -> None:
    _mixed_team(crm)
    report = kpis.report(load(crm), AS_OF)
    assert report["as_of"] == "2026-06-30"
    assert set(report) >= SPEC_KEYS | {"as_of", "by_owner"}
    by_owner = report["by_owner"]
    assert isinstance(by_owner, dict) and list(by_owner) == ["ming", "hong"]
    for values in by_owner.values():
        assert set(values) >= SPEC_KEYS
        assert set(values["customers_by_stage"]) == {"prospecting", "active", "stable", "dormant", "churned"}


def test_report_is_json(crm: DataRepo) -> None:
    _mixed_team(crm)
    report = kpis.report(load(crm), AS_OF)
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report


def test_per_owner_numbers_add_up(crm: DataRepo) -> None:
    _mixed_team(crm)
    report = kpis.report(load(crm), AS_OF)
    by_owner = table(report["by_owner"])
    # ming: A, F, G, H, I = 5; hong: M, Q = 2
    assert {owner: values["customers_total"] for owner, values in by_owner.items()} == {"ming": 5, "hong": 2}
    for name in (
        "customers_total",
        "overdue_followups",
        "silent_customers",
        "open_complaints",
        "overdue_todos",
        "complaints_12m",
        "new_customers_12m",
        "churned_12m",
    ):
        assert sum(values[name] for values in by_owner.values()) == report[name], name
    for stage, count in table(report["customers_by_stage"]).items():
        assert sum(values["customers_by_stage"][stage] for values in by_owner.values()) == count


def test_owner_context_takes_customers_interactions_by_customer_and_todos_by_owner(crm: DataRepo) -> None:
    _mixed_team(crm)
    ds = load(crm)
    ming, hong = kpis.context(ds, AS_OF, "ming"), kpis.context(ds, AS_OF, "hong")
    assert {c.id for c in ming.customers} == {"A", "F", "G", "H", "I"}
    assert {c.id for c in hong.customers} == {"M", "Q"}
    # J9 is ming's conversation with ming's customer, but its todo is hong's:
    # ming's todos: none; hong's: 方案 (J8, due 06-01, open) and 演示 (J9, due 05-20, open) → both overdue.
    assert "J9" in {i.id for i in ming.interactions}
    assert [t.task for t in ming.overdue_todos] == []
    assert [t.task for t in hong.overdue_todos] == ["演示", "方案"]  # by due: 05-20, 06-01
    # csat for hong: M's scores 3 and 5 → 4.0; ming's customers have no scores → null
    assert kpis.compute(ds, AS_OF, "hong")["csat_avg"] == 4.0
    assert kpis.compute(ds, AS_OF, "ming")["csat_avg"] is None


def test_as_of_reproduces_the_past(crm: DataRepo) -> None:
    _mixed_team(crm)
    crm.customer("Z", since="2025-01-01", stage="dormant")
    crm.interaction("J20", "Z", "2026-01-15")
    before = kpis.report(load(crm), AS_OF)
    # records dated after as_of: a contact with a score and a todo, a complaint, a new customer, a todo
    # done late. (A record's current fields - stage, resolved - are today's state, not dated records.)
    crm.interaction("J21", "F", "2026-07-03", "satisfaction: 1", "todos: [{task: 补, due: 2026-06-01}]")
    crm.interaction("J22", "A", "2026-07-04", kind="complaint")
    crm.customer("NEW", since="2026-07-10", owner="hong")
    crm.interaction(
        "J8",
        "M",
        "2026-06-25",
        "satisfaction: 5",
        "todos: [{task: 方案, due: 2026-06-01, done: 2026-07-02}]",
        owner="hong",
    )
    after = kpis.report(load(crm), AS_OF)
    assert after == before
    assert kpis.report(load(crm), D("2026-07-25")) != before  # the changes do show later


def test_every_kpi_is_defined_and_titled() -> None:
    names = [definition.name for definition in kpis.KPIS]
    assert len(names) == len(set(names)), "KPI names are unique"
    assert set(names) >= SPEC_KEYS
    for definition in kpis.KPIS:
        assert definition.definition.strip(), definition.name
        assert definition.title_zh.strip() and definition.title_en.strip(), definition.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in definition.title_zh), definition.name
        assert definition.unit in kpis.UNITS, definition.name
        assert definition.definition == definition.definition.strip() and "\n    " not in definition.definition


def test_kpis_register_in_display_order_and_refuse_duplicates() -> None:
    assert [definition.name for definition in kpis.KPIS][:2] == ["customers_total", "customers_by_stage"]
    with pytest.raises(ValueError, match="registered twice"):
        kpis.kpi("csat_avg", "score")
    with pytest.raises(ValueError, match="unit"):
        kpis.kpi("csat_avg", "percent")
    with pytest.raises(ValueError, match=r"no title in crmdata\.records\.vocabulary\.KPI_TITLES"):
        kpis.kpi("new_kpi", "count")


def test_empty_repository_gives_nulls_and_zeros(crm: DataRepo) -> None:
    report = kpis.report(load(crm), AS_OF)
    assert report["customers_total"] == 0
    assert report["followup_compliance"] is None and report["csat_avg"] is None
    assert report["customers_by_stage"] == dict.fromkeys(["prospecting", "active", "stable", "dormant", "churned"], 0)


# ---------------------------------------------------------------------------------------------------
# The committed demo data
# ---------------------------------------------------------------------------------------------------

DEMO_AS_OF = D("2026-11-24")


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return validate(PROJECT, LoadOptions(use_cache=False)).dataset


def test_demo_report(demo: Dataset) -> None:
    report = kpis.report(demo, DEMO_AS_OF)
    # counted independently by the data's author
    assert report["overdue_followups"] == 12
    assert report["silent_customers"] == 6
    assert report["overdue_todos"] == 17
    assert report["open_complaints"] == 6
    assert report["customers_total"] == len(demo.customers)
    json.dumps(report, ensure_ascii=False)


def test_context_agrees_with_the_schedule_on_the_demo(demo: Dataset) -> None:
    """The context gathers contacts, follow-ups and overdue todos itself, in one pass: same as schedule's."""
    for as_of in (DEMO_AS_OF, D("2026-03-31"), D("2025-08-15")):
        ctx = kpis.context(demo, as_of)
        existing = {c.id for c in ctx.customers}
        churned_later = {c.id for c in demo.customers if c.churned_on is not None and c.churned_on > as_of}
        # schedule plans by the recorded stage; the context also plans customers that churned only later
        expected = [p for p in schedule.followups(demo, as_of) if p.customer in existing]
        assert [p for p in ctx.followups if p.customer not in churned_later] == expected
        assert ctx.overdue_todos == schedule.overdue_todos(demo, as_of)
        assert dict(ctx.contacts) == dict(schedule.contacts_by_customer(demo.interactions, as_of))


def test_lists_gathered_in_one_pass_are_what_the_context_would_select(demo: Dataset) -> None:
    full = kpis.context(demo, DEMO_AS_OF)
    for ctx in [full, *(kpis.context(demo, DEMO_AS_OF, owner) for owner in kpis.team_members(demo))]:
        fresh = dataclasses.replace(ctx)  # a copy without the cached lists: they are computed anew
        assert "rated" not in fresh.__dict__
        assert ctx.interactions_12m == fresh.interactions_12m
        assert ctx.rated == fresh.rated
        assert ctx.complaints == fresh.complaints


def test_facts_gathered_in_one_pass_are_what_the_context_would_compute(demo: Dataset) -> None:
    """The pass over the interactions also fills facts, logged and due_todos_on_time: as computed anew."""
    for as_of in (DEMO_AS_OF, D("2026-03-31")):
        full = kpis.context(demo, as_of)
        for ctx in [full, *(kpis.context(demo, as_of, owner) for owner in kpis.team_members(demo))]:
            fresh = dataclasses.replace(ctx)  # a copy without the cached lists: they are computed anew
            assert "facts" not in fresh.__dict__ and "logged" not in fresh.__dict__
            assert ctx.facts == fresh.facts
            assert ctx.logged == fresh.logged
            assert ctx.due_todos_on_time == fresh.due_todos_on_time


def test_report_by_owner_is_each_owner_computed_alone(crm: DataRepo, demo: Dataset) -> None:
    """report() builds every owner's context in the pass that builds the team's: as one owner's alone."""
    _mixed_team(crm)
    for ds, as_of in ((load(crm), AS_OF), (demo, DEMO_AS_OF)):
        by_owner = table(kpis.report(ds, as_of)["by_owner"])
        assert list(by_owner) == kpis.team_members(ds)
        for owner in kpis.team_members(ds):
            assert by_owner[owner] == kpis.compute(ds, as_of, owner), owner


def test_months_after_a_leap_day_start_on_the_first(crm: DataRepo) -> None:
    crm.customer("A", since="2020-01-01")
    crm.interaction("J1", "A", "2023-04-01", channel="email")
    # as_of 2024-03-31: the 12 months are 2023-04 … 2024-03; as_of - 365 days is 2023-04-01 (2024-02-29 lies
    # between), so 2023-04-01 is outside "the last 365 days" but inside the month 2023-04: it is counted.
    result = table(kpi(crm, "interactions_by_month", D("2024-03-31")))
    assert next(iter(result)) == "2023-04"
    assert result["2023-04"]["email"] == 1


def test_contacts_out_of_file_order_are_ordered_by_day_then_id(crm: DataRepo) -> None:
    crm.customer("A")
    crm.interaction("J3", "A", "2026-06-01")
    crm.interaction("J1", "A", "2026-06-20")
    crm.interaction("J2", "A", "2026-06-20")  # same day as J1: the larger id is the latest contact
    crm.interaction("J0", "A", "2026-06-25", kind="care")
    ds = load(crm)
    ctx = kpis.context(ds, AS_OF)
    assert [contact.id for contact in ctx.contacts["A"]] == ["J3", "J1", "J2"]
    assert dict(ctx.contacts) == dict(schedule.contacts_by_customer(ds.interactions, AS_OF))
    # gaps: 06-01 → 06-20 = 19 (on time), 06-20 → 06-20 = 0 (on time)
    assert [(gap.later, gap.on_time) for gap in ctx.gaps] == [(D("2026-06-20"), True), (D("2026-06-20"), True)]
