"""A command line that does not fit, said in the repository's language.

click prints usage errors itself (`Usage: …`, `Try 'crm kpi -h' for help.`, `Error: Invalid value for
'--owner': …`), in English, before any command has read crm.yaml. Here the two halves meet:

- crm's own usage errors are `WordedUsage`/`WordedParameter`: a vocabulary phrase and its values, whose
  English text is click's message (an English repository reads what it always read);
- `worded_usage(error, language)` turns any click usage error into one whose `show` words everything in
  `language`: crm's own phrase, or click's own kinds (unknown option, missing or bad value, a choice or
  a folder that does not fit) from their parts;
- `repository_language(args)` is the language of the repository the command line names (`--root`, else
  the working folder): crm.yaml's `language`, zh without one or when it cannot be read.

`crmdata.cli.output.EscapingGroup` applies it to every command, so no command can forget it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import click

from crmdata.cli.output import say_lines
from crmdata.records.load import LoadOptions, load_config
from crmdata.records.locate import PositionIndex
from crmdata.records.vocabulary import DEFAULT_LANGUAGE, language_code, phrase


@runtime_checkable
class Worded(Protocol):
    """A value that words itself in a language: a Message, a Word, a listing of the team or of a set's words."""

    def text(self, language: str, /) -> str: ...


def _worded(values: dict[str, object], language: str) -> dict[str, object]:
    """The values of a phrase in `language`: a `Worded` value is asked to word itself, anything else is
    shown as it is."""
    return {name: value.text(language) if isinstance(value, Worded) else value for name, value in values.items()}


class WordedUsage(click.UsageError):
    """A usage error of crm's own: phrase `key` of the vocabulary with `values`, worded where shown."""

    def __init__(self, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(phrase(key, "en", **_worded(values, "en")))

    def text(self, language: str) -> str:
        return phrase(self.key, language, **_worded(self.values, language))


class WordedParameter(click.BadParameter):
    """A bad value of option `option` (its hint, `--owner`), said by phrase `key` with `values`."""

    def __init__(self, option: str, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(phrase(key, "en", **_worded(values, "en")), param_hint=option)

    def text(self, language: str) -> str:
        return phrase(self.key, language, **_worded(self.values, language))


class Day(click.ParamType[datetime, Any]):
    """A day written YYYY-MM-DD (--as-of); anything else is a usage error in the repository's words."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return datetime.strptime(str(value), "%Y-%m-%d")
        except ValueError:
            hint = param.get_error_hint(ctx) if param is not None and ctx is not None else "--as-of"
            raise WordedParameter(hint, "bad_day", value=repr(value)) from None


def repository_language(args: Sequence[str]) -> str:
    """crm.yaml's language in the folder `--root` names in `args` (the working folder without it), or the
    one `--language` names (crm init's: the repository it makes has no crm.yaml yet)."""
    root = Path(".")
    for index, arg in enumerate(args):
        if arg == "--language" and index + 1 < len(args):
            return language_code(args[index + 1])
        if arg.startswith("--language="):
            return language_code(arg.removeprefix("--language="))
        if arg == "--root" and index + 1 < len(args):
            root = Path(args[index + 1])
        elif arg.startswith("--root="):
            root = Path(arg.removeprefix("--root="))
    return root_language(root)


def root_language(root: Path) -> str:
    """crm.yaml's language in `root`, read before a command opens the repository (options are checked
    while the command line is parsed); zh when there is no readable crm.yaml."""
    try:
        config, _ = load_config(root, PositionIndex(root), LoadOptions(use_cache=False))
    except OSError:  # only the language is wanted here; crm.yaml's problems are reported by the command
        return DEFAULT_LANGUAGE
    return language_code(config.language if config is not None else None)


_CLICK_VALUES = (
    (re.compile(r"(?P<value>.*) is not one of (?P<choices>.*?)\.?$", re.DOTALL), "usage_not_one_of"),
    (re.compile(r"Directory (?P<path>.*) does not exist\.?$"), "usage_no_folder"),
    (re.compile(r"File (?P<path>.*) does not exist\.?$"), "usage_no_file"),
    (re.compile(r"Path (?P<path>.*) does not exist\.?$"), "usage_no_path"),
    (re.compile(r"(?P<value>.*) is not a valid integer( range)?\.?$"), "usage_not_a_number"),
    (re.compile(r"(?P<value>.*) is not in the range (?P<range>.*?)\.?$"), "usage_out_of_range"),
)
"""What click's own parameter types say of a bad value (click 8), by the parts a phrase needs."""


def _click_value_text(message: str, language: str) -> str:
    for pattern, key in _CLICK_VALUES:
        match = pattern.match(message)
        if match:
            return phrase(key, language, **match.groupdict())
    return message


def _message(error: click.UsageError, language: str) -> str:
    """The error's message in `language`."""
    if isinstance(error, WordedUsage | WordedParameter):
        text = error.text(language)
        if isinstance(error, WordedParameter):
            return phrase("usage_bad_value", language, option=error.param_hint, message=text)
        return text
    if isinstance(error, click.NoSuchOption):
        return phrase("usage_no_such_option", language, option=error.option_name)
    if isinstance(error, click.MissingParameter):
        hint = error.param_hint or (error.param.get_error_hint(error.ctx) if error.param and error.ctx else "")
        return phrase("usage_missing", language, option=hint)
    if isinstance(error, click.BadParameter):
        hint = error.param_hint or (error.param.get_error_hint(error.ctx) if error.param and error.ctx else "")
        return phrase("usage_bad_value", language, option=hint, message=_click_value_text(error.message, language))
    if isinstance(error, click.BadOptionUsage) and error.message.endswith("requires an argument."):
        return phrase("usage_needs_value", language, option=error.option_name)
    extra = re.match(r"Got unexpected extra arguments? \((?P<arguments>.*)\)$", error.message)
    if extra:
        return phrase("usage_extra_arguments", language, arguments=extra.group("arguments"))
    command = re.match(r"No such command (?P<command>.*)\.$", error.message)
    if command:
        return phrase("usage_no_such_command", language, command=command.group("command"))
    return error.message


class _Shown(click.UsageError):
    """A usage error as it is shown in `language`: the usage line, where to find help, the message."""

    def __init__(self, original: click.UsageError, language: str) -> None:
        super().__init__(_message(original, language), original.ctx)
        self.language = language

    def show(self, file: IO[Any] | None = None) -> None:
        if self.language == "en":
            super().show(file)
            return
        lines = []
        if self.ctx is not None:
            usage = self.ctx.get_usage().removeprefix("Usage: ")
            lines += [phrase("usage_line", self.language, usage=usage)]
            if self.ctx.command.get_help_option(self.ctx) is not None:
                lines += [phrase("usage_try_help", self.language, command=self.ctx.command_path), ""]
        lines.append(phrase("usage_error", self.language, message=self.format_message()))
        say_lines("\n".join(lines), err=True)


def worded_usage(error: click.UsageError, language: str) -> click.UsageError:
    """`error` worded in `language`: English keeps click's own words (crm's phrases are already its message)."""
    if language == "en":
        return error
    return _Shown(error, language)
