"""A big CRM's search index in parts (site_builder/search.py SHARD_CUSTOMERS): Pagefind holds a whole index in
memory while it writes it, so customer pages are indexed in parts of about SHARD_CUSTOMERS customers, one after
another, and the browser merges them into one search. Here the part size is lowered to a few customers so the
demo records make several parts; the build runs in this process (invoke_crm) to see the lowered size.

This module's `site` fixture overrides the session's demo site (tests/browser_site.py), so the shared `tab`
opens the build in parts."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder import search
from tests.browser_site import DEMO_AS_OF, Site, Tab, demo_copy, serving
from tests.conftest import invoke_crm
from tests.pagefind_index import fragments
from tests.test_site_search_browser import CUSTOMERS, _search

PART = 8  # customers per part: the demo's records make several parts


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    work = tmp_path_factory.mktemp("parts")
    root = demo_copy(work / "data", lambda config: config)
    out = work / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_CUSTOMERS", PART)
        built = invoke_crm("build", "--root", str(root), "--as-of", DEMO_AS_OF.isoformat(), "--out", str(out))
    assert built.returncode == 0, built.stderr
    with serving(out) as served:
        yield served


def parts_of(site: Site) -> list[Path]:
    return sorted(path for path in (site.folder / search.FOLDER).iterdir() if path.is_dir() and path.name[0] == "s")


def test_customer_pages_are_indexed_in_parts_each_customer_in_one(site: Site) -> None:
    parts = parts_of(site)
    assert len(parts) == -(-len(CUSTOMERS) // PART)
    main = fragments(site.folder)
    assert (site.folder / search.FOLDER / "pagefind.js").is_file(), "the main bundle carries Pagefind's code"
    assert not any(url.startswith("/customers/KH-") for url in main), "customer pages are in the parts only"
    placed: dict[str, str] = {}
    for part in parts:
        assert not list(part.glob("*.js")) and not list(part.glob("wasm.*")), f"{part.name} carries code"
        for url in fragments(site.folder, part.name):
            customer = url.strip("/").split("/")[1]
            if customer in CUSTOMERS:
                assert placed.setdefault(customer, part.name) == part.name, f"{customer} in two parts"
    assert set(placed) == set(CUSTOMERS), "every customer's page is in a part"
    for customer, part_name in placed.items():  # a stable place: the id's hash decides
        assert part_name == f"s{zlib.crc32(customer.encode()) % len(parts)}"


@pytest.mark.parametrize("pick", [0, 1, 2], ids=["first", "second", "third"])
def test_a_customer_of_any_part_is_found_first_by_id_and_short_name(site: Site, tab: Tab, pick: int) -> None:
    """One customer from each of three different parts: the merged search finds it first."""
    by_part: dict[str, str] = {}
    for customer in sorted(CUSTOMERS):
        by_part.setdefault(f"s{zlib.crc32(customer.encode()) % len(parts_of(site))}", customer)
    customer = sorted(by_part.values())[pick]
    tab.open("")
    assert _search(tab, customer)[0] == f"customers/{customer}/"
    tab.open("")
    short = str(CUSTOMERS[customer]["name"])[:4]
    assert _search(tab, short)[0] == f"customers/{customer}/", short
    tab.assert_clean()
