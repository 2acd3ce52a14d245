"""Nothing outside the repository is ever written, followed or deleted, whatever a pull request commits.

A CI job runs `crm` in a checkout of anyone's pull request; a symbolic link committed there (or a
dangling one) must never send a write, or a deletion, elsewhere on the machine. And `crm build --out`
replaces the output folder as a whole only once the new site is complete, and only when it is a site
crm built: a user's folder is refused, and a build killed at any moment leaves the previous site whole.
Every test runs the installed `crm` on real files and checks the folders a link pointed to afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import CRM, DataRepo, Result, invoke_crm, run_crm
from tests.test_site import AS_OF, write_small_crm

SITE_MARKER = ".crm-site"


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (links included, not followed) with its content, by relative path."""
    found: dict[str, bytes] = {}
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            found[relative] = path.read_bytes()
    return found


def outside_folder(tmp_path: Path) -> Path:
    """A folder of someone else's, outside the repository, holding one file that must survive."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "mine.txt").write_text("not crm's\n", encoding="utf-8")
    return folder


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
    return done.stdout


def init_git(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "测试")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")


def build(repo: DataRepo, out: Path, *args: str, as_of: str = AS_OF) -> Result:
    return invoke_crm("build", "--root", str(repo.root), "--as-of", as_of, "--out", str(out), *args)


@pytest.fixture
def small(tmp_path: Path) -> DataRepo:
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    return repo


# --- links in crm's own cache -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "linked", [".crm-cache", ".crm-cache/site", ".crm-cache/site/public", ".crm-cache/site/public/customers"]
)
def test_a_link_in_the_cache_never_sends_the_build_elsewhere(small: DataRepo, tmp_path: Path, linked: str) -> None:
    """A link where the site's pages are staged: the build neither writes there nor prunes that folder."""
    outside = outside_folder(tmp_path)
    link(small.root / linked, outside)
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}
    assert (small.root / linked).is_dir() and not (small.root / linked).is_symlink()
    assert (tmp_path / "out" / "customers" / "KH-2024001" / "index.html").is_file()


def test_a_dangling_gitignore_link_in_the_cache_creates_nothing_at_its_target(repo: DataRepo, tmp_path: Path) -> None:
    planted = tmp_path / "outside" / "planted"
    planted.parent.mkdir()
    link(repo.root / ".crm-cache" / ".gitignore", planted)
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    assert list(planted.parent.iterdir()) == []
    assert (repo.root / ".crm-cache" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_a_linked_parse_cache_folder_is_replaced_not_written_through(repo: DataRepo, tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    link(repo.root / ".crm-cache" / "parse", outside)
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}
    assert len(list((repo.root / ".crm-cache" / "parse").glob("*.pickle"))) >= 1


def test_a_committed_crm_cache_is_an_error_that_says_so(small: DataRepo, tmp_path: Path) -> None:
    """What a pull request commits in .crm-cache is refused by every command that validates, and nothing
    is written there (nor where its links point)."""
    outside = outside_folder(tmp_path)
    init_git(small.root)
    link(small.root / ".crm-cache" / "site" / "public", outside)
    git(small.root, "add", "-A")
    git(small.root, "add", "-f", ".crm-cache")
    git(small.root, "commit", "-q", "-m", "a planted cache")
    planted = sorted(path.relative_to(small.root) for path in (small.root / ".crm-cache").rglob("*"))
    validated = run_crm("validate", "--root", str(small.root))
    assert validated.returncode == 1
    assert validated.stdout.startswith(".crm-cache:1:1: ")
    assert "被提交到了 git" in validated.stdout and "git rm -r --cached .crm-cache" in validated.stdout
    built = build(small, tmp_path / "out")
    assert built.returncode == 1
    assert "被提交到了 git" in built.stderr
    assert not (tmp_path / "out").exists()
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}
    assert not (small.root / ".crm-cache" / "parse").exists()
    assert sorted(path.relative_to(small.root) for path in (small.root / ".crm-cache").rglob("*")) == planted
    assert git(small.root, "status", "--porcelain") == ""  # not even the planted link was touched


def test_an_ignored_cache_in_a_git_repository_is_fine(small: DataRepo, tmp_path: Path) -> None:
    init_git(small.root)
    git(small.root, "add", "-A")
    git(small.root, "commit", "-q", "-m", "data")
    assert run_crm("validate", "--root", str(small.root)).returncode == 0
    assert run_crm("validate", "--root", str(small.root)).returncode == 0
    assert git(small.root, "status", "--porcelain") == ""


# --- the output folder ---------------------------------------------------------------------------------


def test_build_refuses_an_out_folder_it_did_not_write(small: DataRepo, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "notes.txt").write_text("keep\n", encoding="utf-8")
    (mine / "sub" / "more.txt").write_text("keep too\n", encoding="utf-8")
    before = files_in(mine)
    result = build(small, mine)
    assert result.returncode == 2
    assert f"crm: {mine} is not a site crm built" in result.stderr
    assert files_in(mine) == before
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".mine")] == []


def test_build_refuses_a_link_as_out(small: DataRepo, tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    link(tmp_path / "out", outside)
    result = build(small, tmp_path / "out")
    assert result.returncode == 2
    assert "is a symbolic link" in result.stderr
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}


def test_build_refuses_an_out_folder_reached_through_a_link_in_the_repository(small: DataRepo, tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    link(small.root / "public", outside)
    result = build(small, small.root / "public" / "site")
    assert result.returncode == 2
    assert "public is a symbolic link" in result.stderr
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}


def test_a_build_replaces_the_previous_site_as_a_whole(small: DataRepo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (out / "customers" / "gone.html").write_text("an old page\n", encoding="utf-8")
    again = build(small, out, as_of="2026-11-25")
    assert again.returncode == 0, again.stderr
    assert (out / SITE_MARKER).is_file()
    assert not (out / "customers" / "gone.html").exists()
    assert "2026-11-25" in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crm", "out", "xdg-cache"]


def test_a_site_built_before_sites_carried_the_marker_is_replaced(small: DataRepo, tmp_path: Path) -> None:
    """An existing clone's site/ from an earlier crm has no marker; its first build must not be refused."""
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    (out / SITE_MARKER).unlink()
    again = build(small, out, as_of="2026-11-25")
    assert again.returncode == 0, again.stderr
    assert (out / SITE_MARKER).is_file()


def test_a_folder_that_only_looks_a_little_like_a_site_is_refused(small: DataRepo, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "assets").mkdir(parents=True)
    (mine / "index.html").write_text('<meta name="generator" content="mkdocs-1.6.1">\n', encoding="utf-8")
    (mine / "sitemap.xml").write_text("<urlset/>\n", encoding="utf-8")
    before = files_in(mine)
    result = build(small, mine)
    assert result.returncode == 2 and "is not a site crm built" in result.stderr
    assert files_in(mine) == before


def test_an_empty_out_folder_is_used(small: DataRepo, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert build(small, tmp_path / "empty").returncode == 0
    assert (tmp_path / "empty" / "index.html").is_file()


def test_plain_mkdocs_build_refuses_a_site_dir_with_someone_elses_files(small: DataRepo) -> None:
    """mkdocs empties site_dir before it builds: with the crm plugin it never empties a folder crm did not
    write."""
    root_config = Path(__file__).parent.parent / "mkdocs.yml"
    small.write("mkdocs.yml", root_config.read_text(encoding="utf-8"))
    small.write("docs/.keep", "")
    small.write("site/notes.txt", "keep\n")
    mkdocs = [str(CRM.parent / "mkdocs"), "build", "-q", "-f", str(small.root / "mkdocs.yml")]
    env = {**os.environ, "CRM_AS_OF": AS_OF}
    refused = subprocess.run(mkdocs, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert refused.returncode == 1
    assert "is not a site crm built" in refused.stderr
    assert files_in(small.root / "site") == {"notes.txt": b"keep\n"}
    (small.root / "site" / "notes.txt").unlink()
    built = subprocess.run(mkdocs, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert built.returncode == 0, built.stderr
    again = subprocess.run(mkdocs, capture_output=True, text=True, timeout=300, env=env, check=False)
    assert again.returncode == 0, again.stderr


def test_a_failed_build_leaves_the_previous_site_and_no_leftovers(small: DataRepo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build(small, out).returncode == 0
    before = files_in(out)
    small.write("docs/broken.md", "[nowhere](missing.md)\n")
    failed = build(small, out, "--strict", as_of="2026-11-25")
    assert failed.returncode == 1
    assert files_in(out) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crm", "out", "xdg-cache"]


def test_a_previous_site_moved_aside_by_a_killed_build_is_put_back(small: DataRepo, tmp_path: Path) -> None:
    """Where folders cannot be swapped in one step, a build moves the previous site aside for a moment: if
    it is killed then, the next build puts the previous site back before anything else."""
    aside = tmp_path / ".out.crm-previous-0a1b2c3d"
    aside.mkdir()
    (aside / SITE_MARKER).write_text("written by crm build\n", encoding="utf-8")
    (aside / "index.html").write_text("the previous site\n", encoding="utf-8")
    small.write("docs/broken.md", "[nowhere](missing.md)\n")
    assert build(small, tmp_path / "out", "--strict").returncode == 1
    assert (tmp_path / "out" / "index.html").read_text(encoding="utf-8") == "the previous site\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crm", "out", "xdg-cache"]


def test_without_an_exchange_of_folders_two_renames_replace_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from site_builder import output

    monkeypatch.setattr(output, "exchange", lambda first, second: False)
    out = tmp_path / "site"
    for day in ("old", "new"):
        target, building = output.prepare(out, tmp_path)
        (building / "index.html").write_text(day, encoding="utf-8")
        output.publish(building, target)
    assert files_in(out) == {SITE_MARKER: output.MARKER_TEXT, "index.html": b"new"}
    assert [path.name for path in tmp_path.iterdir()] == ["site"]


def _generated_repo(root: Path) -> DataRepo:
    from tools.synth import generate

    generate(root, 150, 900, seed=7, as_of=date(2026, 11, 24))
    return DataRepo(root)


def test_a_build_killed_while_mkdocs_writes_leaves_the_previous_site_intact(tmp_path: Path) -> None:
    repo = _generated_repo(tmp_path / "crm")
    out = tmp_path / "site"
    assert build(repo, out).returncode == 0
    before = files_in(out)
    command = [str(CRM), "build", "--root", str(repo.root), "--as-of", "2026-11-25", "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    writing_to: list[Path] = []
    announced = threading.Event()

    def watch_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            found = re.search(r"(?:crm: building the site in |crm：正在生成站点：)(.+)$", line.rstrip("\n"))
            if found:
                writing_to.append(Path(found.group(1)))
                announced.set()
        announced.set()

    reader = threading.Thread(target=watch_log, daemon=True)
    reader.start()
    try:
        assert announced.wait(timeout=240) and writing_to, "mkdocs never started writing"
        deadline = time.monotonic() + 240
        while not any(writing_to[0].glob("customers/*/index.html")):  # mkdocs is writing pages now
            assert process.poll() is None, "the build ended before it could be stopped"
            assert time.monotonic() < deadline, "mkdocs wrote no page"
            time.sleep(0.01)
        assert process.poll() is None, "the build ended before it could be stopped"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
        reader.join(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert files_in(out) == before
    rebuilt = build(repo, out, as_of="2026-11-25")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "2026-11-25" in (out / "index.html").read_text(encoding="utf-8")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["crm", "site", "xdg-cache"]  # no leftovers


# --- records and the other files crm writes ------------------------------------------------------------


def test_crm_log_never_writes_through_a_linked_record_folder(repo: DataRepo, tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    link(repo.root / "interactions" / "2025", outside)
    result = invoke_crm(
        "log", "KH-2024001", "--root", str(repo.root), "--date", "2025-06-01", "--topic", "回访", "--summary", "x"
    )
    assert result.returncode == 1
    assert "interactions/2025 is a symbolic link" in result.stderr
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}


def test_schema_replaces_a_planted_link_instead_of_writing_through_it(tmp_path: Path) -> None:
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("keep\n", encoding="utf-8")
    work = tmp_path / "work"
    link(work / "schemas" / "customer.schema.json", victim)
    result = invoke_crm("schema", "--out", "schemas", cwd=work)
    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep\n"
    written = work / "schemas" / "customer.schema.json"
    assert not written.is_symlink() and '"$schema"' in written.read_text(encoding="utf-8")


def test_schema_refuses_a_linked_out_folder_in_the_current_folder(tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    work = tmp_path / "work"
    link(work / "schemas", outside)
    result = invoke_crm("schema", "--out", "schemas", cwd=work)
    assert result.returncode == 2
    assert "schemas is a symbolic link" in result.stderr
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}


def test_calendar_never_writes_through_a_linked_folder_in_the_repository(repo: DataRepo, tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    link(repo.root / "feeds", outside)
    result = invoke_crm("calendar", "--root", str(repo.root), "--out", str(repo.root / "feeds" / "due.ics"))
    assert result.returncode == 2
    assert "feeds is a symbolic link" in result.stderr
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}


def test_a_calendar_file_that_is_a_link_is_replaced(repo: DataRepo, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    link(repo.root / "due.ics", victim)
    result = invoke_crm("calendar", "--root", str(repo.root), "--out", str(repo.root / "due.ics"))
    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == "keep\n"
    assert (repo.root / "due.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


# --- what the site publishes ---------------------------------------------------------------------------


def test_a_link_in_docs_never_publishes_what_it_points_to(small: DataRepo, tmp_path: Path) -> None:
    """mkdocs follows links in docs/: a committed `docs/keys -> ~/.ssh` would put the CI machine's keys on
    the site."""
    outside = outside_folder(tmp_path)
    small.write("docs/about.md", "# 关于\n")
    link(small.root / "docs" / "keys", outside)
    link(small.root / "docs" / "notes.txt", outside / "mine.txt")
    result = build(small, tmp_path / "out")
    assert result.returncode == 1
    assert "keys/mine.txt, notes.txt" in result.stderr and "symbolic link" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_docs_folder_that_is_a_link_is_refused(small: DataRepo, tmp_path: Path) -> None:
    outside = outside_folder(tmp_path)
    (outside / "page.md").write_text("# 外面\n", encoding="utf-8")
    link(small.root / "docs", outside)
    result = build(small, tmp_path / "out")
    assert result.returncode == 1
    assert "docs is a symbolic link" in result.stderr
    assert not (tmp_path / "out").exists()


def test_links_inside_docs_that_stay_inside_are_fine(small: DataRepo, tmp_path: Path) -> None:
    small.write("docs/guide/start.md", "# 开始\n")
    link(small.root / "docs" / "start.md", Path("guide") / "start.md")
    result = build(small, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "start" / "index.html").is_file()


def test_the_demo_data_generator_never_writes_through_a_linked_folder(tmp_path: Path) -> None:
    from crmdata.system.safe_paths import UnsafePathError
    from tools.synth import generate

    outside = outside_folder(tmp_path)
    link(tmp_path / "crm" / "customers", outside)
    with pytest.raises(UnsafePathError, match="customers is a symbolic link"):
        generate(tmp_path / "crm", 5, 20, seed=7, as_of=date(2026, 11, 24))
    assert files_in(outside) == {"mine.txt": b"not crm's\n"}
