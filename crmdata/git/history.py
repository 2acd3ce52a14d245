"""Who changed a customer's records and when, read from git: the provenance of what a page shows.

The records live in git, so git already knows every change, its author, its day and why (the commit
subject). One `git log` over customers/ and interactions/ per build gives, per record file, the commits
that touched it; one `git status` gives the files changed but not committed yet. That is all the I/O,
and it is confined to `read_history`: parsing git's output (`parse_log`, `parse_status`) and grouping
the changes by customer (`changes_by_customer`) are pure functions of text and plain mappings, tested on
literal git output.

History is a nicety, never a reason to fail a build: without git, outside a repository, in a repository
without commits or when git fails, `read_history` returns an empty `History` whose `missing` says why. A
shallow clone (CI's default checkout) is read as far as it goes and says so: its oldest commits look as
if they had created every file, so their file lists are dropped rather than shown as changes.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from crmdata.records.cache import CACHE_DIR_NAME, cache_folder, read_signed, sign, signing_key
from crmdata.records.load import CUSTOMERS_DIR, INTERACTIONS_DIR
from crmdata.records.vocabulary import Catalogue, Message, Word
from crmdata.system.safe_paths import write_file

FOLDERS = (CUSTOMERS_DIR, INTERACTIONS_DIR)
"""Where the record files are, relative to the data root."""
SEPARATOR = "\x1e"
"""Starts each commit's header line in the log: a control character, so git quotes it in a file name."""
LOG_FORMAT = f"{SEPARATOR}%H%x00%aN%x00%aI%x00%s"
"""Hash, author (after .mailmap), author date (strict ISO 8601, the author's own offset), subject; NUL
between fields, which none of them can contain."""
SHORT_HASH = 8
GIT_TIMEOUT = 120
"""Seconds for the small git calls (rev-parse, status): a hung git must not hang the build."""


HISTORY_WORDS = Catalogue(
    "history",
    {
        "no_git": Word("没有安装 git", "git is not installed"),
        "not_a_repository": Word("{path} 不在 git 仓库里", "{path} is not in a git repository"),
        "git_said": Word("git：{reason}", "git: {reason}"),
        "no_commits": Word("这个 git 仓库还没有提交", "the git repository has no commits yet"),
        "log_failed": Word("git log 失败：{reason}", "git log failed: {reason}"),
        "unreadable": Word("无法读取 git：{reason}", "git could not be read: {reason}"),
    },
)
"""Why a site has no change history, said in crm.yaml's language where it is shown."""


@dataclass(frozen=True)
class Commit:
    """One commit as a page shows it. The author's e-mail is left out: it is personal data and the pages
    are published."""

    order: int
    """Position in git log's output, 0 for the newest: keeps git's order between commits of the same second."""
    hash: str
    author: str
    when: datetime
    """The author date (when the change was written; a rebase keeps it), with the author's UTC offset."""
    subject: str

    @property
    def day(self) -> date:
        """The author's own calendar day, as they would name it."""
        return self.when.date()

    @property
    def short(self) -> str:
        return self.hash[:SHORT_HASH]


@dataclass
class History:
    """What git knows about the record files: read once per build by `read_history`."""

    commits_of: dict[str, list[Commit]] = field(default_factory=dict)
    """Record file (POSIX, relative to the data root) -> the commits that touched it, newest first."""
    uncommitted: frozenset[str] = frozenset()
    """Record files (relative to the data root) changed, added or untracked but not committed."""
    commits: int = 0
    """Commits read (those that touched a record file)."""
    shallow: bool = False
    """A shallow clone: commits before its cut are missing (CI checks out one commit unless told otherwise)."""
    missing: Message | None = None
    """Why there is no history at all (no git, not a repository, no commits, git failed); None when read."""

    @property
    def available(self) -> bool:
        return self.missing is None


@dataclass(frozen=True)
class Records:
    """Which of one customer's record files: its own record, and conversations by id (the first few)."""

    customer_record: bool
    interactions: tuple[str, ...]
    more: int = 0
    """Conversations beyond those named: a commit that imported 150 conversations names three of them."""


@dataclass(frozen=True)
class CustomerCommit:
    """One commit on a customer's page, with the customer's files it touched."""

    commit: Commit
    records: Records


@dataclass(frozen=True)
class CustomerHistory:
    """A customer's changes, newest first, cut at a page's worth; `total` counts them all."""

    changes: list[CustomerCommit]
    total: int
    uncommitted: Records | None = None
    """The customer's files with changes not committed yet, or None."""

    @property
    def earlier(self) -> int:
        """Changes older than those shown."""
        return self.total - len(self.changes)


# --- parsing git's output (pure) --------------------------------------------------------------------------

_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def unquote_path(text: str) -> str:
    """A path as git prints it (C-style quoted when it holds a quote, a backslash or a control character,
    even with core.quotePath off) back to the path itself."""
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        return text
    body, out, i = text[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            following = body[i + 1]
            octal = body[i + 1 : i + 4]
            if len(octal) == 3 and all(digit in "01234567" for digit in octal):
                out.append(int(octal, 8) & 0xFF)
                i += 4
                continue
            if following in _C_ESCAPES:
                out.append(_C_ESCAPES[following])
                i += 2
                continue
        out.extend(char.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def parse_log(lines: Iterable[str], skip: frozenset[str] = frozenset()) -> tuple[dict[str, list[Commit]], int]:
    """`git log --format=LOG_FORMAT --name-only` output, line by line, to (file -> commits newest first,
    number of commits). Lines are split at line feeds only, which are left off: str.splitlines would
    also split at the separator.

    Streams: one pass, nothing kept but the result. Lines it does not understand are skipped, never
    raised on; so are the files of commits in `skip` (a shallow clone's cut, see the module doc).
    """
    commits_of: dict[str, list[Commit]] = defaultdict(list)
    current: Commit | None = None
    count = 0
    for line in lines:
        if line.startswith(SEPARATOR):
            current = _header(line[1:], count)
            if current is not None:
                count += 1
                if current.hash in skip:
                    current = None
        elif line and current is not None:
            commits_of[unquote_path(line)].append(current)
    return dict(commits_of), count


def _header(text: str, order: int) -> Commit | None:
    fields = text.split("\x00", 3)
    if len(fields) != 4:
        return None
    commit_hash, author, when, subject = fields
    try:
        moment = datetime.fromisoformat(when)
    except ValueError:
        return None
    return Commit(order, commit_hash, author, moment, subject)


def parse_status(output: str, prefix: str = "") -> frozenset[str]:
    """`git status --porcelain=v1 -z --no-renames` output to the files it names, relative to the data root.

    Porcelain paths are relative to the top of the repository whatever the working folder, so `prefix`
    (the data root's folder in the repository, `git rev-parse --show-prefix`) is taken off.
    """
    files = set()
    for entry in output.split("\x00"):
        if len(entry) > 3 and entry[2] == " ":
            path = entry[3:]
            if path.startswith(prefix):
                files.add(path[len(prefix) :])
    return frozenset(files)


# --- grouping by customer (pure) --------------------------------------------------------------------------


@dataclass
class _Touched:
    """A customer's files found so far in one commit (or among the uncommitted ones)."""

    customer_record: bool = False
    interactions: list[str] = field(default_factory=list)

    def add(self, interaction: str | None) -> None:
        if interaction is None:
            self.customer_record = True
        else:
            self.interactions.append(interaction)

    def records(self, named: int) -> Records:
        ordered = sorted(self.interactions)
        return Records(self.customer_record, tuple(ordered[:named]), max(0, len(ordered) - named))


def changes_by_customer(
    history: History, files: Mapping[str, tuple[str, str | None]], rows: int = 10, named: int = 3
) -> dict[str, CustomerHistory]:
    """Each customer's changes: the commits that touched its record or its conversations' records.

    `files` maps a record file to (customer id, conversation id or None for the customer's own record):
    the records as they are now, so a conversation's commits go to the customer it belongs to today.
    A commit that touched several of a customer's files is one change naming them all. Newest first by
    author date (git's order between equal dates); `rows` changes kept per customer, `named` conversation
    ids per change, so a page stays light however long the history.
    """
    found: dict[str, dict[str, tuple[Commit, _Touched]]] = defaultdict(dict)
    for path, commits in history.commits_of.items():
        owner = files.get(path)
        if owner is None:
            continue  # a file deleted since, or a record the page does not show
        customer, interaction = owner
        entries = found[customer]
        for commit in commits:
            entry = entries.get(commit.hash)
            if entry is None:
                entry = entries[commit.hash] = (commit, _Touched())
            entry[1].add(interaction)
    dirty: dict[str, _Touched] = defaultdict(_Touched)
    for path in history.uncommitted:
        owner = files.get(path)
        if owner is not None:
            dirty[owner[0]].add(owner[1])
    result = {}
    for customer in found.keys() | dirty.keys():
        newest_first = sorted(found.get(customer, {}).values(), key=lambda e: (-e[0].when.timestamp(), e[0].order))
        changes = [CustomerCommit(commit, touched.records(named)) for commit, touched in newest_first[:rows]]
        pending = dirty.get(customer)
        result[customer] = CustomerHistory(changes, len(newest_first), pending.records(named) if pending else None)
    return result


# --- reading git (the I/O edge) ---------------------------------------------------------------------------


def _git_env() -> dict[str, str]:
    """No prompts (a build has no terminal), no index writes beside the user's own git (status would
    otherwise refresh the index), messages in English for the build's output."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def _last_line(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


_last_log: dict[tuple[str, str, frozenset[str]], tuple[dict[str, list[Commit]], int]] = {}
"""The last log read, by (data root, HEAD, shallow cut): `crm serve` rebuilds after every saved record,
and HEAD rarely moves meanwhile. At 10,000 customers with 5,000 commits the log takes about 30 s (git
diffs the big flat record folders commit by commit); reading it again for every edit would be most of
each rebuild. Only the latest is kept, so a one-off build holds nothing it will not use."""


def read_history(root: Path) -> History:
    """The history of `root`'s record files, or an empty History saying why there is none. Never raises:
    the site is built with or without it."""
    git = shutil.which("git")
    if git is None:
        return History(missing=HISTORY_WORDS.say("no_git"))
    base = [git, "-C", str(root)]
    env = _git_env()
    try:
        probe = subprocess.run(
            [*base, "rev-parse", "--is-shallow-repository", "--show-prefix"],
            capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT, check=False,
        )  # fmt: skip
        if probe.returncode != 0:
            if "not a git repository" in probe.stderr:
                return History(missing=HISTORY_WORDS.say("not_a_repository", path=str(root)))
            return History(missing=HISTORY_WORDS.say("git_said", reason=_last_line(probe.stderr)))
        answers = probe.stdout.splitlines()
        shallow = bool(answers) and answers[0].strip() == "true"
        prefix = answers[1].strip() if len(answers) > 1 else ""
        head = subprocess.run(
            [*base, "rev-parse", "-q", "--verify", "HEAD^{commit}"],
            capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT, check=False,
        )  # fmt: skip
        if head.returncode != 0:
            return History(missing=HISTORY_WORDS.say("no_commits"))
        skip = _shallow_cut(base, root, env) if shallow else frozenset()
        key = (str(root), head.stdout.strip(), skip)
        if key not in _last_log:
            kept = _kept_log(root, key)
            if kept is None:
                commits_of, count, failed = _log(base, env, key[1], skip)
                if failed is not None:
                    return History(missing=HISTORY_WORDS.say("log_failed", reason=failed))
                _keep_log(root, key, commits_of, count)
                kept = commits_of, count
            _last_log.clear()
            _last_log[key] = kept
        commits_of, count = _last_log[key]
        status = subprocess.run(
            [*base, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all", "--", *FOLDERS],
            capture_output=True, env=env, timeout=GIT_TIMEOUT, check=False,
        )  # fmt: skip
        uncommitted = (
            parse_status(status.stdout.decode("utf-8", "surrogateescape"), prefix)
            if status.returncode == 0
            else frozenset()
        )
    except (OSError, subprocess.SubprocessError, UnicodeError) as exc:
        return History(missing=HISTORY_WORDS.say("unreadable", reason=str(exc)))
    return History(commits_of=commits_of, uncommitted=uncommitted, commits=count, shallow=shallow)


_KEPT_LOG = "history-log"
"""The last log read, kept in the cache folder for the next `crm` (a build after an edit at 10,000 customers
spent a second on it): it is the log of one HEAD and shallow cut, which never changes, so it is used only for
those; marshal of plain values, signed with this user's key (crmdata.records.cache): never another's bytes."""
_LOG_FORMAT = 1


def _kept_log(root: Path, key: tuple[str, str, frozenset[str]]) -> tuple[dict[str, list[Commit]], int] | None:
    signing = signing_key()
    if signing is None:
        return None
    read = read_signed(signing, root / CACHE_DIR_NAME / _KEPT_LOG / "log.marshal", marshal.loads)
    content = read[0] if read is not None else None
    if not isinstance(content, dict) or content.get("key") != [_LOG_FORMAT, key[1], sorted(key[2])]:
        return None
    try:
        commits = [Commit(order, commit_id, author, datetime.fromisoformat(when), subject)
                   for order, commit_id, author, when, subject in content["commits"]]  # fmt: skip
        commits_of = {path: [commits[index] for index in indices] for path, indices in content["files"].items()}
        return commits_of, int(content["count"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _keep_log(
    root: Path, key: tuple[str, str, frozenset[str]], commits_of: dict[str, list[Commit]], count: int
) -> None:
    signing = signing_key()
    if signing is None:
        return
    index: dict[int, int] = {}
    commits: list[tuple[int, str, str, str, str]] = []
    files: dict[str, list[int]] = {}
    for path, found in commits_of.items():
        for commit in found:
            if id(commit) not in index:
                index[id(commit)] = len(commits)
                commits.append((commit.order, commit.hash, commit.author, commit.when.isoformat(), commit.subject))
        files[path] = [index[id(commit)] for commit in found]
    content = {"key": [_LOG_FORMAT, key[1], sorted(key[2])], "commits": commits, "files": files, "count": count}
    payload = marshal.dumps(content)
    try:
        folder = cache_folder(root, _KEPT_LOG)
        write_file(folder / "log.marshal", sign(signing, payload) + payload, mode=0o600)
    except OSError:
        return  # a read-only checkout: the log is read again next time


def _log(
    base: list[str], env: dict[str, str], head: str, skip: frozenset[str]
) -> tuple[dict[str, list[Commit]], int, str | None]:
    """One `git log` from `head` over the record folders, parsed as it streams in: (files -> commits,
    count, error)."""
    command = [
        *base,
        "-c", "core.quotePath=false",  # Chinese file names as they are
        "-c", "log.showRoot=true",  # the first commit's files too, whatever the user's config
        "-c", "log.showSignature=false",
        "log", "--no-renames", "--no-color", "--use-mailmap", f"--format={LOG_FORMAT}", "--name-only",
        "--relative",  # paths relative to the data root, which may be a folder inside the repository
        head, "--", *FOLDERS,
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty stderr cannot block the log
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        assert process.stdout is not None
        try:
            with process.stdout:
                commits_of, count = parse_log(_lines(process.stdout), skip)
        except BaseException:
            process.kill()
            process.wait()
            raise
        if process.wait() != 0:
            errors.seek(0)
            return {}, 0, _last_line(errors.read())
    return commits_of, count, None


def _lines(stream: Iterable[bytes]) -> Iterator[str]:
    """Header lines decoded with replacement (an author's name in another encoding must still render);
    file names losslessly, as os.scandir names them, so they match the loaded records' paths."""
    for raw in stream:
        line = raw.rstrip(b"\n")
        yield line.decode("utf-8", "replace" if line.startswith(b"\x1e") else "surrogateescape")


def _shallow_cut(base: list[str], root: Path, env: dict[str, str]) -> frozenset[str]:
    """The commits at a shallow clone's cut (listed in .git/shallow): they have no parents here, so git
    shows them as creating every file they hold."""
    found = subprocess.run(
        [*base, "rev-parse", "--git-path", "shallow"],
        capture_output=True, text=True, env=env, timeout=GIT_TIMEOUT, check=False,
    )  # fmt: skip
    if found.returncode != 0:
        return frozenset()
    path = root / found.stdout.strip()  # relative to root, or absolute (then the join is the path itself)
    try:
        return frozenset(line.strip() for line in path.read_text(encoding="ascii").splitlines() if line.strip())
    except (OSError, UnicodeError):
        return frozenset()
