"""The closed sets of the CRM practice (customer types, tiers, stages, channels...).

Values are the English keys written in records; `label_zh` gives the handbook's Chinese term.
"""

from enum import StrEnum


class CustomerType(StrEnum):
    """客户类型."""

    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"
    GOVERNMENT = "government"
    INSTITUTIONAL_INVESTOR = "institutional_investor"


class Tier(StrEnum):
    """客户分级: strategic (战略客户), regular (普通客户), potential (潜在客户)."""

    STRATEGIC = "strategic"
    REGULAR = "regular"
    POTENTIAL = "potential"


class Stage(StrEnum):
    """Lifecycle stage: 接洽期, 合作期, 稳定期, 沉默, 流失."""

    PROSPECTING = "prospecting"
    ACTIVE = "active"
    STABLE = "stable"
    DORMANT = "dormant"
    CHURNED = "churned"


class Value(StrEnum):
    """客户价值: high-value customers are contacted at least twice a month."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Channel(StrEnum):
    """沟通方式."""

    PHONE = "phone"
    VIDEO = "video"
    VISIT = "visit"
    IM = "im"
    EMAIL = "email"
    SMS = "sms"
    EVENT = "event"
    OTHER = "other"


class InteractionKind(StrEnum):
    """沟通类型; `care` (greetings) does not count as a follow-up contact."""

    FOLLOWUP = "followup"
    ONBOARDING = "onboarding"
    COMPLAINT = "complaint"
    SURVEY = "survey"
    CARE = "care"
    SALE = "sale"
    REFERRAL = "referral"


class Language(StrEnum):
    """Language of the site's labels."""

    ZH = "zh"
    EN = "en"
