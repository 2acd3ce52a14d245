"""The committed demo data set: valid, covering the practice, and exactly what the generator makes.

The plans, opportunities and contracts are checked from the records themselves (the counting rules of
contract §2 written out here), not through the engine: the demo must show each situation whatever the
engine's code does with it.
"""

from __future__ import annotations

import calendar
import filecmp
import json
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions
from crmdata.records.models import Channel, CustomerType, InteractionKind, OpportunityStage, Plan, Stage, Tier, Value
from crmdata.records.models.enums import PlanCycle, PlanStatus
from crmdata.records.validate import validate
from tests.conftest import invoke_crm
from tools.synth import generate

PROJECT = Path(__file__).resolve().parent.parent
DEMO_AS_OF = date(2026, 11, 24)
LIFE_FOLDERS = ("plans", "opportunities", "contracts")


def test_demo_data_validates_with_only_its_two_deliberate_warnings() -> None:
    result = invoke_crm("validate", "--root", str(PROJECT), "--format", "json", "--no-cache")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["errors"] == []
    assert sorted((warning["file"], warning["field"]) for warning in report["warnings"]) == [
        ("customers/KH-2025001.yaml", "id"),
        ("interactions/2026/JL-2026168.yaml", "recorded"),
    ]


def test_demo_data_covers_the_practice() -> None:
    dataset = validate(PROJECT, LoadOptions(use_cache=False)).dataset
    customers, interactions = dataset.customers, dataset.interactions
    assert len(customers) >= 30 and len(interactions) >= 300
    assert {c.type for c in customers} == set(CustomerType)
    assert {c.tier for c in customers} == set(Tier)
    assert {c.stage for c in customers} == set(Stage)
    assert {c.value for c in customers} == set(Value)
    assert {i.channel for i in interactions} == set(Channel)
    assert {i.kind for i in interactions} == set(InteractionKind)
    assert all(DEMO_AS_OF - timedelta(days=2 * 366) <= i.day <= DEMO_AS_OF for i in interactions)
    todos = [todo for interaction in interactions for todo in interaction.todos]
    assert any(todo.done for todo in todos) and any(todo.done is None for todo in todos)
    complaints = [i for i in interactions if i.kind is InteractionKind.COMPLAINT]
    assert any(c.resolved for c in complaints) and any(c.resolved is None for c in complaints)
    assert sum(i.satisfaction is not None for i in interactions) > 100
    names = Counter(c.name for c in customers)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names), "demo names are Chinese"


def test_demo_data_is_what_the_generator_makes(tmp_path: Path) -> None:
    generate(tmp_path, customers=36, interactions=360, seed=7, as_of=DEMO_AS_OF)
    for folder in ("customers", "interactions", *LIFE_FOLDERS):
        comparison = filecmp.dircmp(PROJECT / folder, tmp_path / folder)
        assert _differences(comparison) == [], f"{folder}/ differs from the generator: run make demo-data"
    assert (PROJECT / "crm.yaml").read_bytes() == (tmp_path / "crm.yaml").read_bytes()


def _differences(comparison: filecmp.dircmp[str]) -> list[str]:
    found = [*comparison.left_only, *comparison.right_only, *comparison.diff_files]
    for sub in comparison.subdirs.values():
        found.extend(_differences(sub))
    return found


# --- plans, opportunities and contracts (issue 13) ----------------------------------------------------------


def _demo() -> Dataset:
    return validate(PROJECT, LoadOptions(use_cache=False)).dataset


def _months_later(day: date, months: int) -> date:
    """The same day `months` calendar months on, clipped to the month's end (contract §2), written out by hand."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


STEP = {PlanCycle.MONTHLY: 1, PlanCycle.QUARTERLY: 3, PlanCycle.YEARLY: 12}


def _current_due(plan: Plan, carried_out: int) -> date | None:
    """The due day of the plan's current occurrence given how many were carried out; None when done."""
    if plan.cycle is PlanCycle.ONCE:
        if carried_out:
            return None
        occurrence = plan.date
    elif plan.cycle is PlanCycle.WEEKLY:
        occurrence = plan.date + timedelta(weeks=carried_out)
    else:
        occurrence = _months_later(plan.date, carried_out * STEP[plan.cycle])
    return plan.postponed_to if plan.postponed_to is not None and plan.postponed_to > occurrence else occurrence


def test_demo_plans_are_the_handbooks_with_some_overdue_postponed_and_cancelled() -> None:
    ds = _demo()
    customers = {customer.id: customer for customer in ds.customers}
    live = [c for c in ds.customers if c.stage in (Stage.ACTIVE, Stage.STABLE)]
    planned = {plan.customer for plan in ds.plans}
    assert sum(c.id in planned for c in live) >= 0.7 * len(live), "most active and stable customers have a plan"
    assert all(plan.owner == customers[plan.customer].owner for plan in ds.plans)
    assert {PlanCycle.MONTHLY, PlanCycle.QUARTERLY} <= {plan.cycle for plan in ds.plans}
    assert {"了解系统使用体验", "回访满意度", "续约沟通"} & {plan.goal for plan in ds.plans}
    assert all(plan.content for plan in ds.plans)
    assert all(re.fullmatch(rf"JH-{plan.date.year}\d{{3}}", plan.id) for plan in ds.plans)
    postponed = [plan for plan in ds.plans if plan.postponed_to is not None]
    assert len(postponed) >= 2 and all(plan.notes and "顺延至" in plan.notes for plan in postponed)
    assert any(plan.status is PlanStatus.CANCELLED for plan in ds.plans)

    carried = Counter(i.plan for i in ds.interactions if i.plan is not None and i.day <= DEMO_AS_OF)
    assert sum(carried.values()) >= 20, "conversations carry the plans out"
    due = {plan.id: _current_due(plan, carried[plan.id]) for plan in ds.plans if plan.status is PlanStatus.ACTIVE}
    overdue = [plan_id for plan_id, day in due.items() if day is not None and day < DEMO_AS_OF]
    on_track = [plan_id for plan_id, day in due.items() if day is not None and day >= DEMO_AS_OF]
    assert len(overdue) >= 2, "the demo shows plans with occurrences missed"
    assert len(on_track) > len(overdue), "most plans are on track"
    plans = ds.plan_by_id()
    for interaction in ds.interactions:
        if interaction.plan is not None:
            assert interaction.day >= plans[interaction.plan].date, f"{interaction.id} is before its plan starts"


def test_demo_opportunities_are_won_lost_and_open_at_every_stage() -> None:
    ds = _demo()
    stages = Counter(opportunity.stage for opportunity in ds.opportunities)
    assert set(stages) == set(OpportunityStage)
    named = {contract.opportunity for contract in ds.contracts}
    won = [o for o in ds.opportunities if o.stage is OpportunityStage.WON]
    assert len(won) >= 2 and all(o.id in named for o in won), "each won deal has its contract"
    lost = [o for o in ds.opportunities if o.stage is OpportunityStage.LOST]
    assert {"价格偏高", "选择了竞品", "预算取消"} <= {o.lost_reason for o in lost}
    prospects = {c.id for c in ds.customers if c.stage is Stage.PROSPECTING}
    assert prospects <= {o.customer for o in ds.opportunities}, "every prospect is a deal being worked on"
    assert any(o.qualification is not None and not o.qualification.authority for o in ds.opportunities if o.is_open)
    assert all(o.qualification is not None for o in won)
    assert all(re.fullmatch(r"SJ-\d{7}", o.id) for o in ds.opportunities)
    worked = Counter(i.opportunity for i in ds.interactions if i.opportunity is not None)
    assert sum(worked.values()) >= 20 and any(o.id in worked for o in lost)


def test_demo_contracts_show_renewals_due_payments_late_and_overdue() -> None:
    ds = _demo()
    horizon = DEMO_AS_OF + timedelta(days=90)
    renewed = {contract.renews for contract in ds.contracts if contract.renews is not None}
    live = [c for c in ds.customers if c.stage in (Stage.ACTIVE, Stage.STABLE)]
    held = Counter(contract.customer for contract in ds.contracts)
    assert all(1 <= held[c.id] <= 4 for c in live), "every active and stable customer has 1-3 contracts (+ renewal)"
    assert all(50_000 <= (contract.amount or 0) <= 3_000_000 for contract in ds.contracts)
    assert all(re.fullmatch(rf"HT-{(c.signed_on or c.start).year}\d{{3}}", c.id) for c in ds.contracts)
    assert all(c.payments_total == c.amount for c in ds.contracts if c.terminated_on is None), "payments add up"

    up = [
        c
        for c in ds.contracts
        if c.end is not None and c.terminated_on is None and c.id not in renewed and c.end >= DEMO_AS_OF
    ]
    due_soon = [c for c in up if c.end is not None and c.end - timedelta(days=c.notice_days_in(ds.config)) <= horizon]
    assert len(due_soon) >= 3, "renewals due within 90 days of the demo day"
    called = {i.contract for i in ds.interactions if i.contract is not None and i.day <= DEMO_AS_OF}
    ending = [c for c in due_soon if c.end is not None and c.end <= horizon]
    assert any(c.id in called for c in ending), "a renewal call before a contract's end"
    assert any(c.id not in called for c in ending), "and a renewal nobody has called about yet"
    assert any(c.end is not None and DEMO_AS_OF <= c.end <= horizon for c in ds.contracts if c.id in renewed), (
        "a contract ending soon that is already renewed"
    )
    assert sum(c.terminated_on is not None for c in ds.contracts) == 1

    past = [p for c in ds.contracts for p in c.payments if p.due < DEMO_AS_OF]
    paid = [p for p in past if p.paid_on is not None]
    assert all(p.paid_on <= DEMO_AS_OF for p in paid if p.paid_on is not None)
    overdue = [p for p in past if p.paid_on is None]
    late = [p for p in paid if p.paid_on is not None and p.paid_on > p.due]
    assert len(overdue) >= 3 and len(late) >= 3
    assert len(paid) - len(late) >= 0.75 * len(past), "payments are mostly on time"


def test_the_generator_makes_plans_deals_and_contracts_in_proportion_and_core_leaves_them_out(
    tmp_path: Path,
) -> None:
    """At any size (the benchmarks use 10,000 customers): about one plan, two deals and a contract or more per
    customer, all valid; --core makes the v1 data set."""
    full, core = tmp_path / "full", tmp_path / "core"
    generate(full, customers=300, interactions=3000, seed=11, as_of=DEMO_AS_OF)
    validation = validate(full, LoadOptions(use_cache=False))
    assert validation.errors == []
    ds = validation.dataset
    assert 0.7 <= len(ds.plans) / 300 <= 1.3
    assert 1.6 <= len(ds.opportunities) / 300 <= 2.5
    assert 1.0 <= len(ds.contracts) / 300 <= 1.6
    generate(core, customers=300, interactions=3000, seed=11, as_of=DEMO_AS_OF, core=True)
    assert not any((core / folder).exists() for folder in LIFE_FOLDERS)
    assert sum(1 for _ in (core / "interactions").rglob("*.yaml")) == 3000
