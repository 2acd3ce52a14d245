"""The iCalendar feed: what is in it, for whom, with stable UIDs, deterministic bytes and safe text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar, Event

from crmdata.engine.calendar_feed import (
    calendar_feed,
    feed_bytes,
    feed_events,
    feeds_by_owner,
    open_todos_by_owner,
)
from crmdata.engine.care import care_moments
from crmdata.engine.schedule import followups, overdue_todos
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.models import Stage
from crmdata.records.validate import validate
from tests.conftest import DataRepo

AS_OF = date(2024, 6, 1)
PROJECT = Path(__file__).resolve().parent.parent
DEMO_AS_OF = date(2026, 11, 24)

HIGH_VALUE = """\
id: KH-A
name: 华星科技有限公司
type: enterprise
tier: strategic
stage: active
value: high
owner: ming
since: 2023-06-10
contacts:
  - name: 韩梅梅
    primary: true
  - name: 李雷
    phone: "13800138000"
    birthday: 1980-06-15
"""

STABLE = """\
id: KH-B
name: 东方证券投资公司
type: institutional_investor
tier: regular
stage: stable
owner: hong
since: 2022-01-05
"""

PROSPECT = """\
id: KH-D
name: 王芳
type: individual
tier: potential
stage: prospecting
owner: hong
"""

CHURNED = """\
id: KH-C
name: 已流失客户
type: enterprise
tier: regular
stage: churned
owner: ming
since: 2020-06-03
churned_on: 2023-01-01
contacts:
  - name: 赵六
    birthday: 1970-06-05
"""

CALL_A = """\
id: JL-A1
customer: KH-A
date: 2024-05-01
channel: phone
owner: ming
topic: 季度回访
todos:
  - {task: 发送报价, due: 2024-05-20}
  - {task: 安排演示, due: 2024-06-10, owner: hong}
  - {task: 早已完成, due: 2024-05-10, done: 2024-05-09}
  - {task: 之后才完成, due: 2024-05-25, done: 2024-06-03}
"""

CALL_B = """\
id: JL-B1
customer: KH-B
date: 2024-05-20
channel: visit
owner: hong
topic: 年度规划
next_followup: 2024-06-05
todos:
  - {task: 寄送合同, due: 2024-06-01, owner: ming}
"""

LATER_CALL = """\
id: JL-A2
customer: KH-A
date: 2024-06-02
channel: phone
owner: ming
topic: 还没发生的沟通
todos:
  - {task: 未来的待办, due: 2024-06-20}
"""

ALL_UIDS = {
    "followup-KH-A@crm-as-code",
    "followup-KH-B@crm-as-code",
    "followup-KH-D@crm-as-code",
    "todo-JL-A1-0@crm-as-code",
    "todo-JL-A1-1@crm-as-code",
    "todo-JL-A1-3@crm-as-code",
    "todo-JL-B1-0@crm-as-code",
    "anniversary-KH-A-2024@crm-as-code",
}
BIRTHDAY_UID = "birthday-KH-A-1-2024@crm-as-code"


@pytest.fixture
def crm(empty_repo: DataRepo) -> DataRepo:
    """Customers of both owners (one churned), todos open, overdue and done, one conversation after AS_OF."""
    empty_repo.put(HIGH_VALUE)
    empty_repo.put(STABLE)
    empty_repo.put(CHURNED)
    empty_repo.put(PROSPECT)
    empty_repo.put(CALL_A)
    empty_repo.put(CALL_B)
    empty_repo.put(LATER_CALL)
    return empty_repo


def _validated(root: Path) -> Dataset:
    outcome = validate(root, LoadOptions(use_cache=False), today=AS_OF)
    assert outcome.ok, outcome.errors[:3]
    return outcome.dataset


def load(repo: DataRepo) -> Dataset:
    result = validate(repo.root)
    assert result.errors == []
    return result.dataset


def events(feed: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(feed)
    found = {str(event["UID"]): event for event in calendar.walk("VEVENT") if isinstance(event, Event)}
    assert len(found) == len(calendar.walk("VEVENT")), "UIDs are unique"
    return found


def summary(event: Event) -> str:
    return str(event["SUMMARY"])


def test_the_calendar_header() -> None:
    feed = calendar_feed(Dataset(root=Path("."), config=None), AS_OF)
    calendar = Calendar.from_ical(feed)
    assert str(calendar["PRODID"]) == "-//crm-as-code//crm calendar//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"]) == "客户跟进"
    assert calendar.walk("VEVENT") == []
    assert feed.startswith(b"BEGIN:VCALENDAR\r\n") and feed.endswith(b"END:VCALENDAR\r\n")


def test_one_event_per_followup_todo_and_care_moment(crm: DataRepo) -> None:
    found = events(calendar_feed(load(crm), AS_OF))
    assert set(found) == ALL_UIDS
    for event in found.values():
        start = event.start
        assert type(start) is date, "all-day events: no time, no time zone"
        assert event.end == start + timedelta(days=1)
        assert event.stamp == datetime(2024, 6, 1, tzinfo=UTC)


def test_an_overdue_followup_is_placed_today_and_says_by_how_much(crm: DataRepo) -> None:
    event = events(calendar_feed(load(crm), AS_OF))["followup-KH-A@crm-as-code"]
    assert event.start == AS_OF  # due 2024-05-16: last contact 05-01 + 15 days (high value)
    assert summary(event) == "跟进 华星科技有限公司 (逾期 16 天)"
    assert event.categories == ["跟进"]
    description = str(event["DESCRIPTION"])
    assert "定期跟进" in description and "15 天" in description and "2024-05-01" in description


def test_a_followup_not_yet_due_is_on_its_due_date(crm: DataRepo) -> None:
    found = events(calendar_feed(load(crm), AS_OF))
    promised = found["followup-KH-B@crm-as-code"]
    assert promised.start == date(2024, 6, 5)
    assert summary(promised) == "跟进 东方证券投资公司"
    assert "约定跟进" in str(promised["DESCRIPTION"])
    first = found["followup-KH-D@crm-as-code"]  # a prospect without since or contacts: due today
    assert first.start == AS_OF
    assert summary(first) == "跟进 王芳"
    assert "首次跟进" in str(first["DESCRIPTION"]) and "上次联系：无" in str(first["DESCRIPTION"])


def test_todo_events(crm: DataRepo) -> None:
    found = events(calendar_feed(load(crm), AS_OF))
    overdue = found["todo-JL-A1-0@crm-as-code"]
    assert (overdue.start, summary(overdue)) == (AS_OF, "待办：发送报价（华星科技有限公司）")
    assert "逾期 12 天" in str(overdue["DESCRIPTION"])
    upcoming = found["todo-JL-A1-1@crm-as-code"]
    assert (upcoming.start, summary(upcoming)) == (date(2024, 6, 10), "待办：安排演示（华星科技有限公司）")
    done_later = found["todo-JL-A1-3@crm-as-code"]  # done after AS_OF: still open on AS_OF
    assert done_later.start == AS_OF
    due_today = found["todo-JL-B1-0@crm-as-code"]
    assert (due_today.start, summary(due_today)) == (AS_OF, "待办：寄送合同（东方证券投资公司）")
    assert "todo-JL-A1-2@crm-as-code" not in found  # done before AS_OF
    assert not any(uid.startswith("todo-JL-A2-") for uid in found)  # a conversation after AS_OF


def test_overdue_todo_events_are_the_schedules_overdue_todos(crm: DataRepo) -> None:
    dataset = load(crm)
    found = events(calendar_feed(dataset, AS_OF))
    in_feed = {
        (uid.split("-")[1] + "-" + uid.split("-")[2], summary(event))
        for uid, event in found.items()
        if uid.startswith("todo-") and "逾期" in str(event["DESCRIPTION"])
    }
    names = {customer.id: customer.name for customer in dataset.customers}
    expected = {
        (todo.interaction, f"待办：{todo.task}（{names[todo.customer]}）") for todo in overdue_todos(dataset, AS_OF)
    }
    assert in_feed == expected and len(expected) == 2


def test_no_todo_event_for_a_churned_customer(crm: DataRepo) -> None:
    """As in `crm due`: a churned customer's open todos are nobody's work any more (SPEC §3)."""
    crm.put(
        "id: JL-C1\ncustomer: KH-C\ndate: 2024-05-01\nchannel: phone\nowner: ming\ntopic: 挽留\n"
        "todos:\n  - {task: 回电, due: 2024-05-10}\n  - {task: 再约, due: 2024-06-20}\n",
    )
    found = events(calendar_feed(load(crm), AS_OF))
    assert not [uid for uid in found if uid.startswith("todo-JL-C1-")]
    assert "todo-JL-A1-0@crm-as-code" in found


def test_anniversary_present_birthday_only_when_private_is_asked_for(crm: DataRepo) -> None:
    dataset = load(crm)
    published = calendar_feed(dataset, AS_OF)
    found = events(published)
    anniversary = found["anniversary-KH-A-2024@crm-as-code"]
    assert (anniversary.start, summary(anniversary)) == (date(2024, 6, 10), "合作 1 周年：华星科技有限公司")
    assert not any(uid.startswith("birthday-") for uid in found)
    assert "李雷".encode() not in published and b"0615" not in published, "no trace of the private birthday"
    assert "已流失客户".encode() not in published, "churned customers have no events"

    internal = events(calendar_feed(dataset, AS_OF, include_private=True))
    assert set(internal) == ALL_UIDS | {BIRTHDAY_UID}
    birthday = internal[BIRTHDAY_UID]  # contact index 1: the second contact of KH-A
    assert (birthday.start, summary(birthday)) == (date(2024, 6, 15), "生日：李雷（华星科技有限公司）")
    assert str(birthday["CLASS"]) == "PRIVATE"


def test_owner_filter(crm: DataRepo) -> None:
    dataset = load(crm)
    ming_feed = calendar_feed(dataset, AS_OF, owner="ming", include_private=True)
    assert str(Calendar.from_ical(ming_feed)["X-WR-CALNAME"]) == "客户跟进 — 张明"
    assert set(events(ming_feed)) == {
        "followup-KH-A@crm-as-code",
        "todo-JL-A1-0@crm-as-code",
        "todo-JL-A1-3@crm-as-code",
        "todo-JL-B1-0@crm-as-code",  # hong's conversation, but the todo is ming's
        "anniversary-KH-A-2024@crm-as-code",
        BIRTHDAY_UID,
    }
    hong_feed = calendar_feed(dataset, AS_OF, owner="hong", include_private=True)
    assert str(Calendar.from_ical(hong_feed)["X-WR-CALNAME"]) == "客户跟进 — 李红"
    assert set(events(hong_feed)) == {
        "followup-KH-B@crm-as-code",
        "followup-KH-D@crm-as-code",
        "todo-JL-A1-1@crm-as-code",  # ming's conversation, but the todo is hong's
    }


def test_events_are_sorted_by_day_then_uid(crm: DataRepo) -> None:
    calendar = Calendar.from_ical(calendar_feed(load(crm), AS_OF, include_private=True))
    keys = [(event.start, str(event["UID"])) for event in calendar.walk("VEVENT") if isinstance(event, Event)]
    assert keys == sorted(keys)


def test_same_data_and_day_give_the_same_bytes(crm: DataRepo) -> None:
    dataset = load(crm)
    assert calendar_feed(dataset, AS_OF) == calendar_feed(dataset, AS_OF)
    assert calendar_feed(dataset, AS_OF) == calendar_feed(load(crm), AS_OF), "and so does a fresh load"


def test_follow_ups_and_care_moments_computed_once_give_the_same_feeds(crm: DataRepo) -> None:
    """The site computes them (and the open todos) once for every owner's feed; each feed must be what
    `crm calendar` writes."""
    dataset = load(crm)
    plans, moments = followups(dataset, AS_OF), care_moments(dataset, AS_OF)
    todos = open_todos_by_owner(dataset, AS_OF)
    for owner in (None, "ming", "hong"):
        for private in (False, True):
            alone = calendar_feed(dataset, AS_OF, owner, include_private=private)
            events_once = feed_events(dataset, AS_OF, owner, private, plans=plans, moments=moments, todos=todos)
            assert feed_bytes(events_once) == alone


def test_every_owners_feed_made_at_once_is_the_feed_crm_calendar_writes(crm: DataRepo, tmp_path: Path) -> None:
    """The site makes every team member's feed in one pass (feeds_by_owner): each must be byte for byte the
    feed `crm calendar --owner` writes, here and on a generated CRM with plans, contracts and payments."""
    from tools.synth import generate

    generated = tmp_path / "generated"
    generate(generated, customers=60, interactions=400, seed=11, as_of=AS_OF)
    for dataset in (load(crm), _validated(generated)):
        owners = sorted({customer.owner for customer in dataset.customers} | {"nobody"})
        for private in (False, True):
            feeds = feeds_by_owner(dataset, AS_OF, owners, private)
            assert list(feeds) == owners
            for owner in owners:
                assert feed_bytes(feeds[owner]) == calendar_feed(dataset, AS_OF, owner, include_private=private)
        assert sum(len(feed.entries) for feed in feeds.values()) == len(feed_events(dataset, AS_OF, None, True).entries)


def test_uids_are_stable_when_unrelated_records_change_and_days_pass(crm: DataRepo) -> None:
    before = events(calendar_feed(load(crm), AS_OF))
    crm.put(STABLE.replace("KH-B", "KH-0").replace("东方证券投资公司", "新客户"))
    crm.put(CALL_B.replace("JL-B1", "JL-0").replace("KH-B", "KH-0"))
    after = events(calendar_feed(load(crm), AS_OF))
    assert set(after) == set(before) | {"followup-KH-0@crm-as-code", "todo-JL-0-0@crm-as-code"}
    assert all(summary(after[uid]) == summary(event) for uid, event in before.items())
    assert all(after[uid].start == event.start for uid, event in before.items())

    day_before = AS_OF - timedelta(days=1)
    earlier = events(calendar_feed(load(crm), day_before))
    moved = earlier["followup-KH-A@crm-as-code"]  # the same event, a day earlier: one day less overdue
    assert (moved.start, summary(moved)) == (day_before, "跟进 华星科技有限公司 (逾期 15 天)")
    assert {uid for uid in earlier if not uid.startswith("todo-")} == {
        uid for uid in after if not uid.startswith("todo-")
    }


def test_record_text_is_escaped_and_round_trips(empty_repo: DataRepo) -> None:
    name = "华星, 科技; 有限\\公司\n第二行"
    task = "报价; 含税, 见\\附件\n再确认"
    empty_repo.put(
        HIGH_VALUE.replace("KH-A", "KH-X").replace("华星科技有限公司", '"华星, 科技; 有限\\\\公司\\n第二行"'),
    )
    empty_repo.put(
        """\
        id: JL-X
        customer: KH-X
        date: 2024-05-01
        channel: phone
        owner: ming
        topic: 报价
        todos:
          - task: "报价; 含税, 见\\\\附件\\n再确认"
            due: 2024-06-03
        """,
    )
    dataset = load(empty_repo)
    assert dataset.customers[0].name == name and dataset.interactions[0].todos[0].task == task
    feed = calendar_feed(dataset, AS_OF)
    assert "跟进 华星\\, 科技\\; 有限\\\\公司\\n第二行".encode() in feed.replace(b"\r\n ", b"")
    found = events(feed)
    assert summary(found["followup-KH-X@crm-as-code"]) == f"跟进 {name} (逾期 16 天)"
    assert summary(found["todo-JL-X-0@crm-as-code"]) == f"待办：{task}（{name}）"
    assert summary(found["anniversary-KH-X-2024@crm-as-code"]) == f"合作 1 周年：{name}"


def test_utf8_with_chinese_intact_and_lines_folded_at_75_octets(empty_repo: DataRepo) -> None:
    long_name = "北京市海淀区中关村科技园区" * 6 + "有限责任公司"
    empty_repo.put(HIGH_VALUE.replace("KH-A", "KH-L").replace("华星科技有限公司", long_name))
    feed = calendar_feed(load(empty_repo), AS_OF, include_private=True)
    feed.decode("utf-8")  # raises if not UTF-8
    assert feed.endswith(b"\r\n") and b"\n" not in feed.replace(b"\r\n", b""), "CRLF line ends only"
    lines = feed.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "the long name was folded"
    for line in lines:
        line.decode("utf-8")  # folding never splits a character
    unfolded = feed.replace(b"\r\n ", b"").decode("utf-8")
    assert f"SUMMARY:跟进 {long_name} (逾期 " in unfolded  # never contacted: first contact overdue
    assert summary(events(feed)["followup-KH-L@crm-as-code"]).startswith(f"跟进 {long_name} (逾期 ")


def test_the_demo_data_feed() -> None:
    dataset = validate(PROJECT, LoadOptions(use_cache=False)).dataset
    feed = calendar_feed(dataset, DEMO_AS_OF)
    found = events(feed)
    followups = {uid for uid in found if uid.startswith("followup-")}
    not_churned = {customer.id for customer in dataset.customers if customer.stage is not Stage.CHURNED}
    assert len(followups) == len(not_churned) == 33
    assert followups == {f"followup-{customer}@crm-as-code" for customer in not_churned}
    assert not any(uid.startswith("birthday-") for uid in found)
    assert max(len(line) for line in feed.split(b"\r\n")) <= 75
    assert calendar_feed(dataset, DEMO_AS_OF) == feed


def test_a_feed_made_of_events_written_one_by_one_is_what_icalendar_writes_of_the_whole() -> None:
    """feed_bytes joins the calendar's own lines and each event's, written apart (so a caller may keep each
    event's bytes: site_builder.pages keeps them per owner): byte for byte what icalendar writes of the whole
    calendar, for every owner's feed of the demo data set, folding of long lines and every kind of event
    included; and `events` given, the bytes given are the ones used. The events are the feed's own
    (feed_event): what is compared is the joining of their bytes against icalendar's whole calendar."""
    from pathlib import Path

    from crmdata.engine.calendar_feed import PRODID, event_bytes, feed_bytes, feed_event, feeds_by_owner
    from crmdata.records.validate import validate

    outcome = validate(Path(__file__).resolve().parent.parent, today=date(2026, 11, 24))
    assert outcome.ok
    feeds = feeds_by_owner(outcome.dataset, date(2026, 11, 24), sorted(outcome.dataset.config.team), True)
    assert sum(len(feed.entries) for feed in feeds.values()) > 100
    assert any(entry.private for feed in feeds.values() for entry in feed.entries)
    assert any(len(entry.description.encode()) > 75 for feed in feeds.values() for entry in feed.entries)
    for feed in feeds.values():
        whole = Calendar.new(prodid=PRODID, calscale="GREGORIAN", name=feed.title, uid=feed.uid)
        for entry in feed.entries:
            whole.add_component(feed_event(entry, feed.stamp))
        assert feed_bytes(feed) == whole.to_ical()
        if feed.entries:
            todos = [event_bytes(entry, feed.stamp).replace(b"VEVENT", b"VTODO") for entry in feed.entries]
            marked = feed_bytes(feed, todos)
            assert marked.count(b"BEGIN:VTODO") == len(feed.entries)
