"""The satisfaction analysis page (满意度分析) and the charts of the site in a real browser (issue 15, items 8
and 9): figures that match the records, small groups flagged, charts readable at phone width, alt texts in
the site's language.

Expectations come from the demo records, counted here independently of crmdata.engine.satisfaction.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import urlsplit

import yaml

from crmdata.records.vocabulary import term
from tests.browser_site import DEMO_AS_OF, PHONE, PROJECT, Site, Tab
from tests.test_site_browser import _day
from tests.test_site_customer_browser import demo_interactions

WINDOW_START = dt.date(2025, 12, 1)  # the twelve months up to the demo day's month
MIN_GROUP = 5
TEAM = yaml.safe_load((PROJECT / "crm.yaml").read_text(encoding="utf-8"))["team"]


def scored() -> list[dict[str, object]]:
    return [
        record
        for record in demo_interactions()
        if WINDOW_START <= _day(record["date"]) <= DEMO_AS_OF and record.get("satisfaction") is not None
    ]


def expected_groups(key: Callable[[dict[str, object]], str]) -> dict[str, tuple[int, float]]:
    found: dict[str, list[int]] = defaultdict(list)
    for record in scored():
        found[key(record)].append(int(str(record["satisfaction"])))
    return {name: (len(scores), sum(scores) / len(scores)) for name, scores in found.items()}


def section_rows(tab: Tab, anchor: str) -> list[list[str]]:
    rows: list[list[str]] = tab.page.evaluate(
        """anchor => {
            const heading = document.getElementById(anchor);
            let el = heading.nextElementSibling;
            while (el && !el.querySelector('table')) el = el.nextElementSibling;
            return Array.from(el.querySelector('table').tBodies[0].rows, row =>
                Array.from(row.cells, cell => cell.textContent.trim()));
        }""",
        anchor,
    )
    return rows


def test_the_page_is_in_the_navigation_and_its_figures_match_the_records(tab: Tab) -> None:
    tab.open()
    tab.page.get_by_role("link", name="满意度分析").first.click()
    tab.page.wait_for_load_state("networkidle")
    assert tab.page.locator("h1").inner_text().rstrip("¶") == "满意度分析"
    records = scored()
    mean = sum(int(str(r["satisfaction"])) for r in records) / len(records)
    assert f"共 {len(records)} 次评分，平均 {mean:.1f} 分" in tab.page.locator(".md-content").inner_text()
    for anchor, key in (
        ("by_channel", lambda r: term(str(r["channel"]), "zh", "channel")),
        ("by_owner", lambda r: TEAM[str(r["owner"])]["name"]),
        ("by_kind", lambda r: term(str(r.get("kind", "followup")), "zh", "kind")),
    ):
        expected = expected_groups(key)
        rows = section_rows(tab, anchor)
        shown = {re.sub(r"\s*样本太少$", "", row[0]): (int(row[1]), row[2]) for row in rows}
        assert shown == {name: (count, f"{m:.1f}") for name, (count, m) in expected.items()}, anchor
        for row in rows:
            assert ("样本太少" in row[0]) == (int(row[1]) < MIN_GROUP), f"{anchor}: {row} flagged wrongly"
    tab.screenshot("issue15/satisfaction-desktop-light.png")
    tab.assert_clean()


def test_every_group_factor_has_its_section_and_complaints_have_their_topics(tab: Tab) -> None:
    tab.open("satisfaction/")
    for anchor in ("by_channel", "by_kind", "by_owner", "by_industry", "by_type", "by_tier", "complaint_topics"):
        assert tab.page.locator(f"#{anchor}").count() == 1, f"no section {anchor}"
    complaints = [
        r for r in demo_interactions() if r.get("kind") == "complaint" and WINDOW_START <= _day(r["date"]) <= DEMO_AS_OF
    ]
    assert complaints, "the demo data has no complaint in the last twelve months"
    rows = section_rows(tab, "complaint_topics")
    counted = {row[0]: int(row[1]) for row in rows}
    for complaint in complaints:
        assert str(complaint["topic"]) in counted
    assert sum(counted.values()) == len(complaints)
    tab.assert_clean()


def chart_text_px(site: Site, tab: Tab) -> list[tuple[str, float]]:
    """Each shown chart on the open page: its file and its smallest text in CSS pixels as drawn."""
    images = tab.page.locator(".md-content img[src*='assets/charts/']").evaluate_all(
        "images => images.filter(i => i.getClientRects().length).map(i => [i.currentSrc || i.src, i.clientWidth])"
    )
    found = []
    for src, width in images:
        path = site.folder / urlsplit(src).path.lstrip("/")
        svg = path.read_text(encoding="utf-8")
        box = float(str(ET.fromstring(svg.encode()).get("viewBox")).split()[2])
        sizes = [float(size) for size in re.findall(r"font(?:-size)?: (?:[a-z]+ )*([\d.]+)px", svg)]
        assert sizes, f"{path.name}: no text size"
        found.append((path.name, min(sizes) * width / box))
    return found


def test_chart_text_is_at_least_11_px_on_a_phone(tab_factory: Callable[..., Tab], site: Site) -> None:
    tab = tab_factory(PHONE)
    for page in ("", "satisfaction/", "pipeline/"):
        tab.open(page)
        measured = chart_text_px(site, tab)
        assert measured, f"no chart shown on /{page}"
        small = [(name, round(px, 1)) for name, px in measured if px < 11]
        assert small == [], f"chart text under 11 px on a 390 px phone on /{page}: {small}"
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    tab.open("satisfaction/")
    tab.screenshot("issue15/satisfaction-phone-light.png")
    tab.assert_clean()


ENGLISH = re.compile(r"\b(in all|most in|lowest|highest|latest|No data|By series|to)\b")


def test_every_chart_alt_is_in_the_sites_language(site: Site) -> None:
    checked = 0
    for page in sorted(site.folder.rglob("index.html")):
        for image in site.html(str(page.parent.relative_to(site.folder)) + "/").select("img[src*='assets/charts/']"):
            alt = str(image.get("alt", ""))
            assert alt, f"{page}: a chart without a text alternative"
            assert not ENGLISH.search(alt), f"{page.relative_to(site.folder)}: English in a chart's alt: {alt}"
            assert re.search(r"[\u4e00-\u9fff]", alt), f"{page.relative_to(site.folder)}: alt not in Chinese: {alt}"
            checked += 1
    assert checked >= 10, f"only {checked} charts found"
    for svg in site.folder.glob("assets/charts/*.svg"):
        desc = ET.fromstring(svg.read_bytes()).find("{http://www.w3.org/2000/svg}desc")
        assert desc is not None and not ENGLISH.search(desc.text or ""), f"{svg.name}: {desc}"
