"""Which records a computing command reads for its day: `--records` and `--at`, shared by kpi, due and segments.

A past `--as-of` in a git repository reads the records as they stood at the end of that day
(crmdata.git.records_at); `--records now` reads the files as they are; `--at REV` reads one revision exactly.
Whenever the records are not simply the working tree's for today, one line on stderr says which were used, so
a figure is never read as something it is not (stdout stays the command's output: JSON stays JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crmdata.cli.common import keep_loaded, language_of, load_valid, resolve_as_of
from crmdata.cli.output import say, styled
from crmdata.cli.usage import WordedUsage, repository_language
from crmdata.records.dataset import Dataset
from crmdata.records.vocabulary import phrase
from crmdata.system.errors import CrmError, ExitCode
from crmdata.system.terminal_text import visible

if TYPE_CHECKING:
    from crmdata.git.gitrev import GitRepository
    from crmdata.git.records_at import BranchCommit

HISTORY, NOW = "history", "now"

records_option = click.option(
    "--records",
    "records",
    type=click.Choice([HISTORY, NOW]),
    default=HISTORY,
    show_default=True,
    help="With a past --as-of in a git repository: the records as they stood at the end of that day (history: "
    "the branch's last commit of that day, by commit date) or as they are now.",
)
at_option = click.option(
    "--at",
    "at",
    metavar="REV",
    default=None,
    help="Read the records of one git revision exactly (a commit, branch or tag; uncommitted edits left out); "
    "--as-of defaults to that commit's day.",
)


def records_of_day(root: Path, as_of: datetime | None, records: str, at: str | None) -> tuple[Dataset, date]:
    """The valid records to compute with and the day to compute for, saying on stderr which records they are
    when not today's files. Errors in today's files stop the command as ever (exit 1); a past commit's
    invalid records are left out, and the line says how many errors it had."""
    if at is not None:
        if records == NOW:
            raise WordedUsage("records_now_and_at")
        return _at_revision(root, at, as_of)
    day = resolve_as_of(as_of)
    if records == NOW or day >= date.today():
        return load_valid(root), day
    from crmdata.git import gitrev, records_at

    try:
        repo = gitrev.repository(root)
        commit = records_at.records_commit(repo, day)
    except gitrev.GitError as problem:
        if problem.key != "git_not_a_repository":
            raise _usage(root, problem.text) from None
        dataset = load_valid(root)
        _say(phrase("records_now_not_git", language_of(dataset), day=day))
        return dataset, day
    except records_at.ShallowHistoryError as shallow:
        oldest = shallow.oldest
        raise _usage(root, lambda language: phrase("records_shallow", language, day=day, oldest=oldest)) from None
    if commit is None:
        dataset = load_valid(root)
        _say(phrase("records_now_before_first_commit", language_of(dataset), day=day))
        return dataset, day
    return _from_commit(root, repo, commit, day, "records_of_day"), day


def _at_revision(root: Path, at: str, as_of: datetime | None) -> tuple[Dataset, date]:
    from crmdata.git import gitrev, records_at

    try:
        repo = gitrev.repository(root)
        revision = gitrev.resolve(repo, at)
        commit = records_at.commit_itself(repo, revision.commit)
    except gitrev.GitError as problem:
        raise _usage(root, problem.text) from None
    day = as_of.date() if as_of is not None else commit.day
    return _from_commit(root, repo, commit, day, "records_of_revision", name=at), day


def _from_commit(root: Path, repo: GitRepository, commit: BranchCommit, day: date, key: str, name: str = "") -> Dataset:
    """The valid records of `commit`, after one line saying which they are (and how many errors it had)."""
    from crmdata.git import gitrev, records_at

    try:
        loaded = records_at.load_commit(repo, commit.commit, root, date.today())
    except gitrev.GitError as problem:
        raise _usage(root, problem.text) from None
    if loaded is None:
        raise _usage(root, lambda language: phrase("records_commit_empty", language, commit=commit.short))
    dataset = loaded.dataset
    keep_loaded(dataset)
    language = language_of(dataset)
    subject = visible(commit.subject)
    _say(phrase(key, language, day=day, commit=commit.short, commit_day=commit.day, subject=subject, name=name))
    errors = len(loaded.errors)
    if errors:
        _say(phrase("records_commit_errors", language, commit=commit.short, count=errors))
    return dataset


def _say(line: str) -> None:
    say(styled(line, fg="cyan"), err=True)


def _usage(root: Path, worded: Callable[[str], str]) -> CrmError:
    """A usage error (exit 2) worded in the language of the repository's crm.yaml."""
    language = repository_language(["--root", str(root)])
    return CrmError(worded(language), ExitCode.USAGE, language=language)
