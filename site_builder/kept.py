"""What a build made that costs time to make again, kept in the cache for the next build: charts, calendar
feeds and the templates' compiled code, which are the same for as long as what they are made from is.

A result is kept under a name derived from its recipe: the text of everything it is made from (a chart
function's arguments, a feed's events, a template's source), whose repr is the same in every process, and
the code that makes it. A build after a one-record edit takes most of them from here instead of having
matplotlib draw every chart, icalendar write every feed and jinja compile every template again (together a
few seconds at 1,000 customers). Results the build did not ask for are removed at its end.

The cache is in the repository and a pull request could plant a file there under a name anyone can compute:
every kept file is signed with the user's own key (crmdata.records.cache.signing_key, kept outside every
repository), and one whose signature does not hold is made again. Without a private place for the key,
nothing is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from pydantic import BaseModel

from crmdata.engine import kpis
from crmdata.records.cache import signing_key
from crmdata.records.dataset import Dataset
from crmdata.system.safe_paths import read_own_file
from site_builder.staging import Staging

_SIGNATURE = 32


class Kept:
    """One folder of kept results (a Staging: written if changed, never through a link, pruned)."""

    def __init__(self, root: Path, name: str) -> None:
        self.key = signing_key()
        self.store = Staging(root, name)

    def _signed(self, name: str, data: bytes) -> bytes:
        assert self.key is not None
        return hmac.new(self.key, name.encode() + b"\0" + data, hashlib.sha256).digest() + data

    def get(self, name: str) -> bytes | None:
        """The result kept under `name` when its signature holds; None otherwise."""
        if self.key is None or not self.store.keep(name):
            return None
        blob = read_own_file(self.store.folder / name)
        if blob is None or len(blob) < _SIGNATURE:
            return None
        data = blob[_SIGNATURE:]
        return data if hmac.compare_digest(self._signed(name, data), blob) else None

    def put(self, name: str, data: bytes) -> None:
        if self.key is not None:
            self.store.write(name, self._signed(name, data))

    def get_json(self, name: str) -> Any:
        """The JSON value kept under `name` (put_json); None when there is none or it does not read as JSON."""
        found = self.get(name)
        if found is None:
            return None
        try:
            return json.loads(found)
        except ValueError:
            return None

    def put_json(self, name: str, value: object) -> None:
        self.put(name, json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def used(self) -> set[str]:
        """The names this build took or made so far (a forked worker's, for the build: `use`)."""
        return set(self.store.written)

    def use(self, names: set[str]) -> None:
        """Count `names` as used by this build (a worker forked from it took or made them), so `prune` keeps
        them."""
        self.store.written.update(names)

    def prune(self) -> None:
        self.store.prune()


_current: Kept | None = None
_templates: Kept | None = None


@contextmanager
def keeping(root: Path, name: str) -> Iterator[None]:
    """Keep results in `.crm-cache/site/<name>-kept` while the block runs (one build's rendering), then drop
    what this build did not use; compiled templates in `<name>-templates`, never dropped (one file per
    template, replaced when its source changes: a build that renders no customer page still keeps them)."""
    global _current, _templates
    current = Kept(root, f"{name}-kept")
    _current, _templates = current, Kept(root, f"{name}-templates")
    try:
        yield
    finally:
        _current = _templates = None
    current.prune()


def kept_names() -> set[str]:
    """The results this process took or made so far inside `keeping` (Kept.used)."""
    return _current.used() if _current is not None else set()


def keep_names(names: set[str]) -> None:
    """Count `names` as used inside `keeping`, so it keeps them (Kept.use)."""
    if _current is not None:
        _current.use(names)


def kept_answers(name: str, code: str, answer: Callable[[str], str], questions: Iterable[str]) -> dict[str, str]:
    """`answer(question)` for every question, taking the answers of the last build from one kept file `name`
    (while `code`, naming what `answer` runs, is the same) and working out only the new questions: for a slow
    function of many small texts, where a recipe per text would be a file per text. The file keeps this
    build's questions only, so it does not grow with texts no longer asked (outside `keeping`: all worked out)."""
    current = _current
    asked = dict.fromkeys(questions)
    before: dict[str, str] = {}
    loaded = current.get_json(name) if current is not None else None
    if isinstance(loaded, dict) and loaded.get("code") == code and isinstance(loaded.get("answers"), dict):
        before = {key: value for key, value in loaded["answers"].items() if isinstance(value, str)}
    answers = {question: before[question] if question in before else answer(question) for question in asked}
    if current is not None and answers != before:
        current.put_json(name, {"code": code, "answers": answers})
    return answers


class KeptKpis:
    """kpis.report(ds, as_of) and the team's kpis.compute(ds, day) of earlier days (the dashboard's "30 days
    ago"), or the values computed last time when what the KPIs read is the same: at 10,000 customers the three
    cost two thirds of the site's computing.

    One kept entry per question (kind, code, day, crm.yaml), holding the values with the content key of each
    input record (kpis.inputs) and its reads key (kpis.reads_key: what a KPI may read of it). The same content
    keys: the same inputs. Otherwise the reads keys are worked out for the records whose content is new (the
    entry knows the others') and compared: an edit of free text only (kpis.UNREAD_FIELDS: a summary, a
    phone number) leaves them equal and the values stand; a conversation logged today is not an input of an
    earlier day. A first build works out every record's reads key once (about a second at 10,000 customers)
    for the builds after it. `prune()` drops what this build did not ask for."""

    def __init__(self, root: Path, name: str, code: bytes) -> None:
        self.store = Kept(root, f"{name}-kpis")
        self.code = code.hex()
        self.reused: list[date] = []
        """The earlier days whose values were taken from the last computation."""
        self.reused_today = False
        """Whether the report of the day itself was."""
        self._reads: dict[int, bytes] = {}
        """id(record) -> kpis.reads_key, worked out once per build for all the questions."""

    def report(self, ds: Dataset, as_of: date) -> dict[str, object]:
        values, reused = self._kept("report", ds, as_of, kpis.report)
        self.reused_today = reused
        return values

    def __call__(self, ds: Dataset, day: date) -> dict[str, object]:
        values, reused = self._kept("compute", ds, day, kpis.compute)
        if reused:
            self.reused.append(day)
        return values

    def _kept(
        self, kind: str, ds: Dataset, day: date, make: Callable[[Dataset, date], dict[str, object]]
    ) -> tuple[dict[str, object], bool]:
        records = kpis.inputs(ds, day)
        record_keys = ds.record_keys
        contents = [record_keys.get(id(record)) for record in records]
        if self.store.key is None or any(content is None for content in contents):
            return make(ds, day), False  # a record not read from a file (no content key): nothing is known
        name = recipe_name(repr(("kpis", kind, self.code, day.isoformat(), kpis.settings_text(ds))))
        joined = b"".join(contents)  # type: ignore[arg-type]  # no None: checked above
        before = _KpiEntry.parse(self.store.get(name))
        if before is not None and before.contents == joined:
            return before.values, True
        reads = self._reads_keys(records, contents, joined, before)  # type: ignore[arg-type]  # no None: above
        reused = before is not None and before.reads == reads
        values = before.values if before is not None and reused else make(ds, day)
        self.store.put(name, _KpiEntry(joined, reads, values).dump())
        return values, reused

    def _reads_keys(
        self, records: list[BaseModel], contents: list[bytes], joined: bytes, before: _KpiEntry | None
    ) -> bytes:
        """The reads keys of `records` (their content keys `contents`, joined), taken from `before` where the
        content is the same. Only the keys between the longest common beginning and end of the two lists are
        looked at one by one: after one edit, one record (a pass over 150,000 keys cost a tenth of a second
        per question at 10,000 customers)."""
        if before is None:
            return b"".join(self._reads_key(record) for record in records)
        head = _common_keys(joined, before.contents)
        tail = _common_keys(joined[head * _KEY :], before.contents[head * _KEY :], at_end=True)
        end, end_before = len(records) - tail, len(before.contents) // _KEY - tail
        known = {
            before.contents[at : at + _KEY]: before.reads[at : at + _KEY]
            for at in range(head * _KEY, end_before * _KEY, _KEY)
        }
        middle = b"".join(
            known.get(content) or self._reads_key(record)
            for content, record in zip(contents[head:end], records[head:end], strict=True)
        )
        return before.reads[: head * _KEY] + middle + before.reads[end_before * _KEY :]

    def _reads_key(self, record: BaseModel) -> bytes:
        known = self._reads.get(id(record))
        if known is None:
            known = self._reads[id(record)] = kpis.reads_key(record)
        return known

    def prune(self) -> None:
        self.store.prune()


_KEY = 16
"""Bytes of a content key (crmdata.records.cache.content_key) and of a reads key (kpis.reads_key)."""


def _common_keys(one: bytes, other: bytes, *, at_end: bool = False) -> int:
    """How many whole keys (_KEY bytes each) two lists of keys share at their beginning (`at_end`: at their end):
    a binary search, each step one comparison of two byte strings."""
    low, high = 0, min(len(one), len(other)) // _KEY
    while low < high:
        middle = (low + high + 1) // 2
        size = middle * _KEY
        same = one[len(one) - size :] == other[len(other) - size :] if at_end else one[:size] == other[:size]
        if same:
            low = middle
        else:
            high = middle - 1
    return low


class _KpiEntry:
    """A kept KPI computation: its JSON values, then the content keys and the reads keys of its inputs."""

    def __init__(self, contents: bytes, reads: bytes, values: dict[str, object]) -> None:
        self.contents = contents
        self.reads = reads
        self.values = values

    def dump(self) -> bytes:
        header = json.dumps(self.values, ensure_ascii=False, separators=(",", ":")).encode()
        return len(header).to_bytes(4, "big") + header + self.contents + self.reads

    @staticmethod
    def parse(blob: bytes | None) -> _KpiEntry | None:
        """The entry kept in `blob` (signed by Kept.get); None when it is not one this code writes."""
        if blob is None or len(blob) < 4:
            return None
        size = int.from_bytes(blob[:4], "big")
        keys = blob[4 + size :]
        if len(keys) % (2 * _KEY):
            return None
        try:
            values = json.loads(blob[4 : 4 + size])
        except ValueError:
            return None
        if not isinstance(values, dict):
            return None
        half = len(keys) // 2
        return _KpiEntry(keys[:half], keys[half:], values)


def recipe_name(recipe: str) -> str:
    return hashlib.blake2b(recipe.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def kept(recipe: str, make: Callable[[], bytes]) -> bytes:
    """`make()`, or what it returned for the same `recipe` last time (outside `keeping`: always made). The
    recipe must name the code too (code_of) when the code could change what is made."""
    current = _current
    if current is None:
        return make()
    name = recipe_name(recipe)
    found = current.get(name)
    if found is not None:
        return found
    made = make()
    current.put(name, made)
    return made


def code_of(*files: str, packages: tuple[str, ...] = ()) -> str:
    """Text naming the code in `files` (their bytes' digest) and the installed versions of `packages`, for a
    recipe."""
    digest = hashlib.blake2b(digest_size=16)
    for file in files:
        digest.update(Path(file).read_bytes())
    for package in packages:
        digest.update(f"\0{package}={metadata.version(package)}".encode())
    return digest.hexdigest()


class _KeptBytecode(BytecodeCache):
    """jinja's compiled templates in a Kept folder: compiling the site's templates costs about half
    a second a build. jinja checks each against its template's source (the bucket's checksum) and Python's
    version before using it, and compiles again when either changed."""

    def __init__(self, folder: Kept) -> None:
        self.folder = folder

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.folder.get(f"{bucket.key}.jinja")
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.folder.put(f"{bucket.key}.jinja", bucket.bytecode_to_string())


def kept_bytecode() -> BytecodeCache | None:
    """A jinja bytecode cache in the current templates' folder (inside `keeping`), else None."""
    return _KeptBytecode(_templates) if _templates is not None else None


def theme_bytecode(root: Path, name: str) -> BytecodeCache | None:
    """A jinja bytecode cache for the theme's templates, in the folder `keeping(root, name)` keeps crm's
    in: mkdocs compiles the theme's 35 templates for every build (a tenth of a second and more), after
    crm's own rendering is done. None without a private place for the signing key."""
    folder = Kept(root, f"{name}-templates")
    return _KeptBytecode(folder) if folder.key is not None else None
