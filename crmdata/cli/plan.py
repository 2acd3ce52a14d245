"""`crm due`, `crm segments`, `crm calendar`: who to contact when, which customers belong together."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import click

from crmdata.cli.choices import optional_owner
from crmdata.cli.common import (
    as_of_option,
    clip,
    dump_json,
    language_of,
    load_valid,
    pad,
    resolve_as_of,
    root_option,
    team_name,
)
from crmdata.cli.output import Styled, say, say_lines, styled
from crmdata.cli.records_of_day import at_option, records_of_day, records_option
from crmdata.cli.table import right, widest
from crmdata.engine.contracts import PaymentDue, RenewalDue
from crmdata.engine.due_list import DueList, due_list, due_list_json
from crmdata.engine.plans import PlanDue
from crmdata.engine.risk_words import risk_signal_text
from crmdata.engine.schedule import FollowUp, Status
from crmdata.engine.segments import (
    Segment,
    customer_facts,
    member_json,
    members,
    segment_description,
    segment_json,
    segments,
)
from crmdata.records.dataset import Dataset
from crmdata.records.money import format_amount
from crmdata.records.vocabulary import label, phrase, term
from crmdata.system.errors import CrmError, ExitCode
from crmdata.system.safe_paths import output_file, write_file

_STATUS_ORDER = {Status.OVERDUE: 0, Status.DUE_SOON: 1, Status.OK: 2}
_NAME_COLUMNS = 28
"""A customer's name is clipped to this many columns: the note after it stays in sight."""


@dataclass(frozen=True)
class _Layout:
    """The widths of `crm due`'s columns, from everything it may show (one table across the owners):
    status, days late, record id (a customer, plan or contract)."""

    status: int
    late: int
    record: int


def _layout(due: DueList, language: str) -> _Layout:
    items: list[FollowUp | PlanDue | RenewalDue | PaymentDue] = [*due.followups, *due.plans, *due.renewals]
    items += due.payments
    ids = [item.customer if isinstance(item, FollowUp) else _record_id(item) for item in items]
    late = [phrase("days", language, count=item.days_overdue) for item in items if item.days_overdue]
    status = widest((term(status, language) for status in Status), 9)
    return _Layout(status, widest(late, 9), widest(ids, 12))


def _record_id(item: PlanDue | RenewalDue | PaymentDue) -> str:
    return item.plan_id if isinstance(item, PlanDue) else item.contract_id


_STATUS_COLOUR = {Status.OVERDUE: "red", Status.DUE_SOON: "yellow", Status.OK: "green"}


@click.command("due")
@root_option
@as_of_option
@records_option
@at_option
@click.option(
    "--owner",
    default=None,
    help="Only this team member's customers, todos, plans and contracts (key or name: ming, 张明).",
)
@click.option("--all", "show_all", is_flag=True, help="Also list customers, plans and renewals that are not due soon.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def due_command(
    root: Path,
    as_of: datetime | None,
    records: str,
    at: str | None,
    owner: str | None,
    show_all: bool,
    output_format: str,
) -> None:
    """Who must be contacted when, and why: overdue first, grouped by owner.

    A customer is due by the first-contact rule (new customers within a week), its interval (stage,
    new, high value, or its own cadence_days) or a promised next_followup. Beside each owner's
    follow-ups: their maintenance plans' current contacts (goal and talking points), contracts up for
    renewal and overdue payments. Overdue todos follow. In a git repository a past --as-of reads the records as
    they stood at the end of that day; --records now reads them as they are, --at one revision exactly.

    \b
    Examples:
      crm due
      crm due --owner ming --as-of 2026-11-24
      crm due --format json > due.json
      crm due --as-of 2026-06-30 --records now
    """
    dataset, day = records_of_day(root, as_of, records, at)
    owner = optional_owner(dataset.config, owner)
    due = due_list(dataset, day, owner)
    if output_format == "json":
        say_lines(dump_json(due_list_json(due)))
        return
    plans, todos = due.followups, due.todos
    language = language_of(dataset)
    counts = {status: sum(plan.status is status for plan in plans) for status in Status}
    say(
        styled(phrase("due_heading", language, day=day), bold=True),
        phrase(
            "due_counts",
            language,
            overdue=counts[Status.OVERDUE],
            due_soon=counts[Status.DUE_SOON],
            ok=counts[Status.OK],
            customers=phrase("customers_n", language, count=len(plans)),
        ),
    )
    by_owner: dict[str, list[FollowUp]] = defaultdict(list)
    for plan in plans:
        by_owner[plan.owner].append(plan)
    for owned_by in [item.owner for items in (due.plans, due.renewals, due.payments) for item in items]:
        by_owner.setdefault(owned_by, [])
    overdue_items: Counter[str] = Counter(
        item.owner for items in (plans, due.plans, due.renewals) for item in items if item.status is Status.OVERDUE
    )
    overdue_items.update(payment.owner for payment in due.payments)
    layout = _layout(due, language)
    for plan_owner in sorted(by_owner, key=lambda o: (-overdue_items[o], o)):  # the most overdue items first
        owned = sorted(by_owner[plan_owner], key=lambda p: (_STATUS_ORDER[p.status], p.due, p.customer))
        shown = [plan for plan in owned if show_all or plan.status is not Status.OK]
        overdue = sum(plan.status is Status.OVERDUE for plan in owned)
        soon = sum(plan.status is Status.DUE_SOON for plan in owned)
        say("")
        owner_counts = phrase("owner_counts", language, overdue=overdue, due_soon=soon)
        say(styled(team_name(dataset, plan_owner), bold=True), owner_counts)
        for plan in shown:
            notes = [term(plan.reason, language), phrase("every_n_days", language, count=plan.interval_days)]
            if plan.silent:
                notes.append(term("silent", language, of="flag"))
            row = (plan.status, plan.days_overdue, plan.due, plan.customer, plan.name, " · ".join(notes))
            say(_due_line(*row, language, layout))
        hidden = len(owned) - len(shown)
        if hidden:
            say(phrase("more_not_due", language, count=hidden))
        _say_records_due(dataset, due, plan_owner, show_all, language, layout)
    if todos:
        say("")
        say(styled(f"{label('overdue_todos', language)} ({len(todos)})", bold=True))
        days_late = [phrase("days", language, count=todo.days_overdue) for todo in todos]
        owners, days = widest((todo.owner for todo in todos), 8), widest(days_late, 9)
        ids, customers = widest((todo.interaction for todo in todos), 13), widest((t.customer for t in todos), 12)
        for todo, late_text in zip(todos, days_late, strict=True):
            say(
                f"  {pad(todo.owner, owners)} {todo.due}  {pad(late_text, days)} "
                f"{pad(todo.interaction, ids)} {pad(todo.customer, customers)} {todo.task}"
            )


def _due_line(
    status: Status,
    days_overdue: int,
    due: date,
    record: str,
    customer: str,
    note: str,
    language: str,
    layout: _Layout,
) -> str | Styled:
    """One due item as the follow-ups are shown: status, days late, due day, id, customer, note."""
    late = phrase("days", language, count=days_overdue) if days_overdue else ""
    line = (
        f"  {pad(term(status, language), layout.status)} {pad(late, layout.late)} {due}  "
        f"{pad(record, layout.record)} {clip(customer, _NAME_COLUMNS)} {note}"
    )
    return styled(line, fg=_STATUS_COLOUR[status]) if status is not Status.OK else line


def _say_records_due(
    dataset: Dataset, due: DueList, owner: str, show_all: bool, language: str, layout: _Layout
) -> None:
    """An owner's plan contacts (goal, talking points), renewals and overdue payments, under their
    follow-ups; plans and renewals not due soon only with --all."""
    names = {customer.id: customer.name for customer in dataset.customers}
    plans_of = dataset.plan_by_id()

    def listed(items: list[PlanDue] | list[RenewalDue]) -> tuple[list[PlanDue | RenewalDue], int]:
        owned = [item for item in items if item.owner == owner]
        shown = [item for item in owned if show_all or item.status is not Status.OK]
        shown.sort(key=lambda item: (_STATUS_ORDER[item.status], item.due))
        return shown, len(owned) - len(shown)

    plans, hidden_plans = listed(due.plans)
    if plans:
        say(phrase("due_plans_heading", language, count=len(plans)))
    for plan in plans:
        assert isinstance(plan, PlanDue)
        notes = [plan.goal, term(plans_of[plan.plan_id].cycle, language)]
        if plan.postponed:
            notes.append(phrase("due_postponed_from", language, date=plan.occurrence))
        customer = names.get(plan.customer, plan.customer)
        row = (plan.status, plan.days_overdue, plan.due, plan.plan_id, customer, " · ".join(notes))
        say(_due_line(*row, language, layout))
        if plan.content:
            points = phrase("list_separator", language).join(plan.content)
            say(phrase("due_talking_points", language, points=points))
    renewals, hidden_renewals = listed(due.renewals)
    if renewals:
        say(phrase("due_renewals_heading", language, count=len(renewals)))
    for renewal in renewals:
        assert isinstance(renewal, RenewalDue)
        customer = names.get(renewal.customer, renewal.customer)
        note = phrase("due_renewal_end", language, date=renewal.end)
        row = (renewal.status, renewal.days_overdue, renewal.due, renewal.contract_id, customer, note)
        say(_due_line(*row, language, layout))
    if hidden_plans + hidden_renewals:
        say(phrase("more_records_not_due", language, count=hidden_plans + hidden_renewals))
    payments: list[PaymentDue] = [payment for payment in due.payments if payment.owner == owner]
    if payments:
        say(phrase("due_payments_heading", language, count=len(payments)))
    for payment in payments:
        customer = names.get(payment.customer, payment.customer)
        amount = format_amount(payment.amount, payment.currency, language)
        row = (Status.OVERDUE, payment.days_overdue, payment.due, payment.contract_id, customer, amount)
        say(_due_line(*row, language, layout))


@click.command("segments")
@click.argument("name", required=False)
@root_option
@as_of_option
@records_option
@at_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def segments_command(
    name: str | None, root: Path, as_of: datetime | None, records: str, at: str | None, output_format: str
) -> None:
    """List segments with their sizes, or the members of one segment.

    Computed segments: new, silent, at_risk (with the signals that raised each score), high_value,
    win_back, overdue, value_differs (the typed value is not the one the last 12 months' contracts
    suggest). Custom segments come from `segments:` in crm.yaml. Dimensions are named
    dimension:value (type, tier, stage, value, owner, industry, source, tags).

    In a git repository a past --as-of reads the records as they stood at the end of that day; --records now
    reads them as they are, --at one revision exactly.

    \b
    Examples:
      crm segments
      crm segments at_risk
      crm segments tier:strategic --format json
      crm segments stage:stable --as-of 2026-06-30
    """
    dataset, day = records_of_day(root, as_of, records, at)
    language = language_of(dataset)
    facts = customer_facts(dataset, day)
    found = segments(dataset, day, facts)

    def described(segment: Segment) -> str:
        return segment_description(segment, language, dataset.member_name)

    if name is None:
        if output_format == "json":
            listing = [segment_json(segment, language, dataset.member_name) for segment in found]
            say_lines(dump_json({"as_of": day.isoformat(), "segments": listing}))
            return
        key_columns = 34  # a longer key is clipped: the sizes stay in one column
        sizes = widest((str(segment.size) for segment in found), 5)
        kinds = widest((term(segment.kind, language, of="segment_kind") for segment in found), 9)
        for segment in found:
            custom_title = segment.kind == "custom" and segment.title != segment.key
            about = segment.title if custom_title else described(segment)
            kind = term(segment.kind, language, of="segment_kind")
            say(f"{clip(segment.key, key_columns)} {right(str(segment.size), sizes)}  {pad(kind, kinds)}  {about}")
        return
    chosen = next((segment for segment in found if segment.key == name), None)
    if chosen is None:
        keys = [segment.key for segment in found if segment.kind != "dimension"]
        raise CrmError(
            phrase("no_segment", language, name=repr(name), keys=", ".join(keys)), ExitCode.USAGE, language=language
        )
    chosen_members = members(chosen, facts)
    if output_format == "json":
        payload = {
            "as_of": day.isoformat(),
            "key": chosen.key,
            "title": chosen.title,
            "kind": chosen.kind,
            "size": chosen.size,
            "members": [member_json(fact, language) for fact in chosen_members],
        }
        say_lines(dump_json(payload))
        return
    description = described(chosen)
    say(
        styled(
            phrase(
                "segment_members",
                language,
                segment=chosen.key,
                customers=phrase("customers_n", language, count=chosen.size),
            ),
            bold=True,
        ),
        f" — {description}" if description else "",
    )
    ids = widest((fact.customer.id for fact in chosen_members), 12)
    owners = widest((fact.customer.owner for fact in chosen_members), 8)
    stages = widest((term(fact.customer.stage, language) for fact in chosen_members), 12)
    for fact in chosen_members:
        customer, risk = fact.customer, fact.risk
        extra = ""
        if chosen.key == "at_risk" and risk is not None:
            signals = "; ".join(risk_signal_text(signal, language) for signal in risk.signals)
            extra = phrase("risk_score", language, score=risk.score) + signals
        elif chosen.key == "win_back":
            extra = customer.churn_reason or ""
        elif chosen.key == "value_differs" and fact.suggested_value is not None:
            typed, suggested = term(customer.value, language), term(fact.suggested_value, language)
            extra = phrase("value_typed_suggested", language, typed=typed, suggested=suggested)
        stage = term(customer.stage, language)
        line = f"  {pad(customer.id, ids)} {clip(customer.name, _NAME_COLUMNS)} {pad(customer.owner, owners)} "
        say(line + f"{pad(stage, stages)} {extra}")


@click.command("calendar")
@root_option
@as_of_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("due.ics"),
    show_default=True,
    help="File to write; - for standard output.",
)
@click.option("--owner", default=None, help="Only this team member's follow-ups, todos and care moments (key or name).")
@click.option("--internal", is_flag=True, help="Include private care moments (contacts' birthdays).")
def calendar_command(root: Path, as_of: datetime | None, out: Path, owner: str | None, internal: bool) -> None:
    """Write an iCalendar feed of due follow-ups, todos and care moments.

    Subscribe to it from a phone calendar: event ids are stable, so a new feed updates events instead
    of duplicating them. Overdue items appear on the day the feed is made. Birthdays are private and
    only included with --internal.

    \b
    Examples:
      crm calendar --out due.ics
      crm calendar --owner ming --out site/calendar/ming.ics
    """
    from crmdata.engine.calendar_feed import calendar_feed

    day = resolve_as_of(as_of)
    dataset = load_valid(root)
    owner = optional_owner(dataset.config, owner)
    feed = calendar_feed(dataset, day, owner=owner, include_private=internal)
    if str(out) == "-":
        sys.stdout.buffer.write(feed)
        return
    write_file(output_file(out, root), feed)  # never through a link in the repository (safe_paths)
    say(phrase("wrote_events", language_of(dataset), out=out, count=feed.count(b"BEGIN:VEVENT")))
