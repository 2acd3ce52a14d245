"""Follow-up semantics (SPEC section 3), checked against answers worked out by hand.

Every expected value below was derived from the SPEC text with the date arithmetic written next to it;
none was copied from the code's output. Defaults of the policy (SPEC section 2, crm.yaml):
first_contact_days 7, new_customer_days 90, new_cadence_days 30,
cadence_days {prospecting 30, active 30, stable 90, dormant 30}, high_value_cadence_days 15,
silent_after_days 90, due_soon_days 7.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmdata.engine import schedule
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.models import CrmConfig, Customer, Interaction
from crmdata.records.validate import validate
from tests.conftest import DataRepo

PROJECT = Path(__file__).resolve().parent.parent
D = date.fromisoformat

CONFIG = """\
team:
  ming: {name: 张明}
"""


@pytest.fixture
def crm(tmp_path: Path) -> DataRepo:
    """An empty data repository whose team is only ming (tests add a policy where they need one)."""
    data = DataRepo(tmp_path / "crm")
    data.config(CONFIG)
    return data


def load(repo: DataRepo, warnings: int = 0) -> Dataset:
    """The repository's dataset; it must validate, with exactly `warnings` warnings."""
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    assert len(outcome.warnings) == warnings, [str(problem) for problem in outcome.warnings]
    return outcome.dataset


def plans(ds: Dataset, as_of: date) -> dict[str, schedule.FollowUp]:
    result = schedule.followups(ds, as_of)
    return {plan.customer: plan for plan in result}


def check(plan: schedule.FollowUp, **expected: Any) -> None:
    """Compare the named fields of a follow-up (reason and status compare equal to their strings)."""
    actual = {key: getattr(plan, key) for key in expected}
    assert actual == expected


# ---------------------------------------------------------------------------------------------------
# Worked examples
# ---------------------------------------------------------------------------------------------------


def test_new_customer_is_first_called_within_a_week(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 华星科技
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2026-10-01
        consent: {given: true}
        """)
    ds = load(crm)
    # no contact at all, so due = since + first_contact_days = 2026-10-01 + 7 = 2026-10-08 (first_contact).
    # as_of 2026-10-08: due == as_of is not < as_of, and due <= as_of + 7 → due_soon, 0 days overdue.
    # as_of - since = 7 < 90 → not silent; new (0 <= 7 < 90) → interval min(active 30, new 30) = 30.
    check(
        plans(ds, D("2026-10-08"))["KH-1"],
        name="华星科技",
        owner="ming",
        due=D("2026-10-08"),
        reason="first_contact",
        status="due_soon",
        days_overdue=0,
        silent=False,
        last_contact=None,
        interval_days=30,
        freshness="grey",
    )
    # the day after: as_of 2026-10-09 > due 2026-10-08 → overdue by 1.
    check(
        plans(ds, D("2026-10-09"))["KH-1"],
        due=D("2026-10-08"),
        reason="first_contact",
        status="overdue",
        days_overdue=1,
        silent=False,
    )


def test_new_customer_is_called_monthly_even_when_stable(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 稳健实业
        type: enterprise
        tier: regular
        stage: stable
        owner: ming
        since: 2026-10-01
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-10-05
        channel: phone
        owner: ming
        topic: 首次回访
        """)
    ds = load(crm)
    # as_of 2026-10-20: as_of - since = 19, 0 <= 19 < 90 → new → interval min(stable 90, new 30) = 30.
    # contact 2026-10-05 is on/after since → cadence: due = 2026-10-05 + 30 = 2026-11-04.
    # as_of + 7 = 2026-10-27 < 2026-11-04 → ok. as_of - last_contact = 15 < 90 → not silent.
    # freshness: age 15, 15*4 = 60 < 30*3 = 90 → green.
    check(
        plans(ds, D("2026-10-20"))["KH-1"],
        due=D("2026-11-04"),
        reason="cadence",
        status="ok",
        days_overdue=0,
        silent=False,
        last_contact=D("2026-10-05"),
        interval_days=30,
        freshness="green",
    )
    # as_of 2026-12-29: since + 89 (Oct 1 + 30 = Oct 31, + 30 = Nov 30, + 29 = Dec 29) → still new → 30;
    # due 2026-11-04; overdue by Nov 4 → Dec 4 (30) → Dec 29 (25) = 55 days. age 85 < 90 → not silent.
    check(
        plans(ds, D("2026-12-29"))["KH-1"],
        due=D("2026-11-04"),
        reason="cadence",
        status="overdue",
        days_overdue=55,
        silent=False,
        interval_days=30,
    )
    # as_of 2026-12-30 = since + 90 → no longer new → interval stable 90:
    # due = 2026-10-05 + 90 (Oct 5 + 26 = Oct 31, + 30 = Nov 30, + 31 = Dec 31, + 3 = Jan 3) = 2027-01-03.
    # as_of + 7 = 2027-01-06 >= 2027-01-03 → due_soon. age = Oct 5 → Dec 30 = 86 < 90 → not silent.
    check(
        plans(ds, D("2026-12-30"))["KH-1"],
        due=D("2027-01-03"),
        reason="cadence",
        status="due_soon",
        days_overdue=0,
        silent=False,
        interval_days=90,
    )


def test_stable_customer_is_called_quarterly(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 老客户
        type: individual
        tier: regular
        stage: stable
        value: medium
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-06-01
        channel: visit
        owner: ming
        topic: 季度拜访
        """)
    ds = load(crm)
    # not new (since long ago), not high value → interval = stable 90.
    # due = 2026-06-01 + 90 (June 1 + 30 = July 1, + 31 = Aug 1, + 29 = Aug 30) = 2026-08-30, cadence.
    # as_of 2026-07-01: as_of + 7 = 07-08 < 08-30 → ok; age 30 < 90 → not silent;
    # freshness: 30*4 = 120 < 90*3 = 270 → green.
    check(
        plans(ds, D("2026-07-01"))["KH-1"],
        due=D("2026-08-30"),
        reason="cadence",
        status="ok",
        days_overdue=0,
        silent=False,
        last_contact=D("2026-06-01"),
        interval_days=90,
        freshness="green",
    )


def test_high_value_customer_is_called_twice_a_month(crm: DataRepo) -> None:
    for customer_id, stage in (("KH-A", "active"), ("KH-S", "stable")):
        crm.put(f"""\
            id: {customer_id}
            name: 大客户{stage}
            type: enterprise
            tier: strategic
            stage: {stage}
            value: high
            owner: ming
            since: 2024-01-10
            consent: {{given: true}}
            """)
        crm.put(f"""\
            id: JL-{customer_id}
            customer: {customer_id}
            date: 2026-06-01
            channel: video
            owner: ming
            topic: 月度沟通
            """)
    ds = load(crm)
    result = plans(ds, D("2026-06-10"))
    # interval = min(stage 30 or 90, high value 15) = 15; due = 2026-06-01 + 15 = 2026-06-16.
    # as_of 2026-06-10: 06-16 >= 06-10 and <= 06-17 → due_soon.
    for customer_id in ("KH-A", "KH-S"):
        check(
            result[customer_id],
            due=D("2026-06-16"),
            reason="cadence",
            status="due_soon",
            days_overdue=0,
            interval_days=15,
        )


def test_customer_cadence_days_overrides_every_policy_rule(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 特约客户
        type: enterprise
        tier: strategic
        stage: active
        value: high
        owner: ming
        since: 2026-06-01
        cadence_days: 45
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-06-02
        channel: phone
        owner: ming
        topic: 开户
        """)
    ds = load(crm)
    # the policy alone would give min(active 30, new 30, high 15) = 15; cadence_days 45 wins outright.
    # due = 2026-06-02 + 45 (June 2 + 28 = June 30, + 17 = July 17) = 2026-07-17; as_of 06-10 + 7 = 06-17 → ok.
    check(
        plans(ds, D("2026-06-10"))["KH-1"],
        due=D("2026-07-17"),
        reason="cadence",
        status="ok",
        interval_days=45,
    )


def test_an_earlier_promise_wins_over_the_cadence_but_a_later_one_does_not(crm: DataRepo) -> None:
    promises = {"KH-1": "2026-06-20", "KH-2": "2026-08-01", "KH-3": "2026-07-01"}
    for customer_id, promise in promises.items():
        crm.put(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: active
            owner: ming
            since: 2024-01-10
            consent: {{given: true}}
            """)
        crm.put(f"""\
            id: JL-{customer_id}
            customer: {customer_id}
            date: 2026-06-01
            channel: phone
            owner: ming
            topic: 回访
            next_followup: {promise}
            """)
    ds = load(crm)
    result = plans(ds, D("2026-06-10"))
    # cadence due of each = 2026-06-01 + active 30 = 2026-07-01.
    # KH-1 promised 06-20 < 07-01 → due 06-20, promised; as_of + 7 = 06-17 < 06-20 → ok.
    check(result["KH-1"], due=D("2026-06-20"), reason="promised", status="ok", days_overdue=0)
    # KH-2 promised 08-01 is later than 07-01 → the cadence stands.
    check(result["KH-2"], due=D("2026-07-01"), reason="cadence", status="ok", days_overdue=0)
    # KH-3 promised exactly 07-01: not *earlier* than the cadence → reason stays cadence.
    check(result["KH-3"], due=D("2026-07-01"), reason="cadence", status="ok", days_overdue=0)


def test_only_the_latest_contacts_promise_counts(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-06-01
        channel: phone
        owner: ming
        topic: 报价
        next_followup: 2026-06-05
        """)
    crm.put("""\
        id: JL-2
        customer: KH-1
        date: 2026-06-03
        channel: im
        owner: ming
        topic: 补充材料
        """)
    ds = load(crm)
    # latest contact is JL-2 (06-03) without a promise; JL-1's promise 06-05 is ignored.
    # due = 06-03 + 30 = 07-03, cadence; as_of 06-10 → ok (07-03 > 06-17).
    check(
        plans(ds, D("2026-06-10"))["KH-1"],
        due=D("2026-07-03"),
        reason="cadence",
        status="ok",
        days_overdue=0,
        last_contact=D("2026-06-03"),
    )


def test_care_greetings_do_not_count_as_contacts(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 老客户
        type: individual
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-05-01
        channel: phone
        owner: ming
        topic: 回访
        """)
    crm.put("""\
        id: JL-2
        customer: KH-1
        date: 2026-06-09
        channel: visit
        kind: care
        owner: ming
        topic: 生日问候
        next_followup: 2026-06-12
        """)
    crm.put("""\
        id: KH-2
        name: 新客户
        type: individual
        tier: potential
        stage: active
        owner: ming
        since: 2026-06-01
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-3
        customer: KH-2
        date: 2026-06-02
        channel: sms
        kind: care
        owner: ming
        topic: 欢迎短信
        """)
    ds = load(crm)
    result = plans(ds, D("2026-06-10"))
    # KH-1: the care visit of 06-09 (and its next_followup) is not a contact; last contact 05-01.
    # due = 05-01 + 30 = 05-31; as_of 06-10 - 05-31 = 10 days overdue; age 40 < 90 → not silent.
    check(
        result["KH-1"],
        due=D("2026-05-31"),
        reason="cadence",
        status="overdue",
        days_overdue=10,
        silent=False,
        last_contact=D("2026-05-01"),
    )
    # KH-2: only a care message → still no contact: due = 06-01 + 7 = 06-08, overdue by 2, no last contact.
    check(
        result["KH-2"],
        due=D("2026-06-08"),
        reason="first_contact",
        status="overdue",
        days_overdue=2,
        last_contact=None,
        freshness="grey",
    )


def test_silent_exactly_at_the_threshold(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 沉默客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-03-01
        channel: email
        owner: ming
        topic: 最后一次联系
        """)
    ds = load(crm)
    # last contact 03-01; + 90 days = Mar 1 + 31 = Apr 1, + 30 = May 1, + 29 = May 30.
    # due = 03-01 + 30 = 03-31.
    # as_of 2026-05-30: 90 >= 90 → silent; overdue by Mar 31 → Apr 30 (30) → May 30 (30) = 60.
    check(
        plans(ds, D("2026-05-30"))["KH-1"],
        silent=True,
        due=D("2026-03-31"),
        status="overdue",
        days_overdue=60,
        freshness="red",
    )
    # as_of 2026-05-29: 89 < 90 → not silent; overdue 59.
    check(plans(ds, D("2026-05-29"))["KH-1"], silent=False, days_overdue=59)


def test_silent_without_any_contact_counts_from_since(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 未联系客户
        type: enterprise
        tier: regular
        stage: stable
        owner: ming
        since: 2026-01-01
        consent: {given: true}
        """)
    ds = load(crm)
    # since + 90: Jan 1 + 31 = Feb 1, + 28 = Mar 1, + 31 = Apr 1 → as_of 2026-04-01 is exactly 90 → silent.
    # due = 01-01 + 7 = 01-08 (first_contact); overdue: Jan 8 → Feb 8 (31) → Mar 8 (28) → Apr 1 (24) = 83.
    check(
        plans(ds, D("2026-04-01"))["KH-1"],
        due=D("2026-01-08"),
        reason="first_contact",
        status="overdue",
        days_overdue=83,
        silent=True,
        last_contact=None,
    )
    # as_of 2026-03-31: 89 days since `since` → not silent; overdue 82.
    check(plans(ds, D("2026-03-31"))["KH-1"], silent=False, days_overdue=82)


def test_as_of_ignores_records_dated_later(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-05-01
        channel: phone
        owner: ming
        topic: 回访
        """)
    crm.put("""\
        id: JL-2
        customer: KH-1
        date: 2026-06-15
        channel: visit
        owner: ming
        topic: 上门拜访
        next_followup: 2026-06-16
        """)
    ds = load(crm)
    # as_of 06-10: JL-2 (06-15) does not exist yet → last contact 05-01, due 05-31, overdue 10.
    check(
        plans(ds, D("2026-06-10"))["KH-1"],
        due=D("2026-05-31"),
        reason="cadence",
        status="overdue",
        days_overdue=10,
        last_contact=D("2026-05-01"),
    )
    # as_of 06-15: JL-2 counts: cadence 06-15 + 30 = 07-15, promise 06-16 is earlier → due 06-16, promised;
    # 06-16 <= 06-15 + 7 → due_soon.
    check(
        plans(ds, D("2026-06-15"))["KH-1"],
        due=D("2026-06-16"),
        reason="promised",
        status="due_soon",
        days_overdue=0,
        last_contact=D("2026-06-15"),
    )


def test_a_customer_starting_after_as_of_is_scheduled_from_since(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 即将签约
        type: enterprise
        tier: regular
        stage: stable
        owner: ming
        since: 2026-07-01
        consent: {given: true}
        """)
    ds = load(crm)
    # SPEC filters interactions by as_of, not customers: due = 07-01 + 7 = 07-08 (first_contact), > 06-17 → ok.
    # as_of - since = -21 < 0 → not new (0 <= as_of - since fails) → interval stable 90; not silent.
    check(
        plans(ds, D("2026-06-10"))["KH-1"],
        due=D("2026-07-08"),
        reason="first_contact",
        status="ok",
        silent=False,
        interval_days=90,
    )


def test_same_day_contacts_keep_the_earliest_promise(crm: DataRepo) -> None:
    """SPEC v2 §3: the earliest next_followup among the contacts of the last contact day stands, whichever
    of them has the larger id, and a second call without a promise does not drop the first one's."""
    promises: dict[str, tuple[tuple[str, str | None], ...]] = {
        "KH-1": (("JL-A", "2026-06-05"), ("JL-B", "2026-06-20")),
        "KH-2": (("JL-C", "2026-06-20"), ("JL-D", "2026-06-05")),
        "KH-3": (("JL-E", "2026-06-05"), ("JL-F", None)),
        "KH-4": (("JL-G", None), ("JL-H", None)),
    }
    for customer_id, contacts in promises.items():
        crm.put(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: active
            owner: ming
            since: 2024-01-10
            consent: {{given: true}}
            """)
        for interaction_id, promise in contacts:
            promised = f"next_followup: {promise}\n" if promise else ""
            crm.put(
                f"id: {interaction_id}\ncustomer: {customer_id}\ndate: 2026-06-01\nchannel: phone\n"
                f"owner: ming\ntopic: 同日沟通\n{promised}"
            )
    ds = load(crm)
    result = plans(ds, D("2026-06-03"))
    # cadence due 06-01 + 30 = 07-01 for all; as_of + 7 = 06-10.
    # KH-1 and KH-2: promises 06-05 and 06-20 on the last day → the earliest, 06-05 <= 06-10 → due_soon.
    check(result["KH-1"], due=D("2026-06-05"), reason="promised", status="due_soon")
    check(result["KH-2"], due=D("2026-06-05"), reason="promised", status="due_soon")
    # KH-3: JL-F (the larger id) promises nothing; JL-E's 06-05 stands.
    check(result["KH-3"], due=D("2026-06-05"), reason="promised", status="due_soon")
    # KH-4: no promise that day → the cadence, 07-01, ok.
    check(result["KH-4"], due=D("2026-07-01"), reason="cadence", status="ok")


def test_a_promise_of_an_earlier_day_does_not_count(crm: DataRepo) -> None:
    """Only the last contact day's promises count: an earlier day's promise was answered by the later call."""
    crm.put("""\
        id: KH-1
        name: 客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("id: JL-1\ncustomer: KH-1\ndate: 2026-05-31\nchannel: phone\nowner: ming\ntopic: 报价\n"
            "next_followup: 2026-06-02\n")
    crm.put("id: JL-2\ncustomer: KH-1\ndate: 2026-06-01\nchannel: phone\nowner: ming\ntopic: 跟进\n")
    # last contact day 06-01 (JL-2, no promise) → cadence 07-01.
    check(plans(load(crm), D("2026-06-03"))["KH-1"], due=D("2026-07-01"), reason="cadence")


def test_a_contact_before_since_is_not_the_first_contact(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 新签客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2026-06-01
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-05-20
        channel: event
        owner: ming
        topic: 展会初识
        next_followup: 2026-06-30
        """)
    crm.put("""\
        id: KH-2
        name: 当日签约
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2026-06-01
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-2
        customer: KH-2
        date: 2026-06-01
        channel: visit
        kind: onboarding
        owner: ming
        topic: 签约当天
        """)
    ds = load(crm, warnings=1)  # the validator warns about JL-1, a conversation dated before since
    result = plans(ds, D("2026-06-10"))
    # KH-2: a contact ON since counts ("on or after"): cadence, new → 30: 06-01 + 30 = 07-01 → ok.
    check(result["KH-2"], due=D("2026-07-01"), reason="cadence", status="ok", last_contact=D("2026-06-01"))
    # KH-1: no contact on or after since 06-01 → first_contact: due = 06-01 + 7 = 06-08; as_of 06-10 → overdue 2.
    # last_contact is still 05-20; age 21 < 90 → not silent. Its next_followup (06-30) plays no part.
    check(
        result["KH-1"],
        due=D("2026-06-08"),
        reason="first_contact",
        status="overdue",
        days_overdue=2,
        silent=False,
        last_contact=D("2026-05-20"),
    )


def test_prospect_without_since_or_contact_is_due_today(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 潜在客户
        type: individual
        tier: potential
        stage: prospecting
        owner: ming
        consent: {given: true}
        """)
    ds = load(crm)
    # no since, no contacts → due = as_of (first_contact); due == as_of is not overdue → due_soon.
    # no contact and no since → never silent, even far in the future.
    for as_of in (D("2026-06-10"), D("2030-01-01")):
        check(
            plans(ds, as_of)["KH-1"],
            due=as_of,
            reason="first_contact",
            status="due_soon",
            days_overdue=0,
            silent=False,
            last_contact=None,
            interval_days=30,
        )


def test_prospect_without_since_but_with_a_contact_follows_the_cadence(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 潜在客户
        type: individual
        tier: potential
        stage: prospecting
        owner: ming
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-05-01
        channel: phone
        owner: ming
        topic: 电话邀约
        """)
    ds = load(crm)
    # no since → never new → interval = prospecting 30; due = 05-01 + 30 = 05-31; as_of 06-10 → overdue 10.
    check(
        plans(ds, D("2026-06-10"))["KH-1"],
        due=D("2026-05-31"),
        reason="cadence",
        status="overdue",
        days_overdue=10,
        silent=False,
        last_contact=D("2026-05-01"),
        interval_days=30,
    )


def test_status_boundaries(crm: DataRepo) -> None:
    # as_of 2026-06-10, active cadence 30: contact date = due - 30.
    contacts = {
        "KH-A": "2026-05-18",  # due 05-18 + 30 = 06-17 = as_of + 7 → due_soon
        "KH-B": "2026-05-19",  # due 06-18 = as_of + 8 → ok
        "KH-C": "2026-05-10",  # due 06-09 = as_of - 1 → overdue by 1
        "KH-D": "2026-05-11",  # due 06-10 = as_of → due_soon, 0 days
    }
    for customer_id, day in contacts.items():
        crm.put(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: active
            owner: ming
            since: 2024-01-10
            consent: {{given: true}}
            """)
        crm.put(f"""\
            id: JL-{customer_id}
            customer: {customer_id}
            date: {day}
            channel: phone
            owner: ming
            topic: 回访
            """)
    ds = load(crm)
    result = schedule.followups(ds, D("2026-06-10"))
    assert [(plan.customer, plan.due, plan.status, plan.days_overdue) for plan in result] == [
        ("KH-C", D("2026-06-09"), "overdue", 1),
        ("KH-D", D("2026-06-10"), "due_soon", 0),
        ("KH-A", D("2026-06-17"), "due_soon", 0),
        ("KH-B", D("2026-06-18"), "ok", 0),
    ]


def test_freshness_traffic_light(crm: DataRepo) -> None:
    # docstring: green when age*4 < interval*3, yellow up to the interval, red beyond, grey without contact.
    # as_of 2026-06-10; KH-G..KH-R use active 30, KH-3/KH-4 cadence_days 40 (3/4 of it is exactly 30 days).
    contacts = {
        "KH-G": "2026-05-19",  # age 22: 88 < 90 → green
        "KH-Y": "2026-05-18",  # age 23: 92 >= 90 → yellow
        "KH-L": "2026-05-11",  # age 30 = interval → yellow
        "KH-R": "2026-05-10",  # age 31 > 30 → red
        "KH-3": "2026-05-12",  # age 29, interval 40: 116 < 120 → green
        "KH-4": "2026-05-11",  # age 30, interval 40: 120 is not < 120 → yellow
    }
    for customer_id in [*contacts, "KH-N"]:
        extra = "cadence_days: 40" if customer_id in ("KH-3", "KH-4") else "value: medium"
        crm.put(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: active
            owner: ming
            since: 2024-01-10
            consent: {{given: true}}
            {extra}
            """)
    for customer_id, day in contacts.items():
        crm.put(f"""\
            id: JL-{customer_id}
            customer: {customer_id}
            date: {day}
            channel: phone
            owner: ming
            topic: 回访
            """)
    ds = load(crm)
    result = plans(ds, D("2026-06-10"))
    assert {key: plan.freshness for key, plan in result.items()} == {
        "KH-G": "green",
        "KH-Y": "yellow",
        "KH-L": "yellow",
        "KH-R": "red",
        "KH-3": "green",
        "KH-4": "yellow",
        "KH-N": "grey",  # no contact at all
    }


def test_churned_customers_are_not_scheduled_and_the_list_is_sorted(crm: DataRepo) -> None:
    contacts = {"KH-0": "2026-06-05", "KH-2": "2026-06-01", "KH-1": "2026-06-01"}
    for customer_id in contacts:
        crm.put(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: active
            owner: ming
            since: 2024-01-10
            consent: {{given: true}}
            """)
    crm.put("""\
        id: KH-3
        name: 流失客户
        type: enterprise
        tier: regular
        stage: churned
        owner: ming
        since: 2024-01-10
        churned_on: 2026-01-01
        consent: {given: true}
        """)
    for customer_id, day in [*contacts.items(), ("KH-3", "2025-12-01")]:
        crm.put(f"""\
            id: JL-{customer_id}
            customer: {customer_id}
            date: {day}
            channel: phone
            owner: ming
            topic: 回访
            """)
    ds = load(crm)
    result = schedule.followups(ds, D("2026-06-10"))
    # KH-1 and KH-2: 06-01 + 30 = 07-01 (tie, by id); KH-0: 06-05 + 30 = 07-05; KH-3 churned → absent.
    assert [(plan.customer, plan.due) for plan in result] == [
        ("KH-1", D("2026-07-01")),
        ("KH-2", D("2026-07-01")),
        ("KH-0", D("2026-07-05")),
    ]


def test_a_partial_policy_override_keeps_the_other_defaults(crm: DataRepo) -> None:
    crm.config("""\
        team:
          ming: {name: 张明}
        policy:
          cadence_days: {stable: 60}
        """)
    for customer_id, stage, since in (
        ("KH-S", "stable", "2024-01-10"),
        ("KH-A", "active", "2024-01-10"),
        ("KH-D", "dormant", "2024-01-10"),
        ("KH-N", "stable", "2026-06-05"),
    ):
        crm.put(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: {stage}
            owner: ming
            since: {since}
            consent: {{given: true}}
            """)
    for customer_id in ("KH-S", "KH-A", "KH-D"):
        crm.put(f"""\
            id: JL-{customer_id}
            customer: {customer_id}
            date: 2026-06-01
            channel: phone
            owner: ming
            topic: 回访
            """)
    ds = load(crm)
    result = plans(ds, D("2026-06-10"))
    # stable now 60: 06-01 + 60 = (June 1 + 30 = July 1) + 30 = July 31.
    check(result["KH-S"], due=D("2026-07-31"), interval_days=60, status="ok")
    # active and dormant keep 30: 06-01 + 30 = 07-01.
    check(result["KH-A"], due=D("2026-07-01"), interval_days=30, status="ok")
    check(result["KH-D"], due=D("2026-07-01"), interval_days=30, status="ok")
    # first_contact_days keeps 7: 06-05 + 7 = 06-12; due_soon_days keeps 7: 06-12 <= 06-17 → due_soon;
    # new_cadence_days keeps 30: min(stable 60, new 30) = 30.
    check(result["KH-N"], due=D("2026-06-12"), reason="first_contact", status="due_soon", interval_days=30)


def test_every_policy_key_takes_effect(crm: DataRepo) -> None:
    crm.config("""\
        team:
          ming: {name: 张明}
        policy:
          first_contact_days: 3
          new_customer_days: 10
          new_cadence_days: 5
          cadence_days: {prospecting: 40, active: 20, stable: 100, dormant: 50}
          high_value_cadence_days: 4
          silent_after_days: 20
          due_soon_days: 2
        """)
    rows = (
        # id, stage, value, since, contact
        ("KH-F", "active", "medium", "2026-06-08", None),
        ("KH-N", "stable", "medium", "2026-06-01", "2026-06-02"),
        ("KH-H", "stable", "high", "2024-01-10", "2026-06-01"),
        ("KH-P", "prospecting", "medium", None, "2026-05-01"),
        ("KH-D", "dormant", "medium", "2024-01-10", "2026-05-20"),
    )
    for customer_id, stage, value, since, contact in rows:
        since_line = f"since: {since}\n" if since else ""
        crm.put(
            textwrap.dedent(f"""\
            id: {customer_id}
            name: 客户{customer_id}
            type: enterprise
            tier: regular
            stage: {stage}
            value: {value}
            owner: ming
            consent: {{given: true}}
            """)
            + since_line,
        )
        if contact:
            crm.put(f"""\
                id: JL-{customer_id}
                customer: {customer_id}
                date: {contact}
                channel: phone
                owner: ming
                topic: 回访
                """)
    ds = load(crm)
    result = plans(ds, D("2026-06-10"))
    # KH-F: first contact 06-08 + 3 = 06-11; as_of + 2 = 06-12 → due_soon; new (2 < 10) → min(20, 5) = 5.
    check(result["KH-F"], due=D("2026-06-11"), reason="first_contact", status="due_soon", interval_days=5)
    # KH-N: new (9 < 10) → min(100, 5) = 5 → 06-02 + 5 = 06-07 → overdue by 3.
    check(result["KH-N"], due=D("2026-06-07"), interval_days=5, status="overdue", days_overdue=3)
    # KH-H: not new, high → min(100, 4) = 4 → 06-05 → overdue by 5.
    check(result["KH-H"], due=D("2026-06-05"), interval_days=4, status="overdue", days_overdue=5)
    # KH-P: prospecting 40 → 05-01 + 40 = (May 1 + 30 = May 31) + 10 = 06-10 → due_soon 0;
    # as_of - last = 40 >= silent 20 → silent.
    check(result["KH-P"], due=D("2026-06-10"), interval_days=40, status="due_soon", silent=True)
    # KH-D: dormant 50 → 05-20 + 50 = (May 20 + 11 = May 31) + 39 = 07-09 → ok; age 21 >= 20 → silent.
    check(result["KH-D"], due=D("2026-07-09"), interval_days=50, status="ok", silent=True)


# ---------------------------------------------------------------------------------------------------
# Todos and complaints
# ---------------------------------------------------------------------------------------------------


def test_overdue_todos(crm: DataRepo) -> None:
    crm.config("""\
        team:
          ming: {name: 张明}
          hong: {name: 李红}
        """)
    crm.put("""\
        id: KH-1
        name: 客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: JL-1
        customer: KH-1
        date: 2026-06-01
        channel: visit
        owner: ming
        topic: 方案讨论
        todos:
          - {task: 发送报价, due: 2026-06-05}
          - {task: 今日到期, due: 2026-06-10}
          - {task: 已完成, due: 2026-06-04, done: 2026-06-08}
          - {task: 当日完成, due: 2026-06-09, done: 2026-06-10}
          - {task: 事后完成, due: 2026-06-03, owner: hong, done: 2026-06-12}
        """)
    crm.put("""\
        id: JL-2
        customer: KH-1
        date: 2026-06-11
        channel: phone
        owner: hong
        topic: 之后的电话
        todos:
          - {task: 未来记录, due: 2026-06-01}
        """)
    ds = load(crm)
    rows = [
        (t.interaction, t.customer, t.task, t.owner, t.due, t.days_overdue)
        for t in schedule.overdue_todos(ds, D("2026-06-10"))
    ]
    # as_of 06-10:
    #  发送报价: open, 06-05 < 06-10 → 5 days; owner defaults to the interaction's owner ming.
    #  今日到期: due == as_of → not overdue.   已完成: done 06-08 <= as_of → closed.
    #  当日完成: done 06-10 is not after as_of → closed.
    #  事后完成: done 06-12 is after as_of → still open; 06-03 → 7 days; owner hong.
    #  未来记录: its interaction is dated 06-11 > as_of → ignored.
    assert rows == [
        ("JL-1", "KH-1", "事后完成", "hong", D("2026-06-03"), 7),
        ("JL-1", "KH-1", "发送报价", "ming", D("2026-06-05"), 5),
    ]
    rows = [(t.interaction, t.task, t.owner, t.days_overdue) for t in schedule.overdue_todos(ds, D("2026-06-13"))]
    # as_of 06-13: 事后完成 now done (06-12); JL-2 visible: 未来记录 06-01 → 12 days, owner hong (its interaction's);
    # 今日到期 06-10 → 3; 发送报价 06-05 → 8; 当日完成 and 已完成 done.
    assert rows == [
        ("JL-2", "未来记录", "hong", 12),
        ("JL-1", "发送报价", "ming", 8),
        ("JL-1", "今日到期", "ming", 3),
    ]


def test_todos_of_churned_customers_are_not_overdue(crm: DataRepo) -> None:
    """SPEC §3 scopes follow-ups and overdue todos to customers whose stage is not churned: a churned
    customer's open promise would otherwise stay overdue for ever."""
    crm.put("""\
        id: KH-1
        name: 已流失客户
        type: enterprise
        tier: regular
        stage: churned
        churned_on: 2026-06-05
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    crm.put("""\
        id: KH-2
        name: 在合作客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    for customer_id, interaction_id in (("KH-1", "JL-1"), ("KH-2", "JL-2")):
        crm.put(
            f"id: {interaction_id}\ncustomer: {customer_id}\ndate: 2026-06-01\nchannel: visit\nowner: ming\n"
            "topic: 方案讨论\ntodos:\n  - {task: 发送报价, due: 2026-06-05}\n"
        )
    ds = load(crm)
    rows = [(t.interaction, t.customer) for t in schedule.overdue_todos(ds, D("2026-06-10"))]
    assert rows == [("JL-2", "KH-2")]


def test_open_complaints(crm: DataRepo) -> None:
    crm.put("""\
        id: KH-1
        name: 客户
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        """)
    for interaction_id, day, extra in (
        ("JL-1", "2026-05-01", "kind: complaint\n"),
        ("JL-2", "2026-05-02", "kind: complaint\nresolved: 2026-05-10\n"),
        ("JL-3", "2026-06-11", "kind: complaint\n"),
        ("JL-4", "2026-05-03", "kind: followup\n"),
        ("JL-5", "2026-06-10", "kind: complaint\n"),
    ):
        crm.put(
            textwrap.dedent(f"""\
            id: {interaction_id}
            customer: KH-1
            date: {day}
            channel: phone
            owner: ming
            topic: 投诉
            """)
            + extra,
        )
    ds = load(crm)
    # JL-1 open; JL-2 resolved; JL-3 dated after as_of 06-10; JL-4 not a complaint; JL-5 dated on as_of → open.
    assert [c.id for c in schedule.open_complaints(ds, D("2026-06-10"))] == ["JL-1", "JL-5"]
    # before JL-1 existed nothing was open.
    assert schedule.open_complaints(ds, D("2026-04-30")) == []


# ---------------------------------------------------------------------------------------------------
# The committed demo data
# ---------------------------------------------------------------------------------------------------


def test_demo_data_statuses_on_the_demo_day() -> None:
    outcome = validate(PROJECT, LoadOptions(use_cache=False))
    assert outcome.ok
    result = schedule.followups(outcome.dataset, D("2026-11-24"))
    # 12 overdue, 6 due_soon, 15 ok: computed independently by the data generator's author.
    assert Counter(plan.status for plan in result) == {"overdue": 12, "due_soon": 6, "ok": 15}


# ---------------------------------------------------------------------------------------------------
# Properties over small random datasets
# ---------------------------------------------------------------------------------------------------

AS_OF = date(2026, 6, 15)
STAGES = ["prospecting", "active", "stable", "dormant", "churned"]
KINDS = ["followup", "onboarding", "complaint", "survey", "care", "sale", "referral"]


@st.composite
def customers(draw: st.DrawFn, number: int) -> Customer:
    stage = draw(st.sampled_from(STAGES))
    # some days sit exactly on a default boundary (new_customer_days and silent_after_days 90, first contact 7)
    since_offset = draw(st.integers(-400, 20) | st.sampled_from([-90, -89, -30, -7, 0]))
    since = AS_OF + timedelta(days=since_offset)
    if stage == "prospecting" and draw(st.booleans()):
        since = None
    data: dict[str, Any] = {
        "id": f"KH-{number}",
        "name": f"客户{number}",
        "type": "enterprise",
        "tier": "regular",
        "stage": stage,
        "value": draw(st.sampled_from(["high", "medium", "low"])),
        "owner": "ming",
        "consent": {"given": True},
    }
    if since is not None:
        data["since"] = since
    if stage == "churned":
        data["churned_on"] = since + timedelta(days=draw(st.integers(0, 100)))
    if draw(st.integers(0, 4)) == 0:
        data["cadence_days"] = draw(st.integers(1, 120))
    return Customer.model_validate(data)


def interaction(
    record_id: str, customer: str, day: date, kind: str, promise: int | None, todos: list[dict[str, Any]]
) -> Interaction:
    data: dict[str, Any] = {
        "id": record_id,
        "customer": customer,
        "date": day,
        "channel": "phone",
        "kind": kind,
        "owner": "ming",
        "topic": "沟通",
        "todos": todos,
    }
    if promise is not None:
        data["next_followup"] = day + timedelta(days=promise)
    return Interaction.model_validate(data)


todo_lists = st.lists(
    st.builds(
        lambda due, done: (
            {"task": "待办", "due": AS_OF + timedelta(days=due)}
            | ({} if done is None else {"done": AS_OF + timedelta(days=done)})
        ),
        st.integers(-60, 20),
        st.none() | st.integers(-60, 20),
    ),
    max_size=2,
)


@st.composite
def interactions_of(draw: st.DrawFn, people: list[Customer], first: int, lo: int, hi: int) -> list[Interaction]:
    """Interactions numbered from `first`, dated as_of + [lo, hi] days; often on a boundary day (the
    customer's since, 90 or 89 days before as_of, as_of itself) so that ties and edges occur."""
    found = []
    for index in range(draw(st.integers(0, 8))):
        customer = draw(st.sampled_from(people))
        special = [-90, -89, -30, -15, 0]
        if customer.since is not None:
            special.append((customer.since - AS_OF).days)
        special = [offset for offset in special if lo <= offset <= hi]
        offsets = st.integers(lo, hi) | st.sampled_from(special) if special else st.integers(lo, hi)
        found.append(
            interaction(
                f"JL-{first + index:03d}",
                customer.id,
                AS_OF + timedelta(days=draw(offsets)),
                draw(st.sampled_from(KINDS)),
                draw(st.none() | st.integers(0, 120)),
                draw(todo_lists),
            )
        )
    return found


policies = st.fixed_dictionaries(
    {},
    optional={
        "first_contact_days": st.integers(1, 30),
        "new_customer_days": st.integers(1, 120),
        "new_cadence_days": st.integers(1, 60),
        "high_value_cadence_days": st.integers(1, 60),
        "silent_after_days": st.integers(1, 150),
        "due_soon_days": st.integers(1, 14),
        "cadence_days": st.fixed_dictionaries(
            {}, optional={stage: st.integers(1, 120) for stage in ("prospecting", "active", "stable", "dormant")}
        ),
    },
)


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    """1 to 5 customers and up to 8 interactions dated within 200 days before as_of."""
    people = [draw(customers(number)) for number in range(draw(st.integers(1, 5)))]
    config = CrmConfig.model_validate({"team": {"ming": {"name": "张明"}}, "policy": draw(policies)})
    history = draw(interactions_of(people, 0, -200, 0))
    return Dataset(root=Path("."), config=config, customers=people, interactions=history)


def _snapshot(ds: Dataset, as_of: date) -> tuple[Any, ...]:
    return (
        [asdict(plan) for plan in schedule.followups(ds, as_of)],
        [asdict(todo) for todo in schedule.overdue_todos(ds, as_of)],
        [complaint.id for complaint in schedule.open_complaints(ds, as_of)],
    )


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(datasets())
def test_property_due_is_never_before_the_last_contact(ds: Dataset) -> None:
    by_id = ds.customer_by_id()
    for plan in schedule.followups(ds, AS_OF):
        customer = by_id[plan.customer]
        if plan.reason == "first_contact":
            # no contact on or after since (or, without since, no contact at all)
            if customer.since is None:
                assert plan.last_contact is None and plan.due == AS_OF
            else:
                assert plan.last_contact is None or plan.last_contact < customer.since
                assert plan.due == customer.since + timedelta(days=ds.config.policy.first_contact_days)
        elif plan.reason == "cadence":
            assert plan.last_contact is not None and plan.due == plan.last_contact + timedelta(days=plan.interval_days)
        else:
            # promised: next_followup is never before its conversation, and earlier than the cadence
            assert plan.reason == "promised"
            assert plan.last_contact is not None
            assert plan.last_contact <= plan.due < plan.last_contact + timedelta(days=plan.interval_days)
        if plan.last_contact is not None and plan.reason != "promised":
            assert plan.due >= plan.last_contact


@PROPERTY
@given(datasets())
def test_property_last_contact_interval_and_silence_follow_the_spec_text(ds: Dataset) -> None:
    """The SPEC's definitions, restated plainly over the raw records."""
    policy = ds.config.policy
    by_id = ds.customer_by_id()
    for plan in schedule.followups(ds, AS_OF):
        customer = by_id[plan.customer]
        days = [i.day for i in ds.interactions if i.customer == customer.id and i.kind != "care" and i.day <= AS_OF]
        assert plan.last_contact == (max(days) if days else None)
        contacted_since = bool(days) and (customer.since is None or any(day >= customer.since for day in days))
        assert (plan.reason == "first_contact") == (not contacted_since)
        if customer.cadence_days is not None:
            assert plan.interval_days == customer.cadence_days
        else:
            rules = [getattr(policy.cadence_days, customer.stage.value)]
            if customer.since is not None and 0 <= (AS_OF - customer.since).days < policy.new_customer_days:
                rules.append(policy.new_cadence_days)
            if customer.value == "high":
                rules.append(policy.high_value_cadence_days)
            assert plan.interval_days == min(rules)
        if days:
            assert plan.silent == ((AS_OF - max(days)).days >= policy.silent_after_days)
        else:
            since = customer.since
            assert plan.silent == (since is not None and (AS_OF - since).days >= policy.silent_after_days)


@PROPERTY
@given(datasets())
def test_property_overdue_todos_follow_the_spec_text(ds: Dataset) -> None:
    """Open todos (no done, or done after as_of) of conversations up to as_of, due before as_of, of customers
    whose stage is not churned."""
    churned = {customer.id for customer in ds.customers if customer.stage == "churned"}
    expected = Counter(
        (i.id, todo.task, todo.owner or i.owner, todo.due, (AS_OF - todo.due).days)
        for i in ds.interactions
        if i.day <= AS_OF and i.customer not in churned
        for todo in i.todos
        if (todo.done is None or todo.done > AS_OF) and todo.due < AS_OF
    )
    found = schedule.overdue_todos(ds, AS_OF)
    assert Counter((t.interaction, t.task, t.owner, t.due, t.days_overdue) for t in found) == expected


@PROPERTY
@given(datasets())
def test_property_status_is_consistent_with_due(ds: Dataset) -> None:
    soon = ds.config.policy.due_soon_days
    for plan in schedule.followups(ds, AS_OF):
        assert (plan.status == "overdue") == (plan.due < AS_OF)
        assert (plan.status == "due_soon") == (AS_OF <= plan.due <= AS_OF + timedelta(days=soon))
        assert (plan.status == "ok") == (plan.due > AS_OF + timedelta(days=soon))
        assert plan.days_overdue == max(0, (AS_OF - plan.due).days)


@PROPERTY
@given(datasets(), st.data())
def test_property_a_contact_today_never_makes_things_worse(ds: Dataset, data: st.DataObject) -> None:
    before = plans(ds, AS_OF)
    customer = data.draw(st.sampled_from(ds.customers))
    kind = data.draw(st.sampled_from([kind for kind in KINDS if kind != "care"]))
    promise = data.draw(st.none() | st.integers(0, 60))
    # the smallest or the largest id of the day: "JL-" sorts before "JL-000", "JL-999" after "JL-007"
    record_id = data.draw(st.sampled_from(["JL-", "JL-999"]))
    today = interaction(record_id, customer.id, AS_OF, kind, promise, [])
    after = plans(
        Dataset(root=ds.root, config=ds.config, customers=ds.customers, interactions=[*ds.interactions, today]),
        AS_OF,
    )
    assert after.keys() == before.keys()
    if customer.id in after:
        assert after[customer.id].days_overdue <= before[customer.id].days_overdue
        assert after[customer.id].silent is False
        assert after[customer.id].last_contact == AS_OF
    for other in after.keys() - {customer.id}:
        assert after[other] == before[other]


@PROPERTY
@given(datasets(), st.data())
def test_property_records_after_as_of_change_nothing(ds: Dataset, data: st.DataObject) -> None:
    later = data.draw(interactions_of(ds.customers, 500, 1, 60))
    extended = Dataset(root=ds.root, config=ds.config, customers=ds.customers, interactions=[*ds.interactions, *later])
    assert _snapshot(extended, AS_OF) == _snapshot(ds, AS_OF)


@PROPERTY
@given(datasets(), st.randoms(use_true_random=False))
def test_property_followups_are_sorted_and_cover_the_non_churned(ds: Dataset, rnd: Any) -> None:
    result = schedule.followups(ds, AS_OF)
    keys = [(plan.due, plan.customer) for plan in result]
    assert keys == sorted(keys)
    assert Counter(plan.customer for plan in result) == Counter(c.id for c in ds.customers if c.stage != "churned")
    # the order of records on disk does not matter
    shuffled = list(ds.interactions)
    rnd.shuffle(shuffled)
    people = list(ds.customers)
    rnd.shuffle(people)
    reordered = Dataset(root=ds.root, config=ds.config, customers=people, interactions=shuffled)
    assert _snapshot(reordered, AS_OF)[0] == _snapshot(ds, AS_OF)[0]
