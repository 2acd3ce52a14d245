"""Suggested customer value from contracts (crmdata.engine.value), checked against answers worked out by hand.

as_of is 2026-06-30: a contract counts when its signed_on (else start) is in 2025-06-30 < day <= 2026-06-30.
The rule: rank customers by that revenue; high while the revenue ranked above is below 20 % of the total,
medium while below 50 %, low after; ties take the value of the first of them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crmdata.engine.value import suggested_values
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.models import Value
from crmdata.records.validate import validate
from tests.conftest import DataRepo, run_crm

AS_OF = date(2026, 6, 30)
H, M, L = Value.HIGH, Value.MEDIUM, Value.LOW


@pytest.fixture
def crm(tmp_path: Path) -> DataRepo:
    """An empty data repository with a team of two (ming, hong)."""
    data = DataRepo(tmp_path / "crm")
    data.config("team:\n  ming: {name: 张明}\n  hong: {name: 李红}\n")
    return data


def suggested(repo: DataRepo) -> dict[str, Value]:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.errors]
    dataset: Dataset = outcome.dataset
    return suggested_values(dataset, AS_OF)


def contracts(crm: DataRepo, amounts: dict[str, int]) -> None:
    """One customer per key with one contract of that amount, signed 2026-01-01 (in the window)."""
    for customer, amount in amounts.items():
        crm.customer(customer)
        crm.contract("HT-" + customer, customer, start="2026-01-01", end=None, amount=str(amount))


def test_the_first_20_percent_of_revenue_is_high_the_next_30_medium(crm: DataRepo) -> None:
    contracts(crm, {"A": 400, "B": 250, "C": 150, "D": 100, "E": 60, "F": 40})
    # total 1000: lines at 200 (20 %) and 500 (50 %). Revenue ranked above each:
    # A 0 < 200 -> high; B 400 < 500 -> medium; C 650, D 800, E 900, F 960 -> low
    assert suggested(crm) == {"A": H, "B": M, "C": L, "D": L, "E": L, "F": L}


def test_a_customer_crossing_both_lines_leaves_the_rest_low(crm: DataRepo) -> None:
    contracts(crm, {"A": 600, "B": 300, "C": 100})
    # total 1000: A (above 0) high; B (above 600, not below 500) low; C (above 900) low
    assert suggested(crm) == {"A": H, "B": L, "C": L}


def test_ties_never_split(crm: DataRepo) -> None:
    contracts(crm, {"A": 300, "B": 300, "C": 300, "D": 100})
    # total 1000. A: above 0 -> high; B (above 300) and C (above 600) tie with A: high too, not medium
    # and low as their place alone would say; D: above 900 -> low
    assert suggested(crm) == {"A": H, "B": H, "C": H, "D": L}


def test_one_customer_is_high(crm: DataRepo) -> None:
    contracts(crm, {"A": 50000})
    assert suggested(crm) == {"A": H}


def test_no_contracts_no_suggestion(crm: DataRepo) -> None:
    crm.customer("A", value="high")
    assert suggested(crm) == {}


def test_a_customer_s_contracts_add_up(crm: DataRepo) -> None:
    contracts(crm, {"A": 500, "B": 700})
    crm.contract("HT-A2", "A", start="2026-03-01", end=None, amount="400")
    crm.contract("HT-A3", "A", start="2026-03-01", end=None, amount=None)  # no amount: 0, still A's
    # A 500 + 400 + 0 = 900 ranks first: above 0 -> high; B 700: above 900 of 1600 (>= 800) -> low
    assert suggested(crm) == {"A": H, "B": L}


def test_only_contracts_signed_in_the_last_12_months_count(crm: DataRepo) -> None:
    for customer in "ABCDE":
        crm.customer(customer)
    crm.contract("HT-A", "A", start="2025-06-30", end=None, amount="900")  # as_of - 365: out
    crm.contract("HT-B", "B", start="2025-07-01", end=None, amount="100")  # the window's first day: in
    crm.contract("HT-C", "C", start="2024-01-01", signed_on="2023-12-20", amount="800")  # long ago: out
    # signed_on wins over start: started in the window but signed 2025-06-01, before it: out
    crm.contract("HT-D", "D", start="2025-08-01", signed_on="2025-06-01", end=None, amount="700")
    crm.contract("HT-E", "E", start="2026-07-01", end=None, amount="600")  # after as_of: out
    # only B has revenue (100 of 100): high; A, C, D, E get no suggestion
    assert suggested(crm) == {"B": H}


def test_other_currencies_are_left_out(crm: DataRepo) -> None:
    contracts(crm, {"A": 100, "B": 300})
    crm.customer("C")
    crm.contract("HT-C", "C", start="2026-01-01", end=None, amount="1000000", currency="USD")  # not CNY
    crm.contract("HT-A2", "A", start="2026-01-01", end=None, amount="5000", currency="EUR")  # not added to A
    # CNY only, total 400: lines at 80 (20 %) and 200 (50 %). B: above 0 -> high; A: above 300, not below
    # 200 -> low (its EUR contract does not lift it). C has no CNY contract: no suggestion.
    assert suggested(crm) == {"B": H, "A": L}


def test_contracts_without_amounts_make_everyone_low(crm: DataRepo) -> None:
    crm.customer("A")
    crm.contract("HT-A", "A", start="2026-01-01", end=None, amount=None)
    # total 0: above (0) is not below 20 % of 0
    assert suggested(crm) == {"A": L}


# ---------------------------------------------------------------------------------------------------
# The computed segment value_differs (crm segments)


def test_crm_segments_value_differs_shows_typed_and_suggested(crm: DataRepo) -> None:
    for customer, typed in (("A", "medium"), ("B", "high"), ("C", "low"), ("D", "high")):
        crm.customer(customer, value=typed)
    for customer, amount in (("A", 600), ("B", 300), ("C", 100)):
        crm.contract("HT-" + customer, customer, start="2026-01-01", end=None, amount=str(amount))
    # suggested (test_a_customer_crossing_both_lines_leaves_the_rest_low): A high, B low, C low; D none.
    # A typed medium and B typed high differ; C agrees; D has no suggestion.
    args = ("segments", "value_differs", "--root", str(crm.root), "--as-of", "2026-06-30")
    shown = run_crm(*args, "--format", "json")
    assert shown.returncode == 0, shown.stderr
    listed = json.loads(shown.stdout)["members"]
    members = {member["customer"]: (member["value"], member["suggested_value"]) for member in listed}
    assert members == {"A": ("medium", "high"), "B": ("high", "low")}
    text = run_crm(*args).stdout
    lines = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert set(lines) == {"A", "B"}
    assert "填写的价值：中；按合同建议：高" in lines["A"]  # crm.yaml names no language: zh, the vocabulary's words
    listing = json.loads(run_crm(*args[:1], *args[2:], "--format", "json").stdout)["segments"]
    assert [segment["size"] for segment in listing if segment["key"] == "value_differs"] == [2]
    # every member listing says the suggestion, null without one: value:high holds B (low) and D (none)
    typed_high = json.loads(run_crm("segments", "value:high", *args[2:], "--format", "json").stdout)["members"]
    assert {member["customer"]: member["suggested_value"] for member in typed_high} == {"B": "low", "D": None}
