"""Shared fixtures: a data repository written to disk; `crm` run as a user runs it (the installed console
script, `run_crm`) or in this process for output alone (`invoke_crm`)."""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import re
import signal
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner

CRM = Path(sys.executable).parent / "crm"

DEFAULT_CONFIG = """\
team:
  ming: {name: 张明}
  hong: {name: 李红}
"""

CUSTOMER = """\
id: KH-2024001
name: 华星科技有限公司
type: enterprise
tier: strategic
stage: active
value: high
owner: ming
since: 2024-01-10
contacts:
  - name: 李雷
    phone: "13800138000"
    primary: true
consent: {given: true, date: 2024-01-10}
"""

FLAT_FOLDERS = ("customers", "plans", "opportunities", "contracts")
"""The record folders of one record per file, without sub-folders (interactions/ has year folders)."""

INTERACTION = """\
id: JL-2024001
customer: KH-2024001
date: 2024-03-01
channel: phone
owner: ming
topic: 季度回访
"""


@dataclass
class DataRepo:
    """A data repository in a temporary folder, its files written as a person types them.

    One builder, three ways to write a record, each landing where `crm` looks for it:
    - `put(yaml)`: a record typed inline (beancount-style), written as typed (dedented) to
      customers/<id>.yaml, or interactions/<YYYY>/<id>.yaml when it names a `customer:`;
      `put(yaml, folder="plans")` (or "opportunities", "contracts", "customers") writes it to
      <folder>/<id>.yaml: those records name a `customer:` too, so their folder is said, never guessed
      from the id's prefix or the keys;
    - `customer(id, ...)` / `interaction(id, customer, day, ...)` / `plan(id, customer, ...)` /
      `opportunity(id, customer, ...)` / `contract(id, customer, ...)`: a valid record in a few words,
      whose keyword fields replace or add to the defaults (None leaves a field out) and whose further
      arguments are YAML lines as typed;
    - `write(path, text)`: any file at any path: crm.yaml, a record that is misplaced or unreadable.
    """

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def config(self, text: str) -> Path:
        """crm.yaml, replaced."""
        return self.write("crm.yaml", text)

    def put(self, text: str, folder: str | None = None) -> Path:
        """One record typed inline, written where it belongs: to <folder>/<id>.yaml when `folder` is given
        (plans, opportunities, contracts, customers); else an interaction (it has `customer:`) to
        interactions/<YYYY of its date>/<id>.yaml, anything else to customers/<id>.yaml."""
        text = textwrap.dedent(text)
        record_id = re.search(r"^id: ['\"]?([^'\"\s]+)", text, re.MULTILINE)
        assert record_id is not None, f"put() needs an `id:` line to name the file:\n{text}"
        if folder is not None:
            assert folder in FLAT_FOLDERS, f"put(folder=...) takes one of {', '.join(FLAT_FOLDERS)}"
            return self.write(f"{folder}/{record_id.group(1)}.yaml", text)
        if re.search(r"^customer: ", text, re.MULTILINE):
            day = re.search(r"^date: ['\"]?(\d{4})-", text, re.MULTILINE)
            assert day is not None, f"put() needs a `date:` line to file an interaction:\n{text}"
            return self.write(f"interactions/{day.group(1)}/{record_id.group(1)}.yaml", text)
        return self.write(f"customers/{record_id.group(1)}.yaml", text)

    def customer(self, cid: str, *lines: str, **fields: str | None) -> Path:
        """customers/<cid>.yaml: a valid customer, consent given; keyword fields replace or add to the
        defaults (None leaves one out, `consent` included), `lines` are YAML appended as typed."""
        consent = fields.pop("consent", "{given: true}")
        values = {
            "name": "客户" + cid,
            "type": "enterprise",
            "tier": "regular",
            "stage": "active",
            "owner": "ming",
            "since": "2024-01-01",
            **fields,
            "consent": consent,
        }
        return self.put(f"id: {cid}\n" + _fields(values) + _lines(lines))

    def interaction(self, iid: str, customer: str, day: str, *lines: str, **fields: str | None) -> Path:
        """interactions/<YYYY>/<iid>.yaml: a phone follow-up by ming on `day` (YAML: quote it when it has a
        time); keyword fields replace or add to the defaults, `lines` are YAML appended as typed."""
        values = {"channel": "phone", "owner": "ming", "topic": "回访", **fields}
        return self.put(f"id: {iid}\ncustomer: {customer}\ndate: {day}\n" + _fields(values) + _lines(lines))

    def plan(self, pid: str, customer: str, *lines: str, **fields: str | None) -> Path:
        """plans/<pid>.yaml: a monthly plan of ming's from 2024-05-10; keyword fields replace or add to the
        defaults, `lines` are YAML appended as typed."""
        values = {"cycle": "monthly", "goal": "了解系统使用体验", "owner": "ming", "date": "2024-05-10", **fields}
        return self.put(f"id: {pid}\ncustomer: {customer}\n" + _fields(values) + _lines(lines), folder="plans")

    def opportunity(self, oid: str, customer: str, *lines: str, **fields: str | None) -> Path:
        """opportunities/<oid>.yaml: an open opportunity of ming's at stage qualified, closing 2024-09-30."""
        values = {"title": "二期扩容", "stage": "qualified", "owner": "ming", "expected_close": "2024-09-30", **fields}
        return self.put(f"id: {oid}\ncustomer: {customer}\n" + _fields(values) + _lines(lines), folder="opportunities")

    def contract(self, hid: str, customer: str, *lines: str, **fields: str | None) -> Path:
        """contracts/<hid>.yaml: a one-year contract of ming's from 2024-01-01, amount 120000."""
        values = {
            "title": "系统运维服务",
            "start": "2024-01-01",
            "end": "2024-12-31",
            "amount": "120000",
            "owner": "ming",
            **fields,
        }
        return self.put(f"id: {hid}\ncustomer: {customer}\n" + _fields(values) + _lines(lines), folder="contracts")


def _fields(values: dict[str, str | None]) -> str:
    if "extra" in values:
        raise TypeError("YAML lines go in as positional arguments after the id, not as extra=")
    return "".join(f"{key}: {value}\n" for key, value in values.items() if value is not None)


def _lines(lines: tuple[str, ...]) -> str:
    """YAML lines (or blocks of them) as typed, each ending its line."""
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def file_digests(folder: Path) -> dict[str, str]:
    """Every file under `folder` by its path there → a digest of its bytes: two sites (or two parts of an
    index) compared file for file."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def changed_lines(before: bytes, after: bytes) -> tuple[list[bytes], list[bytes]]:
    """(removed, added) lines, line ends included: what a byte-for-byte review of an edit shows, so a test can
    say exactly which lines a command that edits a record may change."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    removed: list[bytes] = []
    added: list[bytes] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += old[i1:i2]
            added += new[j1:j2]
    return removed, added


def valid_repo(root: Path) -> DataRepo:
    """A valid repository at `root`: crm.yaml with two team members, one customer, one interaction."""
    data = DataRepo(root)
    data.config(DEFAULT_CONFIG)
    data.put(CUSTOMER)
    data.put(INTERACTION)
    return data


@pytest.fixture
def repo(tmp_path: Path) -> DataRepo:
    """A valid repository: crm.yaml with two team members, one customer, one interaction."""
    return valid_repo(tmp_path / "crm")


T = TypeVar("T")


def on_one_day(act: Callable[[date], T], clock: Callable[[], date] = date.today) -> tuple[date, T]:
    """(the day, what `act(day)` returned), all of the act having run on that calendar day.

    crm reads the clock itself, as a person runs it. A test that works out "today" and then runs crm would,
    across midnight, compare tomorrow's answer with yesterday's expectation (CI once failed so, on a run
    that started minutes before midnight). The act is tried again when the day changed under it, so it must
    start from nothing each time: records written in a folder named after `day`, say.
    """
    for _attempt in range(3):
        day = clock()
        outcome = act(day)
        if clock() == day:
            return day, outcome
    raise AssertionError("the day changed during each of three tries: is the clock being set?")


@pytest.fixture
def empty_repo(tmp_path: Path) -> DataRepo:
    """A repository with only crm.yaml."""
    data = DataRepo(tmp_path / "crm")
    data.config(DEFAULT_CONFIG)
    return data


def interruptible() -> None:
    """A Popen preexec_fn: SIGINT at its default in the child, as in a terminal. A test run started in the
    background of a shell without job control (`make test &`, some CI runners) inherits SIGINT ignored,
    and Python then leaves it ignored (as nohup asks): crm would never see the Ctrl-C a test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_crm(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `crm` console script in a process of its own, as a user would, capturing its output.

    For what only a real process shows: signals, terminals, worker pools, os._exit, environment read at
    import, the entry point itself. Output alone is checked faster in-process, by `invoke_crm`.
    """
    return subprocess.run([str(CRM), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


@dataclass(frozen=True)
class Result:
    """What a `crm` run left behind, named as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


CrmRun = Result | subprocess.CompletedProcess[str]
"""Either kind of run: the exit code and the output, under the same names."""


def invoke_crm(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run `crm` in this process: the console script's own code path (crmdata.cli.main.execute, with its
    exception handling and exit codes) minus the process around it (stop-signal handlers, os._exit).

    Standard output and error are captured by click's CliRunner isolation, not terminals (as in CI), and
    decoded as `run_crm` decodes them (text mode: universal newlines). `env` holds variables set for the
    run, as a process would inherit them (what a module reads when first imported is a real process's
    business). What a run leaves in the process is put back afterwards: the working folder, os.environ,
    module caches, logging, signal handlers, warning filters and matplotlib's settings (see
    `_process_state_restored`). One run at a time: sys.stdout and sys.stderr are the process's.
    """
    from crmdata.cli.main import execute  # here, not above: a test of pure functions need not load the CLI

    with _process_state_restored(), CliRunner().isolation(env=env) as (stdout, stderr, _output):
        if cwd is not None:
            os.chdir(cwd)
        try:
            code = execute(args, prog_name="crm")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
    return Result(code, _as_text(stdout.getvalue()), _as_text(stderr.getvalue()))


def _as_text(data: bytes) -> str:
    """Bytes as subprocess.run(text=True) shows them: UTF-8 (the tests' locale), CRLF and CR read as LF."""
    return data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _process_state_restored() -> Iterator[None]:
    """Undo, after an in-process run, what a run of `crm` leaves for the next one, which a real process
    would have taken with it when it ended.

    The module-level state: datasets kept for os._exit (`_LOADED`), folders already swept of stale
    temporary files (`_swept`), the last git log read (`_last_log`), stop signals received; the process's:
    the working folder, os.environ (`crm build` sets CRM_ROOT and the like for its plugin), the mkdocs
    logger crm configures, signal handlers, sys.unraisablehook, warning filters, matplotlib's rcParams.
    """
    import matplotlib

    from crmdata.authoring import writer
    from crmdata.cli import common, main
    from crmdata.git import history

    def forget() -> None:
        common.forget_loaded()
        writer._swept.clear()
        history._last_log.clear()
        main._STOPS_RECEIVED.clear()

    folder = os.getcwd()
    environment = dict(os.environ)
    mkdocs_log = logging.getLogger("mkdocs")
    log_settings = (mkdocs_log.level, mkdocs_log.propagate, list(mkdocs_log.handlers))
    handlers = {number: signal.getsignal(number) for number in _SIGNALS}
    unraisable_hook = sys.unraisablehook
    forget()
    try:
        with warnings.catch_warnings(), matplotlib.rc_context():
            yield
    finally:
        forget()
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(environment)
        mkdocs_log.setLevel(log_settings[0])
        mkdocs_log.propagate = log_settings[1]
        mkdocs_log.handlers[:] = log_settings[2]
        for number, handler in handlers.items():
            if handler is not None:  # None: not set from Python, so not changed from Python either
                signal.signal(number, handler)
        sys.unraisablehook = unraisable_hook


_SIGNALS = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)]


def pytest_configure(config: pytest.Config) -> None:
    """Run the suite as on a developer's machine, whether or not it runs in CI.

    `crm build` warns about an unencrypted site when CI is set (a publishing job), and that warning is part
    of what some tests read; a test of CI behaviour sets CI itself.
    """
    os.environ.pop("CI", None)


@pytest.fixture(autouse=True)
def _private_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the cache signing key of test runs out of the developer's home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


# The browser tests' shared fixtures: one demo site build and one chromium for the whole run (tests/browser_site.py).
from tests.browser_site import browser, site, tab, tab_factory  # noqa: E402, F401
