"""A second `crm build` into the same output reuses the previous site's current files (site_builder.reuse).

What matters is that reuse never shows a stale page: after any edit the incremental site equals a site built
from nothing, file for file, and its search index finds the edit. Reuse is seen from outside: a reused page
is the previous output's file itself (a hard link, so the same inode), and the build says how many it reused.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import CRM, CrmRun, DataRepo, file_digests, run_crm
from tests.pagefind_index import fragments, searchable_text
from tests.test_site import AS_OF, build_env, crm_build, write_small_crm
from tests.test_site import crm_build as built_by

__all__ = ["build_env"]  # the fixture, used by name

REUSED = re.compile(r"沿用上次构建中未变的 ([\d,]+) 个文件（共 ([\d,]+) 个）")
UNCHANGED_PAGE = "customers/KH-2024002/index.html"
EDITED_PAGE = "customers/KH-2024001/index.html"


def _reused(stderr: str) -> tuple[int, int]:
    found = REUSED.search(stderr)
    assert found is not None, stderr
    return int(found.group(1).replace(",", "")), int(found.group(2).replace(",", ""))


def _all_fragments(site: Path) -> dict[str, dict[str, object]]:
    """Every page's search fragment, of the main bundle and of every part."""
    found = fragments(site)
    for part in (site / "pagefind").iterdir():
        if part.is_dir() and (part / "pagefind-entry.json").is_file():
            found.update(fragments(site, part.name))
    return found


def _rename_customer(repo: DataRepo, old: str, new: str) -> None:
    customer = repo.root / "customers" / "KH-2024001.yaml"
    customer.write_text(customer.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _built_from_nothing(repo: DataRepo, out: Path, env: dict[str, str]) -> Path:
    """The reference: a build with no cache at all (no staged page, no page key, no chart kept) into a new
    folder. Done last in a test: the repository's cache is gone afterwards."""
    shutil.rmtree(repo.root / ".crm-cache")
    built = crm_build(repo, out, env=env)
    assert built.returncode == 0, built.stderr
    assert REUSED.search(built.stderr) is None
    return out


def _equal_sites(incremental: Path, full: Path) -> None:
    mine, theirs = file_digests(incremental), file_digests(full)
    assert mine.keys() == theirs.keys()
    differing = sorted(path for path in mine if mine[path] != theirs[path])
    assert differing == [], f"the incremental site differs from a full build in {differing[:10]}"


def test_an_edit_rebuilds_what_changed_and_the_site_equals_a_full_build(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    first = crm_build(repo, out, env=build_env)
    assert first.returncode == 0, first.stderr
    assert REUSED.search(first.stderr) is None  # nothing built before
    unchanged_inode = (out / UNCHANGED_PAGE).stat().st_ino
    edited_inode = (out / EDITED_PAGE).stat().st_ino

    again = crm_build(repo, out, env=build_env)
    reused, total = _reused(again.stderr)
    assert reused == total  # nothing changed
    assert "搜索索引沿用未变的" in again.stderr

    _rename_customer(repo, "华星科技有限公司", "华星智能科技")
    edited = crm_build(repo, out, env=build_env)
    assert edited.returncode == 0, edited.stderr
    reused, total = _reused(edited.stderr)
    assert 0 < reused < total
    assert (out / UNCHANGED_PAGE).stat().st_ino == unchanged_inode  # the previous site's file, linked
    assert (out / EDITED_PAGE).stat().st_ino != edited_inode
    assert "华星智能科技" in (out / EDITED_PAGE).read_text(encoding="utf-8")
    assert "华星智能科技" in str(_all_fragments(out)["/customers/KH-2024001/"]["meta"])

    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


def test_a_page_changed_by_hand_in_the_output_is_built_again(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    page = out / UNCHANGED_PAGE
    page.write_text(page.read_text(encoding="utf-8") + "<p>篡改</p>", encoding="utf-8")
    again = crm_build(repo, out, env=build_env)
    assert again.returncode == 0, again.stderr
    assert "篡改" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("builds_before", [1, 2], ids=["new-folder", "recycled-folder"])
def test_a_build_killed_before_it_replaced_the_site_vouches_for_nothing(
    tmp_path: Path, build_env: dict[str, str], builds_before: int
) -> None:
    """The killed build wrote the new Markdown into the staging folder but never replaced the output: the
    next build must not take the old page for current because the staged Markdown is unchanged since. After
    two builds the killed one builds in the site the second replaced (site_builder.output's spare), which
    it has swept by then: the next build starts from a new folder and still equals a full build."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    for _ in range(builds_before):
        assert crm_build(repo, out, env=build_env).returncode == 0
    assert len(_spares(repo)) == builds_before - 1
    _rename_customer(repo, "华星科技有限公司", "华星智能科技")
    command = [str(CRM), "build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(out)]
    killed = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=build_env)
    assert killed.stderr is not None
    for line in killed.stderr:
        if REUSED.search(line):  # the pages are staged and mkdocs is about to build
            os.kill(killed.pid, signal.SIGKILL)
            break
    killed.wait(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert "华星智能科技" not in (out / EDITED_PAGE).read_text(encoding="utf-8")  # the previous site, whole

    again = crm_build(repo, out, env=build_env)
    assert again.returncode == 0, again.stderr
    assert "华星智能科技" in (out / EDITED_PAGE).read_text(encoding="utf-8")
    assert "华星智能科技" in str(_all_fragments(out)["/customers/KH-2024001/"]["meta"])
    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


def _inodes(folder: Path) -> dict[str, int]:
    """Each file's inode by name: a kept result made again is a new file."""
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def _spares(repo: DataRepo) -> list[Path]:
    """The sites kept in the cache for the next build to recycle (site_builder.output.spare_of)."""
    return sorted((repo.root / ".crm-cache" / "site").glob("spare-*"))


def test_the_site_replaced_last_time_is_recycled_without_a_stale_or_planted_file(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """The second build keeps the site it replaced in the cache; the third builds in it (no folder made again
    for every page) and must still equal a build from nothing: a deleted customer's page, a stray file, a page
    changed in the spare and a link planted where a rebuilt page goes all leave, the link never followed."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    repo.put("id: KH-2026050\nname: 临时客户\ntype: enterprise\ntier: potential\nstage: prospecting\nowner: hong\n")
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    assert _spares(repo) == []  # the first build replaced nothing
    assert crm_build(repo, out, env=build_env).returncode == 0
    (spare,) = _spares(repo)
    assert file_digests(spare).keys() == file_digests(out).keys()  # the first build's site, whole
    unchanged_inode = (out / UNCHANGED_PAGE).stat().st_ino

    victim = tmp_path / "victim.html"
    victim.write_text("keep me", encoding="utf-8")
    (spare / EDITED_PAGE).unlink()
    (spare / EDITED_PAGE).symlink_to(victim)
    (spare / UNCHANGED_PAGE).unlink()
    (spare / UNCHANGED_PAGE).write_text("<p>篡改</p>", encoding="utf-8")
    (spare / "stray.html").write_text("stray", encoding="utf-8")
    (repo.root / "customers" / "KH-2026050.yaml").unlink()
    _rename_customer(repo, "华星科技有限公司", "华星智能科技")

    third = crm_build(repo, out, env=build_env)
    assert third.returncode == 0, third.stderr
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (out / "stray.html").exists()
    assert not (out / "customers" / "KH-2026050").exists()
    assert (out / UNCHANGED_PAGE).stat().st_ino == unchanged_inode  # linked from the output, not the spare's
    assert "篡改" not in (out / UNCHANGED_PAGE).read_text(encoding="utf-8")
    assert "华星智能科技" in (out / EDITED_PAGE).read_text(encoding="utf-8")
    assert not (out / EDITED_PAGE).is_symlink()
    assert len(_spares(repo)) == 1  # the second build's site waits for the next build
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crm", "out", "victim.html"]
    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


def test_a_build_after_an_edit_takes_the_pinyin_initials_from_the_last_build(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """pypinyin's dictionaries take a tenth of a second and more to load: a build that indexes an edited
    customer's page again takes the initials the last build worked out (site_builder.kept.kept_answers)
    and loads pypinyin only for a name it has not seen."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    importing = {**build_env, "PYTHONPROFILEIMPORTTIME": "1"}

    _rename_customer(repo, "industry: 软件", "industry: 软件服务")  # the page and its index entry change
    edited = crm_build(repo, out, env=importing)
    assert edited.returncode == 0, edited.stderr
    assert "软件服务" in (out / EDITED_PAGE).read_text(encoding="utf-8")
    assert "pypinyin" not in edited.stderr
    assert "hxkjyxgs" in searchable_text(out)

    _rename_customer(repo, "华星科技有限公司", "华星智能科技")
    renamed = crm_build(repo, out, env=importing)
    assert renamed.returncode == 0, renamed.stderr
    assert "pypinyin" in renamed.stderr
    assert "hxznkj" in searchable_text(out)
    assert "hxkjyxgs" not in searchable_text(out)


TODAYS_CALL = f"""id: JL-2026900
customer: KH-2024001
date: {AS_OF}
channel: phone
owner: ming
topic: 今天的回访
"""


_KPIS_BESIDE = """
import os, sys
import site_builder.keyed_pages as keyed
import site_builder.kpis_beside as beside
keyed.PARALLEL_CUSTOMERS, keyed.SPARE_MEMORY_MB = 1, 0  # a second process for this small repository
in_the_worker = beside._in_the_worker
def noting_its_process():
    with open(os.environ["KPIS_PID_FILE"], "a", encoding="utf-8") as noted:
        noted.write(f"{os.getpid()} {' '.join(day.isoformat() for day in beside._FORKED[3])}\\n")
    return in_the_worker()
beside._in_the_worker = noting_its_process
from crmdata.cli.main import main
sys.argv = ["crm", *sys.argv[1:]]
main()
"""
"""`crm build` with the KPIs worked out in a process forked beside the site's data (site_builder.kpis_beside),
which notes its pid and the earlier days it was given in the file KPIS_PID_FILE names."""


def _kpis_beside(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _KPIS_BESIDE, *args], capture_output=True, text=True, check=False, env=env, timeout=300
    )


@pytest.mark.parametrize("beside", [False, True], ids=["one-process", "kpis-beside"])
def test_the_kpis_of_earlier_days_are_computed_again_only_when_their_records_changed(
    tmp_path: Path, build_env: dict[str, str], beside: bool
) -> None:
    """The dashboard's values of 30 and 90 days ago (site_builder.kept.KeptKpis): a conversation logged today
    leaves them as they were, so they are taken from the last build; an edit of an older conversation
    computes them again. Either way the site equals a build from nothing. The same when a forked process works
    the KPIs out beside the site's data (site_builder.kpis_beside): the build says and keeps what it took."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    pids = tmp_path / "kpis.pid"
    env = {**build_env, "KPIS_PID_FILE": str(pids)}

    def crm_build(repo: DataRepo, out: Path, env: dict[str, str]) -> CrmRun:
        return built_by(repo, out, env=env, run=_kpis_beside if beside else run_crm)

    assert crm_build(repo, out, env=env).returncode == 0
    kept = repo.root / ".crm-cache" / "site" / "public-kpis"
    first = _inodes(kept)
    assert len(first) == 3  # the day's report, and 30 and 90 days before the data date

    repo.put(TODAYS_CALL)
    today = crm_build(repo, out, env=env)
    assert today.returncode == 0, today.stderr
    assert (
        "crm：30/90 天前的指标所依据的记录没有变（或只改了指标不读的文字），沿用上次算好的值" in today.stderr
    )  # neither computed again
    assert "当天的指标" not in today.stderr  # the day's report reads the new conversation
    after_call = _inodes(kept)
    assert len(after_call) == 3 and len(after_call.items() & first.items()) == 2  # the report alone made again
    assert "今天的回访" in (out / EDITED_PAGE).read_text(encoding="utf-8")

    older = repo.root / "interactions" / "2026" / "JL-2026001.yaml"  # 2026-10-01: before 30 days ago
    older.write_text(older.read_text(encoding="utf-8").replace("channel: phone", "channel: visit"), encoding="utf-8")
    older_edit = crm_build(repo, out, env=env)
    assert older_edit.returncode == 0, older_edit.stderr
    assert "crm：90 天前的指标所依据的记录没有变" in older_edit.stderr  # 2026-10-01 is after 90 days ago
    assert "30/90" not in older_edit.stderr
    now = _inodes(kept)
    assert len(now) == 3 and len(now.items() & after_call.items()) == 1  # 30 days ago and the report: again
    noted = [line.split() for line in pids.read_text(encoding="utf-8").splitlines()] if pids.exists() else []
    assert len(noted) == (3 if beside else 0) and not any(str(os.getpid()) in line for line in noted)
    # the forked process works out 90 days before the data date (the build 30): both logged and kept above
    earliest = (date.fromisoformat(AS_OF) - timedelta(days=90)).isoformat()
    assert all(days == [earliest] for _, *days in noted), noted
    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


def test_an_edit_of_text_no_kpi_reads_keeps_every_kpi(tmp_path: Path, build_env: dict[str, str]) -> None:
    """A conversation's summary and a contact's phone edited (kpis.UNREAD_FIELDS): the KPIs of the day and of
    30 and 90 days before are taken from the last build, and the site (showing the new text) equals a build
    from nothing. The control: a field the KPIs read edited the same way computes them again."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    older = repo.root / "interactions" / "2026" / "JL-2026001.yaml"
    older.write_text(older.read_text(encoding="utf-8").replace("不是标题", "改过的摘要"), encoding="utf-8")
    customer = repo.root / "customers" / "KH-2024001.yaml"
    text = customer.read_text(encoding="utf-8")
    assert "phone:" in text
    customer.write_text(re.sub(r"phone: .*", "phone: '13900000001'", text), encoding="utf-8")
    edited = crm_build(repo, out, env=build_env)
    assert edited.returncode == 0, edited.stderr
    assert f"crm：{AS_OF} 当天的指标所依据的记录没有变（或只改了指标不读的文字），沿用上次算好的值" in edited.stderr
    assert "crm：30/90 天前的指标所依据的记录没有变" in edited.stderr
    assert "改过的摘要" in (out / EDITED_PAGE).read_text(encoding="utf-8")

    older.write_text(older.read_text(encoding="utf-8").replace("channel: phone", "channel: visit"), encoding="utf-8")
    read = crm_build(repo, out, env=build_env)
    assert read.returncode == 0, read.stderr
    assert "当天的指标" not in read.stderr
    assert "30/90" not in read.stderr
    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


@pytest.mark.parametrize("looked_at", [False, True], ids=["by-itself", "source-status-given"])
def test_link_file_keeps_the_very_file_and_replaces_anything_else(tmp_path: Path, looked_at: bool) -> None:
    """Both ways: link_file looking at both files itself, and given the source's status (the build's own look)."""
    from site_builder.reuse import link_file

    previous, building, victim = tmp_path / "previous", tmp_path / "building", tmp_path / "victim.html"
    (previous / "a").mkdir(parents=True)
    (building / "a").mkdir(parents=True)
    victim.write_text("keep me", encoding="utf-8")
    for name in ("same", "other", "link", "folder"):
        (previous / "a" / f"{name}.html").write_text(f"current {name}", encoding="utf-8")
    os.link(previous / "a" / "same.html", building / "a" / "same.html")
    (building / "a" / "other.html").write_text("stale", encoding="utf-8")
    (building / "a" / "link.html").symlink_to(victim)
    (building / "a" / "folder.html").mkdir()
    folders: set[str] = set()
    for name in ("same", "other", "link", "new"):
        if name == "new":
            (previous / "a" / "new.html").write_text("current new", encoding="utf-8")
        source = os.lstat(previous / "a" / f"{name}.html") if looked_at else None
        assert link_file(previous, building, f"a/{name}.html", folders, source)
        assert (building / "a" / f"{name}.html").stat().st_ino == (previous / "a" / f"{name}.html").stat().st_ino
        assert not (building / "a" / f"{name}.html").is_symlink()
    source = os.lstat(previous / "a" / "folder.html") if looked_at else None
    assert not link_file(previous, building, "a/folder.html", folders, source)  # built instead
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_link_tree_links_every_file_below_and_refuses_a_tree_holding_a_link(tmp_path: Path) -> None:
    """A search index part's bundle (site_builder.reuse.link_tree): every file below, in nested folders, is the
    previous file itself afterwards (a stale one there replaced, the same one kept), the skipped top-level names
    are left out, and a tree holding a link is refused without following it."""
    from site_builder.reuse import link_tree

    previous, building, victim = tmp_path / "previous", tmp_path / "building", tmp_path / "victim"
    for relative in ("entry.json", "index/a.pf_index", "fragment/deep/b.pf_fragment", "s1/other.json"):
        (previous / relative).parent.mkdir(parents=True, exist_ok=True)
        (previous / relative).write_text(relative, encoding="utf-8")
    (building / "index").mkdir(parents=True)
    os.link(previous / "entry.json", building / "entry.json")
    (building / "index" / "a.pf_index").write_text("stale", encoding="utf-8")
    assert link_tree(previous, building, skip=("s1",))
    for relative in ("entry.json", "index/a.pf_index", "fragment/deep/b.pf_fragment"):
        assert (building / relative).stat().st_ino == (previous / relative).stat().st_ino
    assert not (building / "s1").exists()
    victim.write_text("keep me", encoding="utf-8")
    (previous / "index" / "link.pf_index").symlink_to(victim)
    assert not link_tree(previous, tmp_path / "elsewhere")
    assert not link_tree(tmp_path / "missing", tmp_path / "elsewhere")
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_sweep_leaves_only_what_is_kept_and_follows_no_link(tmp_path: Path) -> None:
    from site_builder.reuse import sweep

    building, outside = tmp_path / "building", tmp_path / "outside"
    (outside / "inner").mkdir(parents=True)
    (outside / "inner" / "precious.txt").write_text("keep me", encoding="utf-8")
    for relative in ("index.html", "customers/KH-1/index.html", "customers/KH-2/index.html", "deep/er/old.html"):
        (building / relative).parent.mkdir(parents=True, exist_ok=True)
        (building / relative).write_text(relative, encoding="utf-8")
    (building / "customers" / "linked").symlink_to(outside, target_is_directory=True)
    (building / "customers" / "KH-2" / "file-link.html").symlink_to(outside / "inner" / "precious.txt")
    sweep(building, {"customers/KH-1/index.html", "index.html"})
    assert sorted(str(path.relative_to(building)) for path in building.rglob("*")) == [
        "customers",
        "customers/KH-1",
        "customers/KH-1/index.html",
        "index.html",
    ]
    assert (outside / "inner" / "precious.txt").read_text(encoding="utf-8") == "keep me"
    empty = tmp_path / "empty"
    empty.mkdir()
    sweep(empty, set())
    assert empty.is_dir()


def test_a_deleted_customer_leaves_the_site_and_its_search(tmp_path: Path, build_env: dict[str, str]) -> None:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    repo.put("id: KH-2026050\nname: 临时客户\ntype: enterprise\ntier: potential\nstage: prospecting\nowner: hong\n")
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    assert (out / "customers" / "KH-2026050" / "index.html").is_file()
    (repo.root / "customers" / "KH-2026050.yaml").unlink()
    again = crm_build(repo, out, env=build_env)
    assert again.returncode == 0, again.stderr
    assert not (out / "customers" / "KH-2026050").exists()
    assert "/customers/KH-2026050/" not in _all_fragments(out)
    assert "临时客户" not in searchable_text(out)
    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


def test_charts_and_feeds_are_made_again_only_when_their_data_changed(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """matplotlib draws a chart and icalendar writes a feed once; the next build takes them from the cache
    while what they are made from is the same (site_builder.kept)."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    kept = repo.root / ".crm-cache" / "site" / "public-kept"
    first = _inodes(kept)
    assert first  # the dashboard's charts, at least
    assert crm_build(repo, out, env=build_env).returncode == 0
    assert _inodes(kept) == first  # none drawn again
    repo.put("id: KH-2026050\nname: 新客户\ntype: enterprise\ntier: potential\nstage: prospecting\nowner: hong\n")
    assert crm_build(repo, out, env=build_env).returncode == 0
    now = _inodes(kept)
    assert now.keys() != first.keys()  # customers by stage changed, and the owner's feed: new ones
    assert len(now) == len(first)  # and the one it replaced is gone
    _equal_sites(out, _built_from_nothing(repo, tmp_path / "full", build_env))


def test_a_result_planted_in_the_cache_is_not_used(tmp_path: Path, build_env: dict[str, str]) -> None:
    """A kept chart's name can be computed by anyone; its signature needs the user's own key."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
    kept = repo.root / ".crm-cache" / "site" / "public-kept"
    forged = '{"key": "customers-by-stage", "title": "x", "alt": "x", "svg_light": "<svg>PLANTED</svg>", '
    forged += '"svg_dark": "<svg>PLANTED</svg>"}'
    for path in kept.iterdir():
        path.write_bytes(b"\0" * 32 + forged.encode())  # a signature of the right length, not the right one
    assert crm_build(repo, out, env=build_env).returncode == 0
    assert not [path for path in out.rglob("*.svg") if b"PLANTED" in path.read_bytes()]
    assert b"PLANTED" not in (out / "calendar" / "ming.ics").read_bytes()


def test_two_outputs_keep_their_own_reuse_and_strict_builds_pass(tmp_path: Path, build_env: dict[str, str]) -> None:
    """site/ and another --out are reused each from itself; mkdocs' warning about dirty builds (not about
    crm's) never fails a --strict build."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    for out in (tmp_path / "one", tmp_path / "two"):
        assert crm_build(repo, out, "--strict", env=build_env).returncode == 0
    again = crm_build(repo, tmp_path / "one", "--strict", env=build_env)
    assert again.returncode == 0, again.stderr
    reused, total = _reused(again.stderr)
    assert reused == total
    assert "dirty" not in again.stderr


def test_a_manifest_never_leads_the_removal_of_stale_files_out_of_the_site(tmp_path: Path) -> None:
    """`crm serve` removes the files of its last build that this one did not make, by the manifest's paths: a
    manifest naming a path outside the site (planted in the cache) removes nothing there."""
    from site_builder.plugin import CrmPlugin
    from site_builder.reuse import Manifest

    site, victim = tmp_path / "site", tmp_path / "victim.txt"
    site.mkdir()
    victim.write_text("keep me", encoding="utf-8")
    (site / "old.html").write_text("stale", encoding="utf-8")
    plugin = CrmPlugin()
    anything = ((0, 0, 0), (0, 0, 0))
    named = {str(victim): anything, "../victim.txt": anything, "old.html": anything}
    plugin.manifest = Manifest(str(site), "key", named)
    plugin.pending = Manifest(str(site), "key")
    plugin._remove_stale(site)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not (site / "old.html").exists()  # a stale file of the site itself goes


def test_a_pruned_part_has_the_digest_of_a_walk_of_its_folder(tmp_path: Path) -> None:
    """A search index part's digest comes from the prune's own look at its folder (Staging.prune's `left`):
    it must be tree_digest of the folder as the prune left it, or no part would ever be reused again."""
    from site_builder.reuse import digest_of, tree_digest
    from site_builder.staging import Staging

    staging = Staging(tmp_path, "public-search")
    for relative in ("s1/customers/KH-1/index.html", "s1/customers/KH-2/index.html", "s1/index.html", "s2/x.html"):
        staging.write(relative, relative)
    staging.written.clear()  # a new build, which writes only some of them again
    staging.write("s1/customers/KH-1/index.html", "changed")
    staging.keep("s1/index.html")
    (staging.folder / "s1" / "planted.html").symlink_to(tmp_path / "elsewhere.html")
    left: list[tuple[str, tuple[int, int, int] | None]] = []
    assert staging.prune("s1", left) == 2  # KH-2's page and the planted link
    assert sorted(name for name, _ in left) == ["customers/KH-1/index.html", "index.html"]
    assert digest_of(left) == tree_digest(staging.folder / "s1")
    assert (staging.folder / "s2" / "x.html").is_file()  # another part: not looked at
