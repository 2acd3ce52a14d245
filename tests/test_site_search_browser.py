"""Issue 15, search that finds: the header's search box (Pagefind, site_builder/search.py) in a real browser
over the demo site. What is asked and which page is right come from the records (customers/*.yaml,
interactions/*/*.yaml), never from numbers copied out of the demo data."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from site_builder.search import initials
from tests import test_site_browser as on_the_site
from tests.test_site_browser import CUSTOMERS, DEMO_AS_OF, PROJECT, Tab

# the browser tests' fixtures, shared with this module
site, browser, tab, tab_factory = on_the_site.site, on_the_site.browser, on_the_site.tab, on_the_site.tab_factory
SHORT_NAME = "济南宇桥"  # the issue's example: the start of 济南宇桥商贸科技有限公司's name
ID = "KH-2024002"  # the example: its id gave 36 results


def _interactions() -> list[dict[str, object]]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((PROJECT / "interactions").rglob("*.yaml"))
    ]


def _shown() -> list[dict[str, object]]:
    """The conversations up to the demo's day (what the site shows)."""

    def day(record: dict[str, object]) -> dt.date:
        value = record["date"]
        return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]

    return [record for record in _interactions() if day(record) <= DEMO_AS_OF]


def _one_customers(candidates: list[tuple[str, str]], every: list[tuple[str, str]]) -> tuple[str, str]:
    """A candidate text that, among all such texts the site shows, belongs to one customer only: its page is
    the one right answer."""
    owners: dict[str, set[str]] = {}
    for text, customer in every:
        owners.setdefault(text, set()).add(customer)
    return next((text, customer) for text, customer in candidates if owners[text] == {customer})


def _search(tab: Tab, query: str) -> list[str]:
    """Types the query into the header's box as a person does; the result pages' site paths, in order."""
    box = tab.page.locator("input.crm-search__input")
    box.click()
    tab.page.keyboard.type(query)
    tab.page.locator(".crm-search__meta").wait_for(timeout=15_000)
    links = tab.page.locator("a.crm-search__hit").evaluate_all("links => links.map(a => a.href)")
    return [unquote(urlsplit(href).path).lstrip("/") for href in links]


def test_a_companys_short_name_finds_its_page_first(tab: Tab) -> None:
    company = next(cid for cid, record in CUSTOMERS.items() if record["name"].startswith(SHORT_NAME))
    tab.open("")
    assert _search(tab, SHORT_NAME)[0] == f"customers/{company}/"
    snippet = tab.page.locator("a.crm-search__hit").first.locator(".crm-search__excerpt")
    assert snippet.locator("mark").count() >= 1, "the snippet marks the words found"
    assert SHORT_NAME[:2] in snippet.inner_text()
    tab.screenshot("issue15/search-short-name-desktop.png")
    tab.assert_clean()


def test_an_id_gives_that_customer_first(tab: Tab) -> None:
    tab.open("handbook/")
    found = _search(tab, ID)
    assert found[0] == f"customers/{ID}/"


def test_an_open_todos_text_finds_its_customer_first(tab: Tab) -> None:
    todos = [(record, todo) for record in _shown() for todo in record.get("todos") or []]  # type: ignore[attr-defined]
    every = [(str(todo["task"]), str(record["customer"])) for record, todo in todos]
    open_ones = [(str(todo["task"]), str(record["customer"])) for record, todo in todos if not todo.get("done")]
    text, customer = _one_customers(open_ones, every)
    tab.open("")
    assert _search(tab, text)[0] == f"customers/{customer}/", text
    assert text[:2] in tab.page.locator("a.crm-search__hit").first.inner_text()


def test_a_conversation_topic_finds_its_customer_first(tab: Tab) -> None:
    topics = [(str(record["topic"]), str(record["customer"])) for record in _shown() if record.get("topic")]
    text, customer = _one_customers(topics, topics)
    tab.open("")
    assert _search(tab, text)[0] == f"customers/{customer}/", text


def test_pinyin_initials_find_the_company(tab: Tab) -> None:
    company = next(cid for cid, record in CUSTOMERS.items() if record["name"].startswith(SHORT_NAME))
    typed = initials(SHORT_NAME)
    assert typed == "jnyq"
    tab.open("")
    assert f"customers/{company}/" in _search(tab, typed)[:3]


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}])
def test_the_results_fit_the_window_and_nothing_private_is_found(tab_factory: Any, viewport: dict[str, int]) -> None:
    tab = tab_factory(viewport)
    tab.open("")
    _search(tab, SHORT_NAME)
    panel = tab.page.locator(".crm-search__results").bounding_box()
    assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= viewport["width"] + 1
    (PROJECT / "test-artifacts" / "issue15").mkdir(parents=True, exist_ok=True)
    name = "phone" if viewport["width"] < 500 else "desktop"
    tab.page.screenshot(path=PROJECT / "test-artifacts" / "issue15" / f"search-results-{name}.png")
    phone = str(CUSTOMERS[ID]["contacts"][0]["phone"])
    tab.page.locator("input.crm-search__input").fill("")
    _search(tab, phone)
    shown = tab.page.locator(".crm-search__results").inner_text()
    assert phone not in shown and phone[3:7] not in shown, "a masked phone number is not in the index"
    tab.assert_clean()
