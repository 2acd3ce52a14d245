"""A maintenance plan (客户维护计划表): whom to contact, how often, for what, and by whom.

The handbook's row `JH-2024001 KH-2024001 每月 知晓系统使用体验 询问运行稳定性,收集改进建议 明 2024-05-10 …` is
the record below. When each occurrence falls due and which ones were carried out (by interactions with
`plan: ID`) is the engine's to compute; this model only says what a person wrote.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from crmdata.records.models.base import Record
from crmdata.records.models.enums import PlanCycle, PlanStatus
from crmdata.records.models.fields import CalendarDate, Name, OwnerId, RecordId, Text
from crmdata.records.problem_words import RECORD_PROBLEMS, said_error
from crmdata.records.vocabulary import PLAN_CYCLES, PLAN_STATUSES, field_description


class Plan(Record):
    """One maintenance plan, stored as plans/<id>.yaml."""

    id: RecordId = Field(description="计划编号 — unique id, equal to the file name, e.g. JH-2024001")
    customer: RecordId = Field(description="客户编号 — id of the customer the plan looks after")
    cycle: PlanCycle = Field(PlanCycle.ONCE, description=field_description(PLAN_CYCLES, "default once"))
    goal: Name = Field(description="维护目标 — what the contacts are for, e.g. 知晓系统使用体验")
    content: list[Text] = Field(
        default_factory=list, description="沟通内容 — the talking points, e.g. 询问运行稳定性, 收集改进建议"
    )
    owner: OwnerId = Field(description="负责人 — the team member (a key of team) who carries the plan out")
    date: CalendarDate = Field(description="执行时间 — the first planned day; later occurrences follow it by the cycle")
    postponed_to: CalendarDate | None = Field(
        None, description="顺延至 — the current occurrence moves to this day (not before date)"
    )
    status: PlanStatus = Field(
        PlanStatus.ACTIVE,
        description=field_description(PLAN_STATUSES, "default active; a cancelled plan plans nothing"),
    )
    notes: Text | None = Field(None, description="备注 — notes, e.g. 客户出差，顺延至5月12日")

    @model_validator(mode="after")
    def _postponed_after_date(self) -> Plan:
        """A plan cannot be postponed to before its first day (whether it moves the *current* occurrence
        forward is the engine's question: it knows which occurrence is current)."""
        if self.postponed_to is not None and self.postponed_to < self.date:
            said = RECORD_PROBLEMS.say(
                "postponed_before_date", postponed=self.postponed_to.isoformat(), day=self.date.isoformat()
            )
            raise said_error("rule", said, field="postponed_to")
        return self
