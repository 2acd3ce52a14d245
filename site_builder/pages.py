"""The pages of the site: small registered functions, each yielding the pages (and files) of one kind.

A page is a template name and a context; rendering is render.py's job, writing is staging.py's. Adding a
page type is writing one function under `@page_set`. URLs are stable: they come from ids and keys only.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import NamedTuple

from markupsafe import Markup

from crmdata.engine import calendar_feed as feeds
from crmdata.engine.calendar_feed import (
    Feed,
    FeedSources,
    event_bytes,
    feed_bytes,
    feeds_by_owner,
    open_todos_by_owner,
)
from crmdata.engine.kpis import KPIS
from crmdata.engine.satisfaction import FACTORS, MIN_GROUP, SatisfactionReport, satisfaction_report
from crmdata.engine.schedule import Freshness, Status
from crmdata.records.models import Channel, Customer, CustomerType, Interaction, OpportunityStage, Stage, Tier, Value
from crmdata.records.money import format_amount
from crmdata.records.vocabulary import LABELS
from site_builder import charts
from site_builder.kept import code_of, keep_names, kept, kept_answers, recipe_name
from site_builder.labels import Labels
from site_builder.privacy import shown
from site_builder.sitedata import (
    AHEAD_DAYS,
    SiteData,
    When,
    new_and_churned_by_quarter,
    payment_lines,
    satisfaction_history,
)
from site_builder.sparkline import trend_svg

TIMELINE_FULL = 15
TIMELINE_LISTED = 40
TIMELINE_PAGE = 40
"""A customer page shows its latest 15 conversations in full, the 40 before them one line each in a folded
list, and every older one in full on pages of its own (customers/<id>-2/, -3/, …) of 40 each: a customer
with 300 conversations would otherwise make a page of several hundred kilobytes, and a browser user cannot
open a record file."""
TODO_ROWS = 30
TODO_PAGE = 100
"""A customer page lists its 30 most overdue open todos; the rest are on pages of their own
(customers/<id>-todos-2/, …) of 100 each, so every open todo is one click away and every page stays light."""
LIST_ROWS = 30
"""A list (a segment's members, an owner's portfolio or due list) shows this many rows, then links to the
customer index filtered to the rest: a page of 5,000 rows is neither readable nor light."""
GROUP_ROWS = 4
"""The follow-ups page shows this many rows per owner and status (twice as many todos, complaints and care
moments): it holds every owner's groups, so it must stay short to stay light."""
INDEX_COLUMNS = (
    "id", "name", "type", "tier", "stage", "value", "owner", "industry", "tags", "last_contact", "next_due",
    "freshness", "url", "freshness_key", "status_key", "stage_key", "tier_key", "owner_key", "segments",
    "type_key", "value_key",
)  # fmt: skip
"""customers/index.json: one array per customer in this order; the first twelve are the table's columns
(display text), the rest what the links, filters and sorting need."""
INDEX_ORDER: dict[str, type[Enum]] = {
    "type": CustomerType, "tier": Tier, "stage": Stage, "value": Value, "freshness": Freshness,
}  # fmt: skip
"""The index's columns that sort by meaning, not by their words: the enum's declared order is the order
(prospecting → churned, high → low, green → grey). crm.js sorts these columns by the rank of `<column>_key`."""
ATTENTION_ROWS = 5
"""The dashboard's "needs attention" lists show this many rows, then link to the full list."""
STAGE_ROWS = 8
"""The pipeline page lists this many opportunities per stage (largest amount first) and counts the rest."""
PLAN_ROWS = 80
"""The plans page shows this many of this month's occurrences in all, shared among the owners (at least 3
each), and the renewals and receivables page RENEWAL_ROWS rows per list (overdue first, so what is cut is
the furthest ahead); each cut list links to its full list (lists/…): with 2,000 customers 40 rows per
owner made a plans page of 83 KB, over the 50 KB every page keeps to."""
RENEWAL_ROWS = 25
OPEN_STAGES = (
    OpportunityStage.LEAD,
    OpportunityStage.QUALIFIED,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
)


@dataclass(frozen=True)
class Page:
    """One generated Markdown page."""

    src: str
    template: str
    title: str
    context: dict[str, object] = field(default_factory=dict)
    nav: tuple[str, ...] | None = None
    """Where the page sits in the navigation (section titles, then its own), or None: reached by links."""
    keyed: bool = False
    """Everything the page shows is in its context or among the site-wide values (page_keys.SITE_WIDE): its
    template sees `data` only through page_keys.SiteWideView, and the page is rendered again only when its key
    (code, site-wide values, template, path, title, context) changed."""


@dataclass(frozen=True)
class Asset:
    """One generated file that is not a page: a chart, a calendar feed."""

    src: str
    content: str | bytes


Output = Page | Asset


class Placed(NamedTuple):
    """What the build keeps of a page or file once it is written to the staging folder: its path and its
    place in the navigation (None for a file, or a page reached by links), never its content."""

    src: str
    nav: tuple[str, ...] | None


PAGE_SETS: list[Callable[[SiteData], Iterable[Output]]] = []


def page_set(function: Callable[[SiteData], Iterable[Output]]) -> Callable[[SiteData], Iterable[Output]]:
    PAGE_SETS.append(function)
    return function


def all_outputs(data: SiteData) -> Iterator[Output]:
    for function in PAGE_SETS:
        yield from function(data)


def slug(text: str) -> str:
    """A file-name-safe, stable slug: letters and digits (Chinese included) kept, a short hash when changed."""
    safe = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")[:60]
    if safe == text and safe:
        return safe
    return f"{safe}-{hashlib.sha1(text.encode()).hexdigest()[:6]}".lstrip("-")


def segment_src(key: str) -> str:
    return f"segments/{slug(key.replace(':', '-'))}.md"


@dataclass(frozen=True)
class ChartRef:
    """What a template needs to show a chart: its two image files, title, text alternative and data."""

    title: str
    alt: str
    light: str
    dark: str
    categories: list[str]
    series: dict[str, list[float | None]]

    @property
    def rows(self) -> list[tuple[str, list[float | None]]]:
        """The data as a table: one row per category, one cell per series."""
        return [
            (category, [values[i] for values in self.series.values()]) for i, category in enumerate(self.categories)
        ]


def _chart_outputs(
    chart: charts.Chart, categories: list[str], series: dict[str, list[float | None]]
) -> tuple[ChartRef, list[Asset]]:
    light, dark = f"assets/charts/{chart.key}-light.svg", f"assets/charts/{chart.key}-dark.svg"
    ref = ChartRef(chart.title, chart.alt, light, dark, categories, series)
    return ref, [Asset(light, chart.svg_light), Asset(dark, chart.svg_dark)]


def dashboard_charts(data: SiteData) -> tuple[list[ChartRef], list[Asset]]:
    """The dashboard's charts, from the KPI report and the follow-up plans."""
    t, term, lang = data.labels.t, data.labels.term, data.labels.language
    refs: list[ChartRef] = []
    assets: list[Asset] = []

    def add(chart: charts.Chart, categories: list[str], series: Mapping[str, Sequence[float | None]]) -> None:
        ref, files = _chart_outputs(chart, categories, {name: list(values) for name, values in series.items()})
        refs.append(ref)
        assets.extend(files)

    by_month = data.kpi_report["interactions_by_month"]
    assert isinstance(by_month, dict)
    months = list(by_month)
    used = [channel for channel in Channel if any(by_month[m].get(channel.value, 0) for m in months)]
    channel_series = {term(ch): [by_month[m].get(ch.value, 0) for m in months] for ch in used}
    if not channel_series:  # no conversation in the last twelve months: a flat chart says so
        channel_series = {t("count"): [0] * len(months)}
    add(
        charts.bar_chart(
            "interactions-by-month", t("interactions_by_channel"), months, channel_series, stacked=True, language=lang
        ),
        months,
        dict(channel_series),
    )
    stage_counts = Counter(customer.stage for customer in data.customers.values())
    stages = [term(stage) for stage in Stage]
    stage_series: dict[str, list[int]] = {t("count"): [stage_counts[stage] for stage in Stage]}
    add(
        charts.bar_chart("customers-by-stage", t("customers_by_stage"), stages, stage_series, language=lang),
        stages,
        stage_series,
    )
    for dimension, key in (("type", "customers_by_type"), ("tier", "customers_by_tier")):
        counts = Counter(getattr(customer, dimension) for customer in data.customers.values())
        if not counts:  # no customers yet (a new team's first build): nothing to split
            continue
        names = [term(value) for value in counts]
        series = {t("count"): list(counts.values())}
        chart = charts.bar_chart(f"customers-by-{dimension}", t(key), names, series, horizontal=True, language=lang)
        add(chart, names, series)
    statuses = [Status.OVERDUE, Status.DUE_SOON, Status.OK]
    status_names = [term(status) for status in statuses]
    status_series = {t("count"): [len(data.by_status(status)) for status in statuses]}
    add(
        charts.bar_chart("followup-status", t("followup_status"), status_names, status_series, language=lang),
        status_names,
        status_series,
    )
    by_quarter = data.kpi_report["satisfaction_by_quarter"]
    assert isinstance(by_quarter, dict)
    quarters = list(by_quarter)
    csat: dict[str, list[float | None]] = {t("satisfaction"): [by_quarter[q] for q in quarters]}
    add(
        charts.line_chart(
            "satisfaction-by-quarter", t("satisfaction_by_quarter"), quarters, csat, value_range=(1, 5), language=lang
        ),
        quarters,
        csat,
    )
    labels, won, lost = new_and_churned_by_quarter(data)
    flow = {t("new"): list(won), t("churned"): list(lost)}
    add(charts.bar_chart("new-vs-churned", t("new_vs_churned"), labels, flow, language=lang), labels, flow)
    return refs, assets


def kpi_rows(data: SiteData, values: dict[str, object], owner: str | None = None) -> list[dict[str, object]]:
    """Every scalar KPI with its value now, at each trend point before, and its 12-month trend as a sparkline
    (the team's, or `owner`'s among the owners of each day; "" outside git: site_builder.past_kpis)."""
    rows = []
    for definition in KPIS:
        if definition.unit == "table":
            continue
        before = {days: data.kpi_before[days].get(definition.name) for days in data.kpi_before}
        value = values.get(definition.name)
        rows.append(
            {
                "key": definition.name,
                "title": definition.title(data.language),
                "unit": definition.unit,
                "value": value,
                "before": before,
                "definition": definition.explained(data.language, data.policy),
                "trend": kpi_trend(data, definition.name, definition.unit, value, owner),
            }
        )
    return rows


def kpi_trend(data: SiteData, key: str, unit: str, now: object, owner: str | None) -> Markup:
    """The sparkline of one KPI over data.kpi_series and now, labelled with each day's value as shown."""
    if not data.kpi_series:
        return Markup("")
    points: list[tuple[date, object]] = []
    for day, report in data.kpi_series:
        values = report
        if report is not None and owner is not None:
            by_owner = report.get("by_owner")
            values = by_owner.get(owner) if isinstance(by_owner, dict) else None
        points.append((day, values.get(key) if isinstance(values, dict) else None))
    points.append((data.as_of, now))
    numbers = [float(value) if isinstance(value, int | float) else None for _, value in points]
    label = "; ".join(f"{day.isoformat()}: {tile_text(data, unit, value)}" for day, value in points)
    return trend_svg(numbers, label)


@dataclass(frozen=True)
class TileTarget:
    """Where a dashboard tile leads: the customer index with filters, or a page (and an anchor on it)."""

    index: Mapping[str, str] | None = None
    page: str | None = None
    anchor: str = ""


DASHBOARD_TILES: tuple[tuple[str, TileTarget], ...] = (
    ("overdue_followups", TileTarget(index={"status": "overdue"})),
    ("overdue_todos", TileTarget(page="lists/todos.md")),
    ("open_complaints", TileTarget(page="lists/complaints.md")),
    ("receivables_overdue", TileTarget(page="lists/payments-overdue.md")),
    ("renewals_due", TileTarget(page="lists/renewals-due.md")),
    ("silent_customers", TileTarget(index={"segment": "silent"})),
    ("followup_on_time_rate_90d", TileTarget(page="help/kpis.md", anchor="followup_on_time_rate_90d")),
    ("followup_compliance", TileTarget(index={"status": "ok"})),
    ("csat_avg", TileTarget(page="help/kpis.md", anchor="csat_avg")),
    ("pipeline_open_value", TileTarget(page="pipeline.md")),
    ("retention_12m", TileTarget(page="help/kpis.md", anchor="retention_12m")),
    ("churn_rate_12m", TileTarget(index={"stage": "churned"})),
    ("new_customers_12m", TileTarget(index={"segment": "new"})),
)
"""The dashboard's tiles in the order to look at them: what is late and costs the most if left (overdue
follow-ups, todos, complaints, money owed, renewals coming), then the rates that say how the team keeps up,
then the business's direction. Each leads to the list behind its number: the customer index filtered to the
same customers, a full list, or the KPI's definition where no list holds it (a rate)."""


def tile_text(data: SiteData, unit: str, value: object) -> str:
    """A KPI value as a tile shows it (_macros.md.j2 kpi_value): a trend compares these, so that 95% and
    95% never get an arrow because 0.951 > 0.949."""
    if not isinstance(value, int | float):
        return "—"
    if unit == "ratio":
        return f"{value * 100:.0f}%"
    if unit == "amount":
        return format_amount(value, data.currency, data.language)
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def dashboard_tiles(data: SiteData) -> list[dict[str, object]]:
    """The tiles in DASHBOARD_TILES order: value, the value 30 days before, how that move reads (the KPI's
    declared good direction, crmdata.engine.kpis.GOOD_DIRECTION) and where the tile leads."""
    rows = {str(row["key"]): row for row in kpi_rows(data, data.kpi_report)}
    definitions = {definition.name: definition for definition in KPIS}
    tiles = []
    for key, target in DASHBOARD_TILES:
        row = rows[key]
        before = row["before"]
        assert isinstance(before, dict)
        now, then = row["value"], before.get(30)
        same = tile_text(data, str(row["unit"]), now) == tile_text(data, str(row["unit"]), then)
        judged = "same" if same else definitions[key].judged(now, then)  # equal as shown: no arrow
        if then is None and now is not None:
            judged = "unknown"  # 30 days ago not known (before the first commit): no arrow, no "same"
        tiles.append({**row, "before_30": before.get(30), "judged": judged, "target": target})
    return tiles


@page_set
def dashboard(data: SiteData) -> Iterator[Output]:
    refs, assets = dashboard_charts(data)
    yield from assets
    yield Page(
        "index.md",
        "dashboard.md.j2",
        data.labels.t("dashboard"),
        {"charts": refs, "tiles": dashboard_tiles(data), "rows": ATTENTION_ROWS},
        nav=(data.labels.t("dashboard"),),
    )


LIST_PAGE_ROWS = 50
"""A full list (every overdue todo, every renewal ahead…) shows this many rows per page and links to the
next: the dashboard's and other pages' "N more" lead to a list holding all of them, and 50 rows keep a
page well under 50 KB even with long tasks."""
DAY_ROWS = 25
"""An owner's day (我的今天) shows this many rows of each part (overdue, today, this week); the rest of a
part is a full list of its own, so a long overdue backlog does not hide today's work."""


@dataclass(frozen=True)
class FullList:
    """A list shown whole, over as many pages as it needs: `kind` names its table (list.md.j2)."""

    name: str
    kind: str
    title: str
    items: Sequence[object]


def list_src(name: str, page: int = 1) -> str:
    """The source path of a full list's page: lists/<name>.md, then lists/<name>-2.md, …"""
    return f"lists/{name}.md" if page == 1 else f"lists/{name}-{page}.md"


def full_lists(data: SiteData) -> Iterator[FullList]:
    """Every list another page cuts short, whole: the team's, each owner's, and each pipeline stage's."""
    t, term = data.labels.t, data.labels.term
    yield FullList("todos", "todos", t("overdue_todos"), data.todos)
    yield FullList("complaints", "complaints", t("open_complaints"), data.complaints)
    yield FullList("plans", "plans", t("plans_page"), data.plans_due)
    yield FullList("renewals", "renewals", t("renewals_ahead", days=AHEAD_DAYS), data.renewals)
    due_now = [renewal for renewal in data.renewals if renewal.status is not Status.OK]
    yield FullList("renewals-due", "renewals", t("renewals_due"), due_now)  # the KPI renewals_due's list
    yield FullList("payments-overdue", "payments_overdue", t("payments_overdue"), data.payments_overdue)
    yield FullList("payments-ahead", "payments_ahead", t("payments_ahead", days=AHEAD_DAYS), data.payments_ahead)
    if data.pipeline is not None:
        for summary in data.pipeline.stages:
            stage = summary.stage
            yield FullList(f"stage-{stage.value}", "opportunities", term(stage), data.opportunities_at(stage))
        by_id = data.ds.opportunity_by_id()
        stale = [by_id[id] for id in data.pipeline.stale]
        yield FullList("opportunities-without-contact", "opportunities", t("stale_opportunities"), stale)
    month = data.plans_this_month()
    for owner in data.team:
        name = data.team_name(owner)
        due = [plan for plan in data.plans_of(owner) if plan.status is not Status.OK]
        yield FullList(f"due-{owner}", "followups", f"{name} · {t('due_list')}", due)
        mine = data.todos_of_owner.get(owner, [])
        yield FullList(f"todos-{owner}", "todos", f"{name} · {t('overdue_todos')}", mine)
        plans = [due for due in month if due.owner == owner]
        yield FullList(f"plans-{owner}", "plans", f"{name} · {t('plans_this_month', day=data.month_end())}", plans)
        actions = data.actions_of(owner)
        for when in When:
            title = f"{name} · {day_part_title(data, when)}"
            yield FullList(f"{when.value}-{owner}", "actions", title, actions[when])


def day_part_title(data: SiteData, when: When) -> str:
    """The heading of a part of an owner's day: 已逾期（最久的在前）, 今天, 本周（至 …）."""
    t = data.labels.t
    if when is When.OVERDUE:
        return t("action_overdue")
    if when is When.TODAY:
        return t("action_today")
    return t("action_week", day=data.week_end().isoformat())


@page_set
def list_pages(data: SiteData) -> Iterator[Output]:
    """Each full list over pages of LIST_PAGE_ROWS rows (one page when empty: a link to it never breaks).

    The pages are keyed (Page.keyed): a page holds its rows, the names of their customers and the contracts
    they name, so a page whose rows did not change is not rendered again (1,500 pages at 10,000 customers)."""
    contracts = data.ds.contract_by_id()
    for full in full_lists(data):
        pages = max(1, -(-len(full.items) // LIST_PAGE_ROWS))
        for number in range(1, pages + 1):
            first = (number - 1) * LIST_PAGE_ROWS
            items = full.items[first : first + LIST_PAGE_ROWS]
            named = {_customer_of(item) for item in items}
            contract_ids = {str(getattr(item, "contract_id", "")) for item in items} - {""}
            yield Page(
                list_src(full.name, number),
                "list.md.j2",
                full.title,
                {
                    "kind": full.kind,
                    "total": len(full.items),
                    "items": items,
                    "first": first,
                    "number": number,
                    "pages": pages,
                    "previous": list_src(full.name, number - 1) if number > 1 else None,
                    "next": list_src(full.name, number + 1) if number < pages else None,
                    "named_customers": {
                        cid: Named(data.customers[cid].name) for cid in sorted(named) if cid in data.customers
                    },
                    "contract_of": {cid: contracts[cid] for cid in sorted(contract_ids) if cid in contracts},
                },
                keyed=True,
            )


@dataclass(frozen=True)
class Named:
    """What a keyed page shows of a customer it links to: the name (the macro `customer` reads `.name`)."""

    name: str


def _customer_of(item: object) -> str:
    """The customer id of a list's row: every row type has `customer`, a payment line has its contract's."""
    found = getattr(item, "customer", None)
    if found is None:
        found = getattr(getattr(item, "contract", None), "customer", None)
    return str(found)


@page_set
def day_pages(data: SiteData) -> Iterator[Output]:
    """我的今天: one page per owner with what to do, overdue (most urgent first), today, this week."""
    for owner in data.team:
        name = data.team_name(owner)
        yield Page(
            f"today/{owner}.md",
            "today.md.j2",
            data.labels.t("my_day_of", name=name),
            {
                "owner": owner,
                "name": name,
                "parts": [
                    (when, day_part_title(data, when), actions) for when, actions in data.actions_of(owner).items()
                ],
                "limit": DAY_ROWS,
            },
        )


@functools.cache
def _feed_code() -> str:
    """The feed's code and icalendar's version: part of every feed's recipe (site_builder.kept)."""
    return code_of(feeds.__file__, packages=("icalendar",))


@page_set
def followup_page(data: SiteData) -> Iterator[Output]:
    if data.worker_share is None and data.claims is None:  # a worker makes them beside the build (worker_outputs)
        yield from calendar_feeds(data)
    yield Page("followups.md", "followups.md.j2", data.labels.t("followups"), {}, nav=(data.labels.t("followups"),))


def calendar_feeds(data: SiteData) -> Iterator[Asset]:
    """Each team member's calendar feed; none in an encrypted site (SiteData.sealed)."""
    if data.sealed:
        return
    given = FeedSources(
        plans=data.plans,
        moments=data.care,
        plan_dues=data.plans_due,
        renewals=list(data.renewal_of.values()),
        todos=open_todos_by_owner(data.ds, data.as_of),
    )
    feeds = feeds_by_owner(data.ds, data.as_of, data.team, include_private=not data.masked, given=given)
    for owner, feed in feeds.items():
        keep_names({_events_file(owner)})  # the events stay kept while the whole feed is taken as it was
        written = kept(repr(("feed", _feed_code(), feed)), functools.partial(_feed_of_kept_events, owner, feed))
        yield Asset(f"calendar/{owner}.ics", written)


def _events_file(owner: str) -> str:
    return f"feed-events-{recipe_name(owner)}.json"


def _feed_of_kept_events(owner: str, feed: Feed) -> bytes:
    """A feed that changed, its events written by icalendar only when new (the others kept per owner by their
    recipe, site_builder.kept.kept_answers): a call logged today moves one event of its owner's feed, whose
    thousands of others took icalendar 2.5 s at 10,000 customers."""
    recipes = [recipe_name(repr((entry, feed.stamp))) for entry in feed.entries]
    entries = dict(zip(recipes, feed.entries, strict=True))
    texts = kept_answers(
        _events_file(owner),
        _feed_code(),
        lambda recipe: event_bytes(entries[recipe], feed.stamp).decode("utf-8"),
        recipes,
    )
    return feed_bytes(feed, [texts[recipe].encode("utf-8") for recipe in recipes])


@page_set
def plans_page(data: SiteData) -> Iterator[Output]:
    """This month's maintenance plans by owner: each current occurrence due by the month's end."""
    title = data.labels.t("plans_page")
    yield Page(
        "plans.md", "plans.md.j2", title, {"rows_per_owner": max(3, PLAN_ROWS // max(1, len(data.team)))}, nav=(title,)
    )


def funnel(data: SiteData) -> tuple[ChartRef, list[Asset]] | None:
    """The open stages as a funnel of their value, each with its count and amount; None without a pipeline."""
    if data.pipeline is None:
        return None
    t, term = data.labels.t, data.labels.term
    summaries = [summary for summary in data.pipeline.stages if summary.stage in OPEN_STAGES]
    if not summaries:
        return None
    names = [term(summary.stage) for summary in summaries]
    amounts = [format_amount(summary.value, data.currency, data.language) for summary in summaries]
    notes = [
        f"{t('stage_count', count=summary.count)} · {amount}"
        for summary, amount in zip(summaries, amounts, strict=True)
    ]
    stages = "；" if data.labels.language == "zh" else "; "
    alt = t(
        "funnel_alt",
        title=t("funnel"),
        stages=stages.join(
            t("funnel_stage", stage=name, count=summary.count, value=amount)
            for name, summary, amount in zip(names, summaries, amounts, strict=True)
        ),
    )
    chart = charts.funnel_chart(
        "pipeline-funnel", t("funnel"), names, [summary.value for summary in summaries], notes, alt
    )
    series: dict[str, list[float | None]] = {
        t("count"): [summary.count for summary in summaries],
        t("open_value"): [summary.value for summary in summaries],
    }
    return _chart_outputs(chart, names, series)


@page_set
def pipeline_page(data: SiteData) -> Iterator[Output]:
    """The pipeline: its stages as columns (count, value, the largest opportunities), a funnel, the win rate."""
    title = data.labels.t("pipeline_page")
    chart = funnel(data)
    if chart is not None:
        yield from chart[1]
    columns = [
        {"summary": summary, "opportunities": data.opportunities_at(summary.stage)}
        for summary in (data.pipeline.stages if data.pipeline is not None else ())
    ]
    yield Page(
        "pipeline.md",
        "pipeline.md.j2",
        title,
        {"columns": columns, "chart": chart[0] if chart else None, "stage_rows": STAGE_ROWS},
        nav=(title,),
    )


@page_set
def renewals_page(data: SiteData) -> Iterator[Output]:
    """Renewals and payments of the next 90 days, overdue first."""
    title = data.labels.t("renewals_page")
    yield Page("renewals.md", "renewals.md.j2", title, {"rows": RENEWAL_ROWS, "ahead_days": AHEAD_DAYS}, nav=(title,))


def customer_index(data: SiteData) -> dict[str, object]:
    """The data of the customer index, which the page's script renders, filters, sorts and pages: 10,000
    customers as HTML rows would make a page of several megabytes."""
    term = data.labels.term
    in_segments: dict[str, list[str]] = {}
    for segment in data.segments:
        if segment.kind != "dimension":
            for member in segment.members:
                in_segments.setdefault(member, []).append(segment.key)
    rows = []
    for customer in data.customers.values():
        plan = data.plan_of.get(customer.id)
        rows.append(
            [
                customer.id,
                customer.name,
                term(customer.type),
                term(customer.tier),
                term(customer.stage),
                term(customer.value),
                data.team_name(customer.owner),
                customer.industry or "",
                ", ".join(customer.tags),
                plan.last_contact.isoformat() if plan and plan.last_contact else "",
                plan.due.isoformat() if plan else "",
                term(plan.freshness) if plan else "",
                f"{customer.id}/",
                plan.freshness.value if plan else "",
                plan.status.value if plan else "",
                customer.stage.value,
                customer.tier.value,
                customer.owner,
                in_segments.get(customer.id, []),
                customer.type.value,
                customer.value.value,
            ]
        )
    order = {column: [member.value for member in kind] for column, kind in INDEX_ORDER.items()}
    return {"columns": list(INDEX_COLUMNS), "order": order, "rows": rows}


@dataclass(frozen=True)
class OpenTodo:
    """A todo of one of the customer's conversations not done on as_of, with where it was promised."""

    task: str
    due: date
    owner: str
    interaction: Interaction
    days_overdue: int
    """as_of - due when due is before as_of (crmdata.engine.schedule.overdue_todos' rule), else 0."""


def open_todos(timeline: list[Interaction], as_of: date) -> list[OpenTodo]:
    """Every todo of the timeline not done by as_of, the most overdue first: the customer page lists them
    all, so that "5 项待办逾期" in its risk signals is five rows below it."""
    found = [
        OpenTodo(todo.task, todo.due, todo.owner or i.owner, i, max(0, (as_of - todo.due).days))
        for i in timeline
        for todo in i.todos
        if todo.done is None or todo.done > as_of
    ]
    return sorted(found, key=lambda todo: (todo.due, todo.interaction.id, todo.task))


SPARK_POINTS = 24
"""The customer page's satisfaction sparkline shows the latest this many scores (the summary counts all)."""


def sparkline(scores: list[Interaction], labels: Labels) -> dict[str, object] | None:
    """The customer's scores (oldest first) as a row of small bars, one per score, and its summary in words.

    Drawn on every customer page, so HTML and CSS (a bar's height is its score), never a matplotlib chart:
    10,000 pages would each pay for one. Plain spans also pass the site's HTML sanitizer, which SVG would not.
    """
    if not scores:
        return None
    shown = scores[-SPARK_POINTS:]
    every = [int(i.satisfaction or 0) for i in scores]
    latest = scores[-1]
    summary = labels.t(
        "spark_summary",
        count=len(every),
        mean=f"{sum(every) / len(every):.1f}",
        latest=every[-1],
        day=latest.day.isoformat(),
    )
    return {
        "scores": [int(i.satisfaction or 0) for i in shown],
        "summary": summary,
        "alt": labels.t("spark_alt", first=shown[0].day.isoformat(), last=latest.day.isoformat(), summary=summary),
    }


def timeline_page_src(customer: str, number: int) -> str:
    """Page `number` (2, 3, …) of a customer's older conversations, beside the customer's own page."""
    return f"customers/{customer}-{number}.md"


def _my_customers(data: SiteData) -> Iterator[Customer]:
    """The customers whose pages this process renders: claimed in turns with the other (SiteData.claims), or
    its share of them (SiteData.worker_share), or all."""
    customers = list(data.customers.values())
    if data.claims is not None:
        yield from (customers[number] for number in data.claims.numbers(len(customers)))
        return
    taken, shares = data.worker_share or (1, 1)
    for number, customer in enumerate(customers):
        if data.worker_share is None or (number % shares < taken) == data.in_worker:
            yield customer


def timeline_pages(timeline: list[Interaction]) -> list[tuple[int, list[Interaction]]]:
    """The conversations after the first TIMELINE_FULL, TIMELINE_PAGE per page, numbered from 2."""
    older = timeline[TIMELINE_FULL:]
    return [
        (2 + n, older[start : start + TIMELINE_PAGE]) for n, start in enumerate(range(0, len(older), TIMELINE_PAGE))
    ]


@page_set
def customer_pages(data: SiteData) -> Iterator[Output]:
    """The customer index, and each customer's page with its further pages of older conversations and of
    open todos. Those are keyed (Page.keyed): everything about the customer that they show is computed here,
    into their context, and their templates read from `data` only the site-wide values (page_keys.SITE_WIDE)."""
    yield Asset("customers/index.json", json.dumps(customer_index(data), ensure_ascii=False, separators=(",", ":")))
    yield Page(
        "customers/index.md", "customers.md.j2", data.labels.t("customers"), {}, nav=(data.labels.t("customers"),)
    )
    if data.claims is None or data.in_worker:  # claimed in turns: the build takes its customers last
        yield from each_customers_pages(data)


def worker_outputs(data: SiteData) -> Iterator[Output]:
    """What a worker forked from the build makes (site_builder.keyed_pages): its customers' pages, and the
    calendar feeds, which the build then leaves out (followup_page). The feeds' events are a second of a
    10,000-customer build after an edit, when the worker's customer pages are nearly all kept."""
    yield from calendar_feeds(data)
    yield from each_customers_pages(data)


def each_customers_pages(data: SiteData) -> Iterator[Page]:
    """Each customer's page and its further pages, for the customers this process renders (SiteData.worker_share
    or SiteData.claims): every customer when the build renders alone."""
    for customer in _my_customers(data):
        timeline = data.timeline_of.get(customer.id, [])
        contacts = [
            {
                "name": contact.name,
                "title": contact.title,
                "primary": contact.primary,
                **{name: shown(getattr(contact, name), name, data.masked) for name in ("phone", "email", "address")},
                "birthday": shown(contact.birthday, "birthday", data.masked),
            }
            for contact in customer.contacts
        ]
        pages = timeline_pages(timeline)
        todos = open_todos(timeline, data.as_of)
        todo_pages = [
            (
                TODO_ROWS + start + 1,
                min(len(todos), TODO_ROWS + start + TODO_PAGE),
                f"customers/{customer.id}-todos-{n + 2}.md",
            )
            for n, start in enumerate(range(0, max(0, len(todos) - TODO_ROWS), TODO_PAGE))
        ]
        page_of = {i.id: timeline_page_src(customer.id, number) for number, items in pages for i in items}
        my_plans = data.plans_of_customer.get(customer.id, [])
        my_contracts = data.contracts_of.get(customer.id, [])
        named = [customer.id, *([customer.referred_by] if customer.referred_by else [])]
        yield Page(
            f"customers/{customer.id}.md",
            "customer.md.j2",
            f"{customer.name} ({customer.id})",
            {
                "customer": customer,
                "contacts": contacts,
                "plan": data.plan_of.get(customer.id),
                "fact": data.facts.get(customer.id),
                "timeline": timeline,
                "spark": sparkline(satisfaction_history(timeline), data.labels),
                "todos": todos,
                "todo_rows": TODO_ROWS,
                "todo_pages": todo_pages,
                "complaints": data.complaints_of.get(customer.id, []),
                "my_contracts": [
                    (contract, currency, payment_lines(contract, currency, data.as_of))
                    for contract in my_contracts
                    for currency in [contract.currency_in(data.ds.config)]
                ],
                "record_file": data.ds.file_of(customer),
                "timeline_full": TIMELINE_FULL,
                "timeline_listed": TIMELINE_LISTED,
                "timeline_pages": [(number, timeline_page_src(customer.id, number)) for number, _ in pages],
                "page_of": page_of,
                "my_plans": my_plans,
                "plan_dues": {plan.id: data.plan_due_of[plan.id] for plan in my_plans if plan.id in data.plan_due_of},
                "my_opportunities": data.opportunities_of.get(customer.id, []),
                "renewals": {k.id: data.renewal_of[k.id] for k in my_contracts if k.id in data.renewal_of},
                "renewed_by": {k.id: data.renewed_by[k.id] for k in my_contracts if k.id in data.renewed_by},
                "suggested": data.suggested_value.get(customer.id),
                "history": data.history_of.get(customer.id),
                "field_changes": data.field_changes_of.get(customer.id, []),
                "named_customers": {cid: data.customers[cid] for cid in named if cid in data.customers},
            },
            keyed=True,
        )
        for n, (first, last, src) in enumerate(todo_pages):
            yield Page(
                src,
                "customer_todos.md.j2",
                data.labels.t("todos_page_title", name=customer.name, number=n + 2),
                {
                    "customer": customer,
                    "items": todos[first - 1 : last],
                    "number": n + 2,
                    "first": first,
                    "last": last,
                    "total": len(todos),
                },
                keyed=True,
            )
        for number, items in pages:
            first = TIMELINE_FULL + (number - 2) * TIMELINE_PAGE + 1
            yield Page(
                timeline_page_src(customer.id, number),
                "customer_timeline.md.j2",
                data.labels.t("timeline_page_title", name=customer.name, number=number),
                {
                    "customer": customer,
                    "items": items,
                    "number": number,
                    "first": first,
                    "last": first + len(items) - 1,
                    "total": len(timeline),
                    "timeline_pages": [(n, timeline_page_src(customer.id, n)) for n, _ in pages],
                },
                keyed=True,
            )


SHARE_KPIS = ("pipeline_open_value", "pipeline_weighted_value", "renewals_due", "receivables_overdue")
"""The KPIs an owner page shows as the owner's share of the team's: the business each one looks after."""


def owner_shares(data: SiteData, values: Mapping[str, object]) -> list[dict[str, object]]:
    """The owner's value of each SHARE_KPIS beside the team's and the share (None when the team's is 0)."""
    rows = []
    for row in kpi_rows(data, dict(values)):
        if row["key"] not in SHARE_KPIS:
            continue
        mine, team = row["value"], data.kpi_report.get(str(row["key"]))
        share = mine / team if isinstance(mine, int | float) and isinstance(team, int | float) and team else None
        rows.append({**row, "team": team, "share": share})
    return rows


@page_set
def owner_pages(data: SiteData) -> Iterator[Output]:
    section = data.labels.t("owners")
    yield Page("owners/index.md", "owners.md.j2", section, {}, nav=(section,))
    by_owner = data.kpi_report["by_owner"]
    assert isinstance(by_owner, dict)
    for owner in data.team:
        name = data.team_name(owner)
        yield Page(
            f"owners/{owner}.md",
            "owner.md.j2",
            name,
            {
                "owner": owner,
                "name": name,
                "kpis": kpi_rows(data, by_owner.get(owner, {}), owner),
                "shares": owner_shares(data, by_owner.get(owner, {})),
            },
            nav=(section, name),
        )


@page_set
def segment_pages(data: SiteData) -> Iterator[Output]:
    section = data.labels.t("segments")
    yield Page("segments/index.md", "segments.md.j2", section, {}, nav=(section,))
    for segment in data.segments:
        yield Page(segment_src(segment.key), "segment.md.j2", segment.title, {"segment": segment})


@page_set
def kpi_page(data: SiteData) -> Iterator[Output]:
    title = data.labels.t("kpis")
    about = [
        {
            "key": definition.name,
            "title": definition.title(data.language),
            "unit": definition.unit,
            "summary": definition.summary(data.language),
            "definition": definition.explained(data.language, data.policy),
        }
        for definition in KPIS
    ]
    tables = [
        {**entry, "cells": kpi_table_cells(data, data.kpi_report[str(entry["key"])])}
        for entry in about
        if entry["unit"] == "table"
    ]
    yield Page(
        "kpis.md",
        "kpis.md.j2",
        title,
        {"rows": kpi_rows(data, data.kpi_report), "tables": tables, "about": about},
        nav=(title,),
    )


def kpi_table_cells(data: SiteData, table: object) -> list[tuple[str, object]]:
    """A table KPI's rows as (name, value) for people: a stage or channel by its word, a KPI's own key
    (`referred_customers`) by its label, a month as it is; a value that is itself a table as "word n, …"."""

    def name(key: object) -> str:
        worded = data.labels.term(key)
        return data.labels.t(str(key)) if worded == str(key) and str(key) in LABELS else worded

    rows: list[tuple[str, object]] = []
    for key, value in table.items() if isinstance(table, Mapping) else []:
        if isinstance(value, Mapping):
            value = ", ".join(f"{name(k)} {v}" for k, v in value.items() if v)
        rows.append((name(key), value))
    return rows


@page_set
def data_quality_page(data: SiteData) -> Iterator[Output]:
    title = data.labels.t("data_quality")
    yield Page("data-quality.md", "data_quality.md.j2", title, {"entries": quality_entries(data)}, nav=(title,))


FIELD_TO_EDIT = {"no_consent": "consent"}
"""The field a warning's fix writes, where it is not the field the warning points at (a missing field)."""


def quality_entries(data: SiteData) -> list[dict[str, object]]:
    """The warnings the data-quality page lists, each for people: the customer it is about (linked), the
    problem and the fix in words in the site's language, and the file and line for whoever edits it.

    One pass over the records finds the customer behind each warned file (its own file, or the record's
    `customer:`); only the files of the listed warnings are looked up."""
    shown_warnings = data.warnings[: LIST_ROWS * 5]  # the template shows as many
    files = {problem.file for problem in shown_warnings}
    customer_of: dict[str, str] = {}
    ds = data.ds
    for customer in ds.customers:
        if ds.file_of(customer) in files:
            customer_of[ds.file_of(customer)] = customer.id
    for records in (ds.interactions, ds.plans, ds.opportunities, ds.contracts):
        for record in records:
            if ds.file_of(record) in files:
                customer_of[ds.file_of(record)] = record.customer
    language = data.language
    entries: list[dict[str, object]] = []
    for problem in shown_warnings:
        said, fix = f"quality_said_{problem.code}", f"quality_fix_{problem.code}"
        about = data.customers.get(customer_of.get(problem.file, ""))
        entries.append(
            {
                "customer": about,
                "problem": data.labels.t(said) if said in LABELS else problem.text(language),
                "fix": data.labels.t(fix) if fix in LABELS else "",
                "where": f"{problem.file}:{problem.line}" if problem.line else problem.file,
                "field": FIELD_TO_EDIT.get(problem.code, problem.field),
            }
        )
    return entries


def satisfaction_charts(data: SiteData, report: SatisfactionReport) -> tuple[dict[str, ChartRef], list[Asset]]:
    """The satisfaction page's charts: the monthly mean and count, and the mean of each factor's groups (a
    group too small to judge is marked with "*" after its name, as the note under the chart says)."""
    t, lang = data.labels.t, data.labels.language
    refs: dict[str, ChartRef] = {}
    assets: list[Asset] = []
    months = [month.month for month in report.months]
    means: dict[str, list[float | None]] = {
        t("mean_score"): [None if m.mean is None else round(m.mean, 1) for m in report.months]
    }
    counts: dict[str, list[float | None]] = {t("scores_count"): [m.count for m in report.months]}
    for key, chart, series in (
        (
            "month",
            charts.line_chart(
                "satisfaction-by-month", t("satisfaction_by_month"), months, means, value_range=(1, 5), language=lang
            ),
            means,
        ),
        (
            "count",
            charts.bar_chart(
                "scores-by-month",
                t("scores_by_month"),
                months,
                {name: [v or 0 for v in values] for name, values in counts.items()},
                language=lang,
            ),
            counts,
        ),
    ):
        ref, files = _chart_outputs(chart, months, series)
        refs[key] = ref
        assets.extend(files)
    for dimension in FACTORS:
        groups = report.groups[dimension]
        if not groups:
            continue
        names = [group_name(data, dimension, group.key) + (" *" if group.too_small else "") for group in groups]
        values: dict[str, list[float | None]] = {t("mean_score"): [round(group.mean, 1) for group in groups]}
        chart = charts.bar_chart(
            f"satisfaction-by-{dimension}",
            t(f"satisfaction_by_{dimension}"),
            names,
            {name: [v or 0 for v in row] for name, row in values.items()},
            horizontal=True,
            language=lang,
        )
        ref, files = _chart_outputs(chart, names, values)
        refs[dimension] = ref
        assets.extend(files)
    return refs, assets


def group_name(data: SiteData, dimension: str, key: str) -> str:
    """A group's name as people say it: 微信, 张明, 制造业, 战略客户; "(not given)" for a record without one."""
    if not key:
        return data.labels.t("not_given")
    if dimension == "owner":
        return data.team_name(key)
    if dimension == "industry":
        return key
    return data.labels.term(key, of=dimension)  # channel, kind, type, tier: the vocabulary's sets of those names


@page_set
def satisfaction_page(data: SiteData) -> Iterator[Output]:
    """满意度分析: satisfaction by factor and by month, with the complaints' topics (crmdata.engine.satisfaction)."""
    title = data.labels.t("satisfaction_page")
    report = satisfaction_report(data.ds, data.as_of)
    refs, assets = satisfaction_charts(data, report)
    yield from assets
    sections = [
        {
            "key": dimension,
            "title": data.labels.t(f"satisfaction_by_{dimension}"),
            "chart": refs.get(dimension),
            "rows": [(group_name(data, dimension, group.key), group) for group in report.groups[dimension]],
        }
        for dimension in FACTORS
    ]
    yield Page(
        "satisfaction.md",
        "satisfaction.md.j2",
        title,
        {"report": report, "sections": sections, "month_chart": refs["month"], "count_chart": refs["count"],
         "min_group": MIN_GROUP},
        nav=(title,),
    )  # fmt: skip
