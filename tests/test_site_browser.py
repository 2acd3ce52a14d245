"""The demo site in a real browser: Debian's chromium, driven by playwright, reading the site over HTTP.

The site is built once per module with the installed `crm` from the demo data set (as of DEMO_AS_OF) and
served on 127.0.0.1. Expectations come from the records (customers/*.yaml, interactions/*/*.yaml) and the built
HTML, never from numbers copied out of the demo data. Screenshots for a person to look at go to test-artifacts/.

No chromium means a failing test, never a skipped one: `make browser-deps` installs it (and a Chinese font).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Browser, Page

from tests.browser_site import (
    DEMO_AS_OF,
    DESKTOP,
    PHONE,
    PROJECT,
    Site,
    Tab,
    built_and_served,
)

CUSTOMER = "KH-2024001"  # the customer whose page the tests open from the index
NAME_FRAGMENT = "济南"  # a city: part of some company names in the demo data, not of all
STAGE = ("active", "合作期")  # a stage and the word the zh site shows for it (the vocabulary's)
SEARCH_WORD = "半导体"  # an industry of the demo data (jieba keeps it one word)
COLUMN = {"id": 0, "name": 1, "stage": 4, "last_contact": 9}  # the customer index table's columns
TIMELINE = "沟通时间线"  # the customer page's timeline heading
NO_DAY = ("", "—")  # a date cell without a date: churned (no plan) or never contacted


def _records(folder: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((PROJECT / folder).glob("*.yaml"))]


CUSTOMERS = {record["id"]: record for record in _records("customers")}


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _newest_interaction(customer: str) -> dict[str, Any]:
    mine = [
        record
        for year in sorted((PROJECT / "interactions").iterdir())
        if year.is_dir()
        for record in _records(f"interactions/{year.name}")
        if record["customer"] == customer and _day(record["date"]) <= DEMO_AS_OF
    ]
    assert mine, f"the demo data has no interaction of {customer}"
    return max(mine, key=lambda record: str(record["date"]))


# ---------------------------------------------------------------------------------------------------------------
# helpers reading the page as a person sees it

VISIBLE_ROWS = """table => Array.from(table.tBodies[0].rows)
    .filter(row => !row.hidden && row.offsetParent !== null)
    .map(row => Array.from(row.cells, cell => cell.textContent.trim()))"""

IMAGES = """images => images.map(image => ({
    src: image.getAttribute('src'),
    shown: image.getClientRects().length > 0 && getComputedStyle(image).visibility !== 'hidden',
    loaded: image.complete && image.naturalWidth > 0,
}))"""


def customer_table(page: Page) -> Any:
    return page.locator(".md-content table").first


def visible_rows(page: Page) -> list[list[str]]:
    rows: list[list[str]] = customer_table(page).evaluate(VISIBLE_ROWS)
    return rows


def charts(page: Page, variant: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.locator(f".md-content img[src$='#only-{variant}']").evaluate_all(IMAGES)
    return found


def index_rows_containing(site: Site, text: str) -> set[str]:
    """Ids of the customers in the built index data whose shown columns contain `text` (what the filter matches)."""
    index = json.loads((site.folder / "customers" / "index.json").read_text(encoding="utf-8"))
    return {row[0] for row in index["rows"] if text in " ".join(row[:12])}


def open_index(tab: Tab, query: str = "") -> None:
    """The customer index, once its script has rendered the rows from index.json."""
    tab.open("customers/" + query)
    tab.page.wait_for_function("document.querySelector('.crm-filter__count').textContent.length > 0")


# ---------------------------------------------------------------------------------------------------------------
# the dashboard


def test_dashboard_loads_without_errors_and_only_from_this_server(tab: Tab) -> None:
    tab.open()
    assert tab.page.title().startswith("客户关系看板")
    assert tab.page.locator("h1").first.inner_text().strip().rstrip("¶") == "客户关系看板"
    assert len(tab.requested) > 5, "the dashboard should load its styles, scripts and charts"
    tab.assert_clean()


def test_dashboard_shows_kpi_tiles_and_the_light_charts(tab: Tab) -> None:
    tab.open()
    tiles = tab.page.locator(".crm-tiles a.crm-tile")
    assert tiles.count() >= 6
    for index in range(tiles.count()):
        tile = tiles.nth(index)
        assert tile.is_visible()
        assert tile.locator(".crm-tile__title").inner_text().strip(), f"tile {index} has no title"
        assert re.search(r"\d", tile.locator(".crm-tile__value").inner_text()), f"tile {index} shows no number"
    light, dark = charts(tab.page, "light"), charts(tab.page, "dark")
    assert len(light) >= 3 and len(light) == len(dark), "every chart comes in a light and a dark variant"
    for image in light:
        assert image["shown"] and image["loaded"], f"light chart not shown or not loaded: {image}"
    assert not any(image["shown"] for image in dark), "dark charts show in light mode"
    tab.screenshot("dashboard.png")
    tab.assert_clean()


def test_dark_mode_shows_the_dark_charts(tab: Tab) -> None:
    tab.open()
    tab.page.locator("label[for='__palette_1']").click()
    tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    tab.page.wait_for_load_state("networkidle")
    dark = charts(tab.page, "dark")
    assert dark
    for image in dark:
        assert image["shown"] and image["loaded"], f"dark chart not shown or not loaded: {image}"
    assert not any(image["shown"] for image in charts(tab.page, "light")), "light charts still show in dark mode"
    tab.screenshot("dashboard-dark.png")
    tab.assert_clean()


def test_dashboard_fits_a_phone(tab_factory: Callable[..., Tab]) -> None:
    tab = tab_factory(PHONE)
    tab.open()
    assert tab.page.locator(".crm-tiles a.crm-tile").first.is_visible()
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard is {width}px wide on a {PHONE['width']}px phone: scrolls sideways"
    tab.screenshot("dashboard-phone.png")
    tab.assert_clean()


# ---------------------------------------------------------------------------------------------------------------
# the customer index: filter and sort


def test_filtering_customers_by_part_of_their_name(tab: Tab, site: Site) -> None:
    expected = index_rows_containing(site, NAME_FRAGMENT)
    named = {cid for cid, record in CUSTOMERS.items() if NAME_FRAGMENT in record["name"]}
    assert expected == named, "the fragment should match names only, to read like the domain"
    assert 0 < len(expected) < len(CUSTOMERS), "the fragment must match some customers, not all"

    open_index(tab)
    count = tab.page.locator(".crm-filter__count")
    assert count.inner_text().strip() == f"{len(CUSTOMERS)} / {len(CUSTOMERS)}"
    assert len(visible_rows(tab.page)) == len(CUSTOMERS)

    tab.page.locator(".crm-filter__text").fill(NAME_FRAGMENT)
    rows = visible_rows(tab.page)
    assert {row[COLUMN["id"]] for row in rows} == expected
    assert all(NAME_FRAGMENT in row[COLUMN["name"]] for row in rows)
    assert count.inner_text().strip() == f"{len(expected)} / {len(CUSTOMERS)}"
    tab.screenshot("customers-filtered.png")

    tab.page.locator(".crm-filter__text").fill("")
    assert len(visible_rows(tab.page)) == len(CUSTOMERS)
    tab.assert_clean()


def test_choosing_a_stage_shows_only_customers_in_that_stage(tab: Tab) -> None:
    stage, label = STAGE
    expected = {cid for cid, record in CUSTOMERS.items() if record["stage"] == stage}
    open_index(tab)
    tab.page.locator(".crm-filter__select[data-key='stage']").select_option(label=label)
    rows = visible_rows(tab.page)
    assert rows, f"no customer shown for stage {label}"
    assert all(row[COLUMN["stage"]] == label for row in rows), [row[COLUMN["stage"]] for row in rows]
    assert {row[COLUMN["id"]] for row in rows} == expected
    assert tab.page.locator(".crm-filter__count").inner_text().strip() == f"{len(expected)} / {len(CUSTOMERS)}"
    tab.assert_clean()


def test_a_link_with_filters_opens_the_index_filtered(tab: Tab) -> None:
    """Segment, owner and follow-up pages cut long lists and link to the rest this way."""
    stage = STAGE[0]
    owner = next(iter(sorted({record["owner"] for record in CUSTOMERS.values()})))
    expected = {cid for cid, r in CUSTOMERS.items() if r["stage"] == stage and r["owner"] == owner}
    open_index(tab, f"?stage={stage}&owner={owner}")
    assert {row[COLUMN["id"]] for row in visible_rows(tab.page)} == expected
    assert tab.page.locator(".crm-filter__select[data-key='stage']").input_value() == stage
    tab.assert_clean()


def test_clicking_a_column_header_sorts_the_customers(tab: Tab) -> None:
    open_index(tab)
    header = customer_table(tab.page).locator("thead th").nth(COLUMN["last_contact"])
    before = [row[COLUMN["id"]] for row in visible_rows(tab.page)]

    header.click()
    days = [row[COLUMN["last_contact"]] for row in visible_rows(tab.page)]
    known = [day for day in days if day not in NO_DAY]
    assert known, "no customer shows a last contact"
    assert known == sorted(known), "ascending by last contact"
    assert days[: len(known)] == known, "customers never contacted (or churned) come last"
    assert [row[COLUMN["id"]] for row in visible_rows(tab.page)] != before, "the order did not change"
    assert header.get_attribute("data-crm-sort") == "asc"

    header.click()
    known = [row[COLUMN["last_contact"]] for row in visible_rows(tab.page) if row[COLUMN["last_contact"]] not in NO_DAY]
    assert known == sorted(known, reverse=True), "descending by last contact"
    assert header.get_attribute("data-crm-sort") == "desc"
    tab.assert_clean()


# ---------------------------------------------------------------------------------------------------------------
# a customer's page


def test_a_customer_page_opened_from_the_index(tab: Tab) -> None:
    record = CUSTOMERS[CUSTOMER]
    newest = _newest_interaction(CUSTOMER)
    open_index(tab)
    customer_table(tab.page).get_by_role("link", name=record["name"], exact=True).click()
    tab.page.wait_for_url(re.compile(re.escape(CUSTOMER)))
    tab.page.wait_for_load_state("networkidle")
    assert record["name"] in tab.page.locator("h1").first.inner_text()

    # the timeline starts with the newest interaction
    first_entry = tab.page.evaluate(
        """title => {
            const heading = Array.from(document.querySelectorAll('.md-content h2'))
                .find(h => h.textContent.includes(title));
            const timeline = heading && heading.nextElementSibling;
            const entry = timeline && timeline.querySelector('.crm-entry strong');
            return entry ? entry.textContent : null;
        }""",
        TIMELINE,
    )
    assert first_entry is not None, f"no timeline ({TIMELINE}) on the page"
    assert _day(newest["date"]).isoformat() in first_entry
    assert newest["topic"] in first_entry, f"newest topic {newest['topic']!r} not first in timeline: {first_entry!r}"

    # phones are masked: the page shows 138****5678, never the number
    text, html = tab.page.locator("body").inner_text(), tab.page.content()
    phones = [str(contact["phone"]) for contact in record.get("contacts", []) if contact.get("phone")]
    assert phones, f"{CUSTOMER} has no contact phone in the demo data"
    for phone in phones:
        assert phone not in html, f"the real phone {phone} is in the page"
        assert f"{phone[:3]}****{phone[-4:]}" in text
    tab.screenshot("customer.png")
    tab.assert_clean()


# ---------------------------------------------------------------------------------------------------------------
# search


# ---------------------------------------------------------------------------------------------------------------
# record text rendered by the index's script stays text


def test_hostile_names_in_the_index_are_shown_as_text(browser: Browser, tmp_path: Path) -> None:
    from tests.conftest import DataRepo
    from tests.test_site import HOSTILE, write_small_crm

    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    with built_and_served(repo.root, tmp_path) as hostile:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        tab = Tab(context.new_page(), hostile)
        dialogs: list[str] = []
        tab.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        open_index(tab)
        names = [row[COLUMN["name"]] for row in visible_rows(tab.page)]
        assert HOSTILE["script"] + "恶意公司" in names
        table = customer_table(tab.page)
        assert table.locator("script, img, b").count() == 0
        tags = tab.page.locator("td", has_text=HOSTILE["link"])
        assert tags.count() == 1 and tags.locator("a").count() == 0
        tab.page.locator(".crm-filter__text").fill("恶意")
        assert [row[COLUMN["id"]] for row in visible_rows(tab.page)] == ["KH-2024002"]
        assert dialogs == [] and tab.errors == []
        context.close()


# ---------------------------------------------------------------------------------------------------------------
# the pipeline and a customer's contracts on a desktop and on a phone


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_pipeline_and_a_customer_page_show_their_tables_and_the_chart(
    browser: Browser, tmp_path: Path, viewport: dict[str, int]
) -> None:
    from tests.conftest import DataRepo
    from tests.test_site_commercial import write_commercial_crm

    repo = DataRepo(tmp_path / "crm")
    write_commercial_crm(repo)
    with built_and_served(repo.root, tmp_path) as served:
        context = browser.new_context(viewport=viewport, color_scheme="light", locale="zh-CN")
        tab = Tab(context.new_page(), served)
        tab.page.on("pageerror", lambda error: tab.errors.append(f"uncaught: {error}"))
        tab.page.on("console", lambda message: message.type == "error" and tab.errors.append(message.text))
        tab.page.on("response", lambda r: r.status >= 400 and tab.failed.append(f"{r.url}: HTTP {r.status}"))
        name = "desktop" if viewport == DESKTOP else "phone"

        tab.open("pipeline/")
        columns = tab.page.locator(".crm-stages .crm-stage")
        assert columns.count() == 6
        for index in range(columns.count()):
            assert columns.nth(index).is_visible()
        negotiation = tab.page.locator(".crm-stage--negotiation")
        assert "¥123.5万" in negotiation.inner_text()
        box = negotiation.bounding_box()
        assert box is not None and box["x"] + box["width"] <= viewport["width"], "a stage column leaves the screen"
        (light,) = charts(tab.page, "light")
        assert light["shown"] and light["loaded"], f"the funnel is not shown: {light}"
        summary = tab.page.locator(".md-content table").first
        assert summary.is_visible()
        rows = summary.evaluate(VISIBLE_ROWS)
        assert ["谈判", "1", "¥123.5万", "¥86.4万"] in rows
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the pipeline page is {width}px wide: the page scrolls sideways"
        tab.screenshot(f"pipeline-{name}.png")

        tab.open("customers/KH-2024001/")
        schedule = tab.page.locator("table", has_text="逾期 84 天")
        assert schedule.count() == 1 and schedule.is_visible()
        assert ["2026-09-01", "¥60,000", "逾期 84 天"] in schedule.evaluate(VISIBLE_ROWS)
        plan = tab.page.locator("table", has_text="JH-2026001")
        assert plan.is_visible() and "顺延，原定 2026-11-10" in plan.inner_text()
        overdue = tab.page.locator("td .crm-status--overdue", has_text="逾期 84 天")
        overdue.scroll_into_view_if_needed()
        assert overdue.is_visible()
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"the customer page is {width}px wide: the page scrolls sideways"
        tab.screenshot(f"customer-contracts-{name}.png")
        assert tab.errors == [] and tab.failed == []
        context.close()
