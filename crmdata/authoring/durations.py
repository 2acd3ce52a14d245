"""Due dates typed the way people say them: `3d`, `2w`, `3wd` (working days), `2026-12-01`, `3个工作日`.

Working days skip weekends and the public holidays of the team's calendar (crm.yaml `calendar`,
mainland China by default). For China the weekend days worked in lieu of a holiday (调休, e.g. Sunday
28 September before National Day) count as working days. The holiday tables come from the `holidays`
package (python-holidays), which follows each year's State Council notice; the years it knows 调休
for are the years whose notice was out when it was released.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays

from crmdata.records.models import WorkCalendar

_UNITS = {
    "d": "days", "day": "days", "days": "days", "天": "days", "日": "days",
    "w": "weeks", "week": "weeks", "weeks": "weeks", "周": "weeks", "星期": "weeks", "个星期": "weeks",
    "wd": "workdays", "workday": "workdays", "workdays": "workdays", "bd": "workdays",
    "工作日": "workdays", "个工作日": "workdays",
}  # fmt: skip
_DURATION = re.compile(r"\+?\s*(\d{1,4})\s*(" + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True)) + r")")
DURATION_HELP = "a date (2026-12-01) or a time from the conversation: 10d (days), 2w (weeks), 3wd (working days)"


class DurationError(ValueError):
    """Text that is neither a date nor a duration; the message says what would be understood."""


@dataclass
class WorkingDays:
    """Which days are working days under a team's calendar (crm.yaml `calendar`)."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    @cached_property
    def _public(self) -> holidays.HolidayBase:
        try:
            return holidays.country_holidays(self.calendar.country, subdiv=self.calendar.subdivision)
        except NotImplementedError as exc:  # an unknown country or subdivision code
            raise DurationError(f"crm.yaml calendar: {exc}") from exc

    def is_working_day(self, day: date) -> bool:
        if day in self.calendar.workdays:
            return True
        if day in self.calendar.holidays:
            return False
        return bool(self._public.is_working_day(day))

    def add(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself is not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


def due_date(text: str, start: date, calendar: WorkingDays) -> date:
    """A date from what a person typed: an ISO date, or a duration counted from `start`."""
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    match = _DURATION.fullmatch(value.lower())
    if match is None:
        raise DurationError(f"{text!r} is not understood: give {DURATION_HELP}")
    amount, unit = int(match.group(1)), _UNITS[match.group(2)]
    if unit == "days":
        return start + timedelta(days=amount)
    if unit == "weeks":
        return start + timedelta(weeks=amount)
    return calendar.add(start, amount)
