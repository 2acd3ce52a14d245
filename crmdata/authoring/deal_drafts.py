"""New plans, opportunities and contracts from field values, checked as `crm validate` checks them.

The same contract as crmdata.authoring.drafts for customers and interactions: a draft is validated on its
own (the model), against the repository (the customer exists, the owner is on the team, the contract it
renews and the opportunity it closed exist, the id is free among the records of every type) and against
the drafts made before it in the same run (a sheet's renewal may renew the contract of an earlier row).
Nothing here writes.

A record without an id gets the next free one of its series: JH- (plans, 计划编号), SJ- (opportunities,
商机编号), HT- (contracts, 合同编号), the prefixes of the handbooks, with the year of its first day (a plan's
`date`, a contract's `signed_on` or `start`, an opportunity's `closed_on` or `expected_close`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from crmdata.authoring.draft_words import DRAFT_PROBLEMS
from crmdata.authoring.drafts import Draft, Repository, _identified, _year_of
from crmdata.authoring.ids import IdAllocator, record_ids
from crmdata.records.load import (
    CONTRACTS_DIR,
    CUSTOMERS_DIR,
    INTERACTIONS_DIR,
    OPPORTUNITIES_DIR,
    PLANS_DIR,
)
from crmdata.records.models import Contract, Opportunity, Plan
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Problem, error
from crmdata.records.record_check import check_record

DealModel = type[Plan] | type[Opportunity] | type[Contract]


@dataclass(frozen=True)
class DealKind:
    """One of the three record types: its model, folder, id prefix and the fields that date it."""

    model: DealModel
    folder: str
    prefix: str
    dated_by: tuple[str, ...]


DEAL_KINDS = {
    "plans": DealKind(Plan, PLANS_DIR, "JH-", ("date",)),
    "opportunities": DealKind(Opportunity, OPPORTUNITIES_DIR, "SJ-", ("closed_on", "expected_close")),
    "contracts": DealKind(Contract, CONTRACTS_DIR, "HT-", ("signed_on", "start")),
}
ALL_FOLDERS = (CUSTOMERS_DIR, INTERACTIONS_DIR, PLANS_DIR, OPPORTUNITIES_DIR, CONTRACTS_DIR)


@dataclass
class DealDrafts:
    """Drafts plans, opportunities and contracts for one run (one `crm import`)."""

    repository: Repository
    known: dict[str, dict[str, str]]
    """folder -> lower-case id -> id, of the records there and those drafted in this run."""
    allocators: dict[str, IdAllocator]

    @classmethod
    def open(cls, repository: Repository) -> DealDrafts:
        """The ids of every record file (ids are unique ignoring case across all types): file names only."""
        known = {folder: {stem.lower(): stem for stem in record_ids(repository.root, folder)} for folder in ALL_FOLDERS}
        every = [stem for stems in known.values() for stem in stems.values()]
        options = repository.config.ids
        allocators = {kind: IdAllocator(spec.prefix, options, every) for kind, spec in DEAL_KINDS.items()}
        return cls(repository, known, allocators)

    def draft(self, kind: str, fields: dict[str, Any], today: date) -> Draft:
        """A new record of `kind` (plans, opportunities, contracts); its path is <folder>/<id>.yaml."""
        spec = DEAL_KINDS[kind]
        day = next((fields[name] for name in spec.dated_by if isinstance(fields.get(name), date)), None)
        data, given_id, taken = _identified(fields, self.allocators[kind], _year_of(day, today))
        path = f"{spec.folder}/{data['id']}.yaml"
        data = self.repository._canonical_reference(data, "customer")
        record, problems = check_record(spec.model, data, path, dict)
        if taken:
            problems.append(error(path, DRAFT_PROBLEMS.say("record_id_taken", id=data["id"]), ("id",)))
        problems += self._references(path, data)
        if isinstance(data.get("owner"), str):
            problems += self.repository._team_problems(path, [(("owner",), data["owner"])])
        if record is not None and not problems:
            self.known[spec.folder][record.id.lower()] = record.id
        return Draft(path=path, record=record if not problems else None, problems=problems, given_id=given_id)

    def _references(self, path: str, data: dict[str, Any]) -> list[Problem]:
        problems = []
        customer = data.get("customer")
        if isinstance(customer, str) and self.repository.customer_id(customer) is None:
            problems.append(error(path, RECORD_PROBLEMS.say("no_customer", id=customer), ("customer",)))
        for name, folder, said in (
            ("renews", CONTRACTS_DIR, "no_contract"),
            ("opportunity", OPPORTUNITIES_DIR, "no_opportunity"),
        ):
            given = data.get(name)
            if isinstance(given, str) and self.known[folder].get(given.lower()) != given:
                problems.append(error(path, RECORD_PROBLEMS.say(said, id=given), (name,)))
        return problems
