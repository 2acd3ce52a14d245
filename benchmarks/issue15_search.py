"""Issue 15: which search engine finds what people search for, and how fast, at 10,000 customers.

Two engines over the same built pages: mkdocs-material's built-in search (lunr in a web worker, Chinese
segmented by jieba at build time, one search/search_index.json the browser downloads whole and indexes
before the first answer) and Pagefind (the `pagefind_extended` binary of the pagefind-bin-extended wheel:
Chinese segmented at build time, a chunked index of which the browser loads only the chunks a query needs).
Both are asked the same questions in Debian's chromium, over HTTP, each from a fresh browser context (a
first visit: nothing cached):

- a company's short name (the first four characters of its full name: 济南宇桥 for 济南宇桥商贸科技有限公司),
- its id (KH-…), which should give that customer first, not dozens of pages,
- a conversation topic and an open todo's text (the words the dashboard shows),
- the pinyin initials of a company's name (only an index that carries them can answer).

Printed per engine: the index's size on disk, the bytes the first query fetched, the first query's time
(typing to the first result shown / pagefind.search() answered with the first ten results' data), and per
question the rank of the right page (None: not in the first ten) and the number of results. Asserts nothing.

    python benchmarks/issue15_search.py                              # 10k customers, 100k interactions
    python benchmarks/issue15_search.py --root /tmp/data --site /tmp/site   # reuse a data set and a built site
    python benchmarks/issue15_search.py --customers 1000 --interactions 10000
"""

from __future__ import annotations

import contextlib
import functools
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, data_set, size_parser

AS_OF = "2026-11-24"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGEFIND_FOLDER = "pagefind"
TOP = 10
VERBOSE = "-v" in sys.argv


@dataclass(frozen=True)
class Question:
    what: str
    query: str
    expected: str
    """The site path of the right page ("customers/KH-2024002/")."""


@dataclass
class Answer:
    rank: int | None
    results: int
    seconds: float
    fetched_kb: float


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def questions(root: Path) -> list[Question]:
    """Questions with one right answer each, chosen from the records (never numbers copied from a data set)."""
    customers = [
        yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted((root / "customers").glob("*.yaml"))
    ]
    prefixes: dict[str, int] = {}
    for record in customers:
        prefixes[record["name"][:4]] = prefixes.get(record["name"][:4], 0) + 1
    company = next(record for record in customers if prefixes[record["name"][:4]] == 1 and len(record["name"]) > 6)
    page = f"customers/{company['id']}/"
    asked = [Question("short name", company["name"][:4], page), Question("id", company["id"], page)]
    from pypinyin import Style, lazy_pinyin

    initials = "".join(lazy_pinyin(company["name"][:4], style=Style.FIRST_LETTER))
    asked.append(Question("pinyin initials", initials, page))
    topics: dict[str, list[str]] = {}
    todos: dict[str, list[str]] = {}
    for path in sorted((root / "interactions").rglob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        topics.setdefault(str(record.get("topic", "")), []).append(record["customer"])
        for todo in record.get("todos") or []:
            if not todo.get("done"):
                todos.setdefault(str(todo["task"]), []).append(record["customer"])
    topic = next((text for text, owners in topics.items() if text and len(set(owners)) == 1), None)
    if topic is not None:
        asked.append(Question("topic (one customer's)", topic, f"customers/{topics[topic][0]}/"))
    todo, owners = min(todos.items(), key=lambda item: (len(set(item[1])), item[0]))
    asked.append(Question(f"open todo ({len(set(owners))} customers)", todo, f"customers/{owners[0]}/"))
    return asked


def _first_visit(browser: Any) -> Any:
    return browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()


def _fetched_kb(page: Any, part: str) -> float:
    """Bytes of the search engine's files (URLs containing part) the page fetched since it opened."""
    sizes = page.evaluate(
        "part => performance.getEntriesByType('resource').filter(entry => entry.name.includes(part))"
        ".map(entry => entry.encodedBodySize || 0)",
        part,
    )
    return float(sum(sizes)) / 1024


def ask_material(browser: Any, url: str, question: Question) -> Answer:
    page = _first_visit(browser)
    started = time.perf_counter()  # a first visit: the page opens, the person types at once
    page.goto(url, wait_until="domcontentloaded")
    page.locator("input.md-search__input").click()
    page.keyboard.type(question.query)
    page.keyboard.press("End")  # the keyup material listens to (an IME sends one when the word is committed)
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && /\\d|没有|No matching/.test(m.textContent) }",
        timeout=600_000,
    )
    seconds = time.perf_counter() - started
    links = page.locator(".md-search-result__item > a.md-search-result__link").evaluate_all("as => as.map(a => a.href)")
    paths = list(dict.fromkeys(unquote(urlsplit(href).path).lstrip("/") for href in links))
    digits = "".join(ch if ch.isdigit() else " " for ch in meta.inner_text()).split()
    fetched = _fetched_kb(page, "search/search_index")
    answer = Answer(_rank(paths, question.expected), int(digits[0]) if digits else 0, seconds, fetched)
    page.context.close()
    return answer


def ask_pagefind(browser: Any, url: str, question: Question) -> Answer:
    """Types the question into the site's own search box (crm.js codes Chinese as site_builder.search does)."""
    page = _first_visit(browser)
    fetched: list[int] = []  # Pagefind fetches in its web worker: the page's resource timing does not see them

    def finished(request: Any) -> None:
        if f"/{PAGEFIND_FOLDER}/" in request.url:
            fetched.append(request.sizes()["responseBodySize"])

    page.context.on("requestfinished", finished)
    started = time.perf_counter()
    page.goto(url, wait_until="domcontentloaded")
    box = page.locator("input.crm-search__input")
    box.click()
    page.keyboard.type(question.query)
    page.locator(".crm-search__meta").wait_for(timeout=120_000)
    seconds = time.perf_counter() - started
    links = page.locator("a.crm-search__hit").evaluate_all("links => links.map(a => a.href)")
    meta = page.locator(".crm-search__meta").inner_text()
    counted = [int(number.replace(",", "")) for number in re.findall(r"[\d,]+", meta)]
    paths = [unquote(urlsplit(href).path).lstrip("/") for href in links]
    if VERBOSE:
        print(f"    {question.query}: {paths}")
    answer = Answer(
        _rank(paths, question.expected),
        counted[0] if counted else len(paths),
        seconds,
        sum(fetched) / 1024,
    )
    page.context.close()
    return answer


def _rank(paths: list[str], expected: str) -> int | None:
    top = list(dict.fromkeys(paths))[:TOP]
    return top.index(expected) + 1 if expected in top else None


def folder_kb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1024
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file()) / 1024


def main() -> None:
    parser = size_parser(__doc__, repeat=1)
    parser.add_argument("--site", type=Path, default=None, help="a site already built by `crm build` of --root")
    parser.add_argument("-v", action="store_true", help="print the pages Pagefind answered")
    parser.add_argument(
        "--material-site", type=Path, default=None, help="a site of the same records built with site.search: material"
    )
    args = parser.parse_args()
    root = data_set(args.customers, args.interactions, args.root)
    site = args.site or root.parent / f"{root.name}-site"
    if not (site / "index.html").exists():
        print(f"building the site into {site} ...", flush=True)
        started = time.perf_counter()
        subprocess.run([str(CRM), "build", "--root", str(root), "--as-of", AS_OF, "--out", str(site)], check=True)
        print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    lunr_index = (args.material_site or site) / "search" / "search_index.json"
    pagefind_index = site / PAGEFIND_FOLDER
    if not (pagefind_index / "pagefind.js").exists():
        sys.exit(f"{site} has no Pagefind index: build it with `site.search: pagefind` (the default)")
    asked = questions(root)
    pages = sum(1 for _ in site.rglob("index.html"))
    print(f"\n{pages:,} pages; questions: " + "; ".join(f"{q.what}: {q.query} -> {q.expected}" for q in asked))

    from playwright.sync_api import sync_playwright

    engines: list[tuple[str, Path, Any, Path]] = []
    if lunr_index.exists():
        engines.append(("mkdocs-material (lunr + jieba)", lunr_index, ask_material, lunr_index.parent.parent))
    engines.append(("Pagefind extended (default)", pagefind_index, ask_pagefind, site))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, index, ask, folder in engines:
            print(f"\n== {name}: index {folder_kb(index) / 1024:.1f} MB on disk")
            with served(folder) as url:
                for question in asked:
                    answer = ask(browser, url, question)
                    print(
                        f"  {question.what:<28} {question.query:<14} rank {answer.rank!s:<5} of "
                        f"{answer.results:>6,} results, first query {answer.seconds:6.2f} s, "
                        f"fetched {answer.fetched_kb / 1024:6.2f} MB",
                        flush=True,
                    )
        browser.close()


if __name__ == "__main__":
    main()
