"""A promise made in a conversation (待办事项): kept on time, or reported as overdue."""

from pydantic import Field

from crmdata.records.models.base import Record
from crmdata.records.models.fields import CalendarDate, Name, OwnerId


class Todo(Record):
    """Something someone promised to do by a date."""

    task: Name = Field(description="待办事项 — what was promised")
    due: CalendarDate = Field(description="截止日期 — when it must be done")
    owner: OwnerId | None = Field(None, description="负责人 — a team key; defaults to the interaction's owner")
    done: CalendarDate | None = Field(None, description="完成日期 — when it was done; absent while open")
