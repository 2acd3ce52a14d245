"""The customers' pages rendered by two processes: a worker takes a third of the customers (WORKER_SHARE), or
after an edit the customers it claims in turns with the build (CLAIM_CHUNK), and the calendar feeds.

Rendering the generated pages was the largest part of a big build (10,000 customers: some 13,200 keyed pages,
46 s of jinja on one core) and every customer's pages are independent of the others'. So, when there are many,
a worker forked from the build (crmdata.system.workers: it dies with crm) renders the pages of a third of the
customers (SiteData.worker_share) while the build renders the others and everything else; each writes its own
pages into the staging folder (its files' temporary names carry its pid, folders are made race-free) and the
worker hands back what the build must know: the keys of the pages it staged and which files it staged. The
worker sees the build's memory as it was when forked (the site's data, the templates, the last build's keys),
so nothing is sent to it but the order, and it reads only its customers' records: a page of memory it does
not touch stays shared with the build (the 10,000-customer build stays within 1 GB).

After an edit nearly every customer page is kept, but finding that out is most of the rendering: each page's
context is built and fingerprinted to know its key (1.7 s of a 10,000-customer build). Then the worker does it
for the customers it claims (CLAIM_CHUNK) while the build renders the lists and overviews, which change with any record
(10,000 customers, a one-record edit: rendering 4.3 s → 2.8 s, the build 12.4 s → 10.4 s). The worker makes the
calendar feeds too (pages.worker_outputs: whenever there is a worker, the build leaves them out), a second of
events at 10,000 customers; the results it keeps for the next build (site_builder.kept) it hands back, or the
build's end would drop them. The build
and everything loaded stay frozen for the collector (site_builder.plugin), so neither process's collections
write into the pages they share.

Only while crm runs one thread (a fork beside other threads could hang on a lock one of them held: `crm serve`
renders alone), on more than one core, with memory to spare (SPARE_MEMORY_MB), and for many customers
(PARALLEL_CUSTOMERS).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from site_builder.kept import keep_names, kept_names
from site_builder.page_keys import Fingerprints, PageKeys, SiteWideView, page_key
from site_builder.pages import Asset, Page
from site_builder.render import Links
from site_builder.staging import Staging

WORKER_SHARE = (1, 3)
"""(k, n): the worker renders the pages of k customers of every n (a third) and the feeds, the build the others
besides every other page (the lists, overviews and charts), so the two finish at about the same time. The
worker's own memory was about 340 MB with a half and with a third alike (pages of the build's heap its
allocations write to)."""
SPARE_MEMORY_MB = 4096
"""Memory the machine must have available (MemAvailable) for a worker: it adds about 340 MB at 10,000
customers, which takes the build just past 1 GB (1,015–1,057 MB measured). A machine with less to spare
builds in one process (955 MB) and takes about 15 s longer."""
CLAIM_CHUNK = 16
"""After an edit the build and the worker claim the customers in turns (site_builder.claims), this many at a
time: the worker from the start, with the feeds first, the build once it has rendered everything else. A fixed
share (three of every four to the worker) left one waiting for the other whenever an edit gave one of them more
to do (a call logged today: the dashboard's charts drawn again in the build, about a second at 10,000
customers)."""
PARALLEL_CUSTOMERS = 1500
"""Customers from which a second process helps: below, forking it costs about what it saves."""


@dataclass
class Rendering:
    """What rendering keyed pages needs, the same in the build and in the worker forked from it."""

    env: Any
    keys: PageKeys
    staging: Staging
    code: bytes
    site: bytes
    site_wide: dict[str, object]
    fingerprint: Fingerprints

    def output(self, output: Page | Asset) -> None:
        """Write an asset (its content is made already: kept, site_builder.kept), render a keyed page."""
        if isinstance(output, Asset):
            self.staging.write(output.src, output.content)
        else:
            self.page(output)

    def page(self, output: Page) -> None:
        """Render `output` unless its key and staged file are the last build's (site_builder.page_keys)."""
        context = self.fingerprint(output.context)
        key = page_key(self.code, self.site, output.template, output.src, output.title, context)
        if self.keys.keep(output.src, key):
            return
        text = self.env.get_template(output.template).render(
            data=SiteWideView(self.site_wide, output.src), links=Links(output.src), page=output, **output.context
        )
        self.keys.written(output.src, key, self.staging.write(output.src, text))


@dataclass
class Share:
    """What the worker did: the keys of its pages, the files it staged, the results it kept for the next build
    (site_builder.kept: the feeds'), and its counts."""

    keys: dict[str, tuple[str, int, int, int]]
    written: set[str]
    rewritten: set[str]
    kept: set[str]
    rendered: int
    current: int

    def merge_into(self, rendering: Rendering) -> None:
        rendering.keys.now.update(self.keys)
        rendering.keys.rendered += self.rendered
        rendering.keys.current += self.current
        rendering.staging.written.update(self.written)
        rendering.staging.rewritten.update(self.rewritten)
        keep_names(self.kept)  # or the build's end would drop them as unused


_FORKED: tuple[Rendering, Callable[[], Any]] | None = None
"""The rendering and its outputs (a fresh iterator of pages.worker_outputs) a worker forked now works on."""


def worth_a_second_process(customers: int) -> bool:
    """Whether to render with a worker: many customers, another core, memory to spare, no other thread in crm."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    if customers < PARALLEL_CUSTOMERS or cores < 2 or threading.active_count() != 1:
        return False
    return available_memory_mb() >= SPARE_MEMORY_MB


def available_memory_mb() -> int:
    """MemAvailable of /proc/meminfo in MB; 0 where it cannot be read (then no worker)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return 0


def prepare(rendering: Rendering, pages: Callable[[], Any]) -> None:
    """Before the worker is forked: what it will render, `pages()` giving its outputs (pages.worker_outputs)."""
    global _FORKED
    _FORKED = (rendering, pages)


def forget() -> None:
    """Once the worker is forked: the build lets go of what `prepare` held (the site's data, and through it
    every record: freed after rendering, as without a worker)."""
    global _FORKED
    _FORKED = None


def render_worker_share() -> Share:
    """In the worker: the outputs `prepare` named (its customers' pages, SiteData.worker_share, and the feeds)."""
    assert _FORKED is not None, "prepare() first"
    rendering, pages = _FORKED
    rendering.keys.now, rendering.keys.rendered, rendering.keys.current = {}, 0, 0
    rendering.staging.written, rendering.staging.rewritten = set(), set()
    for output in pages():
        rendering.output(output)
    return Share(
        rendering.keys.now, rendering.staging.written, rendering.staging.rewritten, kept_names(),
        rendering.keys.rendered, rendering.keys.current,
    )  # fmt: skip
