"""The KPI report of the data date, and the earliest of the dashboard's earlier days, worked out by a second
process while the build computes the rest of the site's data.

The KPIs of the data date (team and owners) are a second at 10,000 customers whenever a record they read
changed (a call logged today, an edit of a field a KPI reads), and each earlier day's values (TREND_DAYS)
0.7 s after an edit of a field they read; none depends on anything else the site computes. A process forked
from the build (crmdata.system.workers: it dies with crm) works out the report and the days it is given
through the build's KeptKpis and hands back their values — a few hundred numbers — with whether it took them
from the kept entries and the entries it used, so the build's KeptKpis says and keeps the same as if it had
worked them out itself. Not every earlier day goes there: a forked process runs slower than the build (every
object it reads has its reference count written, so the page holding it is copied), and the build has its own
work meanwhile; with the report and one earlier day each, the two end at about the same time (all three in
the forked process, the build waited for it). Only where a page worker would be forked too
(keyed_pages.worth_a_second_process: many customers, another core, memory to spare, one thread); otherwise
in-process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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
    """The report's values and those of the earlier days asked for, and what the KeptKpis that worked them out
    took and used."""

    values: dict[str, object]
    reused: bool
    earlier: dict[date, dict[str, object]]
    earlier_reused: list[date]
    entries: set[str]


_FORKED: tuple[KeptKpis, Dataset, date, tuple[date, ...]] | None = None


def _in_the_worker() -> KpiReport:
    assert _FORKED is not None, "forked from kpis_beside only"
    kept, ds, as_of, days = _FORKED
    values = kept.report(ds, as_of)
    earlier = {day: kept(ds, day) for day in days}
    return KpiReport(values, kept.reused_today, earlier, kept.reused, kept.store.used())


class Kpis:
    """kpi_report(ds, day) and earlier_kpis(ds, day) for site_data: the report and the days given to the
    worker as it worked them out, the other earlier days' values from the build's own KeptKpis."""

    def __init__(self, kept: KeptKpis, future: Future[KpiReport] | None, beside: Iterable[date] = ()) -> None:
        self.kept, self.future = kept, future
        self.beside = frozenset(beside)
        """The earlier days the worker works out."""
        self.got: KpiReport | None = None

    def _from_the_worker(self) -> KpiReport:
        assert self.future is not None
        if self.got is None:
            self.got = self.future.result()
            self.kept.reused_today = self.got.reused
            self.kept.reused.extend(self.got.earlier_reused)
            self.kept.store.use(self.got.entries)  # or the build's end would drop them
        return self.got

    def report(self, ds: Dataset, day: date) -> dict[str, object]:
        if self.future is None:
            return self.kept.report(ds, day)
        return self._from_the_worker().values

    def __call__(self, ds: Dataset, day: date) -> dict[str, object]:
        if self.future is not None and day in self.beside:
            return self._from_the_worker().earlier[day]
        return self.kept(ds, day)


@contextmanager
def kpis_beside(kept: KeptKpis, ds: Dataset, as_of: date, days: tuple[date, ...] = ()) -> Iterator[Kpis]:
    """The KPI report of `as_of`, and the team's KPIs of the earlier `days`, worked out by a forked process when
    that is worth it (else in this one when asked for); ready when first asked for within the block: ask for
    them after the rest."""
    global _FORKED
    if not worth_a_second_process(len(ds.customers)):
        yield Kpis(kept, None)
        return
    _FORKED = (kept, ds, as_of, days)
    try:
        with worker_pool(max_workers=1) as pool:
            _FORKED = None  # the worker has its copy
            yield Kpis(kept, pool.submit(_in_the_worker), days)
    finally:
        _FORKED = None
