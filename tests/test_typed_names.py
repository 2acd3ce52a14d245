"""Names where people type them: owners by key or by name (张明) in every --owner, and the values of closed
sets in the team's words (`--type 企业`, `--channel 电话`, `--stage 合作期`) and the import synonyms."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from tests.conftest import DataRepo, invoke_crm

NEW_CUSTOMER = ("new", "customer", "--name", "远航物流", "--tier", "regular", "--stage", "active")


def _record(repo: DataRepo, relative: str) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((repo.root / relative).read_text(encoding="utf-8"))
    return data


def _english(repo: DataRepo) -> None:
    repo.config("language: en\nteam:\n  ming: {name: 张明}\n  hong: {name: 李红}\n")


def _this_year(prefix: str) -> str:
    return f"{prefix}-{date.today().year}001"


def test_new_customer_takes_the_owner_by_name_and_chinese_words_for_its_sets(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", "远航物流", "--type", "企业", "--tier", "战略",
        "--stage", "合作期", "--value", "高价值", "--owner", "李红",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    record = _record(repo, f"customers/{_this_year('KH')}.yaml")
    assert (record["type"], record["tier"], record["stage"], record["value"], record["owner"]) == (
        "enterprise", "strategic", "active", "high", "hong",
    )  # fmt: skip


def test_english_words_any_case_and_the_owner_key_in_any_case_do_too(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", "远航物流", "--type", "Institutional investor",
        "--tier", "POTENTIAL", "--stage", "Prospecting", "--owner", "MING",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    record = _record(repo, f"customers/{_this_year('KH')}.yaml")
    assert (record["type"], record["tier"], record["stage"], record["owner"]) == (
        "institutional_investor", "potential", "prospecting", "ming",
    )  # fmt: skip


def test_log_takes_channel_and_kind_words_and_the_owner_by_name(repo: DataRepo) -> None:
    result = invoke_crm(
        "log", "KH-2024001", "--root", str(repo.root), "--channel", "微信", "--kind", "投诉", "--topic", "延迟",
        "--owner", "张明", "--date", "2024-03-05",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    record = _record(repo, "interactions/2024/JL-2024002.yaml")
    assert (record["channel"], record["kind"], record["owner"]) == ("im", "complaint", "ming")


def test_plan_opportunity_and_contract_take_their_words_and_owner_names(repo: DataRepo) -> None:
    root = ("--root", str(repo.root), "--customer", "KH-2024001")
    plan = invoke_crm("new", "plan", *root, "--goal", "回访", "--cycle", "每月", "--owner", "李红")
    assert plan.returncode == 0, plan.stderr
    deal = invoke_crm(
        "new", "opportunity", *root, "--title", "二期", "--stage", "谈判", "--expected-close", "30d", "--owner", "李红"
    )  # fmt: skip
    assert deal.returncode == 0, deal.stderr
    contract = invoke_crm("new", "contract", *root, "--title", "运维", "--start", "2024-01-01", "--owner", "李红")
    assert contract.returncode == 0, contract.stderr
    assert _record(repo, f"plans/{_this_year('JH')}.yaml")["cycle"] == "monthly"
    assert _record(repo, f"opportunities/{_this_year('SJ')}.yaml")["stage"] == "negotiation"
    for folder in ("plans", "opportunities", "contracts"):
        (written,) = (repo.root / folder).iterdir()
        assert yaml.safe_load(written.read_text(encoding="utf-8"))["owner"] == "hong"


@pytest.mark.parametrize("command", [("due",), ("kpi",), ("calendar", "--out", "-")])
def test_an_unknown_owner_is_a_usage_error_listing_the_team_by_key_and_name(
    repo: DataRepo, command: tuple[str, ...]
) -> None:
    result = invoke_crm(*command, "--root", str(repo.root), "--owner", "王五")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "--owner 的值无效：王五 不在团队中（ming 张明，hong 李红）" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        (*NEW_CUSTOMER, "--type", "enterprise"),
        ("log", "KH-2024001", "--topic", "回访"),
        ("new", "plan", "--customer", "KH-2024001", "--goal", "回访"),
    ],
)
def test_an_unknown_owner_of_a_new_record_is_one_of_its_problems_and_nothing_is_written(
    repo: DataRepo, command: tuple[str, ...]
) -> None:
    result = invoke_crm(*command, "--root", str(repo.root), "--owner", "王五")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "owner: 王五 不是团队成员（crm.yaml 的 team：ming, hong）" in result.stderr.splitlines()
    assert sorted(path.name for path in (repo.root / "customers").iterdir()) == ["KH-2024001.yaml"]
    assert [path.name for path in (repo.root / "interactions" / "2024").iterdir()] == ["JL-2024001.yaml"]
    assert not (repo.root / "plans").exists()


def test_an_unknown_owner_is_said_in_english_for_an_english_team(repo: DataRepo) -> None:
    _english(repo)
    result = invoke_crm("due", "--root", str(repo.root), "--owner", "wang")
    assert result.returncode == 2
    assert "Invalid value for --owner: wang is not on the team (ming 张明, hong 李红)" in result.stderr


def test_two_members_of_one_name_are_not_guessed(repo: DataRepo) -> None:
    repo.config("team:\n  ming: {name: 张明}\n  ming2: {name: 张明}\n")
    result = invoke_crm("due", "--root", str(repo.root), "--owner", "张明")
    assert result.returncode == 2
    assert "（ming 张明，ming2 张明）" in result.stderr


def test_due_and_kpi_take_the_owner_by_name(repo: DataRepo) -> None:
    repo.customer("KH-2024002", owner="hong", name="远航物流")
    due = invoke_crm("due", "--root", str(repo.root), "--owner", "李红", "--as-of", "2024-06-01", "--format", "json")
    assert due.returncode == 0, due.stderr
    assert {item["owner"] for item in json.loads(due.stdout)["followups"]} == {"hong"}
    kpi = invoke_crm("kpi", "--root", str(repo.root), "--owner", "李红", "--as-of", "2024-06-01", "--format", "json")
    assert kpi.returncode == 0, kpi.stderr
    assert json.loads(kpi.stdout)["owner"] == "hong"
    assert json.loads(kpi.stdout)["customers_total"] == 1


def test_a_word_of_no_value_is_a_usage_error_listing_the_words_in_the_teams_language(repo: DataRepo) -> None:
    result = invoke_crm(*NEW_CUSTOMER, "--root", str(repo.root), "--type", "公家", "--owner", "ming")
    assert result.returncode == 2
    assert (
        "'--type' 的值无效：'公家' 不是客户类型；可以写：individual（个人），enterprise（企业），"
        "government（政府机构），institutional_investor（机构投资者）"
    ) in result.stderr
    _english(repo)
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "x", "--channel", "pigeon")
    assert result.returncode == 2
    assert "Invalid value for '--channel': 'pigeon' is not a channel: write one of phone (Phone), " in result.stderr


def test_help_lists_the_values_with_their_words() -> None:
    result = invoke_crm("new", "customer", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "[prospecting|active|stable|dormant|churned]" in text
    assert "prospecting 接洽期, active 合作期" in text
    assert "the Chinese word or a synonym also does" in text
