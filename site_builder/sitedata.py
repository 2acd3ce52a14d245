"""Everything the pages show, computed once from (dataset, as_of) by the engine in crmdata.

Pages only read this; nothing here renders. One pass per concern (follow-ups, segments, KPIs, care
moments), then indexes by customer and by owner so that 10,000 customer pages cost a dictionary lookup
each, not a scan. The customers' change history comes from git (crmdata.git.history), the one thing read
beyond the dataset.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cached_property
from typing import TypeVar

from crmdata.engine import kpis
from crmdata.engine.care import CareMoment, care_moments
from crmdata.engine.contracts import PaymentDue, RenewalDue, overdue_payments, renewals_due
from crmdata.engine.pipeline import Pipeline, pipeline, win_rate
from crmdata.engine.plans import PlanDue, plans_due
from crmdata.engine.schedule import (
    FollowUp,
    OverdueTodo,
    Status,
    churned_ids,
    followups,
    open_complaints,
    overdue_todos,
)
from crmdata.engine.segments import (
    CustomerFacts,
    Segment,
    customer_facts,
    segment_description,
    segment_title,
    segments,
)
from crmdata.engine.value import suggested_values
from crmdata.git.field_history import FieldHistory, FieldMove, stage_entered
from crmdata.git.history import CustomerHistory, History, changes_by_customer, read_history
from crmdata.records.dataset import Dataset
from crmdata.records.models import (
    Contract,
    CrmConfig,
    Customer,
    Interaction,
    Opportunity,
    OpportunityStage,
    Plan,
    Policy,
    Stage,
    Value,
)
from crmdata.records.models.fields import DEFAULT_CURRENCY
from crmdata.records.problems import Problem
from crmdata.records.vocabulary import phrase
from site_builder.claims import Claims
from site_builder.labels import Labels
from site_builder.past_kpis import PastKpis, trend_days

TREND_DAYS = (30, 90)
"""KPIs are also computed this many days before as_of, to show where they are heading."""
HISTORY_ROWS = 10
"""A customer page lists its latest 10 changes from git and counts the older ones: a record edited every
week for years would otherwise make a page of hundreds of rows (and keep them all in memory)."""
HISTORY_NAMED = 3
"""Conversation ids named per change; an import of 150 conversations says "and 147 more"."""
AHEAD_DAYS = 90
"""The renewals and receivables page looks this many days ahead of as_of (and lists every overdue one)."""
CLOSED_DAYS = 365
"""The pipeline page's won and lost columns hold what closed in this many days up to as_of (the window of
crmdata.engine.pipeline and of the KPI win_rate_12m)."""


class PaymentState(StrEnum):
    """Where one instalment of a contract's schedule stands on as_of (contract §2)."""

    PAID = "paid"
    """paid_on on or before as_of."""
    DUE = "due"
    """Not paid yet, and its day has not passed (due >= as_of)."""
    OVERDUE = "overdue"
    """due < as_of and not paid on or before as_of."""


@dataclass(frozen=True)
class PaymentLine:
    """One instalment as a customer page and the receivables list show it."""

    contract: Contract
    due: date
    amount: float
    currency: str
    paid_on: date | None
    state: PaymentState
    days_overdue: int


def payment_lines(contract: Contract, currency: str, as_of: date) -> list[PaymentLine]:
    """The contract's schedule on as_of, by due day: a payment made after as_of is not paid yet then."""
    lines = []
    for payment in sorted(contract.payments, key=lambda payment: payment.due):
        paid = payment.paid_on is not None and payment.paid_on <= as_of
        if paid:
            state = PaymentState.PAID
        elif payment.due < as_of:
            state = PaymentState.OVERDUE
        else:
            state = PaymentState.DUE
        late = (as_of - payment.due).days if state is PaymentState.OVERDUE else 0
        lines.append(
            PaymentLine(contract, payment.due, payment.amount, currency, payment.paid_on if paid else None, state, late)
        )
    return lines


WEEK_DAYS = 7
"""An owner's day page (我的今天) lists what is due today and in the 6 days after it: this week's work."""


class ActionKind(StrEnum):
    """What an item of an owner's day is (the page names each in the vocabulary: action_<value>)."""

    FOLLOWUP = "followup"
    TODO = "todo"
    PLAN = "plan"
    RENEWAL = "renewal"
    PAYMENT = "payment"


class When(StrEnum):
    """The three parts of an owner's day, in the order to act on them."""

    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"


@dataclass(frozen=True)
class Action:
    """One thing an owner is to do: a follow-up, a todo, a plan's contact, a renewal or a payment to chase.
    `what` is record text (a task, a plan's goal) or empty; `record` the id it comes from."""

    kind: ActionKind
    customer: str
    day: date
    days_overdue: int
    record: str
    what: str = ""
    amount: float | None = None
    currency: str | None = None
    reason: str | None = None


def action_order(action: Action) -> tuple[object, ...]:
    """Overdue first, the longest overdue first (the most urgent); then by day; the same day by kind
    (ActionKind order: a follow-up before a payment) and record, so the order is stable."""
    kinds = list(ActionKind)
    return (-action.days_overdue, action.day, kinds.index(action.kind), action.customer, action.record)


log = logging.getLogger("mkdocs.plugins.crm")


@dataclass
class SiteData:
    """The computed state of the CRM on `as_of`, with the indexes the pages need."""

    ds: Dataset
    as_of: date
    warnings: list[Problem]
    internal: bool
    masked: bool
    language: str
    title: str
    edit_url: str | None
    policy: Policy
    plans: list[FollowUp] = field(default_factory=list)
    todos: list[OverdueTodo] = field(default_factory=list)
    complaints: list[Interaction] = field(default_factory=list)
    care: list[CareMoment] = field(default_factory=list)
    facts: dict[str, CustomerFacts] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    kpi_report: dict[str, object] = field(default_factory=dict)
    kpi_before: dict[int, dict[str, object]] = field(default_factory=dict)
    """days before as_of -> the team's KPI values then (see TREND_DAYS); {} when they are not known."""
    kpi_series: list[tuple[date, dict[str, object] | None]] = field(default_factory=list)
    """The KPI reports (team and by_owner) of the trend's past days on their own records, oldest first (None:
    not known); empty outside git (site_builder.past_kpis). The trend's last point is kpi_report."""
    stage_entered: dict[str, date] = field(default_factory=dict)
    """opportunity id -> the day it entered its current stage, from git (none outside git)."""
    field_changes_of: dict[str, list[FieldMove]] = field(default_factory=dict)
    """customer id -> its stage, tier, value and owner changes from git, newest first (none outside git)."""
    past_begins: date | None = None
    """The first day whose records git holds (the first commit's), for the trends' note."""
    customers: dict[str, Customer] = field(default_factory=dict)
    """Customers that existed by as_of, by id, in file order."""
    plan_of: dict[str, FollowUp] = field(default_factory=dict)
    timeline_of: dict[str, list[Interaction]] = field(default_factory=dict)
    """customer id -> interactions up to as_of, newest first."""
    complaints_of: dict[str, list[Interaction]] = field(default_factory=dict)
    todos_of_owner: dict[str, list[OverdueTodo]] = field(default_factory=dict)
    history_of: dict[str, CustomerHistory] = field(default_factory=dict)
    worker_share: tuple[int, int] | None = None
    """(k, n): the worker rendering customers' pages beside the build (site_builder.keyed_pages) takes k customers
    of every n, the build the others; None: the build renders every customer."""
    claims: Claims | None = None
    """After an edit: the customers claimed in turns by the build and that worker (site_builder.claims), instead
    of a fixed share."""
    in_worker: bool = False
    """True in that worker (its own copy of the data, as forked)."""
    """customer id -> its changes from git, newest first (none when the data is not in git)."""
    history_available: bool = False
    """The records are in a git repository with commits: customer pages have a change history section."""
    history_shallow: bool = False
    """Read from a shallow clone: older changes are missing, and the pages say so."""
    currency: str = DEFAULT_CURRENCY
    """crm.yaml's `currency`: the currency of the pipeline's sums and of amounts that name none."""
    plans_due: list[PlanDue] = field(default_factory=list)
    """The current occurrence of every active maintenance plan not done, by due day (crmdata.engine.plans)."""
    plan_due_of: dict[str, PlanDue] = field(default_factory=dict)
    """plan id -> its current occurrence."""
    plans_of_customer: dict[str, list[Plan]] = field(default_factory=dict)
    opportunities_of: dict[str, list[Opportunity]] = field(default_factory=dict)
    """customer id -> its opportunities, open ones first, then by expected or closing day."""
    contracts_of: dict[str, list[Contract]] = field(default_factory=dict)
    """customer id -> its contracts signed by as_of (signed_on, else start), newest start first."""
    renewal_of: dict[str, RenewalDue] = field(default_factory=dict)
    """contract id -> its renewal, for every contract up for renewal (any day)."""
    renewed_by: dict[str, str] = field(default_factory=dict)
    """contract id -> the id of the contract that renews it."""
    renewals: list[RenewalDue] = field(default_factory=list)
    """Renewals due by as_of + AHEAD_DAYS, overdue first."""
    payments_overdue: list[PaymentDue] = field(default_factory=list)
    """Overdue payments, most overdue first."""
    payments_ahead: list[PaymentLine] = field(default_factory=list)
    """Payments not yet due, due by as_of + AHEAD_DAYS, by due day."""
    pipeline: Pipeline | None = None
    win_rate: float | None = None
    """won / (won + lost) of the opportunities closed in the last 365 days; None when none closed."""
    suggested_value: dict[str, Value] = field(default_factory=dict)
    """customer id -> the value its contracts of the last 12 months suggest (crmdata.engine.value)."""
    todos_ahead: list[OverdueTodo] = field(default_factory=list)
    """Open todos due from as_of to the end of the week (WEEK_DAYS), by due day: an owner's day lists them
    beside the overdue ones (days_overdue is 0)."""
    sealed: bool = False
    """The site is encrypted (site_builder.encrypt): calendar feeds, which phones fetch without a browser
    and so could only be published as plain text, are left out and the page says why."""

    @cached_property
    def labels(self) -> Labels:
        return Labels(self.language)

    def segment_title(self, segment: Segment) -> str:
        """Computed: the flag's name; custom: its title from crm.yaml; dimension: "阶段：合作期"."""
        return segment_title(segment, self.language, self.team_name)

    def segment_description(self, segment: Segment) -> str:
        return segment_description(segment, self.language, self.team_name)

    def team_name(self, owner: str) -> str:
        return self.ds.member_name(owner)

    @property
    def config(self) -> CrmConfig | None:
        """crm.yaml's settings (None without crm.yaml): a site-wide input of every keyed page (page_keys)."""
        return self.ds.config

    @property
    def team(self) -> list[str]:
        return list(self.ds.config.team) if self.ds.config is not None else []

    def customers_of(self, owner: str) -> list[Customer]:
        return [customer for customer in self.customers.values() if customer.owner == owner]

    def plans_of(self, owner: str) -> list[FollowUp]:
        return [plan for plan in self.plans if plan.owner == owner]

    def month_end(self) -> date:
        """The last day of as_of's month: the plans page shows what is due by then."""
        following = (self.as_of.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)

    def plans_this_month(self) -> list[PlanDue]:
        """Current plan occurrences due by the end of as_of's month (the overdue ones of earlier months too:
        they are still to be done), by due day."""
        end = self.month_end()
        return [due for due in self.plans_due if due.due <= end]

    def opportunities_at(self, stage: OpportunityStage) -> list[Opportunity]:
        """The opportunities a stage's column holds, largest amount first: the open ones at an open stage,
        those closed in the last CLOSED_DAYS days (up to as_of) at won and lost."""
        start = self.as_of - timedelta(days=CLOSED_DAYS)
        found = [
            opportunity
            for opportunity in self.ds.opportunities
            if opportunity.stage is stage
            and opportunity.customer in self.customers
            and (
                opportunity.is_open
                or (opportunity.closed_on is not None and start < opportunity.closed_on <= self.as_of)
            )
        ]
        return sorted(found, key=lambda o: (-(o.amount or 0), o.expected_close or o.closed_on or self.as_of, o.id))

    def at_risk(self) -> list[CustomerFacts]:
        """At-risk customers, highest score first."""
        found = [fact for fact in self.facts.values() if fact.risk is not None and fact.risk.at_risk]
        return sorted(found, key=lambda fact: (-(fact.risk.score if fact.risk else 0), fact.customer.id))

    def silent(self) -> list[FollowUp]:
        return [plan for plan in self.plans if plan.silent]

    def by_status(self, status: Status | str) -> list[FollowUp]:
        return [plan for plan in self.plans if plan.status == status]

    def week_end(self) -> date:
        """The last day an owner's day page looks ahead to (as_of + WEEK_DAYS - 1)."""
        return self.as_of + timedelta(days=WEEK_DAYS - 1)

    def actions_of(self, owner: str) -> dict[When, list[Action]]:
        """Everything `owner` is to do by the week's end, in the order to act on it: overdue (most overdue
        first), today, this week (by day). Follow-ups, todos, plans' contacts, renewals and payments, from
        the same engine lists as the rest of the site (and as `crm notify`, which links here)."""
        end = self.week_end()
        found = [
            Action(ActionKind.FOLLOWUP, f.customer, f.due, f.days_overdue, f.customer, reason=f.reason.value)
            for f in self.plans
            if f.owner == owner and f.due <= end
        ]
        found += [
            Action(ActionKind.TODO, t.customer, t.due, t.days_overdue, t.interaction, t.task)
            for t in (*self.todos_of_owner.get(owner, []), *self.todos_ahead)
            if t.owner == owner and t.due <= end
        ]
        found += [
            Action(ActionKind.PLAN, p.customer, p.due, p.days_overdue, p.plan_id, p.goal)
            for p in self.plans_due
            if p.owner == owner and p.due <= end
        ]
        found += [
            Action(ActionKind.RENEWAL, r.customer, r.due, r.days_overdue, r.contract_id, r.end.isoformat())
            for r in self.renewals
            if r.owner == owner and r.due <= end
        ]
        found += [
            Action(ActionKind.PAYMENT, p.customer, p.due, p.days_overdue, p.contract_id, "", p.amount, p.currency)
            for p in self.payments_overdue
            if p.owner == owner
        ]
        found += [
            Action(ActionKind.PAYMENT, line.contract.customer, line.due, 0, line.contract.id, "", line.amount,
                   line.currency)
            for line in self.payments_ahead
            if line.contract.owner == owner and line.due <= end
        ]  # fmt: skip
        parts: dict[When, list[Action]] = {when: [] for when in When}
        for action in sorted(found, key=action_order):
            if action.days_overdue > 0 or action.day < self.as_of:
                parts[When.OVERDUE].append(action)
            elif action.day == self.as_of:
                parts[When.TODAY].append(action)
            else:
                parts[When.WEEK].append(action)
        return parts


def site_data(
    ds: Dataset,
    as_of: date,
    warnings: list[Problem],
    internal: bool,
    history: History | None = None,
    earlier_kpis: Callable[[Dataset, date], dict[str, object]] = kpis.compute,
    kpi_report: Callable[[Dataset, date], dict[str, object]] = kpis.report,
    past: PastKpis | None = None,
    fields: FieldHistory | None = None,
) -> SiteData:
    """Run the engine once for the whole site. `history` is read from git in ds.root unless given;
    `earlier_kpis` gives the team's KPIs of an earlier day (TREND_DAYS) and `kpi_report` the KPIs of as_of:
    kpis.compute and kpis.report, or the plugin's kept values (site_builder.kept.KeptKpis). `past`, in a git
    repository, gives the KPIs of past days on their own day's records (site_builder.past_kpis) instead of
    `earlier_kpis`, and the 12-month trends; `fields`, when each customer's stage, tier, value and owner changed
    (crmdata.git.field_history)."""
    config = ds.config
    redact = config.site.redact if config is not None else True
    data = SiteData(
        ds=ds,
        as_of=as_of,
        warnings=warnings,
        internal=internal,
        masked=redact and not internal,
        language=config.language.value if config is not None else "zh",
        title=config.site.title if config is not None else "CRM",
        edit_url=config.site.edit_url if config is not None else None,
        policy=config.policy if config is not None else Policy(),
    )
    data.customers = {c.id: c for c in ds.customers if c.since is None or c.since <= as_of}
    if fields is not None:  # the day each opportunity entered its stage, for the pipeline's ages
        data.stage_entered = {
            opportunity.id: day
            for opportunity in ds.opportunities
            if (day := stage_entered(fields, ds.file_of(opportunity), opportunity.stage.value)) is not None
        }
    data.currency = config.currency if config is not None else DEFAULT_CURRENCY
    add_commercial(data)
    data.plans = followups(ds, as_of)
    data.plan_of = {plan.customer: plan for plan in data.plans}
    data.todos = overdue_todos(ds, as_of)
    data.todos_ahead = todos_ahead(ds, as_of)
    data.complaints = open_complaints(ds, as_of)
    data.care = care_moments(ds, as_of)
    facts = customer_facts(
        ds, as_of, data.plans, suggested=data.suggested_value, complaints=data.complaints, todos=data.todos
    )
    data.facts = {fact.customer.id: fact for fact in facts}
    data.segments = segments(ds, as_of, facts)
    timeline: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in ds.interactions:
        if interaction.day <= as_of:
            timeline[interaction.customer].append(interaction)
    data.timeline_of = {
        customer: sorted(items, key=lambda i: (i.day, i.id), reverse=True) for customer, items in timeline.items()
    }
    complaints: dict[str, list[Interaction]] = defaultdict(list)
    for complaint in data.complaints:
        complaints[complaint.customer].append(complaint)
    data.complaints_of = dict(complaints)
    todos: dict[str, list[OverdueTodo]] = defaultdict(list)
    for todo in data.todos:
        todos[todo.owner].append(todo)
    data.todos_of_owner = dict(todos)
    add_history(data, history)
    if fields is not None:
        data.field_changes_of = field_changes_of(ds, data.customers.values(), fields)
    # last: some may be worked out beside (site_builder.kpis_beside), the earlier days' here first
    if past is not None and past.known:
        data.kpi_before = {days: past.team(as_of - timedelta(days=days)) or {} for days in TREND_DAYS}
        days = trend_days(as_of)
        reports = {day: past.report(day) for day in reversed(days)}  # newest first: the cheapest walk in git
        data.kpi_series = [(day, reports[day]) for day in days]
        data.past_begins = past.begins
    else:
        data.kpi_before = {days: earlier_kpis(ds, as_of - timedelta(days=days)) for days in TREND_DAYS}
    data.kpi_report = kpi_report(ds, as_of)
    return data


def todos_ahead(ds: Dataset, as_of: date) -> list[OverdueTodo]:
    """Open todos due from as_of to the week's end (WEEK_DAYS), of customers not churned, by due day: the
    rule of schedule.overdue_todos for the days ahead (those due before as_of are its own)."""
    churned = churned_ids(ds)
    end = as_of + timedelta(days=WEEK_DAYS - 1)
    found = [
        OverdueTodo(interaction.id, interaction.customer, todo.task, todo.owner or interaction.owner, todo.due, 0)
        for interaction in ds.interactions
        if interaction.day <= as_of and interaction.customer not in churned
        for todo in interaction.todos
        if (todo.done is None or todo.done > as_of) and as_of <= todo.due <= end
    ]
    return sorted(found, key=lambda todo: (todo.due, todo.interaction, todo.task))


def add_commercial(data: SiteData) -> None:
    """Maintenance plans, the pipeline, renewals and receivables: the engine's view of them on as_of, and
    each customer's records for its page (read directly: a page shows what its records say)."""
    ds, as_of = data.ds, data.as_of
    data.plans_due = plans_due(ds, as_of)
    data.plan_due_of = {due.plan_id: due for due in data.plans_due}
    data.plans_of_customer = _grouped(ds.plans, lambda plan: (plan.id,))
    data.opportunities_of = _grouped(ds.opportunities, _opportunity_order)
    signed = [contract for contract in ds.contracts if (contract.signed_on or contract.start) <= as_of]
    data.contracts_of = _grouped(signed, lambda contract: (-contract.start.toordinal(), contract.id))
    horizon = as_of + timedelta(days=AHEAD_DAYS)
    every_renewal = renewals_due(ds, as_of)
    data.renewal_of = {renewal.contract_id: renewal for renewal in every_renewal}
    data.renewed_by = {contract.renews: contract.id for contract in signed if contract.renews is not None}
    renewals = [renewal for renewal in every_renewal if renewal.due <= horizon]
    data.renewals = sorted(renewals, key=lambda r: (r.status is not Status.OVERDUE, r.due, r.contract_id))
    data.payments_overdue = sorted(overdue_payments(ds, as_of), key=lambda p: (-p.days_overdue, p.contract_id))
    data.payments_ahead = sorted(
        (
            line
            for contract in signed
            for line in payment_lines(contract, contract.currency_in(ds.config), as_of)
            if line.state is PaymentState.DUE and line.due <= horizon
        ),
        key=lambda line: (line.due, line.contract.id),
    )
    data.pipeline = pipeline(ds, as_of, entered=data.stage_entered)
    data.win_rate = win_rate(ds, as_of)
    data.suggested_value = suggested_values(ds, as_of)


def _opportunity_order(opportunity: Opportunity) -> tuple[object, ...]:
    """Open ones first, soonest expected close first; then the closed ones, latest first."""
    if opportunity.is_open:
        return (0, opportunity.expected_close or date.max, opportunity.id)
    closed = opportunity.closed_on.toordinal() if opportunity.closed_on is not None else 0
    return (1, -closed, opportunity.id)


RecordT = TypeVar("RecordT", Plan, Opportunity, Contract)


def _grouped(records: list[RecordT], order: Callable[[RecordT], tuple[object, ...]]) -> dict[str, list[RecordT]]:
    """Records by their customer, each customer's in `order`."""
    grouped: dict[str, list[RecordT]] = defaultdict(list)
    for record in records:
        grouped[record.customer].append(record)
    return {customer: sorted(items, key=order) for customer, items in grouped.items()}


def field_changes_of(ds: Dataset, customers: Iterable[Customer], fields: FieldHistory) -> dict[str, list[FieldMove]]:
    """Each customer's field changes (not the first version of its file: that is its creation), newest first."""
    found: dict[str, list[FieldMove]] = {}
    for customer in customers:
        changes = [change for change in fields.changes.get(ds.file_of(customer), ()) if change.before is not None]
        if changes:
            found[customer.id] = changes[::-1]
    return found


def add_history(data: SiteData, history: History | None = None) -> None:
    """Each customer's changes from git, for the files its page shows: its record and the conversations
    of its timeline (those after as_of are not on the page, so neither are their commits).

    The one place the site reads git; the build's output says how long it took, or why there is no
    history (the pages then simply have no such section).
    """
    started = time.perf_counter()
    if history is None:
        history = read_history(data.ds.root)
    data.history_available = history.available
    data.history_shallow = history.shallow
    if not history.available:
        reason = history.missing.text(data.language) if history.missing is not None else ""
        log.info(phrase("plugin_no_history", data.language, reason=reason))
        return
    ds = data.ds
    files: dict[str, tuple[str, str | None]] = {ds.file_of(c): (c.id, None) for c in data.customers.values()}
    for customer, timeline in data.timeline_of.items():
        if customer in data.customers:
            for interaction in timeline:
                files[ds.file_of(interaction)] = (customer, interaction.id)
    data.history_of = changes_by_customer(history, files, HISTORY_ROWS, HISTORY_NAMED)
    shallow = phrase("plugin_history_shallow", data.language) if history.shallow else ""
    seconds = time.perf_counter() - started
    log.info(
        phrase(
            "plugin_history",
            data.language,
            commits=history.commits,
            files=len(history.commits_of),
            shallow=shallow,
            seconds=seconds,
        )
    )


def new_and_churned_by_quarter(data: SiteData, quarters: int = 8) -> tuple[list[str], list[int], list[int]]:
    """Labels of the last `quarters` quarters up to as_of, customers won (since) and lost (churned_on) in each."""
    year, quarter = data.as_of.year, (data.as_of.month - 1) // 3 + 1
    keys: list[tuple[int, int]] = []
    for _ in range(quarters):
        keys.append((year, quarter))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    keys.reverse()
    won = dict.fromkeys(keys, 0)
    lost = dict.fromkeys(keys, 0)
    for customer in data.ds.customers:
        if customer.since is not None and customer.since <= data.as_of:
            key = (customer.since.year, (customer.since.month - 1) // 3 + 1)
            if key in won:
                won[key] += 1
        if customer.stage is Stage.CHURNED and customer.churned_on is not None and customer.churned_on <= data.as_of:
            key = (customer.churned_on.year, (customer.churned_on.month - 1) // 3 + 1)
            if key in lost:
                lost[key] += 1
    return [f"{y}-Q{q}" for y, q in keys], list(won.values()), list(lost.values())


def satisfaction_history(timeline: list[Interaction]) -> list[Interaction]:
    """The customer's scored conversations, oldest first (timeline is newest first)."""
    return [i for i in reversed(timeline) if i.satisfaction is not None]
