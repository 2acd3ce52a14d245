"""Segments: groups of customers that belong together, by dimension, by computed flag, or by a filter
declared in crm.yaml. Pure functions of (dataset, as_of).

The churn early warning (`at_risk`) is explainable: a customer's score is the sum of the weights of the
signals that fired, and every signal is listed with what raised it: its name and figures, which the
renderers word in the reader's language (crmdata.engine.risk_words).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from crmdata.engine.contracts import overdue_payments, renewals_due
from crmdata.engine.risk_words import risk_signal_text
from crmdata.engine.schedule import (
    FollowUp,
    OverdueTodo,
    Status,
    followups,
    is_new,
    open_complaints,
    overdue_todos,
)
from crmdata.engine.value import suggested_values
from crmdata.records.dataset import Dataset
from crmdata.records.models import (
    Customer,
    Flag,
    Interaction,
    InteractionKind,
    OpportunityStage,
    Policy,
    SegmentFilter,
    Stage,
    Value,
)
from crmdata.records.vocabulary import SETS, label, phrase, term

AT_RISK_SCORE = 3
"""A customer whose signals add up to this score or more is at risk of churning."""
RENEWAL_SILENCE_DAYS = 30
"""renewal_near_silent: no conversation with the customer (or naming the contract) for this many days."""
LOST_OPPORTUNITY_DAYS = 90
"""opportunity_lost: an opportunity lost this many days ago or less."""

DIMENSIONS: dict[str, Callable[[Customer], Iterable[str]]] = {
    "type": lambda customer: [customer.type.value],
    "tier": lambda customer: [customer.tier.value],
    "stage": lambda customer: [customer.stage.value],
    "value": lambda customer: [customer.value.value],
    "owner": lambda customer: [customer.owner],
    "industry": lambda customer: [customer.industry] if customer.industry else [],
    "source": lambda customer: [customer.source] if customer.source else [],
    "tags": lambda customer: customer.tags,
}
"""Built-in dimensions: one segment per value that occurs, keyed `dimension:value` (e.g. `tier:strategic`)."""


@dataclass(frozen=True)
class RiskSignal:
    """One reason a customer may be about to leave, with its weight in the score: a name and the figures
    that raised it, which the renderers word (crmdata.engine.risk_words.risk_signal_text)."""

    name: str
    weight: int
    figures: Mapping[str, float] = field(default_factory=dict)
    """What raised it, by name (days, count, latest, earlier_average): crmdata.engine.risk_words puts
    them into words."""


@dataclass(frozen=True)
class Risk:
    customer: str
    signals: tuple[RiskSignal, ...]

    @property
    def score(self) -> int:
        return sum(signal.weight for signal in self.signals)

    @property
    def at_risk(self) -> bool:
        return self.score >= AT_RISK_SCORE


@dataclass(frozen=True)
class Segment:
    """A named group of customers (ids, in customer-file order)."""

    key: str
    title: str
    kind: str  # "dimension", "computed" or "custom"
    description: str
    members: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class CustomerFacts:
    """What the filters and segments need to know about one customer on `as_of`."""

    customer: Customer
    flags: set[Flag] = field(default_factory=set)
    risk: Risk | None = None
    suggested_value: Value | None = None
    """The value the last 12 months' contracts suggest (crmdata.engine.value), None without such a contract."""


def _satisfaction_falling(scores: list[int]) -> tuple[int, float] | None:
    """(latest, mean of the earlier ones) when the latest score is at least 1 below that mean (last year)."""
    if len(scores) < 2:
        return None
    earlier = sum(scores[:-1]) / (len(scores) - 1)  # float(statistics.mean(...)) of ints: both correctly rounded
    if scores[-1] <= earlier - 1:
        return scores[-1], earlier
    return None


def risks(
    ds: Dataset,
    as_of: date,
    plans: dict[str, FollowUp] | None = None,
    *,
    complaints: list[Interaction] | None = None,
    todos: list[OverdueTodo] | None = None,
) -> dict[str, Risk]:
    """The churn-risk signals of every customer that is not churned.

    Signals and weights: silent (3), follow-up overdue (2), satisfaction falling (2), open complaint
    (2), dormant stage (1), unkept promises i.e. overdue todos (1); (v2) renewal near and silent (2): a
    contract up for renewal whose renewal day has come and whose end has not (due <= as_of <= end), with no
    conversation in the last 30 days that is a contact with the customer or names the contract; payment
    overdue (1); opportunity lost (1): one closed lost in the last 90 days.

    `plans`, `complaints` and `todos` are followups', open_complaints' and overdue_todos' answers for `as_of`
    when the caller has them already (the site does).
    """
    plans = plans if plans is not None else {plan.customer: plan for plan in followups(ds, as_of)}
    scores: dict[str, list[int]] = defaultdict(list)
    year_ago = as_of - timedelta(days=365)
    scored = sorted(  # by day, then id (unique): the year's scored conversations only, a tenth of them to sort
        (i.day, i.id, i.customer, i.satisfaction)
        for i in ds.interactions
        if i.satisfaction is not None and year_ago < i.day <= as_of
    )
    for _, _, customer_id, score in scored:
        scores[customer_id].append(score)
    complained: dict[str, int] = defaultdict(int)
    for complaint in complaints if complaints is not None else open_complaints(ds, as_of):
        complained[complaint.customer] += 1
    unkept: dict[str, int] = defaultdict(int)
    for todo in todos if todos is not None else overdue_todos(ds, as_of):
        unkept[todo.customer] += 1
    renewal_near, payments_late, lost_days = _record_signals(ds, as_of)
    found = {}
    for customer in ds.customers:
        plan = plans.get(customer.id)
        if plan is None:
            continue
        signals = []
        if plan.silent:
            last = plan.last_contact
            signals.append(RiskSignal("silent", 3, {"days": (as_of - last).days} if last is not None else {}))
        if plan.status is Status.OVERDUE:
            signals.append(RiskSignal("overdue", 2, {"days": plan.days_overdue}))
        falling = _satisfaction_falling(scores.get(customer.id, []))
        if falling:
            latest, earlier = falling
            signals.append(RiskSignal("satisfaction_falling", 2, {"latest": latest, "earlier_average": earlier}))
        if complained.get(customer.id):
            signals.append(RiskSignal("open_complaint", 2, {"count": complained[customer.id]}))
        if customer.stage is Stage.DORMANT:
            signals.append(RiskSignal("dormant", 1))
        if unkept.get(customer.id):
            signals.append(RiskSignal("unkept_todos", 1, {"count": unkept[customer.id]}))
        if customer.id in renewal_near:
            signals.append(RiskSignal("renewal_near_silent", 2, {"days": renewal_near[customer.id]}))
        if customer.id in payments_late:
            count, days = payments_late[customer.id]
            signals.append(RiskSignal("payment_overdue", 1, {"count": count, "days": days}))
        if customer.id in lost_days:
            signals.append(RiskSignal("opportunity_lost", 1, {"days": lost_days[customer.id]}))
        found[customer.id] = Risk(customer.id, tuple(signals))
    return found


def _record_signals(ds: Dataset, as_of: date) -> tuple[dict[str, int], dict[str, tuple[int, int]], dict[str, int]]:
    """What plans' and contracts' records say of each customer: (customer -> days to the end of the
    nearest contract whose renewal is near with no conversation for 30 days; customer -> (overdue payments,
    days the oldest is overdue); customer -> days since its latest opportunity lost in the last 90 days)."""
    silence_start = as_of - timedelta(days=RENEWAL_SILENCE_DAYS)
    talked_to: set[str] = set()
    contracts_named: set[str] = set()
    for interaction in ds.interactions:
        if silence_start < interaction.day <= as_of:
            if interaction.kind is not InteractionKind.CARE:
                talked_to.add(interaction.customer)
            if interaction.contract is not None:
                contracts_named.add(interaction.contract)
    renewal_near: dict[str, int] = {}
    for renewal in renewals_due(ds, as_of):
        silent = renewal.customer not in talked_to and renewal.contract_id not in contracts_named
        if silent and renewal.due <= as_of <= renewal.end:
            days_left = (renewal.end - as_of).days
            renewal_near[renewal.customer] = min(days_left, renewal_near.get(renewal.customer, days_left))
    payments_late: dict[str, tuple[int, int]] = {}
    for payment in overdue_payments(ds, as_of):  # oldest first
        count, days = payments_late.get(payment.customer, (0, payment.days_overdue))
        payments_late[payment.customer] = (count + 1, days)
    lost_days: dict[str, int] = {}
    for opportunity in ds.opportunities:
        closed = opportunity.closed_on
        if opportunity.stage is not OpportunityStage.LOST or closed is None:
            continue
        days = (as_of - closed).days
        if 0 <= days < LOST_OPPORTUNITY_DAYS:  # as_of - 90 < closed_on <= as_of
            lost_days[opportunity.customer] = min(days, lost_days.get(opportunity.customer, days))
    return renewal_near, payments_late, lost_days


def customer_facts(
    ds: Dataset,
    as_of: date,
    schedule: list[FollowUp] | None = None,
    *,
    suggested: dict[str, Value] | None = None,
    complaints: list[Interaction] | None = None,
    todos: list[OverdueTodo] | None = None,
) -> list[CustomerFacts]:
    """Flags and risk of every customer that existed by `as_of` (since unset or not after it).

    `schedule`, `suggested`, `complaints` and `todos` are followups', suggested_values', open_complaints' and
    overdue_todos' answers for `as_of` when the caller has them already (the site does: each is a tenth of a
    second and more at 10,000 customers)."""
    policy = ds.config.policy if ds.config is not None else Policy()
    plans = {plan.customer: plan for plan in (schedule if schedule is not None else followups(ds, as_of))}
    risk_by_customer = risks(ds, as_of, plans, complaints=complaints, todos=todos)
    suggested = suggested if suggested is not None else suggested_values(ds, as_of)
    facts = []
    for customer in ds.customers:
        if customer.since is not None and customer.since > as_of:
            continue
        fact = CustomerFacts(
            customer, risk=risk_by_customer.get(customer.id), suggested_value=suggested.get(customer.id)
        )
        churned = customer.stage is Stage.CHURNED
        plan = plans.get(customer.id)
        if is_new(customer, policy, as_of) and not churned:
            fact.flags.add(Flag.NEW)
        if plan is not None and plan.silent:
            fact.flags.add(Flag.SILENT)
        if plan is not None and plan.status is Status.OVERDUE:
            fact.flags.add(Flag.OVERDUE)
        if fact.risk is not None and fact.risk.at_risk:
            fact.flags.add(Flag.AT_RISK)
        if customer.value is Value.HIGH and not churned:
            fact.flags.add(Flag.HIGH_VALUE)
        if churned:
            fact.flags.add(Flag.WIN_BACK)
        if fact.suggested_value is not None and fact.suggested_value is not customer.value:
            fact.flags.add(Flag.VALUE_DIFFERS)
        facts.append(fact)
    return facts


def matches(fact: CustomerFacts, where: SegmentFilter) -> bool:
    """Whether a customer passes every condition of a filter."""
    customer = fact.customer
    checks: list[tuple[list[object] | None, object]] = [
        (list(where.type) if where.type else None, customer.type),
        (list(where.tier) if where.tier else None, customer.tier),
        (list(where.stage) if where.stage else None, customer.stage),
        (list(where.value) if where.value else None, customer.value),
        (list(where.owner) if where.owner else None, customer.owner),
        (list(where.industry) if where.industry else None, customer.industry),
        (list(where.source) if where.source else None, customer.source),
    ]
    if any(allowed is not None and actual not in allowed for allowed, actual in checks):
        return False
    tags = set(customer.tags)
    if where.tags_any and not tags.intersection(where.tags_any):
        return False
    if where.tags_all and not tags.issuperset(where.tags_all):
        return False
    return all(flag in fact.flags for flag in where.flags)


def segments(ds: Dataset, as_of: date, facts: list[CustomerFacts] | None = None) -> list[Segment]:
    """Every segment: computed flags first, then custom ones from crm.yaml, then each dimension's values.

    `facts` is `customer_facts(ds, as_of)` when the caller has it already (the site does)."""
    facts = facts if facts is not None else customer_facts(ds, as_of)
    found = [
        Segment(
            flag.value,
            flag.value,
            "computed",
            flag_description(flag),
            tuple(f.customer.id for f in facts if flag in f.flags),
        )
        for flag in Flag
    ]
    custom = ds.config.segments if ds.config is not None else {}
    for key, spec in custom.items():
        members = tuple(fact.customer.id for fact in facts if matches(fact, spec.where))
        found.append(Segment(key, spec.title or key, "custom", spec.description or "", members))
    for dimension, values_of in DIMENSIONS.items():
        groups: dict[str, list[str]] = defaultdict(list)
        for fact in facts:
            for value in values_of(fact.customer):
                groups[value].append(fact.customer.id)
        for value in sorted(groups):
            found.append(
                Segment(f"{dimension}:{value}", value, "dimension", f"{dimension} is {value}", tuple(groups[value]))
            )
    return found


def flag_description(flag: Flag, language: object = "en") -> str:
    """What a computed flag (and its segment) means, in `language`: the vocabulary's `flag_<name>` label."""
    return label(f"flag_{flag.value}", language)


def segment_title(segment: Segment, language: object, member_name: Callable[[str], str] = str) -> str:
    """A segment's name for people: computed, the flag's word; custom, its title from crm.yaml; dimension,
    `阶段：合作期` (an owner by `member_name`, industries, sources and tags as they are written)."""
    if segment.kind == "computed":
        return term(segment.key, language, of="flag")
    if segment.kind == "custom":
        return segment.title
    dimension, _, value = segment.key.partition(":")
    if dimension == "owner":
        shown = member_name(value)
    elif dimension in SETS:
        shown = term(value, language, of=dimension)
    else:
        shown = value
    return phrase("dimension_is", language, dimension=label(dimension, language), value=shown)


def segment_description(segment: Segment, language: object, member_name: Callable[[str], str] = str) -> str:
    """What a segment is for, in `language`: a computed flag's definition, a custom segment's description
    from crm.yaml, a dimension's title."""
    if segment.kind == "computed":
        return flag_description(Flag(segment.key), language)
    if segment.kind == "custom":
        return segment.description
    return segment_title(segment, language, member_name)


def members(segment: Segment, facts: Iterable[CustomerFacts]) -> list[CustomerFacts]:
    """The segment's customers with their facts, in the segment's order (`facts` from customer_facts)."""
    by_id = {fact.customer.id: fact for fact in facts}
    return [by_id[customer_id] for customer_id in segment.members]


def segment_json(segment: Segment, language: object, member_name: Callable[[str], str] = str) -> dict[str, object]:
    """A segment as `crm segments --format json` lists it (site_builder/help/contract.md §4), its
    description in `language` (segment_description)."""
    return {
        "key": segment.key,
        "title": segment.title,
        "kind": segment.kind,
        "size": segment.size,
        "description": segment_description(segment, language, member_name),
    }


def member_json(fact: CustomerFacts, language: object) -> dict[str, object]:
    """A member as `crm segments NAME --format json` lists it (contract §4); the signals in `language`."""
    customer = fact.customer
    risk = fact.risk
    return {
        "customer": customer.id,
        "name": customer.name,
        "owner": customer.owner,
        "stage": customer.stage.value,
        "tier": customer.tier.value,
        "value": customer.value.value,
        "suggested_value": fact.suggested_value.value if fact.suggested_value is not None else None,
        "flags": sorted(flag.value for flag in fact.flags),
        "risk_score": risk.score if risk else None,
        "risk_signals": [risk_signal_text(signal, language) for signal in risk.signals] if risk else [],
        "churn_reason": customer.churn_reason,
    }
