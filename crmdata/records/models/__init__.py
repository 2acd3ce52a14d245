"""The record models: one pydantic model per concept, strict, every field described.

The descriptions feed `crm schema` (editor completion) and the record fields reference in every site's Help.
"""

from crmdata.records.models.config import (
    CrmConfig,
    IdOptions,
    Policy,
    SiteOptions,
    SiteSearch,
    StageCadence,
    TeamMember,
    WorkCalendar,
    key_salt_bytes,
    new_key_salt,
)
from crmdata.records.models.consent import Consent
from crmdata.records.models.contact import Contact
from crmdata.records.models.contract import Contract, Payment
from crmdata.records.models.customer import Customer
from crmdata.records.models.enums import (
    Channel,
    CustomerType,
    InteractionKind,
    Language,
    OpportunityStage,
    PlanCycle,
    PlanStatus,
    Stage,
    Tier,
    Value,
)
from crmdata.records.models.interaction import Interaction
from crmdata.records.models.opportunity import Opportunity, Qualification
from crmdata.records.models.plan import Plan
from crmdata.records.models.segment import Flag, SegmentFilter, SegmentSpec
from crmdata.records.models.todo import Todo

RECORD_MODELS = (Customer, Interaction, Plan, Opportunity, Contract)
"""Every record type, in the order the folders are read and listed."""

__all__ = [
    "RECORD_MODELS",
    "Channel",
    "Consent",
    "Contact",
    "Contract",
    "CrmConfig",
    "Customer",
    "CustomerType",
    "Flag",
    "IdOptions",
    "Interaction",
    "InteractionKind",
    "Language",
    "Opportunity",
    "OpportunityStage",
    "Payment",
    "Plan",
    "PlanCycle",
    "PlanStatus",
    "Policy",
    "Qualification",
    "SegmentFilter",
    "SegmentSpec",
    "SiteOptions",
    "SiteSearch",
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
