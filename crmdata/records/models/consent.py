"""The customer's informed consent to having their data kept (告知与同意)."""

from pydantic import Field, StrictBool

from crmdata.records.models.base import Record
from crmdata.records.models.fields import CalendarDate, Text


class Consent(Record):
    """Whether, when and how the customer agreed to their contact data being kept."""

    given: StrictBool = Field(description="是否同意 — true when the customer agreed")
    date: CalendarDate | None = Field(None, description="同意日期 — when consent was given")
    note: Text | None = Field(None, description="备注 — how consent was obtained")
