"""`crm notify` against real local servers: the robots' formats and signatures, e-mail over STARTTLS with
AUTH, and every way a delivery fails (reported per channel, the others still delivered, exit 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DataRepo, invoke_crm
from tests.notify_servers import (
    DINGTALK_SECRET,
    FEISHU_SECRET,
    SMTP_PASSWORD,
    MailServer,
    Robots,
    mail_server,
    refused_url,
    robot_server,
)

TEAM = """\
team:
  ming: {name: 张明, email: ming@example.com, wecom: ZhangMing, dingtalk: dd-ming, feishu: ou_ming}
  hong: {name: 李红, email: hong@example.com}
site: {url: "https://acme.github.io/crm/"}
notify:
  - {kind: wecom, url_env: CRM_WECOM_URL}
  - {kind: dingtalk, url_env: CRM_DINGTALK_URL, secret_env: CRM_DINGTALK_SECRET}
  - {kind: feishu, url_env: CRM_FEISHU_URL, secret_env: CRM_FEISHU_SECRET}
  - {kind: webhook, url_env: CRM_HOOK_URL}
  - {kind: email, url_env: CRM_SMTP_URL, sender: crm@example.com}
"""
AS_OF = "2024-11-28"


@pytest.fixture
def robots() -> Iterator[Robots]:
    yield from robot_server()


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[MailServer]:
    yield from mail_server(tmp_path)


@pytest.fixture
def team(repo: DataRepo) -> DataRepo:
    """ming owns an overdue customer (the fixture's 华星科技, last contact 2024-03-01); hong owns nothing due."""
    repo.config(TEAM)
    return repo


def environment(robots: Robots, mail: MailServer, **changes: str) -> dict[str, str]:
    env = {
        "CRM_WECOM_URL": robots.url("wecom", "key=WECOMKEY-0001"),
        "CRM_DINGTALK_URL": robots.url("dingtalk", "access_token=DDTOKEN-0001"),
        "CRM_DINGTALK_SECRET": DINGTALK_SECRET,
        "CRM_FEISHU_URL": robots.url("feishu"),
        "CRM_FEISHU_SECRET": FEISHU_SECRET,
        "CRM_HOOK_URL": robots.url("hook"),
        "CRM_SMTP_URL": mail.url(),
        "CRM_NOTIFY_CAFILE": str(mail.cafile),
    }
    env.update(changes)
    return env


def notify(repo: DataRepo, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = invoke_crm("notify", "--root", str(repo.root), "--as-of", AS_OF, "--timeout", "1", *args, env=env)
    return result.returncode, result.stdout, result.stderr


def test_every_channel_gets_its_format_signed_and_mentioning_the_owner(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    code, out, err = notify(team, environment(robots, mail))
    assert code == 0, err
    assert robots.problems == []
    [wecom] = robots.received["wecom"]
    assert wecom["msgtype"] == "markdown"
    content = wecom["markdown"]["content"]
    assert "<@ZhangMing>" in content
    assert "[华星科技有限公司](https://acme.github.io/crm/customers/KH-2024001/)" in content
    [dingtalk] = robots.received["dingtalk"]
    assert dingtalk["at"] == {"atUserIds": ["dd-ming"], "isAtAll": False}
    assert "@dd-ming" in dingtalk["markdown"]["text"]
    assert dingtalk["markdown"]["title"] == "张明的客户提醒（2024-11-28）"
    [feishu] = robots.received["feishu"]
    assert '<at user_id="ou_ming">张明</at>' in feishu["content"]["text"]
    [hook] = robots.received["hook"]
    assert hook["owner"] == "ming"
    assert hook["as_of"] == AS_OF
    [item] = [entry for entry in hook["items"] if entry["section"] == "followups"]
    assert item["customer"] == "KH-2024001"
    assert item["status"] == "overdue"
    assert item["link"] == "https://acme.github.io/crm/customers/KH-2024001/"
    [(sender, recipients, message)] = mail.mails
    assert sender == "crm@example.com"
    assert recipients == ["ming@example.com"]
    assert message["Subject"].startswith("客户提醒：张明")
    body = message.get_content()
    assert "华星科技有限公司（KH-2024001）" in body
    assert "李红 (hong)：今天没有要提醒的事项，不发送" in out
    assert "共发送 5 条消息，0 处失败，1 位负责人没有要提醒的事项。" in out


def test_a_wrong_signing_secret_is_refused_by_the_robot_and_reported(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    env = environment(robots, mail, CRM_DINGTALK_SECRET="SECwrong", CRM_FEISHU_SECRET="wrong")
    code, _out, err = notify(team, env)
    assert code == 1
    assert "张明 (ming) → dingtalk：失败（已发送 0/1 条）：机器人回答错误 310000：sign not match" in err
    assert "张明 (ming) → feishu：失败（已发送 0/1 条）：机器人回答错误 19021：sign match fail" in err
    assert len(robots.received["wecom"]) == 1
    assert len(mail.mails) == 1
    assert "SECwrong" not in err


def test_each_failing_channel_is_reported_and_the_others_still_deliver(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    env = environment(
        robots,
        mail,
        CRM_WECOM_URL=robots.url("status500", "key=WECOMKEY-0001"),
        CRM_DINGTALK_URL=robots.url("errcode", "access_token=DDTOKEN-0001"),
        CRM_FEISHU_URL=robots.url("slow"),
        CRM_HOOK_URL=refused_url(),
    )
    code, out, err = notify(team, env)
    assert code == 1
    assert "张明 (ming) → wecom：失败（已发送 0/1 条）：服务器回答 HTTP 500" in err
    assert "张明 (ming) → dingtalk：失败（已发送 0/1 条）：机器人回答错误 93000：invalid webhook url" in err
    assert "张明 (ming) → feishu：失败（已发送 0/1 条）：1 秒内没有回应（--timeout）" in err
    assert "张明 (ming) → webhook：失败（已发送 0/1 条）：连不上服务器" in err
    assert len(mail.mails) == 1
    assert "张明 (ming) → email：已发送 1 条" in out
    assert "共发送 1 条消息，4 处失败" in out
    assert "crm：4 处发送失败" in err
    for secret in ("WECOMKEY", "DDTOKEN", "127.0.0.1"):
        assert secret not in out + err


def test_a_missing_variable_is_named_and_the_other_channels_deliver(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    env = environment(robots, mail)
    del env["CRM_FEISHU_SECRET"]
    code, _out, err = notify(team, env)
    assert code == 1
    assert "feishu：不能发送：环境变量 CRM_FEISHU_SECRET 未设置（crm.yaml `notify` 的 feishu 渠道 `secret_env`）" in err
    assert "feishu" not in robots.received
    assert len(robots.received["wecom"]) == 1


def test_smtp_login_refused_is_a_failure_of_the_email_channel(team: DataRepo, robots: Robots, mail: MailServer) -> None:
    code, _out, err = notify(team, environment(robots, mail, CRM_SMTP_URL=mail.url(password="not-it")))
    assert code == 1
    assert "张明 (ming) → email：失败（已发送 0/1 条）：邮件服务器拒绝登录：535" in err
    assert mail.mails == []
    assert "not-it" not in err
    assert SMTP_PASSWORD not in err


def test_an_untrusted_certificate_fails_the_mail_unless_its_ca_is_given(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    env = environment(robots, mail)
    del env["CRM_NOTIFY_CAFILE"]
    code, _out, err = notify(team, env)
    assert code == 1
    assert "张明 (ming) → email：失败（已发送 0/1 条）：TLS 证书校验失败" in err
    assert mail.mails == []


def test_many_items_are_split_below_the_limit_and_none_is_lost(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    ids = [f"KH-2024{number:03d}" for number in range(100, 260)]
    for cid in ids:
        team.customer(cid, name=f"长名字的客户{cid}有限责任公司（华东区域分公司）")
    code, _out, err = notify(team, environment(robots, mail))
    assert code == 0, err
    for robot, key in (("wecom", "content"), ("dingtalk", "text")):
        parts = [body["markdown"][key] for body in robots.received[robot]]
        limit = 4096 if robot == "wecom" else 18000
        assert len(parts) > 1
        assert all(len(part.encode()) <= limit for part in parts)
        shown = [cid for part in parts for cid in ids if f"（{cid}）" in part]
        assert sorted(shown) == sorted(ids)  # every customer once, none lost, none twice
        assert f"（第 1/{len(parts)} 条）" in parts[0]
    feishu = [body["content"]["text"] for body in robots.received["feishu"]]
    assert all(len(text.encode()) <= 18000 for text in feishu)
    assert len(robots.received["hook"]) == 1
    assert len(mail.mails) == 1


def test_record_text_cannot_mention_anyone_or_format_the_message(
    team: DataRepo, robots: Robots, mail: MailServer
) -> None:
    team.customer(
        "KH-2024100",
        name='"**假冒** @所有人 <@all> <at user_id=\\"all\\">所有人</at> [点我](https://evil.example)"',
    )
    team.interaction(
        "JL-2024100",
        "KH-2024100",
        "2024-11-01",
        "todos:",
        '  - {task: "回电 @all\\n## 伪造标题", due: 2024-11-10}',
    )
    code, _out, err = notify(team, environment(robots, mail))
    assert code == 0, err
    wecom = robots.received["wecom"][0]["markdown"]["content"]
    dingtalk = robots.received["dingtalk"][0]["markdown"]["text"]
    feishu = robots.received["feishu"][0]["content"]["text"]
    for text in (wecom, dingtalk, feishu):
        assert "@所有人" not in text
        assert "@all" not in text
        assert "<at" not in text.replace('<at user_id="ou_ming">', "")
        assert "\n## 伪造标题" not in text
        assert "＠所有人" in text  # shown, but inert
    assert "\\*\\*假冒\\*\\*" in wecom
    assert "\\[点我\\]" in wecom
    assert wecom.count("<@") == 1  # the owner's mention only
    assert robots.received["dingtalk"][0]["at"]["isAtAll"] is False


def test_private_fields_stay_masked(team: DataRepo, robots: Robots, mail: MailServer) -> None:
    team.customer(
        "KH-2024100",
        "contacts:",
        '  - {name: 王芳, phone: "13912345678", email: wang@example.com, birthday: 1990-12-02}',
    )
    code, _out, err = notify(team, environment(robots, mail))
    assert code == 0, err
    everything = json.dumps(robots.received, ensure_ascii=False) + mail.mails[0][2].as_string()
    assert "王芳" in json.dumps(robots.received, ensure_ascii=False)
    for private in ("13912345678", "wang@example.com", "1990-12-02", "12-02"):
        assert private not in everything
    assert "7 天内（日期不公开）" in robots.received["wecom"][0]["markdown"]["content"], "which week, never the day"
