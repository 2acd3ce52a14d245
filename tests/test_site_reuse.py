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
from pathlib import Path

from tests.conftest import CRM, DataRepo, file_digests
from tests.pagefind_index import fragments, searchable_text
from tests.test_site import AS_OF, build_env, crm_build, write_small_crm

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


def test_a_build_killed_before_it_replaced_the_site_vouches_for_nothing(
    tmp_path: Path, build_env: dict[str, str]
) -> None:
    """The killed build wrote the new Markdown into the staging folder but never replaced the output: the
    next build must not take the old page for current because the staged Markdown is unchanged since."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    out = tmp_path / "out"
    assert crm_build(repo, out, env=build_env).returncode == 0
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
    first = {path.name: path.stat().st_ino for path in kept.iterdir()}
    assert first  # the dashboard's charts, at least
    assert crm_build(repo, out, env=build_env).returncode == 0
    assert {path.name: path.stat().st_ino for path in kept.iterdir()} == first  # none drawn again
    repo.put("id: KH-2026050\nname: 新客户\ntype: enterprise\ntier: potential\nstage: prospecting\nowner: hong\n")
    assert crm_build(repo, out, env=build_env).returncode == 0
    now = {path.name: path.stat().st_ino for path in kept.iterdir()}
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
