"""Re-validation by stat: unchanged files are neither read nor validated again, and no answer is ever stale.

The stat index trusts a file whose size, mtime, ctime, inode and device are as recorded, and only when
its times are more than a second older than the run that recorded it (git's racy-git rule). Files
written by a test are that recent, so the tests that need trusted entries wait two seconds once.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crmdata.records.load as load_module
from crmdata.records import cache as cache_module
from crmdata.records.cache import StatIndex, signing_key
from crmdata.records.models import Interaction
from tests.conftest import DataRepo, invoke_crm

AS_OF = "2026-11-24"


def _aged(root: Path) -> None:
    """Let the racy window of every file written so far pass (its times more than a second before the
    next run began), then run once so the index records them all."""
    time.sleep(2.1)
    assert invoke_crm("validate", "--root", str(root), "--format", "json").returncode in (0, 1)


def _records(root: Path) -> list[Path]:
    return sorted(
        path for folder in load_module.RECORD_FOLDERS for path in (root / folder).rglob("*.yaml") if path.is_file()
    )


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every record file crm reads (and hashes) in this process, in order."""
    seen: list[str] = []
    original = load_module._read

    def counting(prefix: str, path: str) -> bytes:
        seen.append(path)
        return original(prefix, path)

    monkeypatch.setattr(load_module, "_read", counting)
    return seen


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every interaction validated by its model in this process."""
    seen: list[object] = []
    original = Interaction.model_validate

    def counting(data: object) -> Interaction:
        seen.append(data)
        return original(data)

    monkeypatch.setattr(Interaction, "model_validate", counting)
    return seen


def test_a_warm_run_reads_and_validates_only_the_changed_file(
    repo: DataRepo, reads: list[str], validations: list[object]
) -> None:
    repo.customer("KH-2024001")
    for number in range(1, 6):
        repo.interaction(f"JL-202400{number}", "KH-2024001", f"2024-03-0{number}")
    _aged(repo.root)
    reads.clear()
    validations.clear()
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0
    assert reads == [], "no unchanged file is read again"
    assert validations == [], "no unchanged record is validated again"
    changed = repo.interaction("JL-2024003", "KH-2024001", "2024-03-03", topic="改过的回访")
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert result.returncode == 0
    assert set(reads) == {"interactions/2024/JL-2024003.yaml"}, "hashed, then parsed: only the changed file"
    assert len(validations) == 1 and "改过的回访" in changed.read_text(encoding="utf-8")


def test_a_same_size_rewrite_with_its_mtime_restored_is_seen(repo: DataRepo) -> None:
    """ctime and the inode give it away (git compares them too): size and mtime alone would not."""
    repo.customer("KH-2024001")
    repo.customer("KH-2024002")
    _aged(repo.root)
    path = repo.root / "customers/KH-2024002.yaml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    with open(path, "r+b") as handle:  # in place: the same inode
        handle.write(text.replace("stage: active", "stage: closed").encode("utf-8"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert "customers/KH-2024002.yaml:5:8: stage: 'closed'" in result.stdout


# ---------------------------------------------------------------------------------------------
# The racy and doubtful cases, on the index itself (stat results as a file system gives them)

SECOND = 1_000_000_000


def _status(size: int, mtime_ns: int, ctime_ns: int, inode: int = 7, device: int = 9) -> os.stat_result:
    fake = SimpleNamespace(st_size=size, st_mtime_ns=mtime_ns, st_ctime_ns=ctime_ns, st_ino=inode, st_dev=device)
    return cast(os.stat_result, fake)


def _seen(status: os.stat_result) -> tuple[int, int, int, int, int]:
    return cache_module.seen_of(status)


@pytest.fixture
def key(tmp_path: Path) -> bytes:
    made = signing_key()
    assert made is not None
    return made


def _index_with(root: Path, key: bytes, status: os.stat_result, started_ns: int) -> None:
    index = StatIndex(root, key, started_ns=started_ns)
    index.record("customers/KH-2024001.yaml", _seen(status), b"k" * 16)
    index.save()


def test_a_file_changed_in_the_second_before_the_run_is_not_recorded(repo: DataRepo, key: bytes) -> None:
    """A change in the same timestamp tick after crm read the file would leave its stat as recorded."""
    now = time.time_ns()
    index = StatIndex(repo.root, key, started_ns=now)
    index.record("customers/a.yaml", _seen(_status(10, now - SECOND // 2, now - 3 * SECOND)), b"a" * 16)
    index.record("customers/b.yaml", _seen(_status(10, now - 3 * SECOND, now - SECOND // 2)), b"b" * 16)
    index.record("customers/c.yaml", _seen(_status(10, now - 3 * SECOND, now - 3 * SECOND)), b"c" * 16)
    assert set(index.seen) == {"customers/c.yaml"}


def test_only_a_matching_stat_older_than_the_index_is_trusted(repo: DataRepo, key: bytes) -> None:
    old = time.time_ns() - 100 * SECOND
    status = _status(10, old, old)
    _index_with(repo.root, key, status, started_ns=time.time_ns())
    index = StatIndex(repo.root, key)
    assert index.doubt == ""
    path = "customers/KH-2024001.yaml"
    assert index.known(path, status) == b"k" * 16
    for changed in (
        _status(11, old, old),  # size
        _status(10, old + 1, old),  # mtime, by a nanosecond
        _status(10, old, old + 1),  # ctime (a rewrite whose mtime was put back)
        _status(10, old, old, inode=8),  # replaced by another file (an editor's atomic save, a rename)
        _status(10, old, old, device=10),  # another file system
    ):
        assert index.known(path, changed) is None
    assert index.known("customers/KH-2024002.yaml", status) is None


def test_times_in_the_second_the_index_was_written_are_not_trusted(repo: DataRepo, key: bytes) -> None:
    """git's racy-git rule, should an entry that recent ever be in the index (a clock that jumped)."""
    now = time.time_ns()
    status = _status(10, now, now)
    index = StatIndex(repo.root, key, started_ns=now + 10 * SECOND)  # as if crm's clock ran ahead
    index.record("customers/KH-2024001.yaml", _seen(status), b"k" * 16)
    index.save()
    reread = StatIndex(repo.root, key, started_ns=now + 20 * SECOND)
    assert reread.entries and reread.known("customers/KH-2024001.yaml", status) is None


def test_an_index_is_not_trusted_after_the_clock_went_back(repo: DataRepo, key: bytes) -> None:
    old = time.time_ns() - 100 * SECOND
    _index_with(repo.root, key, _status(10, old, old), started_ns=time.time_ns())
    index = StatIndex(repo.root, key, started_ns=time.time_ns() - 60 * SECOND)
    assert index.doubt == "the clock went back"
    assert index.known("customers/KH-2024001.yaml", _status(10, old, old)) is None


def test_an_index_copied_to_another_folder_is_not_trusted(repo: DataRepo, key: bytes, tmp_path: Path) -> None:
    old = time.time_ns() - 100 * SECOND
    _index_with(repo.root, key, _status(10, old, old), started_ns=time.time_ns())
    copy = tmp_path / "copy"
    shutil.copytree(repo.root, copy, symlinks=True)
    index = StatIndex(copy, key)
    assert index.doubt == "another machine, folder or file system"
    assert index.known("customers/KH-2024001.yaml", _status(10, old, old)) is None
    assert StatIndex(repo.root, key).doubt == "", "the control: the original is trusted"


def test_an_index_written_by_other_code_is_not_read(
    repo: DataRepo, key: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another crm version (or a developer's edit of the record code) signs differently."""
    old = time.time_ns() - 100 * SECOND
    _index_with(repo.root, key, _status(10, old, old), started_ns=time.time_ns())
    monkeypatch.setattr(cache_module, "rules_fingerprint", lambda: b"another crm")
    index = StatIndex(repo.root, key)
    assert index.entries == {} and index.doubt == "no index"


def test_an_index_behind_a_link_is_not_read(repo: DataRepo, key: bytes, tmp_path: Path) -> None:
    old = time.time_ns() - 100 * SECOND
    _index_with(repo.root, key, _status(10, old, old), started_ns=time.time_ns())
    moved = tmp_path / "elsewhere"
    (repo.root / ".crm-cache" / "stat").rename(moved)
    (repo.root / ".crm-cache" / "stat").symlink_to(moved)
    assert StatIndex(repo.root, key).entries == {}


def test_the_unpickler_admits_record_models_and_nothing_else() -> None:
    """The record models and crm.yaml's (kept by keep_config), the models inside them and their enums; no other
    model, even one of pydantic's own making."""
    from pydantic import BaseModel

    class Planted(BaseModel):
        command: str = ""

    admitted = cache_module.record_classes()
    names = {name for _module, name in admitted}
    assert {"Customer", "Interaction", "Plan", "Opportunity", "Contract", "Todo", "Contact", "Stage"} <= names
    assert {"CrmConfig", "TeamMember", "Policy"} <= names
    assert all(module.startswith("crmdata.records.models.") for module, _name in admitted)
    with pytest.raises(Exception, match="not a record model"):
        cache_module.restore_record(Planted, {}, set())


# ---------------------------------------------------------------------------------------------
# Never a stale answer: random edits, touches, same-size rewrites, renames, deletes and restores


@pytest.fixture(scope="module")
def evolving() -> Iterator[Path]:
    """One repository that every example keeps changing (its first state aged, so the index trusts it)."""
    from tools.synth import generate

    folder = Path(tempfile.mkdtemp(prefix="crm-stat-"))
    root = folder / "crm"
    generate(root, customers=6, interactions=30, seed=3, as_of=date(2026, 11, 24))
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder / "xdg-cache")
    try:
        _aged(root)
        yield root
    finally:
        if saved is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = saved
        shutil.rmtree(folder, ignore_errors=True)


def _same_size_change(data: bytes) -> bytes:
    """Another file of the same size: the id's last digit changed (crm then names the id/file mismatch)."""
    start = data.index(b"id: ") + 4
    end = data.index(b"\n", start)
    last = data[end - 1 : end]
    other = b"0" if last != b"0" else b"1"
    return data[: end - 1] + other + data[end:]


def _apply(root: Path, operation: tuple[Any, ...], deleted: list[tuple[Path, bytes, int]]) -> None:
    kind = operation[0]
    files = _records(root)
    if kind == "restore":
        if deleted:
            path, data, mtime_ns = deleted.pop()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.utime(path, ns=(mtime_ns, mtime_ns))
        return
    if not files:
        return
    path = files[operation[1] % len(files)]
    status = path.stat()
    data = path.read_bytes()
    if kind == "edit":
        if operation[2] == "dup":  # a duplicate key: a reader's problem, yet data that validates
            path.write_bytes(data + data[: data.index(b"\n") + 1])
        elif operation[2]:
            path.write_bytes(data.replace(b"\n", f"\n# {operation[2]}\n".encode(), 1))
        else:
            path.write_bytes(data + b"x: 1\n")
    elif kind == "value":  # one field set to another value: a fact the rules across records read, or not
        field, value = operation[2]
        lines = data.decode("utf-8").split("\n")
        for number, line in enumerate(lines):
            if line.startswith(f"{field}: "):
                lines[number] = f"{field}: {value}"
                path.write_bytes("\n".join(lines).encode("utf-8"))
                break
    elif kind == "touch":
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns + operation[2] * 1_000 + 1))
    elif kind == "same_size":
        with open(path, "r+b") as handle:
            handle.write(_same_size_change(data))
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    elif kind == "replace_same_size":  # an editor's save: a new file renamed over the old, mtime kept
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(_same_size_change(data))
        os.utime(temporary, ns=(status.st_atime_ns, status.st_mtime_ns))
        temporary.replace(path)
    elif kind == "rename":
        target = path.with_name(f"{path.stem}{operation[2]}.yaml")
        if not target.exists():
            path.rename(target)
    elif kind == "copy":  # the same bytes in a second file (two records, one content key)
        target = path.with_name(f"{path.stem}c.yaml")
        if not target.exists():
            target.write_bytes(data)
    elif kind == "delete":
        deleted.append((path, data, status.st_mtime_ns))
        path.unlink()
    elif kind == "same_second":  # edit, validate, then change again within the second, mtime put back
        path.write_bytes(data + b"# a\n")
        invoke_crm("validate", "--root", str(root), "--format", "json")
        again = path.stat()
        with open(path, "r+b") as handle:
            handle.write(data + b"# b\n")
        os.utime(path, ns=(again.st_atime_ns, again.st_mtime_ns))


NEW_VALUES = [("topic", "改过的回访"), ("stage", "stable"), ("tier", "strategic"), ("owner", "nobody"),
              ("date", "2020-01-01"), ("date", "2027-01-05"), ("since", "2030-01-01"), ("customer", "KH-0000404"),
              ("name", "同名公司"), ("title", "三期")]  # fmt: skip
"""Fields set to another value: facts the rules across records read (date, since, customer, name) or not."""

OPERATIONS = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 999), st.sampled_from(["", "note", "改", "dup"])),
    st.tuples(st.just("touch"), st.integers(0, 999), st.integers(0, 5)),
    st.tuples(st.just("value"), st.integers(0, 999), st.sampled_from(NEW_VALUES)),
    st.tuples(st.just("same_size"), st.integers(0, 999)),
    st.tuples(st.just("replace_same_size"), st.integers(0, 999)),
    st.tuples(st.just("rename"), st.integers(0, 999), st.sampled_from(["a", "-copy"])),
    st.tuples(st.just("copy"), st.integers(0, 999)),
    st.tuples(st.just("delete"), st.integers(0, 999)),
    st.tuples(st.just("restore")),
    st.tuples(st.just("same_second"), st.integers(0, 999)),
)


def _uncached(root: Path, *args: str) -> tuple[int, str]:
    """The answer of a run on a copy without any cache (crm due has no --no-cache)."""
    with tempfile.TemporaryDirectory(prefix="crm-fresh-") as folder:
        fresh = Path(folder) / "crm"
        shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".crm-cache"))
        result = invoke_crm(*args, "--root", str(fresh))
        return result.returncode, result.stdout.replace(str(fresh), str(root))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=6))
def test_every_cached_answer_equals_the_uncached_one(evolving: Path, operations: list[tuple[Any, ...]]) -> None:
    deleted: list[tuple[Path, bytes, int]] = []
    for operation in operations:
        _apply(evolving, operation, deleted)
        uncached = invoke_crm("validate", "--no-cache", "--root", str(evolving), "--format", "json")
        for _run in ("the first run after the change", "a second run: what the first one stored"):
            cached = invoke_crm("validate", "--root", str(evolving), "--format", "json")
            assert (cached.returncode, json.loads(cached.stdout)) == (
                uncached.returncode,
                json.loads(uncached.stdout),
            ), (operation, _run)
        due = invoke_crm("due", "--as-of", AS_OF, "--format", "json", "--root", str(evolving))
        assert (due.returncode, due.stdout) == _uncached(evolving, "due", "--as-of", AS_OF, "--format", "json")


def test_a_trusted_file_whose_record_left_the_store_is_read_again(repo: DataRepo) -> None:
    """The index says which content a file has; when the store no longer holds it (a shard removed or
    written by other code), the file is read and parsed like a new one."""
    repo.customer("KH-2024001")
    repo.interaction("JL-2024001", "KH-2024001", "2024-03-01")
    _aged(repo.root)
    for shard in (repo.root / ".crm-cache" / "parse").glob("*.pickle"):
        shard.unlink()
    cached = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    uncached = invoke_crm("validate", "--no-cache", "--root", str(repo.root), "--format", "json")
    assert cached.returncode == 0, cached.stderr
    assert json.loads(cached.stdout) == json.loads(uncached.stdout)
