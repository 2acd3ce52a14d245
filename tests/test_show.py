"""`crm show CUSTOMER`: the card and call brief — talking points and channel by the handbook's situation,
private contact fields masked unless --internal, text/JSON/Markdown, Chinese and English."""

from __future__ import annotations

import json
import re

import pytest

from crmdata.cli.common import display_width
from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm

AS_OF = "2026-11-24"
CONTACT = (
    "contacts:\n  - {name: 王伟, title: 采购经理, phone: '13912345678', email: wangwei@example.com, primary: true}"
)


@pytest.fixture
def book(empty_repo: DataRepo) -> DataRepo:
    """A new customer, an established one, and one with an open complaint and a need change."""
    empty_repo.customer("KH-2026001", CONTACT, name="星河软件", since="2026-11-01", tier="potential")
    empty_repo.customer("KH-2020001", name="长城制造", since="2020-03-01", tier="regular", stage="stable")
    empty_repo.interaction("JL-2026001", "KH-2020001", "2026-11-10", topic="季度回访", summary="运行稳定")
    empty_repo.customer("KH-2019001", CONTACT, name="东方物流", since="2019-05-01", tier="strategic")
    empty_repo.interaction(
        "JL-2026002",
        "KH-2019001",
        "2026-11-15",
        "need_changes: [增加夜间值守]",
        "todos:\n  - {task: 提交故障报告, due: 2026-11-18}\n  - {task: 安排回访, due: 2026-12-20}",
        kind="complaint",
        topic="系统宕机",
        summary="周一宕机两小时",
    )
    empty_repo.plan("JH-2026001", "KH-2019001", "content: [询问运行稳定性, 收集改进建议]", goal="了解系统使用体验")
    empty_repo.contract("HT-2026001", "KH-2019001", start="2026-01-01", end="2026-12-31")
    return empty_repo


def _show(repo: DataRepo, *args: str) -> str:
    result = invoke_crm("show", *args, "--root", str(repo.root), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _brief(repo: DataRepo, customer: str, *args: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(_show(repo, customer, "--format", "json", *args))
    return data


def _section(text: str, heading: str) -> list[str]:
    """The lines under `heading` in the text brief, up to the next blank line."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    return [line.strip() for line in lines[start:end]]


def test_a_new_customer_gets_the_new_customer_talking_points_and_a_call(book: DataRepo) -> None:
    text = _show(book, "KH-2026001")
    assert _section(text, "建议沟通要点") == [
        "情况：新客户",
        "1. 使用反馈：了解产品和服务用得怎么样",
        "2. 问题解决：遇到的问题是否已解决",
        "3. 合作建议：听取对合作的意见和建议",
    ]
    assert _section(text, "建议沟通方式") == ["电话：日常跟进，打个电话即可"]
    assert _section(text, "跟进情况") == ["下次跟进 2026-11-08（已逾期 16 天，首次跟进）", "还没有联系过"]


def test_an_established_customer_gets_business_update_new_services_and_needs(book: DataRepo) -> None:
    data = _brief(book, "长城")
    assert data["situation"] == "established"
    assert [point["key"] for point in data["talking_points"]] == [  # type: ignore[attr-defined]
        "business_update",
        "new_services",
        "personal_needs",
    ]
    assert data["channel"] == {"suggested": ["phone"], "reason": "routine", "text": "日常跟进，打个电话即可"}
    conversations = data["conversations"]
    assert conversations == [
        {
            "interaction": "JL-2026001",
            "date": "2026-11-10",
            "channel": "phone",
            "kind": "followup",
            "topic": "季度回访",
            "summary": "运行稳定",
            "feedback": None,
            "satisfaction": None,
        }
    ]


def test_an_open_complaint_changes_the_talking_points_and_asks_for_a_visit(book: DataRepo) -> None:
    text = _show(book, "dfwl")  # 东方物流 by its pinyin initials
    assert text.splitlines()[0] == "沟通前准备：东方物流（KH-2019001）"
    assert _section(text, "建议沟通要点") == [
        "情况：有未解决投诉",
        "1. 问题处理进展：告知投诉处理到哪一步",
        "2. 解决方案确认：确认客户认可解决方案",
        "3. 后续补偿方案：商定后续的补偿安排",
    ]
    # a strategic customer: a visit first, then video
    assert _section(text, "建议沟通方式") == ["拜访或线上会议：投诉属重要事项，宜当面或视频沟通"]
    assert _section(text, "未解决投诉") == ["JL-2026002 2026-11-15 系统宕机（已 9 天未解决）"]
    assert _section(text, "未完成待办") == [
        "! 提交故障报告（已逾期 6 天，JL-2026002）",
        "· 安排回访（2026-12-20 到期，JL-2026002）",
    ]
    assert _section(text, "需求变化") == ["2026-11-15 增加夜间值守"]
    assert _section(text, "维护计划") == [
        "JH-2026001 了解系统使用体验：2024-05-10（逾期）",
        "· 询问运行稳定性",
        "· 收集改进建议",
    ]
    assert _section(text, "续约与回款")[0].startswith("HT-2026001 系统运维服务：2026-12-31 到期，2026-11-01 起跟进续约")


def test_need_changes_alone_ask_for_video_or_a_visit(empty_repo: DataRepo) -> None:
    empty_repo.customer("KH-1", name="甲公司", since="2020-01-01")
    empty_repo.interaction("JL-1", "KH-1", "2026-11-20", "need_changes: [需要移动端]")
    data = _brief(empty_repo, "KH-1")
    assert data["channel"]["suggested"] == ["video", "visit"]  # type: ignore[index]
    assert data["channel"]["reason"] == "need_changes"  # type: ignore[index]
    assert data["need_changes"] == [{"interaction": "JL-1", "date": "2026-11-20", "text": "需要移动端"}]


def test_a_greeting_alone_is_an_sms_or_an_im(empty_repo: DataRepo) -> None:
    """Nothing due, the anniversary of the relationship in three days: a greeting, not a call."""
    empty_repo.customer("KH-1", name="甲公司", since="2020-11-27", stage="stable")
    empty_repo.interaction("JL-1", "KH-1", "2026-11-20")
    data = _brief(empty_repo, "KH-1")
    assert data["channel"]["suggested"] == ["sms", "im"]  # type: ignore[index]
    assert data["care"] == [{"kind": "anniversary", "date": "2026-11-27", "contact": None}]


def test_contacts_are_masked_unless_internal(book: DataRepo) -> None:
    text = _show(book, "KH-2026001")
    assert "13912345678" not in text and "wangwei@example.com" not in text
    assert "联系人：王伟（主要联系人） · 采购经理 · 电话 139****5678 · 邮箱 w***@example.com" in text
    assert "联系方式已隐藏；加 --internal 显示（仅限内部使用）" in text
    masked = _brief(book, "KH-2026001")["customer"]["contacts"]  # type: ignore[index]
    assert masked[0]["phone"] == "139****5678"
    internal = _show(book, "KH-2026001", "--internal")
    assert "电话 13912345678 · 邮箱 wangwei@example.com" in internal
    assert "联系方式已隐藏" not in internal


def test_text_lines_fit_a_narrow_log(book: DataRepo) -> None:
    for customer in ("KH-2026001", "KH-2020001", "KH-2019001"):
        for line in _show(book, customer).splitlines():
            assert display_width(line) <= 100, line


def test_markdown_sets_a_hostile_name_and_record_text_in_code_spans(empty_repo: DataRepo) -> None:
    hostile = "@everyone <img src=x onerror=alert(1)> #12 `x`"
    empty_repo.customer("KH-1", name=f"'{hostile}'", since="2020-01-01")
    empty_repo.interaction("JL-1", "KH-1", "2026-11-20", topic="'see owner/repo#3 :tada:'")
    markdown = _show(empty_repo, "KH-1", "--format", "markdown")
    assert markdown.splitlines()[0] == "# 沟通前准备：`` @everyone <img src=x onerror=alert(1)> #12 `x` ``（KH-1）"
    assert "`see owner/repo#3 :tada:`" in markdown
    assert "\n## 最近沟通\n" in markdown
    outside_code = re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)
    assert "@everyone" not in outside_code and "<img" not in outside_code and "repo#3" not in outside_code


def test_the_brief_in_english(book: DataRepo) -> None:
    book.config(DEFAULT_CONFIG + "language: en\n")
    text = _show(book, "KH-2019001")
    assert text.splitlines()[0] == "Call brief: 东方物流 (KH-2019001)"
    assert _section(text, "Suggested talking points")[:2] == [
        "Situation: open complaint",
        "1. Handling progress: where the complaint's handling stands",
    ]
    assert _section(text, "Open todos")[0] == "! 提交故障报告 (6 days overdue, JL-2026002)"
    assert "contact details masked; add --internal to show them (internal use only)" in text


def test_show_of_an_ambiguous_name_lists_the_candidates(book: DataRepo) -> None:
    book.customer("KH-2026002", name="东方物流仓储")
    result = invoke_crm("show", "东方", "--root", str(book.root))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == "“东方”符合 2 个客户："
    assert "KH-2019001" in result.stderr and "KH-2026002" in result.stderr


def test_show_of_a_churned_customer_says_so(empty_repo: DataRepo) -> None:
    empty_repo.customer("KH-1", name="甲公司", stage="churned", churned_on="2026-10-01", churn_reason="预算削减")
    text = _show(empty_repo, "KH-1")
    assert _section(text, "跟进情况") == ["2026-10-01 流失：不再安排跟进", "流失原因：预算削减"]
