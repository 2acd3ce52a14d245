"""A subscribable calendar (iCalendar, RFC 5545) of what is due: follow-ups, todos, care moments, and (v2)
each maintenance plan's current contact, renewals and payments.

Every event is an all-day event (DTSTART;VALUE=DATE, DTEND the next day), so no time zone is involved.
Overdue follow-ups and todos are placed on `as_of`, so a phone shows them today rather than in the past.
The feed is a pure function of (dataset, as_of, owner, include_private): UIDs name the record an event
comes from, never the build, and DTSTAMP is `as_of` at 00:00 UTC, so the same data and day give the
same bytes, and a subscribed calendar updates its events instead of duplicating them.

A plan's event is its current occurrence (UID: the plan and the occurrence's number, so carrying it out
replaces it with the next one, and a postponement moves it); a renewal's is its follow-up day (UID: the
contract); a payment's is its due day while it is unpaid (UID: the contract and its place in the schedule).

Birthdays are private contact data: they appear only when `include_private` is asked for. Every word is
the vocabulary's (crmdata.records.vocabulary), in the language of crm.yaml.
The iCalendar text (escaping of `,` `;` `\\` and newlines, line folding at 75 octets) is written by the
`icalendar` library, never by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import CLASS, TRANSP, Calendar, Event

from crmdata.engine.care import CareKind, CareMoment, care_moments
from crmdata.engine.contracts import RenewalDue, renewals_due, unpaid_payments
from crmdata.engine.plans import PlanDue, plans_due
from crmdata.engine.schedule import FollowUp, Status, churned_ids, followups
from crmdata.records.dataset import Dataset
from crmdata.records.models import Customer, Interaction, Todo
from crmdata.records.money import format_amount
from crmdata.records.vocabulary import language_code, phrase, term

PRODID = "-//crm-as-code//crm calendar//EN"
UID_DOMAIN = "crm-as-code"


@dataclass(frozen=True)
class _Entry:
    """One event before it becomes iCalendar: what the feed sorts and renders."""

    day: date
    uid: str
    summary: str
    description: str
    category: str
    private: bool = False


@dataclass(frozen=True)
class Feed:
    """A feed before it becomes iCalendar: its name, its UID, its DTSTAMP and its events in order."""

    title: str
    uid: str
    stamp: datetime
    entries: tuple[_Entry, ...]


def _uid(kind: str, *parts: object) -> str:
    return "-".join([kind, *(str(part) for part in parts)]) + f"@{UID_DOMAIN}"


def _followup_entry(ds: Dataset, plan: FollowUp, as_of: date, language: str) -> _Entry:
    overdue = plan.status is Status.OVERDUE
    late = phrase("calendar_overdue_days", language, count=plan.days_overdue) if overdue else ""
    last = plan.last_contact.isoformat() if plan.last_contact is not None else phrase("calendar_never", language)
    due_note = phrase("calendar_overdue_note", language, count=plan.days_overdue) if overdue else ""
    lines = [
        phrase("calendar_customer", language, name=plan.name, id=plan.customer),
        phrase("calendar_reason", language, reason=term(plan.reason, language)),
        phrase("calendar_interval", language, count=plan.interval_days),
        phrase("calendar_last_contact", language, date=last),
        phrase("calendar_due", language, date=plan.due.isoformat()) + due_note,
        phrase("calendar_owner", language, name=ds.member_name(plan.owner)),
    ]
    if plan.silent:
        lines.append(phrase("calendar_silent", language))
    return _Entry(
        day=as_of if overdue else plan.due,
        uid=_uid("followup", plan.customer),
        summary=phrase("calendar_followup", language, name=plan.name) + late,
        description="\n".join(lines),
        category=phrase("category_followup", language),
    )


def open_todos_by_owner(ds: Dataset, as_of: date) -> dict[str, list[tuple[Interaction, int, Todo]]]:
    """Todos open on `as_of` (no `done`, or done later) of conversations up to `as_of`, none of a churned
    customer (as `schedule.overdue_todos`), by their owner (the todo's, else its conversation's): one pass
    over the conversations for every owner's feed."""
    found: dict[str, list[tuple[Interaction, int, Todo]]] = defaultdict(list)
    churned = churned_ids(ds)
    for interaction in ds.interactions:
        if interaction.day > as_of or interaction.customer in churned:
            continue
        for index, todo in enumerate(interaction.todos):
            if todo.done is not None and todo.done <= as_of:
                continue
            found[todo.owner or interaction.owner].append((interaction, index, todo))
    return found


def _todo_entries(
    ds: Dataset,
    customers: dict[str, Customer],
    as_of: date,
    owner: str | None,
    language: str,
    todos: dict[str, list[tuple[Interaction, int, Todo]]] | None = None,
) -> list[_Entry]:
    """The open todos (open_todos_by_owner, or `todos` when the caller worked them out for the same `as_of`) of
    `owner` (None: everyone's): the overdue ones placed on `as_of`, the others on their due date."""
    by_owner = todos if todos is not None else open_todos_by_owner(ds, as_of)
    mine = [item for key, items in by_owner.items() if owner in (None, key) for item in items]  # sorted later
    entries = []
    for interaction, index, todo in mine:
        todo_owner = todo.owner or interaction.owner
        customer = customers.get(interaction.customer)
        customer_name = customer.name if customer is not None else interaction.customer
        days_overdue = (as_of - todo.due).days
        due_line = _due_line("calendar_todo_due", todo.due, days_overdue, language)
        lines = [
            phrase("calendar_todo", language, task=todo.task),
            phrase("calendar_customer", language, name=customer_name, id=interaction.customer),
            due_line,
            phrase("calendar_owner", language, name=ds.member_name(todo_owner)),
            phrase(
                "calendar_interaction",
                language,
                id=interaction.id,
                date=interaction.day.isoformat(),
                topic=interaction.topic,
            ),
        ]
        entries.append(
            _Entry(
                day=as_of if days_overdue > 0 else todo.due,
                uid=_uid("todo", interaction.id, index),
                summary=phrase("calendar_todo_summary", language, task=todo.task, name=customer_name),
                description="\n".join(lines),
                category=phrase("category_todo", language),
            )
        )
    return entries


def _due_line(key: str, day: date, days_overdue: int, language: str) -> str:
    """`Due: 2026-11-20`, then how many days overdue when it is (the same note for every kind of entry)."""
    line = phrase(key, language, date=day.isoformat())
    if days_overdue > 0:
        line += phrase("calendar_overdue_note", language, count=days_overdue)
    return line


def _plan_entries(ds: Dataset, dues: list[PlanDue], as_of: date, language: str) -> list[_Entry]:
    """Each plan's current occurrence: summary its goal, description its talking points."""
    customers = ds.customer_by_id()
    plans = ds.plan_by_id()
    entries = []
    for due in dues:
        customer = customers.get(due.customer)
        name = customer.name if customer is not None else due.customer
        overdue = due.status is Status.OVERDUE
        due_line = _due_line("calendar_due", due.due, due.days_overdue, language)
        lines = [phrase("calendar_talking_point", language, point=point) for point in due.content]
        lines += [
            phrase("calendar_customer", language, name=name, id=due.customer),
            phrase("calendar_plan", language, id=due.plan_id, cycle=term(plans[due.plan_id].cycle, language)),
            due_line,
        ]
        if due.postponed:
            lines.append(phrase("calendar_postponed_from", language, date=due.occurrence.isoformat()))
        lines.append(phrase("calendar_owner", language, name=ds.member_name(due.owner)))
        late = phrase("calendar_overdue_days", language, count=due.days_overdue) if overdue else ""
        entries.append(
            _Entry(
                day=as_of if overdue else due.due,
                uid=_uid("plan", due.plan_id, due.carried_out),
                summary=phrase("calendar_plan_summary", language, goal=due.goal, name=name) + late,
                description="\n".join(lines),
                category=phrase("category_plan", language),
            )
        )
    return entries


def _renewal_entries(ds: Dataset, renewals: list[RenewalDue], as_of: date, language: str) -> list[_Entry]:
    """Each contract up for renewal, on its renewal follow-up day (on as_of when that is past)."""
    customers = ds.customer_by_id()
    contracts = ds.contract_by_id()
    entries = []
    for renewal in renewals:
        customer = customers.get(renewal.customer)
        name = customer.name if customer is not None else renewal.customer
        title = contracts[renewal.contract_id].title
        overdue = renewal.status is Status.OVERDUE
        due_line = _due_line("calendar_due", renewal.due, renewal.days_overdue, language)
        lines = [
            phrase("calendar_contract", language, title=title, id=renewal.contract_id),
            phrase("calendar_customer", language, name=name, id=renewal.customer),
            phrase("calendar_contract_end", language, date=renewal.end.isoformat()),
            due_line,
            phrase("calendar_owner", language, name=ds.member_name(renewal.owner)),
        ]
        late = phrase("calendar_overdue_days", language, count=renewal.days_overdue) if overdue else ""
        entries.append(
            _Entry(
                day=as_of if overdue else renewal.due,
                uid=_uid("renewal", renewal.contract_id),
                summary=phrase("calendar_renewal_summary", language, title=title, name=name) + late,
                description="\n".join(lines),
                category=phrase("category_renewal", language),
            )
        )
    return entries


def _payment_entries(ds: Dataset, as_of: date, owner: str | None, language: str) -> list[_Entry]:
    """Each payment not paid by as_of, on its due day (on as_of when overdue)."""
    customers = ds.customer_by_id()
    entries = []
    for contract, index, payment in unpaid_payments(ds, as_of):
        if owner is not None and contract.owner != owner:
            continue
        customer = customers.get(contract.customer)
        name = customer.name if customer is not None else contract.customer
        amount = format_amount(payment.amount, contract.currency_in(ds.config), language)
        days_overdue = (as_of - payment.due).days
        due_line = _due_line("calendar_payment_due", payment.due, days_overdue, language)
        lines = [
            phrase("calendar_contract", language, title=contract.title, id=contract.id),
            phrase("calendar_customer", language, name=name, id=contract.customer),
            phrase("calendar_payment_amount", language, amount=amount),
            due_line,
            phrase("calendar_owner", language, name=ds.member_name(contract.owner)),
        ]
        late = phrase("calendar_overdue_days", language, count=days_overdue) if days_overdue > 0 else ""
        entries.append(
            _Entry(
                day=as_of if days_overdue > 0 else payment.due,
                uid=_uid("payment", contract.id, index),
                summary=phrase("calendar_payment_summary", language, amount=amount, name=name) + late,
                description="\n".join(lines),
                category=phrase("category_payment", language),
            )
        )
    return entries


def _birthday_contact_index(customer: Customer, moment: CareMoment, taken: set[int]) -> int:
    """The index in `customer.contacts` of the contact whose birthday `moment` is.

    A care moment names the contact; two contacts may share a name, so the birthday (day of year and
    age) decides, and a contact already matched by an earlier moment is skipped.
    """
    day = moment.day
    days_of_year = {(day.month, day.day)}
    if (day.month, day.day) == (2, 28):
        days_of_year.add((2, 29))  # a 29 February birthday is celebrated on 28 February in common years
    for index, contact in enumerate(customer.contacts):
        birthday = contact.birthday
        if (
            index not in taken
            and contact.name == moment.contact
            and birthday is not None
            and (birthday.month, birthday.day) in days_of_year
            and day.year - birthday.year == moment.years
        ):
            return index
    raise AssertionError(f"no contact of {customer.id} matches the birthday of {moment.contact} on {day}")


def _care_entries(
    ds: Dataset, customers: dict[str, Customer], moments: list[CareMoment], language: str
) -> list[_Entry]:
    entries = []
    taken: dict[str, set[int]] = defaultdict(set)
    for moment in moments:
        if moment.kind is CareKind.ANNIVERSARY:
            since = customers[moment.customer].since
            since_text = since.isoformat() if since is not None else phrase("calendar_unknown", language)
            lines = [
                phrase("calendar_customer", language, name=moment.name, id=moment.customer),
                phrase("calendar_since", language, date=since_text),
                phrase("calendar_owner", language, name=ds.member_name(moment.owner)),
            ]
            entries.append(
                _Entry(
                    day=moment.day,
                    uid=_uid("anniversary", moment.customer, moment.day.year),
                    summary=phrase("calendar_anniversary", language, years=moment.years, name=moment.name),
                    description="\n".join(lines),
                    category=phrase("category_care", language),
                )
            )
        else:
            customer = customers[moment.customer]
            index = _birthday_contact_index(customer, moment, taken[customer.id])
            taken[customer.id].add(index)
            lines = [
                phrase("calendar_contact", language, name=moment.contact),
                phrase("calendar_customer", language, name=moment.name, id=moment.customer),
                phrase("calendar_owner", language, name=ds.member_name(moment.owner)),
            ]
            entries.append(
                _Entry(
                    day=moment.day,
                    uid=_uid("birthday", moment.customer, index, moment.day.year),
                    summary=phrase("calendar_birthday", language, contact=moment.contact, name=moment.name),
                    description="\n".join(lines),
                    category=phrase("category_care", language),
                    private=True,
                )
            )
    return entries


@dataclass(frozen=True)
class FeedSources:
    """What a feed's events are made from, when the caller worked it out already for the same `as_of` (the
    site, for every owner's feed): follow-ups, care moments, plans due, renewals, and the open todos by owner
    (open_todos_by_owner). Each one left None is worked out from the records."""

    plans: list[FollowUp] | None = None
    moments: list[CareMoment] | None = None
    plan_dues: list[PlanDue] | None = None
    renewals: list[RenewalDue] | None = None
    todos: dict[str, list[tuple[Interaction, int, Todo]]] | None = None


def feed_events(
    ds: Dataset,
    as_of: date,
    owner: str | None = None,
    include_private: bool = False,
    plans: list[FollowUp] | None = None,
    moments: list[CareMoment] | None = None,
    plan_dues: list[PlanDue] | None = None,
    renewals: list[RenewalDue] | None = None,
    todos: dict[str, list[tuple[Interaction, int, Todo]]] | None = None,
) -> Feed:
    """What the iCalendar feed of what is due on and after `as_of` holds (feed_bytes writes it).

    - one event per follow-up of a non-churned customer, on its due date, or on `as_of` when overdue;
    - one event per todo open on `as_of`: overdue ones on `as_of`, the others on their due date;
    - one event per care moment in the coming 30 days: anniversaries, and birthdays only when
      `include_private` (birthdays are private contact data);
    - one event per plan's current occurrence, per contract up for renewal and per payment not paid by
      `as_of`: on their due day, or on `as_of` when overdue.

    With `owner`, only that team member's customers (follow-ups, care moments) and todos. Events are
    sorted by day, then UID; the output is deterministic for the same data and arguments. `plans`,
    `moments`, `plan_dues`, `renewals` and `todos` are FeedSources' (what a caller worked out already).
    """
    language = language_code(ds.config.language if ds.config is not None else None)
    given = FeedSources(plans, moments, plan_dues, renewals, todos)
    owned = _owned_entries(ds, as_of, owner, include_private, given, language)
    return _feed(ds, as_of, owner, [entry for _, entry in owned], language)


def feeds_by_owner(
    ds: Dataset, as_of: date, owners: Iterable[str], include_private: bool = False, given: FeedSources = FeedSources()
) -> dict[str, Feed]:
    """feed_events(ds, as_of, owner, ...) for each of `owners`, with every event made once for all of them:
    the site writes one feed per team member, and making the text of 40,000 events once instead of looking
    through every list for every member saves a third of the time at 10,000 customers."""
    language = language_code(ds.config.language if ds.config is not None else None)
    grouped: dict[str, list[_Entry]] = defaultdict(list)
    for owner, entry in _owned_entries(ds, as_of, None, include_private, given, language):
        grouped[owner].append(entry)
    return {owner: _feed(ds, as_of, owner, grouped.get(owner, []), language) for owner in owners}


def _owned_entries(
    ds: Dataset, as_of: date, owner: str | None, include_private: bool, given: FeedSources, language: str
) -> list[tuple[str, _Entry]]:
    """(its owner, the event) of every event of `owner`'s feed (None: everyone's), unsorted: each maker of
    events makes one per item it is given, in order, so each event's owner is its item's."""
    customers = ds.customer_by_id()
    plans = given.plans if given.plans is not None else followups(ds, as_of)
    mine = [plan for plan in plans if owner in (None, plan.owner)]
    owned = [(plan.owner, _followup_entry(ds, plan, as_of, language)) for plan in mine]
    open_todos = given.todos if given.todos is not None else open_todos_by_owner(ds, as_of)
    todo_lists = {key: items for key, items in open_todos.items() if owner in (None, key)}
    todo_owners = [key for key, items in todo_lists.items() for _ in items]
    owned += zip(todo_owners, _todo_entries(ds, customers, as_of, None, language, todo_lists), strict=True)
    cared = [
        moment
        for moment in (given.moments if given.moments is not None else care_moments(ds, as_of))
        if owner in (None, moment.owner) and (include_private or not moment.private)
    ]
    owned += zip([moment.owner for moment in cared], _care_entries(ds, customers, cared, language), strict=True)
    all_dues = given.plan_dues if given.plan_dues is not None else plans_due(ds, as_of)
    dues = [due for due in all_dues if owner in (None, due.owner)]
    owned += zip([due.owner for due in dues], _plan_entries(ds, dues, as_of, language), strict=True)
    all_renewals = given.renewals if given.renewals is not None else renewals_due(ds, as_of)
    renewing = [renewal for renewal in all_renewals if owner in (None, renewal.owner)]
    owned += zip([r.owner for r in renewing], _renewal_entries(ds, renewing, as_of, language), strict=True)
    payers = [contract.owner for contract, _, _ in unpaid_payments(ds, as_of) if owner in (None, contract.owner)]
    owned += zip(payers, _payment_entries(ds, as_of, owner, language), strict=True)
    return owned


def _feed(ds: Dataset, as_of: date, owner: str | None, entries: list[_Entry], language: str) -> Feed:
    """The feed of `owner` (None: everyone's) holding `entries`, sorted by day, then UID."""
    entries.sort(key=lambda entry: (entry.day, entry.uid))
    title = phrase("calendar_title", language)
    if owner is not None:
        title += f" — {ds.member_name(owner)}"
    stamp = datetime.combine(as_of, time(0, 0), tzinfo=UTC)
    return Feed(title, _uid("calendar", owner if owner is not None else "all"), stamp, tuple(entries))


def feed_bytes(feed: Feed, events: Sequence[bytes] | None = None) -> bytes:
    """The feed as iCalendar (UTF-8 bytes): icalendar escapes and folds the text. The calendar's own lines and
    each event's (event_bytes) are written apart and joined, byte for byte what icalendar writes of the whole
    calendar: `events`, when given, are the entries' bytes in order, so a caller may keep them (writing a
    10,000-customer site's feeds is seconds of icalendar, and after one edit nearly every event is the same)."""
    end = b"END:VCALENDAR\r\n"
    calendar: bytes = Calendar.new(prodid=PRODID, calscale="GREGORIAN", name=feed.title, uid=feed.uid).to_ical()
    assert calendar.endswith(end), "icalendar ends a calendar with its END line"
    if events is None:
        events = [event_bytes(entry, feed.stamp) for entry in feed.entries]
    assert len(events) == len(feed.entries), "one event's bytes per entry"
    return calendar[: -len(end)] + b"".join(events) + end


def feed_event(entry: _Entry, stamp: datetime) -> Event:
    """One event of a feed (its DTSTAMP `stamp`, the feed's): a whole day, free time, private when it shows a
    private field."""
    return Event.new(
        uid=entry.uid,
        stamp=stamp,
        start=entry.day,
        end=entry.day + timedelta(days=1),
        summary=entry.summary,
        description=entry.description,
        categories=[entry.category],
        classification=CLASS.PRIVATE if entry.private else None,
        transparency=TRANSP.TRANSPARENT,
    )


def event_bytes(entry: _Entry, stamp: datetime) -> bytes:
    """One event of a feed as iCalendar, written on its own (feed_bytes joins them)."""
    written: bytes = feed_event(entry, stamp).to_ical()
    return written


def calendar_feed(ds: Dataset, as_of: date, owner: str | None = None, include_private: bool = False) -> bytes:
    """The iCalendar feed (UTF-8 bytes) of what is due on and after `as_of` (feed_events says what it holds;
    a caller writing many feeds uses feed_events and feed_bytes, passing what it worked out once)."""
    return feed_bytes(feed_events(ds, as_of, owner, include_private))
