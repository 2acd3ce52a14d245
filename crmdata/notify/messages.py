"""A digest worded for each kind of channel, split at the channel's size limit on item boundaries.

Formats (each robot's documented webhook body):
- wecom: `{"msgtype": "markdown", "markdown": {"content": …}}`, content at most 4096 bytes (UTF-8); the
  owner is mentioned with `<@userid>` inside the content (team member's `wecom`).
- dingtalk: `{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atUserIds": [id],
  "isAtAll": false}}`; the text names `@userid` where the mention shows. DingTalk documents no size
  figure for markdown; 18000 bytes keeps under the 20000 commonly reported.
- feishu: `{"msg_type": "text", "content": {"text": …}}` with `<at user_id="id">name</at>`; the request
  body is at most 20 KB, so the text is cut at 18000 bytes. (Signing is added when sent.)
- webhook: the digest's data as JSON (crmdata.engine.digest.digest_json), one message per owner.
- email: plain text, one message per owner, to the member's `email`.

Record text is untrusted (whoever can open a pull request writes it). Before it enters a chat message:
control and bidi characters are shown escaped (`visible`), `@`, `<` and `>` become their full-width forms
＠＜＞ so no mention (`@所有人`, `<@all>`, `<at user_id="all">`) can come from a record, and in Markdown
the characters that start emphasis, code or a link are escaped with a backslash. Feishu's text and
e-mail are plain text: no Markdown escapes. The webhook carries the values as records write them (JSON
escapes them): its reader is a program, which escapes for its own target.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from crmdata.engine.digest import Digest, DigestItem, Section, digest_json
from crmdata.engine.schedule import Reason
from crmdata.notify.notify_words import NOTIFY_WORDS
from crmdata.records.models.config import ChannelKind, TeamMember
from crmdata.records.money import format_amount
from crmdata.records.vocabulary import term
from crmdata.system.terminal_text import visible

SIZE_LIMITS: dict[ChannelKind, int | None] = {
    ChannelKind.WECOM: 4096,
    ChannelKind.DINGTALK: 18000,
    ChannelKind.FEISHU: 18000,
    ChannelKind.WEBHOOK: None,
    ChannelKind.EMAIL: None,
}
"""Bytes (UTF-8) of a message's text per channel; None: one message, however long."""

_PART_RESERVE = 40
"""Bytes kept free in every part for its "(part i of n)" marker, written once the count is known."""

_INERT = str.maketrans({"@": "＠", "<": "＜", ">": "＞"})
_MARKDOWN = str.maketrans({char: "\\" + char for char in "\\`*_[]~|#!"})


@dataclass(frozen=True)
class Outgoing:
    """One message to send: `text` is what a reader sees (and --dry-run prints); `payload` the JSON body
    of a robot or webhook (unsigned), None for e-mail; `subject` and `to` for e-mail."""

    kind: ChannelKind
    owner: str
    part: int
    parts: int
    text: str
    payload: dict[str, object] | None = None
    subject: str | None = None
    to: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


def inert(text: str) -> str:
    """Record text for a chat message: visible controls, no character that could start a mention."""
    return visible(text).translate(_INERT)


def markdown_text(text: str) -> str:
    """Record text for a Markdown message: `inert`, and no character that starts Markdown formatting."""
    return inert(text).translate(_MARKDOWN)


def _link(url: str) -> str:
    """A URL crm made (site.url + quoted id) safe inside Markdown's (…)."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _say(key: str, language: str, **values: object) -> str:
    return NOTIFY_WORDS.say(key, **values).text(language)


def _when(item: DigestItem, language: str) -> str:
    if item.day is None:  # a masked birthday: which week, not which day
        return _say("day_within", language, days=item.within_days or 0)
    if item.days_overdue > 0:
        return _say("overdue_days", language, count=item.days_overdue)
    return _say("due_on", language, day=_short(item.day))


def _short(day: date) -> str:
    return day.isoformat()


def _detail(item: DigestItem, language: str, escape: Callable[[str], str]) -> str:
    """What the item is about, worded; record text passes through `escape`."""
    if item.section is Section.FOLLOWUPS:
        return term(Reason(item.detail), language)
    if item.section is Section.RENEWALS:
        return _say("renewal_detail", language, end=item.detail)
    if item.section is Section.PAYMENTS:
        amount = format_amount(item.amount or 0.0, item.currency or "", language)
        return _say("payment_detail", language, amount=amount)
    if item.section is Section.CARE:
        if item.detail == "birthday":
            if item.contact is None:
                return _say("birthday_unnamed", language)
            return _say("birthday_detail", language, contact=escape(item.contact))
        return _say("anniversary_detail", language, count=item.years or 0)
    return escape(item.detail)  # a todo's task, a plan's goal: record text


def _item_line(item: DigestItem, language: str, markdown: bool) -> str:
    escape = markdown_text if markdown else inert
    name = escape(item.customer_name)
    customer = f"[{name}]({_link(item.link)})" if markdown and item.link else name
    line = f"- {customer}（{escape(item.customer)}）· {_when(item, language)} · {_detail(item, language, escape)}"
    if item.link and not markdown:
        line += f" {item.link}"
    return line


def _blocks(digest: Digest, language: str, markdown: bool) -> list[tuple[str, str]]:
    """(section heading, item line) for every item, in the digest's order."""
    heading = "### {}" if markdown else "【{}】"
    return [
        (heading.format(_say(f"section_{item.section.value}", language)), _item_line(item, language, markdown))
        for item in digest.items
    ]


def _split(
    title: Callable[[int, int], str], blocks: list[tuple[str, str]], limit: int | None, size: Callable[[str], int]
) -> list[str]:
    """The lines packed into parts whose `size` stays within `limit`, cut only between items; a section's
    heading is repeated at the top of a part that continues it. One item longer than a whole part is cut
    at the limit (a task of several kilobytes), so nothing is refused and nothing lost but its tail."""
    budget = None if limit is None else limit - _PART_RESERVE
    parts: list[list[str]] = []
    lines: list[str] = []
    current = None
    for heading, line in blocks:
        addition = ([heading] if heading != current else []) + [line]
        candidate = "\n".join([title(1, 1), *lines, *addition])
        if budget is not None and lines and size(candidate) > budget:
            parts.append(lines)
            lines, current = [], None
            addition = [heading, line]
        if budget is not None and size("\n".join([title(1, 1), *lines, *addition])) > budget:
            addition[-1] = _cut(addition[-1], budget - size("\n".join([title(1, 1), *lines, *addition[:-1]])) - 1, size)
        lines += addition
        current = heading
    if lines or not parts:
        parts.append(lines)
    count = len(parts)
    return ["\n".join([title(index, count), *part]) for index, part in enumerate(parts, start=1)]


def _cut(line: str, room: int, size: Callable[[str], int]) -> str:
    """`line` shortened to `room` bytes, ending in … (cut between characters, never inside one)."""
    kept = line.encode("utf-8")[: max(0, room - size("…"))].decode("utf-8", errors="ignore")
    return kept + "…"


def _utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def messages_for(digest: Digest, kind: ChannelKind, language: str, member: TeamMember | None) -> list[Outgoing]:
    """The messages that carry `digest` on a channel of `kind` (several when it exceeds the size limit)."""
    owner_name = inert(digest.owner_name)  # crm.yaml is written by pull request too
    day = digest.as_of.isoformat()
    heading = _say("title", language, name=owner_name, day=day)

    def title_of(mention: str, markdown: bool) -> Callable[[int, int], str]:
        shown = _say("title", language, name=markdown_text(digest.owner_name), day=day) if markdown else heading
        page = ""  # the owner's day on the site (我的今天), under every part's title, when site.url is set
        if digest.page is not None:
            words = _say("my_day", language)
            page = f"\n[{words}]({_link(digest.page)})" if markdown else f"\n{words} {digest.page}"

        def title(part: int, parts: int) -> str:
            marker = _say("part", language, part=part, parts=parts) if parts > 1 else ""
            text = f"{shown}{marker}"
            return (f"## {text}" if markdown else text) + (f"\n{mention}" if mention else "") + page

        return title

    if kind is ChannelKind.WEBHOOK:
        payload = digest_json(digest)
        return [Outgoing(kind, digest.owner, 1, 1, json.dumps(payload, ensure_ascii=False, indent=2), payload)]
    if kind is ChannelKind.EMAIL:
        body = _split(title_of("", False), _blocks(digest, language, False), None, _utf8)[0]
        subject = _say("subject", language, name=visible(digest.owner_name), count=len(digest.items), day=day)
        to = member.email if member is not None else None
        return [Outgoing(kind, digest.owner, 1, 1, body, None, subject=subject, to=to)]
    limit = SIZE_LIMITS[kind]
    if kind is ChannelKind.WECOM:
        user = member.wecom if member is not None else None
        texts = _split(title_of(f"<@{user}>" if user else "", True), _blocks(digest, language, True), limit, _utf8)
        return [
            Outgoing(
                kind, digest.owner, index, len(texts), text, {"msgtype": "markdown", "markdown": {"content": text}}
            )
            for index, text in enumerate(texts, start=1)
        ]
    if kind is ChannelKind.DINGTALK:
        user = member.dingtalk if member is not None else None
        texts = _split(title_of(f"@{user}" if user else "", True), _blocks(digest, language, True), limit, _utf8)
        at: dict[str, object] = {"atUserIds": [user], "isAtAll": False} if user else {"isAtAll": False}
        return [
            Outgoing(
                kind,
                digest.owner,
                index,
                len(texts),
                text,
                {"msgtype": "markdown", "markdown": {"title": heading, "text": text}, "at": at},
            )
            for index, text in enumerate(texts, start=1)
        ]
    user = member.feishu if member is not None else None
    mention = f'<at user_id="{user}">{inert(owner_name)}</at>' if user else ""
    texts = _split(title_of(mention, False), _blocks(digest, language, False), limit, _utf8)
    return [
        Outgoing(kind, digest.owner, index, len(texts), text, {"msg_type": "text", "content": {"text": text}})
        for index, text in enumerate(texts, start=1)
    ]
