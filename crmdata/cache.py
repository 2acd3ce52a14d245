"""A parse cache keyed by each file's content hash, so re-validating costs little more than reading.

Keyed by content (never by name or time), an entry cannot go stale. The cache lives in the data
repository (`.crm-cache/`, which ignores itself for git like `.pytest_cache`), so it must be treated as
untrusted: a pull request could commit one. Two guards make a planted cache harmless: the file is
signed with an HMAC whose key lives in the user's own cache folder, outside every repository, and the
unpickler only admits the plain types records are made of.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import secrets
import tempfile
from pathlib import Path
from typing import Any

CACHE_DIR_NAME = ".crm-cache"
FORMAT_VERSION = b"crm-parse-cache-1"  # bump when the reader's output changes
_SAFE_GLOBALS = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta")}


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


class ParseCache:
    """Parsed data of clean files by content hash; loaded once, saved once if anything changed."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.folder = root / CACHE_DIR_NAME
        self.file = self.folder / "parse.pickle"
        self.key = _signing_key() if enabled else None
        self.entries: dict[bytes, dict[str, Any]] = {}
        self.used: set[bytes] = set()
        self.added = 0
        if self.key is not None:
            self.entries = self._read()

    @property
    def enabled(self) -> bool:
        return self.key is not None

    def get(self, key: bytes) -> dict[str, Any] | None:
        data = self.entries.get(key)
        if data is not None:
            self.used.add(key)
        return data

    def put(self, key: bytes, data: dict[str, Any]) -> None:
        if self.key is not None:
            self.entries[key] = data
            self.used.add(key)
            self.added += 1

    def _read(self) -> dict[bytes, dict[str, Any]]:
        assert self.key is not None
        try:
            blob = self.file.read_bytes()
        except OSError:
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
        """Write the entries used in this run (dropping files that are gone), if anything changed."""
        if self.key is None or (self.added == 0 and len(self.used) == len(self.entries)):
            return
        kept = {key: self.entries[key] for key in self.used if key in self.entries}
        payload = pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)
        signature = hmac.new(self.key, FORMAT_VERSION + payload, hashlib.sha256).digest()
        try:
            self.folder.mkdir(exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by crm: this folder is a local cache\n*\n", encoding="utf-8")
            descriptor, temp_name = tempfile.mkstemp(dir=self.folder, prefix=".parse-", suffix=".tmp")
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(signature + payload)
            os.replace(temp_name, self.file)
        except OSError:
            return  # a read-only checkout still validates, only without the cache
