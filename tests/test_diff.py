"""`crm diff`: what a commit does to the CRM, read from git in a real temporary repository.

One scenario, committed twice, carries most tests (as of 2026-11-24, policy defaults, interval 30 days):

- KH-1 was overdue (last contact 2026-10-01): HEAD logs JL-3 on 2026-11-20, so its follow-up is done;
  its contact's title and phone change, and JL-1's todo is marked done.
- KH-2 was on track (contact 2026-11-10): HEAD sets cadence_days 7, so it is newly overdue.
- KH-3 was promised a call on 2026-11-28: HEAD moves next_followup to 2026-11-30 (rescheduled).
- KH-4 churns, with a churn reason full of markup; KH-5 is removed (with JL-5); KH-6 is added.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import markdown as python_markdown  # type: ignore[import-untyped]
import pytest
from bs4 import BeautifulSoup

from crmdata.git import diff, gitrev
from crmdata.git.compare_revisions import compare_revisions
from crmdata.records.load import load
from tests.conftest import CRM, DataRepo, invoke_crm, run_crm

AS_OF = "2026-11-24"
HOSTILE = "价格 | <script>alert(1)</script> `rm` @everyone #1 **x** [a](javascript:x) https://evil.example"


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return result.stdout


def init_git(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "测试")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


def write_base(data: DataRepo) -> None:
    data.config("team:\n  ming: {name: 张明}\n  hong: {name: 李红}\n")
    contact = '  - {name: 李雷, title: 采购经理, phone: "13800138000", email: lilei@example.com}\n'
    data.customer("KH-1", f"contacts:\n{contact}")
    data.customer("KH-2")
    data.customer("KH-3", owner="hong")
    data.customer("KH-4")
    data.customer("KH-5")
    data.interaction("JL-1", "KH-1", "2026-10-01", "todos:\n  - {task: 发送报价, due: 2026-10-10}\n")
    data.interaction("JL-2", "KH-3", "2026-11-01", next_followup="2026-11-28")
    data.interaction("JL-4", "KH-2", "2026-11-10")
    data.interaction("JL-5", "KH-5", "2026-11-12")
    data.interaction("JL-6", "KH-4", "2026-11-12")


def write_head(data: DataRepo) -> None:
    contact = '  - {name: 李雷, title: 采购总监, phone: "13900139000", email: lilei@example.com}\n'
    data.customer("KH-1", f"contacts:\n{contact}")
    data.customer("KH-2", cadence_days="7")
    data.customer("KH-4", stage="churned", churned_on="2026-11-15", churn_reason=json.dumps(HOSTILE))
    (data.root / "customers" / "KH-5.yaml").unlink()
    (data.root / "interactions" / "2026" / "JL-5.yaml").unlink()
    data.customer("KH-6", stage="prospecting", since="2026-11-23", name="新客户")
    data.interaction("JL-1", "KH-1", "2026-10-01", "todos:\n  - {task: 发送报价, due: 2026-10-10, done: 2026-10-09}\n")
    data.interaction("JL-2", "KH-3", "2026-11-01", next_followup="2026-11-30")
    data.put(
        "id: JL-3\ncustomer: KH-1\ndate: 2026-11-20\nchannel: visit\nowner: ming\ntopic: 二期报价\n",
    )


@pytest.fixture
def scenario(tmp_path: Path) -> DataRepo:
    """The repository of the module docstring: BASE committed as HEAD~1, the change as HEAD."""
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    write_base(data)
    commit(data.root, "base")
    write_head(data)
    commit(data.root, "change")
    return data


def crm_diff(data: DataRepo, *args: str) -> subprocess.CompletedProcess[str]:
    return run_crm("diff", *args, "--root", str(data.root), "--as-of", AS_OF)


CHURN_NOTE = "2026-11-15 · `价格` &#124; ``<script>alert(1)</script> `rm` @everyone #1 **x** [a](javascript:x) https://evil.example``"
MARKDOWN = {
    "zh": {
        "heading": "### crm diff：`HEAD~1 ({base})` → `HEAD ({head})`，数据日期 2026-11-24",
        "headline": (
            "**1 位客户新增，3 位客户修改，1 位客户删除，1 条沟通记录新增，2 条沟通记录修改，1 条沟通记录删除，"
            "1 位客户流失，1 项跟进已完成，1 项跟进新逾期，1 项跟进改期，完成 1 项待办，12 项指标变化**"
        ),
        "lines": [
            "#### 阶段变化（1）",
            "| 客户 | 名称 | 从 | 到 | 说明 |",
            f"| `KH-4` | `客户KH-4` | 合作期 | **流失** | {CHURN_NOTE} |",
            "#### 跟进（6）",
            "| 跟进 | 客户 | 名称 | 负责人 | 到期日 | 状态 |",
            "| 已完成 | `KH-1` | `客户KH-1` | `ming` | 2026-10-31 (定期跟进) → 2026-12-20 (定期跟进) | 逾期 → 按计划 |",
            "| 新逾期 | `KH-2` | `客户KH-2` | `ming` | 2026-12-10 (定期跟进) → 2026-11-17 (定期跟进)"
            " | 按计划 → 逾期 (7 天) |",
            "| 改期 | `KH-3` | `客户KH-3` | `hong` | 2026-11-28 (约定跟进) → 2026-11-30 (约定跟进)"
            " | 即将到期 → 即将到期 |",
            "| 进入计划 | `KH-6` | `新客户` | `ming` | — → 2026-11-30 (首次跟进) | — → 即将到期 |",
            "| 离开计划 | `KH-5` | `客户KH-5` | `ming` | 2026-12-12 (定期跟进) → — | 按计划 → 已删除 |",
            "| 离开计划 | `KH-4` | `客户KH-4` | `ming` | 2026-12-12 (定期跟进) → — | 按计划 → 流失 |",
            "#### 完成的待办（1）",
            "| 沟通记录 | 客户 | 待办事项 | 到期日 | 完成日期 |",
            "| `JL-1` | `KH-1` | `发送报价` | 2026-10-10 | 2026-10-09 |",
            "| 指标 | BASE | HEAD | 变化 |",
            "| 各阶段客户数 `customers_by_stage` · 接洽期 | 0 | 1 | +1 |",
            "| 每月沟通量 `interactions_by_month` · 2026-11.拜访 | 0 | 1 | +1 |",
            "#### 客户：1 新增，3 修改，1 删除",
            "| 变化 | 客户 | 名称 | 阶段 | 负责人 |",
            "| 新增 | `KH-6` | `新客户` | 接洽期 | `ming` |",
            "| 删除 | `KH-5` | `客户KH-5` | 合作期 | `ming` |",
            "| 客户 | 字段 | BASE | HEAD |",
            "| `KH-1` `客户KH-1` | `contacts[0].title` | `采购经理` | `采购总监` |",
            "| `KH-1` `客户KH-1` | `contacts[0].phone` | （隐私） | 修改 |",
            "| `KH-2` `客户KH-2` | `cadence_days` | — | 7 |",
            "| `KH-4` `客户KH-4` | `stage` | active | churned |",
            "#### 沟通记录：1 新增，2 修改，1 删除",
            "| 变化 | 沟通记录 | 客户 | 日期 | 沟通方式 | 沟通类型 | 主题 |",
            "| 新增 | `JL-3` | `KH-1` `客户KH-1` | 2026-11-20 | 拜访 | 跟进 | `二期报价` |",
            "| 删除 | `JL-5` | `KH-5` `客户KH-5` | 2026-11-12 | 电话 | 跟进 | `回访` |",
            "| `JL-1` `回访` | `todos[0].done` | — | 2026-10-09 |",
            "| `JL-2` `回访` | `next_followup` | 2026-11-28 | 2026-11-30 |",
            "隐私联系字段（电话、邮箱、地址、生日）没有显示：`crm diff --internal`。",
        ],
    },
    "en": {
        "heading": "### crm diff: `HEAD~1 ({base})` → `HEAD ({head})`, as of 2026-11-24",
        "headline": (
            "**1 customer added, 3 customers changed, 1 customer removed, 1 interaction added, 2 interactions changed,"
            " 1 interaction removed, 1 churned, 1 follow-up done, 1 follow-up newly overdue, 1 follow-up rescheduled,"
            " 1 todo completed, 12 KPIs changed**"
        ),
        "lines": [
            "#### Stage changes (1)",
            "| Customer | Name | From | To | Note |",
            f"| `KH-4` | `客户KH-4` | Active | **Churned** | {CHURN_NOTE} |",
            "#### Follow-ups (6)",
            "| Follow-up | Customer | Name | Owner | Due | Status |",
            "| done | `KH-1` | `客户KH-1` | `ming` | 2026-10-31 (Cadence) → 2026-12-20 (Cadence)"
            " | Overdue → On track |",
            "| newly overdue | `KH-2` | `客户KH-2` | `ming` | 2026-12-10 (Cadence) → 2026-11-17 (Cadence)"
            " | On track → Overdue (7 days) |",
            "| rescheduled | `KH-3` | `客户KH-3` | `hong` | 2026-11-28 (Promised) → 2026-11-30 (Promised)"
            " | Due soon → Due soon |",
            "| new in schedule | `KH-6` | `新客户` | `ming` | — → 2026-11-30 (First contact) | — → Due soon |",
            "| left schedule | `KH-5` | `客户KH-5` | `ming` | 2026-12-12 (Cadence) → — | On track → removed |",
            "| left schedule | `KH-4` | `客户KH-4` | `ming` | 2026-12-12 (Cadence) → — | On track → churned |",
            "#### Todos completed (1)",
            "| Conversation | Customer | Task | Due | Done |",
            "| `JL-1` | `KH-1` | `发送报价` | 2026-10-10 | 2026-10-09 |",
            "| KPI | BASE | HEAD | Change |",
            "| Customers by stage `customers_by_stage` · Prospecting | 0 | 1 | +1 |",
            "| Interactions by month `interactions_by_month` · 2026-11.Visit | 0 | 1 | +1 |",
            "#### Customers: 1 added, 3 changed, 1 removed",
            "| Change | Customer | Name | Stage | Owner |",
            "| added | `KH-6` | `新客户` | Prospecting | `ming` |",
            "| removed | `KH-5` | `客户KH-5` | Active | `ming` |",
            "| Customer | Field | BASE | HEAD |",
            "| `KH-1` `客户KH-1` | `contacts[0].title` | `采购经理` | `采购总监` |",
            "| `KH-1` `客户KH-1` | `contacts[0].phone` | (private) | changed |",
            "| `KH-2` `客户KH-2` | `cadence_days` | — | 7 |",
            "| `KH-4` `客户KH-4` | `stage` | active | churned |",
            "#### Conversations: 1 added, 2 changed, 1 removed",
            "| Change | Conversation | Customer | Date | Channel | Kind | Topic |",
            "| added | `JL-3` | `KH-1` `客户KH-1` | 2026-11-20 | Visit | Follow-up | `二期报价` |",
            "| removed | `JL-5` | `KH-5` `客户KH-5` | 2026-11-12 | Phone | Follow-up | `回访` |",
            "| `JL-1` `回访` | `todos[0].done` | — | 2026-10-09 |",
            "| `JL-2` `回访` | `next_followup` | 2026-11-28 | 2026-11-30 |",
            "Private contact fields (phone, email, address, birthday) are not shown: `crm diff --internal`.",
        ],
    },
}
"""What `crm diff` says about the scenario, in each language of crm.yaml; record values (`stage: active`) stay
as they are written in the field-by-field tables."""


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_change_in_markdown(tmp_path: Path, language: str) -> None:
    """The words are the vocabulary's, in the language of HEAD's crm.yaml (Chinese when it says none)."""
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    write_base(data)
    if language == "en":
        data.write("crm.yaml", "team:\n  ming: {name: 张明}\n  hong: {name: 李红}\nlanguage: en\n")
    commit(data.root, "base")
    write_head(data)
    commit(data.root, "change")
    result = crm_diff(data, "HEAD~1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    base, head = (git(data.root, "rev-parse", "--short=7", name).strip() for name in ("HEAD~1", "HEAD"))
    expected = MARKDOWN[language]
    assert lines[0] == str(expected["heading"]).format(base=base, head=head)
    assert lines[2] == expected["headline"]
    missing = [line for line in expected["lines"] if line not in lines]
    assert not missing, "\n".join(missing) + "\n\n" + result.stdout
    assert "13800138000" not in result.stdout and "13900139000" not in result.stdout


def test_kpi_deltas_are_the_kpis_that_changed(scenario: DataRepo) -> None:
    base = json.loads(invoke_crm("kpi", "--root", str(scenario.root), "--as-of", AS_OF, "--format", "json").stdout)
    result = crm_diff(scenario, "HEAD~1", "--format", "json")
    kpis = {(item["name"], item["key"]): (item["base"], item["head"]) for item in json.loads(result.stdout)["kpis"]}
    assert ("overdue_followups", None) not in kpis  # KH-1 was overdue, KH-2 is now: one either way
    assert kpis[("customers_by_stage", "churned")] == (0, 1)
    assert kpis[("overdue_todos", None)] == (1, 0)
    assert kpis[("followup_compliance", None)] == (0.8, 0.75)  # 4 of 5 not overdue, then 3 of 4
    assert kpis[("followup_compliance", None)][1] == base["followup_compliance"]  # HEAD is the working tree
    lines = crm_diff(scenario, "HEAD~1").stdout.splitlines()
    assert "| 跟进达标率 `followup_compliance` | 80.0% | 75.0% | −5.0 pp |" in lines
    assert "| 逾期待办 `overdue_todos` | 1 | 0 | −1 |" in lines
    assert "| 各阶段客户数 `customers_by_stage` · 流失 | 0 | 1 | +1 |" in lines
    assert "| 每月沟通量 `interactions_by_month` · 2026-11.拜访 | 0 | 1 | +1 |" in lines


def test_private_values_only_with_internal(scenario: DataRepo) -> None:
    shown = crm_diff(scenario, "HEAD~1", "--internal")
    assert "| `KH-1` `客户KH-1` | `contacts[0].phone` | `13800138000` | `13900139000` |" in shown.stdout.splitlines()
    assert "--internal" not in shown.stdout
    masked = json.loads(crm_diff(scenario, "HEAD~1", "--format", "json").stdout)
    phone = next(item for item in masked["customers"][0]["fields"] if item["field"] == "contacts[0].phone")
    assert phone == {
        "field": "contacts[0].phone",
        "change": "changed",
        "base": "(private)",
        "head": "(private)",
        "private": True,
        "hidden": True,
    }
    internal = json.loads(crm_diff(scenario, "HEAD~1", "--format", "json", "--internal").stdout)
    phone = next(item for item in internal["customers"][0]["fields"] if item["field"] == "contacts[0].phone")
    assert (phone["base"], phone["head"], phone["private"], phone["hidden"]) == (
        "13800138000",
        "13900139000",
        True,
        False,
    )


def test_json_shape(scenario: DataRepo) -> None:
    result = crm_diff(scenario, "HEAD~1", "HEAD", "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert set(report) >= {
        "ok",
        "as_of",
        "base",
        "head",
        "summary",
        "customers",
        "interactions",
        "config",
        "stages",
        "followups",
        "todos_done",
        "kpis",
        "base_errors",
        "head_errors",
    }
    assert report["ok"] is True and report["as_of"] == AS_OF
    assert report["head"]["commit"] == git(scenario.root, "rev-parse", "HEAD").strip()
    assert [(item["id"], item["status"]) for item in report["customers"]] == [
        ("KH-1", "changed"),
        ("KH-2", "changed"),
        ("KH-4", "changed"),
        ("KH-5", "removed"),
        ("KH-6", "added"),
    ]
    assert report["stages"] == [
        {
            "customer": "KH-4",
            "name": "客户KH-4",
            "from": "active",
            "to": "churned",
            "churned_on": "2026-11-15",
            "churn_reason": HOSTILE,
        }
    ]
    done = report["followups"][0]
    assert done["event"] == "done" and done["customer"] == "KH-1"
    assert done["before"] == {  # the contract's follow-up object, as crm due prints it
        "customer": "KH-1",
        "name": "客户KH-1",
        "owner": "ming",
        "due": "2026-10-31",
        "reason": "cadence",
        "status": "overdue",
        "days_overdue": 24,
        "silent": False,
        "last_contact": "2026-10-01",
        "interval_days": 30,
        "freshness": "red",
    }
    due = invoke_crm("due", "--root", str(scenario.root), "--as-of", AS_OF, "--format", "json")  # HEAD is checked out
    assert done["after"] == next(plan for plan in json.loads(due.stdout)["followups"] if plan["customer"] == "KH-1")
    assert report["todos_done"] == [
        {"interaction": "JL-1", "customer": "KH-1", "task": "发送报价", "due": "2026-10-10", "done": "2026-10-09"}
    ]


def test_record_text_is_never_markup(scenario: DataRepo) -> None:
    """Rendered as GitHub would (Markdown with tables and raw HTML), the hostile reason stays one cell of text."""
    page = python_markdown.markdown(crm_diff(scenario, "HEAD~1").stdout, extensions=["tables"])
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find("script") is None and soup.find("a") is None and soup.find("code", string="rm") is None
    assert soup.find("strong", string="x") is None
    stage_table = soup.find_all("table")[0]
    cells = [cell.get_text() for cell in stage_table.find_all("tr")[1].find_all("td")]
    assert cells == ["KH-4", "客户KH-4", "合作期", "流失", f"2026-11-15 · {HOSTILE}"]


def test_the_working_tree_and_the_index_are_untouched(scenario: DataRepo) -> None:
    scenario.customer("KH-2", notes="staged, not committed")
    git(scenario.root, "add", "customers/KH-2.yaml")
    scenario.customer("KH-3", notes="edited, not staged")
    scenario.put("id: KH-7\n")  # untracked, invalid
    status = git(scenario.root, "status", "--porcelain")
    index = (scenario.root / ".git" / "index").read_bytes()
    files = {path: path.read_bytes() for path in scenario.root.rglob("*.yaml")}
    result = crm_diff(scenario, "HEAD~1")
    assert result.returncode == 0, result.stderr
    assert "notes" not in result.stdout and "KH-7" not in result.stdout  # committed revisions only
    assert git(scenario.root, "status", "--porcelain") == status
    assert (scenario.root / ".git" / "index").read_bytes() == index
    assert {path: path.read_bytes() for path in scenario.root.rglob("*.yaml")} == files
    assert git(scenario.root, "stash", "list") == "" and git(scenario.root, "worktree", "list").count("\n") == 1


def test_three_dots_compare_with_the_merge_base(tmp_path: Path) -> None:
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    write_base(data)
    commit(data.root, "base")
    git(data.root, "checkout", "-q", "-b", "feature")
    data.interaction("JL-9", "KH-2", "2026-11-20")
    commit(data.root, "feature: log a call")
    git(data.root, "checkout", "-q", "main")
    data.customer("KH-8", name="主干客户")
    commit(data.root, "main: a customer")
    pull_request = crm_diff(data, "main...feature")
    assert pull_request.returncode == 0, pull_request.stderr
    lines = pull_request.stdout.splitlines()
    assert lines[2] == "**1 条沟通记录新增，1 项跟进改期，3 项指标变化**"
    assert "| 新增 | `JL-9` | `KH-2` `客户KH-2` | 2026-11-20 | 电话 | 跟进 | `回访` |" in lines
    assert "KH-8" not in pull_request.stdout  # main's own change since the branch point is not the PR's
    assert lines[0].startswith("### crm diff：`main 与 feature 的合并基点 (")  # worded in crm.yaml's language
    two_dots = crm_diff(data, "main..feature")
    assert "| 删除 | `KH-8` | `主干客户` | 合作期 | `ming` |" in two_dots.stdout.splitlines()


def test_two_revisions_compared_in_one_call(scenario: DataRepo) -> None:
    """crmdata.git.compare_revisions: what `crm diff` reads from git, without the command line."""
    change = compare_revisions(scenario.root, "HEAD~1", None, date(2026, 11, 24))
    assert (change.base_commit, change.head_commit) == (
        git(scenario.root, "rev-parse", "HEAD~1").strip(),
        git(scenario.root, "rev-parse", "HEAD").strip(),
    )
    assert change.ok and change.head_label.startswith("HEAD (")
    printed = json.loads(crm_diff(scenario, "HEAD~1", "--format", "json").stdout)
    assert diff.as_json(change) == printed
    with pytest.raises(gitrev.GitError, match="unknown revision 'no-such-branch'"):
        compare_revisions(scenario.root, "no-such-branch", None, date(2026, 11, 24))


def test_unknown_revision_is_a_usage_error(scenario: DataRepo) -> None:
    result = crm_diff(scenario, "no-such-branch")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"crm diff：{scenario.root} 中没有版本 'no-such-branch'"  # crm.yaml: zh
    result = run_crm("diff", "--root", str(scenario.root), "--", "--output=/tmp/x")  # never read as an option
    assert (result.returncode, result.stderr) == (2, "crm diff：没有版本 '--output=/tmp/x'\n")


def test_without_git_is_a_usage_error(scenario: DataRepo, tmp_path: Path) -> None:
    command = [str(CRM), "diff", "HEAD~1", "--root", str(scenario.root)]
    result = subprocess.run(command, capture_output=True, text=True, env={"PATH": str(tmp_path)}, check=False)
    assert result.returncode == 2
    assert result.stderr == "crm diff：没有安装 git（或不在 PATH 中）：crm diff 用 git 读取各个版本\n"


def test_outside_git_is_a_usage_error(repo: DataRepo) -> None:
    result = run_crm("diff", "HEAD~1", "--root", str(repo.root))
    assert result.returncode == 2
    assert result.stderr.strip() == f"crm diff：{repo.root} 不在 git 仓库中：crm diff 比较的是提交"
    repo.config("team:\n  ming: {name: Ming}\nlanguage: en\n")
    result = run_crm("diff", "HEAD~1", "--root", str(repo.root))
    assert result.stderr.strip() == f"crm diff: {repo.root} is not in a git repository: crm diff compares commits"


def test_a_data_root_in_a_sub_folder_and_a_first_commit_without_it(tmp_path: Path) -> None:
    top = tmp_path / "company"
    init_git(top)
    (top / "README.md").write_text("our repository\n", encoding="utf-8")
    commit(top, "before the CRM")
    data = DataRepo(top / "crm")
    write_base(data)
    commit(top, "the CRM")
    result = crm_diff(data, "HEAD~1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # 23: four of them the plan and contract counts and sums, two the pipeline's open and weighted value,
    # 0 where BASE had no value
    assert lines[2] == "**5 位客户新增，5 条沟通记录新增，crm.yaml 有修改，23 项指标变化**"
    assert "| 新增 | `KH-1` | `客户KH-1` | 合作期 | `ming` |" in lines
    assert "| 新增 | `JL-1` | `KH-1` `客户KH-1` | 2026-10-01 | 电话 | 跟进 | `回访` |" in lines
    unchanged = run_crm("diff", "HEAD", "--root", str(data.root / "customers"), "--as-of", AS_OF)
    assert unchanged.returncode == 0 and unchanged.stdout.splitlines()[2] == "**CRM 数据没有变化**"


def test_head_that_does_not_validate_is_reported_with_lines(scenario: DataRepo) -> None:
    scenario.put("id: KH-2\nname: 客户\ntype: enterprize\n")
    commit(scenario.root, "broken")
    out = scenario.root.parent / "summary.md"
    out.write_text("earlier step\n", encoding="utf-8")
    result = crm_diff(scenario, "HEAD~1", "--out", str(out), "--append")
    assert result.returncode == 1
    report = out.read_text(encoding="utf-8").splitlines()
    assert report[0] == "earlier step"
    assert report[1:] == [
        f"### crm diff：`HEAD~1 ({git(scenario.root, 'rev-parse', '--short=7', 'HEAD~1').strip()})` → `HEAD "
        f"({git(scenario.root, 'rev-parse', '--short=7', 'HEAD').strip()})`，数据日期 {AS_OF}",
        "",
        "**HEAD 没有通过校验：4 个错误（运行 crm validate）**",
        "",
        "HEAD 通过校验之前不做比较：有错误的记录看起来会像被删除了。",
        "",
        "- `customers/KH-2.yaml`:1:1: `owner`: `缺少必填字段 owner`",
        "- `customers/KH-2.yaml`:1:1: `stage`: `缺少必填字段 stage`",
        "- `customers/KH-2.yaml`:1:1: `tier`: `缺少必填字段 tier`",
        "- `customers/KH-2.yaml`:3:7: `type`: `'enterprize' 不是可选的值：individual（个人）、enterprise（企业）、"
        "government（政府机构）、institutional_investor（机构投资者）（是不是想写 enterprise？）`",
    ]
    assert "没有通过校验" in result.stderr and "Traceback" not in result.stderr


def test_the_pure_core_names_nested_fields(tmp_path: Path) -> None:
    """diff() of two loaded folders, no git: nested paths and a todo completed among several."""
    base, head = DataRepo(tmp_path / "base"), DataRepo(tmp_path / "head")
    for data, done in ((base, ""), (head, ", done: 2026-11-02")):
        data.config("team:\n  ming: {name: 张明}\n")
        data.customer("KH-1", "contacts:\n  - {name: 甲}\n  - {name: 乙, title: 经理}\n")
        todos = f"todos:\n  - {{task: 甲, due: 2026-11-01}}\n  - {{task: 乙, due: 2026-11-03{done}}}\n"
        data.interaction("JL-1", "KH-1", "2026-10-30", todos)
    head.customer("KH-1", "contacts:\n  - {name: 甲}\n  - {name: 乙, title: 总监, birthday: 1980-01-02}\n")
    change = diff.diff(load(base.root)[0], load(head.root)[0], date(2026, 11, 24))
    fields = [(item.path, item.old, item.new, item.hidden) for record in change.customers for item in record.fields]
    assert fields == [("contacts[1].title", "经理", "总监", False), ("contacts[1].birthday", None, "(private)", True)]
    assert [(item.path, item.new) for item in change.interactions[0].fields] == [("todos[1].done", "2026-11-02")]
    assert [todo.task for todo in change.todos_done] == ["乙"]
    internal = diff.diff(load(base.root)[0], load(head.root)[0], date(2026, 11, 24), internal=True)
    assert internal.customers[0].fields[1].new == "1980-01-02"


def test_the_scratch_tree_follows_a_path_from_file_to_folder(tmp_path: Path) -> None:
    """A path that is a file in one revision and a folder in the next is rewritten, never written through."""
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    data.config("team: {ming: {name: 张明}}\n")
    data.write("interactions/2026.yaml", "x: 1\n")
    first = commit(data.root, "a file")
    os.remove(data.root / "interactions" / "2026.yaml")
    data.write("interactions/2026.yaml/JL-1.yaml", "id: JL-1\ncustomer: KH-1\ndate: 2026-01-01\n")  # now a folder
    second = commit(data.root, "a folder")
    repo = gitrev.repository(data.root)
    with gitrev.scratch_tree(repo) as tree:
        for revision in (first, second, first):
            files = gitrev.data_files(repo, gitrev.Revision(revision, revision))
            tree.switch_to(files)
            written = {path.relative_to(tree.root).as_posix() for path in tree.root.rglob("*") if not path.is_dir()}
            assert written == set(files)
    assert not tree.root.exists()


def test_long_tables_are_cut_with_a_count(scenario: DataRepo) -> None:
    lines = crm_diff(scenario, "HEAD~1", "--max-rows", "2").stdout.splitlines()
    start = lines.index("#### 跟进（6）")
    assert lines[start + 3 : start + 9] == [
        "|---|---|---|---|---|---|",
        "| 已完成 | `KH-1` | `客户KH-1` | `ming` | 2026-10-31 (定期跟进) → 2026-12-20 (定期跟进) | 逾期 → 按计划 |",
        "| 新逾期 | `KH-2` | `客户KH-2` | `ming` | 2026-12-10 (定期跟进) → 2026-11-17 (定期跟进)"
        " | 按计划 → 逾期 (7 天) |",
        "",
        "…… 另有 4 行（`crm diff --format json` 列出全部）",
        "",
    ]


def test_a_committed_link_is_reported_never_followed(scenario: DataRepo, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: KH-9\nname: 不该读到的内容\n", encoding="utf-8")
    (scenario.root / "customers" / "KH-9.yaml").symlink_to(secret)
    commit(scenario.root, "a link")
    result = crm_diff(scenario, "HEAD~1")
    assert result.returncode == 1
    assert "- `customers/KH-9.yaml`:1:1: : `不跟随符号链接" in result.stdout
    assert "不该读到的内容" not in result.stdout


def test_a_revision_is_read_with_its_plans_opportunities_and_contracts(tmp_path: Path) -> None:
    """Each revision is written out with every record folder load() reads: without plans/, an interaction
    that carries out a plan would name a plan the revision 'does not have'."""
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    data.config("team:\n  ming: {name: 张明}\n")
    data.customer("KH-1")
    commit(data.root, "base")
    data.plan("JH-1", "KH-1")
    data.opportunity("SJ-1", "KH-1")
    data.contract("HT-1", "KH-1", opportunity="SJ-1")
    data.interaction("JL-1", "KH-1", "2026-11-20", plan="JH-1", opportunity="SJ-1", contract="HT-1")
    commit(data.root, "plan, opportunity, contract and the call that used them")
    result = crm_diff(data, "HEAD~1", "HEAD")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "JH-1" not in result.stderr and "SJ-1" not in result.stderr and "HT-1" not in result.stderr
