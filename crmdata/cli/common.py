"""What every computing command shares: the --root and --as-of options, and "validate first"."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from crmdata.cli.output import say, say_progress, styled
from crmdata.cli.usage import Day
from crmdata.records.dataset import Dataset
from crmdata.records.load import LoadOptions, Progress
from crmdata.records.report import summary, text_line
from crmdata.records.validate import Validation
from crmdata.records.verdict import validated
from crmdata.records.vocabulary import language_code, phrase
from crmdata.system.errors import CrmError
from crmdata.system.terminal_text import json_visible, visible

_LOADED: list[Dataset] = []
"""Datasets loaded by this process, kept referenced until `crm` ends with os._exit: otherwise a command
returning normally frees 110k records object by object first (a third of a second, for nothing)."""

root_option = click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The data repository (holding crm.yaml, customers/, interactions/).",
)

as_of_option = click.option(
    "--as-of",
    "as_of",
    type=Day(),
    default=None,
    help="The day to compute for, YYYY-MM-DD (default: today). Records dated later are ignored.",
)


def resolve_as_of(value: datetime | None) -> date:
    """--as-of, or today: the only place the clock is read."""
    return value.date() if value is not None else date.today()


def progress_printer(unit: str = "files", at_least: int = 0) -> Progress | None:
    """Progress on stderr when it is a terminal; CI logs stay free of carriage-return noise.

    Shown as `stage done/total unit`, and only for work of `at_least` items or more: a small sheet is
    checked before a counter could be read.
    """
    if not sys.stderr.isatty():
        return None
    shown_unit = f" {unit}" if unit else ""

    def show(stage: str, done: int, total: int) -> None:
        if total < at_least:
            return
        say_progress(f"\r{stage} {done:,}/{total:,}{shown_unit}")
        if done >= total:  # finished: clear the line for the results
            say_progress("\r" + " " * 40 + "\r")

    return show


def validate_or_exit(root: Path) -> Validation:
    """Validate the repository; on errors print them as `crm validate` does (to stderr) and fail (exit 1)."""
    outcome = validated(root, LoadOptions(progress=progress_printer()))
    if not outcome.ok:
        language = language_of(outcome.dataset)
        for problem in outcome.errors:
            say(styled(text_line(problem, language), fg="red"), err=True)
        say(summary(outcome.problems, outcome.dataset.files_read, None, language), err=True)
        raise CrmError(phrase("fix_errors_first", language), language=language)
    keep_loaded(outcome.dataset)
    return outcome


def keep_loaded(dataset: Dataset) -> None:
    """Keep `dataset` referenced until `crm` ends (_LOADED says why)."""
    _LOADED.append(dataset)


def language_of(dataset: Dataset) -> str:
    """The language of everything a command prints: crm.yaml's `language`, zh without one."""
    return language_code(dataset.config.language if dataset.config is not None else None)


def forget_loaded() -> None:
    """Let loaded datasets be freed: for a long command (the site build) memory matters more than exit speed."""
    _LOADED.clear()


def load_valid(root: Path) -> Dataset:
    """Validate the repository and return its dataset, or print the errors and fail (exit 1).

    Nothing is computed from invalid data: a plan built on a half-read repository would be wrong.
    """
    return validate_or_exit(root).dataset


def dump_json(payload: object) -> str:
    """JSON for the command line: indented for a person at a terminal, compact for scripts and files.

    json.dumps with indent falls back to the pure-Python encoder: 0.4 s for 10k follow-ups instead of 0.04.
    Characters that json.dumps leaves raw but a terminal could act on are written as \\u escapes.
    """
    if sys.stdout.isatty():
        return json_visible(json.dumps(payload, ensure_ascii=False, indent=2))
    return json_visible(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))


def display_width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    """Left-align in `width` terminal columns (str.ljust miscounts Chinese); control characters are
    escaped first, so the column is measured as it will be shown."""
    text = visible(text)
    return text + " " * max(0, width - display_width(text))


def clip(text: str, width: int) -> str:
    """Fit `width` terminal columns exactly, ending in … when the text is longer.

    The text is cut character by character of the original, each shown as `visible` shows it, so an escape
    (`\u202e`) is kept whole or left out, never cut in half."""
    if display_width(visible(text)) <= width:
        return pad(text, width)
    kept = ""
    for char in text:
        shown = visible(char)
        if display_width(kept + shown) > width - 1:
            break
        kept += shown
    return kept + "…" + " " * max(0, width - 1 - display_width(kept))


def team_name(dataset: Dataset, owner: str) -> str:
    member = dataset.config.team.get(owner) if dataset.config is not None else None
    return f"{member.name} ({owner})" if member is not None else owner


_SIZE = re.compile(r"(\d+)\s*([kKmMgG]?)[bB]?")


class FileSize(click.ParamType[int, Any]):
    """A size in bytes, with an optional K, M or G suffix: 2M, 512K, 100000."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE.fullmatch(str(value).strip())
        if not match:
            self.fail(f"{value!r} is not a size such as 2M, 512K or 100000", param, ctx)
        number, unit = int(match.group(1)), match.group(2).upper()
        return number * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[unit]
