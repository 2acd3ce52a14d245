"""The site's KPIs of past days, each computed on the records of its own day (read from git).

The dashboard's "30 days ago" and the KPI page's 12-month trends used to count customers in today's stages,
tiers, values and owners: a customer who became stable last week counted as stable a year ago. In a git
repository every past state is there, so each past day's KPI report (team and owners) is computed on the
records of the last commit of that day on the branch's first-parent history (crmdata.git.records_at), built
from the loaded records plus what differs (crmdata.git.snapshots).

A past day's report depends only on that commit, the day and crm's code, so it is kept by those
(site_builder.kept): an edit of today's records changes none of them, and a build after an edit reads git's log
and a dozen kept entries. The data date's own KPIs are the site's report, on the loaded records. Outside git
every past day is unknown: the tiles then compare with today's records counted as of that day (as before,
site_data's `earlier_kpis`), and the trends are not drawn (a history that never happened is not shown). A day
before the first commit, or before a shallow clone's history, is unknown too (None): it is shown as "—".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from crmdata.engine import kpis
from crmdata.git import gitrev, records_at
from crmdata.git.snapshots import Snapshots
from crmdata.records.dataset import Dataset
from site_builder.kept import Kept, recipe_name

TREND_MONTHS = 12
"""Points of a KPI's trend: the last day of each of the months before the data date's, then the data date."""


def trend_days(as_of: date) -> list[date]:
    """The month ends of the TREND_MONTHS - 1 months before as_of's month, oldest first (the trend's last point
    is as_of itself: the site's own report)."""
    ends: list[date] = []
    first = as_of.replace(day=1)
    for _ in range(TREND_MONTHS - 1):
        end = first - timedelta(days=1)
        ends.append(end)
        first = end.replace(day=1)
    return ends[::-1]


@dataclass
class PastKpis:
    """The KPI reports of past days on their own day's records, kept by commit. `known` is False outside git
    (nothing of the past is known); `begins` is the first day with records (the first commit's, or a shallow
    clone's oldest), None when there is no commit at all."""

    root: Path
    current: Dataset
    as_of: date
    store: Kept | None
    code: bytes
    known: bool = False
    begins: date | None = None
    made: int = 0
    """Past days whose KPIs this build computed (the others were kept)."""
    repo: gitrev.GitRepository | None = None
    """The git repository of `root` (None outside git)."""
    _history: list[records_at.BranchCommit] = field(default_factory=list)
    _snapshots: Snapshots | None = None
    _reports: dict[date, dict[str, object] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            self.repo = gitrev.repository(self.root)
            self._history = records_at.first_parent_history(self.repo)
        except gitrev.GitError:
            return  # not a git repository (or git is missing): the past is not known
        self.known = True
        if self._history:  # a shallow clone's oldest commit too: its history begins there
            self.begins = min(commit.day for commit in self._history)

    def report(self, day: date) -> dict[str, object] | None:
        """kpis.report on the records of `day`, a day before the data date (the site's own report is the data
        date's); None when they are not known (outside git, before the first commit or a shallow clone's
        history)."""
        assert day < self.as_of, "the data date's KPIs are the site's own report"
        if day in self._reports:
            return self._reports[day]
        commit = records_at.commit_of_day(self._history, day) if self.known else None
        try:
            values = None if commit is None else self._kept(commit.commit, day)
        except gitrev.GitError:  # git failed on an old commit: that day is not known, the site is built anyway
            values = None
        self._reports[day] = values
        return values

    def team(self, day: date) -> dict[str, object] | None:
        """The team's values of `day` (report without by_owner), None when unknown."""
        values = self.report(day)
        return None if values is None else {key: value for key, value in values.items() if key != "by_owner"}

    def _kept(self, commit: str, day: date) -> dict[str, object]:
        name = recipe_name(repr(("kpis-at-commit", self.code.hex(), commit, day.isoformat())))
        if self.store is not None:
            loaded = self.store.get_json(name)
            if isinstance(loaded, dict):
                return loaded
        assert self.repo is not None
        if self._snapshots is None:
            self._snapshots = Snapshots(self.repo, self.current)
        values: dict[str, object] = json.loads(json.dumps(kpis.report(self._snapshots.dataset_at(commit), day)))
        self.made += 1  # (values as kept: the same whether kept or made)
        if self.store is not None:
            self.store.put_json(name, values)
        return values
