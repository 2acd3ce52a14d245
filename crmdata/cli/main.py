"""The `crm` command line: the only place that prints, colours, or exits.

Exit codes (the contract's, site_builder/help/contract.md §4): 0 clean (warnings allowed), 1 the data has
errors (or the machine refuses: a path that cannot be written, a busy port), 2 usage error, 128 + N when
stopped by signal N. An unexpected failure is reported in one line with exit code 3, never as a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

import click

from crmdata.cli.lazy import LazyCommand, LazyCommands, LazyGroup
from crmdata.cli.output import say, styled
from crmdata.system.errors import CrmError, ExitCode, ReportedError, Stopped, os_error_message, signal_exit_code
from crmdata.system.safe_paths import UnsafePathError

COMMANDS = LazyCommands(
    {
        "build": LazyCommand(
            "crmdata.cli.site",
            "build_command",
            "Validate, then write the static site (mkdocs-material) with every CRM page.",
        ),
        "calendar": LazyCommand(
            "crmdata.cli.plan", "calendar_command", "Write an iCalendar feed of due follow-ups, todos and care moments."
        ),
        "diff": LazyCommand(
            "crmdata.cli.diff",
            "diff_command",
            "What a change does to the CRM, from git: records added, changed (field by field) and removed, stage "
            "changes, follow-ups done, newly overdue or rescheduled, todos completed, opportunities that moved "
            "stage (won, lost), contracts signed or renewed, the pipeline and receivables, KPI changes.",
        ),
        "done": LazyCommand(
            "crmdata.cli.edit",
            "done_command",
            "Mark todo NUMBER of an INTERACTION done (the only open one when NUMBER is left out).",
        ),
        "due": LazyCommand(
            "crmdata.cli.plan", "due_command", "Who must be contacted when, and why: overdue first, grouped by owner."
        ),
        "export": LazyCommand(
            "crmdata.cli.transfer",
            "export_command",
            "Write customers, interactions, plans, opportunities, contracts or the follow-up list as a spreadsheet.",
        ),
        "find": LazyCommand(
            "crmdata.cli.show",
            "find_command",
            "Customers matching TEXT: id, a part of the name, pinyin, contact, tag, industry.",
        ),
        "import": LazyCommand(
            "crmdata.cli.transfer",
            "import_command",
            "Create customers, interactions, plans, opportunities or contracts from a spreadsheet (.csv or .xlsx).",
        ),
        "init": LazyCommand(
            "crmdata.cli.init",
            "init_command",
            "Start a data repository in DIRECTORY: crm.yaml, record folders, schemas, CI, pre-commit, editor settings.",
        ),
        "kpi": LazyCommand(
            "crmdata.cli.kpi",
            "kpi_command",
            "Key figures: follow-up compliance, satisfaction, retention, complaints... and every one per owner.",
        ),
        "log": LazyCommand(
            "crmdata.cli.record",
            "log_command",
            "Record a conversation with CUSTOMER in one line (the channel defaults to phone).",
        ),
        "merge": LazyCommand(
            "crmdata.cli.edit",
            "merge_command",
            "Merge the customer DUPLICATE into INTO: every reference rewritten, the duplicate's file removed.",
        ),
        "new": LazyCommand(
            "crmdata.cli.record",
            "new_command",
            "Write a new customer, interaction, maintenance plan, opportunity or contract, with the next free id.",
        ),
        "notify": LazyCommand(
            "crmdata.cli.notify",
            "notify_command",
            "Send each owner's reminders through the channels of crm.yaml `notify`.",
        ),
        "resolve": LazyCommand(
            "crmdata.cli.edit", "resolve_command", "Close the complaint INTERACTION: `resolved:` today (or --on D)."
        ),
        "schema": LazyCommand(
            "crmdata.cli.validate",
            "schema_command",
            "Write JSON Schema files for the records, for editors and other validators.",
        ),
        "segments": LazyCommand(
            "crmdata.cli.plan", "segments_command", "List segments with their sizes, or the members of one segment."
        ),
        "serve": LazyCommand(
            "crmdata.cli.site",
            "serve_command",
            "Validate, then serve the site locally; it rebuilds and reloads when a record changes.",
        ),
        "show": LazyCommand(
            "crmdata.cli.show", "show_command", "CUSTOMER's card and call brief (沟通前准备): read it before the call."
        ),
        "stage": LazyCommand(
            "crmdata.cli.edit",
            "stage_command",
            "Move CUSTOMER to STAGE: prospecting, active, stable, dormant, churned, or the team's word for one.",
        ),
        "validate": LazyCommand(
            "crmdata.cli.validate",
            "validate_command",
            "Check every record and crm.yaml; report every problem with file, line and column.",
        ),
    }
)
"""Every `crm` command: the module that defines it (imported when the command is used) and its summary
for `crm --help` (the first paragraph of its docstring; tests/test_startup.py keeps the two equal)."""


def _show_version(ctx: click.Context, _param: click.Parameter, wanted: bool) -> None:
    """`crm --version`: click's version option, with the version looked up only when asked for (reading
    the package metadata costs every other command its start-up time)."""
    if not wanted or ctx.resilient_parsing:
        return
    from crmdata import __version__

    say(f"crm {__version__}")
    raise ReportedError(ExitCode.OK)  # said; like click's own version option, the command line stops here


@click.group(
    cls=LazyGroup,
    commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def main() -> None:
    """crm-as-code: customers and conversations as YAML files in git.

    \b
    Examples:
      crm validate                               check every record in this repository
      crm log KH-2024001 --topic 回访 --next 2w  record a conversation
      crm import customers 客户表.xlsx           what a spreadsheet would add (then --write)
      crm diff main...                           what this branch changes, as Markdown
      crm due --owner ming                       who ming must contact, overdue first
      crm build                                  the static site in site/
      crm schema --out schemas/                  JSON Schema files for editors
    """


_STOPS_RECEIVED: list[int] = []


def _stop(signal_number: int, frame: object) -> None:
    """A stop signal becomes an exception in the main thread, so every `finally` on the way out runs.

    Only the first: a second signal of the same kind ends the process at once (its workers die with it).
    """
    signal.signal(signal_number, signal.SIG_DFL)
    _STOPS_RECEIVED.append(signal_number)
    raise Stopped(signal_number)


def _quiet_lost_stop(unraisable: Any) -> None:
    """Where Python cannot raise (a finalizer, an after-fork hook), a lost Stopped is not a traceback:
    `run` notices the stop at the end instead."""
    if not isinstance(unraisable.exc_value, Stopped):
        sys.__unraisablehook__(unraisable)


def _catch_stop_signals() -> None:
    sys.unraisablehook = _quiet_lost_stop
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:  # nohup's choice stands
            signal.signal(number, _stop)


def _phrase(key: str, language: str, **values: object) -> str:
    """The vocabulary's phrase, imported only on the way out through an error: its word lists are not
    part of every command's start-up."""
    from crmdata.records.vocabulary import phrase as worded

    return worded(key, language, **values)


def _speaker_line(problem: CrmError) -> str:
    """`prefix: message`, punctuated in the message's language when the vocabulary worded it (`crm：…`)."""
    if problem.language is None:
        return f"{problem.prefix}: {problem.message}"
    return _phrase("speaker_line", problem.language, who=problem.prefix, message=problem.message)


def run() -> None:
    """Console-script entry point: `execute` the command line, then end the process with its exit code.

    SIGTERM and SIGHUP are turned into a clean stop first (a process-wide setting, so here and not in
    `execute`). It ends the process with os._exit once output is flushed: freeing a loaded repository
    object by object takes a third of a second per 100k records and serves nobody (mypy ends the same way).

    pydantic looks for plugins of its own by scanning every installed package's entry points the first
    time a model validates (20-30 ms of each command's start-up); crm uses none, so it asks pydantic not
    to look, unless PYDANTIC_DISABLE_PLUGINS is set already (then the user's setting stands).
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _catch_stop_signals()
    code = execute()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _language_of(args: Sequence[str] | None) -> str:
    """The language of the repository the command line names, for the lines said after the command
    ended without one (interrupted, stopped)."""
    from crmdata.cli.usage import repository_language

    return repository_language(sys.argv[1:] if args is None else args)


def execute(args: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """Run `main` on `args` (default: the command line) with every way out turned into one line and an
    exit code, which it returns.

    A `CrmError` prints its message; an `OSError` (a path that cannot be read or written) is a problem
    of the machine, named with its path and reason, exit 1; SIGTERM and SIGHUP stop `crm` cleanly (exit
    128 + N); only anything else is a bug ("internal error", exit 3). `run` is this plus the process:
    the tests run it in-process (tests/conftest.py `invoke_crm`) to see exactly what a user sees.
    """
    code: int | str | None = ExitCode.OK
    try:
        main(args=None if args is None else list(args), prog_name=prog_name, standalone_mode=True)
    except SystemExit as exit_request:
        code = exit_request.code
    except KeyboardInterrupt:
        say(_phrase("interrupted", _language_of(args)), err=True)
        code = signal_exit_code(signal.SIGINT)
    except UnsafePathError as refusal:  # a link, or a folder crm did not make, where it was to write
        say(styled(f"crm: {refusal}", fg="red"), err=True)
        code = ExitCode.USAGE
    except Stopped as stop:
        signal_name = signal.Signals(stop.signal_number).name
        say(_phrase("stopped_by", _language_of(args), signal=signal_name), err=True)
        code = stop.exit_code
    except CrmError as problem:
        if problem.message:
            say(styled(_speaker_line(problem), fg="red"), err=True)
        code = problem.exit_code
    except OSError as exc:
        say(styled(f"crm: {os_error_message(exc)}", fg="red"), err=True)
        code = ExitCode.INVALID
    except Exception as exc:  # the last line of defence: a bug must not print a traceback at a user
        say(f"crm: internal error: {type(exc).__name__}: {exc} (please report this)", err=True)
        code = ExitCode.INTERNAL
    if not isinstance(code, int):
        if code is not None:
            say(str(code), err=True)
        code = ExitCode.OK if code is None else ExitCode.INVALID
    if _STOPS_RECEIVED and code != Stopped(_STOPS_RECEIVED[0]).exit_code:
        # Python ignores (after printing it) an exception raised where it cannot propagate, e.g. in a
        # finalizer: the command then ran to its end, but it was asked to stop and says so.
        say(f"crm: {Stopped(_STOPS_RECEIVED[0])}", err=True)
        code = Stopped(_STOPS_RECEIVED[0]).exit_code
    return int(code)
