"""New records from field values: checked like `crm validate` checks them, given a free id and a path.

`crm new`, `crm log` and `crm import` all come through here. A draft is validated on its own (the
model), against the repository (owner on the team, customer and referrer exist, id free) and against the
drafts made before it in the same run (an import's rows may refer to each other and must not share ids).
Nothing here writes: `crmdata.authoring.writer` does, once every draft of a run is known to be valid.

Reading the repository costs one read of crm.yaml plus a listing of file names, not a full load, so
`crm log` answers at once even in a repository of 100,000 records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from crmdata.authoring.draft_words import DRAFT_PROBLEMS
from crmdata.authoring.durations import WorkingDays
from crmdata.authoring.ids import IdAllocator, record_ids
from crmdata.records.dataset import AnyRecord
from crmdata.records.load import CONFIG_FILE, CUSTOMERS_DIR, INTERACTIONS_DIR, LoadOptions, load_config
from crmdata.records.locate import PositionIndex
from crmdata.records.models import CrmConfig, Customer, Interaction
from crmdata.records.models.fields import day_of
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Problem, error
from crmdata.records.record_check import check_record
from crmdata.records.yamlread import read_yaml


@dataclass
class Draft:
    """A record about to be created: the record when valid, its file, and what is wrong with it."""

    path: str
    record: AnyRecord | None
    problems: list[Problem] = field(default_factory=list)
    given_id: bool = False
    """The id came with the fields (kept as it is) rather than from the allocator."""

    @property
    def ok(self) -> bool:
        return self.record is not None and not self.problems


@dataclass
class Repository:
    """What creating records needs to know about a data repository: crm.yaml and which ids are taken."""

    root: Path
    config: CrmConfig
    customer_ids: dict[str, str]
    """lower-case id -> id of every customer file (ids are unique ignoring case)."""
    customers: IdAllocator
    interactions: IdAllocator
    working_days: WorkingDays

    @classmethod
    def open(cls, root: Path) -> tuple[Repository | None, list[Problem]]:
        """Read crm.yaml and list the record files; (None, problems) when crm.yaml is unusable."""
        config, problems = load_config(root, PositionIndex(root), LoadOptions(use_cache=False))
        errors = [problem for problem in problems if problem.is_error]
        if config is None or errors:
            return None, errors or [error(CONFIG_FILE, DRAFT_PROBLEMS.say("config_unreadable"))]
        customer_stems = list(record_ids(root, CUSTOMERS_DIR))  # one walk: known ids and taken ids
        return (
            cls(
                root=root,
                config=config,
                customer_ids={stem.lower(): stem for stem in customer_stems},
                customers=IdAllocator(config.ids.customer_prefix, config.ids, customer_stems),
                interactions=IdAllocator(config.ids.interaction_prefix, config.ids, record_ids(root, INTERACTIONS_DIR)),
                working_days=WorkingDays(config.calendar),
            ),
            [],
        )

    def customer_id(self, given: str) -> str | None:
        """The customer's id as its file spells it, found ignoring case; None when there is none."""
        return self.customer_ids.get(given.lower())

    def read_customer(self, customer_id: str) -> Customer | None:
        """One customer record, read and validated on its own; None when its file is missing or invalid."""
        path = f"{CUSTOMERS_DIR}/{customer_id}.yaml"
        try:
            parsed = read_yaml((self.root / path).read_bytes(), path)
        except OSError:
            return None
        if parsed.data is None or parsed.problems:
            return None
        record, problems = check_record(Customer, parsed.data, path, dict)
        return record if not problems else None

    def _canonical_reference(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """A customer reference spelled as the customer's file is (kh-2024001 typed, KH-2024001 written):
        `crm validate` compares references exactly."""
        given = data.get(name)
        known = self.customer_id(given) if isinstance(given, str) else None
        return {**data, name: known} if known is not None else data

    def _team_problems(self, path: str, owners: list[tuple[tuple[str | int, ...], str]]) -> list[Problem]:
        team = self.config.team
        return [
            error(path, RECORD_PROBLEMS.say("not_on_team", owner=owner, choices=", ".join(team)), loc)
            for loc, owner in owners
            if owner not in team
        ]

    def draft_customer(self, fields: dict[str, Any], today: date) -> Draft:
        """A new customer from its fields; without an `id`, the next free one of the `since` year."""
        data, given_id, taken = _identified(fields, self.customers, _year_of(fields.get("since"), today))
        path = f"{CUSTOMERS_DIR}/{data['id']}.yaml"
        data = self._canonical_reference(data, "referred_by")
        record, problems = check_record(Customer, data, path, dict)
        if taken:
            problems.append(error(path, DRAFT_PROBLEMS.say("customer_id_taken", id=data["id"]), ("id",)))
        if isinstance(data.get("owner"), str):
            problems += self._team_problems(path, [(("owner",), data["owner"])])
        referrer = data.get("referred_by")
        if isinstance(referrer, str) and self.customer_id(referrer) is None:
            problems.append(error(path, RECORD_PROBLEMS.say("no_customer", id=referrer), ("referred_by",)))
        if record is not None and not problems:
            self.customer_ids[record.id.lower()] = record.id
        return Draft(path=path, record=record if not problems else None, problems=problems, given_id=given_id)

    def draft_interaction(self, fields: dict[str, Any], today: date) -> Draft:
        """A new interaction from its fields; without an `id`, the next free one of its date's year.

        It is filed under interactions/<year of its date>/, as `crm validate` expects.
        """
        year = _year_of(fields.get("date"), today)
        data, given_id, taken = _identified(fields, self.interactions, year)
        path = f"{INTERACTIONS_DIR}/{year}/{data['id']}.yaml"
        data = self._canonical_reference(data, "customer")
        record, problems = check_record(Interaction, data, path, dict)
        if taken:
            problems.append(error(path, DRAFT_PROBLEMS.say("interaction_id_taken", id=data["id"]), ("id",)))
        customer = data.get("customer")
        if isinstance(customer, str) and self.customer_id(customer) is None:
            problems.append(error(path, RECORD_PROBLEMS.say("no_customer", id=customer), ("customer",)))
        owners: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(data.get("owner"), str):
            owners.append((("owner",), data["owner"]))
        for number, todo in enumerate(data.get("todos") or []):
            if isinstance(todo, dict) and isinstance(todo.get("owner"), str):
                owners.append((("todos", number, "owner"), todo["owner"]))
        problems += self._team_problems(path, owners)
        return Draft(path=path, record=record if not problems else None, problems=problems, given_id=given_id)


def _identified(fields: dict[str, Any], allocator: IdAllocator, year: int) -> tuple[dict[str, Any], bool, bool]:
    """(the given fields without empty values, with an id; whether the id was given; whether it is taken).

    A given id is kept as it is (and reported when taken); otherwise the allocator's next one of `year`.
    """
    data = {name: value for name, value in fields.items() if value not in (None, [], "")}
    given = data.get("id")
    if isinstance(given, str) and given:
        return data, True, not allocator.take(given)
    return {"id": allocator.next(year), **data}, False, False


def _year_of(value: object, today: date) -> int:
    """The year a record belongs to: of its date when it has a readable one, else of today."""
    if isinstance(value, date):
        return day_of(value).year
    if isinstance(value, str) and len(value) >= 4 and value[:4].isdigit():
        return int(value[:4])
    return today.year
