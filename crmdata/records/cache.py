"""A parse cache keyed by each file's content hash, so re-validating costs little more than reading.

Keyed by content (never by name or time), an entry cannot go stale. The cache lives in the data
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
import os
import pickle
import secrets
import stat
import subprocess
from pathlib import Path
from typing import Any

from crmdata.system.safe_paths import make_folders, read_own_file, remove_tree, write_file

CACHE_DIR_NAME = ".crm-cache"
IGNORE_TEXT = "# created by crm: this folder is a local cache\n*\n"
FORMAT_VERSION = b"crm-parse-cache-2"  # bump when the reader's output changes
_SAFE_GLOBALS = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta")}


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


class _PlainUnpickler(pickle.Unpickler):
    """Admits only dates and times besides the built-in containers: never code."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the parse cache")


def _signing_key() -> bytes | None:
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


SHARDS = 256
"""The cache is split by the first byte of the key, so editing a few files rewrites a few small shards
instead of the whole cache (rewriting 47 MB after a one-file edit cost more than the rest of the run)."""


class ParseCache:
    """Parsed data of clean files by content hash; each shard is loaded once and rewritten only if it changed."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.root = root
        self.folder = root / CACHE_DIR_NAME / "parse"
        # A cache folder that is a link is not read through; writing replaces it with a real folder.
        linked = (root / CACHE_DIR_NAME).is_symlink() or self.folder.is_symlink()
        self.key = _signing_key() if enabled else None
        self.shards: list[dict[bytes, dict[str, Any]]] = [{} for _ in range(SHARDS)]
        self.used: list[set[bytes]] = [set() for _ in range(SHARDS)]
        self.added = [0] * SHARDS
        if self.key is not None and not linked:
            for number in range(SHARDS):
                self.shards[number] = self._read(self._shard_file(number))

    @property
    def enabled(self) -> bool:
        return self.key is not None

    @staticmethod
    def exists(root: Path) -> bool:
        """Whether a cache was written here before (a cold run need not hash files for lookups)."""
        return (root / CACHE_DIR_NAME / "parse").is_dir()

    @property
    def entries(self) -> dict[bytes, dict[str, Any]]:
        """All entries (for tests and inspection)."""
        return {key: data for shard in self.shards for key, data in shard.items()}

    def _shard_file(self, number: int) -> Path:
        return self.folder / f"{number:02x}.pickle"

    def get(self, key: bytes) -> dict[str, Any] | None:
        shard = key[0]
        data = self.shards[shard].get(key)
        if data is not None:
            self.used[shard].add(key)
        return data

    def put(self, key: bytes, data: dict[str, Any]) -> None:
        if self.key is not None:
            shard = key[0]
            self.shards[shard][key] = data
            self.used[shard].add(key)
            self.added[shard] += 1

    def _read(self, path: Path) -> dict[bytes, dict[str, Any]]:
        assert self.key is not None
        blob = read_own_file(path)
        if blob is None:
            return {}
        signature, payload = blob[:32], blob[32:]
        expected = hmac.new(self.key, FORMAT_VERSION + payload, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            return {}  # another user's, another version's, or planted: ignore it
        try:
            entries = _PlainUnpickler(io.BytesIO(payload)).load()
        except Exception:
            return {}
        return entries if isinstance(entries, dict) else {}

    def save(self) -> None:
        """Rewrite the shards that gained entries or hold entries of files that are gone."""
        if self.key is None:
            return
        try:
            folder: Path | None = None
            for number in range(SHARDS):
                shard, used = self.shards[number], self.used[number]
                if self.added[number] == 0 and len(used) == len(shard):
                    continue
                folder = folder or cache_folder(self.root, "parse")
                self._write(number, {key: shard[key] for key in used if key in shard})
        except OSError:
            return  # a read-only checkout still validates, only without the cache

    def _write(self, number: int, kept: dict[bytes, dict[str, Any]]) -> None:
        assert self.key is not None
        payload = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        signature = hmac.new(self.key, FORMAT_VERSION + payload, hashlib.sha256).digest()
        write_file(self._shard_file(number), signature + payload, mode=0o600)
