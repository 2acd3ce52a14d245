"""`crm import` and `crm export` of the plan table (客户维护计划表), opportunities and contracts, as a user
runs them: real CSV and XLSX files written to disk, the installed `crm`, the files it writes read back."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crmdata.records.load import LoadOptions, load
from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm
from tests.test_import_export import files, read_record, write_csv, write_xlsx

PLAN_HEADERS = ["计划编号", "客户编号", "维护周期", "维护目标", "沟通内容", "负责人", "执行时间", "完成状态", "备注"]
SEED_PLAN = ["JH-2024001", "KH-2024001", "每月", "知晓系统使用体验", "询问运行稳定性,收集改进建议", "明", "2024-05-10",
             "未完成", "客户出差,顺延至5月12日"]  # fmt: skip
OPPORTUNITY_HEADERS = ["商机编号", "客户编号", "商机名称", "阶段", "预计金额", "币种", "赢单概率", "预计成交日期"]
OPPORTUNITY_HEADERS += ["成交日期", "输单原因", "负责人", "来源", "备注"]
CONTRACT_HEADERS = ["合同编号", "客户编号", "合作项目", "产品/服务类型", "签约日期", "开始日期", "结束日期", "合同金额"]
CONTRACT_HEADERS += ["币种", "回款", "续约自", "负责人", "备注"]


def _import(kind: str, sheet: Path, repo: DataRepo, *options: str) -> tuple[int, str]:
    result = invoke_crm("import", kind, str(sheet), "--root", str(repo.root), *options)
    return result.returncode, result.stdout + result.stderr


def test_the_seed_plan_row_imports_exactly(repo: DataRepo, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "客户维护计划表.csv", [PLAN_HEADERS, SEED_PLAN])
    code, out = _import("plans", sheet, repo, "--write")
    assert code == 0, out
    assert out.splitlines()[1] == "  第 2 行：已创建 plans/JH-2024001.yaml  KH-2024001 知晓系统使用体验"
    assert read_record(repo, "plans/JH-2024001.yaml") == {
        "id": "JH-2024001",
        "customer": "KH-2024001",
        "cycle": "monthly",
        "goal": "知晓系统使用体验",
        "content": ["询问运行稳定性", "收集改进建议"],
        "owner": "ming",  # 明: the one team member whose name (张明) ends with it
        "date": date(2024, 5, 10),
        "postponed_to": date(2024, 5, 12),  # the year taken from 执行时间
        "notes": "客户出差,顺延至5月12日",  # the whole 备注 kept
    }
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    again_code, again = _import("plans", sheet, repo, "--write")
    assert again_code == 0, again
    assert "  第 2 行：已导入过，没有变化：JH-2024001 KH-2024001 知晓系统使用体验" in again


def test_plan_words_talking_points_postponements_and_statuses(repo: DataRepo, tmp_path: Path) -> None:
    repo.customer("KH-2024002")
    sheet = write_xlsx(
        tmp_path / "计划.xlsx",
        {"维护计划": [
            PLAN_HEADERS,
            ["JH-2024002", "KH-2024001", "每季度", "续约意向", "续约时间；预算", "李红", "2024-12-28", "计划中",
             "客户休假，顺延至1月6日"],
            ["JH-2024003", "华星科技有限公司", "Weekly", "回访", "询问进度、收集反馈", "ming", "2024-03-04", "已取消",
             None],
            ["JH-2024004", "KH-2024002", "一次", "上门拜访", None, "张明", "2024-04-01", "进行中",
             "延期至2024年4月15日"],
        ]},
    )  # fmt: skip
    code, out = _import("plans", sheet, repo, "--write")
    assert code == 0, out
    second = read_record(repo, "plans/JH-2024002.yaml")
    assert (second["cycle"], second["content"], second["owner"]) == ("quarterly", ["续约时间", "预算"], "hong")
    assert second["postponed_to"] == date(2025, 1, 6)  # earlier in the year than 执行时间: the next year
    third = read_record(repo, "plans/JH-2024003.yaml")
    assert (third["customer"], third["cycle"], third["status"]) == ("KH-2024001", "weekly", "cancelled")
    assert third["content"] == ["询问进度", "收集反馈"]
    fourth = read_record(repo, "plans/JH-2024004.yaml")
    assert (fourth["cycle"], fourth["postponed_to"]) == ("once", date(2024, 4, 15))
    assert "status" not in fourth  # active is the default: not written


def test_a_done_occurrence_is_carried_out_by_a_conversation(repo: DataRepo, tmp_path: Path) -> None:
    done = [*SEED_PLAN[:7], "已完成", "客户出差,顺延至5月12日"]
    sheet = write_csv(tmp_path / "计划.csv", [PLAN_HEADERS, done])
    code, out = _import("plans", sheet, repo)
    assert code == 0, out
    assert out.splitlines()[1:3] == [
        "  第 2 行：将创建 plans/JH-2024001.yaml  KH-2024001 知晓系统使用体验",
        "  第 2 行：将创建 interactions/2024/JL-2024002.yaml  KH-2024001 2024-05-12 知晓系统使用体验",
    ]
    code, out = _import("plans", sheet, repo, "--write", "--format", "json")
    assert code == 0, out
    report = json.loads(out)
    assert report["written"] == ["plans/JH-2024001.yaml", "interactions/2024/JL-2024002.yaml"]
    plan = read_record(repo, "plans/JH-2024001.yaml")
    assert plan["date"] == date(2024, 5, 10) and "status" not in plan
    assert read_record(repo, "interactions/2024/JL-2024002.yaml") == {
        "id": "JL-2024002",
        "customer": "KH-2024001",
        "date": date(2024, 5, 12),  # the occurrence's due day: postponed to 5-12
        "channel": "other",
        "owner": "ming",
        "topic": "知晓系统使用体验",
        "summary": "维护计划表第 2 行标为已完成（由 crm import 导入）",
        "plan": "JH-2024001",
    }
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    code, out = _import("plans", sheet, repo, "--write")
    assert code == 0, out
    assert files(repo, "interactions") == ["interactions/2024/JL-2024001.yaml", "interactions/2024/JL-2024002.yaml"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh",
            [
                "  第 2 行，维护周期（C 列）：每两周 不是有效的维护周期：once (一次), weekly (每周), monthly (每月), "
                "quarterly (每季度), yearly (每年)",
                "  第 2 行，负责人（F 列）：小 与多位团队成员的名字相符（ming 王小，hong 李小）：请写成员的键",
                "  第 3 行，备注（I 列）：顺延至2月30日：2025-02-30 不是真实存在的日期"
                "（day is out of range for month）",
                "  第 4 行，完成状态（H 列）：搁置 不是有效的完成状态：active (计划中), done (已完成), "
                "cancelled (已取消)",
            ],
        ),
        (
            "en",
            [
                "  row 2, column 维护周期 (C): 每两周 is not a plan cycle: once (一次), weekly (每周), monthly (每月), "
                "quarterly (每季度), yearly (每年)",
                "  row 2, column 负责人 (F): 小 matches the names of several team members (ming 王小, hong 李小): "
                "write the key",
                "  row 3, column 备注 (I): 顺延至2月30日: 2025-02-30 is not a real date "
                "(day is out of range for month)",
                "  row 4, column 完成状态 (H): 搁置 is not a completion status: active (计划中), done (已完成), "
                "cancelled (已取消)",
            ],
        ),
    ],
)
def test_plan_row_problems_in_the_language_of_crm_yaml(
    repo: DataRepo, tmp_path: Path, language: str, expected: list[str]
) -> None:
    repo.config(f"team:\n  ming: {{name: 王小}}\n  hong: {{name: 李小}}\nlanguage: {language}\n")
    sheet = write_csv(
        tmp_path / "计划.csv",
        [
            PLAN_HEADERS,
            ["JH-1", "KH-2024001", "每两周", "回访", None, "小", "2024-05-10", "未完成", None],
            ["JH-2", "KH-2024001", "每月", "回访", None, "ming", "2025-01-10", "未完成", "顺延至2月30日"],
            ["JH-3", "KH-2024001", "每月", "回访", None, "ming", "2024-05-10", "搁置", None],
        ],
    )
    code, out = _import("plans", sheet, repo)
    assert code == 1, out
    assert [line for line in out.splitlines() if line.startswith("  ")] == expected


OPPORTUNITY_ROWS = [
    OPPORTUNITY_HEADERS,
    ["SJ-2024001", "KH-2024001", "二期扩容", "方案", "12.5万", "人民币", "60%", "2024-09-30", None, None, "张明",
     "客户转介绍", None],
    ["SJ-2024002", "KH-2024001", "运维外包", "输单", "¥80,000", None, None, None, "2024-06-01", "预算不足", "hong",
     None, "明年再谈"],
    ["SJ-2024003", "KH-2024001", "数据平台", "谈判", 300000.5, "USD", 0.7, "2024-10-15", None, None, "ming", None,
     None],
]  # fmt: skip


def test_opportunities_read_amounts_currencies_and_probabilities(repo: DataRepo, tmp_path: Path) -> None:
    sheet = write_xlsx(tmp_path / "商机.xlsx", {"商机": OPPORTUNITY_ROWS})
    code, out = _import("opportunities", sheet, repo, "--write")
    assert code == 0, out
    assert read_record(repo, "opportunities/SJ-2024001.yaml") == {
        "id": "SJ-2024001",
        "customer": "KH-2024001",
        "title": "二期扩容",
        "stage": "proposal",
        "amount": 125000,
        "currency": "CNY",
        "probability": 60,
        "expected_close": date(2024, 9, 30),
        "owner": "ming",
        "source": "客户转介绍",
    }
    lost = read_record(repo, "opportunities/SJ-2024002.yaml")
    assert (lost["stage"], lost["amount"], lost["closed_on"], lost["lost_reason"]) == (
        "lost",
        80000,
        date(2024, 6, 1),
        "预算不足",
    )
    third = read_record(repo, "opportunities/SJ-2024003.yaml")
    assert (third["amount"], third["currency"], third["probability"]) == (300000.5, "USD", 70)


def test_an_unreadable_amount_is_a_row_problem(repo: DataRepo, tmp_path: Path) -> None:
    rows = [OPPORTUNITY_HEADERS, [*OPPORTUNITY_ROWS[1][:4], "十二万", *OPPORTUNITY_ROWS[1][5:]]]
    code, out = _import("opportunities", write_csv(tmp_path / "商机.csv", rows), repo)
    assert code == 1, out
    assert "  第 2 行，预计金额（E 列）：十二万 不是金额：请写成 125000、12.5万 或 ¥125,000" in out.splitlines()


CONTRACT_ROWS = [
    CONTRACT_HEADERS,
    ["HT-2024001", "KH-2024001", "2024 年度系统运维服务", "运维服务；备件", "2023-12-20", "2024-01-01", "2024-12-31",
     "10万元", None, "2024-06-30 50000 已付 2024-07-02；2024-12-31 5万", None, "张明", None],
    ["HT-2025001", "KH-2024001", "2025 年度系统运维服务", "运维服务", None, "2025-01-01", "2025-12-31", 120000,
     "CNY", "2025-03-31 60,000\n2025-09-30 60000", "HT-2024001", "ming", "续约"],
]  # fmt: skip


def test_contracts_read_payments_and_renewals(repo: DataRepo, tmp_path: Path) -> None:
    code, out = _import("contracts", write_csv(tmp_path / "合同.csv", CONTRACT_ROWS), repo, "--write")
    assert code == 0, out
    assert read_record(repo, "contracts/HT-2024001.yaml") == {
        "id": "HT-2024001",
        "customer": "KH-2024001",
        "title": "2024 年度系统运维服务",
        "products": ["运维服务", "备件"],
        "signed_on": date(2023, 12, 20),
        "start": date(2024, 1, 1),
        "end": date(2024, 12, 31),
        "amount": 100000,
        "payments": [
            {"due": date(2024, 6, 30), "amount": 50000, "paid_on": date(2024, 7, 2)},
            {"due": date(2024, 12, 31), "amount": 50000},
        ],
        "owner": "ming",
    }
    renewal = read_record(repo, "contracts/HT-2025001.yaml")
    assert (renewal["renews"], renewal["currency"], renewal["notes"]) == ("HT-2024001", "CNY", "续约")
    assert renewal["payments"] == [
        {"due": date(2025, 3, 31), "amount": 60000},
        {"due": date(2025, 9, 30), "amount": 60000},
    ]
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "zh",
            "  第 2 行，回款（J 列）：2024-06-30 五万：不是一笔回款：请写成 应收日期 金额，已付的再写 已付 回款日期，"
            "例如 2024-06-30 50000 已付 2024-07-02",
        ),
        (
            "en",
            "  row 2, column 回款 (J): 2024-06-30 五万: not a payment: write due-date amount, and for a paid one "
            "paid paid-on-date, e.g. 2024-06-30 50000 paid 2024-07-02",
        ),
    ],
)
def test_an_unreadable_payment_is_a_row_problem(repo: DataRepo, tmp_path: Path, language: str, expected: str) -> None:
    repo.config(DEFAULT_CONFIG + f"language: {language}\n")
    row = [*CONTRACT_ROWS[1][:9], "2024-06-30 五万", *CONTRACT_ROWS[1][10:]]
    code, out = _import("contracts", write_csv(tmp_path / "合同.csv", [CONTRACT_HEADERS, row]), repo)
    assert code == 1, out
    assert expected in out.splitlines()


def _records(root: Path) -> dict[str, list[dict[str, object]]]:
    dataset, problems, _ = load(root, LoadOptions(use_cache=False))
    assert not problems
    return {
        kind: sorted((record.model_dump() for record in getattr(dataset, kind)), key=lambda data: str(data["id"]))
        for kind in ("plans", "opportunities", "contracts", "interactions")
    }


@pytest.mark.parametrize(("language", "suffix"), [("zh", "xlsx"), ("en", "csv"), ("zh", "csv"), ("en", "xlsx")])
def test_export_then_import_into_an_empty_repository_gives_the_same_records(
    repo: DataRepo, tmp_path: Path, language: str, suffix: str
) -> None:
    repo.config(DEFAULT_CONFIG + f"language: {language}\n")
    repo.customer("KH-2024002", name="月底公司")
    repo.plan("JH-2024001", "KH-2024001", content="[询问运行稳定性, '收集改进建议，尤其是报表']",
              postponed_to="2024-05-12", notes="客户出差，顺延至5月12日")  # fmt: skip
    repo.plan("JH-2024002", "KH-2024002", cycle="yearly", date="2024-01-31", status="cancelled", notes="顺延至3月1日")
    repo.plan("JH-2024003", "KH-2024002", cycle="once", owner="hong", content="['=1+1']")
    repo.opportunity("SJ-2024001", "KH-2024001", "qualification: {budget: true, need: true}", amount="125000.5",
                     currency="USD", probability="35", source="展会", notes='"两行\\n备注"')  # fmt: skip
    repo.opportunity(
        "SJ-2024002", "KH-2024002", stage="won", expected_close=None, closed_on="2024-03-01", amount="90000"
    )
    repo.contract("HT-2024001", "KH-2024002", "products: [运维服务, 备件]", "payments:",
                  "  - {due: 2024-06-30, amount: 45000, paid_on: 2024-07-02}", "  - {due: 2024-12-31, amount: 45000.5}",
                  opportunity="SJ-2024002", signed_on="2023-12-20", renewal_notice_days="30",
                  amount="90000.5")  # fmt: skip
    repo.contract("HT-2025001", "KH-2024002", renews="HT-2024001", start="2025-01-01", end=None, amount=None,
                  terminated_on="2025-06-30", currency="EUR")  # fmt: skip
    repo.put("id: JL-2024002\ncustomer: KH-2024001\ndate: 2024-05-12\nchannel: phone\nowner: ming\ntopic: 回访\n"
             "plan: JH-2024001\nopportunity: SJ-2024001\n")  # fmt: skip
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    target = DataRepo(tmp_path / "empty")
    target.config(DEFAULT_CONFIG + f"language: {language}\n")
    for customer in ("customers/KH-2024001.yaml", "customers/KH-2024002.yaml"):
        target.write(customer, (repo.root / customer).read_text(encoding="utf-8"))
    for kind in ("plans", "opportunities", "contracts", "interactions"):
        out = tmp_path / f"{kind}.{suffix}"
        exported = invoke_crm("export", kind, "--root", str(repo.root), "--out", str(out))
        assert exported.returncode == 0, exported.stderr
        code, report = _import(kind, out, target, "--write")
        assert code == 0, report
    assert _records(target.root) == _records(repo.root)
    headers = (tmp_path / f"plans.{suffix}").read_bytes()
    if suffix == "csv":
        first = headers.decode("utf-8-sig").splitlines()[0]
        expected_first = "计划编号,客户编号,维护周期,维护目标,沟通内容,负责人,执行时间,完成状态,备注"
        if language == "en":
            expected_first = "id,customer,cycle,goal,content,owner,date,status,notes"
        assert first.startswith(expected_first), first


def test_exported_plan_table_uses_the_handbook_words(repo: DataRepo, tmp_path: Path) -> None:
    repo.plan("JH-2024001", "KH-2024001", content="[询问运行稳定性, 收集改进建议]", postponed_to="2024-05-12",
              notes="客户出差，顺延至5月12日")  # fmt: skip
    repo.contract("HT-2024001", "KH-2024001", "payments:", "  - {due: 2024-06-30, amount: 50000, paid_on: 2024-07-02}",
                  "  - {due: 2024-12-31, amount: 70000}")  # fmt: skip
    plans = invoke_crm("export", "plans", "--root", str(repo.root))
    assert plans.returncode == 0, plans.stderr
    assert plans.stdout.splitlines()[:2] == [
        "计划编号,客户编号,维护周期,维护目标,沟通内容,负责人,执行时间,完成状态,备注,顺延至,客户名称",
        "JH-2024001,KH-2024001,每月,了解系统使用体验,询问运行稳定性；收集改进建议,张明,2024-05-10,计划中,"
        "客户出差，顺延至5月12日,2024-05-12,华星科技有限公司",
    ]
    contracts = invoke_crm("export", "contracts", "--root", str(repo.root), "--headers", "en")
    assert contracts.returncode == 0, contracts.stderr
    assert "2024-06-30 50000 paid 2024-07-02; 2024-12-31 70000" in contracts.stdout
    zh = invoke_crm("export", "contracts", "--root", str(repo.root))
    assert "2024-06-30 50000 已付 2024-07-02；2024-12-31 70000" in zh.stdout


def test_done_on_a_day_to_come_and_done_on_an_existing_plan(repo: DataRepo, tmp_path: Path) -> None:
    repo.plan("JH-2024001", "KH-2024001")
    rows = [
        PLAN_HEADERS,
        ["JH-2024001", "KH-2024001", "每月", "了解系统使用体验", None, "ming", "2024-05-10", "已完成", None],
        ["JH-2099001", "KH-2024001", "每月", "回访", None, "ming", "2099-05-10", "已完成", None],
    ]
    code, out = _import("plans", write_csv(tmp_path / "计划.csv", rows), repo)
    assert code == 1, out
    assert out.splitlines()[1:3] == [
        "  第 2 行：JH-2024001 已存在，完成状态（仓库里没有沟通记录执行过这个计划） 不同"
        "（plans/JH-2024001.yaml）：不覆盖",
        "  第 3 行，完成状态（H 列）：标为已完成，但这一次的日期 2099-05-10 还没到：请改为 未完成，或改正日期",
    ]


def test_plan_rows_without_ids_are_numbered_and_repeats_are_found(repo: DataRepo, tmp_path: Path) -> None:
    rows = [
        PLAN_HEADERS,
        [None, "KH-2024001", "每月", "回访", None, "ming", "2024-05-10", None, None],
        [None, "KH-2024001", "每月", "回访", None, "ming", "2024-05-10", None, None],
        [None, "KH-2024001", "每年", "年度拜访", None, "ming", "2025-01-15", None, None],
    ]
    code, out = _import("plans", write_csv(tmp_path / "计划.csv", rows), repo, "--write")
    assert code == 0, out
    assert out.splitlines()[1:4] == [
        "  第 2 行：已创建 plans/JH-2024001.yaml  KH-2024001 回访",
        "  第 3 行：可能与 JH-2024001 KH-2024001 回访 重复（与第 2 行客户、维护目标和执行时间相同）：不创建",
        "  第 4 行：已创建 plans/JH-2025001.yaml  KH-2024001 年度拜访",
    ]


def test_a_renewal_may_come_before_the_contract_it_renews(repo: DataRepo, tmp_path: Path) -> None:
    rows = [CONTRACT_HEADERS, CONTRACT_ROWS[2], CONTRACT_ROWS[1]]
    code, out = _import("contracts", write_csv(tmp_path / "合同.csv", rows), repo, "--write")
    assert code == 0, out
    assert files(repo, "contracts") == ["contracts/HT-2024001.yaml", "contracts/HT-2025001.yaml"]
    bad = [CONTRACT_HEADERS, [*CONTRACT_ROWS[2][:10], "HT-1999001", *CONTRACT_ROWS[2][11:]]]
    bad[1][0] = "HT-2025002"
    code, out = _import("contracts", write_csv(tmp_path / "bad.csv", bad), repo)
    assert code == 1, out
    assert "  第 2 行，续约自（K 列）：没有编号为 HT-1999001 的合同" in out.splitlines()


def test_an_interaction_row_names_plans_opportunities_and_contracts_that_exist(repo: DataRepo, tmp_path: Path) -> None:
    repo.plan("JH-2024001", "KH-2024001")
    headers = ["记录编号", "客户编号", "沟通日期", "沟通方式", "沟通主题", "负责人", "计划编号", "合同编号"]
    rows = [
        headers,
        [None, "KH-2024001", "2024-05-10", "电话", "回访", "ming", "JH-2024001", None],
        [None, "KH-2024001", "2024-05-11", "电话", "续约", "ming", None, "HT-2024009"],
    ]
    code, out = _import("interactions", write_csv(tmp_path / "沟通.csv", rows), repo, "--format", "json")
    assert code == 1, out
    report = json.loads(out)
    assert [row["status"] for row in report["rows"]] == ["create", "invalid"]
    problem = report["rows"][1]["problems"][0]
    assert (problem["code"], problem["column"], problem["message"]) == (
        "no_contract",
        "合同编号",
        "没有编号为 HT-2024009 的合同",
    )
