"""Satisfaction analysis (满意度分析): what goes with a high or a low score.

The handbooks ask a team to "find the factors behind satisfaction": the same scores seen by channel, kind of
conversation, owner, industry, customer type and tier, month by month, beside the topics customers complain
about. Pure: (dataset, as_of) in, numbers out; the site words and draws them.

Why it is built this way:

* A mean of two scores says nothing, yet a table puts it beside a mean of two hundred as if they weighed the
  same. Every group carries its count and `too_small` (fewer than `MIN_GROUP` scores), so a page can show the
  figure and say that it is too small to judge instead of hiding it or ranking it.
* The window is the last `WINDOW_MONTHS` months up to as_of (the months of the trend), so the groups and the
  trend describe the same conversations, and old habits do not outweigh this year's.
* Complaints count in their topics whether they carry a score or not (most do not): the topic is what the
  customer was unhappy about.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from crmdata.records.dataset import Dataset
from crmdata.records.models import Customer, Interaction, InteractionKind

MIN_GROUP = 5
"""A group with fewer scores than this is flagged too small to judge: one unhappy call would swing its mean."""
WINDOW_MONTHS = 12
"""The analysis covers this many months up to as_of's month (as the KPIs' yearly figures do)."""
TOPIC_ROWS = 15
"""The complaint topics listed, most frequent first; the rest are counted."""
FACTORS = ("channel", "kind", "owner", "industry", "type", "tier")
"""The factors a score is grouped by, in the order a page shows them: of the conversation, then of the customer."""


@dataclass(frozen=True)
class Group:
    """The scores of one value of a factor (the channel `wechat`, the owner `ming`)."""

    key: str
    """The value as recorded (an enum value, an owner key, an industry); "" when the record has none."""
    count: int
    mean: float
    low: int
    """How many of the scores are 1 or 2: unhappy customers hide in a fair mean."""

    @property
    def too_small(self) -> bool:
        return self.count < MIN_GROUP


@dataclass(frozen=True)
class Month:
    """One month of the trend; mean is None when nothing was scored that month."""

    month: str  # "YYYY-MM"
    count: int
    mean: float | None


@dataclass(frozen=True)
class Topic:
    """A topic complaints were about, with how many, and how many of them are still open on as_of."""

    topic: str
    count: int
    open: int


@dataclass(frozen=True)
class SatisfactionReport:
    """Everything the satisfaction page shows."""

    start: date
    """The first day of the window (the first day of its first month)."""
    count: int
    mean: float | None
    groups: dict[str, list[Group]]
    """dimension (see FACTORS) -> its groups, largest first (then lowest mean first, then key)."""
    months: list[Month]
    topics: list[Topic]
    complaints: int
    """Complaints in the window (every topic's count summed, the ones past TOPIC_ROWS included)."""
    topics_more: int
    """Topics beyond the TOPIC_ROWS listed."""


def month_keys(as_of: date, months: int = WINDOW_MONTHS) -> list[str]:
    """The `months` months up to as_of's, oldest first, as "YYYY-MM"."""
    keys = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def satisfaction_report(ds: Dataset, as_of: date) -> SatisfactionReport:
    """The scored conversations of the last WINDOW_MONTHS months up to as_of, by factor and by month, and
    the window's complaints by topic."""
    months = month_keys(as_of)
    start = date(int(months[0][:4]), int(months[0][5:]), 1)
    customers = {customer.id: customer for customer in ds.customers}
    in_window = [i for i in ds.interactions if start <= i.day <= as_of]
    scored = [i for i in in_window if i.satisfaction is not None]

    keys: dict[str, Callable[[Interaction, Customer | None], str]] = {
        "channel": lambda i, c: i.channel.value,
        "kind": lambda i, c: i.kind.value,
        "owner": lambda i, c: i.owner,
        "industry": lambda i, c: (c.industry or "") if c is not None else "",
        "type": lambda i, c: c.type.value if c is not None else "",
        "tier": lambda i, c: c.tier.value if c is not None else "",
    }
    rows = [(i, customers.get(i.customer), _score(i)) for i in scored]  # once, not once per factor
    groups = {dimension: _groups(rows, key) for dimension, key in keys.items()}
    by_month: dict[str, list[int]] = defaultdict(list)
    for interaction in scored:
        by_month[interaction.day.strftime("%Y-%m")].append(_score(interaction))
    trend = [Month(month, len(by_month[month]), _mean(by_month[month])) for month in months]

    complaints = [i for i in in_window if i.kind is InteractionKind.COMPLAINT]
    counted = Counter(" ".join(c.topic.split()) for c in complaints)
    still_open = Counter(" ".join(c.topic.split()) for c in complaints if c.resolved is None or c.resolved > as_of)
    ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    topics = [Topic(topic, count, still_open[topic]) for topic, count in ranked[:TOPIC_ROWS]]
    scores = [_score(i) for i in scored]
    return SatisfactionReport(
        start=start,
        count=len(scores),
        mean=_mean(scores),
        groups=groups,
        months=trend,
        topics=topics,
        complaints=len(complaints),
        topics_more=max(0, len(ranked) - TOPIC_ROWS),
    )


def _score(interaction: Interaction) -> int:
    assert interaction.satisfaction is not None  # only scored conversations reach here
    return int(interaction.satisfaction)


def _mean(scores: list[int]) -> float | None:
    return sum(scores) / len(scores) if scores else None


def _groups(
    rows: list[tuple[Interaction, Customer | None, int]], key: Callable[[Interaction, Customer | None], str]
) -> list[Group]:
    """The scores by `key` of each (conversation, its customer, its score): largest group first, so what most
    customers meet comes before the rare cases."""
    found: dict[str, list[int]] = defaultdict(list)
    for interaction, customer, score in rows:
        found[key(interaction, customer)].append(score)
    groups = [
        Group(value, len(scores), sum(scores) / len(scores), sum(1 for s in scores if s <= 2))
        for value, scores in found.items()
    ]
    return sorted(groups, key=lambda group: (-group.count, group.mean, group.key))
