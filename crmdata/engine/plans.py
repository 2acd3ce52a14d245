"""Maintenance plans (客户维护计划表): when each occurrence falls, which were carried out, what is due now.

The contract (§2, plans): occurrences are `date`, then `date` + 1, 2, … cycles. Calendar months for
monthly/quarterly/yearly, each computed from `date` itself with the day clipped to the month's end, so a
plan from 01-31 falls on 02-28 (02-29 in a leap year), then 03-31 again: clipping never drifts. Each
interaction with `plan: ID` dated on or before as_of, in date order, carries out the earliest occurrence not
yet carried out — one logged early, before its day, too: the handbook's 已完成 is a conversation logged
with `plan:`. The *current* occurrence is the earliest one not carried out; its due day is `postponed_to`
when that is later (顺延至), else the occurrence's own day; its status is §3's (overdue / due_soon / ok). A
`once` plan whose occurrence is carried out is done; a cancelled plan plans nothing; a churned customer's
plans are out of the list, as its follow-ups and todos are (§3).

Everything is a pure function of (dataset, as_of): interactions after as_of are ignored.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import count
from operator import attrgetter

from crmdata.engine.schedule import Status, churned_ids, due_status
from crmdata.records.dataset import Dataset
from crmdata.records.models import Interaction, Plan, PlanCycle, PlanStatus, Policy

CYCLE_MONTHS = {PlanCycle.MONTHLY: 1, PlanCycle.QUARTERLY: 3, PlanCycle.YEARLY: 12}
"""The calendar months between two occurrences of a plan that recurs by months."""
WEEK = timedelta(days=7)
COMPLETION_WINDOW_DAYS = 90
"""plan_completion_rate's default window: the occurrences due in the last 90 days."""


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, the day clipped to the month's end (01-31 + 1 month = 02-28)."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def nth_occurrence(plan: Plan, index: int) -> date | None:
    """The plan's occurrence number `index` (0 is `date`), computed from `date`; None past a `once` plan's
    only occurrence (and for a day past the calendar's end, year 9999)."""
    try:
        if plan.cycle is PlanCycle.ONCE:
            return plan.date if index == 0 else None
        if plan.cycle is PlanCycle.WEEKLY:
            return plan.date + index * WEEK
        return add_months(plan.date, index * CYCLE_MONTHS[plan.cycle])
    except (OverflowError, ValueError):
        return None


def plan_occurrences(plan: Plan) -> Iterator[date]:
    """Every occurrence of the plan in order: `date`, then `date` + 1, 2, … cycles (one for `once`).

    A recurring plan's occurrences do not end (up to the calendar's end): take what you need."""
    for index in count():
        occurrence = nth_occurrence(plan, index)
        if occurrence is None:
            return
        yield occurrence


def first_index_after(plan: Plan, day: date) -> int:
    """The index of the plan's first occurrence after `day` (for a `once` plan past it: 1, none left).

    Worked out from the cycle, not by walking the occurrences: a weekly plan of ten years has 520."""
    if day < plan.date:
        return 0
    if plan.cycle is PlanCycle.ONCE:
        return 1
    if plan.cycle is PlanCycle.WEEKLY:
        return (day - plan.date).days // 7 + 1
    step = CYCLE_MONTHS[plan.cycle]
    months = (day.year - plan.date.year) * 12 + day.month - plan.date.month
    index = max(0, months // step - 1)
    while True:
        occurrence = nth_occurrence(plan, index)
        if occurrence is None or occurrence > day:
            return index
        index += 1


@dataclass(frozen=True)
class PlanDue:
    """The current occurrence of one plan on as_of: what to talk about (goal, content), when, and how late."""

    plan_id: str
    customer: str
    owner: str
    goal: str
    content: tuple[str, ...]
    occurrence: date
    """The planned day of the current occurrence (the earliest not carried out)."""
    due: date
    """`postponed_to` when later than the occurrence, else the occurrence."""
    status: Status
    days_overdue: int
    postponed: bool
    """Whether the due day is the occurrence's postponed_to."""
    carried_out: int
    """How many occurrences were carried out by as_of (conversations with `plan:` up to as_of)."""


def plan_due_json(due: PlanDue) -> dict[str, object]:
    """The contract's plan object (§4, v2), as `crm due --format json` lists it; `occurrence`,
    `postponed`, `carried_out` and `content` are additions."""
    return {
        "plan": due.plan_id,
        "customer": due.customer,
        "owner": due.owner,
        "goal": due.goal,
        "due": due.due.isoformat(),
        "status": due.status.value,
        "days_overdue": due.days_overdue,
        "occurrence": due.occurrence.isoformat(),
        "postponed": due.postponed,
        "carried_out": due.carried_out,
        "content": list(due.content),
    }


def carried_out_days(interactions: Iterable[Interaction], as_of: date) -> dict[str, list[date]]:
    """plan id -> the days of the conversations with `plan:` up to as_of, in date order: the k-th carries
    out the plan's k-th occurrence (ties on a day in id order; they carry out one occurrence each)."""
    found: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        if interaction.plan is not None and interaction.day <= as_of:
            found[interaction.plan].append(interaction)
    return {
        plan_id: [interaction.day for interaction in sorted(items, key=attrgetter("day", "id"))]
        for plan_id, items in found.items()
    }


def _policy(ds: Dataset) -> Policy:
    return ds.config.policy if ds.config is not None else Policy()


def planning(ds: Dataset) -> list[Plan]:
    """The plans that plan something: not cancelled, of a customer whose stage is not churned."""
    churned = churned_ids(ds)
    return [plan for plan in ds.plans if plan.status is PlanStatus.ACTIVE and plan.customer not in churned]


def plan_due(plan: Plan, carried: Sequence[date], as_of: date, policy: Policy) -> PlanDue | None:
    """The plan's current occurrence on as_of given the days its occurrences were carried out; None when
    nothing is left (a `once` plan carried out)."""
    occurrence = nth_occurrence(plan, len(carried))
    if occurrence is None:
        return None
    postponed = plan.postponed_to is not None and plan.postponed_to > occurrence
    due = plan.postponed_to if postponed and plan.postponed_to is not None else occurrence
    return PlanDue(
        plan_id=plan.id,
        customer=plan.customer,
        owner=plan.owner,
        goal=plan.goal,
        content=tuple(plan.content),
        occurrence=occurrence,
        due=due,
        status=due_status(due, as_of, policy),
        days_overdue=max(0, (as_of - due).days),
        postponed=postponed,
        carried_out=len(carried),
    )


def plans_due(ds: Dataset, as_of: date) -> list[PlanDue]:
    """The current occurrence of every plan that plans something and is not done, sorted by due then id."""
    policy = _policy(ds)
    carried = carried_out_days(ds.interactions, as_of)
    found = []
    for plan in planning(ds):
        due = plan_due(plan, carried.get(plan.id, []), as_of, policy)
        if due is not None:
            found.append(due)
    return sorted(found, key=attrgetter("due", "plan_id"))


def _moved_index(plan: Plan, carried_count: int) -> int | None:
    """The index of the occurrence `postponed_to` moves: the current one when postponed_to is later than
    it (the contract's rule); once the current one is past postponed_to, the last occurrence before
    postponed_to (carried out since: the occurrence the customer's trip moved)."""
    moved_to = plan.postponed_to
    if moved_to is None:
        return None
    current = nth_occurrence(plan, carried_count)
    if current is not None and current < moved_to:
        return carried_count
    last_before = first_index_after(plan, moved_to - timedelta(days=1)) - 1
    return last_before if last_before >= 0 else None


def occurrences_due_between(plan: Plan, carried: Sequence[date], start: date, end: date) -> Iterator[tuple[date, bool]]:
    """(due day, carried out by it) of each occurrence of the plan due in start < due <= end.

    The k-th conversation carries out the k-th occurrence; it is on time when dated on or before that
    occurrence's due day (its day, or postponed_to for the occurrence postponed_to moves)."""
    moved = _moved_index(plan, len(carried))
    indexes = set(range(first_index_after(plan, start), first_index_after(plan, end)))
    if moved is not None:
        indexes.add(moved)
    for index in sorted(indexes):
        occurrence = nth_occurrence(plan, index)
        if occurrence is None:
            continue
        due = plan.postponed_to if index == moved and plan.postponed_to is not None else occurrence
        if start < due <= end:
            yield due, index < len(carried) and carried[index] <= due


def completion_counts(
    plans: Iterable[Plan], carried: Mapping[str, Sequence[date]], as_of: date, days: int = COMPLETION_WINDOW_DAYS
) -> tuple[int, int]:
    """(occurrences carried out by their due day, occurrences due) in the last `days` days, over `plans`."""
    on_time = total = 0
    start = as_of - timedelta(days=days)
    for plan in plans:
        for _, kept in occurrences_due_between(plan, carried.get(plan.id, ()), start, as_of):
            total += 1
            on_time += kept
    return on_time, total


def plan_completion_rate(ds: Dataset, as_of: date, days: int = COMPLETION_WINDOW_DAYS) -> float | None:
    """Of the occurrences due in the last `days` days (as_of - days < due <= as_of) of the plans that plan
    something, the share carried out by their due day; None when none was due."""
    on_time, total = completion_counts(planning(ds), carried_out_days(ds.interactions, as_of), as_of, days)
    return round(on_time / total, 4) if total else None
