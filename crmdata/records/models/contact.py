"""A contact person at a customer (联系人). Phone, email, address and birthday are private."""

from pydantic import Field, StrictBool

from crmdata.records.models.base import Record
from crmdata.records.models.fields import CalendarDate, Name, Text

PRIVATE_CONTACT_FIELDS = ("phone", "email", "address", "birthday")
"""Masked in the published site unless the build is explicitly internal."""


class Contact(Record):
    """One person to talk to at the customer."""

    name: Name = Field(description="联系人姓名 — the person's name")
    title: Text | None = Field(None, description="职位 — job title")
    phone: Text | None = Field(None, description="联系电话 — private; quote it so YAML keeps it as text")
    email: Text | None = Field(None, description="电子邮箱 — private")
    address: Text | None = Field(None, description="地址 — private")
    birthday: CalendarDate | None = Field(None, description="生日 — private; a moment for care")
    primary: StrictBool = Field(False, description="主要联系人 — the first person to call")
