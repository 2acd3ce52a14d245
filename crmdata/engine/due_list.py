"""Everything due for a team, or for one of its members, on a day: what `crm due` lists and its JSON.

Follow-ups and overdue todos (contract §3), and (v2) each plan's current occurrence, the contracts up for
renewal and the overdue payments (§2). One builder, so the terminal, the JSON and anything that sends the
list elsewhere show the same items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from crmdata.engine.contracts import PaymentDue, RenewalDue, overdue_payments, payment_json, renewal_json, renewals_due
from crmdata.engine.plans import PlanDue, plan_due_json, plans_due
from crmdata.engine.schedule import FollowUp, OverdueTodo, followup_json, followups, overdue_todos, todo_json
from crmdata.records.dataset import Dataset


@dataclass(frozen=True)
class DueList:
    """What is due on `as_of`, each list sorted by due then id (todos: then interaction, task)."""

    as_of: date
    followups: list[FollowUp]
    """Every non-churned customer's follow-up, due or not (the text shows the due ones unless --all)."""
    todos: list[OverdueTodo]
    plans: list[PlanDue]
    """The current occurrence of every plan that plans something, whatever its status."""
    renewals: list[RenewalDue]
    """Every contract up for renewal, whatever its status."""
    payments: list[PaymentDue]
    """Overdue payments only."""


def due_list(ds: Dataset, as_of: date, owner: str | None = None) -> DueList:
    """Everything due on `as_of`; with `owner`, only what that team member owns (a follow-up by the
    customer's owner, a todo by its own owner, a plan or contract by the record's owner)."""

    def mine(item: FollowUp | OverdueTodo | PlanDue | RenewalDue | PaymentDue) -> bool:
        return owner is None or item.owner == owner

    return DueList(
        as_of=as_of,
        followups=[item for item in followups(ds, as_of) if mine(item)],
        todos=[item for item in overdue_todos(ds, as_of) if mine(item)],
        plans=[item for item in plans_due(ds, as_of) if mine(item)],
        renewals=[item for item in renewals_due(ds, as_of) if mine(item)],
        payments=[item for item in overdue_payments(ds, as_of) if mine(item)],
    )


def due_list_json(due: DueList) -> dict[str, object]:
    """`crm due --format json` (contract §4): as_of, followups, todos, and (v2) plans, renewals, payments."""
    return {
        "as_of": due.as_of.isoformat(),
        "followups": [followup_json(item) for item in due.followups],
        "todos": [todo_json(item) for item in due.todos],
        "plans": [plan_due_json(item) for item in due.plans],
        "renewals": [renewal_json(item) for item in due.renewals],
        "payments": [payment_json(item) for item in due.payments],
    }
