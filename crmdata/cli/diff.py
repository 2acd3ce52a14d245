"""`crm diff BASE [HEAD]`: what a change does to the CRM, as Markdown for a pull request or a job summary.

The options are parsed here and the report printed; the revisions are read, loaded and compared by
`crmdata.git.compare_revisions`, and rendered by `crmdata.git.diff`.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from crmdata.cli.common import as_of_option, dump_json, progress_printer, resolve_as_of, root_option
from crmdata.cli.output import say, say_lines
from crmdata.cli.usage import WordedUsage, repository_language
from crmdata.git import diff, gitrev
from crmdata.git.compare_revisions import compare_revisions
from crmdata.records.vocabulary import language_code, phrase
from crmdata.system.errors import CrmError, ExitCode
from crmdata.system.safe_paths import open_for_append, output_file, write_file


@click.command("diff")
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="[HEAD]", required=False)
@root_option
@as_of_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="markdown for a pull-request comment or a job summary, json for scripts.",
)
@click.option("--internal", is_flag=True, help="Show private contact fields (phone, email, address, birthday).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to this file instead of standard output.",
)
@click.option("--append", is_flag=True, help="With --out: add to the end of the file (a job summary) instead.")
@click.option(
    "--max-rows",
    type=click.IntRange(1, 10_000),
    default=diff.MAX_ROWS,
    show_default=True,
    help="Rows per Markdown table; the rest are counted.",
)
def diff_command(
    base: str,
    head: str | None,
    root: Path,
    as_of: datetime | None,
    output_format: str,
    internal: bool,
    out: Path | None,
    append: bool,
    max_rows: int,
) -> None:
    """What a change does to the CRM, from git: records added, changed (field by field) and removed,
    stage changes, follow-ups done, newly overdue or rescheduled, todos completed, opportunities that
    moved stage (won, lost), contracts signed or renewed, the pipeline and receivables, KPI changes.

    BASE and HEAD are git revisions (HEAD defaults to HEAD). BASE...HEAD (three dots) compares HEAD with
    the merge base, as a pull request is shown; BASE..HEAD compares the two commits. Both revisions are
    read from git: the working tree and the index are not touched, uncommitted edits are not included.
    Private contact fields are shown only with --internal.

    Exit status: 0, 1 when HEAD does not validate (the report lists its first errors), 2 for a usage
    error (not a git repository, an unknown revision).

    \b
    Examples:
      crm diff main                          # what HEAD changes compared with main
      crm diff origin/main...HEAD            # what a pull request changes
      crm diff HEAD~1 --format json
      crm diff "$BASE_SHA...HEAD" --out "$GITHUB_STEP_SUMMARY" --append
    """
    if append and out is None:
        raise WordedUsage("append_needs_out")
    day = resolve_as_of(as_of)
    try:
        change = compare_revisions(root, base, head, day, internal=internal, progress=progress_printer())
    except gitrev.GitError as problem:
        language = repository_language(["--root", str(root)])
        raise CrmError(problem.text(language), ExitCode.USAGE, prefix="crm diff", language=language) from None
    text = dump_json(diff.as_json(change)) + "\n" if output_format == "json" else diff.markdown(change, max_rows)
    if out is None:
        say_lines(text, nl=False)
    else:
        try:
            target = output_file(out, root)  # never through a link in the repository (safe_paths)
            if append:
                with os.fdopen(open_for_append(target), "w", encoding="utf-8") as handle:
                    handle.write(text)
            else:
                write_file(target, text.encode("utf-8"))
        except OSError as exc:
            language = language_code(change.language)
            reason = exc.strerror or exc
            raise CrmError(
                phrase("cannot_write", language, path=out, reason=reason),
                ExitCode.USAGE,
                prefix="crm diff",
                language=language,
            ) from None
        say(phrase("diff_written", change.language, headline=change.headline(), out=out), err=True)
    if not change.ok:
        raise CrmError(
            phrase("diff_head_not_valid", change.language, head=change.head_label),
            prefix="crm diff",
            language=language_code(change.language),
        )
