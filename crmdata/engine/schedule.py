"""Who must be contacted when, and why: the follow-up semantics of the contract, as pure functions
(site_builder/help/contract.md §3).

Everything here is a function of (dataset, as_of): no clock, no files. Interactions dated after `as_of`
are ignored everywhere, so any past day can be reproduced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from crmdata.records.dataset import Dataset
from crmdata.records.models import Customer, Interaction, InteractionKind, Policy, Stage, Value


class Reason(StrEnum):
    """Why a follow-up is due when it is."""

    FIRST_CONTACT = "first_contact"
    CADENCE = "cadence"
    PROMISED = "promised"


class Status(StrEnum):
    """Where a follow-up stands on `as_of`."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"


class Freshness(StrEnum):
    """A traffic light for how recent the last contact is, measured against the customer's interval."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    GREY = "grey"


@dataclass(frozen=True)
class FollowUp:
    """The next follow-up of one customer, with everything needed to explain it."""

    customer: str
    name: str
    owner: str
    due: date
    reason: Reason
    status: Status
    days_overdue: int
    silent: bool
    last_contact: date | None
    interval_days: int
    freshness: Freshness


def followup_json(plan: FollowUp) -> dict[str, object]:
    """The contract's follow-up object (site_builder/help/contract.md §4), as `crm due --format json` lists
    it and `crm diff --format json` shows it before and after a change."""
    return {
        "customer": plan.customer,
        "name": plan.name,
        "owner": plan.owner,
        "due": plan.due.isoformat(),
        "reason": plan.reason.value,
        "status": plan.status.value,
        "days_overdue": plan.days_overdue,
        "silent": plan.silent,
        "last_contact": plan.last_contact.isoformat() if plan.last_contact else None,
        "interval_days": plan.interval_days,
        "freshness": plan.freshness.value,
    }


@dataclass(frozen=True)
class OverdueTodo:
    """A promise made in a conversation, not kept by its due date."""

    interaction: str
    customer: str
    task: str
    owner: str
    due: date
    days_overdue: int


def todo_json(todo: OverdueTodo) -> dict[str, object]:
    """The contract's overdue-todo object (§4), as `crm due --format json` lists it."""
    return {
        "interaction": todo.interaction,
        "customer": todo.customer,
        "task": todo.task,
        "owner": todo.owner,
        "due": todo.due.isoformat(),
        "days_overdue": todo.days_overdue,
    }


def contacts_by_customer(interactions: Iterable[Interaction], as_of: date) -> dict[str, list[Interaction]]:
    """Each customer's contacts (interactions that are not `care`) up to `as_of`, oldest first.

    Order is by day, ties broken by id, so the last element is the contract's "latest contact".
    """
    contacts: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        if interaction.day <= as_of and interaction.kind is not InteractionKind.CARE:
            contacts[interaction.customer].append(interaction)
    for history in contacts.values():
        history.sort(key=lambda contact: (contact.day, contact.id))
    return contacts


def is_new(customer: Customer, policy: Policy, as_of: date) -> bool:
    """New: `since` is set and 0 <= as_of - since < policy.new_customer_days."""
    return customer.since is not None and 0 <= (as_of - customer.since).days < policy.new_customer_days


def interval_days(customer: Customer, policy: Policy, as_of: date) -> int:
    """The customer's own `cadence_days`, else the smallest interval among the rules that apply."""
    if customer.cadence_days is not None:
        return customer.cadence_days
    stage_interval = policy.cadence_days.for_stage(customer.stage)
    candidates = [stage_interval] if stage_interval is not None else []
    if is_new(customer, policy, as_of):
        candidates.append(policy.new_cadence_days)
    if customer.value is Value.HIGH:
        candidates.append(policy.high_value_cadence_days)
    return min(candidates) if candidates else policy.cadence_days.active


def freshness(last_contact: date | None, interval: int, as_of: date) -> Freshness:
    """green: the last contact is under 3/4 of the interval old; yellow: up to the full interval;
    red: older than the interval; grey: no contact at all."""
    if last_contact is None:
        return Freshness.GREY
    age = (as_of - last_contact).days
    if age * 4 < interval * 3:
        return Freshness.GREEN
    return Freshness.YELLOW if age <= interval else Freshness.RED


def last_days_promise(contacts: list[Interaction]) -> date | None:
    """The earliest `next_followup` among the contacts of the last contact day (contract §3).

    A second call on the same day keeps the first call's promise: a promise is dropped only by a contact on
    a later day. `contacts` is sorted by day, so the last day's contacts are at the end.
    """
    if not contacts:
        return None
    last_day = contacts[-1].day
    promises = []
    for contact in reversed(contacts):
        if contact.day != last_day:
            break
        if contact.next_followup is not None:
            promises.append(contact.next_followup)
    return min(promises, default=None)


def due_status(due: date, as_of: date, policy: Policy) -> Status:
    """overdue when due < as_of; due_soon when due <= as_of + policy.due_soon_days; else ok (contract §3).

    The one rule for everything with a due day: follow-ups, plan occurrences, renewals."""
    if due < as_of:
        return Status.OVERDUE
    if due <= as_of + timedelta(days=policy.due_soon_days):
        return Status.DUE_SOON
    return Status.OK


def follow_up(customer: Customer, contacts: list[Interaction], policy: Policy, as_of: date) -> FollowUp:
    """The next follow-up of one non-churned customer, given its contacts up to `as_of` (oldest first)."""
    latest = contacts[-1] if contacts else None
    last_contact = latest.day if latest is not None else None
    interval = interval_days(customer, policy, as_of)
    since = customer.since
    contacted_since = latest is not None and (since is None or latest.day >= since)  # contacts are sorted
    if since is None and latest is None:
        due, reason = as_of, Reason.FIRST_CONTACT
    elif not contacted_since:
        assert since is not None
        due, reason = since + timedelta(days=policy.first_contact_days), Reason.FIRST_CONTACT
    else:
        assert latest is not None and last_contact is not None
        due, reason = last_contact + timedelta(days=interval), Reason.CADENCE
        promise = last_days_promise(contacts)
        if promise is not None and promise < due:
            due, reason = promise, Reason.PROMISED
    status = due_status(due, as_of, policy)
    if last_contact is not None:
        silent = (as_of - last_contact).days >= policy.silent_after_days
    else:
        silent = since is not None and (as_of - since).days >= policy.silent_after_days
    return FollowUp(
        customer=customer.id,
        name=customer.name,
        owner=customer.owner,
        due=due,
        reason=reason,
        status=status,
        days_overdue=max(0, (as_of - due).days),
        silent=silent,
        last_contact=last_contact,
        interval_days=interval,
        freshness=freshness(last_contact, interval, as_of),
    )


def followups(ds: Dataset, as_of: date) -> list[FollowUp]:
    """The follow-up of every customer whose stage is not churned, sorted by due date then customer id."""
    policy = ds.config.policy if ds.config is not None else Policy()
    contacts = contacts_by_customer(ds.interactions, as_of)
    plans = [
        follow_up(customer, contacts.get(customer.id, []), policy, as_of)
        for customer in ds.customers
        if customer.stage is not Stage.CHURNED
    ]
    return sorted(plans, key=lambda plan: (plan.due, plan.customer))


def churned_ids(ds: Dataset) -> frozenset[str]:
    """Ids of the customers whose stage is churned: no follow-up and no overdue todo is computed for them."""
    return frozenset(customer.id for customer in ds.customers if customer.stage is Stage.CHURNED)


def overdue_todos(ds: Dataset, as_of: date) -> list[OverdueTodo]:
    """Todos of conversations up to `as_of` that are open on `as_of` (no `done`, or done later) and
    were due before it, of customers whose stage is not churned (contract §3: a churned customer is out of every
    follow-up, its old promises included); sorted by due date, then interaction id."""
    churned = churned_ids(ds)
    found = []
    for interaction in ds.interactions:
        if interaction.day > as_of or interaction.customer in churned:
            continue
        for todo in interaction.todos:
            still_open = todo.done is None or todo.done > as_of
            if still_open and todo.due < as_of:
                found.append(
                    OverdueTodo(
                        interaction=interaction.id,
                        customer=interaction.customer,
                        task=todo.task,
                        owner=todo.owner or interaction.owner,
                        due=todo.due,
                        days_overdue=(as_of - todo.due).days,
                    )
                )
    return sorted(found, key=lambda todo: (todo.due, todo.interaction, todo.task))


def open_complaints(ds: Dataset, as_of: date) -> list[Interaction]:
    """Complaints dated on or before `as_of` without `resolved` (the contract's definition, §3), oldest first."""
    complaints = [
        interaction
        for interaction in ds.interactions
        if interaction.kind is InteractionKind.COMPLAINT and interaction.day <= as_of and interaction.resolved is None
    ]
    return sorted(complaints, key=lambda complaint: (complaint.day, complaint.id))
