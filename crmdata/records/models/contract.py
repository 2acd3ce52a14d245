"""A contract or cooperation project (合同 / 合作项目): what was sold, for how long, and what is paid when.

Renewals due and payments overdue are the engine's to compute from these facts (contract §2,
site_builder/help/contract.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from crmdata.records.models.base import Record
from crmdata.records.models.fields import (
    DEFAULT_CURRENCY,
    Amount,
    CalendarDate,
    CurrencyCode,
    Name,
    NoticeDays,
    OwnerId,
    RecordId,
    Text,
)
from crmdata.records.problem_words import RECORD_PROBLEMS, said_error

if TYPE_CHECKING:
    from crmdata.records.models.config import CrmConfig

DEFAULT_RENEWAL_NOTICE_DAYS = 60
"""policy.renewal_notice_days when crm.yaml says none."""


class Payment(Record):
    """One instalment of the payment schedule (回款计划)."""

    due: CalendarDate = Field(description="应收日期 — the day the money is due")
    amount: Amount = Field(description="回款金额 — the amount due, in the contract's currency")
    paid_on: CalendarDate | None = Field(None, description="回款日期 — the day it was paid; absent while unpaid")


class Contract(Record):
    """One contract, stored as contracts/<id>.yaml."""

    id: RecordId = Field(description="合同编号 — unique id, equal to the file name, e.g. HT-2024001")
    customer: RecordId = Field(description="客户编号 — id of the customer")
    title: Name = Field(description="合作项目 — the project or service contracted, e.g. 2024 年度系统运维服务")
    products: list[Text] = Field(default_factory=list, description="产品/服务类型 — products and services")
    signed_on: CalendarDate | None = Field(None, description="签约日期 — the day it was signed")
    start: CalendarDate = Field(description="合作起始 — the first day of the cooperation")
    end: CalendarDate | None = Field(
        None, description="合作结束 — the last day, not before start; absent: open-ended (no renewal due)"
    )
    amount: Amount | None = Field(None, description="合同金额 — the contract amount, a number >= 0")
    currency: CurrencyCode | None = Field(
        None, description="币种 — ISO 4217 code such as CNY; default crm.yaml currency, else CNY"
    )
    renewal_notice_days: NoticeDays | None = Field(
        None,
        description="续约提前天数 — follow the renewal up this many days before end (0..366); "
        "default policy.renewal_notice_days, 60",
    )
    renews: RecordId | None = Field(None, description="续约自 — id of the contract this one renews (续约)")
    opportunity: RecordId | None = Field(None, description="商机编号 — id of the opportunity this contract closed")
    payments: list[Payment] = Field(
        default_factory=list, description="回款计划 — the payment schedule: {due, amount, paid_on}"
    )
    terminated_on: CalendarDate | None = Field(
        None, description="提前终止日期 — the day it was ended early (no renewal due)"
    )
    owner: OwnerId = Field(description="负责人 — the team member (a key of team) who looks after it")
    notes: Text | None = Field(None, description="备注 — notes")

    def currency_in(self, config: CrmConfig | None) -> str:
        """The currency of `amount` and the payments: the record's own, else crm.yaml's `currency`, else CNY."""
        return self.currency or (config.currency if config is not None else DEFAULT_CURRENCY)

    def notice_days_in(self, config: CrmConfig | None) -> int:
        """Days before `end` the renewal is due: the record's own, else policy.renewal_notice_days (60)."""
        if self.renewal_notice_days is not None:
            return self.renewal_notice_days
        return config.policy.renewal_notice_days if config is not None else DEFAULT_RENEWAL_NOTICE_DAYS

    @property
    def payments_total(self) -> int | float:
        """The sum of the scheduled payments."""
        return sum(payment.amount for payment in self.payments)

    @model_validator(mode="after")
    def _dates_in_order(self) -> Contract:
        """A contract cannot end, or be terminated, before it starts."""
        if self.end is not None and self.end < self.start:
            said = RECORD_PROBLEMS.say("end_before_start", end=self.end.isoformat(), start=self.start.isoformat())
            raise said_error("rule", said, field="end")
        if self.terminated_on is not None and self.terminated_on < self.start:
            said = RECORD_PROBLEMS.say(
                "terminated_before_start", terminated=self.terminated_on.isoformat(), start=self.start.isoformat()
            )
            raise said_error("rule", said, field="terminated_on")
        return self
