"""Care moments (关怀): anniversaries of `since` and contacts' birthdays in the next 30 days.

Expected moments are worked out by hand from the rules: a moment falls on the first day on or after
as_of with the month and day of the original date (29 February → 28 February in a year without one),
it is listed when that day <= as_of + 30, years = that day's year - the original year, churned customers
get none, and the relationship's first day itself (years 0) is not an anniversary.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crmdata.engine.care import care_moments
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo

D = date.fromisoformat


@pytest.fixture
def crm(tmp_path: Path) -> DataRepo:
    data = DataRepo(tmp_path / "crm")
    data.config("team:\n  ming: {name: 张明}\n")
    return data


def contacts(birthdays: dict[str, str]) -> str:
    """A `contacts:` block: contact name → birthday ("" for a contact whose birthday is not known)."""
    lines = ["contacts:"]
    for name, birthday in birthdays.items():
        lines.append(f"  - name: {name}")
        if birthday:
            lines.append(f"    birthday: {birthday}")
    return "\n".join(lines) + "\n"


def load(repo: DataRepo) -> Dataset:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    assert outcome.warnings == [], [str(problem) for problem in outcome.warnings]
    return outcome.dataset


def rows(ds: Dataset, as_of: date) -> list[tuple[object, ...]]:
    return [
        (m.customer, m.name, m.owner, m.kind, m.day, m.years, m.contact, m.private) for m in care_moments(ds, as_of)
    ]


def test_anniversaries_and_birthdays_in_the_next_30_days(crm: DataRepo) -> None:
    # as_of 2026-06-10; the window ends 2026-06-10 + 30 = 2026-07-10 (June has 30 days).
    crm.customer("KH-A", contacts({"王芳": "1990-06-25", "李雷": ""}), since="2023-06-20")  # both in the window
    # churned: nothing
    crm.customer("KH-B", contacts({"赵六": "1980-06-12"}), since="2020-06-15", stage="churned", churned_on="2025-01-01")
    crm.customer("KH-C", since="2026-06-10")  # since == as_of: the first day itself (years 0) is no anniversary
    crm.customer("KH-D", since="2026-06-20")  # since inside the window, years 0: no anniversary
    crm.customer("KH-E", since="2025-06-10")  # first anniversary on as_of itself → included
    # 07-11 = as_of + 31 → no; 07-10 = +30 → yes
    crm.customer("KH-F", contacts({"周七": "1985-07-10"}), since="2020-07-11")
    crm.customer("KH-I", since="2020-07-10")  # anniversary on as_of + 30 → included
    crm.customer("KH-G", contacts({"吴八": "1970-07-11"}), since="2020-06-09")  # yesterday → next in 2027; 07-11 → no
    # birthday on as_of → included
    crm.customer("KH-H", contacts({"郑九": "2000-06-10"}), since=None, stage="prospecting")
    ds = load(crm)
    assert rows(ds, D("2026-06-10")) == [
        # 2025-06-10 → 2026-06-10: 2026 - 2025 = 1 year
        ("KH-E", "客户KH-E", "ming", "anniversary", D("2026-06-10"), 1, None, False),
        # 2000-06-10 → 2026-06-10: turns 26; a birthday is private and names the contact
        ("KH-H", "客户KH-H", "ming", "birthday", D("2026-06-10"), 26, "郑九", True),
        # 2023-06-20 → 2026-06-20: 3 years
        ("KH-A", "客户KH-A", "ming", "anniversary", D("2026-06-20"), 3, None, False),
        # 1990-06-25 → 2026-06-25: turns 36
        ("KH-A", "客户KH-A", "ming", "birthday", D("2026-06-25"), 36, "王芳", True),
        # 1985-07-10 → 2026-07-10 = as_of + 30: turns 41
        ("KH-F", "客户KH-F", "ming", "birthday", D("2026-07-10"), 41, "周七", True),
        # 2020-07-10 → 2026-07-10 = as_of + 30: 6 years
        ("KH-I", "客户KH-I", "ming", "anniversary", D("2026-07-10"), 6, None, False),
    ]


def test_moments_across_the_new_year(crm: DataRepo) -> None:
    # as_of 2026-12-20; the window ends 2026-12-20 + 30 = 2027-01-19 (11 days to Dec 31, 19 in January).
    crm.customer("KH-1", contacts({"王芳": "1990-01-05", "李雷": "1990-12-19"}), since="2020-01-03")
    ds = load(crm)
    assert rows(ds, D("2026-12-20")) == [
        # 2020-01-03 → 2027-01-03: 7 years
        ("KH-1", "客户KH-1", "ming", "anniversary", D("2027-01-03"), 7, None, False),
        # 1990-01-05 → 2027-01-05: turns 37 (李雷's 12-19 was yesterday: next is 2027-12-19, outside)
        ("KH-1", "客户KH-1", "ming", "birthday", D("2027-01-05"), 37, "王芳", True),
    ]


def test_29_february_falls_on_28_february_in_a_common_year(crm: DataRepo) -> None:
    crm.customer("KH-1", contacts({"王芳": "1996-02-29"}), since="2024-02-29")
    ds = load(crm)
    # 2027 is not a leap year: both fall on 2027-02-28; 2027 - 2024 = 3 years, 2027 - 1996 = 31.
    assert [(m.kind, m.day, m.years) for m in care_moments(ds, D("2027-02-20"))] == [
        ("anniversary", D("2027-02-28"), 3),
        ("birthday", D("2027-02-28"), 31),
    ]
    # 2028 is a leap year: 2028-02-29; 4 years and 32.
    assert [(m.kind, m.day, m.years) for m in care_moments(ds, D("2028-02-20"))] == [
        ("anniversary", D("2028-02-29"), 4),
        ("birthday", D("2028-02-29"), 32),
    ]
    # as_of 2027-02-28 is the day itself → included.
    assert [m.day for m in care_moments(ds, D("2027-02-28"))] == [D("2027-02-28"), D("2027-02-28")]
    # as_of 2027-03-01: the 2027 moment has passed; the next is 2028-02-29, 365 days away → nothing.
    assert care_moments(ds, D("2027-03-01")) == []


def test_moments_are_sorted_by_day(crm: DataRepo) -> None:
    # written in an order unlike the days': the list must still come out by day.
    crm.customer("KH-1", contacts({"甲": "1991-06-12"}), since="2021-07-01")
    crm.customer("KH-2", contacts({"乙": "1992-07-05", "丙": "1993-06-11"}), since="2022-06-15")
    ds = load(crm)
    # as_of 2026-06-10 → window to 07-10: 06-11 丙 (33), 06-12 甲 (35), 06-15 KH-2 (4 years),
    # 07-01 KH-1 (5 years), 07-05 乙 (34).
    assert [(m.day, m.customer, m.kind, m.years) for m in care_moments(ds, D("2026-06-10"))] == [
        (D("2026-06-11"), "KH-2", "birthday", 33),
        (D("2026-06-12"), "KH-1", "birthday", 35),
        (D("2026-06-15"), "KH-2", "anniversary", 4),
        (D("2026-07-01"), "KH-1", "anniversary", 5),
        (D("2026-07-05"), "KH-2", "birthday", 34),
    ]


def test_a_masked_birthday_says_which_week_not_which_day(crm: DataRepo) -> None:
    """The masked site and messages say "within 7/14/30 days" for a birthday: its owner knows which week to greet
    in, the date of birth stays private. Day 0 (as_of itself) and day 7 are "within 7", day 8 "within 14", day 15
    and day 30 "within 30"."""
    as_of = D("2026-06-10")
    crm.customer("KH-A", contacts({"今天": "1990-06-10", "七天": "1990-06-17", "八天": "1990-06-18"}))
    crm.customer("KH-B", contacts({"十五天": "1990-06-25", "三十天": "1990-07-10"}))
    windows = {m.contact: m.within_days for m in care_moments(load(crm), as_of) if m.private}
    assert windows == {"今天": 7, "七天": 7, "八天": 14, "十五天": 30, "三十天": 30}
