"""Stopping `crm` from outside: a signal or a kill leaves no worker process and no scratch folder behind.

CI cancels a job with SIGTERM, a person presses Ctrl-C (SIGINT), an out-of-memory killer sends SIGKILL.
These tests start the installed `crm` on a repository large enough that parsing takes a few seconds,
wait until its parse workers exist (read from /proc), signal the `crm` process alone (not its group, so
nothing but `crm` itself can stop the workers), and then check, with a bounded wait, that every process
of its tree is gone and that `crm diff` left no scratch copy of the data.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

import pytest

from tests.conftest import CRM, DataRepo, interruptible, run_crm
from tools.synth import generate

if not sys.platform.startswith("linux"):
    pytest.skip("reads the process tree from Linux /proc", allow_module_level=True)

SCRATCH_PREFIX = "crm-diff-"
GONE_WITHIN = 20.0
"""Seconds a stopped process tree may take to disappear; an orphaned worker never does (it blocks forever)."""


@dataclass(frozen=True)
class Proc:
    """One process, identified by pid and start time (a pid alone may be reused)."""

    pid: int
    start: int


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rpartition(")")[2].split()  # the command name in parentheses may hold spaces
    return fields[0], int(fields[1]), int(fields[19])


def _alive(proc: Proc) -> bool:
    """Whether the process still runs (a zombie has ended: only its exit status waits to be collected)."""
    stat = _stat(proc.pid)
    return stat is not None and stat[2] == proc.start and stat[0] != "Z"


def _descendants(root: int) -> list[Proc]:
    """Every living process below `root`."""
    children: dict[int, list[Proc]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[0] != "Z":
                children.setdefault(stat[1], []).append(Proc(int(entry), stat[2]))
    found: list[Proc] = []
    pending = [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child.pid)
    return found


def _executable(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None


def _wait_for_workers(process: subprocess.Popen[str], out: IO[str], err: IO[str], count: int) -> list[Proc]:
    """The process tree of `crm` once at least `count` parse workers (Python processes below it) run."""
    python = os.path.realpath(sys.executable)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out.seek(0)
            err.seek(0)
            pytest.fail(f"crm ended (exit {process.returncode}) before its workers ran: {out.read()} {err.read()}")
        tree = _descendants(process.pid)
        if sum(_executable(proc.pid) == python for proc in tree) >= count:
            return tree
        time.sleep(0.005)
    pytest.fail("no parse workers appeared within two minutes")


def _lingering(tree: list[Proc]) -> list[str]:
    """The processes of `tree` still alive after a bounded wait, described by pid and command line."""
    deadline = time.monotonic() + GONE_WITHIN
    alive = [proc for proc in tree if _alive(proc)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [proc for proc in alive if _alive(proc)]
    described = []
    for proc in alive:
        try:
            command = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            command = "?"
        described.append(f"{proc.pid} (parent {(_stat(proc.pid) or ('', 0))[1]}): {command}")
    return described


@dataclass
class Stopped:
    """What happened to a `crm` run stopped by a signal."""

    pid: int
    returncode: int
    stdout: str
    stderr: str
    workers: list[Proc]
    lingering: list[str]


def stop_while_parsing(args: list[str], sig: signal.Signals, whole_group: bool = False) -> Stopped:
    """Run `crm *args`, send `sig` to the crm process alone (or, as a terminal's Ctrl-C does, to its whole
    process group) once its parse workers run, and let it end.

    Output goes to files, not pipes: an orphaned worker holds its copy of them open forever.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [str(CRM), *args],
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,  # its own group: the test can clean up whatever a failure leaves behind
            preexec_fn=interruptible,
        )
        tree: list[Proc] = []
        try:
            tree = _wait_for_workers(process, out, err, count=2)
            if whole_group:
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
            process.wait(timeout=120)
            lingering = _lingering(tree)
            out.seek(0)
            err.seek(0)
            return Stopped(process.pid, process.returncode, out.read(), err.read(), tree, lingering)
        finally:
            for proc in [*tree, Proc(process.pid, -1)]:
                if proc.start == -1 or _alive(proc):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(proc.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A repository whose parsing takes seconds, committed twice (the second commit changes one record)."""
    root = tmp_path_factory.mktemp("big") / "data"
    generate(root, customers=2000, interactions=30000, seed=11, as_of=date(2026, 11, 24))
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    first = sorted((root / "customers").iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-a", "-m", "head"], check=True)
    yield root
    shutil.rmtree(root)  # about 40,000 files: not kept among pytest's last three temporary folders


@pytest.fixture
def small(repo: DataRepo) -> Path:
    """A small repository committed twice: a diff of it runs to its end in a moment."""
    git = ["git", "-C", str(repo.root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "base"], check=True)
    repo.customer("KH-2024002")
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "head"], check=True)
    return repo.root


def scratch_folders(pid: int) -> list[Path]:
    """The scratch folders of `crm diff` process `pid`, in the places it makes them (/dev/shm or TMPDIR)."""
    found = []
    for parent in {Path("/dev/shm"), Path(tempfile.gettempdir())}:
        if parent.is_dir():
            found += [entry for entry in parent.iterdir() if re.fullmatch(rf"{SCRATCH_PREFIX}\d+-{pid}-.+", entry.name)]
    return found


def _validate_args(root: Path) -> list[str]:
    return ["validate", "--root", str(root), "--no-cache", "--jobs", "2"]


def _diff_args(root: Path) -> list[str]:
    return ["diff", "HEAD~1", "HEAD", "--root", str(root), "--as-of", "2026-11-24"]


def _assert_stopped_cleanly(stopped: Stopped) -> None:
    verdicts = ("valid:", "invalid:", "有效：", "无效：")  # validate's summary line, in either language
    assert not any(verdict in stopped.stdout for verdict in verdicts), (
        f"crm finished despite the signal: {stopped.stderr}"
    )
    assert stopped.lingering == [], f"left running after crm ended: {stopped.lingering}"
    assert "Traceback" not in stopped.stderr, stopped.stderr


def test_sigterm_to_validate_stops_every_worker(big: Path) -> None:
    stopped = stop_while_parsing(_validate_args(big), signal.SIGTERM)
    _assert_stopped_cleanly(stopped)
    assert stopped.returncode == 128 + signal.SIGTERM
    assert stopped.stderr.strip().endswith("crm：收到 SIGTERM，已停止")  # the repository's language: zh


def test_sigint_to_validate_stops_every_worker(big: Path) -> None:
    stopped = stop_while_parsing(_validate_args(big), signal.SIGINT)
    _assert_stopped_cleanly(stopped)
    assert stopped.returncode != 0


def test_ctrl_c_in_a_terminal_stops_validate_without_a_traceback_from_each_worker(big: Path) -> None:
    stopped = stop_while_parsing(_validate_args(big), signal.SIGINT, whole_group=True)
    _assert_stopped_cleanly(stopped)
    assert "KeyboardInterrupt" not in stopped.stderr, stopped.stderr


def test_sigkill_to_validate_takes_the_workers_with_it(big: Path) -> None:
    stopped = stop_while_parsing(_validate_args(big), signal.SIGKILL)
    assert stopped.returncode == -signal.SIGKILL
    assert stopped.lingering == [], f"orphaned workers: {stopped.lingering}"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopped_diff_leaves_no_worker_and_no_scratch_copy(big: Path, sig: signal.Signals) -> None:
    stopped = stop_while_parsing(_diff_args(big), sig)
    assert "crm diff:" not in stopped.stdout, f"crm diff finished despite the signal (or before it): {stopped.stderr}"
    assert stopped.lingering == [], f"left running after crm diff ended: {stopped.lingering}"
    assert "Traceback" not in stopped.stderr, stopped.stderr
    assert stopped.returncode != 0
    assert scratch_folders(stopped.pid) == []


def test_killed_diff_leaves_no_worker_and_its_scratch_copy_only_until_the_next_run(big: Path, small: Path) -> None:
    stopped = stop_while_parsing(_diff_args(big), signal.SIGKILL)
    assert stopped.lingering == [], f"orphaned workers: {stopped.lingering}"
    left = scratch_folders(stopped.pid)
    try:
        assert len(left) == 1  # SIGKILL cannot be caught: the copy stays, for now
        again = run_crm(*_diff_args(small))
        assert again.returncode == 0, again.stderr
        assert scratch_folders(stopped.pid) == []
    finally:
        for folder in left:
            shutil.rmtree(folder, ignore_errors=True)


def test_the_scratch_copy_of_a_running_diff_is_not_swept(small: Path) -> None:
    """Only folders of processes that are gone are removed: a crm diff running beside keeps its copy."""
    namespace = os.readlink("/proc/self/ns/pid").partition("[")[2].rstrip("]")
    running = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{namespace}-{os.getpid()}-test"
    (running / "data").mkdir(parents=True)
    try:
        result = run_crm(*_diff_args(small))
        assert result.returncode == 0, result.stderr
        assert scratch_folders(os.getpid()) == [running]
    finally:
        shutil.rmtree(running)
