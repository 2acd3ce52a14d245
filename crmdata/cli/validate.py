"""`crm validate` and `crm schema`: check the records, and write the JSON Schema files editors read."""

from __future__ import annotations

import time
from pathlib import Path

import click

from crmdata.cli.common import FileSize, keep_loaded, progress_printer, root_option
from crmdata.cli.output import say, say_lines, styled
from crmdata.records.load import LoadOptions, load_config
from crmdata.records.locate import PositionIndex
from crmdata.records.report import github_line, gitlab_report, problems_json, summary, text_line
from crmdata.records.schema import write_schemas
from crmdata.records.verdict import Checked, check
from crmdata.records.vocabulary import language_code, phrase
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES
from crmdata.system.errors import ExitCode, ReportedError


def run_validation(root: Path, use_cache: bool, jobs: int | None, max_file_size: int) -> tuple[Checked, float]:
    """Validate with the CLI's options (from the last verdict where it can answer); returns the outcome and
    the seconds it took."""
    started = time.perf_counter()
    options = LoadOptions(use_cache=use_cache, jobs=jobs, max_file_bytes=max_file_size, progress=progress_printer())
    outcome = check(root, options)
    if outcome.dataset is not None:
        keep_loaded(outcome.dataset)
    return outcome, time.perf_counter() - started


@click.command("validate")
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
    language = language_code(outcome.config.language if outcome.config is not None else None)
    if output_format == "json":
        say_lines(problems_json(problems, language))
    elif output_format == "gitlab":
        say_lines(gitlab_report(problems, language))
    elif output_format == "github":
        for problem in problems:
            say(github_line(problem, language))
        say(summary(problems, outcome.files_read, seconds, language))
    else:
        for problem in problems:
            say(styled(text_line(problem, language), fg="red" if problem.is_error else "yellow"))
        verdict_colour = "green" if outcome.ok else "red"
        say(styled(summary(problems, outcome.files_read, seconds, language), fg=verdict_colour, bold=True))
    if not outcome.ok:
        raise ReportedError(ExitCode.INVALID)


@click.command("schema")
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
