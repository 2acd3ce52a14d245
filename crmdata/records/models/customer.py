"""A customer (客户): who they are, where they stand, who looks after them."""

from __future__ import annotations

from pydantic import Field, model_validator

from crmdata.records.models.base import Record
from crmdata.records.models.consent import Consent
from crmdata.records.models.contact import Contact
from crmdata.records.models.enums import CustomerType, Stage, Tier, Value
from crmdata.records.models.fields import CalendarDate, Days, Name, OwnerId, RecordId, Text
from crmdata.records.problem_words import RECORD_PROBLEMS, said_error
from crmdata.records.vocabulary import STAGES, TIERS, TYPES, VALUES, field_description


class Customer(Record):
    """One customer, stored as customers/<id>.yaml."""

    id: RecordId = Field(description="客户编号 — unique id, equal to the file name, e.g. KH-2024001")
    name: Name = Field(description="客户名称 — the customer's name")
    type: CustomerType = Field(description=field_description(TYPES))
    tier: Tier = Field(description=field_description(TIERS))
    stage: Stage = Field(description=field_description(STAGES))
    value: Value = Field(Value.MEDIUM, description=field_description(VALUES, "default medium"))
    owner: OwnerId = Field(description="负责人 — the one team member (a key of team in crm.yaml) who owns the customer")
    since: CalendarDate | None = Field(
        None, description="合作起始日期 — start of the relationship; required unless prospecting"
    )
    industry: Text | None = Field(None, description="所属行业 — industry")
    source: Text | None = Field(None, description="客户来源 — how the customer found us (行业展会, 客户转介绍 …)")
    referred_by: RecordId | None = Field(None, description="转介绍人 — id of the customer who referred this one")
    contacts: list[Contact] = Field(default_factory=list, description="联系人 — the people to talk to")
    needs: list[Text] = Field(default_factory=list, description="关键需求 — key needs")
    tags: list[Text] = Field(default_factory=list, description="需求标签 — tags for segments")
    consent: Consent | None = Field(None, description="告知与同意 — the customer's consent to data keeping")
    cadence_days: Days | None = Field(
        None, description="跟进间隔 — days between contacts for this customer, overriding the policy"
    )
    churned_on: CalendarDate | None = Field(None, description="流失日期 — required when stage is churned")
    churn_reason: Text | None = Field(None, description="流失原因 — why the customer left")
    notes: Text | None = Field(None, description="备注 — notes")

    @model_validator(mode="after")
    def _stage_rules(self) -> Customer:
        """A churned customer needs the day it was lost; anyone past prospecting needs `since`."""
        if self.stage is Stage.CHURNED and self.churned_on is None:
            raise said_error("stage_rule", RECORD_PROBLEMS.say("churned_needs_date"), field="stage")
        if self.since is None and self.stage is not Stage.PROSPECTING:
            raise said_error("stage_rule", RECORD_PROBLEMS.say("since_required"), field="stage")
        if self.since is not None and self.churned_on is not None and self.churned_on < self.since:
            raise said_error("stage_rule", RECORD_PROBLEMS.say("churned_before_since"), field="churned_on")
        return self
