"""Likely duplicate customers: `crm validate` warns (never fails) naming both records and what they share;
`crm new customer` warns before writing; `crm import` matches rows by the same rule (records/names.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from crmdata.records.names import name_key
from tests.conftest import DataRepo, invoke_crm
from tests.test_import_export import CUSTOMER_HEADERS, DEFAULTS, write_csv


def _warnings(repo: DataRepo) -> list[dict[str, object]]:
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    return [warning for warning in report["warnings"] if warning["message"].startswith("may be the same customer")]


def _english(repo: DataRepo) -> None:
    repo.config("language: en\nteam:\n  ming: {name: 张明}\n  hong: {name: 李红}\n")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("华星科技有限公司", "华星科技集团"),
        ("华星科技有限公司", "华星 科技"),
        ("华星科技股份有限公司", "华星科技有限责任公司"),
        ("华星科技集团股份有限公司", "华星科技股份"),
        ("Acme, Inc.", "ACME"),
    ],
)
def test_names_that_differ_only_by_legal_form_and_spaces_compare_equal(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


def test_different_names_stay_different() -> None:
    assert name_key("华星科技有限公司") != name_key("华星软件有限公司")
    assert name_key("集团") == "集团"  # a legal form alone is the name


def test_validate_warns_of_a_name_without_its_legal_form_naming_both_records(repo: DataRepo) -> None:
    _english(repo)  # KH-2024001 华星科技有限公司 (conftest)
    repo.customer("KH-2024002", name="华星科技集团", owner="hong")
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "customers/KH-2024002.yaml:2:7: name: warning: may be the same customer as KH-2024001 (华星科技有限公司) "
        "at customers/KH-2024001.yaml:2: the same name without the legal form (华星科技); if it is, join them "
        "with crm merge KH-2024002 KH-2024001"
    ) in result.stdout.splitlines()
    assert "KH-2024001.yaml:2:" not in result.stdout.replace("at customers/KH-2024001.yaml:2:", "")  # once per pair


def test_the_warning_is_in_chinese_by_default_and_points_at_the_other_files_line(repo: DataRepo) -> None:
    repo.put(
        """\
        # 从展会名单录入
        id: KH-2024002
        type: enterprise
        tier: regular
        stage: active
        owner: ming
        since: 2024-02-01
        name: 华星 科技
        consent: {given: true}
        """
    )
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 0
    assert (
        "customers/KH-2024002.yaml:8:7: name: 警告：可能与 customers/KH-2024001.yaml:2 的客户 KH-2024001"
        "（华星科技有限公司）重复：去掉公司形式后名称相同（华星科技）；"
        "若是同一个客户，用 crm merge KH-2024002 KH-2024001 合并"
    ) in result.stdout.splitlines()


def test_a_phone_in_common_is_a_warning_with_the_phone_masked(repo: DataRepo) -> None:
    _english(repo)
    repo.customer(
        "KH-2024002",
        "contacts:",
        "  - {name: 王五, phone: '0755-1234567'}",
        "  - {name: 赵六, phone: '+86 138-0013-8000'}",
        name="新名字贸易",
    )
    warnings = _warnings(repo)
    assert [(w["file"], w["line"], w["field"]) for w in warnings] == [
        ("customers/KH-2024002.yaml", 11, "contacts[1].phone")
    ]
    message = str(warnings[0]["message"])
    assert "KH-2024001 (华星科技有限公司) at customers/KH-2024001.yaml:11" in message  # the other phone's line
    assert "a contact phone in common (138****8000)" in message
    assert "13800138000" not in message  # the warning reaches the site: private fields masked


def test_name_and_phone_in_common_make_one_warning_saying_both(repo: DataRepo) -> None:
    _english(repo)
    repo.customer("KH-2024002", "contacts:", "  - {name: 李雷, phone: '138 0013 8000'}", name="华星科技")
    warnings = _warnings(repo)
    assert len(warnings) == 1
    assert "(华星科技), a contact phone in common (138****8000)" in str(warnings[0]["message"])


def test_three_of_one_name_make_two_warnings_each_naming_the_first_in_a_stable_order(repo: DataRepo) -> None:
    _english(repo)
    repo.customer("KH-2024003", name="华星科技股份有限公司")
    repo.customer("KH-2024002", name="华星科技（集团）有限公司")
    repo.customer("KH-2024004", name="华星软件有限公司")  # not alike
    first = _warnings(repo)
    assert [(w["file"], "as KH-2024001 " in str(w["message"])) for w in first] == [
        ("customers/KH-2024002.yaml", True),
        ("customers/KH-2024003.yaml", True),
    ]
    assert _warnings(repo) == first


def test_duplicate_warnings_never_fail_validation(repo: DataRepo) -> None:
    repo.customer("KH-2024002", name="华星科技")
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "github")
    assert result.returncode == 0
    assert "::warning file=customers/KH-2024002.yaml,line=" in result.stdout


def test_new_customer_that_duplicates_one_warns_and_still_writes(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", "华星科技集团", "--type", "enterprise",
        "--tier", "regular", "--stage", "active", "--owner", "ming", "--contact", "王五", "--phone", "13800138000",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    new = f"KH-{date.today().year}001"  # the next free id of this year
    assert (repo.root / f"customers/{new}.yaml").is_file()
    assert (
        "警告：可能与 customers/KH-2024001.yaml:2 的客户 KH-2024001（华星科技有限公司）重复："
        "去掉公司形式后名称相同（华星科技），联系电话相同（138****8000）；"
        f"若是同一个客户，用 crm merge {new} KH-2024001 合并"
    ) in result.stderr
    assert f"已创建 customers/{new}.yaml" in result.stdout


def test_new_customer_dry_run_shows_the_warning_and_writes_nothing(repo: DataRepo) -> None:
    _english(repo)
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", "华星 科技", "--type", "enterprise",
        "--tier", "regular", "--stage", "active", "--owner", "ming", "--dry-run",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning: may be the same customer as KH-2024001 (华星科技有限公司)" in result.stderr
    assert list((repo.root / "customers").iterdir()) == [repo.root / "customers/KH-2024001.yaml"]


def test_a_new_customer_unlike_any_says_nothing_of_duplicates(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", "远航物流", "--type", "enterprise",
        "--tier", "regular", "--stage", "active", "--owner", "ming", "--phone", "13900000000", "--contact", "钱七",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "重复" not in result.stderr + result.stdout


def test_import_matches_a_group_name_with_the_company_of_the_same_name(repo: DataRepo, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "客户.csv",
        [CUSTOMER_HEADERS, [1, None, "华星科技集团", "韩梅梅", None, None, None, "普通客户", "2024-02-01"]],
    )
    result = invoke_crm("import", "customers", str(sheet), "--root", str(repo.root), *DEFAULTS, "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  第 2 行：可能与 KH-2024001 华星科技有限公司 重复（名称相同）：不创建" in result.stdout.splitlines()
    assert not (repo.root / "customers/KH-2024002.yaml").exists()


def test_the_demo_data_carries_no_accidental_duplicate() -> None:
    demo = Path(__file__).resolve().parent.parent
    result = invoke_crm("validate", "--root", str(demo), "--format", "json")
    assert result.returncode == 0, result.stderr
    codes = [warning.get("code") for warning in json.loads(result.stdout)["warnings"]]
    assert codes.count("likely_duplicate") <= 2
