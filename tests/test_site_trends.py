"""The site's KPI trends and its "30/90 days ago" come from the records of each past day, read from git
(site_builder.past_kpis): every point equals `crm kpi --as-of` that day, owners' trends count the owners of
that day, and a later build takes them from the last one. Outside git no trend is drawn.

Real git repositories with dated commits; the installed `crm` builds the site as a user runs it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_CONFIG, DataRepo, run_crm
from tests.test_site_history import commit, git, init_repository

AS_OF = "2026-07-15"
MONTH_ENDS = ["2025-08-31", "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28",
              "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> DataRepo:
    """KH-1 (ming's) and KH-2 from 2026-03-01; KH-1 handed to hong on 2026-05-15; KH-3 entered on 2026-06-20 with
    a `since` of February (recorded late: today's records say it was a customer in April, April's did not)."""
    data = DataRepo(tmp_path / "crm")
    init_repository(data.root)
    data.config(DEFAULT_CONFIG)
    data.customer("KH-1", since="2026-03-01")
    data.customer("KH-2", since="2026-03-01", owner="hong")
    commit(data.root, "two customers", author="张明", when="2026-03-01T09:00:00+08:00")
    data.customer("KH-1", since="2026-03-01", owner="hong")
    commit(data.root, "KH-1 handed to 李红", author="张明", when="2026-05-15T18:00:00+08:00")
    data.customer("KH-3", since="2026-02-01")
    commit(data.root, "KH-3, a customer since February", author="张明", when="2026-06-20T10:00:00+08:00")
    return data


def _build(data: DataRepo, out: Path) -> str:
    built = run_crm("build", "--root", str(data.root), "--as-of", AS_OF, "--out", str(out))
    assert built.returncode == 0, built.stderr
    return built.stderr


def _kpi(data: DataRepo, day: str, *args: str) -> dict[str, object]:
    done = run_crm("kpi", "--root", str(data.root), "--as-of", day, "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def _row(data: DataRepo, page: str, key: str) -> str:
    """The Markdown table row of KPI `key` on a generated page (staged in the cache)."""
    text = (data.root / ".crm-cache" / "site" / "public" / page).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("| [") and f"#{key})" in line)


def _trend(row: str) -> dict[str, str]:
    """Day → value as shown, from the sparkline's label in a row."""
    label = re.search(r'aria-label="([^"]*)"', row)
    assert label is not None, row
    return dict(point.split(": ") for point in label.group(1).split("; "))


def _shown(value: object) -> str:
    return "—" if value is None else str(value)


def test_every_point_of_a_trend_is_the_kpi_of_that_days_records(repo: DataRepo, tmp_path: Path) -> None:
    log = _build(repo, tmp_path / "site")
    assert "按当天的记录算好" in log  # made this time (kept for the next build)
    trend = _trend(_row(repo, "kpis.md", "customers_total"))
    assert list(trend) == [*MONTH_ENDS, AS_OF]
    for day, shown in trend.items():
        expected = _kpi(repo, day)["customers_total"] if day >= "2026-03-01" else None  # no commit before
        assert shown == _shown(expected), day
    assert trend["2026-04-30"] == "2"  # KH-3 was not in April's records, whatever its `since` says now
    assert _kpi(repo, "2026-04-30", "--records", "now")["customers_total"] == 3

    row = _row(repo, "kpis.md", "customers_total").split("|")
    assert [cell.strip() for cell in row[2:5]] == ["3", "2", "2"]  # now, 30 days ago (June 15: no KH-3), 90 days ago

    ming = _trend(_row(repo, "owners/ming.md", "customers_total"))
    for day in ("2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", AS_OF):
        by_owner = _kpi(repo, day)["by_owner"]
        assert isinstance(by_owner, dict)
        assert ming[day] == _shown(by_owner["ming"]["customers_total"]), day
    assert [ming[day] for day in ("2026-04-30", "2026-05-31", "2026-06-30")] == ["1", "0", "1"]  # the handover

    site = (tmp_path / "site" / "kpis" / "index.html").read_text(encoding="utf-8")
    assert site.count('<svg class="crm-spark"') >= 10


def test_a_later_build_takes_the_past_from_the_last_one(repo: DataRepo, tmp_path: Path) -> None:
    """An uncommitted edit changes today's records only: the past days' KPIs are taken as they were, and equal
    those of a build from nothing."""
    out = tmp_path / "site"
    _build(repo, out)
    repo.customer("KH-2", since="2026-03-01", owner="hong", stage="dormant")  # not committed
    again = _build(repo, out)
    assert "按当天的记录算好" not in again
    kept = _row(repo, "kpis.md", "silent_customers")
    shutil.rmtree(repo.root / ".crm-cache")
    fresh = _build(repo, tmp_path / "fresh")
    assert "按当天的记录算好" in fresh
    assert _row(repo, "kpis.md", "silent_customers") == kept


def test_outside_git_no_trend_is_drawn(repo: DataRepo, tmp_path: Path) -> None:
    shutil.rmtree(repo.root / ".git")
    _build(repo, tmp_path / "site")
    page = (repo.root / ".crm-cache" / "site" / "public" / "kpis.md").read_text(encoding="utf-8")
    assert "crm-spark" not in page and "| 近 12 个月 |" not in page
    assert "这个仓库没有版本历史" in page
    row = _row(repo, "kpis.md", "customers_total").split("|")
    assert [cell.strip() for cell in row[2:5]] == ["3", "3", "3"]  # today's records counted as of each day


def test_a_commit_git_cannot_read_leaves_its_days_unknown_and_the_site_built(repo: DataRepo, tmp_path: Path) -> None:
    """A blob of an old commit missing from the repository (a damaged or partial clone): the days that need it
    show —, the others their values, and the build succeeds."""
    blob = git(repo.root, "rev-parse", "HEAD~2:customers/KH-1.yaml").strip()  # KH-1 before its handover
    (repo.root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    _build(repo, tmp_path / "site")
    trend = _trend(_row(repo, "kpis.md", "customers_total"))
    assert trend["2026-04-30"] == "—" and trend["2026-06-30"] == "3"
