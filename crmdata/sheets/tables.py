"""The spreadsheets teams keep, as data: which columns, what their headers say, how values are written.

`crm import` reads these tables and `crm export` writes them, both through this module: every value is
read by the function that sits next to the one that writes it, so an export reads back as the same
records (the round trip the tests check). Pure: no files, no clock.

Two layouts, the tables a Chinese sales team already keeps:
- the customer base-information table (客户基本信息表): 序号, 客户编号, 客户名称, 联系人, 职位, 联系方式,
  所属行业, 客户类型, 合作起始日期, 客户来源, 关键需求, 备注;
- the communication-record table (客户沟通记录表): 记录编号, 客户编号, 沟通日期, 沟通方式, 沟通主题,
  沟通内容摘要, 客户反馈, 需求变化, 待办事项, 负责人, 下次跟进时间.
Each column has a Chinese and an English header (the record's field name); headers are compared after
NFKC (full-width letters and spaces), ignoring case, spaces, `_ - . * :` and a trailing note in
parentheses (`合作起始日期（YYYY-MM-DD）`). The record's other fields (stage, owner, value, email, ...)
are extra columns, which export appends after the layout's own so that nothing is lost.

Values of the closed sets (tiers, stages, channels ...) are written with the one vocabulary's Chinese
word under Chinese headers and read from any of its words (crmdata.records.vocabulary): the word a
sheet used before the vocabulary (沉默 for the dormant stage, 活跃, 常规客户 ...) still reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from crmdata.records.privacy import MASK_MARKS
from crmdata.records.vocabulary import (
    BOOLEANS,
    CHANNELS,
    KINDS,
    LABELS,
    OPPORTUNITY_STAGES,
    PLAN_CYCLES,
    STAGES,
    TIERS,
    TYPES,
    VALUES,
    Terms,
    Word,
    word_key,
)
from crmdata.sheets.sheet_words import IMPORT_PROBLEMS, PLAN_PROGRESS, PLAN_PROGRESS_NOUN, SaidError, listed

# --- values: the closed sets, with their words from the one vocabulary (crmdata.records.vocabulary) ----

_BOOLEANS = {word_key(word): value == "yes" for value, words in BOOLEANS.words.items() for word in words.all}


# --- columns -----------------------------------------------------------------------------------------


class Cell(StrEnum):
    """How a column's cells are read and written."""

    SEQ = "seq"  # 序号: a row counter, ignored on import, numbered on export
    ID = "id"
    TEXT = "text"
    DATE = "date"
    MOMENT = "moment"  # a date, or a date and time
    DATETIME = "datetime"
    INT = "int"
    BOOL = "bool"
    LIST = "list"
    ENUM = "enum"
    TYPE_OR_TIER = "type_or_tier"  # 客户类型 holds a tier word or a type word: the word decides
    OWNER = "owner"  # a team key or a team member's name
    CUSTOMER = "customer"  # a customer id, or the customer's name
    CONTACT_INFO = "contact_info"  # 联系方式: a phone number or an e-mail address
    PHONE = "phone"
    EMAIL = "email"
    TODOS = "todos"
    AMOUNT = "amount"  # a sum of money: 125000, 12.5万, ¥125,000, 10万元
    PERCENT = "percent"  # 60, 60%, or a percent cell (0.6)
    CURRENCY = "currency"  # an ISO 4217 code, or 人民币, 美元 ...
    PAYMENTS = "payments"  # a contract's payment schedule in one cell
    PROGRESS = "progress"  # 完成状态 of the plan table: 计划中/未完成, 已完成, 已取消


@dataclass(frozen=True)
class Column:
    """One column: the field it holds (`target`), its headers, and how its cells read.

    `target` is a record field name, or for parts of nested fields a name of its own: `contact`,
    `title`, `contact_info`, `phone`, `email`, `address`, `birthday`, `primary` (of a contact; these
    repeat as 联系人2, phone2 ... for further contacts) and `consent`, `consent_date`, `consent_note`.
    """

    target: str
    zh: str
    en: str
    cell: Cell
    aliases: tuple[str, ...] = ()
    vocabulary: Terms | None = None
    per_contact: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.en, *self.aliases)


@dataclass(frozen=True)
class Layout:
    """A table: its own columns in their order, then the record's other fields as extra columns."""

    name: str
    sheet_zh: str
    sheet_en: str
    columns: tuple[Column, ...]
    extra: tuple[Column, ...]
    required: tuple[str, ...]
    """Targets every row needs from a column or --set; checked once for the sheet, not row by row."""

    @property
    def all_columns(self) -> tuple[Column, ...]:
        return self.columns + self.extra

    def column(self, target: str) -> Column:
        return next(column for column in self.all_columns if column.target == target)

    def targets(self) -> list[str]:
        """The names --map and --set accept."""
        return [column.target for column in self.all_columns]

    @cached_property
    def _header_index(self) -> dict[str, Column]:
        index: dict[str, Column] = {}
        for column in self.all_columns:
            for header in (column.target, *column.headers):
                index.setdefault(header_key(header), column)
        return index

    def match(self, header: str) -> tuple[Column, int] | None:
        """The column a header names, with its contact number (1 unless `联系人2`); None if unknown."""
        key = header_key(header)
        index = self._header_index
        if key in index:
            return index[key], 1
        numbered = re.fullmatch(r"(.*\D)(\d{1,2})", key)
        if numbered:
            column = index.get(numbered.group(1))
            if column is not None and column.per_contact and int(numbered.group(2)) >= 1:
                return column, int(numbered.group(2))
        return None

    def resolve_target(self, name: str) -> tuple[Column, int] | None:
        """A --map / --set target: a target name (phone2 for a second contact's phone) or a header."""
        key = header_key(name)
        for column in self.all_columns:
            if header_key(column.target) == key:
                return column, 1
        numbered = re.fullmatch(r"(.*\D)(\d{1,2})", key)
        if numbered:
            for column in self.all_columns:
                if column.per_contact and header_key(column.target) == numbered.group(1):
                    return column, int(numbered.group(2))
        return self.match(name)


def header_key(header: str) -> str:
    """A header as compared: `客户名称（必填）`, `Contact Info` and `contact_info` match their column."""
    text = unicodedata.normalize("NFKC", header).strip()
    without_note = re.sub(r"\s*\([^()]*\)\s*$", "", text)
    text = without_note or text
    return re.sub(r"[\s_\-.*:#]+", "", text.casefold()) or text.casefold()


PHONE_HEADERS = ("联系电话", "手机", "手机号", "手机号码", "电话号码", "mobile", "tel")
SEQ_COLUMN = Column("seq", "序号", "no", Cell.SEQ, ("seq", "行号", "number", "#"))

CUSTOMERS = Layout(
    name="customers",
    sheet_zh="客户基本信息",
    sheet_en="customers",
    columns=(
        SEQ_COLUMN,
        Column("id", "客户编号", "id", Cell.ID, ("客户id", "customer id", "客户代码")),
        Column("name", "客户名称", "name", Cell.TEXT, ("客户名", "客户", "客户姓名", "公司名称", "单位名称")),
        Column("contact", "联系人", "contact", Cell.TEXT, ("联系人姓名", "contact name"), per_contact=True),
        Column("title", "职位", "title", Cell.TEXT, ("职务", "联系人职位", "position", "job title"), per_contact=True),
        Column("contact_info", "联系方式", "contact_info", Cell.CONTACT_INFO, ("联系信息",), per_contact=True),
        Column("industry", "所属行业", "industry", Cell.TEXT, ("行业",)),
        Column("tier", "客户类型", "tier", Cell.TYPE_OR_TIER, ("客户分级", "客户级别", "客户等级", "customer tier")),
        Column("since", "合作起始日期", "since", Cell.DATE, ("合作开始日期", "起始日期", "开始合作日期", "start date")),
        Column("source", "客户来源", "source", Cell.TEXT, ("来源",)),
        Column("needs", "关键需求", "needs", Cell.LIST, ("需求", "key needs")),
        Column("notes", "备注", "notes", Cell.TEXT, ("说明", "note", "remarks")),
    ),
    extra=(
        Column("type", "客户性质", "type", Cell.TYPE_OR_TIER, ("客户类别", "主体类型", "customer type")),
        Column("stage", "阶段", "stage", Cell.ENUM, ("客户阶段", "合作阶段", "生命周期阶段"), STAGES),
        Column("value", "客户价值", "value", Cell.ENUM, ("价值", "价值等级"), VALUES),
        Column("owner", "负责人", "owner", Cell.OWNER, ("客户经理", "跟进人", "销售负责人")),
        Column("referred_by", "转介绍人", "referred_by", Cell.ID, ("推荐人", "介绍人", "转介绍人编号")),
        Column("tags", "需求标签", "tags", Cell.LIST, ("标签",)),
        Column("cadence_days", "跟进间隔", "cadence_days", Cell.INT, ("跟进间隔天数", "跟进周期")),
        Column("churned_on", "流失日期", "churned_on", Cell.DATE),
        Column("churn_reason", "流失原因", "churn_reason", Cell.TEXT),
        Column("consent", "告知同意", "consent", Cell.BOOL, ("是否同意", "同意")),
        Column("consent_date", "同意日期", "consent_date", Cell.DATE),
        Column("consent_note", "同意说明", "consent_note", Cell.TEXT, ("同意备注",)),
        Column("phone", "电话", "phone", Cell.PHONE, PHONE_HEADERS, per_contact=True),
        Column("email", "邮箱", "email", Cell.EMAIL, ("电子邮箱", "电子邮件", "e-mail", "mail"), per_contact=True),
        Column("address", "地址", "address", Cell.TEXT, ("联系地址",), per_contact=True),
        Column("birthday", "生日", "birthday", Cell.DATE, ("出生日期",), per_contact=True),
        Column("primary", "主要联系人", "primary", Cell.BOOL, ("首要联系人",), per_contact=True),
    ),
    required=("name", "type", "tier", "stage", "owner"),
)

INTERACTIONS = Layout(
    name="interactions",
    sheet_zh="沟通记录",
    sheet_en="interactions",
    columns=(
        Column("id", "记录编号", "id", Cell.ID, ("记录id", "record id", "沟通编号")),
        Column("customer", "客户编号", "customer", Cell.CUSTOMER, ("客户id", "customer id")),
        Column("date", "沟通日期", "date", Cell.MOMENT, ("日期", "沟通时间")),
        Column("channel", "沟通方式", "channel", Cell.ENUM, ("方式", "渠道"), CHANNELS),
        Column("topic", "沟通主题", "topic", Cell.TEXT, ("主题",)),
        Column("summary", "沟通内容摘要", "summary", Cell.TEXT, ("沟通内容", "内容摘要", "摘要", "内容")),
        Column("feedback", "客户反馈", "feedback", Cell.TEXT, ("反馈",)),
        Column("need_changes", "需求变化", "need_changes", Cell.LIST, ("需求变更",)),
        Column("todos", "待办事项", "todos", Cell.TODOS, ("待办", "后续事项")),
        Column("owner", "负责人", "owner", Cell.OWNER, ("跟进人", "沟通人", "客户经理")),
        Column("next_followup", "下次跟进时间", "next_followup", Cell.DATE, ("下次跟进日期", "下次跟进")),
    ),
    extra=(
        Column("customer_name", "客户名称", "customer_name", Cell.TEXT, ("客户名", "客户")),
        Column("kind", "沟通类型", "kind", Cell.ENUM, ("类型",), KINDS),
        Column("satisfaction", "满意度", "satisfaction", Cell.INT),
        Column("recorded", "记录时间", "recorded", Cell.DATETIME),
        Column("resolved", "解决日期", "resolved", Cell.DATE),
        Column("plan", "计划编号", "plan", Cell.ID, ("维护计划",)),
        Column("opportunity", "商机编号", "opportunity", Cell.ID, ("商机",)),
        Column("contract", "合同编号", "contract", Cell.ID, ("合同",)),
        SEQ_COLUMN,
    ),
    required=("customer", "date", "channel", "owner", "topic"),
)

CUSTOMER_NAME_COLUMN = Column("customer_name", "客户名称", "customer_name", Cell.TEXT, ("客户名", "客户"))

PLANS = Layout(
    name="plans",
    sheet_zh="客户维护计划",
    sheet_en="plans",
    columns=(
        Column("id", "计划编号", "id", Cell.ID, ("计划id", "plan id", "维护计划编号")),
        Column("customer", "客户编号", "customer", Cell.CUSTOMER, ("客户id", "customer id")),
        Column("cycle", "维护周期", "cycle", Cell.ENUM, ("周期", "频率", "维护频率"), PLAN_CYCLES),
        Column("goal", "维护目标", "goal", Cell.TEXT, ("目标", "计划目标")),
        Column("content", "沟通内容", "content", Cell.LIST, ("沟通要点", "维护内容", "talking points")),
        Column("owner", "负责人", "owner", Cell.OWNER, ("跟进人", "执行人", "客户经理")),
        Column("date", "执行时间", "date", Cell.DATE, ("执行日期", "计划日期", "计划时间", "planned for")),
        Column("status", "完成状态", "status", Cell.PROGRESS, ("状态", "计划状态", "执行状态")),
        Column("notes", "备注", "notes", Cell.TEXT, ("说明", "note", "remarks")),
    ),
    extra=(
        Column("postponed_to", "顺延至", "postponed_to", Cell.DATE, ("顺延日期", "延期至", "postponed to")),
        CUSTOMER_NAME_COLUMN,
    ),
    required=("customer", "goal", "owner", "date"),
)
"""The customer maintenance plan table (客户维护计划表). 备注 may say a postponement (客户出差，顺延至5月12日):
when the sheet has no 顺延至 column, it gives `postponed_to` (crmdata.sheets.tables.postponement)."""

OPPORTUNITIES = Layout(
    name="opportunities",
    sheet_zh="商机",
    sheet_en="opportunities",
    columns=(
        Column("id", "商机编号", "id", Cell.ID, ("商机id", "opportunity id")),
        Column("customer", "客户编号", "customer", Cell.CUSTOMER, ("客户id", "customer id")),
        Column("title", "商机名称", "title", Cell.TEXT, ("商机", "项目名称")),
        Column("stage", "阶段", "stage", Cell.ENUM, ("商机阶段", "销售阶段"), OPPORTUNITY_STAGES),
        Column("amount", "预计金额", "amount", Cell.AMOUNT, ("金额", "商机金额")),
        Column("currency", "币种", "currency", Cell.CURRENCY, ("货币",)),
        Column("probability", "赢单概率", "probability", Cell.PERCENT, ("成交概率", "赢率", "概率")),
        Column("expected_close", "预计成交日期", "expected_close", Cell.DATE, ("预计成交时间", "预计签约日期")),
        Column("closed_on", "成交日期", "closed_on", Cell.DATE, ("关闭日期", "结束日期")),
        Column("lost_reason", "输单原因", "lost_reason", Cell.TEXT, ("丢单原因",)),
        Column("owner", "负责人", "owner", Cell.OWNER, ("跟进人", "销售负责人", "客户经理")),
        Column("source", "来源", "source", Cell.TEXT, ("商机来源",)),
        Column("notes", "备注", "notes", Cell.TEXT, ("说明", "note", "remarks")),
    ),
    extra=(
        CUSTOMER_NAME_COLUMN,
        Column("budget", "有购买力", "budget", Cell.BOOL, ("预算",)),
        Column("authority", "有决定权", "authority", Cell.BOOL, ("决策权",)),
        Column("need", "有购买需求", "need", Cell.BOOL, ("需求",)),
    ),
    required=("customer", "title", "stage", "owner"),
)

CONTRACTS = Layout(
    name="contracts",
    sheet_zh="合同",
    sheet_en="contracts",
    columns=(
        Column("id", "合同编号", "id", Cell.ID, ("合同id", "contract id")),
        Column("customer", "客户编号", "customer", Cell.CUSTOMER, ("客户id", "customer id")),
        Column("title", "合作项目", "title", Cell.TEXT, ("合同名称", "项目名称", "合作内容")),
        Column("products", "产品/服务类型", "products", Cell.LIST, ("产品服务类型", "产品类型", "服务类型", "产品")),
        Column("signed_on", "签约日期", "signed_on", Cell.DATE, ("签订日期", "签署日期")),
        Column("start", "开始日期", "start", Cell.DATE, ("合作起始", "起始日期", "合作开始日期", "生效日期")),
        Column("end", "结束日期", "end", Cell.DATE, ("合作结束", "到期日期", "截止日期", "终止日期")),
        Column("amount", "合同金额", "amount", Cell.AMOUNT, ("金额",)),
        Column("currency", "币种", "currency", Cell.CURRENCY, ("货币",)),
        Column("payments", "回款", "payments", Cell.PAYMENTS, ("回款计划", "付款情况", "回款情况", "付款计划")),
        Column("renews", "续约自", "renews", Cell.ID, ("续约合同", "原合同编号")),
        Column("owner", "负责人", "owner", Cell.OWNER, ("跟进人", "客户经理")),
        Column("notes", "备注", "notes", Cell.TEXT, ("说明", "note", "remarks")),
    ),
    extra=(
        CUSTOMER_NAME_COLUMN,
        Column("opportunity", "商机编号", "opportunity", Cell.ID, ("商机",)),
        Column("renewal_notice_days", "续约提前天数", "renewal_notice_days", Cell.INT, ("提前续约天数",)),
        Column("terminated_on", "提前终止日期", "terminated_on", Cell.DATE, ("终止于",)),
    ),
    required=("customer", "title", "start", "owner"),
)

LAYOUTS = {layout.name: layout for layout in (CUSTOMERS, INTERACTIONS, PLANS, OPPORTUNITIES, CONTRACTS)}
QUALIFICATION_PARTS = ("budget", "authority", "need")
"""Targets that belong to an opportunity's `qualification` (有购买力、有决定权、有购买需求)."""
CONTACT_PARTS = ("contact", "title", "contact_info", "phone", "email", "address", "birthday", "primary")
"""Targets that belong to a contact; `contact` is the contact's name."""


# --- reading cells -----------------------------------------------------------------------------------


class CellError(SaidError, ValueError):
    """A cell that cannot be read as its column's values: the sentence (IMPORT_PROBLEMS) says why."""


SPACES = " \t\u3000\xa0"

# --- formula starts (OWASP CSV injection) ----------------------------------------------------------
# A cell that starts with = + - @ or a tab or line break is run as a formula by Excel and LibreOffice
# (a line break: a parser that splits rows on it would start a row there). Export writes such text with
# one more leading quote in CSV, and marks the cell as text typed with a quote in xlsx. Text that already
# starts with quotes before such a character gets one more quote too, so import can take exactly one off
# every cell that is quotes followed by a formula start: `=1+1` -> `'=1+1` -> `=1+1`, `'=x` -> `''=x` ->
# `'=x`, and `-5` in a text field is text: `'-5` -> `-5`. Any other cell keeps its quotes (`'tag`).

_FORMULA_START = re.compile(r"'*[=+\-@\t\r\n]")
_NEUTRALISED_FORMULA = re.compile(r"'+[=+\-@\t\r\n]")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run this text, or it is the text of such a cell with its quotes."""
    return _FORMULA_START.match(text) is not None


def neutralise_formula(text: str) -> str:
    """A CSV cell's text that no spreadsheet runs: one more leading quote when `looks_like_formula`."""
    return "'" + text if _FORMULA_START.match(text) else text


def restore_formula(cell: str) -> str:
    """Undo `neutralise_formula` exactly: one quote off a cell that is quotes then a formula start."""
    return cell[1:] if _NEUTRALISED_FORMULA.match(cell) else cell


def shown(value: Any) -> str:
    """A cell's value quoted back in a message."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(SPACES + "\r\n"))


def read_text(value: Any) -> str:
    """Text as typed; numbers and dates that a spreadsheet stored as such, written as people read them."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip(SPACES)


def _compact(value: Any) -> str:
    """A code-like value (id, date, number, word): NFKC (full-width digits), no surrounding space."""
    return unicodedata.normalize("NFKC", read_text(value)).strip()


def read_id(value: Any) -> str:
    return _compact(value)


_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_MOMENT = re.compile(
    _DATE + r"(?:(?:\s+|T)(\d{1,2})\s*[:时]\s*(\d{2})(?:\s*[:分]\s*(\d{2})(?:\.(\d{1,6}))?)?\s*秒?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?",
    re.IGNORECASE,
)
DATE_IN_TEXT = re.compile(_DATE)


def read_moment(value: Any) -> date | datetime:
    """A date (2024-02-20, 2024/2/20, 2024.2.20, 2024年2月20日, 20240220) or a date and time
    (2024-02-20 15:30, with seconds and a UTC offset as ISO 8601 writes them); spreadsheet dates as they are."""
    if isinstance(value, datetime):
        return value.date() if value.time() == time() and value.tzinfo is None else value
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
        text = str(int(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
    else:
        raise CellError(IMPORT_PROBLEMS.say("not_a_date", value=shown(value)))
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _MOMENT.fullmatch(text)
    if not match:
        raise CellError(IMPORT_PROBLEMS.say("not_a_date_text", value=text))
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        day_value = date(int(year), int(month), int(day))
        if hour is None:
            return day_value
        moment = datetime(
            day_value.year,
            day_value.month,
            day_value.day,
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError as exc:
        raise CellError(IMPORT_PROBLEMS.say("not_a_real_date", value=text, reason=str(exc))) from None
    if offset:
        moment = moment.replace(tzinfo=_offset(offset))
    return moment


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return timezone(-delta if text[0] == "-" else delta)


def read_date(value: Any) -> date:
    moment = read_moment(value)
    if isinstance(moment, datetime):
        raise CellError(IMPORT_PROBLEMS.say("date_has_time", value=shown(value)))
    return moment


def read_datetime(value: Any) -> datetime:
    moment = read_moment(value)
    if not isinstance(moment, datetime):
        raise CellError(IMPORT_PROBLEMS.say("needs_time", value=shown(value)))
    return moment


def read_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _compact(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    raise CellError(IMPORT_PROBLEMS.say("not_whole_number", value=text))


def read_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    found = _BOOLEANS.get(word_key(read_text(value)))
    if found is None:
        raise CellError(IMPORT_PROBLEMS.say("not_yes_no", value=shown(value)))
    return found


def read_enum(vocabulary: Terms, value: Any) -> str:
    text = read_text(value)
    found = vocabulary.lookup(text)
    if found is None:
        noun = Word(LABELS[vocabulary.name].zh, vocabulary.noun)  # 阶段 / stage
        raise CellError(IMPORT_PROBLEMS.say("not_in_set", value=text, noun=noun, choices=vocabulary.choices()))
    return found


def read_type_or_tier(value: Any) -> tuple[str, str]:
    """(field, value): 战略客户 is a tier, 企业 a type; the two sets share no word."""
    text = read_text(value)
    tier = TIERS.lookup(text)
    if tier is not None:
        return "tier", tier
    kind = TYPES.lookup(text)
    if kind is not None:
        return "type", kind
    raise CellError(IMPORT_PROBLEMS.say("not_tier_or_type", value=text, tiers=TIERS.choices(), types=TYPES.choices()))


def _refuse_masked(text: str) -> None:
    if any(mark in text for mark in MASK_MARKS):
        raise CellError(IMPORT_PROBLEMS.say("masked", value=text))


def read_phone(value: Any) -> str:
    """A phone number as text: a number cell loses no digits and gains no `.0`."""
    if isinstance(value, bool):
        raise CellError(IMPORT_PROBLEMS.say("not_a_phone", value=shown(value)))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        raise CellError(IMPORT_PROBLEMS.say("not_a_phone", value=repr(value)))
    text = read_text(value)
    _refuse_masked(text)
    if re.fullmatch(r"\d(?:\.\d+)?[eE]\+?\d+", text.strip()):
        raise CellError(IMPORT_PROBLEMS.say("phone_shortened", value=text))
    return text


def read_email(value: Any) -> str:
    text = read_text(value)
    _refuse_masked(text)
    if "@" not in text:
        raise CellError(IMPORT_PROBLEMS.say("not_an_email", value=text))
    return text


def read_contact_info(value: Any) -> dict[str, str]:
    """联系方式: an e-mail address goes to the contact's email, anything else to its phone; a cell with
    both (`13800138000 / li@example.com`) is split."""
    if not isinstance(value, str):
        return {"phone": read_phone(value)}
    text = read_text(value)
    _refuse_masked(text)
    if "@" not in text:
        return {"phone": read_phone(text)}
    pieces = [piece for piece in re.split(r"[\s/，,；;、|]+", text) if piece]
    emails = [piece for piece in pieces if "@" in piece]
    if len(emails) > 1:
        raise CellError(IMPORT_PROBLEMS.say("several_emails", value=text, count=len(emails)))
    found = {"email": emails[0]}
    phone = " ".join(piece for piece in pieces if "@" not in piece)
    if phone:
        found["phone"] = phone
    return found


# --- money -------------------------------------------------------------------------------------------

_AMOUNT = re.compile(
    r"(?:[¥$]|rmb|cny)?\s*(?P<number>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<unit>万|亿|千|k)?\s*(?:元|圆|rmb|cny)?",
    re.IGNORECASE,
)
_UNITS = {None: 1, "千": 1000, "k": 1000, "万": 10_000, "亿": 100_000_000}


def read_amount(value: Any) -> int | float:
    """A sum of money: a number cell, or text such as 125000, 125,000, ¥125,000, 12.5万, 10万元, 1.2亿.

    Whole amounts are ints (125000, not 125000.0), so the record reads as it was typed. The currency is its
    own column (币种): a ¥ or 元 in the cell is allowed and says nothing more."""
    if isinstance(value, bool):
        raise CellError(IMPORT_PROBLEMS.say("not_an_amount", value=shown(value)))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    text = _compact(value)
    match = _AMOUNT.fullmatch(text.replace(" ", ""))
    if not match:
        raise CellError(IMPORT_PROBLEMS.say("not_an_amount", value=text))
    number = Decimal(match.group("number").replace(",", "")) * _UNITS[(match.group("unit") or "").lower() or None]
    return int(number) if number == number.to_integral_value() else float(number)


def write_amount(value: int | float | None) -> int | float | None:
    """An amount as a number cell (read_amount reads it back as the same int or float)."""
    return value


def read_percent(value: Any) -> int:
    """赢单概率: 60, 60%, or a cell formatted as a percentage (it holds 0.6)."""
    if isinstance(value, bool):
        raise CellError(IMPORT_PROBLEMS.say("not_a_percent", value=shown(value)))
    if isinstance(value, int | float):
        number = float(value)
        if not number.is_integer() and 0 <= number <= 1:
            number *= 100
        if abs(number - round(number)) < 1e-9 and 0 <= round(number) <= 100:
            return round(number)
        raise CellError(IMPORT_PROBLEMS.say("not_a_percent", value=shown(value)))
    text = _compact(value)
    match = re.fullmatch(r"(\d{1,3})\s*%?", text)
    if not match or int(match.group(1)) > 100:
        raise CellError(IMPORT_PROBLEMS.say("not_a_percent", value=text))
    return int(match.group(1))


_CURRENCY_WORDS = {
    "人民币": "CNY",
    "RMB": "CNY",
    "元": "CNY",
    "¥": "CNY",
    "美元": "USD",
    "$": "USD",
    "US$": "USD",
    "欧元": "EUR",
    "€": "EUR",
    "港币": "HKD",
    "港元": "HKD",
    "日元": "JPY",
    "英镑": "GBP",
}


def read_currency(value: Any) -> str:
    """币种: an ISO 4217 code in any case (cny), or 人民币, RMB, 美元, 欧元, 港币, 日元, 英镑."""
    text = _compact(value)
    found = _CURRENCY_WORDS.get(text.upper()) or _CURRENCY_WORDS.get(text)
    if found:
        return found
    if re.fullmatch(r"[A-Za-z]{3}", text):
        return text.upper()
    raise CellError(IMPORT_PROBLEMS.say("not_a_currency", value=text))


_PAYMENT = re.compile(
    r"(?P<due>\S+)\s+(?P<amount>.+?)(?:\s*(?:已付|已回款|已收款|paid)\s*(?:于|on)?\s*(?P<paid>\S+))?",
    re.IGNORECASE,
)
PAID_WORDS = {"zh": "已付", "en": "paid"}


def read_payments(value: Any) -> list[dict[str, Any]]:
    """回款 in one cell: one payment a line, or separated by ；or ;: `应收日期 金额`, and for a paid one
    `已付 回款日期` (English: `paid`): `2024-06-30 50000 已付 2024-07-02；2024-12-31 5万`."""
    text = read_text(value)
    separators = _LINE_BREAK if _LINE_BREAK in text else _STRONG
    payments = []
    for raw in re.split(f"[{re.escape(separators)}]", text):
        item = unicodedata.normalize("NFKC", raw).strip()
        if not item:
            continue
        match = _PAYMENT.fullmatch(item)
        try:
            if not match:
                raise CellError(IMPORT_PROBLEMS.say("not_a_payment", item=item))
            payment: dict[str, Any] = {
                "due": read_date(match.group("due")),
                "amount": read_amount(match.group("amount")),
            }
            if match.group("paid"):
                payment["paid_on"] = read_date(match.group("paid"))
        except CellError:
            raise CellError(IMPORT_PROBLEMS.say("not_a_payment", item=item)) from None
        payments.append(payment)
    return payments


def write_payments(payments: Iterable[Mapping[str, Any]], english: bool) -> str | None:
    """`2024-06-30 50000 已付 2024-07-02；2024-12-31 50000` (English: `paid`, joined with `; `)."""
    items = []
    for payment in payments:
        item = f"{payment['due'].isoformat()} {shown(payment['amount'])}"
        if payment.get("paid_on") is not None:
            item += f" {PAID_WORDS['en' if english else 'zh']} {payment['paid_on'].isoformat()}"
        items.append(item)
    return ("; " if english else "；").join(items) or None


# --- plans -------------------------------------------------------------------------------------------


def read_progress(value: Any) -> str:
    """完成状态: `active` (计划中, 未完成), `done` (已完成) or `cancelled` (已取消)."""
    text = read_text(value)
    found = PLAN_PROGRESS.lookup(text)
    if found is None:
        raise CellError(
            IMPORT_PROBLEMS.say("not_in_set", value=text, noun=PLAN_PROGRESS_NOUN, choices=PLAN_PROGRESS.choices())
        )
    return found


_POSTPONED = re.compile(
    r"(?:顺延|推迟|延期|延后|改期|改|延)(?:至|到)\s*(?:(?P<year>\d{4})\s*[-/.年]\s*)?(?P<month>\d{1,2})\s*[-/.月]\s*"
    r"(?P<day>\d{1,2})\s*[日号]?|(?:postponed|moved|delayed)\s+(?:to|until)\s+(?P<iso>\d{4}-\d{1,2}-\d{1,2})",
    re.IGNORECASE,
)


def postponement(notes: str, planned: date) -> date | None:
    """The day a plan's 备注 postpones it to (顺延至5月12日, 推迟到2024年5月12日, postponed to 2024-05-12);
    None when it says none. Without a year, the year of `planned` (执行时间), or the next one when the day
    would come before `planned` (执行时间 2024-12-28, 顺延至1月6日: 2025-01-06)."""
    match = _POSTPONED.search(unicodedata.normalize("NFKC", notes))
    if match is None:
        return None
    if match.group("iso"):
        year, month, day = (int(part) for part in match.group("iso").split("-"))
    else:
        month, day = int(match.group("month")), int(match.group("day"))
        year = int(match.group("year")) if match.group("year") else planned.year
    try:
        found = date(year, month, day)
        if not match.group("year") and not match.group("iso") and found < planned:
            found = date(year + 1, month, day)
    except ValueError as exc:
        said = IMPORT_PROBLEMS.say("not_a_real_date", value=f"{year}-{month:02d}-{day:02d}", reason=str(exc))
        raise CellError(IMPORT_PROBLEMS.say("in_notes", text=match.group(0), message=said)) from None
    return found


# --- lists -------------------------------------------------------------------------------------------

_LINE_BREAK, _STRONG, _WEAK = "\n", "；;", "、，,"
_OPEN, _CLOSE = "（(【[", "）)】]"


def _split_outside_brackets(text: str, separators: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if char in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    if depth and len(parts) == 1:  # an unclosed bracket: split as if there were none
        parts = re.split(f"[{re.escape(separators)}]", text)
    return parts


def _has_outside_brackets(text: str, separators: str) -> bool:
    return len(_split_outside_brackets(text, separators)) > 1


def read_list(value: Any) -> list[str]:
    """Items of a list cell: one per line when the cell has line breaks; else separated by ；or ;
    when it has them; else by 、，or ,. Separators inside brackets do not split (`对接（ERP、MES）`)."""
    text = read_text(value)
    if _LINE_BREAK in text:
        separators = _LINE_BREAK
    elif _has_outside_brackets(text, _STRONG):
        separators = _STRONG
    else:
        separators = _WEAK
    items = (item.strip(SPACES) for item in _split_outside_brackets(text, separators))
    return [item for item in items if item]


def write_list(items: Iterable[str]) -> str:
    """The cell read_list reads back as these items: joined with ；, or one per line when an item has
    a ；of its own; a single item with a comma gets a closing ；so that the comma does not split it."""
    values = list(items)
    if not values:
        return ""
    if any(_LINE_BREAK in item or _has_outside_brackets(item, _STRONG) for item in values):
        return "\n".join(values) + ("\n" if len(values) == 1 else "")
    text = "；".join(values)
    if len(values) == 1 and _has_outside_brackets(values[0], _WEAK):
        text += "；"
    return text


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


# --- owners ------------------------------------------------------------------------------------------


def read_owner(team: Mapping[str, str], value: Any) -> str:
    """A team key (ming) or a member's name (张明), or `张明 (ming)` as `crm due` prints it -> the key."""
    text = _compact(value)
    labelled = re.fullmatch(r"(.+?)\s*\((\S+)\)", text)
    if labelled and labelled.group(2) in team:
        return labelled.group(2)
    if text in team:
        return text
    by_case = [key for key in team if key.casefold() == text.casefold()]
    if len(by_case) == 1:
        return by_case[0]
    names = {key: unicodedata.normalize("NFKC", name).strip() for key, name in team.items()}
    named = [key for key, name in names.items() if name == text]
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise CellError(IMPORT_PROBLEMS.say("owner_several", value=text, keys=", ".join(named)))
    if _HAN.fullmatch(text):  # 明 for 张明: a handbook's short name, the end of one member's Chinese name
        ending = [key for key, name in names.items() if name.endswith(text)]
        if len(ending) == 1:
            return ending[0]
        if ending:
            candidates = listed(f"{key} {names[key]}" for key in ending)
            raise CellError(IMPORT_PROBLEMS.say("owner_ambiguous", value=text, members=candidates))
    members = ", ".join(f"{key} ({name})" for key, name in team.items())
    raise CellError(IMPORT_PROBLEMS.say("owner_unknown", value=text, members=members))


def owner_label(team: Mapping[str, str], key: str) -> str:
    """The member's name when it reads back as this key, else the key itself."""
    name = team.get(key)
    if name is None:
        return key
    try:
        return name if read_owner(team, name) == key else key
    except CellError:
        return key


# --- todos -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TodoText:
    """A todo as a cell writes it: the task, and whatever dates and owner its note gives."""

    task: str
    due: date | None
    done: date | None = None
    owner: str | None = None


_NOTE = re.compile(r"^(.*?)\s*[（(]([^（）()]*)[）)]\s*$", re.DOTALL)
_DUE = re.compile(r"(?:截止(?:日期)?|到期(?:日)?|due|by)?\s*:?\s*(" + _DATE + r")\s*(?:前|之前|以前|截止|到期)?", re.I)
_DONE = re.compile(r"(?:(?:已完成|完成于?|done)\s*:?\s*(" + _DATE + r")|(" + _DATE + r")\s*(?:已完成|完成))", re.I)
_OWNER = re.compile(r"(?:(?:负责人|owner)\s*:?\s*(.+)|(.+?)\s*负责)", re.I)


def _note_parts(note: str, team: Mapping[str, str]) -> TodoText | None:
    """The dates and owner in a todo's note `（2024-03-01前，2024-02-28完成，李红负责）`; None when the
    note says something else (then it is part of the task)."""
    due = done = owner = None
    for raw in re.split(r"[，,；;]", unicodedata.normalize("NFKC", note)):
        part = raw.strip()
        if not part:
            continue
        if match := _DONE.fullmatch(part):
            done = read_date(match.group(1) or match.group(5))
        elif match := _DUE.fullmatch(part):
            due = read_date(match.group(1))
        elif match := _OWNER.fullmatch(part):
            name = (match.group(1) or match.group(2)).strip()
            try:
                owner = read_owner(team, name)
            except CellError:
                if match.group(1) is None:  # "xx负责" that names nobody: not a note of ours
                    return None
                raise
        else:
            return None
    if due is None and done is None and owner is None:
        return None
    return TodoText(task="", due=due, done=done, owner=owner)


def read_todo(text: str, team: Mapping[str, str]) -> TodoText:
    """One todo: `寄送方案（2024-03-01前）`, `send offer (due 2024-03-01, done 2024-02-28, owner hong)`,
    or any text with a date in it (the date is the due date, the text stays the task)."""
    note = _NOTE.match(text)
    if note:
        parts = _note_parts(note.group(2), team)
        if parts is not None:
            return TodoText(task=note.group(1).strip(SPACES), due=parts.due, done=parts.done, owner=parts.owner)
    found = DATE_IN_TEXT.search(unicodedata.normalize("NFKC", text))
    due = read_date(found.group(0)) if found else None
    return TodoText(task=text, due=due)


def read_todos(value: Any, team: Mapping[str, str]) -> list[TodoText]:
    return [read_todo(item, team) for item in read_list(value)]


def write_todo(todo: TodoText, english: bool, team: Mapping[str, str]) -> str:
    """`task（2024-03-08前，2024-03-07完成，李红负责）`, or in English `task (due 2024-03-08, done ...)`."""
    parts = []
    owner = owner_label(team, todo.owner) if todo.owner else None
    if english:
        if todo.due:
            parts.append(f"due {todo.due.isoformat()}")
        if todo.done:
            parts.append(f"done {todo.done.isoformat()}")
        if owner:
            parts.append(f"owner {owner}")
        return f"{todo.task} ({', '.join(parts)})"
    if todo.due:
        parts.append(f"{todo.due.isoformat()}前")
    if todo.done:
        parts.append(f"{todo.done.isoformat()}完成")
    if owner:
        parts.append(f"{owner}负责")
    return f"{todo.task}（{'，'.join(parts)}）"


# --- writing cells -----------------------------------------------------------------------------------


def write_enum(vocabulary: Terms, value: str, english: bool) -> str:
    """The vocabulary's Chinese word (战略客户) under Chinese headers, the record value under English ones
    (English headers are the record's field names, and its values the words that go with them)."""
    return value if english else vocabulary.words[value].zh


def write_bool(flag: bool | None, english: bool) -> str | None:
    """是 or 否 under Chinese headers, yes or no under English ones."""
    if flag is None:
        return None
    return BOOLEANS.word("yes" if flag else "no", "en" if english else "zh")


def write_moment(value: date | datetime) -> date | str:
    """A date stays a date (a date cell in xlsx); a date and time becomes ISO text, keeping its offset,
    which spreadsheet cells cannot hold."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return value


def read_cell(column: Column, value: Any, team: Mapping[str, str]) -> Any:
    """One non-empty cell as its column reads it; CellError (with the message for the user) when it cannot.

    TYPE_OR_TIER gives (field, value), CONTACT_INFO {phone/email: text}, TODOS a list of TodoText;
    CUSTOMER gives the text, which the importer resolves against the repository's customers.
    """
    kind = column.cell
    if kind is Cell.ENUM:
        assert column.vocabulary is not None
        return read_enum(column.vocabulary, value)
    if kind is Cell.OWNER:
        return read_owner(team, value)
    if kind is Cell.TODOS:
        return read_todos(value, team)
    return _READERS[kind](value)


_READERS: dict[Cell, Any] = {
    Cell.SEQ: lambda value: None,
    Cell.ID: read_id,
    Cell.CUSTOMER: read_id,
    Cell.TEXT: read_text,
    Cell.DATE: read_date,
    Cell.MOMENT: read_moment,
    Cell.DATETIME: read_datetime,
    Cell.INT: read_int,
    Cell.BOOL: read_bool,
    Cell.LIST: read_list,
    Cell.TYPE_OR_TIER: read_type_or_tier,
    Cell.PHONE: read_phone,
    Cell.EMAIL: read_email,
    Cell.CONTACT_INFO: read_contact_info,
    Cell.AMOUNT: read_amount,
    Cell.PERCENT: read_percent,
    Cell.CURRENCY: read_currency,
    Cell.PAYMENTS: read_payments,
    Cell.PROGRESS: read_progress,
}
