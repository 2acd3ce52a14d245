"""`crm kpi/due/segments --as-of` a past day read the records as they stood at the end of that day, from the
branch's first-parent history in git (crmdata.git.records_at); `--records now` reads the files as they are,
`--at REV` one revision exactly.

Every repository here is a real git repository whose commits have set dates (GIT_COMMITTER_DATE), and every
command is the installed `crm` run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest

from crmdata.git.records_at import BranchCommit, commit_of_day, parse_first_parents
from tests.conftest import DEFAULT_CONFIG, DataRepo, run_crm
from tests.test_site_history import ISOLATED_GIT, commit, git, init_repository

TODAY_OR_LATER = "2099-12-31"


def _kpi(root: Path, *args: str) -> dict[str, object]:
    done = run_crm("kpi", "--root", str(root), "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def _stages(root: Path, *args: str) -> dict[str, int]:
    stages = _kpi(root, *args)["customers_by_stage"]
    assert isinstance(stages, dict)
    return {stage: count for stage, count in stages.items() if count}


def _owners(root: Path, *args: str) -> dict[str, object]:
    by_owner = _kpi(root, *args)["by_owner"]
    assert isinstance(by_owner, dict)
    return {owner: values["customers_total"] for owner, values in by_owner.items()}


def _as_of_equals_at(repo: DataRepo, days: list[str]) -> None:
    """`crm kpi --as-of D` equals `crm kpi --at <D's commit> --as-of D`: the last first-parent commit dated on or
    before D (git's own answer: rev-list --first-parent --before)."""
    for day in days:
        commit = git(repo.root, "rev-list", "-1", "--first-parent", f"--before={day}T23:59:59+08:00", "HEAD").strip()
        assert _kpi(repo.root, "--as-of", day) == _kpi(repo.root, "--at", commit, "--as-of", day), day


@pytest.fixture
def moved(tmp_path: Path) -> DataRepo:
    """KH-1 active from 2026-03-01 (ming's), handed to hong on 2026-05-15, stable from 2026-06-01."""
    repo = DataRepo(tmp_path / "crm")
    init_repository(repo.root)
    repo.config(DEFAULT_CONFIG + "language: en\n")
    repo.customer("KH-1", since="2026-03-01")
    repo.customer("KH-2", since="2026-03-01", owner="hong")
    commit(repo.root, "two customers", author="张明", when="2026-03-01T09:00:00+08:00")
    repo.customer("KH-1", since="2026-03-01", owner="hong")
    commit(repo.root, "KH-1 handed to 李红", author="张明", when="2026-05-15T18:00:00+08:00")
    repo.customer("KH-1", since="2026-03-01", owner="hong", stage="stable")
    commit(repo.root, "KH-1 stable", author="李红", when="2026-06-01T10:00:00+08:00")
    return repo


def test_a_customer_counts_in_the_stage_it_had_on_the_day(moved: DataRepo) -> None:
    """Stable since 2026-06-01: counted active as of an earlier day, stable from that day on, and stable as of
    the earlier day only when today's records are asked for."""
    assert _stages(moved.root, "--as-of", "2026-05-31") == {"active": 2}
    assert _stages(moved.root, "--as-of", "2026-06-01") == {"active": 1, "stable": 1}
    assert _stages(moved.root, "--as-of", "2026-05-31", "--records", "now") == {"active": 1, "stable": 1}
    done = run_crm("kpi", "--root", str(moved.root), "--as-of", "2026-05-31", "--format", "json")
    assert "records as they stood at the end of 2026-05-31: commit" in done.stderr
    assert "(2026-05-15, KH-1 handed to 李红)" in done.stderr  # the day's commit, named
    assert json.loads(done.stdout)["as_of"] == "2026-05-31"  # stdout stays JSON


def test_an_owner_change_moves_the_customer_between_owners_on_its_day(moved: DataRepo) -> None:
    assert _owners(moved.root, "--as-of", "2026-05-14") == {"ming": 1, "hong": 1}
    assert _owners(moved.root, "--as-of", "2026-05-15") == {"ming": 0, "hong": 2}


def test_the_commit_date_in_the_committers_zone_decides_the_day(moved: DataRepo) -> None:
    """A commit at 2026-07-01 01:00 +08:00 is 2026-06-30 in UTC: it belongs to July 1st, the committer's day, and
    its author date (a week earlier: written on a branch) does not count."""
    moved.customer("KH-2", since="2026-03-01", owner="hong", stage="dormant")
    git(moved.root, "add", ".")
    env = {
        **os.environ,
        **ISOLATED_GIT,
        "GIT_AUTHOR_DATE": "2026-06-24T10:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-07-01T01:00:00+08:00",
    }
    subprocess.run(["git", "commit", "-q", "-m", "KH-2 dormant"], cwd=moved.root, env=env, check=True)
    assert "dormant" not in _stages(moved.root, "--as-of", "2026-06-30")
    assert _stages(moved.root, "--as-of", "2026-07-01").get("dormant") == 1


def test_as_of_a_day_equals_at_that_days_commit(moved: DataRepo) -> None:
    """`--as-of D` reads what `--at <D's commit> --as-of D` reads; `--at` alone computes as of its commit's day."""
    handed = git(moved.root, "rev-parse", "HEAD~1").strip()
    for day in ("2026-05-15", "2026-05-20", "2026-05-31"):
        assert _kpi(moved.root, "--as-of", day) == _kpi(moved.root, "--at", handed, "--as-of", day)
    assert _kpi(moved.root, "--at", handed)["as_of"] == "2026-05-15"
    done = run_crm("kpi", "--root", str(moved.root), "--at", "HEAD~2", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "records of HEAD~2: commit" in done.stderr and "computed as of 2026-03-01" in done.stderr


def test_a_revert_restores_the_earlier_state(moved: DataRepo) -> None:
    git(moved.root, "revert", "--no-edit", "HEAD", when="2026-07-10T09:00:00+08:00")
    assert _stages(moved.root, "--as-of", "2026-07-09") == {"active": 1, "stable": 1}
    assert _stages(moved.root, "--as-of", "2026-07-10") == {"active": 2}
    _as_of_equals_at(moved, ["2026-07-09", "2026-07-10", "2026-08-01"])


def test_a_merged_branch_does_not_leak_into_the_first_parent_history(moved: DataRepo) -> None:
    """A side branch's commit of 2026-06-10 (KH-2 dormant) is the branch's state only from its merge on 2026-06-20,
    although the branch's own commit is dated earlier."""
    git(moved.root, "checkout", "-q", "-b", "side", "HEAD~1")
    moved.customer("KH-2", since="2026-03-01", owner="hong", stage="dormant")
    commit(moved.root, "KH-2 dormant, on a branch", author="李红", when="2026-06-10T09:00:00+08:00")
    git(moved.root, "checkout", "-q", "main")
    git(moved.root, "merge", "-q", "--no-ff", "-m", "merge side", "side", when="2026-06-20T09:00:00+08:00")
    assert _stages(moved.root, "--as-of", "2026-06-15") == {"active": 1, "stable": 1}  # not dormant yet
    assert _stages(moved.root, "--as-of", "2026-06-20") == {"stable": 1, "dormant": 1}
    _as_of_equals_at(moved, ["2026-06-10", "2026-06-15", "2026-06-20"])


def test_due_and_segments_read_the_days_records_too(moved: DataRepo) -> None:
    before = run_crm("segments", "stage:active", "--root", str(moved.root), "--as-of", "2026-05-31", "--format", "json")
    after = run_crm("segments", "stage:active", "--root", str(moved.root), "--as-of", "2026-06-02", "--format", "json")
    assert before.returncode == 0 and after.returncode == 0, before.stderr + after.stderr
    assert [member["customer"] for member in json.loads(before.stdout)["members"]] == ["KH-1", "KH-2"]
    assert [member["customer"] for member in json.loads(after.stdout)["members"]] == ["KH-2"]
    due = run_crm("due", "--root", str(moved.root), "--as-of", "2026-05-14", "--all", "--format", "json")
    assert due.returncode == 0, due.stderr
    owners = {row["customer"]: row["owner"] for row in json.loads(due.stdout)["followups"]}
    assert owners == {"KH-1": "ming", "KH-2": "hong"}  # KH-1 was still ming's


def test_the_working_tree_and_the_index_are_only_read(moved: DataRepo) -> None:
    """Uncommitted edits are the records of today only; reading a past day touches neither them nor the index."""
    moved.customer("KH-1", since="2026-03-01", owner="hong", stage="dormant")  # uncommitted
    index = moved.root / ".git" / "index"
    status = git(moved.root, "status", "--porcelain")  # (git status itself may refresh the index)
    stamp = index.stat().st_mtime_ns
    assert _stages(moved.root, "--as-of", "2026-06-02") == {"active": 1, "stable": 1}
    assert _stages(moved.root, "--as-of", TODAY_OR_LATER) == {"active": 1, "dormant": 1}
    assert index.stat().st_mtime_ns == stamp
    assert git(moved.root, "status", "--porcelain") == status
    assert "dormant" in (moved.root / "customers" / "KH-1.yaml").read_text(encoding="utf-8")


def test_outside_git_and_before_the_first_commit_the_records_of_now_are_used_and_said(
    moved: DataRepo, tmp_path: Path
) -> None:
    early = run_crm("kpi", "--root", str(moved.root), "--as-of", "2026-01-01", "--format", "json")
    assert early.returncode == 0, early.stderr
    assert "no commit on or before 2026-01-01: the records as they are now are used" in early.stderr
    assert json.loads(early.stdout)["customers_total"] == 0  # both customers start 2026-03-01
    plain = DataRepo(tmp_path / "plain")
    plain.config(DEFAULT_CONFIG)
    plain.customer("KH-1")
    outside = run_crm("kpi", "--root", str(plain.root), "--as-of", "2026-05-01")
    assert outside.returncode == 0, outside.stderr
    assert "不在 git 仓库中" in outside.stderr and "使用现在的记录" in outside.stderr  # crm.yaml's language: zh


def test_a_shallow_clone_says_where_its_history_begins(moved: DataRepo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{moved.root}", str(clone)],
        check=True, env={**os.environ, **ISOLATED_GIT},
    )  # fmt: skip
    done = run_crm("kpi", "--root", str(clone), "--as-of", "2026-04-01")
    assert done.returncode == 2
    assert "shallow clone's history begins on 2026-06-01" in done.stderr and "--records now" in done.stderr
    assert "Traceback" not in done.stderr
    assert _stages(clone, "--as-of", "2026-06-02") == {"active": 1, "stable": 1}  # within its history: exact
    assert _stages(clone, "--as-of", "2026-04-01", "--records", "now") == {"active": 1, "stable": 1}


def test_a_past_commit_with_errors_is_read_without_its_invalid_records(moved: DataRepo) -> None:
    moved.write("customers/KH-3.yaml", "id: KH-3\nname: 坏记录\nstage: nowhere\n")
    commit(moved.root, "a broken record", author="张明", when="2026-06-05T09:00:00+08:00")
    moved.root.joinpath("customers", "KH-3.yaml").unlink()
    commit(moved.root, "the broken record removed", author="张明", when="2026-06-06T09:00:00+08:00")
    done = run_crm("kpi", "--root", str(moved.root), "--as-of", "2026-06-05", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "does not validate (errors: 4); the records with errors are left out" in done.stderr  # type, tier …
    assert json.loads(done.stdout)["customers_total"] == 2


def test_bad_combinations_and_revisions_are_usage_errors(moved: DataRepo) -> None:
    both = run_crm("kpi", "--root", str(moved.root), "--at", "HEAD", "--records", "now")
    assert both.returncode == 2 and "--records now and --at" in both.stderr
    unknown = run_crm("kpi", "--root", str(moved.root), "--at", "no-such-branch")
    assert unknown.returncode == 2 and "no-such-branch" in unknown.stderr and "Traceback" not in unknown.stderr
    option = run_crm("kpi", "--root", str(moved.root), "--at", "--output=x")
    assert option.returncode == 2 and "Traceback" not in option.stderr


def test_parse_first_parents_and_the_day_of_a_commit() -> None:
    """git's lines, newest first; the first commit on or before the day counts even out of date order."""
    output = (
        b"c3\x002026-07-01T01:00:00+08:00\x00third\n"
        b"c2\x002026-05-01T09:00:00-05:00\x00second \xe4\xb8\xad\n"
        b"c1\x002026-06-01T09:00:00+00:00\x00first, clock ahead\n"
    )
    history = list(parse_first_parents(output))
    assert [entry.commit for entry in history] == ["c3", "c2", "c1"]
    assert history[1].subject == "second 中"
    assert commit_of_day(history, date(2026, 6, 30)) == BranchCommit("c2", date(2026, 5, 1), "second 中")
    assert commit_of_day(history, date(2026, 7, 1)) == history[0]  # July 1st in the committer's zone
    assert commit_of_day(history, date(2026, 5, 31)) == history[1]  # c1 is dated later, and older in history
    assert commit_of_day(history, date(2026, 4, 30)) is None


def test_a_data_root_in_a_folder_of_the_repository_reads_its_own_history(tmp_path: Path) -> None:
    """The records in crm/ of a bigger repository (the guide's --root crm/): the past is read there too, by the
    CLI and by the site (its trends and the customer page's field changes)."""
    top = tmp_path / "company"
    init_repository(top)
    data = DataRepo(top / "crm")
    data.config(DEFAULT_CONFIG + "language: en\n")
    data.customer("KH-1", since="2026-03-01")
    commit(top, "KH-1", author="张明", when="2026-03-01T09:00:00+08:00")
    data.customer("KH-1", since="2026-03-01", stage="stable")
    commit(top, "KH-1 stable", author="张明", when="2026-06-01T09:00:00+08:00")
    assert _stages(data.root, "--as-of", "2026-05-31") == {"active": 1}
    assert _stages(data.root, "--as-of", "2026-06-01") == {"stable": 1}
    built = run_crm("build", "--root", str(data.root), "--as-of", "2026-07-15", "--out", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    staged = data.root / ".crm-cache" / "site" / "public"
    assert "Stage Active → Stable" in (staged / "customers" / "KH-1.md").read_text(encoding="utf-8")
    assert "2026-05-31: 1" in (staged / "kpis.md").read_text(encoding="utf-8")  # customers_total's trend
