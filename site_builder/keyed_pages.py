"""The customers' pages rendered by two processes: a third of the customers in a worker (WORKER_SHARE).

Rendering the generated pages was the largest part of a big build (10,000 customers: some 13,200 keyed pages,
46 s of jinja on one core) and every customer's pages are independent of the others'. So, when there are many,
a worker forked from the build (crmdata.system.workers: it dies with crm) renders the pages of every third
customer (SiteData.worker_share) while the build renders the others and everything else; each writes its own
pages into the staging folder (its files' temporary names carry its pid, folders are made race-free) and the
worker hands back what the build must know: the keys of the pages it staged and which files it staged. The
worker sees the build's memory as it was when forked (the site's data, the templates, the last build's keys),
so nothing is sent to it but the order, and it reads only its customers' records: a page of memory it does
not touch stays shared with the build (the 10,000-customer build stays within 1 GB).

Only when most pages are to be rendered (the last build's keys do not cover the customers: a first build, a
build in CI from a fresh clone; after an edit nearly every page is kept, and forking would cost more than it
saves), only while crm runs one thread (a fork beside other threads could hang on a lock one of them held: `crm
serve` renders alone), on more than one core, and with memory to spare (SPARE_MEMORY_MB).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from site_builder.page_keys import Fingerprints, PageKeys, SiteWideView, page_key
from site_builder.pages import Page
from site_builder.render import Links
from site_builder.staging import Staging

WORKER_SHARE = (2, 3)
"""The worker renders every third customer's pages, the build the other two besides every other page (the
lists, overviews, charts and feeds), so the two finish at about the same time. The worker's own memory was
about 340 MB with a half and with a third alike (pages of the build's heap its allocations write to)."""
SPARE_MEMORY_MB = 4096
"""Memory the machine must have available (MemAvailable) for a worker: it adds about 340 MB at 10,000
customers, which takes the build just past 1 GB (1,015–1,057 MB measured). A machine with less to spare
builds in one process (955 MB) and takes about 15 s longer."""
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
    """What the worker did: the keys of its pages, the files it staged, and its counts."""

    keys: dict[str, tuple[str, int, int, int]]
    written: set[str]
    changed: int
    rendered: int
    current: int

    def merge_into(self, rendering: Rendering) -> None:
        rendering.keys.now.update(self.keys)
        rendering.keys.rendered += self.rendered
        rendering.keys.current += self.current
        rendering.staging.written.update(self.written)
        rendering.staging.changed += self.changed


_FORKED: tuple[Rendering, Callable[[], Any]] | None = None
"""The rendering and its pages (a fresh iterator of the worker's customers' pages) a worker forked now works on."""


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
    """Before the worker is forked: what it will render, `pages()` giving the worker's customers' pages."""
    global _FORKED
    _FORKED = (rendering, pages)


def forget() -> None:
    """Once the worker is forked: the build lets go of what `prepare` held (the site's data, and through it
    every record: freed after rendering, as without a worker)."""
    global _FORKED
    _FORKED = None


def render_worker_share() -> Share:
    """In the worker: the pages `prepare` named (its customers: SiteData.worker_share)."""
    assert _FORKED is not None, "prepare() first"
    rendering, pages = _FORKED
    rendering.keys.now, rendering.keys.rendered, rendering.keys.current = {}, 0, 0
    rendering.staging.written, rendering.staging.changed = set(), 0
    for page in pages():
        rendering.page(page)
    return Share(
        rendering.keys.now, rendering.staging.written, rendering.staging.changed, rendering.keys.rendered,
        rendering.keys.current,
    )  # fmt: skip
