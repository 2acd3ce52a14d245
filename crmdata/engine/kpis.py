"""Key performance indicators: small registered functions of one `KpiContext`, each docstring its definition.

`context(ds, as_of)` does the shared work once (customers as they stood on `as_of`, interactions up to it,
each customer's contacts, the follow-up schedule, the todos); every KPI is then a cheap function of that
context. Adding a KPI is writing one function under `@kpi(...)`, its title and its plain definition in the
vocabulary (crmdata.records.vocabulary.KPI_TITLES, KPI_DEFINITIONS). The docstring is the precise
definition for developers; people read the vocabulary's, in crm.yaml's language, with the settings' values.

Everything honours `as_of`: records and dates after it are ignored, so any past day can be reproduced.
"In the last 365 days" always means as_of - 365 days < day <= as_of.
"""

from __future__ import annotations

import hashlib
import inspect
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from functools import cached_property
from itertools import pairwise
from operator import attrgetter
from typing import NamedTuple, Protocol, TypeVar

from pydantic import BaseModel

from crmdata.engine.contracts import (
    PaymentDue,
    RenewalDue,
    overdue_payments,
    renewals_due,
    renewed_ids,
    signed_by,
    signed_day,
    terminated_by,
)
from crmdata.engine.pipeline import OpenSums, default_currency, open_sums, won_and_lost
from crmdata.engine.plans import PlanDue, carried_out_days, completion_counts, plan_due, planning
from crmdata.engine.schedule import (
    FollowUp,
    OverdueTodo,
    Status,
    churned_ids,
    follow_up,
    interval_days,
)
from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.load import gc_paused
from crmdata.records.models import (
    Channel,
    Consent,
    Contact,
    Contract,
    Customer,
    Interaction,
    InteractionKind,
    Opportunity,
    Plan,
    Policy,
    Stage,
    Todo,
)
from crmdata.records.models.fields import DEFAULT_CURRENCY
from crmdata.records.timeliness import logging_delay_if_late
from crmdata.records.vocabulary import KPI_DEFINITIONS, KPI_SETTINGS, KPI_SUMMARIES, KPI_TITLES

WINDOW_DAYS = 365
"""The length of "the last 365 days" (and of "a year ago" in retention)."""
MONTHS_SHOWN = 12
QUARTERS_SHOWN = 8


class TodoItem(NamedTuple):
    """A todo of a conversation up to `as_of`, with its owner resolved (the todo's, else the conversation's)."""

    owner: str
    interaction: Interaction
    todo: Todo


class InteractionFacts(NamedTuple):
    """What the KPIs that count interactions read of one, copied out of the record in the one pass over them.

    Such a KPI reads every interaction for the team and again for its owner. Reading a field of a record is
    a dictionary lookup on one of 100k objects scattered in memory (a cache miss, mostly); equal facts are
    counted instead (KpiContext.fact_counts), so those KPIs read a few thousand entries.
    """

    year: int
    month: int
    """The year and month of the interaction's day."""
    channel: Channel
    kind: InteractionKind
    satisfaction: int | None
    recent: bool
    """Whether the day is in the last 365 days."""

    @classmethod
    def of(cls, interaction: Interaction, window_start: date) -> InteractionFacts:
        day = interaction.day
        return cls(
            day.year, day.month, interaction.channel, interaction.kind, interaction.satisfaction, day > window_start
        )


class ContactGap(NamedTuple):
    """The days between two consecutive contacts of a customer, and whether that was within its interval."""

    owner: str
    """The customer's owner."""
    later: date
    """The day of the later contact."""
    on_time: bool
    """days between the contacts <= the interval that applied at the earlier contact."""


@dataclass(frozen=True)
class KpiContext:
    """The shared facts every KPI reads, computed once by `context()`.

    For one owner: that owner's customers, the interactions with those customers (by the customer's
    owner, whoever talked), their follow-ups, and the todos that owner owns. Build it with `context()`,
    which also fills the fields after overdue_todos (they default to empty only to keep the constructor's
    first seven fields the public contract).
    """

    ds: Dataset
    as_of: date
    policy: Policy
    customers: list[Customer]
    """Customers that existed by as_of (since is None or since <= as_of), with their recorded stage."""
    interactions: list[Interaction]
    """Interactions with day <= as_of."""
    followups: list[FollowUp]
    """The follow-up of every customer above that was not churned on as_of, sorted by due then id."""
    overdue_todos: list[OverdueTodo]
    todos: list[TodoItem] = field(default_factory=list)
    """Every todo of the interactions up to as_of (for one owner: the todos that owner owns)."""
    contacts: Mapping[str, list[Interaction]] = field(default_factory=dict)
    """customer id -> its contacts (interactions that are not care) up to as_of, oldest first."""
    gaps: list[ContactGap] = field(default_factory=list)
    """Each gap between consecutive contacts of a customer above whose later contact is in the last 365 days."""
    books: RecordBooks = field(default_factory=lambda: RecordBooks())
    """The plans' and contracts' facts on as_of (for one owner: of the plans and contracts they own)."""
    opportunities: list[Opportunity] = field(default_factory=list)
    """Every opportunity (for one owner: those whose own `owner` is that member), in file order."""

    @cached_property
    def open_pipeline(self) -> OpenSums:
        """The open opportunities' value and weighted value in the default currency (pipeline.open_sums):
        pipeline_open_value and pipeline_weighted_value both read it."""
        return open_sums(self.opportunities, default_currency(self.ds), self.ds.config)

    @cached_property
    def interactions_12m(self) -> list[Interaction]:
        """Interactions in the last 365 days."""
        start = self.window_start
        return [interaction for interaction in self.interactions if interaction.day > start]

    @cached_property
    def window_start(self) -> date:
        """as_of - 365 days: "in the last 365 days" means window_start < day <= as_of."""
        return self.as_of - timedelta(days=WINDOW_DAYS)

    @cached_property
    def complaints(self) -> list[Interaction]:
        """Interactions of kind complaint up to as_of."""
        return [interaction for interaction in self.interactions if interaction.kind is InteractionKind.COMPLAINT]

    @cached_property
    def rated(self) -> list[Interaction]:
        """Interactions up to as_of that have a satisfaction score."""
        return [interaction for interaction in self.interactions if interaction.satisfaction is not None]

    @cached_property
    def retention_base(self) -> tuple[int, int]:
        """(customers a year ago, of them still not churned on as_of): retention_12m and churn_rate_12m
        both divide these (worked out once: reading every customer record is what costs)."""
        year_ago = self.window_start
        base = [
            customer
            for customer in self.customers
            if customer.since is not None
            and customer.since <= year_ago
            and (customer.churned_on is None or customer.churned_on > year_ago)
        ]
        kept = sum(customer.churned_on is None or customer.churned_on > self.as_of for customer in base)
        return len(base), kept

    @cached_property
    def facts(self) -> list[InteractionFacts]:
        """The facts of each interaction up to as_of, in the order of `interactions`."""
        start = self.window_start
        return [InteractionFacts.of(interaction, start) for interaction in self.interactions]

    @cached_property
    def fact_counts(self) -> Counter[InteractionFacts]:
        """How many interactions up to as_of have each combination of facts: a few thousand entries, which
        the KPIs that count interactions read instead of every interaction (counted in C, in one pass)."""
        return Counter(self.facts)

    @cached_property
    def due_todos_on_time(self) -> list[bool]:
        """For each todo of `todos` due in the last 365 days: whether it was done on or before its due date."""
        start, as_of = self.window_start, self.as_of
        return [_done_on_time(item.todo) for item in self.todos if start < item.todo.due <= as_of]

    @cached_property
    def logged(self) -> list[bool]:
        """For each interaction in the last 365 days that has `recorded`: whether it was recorded in time
        (recorded_in_time with policy.record_within_hours)."""
        hours = self.policy.record_within_hours
        return [recorded_in_time(i, hours) for i in self.interactions_12m if i.recorded is not None]


@dataclass(frozen=True)
class RecordBooks:
    """What the plan and contract KPIs read, worked out once for the team and grouped by each record's owner
    (a plan's or contract's own `owner`, not its customer's)."""

    plans_due: list[PlanDue] = field(default_factory=list)
    """The current occurrence of every plan that plans something (plans.plans_due)."""
    plan_occurrences_90d: tuple[int, int] = (0, 0)
    """(carried out by their due day, due) of the plans' occurrences due in the last 90 days."""
    contracts: list[Contract] = field(default_factory=list)
    """Every contract, in file order."""
    renewals: list[RenewalDue] = field(default_factory=list)
    """contracts.renewals_due."""
    overdue_payments: list[PaymentDue] = field(default_factory=list)
    """contracts.overdue_payments."""
    renewed: frozenset[str] = frozenset()
    """Ids of the contracts renewed by a contract signed by as_of: the team's, whoever signed the renewal."""
    currency: str = DEFAULT_CURRENCY
    """crm.yaml's currency: the amount KPIs sum amounts of it alone."""


def _books(
    ds: Dataset, as_of: date, plan_talks: list[Interaction], owners: Iterable[str]
) -> tuple[RecordBooks, dict[str, RecordBooks]]:
    """The team's RecordBooks and each owner's, from `plan_talks` (the interactions up to as_of that name a
    plan, gathered in the one pass over the interactions)."""
    policy = _policy(ds)
    carried = carried_out_days(plan_talks, as_of)
    plans = planning(ds)
    due_plans: list[PlanDue] = []
    completion: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for plan in plans:
        carried_days = carried.get(plan.id, [])
        due = plan_due(plan, carried_days, as_of, policy)
        if due is not None:
            due_plans.append(due)
        on_time, total = completion_counts([plan], carried, as_of)
        completion[plan.owner][0] += on_time
        completion[plan.owner][1] += total
    due_plans.sort(key=attrgetter("due", "plan_id"))
    renewals = renewals_due(ds, as_of)
    payments = overdue_payments(ds, as_of)
    renewed = renewed_ids(ds, as_of)
    currency = ds.config.currency if ds.config is not None else DEFAULT_CURRENCY
    team = RecordBooks(
        plans_due=due_plans,
        plan_occurrences_90d=(
            sum(counts[0] for counts in completion.values()),
            sum(counts[1] for counts in completion.values()),
        ),
        contracts=ds.contracts,
        renewals=renewals,
        overdue_payments=payments,
        renewed=renewed,
        currency=currency,
    )
    plans_of = _by_owner_attribute(due_plans)
    contracts_of = _by_owner_attribute(ds.contracts)
    renewals_of = _by_owner_attribute(renewals)
    payments_of = _by_owner_attribute(payments)
    per_owner = {
        owner: RecordBooks(
            plans_due=plans_of.get(owner, []),
            plan_occurrences_90d=(completion[owner][0], completion[owner][1]) if owner in completion else (0, 0),
            contracts=contracts_of.get(owner, []),
            renewals=renewals_of.get(owner, []),
            overdue_payments=payments_of.get(owner, []),
            renewed=renewed,
            currency=currency,
        )
        for owner in owners
    }
    return team, per_owner


@dataclass(frozen=True)
class KpiDefinition:
    """One registered KPI: its key, its unit and its definition (the function's docstring); its title is
    the vocabulary's (crmdata.records.vocabulary.KPI_TITLES), like every word a person reads."""

    name: str
    unit: str
    """count, ratio (0..1), days, score (1..5), table (an object of values) or amount (a sum of money in the
    default currency, crm.yaml `currency`)."""
    definition: str
    compute: Callable[[KpiContext], object]

    def title(self, language: object) -> str:
        """The KPI's name in `language` (zh or en)."""
        return KPI_TITLES[self.name].text(language)

    def explained(self, language: object, policy: Policy | None = None) -> str:
        """The definition a person reads (the vocabulary's, not the docstring) in `language`, naming the
        settings of crm.yaml's `policy` with their values (the defaults without one)."""
        settings = policy if policy is not None else Policy()
        return KPI_DEFINITIONS[self.name].text(language, **{name: getattr(settings, name) for name in KPI_SETTINGS})

    def summary(self, language: object) -> str:
        """The KPI in one plain sentence in `language`: what a person reads first; `explained` is the precise
        definition a click away."""
        return KPI_SUMMARIES[self.name].text(language)

    @property
    def good(self) -> str | None:
        """Which way the KPI is good (GOOD_DIRECTION): up, down or neutral; None for a table."""
        return GOOD_DIRECTION.get(self.name)

    def judged(self, now: object, before: object) -> str:
        """How a move from `before` to `now` reads: "good", "bad", "neutral" (moved, neither good nor bad)
        or "same" (no move, or a value missing) — what a trend arrow's colour says."""
        if not isinstance(now, int | float) or not isinstance(before, int | float) or now == before:
            return "same"
        if self.good not in ("up", "down"):
            return "neutral"
        return "good" if (now > before) == (self.good == "up") else "bad"

    @property
    def title_zh(self) -> str:
        return KPI_TITLES[self.name].zh

    @property
    def title_en(self) -> str:
        return KPI_TITLES[self.name].en


GOOD_DIRECTION: dict[str, str] = {
    "customers_total": "up",
    "overdue_followups": "down",
    "silent_customers": "down",
    "followup_compliance": "up",
    "csat_avg": "up",
    "open_complaints": "down",
    "overdue_todos": "down",
    "followup_on_time_rate_90d": "up",
    "followup_on_time_rate_365d": "up",
    "todo_on_time_rate": "up",
    "logging_24h_rate": "up",
    "retention_12m": "up",
    "churn_rate_12m": "down",
    "win_backs_12m": "up",
    "new_customers_12m": "up",
    "churned_12m": "down",
    "complaints_12m": "down",
    "complaint_median_resolution_days": "down",
    "plans_overdue": "down",
    "plan_completion_rate_90d": "up",
    "contract_value_12m": "up",
    "renewals_due": "neutral",
    "renewal_rate_12m": "up",
    "receivables_overdue": "down",
    "pipeline_open_value": "up",
    "pipeline_weighted_value": "up",
    "win_rate_12m": "up",
}
"""Which way each scalar KPI is good: "up" (more is better), "down" (less is better) or "neutral" (neither:
renewals coming due are work, not a failure). The site colours a trend by it (green when it moved the good
way, red the bad way); declared once here so no page decides it. Every scalar KPI must have one (a test
checks)."""
DIRECTIONS = ("up", "down", "neutral")

UNITS = ("count", "ratio", "days", "score", "table", "amount")
"""amount: a sum of money in crm.yaml's currency (a plain number; people read it through money.format_amount)."""
KPIS: list[KpiDefinition] = []
"""Every KPI, in display order."""

KpiFunction = TypeVar("KpiFunction", bound=Callable[[KpiContext], object])


def kpi(name: str, unit: str) -> Callable[[KpiFunction], KpiFunction]:
    """Register the decorated function as a KPI; its docstring becomes the KPI's definition, and its title
    is the vocabulary's entry for `name` (KPI_TITLES), which must exist."""
    if name not in KPI_TITLES:
        raise ValueError(f"KPI {name} has no title in crmdata.records.vocabulary.KPI_TITLES (zh and en)")
    if name not in KPI_DEFINITIONS:
        raise ValueError(f"KPI {name} has no definition in crmdata.records.vocabulary.KPI_DEFINITIONS (zh and en)")
    if name not in KPI_SUMMARIES:
        raise ValueError(f"KPI {name} has no plain summary in crmdata.records.vocabulary.KPI_SUMMARIES (zh and en)")
    if unit not in UNITS:
        raise ValueError(f"KPI {name}: unit {unit!r} is not one of {', '.join(UNITS)}")
    if unit != "table" and GOOD_DIRECTION.get(name) not in DIRECTIONS:
        raise ValueError(f"KPI {name} has no good direction in GOOD_DIRECTION (up, down or neutral)")
    if any(existing.name == name for existing in KPIS):
        raise ValueError(f"KPI {name} is registered twice")

    def register(function: KpiFunction) -> KpiFunction:
        definition = inspect.cleandoc(function.__doc__ or "")
        if not definition:
            raise ValueError(f"KPI {name} has no docstring: its docstring is its definition")
        KPIS.append(KpiDefinition(name, unit, definition, function))
        return function

    return register


# ---------------------------------------------------------------------------------------------------
# Building the context


def _policy(ds: Dataset) -> Policy:
    return ds.config.policy if ds.config is not None else Policy()


_CONTACT_ORDER = attrgetter("day", "id")
"""Contacts are ordered by day, ties broken by id (as schedule.contacts_by_customer orders them)."""


@dataclass(slots=True)
class _Gathered:
    """The interaction-sized lists of one context (the team's or one owner's), in file order: the ones the
    pass over the interactions fills, and what KpiContext's cached properties the KPIs read would compute
    from them (so nothing passes over the records again)."""

    visible: list[Interaction] = field(default_factory=list)
    facts: list[InteractionFacts] = field(default_factory=list)
    complaints: list[Interaction] = field(default_factory=list)
    logged: list[bool] = field(default_factory=list)
    todos: list[TodoItem] = field(default_factory=list)
    due_todos_on_time: list[bool] = field(default_factory=list)

    def seed(self, ctx: KpiContext) -> KpiContext:
        """Fill ctx's cached properties with the lists gathered here: exactly what they would compute."""
        ctx.__dict__.update(
            facts=self.facts, complaints=self.complaints, logged=self.logged, due_todos_on_time=self.due_todos_on_time
        )
        return ctx


@dataclass(slots=True)
class _History:
    """One customer's contacts up to as_of and their days, and the lists its interactions go to: the pass
    over the interactions looks each one's customer up once (a lookup reads two scattered strings)."""

    owner: str
    gathered: _Gathered
    contacts: list[Interaction] = field(default_factory=list)
    days: list[date] = field(default_factory=list)


def _contexts(ds: Dataset, as_of: date, owners: Iterable[str]) -> tuple[KpiContext, dict[str, KpiContext]]:
    """The context of the whole team and that of each of `owners`, built together.

    One pass over the interactions (in file order: the order of the objects in memory, which makes every
    pass over them faster) puts each into the team's lists and into its owner's: reading 100k records a
    second time to split them by owner costs more than appending each to two lists. The customer-sized
    lists (customers, follow-ups, gaps, overdue todos) are worked out once for the team and then grouped.
    The contacts and overdue todos are the same as schedule.contacts_by_customer and schedule.overdue_todos
    (tests check it).
    """
    policy = _policy(ds)
    start = as_of - timedelta(days=WINDOW_DAYS)
    hours = policy.record_within_hours
    team = _Gathered()
    mine = {owner: _Gathered() for owner in owners}
    others = _Gathered()  # what belongs to owners not asked for: gathered, then dropped
    histories = {customer.id: _History(customer.owner, mine.get(customer.owner, others)) for customer in ds.customers}
    overdue: list[OverdueTodo] = []
    plan_talks: list[Interaction] = []
    churned = churned_ids(ds)
    for interaction in ds.interactions:
        day = interaction.day
        if day > as_of:
            continue
        if interaction.plan is not None:
            plan_talks.append(interaction)
        customer_id = interaction.customer
        history = histories.get(customer_id)
        if history is None:  # a customer that does not exist (crm validate reports it): owner ""
            history = histories[customer_id] = _History("", mine.get("", others))
        theirs = history.gathered
        facts = InteractionFacts.of(interaction, start)
        team.visible.append(interaction)
        theirs.visible.append(interaction)
        team.facts.append(facts)
        theirs.facts.append(facts)
        if facts.recent and interaction.recorded is not None:
            in_time = recorded_in_time(interaction, hours)
            team.logged.append(in_time)
            theirs.logged.append(in_time)
        kind = facts.kind
        if kind is InteractionKind.COMPLAINT:
            team.complaints.append(interaction)
            theirs.complaints.append(interaction)
        if kind is not InteractionKind.CARE:
            history.contacts.append(interaction)
            history.days.append(day)
        for todo in interaction.todos:
            owner = todo.owner or interaction.owner
            item = TodoItem(owner, interaction, todo)
            owners_lists = mine.get(owner, others)
            team.todos.append(item)
            owners_lists.todos.append(item)
            due = todo.due
            if start < due <= as_of:
                on_time = _done_on_time(todo)
                team.due_todos_on_time.append(on_time)
                owners_lists.due_todos_on_time.append(on_time)
            if due < as_of and (todo.done is None or todo.done > as_of) and customer_id not in churned:
                overdue.append(OverdueTodo(interaction.id, customer_id, todo.task, owner, due, (as_of - due).days))
    contacts: dict[str, list[Interaction]] = {}
    contact_days: dict[str, list[date]] = {}
    contacts_of: dict[str, dict[str, list[Interaction]]] = defaultdict(dict)
    for customer_id, history in histories.items():
        days = history.days
        if not days:
            continue
        if sorted(set(days)) != days:  # not already strictly by day (file order mostly is): order by day, id
            history.contacts.sort(key=_CONTACT_ORDER)
            days.sort()
        contacts[customer_id] = contacts_of[history.owner][customer_id] = history.contacts
        contact_days[customer_id] = days
    customers = [customer for customer in ds.customers if customer.since is None or customer.since <= as_of]
    followups = sorted(
        (
            follow_up(customer, contacts.get(customer.id, []), policy, as_of)
            for customer in customers
            if customer.stage is not Stage.CHURNED
        ),
        key=attrgetter("due", "customer"),
    )
    overdue.sort(key=attrgetter("due", "interaction", "task"))
    gaps = _contact_gaps(customers, contact_days, policy, as_of)
    team_books, books_of = _books(ds, as_of, plan_talks, mine)
    full = KpiContext(
        ds=ds,
        as_of=as_of,
        policy=policy,
        customers=customers,
        interactions=team.visible,
        followups=followups,
        overdue_todos=overdue,
        todos=team.todos,
        contacts=contacts,
        gaps=gaps,
        books=team_books,
        opportunities=ds.opportunities,
    )
    opportunities_of = _by_owner_attribute(ds.opportunities)
    customers_of = _by_owner_attribute(customers)
    followups_of = _by_owner_attribute(followups)
    overdue_of = _by_owner_attribute(overdue)  # each owner's stays sorted: grouping keeps the order
    gaps_of = _by_owner_attribute(gaps)
    per_owner = {
        owner: gathered.seed(
            KpiContext(
                ds=ds,
                as_of=as_of,
                policy=policy,
                customers=customers_of.get(owner, []),
                interactions=gathered.visible,
                followups=followups_of.get(owner, []),
                overdue_todos=overdue_of.get(owner, []),
                todos=gathered.todos,
                contacts=contacts_of.get(owner, {}),
                gaps=gaps_of.get(owner, []),
                books=books_of[owner],
                opportunities=opportunities_of.get(owner, []),
            )
        )
        for owner, gathered in mine.items()
    }
    return team.seed(full), per_owner


def _contact_gaps(
    customers: list[Customer], contact_days: Mapping[str, list[date]], policy: Policy, as_of: date
) -> list[ContactGap]:
    """The gaps between consecutive contacts (their days, in order) whose later contact is in the last 365
    days, each judged against schedule.interval_days at the earlier contact."""
    start = as_of - timedelta(days=WINDOW_DAYS)
    new_period = timedelta(days=policy.new_customer_days)
    gaps: list[ContactGap] = []
    for customer in customers:
        days = contact_days.get(customer.id)
        if not days or len(days) < 2 or days[-1] <= start:
            continue
        # interval_days depends on the day only through is_new (since <= day < since + new_customer_days):
        # after that period it is the same for every contact, so it is worked out once per customer
        usual = interval_days(customer, policy, date.min)
        new_until = customer.since + new_period if customer.since is not None else date.min
        for earlier, later in pairwise(days):
            if later > start:
                allowed = interval_days(customer, policy, earlier) if earlier < new_until else usual
                gaps.append(ContactGap(customer.owner, later, later.toordinal() - earlier.toordinal() <= allowed))
    return gaps


class _Owned(Protocol):
    @property
    def owner(self) -> str: ...


OwnedT = TypeVar("OwnedT", bound=_Owned)


def _by_owner_attribute(items: Iterable[OwnedT]) -> dict[str, list[OwnedT]]:
    """Items grouped by their `owner`, order kept within each group."""
    grouped: dict[str, list[OwnedT]] = defaultdict(list)
    for item in items:
        grouped[item.owner].append(item)
    return grouped


def context(ds: Dataset, as_of: date, owner: str | None = None) -> KpiContext:
    """The shared facts of the KPIs on `as_of`: for the whole team, or for one owner."""
    full, per_owner = _contexts(ds, as_of, [] if owner is None else [owner])
    return full if owner is None else per_owner[owner]


def team_members(ds: Dataset) -> list[str]:
    """The owner ids of crm.yaml's team (without a config: the owners found on customers)."""
    if ds.config is not None:
        return list(ds.config.team)
    return sorted({customer.owner for customer in ds.customers})


def values(ctx: KpiContext) -> dict[str, object]:
    """name -> JSON-ready value of every KPI, in display order."""
    return {definition.name: _json_ready(definition.compute(ctx)) for definition in KPIS}


def compute(ds: Dataset, as_of: date, owner: str | None = None) -> dict[str, object]:
    """Every KPI on `as_of` (for one owner when given): name -> JSON-ready value."""
    with gc_paused():  # see report()
        return values(context(ds, as_of, owner))


UNREAD_FIELDS: Mapping[type[BaseModel], frozenset[str]] = {
    Interaction: frozenset({"summary", "feedback", "need_changes"}),
    Customer: frozenset({"notes", "needs"}),
    Contact: frozenset({"title", "phone", "email", "address"}),
    Consent: frozenset({"note"}),
    Plan: frozenset({"notes"}),
    Opportunity: frozenset({"notes"}),
    Contract: frozenset({"notes"}),
}
"""Free text of the records that no KPI reads: a page shows it, nothing counts it. An edit of these fields
alone leaves every KPI as it was, so the site takes the values of the last build (site_builder.kept.KeptKpis)
instead of computing them again (a few seconds at 10,000 customers). A KPI that reads one of them must take
it out of here: tests/test_kpi_reads.py changes every field listed on every record and requires the same
report."""


def inputs(ds: Dataset, as_of: date) -> list[AnyRecord]:
    """The records the KPIs on `as_of` read, in a fixed order: every customer, plan, opportunity and
    contract (their state now, whatever their dates), and the conversations up to `as_of` (_contexts passes
    over no later one). A conversation logged today is not among the inputs of an earlier day."""
    return [
        *ds.customers,
        *ds.plans,
        *ds.opportunities,
        *ds.contracts,
        *(interaction for interaction in ds.interactions if interaction.day <= as_of),
    ]


def settings_text(ds: Dataset) -> str:
    """crm.yaml as the KPIs read it (the team, the policy, the currency …): part of what decides them."""
    return ds.config.model_dump_json() if ds.config is not None else "-"


def reads_key(record: BaseModel) -> bytes:
    """A digest of what a KPI may read of `record`: its type and every field but UNREAD_FIELDS, nested
    records likewise. Equal for two records that differ only in free text; the same in every process (the
    text hashed is the repr of plain values: strings, numbers, dates, enums, lists, and mappings in their
    order)."""
    text = repr(_read_values(record)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16).digest()


_READ_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def _read_values(value: object) -> object:
    if isinstance(value, BaseModel):
        kind = type(value)
        names = _READ_FIELDS.get(kind)
        if names is None:
            unread = UNREAD_FIELDS.get(kind, frozenset())
            names = _READ_FIELDS[kind] = tuple(name for name in kind.model_fields if name not in unread)
        fields = value.__dict__  # the model's fields by name (a cached_property may sit there too: not read)
        extra = value.__pydantic_extra__
        return (kind.__qualname__, [_read_values(fields[name]) for name in names], _read_values(extra or {}))
    if isinstance(value, list | tuple):
        return [_read_values(item) for item in value]
    if isinstance(value, dict):
        return [(_read_values(key), _read_values(item)) for key, item in value.items()]
    if isinstance(value, set | frozenset):
        return sorted(repr(_read_values(item)) for item in value)
    return value


def report(ds: Dataset, as_of: date) -> dict[str, object]:
    """What `crm kpi --format json` prints: the team's KPIs, then the same for each team member.

    The cyclic garbage collector is paused meanwhile: the contexts hold lists of up to every interaction,
    none in a reference cycle, and each collection that finds such a list young walks all of its records
    (a tenth of the time of a report on 100k interactions).
    """
    with gc_paused():
        full, per_owner = _contexts(ds, as_of, team_members(ds))
        return {
            "as_of": as_of.isoformat(),
            **values(full),
            "by_owner": {owner: values(owner_context) for owner, owner_context in per_owner.items()},
        }


def _json_ready(value: object) -> object:
    """Dates as ISO strings, enums as their values, containers converted all the way down."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(_json_ready(key)): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    return value


# ---------------------------------------------------------------------------------------------------
# Small helpers


def _ratio(part: int, whole: int) -> float | None:
    """part / whole rounded to 4 places; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def _mean(numbers: list[int]) -> float | None:
    return round(sum(numbers) / len(numbers), 4) if numbers else None


def _mean_counted(counted: Iterable[tuple[int, int]]) -> float | None:
    """_mean of numbers given as (number, how many times it occurs): the same sum and count, so the same value."""
    total = times = 0
    for number, count in counted:
        total += number * count
        times += count
    return round(total / times, 4) if times else None


def _in_last_year(day: date | None, ctx: KpiContext) -> bool:
    return day is not None and ctx.window_start < day <= ctx.as_of


def _month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _last_months(as_of: date, count: int = MONTHS_SHOWN) -> list[tuple[int, int]]:
    """(year, month) of the `count` months ending with as_of's month, oldest first."""
    index = as_of.year * 12 + as_of.month - 1
    return [(month // 12, month % 12 + 1) for month in range(index - count + 1, index + 1)]


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _last_quarters(as_of: date, count: int = QUARTERS_SHOWN) -> list[tuple[int, int]]:
    """(year, quarter) of the `count` quarters ending with as_of's quarter, oldest first."""
    year, quarter = _quarter_of(as_of)
    index = year * 4 + quarter - 1
    return [(q // 4, q % 4 + 1) for q in range(index - count + 1, index + 1)]


def _done_on_time(todo: Todo) -> bool:
    return todo.done is not None and todo.done <= todo.due


def recorded_in_time(interaction: Interaction, hours: int) -> bool:
    """Whether `recorded` is at most `hours` after the conversation; a date without a time counts from
    the end of that day. (records.timeliness.logging_delay_if_late, the rule crm validate warns with.)"""
    return interaction.recorded is not None and logging_delay_if_late(interaction, hours) is None


def _on_time_rate(ctx: KpiContext, days: int) -> float | None:
    start = ctx.as_of - timedelta(days=days)
    gaps = [gap.on_time for gap in ctx.gaps if gap.later > start]
    return _ratio(sum(gaps), len(gaps))


# ---------------------------------------------------------------------------------------------------
# The KPIs (display order). The contract (site_builder/help/contract.md §4) fixes the first eight.


@kpi("customers_total", "count")
def customers_total(ctx: KpiContext) -> int:
    """Customers that existed on as_of: since on or before as_of, or no since yet (a prospect).
    Churned customers count too: this is everyone who has been a customer by then."""
    return len(ctx.customers)


@kpi("customers_by_stage", "table")
def customers_by_stage(ctx: KpiContext) -> dict[str, int]:
    """The customers of customers_total by their recorded stage, every stage listed (0 allowed). On a past
    as_of in a git repository, the stage each record held at the end of that day (`crm kpi --as-of` reads
    the records of that day); outside git, or with `--records now`, today's stages."""
    counts = Counter(customer.stage for customer in ctx.customers)
    return {stage.value: counts.get(stage, 0) for stage in Stage}


@kpi("overdue_followups", "count")
def overdue_followups(ctx: KpiContext) -> int:
    """Customers not churned on as_of whose follow-up is overdue (due before as_of), as `crm due` plans it."""
    return sum(plan.status is Status.OVERDUE for plan in ctx.followups)


@kpi("silent_customers", "count")
def silent_customers(ctx: KpiContext) -> int:
    """Customers not churned on as_of with no contact for policy.silent_after_days days (with no contact at
    all: that long since `since`), as `crm due` marks them silent."""
    return sum(plan.silent for plan in ctx.followups)


@kpi("followup_compliance", "ratio")
def followup_compliance(ctx: KpiContext) -> float | None:
    """Share of customers not churned on as_of whose follow-up is not overdue; null when there are none."""
    return _ratio(sum(plan.status is not Status.OVERDUE for plan in ctx.followups), len(ctx.followups))


@kpi("csat_avg", "score")
def csat_avg(ctx: KpiContext) -> float | None:
    """Mean `satisfaction` (1-5) of the interactions in the last 365 days that have one; null if none."""
    return _mean_counted(
        (facts.satisfaction, count)
        for facts, count in ctx.fact_counts.items()
        if facts.recent and facts.satisfaction is not None
    )


@kpi("open_complaints", "count")
def count_open_complaints(ctx: KpiContext) -> int:
    """Complaints (kind complaint) dated on or before as_of without `resolved` (interface contract, §3)."""
    return sum(complaint.resolved is None for complaint in ctx.complaints)


@kpi("overdue_todos", "count")
def count_overdue_todos(ctx: KpiContext) -> int:
    """Todos of conversations up to as_of, open on as_of (no `done`, or done after as_of) and due before
    as_of. For one owner: the todos that owner owns (the todo's owner, else the conversation's)."""
    return len(ctx.overdue_todos)


@kpi("followup_on_time_rate_90d", "ratio")
def followup_on_time_rate_90d(ctx: KpiContext) -> float | None:
    """From history: for each customer, each gap between consecutive contacts (interactions that are not
    care, ordered by day) whose later contact is in the last 90 days counts; it is on time when it is at
    most the interval that applied at the earlier contact (the customer's cadence_days, else the smallest
    of its stage's cadence, the new-customer cadence while new and the high-value cadence). Share of gaps
    on time; null if there are no gaps."""
    return _on_time_rate(ctx, 90)


@kpi("followup_on_time_rate_365d", "ratio")
def followup_on_time_rate_365d(ctx: KpiContext) -> float | None:
    """As followup_on_time_rate_90d, over the gaps whose later contact is in the last 365 days."""
    return _on_time_rate(ctx, WINDOW_DAYS)


@kpi("todo_on_time_rate", "ratio")
def todo_on_time_rate(ctx: KpiContext) -> float | None:
    """Todos (of conversations up to as_of) due in the last 365 days: share done on or before their due
    date; open ones and ones done late count as not on time. Null if none was due."""
    on_time = ctx.due_todos_on_time
    return _ratio(sum(on_time), len(on_time))


@kpi("logging_24h_rate", "ratio")
def logging_24h_rate(ctx: KpiContext) -> float | None:
    """Interactions in the last 365 days that have `recorded`: share recorded within
    policy.record_within_hours (24 by default) after the conversation; a date without a time counts from
    the end of that day. Null if none has `recorded`."""
    return _ratio(sum(ctx.logged), len(ctx.logged))


@kpi("retention_12m", "ratio")
def retention_12m(ctx: KpiContext) -> float | None:
    """Customers a year ago (since <= as_of - 365 days, and churned_on absent or later than that day):
    share with no churned_on on or before as_of. A customer won back after churning in the year still
    counts as lost here. Null if there were none."""
    base, kept = ctx.retention_base
    return _ratio(kept, base)


@kpi("churn_rate_12m", "ratio")
def churn_rate_12m(ctx: KpiContext) -> float | None:
    """1 - retention_12m: of the customers a year ago, the share with churned_on in the last 365 days.
    Null if there were none."""
    base, kept = ctx.retention_base
    return _ratio(base - kept, base)


@kpi("win_backs_12m", "count")
def win_backs_12m(ctx: KpiContext) -> int:
    """Customers whose stage is not churned, with churned_on in the last 365 days and a contact (an
    interaction that is not care) after churned_on and on or before as_of: lost, then won back."""
    won_back = 0
    for customer in ctx.customers:
        if customer.stage is Stage.CHURNED or not _in_last_year(customer.churned_on, ctx):
            continue
        history = ctx.contacts.get(customer.id)
        if history and customer.churned_on is not None and history[-1].day > customer.churned_on:
            won_back += 1
    return won_back


@kpi("new_customers_12m", "count")
def new_customers_12m(ctx: KpiContext) -> int:
    """Customers whose since is in the last 365 days (churned ones included)."""
    return sum(_in_last_year(customer.since, ctx) for customer in ctx.customers)


@kpi("churned_12m", "count")
def churned_12m(ctx: KpiContext) -> int:
    """Customers whose churned_on is in the last 365 days (including any won back since)."""
    return sum(_in_last_year(customer.churned_on, ctx) for customer in ctx.customers)


@kpi("new_customers_by_month", "table")
def new_customers_by_month(ctx: KpiContext) -> dict[str, int]:
    """{"YYYY-MM": customers whose since is in that month, up to as_of} for the 12 months ending with
    as_of's month, every month listed (0 allowed)."""
    months = _last_months(ctx.as_of)
    counts = Counter((c.since.year, c.since.month) for c in ctx.customers if c.since is not None)
    return {_month_key(year, month): counts.get((year, month), 0) for year, month in months}


@kpi("interactions_by_month", "table")
def interactions_by_month(ctx: KpiContext) -> dict[str, dict[str, int]]:
    """{"YYYY-MM": {channel: interactions of that month on that channel, up to as_of}} for the 12 months
    ending with as_of's month; every month and every channel listed (0 allowed). All kinds count, care too."""
    months = _last_months(ctx.as_of)
    first = months[0]
    counts: Counter[tuple[int, int, Channel]] = Counter()
    for facts, count in ctx.fact_counts.items():
        if (facts.year, facts.month) >= first:
            counts[facts.year, facts.month, facts.channel] += count
    return {
        _month_key(year, month): {channel.value: counts.get((year, month, channel), 0) for channel in Channel}
        for year, month in months
    }


@kpi("satisfaction_by_quarter", "table")
def satisfaction_by_quarter(ctx: KpiContext) -> dict[str, float | None]:
    """{"YYYY-Qn": mean satisfaction of that quarter's interactions up to as_of, or null if none} for the
    8 quarters ending with as_of's quarter."""
    quarters = _last_quarters(ctx.as_of)
    first_year, first_quarter = quarters[0]
    first_month = (first_year, 3 * first_quarter - 2)
    scores: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)  # (score, how many)
    for facts, count in ctx.fact_counts.items():
        if facts.satisfaction is not None and (facts.year, facts.month) >= first_month:
            scores[facts.year, (facts.month + 2) // 3].append((facts.satisfaction, count))
    return {f"{year:04d}-Q{quarter}": _mean_counted(scores.get((year, quarter), [])) for year, quarter in quarters}


@kpi("complaints_12m", "count")
def complaints_12m(ctx: KpiContext) -> int:
    """Complaints (kind complaint) dated in the last 365 days, resolved or not."""
    start = ctx.window_start
    return sum(complaint.day > start for complaint in ctx.complaints)


@kpi("complaint_median_resolution_days", "days")
def complaint_median_resolution_days(ctx: KpiContext) -> float | None:
    """Median of resolved - date, in days, over all complaints resolved on or before as_of; null if none."""
    days = [(i.resolved - i.day).days for i in ctx.complaints if i.resolved is not None and i.resolved <= ctx.as_of]
    return float(statistics.median(days)) if days else None


@kpi("referrals_12m", "table")
def referrals_12m(ctx: KpiContext) -> dict[str, int]:
    """{"referred_customers": customers with referred_by whose since is in the last 365 days,
    "referral_interactions": interactions of kind referral in the last 365 days}."""
    return {
        "referred_customers": sum(c.referred_by is not None and _in_last_year(c.since, ctx) for c in ctx.customers),
        "referral_interactions": sum(
            count for facts, count in ctx.fact_counts.items() if facts.recent and facts.kind is InteractionKind.REFERRAL
        ),
    }


# --- plans and contracts (contract §4, v2) ----------------------------------------------------------


def _amount_in(amounts: Iterable[tuple[float | None, str]], currency: str) -> int | float:
    """The sum of the amounts of `currency` (amounts of other currencies are left out: no exchange rate is
    known), rounded to cents; a sum of whole amounts stays whole."""
    total = sum(amount for amount, of in amounts if amount is not None and of == currency)
    return round(total, 2)


@kpi("plans_overdue", "count")
def plans_overdue(ctx: KpiContext) -> int:
    """Plans whose current occurrence (plans.plans_due: plans not cancelled and not done, of customers not
    churned) is overdue: its due day (postponed_to when later than the occurrence) is before as_of. For one
    owner: the plans they own."""
    return sum(due.status is Status.OVERDUE for due in ctx.books.plans_due)


@kpi("plan_completion_rate_90d", "ratio")
def plan_completion_rate_90d(ctx: KpiContext) -> float | None:
    """plans.plan_completion_rate: of the occurrences due in the last 90 days (as_of - 90 < due <= as_of) of
    the plans that plan something, the share carried out (by the k-th conversation naming the plan, in date
    order) on or before their due day; null if none was due. For one owner: the plans they own."""
    on_time, total = ctx.books.plan_occurrences_90d
    return _ratio(on_time, total)


@kpi("contract_value_12m", "amount")
def contract_value_12m(ctx: KpiContext) -> int | float:
    """The sum of `amount` of the contracts signed in the last 365 days (signed_on, else start), in
    crm.yaml's currency: contracts in another currency are left out (no exchange rate is known); contracts
    without an amount add 0. For one owner: the contracts they own."""
    books = ctx.books
    signed = (
        (contract.amount, contract.currency_in(ctx.ds.config))
        for contract in books.contracts
        if _in_last_year(signed_day(contract), ctx)
    )
    return _amount_in(signed, books.currency)


@kpi("renewals_due", "count")
def count_renewals_due(ctx: KpiContext) -> int:
    """Contracts up for renewal (contracts.renewals_due: an end, not terminated by as_of, not renewed by a
    contract signed by as_of, customer not churned) whose renewal (end - notice days) is overdue or due
    soon. For one owner: the contracts they own."""
    return sum(renewal.status is not Status.OK for renewal in ctx.books.renewals)


@kpi("renewal_rate_12m", "ratio")
def renewal_rate_12m(ctx: KpiContext) -> float | None:
    """Contracts signed by as_of whose end is in the last 365 days and that were not terminated by as_of:
    the share renewed (named by the `renews` of a contract signed by as_of); null if there are none. For one
    owner: the contracts they own (renewed by anyone)."""
    books = ctx.books
    ended = [
        contract.id in books.renewed
        for contract in books.contracts
        if _in_last_year(contract.end, ctx)
        and signed_by(contract, ctx.as_of)
        and not terminated_by(contract, ctx.as_of)
    ]
    return _ratio(sum(ended), len(ended))


@kpi("receivables_overdue", "amount")
def receivables_overdue(ctx: KpiContext) -> int | float:
    """The sum of the overdue payments' amounts (contracts.overdue_payments: due < as_of, no paid_on on or
    before as_of), in crm.yaml's currency: payments of contracts in another currency are left out. For one
    owner: the payments of the contracts they own."""
    books = ctx.books
    return _amount_in(((payment.amount, payment.currency) for payment in books.overdue_payments), books.currency)


# ---------------------------------------------------------------------------------------------------
# The pipeline's KPIs (crmdata.engine.pipeline has the definitions): opportunities, per owner by the
# opportunity's own owner.


@kpi("pipeline_open_value", "amount")
def pipeline_open_value(ctx: KpiContext) -> float:
    """Sum of `amount` (absent: 0) over the open opportunities (stage neither won nor lost) in the default
    currency (crm.yaml `currency`, else CNY); open ones in another currency are left out (the pipeline
    counts them apart). The stage is the one the record holds in the records read: on a past as_of in a git
    repository, that day's."""
    return ctx.open_pipeline.value


@kpi("pipeline_weighted_value", "amount")
def pipeline_weighted_value(ctx: KpiContext) -> float:
    """Sum of amount × win_probability / 100 over the opportunities of pipeline_open_value (the record's
    `probability`, else its stage's default: lead 10, qualified 30, proposal 50, negotiation 70)."""
    return ctx.open_pipeline.weighted


@kpi("win_rate_12m", "ratio")
def win_rate_12m(ctx: KpiContext) -> float | None:
    """Opportunities closed (closed_on) in the last 365 days: won / (won + lost). Null if none closed."""
    won, lost = won_and_lost(ctx.opportunities, ctx.as_of, WINDOW_DAYS)
    return _ratio(won, won + lost)
