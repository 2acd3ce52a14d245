"""The site's search (crm.yaml `site.search: pagefind`, the default; `material` keeps the theme's built-in
search): Pagefind, run beside mkdocs over pages of its own that hold what the index needs (PartIndexing: each
part of the index as soon as mkdocs has written its pages).

Why Pagefind over mkdocs-material's built-in search (benchmarks/issue15_search.py measures both over the
same pages): material's search ships one search_index.json that every browser downloads whole and indexes
with lunr before the first answer. To find conversations (topics, feedback, todos) their text has to be in
the index; at 10,000 customers and 100,000 conversations that file alone weighs tens of megabytes, so the
timelines were left out and todos were never found. Pagefind writes a chunked index: a query fetches the
few chunks holding its words and the fragments of the pages it shows, so the whole text of every page can
be indexed, and ids (KH-2024002) are whole words that find their page first.

What is indexed (index_page, written into the cache at the site's paths, never published): a page's heading
and article as words, Chinese as coded pairs of characters (grams), which crm.js makes of a typed query the
same way; a customer page adds the pinyin initials of the name (济南宇桥 → jnyqsmkjyxgs), so initials typed in
the search box find the company as `crm find` does. The pages carry only what the site shows: masked private
fields stay masked, an internal build's site is internal. A big CRM's customer pages are indexed in parts
(SHARD_CUSTOMERS) that the browser merges; an encrypted site keeps Pagefind's code plain and seals its index
(code_files)."""

from __future__ import annotations

import ctypes
import functools
import gc
import html
import json
import os
import re
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from crmdata.system.safe_paths import remove_tree
from crmdata.system.workers import dying_with_this_process

FOLDER = "pagefind"
"""Where the index goes in the site; the search box's script loads FOLDER/pagefind.js."""
OWN_HEADING_WEIGHT = 10.0
FURTHER_HEADING_WEIGHT = 0.5
HEADING_WEIGHT = 7.0
"""Pagefind weighs an h1 7 by default (0 to 10); the heading's words are indexed apart from the page (below), so
their weight is given here. A customer's own page weighs its heading (the name) most; its further pages (older
conversations, todos: customers/<id>-2/, <id>-todos-2/) carry the same name in a heading too, and being shorter
they came first for the name: theirs weighs little, they are found by their text."""
_FURTHER = re.compile(r"^customers/(.+?)-(?:todos-)?\d+\.md$")
_NOT_INDEXED = ("lists/", "today/")
"""Pages that repeat customer rows shown elsewhere (the lists behind the dashboard's tiles, each owner's morning):
they crowded the results and cost indexing time. The rows' customers are found by their own pages."""
_SUMMARISED = ("help/",)


@dataclass(frozen=True)
class Indexing:
    """How the index takes a page: its whole text, or its heading and description only (an overview page: an
    owner, a segment, the dashboard), and the weight of its heading."""

    whole: bool
    heading_weight: float


SHARD_CUSTOMERS = 400
"""Customers at most per part of the index. Pagefind holds a whole index in memory while it writes it, about
0.6 MB a page (7.1 GB for the 11,900 indexed pages of 10,000 customers in one index): customer pages are indexed
in parts of at most this size (smaller while they are few: shard_names), one at a time beside the build (about
300 MB each), which the browser merges
into one search (pagefind.mergeIndex). Smaller parts cost more requests at a first query (one chunk per part and
word); this size keeps the build under 1 GB at 10,000 customers. The other pages (the guide, overviews) make
the main part."""
MAIN = "main"
"""The part of the index with every page that is not a customer's; its bundle holds Pagefind's code."""


SMALL_PART_CUSTOMERS = 50
"""Customers per part while there are at most PARTS parts: after an edit only the edited customer's part is
indexed again (about 3 ms a page, after the last page is written: the build waits for it), so smaller parts
make a mid-sized CRM's next build faster (1,000 customers: 50 in the edited part, not 334)."""
PARTS = 25
"""Parts a first query reads an entry of, up to 10,000 customers; beyond, parts of SHARD_CUSTOMERS."""


def shard_names(customers: int) -> list[str]:
    """The parts the customer pages are indexed in (none: they go in the main part): parts of
    SMALL_PART_CUSTOMERS up to PARTS parts, then of SHARD_CUSTOMERS (Pagefind's memory) at most."""
    count = max(-(-customers // SHARD_CUSTOMERS), min(PARTS, -(-customers // SMALL_PART_CUSTOMERS)))
    return [f"s{number}" for number in range(count)] if count > 1 else []


def customer_of(src: str, customers: Container[str]) -> str | None:
    """The customer whose page (its own, or a further page of conversations or todos) `src` makes."""
    further = _FURTHER.match(src)
    if further is not None and further.group(1) in customers:
        return further.group(1)
    own = src.removeprefix("customers/").removesuffix(".md")
    return own if src.startswith("customers/") and own in customers else None


def shard_of(src: str, shards: Sequence[str], customers: Container[str]) -> str:
    """Which part of the index the page made from `src` goes to: a customer's pages by a stable hash of the id
    (a customer stays in its part from build to build), every other page to MAIN."""
    customer = customer_of(src, customers) if shards else None
    return MAIN if customer is None else shards[zlib.crc32(customer.encode("utf-8")) % len(shards)]


def give_back_freed_memory() -> None:
    """Before Pagefind starts beside this process: collect what the build no longer holds and hand the C
    allocator's free pages back to the system (glibc's malloc_trim), so the two together stay under the 1 GB a
    10,000-customer build is allowed. Elsewhere (no glibc) nothing more than the collection happens."""
    gc.collect()
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


class PartIndexing:
    """The search index written part by part, each part as soon as its index pages are all written: the
    plugin says `ready(part)` when the last page of a part is (the site's pages are written part after part),
    so Pagefind indexes on another core while the rest of the site is being written; `finish()` takes every
    part not ready yet and waits for all.

    MAIN is the bundle itself, each shard a folder of its own inside it without Pagefind's code (the browser
    runs the main bundle's). `reuse(part)` first, when given: True means the part's bundle from an earlier
    build is in place and still current (site_builder.reuse), and it is left as it is; any other part's
    output is cleared before Pagefind writes it (Pagefind adds files, it never removes any). `progress(done,
    total, pages)` after each part indexed. Pagefind indexes a part on one core; `at_once` Pagefinds run side by
    side (each holds its part's index: the plugin keeps one beside the build, within the 10,000-customer
    build's 1 GB). `adopt(part, output)`, when given, may move an index of the part made already into `output`
    (site_builder.early_search) and return its pages and words; None: the part is indexed. Leaving the block by
    an exception kills and waits for every Pagefind still running."""

    def __init__(
        self,
        pages: Path,
        bundle: Path,
        shards: Sequence[str],
        progress: Callable[[int, int, int], None] | None = None,
        reuse: Callable[[str], bool] | None = None,
        at_once: int = 1,
        adopt: Callable[[str, Path], tuple[int, int] | None] | None = None,
    ) -> None:
        self.pages, self.bundle, self.shards = pages, bundle, list(shards)
        self.names = [MAIN, *self.shards]
        self.progress, self.reuse, self.adopt = progress, reuse, adopt
        self.indexers = Indexers(at_once)
        self.handled: set[str] = set()
        self.waiting: list[str] = []
        self.done = 0
        self.counts: dict[str, tuple[int, int]] = {}
        """Per part indexed: the pages and words Pagefind says it indexed."""
        self.reused: list[str] = []
        self.freed = False

    def __enter__(self) -> PartIndexing:
        return self

    def __exit__(self, *exc: object) -> None:
        self.indexers.__exit__()

    def ready(self, name: str) -> None:
        """Every index page of part `name` is written: index it now (or when a Pagefind is free)."""
        if name in self.handled:
            return
        self.handled.add(name)
        if not (self.pages / name).is_dir():
            self.done += 1
            return
        if self.reuse is not None and self.reuse(name):
            self.reused.append(name)
            self.done += 1
            return
        clear_part(self.bundle, name, self.shards)
        adopted = self.adopt(name, self._output(name)) if self.adopt is not None else None
        if adopted is not None:  # indexed already, from these very index pages (site_builder.early_search)
            self._indexed(name, adopted)
            return
        self.waiting.append(name)
        self.poll()

    def poll(self) -> None:
        """Without waiting: take the parts Pagefind has finished, start the waiting ones there is room for."""
        for name, counts in self.indexers.finished():
            self._indexed(name, counts)
        while self.waiting and not self.indexers.full():
            if not self.freed:
                give_back_freed_memory()
                self.freed = True
            name = self.waiting.pop(0)
            self.indexers.start(name, self.pages / name, self._output(name))

    def finish(self) -> tuple[int, int, list[str]]:
        """Every part not ready yet is now; wait until all are indexed. Returns the pages and words indexed
        and the names of the parts reused."""
        for name in self.names:
            self.ready(name)
        self.poll()
        while self.indexers.running:
            for name, counts in self.indexers.wait():
                self._indexed(name, counts)
            self.poll()
        pages = sum(counts[0] for counts in self.counts.values())
        return pages, sum(counts[1] for counts in self.counts.values()), self.reused

    def forget(self, name: str) -> None:
        """Take a part that was ready as not ready again (a page of it was written afterwards): its Pagefind,
        if running, is waited for, and the part is indexed again when it is next ready."""
        while name in self.indexers.running:
            for found, counts in self.indexers.wait():
                self._indexed(found, counts)
        if name in self.waiting:
            self.waiting.remove(name)
        elif name in self.handled:
            self.done -= 1
        self.handled.discard(name)
        self.counts.pop(name, None)
        if name in self.reused:
            self.reused.remove(name)

    def _output(self, name: str) -> Path:
        return self.bundle if name == MAIN else self.bundle / name

    def _indexed(self, name: str, counts: tuple[int, int]) -> None:
        self.done += 1
        self.counts[name] = counts
        if name != MAIN:  # a shard keeps only its index files
            for path in self._output(name).iterdir():
                if path.is_file() and not path.name.endswith(_RECORD_FILES):
                    path.unlink()
        if self.progress is not None and len(self.names) > 1:
            self.progress(self.done, len(self.names), counts[0])


PART_TIMEOUT = 1800.0


class Indexers:
    """Pagefind children, one per part being indexed; leaving the block by an exception (a stop signal, a
    failed part) kills and waits for the ones still running, so none outlives crm."""

    def __init__(self, at_once: int) -> None:
        self.at_once = max(1, at_once)
        self.running: dict[str, tuple[subprocess.Popen[bytes], IO[bytes], float]] = {}

    def __enter__(self) -> Indexers:
        return self

    def __exit__(self, *exc: object) -> None:
        for process, printed, _ in self.running.values():
            if process.poll() is None:
                process.kill()
            process.wait()
            printed.close()
        self.running.clear()

    def full(self) -> bool:
        return len(self.running) >= self.at_once

    def start(self, name: str, site: Path, output: Path) -> None:
        printed = tempfile.TemporaryFile()  # noqa: SIM115  # closed when the part ends; a file, not a pipe: no child waits for us to read
        command = [str(executable()), "--site", str(site), "--output-path", str(output)]
        try:
            process = subprocess.Popen(
                [*command, "--force-language", INDEX_LANGUAGE],
                stdout=printed,
                stderr=subprocess.STDOUT,
                preexec_fn=dying_with_this_process(),  # None unless single-threaded (it says why)
            )
        except OSError as failure:
            printed.close()
            raise SearchIndexError(f"pagefind could not start: {failure}") from None
        self.running[name] = (process, printed, time.monotonic())

    def wait(self) -> list[tuple[str, tuple[int, int]]]:
        """Wait until a part is indexed: the parts whose Pagefind has ended, as `finished` gives them."""
        while True:
            found = self.finished()
            if found:
                return found
            time.sleep(0.02)

    def finished(self) -> list[tuple[str, tuple[int, int]]]:
        """Without waiting: the parts whose Pagefind has ended, each with the pages and words it indexed."""
        found = []
        for name, (process, printed, started) in list(self.running.items()):
            if process.poll() is None:
                if time.monotonic() - started > PART_TIMEOUT:
                    raise SearchIndexError(f"pagefind took longer than {PART_TIMEOUT:.0f} s (part {name})")
                continue
            del self.running[name]
            printed.seek(0)
            text = printed.read().decode("utf-8", "replace")
            printed.close()
            if process.returncode != 0:
                raise SearchIndexError(f"pagefind failed (exit {process.returncode}):\n{text}".rstrip())
            counts = {what: int(number.replace(",", "")) for number, what in _COUNTS.findall(text)}
            found.append((name, (counts.get("pages", 0), counts.get("words", 0))))
        return found


def clear_part(bundle: Path, name: str, shards: Sequence[str]) -> None:
    """Remove what an earlier build wrote of one part of the bundle: a shard's folder, or for MAIN everything
    but the shards' folders. Removing (never writing into) files is what keeps a hard link to the previous
    site's file from being written through (site_builder.reuse)."""
    if not os.path.lexists(bundle):
        return
    if name != MAIN:
        remove_tree(bundle / name)
        return
    with os.scandir(bundle) as entries:
        listed = [entry for entry in entries if entry.name not in shards]
    for entry in listed:
        remove_tree(Path(entry.path))


def indexing(src: str, customers: Container[str], generated: Container[str]) -> Indexing | None:
    """How the page made from `src` is indexed; None: not at all. Customer pages, the guide and the team's own
    pages whole; the other generated pages (owners, segments, the dashboard, plans …) by heading and
    description; the lists and the mornings not."""
    customer = customer_of(src, customers)
    if customer is not None:
        own = src == f"customers/{customer}.md"
        return Indexing(True, OWN_HEADING_WEIGHT if own else FURTHER_HEADING_WEIGHT)
    if src.startswith(_NOT_INDEXED):
        return None
    if src.startswith(_SUMMARISED) or src not in generated:
        return Indexing(True, HEADING_WEIGHT)
    return Indexing(False, HEADING_WEIGHT)


_COUNTS = re.compile(r"Indexed ([\d,]+) (pages|words)")
_HAN_CHARACTERS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{_HAN_CHARACTERS}]+")
_TOKEN = re.compile(f"[{_HAN_CHARACTERS}]+|[^\\s{_HAN_CHARACTERS}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+")
_WORDLIKE = re.compile(r"\w")
_EDGES = "()[]{}<>,;:!?\"'"


@functools.lru_cache(maxsize=1 << 17)  # the same pairs recur on every page: a dict lookup instead of a format
def _code(characters: str) -> str:
    """A run of Chinese characters as the index holds it: "h" and each character's code point in five digits
    (张明 → h2435226126). Pagefind's search cuts every Chinese character typed into a word of its own (张明: 张 and
    明, each a prefix), which no segmentation of the page matches reliably; a word of letters and digits it
    takes whole."""
    return "h" + "".join(f"{ord(character):05d}" for character in characters)


def grams(text: str) -> list[str]:
    """What the index holds of `text`, each once: every run of Chinese characters as its overlapping pairs
    (开户资料准备 → 开户 户资 资料 料准 准备; a single character as itself), coded as words of digits
    (_code), every other word as it is written (KH-2024002, jnyq, English). crm.js cuts and codes a typed
    query the same way, so both sides agree whatever a segmenter would have made of a phrase (the browser's
    Intl.Segmenter cut 开户资料准备 as 开|户|资料|准备 where the indexer had kept 开户: 户 matched nothing). A
    single character typed finds the pairs it starts (Pagefind matches the query's words as prefixes)."""
    found: dict[str, None] = {}
    for token in _TOKEN.findall(text):
        if _HAN.fullmatch(token):
            pairs = [token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)]
            found.update(dict.fromkeys(_code(pair) for pair in pairs))
        elif _WORDLIKE.search(token):
            found[token.strip(_EDGES)] = None
    return list(found)


_ARTICLE = re.compile(r'<article class="md-content__inner([^"]*)">(.*?)</article>', re.DOTALL)
_HTML = re.compile(r"<html ")
_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.DOTALL)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)
_STAMP = re.compile(r'<p class="crm-meta crm-wide">.*?</p>', re.DOTALL)
"""The data date and privacy line every page opens with: the same on every page, so it finds nothing."""
_UNSEEN = re.compile(r"<(script|style|svg|template)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_DESCRIPTION = re.compile(r'<p(?! class="crm-meta)\b[^>]*>(.*?)</p>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
INDEX_LANGUAGE = "unknown"
"""The index's one language whatever the site's, one Pagefind neither segments nor stems: Chinese is indexed as
pairs (grams), so no segmenter may cut it again, at build time or in the browser; and a stemmer would turn typed
pinyin initials into other letters (English: `jny` → `jni`, which no longer begins `jnyqsmkj…`). English words
are found by their beginnings instead (`call` finds `calls`).
"""


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment, tags as spaces (a word never runs across two cells)."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", _UNSEEN.sub(" ", fragment)))).strip()


def mark_page(output: str, words: dict[str, str]) -> str:
    """The page with the search box's words (in the site's language) on <html>, for crm.js."""
    attribute = html.escape(json.dumps(words, ensure_ascii=False), quote=True)
    return _HTML.sub(f'<html data-crm-search="{attribute}" ', output, count=1)


def index_page(output: str, how: Indexing, hidden: str = "") -> str | None:
    """What Pagefind indexes of a built page (None: it has no article): a page of its own, written to a folder
    beside the site at the same path (plugin.on_post_page), so the site's pages carry none of it — coded
    Chinese pairs take four times the bytes of the text and would push pages past the 50 KB goal. It holds the
    heading's grams (with `hidden` words: a customer's pinyin initials) weighed as `how` says, then the grams of
    the rest of the article (whole pages) or of its description.

    What a result shows is Pagefind's metadata, not its indexed text (which is grams, never shown): `title`,
    the heading; `text`, the article's visible text or the description; crm.js cuts the snippet out of it
    around the words found."""
    article = _ARTICLE.search(output)
    if article is None:
        return None
    inner = _STAMP.sub(" ", _HEADERLINK.sub("", article.group(2)), count=1)
    heading = _H1.search(inner)
    title = _text(heading.group(1)) if heading is not None else ""
    rest = inner[: heading.start()] + " " + inner[heading.end() :] if heading is not None else inner
    if how.whole:
        body = shown = _text(rest)
    else:
        first = _DESCRIPTION.search(rest)
        body = shown = _text(first.group(1)) if first is not None else ""
    heading_grams = " ".join(grams(f"{title} {hidden}"))
    return (
        f'<!doctype html><html lang="{INDEX_LANGUAGE}"><head><meta charset="utf-8"><title>{html.escape(title)}'
        f'</title></head><body><span data-pagefind-meta="title">{html.escape(title)}</span>'
        f'<span data-pagefind-meta="text">{html.escape(shown)}</span>'
        f'<div data-pagefind-body><span data-pagefind-weight="{how.heading_weight:g}">{html.escape(heading_grams)}'
        f"</span> {html.escape(' '.join(grams(body)))}</div></body></html>\n"
    )


def initials(name: str) -> str:
    """The pinyin initials of a customer's name as `crm find` takes them (济南宇桥商贸 → jnyqsm); "" for a
    name without Chinese characters. The name is cut at " (" (a page title carries the id after it).
    pypinyin is imported only for a name that needs it: loading its dictionaries takes a tenth of a second."""
    chinese = "".join(_HAN.findall(name.split(" (", 1)[0]))
    if not chinese:
        return ""
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(chinese, style=Style.FIRST_LETTER)).lower()


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed: the message says what it printed."""


def executable() -> Path:
    """The pagefind_extended binary of the installed pagefind-bin-extended wheel."""
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as missing:
        raise SearchIndexError(f"the pagefind-bin-extended package is not installed ({missing})") from None
    return Path(get_executable())


def index_site(pages: Path, output: Path | None = None) -> tuple[int, int]:
    """Run Pagefind over the folder of index pages (index_page), writing the index to `output` (default: the
    FOLDER inside `pages`), as a part of the site's index is run (Indexers); returns the pages and the words
    it indexed."""
    with Indexers(1) as indexers:
        indexers.start(pages.name, pages, output if output is not None else pages / FOLDER)
        ((_, counts),) = indexers.wait()
    return counts


_EMPTY_SITE = '<!doctype html><html lang="en"><body><div data-pagefind-body>crm</div></body>'
_RECORD_FILES = ("pagefind-entry.json", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pf_sort")


def code_files(work: Path) -> dict[str, Path]:
    """Pagefind's own code (its scripts, styles and wasm) as the same binary writes it for a site of one empty
    page, by site path: the same bytes for every site, so no record text can be in them. An encrypted site
    keeps a file of its index plain only when it is byte-identical to one of these (encrypt.seal_site): the
    browser loads pagefind.js with import() and the wasm by WebAssembly, neither of which can open a sealed
    envelope. Everything else Pagefind writes (the entry file, the metadata, the index chunks, the
    fragments, the filters) carries the records' words and is sealed; those names are excluded here too,
    whatever their bytes."""
    site = work / "empty-site"
    site.mkdir(parents=True)
    (site / "index.html").write_text(_EMPTY_SITE, encoding="utf-8")
    index_site(site)
    folder = site / FOLDER
    return {
        f"{FOLDER}/{path.relative_to(folder).as_posix()}": path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.name.endswith(_RECORD_FILES)
    }
