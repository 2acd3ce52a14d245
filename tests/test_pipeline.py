"""The sales pipeline (crmdata.engine.pipeline), checked against answers worked out by hand.

as_of is 2026-06-30: "the last 365 days" is 2025-06-30 < closed_on <= 2026-06-30, and an opportunity is
stale when its latest conversation is on or before 2026-05-31 (30 days before as_of). Default win
probabilities: lead 10, qualified 30, proposal 50, negotiation 70, won 100, lost 0.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crmdata.engine import kpis
from crmdata.engine.pipeline import Pipeline, StageSummary, pipeline, win_rate
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.models import OpportunityStage
from crmdata.records.validate import validate
from tests.conftest import DataRepo, run_crm

D = date.fromisoformat
AS_OF = D("2026-06-30")
S = OpportunityStage

CONFIG = """\
team:
  ming: {name: 张明}
  hong: {name: 李红}
"""


@pytest.fixture
def crm(tmp_path: Path) -> DataRepo:
    """An empty data repository with a team of two (ming, hong)."""
    data = DataRepo(tmp_path / "crm")
    data.config(CONFIG)
    return data


def load(repo: DataRepo) -> Dataset:
    """The repository's dataset; it must validate (warnings allowed: a won opportunity without a contract)."""
    outcome = validate(repo.root, LoadOptions(use_cache=False))
    assert outcome.ok, [str(problem) for problem in outcome.errors]
    return outcome.dataset


def _scenario(crm: DataRepo) -> None:
    """Nine opportunities of three customers (A and C ming's, B hong's), each line saying what it tests."""
    crm.customer("A")
    crm.customer("B", owner="hong")
    crm.customer("C")
    # O1 lead 100000, no probability (10 %): weighted 10000. Named on 05-01 (first) and 06-15 (latest):
    # age 05-01 -> 06-30 = 30 + 30 = 60 days; 15 days since the latest: not stale.
    crm.opportunity("O1", "A", stage="lead", amount="100000")
    crm.interaction("J1", "A", "2026-05-01", opportunity="O1")
    crm.interaction("J2", "A", "2026-06-15", opportunity="O1")
    # O2 proposal 200000 at 40 %: weighted 80000. Named only on 05-31: age 30 days, and 30 days without a
    # conversation naming it: stale.
    crm.opportunity("O2", "A", stage="proposal", amount="200000", probability="40")
    crm.interaction("J3", "A", "2026-05-31", opportunity="O2")
    # O3 negotiation 50000 (70 %): weighted 35000, hong's. Nothing names it: age unknown; its customer B was
    # talked to on 06-20: not stale.
    crm.opportunity("O3", "B", stage="negotiation", amount="50000", owner="hong")
    crm.interaction("J4", "B", "2026-06-20", owner="hong")
    # O4 qualified, no amount: value 0. Named only on 07-05, after as_of (ignored): age unknown; its
    # customer C's latest contact is 05-01 (the care message of 06-25 is no conversation): stale.
    crm.opportunity("O4", "C", stage="qualified")
    crm.interaction("J5", "C", "2026-05-01")
    crm.interaction("J6", "C", "2026-06-25", kind="care")
    crm.interaction("J7", "C", "2026-07-05", opportunity="O4")
    # O5 qualified 10000 USD: counted at its stage and in other_currency, in no sum. Named 06-29: age 1.
    crm.opportunity("O5", "A", stage="qualified", amount="10000", currency="USD")
    crm.interaction("J8", "A", "2026-06-29", opportunity="O5")
    # O6 won 300000 on 03-01: in the window; age 03-01 -> 06-30 = 31 + 30 + 31 + 29 = 121 days.
    crm.opportunity("O6", "A", stage="won", amount="300000", closed_on="2026-03-01", expected_close=None)
    # O7 lost on 2025-06-30: as_of - 365 days exactly, outside the window.
    crm.opportunity("O7", "A", stage="lost", amount="90000", closed_on="2025-06-30", expected_close=None)
    # O8 lost 80000 on 2025-07-01, hong's: inside; weighted 0 (lost: 0 %); age 364 days.
    crm.opportunity("O8", "B", stage="lost", amount="80000", closed_on="2025-07-01", expected_close=None, owner="hong")
    # O9 won on 07-10, after as_of: neither open nor closed on as_of.
    crm.opportunity("O9", "A", stage="won", amount="70000", closed_on="2026-07-10", expected_close=None)


def test_the_pipeline_worked_by_hand(crm: DataRepo) -> None:
    _scenario(crm)
    found = pipeline(load(crm), AS_OF)
    assert found == Pipeline(
        # open in CNY: O1 100000 + O2 200000 + O3 50000 + O4 0; O5 is in USD
        open_value=350000.0,
        # 10000 + 80000 + 35000 + 0
        weighted_value=125000.0,
        stages=(
            StageSummary(S.LEAD, 1, 100000.0, 10000.0, 60),
            StageSummary(S.QUALIFIED, 2, 0.0, 0.0, 1),  # O4 (age unknown) and O5 (1 day, not in the sums)
            StageSummary(S.PROPOSAL, 1, 200000.0, 80000.0, 30),
            StageSummary(S.NEGOTIATION, 1, 50000.0, 35000.0, None),
            StageSummary(S.WON, 1, 300000.0, 300000.0, 121),  # O6; O9 closed after as_of
            StageSummary(S.LOST, 1, 80000.0, 0.0, 364),  # O8; O7 is out of the window
        ),
        stale=("O2", "O4"),
        currency="CNY",
        other_currency=("O5",),
    )


def test_the_pipeline_of_one_owner(crm: DataRepo) -> None:
    _scenario(crm)
    found = pipeline(load(crm), AS_OF, owner="hong")
    # hong has O3 (negotiation, open) and O8 (lost in the window)
    assert (found.open_value, found.weighted_value, found.stale, found.other_currency) == (50000.0, 35000.0, (), ())
    assert [(summary.stage, summary.count) for summary in found.stages if summary.count] == [
        (S.NEGOTIATION, 1),
        (S.LOST, 1),
    ]


def test_win_rate_counts_what_closed_in_the_window(crm: DataRepo) -> None:
    _scenario(crm)
    ds = load(crm)
    # won O6 (2026-03-01), lost O8 (2025-07-01); O7 (2025-06-30) is out, O9 (2026-07-10) after as_of
    assert win_rate(ds, AS_OF) == 0.5
    # the last 180 days: 2026-01-01 < closed_on <= 2026-06-30 -> O6 alone
    assert win_rate(ds, AS_OF, days=180) == 1.0
    # on 2025-06-29 nothing had closed (O7 on 06-30, O8 on 07-01)
    assert win_rate(ds, D("2025-06-29")) is None


def test_the_median_age_is_the_lower_middle_and_a_stage_without_ages_is_none(crm: DataRepo) -> None:
    crm.customer("A")
    for oid, first in (("O1", "2026-06-20"), ("O2", "2026-06-10"), ("O3", None)):
        crm.opportunity(oid, "A", stage="lead", amount="1000")
        if first:
            crm.interaction("J" + oid, "A", first, opportunity=oid)
    lead = pipeline(load(crm), AS_OF).stages[0]
    # ages 10 (06-20) and 20 (06-10), O3 unknown: the lower of the two middles is 10
    assert lead == StageSummary(S.LEAD, 3, 3000.0, 300.0, 10)


def test_sums_are_in_crm_yaml_currency(crm: DataRepo) -> None:
    crm.config(CONFIG + "currency: USD\n")
    crm.customer("A")
    crm.interaction("J1", "A", "2026-06-29")
    crm.opportunity("O1", "A", stage="proposal", amount="1000")  # no currency: crm.yaml's, USD
    crm.opportunity("O2", "A", stage="proposal", amount="5000", currency="CNY")
    found = pipeline(load(crm), AS_OF)
    assert (found.currency, found.open_value, found.weighted_value, found.other_currency) == ("USD", 1000, 500, ("O2",))
    assert found.stale == ()  # nothing names them; customer A was talked to on 06-29


def test_an_opportunity_without_any_conversation_is_stale(crm: DataRepo) -> None:
    crm.customer("A")
    crm.opportunity("O1", "A", stage="lead")
    assert pipeline(load(crm), AS_OF).stale == ("O1",)


# ---------------------------------------------------------------------------------------------------
# The KPIs pipeline_open_value, pipeline_weighted_value, win_rate_12m (crmdata.engine.kpis)


def test_the_pipeline_kpis_for_the_team_and_each_owner(crm: DataRepo) -> None:
    _scenario(crm)
    report = kpis.report(load(crm), AS_OF)
    by_owner = report["by_owner"]
    assert isinstance(by_owner, dict)
    picked = ("pipeline_open_value", "pipeline_weighted_value", "win_rate_12m")

    def figures(values: dict[str, object]) -> tuple[object, ...]:
        return tuple(values[name] for name in picked)

    # the team: as in test_the_pipeline_worked_by_hand; won O6 and lost O8 in the window: 1 / 2
    assert figures(report) == (350000.0, 125000.0, 0.5)
    # ming's opportunities (by the opportunity's owner): O1 100000 + O2 200000 + O4 0 open in CNY (O5 is USD),
    # weighted 10000 + 80000; closed in the window: O6 won -> 1 / 1
    assert figures(by_owner["ming"]) == (300000.0, 90000.0, 1.0)
    # hong's: O3 50000 at 70 %; O8 lost -> 0 / 1
    assert figures(by_owner["hong"]) == (50000.0, 35000.0, 0.0)


def test_the_pipeline_kpis_without_opportunities(crm: DataRepo) -> None:
    crm.customer("A")
    values = kpis.compute(load(crm), AS_OF)
    assert (values["pipeline_open_value"], values["pipeline_weighted_value"], values["win_rate_12m"]) == (0, 0, None)


def test_crm_kpi_shows_the_pipeline_in_money_and_json_in_plain_numbers(crm: DataRepo) -> None:
    crm.config(CONFIG + "currency: USD\n")
    crm.customer("A")
    crm.opportunity("O1", "A", stage="proposal", amount="1234567.5")  # 50 %: 617283.75
    crm.opportunity("O2", "A", stage="won", amount="5", closed_on="2026-06-01", expected_close=None)
    shown = run_crm("kpi", "--root", str(crm.root), "--as-of", "2026-06-30")
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[1]: line for line in shown.stdout.splitlines() if len(line.split()) > 2}
    assert lines["pipeline_open_value"].endswith("USD 123.5万")  # money.format_amount, zh
    assert lines["pipeline_weighted_value"].endswith("USD 61.7万")
    assert lines["win_rate_12m"].endswith("100.0%")
    assert "商机金额" in lines["pipeline_open_value"]  # crm.yaml names no language: zh
    as_json = run_crm("kpi", "--root", str(crm.root), "--as-of", "2026-06-30", "--format", "json")
    payload = json.loads(as_json.stdout)
    assert (payload["pipeline_open_value"], payload["pipeline_weighted_value"]) == (1234567.5, 617283.75)
    assert payload["by_owner"]["ming"]["win_rate_12m"] == 1.0
