"""Customers that look like one customer recorded twice: the same name once the legal form is left out
(`name_key`: 华星科技有限公司 = 华星科技集团), or a contact's phone in common (`phone_key`).

One rule for `crm validate` (a warning in the later file, naming the earlier one) and `crm new customer`
(a warning before the new file is written); `crm import` matches rows with the same two keys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from crmdata.records.load import LoadOptions, load
from crmdata.records.models import Customer
from crmdata.records.names import name_key, phone_key
from crmdata.records.privacy import mask_phone
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Loc, Place, Problem, warning
from crmdata.records.vocabulary import Message


@dataclass(frozen=True)
class Likeness:
    """One thing two customers share: `kind` (name or phone), the compared `key`, and where it is in each."""

    kind: str
    key: str
    loc: Loc
    other_loc: Loc

    def said(self) -> Message:
        """What they share, as the warning says it: the compared name, or the phone masked as on the site
        (the warning is shown there too)."""
        if self.kind == "name":
            return RECORD_PROBLEMS.say("same_name_key", key=self.key)
        return RECORD_PROBLEMS.say("same_phone_key", phone=mask_phone(self.key))


@dataclass(frozen=True)
class LikelyDuplicate:
    """`customer` looks like `earlier` (a customer already recorded), for `reasons` (at least one)."""

    customer: Customer
    earlier: Customer
    reasons: tuple[Likeness, ...]

    @property
    def loc(self) -> Loc:
        """Where the warning points in the customer's file: its name, or the phone in common."""
        return self.reasons[0].loc

    def message(self, earlier_file: str) -> Message:
        """The warning: the earlier customer's place (file:line once located), id and name, what they share,
        and the `crm merge` that joins them."""
        shared = self.reasons[0].said()
        for reason in self.reasons[1:]:
            shared = RECORD_PROBLEMS.say("shared_and", first=shared, second=reason.said())
        return RECORD_PROBLEMS.say(
            "likely_duplicate",
            other=Place(earlier_file, self.reasons[0].other_loc),
            id=self.earlier.id,
            name=self.earlier.name,
            shared=shared,
            this=self.customer.id,
        )


def _keys(customer: Customer) -> Iterator[tuple[str, str, Loc]]:
    """(kind, key, loc) of what a duplicate would share: the name's key, then each contact's phone key."""
    named = name_key(customer.name)
    if named:
        yield "name", named, ("name",)
    for index, contact in enumerate(customer.contacts):
        phone = phone_key(contact.phone) if contact.phone else None
        if phone is not None:
            yield "phone", phone, ("contacts", index, "phone")


def _pairs(customer: Customer, first: dict[tuple[str, str], tuple[Customer, Loc]]) -> list[LikelyDuplicate]:
    """The customers of `first` that `customer` resembles, in the order found, each with every reason
    (one per kind); `first` learns the keys it did not hold yet."""
    found: dict[int, tuple[Customer, list[Likeness]]] = {}
    for kind, key, loc in _keys(customer):
        earlier, other_loc = first.setdefault((kind, key), (customer, loc))
        if earlier is customer or earlier.id.casefold() == customer.id.casefold():
            continue  # one id in two files is an error already (ids_are_unique): nothing more to say
        reasons = found.setdefault(id(earlier), (earlier, []))[1]
        if all(reason.kind != kind for reason in reasons):
            reasons.append(Likeness(kind, key, loc, other_loc))
    return [LikelyDuplicate(customer, earlier, tuple(reasons)) for earlier, reasons in found.values()]


def likely_duplicates(customers: Iterable[Customer], file_of: Callable[[Customer], str]) -> Iterator[LikelyDuplicate]:
    """Each customer that shares a name key or a phone key with an earlier one (files in path order).

    A customer is paired with the first of those holding each key, so a pair is named once (in the later
    file) and three customers of one name make two pairs, not three: enough to see all of them.
    """
    first: dict[tuple[str, str], tuple[Customer, Loc]] = {}
    for customer in sorted(customers, key=file_of):
        yield from _pairs(customer, first)


def duplicates_of(
    new: Customer, existing: Iterable[Customer], file_of: Callable[[Customer], str]
) -> list[LikelyDuplicate]:
    """The customers already recorded that a new customer looks like (`crm new customer`), in file order."""
    first: dict[tuple[str, str], tuple[Customer, Loc]] = {}
    for customer in sorted(existing, key=file_of):
        for kind, key, loc in _keys(customer):
            first.setdefault((kind, key), (customer, loc))
    return _pairs(new, first)


def warnings_for_new(root: Path, new: Customer, path: str) -> list[Problem]:
    """`crm new customer`'s warnings: the repository's customers the new one (to be written at `path`)
    looks like, each located as `crm validate` would (the earlier record's file:line)."""
    dataset, _problems, index = load(root, LoadOptions())
    pairs = duplicates_of(new, dataset.customers, dataset.file_of)
    return [index.locate(warning(path, pair.message(dataset.file_of(pair.earlier)), pair.loc)) for pair in pairs]
