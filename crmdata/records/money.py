"""Amounts of money for people: `¥1,234,567`, `¥123.5万`, `USD 12.3M`.

JSON and records keep plain numbers (the contract); everything a person reads (the terminal, the site, the
calendar feed, sheets' notes) shows an amount through `format_amount`, in crm.yaml's language, with the
vocabulary's units (crmdata.records.vocabulary.AMOUNT_SCALES, CURRENCY_SYMBOLS):

- zh: below 10万 every digit (`¥12,345`); from 10万 on in 万 with one decimal (`¥123.5万`), from 1亿 in 亿
  (`¥1.2亿`): how Chinese readers say amounts;
- en: below 10 million every digit (`¥1,234,567`); from there in millions (`¥12.3M`), from a billion in
  billions (`USD 1.5B`).

CNY is written with its symbol ¥; any other currency by its code and a space (`USD 1,234`), so an amount is
never mistaken for one of another currency. Cents show only when an amount has them (`¥1,234.50`); a
compact amount drops a trailing `.0` (`¥10万`). Whole units read best in lists of contracts and payments.
"""

from __future__ import annotations

from crmdata.records.vocabulary import AMOUNT_SCALES, CURRENCY_SYMBOLS, language_code


def currency_prefix(currency: str) -> str:
    """What is written before an amount of `currency`: `¥` for CNY, else the code and a space (`USD `)."""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return symbol if symbol is not None else f"{currency} "


def _digits(amount: float) -> str:
    """Every digit with thousands separators; cents only when the amount has them."""
    cents = round(amount * 100)
    if cents % 100 == 0:
        return f"{cents // 100:,}"
    return f"{amount:,.2f}"


def _compact(amount: float, scales: tuple[tuple[int, str], ...]) -> str | None:
    """The amount in the largest unit it reaches once rounded to one decimal (9999.96万 is 1亿), or None."""
    for size, unit in scales:
        shown = round(amount / size, 1)
        if shown >= 1:
            number = f"{shown:,.1f}".removesuffix(".0")
            return f"{number}{unit}"
    return None


def format_amount(amount: float, currency: str, language: object) -> str:
    """`amount` of `currency` as a person reads it in `language` (zh or en): see the module's docstring."""
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    compact_from, scales = AMOUNT_SCALES[language_code(language)]
    shown = _compact(size, scales) if round(size, 2) >= compact_from else None
    return f"{sign}{currency_prefix(currency)}{shown if shown is not None else _digits(size)}"
