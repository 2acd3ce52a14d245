"""The site's search with crm.yaml `site.search: pagefind` (opt-in; the default `material` keeps the theme's
built-in search): Pagefind, run over the built pages after mkdocs has written them.

Not the default yet: indexing adds about two minutes to a 10,000-customer build, Pagefind's in-browser query
segmentation of Chinese phrases can miss what its indexer cut otherwise, and its worker cannot read an
encrypted index (so the option is refused with encryption).

Why Pagefind over mkdocs-material's built-in search (benchmarks/issue15_search.py measures both over the
same pages): material's search ships one search_index.json that every browser downloads whole and indexes
with lunr before the first answer. To find conversations (topics, feedback, todos) their text has to be in
the index; at 10,000 customers and 100,000 conversations that file alone weighs tens of megabytes, so the
timelines were left out and todos were never found. Pagefind writes a chunked index: a query fetches the
few chunks holding its words and the fragments of the pages it shows, so the whole text of every page can
be indexed, and ids (KH-2024002) are whole words that find their page first. The extended binary (the
pagefind-bin-extended wheel, no download at build time) segments Chinese.

What is indexed: the article of every page (`data-pagefind-body`), nothing of the navigation. The pages carry
only what the site shows: masked private fields stay masked, an internal build's site is internal. A
customer page adds the pinyin initials of the name (济南宇桥 → jnyq) in a part of the article only the index
reads, so initials typed in the search box find the company as `crm find` does.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Container
from pathlib import Path

from crmdata.records.vocabulary import phrase

FOLDER = "pagefind"
"""Where the index goes in the site; the search box's script loads FOLDER/pagefind.js."""
_ARTICLE = re.compile(r'<article class="md-content__inner')
_HTML = re.compile(r"<html ")
_HEADING = re.compile(r"<h1(?=[ >])")
OWN_HEADING_WEIGHT = 10.0
FURTHER_HEADING_WEIGHT = 0.5
"""Pagefind weighs an h1 7 by default (0 to 10). A customer's own page weighs its heading (the name) most; its
further pages (older conversations, todos: customers/<id>-2/, <id>-todos-2/) carry the same name in a heading
too, and being shorter they came first for the name: theirs weighs little, they are found by their text."""
_FURTHER = re.compile(r"^customers/(.+?)-(?:todos-)?\d+\.md$")


def heading_weight(src: str, customers: Container[str]) -> float | None:
    """How much the index weighs the heading of the page made from `src` (None: Pagefind's default)."""
    further = _FURTHER.match(src)
    if further is not None and further.group(1) in customers:
        return FURTHER_HEADING_WEIGHT
    if src.startswith("customers/") and src.removeprefix("customers/").removesuffix(".md") in customers:
        return OWN_HEADING_WEIGHT
    return None


_COUNTS = re.compile(r"Indexed ([\d,]+) (pages|words)")
_HAN = re.compile(r"[\u4e00-\u9fff]+")


def encrypted_search_refusal(language: object) -> str:
    """Why `site.search: pagefind` and encryption (--encrypt or site.encrypt) are refused together: Pagefind's
    worker fetches its index chunks itself, past the decrypting fetch of unlock.js, so a sealed index could
    not be read (and a plain one would publish the records' text)."""
    return phrase("search_not_encrypted", language)


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed: the message says what it printed."""


def executable() -> Path:
    """The pagefind_extended binary of the installed pagefind-bin-extended wheel."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as missing:
        raise SearchIndexError(f"the pagefind-bin-extended package is not installed ({missing})") from None
    return Path(get_executable())


def initials(name: str) -> str:
    """The pinyin initials of a customer's name as `crm find` takes them (济南宇桥商贸 → jnyqsm); "" for a
    name without Chinese characters. The name is cut at " (" (a page title carries the id after it)."""
    from pypinyin import Style, lazy_pinyin

    chinese = "".join(_HAN.findall(name.split(" (", 1)[0]))
    return "".join(lazy_pinyin(chinese, style=Style.FIRST_LETTER)).lower() if chinese else ""


def mark_page(output: str, words: dict[str, str], hidden: str = "", heading_weight: float | None = None) -> str:
    """The page with its article marked as what the search indexes, `hidden` words inside it that only the
    index reads (a customer's pinyin initials), its heading weighed as `heading_weight` says, and the search
    box's words on <html>."""
    extra = f'<span class="crm-search-only" aria-hidden="true">{html.escape(hidden)}</span>' if hidden else ""
    marked = _ARTICLE.sub('<article data-pagefind-body class="md-content__inner', output, count=1)
    if extra:
        marked = re.sub(r"(<article data-pagefind-body [^>]*>)", lambda m: m.group(1) + extra, marked, count=1)
    if heading_weight is not None:
        marked = _HEADING.sub(f'<h1 data-pagefind-weight="{heading_weight:g}"', marked, count=1)
    attribute = html.escape(json.dumps(words, ensure_ascii=False), quote=True)
    return _HTML.sub(f'<html data-crm-search="{attribute}" ', marked, count=1)


def index_site(site_dir: Path) -> tuple[int, int]:
    """Run Pagefind over the built site; returns the pages and the words it indexed."""
    try:
        ran = subprocess.run(
            [str(executable()), "--site", str(site_dir), "--output-subdir", FOLDER],
            capture_output=True,
            text=True,
            check=False,
            timeout=1800,
        )
    except OSError as failure:
        raise SearchIndexError(f"pagefind could not start: {failure}") from None
    if ran.returncode != 0:
        raise SearchIndexError(f"pagefind failed (exit {ran.returncode}):\n{ran.stdout}{ran.stderr}".rstrip())
    counts = {what: int(number.replace(",", "")) for number, what in _COUNTS.findall(ran.stdout)}
    return counts.get("pages", 0), counts.get("words", 0)
