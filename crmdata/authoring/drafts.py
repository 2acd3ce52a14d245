"""New records from field values: checked like `crm validate` checks them, given a free id and a path.

`crm new`, `crm log` and `crm import` all come through here. A draft is validated on its own (the
model), against the repository (owner on the team, customer and referrer exist, id free; a conversation's
plan, opportunity and contract are its customer's; a contract renews an existing contract) and against the
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
from crmdata.records.load import (
    CONFIG_FILE,
    CONTRACTS_DIR,
    CUSTOMERS_DIR,
    INTERACTIONS_DIR,
    OPPORTUNITIES_DIR,
    PLANS_DIR,
    LoadOptions,
    load_config,
)
from crmdata.records.locate import PositionIndex
from crmdata.records.models import Contract, CrmConfig, Customer, Interaction, Opportunity, Plan
from crmdata.records.models.fields import day_of
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Problem, error
from crmdata.records.record_check import RecordT, check_record
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
    plans: IdAllocator
    opportunities: IdAllocator
    contracts: IdAllocator
    """The allocators of plans, opportunities and contracts share one set of taken ids with every record
    type's ids in it: ids are unique across types (contract §1), which `crm validate` checks."""
    deal_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    """plans/opportunities/contracts folder -> lower-case id -> id of every file in it."""

    @classmethod
    def open(cls, root: Path) -> tuple[Repository | None, list[Problem]]:
        """Read crm.yaml and list the record files; (None, problems) when crm.yaml is unusable."""
        config, problems = load_config(root, PositionIndex(root), LoadOptions(use_cache=False))
        errors = [problem for problem in problems if problem.is_error]
        if config is None or errors:
            return None, errors or [error(CONFIG_FILE, DRAFT_PROBLEMS.say("config_unreadable"))]
        customer_stems = list(record_ids(root, CUSTOMERS_DIR))  # one walk: known ids and taken ids
        interactions = IdAllocator(config.ids.interaction_prefix, config.ids, record_ids(root, INTERACTIONS_DIR))
        deal_ids = {folder: {stem.lower(): stem for stem in record_ids(root, folder)} for folder in DEAL_FOLDERS}
        every_id = {*(stem.lower() for stem in customer_stems), *interactions.taken}
        for known in deal_ids.values():
            every_id.update(known)
        ids = config.ids
        return (
            cls(
                root=root,
                config=config,
                customer_ids={stem.lower(): stem for stem in customer_stems},
                customers=IdAllocator(ids.customer_prefix, ids, customer_stems),
                interactions=interactions,
                working_days=WorkingDays(config.calendar),
                plans=IdAllocator(ids.plan_prefix, ids, (), shared=every_id),
                opportunities=IdAllocator(ids.opportunity_prefix, ids, (), shared=every_id),
                contracts=IdAllocator(ids.contract_prefix, ids, (), shared=every_id),
                deal_ids=deal_ids,
            ),
            [],
        )

    def customer_id(self, given: str) -> str | None:
        """The customer's id as its file spells it, found ignoring case; None when there is none."""
        return self.customer_ids.get(given.lower())

    def read_customer(self, customer_id: str) -> Customer | None:
        """One customer record, read and validated on its own; None when its file is missing or invalid."""
        return self._read(Customer, f"{CUSTOMERS_DIR}/{customer_id}.yaml")

    def _read(self, model: type[RecordT], path: str) -> RecordT | None:
        """One record file, read and validated on its own; None when it is missing or invalid."""
        try:
            parsed = read_yaml((self.root / path).read_bytes(), path)
        except OSError:
            return None
        if parsed.data is None or parsed.problems:
            return None
        record, problems = check_record(model, parsed.data, path, dict)
        return record if not problems else None

    def deal_id(self, folder: str, given: str) -> str | None:
        """The id of a plan, opportunity or contract (`folder` says which) as its file spells it, found
        ignoring case; None when there is none."""
        return self.deal_ids.get(folder, {}).get(given.lower())

    def _canonical_reference(self, data: dict[str, Any], name: str, folder: str = CUSTOMERS_DIR) -> dict[str, Any]:
        """A reference spelled as the file it names is (kh-2024001 typed, KH-2024001 written): `crm validate`
        compares references exactly. `folder`: where the named record is (customers/ by default)."""
        given = data.get(name)
        if not isinstance(given, str):
            return data
        known = self.customer_id(given) if folder == CUSTOMERS_DIR else self.deal_id(folder, given)
        return {**data, name: known} if known is not None else data

    def _customer_problems(self, path: str, data: dict[str, Any]) -> list[Problem]:
        """The customer named exists, and the owner is on the team: what every record but a customer needs."""
        problems = []
        customer = data.get("customer")
        if isinstance(customer, str) and self.customer_id(customer) is None:
            problems.append(error(path, RECORD_PROBLEMS.say("no_customer", id=customer), ("customer",)))
        if isinstance(data.get("owner"), str):
            problems += self._team_problems(path, [(("owner",), data["owner"])])
        return problems

    def _reference_problems(self, path: str, folder: str, data: dict[str, Any], customer: str | None) -> list[Problem]:
        """A conversation's `plan`, `opportunity` and `contract`, or a contract's `renews` and `opportunity`:
        each names an existing record; a conversation's are of its own customer (as crm validate's
        interaction_references_exist and contract_references_exist say). A named file that does not
        validate on its own is not judged here, as crm validate reports it by its own errors."""
        problems = []
        for name, model, named_folder, missing, named in _REFERENCES:
            wanted = data.get(name)
            if not isinstance(wanted, str) or name not in _REFERENCE_FIELDS[folder]:
                continue
            if self.deal_id(named_folder, wanted) is None:
                problems.append(error(path, RECORD_PROBLEMS.say(missing, id=wanted), (name,)))
                continue
            record = self._read(model, f"{named_folder}/{wanted}.yaml")
            if customer is None or record is None or record.customer == customer:
                continue
            said = RECORD_PROBLEMS.say(
                "of_other_customer", record=RECORD_PROBLEMS.say(named, id=wanted), other=record.customer,
                customer=customer,
            )  # fmt: skip
            problems.append(error(path, said, (name,)))
        return problems

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
        for name, _model, folder, _missing, _named in _REFERENCES:
            data = self._canonical_reference(data, name, folder)
        record, problems = check_record(Interaction, data, path, dict)
        if taken:
            problems.append(error(path, DRAFT_PROBLEMS.say("interaction_id_taken", id=data["id"]), ("id",)))
        customer = data.get("customer")
        if isinstance(customer, str) and self.customer_id(customer) is None:
            problems.append(error(path, RECORD_PROBLEMS.say("no_customer", id=customer), ("customer",)))
        else:
            problems += self._reference_problems(path, INTERACTIONS_DIR, data, customer)
        owners: list[tuple[tuple[str | int, ...], str]] = []
        if isinstance(data.get("owner"), str):
            owners.append((("owner",), data["owner"]))
        for number, todo in enumerate(data.get("todos") or []):
            if isinstance(todo, dict) and isinstance(todo.get("owner"), str):
                owners.append((("todos", number, "owner"), todo["owner"]))
        problems += self._team_problems(path, owners)
        return Draft(path=path, record=record if not problems else None, problems=problems, given_id=given_id)

    def draft_plan(self, fields: dict[str, Any], today: date) -> Draft:
        """A new maintenance plan; without an `id`, the next free one of the year of its first day (`date`)."""
        return self._draft_deal(Plan, PLANS_DIR, self.plans, fields, _year_of(fields.get("date"), today))

    def draft_opportunity(self, fields: dict[str, Any], today: date) -> Draft:
        """A new opportunity; without an `id`, the next free one of this year (the year it was entered)."""
        return self._draft_deal(Opportunity, OPPORTUNITIES_DIR, self.opportunities, fields, today.year)

    def draft_contract(self, fields: dict[str, Any], today: date) -> Draft:
        """A new contract; without an `id`, the next free one of the year it was signed (`signed_on`, else
        `start`, as contract_value_12m counts it); `renews` and `opportunity` must exist."""
        year = _year_of(fields.get("signed_on") or fields.get("start"), today)
        return self._draft_deal(Contract, CONTRACTS_DIR, self.contracts, fields, year)

    def _draft_deal(
        self, model: type[Plan | Opportunity | Contract], folder: str, allocator: IdAllocator,
        fields: dict[str, Any], year: int,
    ) -> Draft:  # fmt: skip
        """A plan, opportunity or contract, filed flat under its folder: checked by its model, its id free
        among every record's, its customer existing, its owner on the team, its references existing."""
        data, given_id, taken = _identified(fields, allocator, year)
        path = f"{folder}/{data['id']}.yaml"
        data = self._canonical_reference(data, "customer")
        for name, _model, reference_folder, _missing, _named in _REFERENCES:
            if name in _REFERENCE_FIELDS[folder]:
                data = self._canonical_reference(data, name, reference_folder)
        record, problems = check_record(model, data, path, dict)
        if taken:
            problems.append(error(path, DRAFT_PROBLEMS.say("id_taken", id=data["id"]), ("id",)))
        if (
            folder == CONTRACTS_DIR
            and isinstance(data.get("renews"), str)
            and data["renews"].lower() == data["id"].lower()
        ):
            problems.append(error(path, RECORD_PROBLEMS.say("renews_itself"), ("renews",)))
        else:
            problems += self._reference_problems(path, folder, data, None)
        problems += self._customer_problems(path, data)
        if record is not None and not problems:
            self.deal_ids.setdefault(folder, {})[record.id.lower()] = record.id
        return Draft(path=path, record=record if not problems else None, problems=problems, given_id=given_id)


DEAL_FOLDERS = (PLANS_DIR, OPPORTUNITIES_DIR, CONTRACTS_DIR)
"""The folders of the records about the customer's business (v2): plans, opportunities, contracts."""

_REFERENCES: tuple[tuple[str, type[Plan | Opportunity | Contract], str, str, str], ...] = (
    ("plan", Plan, PLANS_DIR, "no_plan", "a_plan"),
    ("opportunity", Opportunity, OPPORTUNITIES_DIR, "no_opportunity", "an_opportunity"),
    ("contract", Contract, CONTRACTS_DIR, "no_contract", "a_contract"),
    ("renews", Contract, CONTRACTS_DIR, "no_contract", "a_contract"),
)
"""Fields that name a plan, opportunity or contract: (field, model, folder, problem when missing, its noun)."""
_REFERENCE_FIELDS: dict[str, frozenset[str]] = {
    INTERACTIONS_DIR: frozenset({"plan", "opportunity", "contract"}),
    CONTRACTS_DIR: frozenset({"renews", "opportunity"}),
    PLANS_DIR: frozenset(),
    OPPORTUNITIES_DIR: frozenset(),
}
"""Which of those fields each folder's records have."""


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
