"""Contracts (合同 / 合作项目): which renewals are due and which payments are overdue, as of a day.

The contract (§2, contracts): a contract with an `end`, not terminated and not renewed by another contract
(`renews: ID`) is up for renewal; its renewal is due on `end - renewal_notice_days` (the record's, else
policy.renewal_notice_days, 60), with §3's status (overdue / due_soon / ok). A payment is overdue on as_of
when `due < as_of` and it has no `paid_on` on or before as_of.

As of a day, like everything in the engine: a contract counts from the day it was signed (`signed_on`; one
without `signed_on` counts from when it is written, since its `start` is when the work begins, which may
be after the signing), so a renewal signed after as_of does not renew yet, and a termination
(`terminated_on`) counts from its day. A churned customer's contracts are up for no renewal (the churn is
the answer, as its follow-ups are out of §3); its unpaid payments are still overdue: the money is owed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from crmdata.engine.schedule import Status, churned_ids, due_status
from crmdata.records.dataset import Dataset
from crmdata.records.models import Contract, Payment, Policy


@dataclass(frozen=True)
class RenewalDue:
    """A contract up for renewal on as_of: when it ends, when its renewal is to be followed up."""

    contract_id: str
    customer: str
    owner: str
    end: date
    due: date
    """end - the notice days (the contract's renewal_notice_days, else policy.renewal_notice_days)."""
    status: Status
    days_overdue: int


@dataclass(frozen=True)
class PaymentDue:
    """A payment overdue on as_of: due before it and not paid on or before it."""

    contract_id: str
    customer: str
    owner: str
    due: date
    amount: float
    currency: str
    days_overdue: int


def renewal_json(renewal: RenewalDue) -> dict[str, object]:
    """The contract's renewal object (§4, v2), as `crm due --format json` lists it."""
    return {
        "contract": renewal.contract_id,
        "customer": renewal.customer,
        "owner": renewal.owner,
        "end": renewal.end.isoformat(),
        "due": renewal.due.isoformat(),
        "status": renewal.status.value,
        "days_overdue": renewal.days_overdue,
    }


def payment_json(payment: PaymentDue) -> dict[str, object]:
    """The contract's overdue-payment object (§4, v2), as `crm due --format json` lists it; the amount a
    plain number in `currency`."""
    return {
        "contract": payment.contract_id,
        "customer": payment.customer,
        "owner": payment.owner,
        "due": payment.due.isoformat(),
        "amount": payment.amount,
        "currency": payment.currency,
        "days_overdue": payment.days_overdue,
    }


def signed_by(contract: Contract, as_of: date) -> bool:
    """Whether the contract existed on as_of: signed on or before it (without `signed_on`: always)."""
    return contract.signed_on is None or contract.signed_on <= as_of


def signed_day(contract: Contract) -> date:
    """The day a contract counts as signed in the KPIs: `signed_on`, else `start` (contract §4)."""
    return contract.signed_on if contract.signed_on is not None else contract.start


def renewed_ids(ds: Dataset, as_of: date) -> frozenset[str]:
    """Ids of the contracts renewed on as_of: named by the `renews` of a contract signed by then."""
    return frozenset(
        contract.renews for contract in ds.contracts if contract.renews is not None and signed_by(contract, as_of)
    )


def terminated_by(contract: Contract, as_of: date) -> bool:
    """Whether the contract was ended early on or before as_of."""
    return contract.terminated_on is not None and contract.terminated_on <= as_of


def renewal_of(contract: Contract, ds: Dataset, as_of: date, policy: Policy) -> RenewalDue | None:
    """The contract's renewal as of as_of when it has an `end`; None for an open-ended contract. Whether
    it is up for renewal at all (not renewed, not terminated) is renewals_due's to say."""
    if contract.end is None:
        return None
    due = contract.end - timedelta(days=contract.notice_days_in(ds.config))
    return RenewalDue(
        contract_id=contract.id,
        customer=contract.customer,
        owner=contract.owner,
        end=contract.end,
        due=due,
        status=due_status(due, as_of, policy),
        days_overdue=max(0, (as_of - due).days),
    )


def renewals_due(ds: Dataset, as_of: date) -> list[RenewalDue]:
    """Every contract up for renewal on as_of, whatever its status, sorted by due then contract id: signed
    by as_of, with an `end`, not terminated by as_of, not renewed by a contract signed by as_of, of a
    customer whose stage is not churned."""
    policy = ds.config.policy if ds.config is not None else Policy()
    renewed = renewed_ids(ds, as_of)
    churned = churned_ids(ds)
    found = []
    for contract in ds.contracts:
        if (
            contract.id in renewed
            or contract.customer in churned
            or terminated_by(contract, as_of)
            or not signed_by(contract, as_of)
        ):
            continue
        renewal = renewal_of(contract, ds, as_of, policy)
        if renewal is not None:
            found.append(renewal)
    return sorted(found, key=attrgetter("due", "contract_id"))


def unpaid_payments(ds: Dataset, as_of: date) -> Iterator[tuple[Contract, int, Payment]]:
    """(contract, index in its schedule, payment) of every payment not paid on or before as_of, overdue or
    still to come, in file order (the calendar feed shows the coming ones too)."""
    for contract in ds.contracts:
        for index, payment in enumerate(contract.payments):
            if payment.paid_on is None or payment.paid_on > as_of:
                yield contract, index, payment


def overdue_payments(ds: Dataset, as_of: date) -> list[PaymentDue]:
    """Payments overdue on as_of (due < as_of, no paid_on on or before as_of), sorted by due then contract
    id (then their order in the schedule)."""
    found = [
        PaymentDue(
            contract_id=contract.id,
            customer=contract.customer,
            owner=contract.owner,
            due=payment.due,
            amount=payment.amount,
            currency=contract.currency_in(ds.config),
            days_overdue=(as_of - payment.due).days,
        )
        for contract, _, payment in unpaid_payments(ds, as_of)
        if payment.due < as_of
    ]
    return sorted(found, key=attrgetter("due", "contract_id"))
