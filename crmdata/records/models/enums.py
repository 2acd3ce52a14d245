"""The closed sets of the CRM practice (customer types, tiers, stages, channels...).

Values are the English keys written in records and JSON. What people read for each value, in Chinese and
English, and the other words a spreadsheet may use for it, are in the one vocabulary
(crmdata.records.vocabulary: TYPES, TIERS, STAGES, VALUES, CHANNELS, KINDS, PLAN_CYCLES, PLAN_STATUSES,
OPPORTUNITY_STAGES); a test checks that every
value has its words there.
"""

from enum import StrEnum


class CustomerType(StrEnum):
    """What kind of party the customer is."""

    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"
    GOVERNMENT = "government"
    INSTITUTIONAL_INVESTOR = "institutional_investor"


class Tier(StrEnum):
    """How important the customer is to the business."""

    STRATEGIC = "strategic"
    REGULAR = "regular"
    POTENTIAL = "potential"


class Stage(StrEnum):
    """Where the relationship stands; `dormant` is set by a person, unlike the computed *silent* flag."""

    PROSPECTING = "prospecting"
    ACTIVE = "active"
    STABLE = "stable"
    DORMANT = "dormant"
    CHURNED = "churned"


class Value(StrEnum):
    """How much business the customer brings: high-value customers are contacted at least twice a month."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Channel(StrEnum):
    """How a conversation took place."""

    PHONE = "phone"
    VIDEO = "video"
    VISIT = "visit"
    IM = "im"
    EMAIL = "email"
    SMS = "sms"
    EVENT = "event"
    OTHER = "other"


class InteractionKind(StrEnum):
    """What a conversation was for; `care` (greetings) does not count as a follow-up contact."""

    FOLLOWUP = "followup"
    ONBOARDING = "onboarding"
    COMPLAINT = "complaint"
    SURVEY = "survey"
    CARE = "care"
    SALE = "sale"
    REFERRAL = "referral"


class Language(StrEnum):
    """The language of every output a person reads."""

    ZH = "zh"
    EN = "en"


class PlanCycle(StrEnum):
    """How often a maintenance plan recurs (维护周期); `once` plans one occurrence only."""

    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class PlanStatus(StrEnum):
    """Whether a maintenance plan still plans anything: a cancelled plan plans nothing."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class OpportunityStage(StrEnum):
    """Where a sales opportunity stands (商机阶段); `won` and `lost` are closed, the others open."""

    LEAD = "lead"
    QUALIFIED = "qualified"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    WON = "won"
    LOST = "lost"
