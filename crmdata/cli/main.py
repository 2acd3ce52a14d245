"""The `crm` command line: the only place that prints, colours, or exits.

Exit codes (the contract's, site_builder/help/contract.md §4): 0 clean (warnings allowed), 1 the data has
errors (or the machine refuses: a path that cannot be written, a busy port), 2 usage error, 128 + N when
stopped by signal N. An unexpected failure is reported in one line with exit code 3, never as a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from crmdata import __version__
from crmdata.cli.common import FileSize, language_of, progress_printer, root_option
from crmdata.cli.output import EscapingGroup, say, say_lines, styled
from crmdata.records.load import LoadOptions, load_config
from crmdata.records.locate import PositionIndex
from crmdata.records.report import github_line, gitlab_report, problems_json, summary, text_line
from crmdata.records.schema import write_schemas
from crmdata.records.validate import Validation, validate
from crmdata.records.vocabulary import language_code, phrase
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES
from crmdata.system.errors import CrmError, ExitCode, ReportedError, Stopped, os_error_message, signal_exit_code
from crmdata.system.safe_paths import UnsafePathError


@click.group(cls=EscapingGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="crm", message="%(prog)s %(version)s")
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


def run_validation(root: Path, use_cache: bool, jobs: int | None, max_file_size: int) -> tuple[Validation, float]:
    """Validate with the CLI's options; returns the outcome and the seconds it took."""
    started = time.perf_counter()
    options = LoadOptions(use_cache=use_cache, jobs=jobs, max_file_bytes=max_file_size, progress=progress_printer())
    outcome = validate(root, options)
    return outcome, time.perf_counter() - started


@main.command("validate")
@root_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts, github for pull-request annotations, gitlab for a merge "
    "request's Code Quality report (JSON).",
)
@click.option("--no-cache", is_flag=True, help="Parse every file again instead of using .crm-cache/.")
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for parsing (default: one per core)."
)
@click.option(
    "--max-file-size",
    type=FileSize(),
    default=DEFAULT_MAX_FILE_BYTES,
    show_default=True,
    help="Largest record file accepted, in bytes (K and M suffixes allowed).",
)
def validate_command(root: Path, output_format: str, no_cache: bool, jobs: int | None, max_file_size: int) -> None:
    """Check every record and crm.yaml; report every problem with file, line and column.

    Exit status: 0 when there are no errors (warnings allowed), 1 when there are errors.

    \b
    Examples:
      crm validate
      crm validate --root ../our-crm --format json
      crm validate --format github        # in a GitHub Actions step
      crm validate --format gitlab > gl-code-quality-report.json   # GitLab CI
    """
    outcome, seconds = run_validation(root, not no_cache, jobs, max_file_size)
    problems = outcome.problems
    language = language_of(outcome.dataset)
    if output_format == "json":
        say_lines(problems_json(problems, language))
    elif output_format == "gitlab":
        say_lines(gitlab_report(problems, language))
    elif output_format == "github":
        for problem in problems:
            say(github_line(problem, language))
        say(summary(problems, outcome.dataset.files_read, seconds, language))
    else:
        for problem in problems:
            say(styled(text_line(problem, language), fg="red" if problem.is_error else "yellow"))
        verdict_colour = "green" if outcome.ok else "red"
        say(styled(summary(problems, outcome.dataset.files_read, seconds, language), fg=verdict_colour, bold=True))
    if not outcome.ok:
        raise ReportedError(ExitCode.INVALID)


@main.command("schema")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder to write the schema files into (customer, interaction, plan, opportunity, contract, crm).",
)
def schema_command(out: Path) -> None:
    """Write JSON Schema files for the records, for editors and other validators.

    \b
    Examples:
      crm schema --out schemas/
      # then, first line of a record file:
      # yaml-language-server: $schema=../schemas/customer.schema.json
    """
    here = Path.cwd()
    config, _ = load_config(here, PositionIndex(here), LoadOptions(use_cache=False))  # for its language only
    language = language_code(config.language if config is not None else None)
    for path in write_schemas(out, here):
        say(phrase("wrote_file", language, path=path))


def _register_commands() -> None:
    from crmdata.cli.diff import diff_command
    from crmdata.cli.edit import done_command, merge_command, resolve_command, stage_command
    from crmdata.cli.init import init_command
    from crmdata.cli.kpi import kpi_command
    from crmdata.cli.notify import notify_command
    from crmdata.cli.plan import calendar_command, due_command, segments_command
    from crmdata.cli.record import log_command, new_command
    from crmdata.cli.show import find_command, show_command
    from crmdata.cli.site import build_command, serve_command
    from crmdata.cli.transfer import export_command, import_command

    for command in (
        init_command,
        new_command,
        log_command,
        find_command,
        show_command,
        done_command,
        resolve_command,
        stage_command,
        merge_command,
        due_command,
        kpi_command,
        segments_command,
        calendar_command,
        notify_command,
        import_command,
        export_command,
        diff_command,
        build_command,
        serve_command,
    ):
        main.add_command(command)


_register_commands()


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


def _speaker_line(problem: CrmError) -> str:
    """`prefix: message`, punctuated in the message's language when the vocabulary worded it (`crm：…`)."""
    if problem.language is None:
        return f"{problem.prefix}: {problem.message}"
    return phrase("speaker_line", problem.language, who=problem.prefix, message=problem.message)


def run() -> None:
    """Console-script entry point: `execute` the command line, then end the process with its exit code.

    SIGTERM and SIGHUP are turned into a clean stop first (a process-wide setting, so here and not in
    `execute`). It ends the process with os._exit once output is flushed: freeing a loaded repository
    object by object takes a third of a second per 100k records and serves nobody (mypy ends the same way).
    """
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
        say(phrase("interrupted", _language_of(args)), err=True)
        code = signal_exit_code(signal.SIGINT)
    except UnsafePathError as refusal:  # a link, or a folder crm did not make, where it was to write
        say(styled(f"crm: {refusal}", fg="red"), err=True)
        code = ExitCode.USAGE
    except Stopped as stop:
        signal_name = signal.Signals(stop.signal_number).name
        say(phrase("stopped_by", _language_of(args), signal=signal_name), err=True)
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
