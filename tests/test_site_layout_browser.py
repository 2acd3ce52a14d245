"""Issue 15, layout: the data pages and the customer index in a real browser.

Data pages use the whole width (no navigation or table-of-contents column), no table clips a column on a
laptop or a wide screen, a phone shows rows as cards and never scrolls sideways. The customer index sorts
by meaning (value 高/中/低, stage by the stage order), keeps its filters and sort in the URL, says when
nothing matches, and says how to open the site when its data cannot load (a page opened from the disk).

Expectations come from the demo records (customers/*.yaml), the vocabulary and the built index.json,
never from numbers copied out of the demo data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from crmdata.records.models import Stage, Value
from crmdata.records.vocabulary import LABELS, term
from tests.browser_site import ARTIFACTS, PHONE, Site, Tab
from tests.test_site_browser import COLUMN, CUSTOMERS, open_index, visible_rows

WIDE = {"width": 1440, "height": 900}
LAPTOP = {"width": 1280, "height": 900}
DATA_PAGES = (
    "",
    "customers/",
    "followups/",
    "plans/",
    "pipeline/",
    "renewals/",
    "owners/",
    "segments/",
    "kpis/",
    "segments/high_value/",
    "customers/KH-2024001/",
    "satisfaction/",
    "today/ming/",
    "owners/ming/",
    "lists/todos/",
    "data-quality/",
)
VALUE_COLUMN = 5
SHOTS = ARTIFACTS / "issue15"

TABLES_THAT_CLIP = """() => Array.from(document.querySelectorAll('.md-content table'))
    .filter(table => table.offsetParent !== null)
    .map(table => {
        const box = table.closest('.md-typeset__scrollwrap') || table.closest('article');
        return {head: table.rows[0] ? table.rows[0].textContent.trim().slice(0, 40) : '',
                wide: table.scrollWidth, room: box.clientWidth};
    })
    .filter(found => found.wide > found.room)"""


def open_page(tab: Tab, path: str) -> None:
    """A page, once crm.js has rendered it (the customer index fills its table from index.json), with every
    folded part (a chart's data table) opened: what a person can open must fit too."""
    if path == "customers/":
        open_index(tab)
    else:
        tab.open(path)
    tab.page.evaluate("document.querySelectorAll('.md-content details').forEach(d => { d.open = true; })")


def shoot(tab: Tab, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=SHOTS / f"layout-{name}.png", full_page=False)


def dark(tab: Tab) -> None:
    tab.page.locator("label[for='__palette_1']").click()
    tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")


def index_data(site: Site) -> list[dict[str, Any]]:
    index = json.loads((site.folder / "customers" / "index.json").read_text(encoding="utf-8"))
    return [dict(zip(index["columns"], row, strict=True)) for row in index["rows"]]


def query_of(tab: Tab) -> dict[str, list[str]]:
    return parse_qs(urlsplit(tab.page.url).query)


# ---------------------------------------------------------------------------------------------------------------
# layout for data


@pytest.mark.parametrize("viewport", [WIDE, LAPTOP], ids=["1440", "1280"])
def test_data_pages_use_the_whole_width_and_no_table_clips_a_column(
    tab_factory: Callable[..., Tab], viewport: dict[str, int]
) -> None:
    tab = tab_factory(viewport)
    for path in DATA_PAGES:
        open_page(tab, path)
        sidebars = tab.page.locator(".md-sidebar--primary, .md-sidebar--secondary")
        shown = [sidebars.nth(i).is_visible() for i in range(sidebars.count())]
        assert not any(shown), f"/{path}: a navigation or table-of-contents column takes the width"
        content = tab.page.evaluate("document.querySelector('.md-content').clientWidth")
        assert content >= viewport["width"] * 0.9, f"/{path}: the content is {content}px of {viewport['width']}px"
        clipped = tab.page.evaluate(TABLES_THAT_CLIP)
        assert clipped == [], f"/{path} at {viewport['width']}px: tables wider than their room: {clipped}"
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"/{path} scrolls sideways: {width}px"
        if path == "customers/" and viewport == WIDE:
            shoot(tab, "customers-1440")
    tab.assert_clean()


def test_dates_and_ids_stay_whole_when_a_table_wraps(tab_factory: Callable[..., Tab]) -> None:
    """A table fits by wrapping names and free text, never by breaking 2026-09-25 at a hyphen."""
    tab = tab_factory(LAPTOP)
    open_index(tab)
    broken = tab.page.evaluate(
        """() => Array.from(document.querySelectorAll('table[data-crm-source] tbody td'))
            .filter(td => /^(KH-\\d+|\\d{4}-\\d{2}-\\d{2})$/.test(td.textContent.trim()))
            .filter(td => { const r = document.createRange(); r.selectNodeContents(td);
                            return r.getClientRects().length > 1; })
            .map(td => td.textContent.trim())"""
    )
    assert broken == [], f"ids or dates broken over two lines: {broken[:5]}"
    tab.assert_clean()


def test_on_a_phone_rows_are_cards_and_nothing_scrolls_sideways(tab_factory: Callable[..., Tab]) -> None:
    tab = tab_factory(PHONE)
    for path in DATA_PAGES:
        open_page(tab, path)
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"/{path} is {width}px wide on a {PHONE['width']}px phone"
        clipped = tab.page.evaluate(TABLES_THAT_CLIP)
        assert clipped == [], f"/{path} on a phone: tables wider than the screen: {clipped}"
    open_index(tab)
    first = tab.page.locator("table[data-crm-source] tbody tr").first
    assert first.locator("td").nth(COLUMN["last_contact"]).get_attribute("data-label") == LABELS["last_contact"].zh
    card = first.bounding_box()
    assert card is not None and card["width"] <= PHONE["width"]
    shoot(tab, "customers-phone")
    dark(tab)
    tab.open("followups/")
    shoot(tab, "followups-phone-dark")
    tab.assert_clean()


# ---------------------------------------------------------------------------------------------------------------
# the customer index: sorting by meaning


def test_sorting_by_value_gives_high_medium_low(tab: Tab) -> None:
    words = [term(value, "zh") for value in Value]
    expected = sorted(words.index(term(Value(r["value"]), "zh")) for r in CUSTOMERS.values())
    assert len(set(expected)) == len(Value), "the demo data should hold customers of every value"
    open_index(tab)
    header = tab.page.locator("table[data-crm-source] thead th").nth(VALUE_COLUMN)
    header.click()
    shown = [words.index(row[VALUE_COLUMN]) for row in visible_rows(tab.page)]
    assert shown == expected, "ascending by value: 高, then 中, then 低"
    assert query_of(tab)["sort"] == ["value"]
    header.click()
    shown = [words.index(row[VALUE_COLUMN]) for row in visible_rows(tab.page)]
    assert shown == sorted(expected, reverse=True), "descending by value: 低, then 中, then 高"
    assert query_of(tab)["sort"] == ["-value"]
    tab.assert_clean()


def test_sorting_by_stage_follows_the_stage_order(tab: Tab) -> None:
    words = [term(stage, "zh") for stage in Stage]
    open_index(tab, "?sort=stage")
    shown = [words.index(row[COLUMN["stage"]]) for row in visible_rows(tab.page)]
    assert len(shown) == len(CUSTOMERS)
    assert shown == sorted(shown) and len(set(shown)) > 2, "prospecting first, churned last"
    header = tab.page.locator("table[data-crm-source] thead th").nth(COLUMN["stage"])
    assert header.get_attribute("data-crm-sort") == "asc"
    tab.assert_clean()


# ---------------------------------------------------------------------------------------------------------------
# the customer index: the view in the URL


def test_a_filtered_url_reloads_and_opens_elsewhere_with_the_same_rows(
    tab_factory: Callable[..., Tab], site: Site
) -> None:
    tab = tab_factory(WIDE)
    open_index(tab)
    tab.page.locator(".crm-filter__select[data-key='value']").select_option("high")
    tab.page.locator(".crm-filter__select[data-key='stage']").select_option("active")
    tab.page.locator("table[data-crm-source] thead th").nth(COLUMN["last_contact"]).click()
    tab.page.locator("table[data-crm-source] thead th").nth(COLUMN["last_contact"]).click()
    rows = visible_rows(tab.page)
    expected = {cid for cid, r in CUSTOMERS.items() if r["value"] == "high" and r["stage"] == "active"}
    assert {row[COLUMN["id"]] for row in rows} == expected and expected
    assert query_of(tab) == {"stage": ["active"], "value": ["high"], "sort": ["-last_contact"]}

    url = tab.page.url
    tab.page.reload(wait_until="networkidle")
    tab.page.wait_for_function("document.querySelector('.crm-filter__count').textContent.length > 0")
    assert visible_rows(tab.page) == rows, "a reload shows the same rows in the same order"
    assert tab.page.locator(".crm-filter__select[data-key='value']").input_value() == "high"

    other = tab_factory(WIDE)
    other.page.goto(url, wait_until="networkidle")
    other.page.wait_for_function("document.querySelector('.crm-filter__count').textContent.length > 0")
    assert visible_rows(other.page) == rows, "a shared URL opens the same view"
    header = other.page.locator("table[data-crm-source] thead th").nth(COLUMN["last_contact"])
    assert header.get_attribute("data-crm-sort") == "desc"
    tab.assert_clean()
    other.assert_clean()


def test_every_filter_name_of_the_query_string(tab: Tab, site: Site) -> None:
    """The names other pages link with: q, stage, owner, status, segment, value, tier, sort."""
    data = index_data(site)
    overdue = [row for row in data if row["status_key"] == "overdue"]
    assert overdue, "the demo data should have overdue follow-ups"
    owner = overdue[0]["owner_key"]
    expected = [row for row in overdue if row["owner_key"] == owner]
    expected.sort(key=lambda row: row["last_contact"] or "9999")
    open_index(tab, f"?owner={owner}&status=overdue&sort=last_contact")
    assert [row[COLUMN["id"]] for row in visible_rows(tab.page)] == [row["id"] for row in expected]

    member = next(row for row in data if row["segments"])
    segment, tier, value = member["segments"][0], member["tier_key"], member["value_key"]
    word = member["name"][:2]
    wanted = {
        row["id"]
        for row in data
        if segment in row["segments"]
        and row["tier_key"] == tier
        and row["value_key"] == value
        and word.lower() in " ".join(str(row[c]) for c in list(row)[:12]).lower()
    }
    open_index(tab, f"?q={word}&segment={segment}&tier={tier}&value={value}")
    assert {row[COLUMN["id"]] for row in visible_rows(tab.page)} == wanted and member["id"] in wanted
    assert tab.page.locator(".crm-filter__text").input_value() == word
    closed = tab.page.evaluate("!document.getElementById('__search').checked")
    assert closed, "material's search also reads ?q=: it must not open over the index"
    tab.assert_clean()


def test_an_empty_filter_says_so(tab: Tab) -> None:
    open_index(tab, "?q=没有这样的客户zz")
    assert visible_rows(tab.page) == []
    empty = tab.page.locator(".crm-index__empty")
    assert empty.is_visible()
    assert LABELS["index_empty"].zh in empty.inner_text()
    empty.locator("button").click()
    assert len(visible_rows(tab.page)) == len(CUSTOMERS)
    assert not empty.is_visible()
    assert "q" not in query_of(tab)
    tab.assert_clean()


def test_the_index_opened_from_the_disk_says_how_to_open_the_site(tab: Tab, site: Site) -> None:
    """A browser refuses a page opened from file:// the fetch of index.json: the page says what to do."""
    page = (site.folder / "customers" / "index.html").resolve()
    tab.page.goto(page.as_uri())
    note = tab.page.locator(".crm-index__offline")
    note.wait_for(state="visible")
    assert "crm serve" in note.inner_text()
    assert LABELS["index_offline"].zh in note.inner_text()
    assert visible_rows(tab.page) == []
