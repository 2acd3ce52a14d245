"""Private contact fields (phone, email, address, birthday) as the published site shows them.

The site is read by the whole team and often by anyone with the link, so these fields are masked unless
the build is explicitly internal (`crm build --internal`) or crm.yaml turns redaction off. A masked value
keeps just enough to recognise a number one already knows (138****5678), never enough to dial it.
"""

from __future__ import annotations

from datetime import date

from crmdata.records.privacy import mask


def shown(value: str | date | None, field: str, masked: bool) -> str | None:
    """The value of a private field as the site shows it; None stays None (nothing to show)."""
    if value is None:
        return None
    if not masked:
        return value.isoformat() if isinstance(value, date) else value
    return mask(field, value)
