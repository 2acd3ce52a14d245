"""The calendar feed's plan contacts, renewals and payments (SPEC v2): on their days, with stable UIDs.

ming's plan is the handbook's (monthly from 2024-05-10, postponed to 05-12); hong's contract ends 2024-06-30
(renewal due 05-01) with payments due 03-31 (paid), 05-01 (unpaid) and 06-15 (to come). as_of 2024-05-14.
"""

from __future__ import annotations

from datetime import date

from icalendar import Calendar, Event

from crmdata.engine.calendar_feed import calendar_feed
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo

AS_OF = date(2024, 5, 14)
PAYMENTS = (
    "payments:\n"
    "  - {due: 2024-03-31, amount: 60000, paid_on: 2024-03-28}\n"
    "  - {due: 2024-05-01, amount: 30000}\n"
    "  - {due: 2024-06-15, amount: 30000}\n"
)


def load(repo: DataRepo) -> Dataset:
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.problems]
    return outcome.dataset


def events(feed: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(feed)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT") if isinstance(event, Event)}


def day_of(event: Event) -> date:
    start = event.decoded("DTSTART")
    assert isinstance(start, date)
    return start


def records(repo: DataRepo) -> DataRepo:
    repo.plan(
        "JH-2024001",
        "KH-2024001",
        goal="知晓系统使用体验",
        content="[询问运行稳定性, 收集改进建议]",
        postponed_to="2024-05-12",
    )
    repo.contract("HT-2024001", "KH-2024001", PAYMENTS, owner="hong", end="2024-06-30")
    return repo


def test_plan_contacts_renewals_and_payments_are_events_on_their_days(repo: DataRepo) -> None:
    found = events(calendar_feed(load(records(repo)), AS_OF))
    plan = found["plan-JH-2024001-0@crm-as-code"]  # the first occurrence, none carried out yet
    assert day_of(plan) == AS_OF  # due 05-12, overdue: shown today
    assert str(plan["SUMMARY"]) == "维护计划：知晓系统使用体验（华星科技有限公司） (逾期 2 天)"
    description = str(plan["DESCRIPTION"]).splitlines()
    assert description[:2] == ["· 询问运行稳定性", "· 收集改进建议"]
    assert "原定 2024-05-10，已顺延" in description and "负责人：张明" in description
    renewal = found["renewal-HT-2024001@crm-as-code"]
    assert day_of(renewal) == AS_OF and str(renewal["SUMMARY"]).startswith("续约：系统运维服务（华星科技有限公司）")
    assert "合作结束：2024-06-30" in str(renewal["DESCRIPTION"]).splitlines()
    overdue = found["payment-HT-2024001-1@crm-as-code"]
    assert day_of(overdue) == AS_OF and str(overdue["SUMMARY"]) == "回款 ¥30,000（华星科技有限公司） (逾期 13 天)"
    coming = found["payment-HT-2024001-2@crm-as-code"]
    assert day_of(coming) == date(2024, 6, 15) and str(coming["SUMMARY"]) == "回款 ¥30,000（华星科技有限公司）"
    assert "payment-HT-2024001-0@crm-as-code" not in found  # paid


def test_carrying_out_the_plan_replaces_its_event_by_the_next_occurrences(repo: DataRepo) -> None:
    records(repo).interaction("JL-2024002", "KH-2024001", "2024-05-13", plan="JH-2024001")
    found = events(calendar_feed(load(repo), AS_OF))
    assert "plan-JH-2024001-0@crm-as-code" not in found
    assert day_of(found["plan-JH-2024001-1@crm-as-code"]) == date(2024, 6, 10)


def test_each_owner_gets_the_plans_and_contracts_they_own(repo: DataRepo) -> None:
    dataset = load(records(repo))
    ming = events(calendar_feed(dataset, AS_OF, owner="ming"))
    hong = events(calendar_feed(dataset, AS_OF, owner="hong"))
    assert "plan-JH-2024001-0@crm-as-code" in ming and not any(uid.startswith("plan-") for uid in hong)
    assert not any(uid.startswith(("renewal-", "payment-")) for uid in ming)
    assert {uid for uid in hong if uid.startswith(("renewal-", "payment-"))} == {
        "renewal-HT-2024001@crm-as-code",
        "payment-HT-2024001-1@crm-as-code",
        "payment-HT-2024001-2@crm-as-code",
    }
