"""Keys of the generated pages whose inputs are known, so a build renders again only what changed.

A customer page (and its further pages of conversations and todos) is *keyed* (pages.Page.keyed): everything
it shows comes from its own context, computed in pages.customer_pages(), and from a few site-wide values
declared in SITE_WIDE. Its template sees `data` only through SiteWideView, which refuses any other name with
an error naming the page and the attribute: a template change cannot read an undeclared input and so make a
stale page (every site the test suite builds would fail first).

The page's key is a digest of everything that decides its Markdown: the code (every .py/.j2/.md of
site_builder and crmdata, and the versions of the libraries that render), the site-wide values, the
template, the page's path and title, and its context. A keyed page whose key and staged file (size,
modification time, inode) are those of the last build is kept as it is (Staging.keep) instead of rendered.
The keys live in the cache beside the staging folder and are written only after every page is rendered,
so a build stopped half-way never leaves a key for a page it did not write.

fingerprint() must give the same bytes for the same value in every process (PYTHONHASHSEED differs
between runs): it pickles the value, with models and dataclasses as their type's name and their fields'
values, and sets as sorted tuples (a set's order follows string hashes, which differ per process).
A type it knows no rule for is refused, never skipped.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import hashlib
import json
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import crmdata
import site_builder
from crmdata.system.safe_paths import read_own_file, write_file
from site_builder.staging import Staging

SITE_WIDE = (
    "as_of",
    "currency",
    "masked",
    "team",
    "team_name",
    "language",
    "edit_url",
    "history_available",
    "history_shallow",
    "config",
)
"""The only names of SiteData a keyed page's template may read (as `data.<name>`): values the same for every
page, in every page's key. Anything about one customer goes into the page's context instead."""
DERIVED = {"team_name": "config"}
"""Site-wide functions and the site-wide value whose fingerprint covers what they answer (team_name reads
crm.yaml's team names only). A function not listed here cannot be in SITE_WIDE: its answers are unknown."""
CODE_SUFFIXES = (".py", ".j2", ".md")
LIBRARIES = ("mkdocs", "mkdocs-material", "jinja2", "markupsafe", "pydantic")
"""Installed libraries whose versions are part of every key: they render (jinja2, markupsafe) or shape the
values fingerprinted (pydantic); mkdocs and its theme are read by the pages' conversion."""
DIGEST_SIZE = 20


class UndeclaredInputError(Exception):
    """A keyed page's template read something of `data` that is not a declared site-wide input."""


class SiteWideView:
    """`data` as a keyed page's template sees it: the SITE_WIDE values, and a clear error for anything else."""

    __slots__ = ("_src", "_values")

    def __init__(self, values: Mapping[str, object], src: str) -> None:
        self._values = values
        self._src = src

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # Python's and jinja's own probes (copy, __html__…): not a template's read
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise UndeclaredInputError(
                f"{self._src}: its template reads data.{name}, which is not one of the site-wide inputs of a "
                f"keyed page ({', '.join(SITE_WIDE)}); put what the page needs into its context in "
                "site_builder/pages.py customer_pages(), so that its key covers it"
            ) from None

    def __getitem__(self, name: str) -> object:
        return self.__getattr__(name)


def site_wide_values(data: object) -> dict[str, object]:
    """The SITE_WIDE values of a SiteData, read once per build."""
    return {name: getattr(data, name) for name in SITE_WIDE}


def site_wide_digest(values: Mapping[str, object]) -> bytes:
    """The digest of the site-wide values; a function among them stands for the value DERIVED names."""
    plain: list[tuple[str, object]] = []
    for name, value in values.items():
        if callable(value):
            if name not in DERIVED or DERIVED[name] not in values:
                raise TypeError(f"site-wide input {name} is a function: name the value it reads in DERIVED")
            continue  # covered by DERIVED[name], fingerprinted here as itself
        plain.append((name, value))
    return fingerprint(plain)


def code_digest(packages: Iterable[Path] | None = None) -> bytes:
    """Every .py/.j2/.md file of site_builder and crmdata, and the rendering libraries' versions: any change
    of code renders every page again."""
    folders = list(packages) if packages is not None else [Path(site_builder.__file__).parent,
                                                            Path(crmdata.__file__).parent]  # fmt: skip
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"\0{name}={version}".encode())
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file():
                content = path.read_bytes()
                digest.update(f"\0{path.relative_to(folder.parent).as_posix()}\0{len(content)}\0".encode())
                digest.update(content)
    return digest.digest()


# --- fingerprints -------------------------------------------------------------------------------------------


def _rebuilt(*parts: object) -> None:
    """Stands for the type of a reduced model, dataclass, named tuple or set in a fingerprint's pickle.
    Fingerprints are never unpickled: this is only a name pickle can refer to."""


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), bytes, datetime.date, datetime.datetime})
"""Values _plain returns as they are, without a call: the most common field values."""
_NATIVE = (str, int, float, bytes, datetime.date, datetime.time, datetime.timedelta, datetime.tzinfo,
           decimal.Decimal, Enum, type)  # fmt: skip
"""Types pickle writes the same way in every process (by value, or a class by its name)."""


def _plain(value: object) -> object:
    """`value` with every set (at any depth of lists, tuples and dicts) turned into a sorted tuple; models
    and other objects are left to the pickler's reducer_override, which does the same inside them."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    if kind is list:
        return [_plain(item) for item in value]  # type: ignore[attr-defined]
    if kind is tuple:
        return tuple(_plain(item) for item in value)  # type: ignore[attr-defined]
    if kind is dict:
        return {key: _plain(item) for key, item in value.items()}  # type: ignore[attr-defined]
    if kind is set or kind is frozenset:
        return _sorted_set(value)  # type: ignore[arg-type]
    return value


def _sorted_set(value: Iterable[object]) -> tuple[object, ...]:
    items = [_plain(item) for item in value]
    return (_rebuilt, ("set", tuple(sorted(items, key=fingerprint))))


Reducer = Callable[[Any], object]
_REDUCERS: dict[type, Reducer] = {}


def _model_reducer(kind: type[BaseModel]) -> Reducer:
    name = f"{kind.__module__}.{kind.__qualname__}"
    fields = tuple(kind.model_fields)  # never __dict__ as a whole: a cached_property lands there once read

    def reduce(model: BaseModel) -> object:
        values = model.__dict__
        state = [_plain(values[field]) for field in fields]
        extra = model.__pydantic_extra__
        return (_rebuilt, (name, state, _plain(extra) if extra else None))

    return reduce


def _dataclass_reducer(kind: type) -> Reducer:
    name = f"{kind.__module__}.{kind.__qualname__}"
    fields = tuple(field.name for field in dataclasses.fields(kind))

    def reduce(instance: object) -> object:
        return (_rebuilt, (name, [_plain(getattr(instance, field)) for field in fields]))

    return reduce


def _named_tuple_reducer(kind: type) -> Reducer:
    name = f"{kind.__module__}.{kind.__qualname__}"
    return lambda row: (_rebuilt, (name, [_plain(item) for item in row]))


def _native(_: object) -> object:
    return NotImplemented


def _reducer_for(kind: type) -> Reducer:
    if issubclass(kind, BaseModel):
        return _model_reducer(kind)
    if dataclasses.is_dataclass(kind):
        return _dataclass_reducer(kind)
    if issubclass(kind, set | frozenset):
        return lambda value: _sorted_set(value)
    if issubclass(kind, tuple) and hasattr(kind, "_fields"):
        return _named_tuple_reducer(kind)
    if issubclass(kind, _NATIVE):
        return _native
    raise TypeError(
        f"fingerprint: no rule for {kind.__module__}.{kind.__qualname__}; a page's context holds records, "
        "dataclasses, named tuples and plain values (site_builder/page_keys.py says how each is fingerprinted)"
    )


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if obj is _rebuilt:
            return NotImplemented  # pickled by its name
        kind = type(obj)
        reducer = _REDUCERS.get(kind)
        if reducer is None:
            reducer = _REDUCERS[kind] = _reducer_for(kind)
        return reducer(obj)


class _HashWriter:
    """A file for the pickler that hashes what it is given instead of keeping it."""

    def __init__(self) -> None:
        self.digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self.write = self.digest.update


def fingerprint(value: object) -> bytes:
    """A digest of `value` that is the same in every process for an equal value."""
    writer = _HashWriter()
    pickler = _Pickler(writer, protocol=5)
    pickler.fast = True  # no memo: shared objects (interned strings…) differ between processes, values do not
    pickler.dump(_plain(value))
    return writer.digest.digest()


def page_key(code: bytes, site_wide: bytes, template: str, src: str, title: str, context: object) -> str:
    """The key of one keyed page: what decides its Markdown."""
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in (code, site_wide, template.encode(), src.encode(), title.encode(), fingerprint(context)):
        digest.update(len(part).to_bytes(4, "big"))
        digest.update(part)
    return digest.hexdigest()


# --- the keys of the last build ----------------------------------------------------------------------------


class PageKeys:
    """src → (key, size, mtime_ns, inode of the staged file) of one staging folder's keyed pages, from the
    last build that finished, and the same for this build, saved when it has rendered every page."""

    def __init__(self, staging: Staging) -> None:
        self.staging = staging
        self.path = staging.folder.parent / f"{staging.folder.name}.keys.json"
        self.before = self._load()
        self.now: dict[str, tuple[str, int, int, int]] = {}
        self.rendered = 0
        self.current = 0

    def _load(self) -> dict[str, tuple[str, int, int, int]]:
        """The last build's keys; none when the file is missing or not what crm writes (a doubtful cache
        costs a full render, never a stale page)."""
        text = read_own_file(self.path)
        if text is None:
            return {}
        try:
            loaded = json.loads(text)
        except ValueError:
            return {}
        if not isinstance(loaded, dict):
            return {}
        keys: dict[str, tuple[str, int, int, int]] = {}
        for src, entry in loaded.items():
            if (
                isinstance(entry, list)
                and len(entry) == 4
                and isinstance(entry[0], str)
                and all(type(number) is int for number in entry[1:])
            ):
                keys[src] = (entry[0], entry[1], entry[2], entry[3])
        return keys

    def keep(self, src: str, key: str) -> bool:
        """True (and the staged file counted as written) when the page's key and its staged file are those
        of the last build: its Markdown is current."""
        known = self.before.get(src)
        if known is None or known[0] != key:
            return False
        try:
            status = os.lstat(self.staging.folder / src)
        except OSError:
            return False
        if not stat.S_ISREG(status.st_mode) or known[1:] != (status.st_size, status.st_mtime_ns, status.st_ino):
            return False
        if not self.staging.keep(src):
            return False
        self.now[src] = known
        self.current += 1
        return True

    def written(self, src: str, key: str, path: Path) -> None:
        """The page was rendered and staged at `path` under `key`."""
        status = os.lstat(path)
        self.now[src] = (key, status.st_size, status.st_mtime_ns, status.st_ino)
        self.rendered += 1

    def save(self) -> None:
        """Write this build's keys (atomically); call it only once every page is rendered and staged."""
        text = json.dumps(self.now, ensure_ascii=False, separators=(",", ":"))
        write_file(self.path, text.encode("utf-8"))
