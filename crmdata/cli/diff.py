"""`crm diff BASE [HEAD]`: what a change does to the CRM, as Markdown for a pull request or a job summary.

The flow is the one of every command, twice: git → scratch folder (`crmdata.git.gitrev`) → load and
validate → snapshot (`crmdata.git.diff`), BASE first and then HEAD in the same folder, → compare → render.
The working tree, the index and `.git` are only read.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import click

from crmdata.cli.common import as_of_option, dump_json, progress_printer, resolve_as_of, root_option
from crmdata.cli.output import say, say_lines
from crmdata.git import diff, gitrev
from crmdata.records.load import LoadOptions
from crmdata.records.validate import validate
from crmdata.system.errors import CrmError, ExitCode
from crmdata.system.safe_paths import open_for_append, output_file, write_file


def _side(tree: gitrev.ScratchTree, files: gitrev.DataFiles, changed: set[str], as_of: date) -> diff.Snapshot:
    """Switch the scratch tree to a revision's files, load and validate them, and keep what compare needs.

    Only the snapshot outlives this call: the dataset is freed before the other revision is loaded.
    """
    tree.switch_to(files)
    if not files:
        return diff.empty_snapshot(as_of)
    outcome = validate(tree.root, LoadOptions(progress=progress_printer()))
    return diff.snapshot(outcome.dataset, as_of, changed, outcome.errors)


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
    stage changes, follow-ups done, newly overdue or rescheduled, todos completed, KPI changes.

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
        raise click.UsageError("--append needs --out FILE")
    day = resolve_as_of(as_of)
    try:
        repo = gitrev.repository(root)
        base_rev, head_rev = gitrev.revisions(repo, base, head)
        base_files = gitrev.data_files(repo, base_rev)
        head_files = gitrev.data_files(repo, head_rev)
        changed = gitrev.changed_paths(base_files, head_files)
        if not changed:
            base_side = head_side = diff.empty_snapshot(day)
        else:
            largest = max(len(base_files), len(head_files))
            with gitrev.scratch_tree(repo, cache_from=root, file_count=largest) as tree:
                base_side = _side(tree, base_files, changed, day)
                head_side = _side(tree, head_files, changed, day)
    except gitrev.GitError as problem:
        raise CrmError(str(problem), ExitCode.USAGE, prefix="crm diff") from None
    change = diff.compare(base_side, head_side, internal=internal, base_label=base_rev.label, head_label=head_rev.label)
    if output_format == "json":
        text = dump_json(diff.as_json(change, base_rev.commit, head_rev.commit)) + "\n"
    else:
        text = diff.markdown(change, max_rows)
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
            raise CrmError(f"cannot write {out}: {exc.strerror}", ExitCode.USAGE, prefix="crm diff") from None
        say(f"crm diff: {change.headline()} (written to {out})", err=True)
    if not change.ok:
        raise CrmError(f"{head_rev.label} does not validate: run crm validate on it", prefix="crm diff")
