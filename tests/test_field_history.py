"""When a customer's stage, tier, value and owner changed, and an opportunity's stage, read from git
(crmdata.git.field_history), and the customer page that shows it. Real git repositories with dated commits."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from crmdata.git import gitrev
from crmdata.git.field_history import FieldHistory, FieldMove, field_history, stage_entered
from tests.conftest import DEFAULT_CONFIG, DataRepo, run_crm
from tests.test_site_history import HOSTILE_AUTHOR, commit, git, init_repository


@pytest.fixture
def repo(tmp_path: Path) -> DataRepo:
    """KH-1 from 2026-03-01; handed to hong on 2026-05-15; its stage moved to stable on a side branch
    (2026-05-20) merged on 2026-06-01; an opportunity qualified on 2026-03-01, in proposal from 2026-04-10."""
    data = DataRepo(tmp_path / "crm")
    init_repository(data.root)
    data.config(DEFAULT_CONFIG)
    data.customer("KH-1", since="2026-03-01")
    data.opportunity("SJ-1", "KH-1")
    commit(data.root, "KH-1", author="张明", when="2026-03-01T09:00:00+08:00")
    data.opportunity("SJ-1", "KH-1", stage="proposal")
    commit(data.root, "SJ-1 proposal", author="张明", when="2026-04-10T09:00:00+08:00")
    data.customer("KH-1", since="2026-03-01", owner="hong")
    commit(data.root, "KH-1 to 李红", author=HOSTILE_AUTHOR, when="2026-05-15T18:00:00+08:00")
    git(data.root, "checkout", "-q", "-b", "side")
    data.customer("KH-1", since="2026-03-01", owner="hong", stage="stable")
    commit(data.root, "KH-1 stable", author="李红", when="2026-05-20T09:00:00+08:00")
    git(data.root, "checkout", "-q", "main")
    git(data.root, "merge", "-q", "--no-ff", "-m", "merge side", "side", when="2026-06-01T09:00:00+08:00")
    return data


def _changes(history: FieldHistory, path: str) -> list[tuple[str, str | None, str | None, str]]:
    return [(c.field, c.before, c.after, c.day.isoformat()) for c in history.changes[path] if c.before is not None]


def test_each_change_has_its_day_on_the_branch(repo: DataRepo) -> None:
    history = field_history(gitrev.repository(repo.root))
    assert _changes(history, "customers/KH-1.yaml") == [
        ("owner", "ming", "hong", "2026-05-15"),
        ("stage", "active", "stable", "2026-06-01"),  # the merge's day, not the side branch's commit's
    ]
    assert _changes(history, "opportunities/SJ-1.yaml") == [("stage", "qualified", "proposal", "2026-04-10")]
    first = history.changes["customers/KH-1.yaml"][0]
    assert (first.before, first.after, first.day) == (None, "active", date(2026, 3, 1))  # the file's first version
    handed = history.changes["customers/KH-1.yaml"][4]
    assert handed.author == HOSTILE_AUTHOR and len(handed.commit) == 40


def test_a_kept_history_is_continued_from_its_commit(repo: DataRepo) -> None:
    """A build after a new commit reads that commit only, and the answer is the one read from the first commit;
    a kept history whose commit is no longer on the branch is read again from the first."""
    git_repo = gitrev.repository(repo.root)
    kept = FieldHistory.from_json(json.loads(json.dumps(field_history(git_repo).as_json())))
    assert kept is not None
    repo.customer("KH-1", since="2026-03-01", owner="ming", stage="stable")  # the handover undone
    commit(repo.root, "KH-1 back to 张明", author="张明", when="2026-07-01T09:00:00+08:00")
    continued, whole = field_history(git_repo, kept), field_history(git_repo)
    assert continued.as_json() == whole.as_json()
    assert _changes(whole, "customers/KH-1.yaml")[-1] == ("owner", "hong", "ming", "2026-07-01")
    stray = FieldHistory("0" * 40, {"customers/KH-9.yaml": {"stage": "active"}}, {})
    assert field_history(git_repo, stray).as_json() == whole.as_json()


def test_the_customer_page_shows_when_each_field_changed(repo: DataRepo, tmp_path: Path) -> None:
    built = run_crm("build", "--root", str(repo.root), "--as-of", "2026-07-15", "--out", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    page = (repo.root / ".crm-cache" / "site" / "public" / "customers" / "KH-1.md").read_text(encoding="utf-8")
    section = page.split("## 阶段、分级、价值和负责人的变化", 1)[1].split("## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("<tr><td>")]
    assert len(rows) == 2 and "2026-06-01" in rows[0] and "2026-05-15" in rows[1]  # newest first
    assert "阶段 合作期 → 稳定期" in rows[0] and "负责人 张明 → 李红" in rows[1]
    assert "<code>" in rows[1] and "[点](javascript:x)" not in rows[1]  # the author's text escaped for Markdown
    html = (tmp_path / "site" / "customers" / "KH-1" / "index.html").read_text(encoding="utf-8")
    shown = BeautifulSoup(html, "html.parser").find(string=lambda text: text and "javascript" in text)
    assert shown is not None and HOSTILE_AUTHOR in shown  # shown as the text it is
    assert 'href="javascript' not in html and "onclick=" not in html


def test_field_changes_round_trip_as_kept() -> None:
    change = FieldMove("stage", "active", "stable", date(2026, 6, 1), "a" * 40, "李红")
    assert FieldMove.from_json(json.loads(json.dumps(change.as_json()))) == change
    assert FieldHistory.from_json({"values": "not a mapping"}) is None


def test_an_opportunitys_age_in_its_stage_counts_from_the_day_git_says_it_entered_it(
    repo: DataRepo, tmp_path: Path
) -> None:
    """SJ-1 has been in proposal since its commit of 2026-04-10: 96 days on 2026-07-15 on the pipeline page. No
    conversation names it, so without git its age is not known."""
    built = run_crm("build", "--root", str(repo.root), "--as-of", "2026-07-15", "--out", str(tmp_path / "site"))
    assert built.returncode == 0, built.stderr
    page = (repo.root / ".crm-cache" / "site" / "public" / "pipeline.md").read_text(encoding="utf-8")
    assert "停留中位数 96 天" in page
    history = field_history(gitrev.repository(repo.root))
    assert stage_entered(history, "opportunities/SJ-1.yaml", "proposal") == date(2026, 4, 10)
    assert stage_entered(history, "opportunities/SJ-1.yaml", "negotiation") is None  # not its last stage

    shutil.rmtree(repo.root / ".git")
    shutil.rmtree(repo.root / ".crm-cache")
    again = run_crm("build", "--root", str(repo.root), "--as-of", "2026-07-15", "--out", str(tmp_path / "plain"))
    assert again.returncode == 0, again.stderr
    page = (repo.root / ".crm-cache" / "site" / "public" / "pipeline.md").read_text(encoding="utf-8")
    assert "停留中位数" not in page
