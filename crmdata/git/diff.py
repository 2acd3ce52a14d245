"""What a change does to the CRM: records added, changed and removed, and what that does to the plan.

Beside the records field by field, a reviewer reads what the change means for the business: customers
churned or won back, follow-ups done or overdue, opportunities that moved stage (won and lost named),
contracts signed and renewed, and the change to the pipeline's open value and the overdue receivables
(the KPIs `pipeline_open_value` and `receivables_overdue`, as registered in crmdata.engine.kpis).

Pure functions of two loaded revisions and `as_of`: `snapshot(dataset, as_of)` keeps what the comparison
needs of one revision (so its dataset can be freed before the other is loaded), `compare(base, head)`
returns a `Change`, and `markdown(change)` / `as_json(change)` render it. Nothing here reads git, files
or the clock: `crmdata.git.compare_revisions` materialises revisions (`crmdata.git.gitrev`) and loads them,
and the CLI prints.

Records are compared as their models' data (`model_dump()` as JSON values), every field with its
default, not as the YAML text: what a change does to the CRM is a change of meaning. Quoting a date,
re-ordering keys, writing `value: medium` where it was the default or `2024-03-01 15:30` as
`2024-03-01T15:30:00` changes nothing and is not reported; a field that is set shows its old value as
the default it replaced (`value: medium → high`), which says more than "(unset) → high".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, StrEnum
from typing import Any

from crmdata.engine import kpis
from crmdata.engine.schedule import FollowUp, Status, followup_json, followups
from crmdata.git.diff_words import DIFF_WORDS
from crmdata.records.dataset import Dataset
from crmdata.records.models import (
    Channel,
    CustomerType,
    InteractionKind,
    Language,
    OpportunityStage,
    PlanCycle,
    PlanStatus,
    Stage,
    Tier,
    Value,
)
from crmdata.records.models.contact import PRIVATE_CONTACT_FIELDS
from crmdata.records.models.fields import DEFAULT_CURRENCY
from crmdata.records.money import format_amount
from crmdata.records.problems import Loc, Problem, format_loc
from crmdata.records.report import format_kpi_value, problem_entry
from crmdata.records.vocabulary import label, phrase, term
from crmdata.system.terminal_text import visible

HIDDEN = "(private)"
"""What a private value (a contact's phone, email, address, birthday) is replaced by unless internal; the
Markdown says it in the change's language (phrase `private`)."""
MAX_ROWS = 50
"""Rows per Markdown table: a PR comment is capped at 65,536 characters and a job summary at 1 MiB."""
MAX_VALUE_CHARS = 120
"""A longer value (notes, summaries) is cut in Markdown; `--format json` has it whole."""


class RecordKind(StrEnum):
    CUSTOMER = "customer"
    INTERACTION = "interaction"
    PLAN = "plan"
    OPPORTUNITY = "opportunity"
    CONTRACT = "contract"


MONEY_KPIS = ("pipeline_open_value", "receivables_overdue")
"""The KPIs whose change the headline and the "pipeline and receivables" section name, as amounts of the
default currency (contract §4); a KPI not registered (crmdata.engine.kpis.KPIS) is simply not shown."""


class FollowUpEvent(StrEnum):
    """How a customer's place in the follow-up schedule (`crm due`) changed."""

    DONE = "done"
    """It was overdue or due soon, and a contact was logged."""
    OVERDUE = "newly overdue"
    RESCHEDULED = "rescheduled"
    """The due date moved (next_followup, cadence, stage...) without either of the above."""
    ENTERED = "new in schedule"
    """A new customer, or one no longer churned."""
    LEFT = "left schedule"
    """Churned or removed."""


# ---------------------------------------------------------------------------------------------------
# One revision


@dataclass(frozen=True)
class RecordView:
    """One record of a revision as plain JSON data, with the file it is in."""

    kind: RecordKind
    id: str
    file: str
    data: dict[str, Any]


RecordKey = tuple[RecordKind, str]


@dataclass(frozen=True)
class Snapshot:
    """What the comparison needs of one revision; taken from its dataset, which can then be freed."""

    as_of: date
    records: dict[RecordKey, RecordView]
    """The records of the files that differ between the revisions (every record when no files are given)."""
    config: dict[str, Any] | None
    names: dict[str, str]
    """Every customer's name by id: interactions, plans, opportunities, contracts and follow-ups name their
    customer."""
    followups: dict[str, FollowUp]
    kpis: dict[str, object]
    """The team's KPIs (kpis.compute)."""
    errors: tuple[Problem, ...] = ()
    language: Language = Language.ZH
    currency: str = DEFAULT_CURRENCY
    """crm.yaml's `currency`: the currency of the KPIs' amounts and of records that name none."""


def snapshot(
    ds: Dataset, as_of: date, files: Collection[str] | None = None, errors: Iterable[Problem] = ()
) -> Snapshot:
    """The revision loaded in `ds`, seen on `as_of`. `files`: only the records of these files are kept
    (the files git says differ: the other records are the same on both sides)."""
    wanted = None if files is None else set(files)
    records: dict[RecordKey, RecordView] = {}
    kinds: tuple[tuple[RecordKind, list[Any]], ...] = (
        (RecordKind.CUSTOMER, ds.customers),
        (RecordKind.INTERACTION, ds.interactions),
        (RecordKind.PLAN, ds.plans),
        (RecordKind.OPPORTUNITY, ds.opportunities),
        (RecordKind.CONTRACT, ds.contracts),
    )
    for kind, items in kinds:
        for record in items:
            path = ds.file_of(record)
            if wanted is None or path in wanted:
                records[kind, record.id] = RecordView(kind, record.id, path, _plain(record.model_dump()))
    return Snapshot(
        as_of=as_of,
        records=records,
        config=_plain(ds.config.model_dump()) if ds.config is not None else None,
        names={customer.id: customer.name for customer in ds.customers},
        followups={plan.customer: plan for plan in followups(ds, as_of)},
        kpis=kpis.compute(ds, as_of),
        errors=tuple(errors),
        language=ds.config.language if ds.config is not None else Language.ZH,
        currency=ds.config.currency if ds.config is not None else DEFAULT_CURRENCY,
    )


def _plain(value: Any) -> Any:
    """model_dump() output as JSON data: dates as ISO text, enums as their values.

    (model_dump(mode="json") would do it, but it warns about every date: the models' dates are parsed
    by PlainValidators, whose serializer pydantic then mistrusts.)
    """
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def empty_snapshot(as_of: date, language: Language = Language.ZH) -> Snapshot:
    """A revision without data (before the data repository's first commit): everything is added.
    `language`: what the report is worded in when neither side has data to say it (no data file changed)."""
    return Snapshot(as_of=as_of, records={}, config=None, names={}, followups={}, kpis={}, language=language)


# ---------------------------------------------------------------------------------------------------
# The change


@dataclass(frozen=True)
class FieldChange:
    """One value that differs: `path` as a user reads it (`contacts[0].title`), None for absent."""

    path: str
    old: Any
    new: Any
    private: bool = False
    """A private contact field (phone, email, address, birthday)."""
    hidden: bool = False
    """A private value not shown: old and new are HIDDEN (None stays None, so added/removed still shows)."""

    @property
    def change(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"


@dataclass(frozen=True)
class RecordChange:
    """A record added, removed or changed, with its field changes (for added or removed records: every
    value, from or to absent)."""

    kind: RecordKind
    id: str
    status: str
    """added, removed or changed."""
    file: str
    before: dict[str, Any] | None = field(default=None, repr=False)
    after: dict[str, Any] | None = field(default=None, repr=False)
    """The record on BASE and on HEAD (None where it does not exist), private values hidden unless internal."""
    fields: tuple[FieldChange, ...] = ()
    customer_name: str | None = None
    """The name of the customer of an interaction, a plan, an opportunity or a contract."""
    moved_from: str | None = None
    """The file it was in on BASE, when it moved."""

    @property
    def data(self) -> dict[str, Any]:
        """The record as it is now (as it was, when removed)."""
        data = self.after if self.after is not None else self.before
        assert data is not None
        return data


@dataclass(frozen=True)
class StageChange:
    """A customer's stage changed; to churned and back from churned are what a reviewer looks for."""

    customer: str
    name: str
    old: str
    new: str
    churned_on: str | None
    churn_reason: str | None

    @property
    def churned(self) -> bool:
        return self.new == "churned"

    @property
    def won_back(self) -> bool:
        return self.old == "churned"


@dataclass(frozen=True)
class OpportunityMove:
    """An opportunity whose stage changed; to won and to lost are what a sales manager looks for."""

    opportunity: str
    customer: str
    name: str
    """The customer's name."""
    title: str
    old: str
    new: str
    amount: int | float | None
    currency: str
    closed_on: str | None

    @property
    def won(self) -> bool:
        return self.new == OpportunityStage.WON.value

    @property
    def lost(self) -> bool:
        return self.new == OpportunityStage.LOST.value


@dataclass(frozen=True)
class ContractSigned:
    """A contract new on HEAD: signed, or renewing another (`renews`)."""

    contract: str
    customer: str
    name: str
    """The customer's name."""
    title: str
    start: str
    end: str | None
    amount: int | float | None
    currency: str
    signed_on: str | None
    renews: str | None

    @property
    def event(self) -> str:
        """signed, or renewed when it renews another contract."""
        return "renewed" if self.renews else "signed"


@dataclass(frozen=True)
class FollowUpChange:
    """A customer's follow-up before and after (None where it is not in the schedule)."""

    event: FollowUpEvent
    customer: str
    name: str
    owner: str
    before: FollowUp | None
    after: FollowUp | None
    note: str = ""
    """Why it left the schedule: churned or removed."""


@dataclass(frozen=True)
class TodoDone:
    """A todo that was open on BASE and is done on HEAD."""

    interaction: str
    customer: str
    task: str
    due: str
    done: str


@dataclass(frozen=True)
class KpiChange:
    """A KPI value that differs; `key` names a value inside a table KPI (customers_by_stage.churned)."""

    name: str
    key: str
    title: str
    unit: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    """Everything a change does to the CRM, as of one day."""

    as_of: date
    base_label: str
    head_label: str
    customers: tuple[RecordChange, ...] = ()
    interactions: tuple[RecordChange, ...] = ()
    plans: tuple[RecordChange, ...] = ()
    opportunities: tuple[RecordChange, ...] = ()
    contracts: tuple[RecordChange, ...] = ()
    config: tuple[FieldChange, ...] = ()
    stages: tuple[StageChange, ...] = ()
    followups: tuple[FollowUpChange, ...] = ()
    todos_done: tuple[TodoDone, ...] = ()
    kpis: tuple[KpiChange, ...] = ()
    base_errors: tuple[Problem, ...] = ()
    head_errors: tuple[Problem, ...] = ()
    language: Language = Language.ZH
    base_commit: str | None = None
    head_commit: str | None = None
    moves: tuple[OpportunityMove, ...] = ()
    signed: tuple[ContractSigned, ...] = ()
    currency: str = DEFAULT_CURRENCY
    """HEAD's default currency: the one of the KPIs' amounts."""

    @property
    def money(self) -> tuple[KpiChange, ...]:
        """The changes of the pipeline's open value and of the overdue receivables (MONEY_KPIS)."""
        return tuple(item for item in self.kpis if item.name in MONEY_KPIS and not item.key)

    @property
    def ok(self) -> bool:
        """HEAD validates (nothing is compared otherwise)."""
        return not self.head_errors

    @property
    def empty(self) -> bool:
        records = (self.customers, self.interactions, self.plans, self.opportunities, self.contracts)
        return not (any(records) or self.config or self.followups or self.kpis)

    def headline(self) -> str:
        """One line: what changed, most telling first, in the change's language (HEAD's crm.yaml)."""
        language = self.language
        if not self.ok:
            errors = phrase("errors_n", language, count=len(self.head_errors))
            return phrase("diff_head_invalid", language, errors=errors)
        parts: list[str] = []
        for records, noun in ((self.customers, "diff_records"), (self.interactions, "diff_interactions")):
            for status in ("added", "changed", "removed"):
                count = sum(record.status == status for record in records)
                if count:
                    parts.append(phrase(noun, language, count=count, change=term(status, language, of="change")))
        for records, noun in (
            (self.plans, "plans"),
            (self.opportunities, "opportunities"),
            (self.contracts, "contracts"),
        ):
            for status in ("added", "changed", "removed"):
                count = sum(record.status == status for record in records)
                if count:
                    change = term(status, language, of="change")
                    parts.append(DIFF_WORDS.say(noun, count=count, change=change).text(language))
        parts += self._business_parts()
        if self.config:
            parts.append(phrase("diff_config_changed", language))
        churned = sum(stage.churned for stage in self.stages)
        won_back = sum(stage.won_back for stage in self.stages)
        if churned:
            parts.append(phrase("diff_churned", language, count=churned))
        if won_back:
            parts.append(phrase("diff_won_back", language, count=won_back))
        for event in (FollowUpEvent.DONE, FollowUpEvent.OVERDUE, FollowUpEvent.RESCHEDULED):
            count = sum(item.event is event for item in self.followups)
            if count:
                parts.append(phrase("diff_followups", language, count=count, event=term(event, language)))
        if self.todos_done:
            parts.append(phrase("diff_todos_done", language, count=len(self.todos_done)))
        if self.kpis:
            parts.append(phrase("diff_kpis_changed", language, count=len({item.name for item in self.kpis})))
        return phrase("list_separator", language).join(parts) if parts else phrase("diff_no_change", language)

    def _business_parts(self) -> list[str]:
        """The headline's words for the deals: stage moves (won and lost named), contracts signed and
        renewed, and the change to the pipeline and the receivables."""
        language = self.language
        parts: list[str] = []
        if self.moves:
            parts.append(DIFF_WORDS.say("moved", count=len(self.moves)).text(language))
        for outcome in ("won", "lost"):
            count = sum(getattr(move, outcome) for move in self.moves)
            if count:
                parts.append(DIFF_WORDS.say(outcome, count=count).text(language))
        for event in ("signed", "renewed"):
            count = sum(item.event == event for item in self.signed)
            if count:
                parts.append(DIFF_WORDS.say(event, count=count).text(language))
        for item in self.money:
            delta = _money_delta(item.old, item.new, self.currency, language)
            if delta:
                parts.append(DIFF_WORDS.say("money_change", kpi=item.title, delta=delta).text(language))
        return parts


def diff(base: Dataset, head: Dataset, as_of: date, *, internal: bool = False) -> Change:
    """The change from one loaded revision to another (every record compared)."""
    return compare(snapshot(base, as_of), snapshot(head, as_of), internal=internal)


def compare(
    base: Snapshot,
    head: Snapshot,
    *,
    internal: bool = False,
    base_label: str = "BASE",
    head_label: str = "HEAD",
    base_commit: str | None = None,
    head_commit: str | None = None,
) -> Change:
    """The change from `base` to `head`. Private values are hidden unless `internal`; the labels and
    commits name the revisions in the report.

    Nothing is compared when HEAD has errors: records of files with errors are left out of a dataset, so
    they would look removed (the same reason `crm due` refuses invalid data). BASE's errors are noted and
    the comparison made with the records that loaded.
    """
    if head.errors:
        return Change(
            head.as_of,
            base_label,
            head_label,
            base_errors=base.errors,
            head_errors=head.errors,
            language=head.language,
            base_commit=base_commit,
            head_commit=head_commit,
        )
    customers = _record_changes(base, head, RecordKind.CUSTOMER, internal)
    interactions = _record_changes(base, head, RecordKind.INTERACTION, internal)
    opportunities = _record_changes(base, head, RecordKind.OPPORTUNITY, internal)
    contracts = _record_changes(base, head, RecordKind.CONTRACT, internal)
    return Change(
        head.as_of,
        base_label,
        head_label,
        customers=customers,
        interactions=interactions,
        plans=_record_changes(base, head, RecordKind.PLAN, internal),
        opportunities=opportunities,
        contracts=contracts,
        moves=tuple(_opportunity_moves(opportunities, head.currency)),
        signed=tuple(_contracts_signed(contracts, head.currency)),
        currency=head.currency,
        config=tuple(_field_changes(base.config, head.config, (), internal)),
        stages=tuple(_stage_changes(customers)),
        followups=tuple(_followup_changes(base, head)),
        todos_done=tuple(_todos_done(interactions)),
        kpis=tuple(_kpi_changes(base.kpis, head.kpis, head.language)),
        base_errors=base.errors,
        language=head.language,
        base_commit=base_commit,
        head_commit=head_commit,
    )


def _record_changes(base: Snapshot, head: Snapshot, kind: RecordKind, internal: bool) -> tuple[RecordChange, ...]:
    old_records = {key[1]: view for key, view in base.records.items() if key[0] is kind}
    new_records = {key[1]: view for key, view in head.records.items() if key[0] is kind}
    changes: list[RecordChange] = []
    for record_id in sorted(old_records.keys() | new_records.keys()):
        old, new = old_records.get(record_id), new_records.get(record_id)
        current = new or old
        assert current is not None
        status = "added" if old is None else "removed" if new is None else "changed"
        fields = tuple(_field_changes(old.data if old else None, new.data if new else None, (), internal))
        moved_from = old.file if old is not None and new is not None and old.file != new.file else None
        if status == "changed" and not fields and moved_from is None:
            continue
        customer_name = None
        if kind is not RecordKind.CUSTOMER:
            customer = str(current.data.get("customer"))
            customer_name = head.names.get(customer) or base.names.get(customer)
        changes.append(
            RecordChange(
                kind=kind,
                id=record_id,
                status=status,
                file=current.file,
                before=_hide_private(old.data, internal) if old is not None else None,
                after=_hide_private(new.data, internal) if new is not None else None,
                fields=fields,
                customer_name=customer_name,
                moved_from=moved_from,
            )
        )
    return tuple(changes)


def _is_private(loc: Loc) -> bool:
    return len(loc) == 3 and loc[0] == "contacts" and loc[2] in PRIVATE_CONTACT_FIELDS


def _hide_private(data: dict[str, Any], internal: bool) -> dict[str, Any]:
    if internal or not data.get("contacts"):
        return data
    contacts = [
        {
            key: HIDDEN if key in PRIVATE_CONTACT_FIELDS and value is not None else value
            for key, value in contact.items()
        }
        for contact in data["contacts"]
    ]
    return {**data, "contacts": contacts}


def _field_changes(old: Any, new: Any, loc: Loc, internal: bool) -> Iterator[FieldChange]:
    """Every leaf that differs, depth first in field order. Mappings and lists of mappings (contacts,
    todos) are followed key by key and index by index; a list of plain values (tags) is one value."""
    if old == new:
        return
    if isinstance(old, dict | None) and isinstance(new, dict | None):  # not both None: they differ
        old_map, new_map = old or {}, new or {}
        for key in [*old_map, *(key for key in new_map if key not in old_map)]:
            yield from _field_changes(old_map.get(key), new_map.get(key), (*loc, key), internal)
        return
    if _is_list_of_mappings(old) and _is_list_of_mappings(new):
        old_items, new_items = old or [], new or []
        for index in range(max(len(old_items), len(new_items))):
            old_item = old_items[index] if index < len(old_items) else None
            new_item = new_items[index] if index < len(new_items) else None
            yield from _field_changes(old_item, new_item, (*loc, index), internal)
        return
    old, new = old if old != [] else None, new if new != [] else None  # an empty list says what absent says
    if old == new:
        return
    if not _is_private(loc):
        yield FieldChange(format_loc(loc), old, new)
    elif internal:
        yield FieldChange(format_loc(loc), old, new, private=True)
    else:
        hidden_old, hidden_new = (None if value is None else HIDDEN for value in (old, new))
        yield FieldChange(format_loc(loc), hidden_old, hidden_new, private=True, hidden=True)


def _is_list_of_mappings(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(item, dict) for item in value))


def _stage_changes(customers: Iterable[RecordChange]) -> Iterator[StageChange]:
    for record in customers:
        stage = next((item for item in record.fields if item.path == "stage"), None)
        if record.status != "changed" or stage is None:
            continue
        yield StageChange(
            customer=record.id,
            name=str(record.data.get("name", "")),
            old=str(stage.old),
            new=str(stage.new),
            churned_on=record.data.get("churned_on"),
            churn_reason=record.data.get("churn_reason"),
        )


def _opportunity_moves(opportunities: Iterable[RecordChange], currency: str) -> Iterator[OpportunityMove]:
    """Opportunities on both sides whose stage differs (a new opportunity has no stage to move from)."""
    for record in opportunities:
        stage = next((item for item in record.fields if item.path == "stage"), None)
        if record.status != "changed" or stage is None:
            continue
        data = record.data
        yield OpportunityMove(
            opportunity=record.id,
            customer=str(data.get("customer", "")),
            name=record.customer_name or "",
            title=str(data.get("title", "")),
            old=str(stage.old),
            new=str(stage.new),
            amount=data.get("amount"),
            currency=data.get("currency") or currency,
            closed_on=data.get("closed_on"),
        )


def _contracts_signed(contracts: Iterable[RecordChange], currency: str) -> Iterator[ContractSigned]:
    """The contracts HEAD has and BASE had not: signed, or renewing another."""
    for record in contracts:
        if record.status != "added":
            continue
        data = record.data
        yield ContractSigned(
            contract=record.id,
            customer=str(data.get("customer", "")),
            name=record.customer_name or "",
            title=str(data.get("title", "")),
            start=str(data.get("start", "")),
            end=data.get("end"),
            amount=data.get("amount"),
            currency=data.get("currency") or currency,
            signed_on=data.get("signed_on"),
            renews=data.get("renews"),
        )


def _todos_done(interactions: Iterable[RecordChange]) -> Iterator[TodoDone]:
    """Todos of a changed interaction that were open on BASE and are done on HEAD, matched by their task
    (not their place in the list: a todo added above another must not make it look done)."""
    for record in interactions:
        if record.before is None or record.after is None:
            continue
        open_before = {todo["task"] for todo in record.before.get("todos") or [] if not todo.get("done")}
        for todo in record.after.get("todos") or []:
            if todo.get("done") and todo["task"] in open_before:
                yield TodoDone(record.id, str(record.after["customer"]), todo["task"], todo["due"], todo["done"])


def _followup_changes(base: Snapshot, head: Snapshot) -> Iterator[FollowUpChange]:
    found: list[FollowUpChange] = []
    for customer in base.followups.keys() | head.followups.keys():
        before, after = base.followups.get(customer), head.followups.get(customer)
        event = _followup_event(before, after)
        if event is None:
            continue
        plan = after or before
        assert plan is not None
        note = ""
        if event is FollowUpEvent.LEFT:
            note = "churned" if customer in head.names else "removed"
        found.append(FollowUpChange(event, customer, plan.name, plan.owner, before, after, note))
    order = list(FollowUpEvent)

    def shown_order(item: FollowUpChange) -> tuple[int, date, str]:
        plan = item.after or item.before
        assert plan is not None
        return order.index(item.event), plan.due, item.customer

    yield from sorted(found, key=shown_order)


def _followup_event(before: FollowUp | None, after: FollowUp | None) -> FollowUpEvent | None:
    if before is None:
        return FollowUpEvent.ENTERED if after is not None else None
    if after is None:
        return FollowUpEvent.LEFT
    contacted = after.last_contact is not None and (
        before.last_contact is None or after.last_contact > before.last_contact
    )
    if contacted and before.status in (Status.OVERDUE, Status.DUE_SOON):
        return FollowUpEvent.DONE
    if after.status is Status.OVERDUE and before.status is not Status.OVERDUE:
        return FollowUpEvent.OVERDUE
    if after.due != before.due:
        return FollowUpEvent.RESCHEDULED
    return None


def _kpi_changes(old: Mapping[str, object], new: Mapping[str, object], language: Language) -> Iterator[KpiChange]:
    """KPIs whose value differs; a table KPI (customers_by_stage...) by each value inside it that differs."""
    if not old and not new:
        return
    for definition in kpis.KPIS:
        title = definition.title(language)
        old_leaves = dict(_leaves("", old.get(definition.name)))
        new_leaves = dict(_leaves("", new.get(definition.name)))
        for key in [*new_leaves, *(key for key in old_leaves if key not in new_leaves)]:
            before, after = old_leaves.get(key), new_leaves.get(key)
            if not _same_number(before, after):
                yield KpiChange(definition.name, key, title, definition.unit, before, after)


def _leaves(prefix: str, value: object) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(f"{prefix}.{key}" if prefix else str(key), item)
    else:
        yield prefix, value


def _same_number(old: object, new: object) -> bool:
    if isinstance(old, int | float) and isinstance(new, int | float):
        return abs(old - new) < 1e-9
    return old == new


# ---------------------------------------------------------------------------------------------------
# Markdown: for a pull-request comment or a job summary (GitHub renders both as Markdown with HTML)

_LITERAL = re.compile(
    r"-?\d{1,6}(?:\.\d+)?|\d{4}-\d{2}(?:-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?"
)
_VOCABULARY = frozenset(
    member.value
    for words in (CustomerType, Tier, Stage, Value, Channel, InteractionKind, PlanCycle, PlanStatus, OpportunityStage)
    for member in words
)
"""Numbers, dates, months and the models' enum values are shown as they are: none can be a mention, a
reference or markup (7 digits could be an abbreviated commit id, which GitHub links, so not those)."""
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BACKTICKS = re.compile(r"`+")


def md(value: object, *, in_table: bool = True) -> str:
    """Text from a record (or git, or a file name) as literal text in GitHub Markdown: code spans.

    GitHub turns @name into a notification, #12, GH-12 and owner/repo#12 into issue links (with a
    back-reference in the issue), hex words into commit links, :name: into emoji, URLs into links. It
    does so on the rendered HTML's text, after character references are decoded (&#64;name pings too),
    and never inside code, pre or a elements. So record text is set in code spans, where nothing is
    markup, no reference is linked and no HTML is read; numbers, dates and the models' enum values stay
    plain. Each fence is longer than any run of backticks inside. A line break starts another span after
    <br>, so the value stays in its table cell; in a table, `|` would end the cell even inside a code
    span, so it stands between spans as &#124;, as do the spaces around it (code spans may trim them).
    Control and invisible characters are shown escaped (crmdata.system.terminal_text.visible).
    """
    text = str(value)
    if text in _VOCABULARY or _LITERAL.fullmatch(text):
        return text
    lines = []
    for line in _LINE_BREAK.split(text):
        shown = visible(line.replace("\t", " ")).strip()
        if shown:
            parts = shown.split("|") if in_table else [shown]
            lines.append("&#124;".join(_code_span(part) for part in parts))
    return "<br>".join(lines)


def _code_span(text: str) -> str:
    """`text` as a code span, its surrounding spaces outside it (renderers differ in trimming them)."""
    core = text.strip(" ")
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")) :]
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(core)), default=0) + 1)
    padding = " " if core.startswith("`") or core.endswith("`") else ""
    return f"{lead}{fence}{padding}{core}{padding}{fence}{trail}"


def _shown(value: object) -> str:
    """A value in a cell: cut to MAX_VALUE_CHARS, lists joined, absent as —."""
    if value is None or value == []:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{key}: {item}" for key, item in value.items() if item is not None)
    else:
        text = str(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return md(text)


def _words(language: Language) -> Callable[..., str]:
    """The change's labels: `w("customer")` is 客户 or Customer."""

    def w(key: str) -> str:
        return label(key, language)

    return w


def _status(status: Status, language: Language) -> str:
    return term(status, language)


def _due(plan: FollowUp | None, language: Language) -> str:
    return "—" if plan is None else f"{plan.due} ({term(plan.reason, language)})"


def _table(header: list[str], rows: list[list[str]], max_rows: int, language: Language) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows[:max_rows]]
    if len(rows) > max_rows:
        lines += ["", phrase("diff_more_rows", language, count=len(rows) - max_rows)]
    return [*lines, ""]


def markdown(change: Change, max_rows: int = MAX_ROWS) -> str:
    """The change as Markdown: a heading, the headline, then one section per kind of change: what a
    reviewer acts on first (churn, follow-ups), the records field by field, the KPIs last. Every word is the
    vocabulary's, in the language of HEAD's crm.yaml; values from the records stay as they are written."""
    language = change.language
    heading = phrase(
        "diff_heading",
        language,
        base=md(change.base_label, in_table=False),
        head=md(change.head_label, in_table=False),
        day=change.as_of,
    )
    lines = [f"### {heading}", "", f"**{change.headline()}**", ""]
    if change.head_errors:
        lines += [phrase("diff_nothing_compared", language), ""]
        lines += _error_list(change.head_errors, language)
        return "\n".join(lines)
    if change.base_errors:
        errors = phrase("errors_n", language, count=len(change.base_errors))
        lines += [phrase("diff_base_invalid", language, errors=errors), "", *_error_list(change.base_errors, language)]
    lines += _stage_section(change.stages, max_rows, language)
    lines += _money_section(change.money, change.currency, language)
    lines += _move_section(change.moves, max_rows, language)
    lines += _signed_section(change.signed, max_rows, language)
    lines += _followup_section(change.followups, max_rows, language)
    lines += _todo_section(change.todos_done, max_rows, language)
    lines += _customer_section(change.customers, max_rows, language)
    lines += _interaction_section(change.interactions, max_rows, language)
    lines += _plan_section(change.plans, max_rows, language)
    lines += _opportunity_section(change.opportunities, change.currency, max_rows, language)
    lines += _contract_section(change.contracts, change.currency, max_rows, language)
    if change.config:
        w = _words(language)
        rows = _field_rows([], change.config, language)
        lines += ["#### crm.yaml", "", *_table([w("field_path"), "BASE", "HEAD"], rows, max_rows, language)]
    if any(item.hidden for record in (*change.customers, *change.interactions) for item in record.fields):
        lines += [phrase("diff_private_hidden", language), ""]
    lines += _kpi_section(change.kpis, max_rows, language)  # last: the longest table, and the least to act on
    return "\n".join(lines)


def _error_list(errors: tuple[Problem, ...], language: Language) -> list[str]:
    shown = [
        f"- {md(problem.file, in_table=False)}:{problem.line}:{problem.column}: "
        f"{md(problem.field, in_table=False)}: {md(problem.text(language), in_table=False)}"
        for problem in errors[:20]
    ]
    more = [phrase("diff_more_errors", language, count=len(errors) - 20)] if len(errors) > 20 else []
    return [*shown, *more, ""]


def _stage_word(value: str, language: Language) -> str:
    """A stage in the vocabulary's words; a value that is not a stage (never, from valid records) as code."""
    return term(value, language, of="stage") if value in {stage.value for stage in Stage} else md(value)


def _stage_section(stages: tuple[StageChange, ...], max_rows: int, language: Language) -> list[str]:
    if not stages:
        return []
    w = _words(language)
    rows = []
    for stage in stages:
        old, new = _stage_word(stage.old, language), _stage_word(stage.new, language)
        new = f"**{new}**" if stage.churned or stage.won_back else new
        note = ""
        if stage.churned:
            note = " · ".join(md(part) for part in (stage.churned_on, stage.churn_reason) if part)
        elif stage.won_back:
            note = phrase("diff_won_back_note", language)
        rows.append([md(stage.customer), md(stage.name), old, new, note])
    header = [w("customer"), w("name"), phrase("from", language), phrase("to", language), w("note")]
    return [
        f"#### {phrase('diff_stage_changes', language, count=len(stages))}",
        "",
        *_table(header, rows, max_rows, language),
    ]


def _followup_section(changes: tuple[FollowUpChange, ...], max_rows: int, language: Language) -> list[str]:
    if not changes:
        return []
    w = _words(language)
    rows = []
    for item in changes:
        before = _status(item.before.status, language) if item.before else "—"
        if item.after is None:
            status = f"{before} → {term(item.note, language, of='left_because')}"
        else:
            status = f"{before} → {_status(item.after.status, language)}"
            if item.after.status is Status.OVERDUE:
                status += f" ({phrase('diff_count_day', language, count=item.after.days_overdue)})"
        rows.append(
            [
                term(item.event, language),
                md(item.customer),
                md(item.name),
                md(item.owner),
                f"{_due(item.before, language)} → {_due(item.after, language)}",
                status,
            ]
        )
    header = [w("followup"), w("customer"), w("name"), w("owner"), w("due"), w("status")]
    title = phrase("diff_followup_changes", language, count=len(changes))
    return [f"#### {title}", "", *_table(header, rows, max_rows, language)]


def _todo_section(todos: tuple[TodoDone, ...], max_rows: int, language: Language) -> list[str]:
    if not todos:
        return []
    w = _words(language)
    rows = [[md(todo.interaction), md(todo.customer), _shown(todo.task), todo.due, todo.done] for todo in todos]
    return [
        f"#### {phrase('diff_todos_section', language, count=len(todos))}",
        "",
        *_table([w("interaction"), w("customer"), w("task"), w("due"), w("done_on")], rows, max_rows, language),
    ]


def _kpi_delta(change: KpiChange) -> str:
    old, new = change.old, change.new
    if not isinstance(old, int | float) or not isinstance(new, int | float):
        return ""
    delta = new - old
    sign = "+" if delta > 0 else "−"
    if change.unit == "ratio":
        return f"{sign}{abs(delta) * 100:.1f} pp"
    if isinstance(delta, float):
        return f"{sign}{abs(delta):.2f}"
    return f"{sign}{abs(delta)}"


def amount_text(amount: object, currency: str, language: Language) -> str:
    """An amount for people, as the site and `crm kpi` write it (crmdata.records.money); — for none."""
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return "—"
    return format_amount(float(amount), currency, language)


def _difference(old: object, new: object) -> int | float | None:
    """new − old when both are numbers (a KPI with no value on one side has no difference)."""
    if isinstance(old, int | float) and isinstance(new, int | float):
        return new - old
    return None


def _money_delta(old: object, new: object, currency: str, language: Language) -> str:
    """`+¥300,000` / `−¥50,000`; empty when there is no difference to state."""
    delta = _difference(old, new)
    if delta is None or abs(delta) < 1e-9:
        return ""
    return ("+" if delta > 0 else "−") + amount_text(abs(delta), currency, language)


def _money_section(changes: tuple[KpiChange, ...], currency: str, language: Language) -> list[str]:
    """The pipeline's open value and the overdue receivables, before and after, as amounts."""
    if not changes:
        return []
    lines = [f"#### {DIFF_WORDS.say('money_section').text(language)}", ""]
    for item in changes:
        old, new = amount_text(item.old, currency, language), amount_text(item.new, currency, language)
        delta = _money_delta(item.old, item.new, currency, language) or "—"
        said = DIFF_WORDS.say("money_line", kpi=f"{item.title} `{item.name}`", old=old, new=new, delta=delta)
        lines.append(f"- {said.text(language)}")
    return [*lines, ""]


def _opportunity_stage_word(value: object, language: Language) -> str:
    text = str(value)
    stages = {stage.value for stage in OpportunityStage}
    return term(text, language, of="opportunity_stage") if text in stages else md(text)


def _customer_cell(customer: object, name: str | None) -> str:
    cell = md(customer or "")
    return f"{cell} {md(name)}" if name else cell


def _move_section(moves: tuple[OpportunityMove, ...], max_rows: int, language: Language) -> list[str]:
    """Opportunities that moved stage; won and lost in bold."""
    if not moves:
        return []
    w = _words(language)
    rows = []
    for move in moves:
        new = _opportunity_stage_word(move.new, language)
        rows.append(
            [
                md(move.opportunity),
                _customer_cell(move.customer, move.name),
                _shown(move.title),
                _opportunity_stage_word(move.old, language),
                f"**{new}**" if move.won or move.lost else new,
                amount_text(move.amount, move.currency, language),
                move.closed_on or "—",
            ]
        )
    header = [w("opportunity_id"), w("customer"), w("opportunity_title"), phrase("from", language)]
    header += [phrase("to", language), DIFF_WORDS.say("amount").text(language), w("closed_on")]
    title = DIFF_WORDS.say("stage_section", count=len(moves)).text(language)
    return [f"#### {title}", "", *_table(header, rows, max_rows, language)]


def _period(start: object, end: object, language: Language) -> str:
    if not end:
        return DIFF_WORDS.say("open_ended", start=start or "—").text(language)
    return f"{start} – {end}"


def _signed_section(signed: tuple[ContractSigned, ...], max_rows: int, language: Language) -> list[str]:
    """Contracts new on HEAD: signed, or renewing another (named)."""
    if not signed:
        return []
    w = _words(language)
    rows = []
    for item in signed:
        event = DIFF_WORDS.say(f"event_{item.event}").text(language)
        note = DIFF_WORDS.say("renews_note", id=md(item.renews)).text(language) if item.renews else ""
        rows.append(
            [
                f"**{event}**" if item.renews else event,
                md(item.contract),
                _customer_cell(item.customer, item.name),
                _shown(item.title),
                _period(item.start, item.end, language),
                amount_text(item.amount, item.currency, language),
                item.signed_on or "—",
                note,
            ]
        )
    header = [phrase("change", language), w("contract_id"), w("customer"), w("contract_title")]
    header += [DIFF_WORDS.say("period").text(language), DIFF_WORDS.say("amount").text(language), w("signed_on")]
    title = DIFF_WORDS.say("contract_section", count=len(signed)).text(language)
    return [f"#### {title}", "", *_table([*header, w("note")], rows, max_rows, language)]


def _deal_section(
    records: tuple[RecordChange, ...],
    noun: str,
    header: list[str],
    cells: Callable[[RecordChange], list[str]],
    label_field: str,
    max_rows: int,
    language: Language,
) -> list[str]:
    """A plan's, opportunity's or contract's section: the added and removed listed, the changed field by field."""
    if not records:
        return []
    lines = [_section_title(noun, records, language), ""]
    listed = [record for record in records if record.status != "changed"]
    if listed:
        rows = [[term(record.status, language, of="change"), *cells(record)] for record in listed]
        lines += _table([phrase("change", language), *header], rows, max_rows, language)
    return lines + _changed_fields(records, noun, label_field, max_rows, language)


def _plan_section(records: tuple[RecordChange, ...], max_rows: int, language: Language) -> list[str]:
    w = _words(language)

    def cells(record: RecordChange) -> list[str]:
        data = record.data
        cycle = str(data.get("cycle", ""))
        shown_cycle = term(cycle, language, of="cycle") if cycle in {c.value for c in PlanCycle} else md(cycle)
        customer = _customer_cell(data.get("customer"), record.customer_name)
        return [md(record.id), customer, shown_cycle, _shown(data.get("goal")), _shown(data.get("owner")),
                str(data.get("date", ""))]  # fmt: skip

    header = [w("plan_id"), w("customer"), w("cycle"), w("goal"), w("owner"), w("plan_date")]
    return _deal_section(records, "maintenance_plan", header, cells, "goal", max_rows, language)


def _opportunity_section(
    records: tuple[RecordChange, ...], currency: str, max_rows: int, language: Language
) -> list[str]:
    w = _words(language)

    def cells(record: RecordChange) -> list[str]:
        data = record.data
        customer = _customer_cell(data.get("customer"), record.customer_name)
        amount = amount_text(data.get("amount"), data.get("currency") or currency, language)
        stage = _opportunity_stage_word(data.get("stage", ""), language)
        return [md(record.id), customer, _shown(data.get("title")), stage, amount, _shown(data.get("owner"))]

    header = [w("opportunity_id"), w("customer"), w("opportunity_title"), w("opportunity_stage")]
    header += [w("expected_amount"), w("owner")]
    return _deal_section(records, "opportunity", header, cells, "title", max_rows, language)


def _contract_section(records: tuple[RecordChange, ...], currency: str, max_rows: int, language: Language) -> list[str]:
    w = _words(language)

    def cells(record: RecordChange) -> list[str]:
        data = record.data
        customer = _customer_cell(data.get("customer"), record.customer_name)
        amount = amount_text(data.get("amount"), data.get("currency") or currency, language)
        period = _period(data.get("start"), data.get("end"), language)
        return [md(record.id), customer, _shown(data.get("title")), period, amount, _shown(data.get("owner"))]

    header = [w("contract_id"), w("customer"), w("contract_title"), DIFF_WORDS.say("period").text(language)]
    header += [w("contract_amount"), w("owner")]
    return _deal_section(records, "contract", header, cells, "title", max_rows, language)


def _kpi_key(key: str, language: Language) -> str:
    """A key inside a table KPI (`churned`, `2026-03.phone`): the models' values in the vocabulary's words,
    anything else as `md` shows it."""
    parts = key.split(".")
    return ".".join(term(part, language) if term(part, language) != part else md(part) for part in parts)


def _kpi_section(changes: tuple[KpiChange, ...], max_rows: int, language: Language) -> list[str]:
    if not changes:
        return []
    rows = []
    for item in changes:
        name = f"{item.title} `{item.name}`" + (f" · {_kpi_key(item.key, language)}" if item.key else "")
        old, new = format_kpi_value(item.old, item.unit), format_kpi_value(item.new, item.unit)
        rows.append([name, old, new, _kpi_delta(item)])
    title = phrase("diff_kpi_section", language, count=len({item.name for item in changes}))
    header = [label("kpi", language), "BASE", "HEAD", phrase("change", language)]
    return [f"#### {title}", "", *_table(header, rows, max_rows, language)]


def _section_title(noun: str, records: tuple[RecordChange, ...], language: Language) -> str:
    counts = [
        f"{sum(record.status == status for record in records)} {term(status, language, of='change')}"
        for status in ("added", "changed", "removed")
        if any(record.status == status for record in records)
    ]
    joined = phrase("list_separator", language).join(counts)
    return f"#### {phrase('diff_records_section', language, noun=label(noun, language), counts=joined)}"


def _field_rows(first: list[str], fields: Iterable[FieldChange], language: Language) -> list[list[str]]:
    rows = []
    for item in fields:
        if item.hidden:
            old = "—" if item.old is None else phrase("private", language)
            new = term(item.change, language, of="change")
        else:
            old, new = _shown(item.old), _shown(item.new)
        rows.append([*first, _path_cell(item.path), old, new])
    return rows


def _path_cell(path: str) -> str:
    """A field path as code (`contacts[0].title`), like every record text."""
    return md(path)


def _customer_section(records: tuple[RecordChange, ...], max_rows: int, language: Language) -> list[str]:
    if not records:
        return []
    w = _words(language)
    lines = [_section_title("customers", records, language), ""]
    listed = [record for record in records if record.status != "changed"]
    if listed:
        rows = [
            [
                term(record.status, language, of="change"),
                md(record.id),
                _shown(record.data.get("name")),
                _stage_word(str(record.data.get("stage")), language) if record.data.get("stage") else "—",
                _shown(record.data.get("owner")),
            ]
            for record in listed
        ]
        header = [phrase("change", language), w("customer"), w("name"), w("stage"), w("owner")]
        lines += _table(header, rows, max_rows, language)
    return lines + _changed_fields(records, "customer", "name", max_rows, language)


def _record_word(value: object, of: str, language: Language) -> str:
    """A channel or kind in the vocabulary's words; anything else as code."""
    text = str(value)
    return term(text, language, of=of) if text in {member.value for member in _SETS_OF[of]} else md(text)


_SETS_OF: dict[str, type[Enum]] = {"channel": Channel, "kind": InteractionKind}


def _interaction_section(records: tuple[RecordChange, ...], max_rows: int, language: Language) -> list[str]:
    if not records:
        return []
    w = _words(language)
    lines = [_section_title("interactions", records, language), ""]
    listed = [record for record in records if record.status != "changed"]
    if listed:
        rows = []
        for record in listed:
            data = record.data
            customer = md(data.get("customer", ""))
            if record.customer_name:
                customer += f" {md(record.customer_name)}"
            day = str(data.get("date", ""))[:10]
            channel = _record_word(data.get("channel", ""), "channel", language)
            kind = _record_word(data.get("kind", ""), "kind", language)
            status = term(record.status, language, of="change")
            rows.append([status, md(record.id), customer, day, channel, kind, _shown(data.get("topic"))])
        header = [phrase("change", language), w("interaction"), w("customer"), w("date"), w("channel"), w("kind")]
        lines += _table([*header, w("topic")], rows, max_rows, language)
    return lines + _changed_fields(records, "interaction", "topic", max_rows, language)


def _changed_fields(
    records: tuple[RecordChange, ...], kind: str, label_field: str, max_rows: int, language: Language
) -> list[str]:
    """The changed records' field-by-field table, each row led by the record's id and its `label_field`."""
    rows = []
    for record in records:
        if record.status != "changed":
            continue
        first = [f"{md(record.id)} {_shown(record.data.get(label_field))}"]
        if record.moved_from:
            rows.append([*first, phrase("diff_moved_file", language), md(record.moved_from), md(record.file)])
        rows += _field_rows(first, record.fields, language)
    header = [label(kind, language), label("field_path", language), "BASE", "HEAD"]
    return _table(header, rows, max_rows, language) if rows else []


# ---------------------------------------------------------------------------------------------------
# JSON: for scripts (everything, no caps)


def as_json(change: Change) -> dict[str, object]:
    """The change as plain data (keys may be added, never removed)."""
    return {
        "ok": change.ok,
        "as_of": change.as_of.isoformat(),
        "base": {"label": change.base_label, "commit": change.base_commit},
        "head": {"label": change.head_label, "commit": change.head_commit},
        "summary": change.headline(),
        "customers": [_record_json(record) for record in change.customers],
        "interactions": [_record_json(record) for record in change.interactions],
        "plans": [_record_json(record) for record in change.plans],
        "opportunities": [_record_json(record) for record in change.opportunities],
        "contracts": [_record_json(record) for record in change.contracts],
        "opportunity_stages": [
            {
                "opportunity": move.opportunity,
                "customer": move.customer,
                "title": move.title,
                "from": move.old,
                "to": move.new,
                "amount": move.amount,
                "currency": move.currency,
                "closed_on": move.closed_on,
            }
            for move in change.moves
        ],
        "contracts_signed": [
            {
                "contract": item.contract,
                "event": item.event,
                "customer": item.customer,
                "title": item.title,
                "start": item.start,
                "end": item.end,
                "amount": item.amount,
                "currency": item.currency,
                "signed_on": item.signed_on,
                "renews": item.renews,
            }
            for item in change.signed
        ],
        "money": [
            {
                "name": item.name,
                "currency": change.currency,
                "base": item.old,
                "head": item.new,
                "change": _difference(item.old, item.new),
            }
            for item in change.money
        ],
        "config": [_field_json(item) for item in change.config],
        "stages": [
            {
                "customer": stage.customer,
                "name": stage.name,
                "from": stage.old,
                "to": stage.new,
                "churned_on": stage.churned_on,
                "churn_reason": stage.churn_reason,
            }
            for stage in change.stages
        ],
        "followups": [
            {
                "event": item.event.value,
                "customer": item.customer,
                "name": item.name,
                "owner": item.owner,
                "before": followup_json(item.before) if item.before is not None else None,
                "after": followup_json(item.after) if item.after is not None else None,
                "note": item.note or None,
            }
            for item in change.followups
        ],
        "todos_done": [
            {"interaction": t.interaction, "customer": t.customer, "task": t.task, "due": t.due, "done": t.done}
            for t in change.todos_done
        ],
        "kpis": [
            {"name": item.name, "key": item.key or None, "unit": item.unit, "base": item.old, "head": item.new}
            for item in change.kpis
        ],
        "base_errors": [problem_entry(problem, change.language) for problem in change.base_errors],
        "head_errors": [problem_entry(problem, change.language) for problem in change.head_errors],
    }


def _record_json(record: RecordChange) -> dict[str, object]:
    return {
        "id": record.id,
        "status": record.status,
        "file": record.file,
        "moved_from": record.moved_from,
        "fields": [_field_json(item) for item in record.fields],
    }


def _field_json(item: FieldChange) -> dict[str, object]:
    return {
        "field": item.path,
        "change": item.change,
        "base": item.old,
        "head": item.new,
        "private": item.private,
        "hidden": item.hidden,
    }
