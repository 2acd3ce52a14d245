"""The site's KPIs worked out by a second process while the build computes the rest of the site's data.

The KPIs of the data date (team and owners) and of the days TREND_DAYS before are a second or two at 10,000
customers whenever the records they read changed (a call logged today, an edit of a field a KPI reads), and
they depend on nothing else the site computes: a process forked from the build (crmdata.system.workers: it dies
with crm) takes them, through the build's KeptKpis, and hands back their values — a few hundred numbers —
with what it took from the kept entries and which entries it used, so the build's KeptKpis says and keeps the
same as if it had worked them out itself. Only where a page worker would be forked too (keyed_pages.
worth_a_second_process: many customers, another core, memory to spare, one thread); otherwise in-process.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from crmdata.records.dataset import Dataset
from crmdata.system.workers import worker_pool
from site_builder.kept import KeptKpis
from site_builder.keyed_pages import worth_a_second_process


@dataclass
class KpiValues:
    """The values, and what the KeptKpis that worked them out took and used."""

    report: dict[str, object]
    before: dict[date, dict[str, object]]
    reused_today: bool
    reused: list[date]
    entries: set[str]


_FORKED: tuple[KeptKpis, Dataset, date, tuple[int, ...]] | None = None


def _work_out(kept: KeptKpis, ds: Dataset, as_of: date, trend_days: tuple[int, ...]) -> KpiValues:
    report = kept.report(ds, as_of)
    before = {as_of - timedelta(days=days): kept(ds, as_of - timedelta(days=days)) for days in trend_days}
    return KpiValues(report, before, kept.reused_today, list(kept.reused), set(kept.store.store.written))


def _in_the_worker() -> KpiValues:
    assert _FORKED is not None, "forked from kpis_beside only"
    return _work_out(*_FORKED)


class Kpis:
    """kpi_report(ds, day) and earlier_kpis(ds, day) for site_data, from the values worked out beside it."""

    def __init__(self, kept: KeptKpis, future: Future[KpiValues] | None, values: KpiValues | None) -> None:
        self.kept, self.future, self.values = kept, future, values

    def _got(self) -> KpiValues:
        if self.values is None:
            assert self.future is not None
            self.values = self.future.result()
            self.kept.reused_today = self.values.reused_today
            self.kept.reused[:] = self.values.reused
            self.kept.store.store.written.update(self.values.entries)  # or the build's end would drop them
        return self.values

    def report(self, ds: Dataset, day: date) -> dict[str, object]:
        return self._got().report

    def __call__(self, ds: Dataset, day: date) -> dict[str, object]:
        return self._got().before[day]


@contextmanager
def kpis_beside(kept: KeptKpis, ds: Dataset, as_of: date, trend_days: tuple[int, ...]) -> Iterator[Kpis]:
    """The KPIs of `as_of` and of `trend_days` before it, worked out by a forked process when that is worth
    it (else in this one); their values are ready when first asked for within the block."""
    global _FORKED
    if not worth_a_second_process(len(ds.customers)):
        yield Kpis(kept, None, _work_out(kept, ds, as_of, trend_days))
        return
    _FORKED = (kept, ds, as_of, trend_days)
    try:
        with worker_pool(max_workers=1) as pool:
            _FORKED = None  # the worker has its copy
            yield Kpis(kept, pool.submit(_in_the_worker), None)
    finally:
        _FORKED = None
