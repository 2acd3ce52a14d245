"""Issue 15, items 4 and 5 in the browser: every "另有 N 条" leads to a view showing all of them, each
owner's day (我的今天) lists the work in the order to do it, and the dashboard's tiles come in priority
order, coloured by whether their move is good, each leading to the list behind its number.

The demo site is built and served once (tests.test_site_browser's fixtures); expectations come from the
pages' own figures, the KPI registry (crmdata.engine.kpis.GOOD_DIRECTION) and the records, never from numbers
copied out of the demo data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urljoin, urlsplit

from crmdata.engine.kpis import GOOD_DIRECTION
from site_builder.pages import DASHBOARD_TILES
from tests.browser_site import DEMO_AS_OF, PHONE, Site, Tab

"""The browser suite's fixtures, which pytest finds here by name (one built site per module)."""
MORE = re.compile(r"另有 (\d+)")
TOTAL = re.compile(r"共 (\d+) 条")
INDEX_FILTERS = {"q", "stage", "owner", "status", "segment", "value", "tier", "sort"}
"""The query names the customer index reads (LAYOUT's branch implements them all; this branch's index reads
q, stage, tier, owner, status and segment, the ones the links here use)."""
WIDE = {"width": 1440, "height": 900}
OWNERS = ("fang", "hua", "jing", "ming", "wei")  # crm.yaml's team keys (the demo's)

MORE_LINKS = """() => Array.from(document.querySelectorAll('.md-content .crm-more a')).map(a => {
    const box = a.closest('p').previousElementSibling;
    const table = box && (box.tagName === 'TABLE' ? box : box.querySelector('table'));
    let shown = null;
    if (table) shown = table.tBodies[0].rows.length;
    else if (box && box.tagName === 'UL') shown = box.querySelectorAll(':scope > li').length;
    return {text: a.textContent.trim(), title: a.title, href: a.href, shown: shown};
})"""

LIST_ROWS = """() => {
    const table = document.querySelector('.md-content table');
    return table ? table.tBodies[0].rows.length : 0;
}"""


def _rows_of_full_list(tab: Tab, url: str) -> int:
    """The rows of a full list, over all its pages (following the pager's next link)."""
    total = 0
    seen = set()
    while url and url not in seen:
        seen.add(url)
        tab.page.goto(url, wait_until="networkidle")
        total += tab.page.evaluate(LIST_ROWS)
        following = tab.page.locator(".crm-list-pager a", has_text="下一页")
        url = urljoin(tab.page.url, following.get_attribute("href")) if following.count() else ""
    return total


def _index_count(tab: Tab, url: str) -> tuple[int, int]:
    """(rows the customer index shows for `url`'s filters, rows rendered on its first page)."""
    tab.page.goto(url, wait_until="networkidle")
    tab.page.wait_for_function("document.querySelector('.crm-filter__count').textContent.length > 0")
    shown = tab.page.locator(".crm-filter__count").text_content() or ""
    rendered = tab.page.locator(".md-content table tbody tr").count()
    return int(shown.split("/")[0].strip()), rendered


def _check_more_links(tab: Tab, path: str) -> int:
    """Every "另有 N 条" of the page at `path` opens a view with all of them; returns how many it checked."""
    tab.open(path)
    links = tab.page.evaluate(MORE_LINKS)
    for link in links:
        more = MORE.search(link["text"])
        assert more, f"{path}: a cut list's link says {link['text']!r}, not how many more"
        total_text = TOTAL.search(link["title"])
        assert total_text, f"{path}: {link['text']} does not say how many there are in all"
        more_count, total = int(more.group(1)), int(total_text.group(1))
        if link["shown"] is not None and re.fullmatch(r"另有 \d+ 条", link["text"]):
            assert link["shown"] + more_count == total, f"{path}: {link['shown']} shown + {more_count} more ≠ {total}"
        target = urlsplit(link["href"])
        if target.path.endswith("/customers/"):
            query = parse_qs(target.query)
            assert query and set(query) <= INDEX_FILTERS, f"{path}: {link['href']} is not a filtered index view"
            # LEAD, after merging LAYOUT: this assertion needs the index to read these query names (it does
            # on this branch for q/stage/tier/owner/status/segment); it must still hold on main.
            count, rendered = _index_count(tab, link["href"])
            assert count == total, f"{path}: {link['text']} leads to an index showing {count}, not {total}"
            assert rendered == min(total, 100)
        else:
            assert "/lists/" in target.path, f"{path}: {link['href']} is neither the index nor a full list"
            rows = _rows_of_full_list(tab, link["href"])
            assert rows == total, f"{path}: {link['text']} leads to {rows} rows, not {total}"
            assert rows >= more_count
        tab.page.goto(tab.site.url + path, wait_until="networkidle")
    return len(links)


def test_every_more_link_leads_to_a_view_showing_all_of_them(tab: Tab) -> None:
    checked = 0
    pages = ["", "followups/", "plans/", "renewals/", "pipeline/", "owners/"]
    pages += [f"owners/{owner}/" for owner in OWNERS] + [f"today/{owner}/" for owner in OWNERS]
    for path in pages:
        checked += _check_more_links(tab, path)
    assert checked >= 5, f"only {checked} cut lists on the dashboard and work pages: the test checked too little"
    tab.assert_clean()


def test_no_page_says_more_without_leading_there(tab: Tab) -> None:
    """No bare "另有 N 条": the phrase is always a link (the customer page is CUSTOMER's, checked there)."""
    for path in ["", "followups/", "plans/", "renewals/", "pipeline/", *[f"owners/{o}/" for o in OWNERS]]:
        soup = tab.site.html(path)
        article = soup.select_one("article")
        assert article is not None
        for element in article.find_all(string=MORE):
            assert element.find_parent("a") is not None, f"{path}: {element.strip()!r} leads nowhere"


def _day_rows(tab: Tab, part: str) -> list[list[str]]:
    rows: list[list[str]] = tab.page.evaluate(
        """part => {
            const heading = document.getElementById(part);
            let box = heading.nextElementSibling, table = null;
            while (box && box.tagName !== 'H2' && !table) {
                table = box.tagName === 'TABLE' ? box : box.querySelector('table');
                box = box.nextElementSibling;
            }
            if (!table) return [];
            return Array.from(table.tBodies[0].rows, row => Array.from(row.cells, c => c.textContent.trim()));
        }""",
        part,
    )
    return rows


def test_each_owners_day_lists_the_work_in_the_order_to_do_it(tab_factory: Callable[..., Tab], site: Site) -> None:
    tab = tab_factory()
    kinds: set[str] = set()
    week_end = DEMO_AS_OF + dt.timedelta(days=6)
    overdue_todos = 0
    for owner in OWNERS:
        tab.open(f"today/{owner}/")
        headings = tab.page.locator(".md-content h2").all_text_contents()
        assert [h.split("（")[0].split(" (")[0] for h in headings[:3]] == ["已逾期", "今天", "本周"], headings
        overdue = _day_rows(tab, "overdue")
        late = [int(row[3]) for row in overdue]
        assert late == sorted(late, reverse=True), f"{owner}: overdue not longest first: {late}"
        assert all(days > 0 for days in late)
        assert all(row[2] == DEMO_AS_OF.isoformat() for row in _day_rows(tab, "today"))
        week = [dt.date.fromisoformat(row[2]) for row in _day_rows(tab, "week")]
        assert week == sorted(week) and all(DEMO_AS_OF < day <= week_end for day in week), week
        for part in ("overdue", "today", "week"):
            kinds |= {row[0] for row in _day_rows(tab, part)}
        heading = tab.page.locator("#overdue").text_content() or ""
        count = int(re.search(r"\((\d+)\)", heading).group(1))  # type: ignore[union-attr]
        if count > len(overdue):  # the rest is a full list of the owner's overdue work
            rows = tab.page.evaluate(
                f"() => Array.from(document.querySelectorAll('a[href*=\"lists/overdue-{owner}\"]')).length"
            )
            assert rows == 1
        overdue_todos += sum(row[0] == "待办" for row in overdue)
    assert {"跟进", "待办", "维护计划"} <= kinds, kinds
    tile = site.html("").select_one(".crm-tile--overdue_todos .crm-tile__value")
    assert tile is not None
    assert overdue_todos == int(tile.get_text()), "every overdue todo is on its owner's day"
    tab.assert_clean()


def test_the_owners_day_is_linked_from_the_dashboard_owners_and_followups(tab: Tab) -> None:
    tab.open("")
    names = tab.page.locator(".crm-my-day a")
    assert names.count() == len(OWNERS)
    names.first.click()
    tab.page.wait_for_load_state("networkidle")
    assert "/today/" in tab.page.url and "的今天" in (tab.page.locator("h1").text_content() or "")
    for path in ["owners/", "followups/", f"owners/{OWNERS[0]}/"]:
        tab.open(path)
        assert tab.page.locator(".md-content a[href*='today/']").count() >= 1, path
    tab.assert_clean()


TILES = """() => Array.from(document.querySelectorAll('.crm-tile')).map(tile => {
    const trend = tile.querySelector('.crm-tile__trend');
    return {
        key: Array.from(tile.classList).find(name => name.startsWith('crm-tile--')).slice('crm-tile--'.length),
        href: tile.href,
        value: tile.querySelector('.crm-tile__value').textContent.trim(),
        trend: trend.textContent.trim(),
        judged: Array.from(trend.classList).find(name => name.startsWith('crm-trend--')).slice('crm-trend--'.length),
        color: getComputedStyle(trend).color,
    };
})"""


def _number(text: str) -> float:
    """A tile's figure as a number: 12, 58%, ¥103.2万, 3.8."""
    digits = re.sub(r"[^\d.]", "", text)
    return float(digits) * (10_000 if "万" in text else 1)


def _rgb(color: str) -> tuple[int, int, int]:
    red, green, blue = (int(part) for part in re.findall(r"\d+", color)[:3])
    return red, green, blue


def test_tiles_come_in_priority_order_coloured_by_what_their_move_means(tab_factory: Callable[..., Tab]) -> None:
    for scheme in ("light", "dark"):
        tab = tab_factory(WIDE)
        tab.open("")
        if scheme == "dark":  # the palette toggle, as a person switches
            tab.page.locator("label[for='__palette_1']").click()
            tab.page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
        tiles = tab.page.evaluate(TILES)
        assert [tile["key"] for tile in tiles] == [key for key, _ in DASHBOARD_TILES]
        judged_seen = set()
        for tile in tiles:
            if tile["judged"] == "same":
                assert "▲" not in tile["trend"] and "▼" not in tile["trend"], tile
                continue
            now, before = _number(tile["value"]), _number(tile["trend"].split("30天前")[1])
            arrow = "▲" if now > before else "▼"
            assert tile["trend"].startswith(arrow), tile
            good = GOOD_DIRECTION[tile["key"]]
            expected = "neutral" if good == "neutral" else ("good" if (arrow == "▲") == (good == "up") else "bad")
            assert tile["judged"] == expected, tile
            red, green, _ = _rgb(tile["color"])
            if expected == "good":
                assert green > red, f"{tile['key']} moved the good way but is not green: {tile['color']}"
            if expected == "bad":
                assert red > green, f"{tile['key']} moved the bad way but is not red: {tile['color']}"
            judged_seen.add(expected)
        assert {"good", "bad"} <= judged_seen, "the demo has KPIs moving both ways: both colours must show"
        tab.screenshot(f"issue15/morning-dashboard-{scheme}.png")
        tab.assert_clean()


def test_each_tile_leads_to_the_list_behind_its_number(tab: Tab) -> None:
    tab.open("")
    tiles = tab.page.evaluate(TILES)
    counted = 0
    for tile in tiles:
        target = urlsplit(tile["href"])
        if target.path.endswith("/customers/"):
            # LEAD, after merging LAYOUT: needs the index to read the tile's query (status/segment/stage).
            count, _ = _index_count(tab, tile["href"])
            if tile["key"] in ("overdue_followups", "silent_customers"):
                assert count == int(tile["value"]), f"{tile['key']}: {tile['value']} but the index shows {count}"
                counted += 1
            else:
                assert count > 0, tile
        elif "/lists/" in target.path:
            rows = _rows_of_full_list(tab, tile["href"])
            if tile["key"] in ("overdue_todos", "open_complaints", "renewals_due"):
                assert rows == int(tile["value"]), f"{tile['key']}: {tile['value']} but the list has {rows} rows"
                counted += 1
            else:
                assert rows > 0, tile
        else:
            tab.page.goto(tile["href"], wait_until="networkidle")
            if target.fragment:
                assert tab.page.locator(f"[id='{target.fragment}']").count() == 1, tile["href"]
    assert counted >= 4
    tab.assert_clean()


def test_the_owners_day_reads_on_a_phone(tab_factory: Callable[..., Tab]) -> None:
    tab = tab_factory(PHONE)
    tab.open(f"today/{OWNERS[0]}/")
    assert tab.page.locator("#overdue").is_visible()
    assert tab.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the page scrolls sideways"
    widths = tab.page.evaluate(
        "Array.from(document.querySelectorAll('.md-content table'), t => [t.scrollWidth, t.parentElement.clientWidth])"
    )
    assert widths and all(inner <= outer for inner, outer in widths), f"a row of work is cut on a phone: {widths}"
    tab.screenshot("issue15/morning-today-phone.png")
    tab.assert_clean()
