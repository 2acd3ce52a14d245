"""The KPI report of the data date worked out by a second process while the build computes the rest of the
site's data.

The KPIs of the data date (team and owners) are a second at 10,000 customers whenever a record they read
changed (a call logged today, an edit of a field a KPI reads), and depend on nothing else the site computes: a
process forked from the build (crmdata.system.workers: it dies with crm) works the report out through the
build's KeptKpis and hands back its values — a few hundred numbers — with whether it took them from the kept
entry and the entry it used, so the build's KeptKpis says and keeps the same as if it had worked them out
itself. The earlier days' values (TREND_DAYS) stay in the build: a forked process runs slower than the build
(every object it reads has its reference count written, so the page holding it is copied), and the build has
its own work to do meanwhile; one edit of a field the KPIs read costs the report and both earlier days.
Only where a page worker would be forked too (keyed_pages.worth_a_second_process: many customers, another
core, memory to spare, one thread); otherwise in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from crmdata.records.dataset import Dataset
from crmdata.system.workers import worker_pool
from site_builder.kept import KeptKpis
from site_builder.keyed_pages import worth_a_second_process


@dataclass
class KpiReport:
    """The report's values, and what the KeptKpis that worked them out took and used."""

    values: dict[str, object]
    reused: bool
    entries: set[str]


_FORKED: tuple[KeptKpis, Dataset, date] | None = None


def _in_the_worker() -> KpiReport:
    assert _FORKED is not None, "forked from kpis_beside only"
    kept, ds, as_of = _FORKED
    values = kept.report(ds, as_of)
    return KpiReport(values, kept.reused_today, kept.store.used())


class Kpis:
    """kpi_report(ds, day) and earlier_kpis(ds, day) for site_data: the report as the worker worked it out,
    the earlier days' values from the build's own KeptKpis."""

    def __init__(self, kept: KeptKpis, future: Future[KpiReport] | None) -> None:
        self.kept, self.future = kept, future
        self.got: KpiReport | None = None

    def report(self, ds: Dataset, day: date) -> dict[str, object]:
        if self.future is None:
            return self.kept.report(ds, day)
        if self.got is None:
            self.got = self.future.result()
            self.kept.reused_today = self.got.reused
            self.kept.store.use(self.got.entries)  # or the build's end would drop them
        return self.got.values

    def __call__(self, ds: Dataset, day: date) -> dict[str, object]:
        return self.kept(ds, day)


@contextmanager
def kpis_beside(kept: KeptKpis, ds: Dataset, as_of: date) -> Iterator[Kpis]:
    """The KPI report of `as_of` worked out by a forked process when that is worth it (else in this one when
    asked for); ready when first asked for within the block."""
    global _FORKED
    if not worth_a_second_process(len(ds.customers)):
        yield Kpis(kept, None)
        return
    _FORKED = (kept, ds, as_of)
    try:
        with worker_pool(max_workers=1) as pool:
            _FORKED = None  # the worker has its copy
            yield Kpis(kept, pool.submit(_in_the_worker))
    finally:
        _FORKED = None
