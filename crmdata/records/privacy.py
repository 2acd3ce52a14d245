"""Masking the private contact fields (phone, email, address, birthday): one rule for every output.

The published site (unless internal) and `crm export customers --redact` show a masked value: enough
to recognise a number or an address one already knows (138****5678, z***@example.com), never enough to
dial or write to it. The importer refuses a masked value (MASK_MARKS): it is not the real one.
"""

from __future__ import annotations

from datetime import date

MASKED = "••••"
"""What a private value is replaced by when nothing of it may be shown."""

MASK_MARKS = ("••", "****", "***@")
"""What only a masked value holds: a cell with one of these was exported with --redact."""


def mask_phone(phone: str) -> str:
    """Keep the first three and last four digits of a number of 11 digits or more; hide shorter ones
    entirely (seven digits would leave too few hidden)."""
    digits = [char for char in phone if char.isdigit()]
    if len(digits) < 11:
        return MASKED
    return "".join(digits[:3]) + "****" + "".join(digits[-4:])


def mask_email(email: str) -> str:
    """The first character of the mailbox and the domain: z***@example.com. Without both (`a@`, `@x.cn`,
    no @ at all) nothing is recognisable, so nothing is shown. The domain is after the last @ (a mailbox
    may hold a quoted @, a domain never does)."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local or not domain.strip():
        return MASKED
    return f"{local[0]}***@{domain}"


def mask(field: str, value: str | date) -> str:
    """A private contact field's value as it is shown masked: a phone or an e-mail partly, the rest not at all."""
    if field == "phone":
        return mask_phone(str(value))
    if field == "email":
        return mask_email(str(value))
    return MASKED
