"""`crm merge DUPLICATE INTO`: one customer folded into another, as one change that validates.

What changes:
- every reference to DUPLICATE names INTO: the `customer` of interactions, plans, opportunities and
  contracts, and other customers' `referred_by` (INTO's own `referred_by: DUPLICATE` would name INTO
  itself: it is removed);
- INTO keeps everything it has (name, owner, stage, value, its own fields) and gains what only the
  duplicate knows: the optional fields INTO lacks (since, industry, source, referred_by, consent,
  cadence_days), notes (appended on a line of their own when both have different ones), contacts
  (a contact with the same name or phone as one of INTO's adds only the fields INTO's lacks; any other
  is appended, without `primary` when INTO has a primary contact), needs and tags (unioned, INTO's
  first, without repeats compared as a person would: width, case, surrounding spaces);
- the duplicate's file is removed.

Every file is edited by crmdata.authoring.edits (only the lines that change), the whole repository as
it would be after the merge is checked with every rule of `crm validate` before anything is written, and
all files are then replaced together (write_changes).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from crmdata.authoring.edit_words import EDIT_WORDS
from crmdata.authoring.edits import (
    Edit,
    EditRefusedError,
    FileChange,
    TextIndex,
    model_order,
    set_value,
    strict_read,
    yaml_text,
)
from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.locate import locate_all
from crmdata.records.models import Contact, Contract, Customer, Interaction, Opportunity, Plan
from crmdata.records.models.base import Record
from crmdata.records.names import name_key, phone_key
from crmdata.records.problems import Problem
from crmdata.records.validate import RULES
from crmdata.records.vocabulary import Message

GAINED_FIELDS = ("since", "industry", "source", "referred_by", "consent", "cadence_days")
"""Optional fields of a customer whose absence means "not known": INTO takes the duplicate's."""
LISTED_FIELDS = ("needs", "tags")


@dataclass
class MergePlan:
    """The files a merge changes (the duplicate's removed last) and what INTO gains, for the report."""

    changes: list[FileChange] = field(default_factory=list)
    gained: list[str] = field(default_factory=list)
    notes: list[Message] = field(default_factory=list)


def plan_merge(dataset: Dataset, duplicate: Customer, into: Customer) -> MergePlan:
    """Every file change of merging `duplicate` into `into` (nothing is written); EditRefusedError when a
    changed record would not validate."""
    if duplicate.id == into.id:
        raise EditRefusedError(EDIT_WORDS.say("merge_itself", id=into.id))
    root = dataset.root
    plan = MergePlan()
    owned: list[Interaction | Plan | Opportunity | Contract] = [
        *dataset.interactions, *dataset.plans, *dataset.opportunities, *dataset.contracts
    ]  # fmt: skip
    for record in owned:
        if record.customer == duplicate.id:
            edit = Edit(root, dataset.file_of(record), type(record))
            _rename(edit.tree, "customer", into.id)
            plan.changes.append(edit.change())
    for customer in dataset.customers:
        if customer.id == duplicate.id:
            continue
        if customer.id == into.id:
            plan.changes.append(_into_change(dataset, duplicate, into, plan))
        elif customer.referred_by == duplicate.id:
            edit = Edit(root, dataset.file_of(customer), Customer)
            _rename(edit.tree, "referred_by", into.id)
            plan.changes.append(edit.change())
    removed = dataset.file_of(duplicate)
    plan.changes.append(FileChange(removed, Edit(root, removed, Customer).before, None))
    return plan


def _rename(tree: CommentedMap, key: str, new_id: str) -> None:
    """`key: OLD` becomes `key: NEW`, quoted as the old value was."""
    old = tree[key]
    tree[key] = type(old)(new_id) if isinstance(old, ScalarString) else new_id


def _into_change(dataset: Dataset, duplicate: Customer, into: Customer, plan: MergePlan) -> FileChange:
    edit = Edit(dataset.root, dataset.file_of(into), Customer)
    tree = edit.tree
    order = model_order(Customer)
    if into.referred_by == duplicate.id:
        del tree["referred_by"]
        plan.notes.append(EDIT_WORDS.say("dropped_self_referral", into=into.id, duplicate=duplicate.id))
    for name in GAINED_FIELDS:
        value = getattr(duplicate, name)
        if value is None or name in tree or (name == "referred_by" and value in (into.id, duplicate.id)):
            continue
        set_value(tree, name, _yaml_value(value), order)
        plan.gained.append(name)
    if duplicate.notes is not None and duplicate.notes != into.notes:
        joined = duplicate.notes if into.notes is None else f"{into.notes}\n{duplicate.notes}"
        set_value(tree, "notes", yaml_text(joined), order)
        plan.gained.append("notes")
    for name in LISTED_FIELDS:
        have = {_word_key(text) for text in getattr(into, name)}
        extra = [text for text in getattr(duplicate, name) if _word_key(text) not in have]
        extra = list(dict.fromkeys(extra))
        if extra:
            _append(tree, name, [yaml_text(text) for text in extra], order)
            plan.gained.append(f"{name} (+{len(extra)})")
    added = _merge_contacts(tree, into, duplicate, order)
    if added:
        plan.gained.append(f"contacts (+{added})")
    return edit.change()


def _word_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _append(tree: CommentedMap, key: str, items: list[Any], order: list[str]) -> None:
    """Add `items` to the list under `key` (made when missing), keeping the list's style."""
    existing = tree.get(key)
    if isinstance(existing, CommentedSeq):
        existing.extend(items)
    else:
        set_value(tree, key, items, order)


def _merge_contacts(tree: CommentedMap, into: Customer, duplicate: Customer, order: list[str]) -> int:
    """Contacts of the duplicate into INTO's: the same person completes INTO's entry, another is added.
    Returns how many were added."""
    contact_order = model_order(Contact)
    has_primary = any(contact.primary for contact in into.contacts)
    added: list[dict[str, Any]] = []
    for contact in duplicate.contacts:
        same = next((number for number, own in enumerate(into.contacts) if _same_person(own, contact)), None)
        if same is None:
            data = _contact_data(contact)
            if has_primary:
                data.pop("primary", None)
            added.append(data)
            continue
        entry = tree["contacts"][same]
        for name, value in _contact_data(contact).items():
            if name != "primary" and name not in entry:
                set_value(entry, name, value, contact_order)
    if added:
        _append(tree, "contacts", added, order)
    return len(added)


def _same_person(first: Contact, second: Contact) -> bool:
    if name_key(first.name) == name_key(second.name):
        return True
    first_phone = phone_key(first.phone) if first.phone else None
    return first_phone is not None and first_phone == (phone_key(second.phone) if second.phone else None)


def _contact_data(contact: Contact) -> dict[str, Any]:
    return {
        name: _yaml_value(getattr(contact, name)) for name in model_order(Contact) if name in contact.model_fields_set
    }


def _yaml_value(value: object) -> Any:
    """A record value as a new YAML value: text quoted where it must be, models as mappings in field order."""
    if isinstance(value, Record):
        return {
            name: _yaml_value(getattr(value, name))
            for name in model_order(type(value))
            if name in value.model_fields_set
        }
    if isinstance(value, str):
        return yaml_text(value)
    if isinstance(value, list):
        return [_yaml_value(item) for item in value]
    return value


# --- the repository after the merge, checked before anything is written ----------------------------------


def merged_problems(dataset: Dataset, plan: MergePlan, today: date) -> list[Problem]:
    """The errors `crm validate` would report on the repository after the merge: each changed file read
    back strictly, then every cross-record rule run on the records as they would be."""
    texts = {change.relative: change.after for change in plan.changes if change.after is not None}
    removed = {change.relative for change in plan.changes if change.after is None}
    replaced: dict[str, AnyRecord] = {}
    problems: list[Problem] = []
    models = {dataset.file_of(record): type(record) for record in _changed_records(dataset, set(texts))}
    for relative, text in texts.items():
        record, _, found = strict_read(text, relative, models[relative])
        problems += found
        if record is not None:
            replaced[relative] = record  # type: ignore[assignment]  # read with its own model
    after = _dataset_after(dataset, replaced, removed)
    for rule in RULES:
        problems.extend(rule(after, today))
    located = locate_all(problems, TextIndex(texts, dataset.root))
    return [problem for problem in located if problem.is_error]


def _changed_records(dataset: Dataset, paths: set[str]) -> list[AnyRecord]:
    every: list[AnyRecord] = [
        *dataset.customers, *dataset.interactions, *dataset.plans, *dataset.opportunities, *dataset.contracts
    ]  # fmt: skip
    return [record for record in every if dataset.file_of(record) in paths]


def _dataset_after(dataset: Dataset, replaced: dict[str, AnyRecord], removed: set[str]) -> Dataset:
    """The dataset as it would load after the merge: changed records replaced, the duplicate gone."""
    record_files: dict[int, str] = {}

    def swap(records: list[Any]) -> list[Any]:
        kept = []
        for record in records:
            path = dataset.file_of(record)
            if path in removed:
                continue
            new = replaced.get(path, record)
            record_files[id(new)] = path
            kept.append(new)
        return kept

    return replace(
        dataset,
        customers=swap(dataset.customers),
        interactions=swap(dataset.interactions),
        plans=swap(dataset.plans),
        opportunities=swap(dataset.opportunities),
        contracts=swap(dataset.contracts),
        customer_files=[path for path in dataset.customer_files if path not in removed],
        record_files=record_files,
        unvalidated=[],
    )
