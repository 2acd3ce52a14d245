"""Each KPI's good direction, declared once next to the registry (crmdata.engine.kpis.GOOD_DIRECTION): the
site colours a trend by it, so a KPI without one cannot be registered."""

from __future__ import annotations

import pytest

from crmdata.engine import kpis
from crmdata.engine.kpis import GOOD_DIRECTION, KPIS, kpi


def _definition(name: str) -> kpis.KpiDefinition:
    return next(definition for definition in KPIS if definition.name == name)


def test_every_scalar_kpi_says_which_way_is_good_and_tables_say_nothing() -> None:
    for definition in KPIS:
        if definition.unit == "table":
            assert definition.good is None, definition.name
        else:
            assert definition.good in ("up", "down", "neutral"), definition.name
    assert set(GOOD_DIRECTION) == {definition.name for definition in KPIS if definition.unit != "table"}


def test_a_move_reads_good_or_bad_by_the_kpis_direction() -> None:
    assert _definition("overdue_followups").judged(12, 17) == "good"  # fewer overdue: ▼ is good
    assert _definition("followup_on_time_rate_90d").judged(0.58, 0.72) == "bad"  # a lower on-time rate: ▼ is bad
    assert _definition("csat_avg").judged(4.1, 3.8) == "good"
    assert _definition("renewals_due").judged(5, 3) == "neutral"  # work coming, neither good nor bad
    assert _definition("overdue_followups").judged(12, 12) == "same"
    assert _definition("csat_avg").judged(None, 3.8) == "same"  # nothing to compare: no arrow


def test_a_kpi_without_a_good_direction_cannot_be_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(kpis.KPI_TITLES, "made_up", kpis.KPI_TITLES["overdue_followups"])
    monkeypatch.setitem(kpis.KPI_DEFINITIONS, "made_up", kpis.KPI_DEFINITIONS["overdue_followups"])
    monkeypatch.setitem(kpis.KPI_SUMMARIES, "made_up", kpis.KPI_SUMMARIES["overdue_followups"])
    with pytest.raises(ValueError, match="GOOD_DIRECTION"):
        kpi("made_up", "count")
