"""The records of past commits, built from the records already loaded: only what differs is read from git.

A year of monthly KPIs needs twelve past states of 150,000 record files, and reading each from nothing (a
scratch copy of every file, `crm kpi --at`) costs as much as a cold `crm validate` each. Yet two states a month
apart share nearly every file, and the working tree's records are loaded already. So:

- `git ls-tree` of HEAD once, and `git status` for what the working tree changed since HEAD (edits, new files,
  deletions): a file that is the same at HEAD and in the working tree is, at HEAD, the very record loaded;
- a `Snapshots` holds one commit's state (HEAD's to begin with) and moves it to each commit asked for:
  `git diff-tree` between the two names the files that differ, every other file keeps its record (shared, not
  copied). Asked newest first, as the site asks, each step is a month of changes;
- the blobs of the files that differ are streamed from one `git cat-file --batch` (nothing is written, the
  working tree and the index are only read) and parsed and validated as `load()` does, each blob once per run;
  a blob that is HEAD's at the same path is the working tree's record.

The answer is the dataset `crm kpi --at C` loads from its scratch copy (tests compare the two): the same valid
records, in the same order, crm.yaml of C. What a file's problems are is left out: a snapshot is for counting,
and `crm validate` and `crm diff` report problems. benchmarks/history.py measures it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from pydantic import ValidationError

from crmdata.git import gitrev
from crmdata.git.history import parse_status
from crmdata.records.cache import content_key
from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.load import (
    CONFIG_FILE,
    FLAT_FOLDERS,
    FOLDER_MODELS,
    INTERACTIONS_DIR,
    RECORD_FOLDERS,
    RECORD_SUFFIX,
    LoadOptions,
    gc_paused,
)
from crmdata.records.models import CrmConfig
from crmdata.records.validate import every_record
from crmdata.records.yamlread import read_yaml

_CONVERSATIONS = f"{INTERACTIONS_DIR}/"
_GONE = object()
"""A file HEAD has and the commit has not."""


def record_folder(path: str) -> str | None:
    """The record folder whose `load()` reads the file at `path` (relative to the data root), or None: a flat
    folder's files directly in it, an interaction anywhere under interactions/ but in a hidden folder; a
    `.yaml` name not starting with a dot (what `discover` takes)."""
    folder, _, rest = path.partition("/")
    name = rest.rpartition("/")[2]
    if not name.endswith(RECORD_SUFFIX) or name.startswith("."):
        return None
    if folder in FLAT_FOLDERS:
        return folder if "/" not in rest else None
    if folder == INTERACTIONS_DIR:
        return folder if not any(part.startswith(".") for part in rest.split("/")[:-1]) else None
    return None


class Snapshots:
    """Datasets of past commits of the repository holding `current` (the working tree's loaded records).

    It keeps the state of one commit (its record files by folder in load order, their records, crm.yaml),
    HEAD's to begin with, and builds each commit asked for from the last one: `git diff-tree` between the two
    names the few files that differ, so a year of month ends asked newest first costs a month of changes each
    (oldest first, the first step is a whole year's)."""

    def __init__(self, repo: gitrev.GitRepository, current: Dataset, options: LoadOptions | None = None) -> None:
        self.repo = repo
        self.options = options or LoadOptions()
        self.by_blob: dict[str, tuple[AnyRecord | None, bytes]] = {}
        """Blob id → (its record, or None when it is not a valid one; its content key), read this run."""
        self.configs: dict[str, CrmConfig | None] = {}
        self.current_keys = current.record_keys
        self.commit = _head_commit(repo)
        """The commit whose state is held."""
        changed_since_head = _working_tree_changes(repo)
        files = current.record_files
        loaded = {files[id(record)]: record for record in every_record(current)}
        self.paths: dict[str, list[str]] = {folder: [] for folder in RECORD_FOLDERS}
        """Each folder's record files, in the order load() reads them."""
        self.head_oids = dict(_record_listing(repo, self.commit, self.paths))
        """Path → its blob id at HEAD: a blob read later that is HEAD's at the same path is the working tree's
        record (unless the working tree changed that file), shared, never parsed again."""
        config_oid = self.head_oids.pop(CONFIG_FILE, None)
        self.loaded = loaded
        self.changed_since_head = changed_since_head
        unknown = {
            path: gitrev.Blob("100644", self.head_oids[path]) for path in changed_since_head if path in self.head_oids
        }
        """HEAD's blob of each record file the working tree changed (read from git)."""
        self._read(unknown)
        self.records: dict[str, list[AnyRecord | None]] = {}
        """Beside `paths`: each file's record, None when it is not a valid record."""
        self.record_files: dict[int, str] = {}
        """id(record) → its file, for the records held (a snapshot starts from a copy; entries of records no
        longer held are never asked for, and those records live on in `current` or `by_blob`)."""
        self.record_keys: dict[int, bytes] = dict(current.record_keys)
        for folder, paths in self.paths.items():
            paths.sort()  # git lists them sorted already: a pass
            records = [self.by_blob[unknown[path].oid][0] if path in unknown else loaded.get(path) for path in paths]
            self.records[folder] = records
            self.record_files.update(
                (id(record), path) for path, record in zip(paths, records, strict=True) if record is not None
            )
        for blob in unknown.values():
            record, key = self.by_blob[blob.oid]
            if record is not None:
                self.record_keys[id(record)] = key
        if CONFIG_FILE in changed_since_head:
            self.config = self._config(gitrev.Blob("100644", config_oid)) if config_oid is not None else None
        else:
            self.config = current.config

    def dataset_at(self, commit: str) -> Dataset:
        """The valid records of `commit` (a full commit id) as `load()` would read its files."""
        differ = _differences(self.repo, self.commit, commit)
        self._read({path: blob for path, blob in differ.items() if blob is not None and record_folder(path)})
        with gc_paused():
            self._move(differ)
        self.commit = commit
        dataset = Dataset(root=self.repo.toplevel / self.repo.prefix, config=self.config)
        dataset.record_keys = dict(self.record_keys)
        dataset.record_files = dict(self.record_files)
        dataset.customer_files = list(self.paths["customers"])
        dataset.interaction_files = list(self.paths[INTERACTIONS_DIR])
        dataset.plan_files = list(self.paths["plans"])
        dataset.opportunity_files = list(self.paths["opportunities"])
        dataset.contract_files = list(self.paths["contracts"])
        valid: dict[str, list[Any]] = {  # each folder's records are of its model
            folder: [record for record in records if record is not None] for folder, records in self.records.items()
        }
        dataset.customers = valid["customers"]
        dataset.interactions = valid[INTERACTIONS_DIR]
        dataset.plans = valid["plans"]
        dataset.opportunities = valid["opportunities"]
        dataset.contracts = valid["contracts"]
        dataset.files_read = sum(len(paths) for paths in self.paths.values()) + (self.config is not None)
        return dataset

    def _move(self, differ: dict[str, gitrev.Blob | None]) -> None:
        """Make the state held that of the commit `differ` leads to (path → its blob there, None: gone)."""
        if CONFIG_FILE in differ:
            blob = differ[CONFIG_FILE]
            self.config = None if blob is None or blob.is_link else self._config(blob)
        changes: dict[str, dict[str, AnyRecord | object | None]] = {folder: {} for folder in RECORD_FOLDERS}
        for path, blob in differ.items():
            folder = record_folder(path)
            if folder is None:
                continue
            if blob is None or blob.is_link:
                changes[folder][path] = _GONE  # a link is reported by load(), never read
                continue
            record, key = self.by_blob[blob.oid]
            changes[folder][path] = record
            if record is not None:
                self.record_files[id(record)] = path
                self.record_keys[id(record)] = key
        for folder, mine in changes.items():
            if not mine:
                continue
            paths, records = self.paths[folder], self.records[folder]
            pairs = [(path, mine.pop(path, record)) for path, record in zip(paths, records, strict=True)]
            if mine:  # files the last commit did not have
                pairs.extend(mine.items())
                pairs.sort(key=_first)
            self.paths[folder] = [path for path, record in pairs if record is not _GONE]
            self.records[folder] = [cast(AnyRecord | None, record) for _, record in pairs if record is not _GONE]

    def _read(self, wanted: Mapping[str, gitrev.Blob]) -> None:
        """Parse and validate each blob of `wanted` (path → blob) once, as the file of its path."""
        fresh: dict[str, gitrev.Blob] = {}
        for path, blob in wanted.items():
            if blob.oid in self.by_blob or blob.is_link:
                continue
            known = self.loaded.get(path)
            key = self.current_keys.get(id(known)) if known is not None else None
            if key is not None and self.head_oids.get(path) == blob.oid and path not in self.changed_since_head:
                self.by_blob[blob.oid] = (known, key)  # HEAD's blob there: the working tree's record
            else:
                fresh[path] = blob
        contents = gitrev.read_blobs(
            self.repo, sorted({blob.oid for blob in fresh.values()}), self.options.max_file_bytes
        )
        for path, blob in fresh.items():
            if blob.oid in self.by_blob:
                continue
            raw = contents[blob.oid]
            folder = record_folder(path)
            assert folder is not None
            parsed = read_yaml(raw, path, self.options.max_file_bytes)
            record: AnyRecord | None = None
            if parsed.data is not None:  # as load(): a record with problems of its reading is still a record
                try:
                    record = cast(AnyRecord, FOLDER_MODELS[folder].model_validate(parsed.data))
                except ValidationError:
                    record = None
            self.by_blob[blob.oid] = (record, content_key(raw))

    def _config(self, blob: gitrev.Blob) -> CrmConfig | None:
        if blob.oid not in self.configs:
            raw = gitrev.read_blobs(self.repo, [blob.oid], self.options.max_file_bytes)[blob.oid]
            parsed = read_yaml(raw, CONFIG_FILE, self.options.max_file_bytes)
            try:
                config = CrmConfig.model_validate(parsed.data) if parsed.data is not None else None
            except ValidationError:
                config = None
            self.configs[blob.oid] = config
        return self.configs[blob.oid]


def _first(pair: tuple[str, object]) -> str:
    return pair[0]


def _record_listing(repo: gitrev.GitRepository, commit: str, paths: dict[str, list[str]]) -> Iterator[tuple[str, str]]:
    """Enter the record files of `commit` into `paths` (by folder, as record_folder sorts them), and yield the
    blob id of each of them and of crm.yaml. One `git ls-tree` of 150,000 files, read in one pass (nothing is
    written from it, so no path needs gitrev's checks for a scratch folder)."""
    data_paths = [repo.prefix + name for name in gitrev.DATA_PATHS]
    listed = repo.git("ls-tree", "-r", "-z", "--full-tree", commit, "--", *data_paths)
    if listed.returncode != 0:
        raise gitrev.GitError("git_cannot_list", revision=commit, reason=gitrev.first_line(listed.stderr))
    prefix, conversations = repo.prefix, paths[INTERACTIONS_DIR]
    for entry in listed.stdout.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        if not raw or not meta.startswith((b"100644 ", b"100755 ")):
            continue  # a link (load() reports it, never reads it), a submodule
        path = raw.decode("utf-8", "surrogateescape").removeprefix(prefix)
        if path.startswith(_CONVERSATIONS) and path.endswith(RECORD_SUFFIX) and "/." not in path:
            conversations.append(path)  # the common case, record_folder's test written out
        elif (folder := record_folder(path)) is not None:
            paths[folder].append(path)
        elif path != CONFIG_FILE:
            continue
        yield path, meta[-40:].decode("ascii") if len(meta) == 52 else meta.rsplit(b" ", 1)[1].decode("ascii")


def _differences(repo: gitrev.GitRepository, head: str, commit: str) -> dict[str, gitrev.Blob | None]:
    """The data files that differ between `head` and `commit`: path → its blob in `commit` (None: not there)."""
    paths = [repo.prefix + name for name in gitrev.DATA_PATHS]
    result = repo.git("diff-tree", "-r", "-z", "--no-renames", head, commit, "--", *paths)
    if result.returncode != 0:
        raise gitrev.GitError("git_cannot_list", revision=commit, reason=gitrev.first_line(result.stderr))
    found: dict[str, gitrev.Blob | None] = {}
    fields = result.stdout.split(b"\0")
    for meta, raw_path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            break  # the empty field after the last entry
        _, new_mode, _, new_oid, status = meta[1:].decode("ascii").split()
        path = raw_path.decode("utf-8", "surrogateescape").removeprefix(repo.prefix)
        found[path] = None if status == "D" else gitrev.Blob(new_mode, new_oid)
    return found


def _head_commit(repo: gitrev.GitRepository) -> str:
    return gitrev.resolve(repo, "HEAD").commit


def _working_tree_changes(repo: gitrev.GitRepository) -> set[str]:
    """The data paths (relative to the data root) where the working tree differs from HEAD: edited, staged,
    added (untracked or ignored) or deleted; renames as a deletion and an addition."""
    paths = [repo.prefix + name for name in gitrev.DATA_PATHS]
    result = repo.git(
        "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--no-renames", "--", *paths
    )
    if result.returncode != 0:
        raise gitrev.GitError("git_cannot_list", revision="HEAD", reason=gitrev.first_line(result.stderr))
    return set(parse_status(result.stdout.decode("utf-8", "surrogateescape"), repo.prefix))
