"""An interaction (沟通记录): one conversation with a customer, what was said and promised."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated

from pydantic import Field, Strict, model_validator

from crmdata.records.models.base import Record
from crmdata.records.models.enums import Channel, InteractionKind
from crmdata.records.models.fields import (
    CalendarDate,
    DateOrDateTime,
    DateTimeValue,
    Name,
    OwnerId,
    RecordId,
    Text,
    day_of,
)
from crmdata.records.models.todo import Todo
from crmdata.records.problem_words import RECORD_PROBLEMS, said_error
from crmdata.records.vocabulary import CHANNELS, KINDS, field_description

Satisfaction = Annotated[int, Strict(), Field(ge=1, le=5)]


class Interaction(Record):
    """One conversation, stored as interactions/<YYYY>/<id>.yaml."""

    id: RecordId = Field(description="记录编号 — unique id, equal to the file name, e.g. JL-2024001")
    customer: RecordId = Field(description="客户编号 — id of the customer talked to")
    date: DateOrDateTime = Field(description="沟通日期 — the day (or day and time) of the conversation")
    channel: Channel = Field(description=field_description(CHANNELS))
    kind: InteractionKind = Field(
        InteractionKind.FOLLOWUP,
        description=field_description(KINDS, "default followup; care does not count as a follow-up"),
    )
    owner: OwnerId = Field(description="负责人 — the team member who talked (a key of team)")
    topic: Name = Field(description="沟通主题 — what it was about")
    summary: Text | None = Field(None, description="沟通内容摘要 — summary")
    feedback: Text | None = Field(None, description="客户反馈 — what the customer said")
    need_changes: list[Text] = Field(default_factory=list, description="需求变化 — changes in the customer's needs")
    satisfaction: Satisfaction | None = Field(None, description="满意度 — 1 (very unhappy) to 5 (very happy)")
    todos: list[Todo] = Field(default_factory=list, description="待办事项 — promises made, each with a due date")
    next_followup: CalendarDate | None = Field(
        None, description="下次跟进时间 — the next contact agreed; not before date"
    )
    recorded: DateTimeValue | None = Field(None, description="记录时间 — when this record was written (24-hour rule)")
    resolved: CalendarDate | None = Field(None, description="解决日期 — for complaints: the day it was closed")
    plan: RecordId | None = Field(
        None, description="计划编号 — the maintenance plan this conversation carries out (its customer's)"
    )
    opportunity: RecordId | None = Field(None, description="商机编号 — the opportunity it worked on (its customer's)")
    contract: RecordId | None = Field(None, description="合同编号 — the contract it concerns (its customer's)")

    @cached_property
    def day(self) -> dt.date:
        """The calendar day of the conversation (cached: every schedule and rule asks for it)."""
        return day_of(self.date)

    @property
    def moment(self) -> dt.datetime | None:
        """The time of the conversation when it is known."""
        return self.date if isinstance(self.date, dt.datetime) else None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Interaction:
        """The next follow-up cannot be before the conversation; only complaints get resolved."""
        if self.next_followup is not None and self.next_followup < self.day:
            said = RECORD_PROBLEMS.say(
                "followup_before_date", next=self.next_followup.isoformat(), day=self.day.isoformat()
            )
            raise said_error("rule", said, field="next_followup")
        if self.resolved is not None and self.kind is not InteractionKind.COMPLAINT:
            raise said_error(
                "rule", RECORD_PROBLEMS.say("resolved_not_complaint", kind=self.kind.value), field="resolved"
            )
        if self.resolved is not None and self.resolved < self.day:
            said = RECORD_PROBLEMS.say(
                "resolved_before_date", resolved=self.resolved.isoformat(), day=self.day.isoformat()
            )
            raise said_error("rule", said, field="resolved")
        return self
