"""`crm find TEXT` and `crm show CUSTOMER`: look a customer up, and read the call brief before the call.

`crm find` lists every customer the text matches (id, name, pinyin initials, contact, tag, industry; a
phone number only with --internal), surest first, each with why it matched. Like grep it exits 1 when
nothing matches, so a script can test for a customer with `crm find … >/dev/null`.

`crm show` prints the brief of crmdata.engine.brief: as text for a terminal (sections with headings, no
line of crm's own longer than 100 columns, so it reads in a narrow CI log too), as JSON for scripts, or as
Markdown for a wiki or an issue (record text in code spans, crmdata.git.diff.md, so a name cannot ping,
link or inject markup). Contacts' private fields are masked unless --internal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import click

from crmdata.cli.common import (
    as_of_option,
    clip,
    display_width,
    dump_json,
    language_of,
    load_valid,
    pad,
    resolve_as_of,
    root_option,
    team_name,
)
from crmdata.cli.lookup import customer_argument
from crmdata.cli.output import say, say_lines, styled
from crmdata.engine.brief import Brief, Situation, brief, brief_json
from crmdata.engine.brief_words import BRIEF_WORDS
from crmdata.engine.find import Match, find_customers
from crmdata.engine.risk_words import risk_signal_text
from crmdata.engine.schedule import Status
from crmdata.records.models import Flag
from crmdata.records.money import format_amount
from crmdata.records.vocabulary import label, term
from crmdata.system.errors import ExitCode, ReportedError

NAME_COLUMNS = 32
"""Columns of a name in `crm find`'s table: long names are cut with … (the id is the handle anyway)."""


def reason_text(match: Match, language: str) -> str:
    """Why the customer matched, in `language`: `拼音 hxkj`, `tag 制造业`."""
    return BRIEF_WORDS.say(f"reason_{match.reason.key}", matched=match.matched).text(language)


@click.command("find")
@click.argument("text")
@root_option
@click.option("--internal", is_flag=True, help="Also match contacts' phone numbers (private: for the team only).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def find_command(text: str, root: Path, internal: bool, output_format: str) -> None:
    """Customers matching TEXT: id, a part of the name, pinyin, contact, tag, industry.

    Pinyin may be typed as initials (hxkj for 华星科技), whole (huaxing) or mixed (huaxkj); a name
    with or without its legal form matches (华星科技 finds 华星科技有限公司). Surest matches first: id,
    exact name, start of the name, part of the name, pinyin, contact, tag, industry. A phone number (any
    part of its digits) is matched only with --internal.

    Exit status: 0 when something matched, 1 when nothing did (as grep).

    \b
    Examples:
      crm find 华星
      crm find hxkj
      crm find 制造业 --format json
      crm find 13800 --internal
    """
    dataset = load_valid(root)
    language = language_of(dataset)
    matches = find_customers(dataset, text, internal=internal)
    if output_format == "json":
        rows = [
            {
                "customer": match.customer.id,
                "name": match.customer.name,
                "stage": match.customer.stage.value,
                "owner": match.customer.owner,
                "reason": match.reason.key,
                "matched": match.matched,
            }
            for match in matches
        ]
        say_lines(dump_json({"query": text, "matches": rows}))
    elif matches:
        _find_table(matches, lambda owner: team_name(dataset, owner), language)
    else:
        say(BRIEF_WORDS.say("find_none", given=text).text(language), err=True)
    if not matches:
        raise ReportedError(ExitCode.INVALID)


def _find_table(matches: list[Match], owner_name: Callable[[str], str], language: str) -> None:
    """The matches as aligned columns (Chinese text counts two columns a character)."""
    header = [label("id", language), label("name", language), label("stage", language), label("owner", language)]
    rows = [
        [
            match.customer.id,
            match.customer.name,
            term(match.customer.stage, language),
            owner_name(match.customer.owner),
            reason_text(match, language),
        ]
        for match in matches
    ]
    widths = [max(display_width(row[column]) for row in [*rows, header]) for column in range(4)]
    widths[1] = min(widths[1], NAME_COLUMNS)
    cells = [pad(cell, width) for cell, width in zip(header, widths, strict=True)]
    say(styled("  ".join([*cells, BRIEF_WORDS.say("matched_by").text(language)]), bold=True))
    for row in rows:
        cells = [pad(row[0], widths[0]), clip(row[1], widths[1]), pad(row[2], widths[2]), pad(row[3], widths[3])]
        say("  ".join([*cells, row[4]]))
    say(BRIEF_WORDS.say("find_count", count=len(matches)).text(language))


@click.command("show")
@click.argument("customer")
@root_option
@as_of_option
@click.option("--internal", is_flag=True, help="Show contacts' private fields unmasked (phone, e-mail …).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for a terminal, json for scripts, markdown for a wiki page or an issue.",
)
def show_command(customer: str, root: Path, as_of: datetime | None, internal: bool, output_format: str) -> None:
    """CUSTOMER's card and call brief (沟通前准备): read it before the call.

    CUSTOMER is an id, or a part of the name or its pinyin that names one customer (else the candidates
    are listed). The brief: who they are and their contacts, the follow-up due, the maintenance plan's
    goal and talking points, the last conversations, open todos and complaints, need changes, renewals
    and payments coming, risk signals, talking points for the situation (new customer, established, open
    complaint) and the channel to use (complaints and need changes by video or a visit, greetings by SMS
    or IM, otherwise phone).

    \b
    Examples:
      crm show KH-2024001
      crm show hxkj
      crm show 华星 --format markdown > brief.md
      crm show KH-2024001 --as-of 2026-11-24 --format json
      crm show KH-2024001 --internal          # phone numbers unmasked: for the team only
    """
    day = resolve_as_of(as_of)
    dataset = load_valid(root)
    language = language_of(dataset)
    chosen = customer_argument(dataset, customer, language)
    item = brief(dataset, day, chosen, internal=internal)
    owner = team_name(dataset, chosen.owner)
    if output_format == "json":
        say_lines(dump_json(brief_json(item, language)))
    elif output_format == "markdown":
        say_lines("\n".join(markdown_brief(item, owner, language)))
    else:
        _say_text_brief(item, owner, language)


# --- the brief's sections, as (heading, lines) ------------------------------------------------------------


def _w(key: str, language: str, **values: object) -> str:
    return BRIEF_WORDS.say(key, **values).text(language)


def _sections(item: Brief, owner: str, language: str, shown: Callable[[str], str]) -> Iterator[tuple[str, list[str]]]:
    """The brief's sections in reading order; `shown` sets record text (a code span in Markdown)."""
    yield _w("who", language), _who(item, owner, language, shown)
    yield _w("followup_section", language), _followup(item, language, shown)
    if item.plans:
        lines = []
        for plan in item.plans:
            status = term(plan.status, language)
            lines.append(
                _w("plan_line", language, plan=plan.plan_id, goal=shown(plan.goal), due=plan.due, status=status)
            )
            lines += [f"  · {shown(point)}" for point in plan.content]
        yield _w("plan_section", language), lines
    conversations = [
        " · ".join(
            part
            for part in (
                talk.day.isoformat(),
                term(talk.channel, language),
                shown(talk.topic),
                shown(talk.summary) if talk.summary else "",
                shown(talk.feedback) if talk.feedback else "",
            )
            if part
        )
        for talk in item.conversations
    ]
    yield _w("conversations_section", language), conversations
    todos = []
    for todo in item.todos:
        when = (
            _w("todo_overdue", language, days=todo.days_overdue)
            if todo.overdue
            else _w("due_on", language, date=todo.due)
        )
        mark = "!" if todo.overdue else "·"
        todos.append(f"{mark} " + _w("todo_line", language, task=shown(todo.task), when=when, id=todo.interaction))
    yield _w("todos_section", language), todos
    complaints = [
        _w("complaint_line", language, id=c.interaction, date=c.day, topic=shown(c.topic), days=c.days_open)
        for c in item.complaints
    ]
    yield _w("complaints_section", language), complaints
    if item.need_changes:
        yield (
            _w("need_changes_section", language),
            [f"{change.day} {shown(change.text)}" for change in item.need_changes],
        )
    money = [
        _w(
            "renewal_line",
            language,
            contract=renewal.contract,
            title=shown(renewal.title),
            end=renewal.end,
            due=renewal.due,
            status=term(renewal.status, language),
        )
        for renewal in item.renewals
    ]
    for payment in item.payments:
        amount = format_amount(payment.amount, payment.currency, language)
        key = "payment_overdue_line" if payment.days_overdue else "payment_line"
        values = {"contract": payment.contract, "title": shown(payment.title), "due": payment.due, "amount": amount}
        money.append(
            _w(key, language, days=payment.days_overdue, **values)
            if payment.days_overdue
            else _w(key, language, **values)
        )
    if money:
        yield _w("money_section", language), money
    if item.risk_signals:
        risk = [risk_signal_text(signal, language) for signal in item.risk_signals]
        if item.at_risk:
            risk.insert(0, _w("at_risk_note", language))
        yield _w("risk_section", language), risk
    if item.care:
        care = []
        for moment in item.care:
            shown_day = item.internal or not moment.private
            day = moment.day.isoformat() if shown_day else label("private_window", language, days=moment.within_days)
            kind = label(moment.kind.value, language)
            if moment.contact:
                care.append(_w("care_birthday_line", language, contact=shown(moment.contact), kind=kind, date=day))
            else:
                care.append(_w("care_line", language, kind=kind, date=day))
        yield _w("care_section", language), care
    if item.situation is Situation.NEW:
        situation = term(Flag.NEW, language)  # the vocabulary's 新客户
    else:
        situation = _w(f"situation_{item.situation.value}", language)
    points = [_w("situation_line", language, situation=situation)]
    points += [f"{number}. {_w(key, language)}" for number, key in enumerate(item.talking_points, start=1)]
    yield _w("talking_points_section", language), points
    channels = _w("or", language).join(term(channel, language) for channel in item.channel.channels)
    why = _w(f"channel_{item.channel.reason.value}", language)
    yield _w("channel_section", language), [_w("channel_line", language, channels=channels, why=why)]


def _who(item: Brief, owner: str, language: str, shown: Callable[[str], str]) -> list[str]:
    customer = item.customer
    pairs = [
        (label("type", language), term(customer.type, language)),
        (label("tier", language), term(customer.tier, language)),
        (label("stage", language), term(customer.stage, language)),
        (label("value", language), term(customer.value, language)),
        (label("owner", language), owner),
    ]
    if customer.since is not None:
        pairs.append((label("since", language), customer.since.isoformat()))
    if customer.industry:
        pairs.append((label("industry", language), shown(customer.industry)))
    if customer.tags:
        pairs.append((label("tags", language), ", ".join(shown(tag) for tag in customer.tags)))
    if customer.needs:
        pairs.append((label("needs", language), "; ".join(shown(need) for need in customer.needs)))
    width = max(display_width(name) for name, _ in pairs)
    lines = [f"{pad(name, width)}  {value}" for name, value in pairs]
    for card in item.contacts:
        parts = [_w("primary_contact", language, name=shown(card.name)) if card.primary else shown(card.name)]
        if card.title:
            parts.append(shown(card.title))
        for field in ("phone", "email", "address", "birthday"):
            value = getattr(card, field)
            if value is not None:
                parts.append(f"{label(field, language)} {shown(value)}")
        lines.append(_w("labelled", language, label=label("contacts", language), value=" · ".join(parts)))
    private = any(card.phone or card.email or card.address or card.birthday for card in item.contacts)
    if private and not item.internal:
        lines.append(_w("masked_note", language))
    return lines


def _followup(item: Brief, language: str, shown: Callable[[str], str]) -> list[str]:
    customer = item.customer
    followup = item.followup
    if followup is None:
        day = customer.churned_on.isoformat() if customer.churned_on is not None else "—"
        lines = [_w("churned_note", language, date=day)]
        if customer.churn_reason:
            lines.append(
                _w("labelled", language, label=label("churn_reason", language), value=shown(customer.churn_reason))
            )
        return lines
    reason = term(followup.reason, language)
    if followup.status is Status.OVERDUE:
        lines = [_w("followup_overdue", language, due=followup.due, days=followup.days_overdue, reason=reason)]
    else:
        lines = [_w("followup_line", language, due=followup.due, status=term(followup.status, language), reason=reason)]
    if followup.last_contact is not None:
        lines.append(_w("last_contact_line", language, date=followup.last_contact))
    else:
        lines.append(_w("never_contacted", language))
    if followup.silent:
        lines.append(_w("silent_note", language))
    return lines


def _say_text_brief(item: Brief, owner: str, language: str) -> None:
    say(styled(_w("brief_title", language, name=item.customer.name, id=item.customer.id), bold=True))
    say(_w("as_of_line", language, date=item.as_of))
    for heading, lines in _sections(item, owner, language, lambda text: text):
        say("")
        say(styled(heading, bold=True))
        for line in lines or [_w("nothing", language)]:
            say(f"  {line}")


def markdown_brief(item: Brief, owner: str, language: str) -> list[str]:
    """The brief as Markdown: a heading per section, a bullet per line, record text as code spans."""
    from crmdata.git.diff import md  # here: the git room's Markdown escaping, for this format only

    title = _w("brief_title", language, name=md(item.customer.name, in_table=False), id=item.customer.id)
    lines = [f"# {title}", "", _w("as_of_line", language, date=item.as_of)]
    for heading, items in _sections(item, md(owner, in_table=False), language, lambda text: md(text, in_table=False)):
        lines += ["", f"## {heading}", ""]
        lines += [f"- {entry}" for entry in items or [_w("nothing", language)]]
    return lines
