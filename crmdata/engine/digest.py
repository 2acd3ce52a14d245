"""Each owner's morning digest as data: what `crm notify` sends, before any channel words it.

A digest holds what needs the owner's attention on `as_of`: overdue and due-soon follow-ups, plans'
current contacts, overdue todos, renewals, overdue payments (all from `due_list`, so the terminal's
`crm due` and the message agree), and care moments (anniversaries, birthdays) within `due_soon_days`.
Items that are not due (status ok) are left out: a reminder that lists everything is not read.

Each item links to its customer's page when crm.yaml names where the site is published (`site.url`):
`<site.url>customers/<id>/`, the path the site gives a customer page (mkdocs, use_directory_urls).
Without `site.url` there are no links: a guessed address would be wrong for every team but one. The
digest itself links to the owner's day on the site (`<site.url>today/<owner>/`, 我的今天), which lists the
same work in the order to do it, with this week's too.

Private fields: a birthday is private contact data; under `site.redact` (the default) its day is not
in the digest (`day` None), only that a contact's birthday is coming — the same rule as the site's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from urllib.parse import quote

from crmdata.engine.care import CareKind, care_moments
from crmdata.engine.due_list import due_list
from crmdata.engine.schedule import Status
from crmdata.records.dataset import Dataset


class Section(StrEnum):
    """The parts of a digest, in the order a message shows them."""

    FOLLOWUPS = "followups"
    TODOS = "todos"
    PLANS = "plans"
    RENEWALS = "renewals"
    PAYMENTS = "payments"
    CARE = "care"


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest: a record that needs the owner, its customer, its day and what it is about.

    `detail` is record text (a todo's task, a plan's goal) or a value (an amount, the follow-up's reason,
    the care moment's kind); `record` is the id of the record it comes from (the customer for follow-ups
    and care moments). `day` is None for a masked birthday.
    """

    section: Section
    record: str
    customer: str
    customer_name: str
    day: date | None
    status: str
    days_overdue: int
    detail: str
    link: str | None = None
    contact: str | None = None
    years: int | None = None
    amount: float | None = None
    currency: str | None = None
    within_days: int | None = None
    """For a masked birthday (day None): within how many days it comes (crmdata.engine.care.PRIVATE_WINDOWS)."""


@dataclass(frozen=True)
class Digest:
    """Everything one owner is reminded of on `as_of`; `items` in Section order, each part by day then id."""

    owner: str
    owner_name: str
    as_of: date
    items: list[DigestItem] = field(default_factory=list)
    page: str | None = None
    """The owner's day on the published site (owner_link), or None without `site.url`."""

    @property
    def empty(self) -> bool:
        return not self.items

    def section(self, section: Section) -> list[DigestItem]:
        return [item for item in self.items if item.section is section]


def customer_link(site_url: str | None, customer: str) -> str | None:
    """The customer's page on the published site, or None when crm.yaml has no `site.url`."""
    if site_url is None:
        return None
    return f"{site_url}customers/{quote(customer, safe='')}/"


def owner_link(site_url: str | None, owner: str) -> str | None:
    """The owner's day (我的今天) on the published site, or None when crm.yaml has no `site.url`."""
    if site_url is None:
        return None
    return f"{site_url}today/{quote(owner, safe='')}/"


def digest(ds: Dataset, as_of: date, owner: str) -> Digest:
    """`owner`'s digest on `as_of` (a pure function of the dataset: no clock, no files)."""
    config = ds.config
    site_url = config.site.url if config is not None else None
    redact = config.site.redact if config is not None else True
    soon_days = config.policy.due_soon_days if config is not None else 7
    names = {customer.id: customer.name for customer in ds.customers}
    due = due_list(ds, as_of, owner)

    def item(
        section: Section, record: str, customer: str, day: date | None, status: str, late: int, detail: str
    ) -> DigestItem:
        name = names.get(customer, customer)
        return DigestItem(section, record, customer, name, day, status, late, detail, customer_link(site_url, customer))

    items = [
        item(Section.FOLLOWUPS, f.customer, f.customer, f.due, f.status.value, f.days_overdue, f.reason.value)
        for f in due.followups
        if f.status is not Status.OK
    ]
    items += [
        item(Section.TODOS, t.interaction, t.customer, t.due, Status.OVERDUE.value, t.days_overdue, t.task)
        for t in due.todos
    ]
    items += [
        item(Section.PLANS, p.plan_id, p.customer, p.due, p.status.value, p.days_overdue, p.goal)
        for p in due.plans
        if p.status is not Status.OK
    ]
    items += [
        item(Section.RENEWALS, r.contract_id, r.customer, r.due, r.status.value, r.days_overdue, r.end.isoformat())
        for r in due.renewals
        if r.status is not Status.OK
    ]
    items += [
        replace(
            item(Section.PAYMENTS, p.contract_id, p.customer, p.due, Status.OVERDUE.value, p.days_overdue, ""),
            amount=p.amount,
            currency=p.currency,
        )
        for p in due.payments
    ]
    for moment in care_moments(ds, as_of, window_days=soon_days):
        if moment.owner != owner:
            continue
        hidden = moment.private and redact  # a birthday's day (and so the age) is private contact data
        day = None if hidden else moment.day
        years = None if hidden and moment.kind is CareKind.BIRTHDAY else moment.years
        care = item(Section.CARE, moment.customer, moment.customer, day, "care", 0, moment.kind.value)
        within = moment.within_days if hidden else None
        items.append(replace(care, contact=moment.contact, years=years, within_days=within))
    member = config.team.get(owner) if config is not None else None
    name = member.name if member is not None else owner
    return Digest(owner, name, as_of, items, owner_link(site_url, owner))


def digests(ds: Dataset, as_of: date, owners: list[str] | None = None) -> list[Digest]:
    """One digest per team member (or per owner of `owners`), in crm.yaml's team order."""
    team = list(ds.config.team) if ds.config is not None else []
    return [digest(ds, as_of, owner) for owner in (owners if owners is not None else team)]


def digest_json(digest_: Digest) -> dict[str, object]:
    """The digest as the `webhook` channel posts it (keys in English, values as records write them)."""
    return {
        "owner": digest_.owner,
        "owner_name": digest_.owner_name,
        "as_of": digest_.as_of.isoformat(),
        "page": digest_.page,
        "items": [
            {
                "section": it.section.value,
                "record": it.record,
                "customer": it.customer,
                "customer_name": it.customer_name,
                "day": it.day.isoformat() if it.day is not None else None,
                "status": it.status,
                "days_overdue": it.days_overdue,
                "detail": it.detail,
                "link": it.link,
                **({"contact": it.contact} if it.contact is not None else {}),
                **({"years": it.years} if it.years is not None else {}),
                **({"within_days": it.within_days} if it.within_days is not None else {}),
                **({"amount": it.amount, "currency": it.currency} if it.amount is not None else {}),
            }
            for it in digest_.items
        ],
    }
