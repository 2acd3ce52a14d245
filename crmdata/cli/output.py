"""The one way the commands print: every text passes through `visible` on its way to the terminal.

Commands build their lines from record text, file names and git revisions, none of which they can
trust (see crmdata.system.terminal_text). Escaping at each place a value is interpolated would be one
forgotten call away from a hole; escaping the finished line here cannot be forgotten. Colours are
given as `styled` parts and added after escaping, so crm's own styling survives while any escape
sequence inside a record does not. Error messages of click exceptions (usage errors, --owner checks
that quote crm.yaml, sheet problems) are escaped by `EscapingGroup` before click prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from crmdata.system.terminal_text import visible


@dataclass(frozen=True)
class Styled:
    """A part of a line in a colour or bold; the text is escaped like any other."""

    text: str
    fg: str | None = None
    bold: bool = False


def styled(text: str, fg: str | None = None, bold: bool = False) -> Styled:
    return Styled(text, fg, bold)


def render(*parts: str | Styled, keep: str = "") -> str:
    """The parts escaped (`keep` names characters left as they are), then styled."""
    shown = []
    for part in parts:
        if isinstance(part, Styled):
            shown.append(click.style(visible(part.text, keep), fg=part.fg, bold=part.bold))
        else:
            shown.append(visible(part, keep))
    return "".join(shown)


def say(*parts: str | Styled, err: bool = False, nl: bool = True, keep: str = "") -> None:
    """Print one line made of `parts`: a line break inside record text shows as \\n and cannot start a
    line that looks like crm's own output (unless `keep` says otherwise)."""
    click.echo(render(*parts, keep=keep), err=err, nl=nl)


def say_lines(text: str, err: bool = False, nl: bool = True) -> None:
    """Print text that is meant to span lines (a record's YAML, a Markdown report): its line breaks stay,
    every other control character is escaped."""
    click.echo(render(text, keep="\n"), err=err, nl=nl)


def say_progress(text: str) -> None:
    """A progress line on stderr, redrawn in place: its carriage returns are the point, so they stay."""
    click.echo(render(text, keep="\r"), err=True, nl=False)


class EscapingGroup(click.Group):
    """A click group whose errors (click.ClickException and its kinds) are printed with `visible` text.

    Commands raise BadParameter and UsageError with values from crm.yaml, spreadsheets and the command
    line in the message; click prints exceptions itself, so the message is escaped where they pass.
    A usage error is also worded in the language of the repository the command line names
    (crmdata.cli.usage): a Chinese repository reads `用法：…` and `错误：…`, not click's English.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["crm.args"] = list(args)  # the command line, for the language of the repository it names
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from crmdata.cli.usage import repository_language, worded_usage

        args: list[str] = ctx.meta.get("crm.args", [])
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            shown = worded_usage(exc, repository_language(args))
            setattr(shown, "message", visible(shown.message))  # noqa: B010 (as below)
            raise shown from None
        except click.ClickException as exc:
            setattr(exc, "message", visible(exc.message))  # noqa: B010 (typed Final in click; click reads it when it shows the error)
            raise
