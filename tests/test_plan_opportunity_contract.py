"""SPEC v2 §2: maintenance plans (plans/), opportunities (opportunities/) and contracts (contracts/).

Each record is read like a customer (one file, stem == id, strict keys, text must be text), checked by its
own rules (file:line:column, in crm.yaml's language) and by the rules across records (its customer, its
owner, a contract's `renews` and `opportunity`, an interaction's `plan`/`opportunity`/`contract`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crmdata.records.load import LoadOptions
from crmdata.records.models import (
    Contract,
    CrmConfig,
    Opportunity,
    OpportunityStage,
    Plan,
    PlanCycle,
    PlanStatus,
)
from crmdata.records.validate import validate
from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm

SEED_PLAN = """\
id: JH-2024001
customer: KH-2024001
cycle: monthly
goal: 知晓系统使用体验
content:
  - 询问运行稳定性
  - 收集改进建议
owner: ming
date: 2024-05-10
postponed_to: 2024-05-12
notes: 客户出差，顺延至5月12日
"""
"""The handbook's plan row `JH-2024001 KH-2024001 每月 知晓系统使用体验 询问运行稳定性,收集改进建议 明 2024-05-10
未完成 客户出差,顺延至5月12日` as the record it stands for (明 is ming on this team)."""

OPPORTUNITY = """\
id: SJ-2024001
customer: KH-2024001
title: 二期扩容项目
stage: proposal
amount: 380000
currency: CNY
expected_close: 2024-09-30
qualification: {budget: true, authority: true, need: false}
owner: ming
source: 客户转介绍
notes: 等待对方预算审批
"""

CONTRACT = """\
id: HT-2024001
customer: KH-2024001
title: 2024 年度系统运维服务
products: [系统运维, 技术支持]
signed_on: 2023-12-20
start: 2024-01-01
end: 2024-12-31
amount: 120000
renewal_notice_days: 90
payments:
  - {due: 2024-01-15, amount: 60000, paid_on: 2024-01-12}
  - {due: 2024-07-15, amount: 60000.0}
owner: ming
"""

Found = tuple[str, int, int, str, str]


def problems(repo: DataRepo, kind: str = "errors", language: str = "zh") -> list[Found]:
    """`crm validate --format json`'s errors (or warnings) in `language`, as (file, line, column, field, message)."""
    repo.config(DEFAULT_CONFIG + f"language: {language}\n")
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert result.returncode == (1 if report["errors"] else 0), result.stdout
    return [(p["file"], p["line"], p["column"], p["field"], p["message"]) for p in report[kind]]


def both(repo: DataRepo, kind: str = "errors") -> dict[str, list[Found]]:
    return {language: problems(repo, kind, language) for language in ("zh", "en")}


# --- the SPEC's examples are valid records -------------------------------------------------------------


def test_the_handbooks_plan_row_the_opportunity_and_the_contract_validate(repo: DataRepo) -> None:
    repo.put(SEED_PLAN, folder="plans")
    repo.put(OPPORTUNITY, folder="opportunities")
    repo.put(CONTRACT, folder="contracts")
    assert problems(repo) == []
    assert [p for p in problems(repo, "warnings") if not p[0].startswith("customers/")] == []
    checked = validate(repo.root, LoadOptions(use_cache=False), today=date(2024, 6, 1))
    (plan,) = checked.dataset.plans
    (opportunity,) = checked.dataset.opportunities
    (contract,) = checked.dataset.contracts
    assert plan.cycle is PlanCycle.MONTHLY and plan.status is PlanStatus.ACTIVE
    assert plan.content == ["询问运行稳定性", "收集改进建议"]
    assert plan.postponed_to == date(2024, 5, 12) and plan.notes == "客户出差，顺延至5月12日"
    assert opportunity.stage is OpportunityStage.PROPOSAL and opportunity.win_probability == 50
    assert opportunity.qualification is not None and opportunity.qualification.need is False
    assert contract.payments[1].amount == 60000.0 and contract.payments[1].paid_on is None
    assert checked.dataset.plan_files == ["plans/JH-2024001.yaml"]
    assert checked.dataset.opportunity_files == ["opportunities/SJ-2024001.yaml"]
    assert checked.dataset.contract_files == ["contracts/HT-2024001.yaml"]
    assert checked.dataset.file_of(contract) == "contracts/HT-2024001.yaml"
    assert checked.dataset.file_of(plan) == "plans/JH-2024001.yaml"


def test_defaults_come_from_the_record_then_crm_yaml() -> None:
    plan = Plan.model_validate(
        {"id": "JH-1", "customer": "KH-1", "goal": "回访", "owner": "ming", "date": "2024-05-10"}
    )
    assert plan.cycle is PlanCycle.ONCE and plan.status is PlanStatus.ACTIVE and plan.content == []
    stages = [("lead", 10), ("qualified", 30), ("proposal", 50), ("negotiation", 70), ("won", 100), ("lost", 0)]
    for stage, chance in stages:
        closing = {"closed_on": "2024-05-01"} if stage in ("won", "lost") else {"expected_close": "2024-09-30"}
        record = {"id": "SJ-1", "customer": "KH-1", "title": "扩容", "stage": stage, "owner": "ming", **closing}
        opportunity = Opportunity.model_validate(record)
        assert opportunity.probability is None, "the default is computed, never written into the record"
        assert opportunity.win_probability == chance, stage
        assert Opportunity.model_validate({**record, "probability": 35}).win_probability == 35
    team = {"team": {"ming": {"name": "张明"}}}
    plain, dollars = CrmConfig.model_validate(team), CrmConfig.model_validate({**team, "currency": "USD"})
    assert plain.currency == "CNY" and plain.policy.renewal_notice_days == 60
    contract = Contract.model_validate(
        {"id": "HT-1", "customer": "KH-1", "title": "运维", "start": "2024-01-01", "owner": "ming"}
    )
    assert contract.currency_in(plain) == "CNY" and contract.currency_in(dollars) == "USD"
    assert contract.currency_in(None) == "CNY"
    assert contract.model_copy(update={"currency": "EUR"}).currency_in(dollars) == "EUR"
    assert contract.notice_days_in(plain) == 60
    longer = CrmConfig.model_validate({**team, "policy": {"renewal_notice_days": 30}})
    assert contract.notice_days_in(longer) == 30
    assert contract.model_copy(update={"renewal_notice_days": 0}).notice_days_in(longer) == 0
    assert opportunity.currency_in(dollars) == "USD"


# --- each record's own rules -----------------------------------------------------------------------------


def test_a_plan_postponed_before_its_first_day_is_an_error(repo: DataRepo) -> None:
    repo.plan("JH-2024001", "KH-2024001", postponed_to="2024-05-01")
    assert both(repo) == {
        "zh": [
            (
                "plans/JH-2024001.yaml",
                7,
                15,
                "postponed_to",
                "顺延日期 postponed_to 2024-05-01 早于执行时间 date 2024-05-10",
            )
        ],
        "en": [
            (
                "plans/JH-2024001.yaml",
                7,
                15,
                "postponed_to",
                "postponed_to 2024-05-01 is before the plan's date 2024-05-10",
            )
        ],
    }


def test_an_open_opportunity_needs_expected_close_and_a_closed_one_closed_on(repo: DataRepo) -> None:
    repo.opportunity("SJ-1", "KH-2024001", expected_close=None)
    repo.opportunity("SJ-2", "KH-2024001", stage="won")
    assert both(repo) == {
        "zh": [
            ("opportunities/SJ-1.yaml", 4, 8, "stage", "stage 是 qualified（商机未关闭），必须填写"
                " expected_close（预计成交日期）"),
            ("opportunities/SJ-2.yaml", 4, 8, "stage", "stage 是 won，必须填写 closed_on（赢单或输单的日期）"),
        ],
        "en": [
            ("opportunities/SJ-1.yaml", 4, 8, "stage", "stage is qualified (still open), so expected_close"
                " (the expected closing day) is required"),
            ("opportunities/SJ-2.yaml", 4, 8, "stage", "stage is won, so closed_on (the day it was"
                " won or lost) is required"),
        ],
    }  # fmt: skip


def test_a_contract_ending_before_it_starts_is_an_error(repo: DataRepo) -> None:
    repo.contract("HT-1", "KH-2024001", end="2023-12-31")
    assert both(repo) == {
        "zh": [("contracts/HT-1.yaml", 5, 6, "end", "合作结束 end 2023-12-31 早于合作起始 start 2024-01-01")],
        "en": [("contracts/HT-1.yaml", 5, 6, "end", "end 2023-12-31 is before start 2024-01-01")],
    }


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        ("-5", "金额不能是负数，这里是 -5", "an amount cannot be negative, found -5"),
        ("true", "应为数字（如 120000 或 9800.5），这里是布尔值 true", "expected a number (such as 120000 or"
            " 9800.5), found the boolean true"),
        ('"120000"', "应为数字（如 120000 或 9800.5），这里是文本 '120000'", "expected a number (such as 120000 or"
            " 9800.5), found the text '120000'"),
        (".nan", "应为数字（如 120000 或 9800.5），这里是数字 nan", "expected a number (such as 120000 or"
            " 9800.5), found the number nan"),
    ],
)  # fmt: skip
def test_an_amount_is_a_number_at_least_zero(repo: DataRepo, written: str, zh: str, en: str) -> None:
    repo.contract("HT-1", "KH-2024001", amount=written)
    found = both(repo)
    assert found["zh"] == [("contracts/HT-1.yaml", 6, 9, "amount", zh)]
    assert found["en"] == [("contracts/HT-1.yaml", 6, 9, "amount", en)]


def test_a_payment_amount_is_checked_where_it_is_written(repo: DataRepo) -> None:
    repo.contract("HT-1", "KH-2024001", "payments:\n  - {due: 2024-03-01, amount: -1}\n  - {due: 2024-06-01}")
    assert problems(repo, language="en") == [
        ("contracts/HT-1.yaml", 9, 31, "payments[0].amount", "an amount cannot be negative, found -1"),
        ("contracts/HT-1.yaml", 10, 5, "payments[1].amount", "required field amount is missing"),
    ]


@pytest.mark.parametrize("written", ["cny", "RMB1", "人民币"])
def test_a_currency_is_three_capital_letters(repo: DataRepo, written: str) -> None:
    repo.opportunity("SJ-1", "KH-2024001", currency=written)
    found = both(repo)
    assert found["en"] == [
        (
            "opportunities/SJ-1.yaml",
            7,
            11,
            "currency",
            f"{written!r} is not a currency code: write ISO 4217's three capital letters, such as CNY, USD, EUR",
        )
    ]
    assert found["zh"][0][4] == f"{written!r} 不是币种代码：请写 ISO 4217 的三个大写字母，如 CNY、USD、EUR"


def test_probability_and_notice_days_are_bounded(repo: DataRepo) -> None:
    repo.opportunity("SJ-1", "KH-2024001", probability="101")
    repo.contract("HT-1", "KH-2024001", renewal_notice_days="400")
    assert problems(repo, language="en") == [
        ("contracts/HT-1.yaml", 8, 22, "renewal_notice_days", "must be at most 366, found 400"),
        ("opportunities/SJ-1.yaml", 7, 14, "probability", "must be at most 100, found 101"),
    ]


def test_unknown_keys_unquoted_text_bad_enums_and_reserved_ids_are_errors(repo: DataRepo) -> None:
    repo.plan("JH-1", "KH-2024001", "goals: 多写了一个 s")
    repo.plan("JH-2", "KH-2024001", cycle="每月")
    repo.opportunity("SJ-1", "KH-2024001", lost_reason="no")
    repo.contract("con", "KH-2024001")
    found = problems(repo, language="en")
    assert found == [
        ("contracts/con.yaml", 1, 5, "id", found[0][4]),
        ("opportunities/SJ-1.yaml", 7, 14, "lost_reason", found[1][4]),
        ("plans/JH-1.yaml", 7, 1, "goals", found[2][4]),
        ("plans/JH-2.yaml", 3, 8, "cycle", found[3][4]),
    ]
    assert "reserved word" in found[0][4]
    assert "quote it" in found[1][4]
    assert found[2][4].startswith("unknown field 'goals' (did you mean goal?)")
    assert found[3][4].startswith(
        "'每月' is not one of: once, weekly, monthly, quarterly, yearly (did you mean monthly?)"
    )


# --- rules across records --------------------------------------------------------------------------------


def test_customer_and_owner_must_exist(repo: DataRepo) -> None:
    repo.plan("JH-1", "KH-9", owner="nobody")
    repo.opportunity("SJ-1", "KH-9")
    repo.contract("HT-1", "KH-2024001", owner="nobody")
    assert problems(repo, language="en") == [
        ("contracts/HT-1.yaml", 7, 8, "owner", "nobody is not on the team (crm.yaml team: ming, hong)"),
        ("opportunities/SJ-1.yaml", 2, 11, "customer", "no customer has the id KH-9"),
        ("plans/JH-1.yaml", 2, 11, "customer", "no customer has the id KH-9"),
        ("plans/JH-1.yaml", 5, 8, "owner", "nobody is not on the team (crm.yaml team: ming, hong)"),
    ]


def test_an_unknown_owner_is_reported_beside_the_records_other_errors(repo: DataRepo) -> None:
    repo.contract("HT-1", "KH-9", owner="nobody", start="soon")
    found = problems(repo, language="en")
    assert [(file, field) for file, _, _, field, _ in found] == [
        ("contracts/HT-1.yaml", "customer"),
        ("contracts/HT-1.yaml", "start"),
        ("contracts/HT-1.yaml", "owner"),
    ]


def test_a_contract_renews_and_closes_existing_records_without_cycles(repo: DataRepo) -> None:
    repo.contract("HT-1", "KH-2024001", renews="HT-3")
    repo.contract("HT-2", "KH-2024001", renews="HT-2", opportunity="SJ-9")
    repo.contract("HT-3", "KH-2024001", renews="HT-4")
    repo.contract("HT-4", "KH-2024001", renews="HT-1")
    repo.contract("HT-5", "KH-2024001", renews="HT-0")
    found = both(repo)
    assert found["en"] == [
        ("contracts/HT-1.yaml", 8, 9, "renews", "renewals go round in a circle: HT-1 → HT-3 → HT-4 → HT-1"),
        ("contracts/HT-2.yaml", 8, 9, "renews", "a contract cannot renew itself (renews names its own id)"),
        ("contracts/HT-2.yaml", 9, 14, "opportunity", "no opportunity has the id SJ-9"),
        ("contracts/HT-3.yaml", 8, 9, "renews", "renewals go round in a circle: HT-3 → HT-4 → HT-1 → HT-3"),
        ("contracts/HT-4.yaml", 8, 9, "renews", "renewals go round in a circle: HT-4 → HT-1 → HT-3 → HT-4"),
        ("contracts/HT-5.yaml", 8, 9, "renews", "no contract has the id HT-0"),
    ]
    assert [message for *_, message in found["zh"]] == [
        "续约关系绕成了一个圈：HT-1 → HT-3 → HT-4 → HT-1",
        "合同不能续约它自己（renews 写的是它自己的编号）",
        "没有编号为 SJ-9 的商机",
        "续约关系绕成了一个圈：HT-3 → HT-4 → HT-1 → HT-3",
        "续约关系绕成了一个圈：HT-4 → HT-1 → HT-3 → HT-4",
        "没有编号为 HT-0 的合同",
    ]


def test_an_interaction_names_its_customers_own_plan_opportunity_and_contract(repo: DataRepo) -> None:
    repo.customer("KH-2")
    repo.plan("JH-1", "KH-2024001")
    repo.opportunity("SJ-1", "KH-2")
    repo.contract("HT-1", "KH-2024001")
    repo.interaction("JL-1", "KH-2024001", "2024-05-10", plan="JH-1", opportunity="SJ-1", contract="HT-1")
    repo.interaction("JL-2", "KH-2024001", "2024-05-11", plan="JH-9", opportunity="SJ-9", contract="HT-9")
    found = both(repo)
    assert found["en"] == [
        ("interactions/2024/JL-1.yaml", 8, 14, "opportunity", "opportunity SJ-1 belongs to customer KH-2, not to"
            " this conversation's customer KH-2024001"),
        ("interactions/2024/JL-2.yaml", 7, 7, "plan", "no plan has the id JH-9"),
        ("interactions/2024/JL-2.yaml", 8, 14, "opportunity", "no opportunity has the id SJ-9"),
        ("interactions/2024/JL-2.yaml", 9, 11, "contract", "no contract has the id HT-9"),
    ]  # fmt: skip
    assert [message for *_, message in found["zh"]] == [
        "商机 SJ-1 属于客户 KH-2，不是这条沟通记录的客户 KH-2024001",
        "没有编号为 JH-9 的维护计划",
        "没有编号为 SJ-9 的商机",
        "没有编号为 HT-9 的合同",
    ]


def test_payments_above_the_amount_and_a_won_deal_without_contract_are_warnings(repo: DataRepo) -> None:
    repo.contract(
        "HT-1", "KH-2024001", "payments:\n  - {due: 2024-01-15, amount: 100000}\n  - {due: 2024-07-15, amount: 30000.5}"
    )
    repo.opportunity("SJ-1", "KH-2024001", stage="won", expected_close=None, closed_on="2024-03-01")
    repo.opportunity("SJ-2", "KH-2024001", stage="won", expected_close=None, closed_on="2024-03-01")
    repo.contract("HT-2", "KH-2024001", opportunity="SJ-2")
    assert problems(repo) == []
    found = both(repo, "warnings")
    mine = {language: [p for p in found[language] if not p[0].startswith("customers/")] for language in found}
    assert mine == {
        "zh": [
            ("contracts/HT-1.yaml", 8, 1, "payments", "回款计划合计 130000.5，超过合同金额 120000"),
            ("opportunities/SJ-1.yaml", 4, 8, "stage", "商机已赢单，但没有合同的 opportunity 写着"
                " SJ-1：请登记这份合同"),
        ],
        "en": [
            ("contracts/HT-1.yaml", 8, 1, "payments", "the payments add up to 130000.5, more than"
                " the contract amount 120000"),
            ("opportunities/SJ-1.yaml", 4, 8, "stage", "the opportunity is won but no contract names it"
                " (opportunity: SJ-1): record the contract"),
        ],
    }  # fmt: skip


def test_ids_are_unique_ignoring_case_across_every_record_type(repo: DataRepo) -> None:
    repo.plan("kh-2024001", "KH-2024001")
    repo.opportunity("JL-2024001", "KH-2024001")
    repo.contract("HT-1", "KH-2024001")
    repo.contract("ht-1", "KH-2024001")
    assert problems(repo, language="en") == [
        ("contracts/ht-1.yaml", 1, 5, "id", "id ht-1 is already used by contracts/HT-1.yaml"),
        ("opportunities/JL-2024001.yaml", 1, 5, "id", "id JL-2024001 is already used by"
            " interactions/2024/JL-2024001.yaml"),
        ("plans/kh-2024001.yaml", 1, 5, "id", "id kh-2024001 is already used by customers/KH-2024001.yaml"),
    ]  # fmt: skip


def test_an_id_must_match_its_file_name_in_the_new_folders(repo: DataRepo) -> None:
    repo.write("plans/JH-2.yaml", "id: JH-1\ncustomer: KH-2024001\ngoal: 回访\nowner: ming\ndate: 2024-05-10\n")
    assert problems(repo, language="en") == [
        ("plans/JH-2.yaml", 1, 5, "id", "id JH-1 does not match the file name JH-2.yaml: rename one of them")
    ]


# --- loading -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder", ["plans", "opportunities", "contracts"])
def test_stray_files_in_the_new_folders_are_named(repo: DataRepo, folder: str) -> None:
    repo.write(f"{folder}/X-1.yml", "id: X-1\n")
    repo.write(f"{folder}/notes.txt", "x\n")
    repo.write(f"{folder}/.gitkeep", "")
    repo.write(f"{folder}/README.md", "what is here\n")
    repo.write(f"{folder}/sub/X-2.yaml", "id: X-2\n")
    (repo.root / folder / "link.yaml").symlink_to(repo.root / "customers" / "KH-2024001.yaml")
    errors = problems(repo, language="en")
    assert [(file, message.split(" (")[0].split(":")[0]) for file, *_, message in errors] == [
        (f"{folder}/X-1.yml", "record files end in .yaml"),
        (f"{folder}/link.yaml", "symbolic links are not followed"),
    ]
    warned = [(file, message) for file, *_, message in problems(repo, "warnings", "en") if file.startswith(folder)]
    assert warned == [
        (f"{folder}/notes.txt", "only <ID>.yaml record files are read here: move this file"
            " out of the record folders or delete it"),
        (f"{folder}/sub", f"folders inside {folder}/ are ignored: {folder}/<ID>.yaml only"),
    ]  # fmt: skip


def test_a_second_validate_reads_the_new_records_from_the_cache(
    repo: DataRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.put(SEED_PLAN, folder="plans")
    repo.put(OPPORTUNITY, folder="opportunities")
    repo.put(CONTRACT, folder="contracts")
    first = validate(repo.root, LoadOptions(jobs=1), today=date(2024, 6, 1))
    assert first.ok
    from crmdata.records import load as load_module

    parsed: list[str] = []
    real = load_module.read_and_parse

    def counting(prefix: str, paths: list[str], max_bytes: int) -> list[load_module.ParseResult]:
        parsed.extend(paths)
        return real(prefix, paths, max_bytes)

    monkeypatch.setattr(load_module, "read_and_parse", counting)
    second = validate(repo.root, LoadOptions(jobs=1), today=date(2024, 6, 1))
    assert parsed == [], "every file came from the cache"
    assert second.dataset.plans == first.dataset.plans
    assert second.dataset.opportunities == first.dataset.opportunities
    assert second.dataset.contracts == first.dataset.contracts
    Path(repo.root / "plans" / "JH-2024001.yaml").write_text(SEED_PLAN.replace("每月", "x") + "status: cancelled\n")
    third = validate(repo.root, LoadOptions(jobs=1), today=date(2024, 6, 1))
    assert parsed == ["plans/JH-2024001.yaml"]
    assert third.dataset.plans[0].status is PlanStatus.CANCELLED
