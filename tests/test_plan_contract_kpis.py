"""The v2 KPIs of plans and contracts (SPEC §4), each checked against a worked example, team and per owner.

as_of is 2026-06-30: the last 365 days are 2025-06-30 < day <= 2026-06-30, the last 90 days
2026-04-01 < day <= 2026-06-30 (April 30 + May 31 + June 29 = 90). Default notice: 60 days; due soon: 7.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from crmdata.engine import kpis
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo, run_crm

AS_OF = date(2026, 6, 30)
KEYS = (
    "plans_overdue",
    "plan_completion_rate_90d",
    "contract_value_12m",
    "renewals_due",
    "renewal_rate_12m",
    "receivables_overdue",
)


@pytest.fixture
def books(repo: DataRepo) -> DataRepo:
    """ming's customer KH-2024001 and hong's KH-2024002, with their plans and contracts."""
    repo.customer("KH-2024002", owner="hong")
    # ming, monthly from 03-15: occurrences 03-15, 04-15, 05-15, 06-15. Carried out 03-15, 04-14 (on time
    # for 04-15), 05-20 (late for 05-15); 06-15 is current and overdue. Due in the last 90 days: 04-15,
    # 05-15, 06-15, one of three on time.
    repo.plan("JH-2026001", "KH-2024001", date="2026-03-15")
    for iid, day in [("JL-2026001", "2026-03-15"), ("JL-2026002", "2026-04-14"), ("JL-2026003", "2026-05-20")]:
        repo.interaction(iid, "KH-2024001", day, plan="JH-2026001")
    repo.plan("JH-2026002", "KH-2024002", cycle="once", date="2026-07-10", owner="hong")  # not due yet: ok
    repo.plan("JH-2026003", "KH-2024002", owner="hong", date="2026-01-05", status="cancelled")
    # ming's HT-2025001: signed 2025-07-01 (in the year), ends 06-30 (in the year), not renewed: its
    # renewal was due 06-30 - 60 = 05-01, overdue; its second payment (06-01) is not paid: overdue.
    repo.contract(
        "HT-2025001",
        "KH-2024001",
        "payments:\n  - {due: 2025-12-31, amount: 60000, paid_on: 2026-01-05}\n  - {due: 2026-06-01, amount: 60000}",
        signed_on="2025-07-01",
        start="2025-07-01",
        end="2026-06-30",
    )
    # ming's HT-2025002 ended 2026-04-30 but was terminated on 03-01: no renewal, not in the renewal rate
    repo.contract("HT-2025002", "KH-2024001", start="2025-03-01", end="2026-04-30", terminated_on="2026-03-01")
    # hong's HT-2025003 (2025, start 2025-01-01: signed before the year) ended 2025-12-31 and was renewed
    # by HT-2026001, signed 2025-12-20 (in the year) for 55000.5
    repo.contract("HT-2025003", "KH-2024002", owner="hong", start="2025-01-01", end="2025-12-31", amount="50000")
    repo.contract(
        "HT-2026001",
        "KH-2024002",
        owner="hong",
        renews="HT-2025003",
        signed_on="2025-12-20",
        start="2026-01-01",
        end="2026-12-31",
        amount="55000.5",
    )
    # hong's HT-2026002 in dollars, open-ended: out of the yuan sums, its overdue payment too
    repo.contract(
        "HT-2026002",
        "KH-2024002",
        "payments:\n  - {due: 2026-03-01, amount: 10000}",
        owner="hong",
        currency="USD",
        signed_on="2026-02-01",
        start="2026-02-01",
        end=None,
        amount="10000",
    )
    return repo


def figures(values: dict[str, object]) -> dict[str, object]:
    return {key: values[key] for key in KEYS}


def test_the_plan_and_contract_kpis_of_the_team_and_of_each_owner(books: DataRepo) -> None:
    outcome = validate(books.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    report = kpis.report(outcome.dataset, AS_OF)
    assert figures(report) == {
        "plans_overdue": 1,  # JH-2026001's 06-15
        "plan_completion_rate_90d": round(1 / 3, 4),
        "contract_value_12m": 175000.5,  # 120000 (HT-2025001) + 55000.5 (HT-2026001); the dollars left out
        "renewals_due": 1,  # HT-2025001 (overdue); HT-2026001's renewal is due 2026-11-01: ok
        "renewal_rate_12m": 0.5,  # HT-2025001 not renewed, HT-2025003 renewed; HT-2025002 terminated
        "receivables_overdue": 60000,  # HT-2025001's second payment; the dollars left out
    }
    by_owner = report["by_owner"]
    assert isinstance(by_owner, dict)
    assert figures(by_owner["ming"]) == {
        "plans_overdue": 1,
        "plan_completion_rate_90d": round(1 / 3, 4),
        "contract_value_12m": 120000,
        "renewals_due": 1,
        "renewal_rate_12m": 0.0,
        "receivables_overdue": 60000,
    }
    assert figures(by_owner["hong"]) == {
        "plans_overdue": 0,
        "plan_completion_rate_90d": None,  # nothing of hong's was due in the 90 days
        "contract_value_12m": 55000.5,
        "renewals_due": 0,
        "renewal_rate_12m": 1.0,
        "receivables_overdue": 0,
    }
    assert figures(kpis.compute(outcome.dataset, AS_OF, "hong")) == figures(by_owner["hong"])


def test_an_empty_repository_has_zeros_and_nulls(empty_repo: DataRepo) -> None:
    outcome = validate(empty_repo.root, LoadOptions(use_cache=False))
    assert figures(kpis.compute(outcome.dataset, AS_OF)) == {
        "plans_overdue": 0,
        "plan_completion_rate_90d": None,
        "contract_value_12m": 0,
        "renewals_due": 0,
        "renewal_rate_12m": None,
        "receivables_overdue": 0,
    }


def test_crm_kpi_shows_amounts_in_the_default_currency_and_json_as_plain_numbers(books: DataRepo) -> None:
    shown = run_crm("kpi", "--as-of", "2026-06-30", cwd=books.root)
    assert shown.returncode == 0, shown.stderr
    line = next(line for line in shown.stdout.splitlines() if "contract_value_12m" in line)
    assert line.split()[0] == "12个月签约额" and line.endswith("¥17.5万")  # 175000.5 = 17.50005万
    assert next(line for line in shown.stdout.splitlines() if "receivables_overdue" in line).endswith("¥60,000")
    as_json = run_crm("kpi", "--as-of", "2026-06-30", "--format", "json", cwd=books.root)
    payload = json.loads(as_json.stdout)
    assert payload["contract_value_12m"] == 175000.5 and payload["by_owner"]["hong"]["renewal_rate_12m"] == 1.0
