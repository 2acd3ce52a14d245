"""crm.yaml: the team, the follow-up policy and the site options.

Every policy key is optional and defaults to the handbook's practice; a key given overrides its own
default alone (a partial `cadence_days` keeps the other stages' defaults).
"""

from __future__ import annotations

import base64
import re
import secrets
from typing import Annotated

from pydantic import AfterValidator, Field, Strict, StrictBool, StringConstraints, WithJsonSchema, model_validator

from crmdata.records.models.base import Record
from crmdata.records.models.contract import DEFAULT_RENEWAL_NOTICE_DAYS
from crmdata.records.models.enums import Language, Stage
from crmdata.records.models.fields import (
    DEFAULT_CURRENCY,
    CalendarDate,
    CurrencyCode,
    Days,
    Name,
    NoticeDays,
    OwnerId,
    RecordId,
    Text,
)
from crmdata.records.models.segment import Flag, SegmentSpec
from crmdata.records.problem_words import RECORD_PROBLEMS, said_error
from crmdata.records.vocabulary import STAGES

Hours = Annotated[int, Field(ge=1, le=24 * 30, strict=True)]
EditUrl = Annotated[str, StringConstraints(strict=True, pattern=r"^https?://[^\s<>\x22\x27\x00-\x1F\x7F-\x9F]+/$")]
"""An http(s) URL ending in '/': never javascript: or data:, which the site would turn into a live link."""


class TeamMember(Record):
    """A person on the team; their key in `team` is the owner id used in records."""

    name: Name = Field(description="姓名 — shown on the site")
    email: Text | None = Field(None, description="邮箱 — for calendar feeds and notifications")


class StageCadence(Record):
    """Days between contacts for each stage (churned customers are not scheduled)."""

    prospecting: Days = Field(30, description=f"{STAGES.words['prospecting'].zh} — days between contacts")
    active: Days = Field(30, description=f"{STAGES.words['active'].zh} — days between contacts")
    stable: Days = Field(90, description=f"{STAGES.words['stable'].zh} — at least quarterly")
    dormant: Days = Field(30, description=f"{STAGES.words['dormant'].zh} — days between re-activation attempts")

    def for_stage(self, stage: Stage) -> int | None:
        """The interval for a stage; None for churned."""
        return None if stage is Stage.CHURNED else int(getattr(self, stage.value))


class Policy(Record):
    """The follow-up practice the schedule enforces."""

    first_contact_days: Days = Field(7, description="新客户首次跟进 — first follow-up within N days after since")
    new_customer_days: Days = Field(90, description="新客户期 — a customer counts as new for N days after since")
    new_cadence_days: Days = Field(30, description="新客户跟进间隔 — a new customer is contacted at least every N days")
    cadence_days: StageCadence = Field(
        default_factory=StageCadence, description="各阶段跟进间隔 — days between contacts per stage"
    )
    high_value_cadence_days: Days = Field(15, description="高价值客户跟进间隔 — high value: at least twice a month")
    renewal_notice_days: NoticeDays = Field(
        DEFAULT_RENEWAL_NOTICE_DAYS,
        description="续约提前天数 — a contract's renewal is followed up this many days before its end",
    )
    silent_after_days: Days = Field(90, description="沉默阈值 — no contact for N days means silent: re-activate")
    record_within_hours: Hours = Field(24, description="记录时限 — log a conversation within N hours")
    due_soon_days: Days = Field(7, description="即将到期 — due within N days counts as due soon")


KEY_SALT_BYTES = 16
_HEX_SALT = re.compile(r"(?:[0-9A-Fa-f]{2}){16,}")
_BASE64_SALT = re.compile(r"(?:[A-Za-z0-9+/]{4}){5,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})")
"""At least 16 bytes written as hex (32+ digits) or as standard base64 with its padding (24+ characters)."""


def new_key_salt() -> str:
    """A fresh site.key_salt: 16 random bytes in base64, what `crm init` writes and `crm build` suggests."""
    return base64.b64encode(secrets.token_bytes(KEY_SALT_BYTES)).decode("ascii")


def key_salt_bytes(text: str) -> bytes:
    """The bytes a site.key_salt stands for (hex when it reads as hex, base64 otherwise): the salt of the
    site's long-term key, the same at every build (site_builder.encrypt)."""
    if _HEX_SALT.fullmatch(text):
        return bytes.fromhex(text)
    return base64.b64decode(text, validate=True)


def _key_salt(value: str) -> str:
    if not (_HEX_SALT.fullmatch(value) or _BASE64_SALT.fullmatch(value)):
        raise said_error("key_salt", RECORD_PROBLEMS.say("not_key_salt", value=repr(value), example=new_key_salt()))
    return value


KeySalt = Annotated[
    str,
    Strict(),
    AfterValidator(_key_salt),
    WithJsonSchema({"type": "string", "pattern": f"^(?:{_HEX_SALT.pattern}|{_BASE64_SALT.pattern})$"}),
]


class SiteOptions(Record):
    """Options of the published site."""

    title: Name = Field("客户关系看板", description="站点标题 — the site's title")
    redact: StrictBool = Field(
        True, description="隐私遮蔽 — mask private contact fields (phone, email, address, birthday)"
    )
    encrypt: StrictBool = Field(
        False,
        description=(
            "加密站点 — encrypt every file of the built site that carries record text (AES-256-GCM) with the "
            "passphrase in the environment variable CRM_SITE_PASSWORD, as crm build --encrypt does"
        ),
    )
    key_salt: KeySalt | None = Field(
        None,
        description=(
            "站点密钥盐 — 16 random bytes (base64) of this repository, the same at every build, so a reader "
            "who ticks 'remember on this device' is not asked again after the next build of an encrypted "
            "site; crm init draws one; without it every build asks anew. Not a secret"
        ),
    )
    edit_url: EditUrl | None = Field(
        None,
        description=(
            "编辑链接 — where record files are edited, e.g. https://github.com/acme/crm/edit/main/; "
            "each customer page links to its YAML file there"
        ),
    )


IdPrefix = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")]
SequenceDigits = Annotated[int, Field(ge=1, le=9, strict=True)]
CountryCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Z]{2}$")]
RegionCode = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9]{1,10}$")]


class IdOptions(Record):
    """How `crm new`, `crm log` and `crm import` number new records: prefix, year, sequence."""

    customer_prefix: IdPrefix = Field("KH-", description="客户编号前缀 — new customer ids start with this")
    interaction_prefix: IdPrefix = Field("JL-", description="记录编号前缀 — new interaction ids start with this")
    plan_prefix: IdPrefix = Field("JH-", description="计划编号前缀 — new maintenance plan ids start with this")
    opportunity_prefix: IdPrefix = Field("SJ-", description="商机编号前缀 — new opportunity ids start with this")
    contract_prefix: IdPrefix = Field("HT-", description="合同编号前缀 — new contract ids start with this")
    year: StrictBool = Field(True, description="编号含年份 — put the year after the prefix (KH-2024001); false: KH-001")
    digits: SequenceDigits = Field(
        3, description="序号位数 — digits of the sequence number, zero-padded (it grows past them when full)"
    )


class WorkCalendar(Record):
    """Which days are working days, for durations such as `--due 3wd` (three working days)."""

    country: CountryCode = Field(
        "CN",
        description=(
            "国家/地区 — ISO country code whose public holidays are days off (CN: mainland China, "
            "with the weekend days worked in lieu, 调休, as working days)"
        ),
    )
    subdivision: RegionCode | None = Field(None, description="省/州 — a subdivision code for regional holidays")
    holidays: list[CalendarDate] = Field(
        default_factory=list, description="公司假日 — extra days off (company holidays)"
    )
    workdays: list[CalendarDate] = Field(
        default_factory=list, description="补班日 — extra working days, even on a weekend or holiday"
    )


class CrmConfig(Record):
    """crm.yaml at the root of a data repository."""

    team: dict[OwnerId, TeamMember] = Field(
        min_length=1, description="团队 — owner id → member; owners in records must be keys here"
    )
    language: Language = Field(
        Language.ZH,
        description="语言 — zh or en: the language of every output a person reads (site, terminal, sheets, diff)",
    )
    policy: Policy = Field(default_factory=Policy, description="跟进策略 — the follow-up policy")
    site: SiteOptions = Field(default_factory=SiteOptions, description="站点 — site options")
    segments: dict[RecordId, SegmentSpec] = Field(
        default_factory=dict, description="自定义分群 — custom segments: name → title and filter"
    )
    ids: IdOptions = Field(default_factory=IdOptions, description="编号规则 — how new record ids are numbered")
    calendar: WorkCalendar = Field(
        default_factory=WorkCalendar, description="工作日历 — working days for durations such as 3wd"
    )
    currency: CurrencyCode = Field(
        DEFAULT_CURRENCY, description="币种 — ISO 4217 code of amounts that name no currency of their own"
    )

    def owner_key(self, given: str) -> str | None:
        """The team key a person typed, by key (any case) or by member name (张明): people know each other by
        name, records store the key. None when no member matches, or when two members share the name."""
        text = given.strip()
        if text in self.team:
            return text
        by_key = [key for key in self.team if key.casefold() == text.casefold()]
        if len(by_key) == 1:
            return by_key[0]
        by_name = [key for key, member in self.team.items() if member.name.strip().casefold() == text.casefold()]
        return by_name[0] if len(by_name) == 1 else None

    @model_validator(mode="after")
    def _segment_names_are_free(self) -> CrmConfig:
        """A custom segment cannot take the name of a computed one (new, silent, ...)."""
        for name in self.segments:
            if name in {flag.value for flag in Flag}:
                said = RECORD_PROBLEMS.say("segment_name_computed", name=name)
                raise said_error("rule", said, field=f"segments.{name}", at_key=True)
        for name, spec in self.segments.items():
            for owner in spec.where.owner or []:
                if owner not in self.team:
                    said = RECORD_PROBLEMS.say("segment_owner_not_on_team", name=name, owner=owner)
                    raise said_error("rule", said, field=f"segments.{name}.where.owner")
        return self
