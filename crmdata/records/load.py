"""Load a data repository: files → plain data → records, with every problem collected, never raised.

The cost of loading is YAML parsing, so: each file is parsed by the fast reader (positions only for
files with problems), parsing is spread over the machine's cores when there is much of it, and clean
files' parsed data is cached by content hash (`crmdata.records.cache`).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from crmdata.records.cache import (
    CACHE_DIR_NAME,
    CacheEntry,
    ParseCache,
    StatIndex,
    content_key,
    keep_config,
    kept_config,
    seen_of,
    shard_of,
    signing_key,
    tracked_cache_files,
)
from crmdata.records.dataset import Dataset
from crmdata.records.locate import PositionIndex
from crmdata.records.models import Contract, CrmConfig, Customer, Interaction, Opportunity, Plan
from crmdata.records.models.base import Record
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Problem, error, warning
from crmdata.records.record_check import PositionLookup, RecordT, check_record, translate_all
from crmdata.records.vocabulary import Message
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES, read_yaml
from crmdata.system.workers import worker_pool

CONFIG_FILE = "crm.yaml"
CUSTOMERS_DIR = "customers"
INTERACTIONS_DIR = "interactions"
PLANS_DIR = "plans"
OPPORTUNITIES_DIR = "opportunities"
CONTRACTS_DIR = "contracts"
FLAT_FOLDERS = (CUSTOMERS_DIR, PLANS_DIR, OPPORTUNITIES_DIR, CONTRACTS_DIR)
"""Folders of one record per file, <folder>/<ID>.yaml, without sub-folders (interactions/ may have any)."""
FOLDER_MODELS: dict[str, type[Record]] = {
    CUSTOMERS_DIR: Customer,
    INTERACTIONS_DIR: Interaction,
    PLANS_DIR: Plan,
    OPPORTUNITIES_DIR: Opportunity,
    CONTRACTS_DIR: Contract,
}
"""Every record folder and the model of its files, in the order they are read."""
RECORD_FOLDERS = tuple(FOLDER_MODELS)
RECORD_SUFFIX = ".yaml"
PARALLEL_THRESHOLD = 2000
"""Below this many files to parse, starting worker processes costs more than it saves."""
_BATCH = 500
_KEY_CHUNK = 5000
"""Files hashed per message from the hashing child: small enough to overlap, large enough to be cheap."""

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called now and then during long work; the CLI draws it."""


@dataclass
class LoadOptions:
    """How to load: the cache, the number of worker processes, the per-file size limit, progress."""

    use_cache: bool = True
    jobs: int | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    progress: Progress | None = None
    for_verdict: bool = False
    """Fill the dataset's file_keys and file_stats, which `crm validate`'s verdict is made of."""
    kept_keys: Mapping[str, bytes] = field(default_factory=dict)
    """The content key each file had when `crm validate`'s verdict was made: the store keeps the records of
    files still there though they changed since (crmdata.records.verdict compares an edited record with
    its record before)."""


ALLOWED_FILES = frozenset({".gitkeep", ".keep", ".gitignore", ".gitattributes"})
"""Files a record folder may hold besides records, without a word: placeholders that keep an empty
folder in git and git's own settings. README files (README, README.md, readme.txt ...) are allowed too."""


def _stray_file(relative: str, name: str) -> Problem | None:
    """What is wrong with a file in a record folder that is not a record; None when it may be there.

    Nothing there is skipped without a word: a record saved as .yml is silently lost to every
    computation (an error), and a stray file (a killed writer's temporary file, notes, a backup) is
    named so someone deletes or moves it (a warning).
    """
    if name in ALLOWED_FILES or name.partition(".")[0].upper() == "README":
        return None
    if name.endswith(".tmp"):
        return warning(relative, RECORD_PROBLEMS.say("temporary_file")).at(1, 1)
    if name.startswith("."):
        return warning(relative, RECORD_PROBLEMS.say("hidden_file")).at(1, 1)
    suffix = name[name.rfind(".") :]
    if suffix.lower() in (".yaml", ".yml"):
        return error(relative, RECORD_PROBLEMS.say("wrong_suffix", suffix=suffix)).at(1, 1)
    return warning(relative, RECORD_PROBLEMS.say("other_file")).at(1, 1)


Discovered = tuple[dict[str, list[str]], list[Problem]]
"""What `discover` found: the record files of each folder, and the layout problems."""


def _is_record(name: str) -> bool:
    return name.endswith(RECORD_SUFFIX) and not name.startswith(".")


def discover(root: Path) -> Discovered:
    """The record files of each folder of RECORD_FOLDERS (relative POSIX paths, sorted), plus layout problems.

    Records must be real files in the repository: a symbolic link is reported and never followed, so a
    pull request cannot make `crm` read (and quote in its messages) a file elsewhere on the CI machine.
    Every other entry of the record folders is reported too (`_stray_file`), except placeholders and
    README files. Folders inside a flat record folder (customers/, plans/ …) are named, not read.
    """
    problems: list[Problem] = []
    found: dict[str, list[str]] = {folder: [] for folder in RECORD_FOLDERS}
    for folder in RECORD_FOLDERS:
        if (root / folder).is_symlink():
            problems.append(error(folder, RECORD_PROBLEMS.say("symbolic_link")).at(1, 1))
    for folder in FLAT_FOLDERS:
        flat_dir = root / folder
        if not flat_dir.is_dir() or flat_dir.is_symlink():
            continue
        for entry in sorted(os.scandir(flat_dir), key=lambda e: e.name):
            relative = f"{folder}/{entry.name}"
            if entry.is_symlink():
                problems.append(error(relative, RECORD_PROBLEMS.say("symbolic_link")).at(1, 1))
            elif entry.is_dir(follow_symlinks=False):
                problems.append(warning(relative, RECORD_PROBLEMS.say("folder_in_customers", folder=folder)).at(1, 1))
            elif _is_record(entry.name):
                found[folder].append(relative)
            elif (problem := _stray_file(relative, entry.name)) is not None:
                problems.append(problem)
    interaction_dir = root / INTERACTIONS_DIR
    if interaction_dir.is_dir() and not interaction_dir.is_symlink():
        walked: list[str] = []
        _walk(interaction_dir, INTERACTIONS_DIR, problems, walked)
        walked.sort()
        records = found[INTERACTIONS_DIR]
        for relative in walked:
            if relative.endswith(RECORD_SUFFIX) and relative[relative.rfind("/") + 1] != ".":
                records.append(relative)
            elif (problem := _stray_file(relative, relative.rpartition("/")[2])) is not None:
                problems.append(problem)
    return found, problems


def _walk(folder: Path | str, relative: str, problems: list[Problem], found: list[str]) -> None:
    """Every file under `folder` into `found` (a list, not a generator: 100,000 files pass through here)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            path = f"{relative}/{entry.name}"
            if entry.is_symlink():
                problems.append(error(path, RECORD_PROBLEMS.say("symbolic_link")).at(1, 1))
            elif entry.is_dir(follow_symlinks=False):
                if entry.name.startswith("."):
                    problems.append(warning(path, RECORD_PROBLEMS.say("hidden_folder")).at(1, 1))
                else:
                    _walk(entry.path, path, problems, found)
            else:
                found.append(path)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects, then freeze what was built.

    Loading creates millions of small dicts and lists, none in reference cycles. With the collector
    running, it rescans the growing heap again and again: measured on 110k files, loading took 11.8 s
    with it and 4.6 s without. Freezing afterwards keeps later collections from rescanning the records.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


ParseResult = tuple[str, bytes | None, dict[str, Any] | None, list[Problem]]
"""(path, content key or None when unreadable, data or None, problems) for one file."""


def _read(prefix: str, path: str) -> bytes:
    with open(prefix + path, "rb") as handle:  # not pathlib, not os.path.join: 0.4 s per 100k files
        return handle.read()


def read_and_parse(prefix: str, paths: list[str], max_bytes: int) -> list[ParseResult]:
    """Read, hash and parse a batch of files (in a worker or in-process); positions are not kept."""
    gc.disable()  # restored by gc_paused in-process; a worker lives only for the parse
    results: list[ParseResult] = []
    for path in paths:
        try:
            raw = _read(prefix, path)
        except OSError as exc:
            results.append(
                (path, None, None, [error(path, RECORD_PROBLEMS.say("unreadable", reason=exc.strerror)).at(1, 1)])
            )
            continue
        parsed = read_yaml(raw, path, max_bytes)
        results.append((path, content_key(raw), parsed.data, parsed.problems))
    return results


def _content_keys(prefix: str, paths: list[str]) -> list[bytes | None]:
    """The content key of each file (None when unreadable): runs in a child while the parent loads the cache."""
    keys: list[bytes | None] = []
    for path in paths:
        try:
            keys.append(content_key(_read(prefix, path)))
        except OSError:
            keys.append(None)
    return keys


Loaded = tuple[str, bytes | None, CacheEntry]
"""(path, content key or None, the cached record or the file's data) for each file that reads as data."""


def parse_files(
    root: Path,
    paths: list[str],
    options: LoadOptions,
    problems: list[Problem],
    validated: dict[bytes, tuple[str, Record]],
    index: StatIndex | None = None,
) -> Generator[Loaded, None, None]:
    """Yield (path, content key, record or data) for every file that reads as data: cached files first.

    A file the stat index knows (same size, mtime, ctime, inode and device, and nothing doubtful: see
    `crmdata.records.cache`) is not read: its validated record comes from the record store by the key
    the index gives. Every other file is read and hashed (the stat taken before the read, so a change
    while reading cannot be recorded as the old content); with many such files a child process hashes
    them in chunks while this process unpickles the store. Files the store does not know are parsed by
    the parse workers; YAML problems are appended to `problems`. The caller puts each record it
    validates into `validated` (content key → record); the store, with those records in place of their
    data, and the index are saved once every file was taken.
    """
    prefix = f"{root}{os.sep}"
    jobs = options.jobs or os.cpu_count() or 1
    cache_present = options.use_cache and ParseCache.exists(root)
    index = index or stat_index(root, options)
    trusted, to_hash, statuses = index.split(prefix, paths)
    to_parse: list[str] = []
    unclean: set[bytes] = set()
    served: set[bytes] = set()
    with ExitStack() as stack:
        chunks = [to_hash[start : start + _KEY_CHUNK] for start in range(0, len(to_hash), _KEY_CHUNK)]
        key_chunks: Iterable[list[bytes | None]]
        if cache_present and jobs > 1 and len(to_hash) >= PARALLEL_THRESHOLD:
            pool = stack.enter_context(worker_pool(max_workers=1))
            futures = [pool.submit(_content_keys, prefix, chunk) for chunk in chunks]
            cache = ParseCache(root)
            key_chunks = (future.result() for future in futures)
        elif cache_present:
            cache = ParseCache(root)
            key_chunks = (_content_keys(prefix, chunk) for chunk in chunks)
        else:
            cache = ParseCache(root, enabled=options.use_cache)
            key_chunks = ([None] * len(chunk) for chunk in chunks)
        shards, used, models = cache.shards, cache.used, FOLDER_MODELS
        for path, trusted_key in trusted:  # the hot loop of a warm run: cache.get and _usable, inline
            shard = shard_of(path)
            cached = shards[shard].get(trusted_key)
            if cached is not None and (type(cached) is dict or type(cached) is models.get(path[: path.find("/")])):
                if trusted_key in served:  # the same bytes in two files: two records (files are kept by identity)
                    cached = _another(cached)
                served.add(trusted_key)
                used[shard].add(trusted_key)
                yield path, trusted_key, cached
            else:
                to_parse.append(path)
        for chunk, keys in zip(chunks, key_chunks, strict=True):
            for path, key in zip(chunk, keys, strict=True):
                cached = _usable(cache.get(key, path), path) if key is not None else None
                if cached is not None and key is not None:
                    if key in served:
                        cached = _another(cached)
                    served.add(key)
                    status = statuses[path]
                    if status is not None and key is not None:
                        index.record(path, seen_of(status), key)
                    yield path, key, cached
                else:
                    to_parse.append(path)  # new, changed or unreadable: the parser reads it and says why
    with closing(_parse_all(prefix, to_parse, options)) as parsed:  # closed early: its workers are killed
        for path, key, data, file_problems in parsed:
            clean = key is not None and data is not None and not file_problems
            if not clean and key is not None:
                unclean.add(key)  # its problems are the reader's: its record must never be served alone
            if clean and key is not None:
                status = statuses.get(path)  # none for a trusted file whose record left the store: next time
                if status is not None:
                    index.record(path, seen_of(status), key)
            problems.extend(file_problems)
            if data is not None:
                yield path, key, data
                # Resumed once the caller validated it: only a record with problems of its own keeps its
                # data in the store (a valid one's record goes in below; its data is freed now).
                if clean and key is not None and key not in validated:
                    cache.put(key, data, path)
    for key, (path, record) in validated.items():
        if key not in unclean:
            cache.put(key, record, path)
    kept = options.kept_keys
    cache.save({kept[path] for path in paths if path in kept} if kept else frozenset())
    index.save()


def stat_index(root: Path, options: LoadOptions) -> StatIndex:
    """The stat index a load of `root` trusts and updates (none without the cache, or through a link)."""
    cache_linked = os.path.islink(root / CACHE_DIR_NAME)
    return StatIndex(root, signing_key() if options.use_cache and not cache_linked else None)


def _another(cached: CacheEntry) -> CacheEntry:
    """A record of its own for a second file with the same bytes (data is only read, never kept)."""
    return cached if isinstance(cached, dict) else cached.model_copy()


def _usable(cached: CacheEntry | None, path: str) -> CacheEntry | None:
    """A cached entry for a file in `path`'s folder: data, or a record of that folder's model (the same
    bytes in another folder are another kind of record, validated again)."""
    if cached is None or isinstance(cached, dict):
        return cached
    return cached if type(cached) is FOLDER_MODELS.get(path[: path.find("/")]) else None


def _parse_all(prefix: str, paths: list[str], options: LoadOptions) -> Generator[ParseResult, None, None]:
    jobs = options.jobs or os.cpu_count() or 1
    total = len(paths)
    batches = [paths[start : start + _BATCH] for start in range(0, total, _BATCH)]
    show = options.progress if total >= PARALLEL_THRESHOLD else None
    done = 0
    with ExitStack() as stack:
        results: Iterator[list[ParseResult]]
        if jobs <= 1 or total < PARALLEL_THRESHOLD:
            results = (read_and_parse(prefix, batch, options.max_file_bytes) for batch in batches)
        else:
            pool = stack.enter_context(worker_pool(max_workers=jobs))
            results = pool.map(
                read_and_parse, [prefix] * len(batches), batches, [options.max_file_bytes] * len(batches)
            )
        for batch_results in results:
            yield from batch_results
            done += len(batch_results)
            if show:
                show("parsing", done, total)


def load_config(root: Path, index: PositionIndex, options: LoadOptions) -> tuple[CrmConfig | None, list[Problem]]:
    """crm.yaml, the one file every repository must have."""
    path = root / CONFIG_FILE
    if path.is_symlink():
        return None, [error(CONFIG_FILE, RECORD_PROBLEMS.say("symbolic_link")).at(1, 1)]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [error(CONFIG_FILE, RECORD_PROBLEMS.say("no_config", file=CONFIG_FILE, root=root)).at(1, 1)]
    except OSError as exc:
        return None, [error(CONFIG_FILE, RECORD_PROBLEMS.say("unreadable", reason=exc.strerror)).at(1, 1)]
    cached = kept_config(root, raw) if options.use_cache else None
    if isinstance(cached, CrmConfig):
        return cached, []
    parsed = read_yaml(raw, CONFIG_FILE, options.max_file_bytes)
    if parsed.data is None:
        return None, parsed.problems
    config, problems = check_record(CrmConfig, parsed.data, CONFIG_FILE, lambda: index.positions(CONFIG_FILE))
    if config is not None and options.use_cache and not parsed.problems and not problems:
        keep_config(root, raw, config)
    return config, parsed.problems + problems


def load(
    root: Path, options: LoadOptions | None = None, discovered: Discovered | None = None
) -> tuple[Dataset, list[Problem], PositionIndex]:
    """Load a repository: the dataset of valid records, the problems (not yet located), the position index.

    Records with problems are left out of the dataset; everything downstream sees only valid records.
    `discovered`: the files as `discover(root)` found them a moment ago (not looked for twice).
    """
    options = options or LoadOptions()
    index = PositionIndex(root, options.max_file_bytes)
    tracked = tracked_cache_files(root)
    if tracked:  # a committed cache is neither read nor written, and every command that validates stops
        options = replace(options, use_cache=False)
    config, problems = load_config(root, index, options)
    if tracked:
        problems.append(error(CACHE_DIR_NAME, _tracked_cache_message(tracked)).at(1, 1))
    found, layout_problems = discovered or discover(root)
    problems.extend(layout_problems)
    all_paths = [path for folder in RECORD_FOLDERS for path in found[folder]]
    dataset = Dataset(
        root=root,
        config=config,
        customer_files=found[CUSTOMERS_DIR],
        plan_files=found[PLANS_DIR],
        opportunity_files=found[OPPORTUNITIES_DIR],
        contract_files=found[CONTRACTS_DIR],
        interaction_files=found[INTERACTIONS_DIR],
        files_read=len(all_paths) + (config is not None),
    )
    valid: dict[str, dict[str, Record]] = {folder: {} for folder in RECORD_FOLDERS}
    validators = {folder: model.model_validate for folder, model in FOLDER_MODELS.items()}
    validated: dict[bytes, tuple[str, Record]] = {}
    # An exception in this loop (SIGTERM, Ctrl-C) closes the parser at once, and so stops its workers.
    stats = stat_index(root, options)
    if options.for_verdict:
        dataset.file_stats = stats.seen  # filled as the files are taken
    file_keys: dict[str, bytes] = dataset.file_keys if options.for_verdict else {}
    with closing(parse_files(root, all_paths, options, problems, validated, stats)) as files:
        keys = dataset.record_keys
        for path, key, item in files:
            folder = path[: path.find("/")]  # the hot loop of a warm run: kept lean
            if key is not None:
                file_keys[path] = key
            if type(item) is not dict:  # a validated record from the cache (of this folder's model)
                valid[folder][path] = cast(Record, item)
                if key is not None:
                    keys[id(item)] = key
                continue
            try:
                record = validators[folder](item)
            except ValidationError as exc:
                problems.extend(translate_all(FOLDER_MODELS[folder], exc, path, _lazy_positions(index, path)))
                dataset.unvalidated.append((path, item))
                continue
            valid[folder][path] = record
            if key is not None:
                validated[key] = (path, record)
                keys[id(record)] = key
    dataset.customers = _in_path_order(found[CUSTOMERS_DIR], valid[CUSTOMERS_DIR], dataset, Customer)
    dataset.interactions = _in_path_order(found[INTERACTIONS_DIR], valid[INTERACTIONS_DIR], dataset, Interaction)
    dataset.plans = _in_path_order(found[PLANS_DIR], valid[PLANS_DIR], dataset, Plan)
    dataset.opportunities = _in_path_order(found[OPPORTUNITIES_DIR], valid[OPPORTUNITIES_DIR], dataset, Opportunity)
    dataset.contracts = _in_path_order(found[CONTRACTS_DIR], valid[CONTRACTS_DIR], dataset, Contract)
    return dataset, problems, index


def _tracked_cache_message(tracked: list[str]) -> Message:
    shown: Message | str = ", ".join(tracked[:3])
    if len(tracked) > 3:
        shown = RECORD_PROBLEMS.say("and_more", shown=shown, count=len(tracked) - 3)
    return RECORD_PROBLEMS.say("cache_committed", cache=CACHE_DIR_NAME, shown=shown)


def _in_path_order(
    paths: list[str], records: dict[str, Record], dataset: Dataset, model: type[RecordT]
) -> list[RecordT]:
    """The valid records of one folder (all of `model`) in file order, whatever order they were read in."""
    ordered: list[RecordT] = []
    for path in paths:
        record = records.get(path)
        if record is not None:
            ordered.append(cast(RecordT, record))  # valid[folder] holds `model`'s records only
            dataset.record_files[id(record)] = path
    return ordered


def _lazy_positions(index: PositionIndex, path: str) -> PositionLookup:
    return lambda: index.positions(path)
