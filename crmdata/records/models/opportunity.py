"""A sales opportunity (商机): a deal being worked on, from a lead to won or lost."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field, StrictBool, model_validator

from crmdata.records.models.base import Record
from crmdata.records.models.enums import OpportunityStage
from crmdata.records.models.fields import (
    DEFAULT_CURRENCY,
    Amount,
    CalendarDate,
    CurrencyCode,
    Name,
    OwnerId,
    Percent,
    RecordId,
    Text,
)
from crmdata.records.problem_words import RECORD_PROBLEMS, said_error
from crmdata.records.vocabulary import OPPORTUNITY_STAGES, field_description

if TYPE_CHECKING:
    from crmdata.records.models.config import CrmConfig

STAGE_PROBABILITY: dict[OpportunityStage, int] = {
    OpportunityStage.LEAD: 10,
    OpportunityStage.QUALIFIED: 30,
    OpportunityStage.PROPOSAL: 50,
    OpportunityStage.NEGOTIATION: 70,
    OpportunityStage.WON: 100,
    OpportunityStage.LOST: 0,
}
"""The win probability (%) of an opportunity that gives none, by its stage (contract §2)."""

CLOSED_STAGES = frozenset({OpportunityStage.WON, OpportunityStage.LOST})


class Qualification(Record):
    """What is known about the buyer (有购买力、有决定权、有购买需求); unknown counts as not yet."""

    budget: StrictBool = Field(False, description="有购买力 — the customer can pay for it")
    authority: StrictBool = Field(False, description="有决定权 — we talk to the person who decides")
    need: StrictBool = Field(False, description="有购买需求 — the customer needs it")


class Opportunity(Record):
    """One sales opportunity, stored as opportunities/<id>.yaml."""

    id: RecordId = Field(description="商机编号 — unique id, equal to the file name, e.g. SJ-2024001")
    customer: RecordId = Field(
        description="客户编号 — id of the customer (a prospect is a customer at stage prospecting)"
    )
    title: Name = Field(description="商机名称 — what is being sold, e.g. 二期扩容项目")
    stage: OpportunityStage = Field(description=field_description(OPPORTUNITY_STAGES))
    amount: Amount | None = Field(None, description="预计金额 — the expected amount, a number >= 0")
    currency: CurrencyCode | None = Field(
        None, description="币种 — ISO 4217 code such as CNY; default crm.yaml currency, else CNY"
    )
    probability: Percent | None = Field(
        None,
        description="赢单概率 — % 0..100; default by stage: lead 10, qualified 30, proposal 50, negotiation 70, "
        "won 100, lost 0",
    )
    expected_close: CalendarDate | None = Field(
        None, description="预计成交日期 — the day it is expected to close; required unless won or lost"
    )
    closed_on: CalendarDate | None = Field(
        None, description="成交日期 — the day it was won or lost; required when won or lost"
    )
    lost_reason: Text | None = Field(None, description="输单原因 — why it was lost")
    qualification: Qualification | None = Field(
        None, description="商机确认 — {budget, authority, need}: 有购买力、有决定权、有购买需求"
    )
    owner: OwnerId = Field(description="负责人 — the team member (a key of team) who works on it")
    source: Text | None = Field(None, description="来源 — where it came from (行业展会, 客户转介绍 …)")
    notes: Text | None = Field(None, description="备注 — notes")

    @property
    def is_open(self) -> bool:
        """Still being worked on: neither won nor lost."""
        return self.stage not in CLOSED_STAGES

    @property
    def win_probability(self) -> int:
        """The probability (%) to weigh its amount by: the record's own, else its stage's default."""
        return self.probability if self.probability is not None else STAGE_PROBABILITY[self.stage]

    def currency_in(self, config: CrmConfig | None) -> str:
        """The currency of `amount`: the record's own, else crm.yaml's `currency`, else CNY."""
        return self.currency or (config.currency if config is not None else DEFAULT_CURRENCY)

    @model_validator(mode="after")
    def _closing_day(self) -> Opportunity:
        """An open opportunity says when it should close; a closed one says when it did."""
        if self.is_open and self.expected_close is None:
            said = RECORD_PROBLEMS.say("expected_close_required", stage=self.stage.value)
            raise said_error("stage_rule", said, field="stage")
        if not self.is_open and self.closed_on is None:
            raise said_error(
                "stage_rule", RECORD_PROBLEMS.say("closed_on_required", stage=self.stage.value), field="stage"
            )
        return self
