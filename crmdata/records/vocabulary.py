"""One vocabulary: every word a person reads, in Chinese and in English, and the words a sheet may use.

Records, JSON keys and JSON values use the English values of the models' enums (`stage: dormant`): that is
the contract, the same in every language. Everything a person reads names those values and the fields in
the language of crm.yaml (`language: zh|en`, zh when absent), with the words written here and nowhere
else: the site (site_builder.labels), the terminal (crmdata.cli), spreadsheets out and in
(crmdata.sheets), `crm diff` (crmdata.git.diff), the calendar feed and the JSON Schema descriptions.
tests/test_vocabulary.py fails when a word is missing in a language, when two values of a set share a
word, or when a display word turns up in code outside this module.

The words are the handbooks': 战略客户/普通客户/潜在客户; 接洽期/合作期/稳定期/休眠期/流失; 个人/企业/政府机构/
机构投资者. Two ideas that sound alike stay apart in both languages: a *silent* customer (沉默客户, Silent) is
computed, no contact for policy.silent_after_days; *dormant* (休眠期, Dormant) is a stage someone sets.

- `Word`: one thing's words: Chinese, English, and the other words a sheet may use for it (synonyms).
- `Terms`: one closed set (the stages, the channels, ...): value -> Word; `lookup` reads a sheet's word.
- `LABELS`: names of fields, pages, sections and KPIs; `PHRASES`: sentences with `{placeholders}`.

This module imports nothing of crmdata, so the models can describe their fields with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from string import Formatter

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
"""The language of a repository whose crm.yaml says none (the model's default), or that has no crm.yaml."""


def language_code(language: object) -> str:
    """`zh` or `en` for a Language member, its value, or None (the default, zh)."""
    code = language.value if isinstance(language, Enum) else language
    return "en" if code == "en" else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Word:
    """One thing's words: `zh` and `en` are what people read; a sheet may also use any of `synonyms`.

    `en_plural` is the English text when a `{count}` placeholder is not 1 ("1 error", "2 errors").
    """

    zh: str
    en: str
    synonyms: tuple[str, ...] = ()
    en_plural: str | None = None

    def text(self, language: object, /, **values: object) -> str:
        """The word in `language` (zh unless en), its `{placeholders}` filled from `values`."""
        if language_code(language) == "zh":
            chosen = self.zh
        elif self.en_plural is not None and values.get("count") != 1:
            chosen = self.en_plural
        else:
            chosen = self.en
        return chosen.format(**values) if values else chosen

    @property
    def all(self) -> tuple[str, ...]:
        """Every word for it: the display words first, then the synonyms."""
        return (self.zh, self.en, *self.synonyms)


@dataclass(frozen=True)
class Message:
    """A sentence chosen where something is found and worded where it is shown.

    The core finds problems without knowing who reads them; the renderer knows the language. So a
    problem carries its `Word` and the values for its placeholders, and `text(language)` words it.
    A value may itself be a Message (a quoted value described as "a list" / "列表"), worded in the
    same language. `key` is the catalogue key, given to scripts as the problem's stable `code`.
    """

    key: str
    word: Word
    values: tuple[tuple[str, object], ...] = ()

    def text(self, language: object) -> str:
        """The sentence in `language` (zh unless en)."""
        values = {name: _worded(value, language) for name, value in self.values}
        return self.word.text(language, **values)

    def __str__(self) -> str:
        return self.text("en")


def _worded(value: object, language: object) -> object:
    if isinstance(value, Message):
        return value.text(language)
    if isinstance(value, Word):
        return value.text(language)
    return value


CATALOGUES: dict[str, Catalogue] = {}
"""Every catalogue made so far, by name (each registers itself), for the tests to walk."""


class Catalogue:
    """The sentences of one room (records' problems, the importer's), by key.

    `catalogue.say("no_customer", id="KH-1")` picks a sentence; a typo in the key or a missing
    placeholder raises at once (KeyError), so the tests find it before a user does.
    """

    def __init__(self, name: str, words: Mapping[str, Word]) -> None:
        self.name = name
        self.words = dict(words)
        CATALOGUES[name] = self

    def say(self, key: str, /, **values: object) -> Message:
        word = self.words[key]
        missing = _figure_names(word.en) - values.keys()
        if missing:
            raise KeyError(f"{self.name}.{key} needs {', '.join(sorted(missing))}")
        return Message(key, word, tuple(values.items()))


def word_key(text: str) -> str:
    """A word as compared on import: NFKC, lower case, without spaces, `_` and `-` (Institutional investor)."""
    return re.sub(r"[\s_\-]+", "", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Terms:
    """One closed set: each value (an enum's value) with its words.

    `name` is the set's key (`stage`); `noun` names it in messages ("is not a stage: ..."). Import reads
    a value from the value itself, its Chinese or English word or any synonym, in any case and width.
    """

    name: str
    noun: str
    words: Mapping[str, Word]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(self.words)

    def word(self, value: object, language: object) -> str:
        """The display word of `value` (an enum member or its value); KeyError for a value not in the set."""
        key = value.value if isinstance(value, Enum) else str(value)
        return self.words[key].text(language)

    def lookup(self, text: str) -> str | None:
        """The value a sheet's word stands for, or None."""
        return self._index.get(word_key(text))

    @cached_property
    def _index(self) -> dict[str, str]:
        return {word_key(word): value for value, words in self.words.items() for word in (value, *words.all)}

    def choices(self) -> str:
        """`strategic (战略客户), regular (普通客户), ...`: the values with the Chinese word a sheet writes."""
        return ", ".join(f"{value} ({word.zh})" for value, word in self.words.items())

    def described(self) -> str:
        """`prospecting 接洽期, active 合作期, ...`: the values with their words, for descriptions and help."""
        return ", ".join(f"{value} {word.zh}" for value, word in self.words.items())


# --- the closed sets of the records (crmdata.records.models.enums) ------------------------------------

TYPES = Terms(
    "type",
    "customer type",
    {
        "individual": Word("个人", "Individual", ("个人客户", "自然人")),
        "enterprise": Word("企业", "Enterprise", ("企业客户", "公司")),
        "government": Word("政府机构", "Government", ("政府", "政府客户", "政府部门")),
        "institutional_investor": Word("机构投资者", "Institutional investor", ("投资机构",)),
    },
)
TIERS = Terms(
    "tier",
    "customer tier",
    {
        "strategic": Word("战略客户", "Strategic", ("战略", "战略级", "战略级客户")),
        "regular": Word("普通客户", "Regular", ("普通", "常规客户", "常规", "一般客户")),
        "potential": Word("潜在客户", "Potential", ("潜在", "潜力客户", "潜力")),
    },
)
STAGES = Terms(
    "stage",
    "stage",
    {
        "prospecting": Word("接洽期", "Prospecting", ("接洽", "开发中")),
        "active": Word("合作期", "Active", ("合作中", "活跃")),
        "stable": Word("稳定期", "Stable", ("稳定",)),
        # 沉默 and 沉默期 were the dormant stage's words in sheets before 休眠期: old sheets still read.
        "dormant": Word("休眠期", "Dormant", ("休眠", "沉默", "沉默期")),
        "churned": Word("流失", "Churned", ("已流失",)),
    },
)
VALUES = Terms(
    "value",
    "customer value",
    {
        "high": Word("高", "High", ("高价值", "高价值客户")),
        "medium": Word("中", "Medium", ("中等", "中价值", "一般")),
        "low": Word("低", "Low", ("低价值", "低价值客户")),
    },
)
CHANNELS = Terms(
    "channel",
    "channel",
    {
        "phone": Word("电话", "Phone", ("电话沟通", "致电", "来电", "call")),
        "video": Word("线上会议", "Video call", ("视频会议", "视频")),
        "visit": Word("拜访", "Visit", ("上门拜访", "面谈", "当面", "上门", "in person")),
        "im": Word("即时通讯", "Messaging", ("微信", "企业微信", "钉钉", "wechat")),
        "email": Word("邮件", "Email", ("电子邮件", "e-mail", "mail")),
        "sms": Word("短信", "SMS", ("text message",)),
        "event": Word("活动", "Event", ("展会", "会议活动")),
        "other": Word("其他", "Other", ("其它",)),
    },
)
KINDS = Terms(
    "kind",
    "kind of interaction",
    {
        "followup": Word("跟进", "Follow-up", ("日常跟进",)),
        "onboarding": Word("签约启动", "Onboarding", ("启动",)),
        "complaint": Word("投诉", "Complaint"),
        "survey": Word("回访调查", "Survey", ("满意度调查", "调查")),
        "care": Word("关怀", "Care", ("客户关怀", "问候", "节日问候")),
        "sale": Word("销售", "Sale"),
        "referral": Word("转介绍", "Referral"),
    },
)
PLAN_CYCLES = Terms(
    "cycle",
    "plan cycle",
    {
        "once": Word("一次", "Once", ("单次", "一次性")),
        "weekly": Word("每周", "Weekly", ("每星期",)),
        "monthly": Word("每月", "Monthly", ("每个月",)),
        "quarterly": Word("每季度", "Quarterly", ("每季",)),
        "yearly": Word("每年", "Yearly", ("每年度", "annually")),
    },
)
PLAN_STATUSES = Terms(
    "plan_status",
    "plan status",
    {
        "active": Word("执行中", "Active", ("进行中", "有效")),
        "cancelled": Word("已取消", "Cancelled", ("取消", "作废", "canceled")),
    },
)
"""A plan's own status; whether an occurrence was carried out (已完成/未完成) is computed, not written."""
OPPORTUNITY_STAGES = Terms(
    "opportunity_stage",
    "opportunity stage",
    {
        "lead": Word("线索", "Lead", ("销售线索", "潜在商机")),
        "qualified": Word("已确认", "Qualified", ("确认", "已验证", "需求确认")),
        "proposal": Word("方案", "Proposal", ("方案报价", "报价")),
        "negotiation": Word("谈判", "Negotiation", ("商务谈判",)),
        "won": Word("赢单", "Won", ("成交", "已成交")),
        "lost": Word("输单", "Lost", ("丢单", "未成交")),
    },
)
FLAGS = Terms(
    "flag",
    "flag",
    {
        "new": Word("新客户", "New"),
        "silent": Word("沉默客户", "Silent"),
        "at_risk": Word("流失预警", "At risk"),
        "high_value": Word("高价值客户", "High value"),
        "win_back": Word("待挽回", "Win back"),
        "overdue": Word("逾期跟进", "Overdue follow-up"),
        "value_differs": Word("价值与合同不符", "Value differs"),
    },
)
"""The computed flags of a customer (crmdata.records.models.segment.Flag), each also a segment."""

# --- the closed sets of what the engine computes (crmdata.engine) -------------------------------------

REASONS = Terms(
    "reason",
    "reason",
    {
        "first_contact": Word("首次跟进", "First contact", ("首次联系",)),
        "cadence": Word("定期跟进", "Cadence"),
        "promised": Word("约定跟进", "Promised"),
    },
)
"""Why a follow-up is due when it is (crmdata.engine.schedule.Reason)."""
STATUSES = Terms(
    "status",
    "follow-up status",
    {
        "overdue": Word("逾期", "Overdue"),
        "due_soon": Word("即将到期", "Due soon"),
        "ok": Word("按计划", "On track"),
    },
)
"""Where a follow-up stands (crmdata.engine.schedule.Status)."""
FRESHNESS = Terms(
    "freshness",
    "freshness",
    {
        "green": Word("良好", "Fresh"),
        "yellow": Word("注意", "Ageing"),
        "red": Word("过期", "Stale"),
        "grey": Word("无联系", "Never contacted"),
    },
)
"""How recent the last contact is (crmdata.engine.schedule.Freshness)."""
SIGNALS = Terms(
    "signal",
    "risk signal",
    {
        "silent": Word("沉默客户", "Silent"),
        "overdue": Word("跟进逾期", "Follow-up overdue"),
        "satisfaction_falling": Word("满意度下降", "Satisfaction falling"),
        "open_complaint": Word("未解决投诉", "Open complaint"),
        "dormant": Word("处于休眠期", "Dormant stage"),
        "unkept_todos": Word("未兑现承诺", "Unkept promises"),
        "renewal_near_silent": Word("续约临近无沟通", "Renewal near, no contact"),
        "payment_overdue": Word("回款逾期", "Payment overdue"),
        "opportunity_lost": Word("商机输单", "Opportunity lost"),
    },
)
"""The churn-risk signals (crmdata.engine.segments.risks), by name."""
SIGNAL_DETAILS: dict[str, Word] = {
    "silent": Word("{days:.0f} 天没有联系", "no contact for {days:.0f} days"),
    "silent_never": Word("尚未联系", "no contact yet"),
    "overdue": Word("跟进逾期 {days:.0f} 天", "follow-up {days:.0f} days overdue"),
    "satisfaction_falling": Word(
        "满意度从平均 {earlier_average:.1f} 降到 {latest:.0f}",
        "satisfaction fell to {latest:.0f} from an average of {earlier_average:.1f}",
    ),
    "open_complaint": Word("{count:.0f} 条未解决投诉", "{count:.0f} open complaint(s)"),
    "dormant": Word("阶段为休眠期", "stage is dormant"),
    "unkept_todos": Word("{count:.0f} 项待办逾期", "{count:.0f} overdue todo(s)"),
    "renewal_near_silent": Word(
        "合同 {days:.0f} 天后结束，30 天内没有沟通", "a contract ends in {days:.0f} days with no contact for 30 days"
    ),
    "payment_overdue": Word(
        "{count:.0f} 笔回款逾期，最久 {days:.0f} 天", "{count:.0f} overdue payment(s), the oldest {days:.0f} days"
    ),
    "opportunity_lost": Word("{days:.0f} 天前输掉一个商机", "an opportunity lost {days:.0f} days ago"),
}
"""What raised a signal, filled with its named figures (crmdata.engine.segments.RiskSignal.figures: `days`,
`count`, `latest`, `earlier_average`), so a sentence places them in any order. `<name>_never` words a
signal without the figures of its fullest wording: silent without any contact."""
SEGMENT_KINDS = Terms(
    "segment_kind",
    "kind of segment",
    {
        "computed": Word("计算", "computed"),
        "custom": Word("自定义", "custom"),
        "dimension": Word("维度", "dimension"),
    },
)

# --- crm diff ------------------------------------------------------------------------------------------

CHANGES = Terms(
    "change",
    "change",
    {
        "added": Word("新增", "added"),
        "changed": Word("修改", "changed"),
        "removed": Word("删除", "removed"),
    },
)
"""What happened to a record or a value between two revisions."""
EVENTS = Terms(
    "event",
    "follow-up change",
    {
        "done": Word("已完成", "done"),
        "newly overdue": Word("新逾期", "newly overdue"),
        "rescheduled": Word("改期", "rescheduled"),
        "new in schedule": Word("进入计划", "new in schedule"),
        "left schedule": Word("离开计划", "left schedule"),
    },
)
"""How a customer's place in the follow-up schedule changed (crmdata.git.diff.FollowUpEvent)."""
LEFT_BECAUSE = Terms(
    "left_because",
    "reason to leave the schedule",
    {"churned": Word("流失", "churned"), "removed": Word("已删除", "removed")},
)

# --- yes and no ----------------------------------------------------------------------------------------

BOOLEANS = Terms(
    "boolean",
    "yes or no",
    {
        "yes": Word("是", "yes", ("有", "同意", "已同意", "y", "true", "1", "√", "✓", "✔")),
        "no": Word("否", "no", ("无", "不同意", "未同意", "n", "false", "0", "×", "✗", "✘")),
    },
)

WEEKDAYS = (
    Word("周一", "Mon"),
    Word("周二", "Tue"),
    Word("周三", "Wed"),
    Word("周四", "Thu"),
    Word("周五", "Fri"),
    Word("周六", "Sat"),
    Word("周日", "Sun"),
)
"""Monday first, as date.weekday() counts."""

SETS: dict[str, Terms] = {
    terms.name: terms
    for terms in (
        TYPES,
        TIERS,
        STAGES,
        VALUES,
        CHANNELS,
        KINDS,
        PLAN_CYCLES,
        PLAN_STATUSES,
        OPPORTUNITY_STAGES,
        FLAGS,
        REASONS,
        STATUSES,
        FRESHNESS,
        SIGNALS,
        SEGMENT_KINDS,
        CHANGES,
        EVENTS,
        LEFT_BECAUSE,
        BOOLEANS,
    )
}
"""Every closed set, by name."""
RECORD_SETS = (TYPES, TIERS, STAGES, VALUES, CHANNELS, KINDS, PLAN_CYCLES, OPPORTUNITY_STAGES)
"""The sets of the record files' fields: no value is in two of them, so a value names its set. PLAN_STATUSES
is not among them: its `active` is a customer stage's value too (word it with `term(value, language, of=...)`
or the enum member)."""

# --- labels: fields, pages, sections, KPIs --------------------------------------------------------------

LABELS: dict[str, Word] = {
    "dashboard": Word("看板", "Dashboard"),
    "followups": Word("跟进计划", "Follow-ups"),
    "customers": Word("客户", "Customers"),
    "owners": Word("负责人", "Owners"),
    "segments": Word("客户分群", "Segments"),
    "kpis": Word("指标", "KPIs"),
    "data_quality": Word("数据质量", "Data quality"),
    "as_of": Word("数据日期", "As of"),
    "needs_attention": Word("需要关注", "Needs attention"),
    "due_soon": Word("即将到期", "Due soon"),
    "ok": Word("按计划", "On track"),
    "at_risk": Word("流失预警", "At risk"),
    "charts": Word("图表", "Charts"),
    "customer": Word("客户", "Customer"),
    "id": Word("编号", "ID"),
    "name": Word("名称", "Name"),
    "type": Word("客户类型", "Type"),
    "tier": Word("客户分级", "Tier"),
    "stage": Word("阶段", "Stage"),
    "value": Word("客户价值", "Value"),
    "owner": Word("负责人", "Owner"),
    "industry": Word("行业", "Industry"),
    "source": Word("来源", "Source"),
    "tags": Word("标签", "Tags"),
    "needs": Word("关键需求", "Key needs"),
    "last_contact": Word("最近联系", "Last contact"),
    "next_due": Word("下次跟进", "Next due"),
    "freshness": Word("新鲜度", "Freshness"),
    "due": Word("到期日", "Due"),
    "reason": Word("原因", "Reason"),
    "status": Word("状态", "Status"),
    "days_overdue": Word("逾期天数", "Days overdue"),
    "silent": Word("沉默客户", "Silent"),
    "task": Word("待办事项", "Task"),
    "interaction": Word("沟通记录", "Conversation"),
    "date": Word("日期", "Date"),
    "channel": Word("沟通方式", "Channel"),
    "kind": Word("沟通类型", "Kind"),
    "topic": Word("主题", "Topic"),
    "summary": Word("摘要", "Summary"),
    "feedback": Word("客户反馈", "Feedback"),
    "need_changes": Word("需求变化", "Need changes"),
    "satisfaction": Word("满意度", "Satisfaction"),
    "todos": Word("待办", "Todos"),
    "done": Word("完成", "done"),
    "open": Word("未完成", "open"),
    "next_followup": Word("约定下次跟进", "Agreed next contact"),
    "care_kind": Word("关怀类型", "Kind"),
    "care_moments": Word("关怀时刻 (未来30天)", "Care moments (next 30 days)"),
    "anniversary": Word("合作周年", "Anniversary"),
    "birthday": Word("生日", "Birthday"),
    "private_window": Word("{days} 天内（日期不公开）", "within {days} days (date not shown)"),
    "calendar_feeds": Word("日历订阅", "Calendar feeds"),
    "calendar_hint": Word("在手机日历中订阅 (.ics):", "Subscribe in a phone calendar (.ics):"),
    "calendar_full": Word(
        "每位负责人的日历包含其全部跟进、待办和关怀时刻。",
        "Each owner's calendar has all of their follow-ups, todos and care moments.",
    ),
    "calendar_sealed": Word(
        "加密站点不发布日历订阅（手机不经浏览器读取 .ics，只能是明文）。"
        "负责人可用 crm calendar --owner 自己的键 生成 .ics 文件，导入手机日历。",
        "An encrypted site publishes no calendar feeds (phones read .ics without a browser, so a feed could "
        "only be plain text). An owner makes an .ics file with crm calendar --owner KEY and imports it.",
    ),
    "team_calendar": Word("全体", "Whole team"),
    "profile": Word("基本信息", "Profile"),
    "since": Word("合作起始", "Customer since"),
    "referred_by": Word("转介绍人", "Referred by"),
    "churned_on": Word("流失日期", "Churned on"),
    "churn_reason": Word("流失原因", "Churn reason"),
    "notes": Word("备注", "Notes"),
    # plans, opportunities and contracts (contract §2): their fields' names, the handbooks' words
    "maintenance_plan": Word("维护计划", "Maintenance plan"),
    "plan_id": Word("计划编号", "Plan ID"),
    "cycle": Word("维护周期", "Cycle"),
    "goal": Word("维护目标", "Goal"),
    "content": Word("沟通内容", "Talking points"),
    "plan_date": Word("执行时间", "Planned for"),
    "postponed_to": Word("顺延至", "Postponed to"),
    "plan_status": Word("计划状态", "Plan status"),
    "opportunity": Word("商机", "Opportunity"),
    "opportunity_id": Word("商机编号", "Opportunity ID"),
    "opportunity_title": Word("商机名称", "Opportunity"),
    "opportunity_stage": Word("商机阶段", "Opportunity stage"),
    "expected_amount": Word("预计金额", "Expected amount"),
    "currency": Word("币种", "Currency"),
    "probability": Word("赢单概率", "Win probability"),
    "expected_close": Word("预计成交日期", "Expected close"),
    "closed_on": Word("成交日期", "Closed on"),
    "lost_reason": Word("输单原因", "Lost reason"),
    "qualification": Word("商机确认", "Qualification"),
    "budget": Word("有购买力", "Has budget"),
    "authority": Word("有决定权", "Has authority"),
    "need": Word("有购买需求", "Has a need"),
    "contract": Word("合同", "Contract"),
    "contract_id": Word("合同编号", "Contract ID"),
    "contract_title": Word("合作项目", "Project"),
    "products": Word("产品/服务类型", "Products and services"),
    "signed_on": Word("签约日期", "Signed on"),
    "start": Word("合作起始", "Start"),
    "end": Word("合作结束", "End"),
    "contract_amount": Word("合同金额", "Contract amount"),
    "renewal_notice_days": Word("续约提前天数", "Renewal notice (days)"),
    "renews": Word("续约自", "Renews"),
    "payments": Word("回款计划", "Payment schedule"),
    "payment_due": Word("应收日期", "Due"),
    "payment_amount": Word("回款金额", "Amount"),
    "paid_on": Word("回款日期", "Paid on"),
    "terminated_on": Word("提前终止日期", "Terminated on"),
    "consent": Word("告知与同意", "Consent"),
    "contacts": Word("联系人", "Contacts"),
    "contact_title": Word("职位", "Title"),
    "phone": Word("电话", "Phone"),
    "email": Word("邮箱", "Email"),
    "address": Word("地址", "Address"),
    "primary": Word("主要", "primary"),
    "plan": Word("跟进计划", "Plan"),
    "interval": Word("跟进间隔", "Interval"),
    "days": Word("天", "days"),
    "timeline": Word("沟通时间线", "Timeline"),
    "no_interactions": Word("还没有沟通记录。", "No conversations yet."),
    "ok_summary": Word(
        "{count} 位客户按计划跟进, 下次跟进日期见", "{count} customers are on track; their next dates are in"
    ),
    "satisfaction_over_time": Word("满意度变化", "Satisfaction over time"),
    "edit_record": Word("编辑此客户的记录文件", "Edit this customer's record file"),
    "record_file": Word("记录文件", "Record file"),
    "portfolio": Word("客户组合", "Portfolio"),
    "due_list": Word("待跟进", "Due"),
    "personal_kpis": Word("个人指标", "Personal KPIs"),
    "size": Word("人数", "Size"),
    "members": Word("成员", "Members"),
    "computed": Word("计算分群", "Computed segments"),
    "custom": Word("自定义分群", "Custom segments"),
    "dimension": Word("维度分群", "Segments by dimension"),
    "definition": Word("定义", "Definition"),
    "trend": Word("趋势", "Trend"),
    "kpi": Word("指标", "KPI"),
    "now": Word("当前", "Now"),
    "days_ago_30": Word("30天前", "30 days ago"),
    "days_ago_90": Word("90天前", "90 days ago"),
    "trend_12m": Word("近 12 个月", "12 months"),
    "kpi_trend_note": Word(
        "趋势（每个月最后一天）和 30 天前、90 天前的值都按当天的记录计算：取自版本历史中那天的最后一个提交，"
        "当时的阶段、等级、价值和负责人。",
        "The trends (the last day of each month) and the values of 30 and 90 days ago are counted on the records of "
        "that day: the day's last commit in git, with the stages, tiers, values and owners of then.",
    ),
    "kpi_trend_begins": Word(
        "版本历史中最早的记录是 {day} 的，更早的值显示为 —。",
        "git holds records from {day} on: earlier values show as —.",
    ),
    "kpi_trend_no_git": Word(
        "这个仓库没有版本历史，过去的记录无从得知：不显示趋势，30 天前和 90 天前按现在的记录计算。",
        "This repository is not in git, so past records are not known: no trends, and 30 and 90 days ago are "
        "counted on today's records.",
    ),
    "kpi_definitions_in_help": Word(
        "点指标名称可以看它的定义：统计的是什么、怎么算。",
        "Each KPI's name links to its definition: what it counts and how.",
    ),
    "warnings": Word("警告", "Warnings"),
    "no_warnings": Word("没有警告: 数据完整。", "No warnings: the data is complete."),
    "file": Word("文件", "File"),
    "field": Word("字段", "Field"),
    "detail": Word("内容", "Detail"),
    "message": Word("说明", "Message"),
    "none": Word("无", "None"),
    "filter": Word("筛选客户…", "Filter customers…"),
    "previous": Word("上一页", "Previous page"),
    "next": Word("下一页", "Next page"),
    "needs_script": Word(
        "客户表需要启用 JavaScript; 也可以从客户分群找到客户:",
        "The customer table needs JavaScript; customers can also be found through the segments:",
    ),
    "in_index": Word("共 {count} 位, 在客户表中查看全部", "all {count} in the customer index"),
    "all": Word("全部", "All"),
    "risk_signals": Word("预警信号", "Risk signals"),
    "score": Word("分数", "Score"),
    "interactions_by_channel": Word("每月沟通量 (按方式)", "Interactions per month by channel"),
    "customers_by_type": Word("各类型客户", "Customers by type"),
    "customers_by_tier": Word("各分级客户", "Customers by tier"),
    "followup_status": Word("跟进状态", "Follow-up status"),
    "new_vs_churned": Word("每季度新增与流失客户", "New and churned customers per quarter"),
    "new": Word("新增", "New"),
    "churned": Word("流失", "Churned"),
    "data_table": Word("数据表", "Data table"),
    "count": Word("数量", "Count"),
    "masked_note": Word(
        "隐私字段 (电话、邮箱、地址、生日) 已遮蔽。", "Private fields (phone, email, address, birthday) are masked."
    ),
    "internal_note": Word(
        "内部版本: 显示完整联系方式, 请勿外传。", "Internal build: full contact details shown. Do not share."
    ),
    "generated_note": Word(
        "本页由 crm 根据记录文件生成, 请勿手动编辑。", "Generated by crm from the record files; do not edit by hand."
    ),
    "resolved": Word("已解决", "resolved"),
    "more": Word("另有 {count} 条", "{count} more"),
    "quarter": Word("季度", "Quarter"),
    "month": Word("月份", "Month"),
    "unknown": Word("—", "—"),
    "flag_new": Word(
        "新客户：合作起始日期还在新客户期内",
        "New customers: still within the new-customer period since they started",
    ),
    "flag_silent": Word(
        "沉默客户：超过沉默期没有联系，需要重新激活",
        "Silent: no contact for longer than the silent period: re-activate",
    ),
    "flag_at_risk": Word(
        "流失预警: 预警信号加权分数达到 3 分或以上 (见各客户的信号)",
        "Churn early warning: weighted risk signals add up to 3 or more (see each customer's signals)",
    ),
    "flag_high_value": Word(
        "高价值客户 (未流失): 每月至少联系两次", "High value, not churned: contacted at least twice a month"
    ),
    "flag_win_back": Word(
        "已流失客户及流失原因: 分析并争取挽回", "Churned customers with their churn reason: analyse and win back"
    ),
    "flag_overdue": Word("跟进已逾期", "Follow-up overdue"),
    "flag_value_differs": Word(
        "填写的客户价值与近 12 个月合同金额建议的价值不同（前 20% 的收入为高价值，其后 30% 为中价值）",
        "The typed value differs from the one the last 12 months' contracts suggest "
        "(the first 20% of revenue high, the next 30% medium)",
    ),
    "edited_by": Word("修改记录", "Changes"),
    "change_history": Word("变更历史", "Change history"),
    "author": Word("作者", "Author"),
    "field_history": Word("阶段、分级、价值和负责人的变化", "Stage, tier, value and owner changes"),
    "field_change": Word("变化", "Change"),
    "commit": Word("提交", "Commit"),
    "changed_records": Word("记录", "Records"),
    "commit_subject": Word("提交说明", "Commit message"),
    "customer_record": Word("客户资料", "customer record"),
    "earlier_changes": Word("另有 {count} 次更早的变更, 见 git log。", "{count} earlier changes: see git log."),
    "uncommitted": Word("尚未提交的修改:", "Uncommitted changes:"),
    "no_commits": Word("这些记录还没有提交到 git。", "These records are not committed to git yet."),
    "history_shallow": Word(
        "变更历史不完整: 这是浅克隆 (shallow clone), 更早的变更不在其中。"
        "CI 中请用 actions/checkout 的 fetch-depth: 0 检出完整历史。",
        "Incomplete history: this checkout is a shallow clone, so older changes are missing. "
        "In CI, check out the full history (actions/checkout with fetch-depth: 0).",
    ),
    # the follow-up list as a sheet (crm export followups)
    "customer_id": Word("客户编号", "Customer ID"),
    "customer_name": Word("客户名称", "Customer name"),
    "followup_due": Word("应跟进日期", "Due"),
    "interval_days": Word("跟进间隔天数", "Interval (days)"),
    # crm diff
    "interactions": Word("沟通记录", "Conversations"),
    "followup": Word("跟进", "Follow-up"),
    "note": Word("说明", "Note"),
    "field_path": Word("字段", "Field"),
    "done_on": Word("完成日期", "Done"),
    # crm validate
    "valid": Word("有效", "valid"),
    "invalid": Word("无效", "invalid"),
    # the site's customer index (issue 15, layout): an empty result, and the data that cannot load
    "index_empty": Word("没有符合这些条件的客户。", "No customer matches these filters."),
    "index_clear": Word("清除筛选", "Clear the filters"),
    "index_offline": Word(
        "客户表的数据没能加载：直接打开本地文件时，浏览器不允许页面读取数据。请把站点放到网页服务器上打开，"
        "或在数据仓库里运行：",
        "The customer data could not load: a browser does not let a page opened from a local file read its "
        "data. Open the site from a web server, or run this in the data repository:",
    ),
}
"""A label by key. Keys that are KPI names are those KPIs' titles (crmdata.engine.kpis registers none
without one)."""

LABELS.update(
    {
        # the site's pages of plans, the pipeline, renewals and receivables (site_builder.pages)
        "plans_page": Word("维护计划", "Plans"),
        "pipeline_page": Word("商机漏斗", "Pipeline"),
        "renewals_page": Word("续约与回款", "Renewals and receivables"),
        "plans_this_month": Word("本月计划（{day} 前到期）", "This month's plans (due by {day})"),
        "plans_later": Word(
            "另有 {count} 个计划下月及以后到期。",
            "{count} more plan is due after this month.",
            en_plural="{count} more plans are due after this month.",
        ),
        "postponed_from": Word("顺延，原定 {day}", "postponed from {day}"),
        "carried_out": Word("已执行 {count} 次", "carried out {count} time", en_plural="carried out {count} times"),
        "plans_heading": Word("维护计划", "Maintenance plans"),
        "list_separator": Word("；", "; "),
        "plan_done": Word("已完成", "done"),
        "opportunities_heading": Word("商机", "Opportunities"),
        "contracts_heading": Word("合同", "Contracts"),
        "amount": Word("金额", "Amount"),
        "open_value": Word("在谈金额", "Open value"),
        "weighted_value": Word("加权金额", "Weighted value"),
        "win_rate": Word("赢单率（近 12 个月）", "Win rate (last 12 months)"),
        "stage_count": Word("{count} 个", "{count} opportunity", en_plural="{count} opportunities"),
        "median_age": Word("停留中位数 {days} 天", "median age {days} days"),
        "stale_opportunities": Word("30 天无沟通的商机", "Opportunities without a conversation for 30 days"),
        "funnel": Word("商机漏斗（在谈金额）", "Pipeline funnel (open value)"),
        "funnel_alt": Word("{title}：{stages}。", "{title}: {stages}."),
        "funnel_stage": Word("{stage} {count} 个，{value}", "{stage} {count}, {value}"),
        "other_currency": Word(
            "另有 {count} 个商机以其他币种计价，未计入金额。",
            "{count} opportunity in another currency is not in the sums.",
            en_plural="{count} opportunities in other currencies are not in the sums.",
        ),
        "renewals_ahead": Word("待续约（{days} 天内，逾期在前）", "Renewals due (next {days} days, overdue first)"),
        "payments_overdue": Word("逾期回款", "Overdue payments"),
        "payments_ahead": Word("{days} 天内应收", "Payments due in the next {days} days"),
        "period": Word("合作周期", "Period"),
        "open_ended": Word("长期", "open-ended"),
        "payment_paid": Word("已回款 {day}", "paid {day}"),
        "payment_open": Word("待回款", "not yet due"),
        "payment_late": Word("逾期 {count} 天", "{count} day overdue", en_plural="{count} days overdue"),
        "paid_of_total": Word("已回款 {paid} / {total}", "paid {paid} of {total}"),
        "renewal_due": Word("续约跟进日", "Renewal follow-up"),
        "renewed_by": Word("已续约：{id}", "renewed by {id}"),
        "suggested_value": Word(
            "按近 12 个月合同金额建议：{value}", "suggested by the last 12 months' contracts: {value}"
        ),
        "team_share": Word("占团队份额", "Share of the team"),
        "team_total": Word("团队合计", "Team"),
    }
)

LABELS.update(
    {
        # the site's own theme strings and the words of the KPI and data-quality pages (issue 15, WORDS)
        "theme_to_dark": Word("切换到深色", "Switch to dark mode"),
        "theme_to_light": Word("切换到浅色", "Switch to light mode"),
        "theme_permalink": Word("本节链接", "Link to this section"),
        "theme_not_found": Word("找不到这个页面", "Page not found"),
        "theme_not_found_hint": Word(
            "链接可能已经过时，请从首页或搜索重新找。",
            "The link may be out of date: start again from the home page or search.",
        ),
        "theme_home": Word("回到首页", "Back to the home page"),
        "theme_footer": Word(
            "{title} · 由 crm 根据记录文件生成 · 数据日期 {as_of}",
            "{title} · generated by crm from the record files · data as of {as_of}",
        ),
        "kpi_plain": Word("说明", "What it means"),
        "kpi_precise": Word("精确定义", "Precise definition"),
        "kpi_about": Word("指标说明", "What each KPI means"),
        "kpi_in_guide": Word("帮助里的指标定义", "In the guide"),
        "quality_customer": Word("客户", "Customer"),
        "quality_problem": Word("问题", "Problem"),
        "quality_fix": Word("怎么改", "How to fix it"),
        "quality_where": Word("文件", "File"),
        "quality_no_customer": Word("（不属于某位客户）", "(no customer)"),
        "quality_said_no_consent": Word(
            "没有记录客户的同意：不知道客户是否同意保存资料",
            "No record of the customer's consent to keeping their data",
        ),
        "quality_said_consent_refused": Word(
            "客户不同意保存资料，但记录里还有联系人资料", "The customer refused consent, yet contact data is kept"
        ),
        "quality_fix_no_consent": Word(
            "征得客户同意后，在客户记录里写上已同意和同意的日期。",
            "Once the customer agrees, note the consent and its date in their record.",
        ),
        "quality_fix_consent_refused": Word(
            "删除这位客户的联系人电话、邮箱和地址。", "Delete this customer's contact phones, e-mails and addresses."
        ),
        "quality_fix_logged_late": Word(
            "不用改这条记录；以后沟通当天就记下来。", "Nothing to change here: write conversations down on the day."
        ),
        "quality_fix_before_since": Word(
            "核对沟通日期和客户的合作起始日期，改正写错的那个。",
            "Check the conversation's date and the customer's start date; correct the wrong one.",
        ),
        "quality_fix_won_without_contract": Word(
            "登记这单生意的合同，并在合同里写上这个商机。",
            "Record the deal's contract and name this opportunity in it.",
        ),
        "quality_fix_payments_over_amount": Word(
            "核对回款计划和合同金额，改正写错的那个。",
            "Check the payments against the contract amount; correct the wrong one.",
        ),
        "quality_fix_likely_duplicate": Word(
            "如果是同一位客户，把两条记录合并成一条。", "If they are the same customer, merge the two records into one."
        ),
        "quality_fix_after_today": Word(
            "核对日期，多半是年份写错了。", "Check the date: most likely the year is mistyped."
        ),
        "quality_fix_wrong_year_folder": Word(
            "把文件移到它那一年的文件夹里。", "Move the file into the folder of its year."
        ),
        "referred_customers": Word("转介绍客户", "Referred customers"),
        "referral_interactions": Word("转介绍沟通", "Referral conversations"),
        # the site: each owner's day (我的今天), full lists, the dashboard's tiles (issue 15, MORNING)
        "my_day": Word("我的今天", "My day"),
        "my_day_of": Word("{name}的今天", "{name}'s day"),
        "action_overdue": Word("已逾期（最久的在前）", "Overdue (longest first)"),
        "action_today": Word("今天", "Today"),
        "action_week": Word("本周（至 {day}）", "This week (to {day})"),
        "action_followup": Word("跟进", "Follow-up"),
        "action_todo": Word("待办", "Todo"),
        "action_plan": Word("维护计划", "Plan"),
        "action_renewal": Word("续约", "Renewal"),
        "action_payment": Word("回款", "Payment"),
        "action_item": Word("事项", "Item"),
        "action_detail": Word("内容", "Details"),
        "renewal_ends": Word("合同 {day} 到期", "contract ends {day}"),
        "day_nothing": Word("今天和本周没有要办的事。", "Nothing is due today or this week."),
        "list_total": Word("共 {count} 条", "{count} in all"),
        "list_page": Word("第 {page} / {pages} 页", "page {page} of {pages}"),
        "trend_good": Word("比 30 天前好", "better than 30 days ago"),
        "trend_bad": Word("比 30 天前差", "worse than 30 days ago"),
        "trend_moved": Word("与 30 天前不同", "changed since 30 days ago"),
        "trend_same": Word("与 30 天前持平", "same as 30 days ago"),
    }
)

KPI_TITLES: dict[str, Word] = {
    "customers_total": Word("客户总数", "Customers"),
    "customers_by_stage": Word("各阶段客户数", "Customers by stage"),
    "overdue_followups": Word("逾期跟进", "Overdue follow-ups"),
    "silent_customers": Word("沉默客户", "Silent customers"),
    "followup_compliance": Word("跟进达标率", "Follow-up compliance"),
    "csat_avg": Word("满意度均值", "Average satisfaction"),
    "open_complaints": Word("未解决投诉", "Open complaints"),
    "overdue_todos": Word("逾期待办", "Overdue todos"),
    "followup_on_time_rate_90d": Word("90天按时跟进率", "On-time follow-ups, 90 days"),
    "followup_on_time_rate_365d": Word("年度按时跟进率", "On-time follow-ups, 365 days"),
    "todo_on_time_rate": Word("待办按时完成率", "Todos done on time"),
    "logging_24h_rate": Word("及时记录率", "Logged in time"),
    "retention_12m": Word("12个月留存率", "12-month retention"),
    "churn_rate_12m": Word("12个月流失率", "12-month churn rate"),
    "win_backs_12m": Word("12个月挽回客户", "Won back, 12 months"),
    "new_customers_12m": Word("12个月新客户", "New customers, 12 months"),
    "churned_12m": Word("12个月流失客户", "Churned, 12 months"),
    "new_customers_by_month": Word("每月新客户", "New customers by month"),
    "interactions_by_month": Word("每月沟通量", "Interactions by month"),
    "satisfaction_by_quarter": Word("季度满意度", "Satisfaction by quarter"),
    "complaints_12m": Word("12个月投诉数", "Complaints, 12 months"),
    "complaint_median_resolution_days": Word("投诉解决天数中位数", "Median days to resolve a complaint"),
    "referrals_12m": Word("12个月转介绍", "Referrals, 12 months"),
    # plans and contracts (engine13)
    "plans_overdue": Word("逾期维护计划", "Overdue plan contacts"),
    "plan_completion_rate_90d": Word("90天计划完成率", "Plans carried out on time, 90 days"),
    "contract_value_12m": Word("12个月签约额", "Contract value, 12 months"),
    "renewals_due": Word("待续约合同", "Renewals due"),
    "renewal_rate_12m": Word("12个月续约率", "12-month renewal rate"),
    "receivables_overdue": Word("逾期应收款", "Overdue receivables"),
    # the pipeline (crmdata.engine.pipeline)
    "pipeline_open_value": Word("商机金额", "Open pipeline"),
    "pipeline_weighted_value": Word("加权商机金额", "Weighted pipeline"),
    "win_rate_12m": Word("12个月赢单率", "Win rate, 12 months"),
}
"""Each KPI's title, by its key (crmdata.engine.kpis)."""
LABELS.update(KPI_TITLES)

LABELS.update(
    {
        # --- issue 15, CUSTOMER: chart text alternatives (site_builder.charts), the customer page, the
        # satisfaction analysis page (crmdata.engine.satisfaction) ---
        "chart_lead": Word("{title}，{span}", "{title}, {span}"),
        "chart_span": Word("{first}至{last}", "{first} to {last}"),
        "chart_bar_alt": Word(
            "{lead}：共 {total}，最多的是 {top}（{top_value}）。",
            "{lead}: {total} in all; most in {top} ({top_value}).",
        ),
        "chart_bar_alt_empty": Word("{lead}：共 {total}。", "{lead}: {total} in all."),
        "chart_by_series": Word("分系列：{items}。", " By series: {items}."),
        "chart_no_data": Word("{lead}：没有数据。", "{lead}: no data."),
        "chart_series_at": Word("{series}，{at}", "{series}, {at}"),
        "chart_line_alt": Word(
            "{lead}：最低 {low}（{low_at}），最高 {high}（{high_at}）",
            "{lead}: lowest {low} ({low_at}), highest {high} ({high_at})",
        ),
        "chart_latest": Word("，最新 {value}（{at}）", ", latest {value} ({at})"),
        "chart_end": Word("。", "."),
        "chart_missing": Word("{total} 个点中有 {missing} 个没有数据。", " No data for {missing} of {total} points."),
        "chart_separator": Word("，", ", "),
        # the customer page
        "next_step": Word("下一步：", "Next step: "),
        "followup_on": Word("{day} 跟进（{reason}）", "follow up on {day} ({reason})"),
        "open_items": Word("未完成事项", "Open items"),
        "open_todos_count": Word("{count} 项待办未完成", "{count} open todo", en_plural="{count} open todos"),
        "overdue_of_them": Word("（其中 {count} 项逾期）", " ({count} overdue)"),
        "open_complaints_count": Word(
            "{count} 条投诉未解决", "{count} open complaint", en_plural="{count} open complaints"
        ),
        "no_open_items": Word("没有未完成的待办，也没有未解决的投诉。", "No open todos and no open complaints."),
        "open_todos": Word("未完成的待办", "Open todos"),
        "from_conversation": Word("来自沟通", "From the conversation"),
        "not_yet_due": Word("未到期", "not yet due"),
        "overdue_count_days": Word("逾期 {count} 天", "{count} day overdue", en_plural="{count} days overdue"),
        "spark_summary": Word(
            "{count} 次评分，平均 {mean}，最新 {latest}（{day}）",
            "{count} score, average {mean}, latest {latest} ({day})",
            en_plural="{count} scores, average {mean}, latest {latest} ({day})",
        ),
        "spark_alt": Word(
            "满意度走势，{first}至{last}：{summary}", "Satisfaction over time, {first} to {last}: {summary}"
        ),
        "earlier_conversations": Word("更早的沟通（{count} 条）", "Earlier conversations ({count})"),
        "timeline_pages": Word("全部沟通，按页查看：", "Every conversation, page by page:"),
        "timeline_page": Word("第 {number} 页", "page {number}"),
        "timeline_page_title": Word("{name}：沟通记录第 {number} 页", "{name}: conversations, page {number}"),
        "timeline_page_range": Word(
            "第 {first}–{last} 条，共 {total} 条，新的在前。", "Conversations {first}–{last} of {total}, newest first."
        ),
        "back_to_customer": Word("返回客户页面", "Back to the customer page"),
        "more_todos": Word(
            "另有 {count} 项未完成的待办：", "{count} more open todo:", en_plural="{count} more open todos:"
        ),
        "todos_range": Word("第 {first}–{last} 项", "{first}–{last}"),
        "todos_page_title": Word("{name}：未完成的待办（{number}）", "{name}: open todos ({number})"),
        "todos_page_range": Word(
            "第 {first}–{last} 项，共 {total} 项，最早到期的在前。",
            "Todos {first}–{last} of {total}, the earliest due first.",
        ),
        # the satisfaction analysis page
        "satisfaction_page": Word("满意度分析", "Satisfaction analysis"),
        "satisfaction_intro": Word(
            "近 12 个月（{start} 起）共 {count} 次评分，平均 {mean} 分（1–5 分）。"
            "少于 {min} 次评分的分组标为“样本太少”：一两次评分就会让平均分大起大落，不宜据此下结论。",
            "{count} scores in the last 12 months (since {start}), averaging {mean} (of 1–5). Groups with fewer "
            "than {min} scores are marked too few to judge: one or two scores swing their average.",
        ),
        "no_scores": Word("近 12 个月没有评分。", "No scores in the last 12 months."),
        "satisfaction_by_month": Word("每月满意度", "Satisfaction by month"),
        "scores_by_month": Word("每月评分次数", "Scores by month"),
        "satisfaction_by_channel": Word("按沟通方式", "By channel"),
        "satisfaction_by_kind": Word("按沟通类型", "By kind of conversation"),
        "satisfaction_by_owner": Word("按负责人", "By owner"),
        "satisfaction_by_industry": Word("按行业", "By industry"),
        "satisfaction_by_type": Word("按客户类型", "By customer type"),
        "satisfaction_by_tier": Word("按客户等级", "By tier"),
        "group": Word("分组", "Group"),
        "scores_count": Word("评分次数", "Scores"),
        "mean_score": Word("平均分", "Average"),
        "low_scores": Word("1–2 分", "1–2"),
        "too_small": Word("样本太少", "too few to judge"),
        "too_small_note": Word("* 样本太少，不宜据此判断", "* too few scores to judge"),
        "not_given": Word("（未填写）", "(not given)"),
        "complaint_topics": Word("投诉主题", "Complaint topics"),
        "complaints_intro": Word(
            "近 12 个月共 {count} 条投诉，按主题归并（同一主题出现次数多的在前）。",
            "{count} complaint in the last 12 months, by topic (the most frequent first).",
            en_plural="{count} complaints in the last 12 months, by topic (the most frequent first).",
        ),
        "complaint_count": Word("投诉数", "Complaints"),
        "still_open": Word("未解决", "Open"),
    }
)

KPI_DEFINITIONS: dict[str, Word] = {
    "customers_total": Word(
        "截至数据日期已经成为客户的人数：合作起始日期在数据日期当天或之前，或还没有填写合作起始日期（仍在接洽）。"
        "已流失的客户也计算在内。",
        "Everyone who had become a customer by the report date: their customer-since date is on or before it, "
        "or not filled in yet (still prospecting). Churned customers count too.",
    ),
    "customers_by_stage": Word(
        "客户总数中的客户按各自记录的阶段分组，每个阶段都列出（可以为 0）。记录只保存当前阶段，"
        "所以查看过去的日期时，显示的仍是今天的阶段。",
        "The customers counted in Customers, by the stage their record shows; every stage is listed, even at 0. "
        "A record keeps only its current stage, so a past report date still shows today's stages.",
    ),
    "overdue_followups": Word(
        "未流失的客户中，跟进已经逾期（应跟进日期早于数据日期）的人数，与跟进计划一致。",
        "Customers who have not churned whose follow-up is overdue (due before the report date), "
        "as the follow-up plan shows them.",
    ),
    "silent_customers": Word(
        "未流失的客户中，已经 {silent_after_days} 天或更久（crm.yaml 的沉默期）没有联系的人数；"
        "从未联系过的，从合作起始日期算起。",
        "Customers who have not churned and have had no contact for {silent_after_days} days or more "
        "(the silent period in crm.yaml); for a customer never contacted, counted from their customer-since date.",
    ),
    "followup_compliance": Word(
        "未流失的客户中，跟进没有逾期的人所占的比例。没有这样的客户时显示 —。",
        "Of the customers who have not churned, the share whose follow-up is not overdue. "
        "Shown as — when there are none.",
    ),
    "csat_avg": Word(
        "最近 365 天（截至数据日期）打了满意度分（1–5 分）的沟通记录的平均分；没有评分时显示 —。",
        "The average satisfaction score (1 to 5) of the conversations in the 365 days up to the report date "
        "that have one; shown as — when none has.",
    ),
    "open_complaints": Word(
        "日期在数据日期当天或之前、还没有填写解决日期的投诉（沟通类型为投诉）条数。",
        "Complaints (conversations of the kind Complaint) dated on or before the report date "
        "that have no resolved date.",
    ),
    "overdue_todos": Word(
        "数据日期当天或之前的沟通记录里的待办：到期日早于数据日期，并且到数据日期仍未完成"
        "（没有完成日期，或完成日期在数据日期之后）。已流失客户的待办不算。按负责人统计时，"
        "算待办自己的负责人，没有写则算这条沟通记录的负责人。",
        "Todos of conversations up to the report date that were due before it and were still open on it "
        "(no done date, or done later). Todos of churned customers do not count. Per owner: the todo's own "
        "owner, else the owner of its conversation.",
    ),
    "followup_on_time_rate_90d": Word(
        "按历史计算：每位客户相邻两次联系（关怀不算联系）之间的间隔，只看后一次联系在最近 90 天内的。"
        "间隔不超过前一次联系时适用的跟进间隔，就算按时：客户自己设定的跟进间隔；没有设定时，"
        "取所在阶段的跟进间隔、新客户期内的新客户跟进间隔（{new_cadence_days} 天，合作起始后 "
        "{new_customer_days} 天内）和高价值客户的跟进间隔（{high_value_cadence_days} 天）中最短的一个。"
        "结果是按时的间隔所占的比例；没有间隔时显示 —。",
        "From the history: every gap between two consecutive contacts of a customer (care does not count as "
        "contact) whose later contact is in the last 90 days. A gap is on time when it is no longer than the "
        "interval that applied at the earlier contact: the customer's own interval; without one, the shortest "
        "of the stage's interval, the new-customer interval while new ({new_cadence_days} days, for "
        "{new_customer_days} days after the customer-since date) and the high-value interval "
        "({high_value_cadence_days} days). The figure is the share of gaps on time; shown as — when there are "
        "no gaps.",
    ),
    "followup_on_time_rate_365d": Word(
        "与 90 天按时跟进率的算法相同，只是看后一次联系在最近 365 天内的间隔。",
        "Worked out as the 90-day on-time rate, over the gaps whose later contact is in the last 365 days.",
    ),
    "todo_on_time_rate": Word(
        "数据日期当天或之前的沟通记录里、到期日在最近 365 天内的待办中，在到期日当天或之前完成的比例；"
        "未完成的和逾期完成的都算未按时。没有到期的待办时显示 —。",
        "Of the todos (of conversations up to the report date) due in the last 365 days, the share done on or "
        "before their due date; open ones and ones done late count as not on time. Shown as — when none was due.",
    ),
    "logging_24h_rate": Word(
        "最近 365 天内填写了记录时间的沟通记录中，在沟通后 {record_within_hours} 小时内"
        "（crm.yaml 的记录时限）记好的比例；只写了日期、没写时间的，从当天结束时算起。"
        "没有一条填写记录时间时显示 —。",
        "Of the conversations in the last 365 days that say when they were recorded, the share recorded "
        "within {record_within_hours} hours of the conversation (the logging limit in crm.yaml); a date "
        "without a time counts from the end of that day. Shown as — when none says when it was recorded.",
    ),
    "retention_12m": Word(
        "一年前（数据日期前 365 天那天）的客户：合作起始日期在那天或之前，且那天还没有流失。"
        "其中到数据日期仍没有流失日期（或流失日期在数据日期之后）的比例。这一年里流失后又挽回的客户，"
        "这里仍算流失。一年前没有客户时显示 —。",
        "The customers of a year ago (365 days before the report date): customer since on or before that day "
        "and not churned by then. The share of them with no churn date on or before the report date. A "
        "customer who churned in the year and was won back still counts as lost here. Shown as — when there "
        "were none.",
    ),
    "churn_rate_12m": Word(
        "与 12 个月留存率同一批客户（一年前的客户）中，流失日期在最近 365 天内的比例，即 1 减去留存率。"
        "一年前没有客户时显示 —。",
        "Of the same customers as the 12-month retention (the customers of a year ago), the share whose churn "
        "date is in the last 365 days: 1 minus the retention. Shown as — when there were none.",
    ),
    "win_backs_12m": Word(
        "流失日期在最近 365 天内、现在的阶段不是流失、并且在流失日期之后到数据日期之间有过联系"
        "（关怀不算联系）的客户数：流失后又挽回的客户。",
        "Customers whose churn date is in the last 365 days, whose stage is no longer Churned, and who were "
        "contacted (care does not count) after the churn date and by the report date: lost, then won back.",
    ),
    "new_customers_12m": Word(
        "合作起始日期在最近 365 天内的客户数（包括其后已流失的）。",
        "Customers whose customer-since date is in the last 365 days (including those who churned since).",
    ),
    "churned_12m": Word(
        "流失日期在最近 365 天内的客户数（包括其后又挽回的）。",
        "Customers whose churn date is in the last 365 days (including any won back since).",
    ),
    "new_customers_by_month": Word(
        "到数据日期所在月份为止的 12 个月里，每个月合作起始日期在该月（且不晚于数据日期）的客户数；"
        "每个月都列出（可以为 0）。",
        "For each of the 12 months up to the report date's month, the customers whose customer-since date is in "
        "that month (and not after the report date); every month is listed, even at 0.",
    ),
    "interactions_by_month": Word(
        "到数据日期所在月份为止的 12 个月里，每个月每种沟通方式的沟通记录数（不晚于数据日期，关怀也算）；"
        "每个月、每种方式都列出（可以为 0）。",
        "For each of the 12 months up to the report date's month, the conversations of that month on each "
        "channel (not after the report date, care included); every month and channel is listed, even at 0.",
    ),
    "satisfaction_by_quarter": Word(
        "到数据日期所在季度为止的 8 个季度里，每个季度（不晚于数据日期的）沟通记录的平均满意度；"
        "该季度没有评分时显示 —。",
        "For each of the 8 quarters up to the report date's quarter, the average satisfaction of that quarter's "
        "conversations (not after the report date); shown as — for a quarter without scores.",
    ),
    "complaints_12m": Word(
        "最近 365 天内的投诉（沟通类型为投诉）条数，不论是否已解决。",
        "Complaints (conversations of the kind Complaint) dated in the last 365 days, resolved or not.",
    ),
    "complaint_median_resolution_days": Word(
        "所有在数据日期当天或之前解决的投诉，从投诉日期到解决日期的天数的中位数；没有已解决的投诉时显示 —。",
        "The median number of days from a complaint's date to its resolved date, over every complaint resolved "
        "on or before the report date; shown as — when none was resolved.",
    ),
    "referrals_12m": Word(
        "两个数：转介绍客户——填写了转介绍人、合作起始日期在最近 365 天内的客户数；"
        "转介绍沟通——最近 365 天内沟通类型为转介绍的沟通记录数。",
        "Two figures: referred customers, those with a referrer whose customer-since date is in the last 365 "
        "days; and referral conversations, those of the kind Referral in the last 365 days.",
    ),
    # plans and contracts (engine13)
    "plans_overdue": Word(
        "当前应执行的那次沟通已经逾期的维护计划数：应执行日期（顺延过的按顺延后的日期）早于数据日期。"
        "已取消的计划、已完成的一次性计划和已流失客户的计划不算。按负责人统计时，算计划的负责人。",
        "Maintenance plans whose current planned contact is overdue: its day (or the day it was postponed to) "
        "is before the report date. Cancelled plans, one-off plans already carried out and plans of churned "
        "customers do not count. Per owner: the plan's owner.",
    ),
    "plan_completion_rate_90d": Word(
        "最近 90 天（截至数据日期）应执行的维护计划沟通中，在应执行日期（或顺延后的日期）当天或之前完成的比例。"
        "写明该计划的沟通记录按日期顺序，每条完成最早一次尚未完成的沟通。没有应执行的沟通时显示 —。",
        "Of the planned contacts of maintenance plans due in the 90 days up to the report date, the share carried "
        "out by their day (or the day they were postponed to). Conversations that name the plan, in date order, "
        "each carry out its earliest planned contact not yet carried out. Shown as — when none was due.",
    ),
    "contract_value_12m": Word(
        "最近 365 天内签约的合同金额合计（按签约日期，没有则按合作起始日期），以 crm.yaml 的默认币种计；"
        "其他币种的合同不计入这个合计。按负责人统计时，算合同的负责人。",
        "The total amount of the contracts signed in the 365 days up to the report date (their signing date, "
        "else their start date), in the default currency of crm.yaml; contracts in other currencies are left "
        "out of this total. Per owner: the contract's owner.",
    ),
    "renewals_due": Word(
        "需要跟进续约的合同数：有结束日期、没有提前终止、还没有续约合同接续，并且续约跟进日"
        "（结束日期前 {renewal_notice_days} 天，合同可以另定）已过或在 {due_soon_days} 天内。已流失客户的合同不算。",
        "Contracts to follow up for renewal: with an end date, not ended early, not yet renewed by another "
        "contract, whose renewal day ({renewal_notice_days} days before the end unless the contract says "
        "otherwise) is past or within {due_soon_days} days. Contracts of churned customers do not count.",
    ),
    "renewal_rate_12m": Word(
        "结束日期在最近 365 天内的合同（提前终止的不算）中，已有续约合同接续的比例；没有这样的合同时显示 —。",
        "Of the contracts whose end date fell in the 365 days up to the report date (contracts ended early "
        "aside), the share renewed by another contract; shown as — when there are none.",
    ),
    "receivables_overdue": Word(
        "逾期未回款的金额合计：应收日期早于数据日期、到数据日期还没有回款的款项，以 crm.yaml 的默认币种计；"
        "其他币种的款项不计入这个合计。",
        "The total of overdue payments: due before the report date and not paid by it, in the default currency "
        "of crm.yaml; payments in other currencies are left out of this total.",
    ),
    # the pipeline (crmdata.engine.pipeline)
    "pipeline_open_value": Word(
        "所有未结束的商机（阶段不是赢单或输单）的预计金额之和，按默认币种（crm.yaml 设置的币种，"
        "未填写时为人民币 CNY）计算；其他币种的商机不计入。记录只保存当前阶段，所以查看过去的日期时，"
        "显示的仍是今天的阶段。按负责人统计时，算商机自己的负责人。",
        "The sum of the expected amounts of the open opportunities (stage neither won nor lost), in the default "
        "currency (crm.yaml's currency, else CNY); opportunities in another currency are left out. A record keeps "
        "only its current stage, so a past report date still shows today's stages. Per owner: the opportunity's "
        "own owner.",
    ),
    "pipeline_weighted_value": Word(
        "每个未结束商机的预计金额乘以赢单概率后的总和：赢单概率取商机自己填写的，没有填写时按阶段"
        "（线索 10%、已确认 30%、方案 50%、谈判 70%）。只算默认币种的商机；按负责人统计时，算商机自己的负责人。",
        "The expected amount of each open opportunity times its win probability, added up: the probability the "
        "opportunity gives, else its stage's (lead 10%, qualified 30%, proposal 50%, negotiation 70%). Only "
        "opportunities in the default currency count; per owner, the opportunity's own owner.",
    ),
    "win_rate_12m": Word(
        "最近 365 天内结束（成交日期在其中）的商机中赢单所占的比例：赢单数 ÷（赢单数 + 输单数）。"
        "没有结束的商机时显示 —。按负责人统计时，算商机自己的负责人。",
        "Of the opportunities closed in the last 365 days (their closing date in it), the share won: won ÷ "
        "(won + lost). Shown as — when none closed. Per owner: the opportunity's own owner.",
    ),
}
"""Each KPI's definition as a sales manager reads it, by its key: plain words, exact about what is counted,
settings named by their meaning with crm.yaml's value ({silent_after_days} ...: `kpis.KpiDefinition.explained`
fills them in). The docstring of each KPI function stays the precise definition for developers.
"Last 365 days" always means the 365 days up to and including the report date (数据日期)."""

KPI_SUMMARIES: dict[str, Word] = {
    "customers_total": Word(
        "全部客户有多少位（包括已流失的）。", "How many customers there are, churned ones included."
    ),
    "customers_by_stage": Word("每个阶段各有多少位客户。", "How many customers are at each stage."),
    "overdue_followups": Word(
        "该联系却还没联系的客户有多少位。", "How many customers are past the day they should have been contacted."
    ),
    "silent_customers": Word(
        "很久没有联系、需要重新激活的客户有多少位。", "How many customers nobody has contacted for a long time."
    ),
    "followup_compliance": Word(
        "有多少比例的客户跟进没有逾期。", "The share of customers whose follow-up is not overdue."
    ),
    "csat_avg": Word(
        "最近一年客户打的满意度平均分（1–5 分）。", "The average satisfaction customers gave in the last year (1–5)."
    ),
    "open_complaints": Word("还没有解决的投诉有多少条。", "How many complaints are not resolved yet."),
    "overdue_todos": Word("过了到期日还没完成的待办有多少项。", "How many todos are past their due date and not done."),
    "followup_on_time_rate_90d": Word(
        "最近 90 天里，有多少比例的联系是按时的。", "The share of contacts in the last 90 days that came on time."
    ),
    "followup_on_time_rate_365d": Word(
        "最近一年里，有多少比例的联系是按时的。", "The share of contacts in the last year that came on time."
    ),
    "todo_on_time_rate": Word(
        "最近一年到期的待办，有多少比例按时完成。", "The share of todos due in the last year that were done on time."
    ),
    "logging_24h_rate": Word(
        "有多少比例的沟通在一天之内记了下来。", "The share of conversations written down within a day."
    ),
    "retention_12m": Word(
        "一年前的客户，今天还有多少比例留着。", "The share of last year's customers who are still customers."
    ),
    "churn_rate_12m": Word(
        "一年前的客户，这一年里有多少比例流失了。", "The share of last year's customers who left during the year."
    ),
    "win_backs_12m": Word("这一年里流失后又挽回的客户有多少位。", "How many customers who left this year came back."),
    "new_customers_12m": Word("最近一年新增了多少位客户。", "How many customers started in the last year."),
    "churned_12m": Word("最近一年流失了多少位客户。", "How many customers left in the last year."),
    "new_customers_by_month": Word("最近 12 个月每月新增多少位客户。", "New customers in each of the last 12 months."),
    "interactions_by_month": Word(
        "最近 12 个月每月各种方式的沟通有多少次。", "Conversations in each of the last 12 months, by channel."
    ),
    "satisfaction_by_quarter": Word(
        "最近 8 个季度每季度的满意度平均分。", "The average satisfaction in each of the last 8 quarters."
    ),
    "complaints_12m": Word("最近一年收到多少条投诉。", "How many complaints came in the last year."),
    "complaint_median_resolution_days": Word(
        "一条投诉通常要多少天解决。", "How many days a complaint usually takes to resolve."
    ),
    "referrals_12m": Word(
        "最近一年经转介绍来的客户和转介绍沟通有多少。",
        "Customers and conversations that came by referral in the last year.",
    ),
    "plans_overdue": Word(
        "该做却还没做的维护计划沟通有多少次。", "How many planned contacts are past their day and not done."
    ),
    "plan_completion_rate_90d": Word(
        "最近 90 天该做的计划沟通，有多少比例按时做了。",
        "The share of planned contacts of the last 90 days done on time.",
    ),
    "contract_value_12m": Word("最近一年签下的合同金额合计。", "The value of the contracts signed in the last year."),
    "renewals_due": Word(
        "快到期、该谈续约的合同有多少份。", "How many contracts are ending soon and need a renewal talk."
    ),
    "renewal_rate_12m": Word(
        "最近一年到期的合同，有多少比例续约了。", "The share of contracts that ended in the last year and were renewed."
    ),
    "receivables_overdue": Word("过了应收日期还没收到的款项合计。", "The money past its due date and not yet paid."),
    "pipeline_open_value": Word("还在谈的商机金额合计。", "The value of the opportunities still open."),
    "pipeline_weighted_value": Word(
        "还在谈的商机金额按赢单可能性折算后的合计。",
        "The open opportunities' value, weighted by how likely each is to be won.",
    ),
    "win_rate_12m": Word(
        "最近一年结束的商机中赢单的比例。", "The share of opportunities closed in the last year that were won."
    ),
}
"""Each KPI in one plain sentence, by its key: what the site shows first; KPI_DEFINITIONS is the precise
definition a click away, and the function's docstring (crmdata.engine.kpis) the developers' one."""

KPI_SETTINGS = (
    "silent_after_days",
    "record_within_hours",
    "new_cadence_days",
    "new_customer_days",
    "high_value_cadence_days",
    "renewal_notice_days",
    "due_soon_days",
)
"""The crm.yaml settings (policy) the definitions name; KpiDefinition.explained fills in their values."""

# --- amounts of money (crmdata.records.money.format_amount) ---------------------------------------------

AMOUNT_SCALES: dict[str, tuple[int, tuple[tuple[int, str], ...]]] = {
    "zh": (100_000, ((100_000_000, "亿"), (10_000, "万"))),
    "en": (10_000_000, ((1_000_000_000, "B"), (1_000_000, "M"))),
}
"""How each language writes a large amount: from the first number on, in the largest unit it reaches, with
one decimal (`123.5万`, `12.3M`); below it, every digit with thousands separators (`¥1,234,567`)."""
CURRENCY_SYMBOLS: dict[str, str] = {"CNY": "¥"}
"""The symbol written before an amount of a currency; any other currency is written by its code and a space."""

# --- phrases: sentences with {placeholders} -------------------------------------------------------------

PHRASES: dict[str, Word] = {
    # counts, and lists of them
    "list_separator": Word("，", ", "),
    "days": Word("{count} 天", "{count} day", en_plural="{count} days"),
    "every_n_days": Word("每 {count} 天", "every {count} day", en_plural="every {count} days"),
    "customers_n": Word("{count} 位客户", "{count} customer", en_plural="{count} customers"),
    "errors_n": Word("{count:,} 个错误", "{count:,} error", en_plural="{count:,} errors"),
    "warnings_n": Word("{count:,} 个警告", "{count:,} warning", en_plural="{count:,} warnings"),
    "files_n": Word("{count:,} 个文件", "{count:,} file", en_plural="{count:,} files"),
    "rows_n": Word("{count} 行", "{count} row", en_plural="{count} rows"),
    # crm validate, and every command that validates first
    "validate_summary": Word(
        "{verdict}：{errors}，{warnings}，共 {files}", "{verdict}: {errors}, {warnings} in {files}"
    ),
    "seconds": Word("（{seconds:.2f} 秒）", " ({seconds:.2f} s)"),
    "warning_prefix": Word("警告：{message}", "warning: {message}"),
    "speaker_line": Word("{who}：{message}", "{who}: {message}"),
    "fix_errors_first": Word(
        "数据没有通过校验；请先修正上面的错误（crm validate）",
        "the data does not validate; fix the errors above (crm validate) first",
    ),
    # crm due
    "due_heading": Word("跟进计划（{day}）：", "Follow-ups as of {day}: "),
    "due_counts": Word(
        "逾期 {overdue}，即将到期 {due_soon}，按计划 {ok}（共 {customers}）",
        "{overdue} overdue, {due_soon} due soon, {ok} on track ({customers})",
    ),
    "due_plans_heading": Word("  维护计划（{count}）", "  Plans ({count})"),
    "due_talking_points": Word("      沟通内容：{points}", "      Talking points: {points}"),
    "due_postponed_from": Word("顺延（原定 {date}）", "postponed from {date}"),
    "due_renewals_heading": Word("  续约（{count}）", "  Renewals ({count})"),
    "due_renewal_end": Word("合作结束 {date}", "ends {date}"),
    "due_payments_heading": Word("  逾期回款（{count}）", "  Overdue payments ({count})"),
    "more_records_not_due": Word(
        "  …… 另有 {count} 项计划或续约尚未到期（--all 列出全部）",
        "  ... and {count} more plans or renewals not due soon (--all lists them)",
    ),
    "owner_counts": Word("：逾期 {overdue}，即将到期 {due_soon}", ": {overdue} overdue, {due_soon} due soon"),
    "more_not_due": Word(
        "  …… 另有 {count} 位客户尚未到期（--all 列出全部）", "  ... and {count} more not due soon (--all lists them)"
    ),
    # crm segments
    "segment_members": Word("{segment}：{customers}", "{segment}: {customers}"),
    "risk_score": Word("分数 {score}：", "score {score}: "),
    "value_typed_suggested": Word(
        "填写的价值：{typed}；按合同建议：{suggested}", "typed value: {typed}; suggested by contracts: {suggested}"
    ),
    "no_segment": Word(
        "没有名为 {name} 的分群；计算分群和自定义分群：{keys}；维度分群形如 tier:strategic",
        "no segment named {name}; computed and custom: {keys}; dimensions look like tier:strategic",
    ),
    "dimension_is": Word("{dimension}：{value}", "{dimension}: {value}"),
    # crm kpi
    "kpi_heading": Word("指标（{day}）", "KPIs as of {day}"),
    "kpi_heading_owner": Word("{owner} 的指标（{day}）", "KPIs as of {day} for {owner}"),
    "kpi_totals": Word("（合计；--format json 给出明细）", "  (totals; --format json splits them)"),
    # crm new, crm log
    "created": Word("已创建 {path}", "created {path}"),
    "draft_invalid": Word("没有写入任何文件：{path} 不会通过校验", "nothing written: {path} would not be valid"),
    "file_exists": Word("{path} 已存在；没有写入任何文件", "{path} exists already; nothing written"),
    "not_written": Word("没有写入任何文件：{reason}", "nothing written: {reason}"),
    "no_free_id": Word(
        "尝试 {count} 次后仍没有空闲的编号；没有写入任何文件",
        "no free id found after {count} attempts; nothing written",
    ),
    "schema_tip": Word(
        "提示：`crm schema --out {folder}` 会写出记录第一行指向的 schema 文件（编辑器据此补全、标出错误）",
        "tip: `crm schema --out {folder}` writes the schema files the record's first line points editors to "
        "(completion, red squiggles)",
    ),
    "would_create": Word("# 将创建 {path}", "# would create {path}"),
    "next_followup_on": Word("  下次跟进 {date}（{weekday}）", "  next follow-up {date} ({weekday})"),
    "todo_due_on": Word("  待办 {task}：{date}（{weekday}）到期", "  todo {task}: due {date} ({weekday})"),
    # crm import
    "sheet_rows": Word("{rows}，{kind}（表头在第 {header} 行）", "{rows} of {kind} (header on row {header})"),
    "row_would_create": Word("第 {row} 行：将创建 {path}  {label}", "row {row}: would create {path}  {label}"),
    "row_created": Word("第 {row} 行：已创建 {path}  {label}", "row {row}: created {path}  {label}"),
    "row_not_created": Word("第 {row} 行：未创建：{failure}", "row {row}: not created: {failure}"),
    "row_unchanged": Word(
        "第 {row} 行：已导入过，没有变化：{id} {label}", "row {row}: already imported, unchanged: {id} {label}"
    ),
    "row_differs": Word(
        "第 {row} 行：{id} 已存在，{detail} 不同（{path}）：不覆盖",
        "row {row}: {id} exists and differs in {detail} ({path}): not overwritten",
    ),
    "row_duplicate": Word(
        "第 {row} 行：可能与 {id} {label} 重复（{detail}）：不创建",
        "row {row}: likely duplicate of {id} {label} ({detail}): not created",
    ),
    "to_create": Word("{count} 行待创建", "{count} to create"),
    "created_n": Word("已创建 {count} 行", "{count} created"),
    "unchanged_n": Word("{count} 行已导入过", "{count} already imported"),
    "duplicates_n": Word("{count} 行可能重复", "{count} likely duplicate", en_plural="{count} likely duplicates"),
    "differ_n": Word(
        "{count} 行与仓库不同", "{count} differs from the repository", en_plural="{count} differ from the repository"
    ),
    "invalid_n": Word("{count} 行无效", "{count} invalid"),
    "nothing_written": Word("没有写入任何文件：", "nothing written: "),
    "fix_invalid_rows": Word(
        "{count} 行无效；请修正，或加上 --skip-invalid 只创建有效的行",
        "{count} invalid row; fix it, or add --skip-invalid to create the valid rows only",
        en_plural="{count} invalid rows; fix them, or add --skip-invalid to create the valid rows only",
    ),
    "dry_run": Word("试运行：没有写入任何文件；{advice}", "dry run: nothing written; {advice}"),
    "advice_fix": Word("修正无效的行后，加 --write 再运行", "fix the invalid rows, then run again with --write"),
    "advice_write": Word("加 --write 再运行即可创建", "run again with --write to create"),
    "advice_nothing": Word("没有要创建的记录", "nothing to create"),
    "skipped_invalid": Word(
        "跳过了 {count} 行无效的行（--skip-invalid）",
        "skipped {count} invalid row (--skip-invalid)",
        en_plural="skipped {count} invalid rows (--skip-invalid)",
    ),
    # crm export, crm calendar, crm schema
    "wrote_rows": Word("已写入 {out}：{count:,} 行 {kind}", "wrote {count:,} {kind} to {out}"),
    "wrote_events": Word("已写入 {out}：{count} 个日程", "wrote {out}: {count} events"),
    "wrote_file": Word("已写入 {path}", "wrote {path}"),
    "site_written": Word("crm：站点已写入 {path}", "crm: site written to {path}"),
    "plugin_past_kpis_made": Word(
        "crm：过去 {count} 天的指标已按当天的记录算好（git 历史），下次构建沿用",
        "crm: the KPIs of {count} past days computed on their own day's records (git history), kept for the next build",
    ),
    "mkdocs_building_into": Word("crm：正在生成站点：{path}", "crm: building the site in {path}"),
    "mkdocs_built_in": Word("crm：页面生成完毕，用时 {seconds} 秒", "crm: pages built in {seconds} s"),
    "mkdocs_building": Word("crm：正在生成站点……", "crm: building the site..."),
    "mkdocs_serving": Word("crm：预览地址 {url}", "crm: serving on {url}"),
    "mkdocs_watching": Word("crm：正在监视这些文件夹的改动：{paths}", "crm: watching for changes: {paths}"),
    "mkdocs_changes": Word("crm：发现文件改动，重新生成", "crm: files changed, rebuilding"),
    "mkdocs_reloading": Word("crm：正在刷新浏览器", "crm: reloading the browsers"),
    "mkdocs_stopping": Word("crm：正在停止……", "crm: stopping..."),
    "mkdocs_warning": Word("警告（mkdocs）：{message}", "WARNING -  {message}"),
    "mkdocs_error": Word("错误（mkdocs）：{message}", "ERROR   -  {message}"),
    "mkdocs_info": Word("mkdocs：{message}", "INFO    -  {message}"),
    "plugin_computed": Word(
        "crm：已算好 {as_of} 的跟进、分组和指标，用时 {seconds:.1f} 秒",
        "crm: computed follow-ups, segments and KPIs as of {as_of} in {seconds:.1f} s",
    ),
    "plugin_kpis_reused_today": Word(  # site_builder.kept.KeptKpis: the KPIs of the data date
        "crm：{as_of} 当天的指标所依据的记录没有变（或只改了指标不读的文字），沿用上次算好的值",
        "crm: the records behind the KPIs of {as_of} are unchanged (or changed only in text no KPI reads); their "
        "values are reused",
    ),
    "plugin_kpis_reused": Word(  # site_builder.kept.KeptKpis: the dashboard's values of earlier days
        "crm：{days} 天前的指标所依据的记录没有变（或只改了指标不读的文字），沿用上次算好的值",
        "crm: the records behind the KPIs of {days} days ago are unchanged (or changed only in text no KPI reads); "
        "their values are reused",
    ),
    "plugin_font_off": Word(
        "crm：已关闭 theme.font：Google 字体在中国大陆无法访问，还会泄露每次访问",
        "crm: theme.font turned off: Google Fonts are blocked in mainland China and leak visits",
    ),
    "plugin_rendered": Word("crm：已生成 {count:,} 个页面的 Markdown", "crm: {count:,} pages rendered to Markdown"),
    "plugin_keyed_pages": Word(
        "crm：客户页面和清单页面重新生成 {rendered:,} 个，{current:,} 个输入未变、沿用上次的",
        "crm: {rendered:,} customer and list pages rendered, {current:,} current (their inputs did not change)",
    ),
    "plugin_pages_and_files": Word(
        "crm：{count:,} 个页面和文件，{customers:,} 位客户"
        "（{changed:,} 个有改动，{removed:,} 个已删除），用时 {seconds:.1f} 秒",
        "crm: {count:,} pages and files for {customers:,} customers ({changed:,} changed, {removed:,} removed)"
        " in {seconds:.1f} s",
    ),
    "plugin_reused": Word(  # site_builder.reuse: files of the previous build that are still current
        "crm：沿用上次构建中未变的 {reused:,} 个文件（共 {total:,} 个），其余重新生成",
        "crm: {reused:,} of {total:,} files are unchanged since the last build and reused; the rest are built",
    ),
    "plugin_search_reused": Word(
        "crm：搜索索引沿用未变的 {reused}/{total} 部分",
        "crm: {reused} of {total} search index parts unchanged and reused",
    ),
    "plugin_converted": Word("crm：mkdocs 已转换 {count:,} 个页面", "crm: {count:,} pages converted by mkdocs"),
    "plugin_written": Word("crm：mkdocs 已写出 {count:,} 个页面", "crm: {count:,} pages written by mkdocs"),
    "plugin_no_history": Word(
        "crm：客户页面不显示变更历史：{reason}", "crm: no change history on customer pages: {reason}"
    ),
    "plugin_history": Word(
        "crm：变更历史来自 git：{commits:,} 个提交，涉及 {files:,} 个文件{shallow}，用时 {seconds:.1f} 秒",
        "crm: change history from git: {commits:,} commits over {files:,} files{shallow} in {seconds:.1f} s",
    ),
    "plugin_history_shallow": Word("（浅克隆：更早的改动缺失）", " (a shallow clone: older changes are missing)"),
    "site_no_plugin": Word(
        "{path} 没有使用 crm 插件：请在 plugins: 下加上 `- crm`",
        "{path} does not use the crm plugin: add `- crm` under plugins:",
    ),
    "site_no_folder": Word(
        "无法在 {path} 旁边为新站点建文件夹：{reason}", "cannot make a folder for the new site beside {path}: {reason}"
    ),
    "site_not_replaced": Word(
        "新站点无法替换 {path}（{reason}）；原站点没有改动",
        "the new site could not take the place of {path} ({reason}); it is unchanged",
    ),
    # crm diff
    "diff_heading": Word("crm diff：{base} → {head}，数据日期 {day}", "crm diff: {base} → {head}, as of {day}"),
    "diff_head_invalid": Word(
        "HEAD 没有通过校验：{errors}（运行 crm validate）", "HEAD does not validate: {errors} (run crm validate)"
    ),
    "diff_nothing_compared": Word(
        "HEAD 通过校验之前不做比较：有错误的记录看起来会像被删除了。",
        "Nothing is compared until HEAD validates: records with errors would look removed.",
    ),
    "diff_base_invalid": Word(
        "> BASE 没有通过校验（{errors}）：其中有错误的记录不参与比较，因此显示为新增。",
        "> BASE does not validate ({errors}): its records with errors are left out, so they show as added.",
    ),
    "diff_no_change": Word("CRM 数据没有变化", "no change to the CRM data"),
    "diff_records": Word("{count} 位客户{change}", "{count} customer {change}", en_plural="{count} customers {change}"),
    "diff_interactions": Word(
        "{count} 条沟通记录{change}", "{count} interaction {change}", en_plural="{count} interactions {change}"
    ),
    "diff_config_changed": Word("crm.yaml 有修改", "crm.yaml changed"),
    "diff_churned": Word("{count} 位客户流失", "{count} churned"),
    "diff_won_back": Word("挽回 {count} 位客户", "{count} won back"),
    "diff_followups": Word(
        "{count} 项跟进{event}", "{count} follow-up {event}", en_plural="{count} follow-ups {event}"
    ),
    "diff_todos_done": Word("完成 {count} 项待办", "{count} todo completed", en_plural="{count} todos completed"),
    "diff_kpis_changed": Word("{count} 项指标变化", "{count} KPI changed", en_plural="{count} KPIs changed"),
    "diff_more_rows": Word(
        "…… 另有 {count:,} 行（`crm diff --format json` 列出全部）",
        "… and {count:,} more (`crm diff --format json` lists every one)",
    ),
    "diff_more_errors": Word("- …… 另有 {count:,} 个", "- … and {count:,} more"),
    "diff_private_hidden": Word(
        "隐私联系字段（电话、邮箱、地址、生日）没有显示：`crm diff --internal`。",
        "Private contact fields (phone, email, address, birthday) are not shown: `crm diff --internal`.",
    ),
    "diff_stage_changes": Word("阶段变化（{count}）", "Stage changes ({count})"),
    "diff_followup_changes": Word("跟进（{count}）", "Follow-ups ({count})"),
    "diff_todos_section": Word("完成的待办（{count}）", "Todos completed ({count})"),
    "diff_kpi_section": Word("指标：{count} 项变化", "KPIs: {count} changed"),
    "diff_won_back_note": Word("挽回", "won back"),
    "diff_moved_file": Word("（文件）", "(file)"),
    "diff_written": Word("crm diff：{headline}（已写入 {out}）", "crm diff: {headline} (written to {out})"),
    "diff_head_not_valid": Word(
        "{head} 没有通过校验：请对它运行 crm validate",
        "{head} does not validate: run crm validate on it",
    ),
    "diff_count_day": Word("{count} 天", "{count} day", en_plural="{count} days"),
    "from": Word("从", "From"),
    "to": Word("到", "To"),
    "change": Word("变化", "Change"),
    "diff_records_section": Word("{noun}：{counts}", "{noun}: {counts}"),
    "private": Word("（隐私）", "(private)"),
    # a command line that does not fit (click's usage errors, worded in the repository's language)
    "usage_line": Word("用法：{usage}", "Usage: {usage}"),
    "usage_try_help": Word("运行 '{command} -h' 查看帮助。", "Try '{command} -h' for help."),
    "usage_error": Word("错误：{message}", "Error: {message}"),
    "error_speaker": Word("错误", "Error"),
    "usage_bad_value": Word("{option} 的值无效：{message}", "Invalid value for {option}: {message}"),
    "usage_missing": Word("缺少 {option}", "Missing {option}"),
    "usage_no_such_option": Word("没有选项 {option}", "No such option: {option}"),
    "usage_no_such_command": Word("没有命令 {command}", "No such command: {command}"),
    "usage_extra_arguments": Word("多余的参数：{arguments}", "Got unexpected extra arguments: {arguments}"),
    "usage_needs_value": Word("{option} 需要一个值", "Option {option} requires an argument"),
    "usage_not_one_of": Word("{value} 不是可选值之一：{choices}", "{value} is not one of {choices}"),
    "usage_no_folder": Word("文件夹 {path} 不存在", "Directory {path} does not exist"),
    "usage_no_file": Word("文件 {path} 不存在", "File {path} does not exist"),
    "usage_no_path": Word("路径 {path} 不存在", "Path {path} does not exist"),
    "usage_not_a_number": Word("{value} 不是整数", "{value} is not a valid integer"),
    "usage_out_of_range": Word("{value} 不在 {range} 范围内", "{value} is not in the range {range}"),
    "bad_day": Word("{value} 不是日期，请写成 YYYY-MM-DD", "{value} is not a date: write it as YYYY-MM-DD"),
    "not_on_team": Word("{owner} 不在团队中（{team}）", "{owner} is not on the team ({team})"),
    "team_member_named": Word("{key} {name}", "{key} {name}"),
    "not_a_choice": Word("{value} 不是{noun}；可以写：{choices}", "{value} is not a {noun}: write one of {choices}"),
    "choice_word": Word("{value}（{word}）", "{value} ({word})"),
    "choice_help": Word(
        "{description}；也可写中文词或其同义词，如 {example}",
        "{description}; the Chinese word or a synonym also does, e.g. {example}",
    ),
    "no_customer_id": Word("没有编号为 {id} 的客户", "no customer has the id {id}"),
    "bad_date_time": Word(
        "{value} 不是日期，也不是日期和时间（2024-02-20 或 2024-02-20 15:30）",
        "{value}: expected a date (2024-02-20) or a date and time (2024-02-20 15:30)",
    ),
    "missing_options": Word(
        "缺少 {options}（用选项给出，或在终端里运行以逐项询问）",
        "missing {options} (give them as options, or run on a terminal to be asked)",
    ),
    "contact_needs_name": Word(
        "--title、--phone 和 --email 描述的是联系人：请同时给出 --contact NAME",
        "--title, --phone and --email describe a contact: give --contact NAME too",
    ),
    "owner_unknown": Word(
        "customers/{id}.yaml 没有通过校验，无法知道负责人：请给出 --owner，或先修正记录（crm validate）",
        "customers/{id}.yaml does not validate, so its owner is unknown: give --owner, "
        "or fix the record first (crm validate)",
    ),
    "todos_need_dues": Word(
        '{todos} 个 --todo，{dues} 个 --due：每项待办都要有到期日（--todo "发送报价单" --due 3wd）',
        '{todos} --todo and {dues} --due: give each promise its due date (--todo "发送报价单" --due 3wd)',
    ),
    "config_first": Word(
        "crm.yaml 通过校验之后才能添加记录（crm validate）",
        "crm.yaml must be valid before records can be added (crm validate)",
    ),
    "append_needs_out": Word("--append 需要和 --out FILE 一起用", "--append needs --out FILE"),
    "cannot_write": Word("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "interrupted": Word("已中断", "interrupted"),
    "stopped_by": Word("crm：收到 {signal}，已停止", "crm: stopped by {signal}"),
    # crm diff: git
    "git_missing": Word(
        "没有安装 git（或不在 PATH 中）：crm diff 用 git 读取各个版本",
        "git is not installed (or not on PATH): crm diff reads revisions with git",
    ),
    "git_cannot_run": Word("无法运行 git：{reason}", "cannot run git: {reason}"),
    "git_not_a_repository": Word(
        "{root} 不在 git 仓库中：crm diff 比较的是提交", "{root} is not in a git repository: crm diff compares commits"
    ),
    "git_cannot_read": Word(
        "无法读取 {root} 的 git 仓库：{reason}", "cannot read the git repository of {root}: {reason}"
    ),
    "git_not_a_work_tree": Word(
        "{root} 不在 git 工作区中：crm diff 比较的是提交", "{root} is not in a git work tree: crm diff compares commits"
    ),
    "git_unknown_revision": Word("没有版本 {name}", "unknown revision {name}"),
    "git_unknown_revision_in": Word("{root} 中没有版本 {name}{hint}", "unknown revision {name} in {root}{hint}"),
    "git_shallow_hint": Word(
        "（这是浅克隆：请取回历史，例如 actions/checkout 的 fetch-depth: 0）",
        " (this is a shallow clone: fetch the history, e.g. actions/checkout with fetch-depth: 0)",
    ),
    # records of a past day (crm kpi/due/segments --as-of, --records, --at)
    "records_of_day": Word(
        "crm：记录取自 {day} 当天结束时的状态：提交 {commit}（{commit_day}，{subject}）",
        "crm: records as they stood at the end of {day}: commit {commit} ({commit_day}, {subject})",
    ),
    "records_of_revision": Word(
        "crm：记录取自 {name}：提交 {commit}（{commit_day}，{subject}），按 {day} 计算",
        "crm: records of {name}: commit {commit} ({commit_day}, {subject}), computed as of {day}",
    ),
    "records_now_not_git": Word(
        "crm：不在 git 仓库中，无从得知 {day} 当天的记录：使用现在的记录",
        "crm: not in a git repository, so the records of {day} are not known: the records as they are now are used",
    ),
    "records_now_before_first_commit": Word(
        "crm：{day} 当天及以前没有提交：使用现在的记录",
        "crm: no commit on or before {day}: the records as they are now are used",
    ),
    "records_shallow": Word(
        "这是浅克隆，历史从 {oldest} 开始，不含 {day} 当天的记录：请取回完整历史（git fetch --unshallow），"
        "或用 --records now 按现在的记录计算",
        "this shallow clone's history begins on {oldest}, so it does not hold the records of {day}: fetch the "
        "whole history (git fetch --unshallow), or use --records now",
    ),
    "records_commit_errors": Word(
        "crm：提交 {commit} 中有 {count} 个错误，出错的记录没有计入",
        "crm: commit {commit} does not validate (errors: {count}); the records with errors are left out",
    ),
    "records_commit_empty": Word(
        "提交 {commit} 中没有数据文件（crm.yaml、customers/ 等）",
        "commit {commit} holds no data files (crm.yaml, customers/ …)",
    ),
    "records_now_and_at": Word("--records now 与 --at 不能同时使用", "--records now and --at cannot be used together"),
    "git_range_and_head": Word(
        "请给出一个范围（{range}），或者 BASE 和 HEAD，不要同时给出",
        "give either a range ({range}) or BASE and HEAD, not both",
    ),
    "git_no_common_ancestor": Word(
        "{left} 和 {right} 没有共同的祖先提交{hint}", "{left} and {right} have no common ancestor{hint}"
    ),
    "git_cannot_list": Word("无法列出 {revision} 的文件：{reason}", "cannot list the files of {revision}: {reason}"),
    "git_unsafe_path": Word("拒绝 {revision} 中不安全的路径 {path}", "refusing the unsafe path {path} in {revision}"),
    "git_object_missing": Word("git cat-file 没有返回对象 {oid}", "git cat-file did not return the object {oid}"),
    "git_object_truncated": Word("git cat-file 返回的 {oid} 不完整", "git cat-file returned {oid} truncated"),
    "git_failed_silently": Word("git 失败了，没有给出说明", "git failed without a message"),
    "revision_merge_base": Word("{left} 与 {right} 的合并基点", "merge base of {left} and {right}"),
    # the calendar feed
    "calendar_title": Word("客户跟进", "Customer follow-ups"),
    "calendar_followup": Word("跟进 {name}", "Follow up {name}"),
    "calendar_overdue_days": Word(" (逾期 {count} 天)", " ({count} day overdue)", en_plural=" ({count} days overdue)"),
    "calendar_overdue_note": Word(
        "（已逾期 {count} 天）", " ({count} day overdue)", en_plural=" ({count} days overdue)"
    ),
    "calendar_customer": Word("客户：{name}（{id}）", "Customer: {name} ({id})"),
    "calendar_reason": Word("原因：{reason}", "Reason: {reason}"),
    "calendar_interval": Word("跟进间隔：{count} 天", "Interval: {count} day", en_plural="Interval: {count} days"),
    "calendar_last_contact": Word("上次联系：{date}", "Last contact: {date}"),
    "calendar_never": Word("无", "none"),
    "calendar_due": Word("应跟进日期：{date}", "Due: {date}"),
    "calendar_owner": Word("负责人：{name}", "Owner: {name}"),
    "calendar_silent": Word("沉默客户：需要重新激活", "Silent customer: re-activate"),
    "calendar_todo": Word("待办：{task}", "Todo: {task}"),
    "calendar_todo_summary": Word("待办：{task}（{name}）", "Todo: {task} ({name})"),
    "calendar_todo_due": Word("截止日期：{date}", "Due: {date}"),
    "calendar_interaction": Word("沟通记录：{id}（{date} {topic}）", "Conversation: {id} ({date} {topic})"),
    "calendar_since": Word("合作起始日期：{date}", "Customer since: {date}"),
    "calendar_unknown": Word("未知", "unknown"),
    "calendar_anniversary": Word("合作 {years} 周年：{name}", "{years} years as a customer: {name}"),
    "calendar_contact": Word("联系人：{name}", "Contact: {name}"),
    "calendar_birthday": Word("生日：{contact}（{name}）", "Birthday: {contact} ({name})"),
    "calendar_plan_summary": Word("维护计划：{goal}（{name}）", "Plan: {goal} ({name})"),
    "calendar_talking_point": Word("· {point}", "· {point}"),
    "calendar_plan": Word("维护计划：{id}（{cycle}）", "Plan: {id} ({cycle})"),
    "calendar_postponed_from": Word("原定 {date}，已顺延", "Postponed from {date}"),
    "calendar_renewal_summary": Word("续约：{title}（{name}）", "Renewal: {title} ({name})"),
    "calendar_contract": Word("合同：{title}（{id}）", "Contract: {title} ({id})"),
    "calendar_contract_end": Word("合作结束：{date}", "Ends: {date}"),
    "calendar_payment_summary": Word("回款 {amount}（{name}）", "Payment {amount} ({name})"),
    "calendar_payment_amount": Word("回款金额：{amount}", "Amount: {amount}"),
    "calendar_payment_due": Word("应收日期：{date}", "Due: {date}"),
    "category_plan": Word("维护计划", "Plan"),
    "category_renewal": Word("续约", "Renewal"),
    "category_payment": Word("回款", "Payment"),
    "category_followup": Word("跟进", "Follow-up"),
    "category_todo": Word("待办", "Todo"),
    "category_care": Word("关怀", "Care"),
    # --- search (issue 15): the build's line and the search box (site_builder/search.py, crm.js) ---
    "plugin_search_part": Word(  # search: a big CRM's index is built in parts (site_builder.search)
        "crm：搜索索引第 {done}/{total} 部分已建好（{pages:,} 个页面）",
        "crm: search index part {done} of {total} built ({pages:,} pages)",
    ),
    "plugin_searchable": Word(
        "crm：搜索索引已建好（{pages:,} 个页面、{words:,} 个词），用时 {seconds:.1f} 秒",
        "crm: search index built ({pages:,} pages, {words:,} words) in {seconds:.1f} s",
    ),
    "search_label": Word("搜索客户、沟通、待办……", "Search customers, conversations, todos…"),
    "search_none": Word("没有找到", "Nothing found"),
    "search_found": Word("{count} 个结果", "{count} results"),
}
"""Sentences by key; placeholders in braces."""


def label(key: str, language: object, /, **values: object) -> str:
    """A label in `language`; KeyError for an unknown key, so a typo fails the tests instead of showing."""
    return LABELS[key].text(language, **values)


def phrase(key: str, language: object, /, **values: object) -> str:
    """A sentence in `language` with its placeholders filled; KeyError for an unknown key."""
    return PHRASES[key].text(language, **values)


def terms_of(kind: type[Enum]) -> Terms:
    """The set that words an enum: the one whose values are exactly the enum's values."""
    values = {member.value for member in kind}
    for terms in SETS.values():
        if set(terms.words) == values:
            return terms
    raise KeyError(f"no vocabulary set has the values of {kind.__name__}: {', '.join(sorted(values))}")


def term(value: object, language: object, of: str | None = None) -> str:
    """The display word of a value: an enum member (its set is found from its values), a value of set
    `of`, or a record value such as `active` (no value is in two record sets). Anything else is shown as
    it is: industries, tags, months."""
    if of is not None:
        return SETS[of].word(value, language)
    if isinstance(value, Enum):
        return terms_of(type(value)).word(value, language)
    key = str(value)
    for terms in RECORD_SETS:
        if key in terms.words:
            return terms.word(key, language)
    return key


def signal_text(name: str, figures: Mapping[str, float], language: object) -> str:
    """What raised a risk signal, in `language`: `no contact for 95 days`, `满意度从平均 4.5 降到 2`.

    The fullest wording whose figures the signal has is used: `silent`, else `silent_never`."""
    for key in (name, f"{name}_never"):
        word = SIGNAL_DETAILS.get(key)
        if word is not None and _figure_names(word.en) <= figures.keys():
            return word.text(language, **figures)
    raise ValueError(f"no wording of risk signal {name} fits its figures {sorted(figures)}")


def _figure_names(template: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(template) if field}


def field_description(terms: Terms, note: str = "") -> str:
    """A record field's description for the JSON Schema and the reference pages, from its set:
    `阶段 — prospecting 接洽期, active 合作期, ...`, then `note`."""
    return f"{LABELS[terms.name].zh} — {terms.described()}" + (f"; {note}" if note else "")


def yes_no(flag: bool, language: object) -> str:
    return BOOLEANS.word("yes" if flag else "no", language)


def weekday(day_number: int, language: object) -> str:
    """The short name of a weekday (date.weekday(): Monday is 0)."""
    return WEEKDAYS[day_number].text(language)


def every_word() -> Iterator[tuple[str, Word]]:
    """(where, word) for every word here: the tests walk it."""
    for terms in SETS.values():
        for value, word in terms.words.items():
            yield f"{terms.name}.{value}", word
    for key, word in LABELS.items():
        yield f"label.{key}", word
    for key, word in PHRASES.items():
        yield f"phrase.{key}", word
    for key, word in KPI_DEFINITIONS.items():
        yield f"kpi_definition.{key}", word
    for key, word in KPI_SUMMARIES.items():
        yield f"kpi_summary.{key}", word
    for key, word in SIGNAL_DETAILS.items():
        yield f"signal_detail.{key}", word
    for number, word in enumerate(WEEKDAYS):
        yield f"weekday.{number}", word
    for catalogue in CATALOGUES.values():
        for key, word in catalogue.words.items():
            yield f"{catalogue.name}.{key}", word
