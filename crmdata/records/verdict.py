"""`crm validate` after a small edit: the last whole validation's verdict answers for every other file.

A warm run already takes each unchanged file's record from the record store (`crmdata.records.cache`);
what is left is unpickling every record and running every rule again: most of a warm run's time. Yet an
edit rarely changes what the rules compare: a new topic, a stage, a note. So each whole validation keeps
its verdict (`.crm-cache/verdict/`, signed like the record store): every record file's stat and content
key, the problems each file has of its own (reading it, validating it, RECORD_RULES) and the problems
DATASET_RULES found across records. A later `crm validate` answers from it when

* it was made by this code, for the same crm.yaml bytes, the same day and the same file-size limit;
* the same record files are there (none added, removed or renamed), and at most MOST_CHANGED of them
  are not trusted by their stat (as the stat index decides: changed, touched, or too recent); and
* each of those that changed holds a valid record before and after, with the same FACT_FIELDS
  (everything the rules across records read): then what those rules found is what they would find.

Then only the files not trusted are read (the changed ones validated and put through RECORD_RULES);
every other answer is the verdict's. The answer never rewrites the verdict: the files changed since are
read again next time, until more than MOST_CHANGED did. Anything else (a new conversation, an id or a
date changed, a record with errors, crm.yaml edited, a new day, a committed cache) runs the whole
validation, which keeps a new verdict. tests/test_verdict.py compares both ways, and the property test of
tests/test_cache_stat.py compares every answer with `--no-cache`.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, cast

from crmdata.records.cache import (
    CACHE_DIR_NAME,
    FORMAT_VERSION,
    CacheEntry,
    ParseCache,
    StatIndex,
    content_key,
    rules_fingerprint,
    signing_key,
    tracked_cache_files,
)
from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.load import (
    CONFIG_FILE,
    FOLDER_MODELS,
    RECORD_FOLDERS,
    Discovered,
    LoadOptions,
    discover,
    gc_paused,
    load,
    load_config,
    read_and_parse,
)
from crmdata.records.locate import PositionIndex, locate_all
from crmdata.records.models import Contract, CrmConfig, Customer, Interaction, Opportunity, Plan
from crmdata.records.problems import Problem
from crmdata.records.validate import (
    DATASET_RULES,
    RECORD_RULES,
    Found,
    Validation,
    every_record,
    facts_of,
    found_by_every_rule,
    run_rules,
)

MOST_CHANGED = 64
"""More changed files than this and the whole validation runs (it reads them in parallel)."""

_FORMAT = "crm-verdict-2"
_ADMITTED = {
    ("datetime", "date"), ("datetime", "datetime"), ("datetime", "timezone"), ("datetime", "timedelta"),
    ("decimal", "Decimal"),
    ("crmdata.records.problems", "Problem"), ("crmdata.records.problems", "Place"),
    ("crmdata.records.problems", "Severity"),
    ("crmdata.records.vocabulary", "Message"), ("crmdata.records.vocabulary", "Word"),
}  # fmt: skip
"""What a verdict holds besides built-in containers: problems and their sentences, never code."""


@dataclass
class Checked:
    """What `crm validate` reports: every problem (located, sorted), crm.yaml's model (for the language),
    the number of files read; the dataset when the whole validation ran (None when the verdict answered)."""

    problems: list[Problem]
    config: CrmConfig | None
    files_read: int
    dataset: Dataset | None

    @property
    def ok(self) -> bool:
        return not any(problem.is_error for problem in self.problems)


def check(root: Path, options: LoadOptions, today: date | None = None) -> Checked:
    """Every problem of the repository at `root` on `today` (default: the clock's day), from the last
    verdict where it can answer (see the module's docstring), else by the whole validation."""
    today = today if today is not None else date.today()
    verdict = _verdict_of(root, options, today)
    discovered: Discovered | None = None
    if verdict is not None and verdict.usable:
        discovered = discover(root)
        with gc_paused():
            answered = _answer_from_verdict(root, options, today, verdict, discovered)
        if answered is not None:
            return answered
    validation = _validated(root, options, today, verdict, discovered)
    dataset = validation.dataset
    return Checked(validation.problems, dataset.config, dataset.files_read, dataset)


def validated(root: Path, options: LoadOptions | None = None, *, today: date | None = None) -> Validation:
    """`validate`, with what the rules found taken from the last verdict when the files changed since keep
    their facts: every command that needs the records (the site, `crm due` ...) loads them, and at 10,000
    customers the rules cost two seconds more than the load."""
    options = options or LoadOptions()
    today = today if today is not None else date.today()
    return _validated(root, options, today, _verdict_of(root, options, today), None)


def _verdict_of(root: Path, options: LoadOptions, today: date) -> _Verdict | None:
    """The last verdict (usable or not), or None where none may be read or written: without the cache, a
    signing key or crm.yaml, or in a repository that committed its cache."""
    stamp = _stamp(root, options, today) if options.use_cache else None  # before anything is read
    signing = signing_key() if stamp is not None else None
    if stamp is None or signing is None or tracked_cache_files(root):
        return None  # a committed cache is neither read nor written (the load reports it)
    return _Verdict(root, signing, stamp)


def _validated(
    root: Path, options: LoadOptions, today: date, verdict: _Verdict | None, discovered: Discovered | None
) -> Validation:
    """Load and validate, the rules' findings from `verdict` where it can answer; else keep a new one."""
    if verdict is not None:
        kept_keys = {path: entry[5] for path, entry in verdict.index.entries.items()} if verdict.usable else {}
        options = replace(options, for_verdict=True, kept_keys=kept_keys)
    with gc_paused():
        dataset, loaded, index = load(root, options, discovered)
        kept = _rules_from_verdict(verdict, dataset, today) if verdict is not None and verdict.usable else None
        found = found_by_every_rule(dataset, loaded, today) if kept is None else Found(loaded, kept.own, kept.across)
    validation = Validation.of(dataset, found, index)
    if verdict is not None and (kept is None or kept.keep_again):
        _keep(verdict.fresh(), validation)
    dataset.file_keys, dataset.file_stats = {}, {}  # kept in the verdict: not held for the rest of the command
    return validation


class _FromVerdict(NamedTuple):
    """What the rules find, answered from a verdict: RECORD_RULES' findings, DATASET_RULES', and whether the
    verdict is to be kept again (files were added)."""

    own: list[Problem]
    across: list[Problem]
    keep_again: bool


def _rules_from_verdict(verdict: _Verdict, dataset: Dataset, today: date) -> _FromVerdict | None:
    """The rules' findings for the loaded `dataset`: the verdict's, with RECORD_RULES run on the files changed
    or added since, and DATASET_RULES run on the whole set when files were added (a conversation logged: every
    other file's findings of its own stand, what it adds across records is found); None when a file was removed
    or renamed, too many changed, a changed one is not a valid record before and after with the same facts, or
    an added one is not valid."""
    entries = verdict.index.entries
    paths = dataset.every_file()
    added = [path for path in paths if path not in entries] if list(entries) != paths else []
    if len(paths) - len(added) != len(entries):
        return None  # a file removed or renamed
    keys = dataset.file_keys
    changed = [path for path in paths if path in entries and keys.get(path) != entries[path][5]]
    if len(changed) + len(added) > MOST_CHANGED:
        return None
    records: dict[str, AnyRecord] = {}
    if changed or added:
        by_path = {dataset.file_of(record): record for record in every_record(dataset)}
        store = ParseCache(dataset.root, only=changed)
        for path in changed:
            record = by_path.get(path)
            if record is None or not _same_facts(store.get(entries[path][5], path), record):
                return None  # a new error, another kind of record, or a fact moved
            records[path] = record
        for path in added:
            record = by_path.get(path)
            if record is None:
                return None  # not a valid record: the whole validation says what is wrong with it
            records[path] = record
    own = _of_one_record([verdict.rules], records, dataset.root, dataset.config, today)
    if added:
        return _FromVerdict(own, run_rules(DATASET_RULES, dataset, today), True)
    return _FromVerdict(own, verdict.across, False)


def _same_facts(before: CacheEntry | None, record: AnyRecord) -> bool:
    """Whether the record a file held when the verdict was made (`before`, from the store) was a record of
    the same kind with the same facts: then the rules across records find what they found."""
    return type(before) is type(record) and facts_of(before) == facts_of(record)


def _of_one_record(
    kept: list[dict[str, list[Problem]]],
    records: dict[str, AnyRecord],
    root: Path,
    config: CrmConfig | None,
    today: date,
) -> list[Problem]:
    """The verdict's problems (`kept`, by file) of the files not changed since, and RECORD_RULES' findings in
    the changed files' `records` (by path)."""
    mine = Dataset(root=root, config=config)
    for path, record in records.items():
        _add(mine, path, record)
    own = [problem for by_file in kept for path, found in by_file.items() if path not in records for problem in found]
    return [*own, *run_rules(RECORD_RULES, mine, today)]


def _stamp(root: Path, options: LoadOptions, today: date) -> bytes | None:
    """What a verdict holds only for: this code, these crm.yaml bytes, this day and this size limit."""
    try:
        with open(root / CONFIG_FILE, "rb", opener=_no_follow) as handle:
            config_key = content_key(handle.read())
    except OSError:
        return None
    parts = [FORMAT_VERSION, rules_fingerprint(), config_key, today.isoformat().encode(),
             str(options.max_file_bytes).encode()]  # fmt: skip
    return hashlib.sha256(b"\0".join(parts)).digest()


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


class _VerdictUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ADMITTED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a verdict")


def _verdict_loads(payload: bytes) -> Any:
    return _VerdictUnpickler(io.BytesIO(payload)).load()


class _Verdict:
    """The verdict file: a stat index of every record file (`.crm-cache/verdict/index.pickle`: each file's
    stat and content key, as the stat index keeps them; files changed within a second of the run that made
    it are never trusted by stat) whose `extra` holds the stamp and the problems found, by file: reading
    and validating it (`loaded`), RECORD_RULES (`rules`); and DATASET_RULES' (`across`)."""

    def __init__(self, root: Path, signing: bytes, stamp: bytes, *, load: bool = True) -> None:
        self.root, self.signing, self.stamp = root, signing, stamp
        file = root / CACHE_DIR_NAME / "verdict" / "index.pickle"
        self.index = StatIndex(root, signing, file=file, loads=_verdict_loads, read=load)
        extra = self.index.extra
        valid = isinstance(extra, dict) and extra.get("format") == _FORMAT and extra.get("stamp") == stamp
        self.loaded: dict[str, list[Problem]] = extra["loaded"] if valid else {}  # type: ignore[index]
        self.rules: dict[str, list[Problem]] = extra["rules"] if valid else {}  # type: ignore[index]
        self.across: list[Problem] = extra["across"] if valid else []  # type: ignore[index]
        self.usable = valid and self.index.doubt == ""

    def fresh(self) -> _Verdict:
        """An empty verdict of the same stamp, to be written in place of this one."""
        return _Verdict(self.root, self.signing, self.stamp, load=False)

    def save(self, entries: dict[str, tuple[int, int, int, int, int, bytes]]) -> None:
        self.index.seen = entries
        self.index.save(
            {"format": _FORMAT, "stamp": self.stamp, "loaded": self.loaded, "rules": self.rules, "across": self.across}
        )


UNTRUSTED = (-1, -1, -1, -1, -1)
"""The stat kept for a file that changed within a second of the run: never equal to a file's."""


def _keep(verdict: _Verdict, validation: Validation) -> None:
    """Keep the verdict of a whole validation, when every record file was read (its content key known)."""
    found, dataset = validation.found, validation.dataset
    keys, stats = dataset.file_keys, dataset.file_stats
    paths = dataset.every_file()  # in the order a later run finds them (StatIndex.untrusted)
    if found is None or any(path not in keys for path in paths):
        return  # a file that could not be read or parsed: the next run reads it again anyway
    for problem in found.loaded:
        if problem.file in keys:  # crm.yaml's and the folders' problems are found again each run
            verdict.loaded.setdefault(problem.file, []).append(problem)
    for problem in found.own:
        verdict.rules.setdefault(problem.file, []).append(problem)
    verdict.across = found.across
    verdict.save({path: stats.get(path) or (*UNTRUSTED, keys[path]) for path in paths})


def _answer_from_verdict(
    root: Path, options: LoadOptions, today: date, verdict: _Verdict, discovered: Discovered
) -> Checked | None:
    """The problems from the last verdict and the few files changed since (the record files as `discovered`);
    None when it cannot answer."""
    kept = verdict.index.entries
    found, layout_problems = discovered
    paths = [path for folder in RECORD_FOLDERS for path in found[folder]]
    to_read = verdict.index.untrusted(f"{root}{os.sep}", paths)
    if to_read is None:
        return None  # a record file added, removed or renamed
    if len(to_read) > MOST_CHANGED:
        return None  # many files changed, or the verdict is doubtful: the whole validation reads in parallel
    changed: dict[str, Read] = {}
    for path, key, data, problems in read_and_parse(f"{root}{os.sep}", to_read, options.max_file_bytes):
        if key is None:
            return None  # unreadable: the whole validation says why
        if key != kept[path][5]:
            changed[path] = (key, data, problems)
    records = _changed_records(root, {path: kept[path][5] for path in changed}, changed)
    if records is None:
        return None
    positions = PositionIndex(root, options.max_file_bytes)
    config, config_problems = load_config(root, positions, options)
    own = _of_one_record([verdict.loaded, verdict.rules], records, root, config, today)
    problems = [*config_problems, *layout_problems, *own, *verdict.across]
    return Checked(locate_all(problems, positions), config, len(paths) + (config is not None), None)


Read = tuple[bytes, dict[str, Any] | None, list[Problem]]
"""A changed file's content key, and its data and reading problems."""


def _changed_records(root: Path, before: dict[str, bytes], changed: dict[str, Read]) -> dict[str, AnyRecord] | None:
    """The valid record of each changed file, its facts those of its record `before` (content keys); None
    when one is not a valid record before or after, or its facts moved."""
    store = ParseCache(root, only=changed)
    records: dict[str, AnyRecord] = {}
    served: set[bytes] = set()
    for path, (key, data, problems) in changed.items():
        model = FOLDER_MODELS[path[: path.find("/")]]
        after = store.get(key, path)
        if type(after) is not model:
            if data is None or problems:
                return None
            try:
                after = model.model_validate(data)
            except ValueError:
                return None
            store.put(key, after, path)
        record = cast(AnyRecord, after if key not in served else after.model_copy())  # one record per file
        served.add(key)
        if not _same_facts(store.get(before[path], path), record):
            return None  # not a valid record of this kind before (its problems are the whole run's), or a fact moved
        records[path] = record
    store.save()
    return records


def _add(dataset: Dataset, path: str, record: AnyRecord) -> None:
    """Put `record`, read from `path`, in its list of `dataset`."""
    lists: dict[type, list[Any]] = {
        Customer: dataset.customers, Interaction: dataset.interactions, Plan: dataset.plans,
        Opportunity: dataset.opportunities, Contract: dataset.contracts,
    }  # fmt: skip
    lists[type(record)].append(record)
    dataset.record_files[id(record)] = path
