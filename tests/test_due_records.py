"""`crm due` with plans, renewals and payments (SPEC v2 §4), as a user runs it: the JSON, the text by owner.

The handbook's plan (monthly from 2024-05-10, postponed to 05-12 for a trip) is ming's; hong's contract runs
2024-01-01 .. 2024-06-30 (renewal due 06-30 - 60 = 05-01) with its second payment (05-01) unpaid.
as_of 2024-05-14: the plan is 2 days overdue (05-14 - 05-12), the renewal and the payment 13 days.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm, run_crm

PAYMENTS = "payments:\n  - {due: 2024-03-31, amount: 60000, paid_on: 2024-03-28}\n  - {due: 2024-05-01, amount: 60000}"


@pytest.fixture
def crm(repo: DataRepo) -> DataRepo:
    repo.interaction("JL-2024001", "KH-2024001", "2024-05-10")  # ming's follow-up: due 05-25 (high value, 15): ok
    repo.plan(
        "JH-2024001",
        "KH-2024001",
        goal="知晓系统使用体验",
        content="[询问运行稳定性, 收集改进建议]",
        postponed_to="2024-05-12",
        notes="客户出差，顺延至5月12日",
    )
    repo.plan("JH-2024002", "KH-2024001", cycle="yearly", date="2024-12-01", goal="年度回顾")  # ok: hidden
    repo.contract("HT-2024001", "KH-2024001", PAYMENTS, owner="hong", end="2024-06-30")
    return repo


def test_due_json_lists_plans_renewals_and_payments_sorted_by_due(crm: DataRepo) -> None:
    result = run_crm("due", "--as-of", "2024-05-14", "--format", "json", cwd=crm.root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    spec_plan_keys = ("plan", "customer", "owner", "goal", "due", "status", "days_overdue")
    assert [{key: plan[key] for key in spec_plan_keys} for plan in report["plans"]] == [
        {
            "plan": "JH-2024001",
            "customer": "KH-2024001",
            "owner": "ming",
            "goal": "知晓系统使用体验",
            "due": "2024-05-12",
            "status": "overdue",
            "days_overdue": 2,
        },
        {
            "plan": "JH-2024002",
            "customer": "KH-2024001",
            "owner": "ming",
            "goal": "年度回顾",
            "due": "2024-12-01",
            "status": "ok",
            "days_overdue": 0,
        },
    ]
    assert report["plans"][0]["content"] == ["询问运行稳定性", "收集改进建议"]
    assert report["renewals"] == [
        {
            "contract": "HT-2024001",
            "customer": "KH-2024001",
            "owner": "hong",
            "end": "2024-06-30",
            "due": "2024-05-01",
            "status": "overdue",
            "days_overdue": 13,
        }
    ]
    assert report["payments"] == [
        {
            "contract": "HT-2024001",
            "customer": "KH-2024001",
            "owner": "hong",
            "due": "2024-05-01",
            "amount": 60000,
            "currency": "CNY",
            "days_overdue": 13,
        }
    ]


def test_due_for_one_owner_lists_only_their_plans_renewals_and_payments(crm: DataRepo) -> None:
    hong = json.loads(
        run_crm("due", "--as-of", "2024-05-14", "--owner", "hong", "--format", "json", cwd=crm.root).stdout
    )
    assert (hong["followups"], hong["plans"]) == ([], [])
    assert [r["contract"] for r in hong["renewals"]] == ["HT-2024001"]
    assert [p["contract"] for p in hong["payments"]] == ["HT-2024001"]
    ming = json.loads(
        run_crm("due", "--as-of", "2024-05-14", "--owner", "ming", "--format", "json", cwd=crm.root).stdout
    )
    assert [p["plan"] for p in ming["plans"]] == ["JH-2024001", "JH-2024002"]
    assert (ming["renewals"], ming["payments"]) == ([], [])


DUE_TEXT = {
    "zh": [
        "跟进计划（2024-05-14）：逾期 0，即将到期 0，按计划 1（共 1 位客户）",
        "",
        "李红 (hong)：逾期 0，即将到期 0",
        "  续约（1）",
        "  逾期      13 天     2024-05-01  HT-2024001   华星科技有限公司             合作结束 2024-06-30",
        "  逾期回款（1）",
        "  逾期      13 天     2024-05-01  HT-2024001   华星科技有限公司             ¥60,000",
        "",  # hong has two overdue items (a renewal, a payment), ming one (the plan): hong first
        "张明 (ming)：逾期 0，即将到期 0",
        "  …… 另有 1 位客户尚未到期（--all 列出全部）",
        "  维护计划（1）",
        "  逾期      2 天      2024-05-12  JH-2024001   华星科技有限公司             "
        "知晓系统使用体验 · 每月 · 顺延（原定 2024-05-10）",
        "      沟通内容：询问运行稳定性，收集改进建议",
        "  …… 另有 1 项计划或续约尚未到期（--all 列出全部）",
    ],
    "en": [
        "Follow-ups as of 2024-05-14: 0 overdue, 0 due soon, 1 on track (1 customer)",
        "",
        "李红 (hong): 0 overdue, 0 due soon",
        "  Renewals (1)",
        "  Overdue   13 days   2024-05-01  HT-2024001   华星科技有限公司             ends 2024-06-30",
        "  Overdue payments (1)",
        "  Overdue   13 days   2024-05-01  HT-2024001   华星科技有限公司             ¥60,000",
        "",
        "张明 (ming): 0 overdue, 0 due soon",
        "  ... and 1 more not due soon (--all lists them)",
        "  Plans (1)",
        "  Overdue   2 days    2024-05-12  JH-2024001   华星科技有限公司             "
        "知晓系统使用体验 · Monthly · postponed from 2024-05-10",
        "      Talking points: 询问运行稳定性, 收集改进建议",
        "  ... and 1 more plans or renewals not due soon (--all lists them)",
    ],
}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_due_text_shows_each_owners_plans_with_talking_points_renewals_and_payments(
    crm: DataRepo, language: str
) -> None:
    crm.config(DEFAULT_CONFIG + f"language: {language}\n")
    result = invoke_crm("due", "--root", str(crm.root), "--as-of", "2024-05-14")
    assert result.returncode == 0
    assert result.stdout.splitlines() == DUE_TEXT[language]


def test_due_all_lists_the_plans_not_due_soon_too(crm: DataRepo) -> None:
    lines = invoke_crm("due", "--root", str(crm.root), "--as-of", "2024-05-14", "--all").stdout.splitlines()
    assert "  维护计划（2）" in lines
    assert any("JH-2024002" in line and "年度回顾 · 每年" in line for line in lines)
    assert not any("尚未到期" in line for line in lines)
