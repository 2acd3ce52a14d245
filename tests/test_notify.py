"""`crm notify` without a network: crm.yaml's `notify` channels, --dry-run, --owner, and the digest's data."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from crmdata.engine.digest import Section, digest
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from tests.conftest import DataRepo, invoke_crm
from tests.notify_servers import Robots, robot_server

CHANNELS = """\
team:
  ming: {name: 张明, wecom: ZhangMing}
  hong: {name: 李红}
notify:
  - {kind: wecom, url_env: CRM_WECOM_URL}
  - {kind: dingtalk, url_env: CRM_DINGTALK_URL, secret_env: CRM_DINGTALK_SECRET}
"""


@pytest.fixture
def robots() -> Iterator[Robots]:
    yield from robot_server()


def test_a_url_written_in_crm_yaml_is_refused_with_where_and_why(repo: DataRepo) -> None:
    repo.config(CHANNELS + "  - {kind: feishu, url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc'}\n")
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert "crm.yaml:7:" in result.stderr + result.stdout
    assert "`notify` 里不能写 `url`：机器人地址和密钥会被每个能读仓库的人看到" in result.stderr + result.stdout


def test_an_address_in_place_of_a_variable_name_is_refused_without_showing_it(repo: DataRepo) -> None:
    repo.config(CHANNELS.replace("url_env: CRM_WECOM_URL", "url_env: 'https://qyapi.weixin.qq.com/x?key=SECRETKEY'"))
    result = invoke_crm("validate", "--root", str(repo.root))
    output = result.stderr + result.stdout
    assert result.returncode == 1
    assert "crm.yaml:5:" in output and "`url_env` 只写环境变量名" in output
    assert "SECRETKEY" not in output


def test_a_secret_on_a_channel_that_signs_nothing_and_an_email_without_sender_are_refused(repo: DataRepo) -> None:
    repo.config(CHANNELS + "  - {kind: wecom, url_env: A, secret_env: B}\n  - {kind: email, url_env: C}\n")
    result = invoke_crm("validate", "--root", str(repo.root))
    output = result.stderr + result.stdout
    assert "wecom 渠道不用签名密钥" in output
    assert "email 渠道需要发件人" in output


def test_dry_run_prints_the_messages_needs_no_variables_and_sends_nothing(repo: DataRepo, robots: Robots) -> None:
    repo.config(CHANNELS)
    result = invoke_crm("notify", "--root", str(repo.root), "--as-of", "2024-11-28", "--dry-run", env={})
    assert result.returncode == 0, result.stderr
    assert "试运行：只显示将要发送的消息，不发送。" in result.stdout
    assert "—— 张明 (ming) → wecom（1/1）——" in result.stdout
    assert "<@ZhangMing>" in result.stdout
    assert "华星科技有限公司（KH-2024001）· 逾期 " in result.stdout
    assert "李红 (hong)：今天没有要提醒的事项，不发送" in result.stdout
    assert robots.received == {}


def test_owner_by_name_gets_only_their_digest(repo: DataRepo) -> None:
    repo.config(CHANNELS)
    repo.customer("KH-2024100", owner="hong")
    result = invoke_crm("notify", "--root", str(repo.root), "--as-of", "2024-11-28", "--dry-run", "--owner", "李红")
    assert result.returncode == 0, result.stderr
    assert "李红 (hong) → wecom" in result.stdout
    assert "张明" not in result.stdout


def test_an_unknown_owner_is_refused_naming_the_team(repo: DataRepo) -> None:
    repo.config(CHANNELS)
    result = invoke_crm("notify", "--root", str(repo.root), "--dry-run", "--owner", "王五")
    assert result.returncode == 1
    assert "--owner 王五 不是团队成员（按编号或姓名）：ming (张明), hong (李红)" in result.stderr


def test_without_channels_notify_says_how_to_add_one(repo: DataRepo) -> None:
    result = invoke_crm("notify", "--root", str(repo.root), "--dry-run")
    assert result.returncode == 1
    assert "crm.yaml 没有 `notify` 渠道" in result.stderr


def test_english_team_reads_english(repo: DataRepo) -> None:
    repo.config(CHANNELS + "language: en\n")
    result = invoke_crm("notify", "--root", str(repo.root), "--as-of", "2024-11-28", "--dry-run")
    assert "Dry run: the messages that would be sent; nothing is sent." in result.stdout
    assert "## Reminders for 张明 (2024-11-28)" in result.stdout
    assert "days overdue · Cadence" in result.stdout


def test_the_digest_holds_what_is_due_and_hides_a_birthday_unless_the_site_shows_it(repo: DataRepo) -> None:
    repo.config(CHANNELS + "site: {url: 'https://crm.example.com/', redact: true}\n")
    repo.customer("KH-2024100", "contacts:", "  - {name: 王芳, birthday: 1990-12-02}")
    repo.interaction("JL-2024100", "KH-2024100", "2024-11-20", "todos:", "  - {task: 回电, due: 2024-11-25}")
    dataset = validate(repo.root, LoadOptions(use_cache=False)).dataset
    masked = digest(dataset, date(2024, 11, 28), "ming")
    [todo] = masked.section(Section.TODOS)
    assert (todo.record, todo.detail, todo.days_overdue) == ("JL-2024100", "回电", 3)
    [birthday] = [item for item in masked.section(Section.CARE) if item.detail == "birthday"]
    assert (birthday.contact, birthday.day, birthday.years) == ("王芳", None, None)
    assert birthday.link == "https://crm.example.com/customers/KH-2024100/"
    assert [item.customer for item in masked.section(Section.FOLLOWUPS)] == ["KH-2024001"]  # KH-2024100 is not due
    repo.config(CHANNELS + "site: {redact: false}\n")
    dataset = validate(repo.root, LoadOptions(use_cache=False)).dataset
    shown = digest(dataset, date(2024, 11, 28), "ming")
    [birthday] = [item for item in shown.section(Section.CARE) if item.detail == "birthday"]
    assert (birthday.day, birthday.years, birthday.link) == (date(2024, 12, 2), 34, None)
    assert digest(dataset, date(2024, 11, 28), "hong").empty


def test_each_message_links_the_owners_day_on_the_site_when_site_url_is_set(repo: DataRepo) -> None:
    """Every part of a digest leads to the owner's 我的今天 page (`<site.url>today/<owner>/`), where the
    same work stands in the order to do it; without site.url no address is guessed."""
    repo.config(CHANNELS + "  - {kind: feishu, url_env: CRM_FEISHU_URL}\nsite: {url: 'https://crm.example.com/'}\n")
    result = invoke_crm("notify", "--root", str(repo.root), "--as-of", "2024-11-28", "--dry-run", "--owner", "ming")
    assert result.returncode == 0, result.stderr
    page = "https://crm.example.com/today/ming/"
    assert f"[我的今天（按先后列出全部事项）]({page})" in result.stdout  # wecom and dingtalk: Markdown
    assert f"我的今天（按先后列出全部事项） {page}" in result.stdout  # feishu: plain text
    dataset = validate(repo.root, LoadOptions(use_cache=False)).dataset
    assert digest(dataset, date(2024, 11, 28), "ming").page == page
    repo.config(CHANNELS)
    result = invoke_crm("notify", "--root", str(repo.root), "--as-of", "2024-11-28", "--dry-run", "--owner", "ming")
    assert "today/" not in result.stdout and "我的今天" not in result.stdout
