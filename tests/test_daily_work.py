"""Issue 14's "done when", walked as a new team member walks it, with the installed `crm` in real processes:
find a customer by pinyin, read the brief, log the call, close the todo it settled, mark a churned customer with
its reason, and get tomorrow's list in the team's group chat (a real local WeCom robot). Every command used is
one the user guide (帮助 › 日常使用 and 跟进) shows, so the guide alone is enough to do this."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import DataRepo, run_crm
from tests.notify_servers import Robots, robot_server

HELP = Path(__file__).resolve().parent.parent / "site_builder" / "help"

TEAM = """\
team:
  ming: {name: 张明, wecom: ZhangMing}
  hong: {name: 李红}
site: {url: "https://acme.example/crm/"}
notify:
  - {kind: wecom, url_env: CRM_WECOM_URL}
"""


@pytest.fixture
def robots() -> Iterator[Robots]:
    yield from robot_server()


@pytest.fixture
def team(empty_repo: DataRepo) -> DataRepo:
    """张明 owns 华星科技 (a todo open from the last call), 济南宇桥 (about to be lost) and 东方医疗 (overdue);
    李红 owns 北方重工 (overdue)."""
    repo = empty_repo
    repo.config(TEAM)
    today = date.today()
    repo.customer("KH-2024001", name="华星科技有限公司", since=(today - timedelta(days=400)).isoformat())
    repo.customer("KH-2024002", name="济南宇桥信息技术有限公司", since=(today - timedelta(days=400)).isoformat())
    repo.customer("KH-2024003", name="北方重工集团", owner="hong", since=(today - timedelta(days=400)).isoformat())
    repo.customer("KH-2024004", name="东方医疗器械有限公司", since=(today - timedelta(days=400)).isoformat())
    last_call, long_ago = (today - timedelta(days=20)).isoformat(), (today - timedelta(days=45)).isoformat()
    repo.interaction(
        "JL-2024001",
        "KH-2024001",
        last_call,
        "todos:\n  - {task: 发送报价单, due: " + last_call + "}",
        topic="季度回顾",
    )
    repo.interaction("JL-2024002", "KH-2024002", last_call, topic="续约沟通")
    repo.interaction("JL-2024003", "KH-2024003", long_ago, topic="回访", owner="hong")
    repo.interaction("JL-2024004", "KH-2024004", long_ago, topic="回访")
    return repo


def crm(team: DataRepo, *args: str, env: dict[str, str] | None = None) -> str:
    result = run_crm(*args, "--root", str(team.root), env={**os.environ, **env} if env else None)
    assert result.returncode == 0, f"crm {' '.join(args)}: {result.stderr}"
    assert "Traceback" not in result.stderr
    return result.stdout


def test_a_new_team_member_runs_a_day_from_the_guide_alone(team: DataRepo, robots: Robots) -> None:
    guide = "\n".join(
        (HELP / "zh" / page).read_text(encoding="utf-8") for page in ("daily.md", "followups.md", "start.md")
    )
    for command in ("crm find", "crm show", "crm log", "crm done", "crm stage", "crm notify"):
        assert command in guide, f"the guide never shows {command}"

    found = crm(team, "find", "hxkj")
    assert "KH-2024001" in found and "华星科技" in found and "KH-2024002" not in found

    brief = crm(team, "show", "hxkj")
    assert "华星科技有限公司" in brief and "发送报价单" in brief, "the brief shows the open todo"
    assert "业务进展同步" in brief, "an established customer's talking points"

    crm(team, "log", "华星", "--topic", "报价确认", "--summary", "客户确认报价，下月签约", "--next", "2w")
    [logged] = [p for p in (team.root / "interactions").rglob("*.yaml") if "报价确认" in p.read_text("utf-8")]
    assert "customer: KH-2024001" in logged.read_text(encoding="utf-8")

    todo_file = next((team.root / "interactions").rglob("JL-2024001.yaml"))
    before = todo_file.read_text(encoding="utf-8").splitlines()
    crm(team, "done", "JL-2024001")
    after = todo_file.read_text(encoding="utf-8").splitlines()
    changed = [line for line in after if line not in before]
    assert len(changed) == 1 and "发送报价单" in changed[0] and date.today().isoformat() in changed[0], changed
    assert [line for line in before if line not in after] == [line for line in before if "发送报价单" in line]

    crm(team, "stage", "宇桥", "流失", "--reason", "预算取消")
    churned = (team.root / "customers" / "KH-2024002.yaml").read_text(encoding="utf-8")
    assert "stage: churned" in churned and "churn_reason: 预算取消" in churned
    crm(team, "validate")

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    sent = crm(team, "notify", "--as-of", tomorrow, env={"CRM_WECOM_URL": robots.url("wecom", "key=WECOMKEY-0001")})
    assert robots.problems == []
    messages = [message["markdown"]["content"] for message in robots.received["wecom"]]
    [ming] = [text for text in messages if "<@ZhangMing>" in text]
    assert "东方医疗" in ming, "张明's overdue customer is in his list"
    assert any("北方重工" in text for text in messages), "李红's customer is in her list"
    assert not any("济南宇桥" in text for text in messages), "a churned customer is no longer followed up"
    assert re.search(r"\S", sent)
