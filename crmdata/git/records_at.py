"""The records as they stood at the end of a past day, read from the branch's history in git.

Records keep only their current state, so KPIs, follow-ups and segments of a past day computed from today's
files count customers in today's stages, tiers, values and owners. The data repository is a git repository,
though: every past state of every record is in it, with its date. `commit_of_day` finds the commit that held
the records at the end of a day: the last commit on HEAD's first-parent history whose commit date (the day in
the committer's own time zone) is on or before that day. `load_commit` loads that commit's data files exactly
as `crm validate` loads a folder (crmdata.git.revision_data), from a scratch copy (crmdata.git.gitrev): the
working tree, the index and `.git` are only read.

Why the commit date and not the author date: the author date is when a change was first written, perhaps on a
branch nobody had merged yet; the commit date on the first-parent history is when it entered this branch (the
merge, the squash, the rebase that landed it). The records "stood" on a day as the branch held them that day.
Why the first parent only: a merged branch's own commits were never the branch's state; the merge commit is.

Outside git, in a repository without a commit on or before the day, or when asked (`--records now`), the
records as they are now are used and the caller says so. A shallow clone that does not reach back to the day
cannot know the records of that day: `ShallowHistoryError` says from which day its history is there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from crmdata.git import gitrev, revision_data
from crmdata.records.cache import ParseCache
from crmdata.records.load import LoadOptions, Progress

FIRST_PARENT_FORMAT = "%H%x00%cI%x00%s"
"""Commit id, committer date (strict ISO 8601 with the committer's offset), subject: NUL between fields."""


@dataclass(frozen=True)
class BranchCommit:
    """A commit of the first-parent history: its id, its day (the commit date's calendar day in the
    committer's own time zone) and its subject (text from the repository: shown escaped)."""

    commit: str
    day: date
    subject: str

    @property
    def short(self) -> str:
        return self.commit[:7]


class ShallowHistoryError(Exception):
    """The clone's history begins after the day asked for: the records of that day are not in it."""

    def __init__(self, day: date, oldest: date | None) -> None:
        self.day, self.oldest = day, oldest
        super().__init__(f"the history of this shallow clone begins on {oldest}, after {day}")


def parse_first_parents(output: bytes) -> Iterator[BranchCommit]:
    """The commits of `git log --format=FIRST_PARENT_FORMAT` output, newest first: one line each (a subject is
    one line), NUL between the fields. A pure function of git's text."""
    for line in output.split(b"\n"):
        fields = line.split(b"\0")
        if len(fields) != 3:
            continue
        commit, when, subject = fields
        yield BranchCommit(
            commit.decode("ascii"),
            datetime.fromisoformat(when.decode("ascii")).date(),
            subject.decode("utf-8", "replace"),
        )


def first_parent_history(repo: gitrev.GitRepository) -> list[BranchCommit]:
    """HEAD's first-parent history, newest first; empty in a repository without a commit."""
    if repo.git("rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        return []
    result = repo.git("log", "--first-parent", f"--format={FIRST_PARENT_FORMAT}", "HEAD")
    if result.returncode != 0:
        raise gitrev.GitError("git_cannot_list", revision="HEAD", reason=gitrev.first_line(result.stderr))
    return list(parse_first_parents(result.stdout))


def commit_itself(repo: gitrev.GitRepository, commit: str) -> BranchCommit:
    """The commit `commit` (a full id: gitrev.resolve's) with its day and subject."""
    result = repo.git("log", "-1", f"--format={FIRST_PARENT_FORMAT}", commit, "--")
    found = next(parse_first_parents(result.stdout), None) if result.returncode == 0 else None
    if found is None:
        raise gitrev.GitError("git_cannot_list", revision=commit, reason=gitrev.first_line(result.stderr))
    return found


def commit_of_day(history: list[BranchCommit], day: date) -> BranchCommit | None:
    """The last commit of `history` (newest first) whose day is on or before `day`; None when every commit is
    later. The history need not be in date order (a rebase, a wrong clock): the first one found counts."""
    return next((commit for commit in history if commit.day <= day), None)


def records_commit(repo: gitrev.GitRepository, day: date) -> BranchCommit | None:
    """The commit holding the records at the end of `day`; None before the first commit (or without one).
    Raises ShallowHistoryError when the clone is shallow and its history begins after `day`."""
    history = first_parent_history(repo)
    found = commit_of_day(history, day)
    if found is None and history and gitrev.is_shallow(repo):
        raise ShallowHistoryError(day, min(commit.day for commit in history))
    return found


def load_commit(
    repo: gitrev.GitRepository, commit: str, root: Path, today: date, progress: Progress | None = None
) -> revision_data.LoadedRevision | None:
    """The data files of `commit` loaded and validated as `crm validate` would (None: the commit has no data
    files). The working tree's parse cache serves every file whose content it has seen."""
    revision = gitrev.Revision(commit, commit)
    files = gitrev.data_files(repo, revision)
    if not files:
        return None
    options = LoadOptions(progress=progress, use_cache=ParseCache.exists(root))
    with gitrev.scratch_tree(repo, cache_from=root, file_count=len(files)) as tree:
        tree.switch_to(files)
        return revision_data.load_revision(tree.root, options, today)
