"""Private contact fields (phone, email, address, birthday) as the published site shows them.

The site is read by the whole team and often by anyone with the link, so these fields are masked unless
the build is explicitly internal (`crm build --internal`) or crm.yaml turns redaction off. A masked value
keeps just enough to recognise a number one already knows (138****5678), never enough to dial it.
"""

from __future__ import annotations

from datetime import date

HIDDEN = "••••"


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits of a long number; hide short numbers entirely."""
    digits = [char for char in phone if char.isdigit()]
    if len(digits) < 11:
        return HIDDEN
    return "".join(digits[:3]) + "****" + "".join(digits[-4:])


def mask_email(email: str) -> str:
    """First letter of the mailbox and the domain: z***@example.com."""
    local, at, domain = email.partition("@")
    if not at or not local:
        return HIDDEN
    return f"{local[0]}***@{domain}"


def shown(value: str | date | None, field: str, masked: bool) -> str | None:
    """The value of a private field as the site shows it; None stays None (nothing to show)."""
    if value is None:
        return None
    if not masked:
        return value.isoformat() if isinstance(value, date) else value
    if field == "phone":
        return mask_phone(str(value))
    if field == "email":
        return mask_email(str(value))
    return HIDDEN
