"""Moments for care (关怀): anniversaries of the relationship and contacts' birthdays, coming soon.

Birthdays are private contact data: a care moment says so, and the site masks it unless internal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from crmdata.records.dataset import Dataset
from crmdata.records.models import Stage

CARE_WINDOW_DAYS = 30
PRIVATE_WINDOWS = (7, 14, CARE_WINDOW_DAYS)
"""How soon a masked birthday is said to come: within 7, 14 or 30 days, never its day (the date of birth is
private contact data), yet enough for its owner to know which week to greet in."""


class CareKind(StrEnum):
    ANNIVERSARY = "anniversary"
    BIRTHDAY = "birthday"


@dataclass(frozen=True)
class CareMoment:
    """A day worth a greeting: `years` is the anniversary's count or the contact's age (None if unknown)."""

    customer: str
    name: str
    owner: str
    kind: CareKind
    day: date
    years: int
    contact: str | None = None
    private: bool = False
    within_days: int = 0
    """The smallest of PRIVATE_WINDOWS holding the day: what the masked site and messages say instead of it."""


def _next_occurrence(original: date, as_of: date) -> date:
    """The first day on or after `as_of` with the month and day of `original` (29 Feb → 28 Feb)."""
    for year in (as_of.year, as_of.year + 1):
        try:
            candidate = original.replace(year=year)
        except ValueError:  # 29 February in a year that has none
            candidate = date(year, 2, 28)
        if candidate >= as_of:
            return candidate
    raise AssertionError("unreachable: next year always qualifies")


def within_days(day: date, as_of: date) -> int:
    """The smallest of PRIVATE_WINDOWS that holds `day` (days after `as_of`; beyond them: the days themselves)."""
    days = (day - as_of).days
    return next((window for window in PRIVATE_WINDOWS if days <= window), days)


def care_moments(ds: Dataset, as_of: date, window_days: int = CARE_WINDOW_DAYS) -> list[CareMoment]:
    """Anniversaries of `since` and contacts' birthdays from `as_of` to `as_of + window_days`, for
    customers that are not churned; sorted by day, then customer."""
    end = as_of + timedelta(days=window_days)
    moments = []
    for customer in ds.customers:
        if customer.stage is Stage.CHURNED:
            continue
        if customer.since is not None and customer.since < as_of:
            day = _next_occurrence(customer.since, as_of)
            years = day.year - customer.since.year
            if day <= end and years >= 1:
                moments.append(CareMoment(customer.id, customer.name, customer.owner, CareKind.ANNIVERSARY, day, years))
        for contact in customer.contacts:
            if contact.birthday is None or contact.birthday > as_of:
                continue
            day = _next_occurrence(contact.birthday, as_of)
            if day <= end:
                moments.append(
                    CareMoment(
                        customer.id,
                        customer.name,
                        customer.owner,
                        CareKind.BIRTHDAY,
                        day,
                        day.year - contact.birthday.year,
                        contact=contact.name,
                        private=True,
                        within_days=within_days(day, as_of),
                    )
                )
    return sorted(moments, key=lambda moment: (moment.day, moment.customer, moment.kind, moment.contact or ""))
