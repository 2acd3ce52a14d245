"""`crm diff` on plans, opportunities and contracts: what a change does to the business, read from git.

One scenario (as of 2026-11-24), committed twice:
- SJ-1 (negotiation, ¥300,000) is won on 2026-11-20, SJ-2 (proposal) is lost; SJ-3 is new;
- HT-2 renews HT-1 (2026), HT-3 is a new contract of its own; HT-1's payment due 2026-06-30 is paid;
- the plan JH-1 is removed, JH-2 added; the visit that won SJ-1 is logged (KPIs of conversations change).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from crmdata.engine import kpis
from crmdata.git import diff
from crmdata.records.models import Language
from tests.conftest import DataRepo, invoke_crm
from tests.test_diff import AS_OF, commit, crm_diff, git, init_git

PAYMENT_DUE = "payments:\n  - {due: 2026-06-30, amount: 60000%s}\n"


def write_base(data: DataRepo, language: str) -> None:
    data.config(f"team:\n  ming: {{name: 张明}}\nlanguage: {language}\n")
    data.customer("KH-1", name="华星科技")
    data.customer("KH-2", name="远航物流")
    data.opportunity("SJ-1", "KH-1", title="二期扩容", stage="negotiation", amount="300000")
    data.opportunity("SJ-2", "KH-2", title="仓储系统", stage="proposal", amount="80000")
    data.contract("HT-1", "KH-1", PAYMENT_DUE % "", start="2025-01-01", end="2025-12-31")
    data.plan("JH-1", "KH-1")


def write_head(data: DataRepo) -> None:
    won = {"stage": "won", "expected_close": None, "closed_on": "2026-11-20"}
    data.opportunity("SJ-1", "KH-1", title="二期扩容", amount="300000", **won)
    lost = {"stage": "lost", "expected_close": None, "closed_on": "2026-11-18", "lost_reason": "预算取消"}
    data.opportunity("SJ-2", "KH-2", title="仓储系统", amount="80000", **lost)
    data.opportunity("SJ-3", "KH-2", title="运输管理", stage="lead", amount="50000", expected_close="2027-03-31")
    data.contract("HT-1", "KH-1", PAYMENT_DUE % ", paid_on: 2026-07-02", start="2025-01-01", end="2025-12-31")
    renewal = {"start": "2026-01-01", "end": "2026-12-31", "amount": "130000", "signed_on": "2025-12-20"}
    data.contract("HT-2", "KH-1", title="2026 年度运维", renews="HT-1", **renewal)
    data.contract("HT-3", "KH-1", title="二期扩容实施", start="2026-12-01", end=None, amount="300000",
                  opportunity="SJ-1")  # fmt: skip
    data.interaction("JL-1", "KH-1", "2026-11-20", channel="visit", topic="签约", opportunity="SJ-1")
    (data.root / "plans" / "JH-1.yaml").unlink()
    data.plan("JH-2", "KH-2", cycle="quarterly", goal="了解仓储需求", date="2026-12-01")


def scenario(tmp_path: Path, language: str) -> DataRepo:
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    write_base(data, language)
    commit(data.root, "base")
    write_head(data)
    commit(data.root, "deals")
    return data


@pytest.fixture
def deals(tmp_path: Path) -> DataRepo:
    return scenario(tmp_path, "zh")


def test_stage_moves_and_contracts_signed_or_renewed_in_markdown(deals: DataRepo) -> None:
    result = crm_diff(deals, "HEAD~1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    headline = lines[2]
    assert headline.startswith("**") and headline.endswith("**")
    parts = headline.strip("*").split("，")
    assert parts[:4] == ["1 条沟通记录新增", "1 个维护计划新增", "1 个维护计划删除", "1 个商机新增"]
    assert parts[4:10] == ["2 个商机修改", "2 份合同新增", "1 份合同修改", "2 个商机阶段推进", "赢单 1 个", "输单 1 个"]
    assert parts[10:12] == ["新签 1 份合同", "续约 1 份合同"]
    assert "#### 商机阶段变化（2）" in lines
    assert "| `SJ-1` | `KH-1` `华星科技` | `二期扩容` | 谈判 | **赢单** | ¥30万 | 2026-11-20 |" in lines
    assert "| `SJ-2` | `KH-2` `远航物流` | `仓储系统` | 方案 | **输单** | ¥80,000 | 2026-11-18 |" in lines
    assert "#### 签约与续约（2）" in lines
    renewed = "| **续约** | `HT-2` | `KH-1` `华星科技` | `2026 年度运维` | 2026-01-01 – 2026-12-31 | ¥13万 |"
    assert f"{renewed} 2025-12-20 | 续约 `HT-1` |" in lines
    assert "| 新签 | `HT-3` | `KH-1` `华星科技` | `二期扩容实施` | 2026-12-01 起，不定期 | ¥30万 | — |  |" in lines
    assert "#### 维护计划：1 新增，1 删除" in lines
    assert "| 新增 | `JH-2` | `KH-2` `远航物流` | 每季度 | `了解仓储需求` | `ming` | 2026-12-01 |" in lines
    assert "#### 合同：2 新增，1 修改" in lines
    assert "| `HT-1` `系统运维服务` | `payments[0].paid_on` | — | 2026-07-02 |" in lines


def test_the_same_in_english(tmp_path: Path) -> None:
    data = scenario(tmp_path, "en")
    lines = crm_diff(data, "HEAD~1").stdout.splitlines()
    assert "2 opportunities moved stage, 1 won, 1 lost, 1 contract signed, 1 contract renewed" in lines[2]
    assert "#### Opportunity stage moves (2)" in lines
    assert "| `SJ-1` | `KH-1` `华星科技` | `二期扩容` | Negotiation | **Won** | ¥300,000 | 2026-11-20 |" in lines
    assert "#### Contracts signed and renewed (2)" in lines
    signed = "| signed | `HT-3` | `KH-1` `华星科技` | `二期扩容实施` | from 2026-12-01, open-ended |"
    assert f"{signed} ¥300,000 | — |  |" in lines


def test_json_gains_the_deals_and_keeps_every_key(deals: DataRepo) -> None:
    report = json.loads(crm_diff(deals, "HEAD~1", "--format", "json").stdout)
    assert set(report) >= {
        "ok", "as_of", "base", "head", "summary", "customers", "interactions", "config", "stages", "followups",
        "todos_done", "kpis", "base_errors", "head_errors",
        "plans", "opportunities", "contracts", "opportunity_stages", "contracts_signed", "money",
    }  # fmt: skip
    assert [(item["id"], item["status"]) for item in report["plans"]] == [("JH-1", "removed"), ("JH-2", "added")]
    assert [(item["id"], item["status"]) for item in report["opportunities"]] == [
        ("SJ-1", "changed"), ("SJ-2", "changed"), ("SJ-3", "added"),
    ]  # fmt: skip
    assert [(item["id"], item["status"]) for item in report["contracts"]] == [
        ("HT-1", "changed"), ("HT-2", "added"), ("HT-3", "added"),
    ]  # fmt: skip
    assert report["opportunity_stages"] == [
        {"opportunity": "SJ-1", "customer": "KH-1", "title": "二期扩容", "from": "negotiation", "to": "won",
         "amount": 300000, "currency": "CNY", "closed_on": "2026-11-20"},
        {"opportunity": "SJ-2", "customer": "KH-2", "title": "仓储系统", "from": "proposal", "to": "lost",
         "amount": 80000, "currency": "CNY", "closed_on": "2026-11-18"},
    ]  # fmt: skip
    assert report["contracts_signed"] == [
        {"contract": "HT-2", "event": "renewed", "customer": "KH-1", "title": "2026 年度运维", "start": "2026-01-01",
         "end": "2026-12-31", "amount": 130000, "currency": "CNY", "signed_on": "2025-12-20", "renews": "HT-1"},
        {"contract": "HT-3", "event": "signed", "customer": "KH-1", "title": "二期扩容实施", "start": "2026-12-01",
         "end": None, "amount": 300000, "currency": "CNY", "signed_on": None, "renews": None},
    ]  # fmt: skip


def _leaves(prefix: str, value: object) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(f"{prefix}.{key}" if prefix else str(key), item)
    else:
        yield prefix, value


def _kpis_at(data: DataRepo, revision: str) -> dict[tuple[str, str | None], object]:
    """`crm kpi --format json` of the team on a revision checked out, by (KPI, key inside it)."""
    git(data.root, "checkout", "-q", revision)
    try:
        report = json.loads(invoke_crm("kpi", "--root", str(data.root), "--as-of", AS_OF, "--format", "json").stdout)
    finally:
        git(data.root, "checkout", "-q", "main")
    registered = {definition.name for definition in kpis.KPIS}
    return {
        (name, key or None): leaf
        for name, value in report.items()
        if name in registered
        for key, leaf in _leaves("", value)
    }


def test_every_registered_kpi_that_the_deals_change_is_shown(deals: DataRepo) -> None:
    """crm diff shows the change of every registered KPI, whichever the engine adds: the pipeline's value
    and the receivables as soon as they are registered, without a word here."""
    base, head = _kpis_at(deals, "HEAD~1"), _kpis_at(deals, "HEAD")
    changed = {key for key in base.keys() | head.keys() if base.get(key) != head.get(key)}
    report = json.loads(crm_diff(deals, "HEAD~1", "--format", "json").stdout)
    shown = {(item["name"], item["key"]): (item["base"], item["head"]) for item in report["kpis"]}
    assert set(shown) == changed
    assert all(shown[key] == (base.get(key), head.get(key)) for key in changed)
    money = {item["name"]: (item["base"], item["head"]) for item in report["money"]}
    assert money == {name: shown[name, None] for name in diff.MONEY_KPIS if (name, None) in shown}
    markdown = crm_diff(deals, "HEAD~1").stdout
    titles = {definition.name: definition.title("zh") for definition in kpis.KPIS}
    for name in money:
        assert f"- {titles[name]} `{name}`：" in markdown


def test_the_pipeline_and_receivables_are_worded_as_amounts() -> None:
    """The money section and the headline from a change's KPI values (as the engine's KPIs give them)."""
    pipeline = diff.KpiChange("pipeline_open_value", "", "商机金额", "count", 380000, 50000)
    receivables = diff.KpiChange("receivables_overdue", "", "逾期应收", "count", 60000, 0)
    other = diff.KpiChange("overdue_todos", "", "逾期待办", "count", 1, 0)
    change = diff.Change(date(2026, 11, 24), "BASE", "HEAD", kpis=(pipeline, receivables, other))
    assert change.money == (pipeline, receivables)
    assert change.headline() == "商机金额 −¥33万，逾期应收 −¥60,000，3 项指标变化"
    lines = diff.markdown(change).splitlines()
    start = lines.index("#### 商机与应收")
    assert lines[start + 2 : start + 4] == [
        "- 商机金额 `pipeline_open_value`：¥38万 → ¥50,000（−¥33万）",
        "- 逾期应收 `receivables_overdue`：¥60,000 → ¥0（−¥60,000）",
    ]
    english = diff.Change(date(2026, 11, 24), "B", "H", kpis=(pipeline,), language=Language.EN, currency="USD")
    assert "- 商机金额 `pipeline_open_value`: USD 380,000 → USD 50,000 (−USD 330,000)" in diff.markdown(english)
    assert diff.as_json(change)["money"] == [
        {"name": "pipeline_open_value", "currency": "CNY", "base": 380000, "head": 50000, "change": -330000},
        {"name": "receivables_overdue", "currency": "CNY", "base": 60000, "head": 0, "change": -60000},
    ]
