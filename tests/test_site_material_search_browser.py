"""mkdocs-material's own search (crm.yaml `site.search: material`), kept as a choice beside the default Pagefind:
its search box over the demo records, in a real browser.

This module's `site` fixture overrides the session's demo site (tests/browser_site.py) for its own test, so the
shared `tab` opens the material build."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser_site import Site, Tab, built_and_served, demo_copy
from tests.test_site_browser import CUSTOMERS, SEARCH_WORD


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo records with `site.search: material` in crm.yaml, built and served."""
    work = tmp_path_factory.mktemp("material")

    def with_material(config: str) -> str:
        assert "\nsite:\n" in config, "the demo's crm.yaml has no site: block"
        return config.replace("\nsite:\n", "\nsite:\n  search: material\n", 1)

    with built_and_served(demo_copy(work / "data", with_material), work) as served:
        yield served


def test_searching_a_chinese_word_finds_the_pages_with_it(tab: Tab, site: Site) -> None:
    industry = {cid for cid, record in CUSTOMERS.items() if record.get("industry") == SEARCH_WORD}
    assert industry, f"no customer of the demo data is in the industry {SEARCH_WORD}"
    tab.open("")
    box = tab.page.locator("input.md-search__input")
    box.click()
    # playwright types characters outside the US keyboard as text input, without the keyup material listens
    # to (an IME sends one when the word is committed); End gives the keyup and changes nothing.
    tab.page.keyboard.type(SEARCH_WORD)
    tab.page.keyboard.press("End")
    results = tab.page.locator(".md-search-result__item > a.md-search-result__link")
    results.first.wait_for(timeout=10_000)
    assert re.search(r"\d+", tab.page.locator(".md-search-result__meta").inner_text())

    pages = list(dict.fromkeys(urlsplit(href).path for href in results.evaluate_all("as => as.map(a => a.href)")))
    for path in pages[:3]:
        text = site.html(unquote(path)).select_one(".md-content").get_text()
        assert SEARCH_WORD in text, f"search result {path} does not contain {SEARCH_WORD}"
    found = {path.rstrip("/").rsplit("/", 1)[-1] for path in pages}
    assert industry <= found, f"customers in {SEARCH_WORD} missing from the results: {industry - found}"
    tab.assert_clean()
