"""The 24-hour rule (policy.record_within_hours): how late a conversation was written down.

It sits below both its users: `crm validate` warns with it (records) and the KPIs count by it (engine).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from crmdata.records.models import Interaction


def logging_delay_if_late(interaction: Interaction, hours: int) -> timedelta | None:
    """How late the record was written when it was written more than `hours` after the conversation;
    None when it was in time or has no `recorded` (the 24-hour rule, policy.record_within_hours).

    A date without a time counts from the end of that day, so only records surely written late are
    late; a naive and an aware time are compared on the wall clock.
    """
    recorded = interaction.recorded
    if recorded is None:
        return None
    happened = interaction.moment
    if happened is None:
        if (recorded.date() - interaction.day).days <= hours // 24:
            return None  # within whole days after the end of that day: surely in time, no arithmetic needed
        happened = datetime.combine(interaction.day, time.max)
    if (happened.tzinfo is None) != (recorded.tzinfo is None):
        happened, recorded = happened.replace(tzinfo=None), recorded.replace(tzinfo=None)
    delay = recorded - happened
    return delay if delay > timedelta(hours=hours) else None
