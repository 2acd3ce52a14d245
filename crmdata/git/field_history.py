"""When a customer's stage, tier, value and owner changed, and an opportunity's stage: read from git.

A record keeps only its current stage; git keeps every earlier version of its file, with the commit that
made it. One `git log --first-parent --raw` over customers/ and opportunities/ names, commit by commit, the
files that changed and their new blobs; the blobs are streamed from one `git cat-file --batch` and only their
top-level fields are read. Walking the commits oldest first, each field that differs from the file's last
version is a change: the day (the commit date, the day the change entered the branch, as `--as-of` reads the
past: crmdata.git.records_at), the commit and its author.

A year of a 10,000-customer CRM is 30,000 first versions and a few thousand changes: the work is kept
(`FieldHistory` is plain JSON) and continued from the last commit it read when that commit is still on the
branch's first-parent history, so a build after a new commit reads that commit's blobs only. Uncommitted
edits are not history yet (the customer page lists them apart). The working tree and the index are only read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crmdata.git import gitrev
from crmdata.records.load import CUSTOMERS_DIR, OPPORTUNITIES_DIR, RECORD_SUFFIX
from crmdata.records.yamlread import read_yaml

TRACKED: dict[str, tuple[str, ...]] = {
    CUSTOMERS_DIR: ("stage", "tier", "value", "owner"),
    OPPORTUNITIES_DIR: ("stage",),
}
"""The fields whose changes are read, by record folder."""
_SEPARATOR = "\x1e"
_FORMAT = f"{_SEPARATOR}%H%x00%cI%x00%aN"
_MAX_BYTES = 1 << 20
"""A record file larger than this is not read for its fields (load() refuses it too)."""


@dataclass(frozen=True)
class FieldMove:
    """One field of one record file changed by one commit; `before` None: the file began with `after`."""

    field: str
    before: str | None
    after: str | None
    day: date
    commit: str
    author: str

    def as_json(self) -> list[object]:
        return [self.field, self.before, self.after, self.day.isoformat(), self.commit, self.author]

    @staticmethod
    def from_json(item: list[Any]) -> FieldMove:
        name, before, after, day, commit, author = item
        return FieldMove(str(name), before, after, date.fromisoformat(day), str(commit), str(author))


@dataclass
class FieldHistory:
    """The changes of the tracked fields by record file (oldest first), as of `commit` (None: no commit read)."""

    commit: str | None = None
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Each record file's tracked fields in its last version (files removed since are dropped)."""
    changes: dict[str, list[FieldMove]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "commit": self.commit,
            "values": self.values,
            "changes": {path: [change.as_json() for change in found] for path, found in self.changes.items()},
        }

    @staticmethod
    def from_json(value: object) -> FieldHistory | None:
        """The history kept as `as_json` wrote it; None for anything else (then it is read again)."""
        if not isinstance(value, dict) or not isinstance(value.get("values"), dict):
            return None
        try:
            changes = {
                str(path): [FieldMove.from_json(item) for item in found]
                for path, found in value.get("changes", {}).items()
            }
        except (TypeError, ValueError):
            return None
        commit = value.get("commit")
        return FieldHistory(commit if isinstance(commit, str) else None, value["values"], changes)


@dataclass(frozen=True)
class _Commit:
    commit: str
    day: date
    author: str
    files: list[tuple[str, str | None]]
    """(path, its new blob id; None when the commit removed it)."""


def parse_raw_log(output: bytes, prefix: str = "") -> Iterator[_Commit]:
    """The commits of `git log -z --raw --format=_FORMAT` output in its order (a pure function of git's text)."""
    for chunk in output.split(_SEPARATOR.encode()):
        if not chunk:
            continue
        commit, when, author, rest = [*chunk.split(b"\0", 3), b""][:4]
        fields = rest.lstrip(b"\n").split(b"\0")
        files: list[tuple[str, str | None]] = []
        for meta, raw in zip(fields[0::2], fields[1::2], strict=False):
            if not meta.startswith(b":"):
                break
            parts = meta[1:].split()
            path = raw.decode("utf-8", "surrogateescape").removeprefix(prefix)
            files.append((path, None if parts[4] == b"D" or parts[1] == b"120000" else parts[3].decode("ascii")))
        yield _Commit(
            commit.decode("ascii"),
            datetime.fromisoformat(when.decode("ascii")).date(),
            author.decode("utf-8", "replace"),
            files,
        )


def _tracked_fields(path: str) -> tuple[str, ...]:
    folder, _, name = path.partition("/")
    if "/" in name or not name.endswith(RECORD_SUFFIX) or name.startswith("."):
        return ()
    return TRACKED.get(folder, ())


def field_history(repo: gitrev.GitRepository, kept: FieldHistory | None = None) -> FieldHistory:
    """The tracked fields' changes along HEAD's first-parent history, continuing `kept` when its commit is on
    that history (else read from the first commit)."""
    if repo.git("rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode != 0:
        return FieldHistory()
    head = gitrev.resolve(repo, "HEAD").commit
    if kept is not None and kept.commit == head:
        return kept
    paths = [repo.prefix + folder for folder in TRACKED]
    since: list[str] = []
    if kept is not None and kept.commit is not None:
        first_parents = repo.git("rev-list", "--first-parent", head).stdout.split()
        if kept.commit.encode() in first_parents:  # still on the branch: continue from it
            since = [f"{kept.commit}..{head}"]
    history = kept if since and kept is not None else FieldHistory()
    result = repo.git(
        "log", "--first-parent", "--reverse", "-z", "--raw", "--no-renames", "--no-abbrev", f"--format={_FORMAT}",
        *(since or [head]), "--", *paths,
    )  # fmt: skip
    if result.returncode != 0:
        raise gitrev.GitError("git_cannot_list", revision="HEAD", reason=gitrev.first_line(result.stderr))
    commits = list(parse_raw_log(result.stdout, repo.prefix))
    wanted = {oid for entry in commits for path, oid in entry.files if oid is not None and _tracked_fields(path)}
    contents = gitrev.read_blobs(repo, sorted(wanted), _MAX_BYTES)
    for entry in commits:
        for path, oid in entry.files:
            names = _tracked_fields(path)
            if not names:
                continue
            if oid is None:
                history.values.pop(path, None)
                continue
            now = _values(contents[oid], path, names)
            if now is None:
                continue  # not a readable record in this version: its next readable version is compared
            before = history.values.get(path)
            for name in names:
                old = None if before is None else before.get(name)
                if before is None or old != now[name]:
                    change = FieldMove(name, old, now[name], entry.day, entry.commit, entry.author)
                    history.changes.setdefault(path, []).append(change)
            history.values[path] = now
    history.commit = head
    return history


def _values(raw: bytes, path: str, names: tuple[str, ...]) -> dict[str, str | None] | None:
    parsed = read_yaml(raw, path, _MAX_BYTES)
    data = parsed.data
    if not isinstance(data, dict):
        return None
    return {name: None if data.get(name) is None else str(data.get(name)) for name in names}


def stage_entered(history: FieldHistory, path: str, stage: str) -> date | None:
    """The day the record at `path` entered `stage` on the branch: the day of its last change of stage, when
    that change was to `stage` (else its stage now is not the last one committed: None)."""
    moves = [change for change in history.changes.get(path, ()) if change.field == "stage"]
    return moves[-1].day if moves and moves[-1].after == stage else None
