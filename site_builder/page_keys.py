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
import fractions
import functools
import hashlib
import json
import operator
import pickle
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
from site_builder.staging import Staging, identity

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
TEMPLATE_SUFFIXES = (".j2", ".md", ".css", ".js", ".html", ".yml")
LIBRARIES = (
    "mkdocs", "mkdocs-material", "jinja2", "markupsafe", "pydantic", "markdown", "pymdown-extensions",
    "pagefind-bin-extended",
)  # fmt: skip
"""Installed libraries whose versions are part of every key: they render (jinja2, markupsafe) or shape the
values fingerprinted (pydantic); mkdocs, its theme, Python-Markdown and its extensions convert the pages and
Pagefind indexes them (site_builder.reuse keys the previous site's HTML and search index with this too)."""
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


def code_digest() -> bytes:
    """What rendering runs: the Python code of site_builder and crmdata as this process loaded it, its
    templates and guide pages (.j2, .md) as they are now, and the versions of the libraries that render.
    Any change of code renders every page again.

    The Python files are read once per process (at its first build), as their code was loaded then: a
    `crm serve` running while crm is upgraded keeps rendering with its old code, and must not save keys
    that say the new code made its pages. Templates and guide pages are read by every build, so they are
    hashed by every build."""
    digest = hashlib.blake2b(_python_digest(), digest_size=DIGEST_SIZE)
    digest.update(_files_digest(TEMPLATE_SUFFIXES))
    return digest.digest()


@functools.cache
def _python_digest() -> bytes:
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    digest.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"\0{name}={version}".encode())
    digest.update(_files_digest((".py",)))
    return digest.digest()


def _files_digest(suffixes: tuple[str, ...]) -> bytes:
    """The paths and bytes of the files of site_builder and crmdata that end in one of `suffixes`."""
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for folder in (Path(site_builder.__path__[0]), Path(crmdata.__path__[0])):
        for path in sorted(folder.rglob("*")):
            if path.suffix in suffixes and path.is_file():
                content = path.read_bytes()
                digest.update(f"\0{path.relative_to(folder.parent).as_posix()}\0{len(content)}\0".encode())
                digest.update(content)
    return digest.digest()


# --- fingerprints -------------------------------------------------------------------------------------------

_PRIMITIVE = frozenset({str, int, float, bool, type(None), bytes})
"""Values pickle writes the same way in every process, kept as they are."""
Encoder = Callable[[Any], object]
MEMO_RECORDS = 5000


class Fingerprints:
    """Fingerprints of page contexts for one build.

    A value is first encoded into primitives (str, numbers, None, bytes) inside lists, each other value a
    pair (its type's qualified name, its encoded content): a model or dataclass its fields in declared order
    (a pydantic model's fields only, never its __dict__ as a whole, where a cached_property lands once read),
    a set its items sorted, an enum its value, a date its ISO text. That encoding is pickled without pickle's
    memo (which would write an object met twice as a reference, and whether two equal strings are one
    object differs between processes) and hashed. A type without a rule is refused with its name.

    A record (a pydantic model) is encoded once per build: a customer's conversations are on its page, on its
    further pages and behind its todos. The memo holds the record itself beside its encoding, so its id
    cannot be reused by another object while the memo lives; it is emptied when it holds MEMO_RECORDS (a
    customer's pages come one after another, so a small memo finds nearly every record met before, and the
    encodings of 100,000 conversations are never all kept)."""

    def __init__(self, record_keys: Mapping[int, bytes] | None = None) -> None:
        self._models: dict[int, tuple[object, object]] = {}
        self._encoders = _Encoders(self._encoder_for)
        self._record_keys = record_keys or {}
        """Dataset.record_keys: a record read from a file is encoded as its model's name and the digest of
        the file's bytes (the same bytes make the same record under the same code, which is in every key)."""

    def __call__(self, value: object) -> bytes:
        writer = _HashWriter()
        pickler = pickle.Pickler(writer, protocol=5)
        pickler.fast = True  # no memo: see the class's docstring
        pickler.dump(self.encode(value))
        return writer.digest.digest()

    def encode(self, value: object) -> object:
        kind = type(value)
        return value if kind in _PRIMITIVE else self._encoders[kind](value)

    def _items(self, values: Iterable[object]) -> list[object]:
        encoders = self._encoders  # one call per value that is not a primitive: this is the hot loop
        return [value if (kind := type(value)) in _PRIMITIVE else encoders[kind](value) for value in values]

    def _encoder_for(self, kind: type) -> Encoder:
        name = f"{kind.__module__}.{kind.__qualname__}"
        items = self._items
        if kind is list:
            return items
        if kind is tuple:
            return lambda row: ("tuple", items(row))
        if kind is dict:
            return lambda mapping: ("dict", items(mapping), items(mapping.values()))
        if issubclass(kind, set | frozenset):
            return lambda found: ("set", sorted(items(found), key=lambda item: self((item,))))
        if issubclass(kind, BaseModel):
            return self._model_encoder(kind, name)
        if dataclasses.is_dataclass(kind):
            fields = tuple(field.name for field in dataclasses.fields(kind))
            return lambda instance: (name, items(getattr(instance, field) for field in fields))
        if issubclass(kind, tuple) and hasattr(kind, "_fields"):  # a named tuple
            return lambda row: (name, items(row))
        if issubclass(kind, Enum):
            members: dict[object, object] = {}  # one enum's members: never equal to another enum's

            def member(value: Enum) -> object:
                encoded = members.get(value)
                if encoded is None:
                    encoded = members[value] = (name, self.encode(value.value))
                return encoded

            return member
        if issubclass(kind, datetime.date | datetime.time):
            return lambda day: (name, day.isoformat())
        if issubclass(kind, datetime.timedelta | decimal.Decimal | fractions.Fraction):
            return lambda number: (name, str(number))
        if issubclass(kind, str | int | float | bytes):  # Markup and other subclasses: the plain value
            base = next(base for base in (str, int, float, bytes) if issubclass(kind, base))
            return lambda text: (name, base(text))
        raise TypeError(
            f"fingerprint: no rule for {name}; a page's context holds records, dataclasses, named tuples and "
            "plain values (site_builder/page_keys.py Fingerprints says how each is fingerprinted)"
        )

    def _model_encoder(self, kind: type[BaseModel], name: str) -> Encoder:
        fields = tuple(kind.model_fields)
        read = operator.itemgetter(*fields) if len(fields) > 1 else (lambda values: (values[fields[0]],))
        items, models, record_keys = self._items, self._models, self._record_keys

        def encode(model: BaseModel) -> object:
            content = record_keys.get(id(model))
            if content is not None:
                return (name, content)
            known = models.get(id(model))
            if known is not None:
                return known[1]
            extra = model.__pydantic_extra__
            encoded = (name, items(read(model.__dict__)), self.encode(extra) if extra else None)
            if len(models) >= MEMO_RECORDS:
                models.clear()
            models[id(model)] = (model, encoded)
            return encoded

        return encode


class _Encoders(dict[type, Encoder]):
    """type → its encoder, made on first use."""

    def __init__(self, make: Callable[[type], Encoder]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, kind: type) -> Encoder:
        encoder = self[kind] = self.make(kind)
        return encoder


class _HashWriter:
    """A file for the pickler that hashes what it is given instead of keeping it."""

    def __init__(self) -> None:
        self.digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
        self.write = self.digest.update


def fingerprint(value: object) -> bytes:
    """A digest of `value` that is the same in every process for an equal value (Fingerprints)."""
    return Fingerprints()(value)


def page_key(code: bytes, site_wide: bytes, template: str, src: str, title: str, context: bytes) -> str:
    """The key of one keyed page, from the fingerprint of its context: what decides its Markdown."""
    digest = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for part in (code, site_wide, template.encode(), src.encode(), title.encode(), context):
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
        if known[1:] != identity(self.staging.folder / src):
            return False
        if not self.staging.keep(src):
            return False
        self.now[src] = known
        self.current += 1
        return True

    def written(self, src: str, key: str, path: Path) -> None:
        """The page was rendered and staged at `path` under `key`."""
        written = identity(path)
        if written is not None:  # else replaced since: no key, so the next build renders it again
            self.now[src] = (key, *written)
        self.rendered += 1

    def save(self) -> None:
        """Write this build's keys (atomically); call it only once every page is rendered and staged."""
        text = json.dumps(self.now, ensure_ascii=False, separators=(",", ":"))
        write_file(self.path, text.encode("utf-8"))
