"""The call brief (沟通前准备): what to know and say before talking to one customer. Pure: (dataset,
as_of, customer) -> Brief; `crm show` renders it as text, JSON or Markdown.

The handbooks ask the owner to review the history, the background and the current needs before each call
and to prepare talking points, with content by situation — a new customer: usage feedback, problems
solved, ideas for working together (使用反馈/问题解决/合作建议); an established one: business update, new
services, needs of their own (业务进展同步/新服务介绍/个性化需求挖掘); an open complaint: where its
handling stands, the solution to confirm, what follows to make up for it (问题处理进展/解决方案确认/
后续补偿方案) — and to choose the channel by the matter: important matters (need changes, complaints)
by video or a visit, greetings and care by SMS or IM, everything else by phone.

Every figure comes from the engine's own rules (follow-ups, plans, contracts, risk signals, care), computed
on the customer's own records only, so a brief costs the same in a repository of 100 or 100,000 records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from crmdata.engine.care import CareMoment, care_moments
from crmdata.engine.contracts import renewals_due, unpaid_payments
from crmdata.engine.plans import PlanDue, plans_due
from crmdata.engine.schedule import FollowUp, Status, contacts_by_customer, follow_up, is_new, open_complaints
from crmdata.engine.segments import RiskSignal, risks
from crmdata.records.dataset import Dataset
from crmdata.records.models import Channel, Customer, Interaction, InteractionKind, Policy, Stage, Tier, Value
from crmdata.records.models.contact import PRIVATE_CONTACT_FIELDS, Contact
from crmdata.records.privacy import mask

CONVERSATIONS_SHOWN = 5
"""The last conversations a brief lists (newest first)."""
NEED_CHANGE_DAYS = 180
"""Need changes recorded this many days back or less are current: they are the call's matter."""
NEED_CHANGES_SHOWN = 5


class Situation(StrEnum):
    """Which of the handbook's three kinds of conversation this one is; an open complaint comes first."""

    NEW = "new"
    ESTABLISHED = "established"
    COMPLAINT = "complaint"


TALKING_POINTS: dict[Situation, tuple[str, ...]] = {
    Situation.NEW: ("usage_feedback", "problem_solving", "cooperation_ideas"),
    Situation.ESTABLISHED: ("business_update", "new_services", "personal_needs"),
    Situation.COMPLAINT: ("handling_progress", "solution_confirmation", "compensation_plan"),
}
"""The handbook's talking points by situation, as keys of crmdata.engine.brief_words.BRIEF_WORDS."""


class ChannelReason(StrEnum):
    """Why a channel is suggested (the handbook's rule that applied)."""

    COMPLAINT = "complaint"
    NEED_CHANGES = "need_changes"
    CARE = "care"
    ROUTINE = "routine"


@dataclass(frozen=True)
class ChannelSuggestion:
    channels: tuple[Channel, ...]
    """Best first: a visit before video for a strategic or high-value customer, video first otherwise."""
    reason: ChannelReason


@dataclass(frozen=True)
class ContactCard:
    """A contact as the brief shows it: private fields masked unless the brief is internal."""

    name: str
    title: str | None
    phone: str | None
    email: str | None
    address: str | None
    birthday: str | None
    primary: bool


@dataclass(frozen=True)
class Conversation:
    interaction: str
    day: date
    channel: Channel
    kind: InteractionKind
    topic: str
    summary: str | None
    feedback: str | None
    satisfaction: int | None


@dataclass(frozen=True)
class OpenTodo:
    interaction: str
    task: str
    due: date
    owner: str
    days_overdue: int
    """0 unless overdue (due before as_of)."""

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class OpenComplaint:
    interaction: str
    day: date
    topic: str
    summary: str | None
    days_open: int


@dataclass(frozen=True)
class NeedChange:
    interaction: str
    day: date
    text: str


@dataclass(frozen=True)
class RenewalComing:
    contract: str
    title: str
    end: date
    due: date
    status: Status
    days_overdue: int


@dataclass(frozen=True)
class PaymentComing:
    contract: str
    title: str
    due: date
    amount: float
    currency: str
    days_overdue: int


@dataclass(frozen=True)
class Brief:
    """Everything `crm show` says about one customer on `as_of`."""

    as_of: date
    customer: Customer
    owner_name: str
    internal: bool
    contacts: tuple[ContactCard, ...]
    followup: FollowUp | None
    """None for a churned customer: nothing is due."""
    plans: tuple[PlanDue, ...]
    conversations: tuple[Conversation, ...]
    todos: tuple[OpenTodo, ...]
    complaints: tuple[OpenComplaint, ...]
    need_changes: tuple[NeedChange, ...]
    renewals: tuple[RenewalComing, ...]
    payments: tuple[PaymentComing, ...]
    risk_signals: tuple[RiskSignal, ...]
    at_risk: bool
    care: tuple[CareMoment, ...]
    situation: Situation
    talking_points: tuple[str, ...]
    channel: ChannelSuggestion


def customer_records(dataset: Dataset, customer: Customer) -> Dataset:
    """The dataset cut down to one customer's records: the engine's rules give the same answers for that
    customer, at the cost of its records only."""
    return Dataset(
        root=dataset.root,
        config=dataset.config,
        customers=[customer],
        interactions=[record for record in dataset.interactions if record.customer == customer.id],
        plans=[record for record in dataset.plans if record.customer == customer.id],
        opportunities=[record for record in dataset.opportunities if record.customer == customer.id],
        contracts=[record for record in dataset.contracts if record.customer == customer.id],
    )


def brief(dataset: Dataset, as_of: date, customer: Customer, *, internal: bool = False) -> Brief:
    """The call brief of `customer` on `as_of`; contacts' private fields masked unless `internal`."""
    own = customer_records(dataset, customer)
    policy = own.config.policy if own.config is not None else Policy()
    history = sorted((record for record in own.interactions if record.day <= as_of), key=lambda i: (i.day, i.id))
    churned = customer.stage is Stage.CHURNED
    followup = (
        None if churned else follow_up(customer, contacts_by_customer(history, as_of)[customer.id], policy, as_of)
    )
    complaints = tuple(
        OpenComplaint(record.id, record.day, record.topic, record.summary, (as_of - record.day).days)
        for record in open_complaints(own, as_of)
    )
    need_changes = tuple(
        NeedChange(record.id, record.day, text)
        for record in reversed(history)
        if (as_of - record.day).days <= NEED_CHANGE_DAYS
        for text in record.need_changes
    )[:NEED_CHANGES_SHOWN]
    soon = as_of + timedelta(days=policy.due_soon_days)
    titles = {contract.id: contract.title for contract in own.contracts}
    renewals = tuple(
        RenewalComing(item.contract_id, titles[item.contract_id], item.end, item.due, item.status, item.days_overdue)
        for item in renewals_due(own, as_of)
        if item.status is not Status.OK
    )
    payments = tuple(
        PaymentComing(
            contract.id,
            contract.title,
            payment.due,
            payment.amount,
            contract.currency_in(own.config),
            max(0, (as_of - payment.due).days),
        )
        for contract, _, payment in unpaid_payments(own, as_of)
        if payment.due <= soon
    )
    risk = risks(own, as_of).get(customer.id)
    care = tuple(care_moments(own, as_of, window_days=policy.due_soon_days))
    situation = _situation(customer, complaints, policy, as_of)
    return Brief(
        as_of=as_of,
        customer=customer,
        owner_name=dataset.member_name(customer.owner),
        internal=internal,
        contacts=tuple(_card(contact, internal) for contact in customer.contacts),
        followup=followup,
        plans=tuple(plans_due(own, as_of)),
        conversations=tuple(_conversation(record) for record in reversed(history[-CONVERSATIONS_SHOWN:])),
        todos=_open_todos(history, as_of),
        complaints=complaints,
        need_changes=need_changes,
        renewals=renewals,
        payments=tuple(sorted(payments, key=lambda item: (item.due, item.contract))),
        risk_signals=risk.signals if risk is not None else (),
        at_risk=risk.at_risk if risk is not None else False,
        care=care,
        situation=situation,
        talking_points=TALKING_POINTS[situation],
        channel=_channel(customer, complaints, need_changes, care, followup),
    )


def _situation(customer: Customer, complaints: tuple[OpenComplaint, ...], policy: Policy, as_of: date) -> Situation:
    """An open complaint comes first; then new (within policy.new_customer_days of `since`, or still
    being approached) or established."""
    if complaints:
        return Situation.COMPLAINT
    if customer.stage is Stage.PROSPECTING or is_new(customer, policy, as_of):
        return Situation.NEW
    return Situation.ESTABLISHED


def _channel(
    customer: Customer,
    complaints: tuple[OpenComplaint, ...],
    need_changes: tuple[NeedChange, ...],
    care: tuple[CareMoment, ...],
    followup: FollowUp | None,
) -> ChannelSuggestion:
    """The handbook's rule: important matters (complaints, need changes) by video or a visit (a visit first
    for a strategic or high-value customer), a greeting alone by SMS or IM, everything else by phone."""
    face_to_face = (Channel.VIDEO, Channel.VISIT)
    if customer.tier is Tier.STRATEGIC or customer.value is Value.HIGH:
        face_to_face = (Channel.VISIT, Channel.VIDEO)
    if complaints:
        return ChannelSuggestion(face_to_face, ChannelReason.COMPLAINT)
    if need_changes:
        return ChannelSuggestion(face_to_face, ChannelReason.NEED_CHANGES)
    nothing_due = followup is None or followup.status is Status.OK
    if care and nothing_due:
        return ChannelSuggestion((Channel.SMS, Channel.IM), ChannelReason.CARE)
    return ChannelSuggestion((Channel.PHONE,), ChannelReason.ROUTINE)


def _card(contact: Contact, internal: bool) -> ContactCard:
    private: dict[str, str | None] = {}
    for field in PRIVATE_CONTACT_FIELDS:
        value = getattr(contact, field)
        if value is None:
            private[field] = None
        else:
            shown = value.isoformat() if isinstance(value, date) else str(value)
            private[field] = shown if internal else mask(field, value)
    return ContactCard(
        name=contact.name,
        title=contact.title,
        phone=private["phone"],
        email=private["email"],
        address=private["address"],
        birthday=private["birthday"],
        primary=contact.primary,
    )


def _conversation(record: Interaction) -> Conversation:
    return Conversation(
        interaction=record.id,
        day=record.day,
        channel=record.channel,
        kind=record.kind,
        topic=record.topic,
        summary=record.summary,
        feedback=record.feedback,
        satisfaction=record.satisfaction,
    )


def _open_todos(history: list[Interaction], as_of: date) -> tuple[OpenTodo, ...]:
    """Todos open on as_of (no `done`, or done later), overdue first by due day."""
    found = []
    for record in history:
        for todo in record.todos:
            if todo.done is None or todo.done > as_of:
                owner = todo.owner or record.owner
                found.append(OpenTodo(record.id, todo.task, todo.due, owner, max(0, (as_of - todo.due).days)))
    return tuple(sorted(found, key=lambda todo: (todo.due, todo.interaction, todo.task)))


def brief_json(item: Brief, language: object) -> dict[str, object]:
    """The brief as `crm show --format json` prints it: English keys and enum values; the talking points,
    the channel's reason and the risk signals also worded in `language` (`text`)."""
    from crmdata.engine.brief_words import BRIEF_WORDS
    from crmdata.engine.risk_words import risk_signal_text
    from crmdata.engine.schedule import followup_json

    customer = item.customer
    followup = item.followup
    return {
        "as_of": item.as_of.isoformat(),
        "internal": item.internal,
        "customer": {
            "id": customer.id,
            "name": customer.name,
            "type": customer.type.value,
            "tier": customer.tier.value,
            "stage": customer.stage.value,
            "value": customer.value.value,
            "owner": customer.owner,
            "owner_name": item.owner_name,
            "since": _day(customer.since),
            "industry": customer.industry,
            "tags": list(customer.tags),
            "needs": list(customer.needs),
            "churned_on": _day(customer.churned_on),
            "churn_reason": customer.churn_reason,
            "contacts": [
                {
                    "name": card.name,
                    "title": card.title,
                    "phone": card.phone,
                    "email": card.email,
                    "address": card.address,
                    "birthday": card.birthday,
                    "primary": card.primary,
                }
                for card in item.contacts
            ],
        },
        "situation": item.situation.value,
        "followup": followup_json(followup) if followup is not None else None,
        "plans": [
            {
                "plan": plan.plan_id,
                "goal": plan.goal,
                "content": list(plan.content),
                "due": plan.due.isoformat(),
                "status": plan.status.value,
                "days_overdue": plan.days_overdue,
            }
            for plan in item.plans
        ],
        "conversations": [
            {
                "interaction": talk.interaction,
                "date": talk.day.isoformat(),
                "channel": talk.channel.value,
                "kind": talk.kind.value,
                "topic": talk.topic,
                "summary": talk.summary,
                "feedback": talk.feedback,
                "satisfaction": talk.satisfaction,
            }
            for talk in item.conversations
        ],
        "todos": [
            {
                "interaction": todo.interaction,
                "task": todo.task,
                "due": todo.due.isoformat(),
                "owner": todo.owner,
                "overdue": todo.overdue,
                "days_overdue": todo.days_overdue,
            }
            for todo in item.todos
        ],
        "complaints": [
            {
                "interaction": complaint.interaction,
                "date": complaint.day.isoformat(),
                "topic": complaint.topic,
                "summary": complaint.summary,
                "days_open": complaint.days_open,
            }
            for complaint in item.complaints
        ],
        "need_changes": [
            {"interaction": change.interaction, "date": change.day.isoformat(), "text": change.text}
            for change in item.need_changes
        ],
        "renewals": [
            {
                "contract": renewal.contract,
                "title": renewal.title,
                "end": renewal.end.isoformat(),
                "due": renewal.due.isoformat(),
                "status": renewal.status.value,
                "days_overdue": renewal.days_overdue,
            }
            for renewal in item.renewals
        ],
        "payments": [
            {
                "contract": payment.contract,
                "title": payment.title,
                "due": payment.due.isoformat(),
                "amount": payment.amount,
                "currency": payment.currency,
                "days_overdue": payment.days_overdue,
            }
            for payment in item.payments
        ],
        "risk": {
            "at_risk": item.at_risk,
            "signals": [
                {"name": signal.name, "weight": signal.weight, "text": risk_signal_text(signal, language)}
                for signal in item.risk_signals
            ],
        },
        "care": [
            {
                "kind": moment.kind.value,
                "date": moment.day.isoformat() if item.internal or not moment.private else None,
                "contact": moment.contact,
            }
            for moment in item.care
        ],
        "talking_points": [{"key": key, "text": BRIEF_WORDS.say(key).text(language)} for key in item.talking_points],
        "channel": {
            "suggested": [channel.value for channel in item.channel.channels],
            "reason": item.channel.reason.value,
            "text": BRIEF_WORDS.say(f"channel_{item.channel.reason.value}").text(language),
        },
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
