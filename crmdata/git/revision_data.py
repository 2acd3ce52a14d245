"""One revision's data loaded and validated, and the next revision built from it by re-reading only what changed.

`crm diff` loads BASE fully (`load_revision`: `load()` and the rules, exactly what `crm validate` does).
HEAD differs from BASE in a handful of files in a pull request, so loading it from scratch again would
spend the same seconds a second time on files known already. `load_changed` builds HEAD from BASE:

- the scratch tree is switched to HEAD first (only the changed files are written), and HEAD's layout is
  read from it by `discover()`, like any repository (links, stray files, .yml names, folders);
- a record file git reports unchanged (same blob, same mode) keeps BASE's outcome for it: the very record
  object when it was valid, else its data and its problems. Per-file validation is a function of the
  file's bytes alone (the models take no context, not even crm.yaml), so this is the answer a second
  parse would give;
- the changed record files are read, parsed and validated as `load()` does, each distinct blob parsed
  once (a file copied to two paths, a rename);
- crm.yaml is read again always (one small file), and every rule across records runs on HEAD's whole
  set, so whatever depends on crm.yaml or on other records (the team, ids, references) is decided anew.

`full=True` in compare_revisions loads HEAD the first way instead: the tests compare the two answers.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.load import (
    CUSTOMERS_DIR,
    FOLDER_MODELS,
    RECORD_FOLDERS,
    LoadOptions,
    discover,
    gc_paused,
    load,
    load_config,
)
from crmdata.records.locate import PositionIndex, locate_all
from crmdata.records.models import Contract, Customer, Interaction, Opportunity, Plan
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Problem, error
from crmdata.records.record_check import translate_all
from crmdata.records.validate import RULES, every_record
from crmdata.records.yamlread import read_yaml


@dataclass
class LoadedRevision:
    """A revision validated as `crm validate` would, with what building the next revision from it needs."""

    dataset: Dataset
    problems: list[Problem]
    """Every problem, located and sorted (errors and warnings), as `validate()` returns them."""
    file_problems: dict[str, list[Problem]] = field(default_factory=dict)
    """The problems of reading and validating each record file on its own (not the rules'), not located."""
    records: dict[str, AnyRecord] = field(default_factory=dict)
    """Each valid record by its file."""
    unvalidated: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The data of each record file that parsed but did not validate, by file."""

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]


def load_revision(root: Path, options: LoadOptions, today: date) -> LoadedRevision:
    """Load and validate the data root `root` (what `validate()` does), keeping each file's own outcome."""
    with gc_paused():
        dataset, problems, index = load(root, options)
        file_problems: dict[str, list[Problem]] = {}
        for problem in problems:  # before the rules: only reading, parsing and per-file validation
            file_problems.setdefault(problem.file, []).append(problem)
        for rule in RULES:
            problems.extend(rule(dataset, today))
    records = {dataset.file_of(record): record for record in every_record(dataset)}
    return LoadedRevision(dataset, locate_all(problems, index), file_problems, records, dict(dataset.unvalidated))


def load_changed(
    previous: LoadedRevision,
    root: Path,
    changed: Collection[str],
    options: LoadOptions,
    today: date,
) -> LoadedRevision:
    """The revision now in `root`, which differs from `previous` (loaded from the same folder) only in the
    files `changed` (paths relative to the data root: added, removed, or with another blob or mode).

    The answer is the one `load_revision(root)` would give; only the changed files are read.
    """
    with gc_paused():
        index = PositionIndex(root, options.max_file_bytes)
        config, problems = load_config(root, index, options)
        found, layout_problems = discover(root)
        problems.extend(layout_problems)
        all_paths = [path for folder in RECORD_FOLDERS for path in found[folder]]
        file_problems: dict[str, list[Problem]] = {}
        records: dict[str, AnyRecord] = {}
        unvalidated: dict[str, dict[str, Any]] = {}
        fresh = [path for path in all_paths if path in changed]
        for path in all_paths:
            if path in changed:
                continue
            # Unchanged, so found in `previous` too (same name, same mode): its outcome there is its outcome.
            if path in previous.file_problems:
                file_problems[path] = previous.file_problems[path]
            if path in previous.records:
                records[path] = previous.records[path]
            elif path in previous.unvalidated:
                unvalidated[path] = previous.unvalidated[path]
        _read_changed(root, fresh, options, index, file_problems, records, unvalidated)
        for path_problems in file_problems.values():
            problems.extend(path_problems)
        dataset = Dataset(
            root=root,
            config=config,
            customer_files=found[CUSTOMERS_DIR],
            plan_files=found["plans"],
            opportunity_files=found["opportunities"],
            contract_files=found["contracts"],
            files_read=len(all_paths) + (config is not None),
        )
        dataset.unvalidated = [(path, unvalidated[path]) for path in all_paths if path in unvalidated]
        dataset.customers = _in_order(found[CUSTOMERS_DIR], records, dataset, Customer)
        dataset.interactions = _in_order(found["interactions"], records, dataset, Interaction)
        dataset.plans = _in_order(found["plans"], records, dataset, Plan)
        dataset.opportunities = _in_order(found["opportunities"], records, dataset, Opportunity)
        dataset.contracts = _in_order(found["contracts"], records, dataset, Contract)
        for rule in RULES:
            problems.extend(rule(dataset, today))
    return LoadedRevision(dataset, locate_all(problems, index), file_problems, records, unvalidated)


def _read_changed(
    root: Path,
    paths: list[str],
    options: LoadOptions,
    index: PositionIndex,
    file_problems: dict[str, list[Problem]],
    records: dict[str, AnyRecord],
    unvalidated: dict[str, dict[str, Any]],
) -> None:
    """Read, parse and validate the changed record files as `load()` does; identical bytes are parsed once."""
    parsed_by_content: dict[bytes, Any] = {}
    for path in paths:
        try:
            raw = (root / path).read_bytes()
        except OSError as exc:
            file_problems[path] = [error(path, RECORD_PROBLEMS.say("unreadable", reason=exc.strerror)).at(1, 1)]
            continue
        parsed = parsed_by_content.get(raw)
        if parsed is None or parsed.problems:  # a file's problems name its path: parse it as itself
            parsed = read_yaml(raw, path, options.max_file_bytes)
            parsed_by_content[raw] = parsed
        own = list(parsed.problems)
        if parsed.data is not None:
            model = FOLDER_MODELS[path[: path.find("/")]]
            try:
                records[path] = cast(AnyRecord, model.model_validate(parsed.data))  # the folder's model
            except ValidationError as exc:
                own.extend(translate_all(model, exc, path, _positions_of(index, path)))
                unvalidated[path] = parsed.data
        if own:
            file_problems[path] = own


def _positions_of(index: PositionIndex, path: str) -> Any:
    return lambda: index.positions(path)


def _in_order(paths: list[str], records: dict[str, AnyRecord], dataset: Dataset, model: type[Any]) -> list[Any]:
    """The valid records of one folder in file order, each entered in the dataset's record_files."""
    ordered = []
    for path in paths:
        record = records.get(path)
        if record is not None and isinstance(record, model):
            ordered.append(record)
            dataset.record_files[id(record)] = path
    return ordered
