"""The record models: one pydantic model per concept, strict, every field described.

The descriptions feed `crm schema` (editor completion) and the record fields reference in every site's Help.
"""

from crmdata.records.models.config import (
    CrmConfig,
    IdOptions,
    Policy,
    SiteOptions,
    StageCadence,
    TeamMember,
    WorkCalendar,
    key_salt_bytes,
    new_key_salt,
)
from crmdata.records.models.consent import Consent
from crmdata.records.models.contact import Contact
from crmdata.records.models.customer import Customer
from crmdata.records.models.enums import Channel, CustomerType, InteractionKind, Language, Stage, Tier, Value
from crmdata.records.models.interaction import Interaction
from crmdata.records.models.segment import Flag, SegmentFilter, SegmentSpec
from crmdata.records.models.todo import Todo

__all__ = [
    "Channel",
    "Consent",
    "Contact",
    "CrmConfig",
    "Customer",
    "CustomerType",
    "Flag",
    "IdOptions",
    "Interaction",
    "InteractionKind",
    "Language",
    "Policy",
    "SegmentFilter",
    "SegmentSpec",
    "SiteOptions",
    "Stage",
    "StageCadence",
    "TeamMember",
    "Tier",
    "Todo",
    "Value",
    "WorkCalendar",
    "key_salt_bytes",
    "new_key_salt",
]
