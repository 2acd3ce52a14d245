"""`crm due` and `crm segments` as a user runs them: the SPEC's JSON, readable text, refusal of bad data."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CRM, DataRepo, invoke_crm, run_crm

TEAM = """\
team:
  ming: {name: 张明}
  hong: {name: 李红}
segments:
  big_makers:
    title: 制造业大客户
    where: {tier: [strategic], tags_any: [制造业], flags: [high_value]}
"""


def _repository(repo: DataRepo) -> None:
    repo.config(TEAM)
    (repo.root / "customers" / "KH-2024001.yaml").unlink()
    (repo.root / "interactions" / "2024" / "JL-2024001.yaml").unlink()
    # A: active, high value, strategic, tagged 制造业; its only contact is below
    repo.customer("KH-A", since="2025-01-01", tier="strategic", value="high", tags="[制造业]")
    repo.interaction("JL-1", "KH-A", "2026-11-01")  # high value: 15 days -> due 2026-11-16, overdue 8 days
    # B: stable, contacted 2026-10-01 -> due 2026-12-30 (90 days): ok
    repo.customer("KH-B", since="2025-01-01", stage="stable", owner="hong")
    repo.interaction("JL-2", "KH-B", "2026-10-01")
    # C: promised 2026-11-26 -> due soon (within 7 days of 2026-11-24)
    repo.customer("KH-C", since="2025-01-01")
    repo.interaction("JL-3", "KH-C", "2026-11-20", next_followup="2026-11-26")
    # D: churned: no follow-up
    repo.customer("KH-D", since="2025-01-01", stage="churned", churned_on="2026-06-01", churn_reason="价格")
    repo.put(
        "id: JL-4\ncustomer: KH-C\ndate: 2026-11-01\nchannel: visit\nowner: ming\ntopic: 报价\n"
        "todos:\n  - {task: 发送报价, due: 2026-11-10}\n  - {task: 回访, due: 2026-11-30}\n",
    )


def test_due_json_is_the_spec_shape_sorted_by_due(repo: DataRepo) -> None:
    _repository(repo)
    result = run_crm("due", "--root", str(repo.root), "--as-of", "2026-11-24", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["as_of"] == "2026-11-24"
    rows = [
        (f["customer"], f["due"], f["reason"], f["status"], f["days_overdue"], f["silent"]) for f in report["followups"]
    ]
    assert rows == [
        ("KH-A", "2026-11-16", "cadence", "overdue", 8, False),  # 2026-11-01 + 15 (high value)
        ("KH-C", "2026-11-26", "promised", "due_soon", 0, False),  # promise earlier than 2026-11-20 + 30
        ("KH-B", "2026-12-30", "cadence", "ok", 0, False),  # 2026-10-01 + 90 (stable)
    ]
    assert set(report["followups"][0]) >= {
        "customer",
        "name",
        "owner",
        "due",
        "reason",
        "status",
        "days_overdue",
        "silent",
    }
    assert report["todos"] == [
        {
            "interaction": "JL-4",
            "customer": "KH-C",
            "task": "发送报价",
            "owner": "ming",
            "due": "2026-11-10",
            "days_overdue": 14,
        }
    ]


DUE_TEXT = {
    "zh": [
        "跟进计划（2026-11-24）：逾期 1，即将到期 1，按计划 1（共 3 位客户）",
        "",
        "张明 (ming)：逾期 1，即将到期 1",
        "  逾期      8 天      2026-11-16  KH-A         客户KH-A                     定期跟进 · 每 15 天",
        "  即将到期            2026-11-26  KH-C         客户KH-C                     约定跟进 · 每 30 天",
        "",
        "李红 (hong)：逾期 0，即将到期 0",
        "  …… 另有 1 位客户尚未到期（--all 列出全部）",
        "",
        "逾期待办 (1)",
        "  ming     2026-11-10  14 天     JL-4          KH-C         发送报价",
    ],
    "en": [
        "Follow-ups as of 2026-11-24: 1 overdue, 1 due soon, 1 on track (3 customers)",
        "",
        "张明 (ming): 1 overdue, 1 due soon",
        "  Overdue   8 days    2026-11-16  KH-A         客户KH-A                     Cadence · every 15 days",
        "  Due soon            2026-11-26  KH-C         客户KH-C                     Promised · every 30 days",
        "",
        "李红 (hong): 0 overdue, 0 due soon",
        "  ... and 1 more not due soon (--all lists them)",
        "",
        "Overdue todos (1)",
        "  ming     2026-11-10  14 days   JL-4          KH-C         发送报价",
    ],
}


@pytest.mark.parametrize("language", ["zh", "en", None])
def test_due_text_groups_by_owner_overdue_first_in_the_language_of_crm_yaml(
    repo: DataRepo, language: str | None
) -> None:
    """Every word is the vocabulary's, in crm.yaml's language; without `language:` it is Chinese."""
    _repository(repo)
    if language is not None:
        repo.write("crm.yaml", TEAM + f"language: {language}\n")
    result = invoke_crm("due", "--root", str(repo.root), "--as-of", "2026-11-24")
    assert result.returncode == 0
    assert result.stdout.splitlines() == DUE_TEXT[language or "zh"]


def test_due_text_marks_silent_customers_with_the_silent_word_never_the_dormant_stage(repo: DataRepo) -> None:
    """A silent customer in a dormant stage: 沉默客户 (computed) and 休眠期 (the stage) are two things."""
    repo.customer("KH-S", since="2025-01-01", stage="dormant")
    for language, silent, dormant in (("zh", "沉默客户", "休眠期"), ("en", "Silent", "Dormant")):
        repo.write("crm.yaml", TEAM + f"language: {language}\n")
        line = next(
            line
            for line in run_crm("due", "--root", str(repo.root), "--as-of", "2026-11-24").stdout.splitlines()
            if "KH-S" in line
        )
        assert line.rstrip().endswith(silent), line
        assert dormant not in line
        at_risk = run_crm("segments", "at_risk", "--root", str(repo.root), "--as-of", "2026-11-24").stdout
        member = next(line for line in at_risk.splitlines() if "KH-S" in line)
        assert dormant in member.split()  # the stage column


def test_due_for_one_owner_and_an_unknown_owner(repo: DataRepo) -> None:
    _repository(repo)
    mine = json.loads(
        invoke_crm(
            "due", "--root", str(repo.root), "--as-of", "2026-11-24", "--owner", "hong", "--format", "json"
        ).stdout
    )
    assert [f["customer"] for f in mine["followups"]] == ["KH-B"]
    assert mine["todos"] == []
    result = invoke_crm("due", "--root", str(repo.root), "--owner", "nobody")
    assert result.returncode == 2
    assert "nobody 不在团队中（ming 张明，hong 李红）" in result.stderr


def test_commands_refuse_invalid_data_with_the_validate_messages(repo: DataRepo) -> None:
    repo.put(
        "id: JL-2024002\ncustomer: KH-2024001\ndate: 2024-03-01\nchannel: fax\nowner: ming\ntopic: x\n",
    )
    for command in ("due", "kpi", "segments", "calendar"):
        result = run_crm(command, "--root", str(repo.root))
        assert result.returncode == 1, command
        assert result.stdout == ""
        assert result.stderr.startswith(
            "interactions/2024/JL-2024002.yaml:4:10: channel: 'fax' 不是可选的值：phone（电话）、"
        )
        assert "crm：数据没有通过校验；请先修正上面的错误（crm validate）" in result.stderr


def test_segments_list_and_members(repo: DataRepo) -> None:
    _repository(repo)
    listing = json.loads(
        invoke_crm("segments", "--root", str(repo.root), "--as-of", "2026-11-24", "--format", "json").stdout
    )
    sizes = {segment["key"]: segment["size"] for segment in listing["segments"]}
    assert sizes["overdue"] == 1 and sizes["high_value"] == 1 and sizes["win_back"] == 1
    assert sizes["big_makers"] == 1  # KH-A: strategic, tagged 制造业, high value
    assert sizes["tags:制造业"] == 1 and sizes["stage:churned"] == 1 and sizes["owner:ming"] == 3
    members = json.loads(invoke_crm("segments", "win_back", "--root", str(repo.root), "--format", "json").stdout)
    assert [(m["customer"], m["churn_reason"]) for m in members["members"]] == [("KH-D", "价格")]
    text = invoke_crm("segments", "big_makers", "--root", str(repo.root), "--as-of", "2026-11-24").stdout
    assert text.splitlines()[0] == "big_makers：1 位客户"
    missing = invoke_crm("segments", "nope", "--root", str(repo.root))
    assert missing.returncode == 2 and "没有名为 'nope' 的分群" in missing.stderr


def test_at_risk_members_come_with_their_score_and_signals(repo: DataRepo) -> None:
    _repository(repo)
    repo.customer("KH-E", since="2025-01-01", name="寂静公司")  # last contact 2026-01-05: silent and overdue
    repo.interaction("JL-5", "KH-E", "2026-01-05", "satisfaction: 5\n")
    repo.interaction("JL-6", "KH-E", "2026-01-06", "satisfaction: 2\n")
    args = ("segments", "at_risk", "--root", str(repo.root), "--as-of", "2026-11-24")
    report = json.loads(invoke_crm(*args, "--format", "json").stdout)
    assert report["members"] == [
        {
            "customer": "KH-E",
            "name": "寂静公司",
            "owner": "ming",
            "stage": "active",
            "tier": "regular",
            "value": "medium",
            "suggested_value": None,  # no contract: no suggestion (crmdata.engine.value)
            "flags": ["at_risk", "overdue", "silent"],
            "risk_score": 7,
            "risk_signals": ["322 天没有联系", "跟进逾期 292 天", "满意度从平均 5.0 降到 2"],  # crm.yaml's language
            "churn_reason": None,
        }
    ]
    text = invoke_crm(*args).stdout.splitlines()
    assert " ".join(text[1].split()) == (  # columns padded for the terminal
        "KH-E 寂静公司 ming 合作期 分数 7：322 天没有联系; 跟进逾期 292 天; 满意度从平均 5.0 降到 2"
    )
    repo.write("crm.yaml", TEAM + "language: en\n")
    english = json.loads(run_crm(*args, "--format", "json").stdout)["members"][0]
    assert english["risk_signals"] == [
        "no contact for 322 days",
        "follow-up 292 days overdue",
        "satisfaction fell to 2 from an average of 5.0",
    ]
    assert " ".join(run_crm(*args).stdout.splitlines()[1].split()) == (
        "KH-E 寂静公司 ming Active score 7: no contact for 322 days; follow-up 292 days overdue; "
        "satisfaction fell to 2 from an average of 5.0"
    )


def test_a_bad_segment_filter_is_reported_at_its_line(repo: DataRepo) -> None:
    repo.config(
        """\
        team:
          ming: {name: 张明}
          hong: {name: 李红}
        segments:
          silent:
            where: {tier: strategic}
          vip:
            where:
              tier: [strategic, platinum]
              flags: [hot]
              colour: red
        """,
    )
    report = json.loads(invoke_crm("validate", "--root", str(repo.root), "--format", "json").stdout)
    assert [(e["line"], e["column"], e["field"], e["message"]) for e in report["errors"]] == [
        # "      tier: [strategic, platinum]": 6 spaces, "tier: [" -> '[' at 13, "strategic, " -> 'p' at 25
        (
            9,
            25,
            "segments.vip.where.tier[1]",
            "'platinum' 不是可选的值：strategic（战略客户）、regular（普通客户）、potential（潜在客户）",
        ),
        # "      flags: [hot]": '[' at 14, 'h' at 15
        (
            10,
            15,
            "segments.vip.where.flags[0]",
            "'hot' 不是可选的值：new（新客户）、silent（沉默客户）、at_risk（流失预警）、high_value（高价值客户）、"
            "win_back（待挽回）、overdue（逾期跟进）、value_differs（价值与合同不符）",
        ),
        (
            11,
            7,
            "segments.vip.where.colour",
            "未知字段 'colour'；可用的字段：type, tier, stage, value, owner, industry, source, "
            "tags_any, tags_all, flags",
        ),
    ]


def test_a_custom_segment_cannot_take_a_computed_name(repo: DataRepo) -> None:
    repo.config(
        """\
        team:
          ming: {name: 张明}
        segments:
          silent:
            where: {tier: strategic}
        """,
    )
    report = json.loads(invoke_crm("validate", "--root", str(repo.root), "--format", "json").stdout)
    assert [(e["line"], e["column"], e["field"], e["message"]) for e in report["errors"]] == [
        (4, 3, "segments.silent", "silent 是系统计算的分群的名称；请换一个名称"),
    ]


def test_calendar_writes_a_feed_file_or_to_stdout(repo: DataRepo, tmp_path: Path) -> None:
    _repository(repo)
    out = tmp_path / "feeds" / "ming.ics"
    result = invoke_crm(
        "calendar", "--root", str(repo.root), "--as-of", "2026-11-24", "--owner", "ming", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"已写入 {out}：4 个日程"  # follow-ups KH-A, KH-C; todos 发送报价, 回访
    feed = out.read_bytes()
    assert b"UID:followup-KH-A@crm-as-code" in feed and b"KH-B" not in feed
    piped = subprocess.run(
        [str(CRM), "calendar", "--root", str(repo.root), "--as-of", "2026-11-24", "--owner", "ming", "--out", "-"],
        capture_output=True,
        check=True,
    )
    assert piped.stdout == feed
    assert invoke_crm("calendar", "--root", str(repo.root), "--owner", "nobody").returncode == 2
