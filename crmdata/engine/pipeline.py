"""The sales pipeline (商机漏斗) on a day: what is open, what it is worth, how long it has stood, what went quiet.

Pure functions of (dataset, as_of). The definitions, which the KPIs pipeline_open_value,
pipeline_weighted_value and win_rate_12m share (contract §4):

- **Open**: the opportunity's stage is neither won nor lost. An opportunity record keeps only its current
  stage (as a customer record does, see the KPI customers_by_stage): on a past as_of the stages are
  today's, and an opportunity won or lost after as_of is neither open nor closed on that day (its stage
  then is not known), so it is left out.
- **Value**: `amount` (absent: 0). **Weighted value**: amount × win_probability / 100, the record's
  `probability`, else its stage's default (lead 10, qualified 30, proposal 50, negotiation 70, won 100,
  lost 0).
- **Currency**: every sum is in the default currency (crm.yaml `currency`, else CNY). An opportunity in
  another currency is left out of every sum and counted separately (`Pipeline.other_currency`): amounts in
  two currencies cannot be added without an exchange rate, and crm keeps none.
- **Stages**: all six, in the order of the funnel. The four open ones hold the open opportunities; won
  and lost hold those closed (closed_on) in the last 365 days (as_of - 365 < closed_on <= as_of), the
  same ones win_rate counts. A stage's count includes opportunities in other currencies; its value and
  weighted value do not.
- **Age** (days): as_of minus the day the opportunity entered its stage. For won and lost that day is
  closed_on, exactly. For an open stage, a record keeps no history of its stage moves, but git does: the
  caller gives the day its record entered that stage on the branch (`entered`, from
  crmdata.git.field_history: the commit date of the change to that stage), used when on or before as_of.
  Without it (no git, a stage changed but not committed), the age is counted from the opportunity's first
  conversation (the earliest interaction, not care, with `opportunity: ID`, on or before as_of) and is
  unknown (None) without one: the opportunity's age rather than its age in the stage. A stage's median age
  is the lower middle value of the known ages (a whole number of days), None if none is known.
- **Stale**: an open opportunity with no conversation naming it in the last 30 days: its latest
  conversation (interaction, not care, with `opportunity: ID`, on or before as_of) is 30 or more days
  before as_of. When no conversation names it, its customer's latest conversation counts instead; with
  none at all it is stale.
- **Win rate**: won / (won + lost) over the opportunities closed in the window; None when none closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from crmdata.records.dataset import Dataset
from crmdata.records.models import CrmConfig, InteractionKind, Opportunity, OpportunityStage
from crmdata.records.models.fields import DEFAULT_CURRENCY
from crmdata.records.models.opportunity import CLOSED_STAGES, STAGE_PROBABILITY

STALE_DAYS = 30
"""An open opportunity with no conversation for this many days is stale."""
CLOSED_WINDOW_DAYS = 365
"""The won and lost stages, and the KPI win_rate_12m, count what closed in this many days up to as_of."""


@dataclass(frozen=True)
class StageSummary:
    """One stage of the pipeline: how many opportunities stand there, their value, weighted value (in the
    default currency) and the median of their ages in days (None when no age is known)."""

    stage: OpportunityStage
    count: int
    value: float
    weighted: float
    median_age_days: int | None


@dataclass(frozen=True)
class Pipeline:
    """The pipeline on one day (see the module's docstring for every definition)."""

    open_value: float
    """Sum of the open opportunities' amounts in the default currency."""
    weighted_value: float
    """Sum of amount × win_probability / 100 over the same opportunities."""
    stages: tuple[StageSummary, ...]
    """Every stage, in OpportunityStage's order (lead … negotiation, won, lost)."""
    stale: tuple[str, ...]
    """Ids of the open opportunities without a conversation for 30 days, sorted."""
    currency: str = DEFAULT_CURRENCY
    """The currency of every sum: crm.yaml's `currency`, else CNY."""
    other_currency: tuple[str, ...] = ()
    """Ids of the open opportunities in another currency, sorted: left out of the sums, counted here."""


@dataclass(frozen=True)
class OpenSums:
    """What the open opportunities are worth in one currency, and how many were left out for another."""

    value: float
    weighted: float
    other_currency: int


def default_currency(ds: Dataset) -> str:
    """The currency every sum is in: crm.yaml's `currency`, else CNY."""
    return ds.config.currency if ds.config is not None else DEFAULT_CURRENCY


def weighted_amount(opportunity: Opportunity) -> float:
    """amount × win_probability / 100 (amount absent: 0)."""
    return (opportunity.amount or 0) * opportunity.win_probability / 100


def _money(amount: float) -> float:
    """A sum as reported: rounded to the cent, so 0.1 + 0.2 shows as 0.3."""
    return round(float(amount), 2)


def open_sums(opportunities: Iterable[Opportunity], currency: str, config: CrmConfig | None) -> OpenSums:
    """The value and weighted value of the open ones among `opportunities` in `currency`; the open ones in
    another currency are counted, not added (the KPIs' per-owner sums call this with each owner's)."""
    value = weighted = 0.0
    other = 0
    default = config.currency if config is not None else DEFAULT_CURRENCY  # Opportunity.currency_in, inlined
    closed = CLOSED_STAGES
    for opportunity in opportunities:  # 20k records per context: attributes read once, no method calls
        stage = opportunity.stage
        if stage in closed:
            continue
        if (opportunity.currency or default) != currency:
            other += 1
            continue
        amount = opportunity.amount
        if amount:
            probability = opportunity.probability
            value += amount
            weighted += amount * (probability if probability is not None else STAGE_PROBABILITY[stage]) / 100
    return OpenSums(_money(value), _money(weighted), other)


def closed_in_window(opportunity: Opportunity, as_of: date, days: int = CLOSED_WINDOW_DAYS) -> bool:
    """Whether it was won or lost in the `days` days up to as_of: as_of - days < closed_on <= as_of."""
    closed = opportunity.closed_on
    return not opportunity.is_open and closed is not None and as_of - timedelta(days=days) < closed <= as_of


def won_and_lost(opportunities: Iterable[Opportunity], as_of: date, days: int = CLOSED_WINDOW_DAYS) -> tuple[int, int]:
    """(won, lost) among `opportunities` closed in the `days` days up to as_of."""
    won = lost = 0
    start = as_of - timedelta(days=days)
    for opportunity in opportunities:  # closed_in_window, inlined: this runs once per KPI context
        closed = opportunity.closed_on
        if closed is not None and start < closed <= as_of:
            stage = opportunity.stage
            if stage is OpportunityStage.WON:
                won += 1
            elif stage is OpportunityStage.LOST:
                lost += 1
    return won, lost


def win_rate(ds: Dataset, as_of: date, days: int = CLOSED_WINDOW_DAYS) -> float | None:
    """won / (won + lost) over the opportunities closed (closed_on) in the `days` days up to as_of
    (as_of - days < closed_on <= as_of); None when none closed then."""
    won, lost = won_and_lost(ds.opportunities, as_of, days)
    return won / (won + lost) if won + lost else None


@dataclass
class _Conversations:
    """The first and latest day of the conversations naming one opportunity, up to as_of."""

    first: date
    latest: date


def _conversation_days(ds: Dataset, as_of: date) -> tuple[dict[str, _Conversations], dict[str, date]]:
    """One pass over the interactions up to as_of that are not care: per opportunity id the first and
    latest day of those naming it, per customer id the latest day of any."""
    named: dict[str, _Conversations] = {}
    latest_with: dict[str, date] = {}
    care = InteractionKind.CARE
    for interaction in ds.interactions:
        day = interaction.day
        if day > as_of or interaction.kind is care:
            continue
        customer = interaction.customer
        known = latest_with.get(customer)
        if known is None or day > known:
            latest_with[customer] = day
        opportunity = interaction.opportunity
        if opportunity is not None:
            days = named.get(opportunity)
            if days is None:
                named[opportunity] = _Conversations(day, day)
            elif day < days.first:
                days.first = day
            elif day > days.latest:
                days.latest = day
    return named, latest_with


def _median_low(ages: list[int]) -> int | None:
    """The lower middle of the ages (a whole number of days), None when there are none."""
    if not ages:
        return None
    ordered = sorted(ages)
    return ordered[(len(ordered) - 1) // 2]


def pipeline(ds: Dataset, as_of: date, owner: str | None = None, entered: Mapping[str, date] | None = None) -> Pipeline:
    """The pipeline on as_of (for one owner's opportunities when `owner` is given); `entered`: opportunity id ->
    the day it entered its current stage, from git. Every definition is in the module's docstring."""
    entered = entered or {}
    currency = default_currency(ds)
    config = ds.config
    named, latest_with = _conversation_days(ds, as_of)
    stale_before = as_of - timedelta(days=STALE_DAYS)
    counts = dict.fromkeys(OpportunityStage, 0)
    values = dict.fromkeys(OpportunityStage, 0.0)
    weighted = dict.fromkeys(OpportunityStage, 0.0)
    ages: dict[OpportunityStage, list[int]] = {stage: [] for stage in OpportunityStage}
    stale: list[str] = []
    other: list[str] = []
    for opportunity in ds.opportunities:
        if owner is not None and opportunity.owner != owner:
            continue
        stage = opportunity.stage
        conversations = named.get(opportunity.id)
        if opportunity.is_open:
            since = entered.get(opportunity.id)
            if since is not None and since <= as_of:
                ages[stage].append((as_of - since).days)
            elif conversations is not None:
                ages[stage].append((as_of - conversations.first).days)
            if conversations is not None:
                latest: date | None = conversations.latest
            else:
                latest = latest_with.get(opportunity.customer)
            if latest is None or latest <= stale_before:
                stale.append(opportunity.id)
        elif closed_in_window(opportunity, as_of) and opportunity.closed_on is not None:
            ages[stage].append((as_of - opportunity.closed_on).days)
        else:
            continue
        counts[stage] += 1
        if opportunity.currency_in(config) != currency:
            if opportunity.is_open:
                other.append(opportunity.id)
            continue
        values[stage] += opportunity.amount or 0
        weighted[stage] += weighted_amount(opportunity)
    stages = tuple(
        StageSummary(stage, counts[stage], _money(values[stage]), _money(weighted[stage]), _median_low(ages[stage]))
        for stage in OpportunityStage
    )
    open_stages = [stage for stage in OpportunityStage if stage not in CLOSED_STAGES]
    return Pipeline(
        open_value=_money(sum(values[stage] for stage in open_stages)),
        weighted_value=_money(sum(weighted[stage] for stage in open_stages)),
        stages=stages,
        stale=tuple(sorted(stale)),
        currency=currency,
        other_currency=tuple(sorted(other)),
    )
