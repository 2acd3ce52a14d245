"""Customer value from the records: a suggested high / medium / low from what each customer paid for.

A customer's `value` is typed by hand; this computes what the contracts say, so a team can see whom it treats
as high-value without paying like it (and the reverse). The rule, a Pareto cut of the last year's revenue:

1. Revenue: per customer, the sum of `amount` (absent: 0) of its contracts signed in the last 365 days —
   signed on `signed_on`, else `start` — with as_of - 365 days < that day <= as_of (the KPI
   contract_value_12m's window). Only contracts in the default currency (crm.yaml `currency`, else CNY)
   count: amounts in two currencies cannot be compared without an exchange rate, which crm does not keep.
   A terminated contract counts with its amount as signed.
2. Customers are ranked by revenue, highest first. Walking down the ranking, a customer is **high** while
   the revenue of the customers ranked above it is below 20 % of the total, **medium** while it is below
   50 % (the next 30 %), **low** after that. So the customers who together bring the first 20 % of the
   revenue are high, the one whose revenue crosses the 20 % line included; a single customer is high.
3. Ties never split: customers with equal revenue all get the value of the first of them.
4. When the total is 0 (contracts without amounts), every one of those customers is low.
5. Customers without such a contract (none, only older ones, or only in other currencies) get no
   suggestion: they are absent from the result, their typed value stands.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction

from crmdata.engine.contracts import signed_day
from crmdata.records.dataset import Dataset
from crmdata.records.models import Value
from crmdata.records.models.fields import DEFAULT_CURRENCY

SIGNED_WITHIN_DAYS = 365
"""Contracts signed in this many days up to as_of count."""
HIGH_SHARE = Fraction(20, 100)
"""The first 20 % of the revenue makes a customer high value."""
MEDIUM_SHARE = Fraction(50, 100)
"""The next 30 % (up to 50 %) medium."""


def revenue_12m(ds: Dataset, as_of: date) -> dict[str, Fraction]:
    """customer id -> the sum of the amounts of its contracts in the default currency signed in the last 365
    days (as_of - 365 < signed_day <= as_of), for the customers that exist and have one. As exact fractions
    (whole amounts add up exactly as ints first): the ranking's 20 % and 50 % lines are compared without
    rounding."""
    currency = ds.config.currency if ds.config is not None else DEFAULT_CURRENCY
    config = ds.config
    start = as_of - timedelta(days=SIGNED_WITHIN_DAYS)
    known = {customer.id for customer in ds.customers}
    revenue: dict[str, int | float] = defaultdict(int)
    for contract in ds.contracts:
        if contract.customer not in known or contract.currency_in(config) != currency:
            continue
        if start < signed_day(contract) <= as_of:
            revenue[contract.customer] += contract.amount or 0
    return {customer: Fraction(amount) for customer, amount in revenue.items()}


def suggested_values(ds: Dataset, as_of: date) -> dict[str, Value]:
    """customer id -> the value the last year's contracts suggest (the rule is the module's docstring),
    highest revenue first, ties by id; customers without a contract in the window are absent."""
    revenue = revenue_12m(ds, as_of)
    total = sum(revenue.values(), Fraction(0))
    ranked = sorted(revenue.items(), key=lambda item: (-item[1], item[0]))
    suggested: dict[str, Value] = {}
    above = Fraction(0)  # the revenue of the customers ranked above
    tie_amount: Fraction | None = None
    tie_value = Value.LOW
    for customer_id, amount in ranked:
        if amount != tie_amount:
            tie_amount = amount
            if above < total * HIGH_SHARE:
                tie_value = Value.HIGH
            elif above < total * MEDIUM_SHARE:
                tie_value = Value.MEDIUM
            else:
                tie_value = Value.LOW
        suggested[customer_id] = tie_value
        above += amount
    return suggested
