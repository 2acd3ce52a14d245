"""Two caches that make re-validating cost little more than listing the files.

* The record store (`.crm-cache/parse/`), keyed by each file's content hash: the validated record of a
  clean file (or its parsed data, when the record has problems of its own). Keyed by content (never by
  name or time) and by the code that validates (`rules_fingerprint`), an entry cannot go stale.
* The stat index (`.crm-cache/stat/`): each file's size, mtime, ctime, inode and device with its content
  hash, so a file whose stat matches is not read again — git's index does the same. Like git
  (Documentation/technical/racy-git.txt) it refuses to trust what a timestamp cannot tell apart: an entry
  is kept only for a file last changed more than a second before the run began, and trusted only when the
  file's times are older than the second the index was written; the whole index is ignored when it was
  written on another machine, for another folder or file system, by another crm, or when the clock has
  gone back since. Then files are hashed, and the record store still serves them. The cache lives in the data
repository (`.crm-cache/`, which ignores itself for git like `.pytest_cache`), so it must be treated as
untrusted: a pull request could commit one. Its contents cannot harm: the file is signed with an HMAC
whose key lives in the user's own cache folder, outside every repository, and the unpickler only admits
the plain types records are made of. Its shape cannot either: `.crm-cache/` is crm's own, so a link
there is replaced by a real folder (never followed) whenever crm writes, and a `.crm-cache` that git
tracks is an error `crm validate` reports (`tracked_cache_files`), with the cache left unused.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import marshal
import os
import pickle
import secrets
import stat
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Container, Iterable
from enum import Enum
from functools import cache
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from crmdata.system.safe_paths import make_folders, remove_tree, write_file

CACHE_DIR_NAME = ".crm-cache"
IGNORE_TEXT = "# created by crm: this folder is a local cache\n*\n"
FORMAT_VERSION = b"crm-parse-cache-4"  # bump when the reader's output changes
_SAFE_GLOBALS = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta")}
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def cache_folder(root: Path, relative: str) -> Path:
    """`.crm-cache/<relative>` under `root`, made a real folder (links and files in the way replaced, never
    followed) in a cache that ignores itself for git; every writer into the cache starts here."""
    folder = make_folders(root, Path(CACHE_DIR_NAME, relative), replace=True)
    ignore = root / CACHE_DIR_NAME / ".gitignore"
    try:
        is_file = stat.S_ISREG(os.lstat(ignore).st_mode)
    except FileNotFoundError:
        is_file = False
    if not is_file:
        remove_tree(ignore)  # a link (dangling or not) or a folder planted there: never written through
        write_file(ignore, IGNORE_TEXT.encode("utf-8"))
    return folder


def tracked_cache_files(root: Path) -> list[str]:
    """The paths under `.crm-cache` that git tracks in the repository holding `root`; none outside one.

    A committed cache is a pull request's (or a mistake's): crm must neither use it nor write into it.
    git is asked only when a `.crm-cache` exists (a fresh checkout without one costs nothing); listing
    one path of the index takes a few milliseconds even at 110,000 files.
    """
    if not os.path.lexists(root / CACHE_DIR_NAME):
        return []
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", CACHE_DIR_NAME],
            capture_output=True,
            env=environment,
            check=False,
        )
    except OSError:  # no git: then no repository tracks it either
        return []
    if listed.returncode != 0:  # not a repository (or one git refuses to read): nothing is tracked
        return []
    return [name for name in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def content_key(raw: bytes) -> bytes:
    """The cache key of a file: a hash of its bytes."""
    return hashlib.blake2b(raw, digest_size=16).digest()


@cache
def record_classes() -> dict[tuple[str, str], type]:
    """The classes a cached record may be made of, found from the fields of the five record models and of
    crm.yaml's (CrmConfig, kept by keep_config): the models themselves, the models nested in them (contacts,
    todos, payments, team members ...) and their enums, all defined in `crmdata.records.models`. Nothing else
    is ever admitted by the unpickler."""
    from crmdata.records.models import RECORD_MODELS, CrmConfig

    found: dict[tuple[str, str], type] = {}

    def visit(annotation: object) -> None:
        origin = get_origin(annotation)
        if origin is not None or isinstance(annotation, UnionType):
            for argument in get_args(annotation):
                visit(argument)
            if origin is not Union and isinstance(origin, type):
                visit(origin)
            return
        if not isinstance(annotation, type) or not annotation.__module__.startswith("crmdata.records.models."):
            return
        if (annotation.__module__, annotation.__qualname__) in found:
            return
        if issubclass(annotation, BaseModel):
            found[annotation.__module__, annotation.__qualname__] = annotation
            for field in annotation.model_fields.values():
                visit(field.annotation)
        elif issubclass(annotation, Enum):
            found[annotation.__module__, annotation.__qualname__] = annotation

    for model in (*RECORD_MODELS, CrmConfig):
        visit(model)
    _RECORD_MODEL_SET.update(kind for kind in found.values() if issubclass(kind, BaseModel))
    return found


_RECORD_MODEL_SET: set[type] = set()
"""The model classes of `record_classes()`, for the check in `restore_record` (filled with it)."""


_object_new = object.__new__
_object_set = object.__setattr__


def restore_record(model: type, values: dict[str, Any], fields_set: set[str]) -> BaseModel:
    """A validated record as it was cached (what pydantic's own unpickling does, in fewer steps: a warm
    run rebuilds every record); only the record models and the models nested in them."""
    if not _RECORD_MODEL_SET:
        record_classes()
    if model not in _RECORD_MODEL_SET:
        raise pickle.UnpicklingError(f"{model!r} is not a record model")
    record: BaseModel = _object_new(model)
    _object_set(record, "__dict__", values)
    _object_set(record, "__pydantic_fields_set__", fields_set)
    _object_set(record, "__pydantic_extra__", None)
    _object_set(record, "__pydantic_private__", None)
    return record


class _RecordPickler(pickle.Pickler):
    """Pickles records as `restore_record(model, values, fields_set)` (see the unpickler below)."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            return restore_record, (type(obj), obj.__dict__, obj.__pydantic_fields_set__)
        return NotImplemented


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _RecordPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


class _PlainUnpickler(pickle.Unpickler):
    """Admits dates and times, the record models and their enums (by `restore_record`, which checks the
    model again) besides the built-in containers: never code, never another class."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        if (module, name) == (__name__, "restore_record"):
            return restore_record
        allowed = record_classes().get((module, name))
        if allowed is not None:
            return allowed
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the parse cache")


def _loads(payload: bytes) -> Any:
    return _PlainUnpickler(io.BytesIO(payload)).load()


@cache
def rules_fingerprint() -> bytes:
    """What decides a file's record and per-record problems besides its bytes: crm's version and its
    record code (each file's size and mtime under crmdata/records: a developer's edit counts), pydantic's
    and Python's versions. Part of every signature, so a cache made by other code is not used.

    No part of crm.yaml enters per-record validation (the models take no context: owners, the team and
    the policy are cross-record rules, which always run on the whole set); a part that ever does must be
    added here.
    """
    import pydantic

    from crmdata import __version__

    parts = [FORMAT_VERSION.decode(), __version__, pydantic.VERSION, f"{sys.version_info[:2]}"]
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        status = path.stat()
        parts.append(f"{path.relative_to(package)}:{status.st_size}:{status.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).digest()


def sign(key: bytes, payload: bytes) -> bytes:
    signer = hmac.new(key, FORMAT_VERSION, hashlib.sha256)
    signer.update(rules_fingerprint())
    signer.update(payload)
    return signer.digest()


def read_signed(
    key: bytes, path: Path, loads: Callable[[bytes], Any] | None = None
) -> tuple[Any, os.stat_result] | None:
    """The payload of a file crm signed with `key`, unpickled (by `loads`: records and plain types by
    default), with the file's status; None when it is missing, a link, not a regular file, not signed by
    this user for this code, or holds what `loads` refuses."""
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                return None
            blob = handle.read()
        except OSError:
            return None
    signature, payload = blob[:32], blob[32:]
    if not hmac.compare_digest(signature, sign(key, payload)):
        return None  # another user's, another version's, or planted: ignore it
    try:
        return (loads or _loads)(payload), status
    except Exception:
        return None


def signing_key() -> bytes | None:
    """This user's secret key, created on first use; None where there is no private place for it."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crm-as-code"
    key_file = base / "cache.key"
    try:
        return key_file.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        base.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        return key
    except FileExistsError:
        return key_file.read_bytes()
    except OSError:
        return None


def behind_a_link(root: Path, folder: Path) -> bool:
    """Whether the cache folder, or `folder` in it, is a link: the cache is never read through one (writing
    replaces it with a real folder, cache_folder)."""
    return (root / CACHE_DIR_NAME).is_symlink() or folder.is_symlink()


def _config_file(root: Path) -> Path:
    """Where crm.yaml's validated model is kept (keep_config)."""
    return root / CACHE_DIR_NAME / "config" / "crm.yaml.pickle"


def kept_config(root: Path, raw: bytes) -> Any | None:
    """crm.yaml's validated model for these bytes, as the last run kept it (keep_config); None when there is
    none, it was of other bytes, or it is not signed by this user for this code.

    crm.yaml is the one file every command validates even when every record comes from the cache, and
    building its model's validator costs a command a sixth of its start-up (pydantic builds it on first use)."""
    key = signing_key()
    if key is None or behind_a_link(root, _config_file(root).parent):
        return None
    read = read_signed(key, _config_file(root))
    kept = read[0] if read is not None else None
    if not isinstance(kept, dict) or kept.get("key") != content_key(raw):
        return None
    return kept.get("config")


def keep_config(root: Path, raw: bytes, config: BaseModel) -> None:
    """Keep crm.yaml's validated model (it had no problem) for the next run with the same bytes."""
    key = signing_key()
    if key is None:
        return
    payload = _dumps({"key": content_key(raw), "config": config})
    try:
        cache_folder(root, "config")
        write_file(_config_file(root), sign(key, payload) + payload, mode=0o600)
    except OSError:
        return  # a read-only checkout still validates, only without it


CacheEntry = dict[str, Any] | BaseModel
"""A clean file's validated record, or the parsed data of a file whose record has problems of its own."""

SHARDS = 256
"""The cache is split in shards, so editing a few files rewrites a few small shards instead of the whole
cache (rewriting 47 MB after a one-file edit cost more than the rest of the run)."""


def shard_of(path: str) -> int:
    """The shard of a file's entries: that of its run of names (`interactions/2024/JL-20240012` for
    JL-2024001234.yaml: a hundred neighbours in sorted order), so the records of neighbouring files are
    unpickled together and lie together in memory, as a cold load builds them. By content key instead, each
    next record lay in another shard: every pass of the engine over 100,000 conversations paid a cache miss
    per record (computing a 10,000-customer site took 7 s instead of 4.5 s). Every look-up knows the path."""
    return zlib.crc32(path[: path.rfind(".") - 2].encode("utf-8", "surrogateescape")) & 0xFF


class ParseCache:
    """Validated records (or parsed data) of clean files by content hash, in the shard of the file's path
    (`shard_of`); each shard is loaded once and rewritten only if it changed, its entries in the order
    they came."""

    def __init__(self, root: Path, enabled: bool = True, *, only: Iterable[str] | None = None) -> None:
        """The store of `root`, every shard read; with `only`, just the shards of those files (a warm
        `crm validate` looks up a few records), whose every entry then counts as used: saving such a
        shard drops nothing."""
        self.root = root
        self.folder = root / CACHE_DIR_NAME / "parse"
        # A cache folder that is a link is not read through; writing replaces it with a real folder.
        linked = behind_a_link(root, self.folder)
        self.key = signing_key() if enabled else None
        self.shards: list[dict[bytes, CacheEntry]] = [{} for _ in range(SHARDS)]
        self.used: list[set[bytes]] = [set() for _ in range(SHARDS)]
        self.added = [0] * SHARDS
        self.readable = self.key is not None and not linked
        self.partial = only is not None
        self.unread = set(range(SHARDS))
        for number in range(SHARDS) if only is None else sorted({shard_of(path) for path in only}):
            self._read_shard(number)

    def _read_shard(self, number: int) -> None:
        if self.readable:
            self.shards[number] = self._read(self._shard_file(number))
            if self.partial:
                self.used[number].update(self.shards[number])
        self.unread.discard(number)

    @property
    def enabled(self) -> bool:
        return self.key is not None

    @staticmethod
    def exists(root: Path) -> bool:
        """Whether a cache was written here before (a cold run need not hash files for lookups)."""
        return (root / CACHE_DIR_NAME / "parse").is_dir()

    @property
    def entries(self) -> dict[bytes, CacheEntry]:
        """All entries (for tests and inspection)."""
        return {key: data for shard in self.shards for key, data in shard.items()}

    def _shard_file(self, number: int) -> Path:
        return self.folder / f"{number:02x}.pickle"

    def get(self, key: bytes, path: str) -> CacheEntry | None:
        """The entry of `key` kept for a file at `path` (the same bytes elsewhere may be in another shard)."""
        shard = shard_of(path)
        if shard in self.unread and self.partial:
            self._read_shard(shard)
        data = self.shards[shard].get(key)
        if data is not None:
            self.used[shard].add(key)
        return data

    def put(self, key: bytes, data: CacheEntry, path: str) -> None:
        if self.key is not None:
            shard = shard_of(path)
            if shard in self.unread and self.partial:
                self._read_shard(shard)  # else saving it would drop the entries it holds
            self.shards[shard][key] = data
            self.used[shard].add(key)
            self.added[shard] += 1

    def signature(self, payload: bytes) -> bytes:
        """The signature crm writes before a payload: HMAC with this user's key over the format, the
        code (`rules_fingerprint`) and the payload."""
        assert self.key is not None
        return sign(self.key, payload)

    def _read(self, path: Path) -> dict[bytes, Any]:
        assert self.key is not None
        read = read_signed(self.key, path)
        entries = read[0] if read is not None else None
        return entries if isinstance(entries, dict) else {}

    def save(self, keep: Container[bytes] = frozenset()) -> None:
        """Rewrite the shards that gained entries or hold entries of files that are gone, keeping those of
        `keep` too (the records of edited files as `crm validate`'s verdict saw them: it compares with them)."""
        if self.key is None:
            return
        try:
            folder: Path | None = None
            for number in range(SHARDS):
                shard, used = self.shards[number], self.used[number]
                if len(used) != len(shard):
                    used = used | {key for key in shard if key in keep}
                if self.added[number] == 0 and len(used) == len(shard):
                    continue
                folder = folder or cache_folder(self.root, "parse")
                self._write(number, {key: entry for key, entry in shard.items() if key in used})  # in order
        except OSError:
            return  # a read-only checkout still validates, only without the cache

    def _write(self, number: int, kept: dict[bytes, Any]) -> None:
        payload = _dumps(kept)
        write_file(self._shard_file(number), self.signature(payload) + payload, mode=0o600)


Seen = tuple[int, int, int, int, int]
"""A file's (size, mtime_ns, ctime_ns, inode, device) as lstat gives them."""

STAT_FORMAT = "crm-stat-index-2"


def seen_of(status: os.stat_result) -> Seen:
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def _machine_id() -> str:
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            with open(candidate, encoding="ascii") as handle:
                return handle.read().strip()
        except OSError:
            continue
    return ""


def place_identity(root: Path) -> tuple[object, ...]:
    """Where an index was written: the machine (host name and machine id), the data folder (its real
    path, device and inode). A cache copied, synced or mounted elsewhere compares inodes of another
    file system, so it is not trusted there."""
    status = os.stat(root)
    return (os.uname().nodename if hasattr(os, "uname") else "", _machine_id(), os.path.realpath(root),
            status.st_dev, status.st_ino)  # fmt: skip


class StatIndex:
    """Which content each file had when crm last saw it, by its stat: see the module's docstring.

    `known(path, status)` is the content key when the file's stat is the recorded one and nothing
    about the index is doubtful; None means: read and hash the file. `record` notes what this run saw;
    `save` writes the index again when that differs from what was read.
    """

    def __init__(
        self,
        root: Path,
        key: bytes | None,
        *,
        started_ns: int | None = None,
        file: Path | None = None,
        loads: Callable[[bytes], Any] | None = None,
        read: bool = True,
    ) -> None:
        """The index of `root`: `.crm-cache/stat/index.pickle`, or `file` there with an `extra` read by `loads`
        (`crm validate`'s verdict is an index of every file with what it found, crmdata.records.verdict);
        not read when `read` is false (to be written anew)."""
        self.root = root
        self.key = key
        self.loads = loads
        self.file = file or root / CACHE_DIR_NAME / "stat" / "index.pickle"
        self.extra: object = None
        """What the file holds besides the entries (the verdict's problems), as `save(extra=...)` wrote it."""
        self.started_ns = time.time_ns() if started_ns is None else started_ns
        # Entries changed less than a second before this run began (or later) are not recorded: a
        # change within the same timestamp tick after the read would leave the stat as recorded.
        self.recent_ns = (self.started_ns // 1_000_000_000 - 1) * 1_000_000_000
        self.identity = place_identity(root) if key is not None else ()
        self.entries: dict[str, tuple[int, int, int, int, int, bytes]] = {}
        self.trusted_before_ns = 0  # files whose mtime and ctime are older than this may be trusted
        self.doubt = "no index"
        self.seen: dict[str, tuple[int, int, int, int, int, bytes]] = {}
        linked = behind_a_link(root, self.file.parent)
        if key is not None and not linked and read:
            self._load()

    def _load(self) -> None:
        assert self.key is not None
        read = read_signed(self.key, self.file, marshal.loads)  # signed by this user: never another's bytes
        if read is None:
            return
        content, status = read
        if not isinstance(content, dict) or content.get("format") != STAT_FORMAT:
            return
        written_ns = content.get("written_ns")
        entries = content.get("entries")
        if not isinstance(written_ns, int) or not isinstance(entries, dict):
            return
        if content.get("identity") != self.identity:
            self.doubt = "another machine, folder or file system"
        elif self.started_ns < max(written_ns, status.st_mtime_ns):
            self.doubt = "the clock went back"
        else:
            self.doubt = ""
            self.entries = entries
            extra = content.get("extra")
            try:
                self.extra = (self.loads or _loads)(extra) if isinstance(extra, bytes) else None
            except Exception:
                self.extra = None  # holds what `loads` refuses: as if there were none
            # git's racy rule: only times older than the second the index file was written are trusted
            self.trusted_before_ns = min(written_ns, status.st_mtime_ns) // 1_000_000_000 * 1_000_000_000

    def known(self, path: str, status: os.stat_result) -> bytes | None:
        entry = self.entries.get(path)
        if (
            entry is None
            or entry[1] != status.st_mtime_ns
            or entry[0] != status.st_size
            or entry[2] != status.st_ctime_ns
            or entry[3] != status.st_ino
            or entry[4] != status.st_dev
            or status.st_mtime_ns >= self.trusted_before_ns
            or status.st_ctime_ns >= self.trusted_before_ns
        ):
            return None
        self.seen[path] = entry
        return entry[5]

    def split(
        self, prefix: str, paths: list[str]
    ) -> tuple[list[tuple[str, bytes]], list[str], dict[str, os.stat_result | None]]:
        """(path, key) of the files `known` trusts, the other paths (to read and hash), and their lstat
        (None when it failed: the parser says why). `known`'s test, inline: this runs once per file."""
        trusted: list[tuple[str, bytes]] = []
        others: list[str] = []
        statuses: dict[str, os.stat_result | None] = {}
        entries, seen, before, lstat = self.entries, self.seen, self.trusted_before_ns, os.lstat
        for path in paths:
            try:
                status = lstat(prefix + path)
            except OSError:
                statuses[path] = None
                others.append(path)
                continue
            entry = entries.get(path)
            if (
                entry is not None
                and entry[1] == status.st_mtime_ns
                and entry[0] == status.st_size
                and entry[2] == status.st_ctime_ns
                and entry[3] == status.st_ino
                and entry[4] == status.st_dev
                and status.st_mtime_ns < before
                and status.st_ctime_ns < before
            ):
                seen[path] = entry
                trusted.append((path, entry[5]))
            else:
                statuses[path] = status
                others.append(path)
        return trusted, others, statuses

    def untrusted(self, prefix: str, paths: list[str]) -> list[str] | None:
        """The paths whose stat `split` would not trust, when `paths` are the index's own in its order (a
        verdict's files, none added, removed or renamed); None when they are not. `split`'s test without
        a look-up per path: the one pass over every file of a warm `crm validate` (the test is written out
        in both loops: a function call per file would add about 5 % to this one)."""
        if list(self.entries) != paths:
            return None
        others: list[str] = []
        before, lstat = self.trusted_before_ns, os.lstat
        for path, entry in zip(paths, self.entries.values(), strict=True):
            try:
                status = lstat(prefix + path)
            except OSError:
                others.append(path)
                continue
            if not (
                entry[1] == status.st_mtime_ns
                and entry[0] == status.st_size
                and entry[2] == status.st_ctime_ns
                and entry[3] == status.st_ino
                and entry[4] == status.st_dev
                and status.st_mtime_ns < before
                and status.st_ctime_ns < before
            ):
                others.append(path)
        return others

    def record(self, path: str, seen: Seen, key: bytes) -> None:
        """Note that the file had content `key` when its stat was `seen` (taken BEFORE it was read)."""
        if seen[1] < self.recent_ns and seen[2] < self.recent_ns:
            self.seen[path] = (*seen, key)

    def save(self, extra: object = None) -> None:
        """Write what this run saw (and `extra`), unless that is what the file holds."""
        if self.key is None or (self.seen == self.entries and extra == self.extra):
            return
        content = {
            "format": STAT_FORMAT,
            "identity": self.identity,
            "written_ns": time.time_ns(),
            "entries": self.seen,
            "extra": None if extra is None else pickle.dumps(extra, protocol=pickle.HIGHEST_PROTOCOL),
        }
        payload = marshal.dumps(content)  # plain values only: three times faster than pickle both ways
        try:
            cache_folder(self.root, self.file.parent.name)
            write_file(self.file, sign(self.key, payload) + payload, mode=0o600)
        except OSError:
            return  # a read-only checkout still validates, only without the index
