"""`crm new plan|opportunity|contract` and `crm log --plan/--opportunity/--contract`: the customer's
business written as records the way a person would type them, and never a record `crm validate` refuses."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import yaml

from tests.conftest import CRM, DataRepo, invoke_crm, run_crm


def created_path(stdout: str) -> str:
    match = re.search(r"(?:已创建|created) (\S+)$", stdout, re.MULTILINE)
    assert match, stdout
    return match.group(1)


def files(repo: DataRepo, folder: str) -> list[str]:
    top = repo.root / folder
    return sorted(path.name for path in top.iterdir()) if top.is_dir() else []


def validates(repo: DataRepo) -> bool:
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    return '"errors": []' in result.stdout


# --- crm new plan ---------------------------------------------------------------------------------------


def test_new_plan_writes_the_handbooks_row_as_a_valid_record(repo: DataRepo) -> None:
    """The seed's row `JH-2024001 KH-2024001 每月 知晓系统使用体验 询问运行稳定性,收集改进建议 明 2024-05-10`."""
    result = run_crm(
        "new", "plan", "--root", str(repo.root), "--customer", "kh-2024001", "--cycle", "monthly",
        "--goal", "知晓系统使用体验", "--content", "询问运行稳定性", "--content", "收集改进建议",
        "--date", "2024-05-10",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert created_path(result.stdout) == "plans/JH-2024001.yaml"
    assert (repo.root / "plans" / "JH-2024001.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schemas/plan.schema.json\n"
        "id: JH-2024001\n"
        "customer: KH-2024001\n"
        "cycle: monthly\n"
        "goal: 知晓系统使用体验\n"
        "content:\n"
        "- 询问运行稳定性\n"
        "- 收集改进建议\n"
        "owner: ming\n"
        "date: 2024-05-10\n"
    )
    assert validates(repo)


def test_new_plan_owner_defaults_to_the_customers_and_the_date_to_today(repo: DataRepo) -> None:
    year = date.today().year
    repo.customer("KH-2024002", owner="hong")
    repo.plan(f"JH-{year}004", "KH-2024001", date=f"{year}-01-01")
    result = invoke_crm("new", "plan", "--root", str(repo.root), "--customer", "KH-2024002", "--goal", "年度回顾")
    assert result.returncode == 0, result.stderr
    path = created_path(result.stdout)
    assert path == f"plans/JH-{year}005.yaml"  # the next of the year's series
    data = yaml.safe_load((repo.root / path).read_text(encoding="utf-8"))
    assert (data["customer"], data["owner"], data["date"]) == ("KH-2024002", "hong", date.today())
    assert "cycle" not in data  # the default, once, is not written


def test_new_plan_date_may_be_a_time_from_today(repo: DataRepo) -> None:
    result = invoke_crm("new", "plan", "--root", str(repo.root), "--customer", "KH-2024001", "--goal", "回访",
                        "--date", "2w", "--dry-run")  # fmt: skip
    assert result.returncode == 0, result.stderr
    later = date.fromordinal(date.today().toordinal() + 14)
    assert f"date: {later.isoformat()}\n" in result.stdout


def test_new_plan_for_an_unknown_customer_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "plan", "--root", str(repo.root), "--customer", "KH-9999", "--goal", "回访")
    assert result.returncode == 2
    assert "crm：没有客户的编号、名称或拼音与“KH-9999”相符" in result.stderr
    assert files(repo, "plans") == []


def test_new_plan_missing_its_goal_off_a_terminal_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "plan", "--root", str(repo.root), "--customer", "KH-2024001")
    assert result.returncode == 2
    assert "错误：缺少 --goal（用选项给出，或在终端里运行以逐项询问）" in result.stderr
    assert files(repo, "plans") == []


def test_new_plan_is_checked_like_crm_validate_checks_it(repo: DataRepo) -> None:
    result = invoke_crm("new", "plan", "--root", str(repo.root), "--customer", "KH-2024001", "--goal", " ",
                        "--owner", "bob")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "goal: 不能为空",
        "owner: bob 不是团队成员（crm.yaml 的 team：ming, hong）",
        f"crm：没有写入任何文件：plans/JH-{date.today().year}001.yaml 不会通过校验",
    ]
    assert files(repo, "plans") == []


# --- crm new opportunity --------------------------------------------------------------------------------


def test_new_opportunity_dry_run_prints_the_record_and_writes_nothing(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "opportunity", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "二期扩容项目",
        "--stage", "proposal", "--amount", "300000", "--currency", "USD", "--probability", "60",
        "--expected-close", "2026-09-30", "--source", "客户转介绍", "--dry-run",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    year = date.today().year
    assert result.stdout == (
        f"# 将创建 opportunities/SJ-{year}001.yaml\n"
        "# yaml-language-server: $schema=../schemas/opportunity.schema.json\n"
        f"id: SJ-{year}001\n"
        "customer: KH-2024001\n"
        "title: 二期扩容项目\n"
        "stage: proposal\n"
        "amount: 300000\n"
        "currency: USD\n"
        "probability: 60\n"
        "expected_close: 2026-09-30\n"
        "owner: ming\n"
        "source: 客户转介绍\n"
    )
    assert files(repo, "opportunities") == []


def test_new_won_opportunity_is_closed_today_and_written(repo: DataRepo) -> None:
    result = invoke_crm("new", "opportunity", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "一期",
                        "--stage", "won", "--amount", "1.5e5")  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (repo.root / created_path(result.stdout)).read_text(encoding="utf-8")
    assert "amount: 150000\n" in text  # a whole number stays one
    assert f"closed_on: {date.today().isoformat()}\n" in text
    assert "expected_close" not in text


def test_new_open_opportunity_missing_its_expected_close_off_a_terminal_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "opportunity", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "二期",
                        "--stage", "lead")  # fmt: skip
    assert result.returncode == 2
    assert "错误：缺少 --expected-close（用选项给出，或在终端里运行以逐项询问）" in result.stderr
    assert files(repo, "opportunities") == []


def test_new_opportunity_for_an_unknown_customer_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "opportunity", "--root", str(repo.root), "--customer", "KH-404", "--title", "x",
                        "--stage", "lead", "--expected-close", "30d")  # fmt: skip
    assert result.returncode == 2
    assert "crm：没有客户的编号、名称或拼音与“KH-404”相符" in result.stderr


def test_an_amount_that_is_not_a_number_is_reported_by_field(repo: DataRepo) -> None:
    result = invoke_crm("new", "opportunity", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "x",
                        "--stage", "lead", "--expected-close", "30d", "--amount", "12万")  # fmt: skip
    assert result.returncode == 1
    assert "amount: 应为数字（如 120000 或 9800.5），这里是文本 '12万'" in result.stderr
    assert files(repo, "opportunities") == []


# --- crm new contract -----------------------------------------------------------------------------------


def test_new_contract_that_renews_another_is_written_with_its_references_as_filed(repo: DataRepo) -> None:
    repo.contract("HT-2024001", "KH-2024001")
    repo.opportunity("SJ-2024003", "KH-2024001", stage="won", closed_on="2024-12-10", expected_close=None)
    result = run_crm(
        "new", "contract", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "2025 年度系统运维服务",
        "--product", "运维服务", "--product", "培训", "--start", "2025-01-01", "--end", "2025-12-31",
        "--amount", "130000", "--signed-on", "2024-12-20", "--renews", "ht-2024001", "--opportunity", "sj-2024003",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert created_path(result.stdout) == "contracts/HT-2024002.yaml"  # the year it was signed
    assert (repo.root / "contracts" / "HT-2024002.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schemas/contract.schema.json\n"
        "id: HT-2024002\n"
        "customer: KH-2024001\n"
        "title: 2025 年度系统运维服务\n"
        "products:\n"
        "- 运维服务\n"
        "- 培训\n"
        "signed_on: 2024-12-20\n"
        "start: 2025-01-01\n"
        "end: 2025-12-31\n"
        "amount: 130000\n"
        "renews: HT-2024001\n"
        "opportunity: SJ-2024003\n"
        "owner: ming\n"
    )
    assert validates(repo)


def test_new_contract_renewing_a_contract_that_does_not_exist_is_refused(repo: DataRepo) -> None:
    result = invoke_crm("new", "contract", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "x",
                        "--start", "2025-01-01", "--renews", "HT-2020009")  # fmt: skip
    assert result.returncode == 1
    assert "renews: 没有编号为 HT-2020009 的合同" in result.stderr
    assert files(repo, "contracts") == []


def test_new_contract_missing_its_start_off_a_terminal_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "contract", "--root", str(repo.root), "--customer", "KH-2024001", "--title", "x")
    assert result.returncode == 2
    assert "错误：缺少 --start（用选项给出，或在终端里运行以逐项询问）" in result.stderr


def test_new_contract_for_an_unknown_customer_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "contract", "--root", str(repo.root), "--customer", "KH-404", "--title", "x",
                        "--start", "2025-01-01")  # fmt: skip
    assert result.returncode == 2
    assert "crm：没有客户的编号、名称或拼音与“KH-404”相符" in result.stderr


def test_a_given_id_taken_by_a_record_of_another_type_is_refused(repo: DataRepo) -> None:
    """Ids are unique across all record types (contract §1): crm validate would refuse the second one."""
    result = invoke_crm("new", "contract", "--root", str(repo.root), "--id", "jl-2024001", "--customer", "KH-2024001",
                        "--title", "x", "--start", "2025-01-01")  # fmt: skip
    assert result.returncode == 1
    assert "id: 编号 jl-2024001 已被另一条记录使用（所有记录的编号都不能重复，不分大小写）" in result.stderr
    assert files(repo, "contracts") == []


def test_id_prefixes_of_the_new_records_come_from_crm_yaml(repo: DataRepo) -> None:
    repo.config(
        """\
        team: {ming: {name: 张明}}
        ids: {plan_prefix: P-, opportunity_prefix: O-, contract_prefix: C-, year: false, digits: 2}
        """,
    )
    common = ("--root", str(repo.root), "--customer", "KH-2024001")
    plan = invoke_crm("new", "plan", *common, "--goal", "回访")
    chance = invoke_crm("new", "opportunity", *common, "--title", "x", "--stage", "lead", "--expected-close", "3w")
    contract = invoke_crm("new", "contract", *common, "--title", "x", "--start", "2025-01-01")
    assert [created_path(run.stdout) for run in (plan, chance, contract)] == [
        "plans/P-01.yaml", "opportunities/O-01.yaml", "contracts/C-01.yaml",
    ]  # fmt: skip
    assert validates(repo)


# --- crm log --plan / --opportunity / --contract --------------------------------------------------------


def test_log_names_the_plan_opportunity_and_contract_it_concerns(repo: DataRepo) -> None:
    repo.plan("JH-2024001", "KH-2024001")
    repo.opportunity("SJ-2024001", "KH-2024001")
    repo.contract("HT-2024001", "KH-2024001")
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--date", "2024-06-10", "--topic", "月度回访",
                        "--plan", "jh-2024001", "--opportunity", "SJ-2024001", "--contract", "HT-2024001")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((repo.root / created_path(result.stdout)).read_text(encoding="utf-8"))
    assert (data["plan"], data["opportunity"], data["contract"]) == ("JH-2024001", "SJ-2024001", "HT-2024001")
    assert validates(repo)


def test_log_with_a_plan_of_another_customer_is_refused(repo: DataRepo) -> None:
    repo.customer("KH-2024002")
    repo.plan("JH-2024001", "KH-2024002")
    result = run_crm("log", "KH-2024001", "--root", str(repo.root), "--date", "2024-06-10", "--topic", "月度回访",
                     "--plan", "JH-2024001")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "plan: 维护计划 JH-2024001 属于客户 KH-2024002，不是这条沟通记录的客户 KH-2024001",
        "crm：没有写入任何文件：interactions/2024/JL-2024002.yaml 不会通过校验",
    ]
    assert files(repo, "interactions/2024") == ["JL-2024001.yaml"]


def test_log_with_an_opportunity_or_contract_that_does_not_exist_is_refused(repo: DataRepo) -> None:
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "报价", "--opportunity", "SJ-1",
                        "--contract", "HT-1")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == ["opportunity: 没有编号为 SJ-1 的商机", "contract: 没有编号为 HT-1 的合同"]


def test_new_plan_asks_for_what_is_missing_when_told_to(repo: DataRepo) -> None:
    result = subprocess.run(
        [str(CRM), "new", "plan", "--root", str(repo.root), "--cycle", "quarterly", "-i"],
        input="kh-2024001\n季度回访\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((repo.root / created_path(result.stdout)).read_text(encoding="utf-8"))
    wanted = ("KH-2024001", "季度回访", "quarterly", "ming")
    assert (data["customer"], data["goal"], data["cycle"], data["owner"]) == wanted
