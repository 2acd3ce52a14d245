"""The customer page in a real browser (issue 15, items 4 and 6): the order of work, every open item, the
whole timeline however long, and a page that stays light.

Expectations come from the demo records (customers/*.yaml, interactions/*/*.yaml) and from records written
here, never from numbers copied out of the demo data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from tests.browser_site import DEMO_AS_OF, DESKTOP, PHONE, PROJECT, Site, Tab, built_and_served
from tests.conftest import DEFAULT_CONFIG, DataRepo
from tests.test_site_browser import CUSTOMERS, _day, _records

RECORD_FILES_HINT = re.compile(r"详情见记录文件|中的记录文件|in their record files")
"""What a customer page said of the conversations it left out (a browser user cannot open a YAML file)."""
PAGE_LIMIT = 50_000  # bytes: every page of the site stays under this (tests/test_help_pages.py, the brief)


def demo_interactions() -> list[dict[str, Any]]:
    return [
        record
        for year in sorted((PROJECT / "interactions").iterdir())
        if year.is_dir()
        for record in _records(f"interactions/{year.name}")
        if _day(record["date"]) <= DEMO_AS_OF
    ]


def open_todos_of(customer: str) -> list[dict[str, Any]]:
    """The customer's todos not done on the demo day, from the records."""
    return [
        todo
        for record in demo_interactions()
        if record["customer"] == customer
        for todo in record.get("todos", [])
        if todo.get("done") is None or _day(todo["done"]) > DEMO_AS_OF
    ]


def customer_with_most_overdue_todos() -> str:
    def overdue(customer: str) -> int:
        return sum(1 for todo in open_todos_of(customer) if _day(todo["due"]) < DEMO_AS_OF)

    best = max(sorted(CUSTOMERS), key=overdue)
    assert overdue(best) >= 2, "the demo data has no customer with several overdue todos"
    return best


def section_tops(tab: Tab) -> dict[str, float]:
    """The top of each part of the customer page, in page pixels."""
    tops: dict[str, float] = tab.page.evaluate(
        """() => {
            const top = el => el ? el.getBoundingClientRect().top + window.scrollY : null;
            const h2 = text => Array.from(document.querySelectorAll('.md-content h2'))
                .find(h => h.textContent.includes(text));
            return {
                head: top(document.querySelector('.crm-cust-head')),
                timeline: top(h2('沟通时间线')),
                first_entry: top(document.querySelector('.crm-timeline .crm-entry')),
                open_items: top(h2('未完成事项')),
                contracts: top(h2('合同')),
                profile: top(h2('基本信息')),
            };
        }"""
    )
    return tops


def test_the_page_reads_in_the_order_of_work_and_the_latest_conversation_is_on_the_first_screen(
    tab: Tab, site: Site
) -> None:
    customer = customer_with_most_overdue_todos()
    tab.page.set_viewport_size({"width": 1440, "height": 900})
    tab.open(f"customers/{customer}/")
    tops = section_tops(tab)
    assert all(value is not None for key, value in tops.items() if key != "contracts"), tops
    order = [tops["head"], tops["timeline"], tops["open_items"], tops["profile"]]
    assert order == sorted(order), f"the parts are out of order: {tops}"
    if tops["contracts"] is not None:
        assert tops["open_items"] < tops["contracts"] < tops["profile"], tops
    assert tops["first_entry"] < 900, f"the latest conversation starts {tops['first_entry']}px down"
    head = tab.page.locator(".crm-cust-head").inner_text()
    record = CUSTOMERS[customer]
    assert "下一步" in head and "跟进" in head, head
    assert (
        any(word in head for word in ("稳定期", "合作期", "休眠期", "接洽期", "成长期")) or record["stage"] == "churned"
    )
    tab.screenshot("issue15/customer-desktop-light.png")
    tab.assert_clean()


def test_every_open_todo_is_listed_and_the_overdue_ones_are_marked(tab: Tab, site: Site) -> None:
    customer = customer_with_most_overdue_todos()
    todos = open_todos_of(customer)
    overdue = [todo for todo in todos if _day(todo["due"]) < DEMO_AS_OF]
    tab.open(f"customers/{customer}/")
    table = tab.page.locator("table", has=tab.page.locator("th", has_text="来自沟通"))
    assert table.count() == 1, "no table of open todos"
    rows = table.locator("tbody tr")
    assert rows.count() == len(todos), f"{rows.count()} rows for {len(todos)} open todos"
    shown = [rows.nth(n).inner_text() for n in range(rows.count())]
    for todo in todos:
        matching = [row for row in shown if todo["task"] in row and _day(todo["due"]).isoformat() in row]
        assert matching, f"the open todo {todo['task']!r} is not listed"
        late = (DEMO_AS_OF - _day(todo["due"])).days
        if late > 0:
            assert any(f"逾期 {late} 天" in row for row in matching), f"{todo['task']!r} is not marked overdue"
    assert table.locator(".crm-status--overdue").count() == len(overdue)
    head = tab.page.locator(".crm-cust-head").inner_text()
    assert f"{len(todos)} 项待办未完成" in head and f"其中 {len(overdue)} 项逾期" in head
    signals = tab.page.locator(".md-content").inner_text()
    if "项待办逾期" in signals:
        assert f"{len(overdue)} 项待办逾期" in signals, "the risk signal counts other todos than the list shows"
    tab.assert_clean()


def test_no_customer_page_sends_a_reader_to_the_record_files(site: Site) -> None:
    for page in sorted((site.folder / "customers").glob("*/index.html")):
        text = page.read_text(encoding="utf-8")
        assert not RECORD_FILES_HINT.search(text), f"{page.parent.name} sends the reader to the record files"
        assert len(text.encode("utf-8")) < PAGE_LIMIT, f"{page.parent.name} is {len(text.encode())} bytes"


def test_the_satisfaction_sparkline_is_small_and_described_in_chinese(tab: Tab, site: Site) -> None:
    scored = {record["customer"] for record in demo_interactions() if record.get("satisfaction") is not None}
    customer = sorted(scored)[0]
    tab.open(f"customers/{customer}/")
    spark = tab.page.locator(".crm-spark__bars")
    assert spark.count() == 1 and spark.is_visible()
    box = spark.bounding_box()
    assert box is not None and box["height"] <= 60, f"the satisfaction chart is {box} big: a sparkline is small"
    label = spark.get_attribute("aria-label") or ""
    assert label.startswith("满意度走势") and "次评分" in label and "平均" in label, label
    assert tab.page.locator("table", has_text="满意度变化").count() == 0, "the satisfaction table is back"
    tab.assert_clean()


def test_the_customer_page_fits_a_phone_in_the_dark(tab_factory: Callable[..., Tab]) -> None:
    tab = tab_factory(PHONE)
    tab.page.emulate_media(color_scheme="dark")
    customer = customer_with_most_overdue_todos()
    tab.open(f"customers/{customer}/")
    tab.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the customer page is {width}px wide on a phone"
    assert tab.page.locator(".crm-cust-head").is_visible()
    tab.screenshot("issue15/customer-phone-dark.png")
    tab.assert_clean()


def test_a_customer_with_300_conversations_gets_every_one_on_light_pages(browser: Browser, tmp_path: Path) -> None:
    """300 conversations with summaries and todos: the customer page stays under 50 KB, the older ones are
    folded and on pages of their own, and each conversation is on exactly one page, in full."""
    repo = DataRepo(tmp_path / "crm")
    repo.config(DEFAULT_CONFIG)
    repo.customer("KH-2024001", name="话痨科技有限公司")
    start = dt.date(2025, 1, 1)
    ids = []
    for n in range(300):
        day = start + dt.timedelta(days=n)
        iid = f"JL-{day.year}{n + 1:03d}"
        ids.append(iid)
        repo.interaction(
            iid,
            "KH-2024001",
            day.isoformat(),
            f"summary: 第 {n + 1} 次沟通的摘要，{'客户谈了很多需求细节。' * 4}",
            "todos:",
            f"  - {{task: 待办 {n + 1}, due: {(day + dt.timedelta(days=7)).isoformat()}}}",
            topic=f"话题 {n + 1}",
            satisfaction=str(1 + n % 5),
        )
    with built_and_served(repo.root, tmp_path) as served:
        pages = sorted((served.folder / "customers").glob("KH-2024001*/index.html"))
        assert len(pages) > 1, "the older conversations have no pages of their own"
        seen: list[str] = []
        for page in pages:  # the customer page, its pages of older conversations and of open todos
            size = len(page.read_bytes())
            assert size < PAGE_LIMIT, f"{page.parent.name} is {size} bytes"
            seen += [entry["id"] for entry in served.html(f"customers/{page.parent.name}/").select("p.crm-entry")]
        assert sorted(seen) == sorted(ids), "a conversation is missing or shown twice"
        main = (served.folder / "customers" / "KH-2024001" / "index.html").read_text("utf-8")
        assert not RECORD_FILES_HINT.search(main)
        todo_rows = [
            row.get_text(" ", strip=True)
            for page in pages
            for table in served.html(f"customers/{page.parent.name}/").select("table")
            if "来自沟通" in table.get_text()
            for row in table.select("tbody tr")
        ]
        assert sorted(todo_rows) == sorted(set(todo_rows)) and len(todo_rows) == 300, "an open todo is missing"

        context = browser.new_context(viewport=DESKTOP, color_scheme="light", locale="zh-CN")
        tab = Tab(context.new_page(), served)
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        tab.open("customers/KH-2024001/")
        assert "300 项待办未完成" in tab.page.locator(".crm-cust-head").inner_text()
        earlier = tab.page.locator("details.crm-earlier")
        assert earlier.locator("li").first.is_hidden(), "the older conversations are not folded"
        earlier.locator("summary").click()
        link = earlier.locator("li a").first
        assert link.is_visible()
        target = link.inner_text()
        link.click()
        tab.page.wait_for_load_state("networkidle")
        assert "/customers/KH-2024001-2/" in tab.page.url
        assert target in tab.page.locator(".crm-timeline .crm-entry").first.inner_text()
        tab.page.get_by_role("link", name="第 3 页").first.click()
        tab.page.wait_for_load_state("networkidle")
        assert "/customers/KH-2024001-3/" in tab.page.url
        assert tab.errors == []
        context.close()


def test_the_header_says_overdue_once_with_its_days(site: Site) -> None:
    """An overdue next step reads "逾期 N 天" once: the status word beside the same count said it twice."""
    checked = 0
    for page in sorted((site.folder / "customers").glob("KH-*/index.html")):
        found = re.search(r'<p class="crm-cust-next">(.*?)</p>', page.read_text(encoding="utf-8"), re.S)
        if found is None or "crm-status--overdue" not in found.group(1):
            continue
        text = re.sub(r"<[^>]+>", "", found.group(1))
        assert text.count("逾期") == 1, f"{page.parent.name}: {text!r}"
        assert re.search(r"逾期 \d+ 天", text), f"{page.parent.name}: {text!r}"
        checked += 1
    assert checked, "no demo customer has an overdue next step"
