"""Masking private contact fields: one rule (crmdata.records.privacy) for the site and `crm export --redact`."""

from __future__ import annotations

from datetime import date

import pytest

from crmdata.records.models import Customer
from crmdata.records.privacy import MASK_MARKS, MASKED, mask
from crmdata.sheets.exporter import customer_values
from site_builder.privacy import shown

CASES = [
    ("phone", "13800138000", "138****8000"),
    ("phone", "138 0013 8000", "138****8000"),
    ("phone", "+86 138-0013-8000", "861****8000"),  # the first three digits, whatever they are
    ("phone", "010-12345678", "010****5678"),
    ("phone", "1234567", MASKED),  # too short: four hidden digits would leave three to guess
    ("phone", "ext. 12", MASKED),
    ("email", "lilei@huaxing.cn", "l***@huaxing.cn"),
    ("email", "a@", MASKED),  # no domain: nothing to recognise
    ("email", "@huaxing.cn", MASKED),  # no mailbox
    ("email", "lilei", MASKED),  # no @ at all
    ("email", "a@b@huaxing.cn", "a***@huaxing.cn"),  # the domain is after the last @
    ("email", " lilei@huaxing.cn ", "l***@huaxing.cn"),
    ("email", "张@例子.中国", "张***@例子.中国"),
    ("address", "北京市海淀区中关村大街1号", MASKED),
    ("birthday", date(1980, 12, 5), MASKED),
]


@pytest.mark.parametrize(("field", "value", "expected"), CASES)
def test_the_site_and_the_redacted_export_mask_alike(field: str, value: str | date, expected: str) -> None:
    assert mask(field, value) == expected
    assert shown(value, field, masked=True) == expected
    contact: dict[str, object] = {"name": "李雷", "phone": "13800138000", field: value}
    customer = Customer.model_validate(
        {
            "id": "KH-1",
            "name": "华星",
            "type": "enterprise",
            "tier": "regular",
            "stage": "active",
            "owner": "ming",
            "since": "2024-01-01",
            "contacts": [contact],
        }
    )
    cells = customer_values(customer, 1, english=False, team={}, redact=True)
    column = {"phone": "contact_info", "email": "email"}.get(field, field)
    assert cells[(column, 1)] == expected


@pytest.mark.parametrize(("field", "value", "expected"), CASES)
def test_a_masked_value_is_recognised_as_masked(field: str, value: str | date, expected: str) -> None:
    """The importer refuses a cell holding one of MASK_MARKS: every masked value holds one."""
    assert any(mark in expected for mark in MASK_MARKS)


def test_an_unmasked_site_shows_the_value_and_nothing_stays_nothing() -> None:
    assert shown("a@", "email", masked=False) == "a@"
    assert shown(date(1980, 12, 5), "birthday", masked=False) == "1980-12-05"
    assert shown(None, "phone", masked=True) is None
