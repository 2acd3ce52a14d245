"""`crm notify`: each owner's digest sent through the channels of crm.yaml `notify`."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from crmdata.cli.common import as_of_option, language_of, load_valid, resolve_as_of, root_option, team_name
from crmdata.cli.output import say, say_lines, styled
from crmdata.engine.digest import digests
from crmdata.notify.messages import Outgoing, messages_for
from crmdata.notify.notify_words import NOTIFY_WORDS
from crmdata.notify.send import DeliveryError, dingtalk_signed_url, feishu_signature, post_json, send_mail
from crmdata.records.models.config import ChannelKind, CrmConfig, NotifyChannel
from crmdata.system.errors import CrmError, ExitCode

DEFAULT_TIMEOUT = 10.0
_SCHEMES = {ChannelKind.EMAIL: ("smtp", "smtps")}
_HTTP = ("https", "http")


@dataclass(frozen=True)
class _Resolved:
    """A channel with the values of its environment variables, or the reason it cannot send."""

    channel: NotifyChannel
    url: str | None
    secret: str | None
    problem: str | None


def _resolve(channel: NotifyChannel, language: str) -> _Resolved:
    """The channel's URL and secret from the environment; a missing or malformed one is a per-channel failure."""
    url = os.environ.get(channel.url_env) or None
    secret = os.environ.get(channel.secret_env) or None if channel.secret_env else None
    kind = channel.kind.value
    if url is None:
        problem = NOTIFY_WORDS.say("env_missing", name=channel.url_env, kind=kind, field="url_env")
        return _Resolved(channel, None, None, problem.text(language))
    if channel.secret_env is not None and secret is None:
        problem = NOTIFY_WORDS.say("env_missing", name=channel.secret_env, kind=kind, field="secret_env")
        return _Resolved(channel, None, None, problem.text(language))
    schemes = _SCHEMES.get(channel.kind, _HTTP)
    if url.split("://", 1)[0].lower() not in schemes or "://" not in url:
        problem = NOTIFY_WORDS.say("bad_url", name=channel.url_env, schemes=" / ".join(f"{s}://" for s in schemes))
        return _Resolved(channel, None, None, problem.text(language))
    return _Resolved(channel, url, secret, None)


def _deliver(resolved: _Resolved, message: Outgoing, timeout: float) -> None:
    """Send one message (signed when the channel has a secret); a DeliveryError says why not."""
    url = resolved.url or ""
    kind = resolved.channel.kind
    if kind is ChannelKind.EMAIL:
        sender = resolved.channel.sender or ""
        send_mail(url, sender, message.to or "", message.subject or "", message.text, timeout)
        return
    body = dict(message.payload or {})
    if kind is ChannelKind.DINGTALK and resolved.secret:
        url = dingtalk_signed_url(url, resolved.secret, int(time.time() * 1000))
    if kind is ChannelKind.FEISHU and resolved.secret:
        body = {**feishu_signature(resolved.secret, int(time.time())), **body}
    post_json(kind, url, body, timeout)


def _scrubbed(text: str, secrets: list[str]) -> str:
    """A failure's reason with every secret value (URLs, signing keys) blotted out, whatever echoed it."""
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text


def _owners(config: CrmConfig, given: str | None, language: str) -> list[str]:
    if given is None:
        return list(config.team)
    key = config.owner_key(given)
    if key is None:
        team = ", ".join(f"{owner} ({member.name})" for owner, member in config.team.items())
        raise CrmError(NOTIFY_WORDS.say("unknown_owner", given=given, team=team).text(language), language=language)
    return [key]


@click.command("notify")
@root_option
@as_of_option
@click.option("--owner", default=None, help="Only this team member's digest (their key or name, e.g. ming or 张明).")
@click.option("--dry-run", is_flag=True, help="Print the messages that would be sent; send nothing, read no secrets.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=300),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each server before the delivery counts as failed.",
)
def notify_command(root: Path, as_of: datetime | None, owner: str | None, dry_run: bool, timeout: float) -> None:
    """Send each owner's reminders through the channels of crm.yaml `notify`.

    Each owner gets a digest of what needs them: overdue and due-soon follow-ups, overdue todos,
    maintenance plans, renewals, overdue payments and care moments, linked to the site's pages when
    crm.yaml has `site.url`. WeCom, DingTalk and Feishu group robots mention the owner (team members'
    `wecom`, `dingtalk`, `feishu` ids); email goes to the member's `email`; a `webhook` channel receives
    the digest as JSON. Addresses and secrets come from the environment variables crm.yaml names.
    A failing channel is reported with its reason and the others still send; the exit code is 1 when
    anything failed. Owners with nothing due get no message.

    \b
    Examples:
      crm notify --dry-run
      crm notify --owner 张明 --as-of 2026-11-30
      CRM_WECOM_URL=https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… crm notify
    """
    day = resolve_as_of(as_of)
    dataset = load_valid(root)
    language = language_of(dataset)
    config = dataset.config
    if config is None or not config.notify:
        raise CrmError(NOTIFY_WORDS.say("no_channels").text(language), language=language)
    owners = _owners(config, owner, language)
    resolved = [_resolve(channel, language) for channel in config.notify] if not dry_run else []
    secrets = [value for item in resolved for value in (item.url, item.secret) if value]
    sent = failed = 0
    if dry_run:
        say(styled(NOTIFY_WORDS.say("dry_run").text(language), bold=True))
    for item in resolved:  # a channel that cannot send (its variable unset) is said once, not once per owner
        if item.problem is not None:
            failed += 1
            say(
                styled(
                    NOTIFY_WORDS.say("channel_unusable", kind=item.channel.kind.value, reason=item.problem).text(
                        language
                    ),
                    fg="red",
                ),
                err=True,
            )
    quiet: list[str] = []
    for owner_digest in digests(dataset, day, owners):
        who = team_name(dataset, owner_digest.owner)
        if owner_digest.empty:
            quiet.append(owner_digest.owner)
            say(NOTIFY_WORDS.say("nothing_due", owner=who).text(language))
            continue
        member = config.team.get(owner_digest.owner)
        for index, channel in enumerate(config.notify):
            messages = messages_for(owner_digest, channel.kind, language, member)
            kind = channel.kind.value
            if channel.kind is ChannelKind.EMAIL and (member is None or member.email is None):
                say(NOTIFY_WORDS.say("no_email", owner=who).text(language))
                continue
            if dry_run:
                for message in messages:
                    heading = NOTIFY_WORDS.say(
                        "dry_run_message", owner=who, kind=kind, part=message.part, parts=message.parts
                    )
                    say(styled(heading.text(language), bold=True))
                    if message.subject is not None:
                        say_lines(f"To: {message.to}\nSubject: {message.subject}\n")
                    say_lines(message.text)
                continue
            if resolved[index].problem is not None:
                continue
            done = 0
            problem = None
            try:
                for message in messages:
                    _deliver(resolved[index], message, timeout)
                    done += 1
            except DeliveryError as failure:
                problem = _scrubbed(failure.reason.text(language), secrets)
            sent += done
            if problem is None:
                say(NOTIFY_WORDS.say("sent", owner=who, kind=kind, count=done).text(language))
            else:
                failed += 1
                line = NOTIFY_WORDS.say("failed", owner=who, kind=kind, done=done, parts=len(messages), reason=problem)
                say(styled(line.text(language), fg="red"), err=True)
    if not dry_run:
        say(NOTIFY_WORDS.say("summary", sent=sent, failed=failed, quiet=len(quiet)).text(language))
    if failed:
        raise CrmError(
            NOTIFY_WORDS.say("some_failed", count=failed).text(language), ExitCode.INVALID, language=language
        )
