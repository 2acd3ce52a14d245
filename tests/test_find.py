"""`crm find` and CUSTOMER everywhere: a customer by id, a part of the name, pinyin, tag, industry, contact,
and (only with --internal) phone; ambiguous text lists the candidates and writes nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
import yaml

from crmdata.engine.find import MatchReason, find_customers, the_one
from crmdata.records.load import LoadOptions, load
from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm


@pytest.fixture
def shop(empty_repo: DataRepo) -> DataRepo:
    """Three customers whose names share 华星, one with a tag, an industry and a contact's phone."""
    empty_repo.customer(
        "KH-2024001",
        "contacts:\n  - {name: 李雷, phone: '13800138000', primary: true}",
        name="深圳市华星科技有限公司",
        industry="制造业",
        tags="[ERP, 重点]",
    )
    empty_repo.customer("KH-2024002", name="华星贸易", owner="hong")
    empty_repo.customer("KH-2024003", name="重庆银行", industry="金融")
    empty_repo.customer("KH-2024004", name="A科技")
    return empty_repo


def _found(repo: DataRepo, text: str, internal: bool = False) -> list[tuple[str, MatchReason]]:
    dataset, problems, _ = load(repo.root, LoadOptions(use_cache=False))
    assert not problems
    return [(match.customer.id, match.reason) for match in find_customers(dataset, text, internal=internal)]


def test_pinyin_initials_find_the_chinese_name(shop: DataRepo) -> None:
    assert _found(shop, "hxkj") == [("KH-2024001", MatchReason.PINYIN)]
    assert _found(shop, "HXKJ") == [("KH-2024001", MatchReason.PINYIN)]


def test_full_pinyin_and_a_mix_find_it_too(shop: DataRepo) -> None:
    assert _found(shop, "huaxing") == [("KH-2024001", MatchReason.PINYIN), ("KH-2024002", MatchReason.PINYIN)]
    assert _found(shop, "huaxkj") == [("KH-2024001", MatchReason.PINYIN)]


def test_any_reading_of_a_character_with_several_matches(shop: DataRepo) -> None:
    """重 reads zhong and chong: a person may type either."""
    assert _found(shop, "cqyh") == [("KH-2024003", MatchReason.PINYIN)]
    assert _found(shop, "zqyh") == [("KH-2024003", MatchReason.PINYIN)]


def test_ranking_puts_an_exact_name_before_a_prefix_before_a_part(shop: DataRepo) -> None:
    assert _found(shop, "华星贸易") == [("KH-2024002", MatchReason.NAME)]
    assert _found(shop, "华星") == [("KH-2024002", MatchReason.NAME_PREFIX), ("KH-2024001", MatchReason.NAME_PART)]


def test_a_name_with_or_without_its_legal_form_matches(shop: DataRepo) -> None:
    assert _found(shop, "A科技有限公司") == [("KH-2024004", MatchReason.NAME)]
    assert _found(shop, "ａ科技") == [("KH-2024004", MatchReason.NAME)]  # full-width letter: NFKC
    assert _found(shop, "深圳市华星科技") == [("KH-2024001", MatchReason.NAME)]


def test_id_any_case_comes_first(shop: DataRepo) -> None:
    assert _found(shop, "kh-2024003") == [("KH-2024003", MatchReason.ID)]


def test_tag_industry_and_contact(shop: DataRepo) -> None:
    assert _found(shop, "erp") == [("KH-2024001", MatchReason.TAG)]
    assert _found(shop, "金融") == [("KH-2024003", MatchReason.INDUSTRY)]
    assert _found(shop, "李雷") == [("KH-2024001", MatchReason.CONTACT)]


def test_phone_is_matched_only_internally(shop: DataRepo) -> None:
    assert _found(shop, "13800138000") == []
    assert _found(shop, "13800138000", internal=True) == [("KH-2024001", MatchReason.PHONE)]
    assert _found(shop, "+86 138-0013-8000", internal=True) == [("KH-2024001", MatchReason.PHONE)]
    assert _found(shop, "8000", internal=True) == [("KH-2024001", MatchReason.PHONE)]


def test_an_exact_name_names_one_customer_even_when_it_is_part_of_another(empty_repo: DataRepo) -> None:
    empty_repo.customer("KH-1", name="A科技")
    empty_repo.customer("KH-2", name="A科技发展")
    dataset, _, _ = load(empty_repo.root, LoadOptions(use_cache=False))
    chosen = the_one(find_customers(dataset, "A科技"))
    assert chosen is not None and chosen.customer.id == "KH-1"
    assert the_one(find_customers(dataset, "科技")) is None


# --- crm find ---------------------------------------------------------------------------------------------


def test_crm_find_prints_an_aligned_table_with_why(shop: DataRepo) -> None:
    result = invoke_crm("find", "华星", "--root", str(shop.root))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["编号", "名称", "阶段", "负责人", "匹配"]
    assert lines[1].split() == ["KH-2024002", "华星贸易", "合作期", "李红", "(hong)", "名称开头"]
    assert lines[2].split() == ["KH-2024001", "深圳市华星科技有限公司", "合作期", "张明", "(ming)", "名称包含"]
    # the owner column starts at the same terminal column on every line (Chinese counts two)
    from crmdata.cli.common import display_width

    starts = {
        display_width(line[: line.index(owner)]) for line, owner in zip(lines, ["负责人", "李红", "张明"], strict=False)
    }
    assert len(starts) == 1
    assert lines[3] == "共 2 个客户"


def test_crm_find_exits_1_when_nothing_matches(shop: DataRepo) -> None:
    result = invoke_crm("find", "不存在", "--root", str(shop.root))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "没有找到与“不存在”相符的客户" in result.stderr


def test_crm_find_phone_needs_internal(shop: DataRepo) -> None:
    assert invoke_crm("find", "13800138000", "--root", str(shop.root)).returncode == 1
    result = invoke_crm("find", "13800138000", "--root", str(shop.root), "--internal", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "query": "13800138000",
        "matches": [
            {
                "customer": "KH-2024001",
                "name": "深圳市华星科技有限公司",
                "stage": "active",
                "owner": "ming",
                "reason": "phone",
                "matched": "13800138000",
            }
        ],
    }


def test_crm_find_in_english(shop: DataRepo) -> None:
    shop.config(DEFAULT_CONFIG + "language: en\n")
    result = invoke_crm("find", "hxkj", "--root", str(shop.root))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["ID", "Name", "Stage", "Owner", "Matched", "by"]
    assert result.stdout.splitlines()[1].split()[-2:] == ["pinyin", "hxkj"]
    assert result.stdout.splitlines()[-1] == "1 customer"


# --- CUSTOMER in crm log and crm new ----------------------------------------------------------------------


def test_crm_log_by_pinyin_writes_the_interaction_for_the_right_customer(shop: DataRepo) -> None:
    result = invoke_crm("log", "hxkj", "--root", str(shop.root), "--topic", "回访")
    assert result.returncode == 0, result.stderr
    written = [path for path in (shop.root / "interactions").rglob("*.yaml")]
    assert len(written) == 1
    data = yaml.safe_load(written[0].read_text(encoding="utf-8"))
    assert (data["customer"], data["owner"], data["topic"]) == ("KH-2024001", "ming", "回访")


def test_crm_log_by_a_unique_name_part(shop: DataRepo) -> None:
    result = invoke_crm("log", "贸易", "--root", str(shop.root), "--topic", "报价")
    assert result.returncode == 0, result.stderr
    (written,) = (shop.root / "interactions").rglob("*.yaml")
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert (data["customer"], data["owner"]) == ("KH-2024002", "hong")  # the customer's owner


def test_an_ambiguous_name_lists_the_candidates_and_writes_nothing(shop: DataRepo) -> None:
    result = invoke_crm("log", "华星", "--root", str(shop.root), "--topic", "回访")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "“华星”符合 2 个客户：",
        "  KH-2024002  华星贸易                              李红 (hong)",
        "  KH-2024001  深圳市华星科技有限公司                张明 (ming)",
        "crm：“华星”不止指向一个客户，请改用客户编号（如 KH-2024002）",
    ]
    assert not (shop.root / "interactions").exists()


def test_no_match_names_what_was_searched_and_suggests_crm_find(shop: DataRepo) -> None:
    result = invoke_crm("log", "不存在的公司", "--root", str(shop.root), "--topic", "回访")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "crm：没有客户的编号、名称或拼音与“不存在的公司”相符；试试 crm find 按标签、行业、联系人查找"
    )


def test_ambiguity_in_english(shop: DataRepo) -> None:
    shop.config(DEFAULT_CONFIG + "language: en\n")
    result = invoke_crm("new", "plan", "--root", str(shop.root), "--customer", "huaxing", "--goal", "回访")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "“huaxing” matches 2 customers:"
    assert result.stderr.splitlines()[-1] == (
        "crm: “huaxing” names more than one customer: give the id instead (e.g. KH-2024001)"
    )
    assert not (shop.root / "plans").exists()


@pytest.mark.parametrize("kind", ["plan", "opportunity", "contract"])
def test_crm_new_takes_a_customer_by_name(shop: DataRepo, kind: str) -> None:
    extra = {
        "plan": ["--goal", "回访"],
        "opportunity": ["--title", "扩容", "--stage", "lead", "--expected-close", "30d"],
        "contract": ["--title", "运维", "--start", date.today().isoformat()],
    }[kind]
    result = invoke_crm("new", kind, "--root", str(shop.root), "--customer", "重庆银行", *extra)
    assert result.returncode == 0, result.stderr
    (written,) = (shop.root / {"plan": "plans", "opportunity": "opportunities", "contract": "contracts"}[kind]).glob(
        "*.yaml"
    )
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["customer"] == "KH-2024003"


def test_crm_new_interaction_takes_a_customer_by_pinyin(shop: DataRepo) -> None:
    result = invoke_crm(
        "new", "interaction", "--root", str(shop.root), "--customer", "cqyh", "--channel", "visit", "--topic", "拜访"
    )
    assert result.returncode == 0, result.stderr
    (written,) = (shop.root / "interactions").rglob("*.yaml")
    assert yaml.safe_load(written.read_text(encoding="utf-8"))["customer"] == "KH-2024003"
