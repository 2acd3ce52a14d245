"""Change history on customer pages: who changed a customer's records and when, read from git.

Real git repositories in temporary folders, commits by different authors on pinned days
(GIT_AUTHOR_NAME / GIT_AUTHOR_DATE), then the installed `crm build` as a user runs it, and the built HTML
read as a reader sees it. The parsing and grouping are also tested on literal git output, without git.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from crmdata.git.history import (
    Commit,
    History,
    changes_by_customer,
    parse_log,
    parse_status,
    read_history,
)
from tests.conftest import DataRepo
from tests.pagefind_index import fragments
from tests.test_site import crm_build, write_small_crm

HOSTILE_AUTHOR = "&amp; [点](javascript:x) **粗** {:onclick=y}"
"""git itself drops < and > from names (they delimit the e-mail); everything else is kept. Short enough
to be shown whole (names are cut at 40 characters)."""
HOSTILE_SUBJECT = "<script>alert(1)</script> | **x** {{ 7*7 }}"
ISOLATED_GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
"""The tests' own git calls ignore the developer's git configuration (signing, hooks, default branch)."""


def git(folder: Path, *args: str, author: str = "张明", when: str = "2026-01-05T10:00:00+08:00") -> str:
    """Run git in `folder` as `author` on the day `when` (author and committer date alike)."""
    env = {
        **os.environ,
        **ISOLATED_GIT,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "someone@example.com",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(["git", *args], cwd=folder, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def init_repository(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Committer")
    git(folder, "config", "user.email", "committer@example.com")


def commit(folder: Path, subject: str, *paths: str, author: str, when: str) -> None:
    git(folder, "add", "--", *(paths or ["."]))
    git(folder, "commit", "-q", "-m", subject, author=author, when=when)


@dataclass
class Site:
    out: Path

    def article(self, page: str) -> Tag:
        html = (self.out / page / "index.html").read_text(encoding="utf-8")
        found = BeautifulSoup(html, "html.parser").select_one("article.md-content__inner")
        assert found is not None
        return found

    def history(self, page: str) -> Tag:
        """The page's change history section (under its heading)."""
        found = self.article(page).select_one(".crm-history")
        assert found is not None, f"{page} has no change history"
        return found

    def heading(self, page: str) -> str:
        heading = self.history(page).find_previous("h2")
        assert heading is not None
        return heading.get_text(strip=True)

    def rows(self, page: str) -> list[list[str]]:
        """The change history table as text: [date, author, records, subject, short hash] per row (the
        hash is shown after the subject)."""
        rows = []
        for tr in self.history(page).select("tbody tr"):
            cells = tr.find_all("td")
            assert len(cells) == 4, tr
            commit = cells[3].find("code")
            assert commit is not None
            short = commit.extract().get_text()
            rows.append([cell.get_text().strip() for cell in cells] + [short])
        return rows


@pytest.fixture(scope="module")
def build_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg"))}


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory, build_env: dict[str, str]) -> Site:
    """The small CRM of test_site, committed over a year by two people and a hostile one."""
    folder = tmp_path_factory.mktemp("history")
    repo = DataRepo(folder / "crm")
    write_small_crm(repo)
    root = repo.root
    init_repository(root)
    (root / "interactions").rename(folder / "later")  # the conversations come in later commits
    commit(root, "新客户: 华星科技等三家", author="张明", when="2026-01-05T10:00:00+08:00")
    (folder / "later").rename(root / "interactions")
    interactions = [f"interactions/2026/JL-202600{n}.yaml" for n in range(1, 5)]
    commit(root, "十月回访记录", interactions[0], interactions[3], author="李红", when="2026-10-01T18:00:00+08:00")
    repo.put((root / "customers/KH-2024001.yaml").read_text("utf-8") + "notes: 续约中\n")
    commit(
        root, "续约谈判: 记录和备注", interactions[1], "customers/KH-2024001.yaml",
        author="张明", when="2026-11-10T21:00:00+08:00",
    )  # fmt: skip
    commit(root, HOSTILE_SUBJECT, interactions[2], author=HOSTILE_AUTHOR, when="2026-11-12T09:00:00+08:00")
    churned = (root / "customers/KH-2023001.yaml").read_text("utf-8")
    repo.put(churned.replace("价格因素", "价格因素和服务响应"))
    commit(
        root, "补记流失原因", "customers/KH-2023001.yaml", author="王芳", when="2026-06-01T12:00:00+08:00"
    )  # committed last, written in June: shown by its author date
    repo.customer("KH-2025001", since="2025-01-01")
    commit(root, "新客户 KH-2025001", "customers/KH-2025001.yaml", author="张明", when="2026-02-01T10:00:00+08:00")
    for number in range(1, 13):
        repo.customer("KH-2025001", f"notes: 第 {number} 次修改\n", since="2025-01-01")
        when = f"2026-03-{number:02d}T10:00:00+08:00"
        commit(root, f"修改 {number}", "customers/KH-2025001.yaml", author="李红", when=when)
    repo.interaction("JL-2026005", "KH-2023001", "2026-11-20")  # not committed yet
    out = root / "site"
    built = crm_build(repo, out, env=build_env)
    assert built.returncode == 0, built.stderr
    assert "crm：变更历史来自 git：18 个提交" in built.stderr  # crm.yaml's language: zh
    return Site(out)


# --- what a reader sees -----------------------------------------------------------------------------------


def test_a_customer_page_lists_who_changed_its_records_and_when_newest_first(history_site: Site) -> None:
    rows = history_site.rows("customers/KH-2024001")
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("2026-11-10", "张明", "续约谈判: 记录和备注"),
        ("2026-10-01", "李红", "十月回访记录"),
        ("2026-01-05", "张明", "新客户: 华星科技等三家"),
    ]
    assert all(len(row[4]) == 8 and int(row[4], 16) >= 0 for row in rows), "a short commit hash"
    assert history_site.heading("customers/KH-2024001").startswith("变更历史")


def test_a_commit_touching_several_of_a_customers_files_is_one_row_naming_them(history_site: Site) -> None:
    rows = history_site.rows("customers/KH-2024001")
    assert rows[0][2] == "客户资料, JL-2026002"  # the record and a conversation, one commit
    assert rows[1][2] == "JL-2026001"  # the same commit also added KH-2023001's conversation: not named here
    assert rows[2][2] == "客户资料"


def test_a_conversations_commit_is_on_its_customers_page_only(history_site: Site) -> None:
    churned = history_site.rows("customers/KH-2023001")
    assert ("2026-10-01", "李红", "JL-2026004") in [(row[0], row[1], row[2]) for row in churned]
    hostile = [row[3] for row in history_site.rows("customers/KH-2024002")]
    assert HOSTILE_SUBJECT in hostile
    for page in ("customers/KH-2024001", "customers/KH-2023001", "customers/KH-2025001"):
        assert HOSTILE_SUBJECT not in [row[3] for row in history_site.rows(page)]


def test_changes_are_ordered_by_when_they_were_written(history_site: Site) -> None:
    """The June fix was committed after October's conversation: the author date places it."""
    rows = history_site.rows("customers/KH-2023001")
    assert [(row[0], row[3]) for row in rows] == [
        ("2026-10-01", "十月回访记录"),
        ("2026-06-01", "补记流失原因"),
        ("2026-01-05", "新客户: 华星科技等三家"),
    ]


def test_a_long_history_shows_the_latest_ten_changes_and_counts_the_rest(history_site: Site) -> None:
    from site_builder.sitedata import HISTORY_ROWS

    rows = history_site.rows("customers/KH-2025001")
    assert len(rows) == HISTORY_ROWS
    assert rows[0][3] == "修改 12" and rows[-1][3] == "修改 3"
    more = history_site.history("customers/KH-2025001").select_one("p.crm-more")
    assert more is not None and "另有 3 次更早的变更" in more.get_text()


def test_files_not_committed_yet_are_named(history_site: Site) -> None:
    assert "尚未提交的修改: JL-2026005" in history_site.history("customers/KH-2023001").get_text()
    assert "尚未提交" not in history_site.history("customers/KH-2024001").get_text()


def test_hostile_authors_and_subjects_are_shown_as_text(history_site: Site) -> None:
    history = history_site.history("customers/KH-2024002")
    row = next(tr for tr in history.select("tbody tr") if "alert" in tr.get_text())
    cells = row.find_all("td")
    assert len(cells) == 4, "a | in the subject did not split the row"
    assert cells[1].get_text() == HOSTILE_AUTHOR
    assert cells[3].get_text().startswith(HOSTILE_SUBJECT + " ")  # then the commit's short hash
    assert "49" not in cells[3].get_text()
    assert row.find(["script", "img", "a", "strong", "em"]) is None
    for element in history_site.article("customers/KH-2024002").find_all(True):
        assert not any(name.startswith("on") for name in element.attrs), element


def test_the_history_stays_out_of_the_search_index(history_site: Site) -> None:
    page = fragments(history_site.out)["/customers/KH-2024002/"]
    indexed = json.dumps(page, ensure_ascii=False)
    assert "华星" in indexed or "KH-2024002" in indexed, "the customer's page is in the index"
    assert "十月回访记录" not in indexed and "补记流失原因" not in indexed


# --- where the data root is, and where there is no history ---------------------------------------------


def test_a_data_root_in_a_folder_of_the_repository(tmp_path: Path, build_env: dict[str, str]) -> None:
    """Paths are the data root's; a commit elsewhere in the repository, even to a customers/ folder of
    its own, is not a change of these records. English labels while at it, and a customer whose files
    git ignores."""
    top = tmp_path / "company"
    init_repository(top)
    repo = DataRepo(top / "crm")
    write_small_crm(repo, language="en")
    (top / ".gitignore").write_text("crm/customers/KH-2023001.yaml\ncrm/interactions/2026/JL-2026004.yaml\n")
    commit(top, "CRM data", "crm", author="Ming Zhang", when="2026-02-03T10:00:00+00:00")
    (top / "customers").mkdir()
    (top / "customers" / "KH-2024001.yaml").write_text("not the CRM's\n", encoding="utf-8")
    (top / "README.md").write_text("company docs\n", encoding="utf-8")
    commit(top, "Other files", "customers", "README.md", author="Hong Li", when="2026-03-01T10:00:00+00:00")
    out = tmp_path / "out"
    built = crm_build(repo, out, env=build_env)
    assert built.returncode == 0, built.stderr
    site = Site(out)
    assert [(row[0], row[1], row[2], row[3]) for row in site.rows("customers/KH-2024001")] == [
        ("2026-02-03", "Ming Zhang", "customer record, JL-2026001, JL-2026002", "CRM data"),
    ]
    assert site.heading("customers/KH-2024001").startswith("Change history")
    ignored = site.history("customers/KH-2023001").get_text(" ", strip=True)
    assert ignored == "These records are not committed to git yet."


def test_without_git_history_the_site_builds_without_the_section(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    built = crm_build(repo, tmp_path / "out", env=build_env)
    assert built.returncode == 0, built.stderr
    assert "客户页面不显示变更历史" in built.stderr and "不在 git 仓库里" in built.stderr
    article = Site(tmp_path / "out").article("customers/KH-2024001")
    assert article.select_one(".crm-history") is None
    assert "变更历史" not in article.get_text()


def test_read_history_says_why_there_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert str(read_history(plain).missing) == f"{plain} is not in a git repository"
    fresh = tmp_path / "fresh"
    init_repository(fresh)
    assert str(read_history(fresh).missing) == "the git repository has no commits yet"
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert str(read_history(fresh).missing) == "git is not installed"


def test_the_next_read_sees_a_new_commit_and_uncommitted_edits(tmp_path: Path) -> None:
    """`crm serve` keeps the last log while HEAD stays put; a commit or an edit shows at the next rebuild."""
    repo = DataRepo(tmp_path / "crm")
    init_repository(repo.root)
    repo.customer("KH-2024001")
    commit(repo.root, "first", author="张明", when="2026-01-05T10:00:00+08:00")
    assert read_history(repo.root).uncommitted == frozenset()
    repo.customer("KH-2024001", notes="改过")
    assert read_history(repo.root).uncommitted == {"customers/KH-2024001.yaml"}
    commit(repo.root, "second", author="李红", when="2026-02-05T10:00:00+08:00")
    history = read_history(repo.root)
    assert [c.subject for c in history.commits_of["customers/KH-2024001.yaml"]] == ["second", "first"]
    assert history.uncommitted == frozenset()


def test_a_shallow_clone_says_so_and_does_not_credit_its_cut_with_every_file(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """CI checks out one commit by default: the commit at the cut would look as if it had created every
    record, so its files are left out, and each page says the history is incomplete."""
    origin = DataRepo(tmp_path / "origin")
    write_small_crm(origin)
    init_repository(origin.root)
    commit(origin.root, "first", author="张明", when="2026-01-05T10:00:00+08:00")
    record = origin.root / "customers/KH-2024001.yaml"
    for number, subject in enumerate(("second", "third")):
        record.write_text(record.read_text("utf-8") + f"# {number}\n", encoding="utf-8")
        commit(origin.root, subject, author="李红", when=f"2026-02-0{number + 1}T10:00:00+08:00")
    full = read_history(origin.root)
    assert not full.shallow
    assert [c.subject for c in full.commits_of["customers/KH-2024001.yaml"]] == ["third", "second", "first"]
    clone = DataRepo(tmp_path / "clone")
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{origin.root}", str(clone.root))
    history = read_history(clone.root)
    assert history.available and history.shallow
    assert {path: [c.subject for c in commits] for path, commits in history.commits_of.items()} == {
        "customers/KH-2024001.yaml": ["third"]
    }, "the cut (second) is not a change of every file"
    built = crm_build(clone, tmp_path / "out", env=build_env)
    assert built.returncode == 0, built.stderr
    assert "（浅克隆：更早的改动缺失）" in built.stderr  # crm.yaml: zh
    site = Site(tmp_path / "out")
    assert [row[3] for row in site.rows("customers/KH-2024001")] == ["third"]
    assert site.rows("customers/KH-2024002") == []
    for page in ("customers/KH-2024001", "customers/KH-2024002"):
        note = site.history(page).get_text(" ", strip=True)
        assert "浅克隆" in note and "fetch-depth: 0" in note
        assert "还没有提交" not in note


# --- parsing git's output, without git ---------------------------------------------------------------------

LOG = (
    "\x1ec3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3\x00李红\x002026-11-10T21:00:00+08:00\x00续约: 记录 | **备注**\n"
    "\n"
    "customers/KH-2024001.yaml\n"
    "interactions/2026/JL-2026002.yaml\n"
    "\x1eb2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2\x00Merger\x002026-10-02T00:00:00+00:00\x00Merge branch 'x'\n"
    "\x1ea1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1\x00张明\x002026-01-05T10:00:00+08:00\x00first\n"
    "\n"
    "customers/KH-2024001.yaml\n"
    '"interactions/2026/JL-\\"quoted\\"\\t\\346\\226\\260.yaml"\n'
    "interactions/2026/记录.yaml\n"
)


def test_the_log_parser_reads_literal_git_log_output() -> None:
    commits_of, count = parse_log(LOG.split("\n"))  # not splitlines(): it also splits at \x1e
    assert count == 3  # the merge commit is counted, and touches no file
    assert sorted(commits_of) == [
        "customers/KH-2024001.yaml",
        'interactions/2026/JL-"quoted"\t新.yaml',
        "interactions/2026/JL-2026002.yaml",
        "interactions/2026/记录.yaml",
    ]
    newest, first = commits_of["customers/KH-2024001.yaml"]
    assert (newest.author, newest.subject, newest.day.isoformat()) == ("李红", "续约: 记录 | **备注**", "2026-11-10")
    assert newest.when == datetime.fromisoformat("2026-11-10T21:00:00+08:00") and newest.order == 0
    assert (first.hash[:4], first.order, first.short) == ("a1a1", 2, "a1a1a1a1")
    skipped, _ = parse_log(LOG.split("\n"), skip=frozenset({"a1" * 20}))
    assert sorted(skipped) == ["customers/KH-2024001.yaml", "interactions/2026/JL-2026002.yaml"]
    assert parse_log(["garbage", "\x1enot a header", "customers/KH-1.yaml"]) == ({}, 0)


def test_the_status_parser_takes_the_data_roots_folder_off() -> None:
    output = " M crm/customers/KH-1.yaml\x00?? crm/interactions/2026/JL-9.yaml\x00A  other/customers/KH-2.yaml\x00"
    assert parse_status(output, "crm/") == {"customers/KH-1.yaml", "interactions/2026/JL-9.yaml"}


def test_changes_are_grouped_by_customer_newest_first_and_cut() -> None:
    def at(order: int, day: str) -> Commit:
        return Commit(order, f"{order:040d}", "张明", datetime.fromisoformat(f"{day}T10:00:00+08:00"), f"c{order}")

    new, old, older = at(0, "2026-03-01"), at(1, "2026-02-01"), at(2, "2026-01-01")
    history = History(
        commits_of={
            "customers/A.yaml": [new, older],
            "interactions/2026/J1.yaml": [new],
            "interactions/2026/J2.yaml": [old],
            "interactions/2026/J3.yaml": [older],
            "interactions/2026/gone.yaml": [new],
        },
        uncommitted=frozenset({"interactions/2026/J3.yaml", "README.md"}),
    )
    files: dict[str, tuple[str, str | None]] = {
        "customers/A.yaml": ("A", None),
        "interactions/2026/J1.yaml": ("A", "J1"),
        "interactions/2026/J2.yaml": ("A", "J2"),
        "interactions/2026/J3.yaml": ("B", "J3"),
    }
    found = changes_by_customer(history, files, rows=2, named=1)
    a = found["A"]
    assert [(change.commit.subject, change.records.customer_record) for change in a.changes] == [
        ("c0", True),
        ("c1", False),
    ]
    assert a.changes[0].records.interactions == ("J1",) and a.total == 3 and a.earlier == 1
    assert a.uncommitted is None
    b = found["B"]
    assert [change.commit.subject for change in b.changes] == ["c2"]
    assert b.uncommitted is not None and b.uncommitted.interactions == ("J3",)
    many = changes_by_customer(
        History(commits_of={f"i/{n}.yaml": [new] for n in range(5)}),
        {f"i/{n}.yaml": ("A", f"J{n}") for n in range(5)},
        named=2,
    )
    assert many["A"].changes[0].records.interactions == ("J0", "J1") and many["A"].changes[0].records.more == 3
