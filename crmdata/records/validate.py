"""Rules across records, each a small function of the dataset returning problems.

A rule's docstring is its definition. Adding a rule is writing one function and listing it in
`RECORD_RULES` (it looks at one record at a time) or `DATASET_RULES` (it compares records: name the fields
it reads in `FACT_FIELDS`).
`validate` runs the whole flow: load, the rules, then positions for whatever was found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.duplicates import likely_duplicates
from crmdata.records.load import CUSTOMERS_DIR, INTERACTIONS_DIR, LoadOptions, gc_paused, load
from crmdata.records.locate import PositionIndex, locate_all
from crmdata.records.models import Contract, Customer, Interaction, Opportunity, OpportunityStage, Plan
from crmdata.records.models.fields import ID_PATTERN, day_of
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Loc, Problem, error, warning
from crmdata.records.timeliness import logging_delay_if_late
from crmdata.records.vocabulary import Message

Rule = Callable[[Dataset, date], Iterable[Problem]]
"""A rule sees the records and the day validation runs (`today`: the only date a rule may compare with)."""


def _stem(path: str) -> str:
    return path.rpartition("/")[2].removesuffix(".yaml")


def _id_key(record_id: str) -> str:
    """The id as file systems compare it: case-folded after NFC (for ASCII ids, the models' rule, lower())."""
    return record_id.lower() if record_id.isascii() else unicodedata.normalize("NFC", record_id).casefold()


def every_record(ds: Dataset) -> list[AnyRecord]:
    """Every valid record of every type, in the folders' order (customers, interactions, plans, ...)."""
    return [*ds.customers, *ds.interactions, *ds.plans, *ds.opportunities, *ds.contracts]


def id_matches_file_name(ds: Dataset, today: date) -> Iterable[Problem]:
    """A record's id equals its file name (without .yaml), so the file can be found from the id."""
    for record in every_record(ds):
        path = ds.file_of(record)
        if not path.endswith(f"/{record.id}.yaml"):
            yield error(path, RECORD_PROBLEMS.say("id_not_file_name", id=record.id, stem=_stem(path)), ("id",))


def ids_are_unique(ds: Dataset, today: date) -> Iterable[Problem]:
    """No two records share an id, ignoring case (file systems often do), whatever their types: an id
    names one record on the site, in `crm show` and in references (contract §1)."""
    records = every_record(ds)
    if len({_id_key(record.id) for record in records}) == len(records):
        return  # the usual case, decided without a loop over records in Python
    first: dict[str, str] = {}
    for record in records:
        key = _id_key(record.id)
        if key in first:
            yield error(ds.file_of(record), RECORD_PROBLEMS.say("id_taken", id=record.id, file=first[key]), ("id",))
        else:
            first[key] = ds.file_of(record)


_WELL_FORMED_ID = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"))


def _unvalidated_references(ds: Dataset) -> Iterator[tuple[str, Loc, str, str]]:
    """(file, loc, field, id) for each well-formed id in the records that failed validation.

    Their malformed values were reported already; the well-formed ones are checked like any other, so
    one run reports a record's wrong type and its unknown owner together.
    """
    for path, data in ds.unvalidated:
        fields = ("owner", "referred_by") if path.startswith(f"{CUSTOMERS_DIR}/") else ("owner", "customer")
        for name in fields:
            value = data.get(name)
            if isinstance(value, str) and _WELL_FORMED_ID.fullmatch(value):
                yield path, (name,), name, value
        todos = data.get("todos") if path.startswith(f"{INTERACTIONS_DIR}/") else None
        for number, todo in enumerate(todos if isinstance(todos, list) else []):
            owner = todo.get("owner") if isinstance(todo, dict) else None
            if isinstance(owner, str) and _WELL_FORMED_ID.fullmatch(owner):
                yield path, ("todos", number, "owner"), "owner", owner


def references_exist(ds: Dataset, today: date) -> Iterable[Problem]:
    """The customer of an interaction, a plan, an opportunity and a contract, and a customer's referred_by,
    name existing customers (also in records with other errors)."""
    known = {customer.id for customer in ds.customers}
    present = {_stem(path) for path in ds.customer_files}  # invalid files: already reported
    owned: list[Interaction | Plan | Opportunity | Contract] = [
        *ds.interactions, *ds.plans, *ds.opportunities, *ds.contracts
    ]  # fmt: skip
    unknown = {record.customer for record in owned} - known - present
    if unknown:
        for record in owned:
            if record.customer in unknown:
                yield error(ds.file_of(record), RECORD_PROBLEMS.say("no_customer", id=record.customer), ("customer",))
    for customer in ds.customers:
        if customer.referred_by is None:
            continue
        if customer.referred_by == customer.id:
            yield error(ds.file_of(customer), RECORD_PROBLEMS.say("refers_itself"), ("referred_by",))
        elif customer.referred_by not in known and customer.referred_by not in present:
            yield error(
                ds.file_of(customer), RECORD_PROBLEMS.say("no_customer", id=customer.referred_by), ("referred_by",)
            )
    for path, loc, name, value in _unvalidated_references(ds):
        if name in ("customer", "referred_by") and value not in known and value not in present:
            yield error(path, RECORD_PROBLEMS.say("no_customer", id=value), loc)


def owners_are_on_the_team(ds: Dataset, today: date) -> Iterable[Problem]:
    """Every owner (of a customer, an interaction, a todo, a plan, an opportunity or a contract) is a key of
    `team` in crm.yaml (also in records with other errors)."""
    if ds.config is None:
        return
    team = ds.config.team
    choices = ", ".join(team)

    def unknown(owner: str) -> Message:
        return RECORD_PROBLEMS.say("not_on_team", owner=owner, choices=choices)

    for customer in ds.customers:
        if customer.owner not in team:
            yield error(ds.file_of(customer), unknown(customer.owner), ("owner",))
    for interaction in ds.interactions:
        if interaction.owner not in team:
            yield error(ds.file_of(interaction), unknown(interaction.owner), ("owner",))
        for number, todo in enumerate(interaction.todos):
            if todo.owner is not None and todo.owner not in team:
                yield error(ds.file_of(interaction), unknown(todo.owner), ("todos", number, "owner"))
    deals: list[Plan | Opportunity | Contract] = [*ds.plans, *ds.opportunities, *ds.contracts]
    for record in deals:
        if record.owner not in team:
            yield error(ds.file_of(record), unknown(record.owner), ("owner",))
    for path, loc, name, value in _unvalidated_references(ds):
        if name == "owner" and value not in team:
            yield error(path, unknown(value), loc)


def _stems(paths: list[str]) -> set[str]:
    return {_stem(path) for path in paths}


def contract_references_exist(ds: Dataset, today: date) -> Iterable[Problem]:
    """A contract's `renews` names another existing contract, without renewals going round in a circle,
    and its `opportunity` an existing opportunity."""
    contracts = ds.contract_by_id()
    contract_files, opportunity_files = _stems(ds.contract_files), _stems(ds.opportunity_files)
    known_opportunities = {opportunity.id for opportunity in ds.opportunities} | opportunity_files
    for contract in ds.contracts:
        path = ds.file_of(contract)
        if contract.renews == contract.id:
            yield error(path, RECORD_PROBLEMS.say("renews_itself"), ("renews",))
        elif contract.renews is not None and contract.renews not in contracts:
            if contract.renews not in contract_files:  # an invalid file: its own errors were reported
                yield error(path, RECORD_PROBLEMS.say("no_contract", id=contract.renews), ("renews",))
        elif (chain := _renewal_circle(contract, contracts)) is not None:
            yield error(path, RECORD_PROBLEMS.say("renewal_cycle", chain=" → ".join(chain)), ("renews",))
        if contract.opportunity is not None and contract.opportunity not in known_opportunities:
            yield error(path, RECORD_PROBLEMS.say("no_opportunity", id=contract.opportunity), ("opportunity",))


def _renewal_circle(contract: Contract, contracts: dict[str, Contract]) -> list[str] | None:
    """The ids from `contract` back to itself when following `renews` leads there; None when it ends."""
    chain = [contract.id]
    seen = {contract.id}
    current = contract
    while current.renews is not None and current.renews in contracts:
        current = contracts[current.renews]
        chain.append(current.id)
        if current.id == contract.id:
            return chain
        if current.id in seen:  # a circle further on, not through this contract: reported at its members
            return None
        seen.add(current.id)
    return None


def interaction_references_exist(ds: Dataset, today: date) -> Iterable[Problem]:
    """An interaction's `plan`, `opportunity` and `contract` name existing records of its own customer: a
    call to one customer cannot carry out another customer's plan."""
    kinds: tuple[tuple[str, dict[str, Plan] | dict[str, Opportunity] | dict[str, Contract], set[str], str, str], ...]
    kinds = (
        ("plan", ds.plan_by_id(), _stems(ds.plan_files), "no_plan", "a_plan"),
        ("opportunity", ds.opportunity_by_id(), _stems(ds.opportunity_files), "no_opportunity", "an_opportunity"),
        ("contract", ds.contract_by_id(), _stems(ds.contract_files), "no_contract", "a_contract"),
    )
    for interaction in ds.interactions:
        for name, records, files, missing, named in kinds:
            wanted: str | None = getattr(interaction, name)
            if wanted is None:
                continue
            record = records.get(wanted)
            if record is None:
                if wanted not in files:
                    yield error(ds.file_of(interaction), RECORD_PROBLEMS.say(missing, id=wanted), (name,))
            elif record.customer != interaction.customer:
                said = RECORD_PROBLEMS.say(
                    "of_other_customer",
                    record=RECORD_PROBLEMS.say(named, id=wanted),
                    other=record.customer,
                    customer=interaction.customer,
                )
                yield error(ds.file_of(interaction), said, (name,))


def payments_within_amount(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: a contract's scheduled payments add up to more than its amount (a typo in one of them)."""
    for contract in ds.contracts:
        if contract.amount is None or not contract.payments:
            continue
        total = contract.payments_total
        if total > contract.amount:
            said = RECORD_PROBLEMS.say("payments_over_amount", total=total, amount=contract.amount)
            yield warning(ds.file_of(contract), said, ("payments",), at_key=True)  # the list as a whole


def won_opportunity_has_contract(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: a won opportunity that no contract names (`opportunity: ID`): the deal's money is nowhere."""
    closed = {contract.opportunity for contract in ds.contracts}
    for opportunity in ds.opportunities:
        if opportunity.stage is OpportunityStage.WON and opportunity.id not in closed:
            said = RECORD_PROBLEMS.say("won_without_contract", id=opportunity.id)
            yield warning(ds.file_of(opportunity), said, ("stage",))


def contact_after_since(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: a conversation dated before the customer's `since` (often a typo in one of the dates)."""
    since_of = {customer.id: customer.since for customer in ds.customers if customer.since is not None}
    for interaction in ds.interactions:
        since = since_of.get(interaction.customer)
        if since is not None and interaction.day < since:
            yield warning(
                ds.file_of(interaction),
                RECORD_PROBLEMS.say("before_since", day=interaction.day, customer=interaction.customer, since=since),
                ("date",),
            )


def customer_has_consent(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: a customer without recorded consent (consent.given: true) to keeping their data."""
    for customer in ds.customers:
        if customer.consent is None:
            yield warning(
                ds.file_of(customer), RECORD_PROBLEMS.say("no_consent", example="{given: true, date: ...}"), ("id",)
            )
        elif not customer.consent.given:
            yield warning(ds.file_of(customer), RECORD_PROBLEMS.say("consent_refused"), ("consent", "given"))


def logged_in_time(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: a conversation recorded later than `policy.record_within_hours` after it took place.

    A date without a time counts from the end of that day, so only records that are surely late are
    flagged.
    """
    if ds.config is None:
        return
    hours = ds.config.policy.record_within_hours
    for interaction in ds.interactions:
        delay = logging_delay_if_late(interaction, hours)
        if delay is not None:
            yield warning(
                ds.file_of(interaction),
                RECORD_PROBLEMS.say("logged_late", delay=_duration(delay), hours=hours),
                ("recorded",),
            )


def _duration(delay: timedelta) -> Message:
    """`2 days 3 hours` / `2 天 3 小时`: whole days and hours, or "less than an hour"."""
    days, hours = delay.days, delay.seconds // 3600
    say = RECORD_PROBLEMS.say
    if days and hours:
        return say("span_days_hours", days=say("span_days", count=days), hours=say("span_hours", count=hours))
    if days:
        return say("span_days", count=days)
    if hours:
        return say("span_hours", count=hours)
    return say("span_under_an_hour")


def interaction_in_year_folder(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: an interaction not under interactions/<YYYY>/ of its own year (hard to find later)."""
    for interaction in ds.interactions:
        path = ds.file_of(interaction)
        folder = f"{INTERACTIONS_DIR}/{interaction.day.year}/"
        if not path.startswith(folder):
            yield warning(path, RECORD_PROBLEMS.say("wrong_year_folder", day=interaction.day, folder=folder), ("date",))


def dated_after_today(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: a record dated after the day validation runs (`date`, `since`, `recorded`, a todo's `done`).

    Every computation ignores records dated after its as_of, so a mistyped year (2027 for 2026) would
    otherwise drop out of every list without a word (contract §2).
    """

    def later(field: str, day: date, loc: Loc, path: str) -> Problem:
        said = RECORD_PROBLEMS.say("after_today", field=field, day=day.isoformat(), today=today.isoformat())
        return warning(path, said, loc)

    for customer in ds.customers:
        if customer.since is not None and customer.since > today:
            yield later("since", customer.since, ("since",), ds.file_of(customer))
    for interaction in ds.interactions:
        path = ds.file_of(interaction)
        if interaction.day > today:
            yield later("date", interaction.day, ("date",), path)
        if interaction.recorded is not None and day_of(interaction.recorded) > today:
            yield later("recorded", day_of(interaction.recorded), ("recorded",), path)
        for index, todo in enumerate(interaction.todos):
            if todo.done is not None and todo.done > today:
                yield later("done", todo.done, ("todos", index, "done"), path)


def customers_look_alike(ds: Dataset, today: date) -> Iterable[Problem]:
    """Warning: two customers with the same name once the legal form is left out (华星科技有限公司 and
    华星科技集团), or a contact's phone in common: likely one customer recorded twice. A warning, never an
    error (two shops of one name exist); named once per pair, in the later file, naming the earlier one,
    and `crm merge` joins them."""
    for pair in likely_duplicates(ds.customers, ds.file_of):
        yield warning(ds.file_of(pair.customer), pair.message(ds.file_of(pair.earlier)), pair.loc)


RECORD_RULES: list[Rule] = [
    id_matches_file_name,
    owners_are_on_the_team,
    payments_within_amount,
    customer_has_consent,
    logged_in_time,
    interaction_in_year_folder,
    dated_after_today,
]
"""Rules of one record at a time: what they find in a record depends on nothing but the record, its file's
path, crm.yaml and the day (`crmdata.records.verdict` keeps it by the file's content)."""

DATASET_RULES: list[Rule] = [
    ids_are_unique,
    references_exist,
    contract_references_exist,
    interaction_references_exist,
    won_opportunity_has_contract,
    contact_after_since,
    customers_look_alike,
]
"""Rules across records: they read only the FACT_FIELDS of each record (and which files exist)."""

RULES: list[Rule] = [*RECORD_RULES, *DATASET_RULES]
"""Every rule."""

FACT_FIELDS: dict[type, tuple[str, ...]] = {
    Customer: ("id", "name", "contacts", "referred_by", "since"),
    Interaction: ("id", "customer", "date", "plan", "opportunity", "contract"),
    Plan: ("id", "customer"),
    Opportunity: ("id", "customer", "stage"),
    Contract: ("id", "customer", "renews", "opportunity"),
}
"""The fields of each record that DATASET_RULES read: a record whose facts are unchanged leaves what they
find unchanged, so a warm `crm validate` need not run them again (`crmdata.records.verdict`). A rule
across records that reads another field must name it here: tests/test_verdict.py runs DATASET_RULES on
copies of the records that hold these fields alone and compares."""


def facts_of(record: AnyRecord) -> tuple[object, ...]:
    """The values of the record's FACT_FIELDS."""
    return tuple(getattr(record, name) for name in FACT_FIELDS[type(record)])


@dataclass
class Found:
    """The problems of a validation before they are located, by where they come from: reading and
    validating each file (`loaded`, crm.yaml's and the folders' included), RECORD_RULES (`own`) and
    DATASET_RULES (`across`)."""

    loaded: list[Problem]
    own: list[Problem]
    across: list[Problem]


@dataclass
class Validation:
    """The outcome of validating a repository: the dataset and every problem, located and sorted."""

    dataset: Dataset
    problems: list[Problem]
    found: Found | None = None

    @classmethod
    def of(cls, dataset: Dataset, found: Found, index: PositionIndex) -> Validation:
        """The validation of `dataset` whose problems are `found`, located with `index`."""
        return cls(dataset, locate_all([*found.loaded, *found.own, *found.across], index), found)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def run_rules(rules: list[Rule], dataset: Dataset, today: date) -> list[Problem]:
    """What `rules` find in `dataset` on `today`, in the rules' order."""
    return [problem for rule in rules for problem in rule(dataset, today)]


def found_by_every_rule(dataset: Dataset, loaded: list[Problem], today: date) -> Found:
    """The problems of loading (`loaded`) and what every rule finds in `dataset` on `today`."""
    return Found(loaded, run_rules(RECORD_RULES, dataset, today), run_rules(DATASET_RULES, dataset, today))


def validate(root: Path, options: LoadOptions | None = None, *, today: date | None = None) -> Validation:
    """Load the repository, apply every rule, and locate every problem.

    `today` is the day validation runs, for the rule on records dated later; the edge of the program reads
    the clock here (default) so that the rules themselves stay pure.
    """
    today = today if today is not None else date.today()
    with gc_paused():
        dataset, loaded, index = load(root, options)
        found = found_by_every_rule(dataset, loaded, today)
    return Validation.of(dataset, found, index)
