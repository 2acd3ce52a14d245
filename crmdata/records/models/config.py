"""crm.yaml: the team, the follow-up policy and the site options.

Every policy key is optional and defaults to the handbook's practice; a key given overrides its own
default alone (a partial `cadence_days` keeps the other stages' defaults).
"""

from __future__ import annotations

import base64
import re
import secrets
from enum import StrEnum
from typing import Annotated, Any

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


ChatUserId = Annotated[str, StringConstraints(strict=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")]
"""A member's user id on a chat service: letters, digits and _.@+- only, so it can sit inside a mention
(`<@id>`, `<at user_id="id">`) without changing what the mention says."""


class TeamMember(Record):
    """A person on the team; their key in `team` is the owner id used in records."""

    name: Name = Field(description="姓名 — shown on the site")
    email: Text | None = Field(None, description="邮箱 — for calendar feeds and notifications")
    wecom: ChatUserId | None = Field(
        None, description="企业微信账号 — the member's WeCom userid: crm notify mentions them (<@userid>)"
    )
    dingtalk: ChatUserId | None = Field(
        None, description="钉钉用户ID — the member's DingTalk userId: crm notify mentions them (at.atUserIds)"
    )
    feishu: ChatUserId | None = Field(
        None, description="飞书用户ID — the member's Feishu open_id or user_id: crm notify mentions them"
    )


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


class SiteSearch(StrEnum):
    """Which search the site's header box uses: mkdocs-material's built-in one, or Pagefind's chunked index."""

    MATERIAL = "material"
    PAGEFIND = "pagefind"


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
    search: SiteSearch = Field(
        SiteSearch.PAGEFIND,
        description=(
            "站内搜索 — pagefind (the default): customers, conversations' topics, feedback and todos, the "
            "guide, in a chunked index a query loads only a few chunks of, encrypted with the site; or "
            "material, the theme's built-in search (one index every browser downloads whole)"
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
    url: EditUrl | None = Field(
        None,
        description=(
            "站点地址 — where the built site is published, e.g. https://acme.github.io/crm/; crm notify "
            "links each reminder to its customer's page there (no links without it)"
        ),
    )


class ChannelKind(StrEnum):
    """Where `crm notify` sends the digests: a group robot of a chat service, a JSON webhook, or e-mail."""

    WECOM = "wecom"
    DINGTALK = "dingtalk"
    FEISHU = "feishu"
    WEBHOOK = "webhook"
    EMAIL = "email"


EnvName = Annotated[str, Strict(), StringConstraints(max_length=100)]
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL_KEYS = ("url", "webhook", "secret", "key", "token", "password", "access_token")
"""Keys a person might write a robot's address or secret under: refused with a sentence, not "unknown field"."""


def _env_name(value: str, field: str) -> str:
    if not _ENV_NAME.fullmatch(value):
        said = RECORD_PROBLEMS.say("notify_not_env_name", field=field, value=_shown(value))
        raise said_error("env_name", said, field=field)
    return value


def _shown(value: str) -> str:
    """A value that may be a secret, shown as little as still recognisable: its first characters."""
    return repr(value[:8] + "…") if len(value) > 8 else repr(value)


class NotifyChannel(Record):
    """One channel of `crm notify`: its kind and the NAMES of the environment variables holding its
    address and secret. crm.yaml is shared with everyone who can read the repository; a robot's address
    carries its key, so the values live in the CI's secret store or the shell, never in the file."""

    kind: ChannelKind = Field(
        description="渠道 — wecom, dingtalk, feishu (group robots), webhook (JSON) or email (SMTP)"
    )
    url_env: EnvName = Field(
        description=(
            "地址变量 — the NAME of the environment variable holding the robot's webhook URL, the webhook's "
            "URL, or for email smtp://user:password@host:587 (STARTTLS) or smtps://…:465"
        )
    )
    secret_env: EnvName | None = Field(
        None,
        description="密钥变量 — the NAME of the environment variable holding the signing secret (dingtalk, feishu)",
    )
    sender: Text | None = Field(None, description="发件人 — email: the From address, e.g. crm@example.com")

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secrets(cls, data: Any) -> Any:
        """`url:`/`secret:` in crm.yaml would publish the robot's key to every reader of the repository."""
        if isinstance(data, dict):
            for key in _LITERAL_KEYS:
                if key in data:
                    said = RECORD_PROBLEMS.say("notify_literal_secret", key=key)
                    raise said_error("literal_secret", said, field=key, at_key=True)
        return data

    @model_validator(mode="after")
    def _fits_its_kind(self) -> NotifyChannel:
        _env_name(self.url_env, "url_env")
        if self.secret_env is not None:
            _env_name(self.secret_env, "secret_env")
            if self.kind not in (ChannelKind.DINGTALK, ChannelKind.FEISHU):
                said = RECORD_PROBLEMS.say("notify_secret_unused", kind=self.kind.value)
                raise said_error("rule", said, field="secret_env", at_key=True)
        if self.kind is ChannelKind.EMAIL and self.sender is None:
            raise said_error("rule", RECORD_PROBLEMS.say("notify_email_sender"), field="sender")
        if self.kind is not ChannelKind.EMAIL and self.sender is not None:
            said = RECORD_PROBLEMS.say("notify_sender_unused", kind=self.kind.value)
            raise said_error("rule", said, field="sender", at_key=True)
        return self


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
    notify: list[NotifyChannel] = Field(
        default_factory=list,
        description="提醒渠道 — where crm notify sends each owner's due list; secrets only by environment variable",
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
