"""Issue 15, search that finds, opt-in: with crm.yaml `site.search: pagefind` the header's search box asks
Pagefind's index (site_builder/search.py), tried in a real browser over a copy of the demo data built so.
What is asked and which page is right come from the records (customers/*.yaml), never from numbers copied
out of the demo data. The default (`material`) is tested by every other site test, unchanged.

This module's `site` fixture overrides the session's demo site (tests/browser_site.py) for its own tests, so
the shared `tab` and `tab_factory` open the Pagefind build."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from site_builder.search import initials
from tests.browser_site import ARTIFACTS, DESKTOP, PHONE, PROJECT, Site, Tab, built_and_served, demo_copy
from tests.conftest import DataRepo, invoke_crm

SHORT_NAME = "济南宇桥"  # the issue's example: the start of 济南宇桥商贸科技有限公司's name
ID = "KH-2024002"  # the example: its id gave 36 results with material's search
CUSTOMERS: dict[str, dict[str, object]] = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((PROJECT / "customers").glob("*.yaml"))
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo records with `site.search: pagefind` in crm.yaml, built and served."""
    work = tmp_path_factory.mktemp("search")

    def with_pagefind(config: str) -> str:
        assert "\nsite:\n  title:" in config, "the demo's crm.yaml no longer starts its site: block with title"
        return config.replace("\nsite:\n", "\nsite:\n  search: pagefind\n", 1)

    root = demo_copy(work / "data", with_pagefind)
    with built_and_served(root, work) as served:
        yield served


def _search(tab: Tab, query: str) -> list[str]:
    """Types the query into the header's box as a person does; the result pages' site paths, in order."""
    box = tab.page.locator("input.crm-search__input")
    box.click()
    tab.page.keyboard.type(query)
    tab.page.locator(".crm-search__meta").wait_for(timeout=15_000)
    links = tab.page.locator("a.crm-search__hit").evaluate_all("links => links.map(a => a.href)")
    return [unquote(urlsplit(href).path).lstrip("/") for href in links]


def _company(short: str) -> str:
    return next(cid for cid, record in CUSTOMERS.items() if str(record["name"]).startswith(short))


def test_the_pagefind_site_has_its_index_and_not_materials(site: Site) -> None:
    assert (site.folder / "pagefind" / "pagefind.js").is_file()
    assert not (site.folder / "search" / "search_index.json").exists()


def test_a_companys_short_name_finds_its_page_first(tab: Tab) -> None:
    tab.open("")
    assert _search(tab, SHORT_NAME)[0] == f"customers/{_company(SHORT_NAME)}/"
    snippet = tab.page.locator("a.crm-search__hit").first.locator(".crm-search__excerpt")
    assert snippet.locator("mark").count() >= 1, "the snippet marks the words found"
    assert SHORT_NAME[:2] in snippet.inner_text()
    tab.screenshot("issue15/search-short-name-desktop.png")
    tab.assert_clean()


def test_an_id_gives_that_customer_first(tab: Tab) -> None:
    tab.open("customers/")
    assert _search(tab, ID)[0] == f"customers/{ID}/"
    tab.assert_clean()


def test_pinyin_initials_find_the_company(tab: Tab) -> None:
    typed = initials(SHORT_NAME)
    assert typed == "jnyq"
    tab.open("")
    assert f"customers/{_company(SHORT_NAME)}/" in _search(tab, typed)[:3]
    tab.assert_clean()


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_the_results_fit_the_window(tab_factory: Callable[..., Tab], viewport: dict[str, int]) -> None:
    tab = tab_factory(viewport)
    tab.open("")
    _search(tab, SHORT_NAME)
    panel = tab.page.locator(".crm-search__results").bounding_box()
    assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= viewport["width"] + 1
    ARTIFACTS.joinpath("issue15").mkdir(parents=True, exist_ok=True)
    name = "phone" if viewport["width"] < DESKTOP["width"] else "desktop"
    tab.page.screenshot(path=ARTIFACTS / "issue15" / f"search-results-{name}.png")
    tab.assert_clean()


def test_a_masked_phone_is_neither_in_the_index_nor_found(site: Site, tab: Tab) -> None:
    contacts = CUSTOMERS[ID]["contacts"]
    assert isinstance(contacts, list)
    phone = str(contacts[0]["phone"])
    chunks = [*(site.folder / "pagefind").rglob("*.pf_fragment"), *(site.folder / "pagefind").rglob("*.pf_index")]
    assert chunks, "Pagefind wrote no index chunks"
    text = "\n".join(gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace") for path in chunks)
    assert SHORT_NAME in text, "the chunks read as text (a name is in them)"
    assert phone not in text and phone[3:7] not in text
    tab.open("")
    _search(tab, phone)
    shown = tab.page.locator(".crm-search__results").inner_text()
    assert phone not in shown and phone[3:7] not in shown
    tab.assert_clean()


# --- refused: Pagefind and encryption --------------------------------------------------------------------------


@pytest.mark.parametrize("asked_by", ["--encrypt", "site.encrypt"])
def test_pagefind_with_encryption_is_refused_naming_both(repo: DataRepo, tmp_path: Path, asked_by: str) -> None:
    """Pagefind's worker fetches its chunks past unlock.js's decrypting fetch: an encrypted site could not
    search, so the two are refused together before anything is built."""
    encrypt = "\n  encrypt: true" if asked_by == "site.encrypt" else ""
    repo.config(f"team:\n  ming: {{name: 欧阳明远}}\nlanguage: zh\nsite:\n  search: pagefind{encrypt}\n")
    repo.customer("KH-2024001", name="澜沧翡翠微电子有限公司")
    out = tmp_path / "out"
    flags = ("--encrypt",) if asked_by == "--encrypt" else ()
    result = invoke_crm(
        "build", "--root", str(repo.root), "--out", str(out), *flags, env={"CRM_SITE_PASSWORD": "correct horse"}
    )
    assert result.returncode == 2, result.stderr
    assert "site.search: pagefind" in result.stderr and "--encrypt" in result.stderr
    assert "site.encrypt" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists(), "nothing is written"
