"""The records of past commits, built from the records already loaded: only what differs is read from git.

A year of monthly KPIs needs twelve past states of 110,000 records, and reading each from nothing (a scratch
copy of every file, `crm kpi --at`) costs as much as a cold `crm validate` each. Yet two states a month apart
share nearly every file, and the working tree's records are loaded already. So a past commit's dataset is
the working tree's, with the files that differ read from git:

- `git ls-tree` of HEAD once, and `git status` for what the working tree changed since HEAD (edits, new files,
  deletions): a file that is the same at HEAD and in the working tree is, at HEAD, the very record loaded;
- `git diff-tree HEAD C` for each commit C: the files that differ between HEAD and C. Every other file of C is
  HEAD's, so its record is the one loaded (when the working tree has not changed it), shared, not copied;
- the blobs of the files that differ are streamed from one `git cat-file --batch` (nothing is written, the
  working tree and the index are only read) and parsed and validated as `load()` does, each blob once per run.

The answer is the dataset `crm kpi --at C` loads from its scratch copy (tests compare the two): the same valid
records, in the same order, crm.yaml of C. What a file's problems are is left out: a snapshot is for counting,
and `crm validate` and `crm diff` report problems.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import ValidationError

from crmdata.git import gitrev
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
    """Datasets of past commits of the repository holding `current` (the working tree's loaded records)."""

    def __init__(self, repo: gitrev.GitRepository, current: Dataset, options: LoadOptions | None = None) -> None:
        self.repo = repo
        self.options = options or LoadOptions()
        self.head = gitrev.Revision("HEAD", _head_commit(repo))
        self.head_files = gitrev.data_files(repo, self.head)
        changed_since_head = _working_tree_changes(repo)
        loaded = {current.file_of(record): record for record in every_record(current)}
        self.at_head: dict[str, AnyRecord | None] = {}
        """Path → its record at HEAD where the working tree's record is HEAD's (None: not a valid record)."""
        for path, blob in self.head_files.items():
            if path in changed_since_head or blob.is_link or record_folder(path) is None:
                continue
            self.at_head[path] = loaded.get(path)
        self.config_at_head = current.config
        self.config_changed = CONFIG_FILE in changed_since_head
        """Whether the working tree's crm.yaml differs from HEAD's (then HEAD's is read from git)."""
        self.current_keys = current.record_keys
        self.by_blob: dict[str, tuple[AnyRecord | None, bytes]] = {}
        """Blob id → (its record, or None when it is not a valid one; its content key), read this run."""
        self.configs: dict[str, CrmConfig | None] = {}

    def dataset_at(self, commit: str) -> Dataset:
        """The valid records of `commit` (a full commit id) as `load()` would read its files."""
        revision = gitrev.Revision(commit, commit)
        files = gitrev.data_files_after(self.repo, self.head, self.head_files, revision)
        differ = gitrev.changed_paths(self.head_files, files)
        wanted = {
            path: blob
            for path, blob in files.items()
            if not blob.is_link
            and record_folder(path) is not None
            and (path in differ or path not in self.at_head)
            and blob.oid not in self.by_blob
        }
        self._read({blob.oid for blob in wanted.values()}, wanted)
        with gc_paused():
            return self._assemble(files, differ)

    def _assemble(self, files: dict[str, gitrev.Blob], differ: set[str]) -> Dataset:
        config_blob = files.get(CONFIG_FILE)
        if config_blob is None:
            config = None
        elif CONFIG_FILE not in differ and not self.config_changed:
            config = self.config_at_head
        else:
            config = self._config(config_blob)
        dataset = Dataset(root=self.repo.toplevel / self.repo.prefix, config=config)
        by_folder: dict[str, list[str]] = {folder: [] for folder in RECORD_FOLDERS}
        for path, blob in files.items():
            folder = record_folder(path)
            if folder is not None and not blob.is_link:
                by_folder[folder].append(path)
        dataset.customer_files = sorted(by_folder["customers"])
        dataset.plan_files = sorted(by_folder["plans"])
        dataset.opportunity_files = sorted(by_folder["opportunities"])
        dataset.contract_files = sorted(by_folder["contracts"])
        dataset.interaction_files = sorted(by_folder[INTERACTIONS_DIR])
        lists: dict[str, list[Any]] = {folder: [] for folder in RECORD_FOLDERS}
        record_files, record_keys, current_keys = dataset.record_files, dataset.record_keys, self.current_keys
        for folder, paths in (
            ("customers", dataset.customer_files),
            (INTERACTIONS_DIR, dataset.interaction_files),
            ("plans", dataset.plan_files),
            ("opportunities", dataset.opportunity_files),
            ("contracts", dataset.contract_files),
        ):
            ordered = lists[folder]
            for path in paths:
                if path in differ or path not in self.at_head:
                    record, key = self.by_blob[files[path].oid]
                    if record is not None:
                        record_keys[id(record)] = key
                else:
                    record = self.at_head[path]
                    if record is not None and (known := current_keys.get(id(record))) is not None:
                        record_keys[id(record)] = known
                if record is not None:
                    ordered.append(record)
                    record_files[id(record)] = path
        dataset.customers = lists["customers"]
        dataset.interactions = lists[INTERACTIONS_DIR]
        dataset.plans = lists["plans"]
        dataset.opportunities = lists["opportunities"]
        dataset.contracts = lists["contracts"]
        dataset.files_read = sum(len(paths) for paths in by_folder.values()) + (config is not None)
        return dataset

    def _read(self, oids: set[str], wanted: dict[str, gitrev.Blob]) -> None:
        """Parse and validate each blob of `wanted` (path → blob) once, as the file of its path."""
        contents = gitrev.read_blobs(self.repo, sorted(oids))
        for path, blob in wanted.items():
            if blob.oid in self.by_blob:
                continue
            raw = contents[blob.oid]
            folder = record_folder(path)
            assert folder is not None
            parsed = read_yaml(raw, path, self.options.max_file_bytes)
            record: AnyRecord | None = None
            if parsed.data is not None and not parsed.problems:
                try:
                    record = cast(AnyRecord, FOLDER_MODELS[folder].model_validate(parsed.data))
                except ValidationError:
                    record = None
            self.by_blob[blob.oid] = (record, content_key(raw))

    def _config(self, blob: gitrev.Blob) -> CrmConfig | None:
        if blob.oid not in self.configs:
            raw = gitrev.read_blobs(self.repo, [blob.oid])[blob.oid]
            parsed = read_yaml(raw, CONFIG_FILE, self.options.max_file_bytes)
            try:
                config = CrmConfig.model_validate(parsed.data) if parsed.data is not None else None
            except ValidationError:
                config = None
            self.configs[blob.oid] = config
        return self.configs[blob.oid]


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
    changed: set[str] = set()
    for entry in result.stdout.split(b"\0"):
        if len(entry) > 3:
            changed.add(entry[3:].decode("utf-8", "surrogateescape").removeprefix(repo.prefix))
    return changed
