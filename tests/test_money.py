"""Amounts of money for people (crmdata.records.money.format_amount): worked examples in both languages."""

from __future__ import annotations

import pytest

from crmdata.records.models import Language
from crmdata.records.money import format_amount


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (0, "CNY", "¥0"),
        (1234, "CNY", "¥1,234"),
        (99_999, "CNY", "¥99,999"),
        (1234.5, "CNY", "¥1,234.50"),
        (100_000, "CNY", "¥10万"),
        (1_234_567, "CNY", "¥123.5万"),
        (12_345_678, "CNY", "¥1,234.6万"),
        (99_999_999, "CNY", "¥1亿"),
        (123_456_789, "CNY", "¥1.2亿"),
        (1_234_567, "USD", "USD 123.5万"),
        (5_000, "USD", "USD 5,000"),
    ],
)
def test_chinese_amounts_count_in_wan_from_ten_thousand_wan(amount: float, currency: str, shown: str) -> None:
    assert format_amount(amount, currency, "zh") == shown
    assert format_amount(amount, currency, Language.ZH) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (1234, "CNY", "¥1,234"),
        (1_234_567, "CNY", "¥1,234,567"),
        (9_999_999, "CNY", "¥9,999,999"),
        (12_345_678, "CNY", "¥12.3M"),
        (1_500_000_000, "USD", "USD 1.5B"),
        (250.25, "EUR", "EUR 250.25"),
    ],
)
def test_english_amounts_count_in_millions_from_ten_million(amount: float, currency: str, shown: str) -> None:
    assert format_amount(amount, currency, "en") == shown


def test_a_negative_amount_keeps_its_sign_before_the_currency() -> None:
    assert format_amount(-1234, "CNY", "zh") == "-¥1,234"
    assert format_amount(-1_234_567, "CNY", "zh") == "-¥123.5万"


def test_without_a_language_amounts_are_chinese() -> None:
    assert format_amount(1_234_567, "CNY", None) == "¥123.5万"
