"""What `crm notify` says, in its messages and on the terminal, in zh and en (a Catalogue: tests check
both languages and their placeholders)."""

from __future__ import annotations

from crmdata.records.vocabulary import Catalogue, Word

NOTIFY_WORDS = Catalogue(
    "notify",
    {
        # the messages
        "title": Word("{name}的客户提醒（{day}）", "Reminders for {name} ({day})"),
        "part": Word("（第 {part}/{parts} 条）", " (part {part} of {parts})"),
        "section_followups": Word("待跟进客户", "Customers to follow up"),
        "section_todos": Word("逾期待办", "Overdue todos"),
        "section_plans": Word("维护计划", "Maintenance plans"),
        "section_renewals": Word("续约", "Renewals"),
        "section_payments": Word("逾期回款", "Overdue payments"),
        "section_care": Word("关怀时刻", "Care moments"),
        "overdue_days": Word("逾期 {count} 天", "{count} day overdue", en_plural="{count} days overdue"),
        "due_on": Word("{day} 到期", "due {day}"),
        "renewal_detail": Word("合同 {end} 到期", "contract ends {end}"),
        "payment_detail": Word("应收 {amount}", "{amount} due"),
        "anniversary_detail": Word("合作 {count} 周年", "{count} year together", en_plural="{count} years together"),
        "birthday_detail": Word("{contact}生日", "{contact}'s birthday"),
        "birthday_unnamed": Word("联系人生日", "a contact's birthday"),
        "day_within": Word("{days} 天内（日期不公开）", "within {days} days (date not shown)"),
        "open_page": Word("查看", "open"),
        "my_day": Word("我的今天（按先后列出全部事项）", "My day (everything, in the order to do it)"),
        "subject": Word("客户提醒：{name}，{count} 项（{day}）", "CRM reminders: {name}, {count} items ({day})"),
        # the terminal
        "dry_run": Word(
            "试运行：只显示将要发送的消息，不发送。", "Dry run: the messages that would be sent; nothing is sent."
        ),
        "dry_run_message": Word(
            "—— {owner} → {kind}（{part}/{parts}）——", "--- {owner} -> {kind} ({part}/{parts}) ---"
        ),
        "sent": Word("{owner} → {kind}：已发送 {count} 条", "{owner} -> {kind}: sent {count}"),
        "failed": Word(
            "{owner} → {kind}：失败（已发送 {done}/{parts} 条）：{reason}",
            "{owner} -> {kind}: failed ({done} of {parts} sent): {reason}",
        ),
        "channel_unusable": Word("{kind}：不能发送：{reason}", "{kind}: cannot send: {reason}"),
        "no_email": Word(
            "{owner} → email：crm.yaml 里没有此人的 email，跳过", "{owner} -> email: no email in crm.yaml, skipped"
        ),
        "nothing_due": Word("{owner}：今天没有要提醒的事项，不发送", "{owner}: nothing due, no message"),
        "summary": Word(
            "共发送 {sent} 条消息，{failed} 处失败，{quiet} 位负责人没有要提醒的事项。",
            "{sent} messages sent, {failed} failures, {quiet} owners with nothing due.",
        ),
        "no_channels": Word(
            "crm.yaml 没有 `notify` 渠道：加上 `notify:`，每个渠道写 `kind` 和 `url_env`"
            "（例如 wecom 和 CRM_WECOM_URL）",
            "crm.yaml has no `notify` channels: add `notify:` with a `kind` and `url_env` per channel "
            "(e.g. wecom and CRM_WECOM_URL)",
        ),
        "unknown_owner": Word(
            "--owner {given} 不是团队成员（按编号或姓名）：{team}",
            "--owner {given} is not on the team (by key or name): {team}",
        ),
        "some_failed": Word("{count} 处发送失败", "{count} deliveries failed"),
        # why a delivery failed
        "env_missing": Word(
            "环境变量 {name} 未设置（crm.yaml `notify` 的 {kind} 渠道 `{field}`）",
            "environment variable {name} is not set (crm.yaml `notify`, {kind} channel, `{field}`)",
        ),
        "bad_url": Word(
            "环境变量 {name} 的值不是 {schemes} 地址", "environment variable {name} does not hold a {schemes} address"
        ),
        "timeout": Word("{seconds} 秒内没有回应（--timeout）", "no answer within {seconds} seconds (--timeout)"),
        "unreachable": Word("连不上服务器：{reason}", "cannot reach the server: {reason}"),
        "http_status": Word("服务器回答 HTTP {status} {reason}", "the server answered HTTP {status} {reason}"),
        "robot_error": Word("机器人回答错误 {code}：{message}", "the robot answered error {code}: {message}"),
        "not_json": Word("机器人的回答不是 JSON：{text}", "the robot's answer is not JSON: {text}"),
        "tls_failed": Word(
            "TLS 证书校验失败：{reason}（自建 CA 可用环境变量 CRM_NOTIFY_CAFILE 指定）",
            "TLS certificate check failed: {reason} (a private CA can be given in CRM_NOTIFY_CAFILE)",
        ),
        "smtp_no_starttls": Word(
            "邮件服务器不支持 STARTTLS：不会以明文发送密码（用 smtps:// 走 465 端口）",
            "the mail server offers no STARTTLS: crm never sends a password in clear (smtps:// for port 465)",
        ),
        "smtp_auth": Word("邮件服务器拒绝登录：{reason}", "the mail server refused the login: {reason}"),
        "smtp_refused": Word("邮件服务器拒绝了这封邮件：{reason}", "the mail server refused the mail: {reason}"),
    },
)
