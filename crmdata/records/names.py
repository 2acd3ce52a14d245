"""Names and phone numbers as compared for duplicates: one rule for `crm import`, `crm new customer` and
`crm validate`, so a customer flagged by one is flagged by all."""

from __future__ import annotations

import re
import unicodedata

_ENGLISH_LEGAL_FORM = re.compile(
    r"(?:^|[\s,.])(?:co\.?\s*,?\s*ltd|ltd|limited|inc|incorporated|corp|corporation|co|llc|gmbh|company)\.?\s*$"
)
_CHINESE_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "公司")


def name_key(name: str) -> str:
    """A name as compared for duplicates: NFKC, case, spaces, punctuation and the legal form left out
    (华星科技有限公司 = 华星科技 = 华星科技(有限公司); Acme, Inc. = ACME)."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _ENGLISH_LEGAL_FORM.sub("", text) or text
    text = "".join(char for char in text if unicodedata.category(char)[0] not in "PSZ")
    stripped = True
    while stripped:  # 某某公司有限公司 -> 某某公司 -> 某某
        stripped = False
        for suffix in _CHINESE_LEGAL_FORMS:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[: -len(suffix)], True
                break
    return text


def phone_key(phone: str) -> str | None:
    """A phone number as compared: digits only, without +86 / 0086 and the trunk 0; None if too short."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and (phone.strip().startswith("+") or len(digits) == 13):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else None
