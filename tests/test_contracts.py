"""Contracts (SPEC v2 §2): renewals due and payments overdue, as of a day.

Every expected day is worked out by hand beside it. The builder's contract runs 2024-01-01 .. 2024-12-31;
the default notice is 60 days: 2024-12-31 - 60 days = 2024-11-01 (Dec 1 is 30 days back, Nov 1 is 60).
Policy defaults: due_soon_days 7.
"""

from __future__ import annotations

from datetime import date

import pytest

from crmdata.engine.contracts import PaymentDue, RenewalDue, overdue_payments, renewals_due
from crmdata.engine.schedule import Status
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DEFAULT_CONFIG, DataRepo

D = date.fromisoformat

PAYMENTS = """\
payments:
  - {due: 2024-03-31, amount: 60000, paid_on: 2024-03-28}
  - {due: 2024-06-30, amount: 40000, paid_on: 2024-07-20}
  - {due: 2024-09-30, amount: 20000}
"""
"""Paid early, paid late, not paid."""


def load(repo: DataRepo) -> Dataset:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    return outcome.dataset


def renewals(repo: DataRepo, as_of: str) -> dict[str, RenewalDue]:
    return {renewal.contract_id: renewal for renewal in renewals_due(load(repo), D(as_of))}


def overdue(repo: DataRepo, as_of: str) -> list[tuple[str, str, float, int]]:
    found = overdue_payments(load(repo), D(as_of))
    return [(p.contract_id, p.due.isoformat(), p.amount, p.days_overdue) for p in found]


@pytest.fixture
def crm(repo: DataRepo) -> DataRepo:
    repo.contract("HT-2024001", "KH-2024001")
    return repo


@pytest.mark.parametrize(
    ("as_of", "status", "days_overdue"),
    [
        ("2024-10-01", Status.OK, 0),  # 11-01 > 10-01 + 7
        ("2024-10-28", Status.DUE_SOON, 0),  # 11-01 <= 10-28 + 7 = 11-04
        ("2024-11-05", Status.OVERDUE, 4),  # 11-05 - 11-01
    ],
)
def test_a_contract_with_an_end_is_up_for_renewal_notice_days_before_it(
    crm: DataRepo, as_of: str, status: Status, days_overdue: int
) -> None:
    assert renewals(crm, as_of) == {
        "HT-2024001": RenewalDue(
            contract_id="HT-2024001",
            customer="KH-2024001",
            owner="ming",
            end=D("2024-12-31"),
            due=D("2024-11-01"),
            status=status,
            days_overdue=days_overdue,
        )
    }


def test_the_notice_is_the_contracts_own_else_the_policys(crm: DataRepo) -> None:
    crm.config(DEFAULT_CONFIG + "policy: {renewal_notice_days: 90}\n")
    assert renewals(crm, "2024-09-01")["HT-2024001"].due == D("2024-10-02")  # 12-31 - 90: 11-01 - 30
    crm.contract("HT-2024001", "KH-2024001", renewal_notice_days="30")
    assert renewals(crm, "2024-09-01")["HT-2024001"].due == D("2024-12-01")  # 12-31 - 30


def test_a_renewed_contract_is_not_up_for_renewal_from_the_day_the_renewal_is_signed(crm: DataRepo) -> None:
    crm.contract(
        "HT-2025001", "KH-2024001", renews="HT-2024001", signed_on="2024-11-20", start="2025-01-01", end="2025-12-31"
    )
    before = renewals(crm, "2024-11-10")
    assert set(before) == {"HT-2024001"} and before["HT-2024001"].days_overdue == 9  # the renewal is not signed yet
    after = renewals(crm, "2024-11-25")
    assert set(after) == {"HT-2025001"}
    assert (after["HT-2025001"].due, after["HT-2025001"].status) == (D("2025-11-01"), Status.OK)


def test_a_terminated_contract_is_not_up_for_renewal_from_its_termination(crm: DataRepo) -> None:
    crm.contract("HT-2024001", "KH-2024001", terminated_on="2024-06-30")
    assert set(renewals(crm, "2024-06-01")) == {"HT-2024001"}
    assert renewals(crm, "2024-11-05") == {}


def test_an_open_ended_contract_has_no_renewal(crm: DataRepo) -> None:
    crm.contract("HT-2024001", "KH-2024001", end=None)
    assert renewals(crm, "2030-01-01") == {}


def test_a_churned_customers_contracts_are_up_for_no_renewal(crm: DataRepo) -> None:
    crm.customer("KH-2024002", stage="churned", churned_on="2024-10-01")
    crm.contract("HT-2024002", "KH-2024002")
    assert set(renewals(crm, "2024-11-05")) == {"HT-2024001"}


def test_renewals_are_sorted_by_due_then_id(crm: DataRepo) -> None:
    crm.contract("HT-2024003", "KH-2024001", end="2024-12-31")
    crm.contract("HT-2024002", "KH-2024001", end="2024-11-30")
    assert list(renewals(crm, "2024-09-01")) == ["HT-2024002", "HT-2024001", "HT-2024003"]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2024-06-30", []),  # due 06-30 is not before as_of yet
        ("2024-07-10", [("HT-2024001", "2024-06-30", 40000, 10)]),  # paid later, on 07-20: overdue as of 07-10
        ("2024-07-20", []),  # paid on 07-20, on or before as_of
        ("2024-10-01", [("HT-2024001", "2024-09-30", 20000, 1)]),
    ],
)
def test_a_payment_is_overdue_when_due_before_as_of_and_not_paid_by_it(
    crm: DataRepo, as_of: str, expected: list[tuple[str, str, float, int]]
) -> None:
    crm.contract("HT-2024001", "KH-2024001", PAYMENTS)
    assert overdue(crm, as_of) == expected


def test_an_overdue_payment_carries_its_contracts_currency_else_crm_yamls(crm: DataRepo) -> None:
    crm.config(DEFAULT_CONFIG + "currency: USD\n")
    crm.contract("HT-2024001", "KH-2024001", PAYMENTS)
    crm.contract("HT-2024002", "KH-2024001", "payments:\n  - {due: 2024-09-30, amount: 500.5}\n", currency="EUR")
    assert overdue_payments(load(crm), D("2024-10-03")) == [
        PaymentDue("HT-2024001", "KH-2024001", "ming", D("2024-09-30"), 20000, "USD", 3),
        PaymentDue("HT-2024002", "KH-2024001", "ming", D("2024-09-30"), 500.5, "EUR", 3),
    ]


def test_a_churned_customers_unpaid_payments_are_still_overdue(crm: DataRepo) -> None:
    crm.customer("KH-2024002", stage="churned", churned_on="2024-08-01")
    crm.contract("HT-2024002", "KH-2024002", "payments:\n  - {due: 2024-09-30, amount: 100}\n")
    assert overdue(crm, "2024-10-01") == [("HT-2024002", "2024-09-30", 100, 1)]
