"""Finding customers by what a person remembers of them: an id, a part of the name, pinyin initials, a tag,
an industry, a contact's name, or (internal use only) a phone number. Pure: (dataset, text) -> matches.

Each match says why it matched (`MatchReason`), and the matches are ranked by how sure the match is: an exact id
before an exact name before a name that starts with the text, and so on down to a tag or an industry. A
person typing `华星` or `hxkj` at `crm log` expects 华星科技有限公司; typing `KH-2024001` expects that
customer and nothing else.

Names are compared twice: NFKC and case-folded as written (`ａ科技` = `A科技`), and in the duplicate rule's
form (crmdata.records.names.name_key: punctuation, spaces and legal forms left out), so `A科技有限公司`
finds `A科技` and the other way round.

Pinyin is computed only when the text could be pinyin (ASCII letters only) and only for names with Chinese
characters in them, per call: a repository of 10,000 customers is read in well under a second (see
benchmarks/issue14_find.py). Every reading of a character with several (重 zhong/chong) is accepted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cache

from crmdata.records.dataset import Dataset
from crmdata.records.models import Customer
from crmdata.records.names import name_key, phone_key


class MatchReason(IntEnum):
    """Why a customer matched; the lower the value, the surer the match (the order of the ranking)."""

    ID = 0
    NAME = 1
    NAME_PREFIX = 2
    NAME_PART = 3
    PINYIN = 4
    CONTACT = 5
    TAG = 6
    INDUSTRY = 7
    PHONE = 8

    @property
    def key(self) -> str:
        """The reason as scripts read it (JSON), and as the catalogue words it: `name_prefix`."""
        return self.name.lower()


@dataclass(frozen=True)
class Match:
    """One customer found, the surest reason it was found for, and the text that matched (a tag, a contact)."""

    customer: Customer
    reason: MatchReason
    matched: str
    """What matched: the name, the pinyin (hxkj), the tag, the industry, the contact's name; for a phone
    only the digits typed (the number itself is private)."""


_PINYIN_TEXT = re.compile(r"[a-z]+")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def folded(text: str) -> str:
    """Text as compared: NFKC (full-width letters are letters), case-folded, outer spaces dropped."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def find_customers(dataset: Dataset, text: str, *, internal: bool = False) -> list[Match]:
    """Every customer `text` matches, surest first (then by id); each with its best reason.

    A phone number is matched only when `internal` is true: a published or shared output must not let
    anyone test which number belongs to whom.
    """
    query = folded(text)
    if not query:
        return []
    key = name_key(text)
    digits = _phone_digits(text) if internal else None
    spelled = query.replace(" ", "")
    pinyin_query = len(spelled) >= 2 and _PINYIN_TEXT.fullmatch(spelled) is not None
    found = []
    for customer in dataset.customers:
        match = _best(customer, query, key, digits, pinyin_query)
        if match is not None:
            found.append(match)
    return sorted(found, key=lambda match: (match.reason, match.customer.id))


def _best(customer: Customer, query: str, key: str, digits: str | None, pinyin_query: bool) -> Match | None:
    """The surest reason `customer` matches, or None; reasons are tried surest first."""
    for reason, matched in _reasons(customer, query, key, digits, pinyin_query):
        return Match(customer, reason, matched)
    return None


_PHONE_TEXT = re.compile(r"[\d\s+()\-]+")
MIN_PHONE_DIGITS = 4
"""Digits of a phone number a search needs at least: fewer would match half the numbers on file."""


def _phone_digits(text: str) -> str | None:
    """The digits to look for in phone numbers, when `text` looks like (a part of) one: the whole number
    as compared for duplicates (+86 and the trunk 0 left out), or a run of at least 4 digits."""
    if not _PHONE_TEXT.fullmatch(text.strip()):
        return None
    whole = phone_key(text)
    if whole is not None:
        return whole
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def _reasons(
    customer: Customer, query: str, key: str, digits: str | None, pinyin: bool
) -> Iterator[tuple[MatchReason, str]]:
    if customer.id.casefold() == query:
        yield MatchReason.ID, customer.id
    name = folded(customer.name)
    customer_key = name_key(customer.name)
    if name == query or (key and customer_key == key):
        yield MatchReason.NAME, customer.name
    if name.startswith(query) or (key and customer_key.startswith(key)):
        yield MatchReason.NAME_PREFIX, customer.name
    if query in name or (key and key in customer_key):
        yield MatchReason.NAME_PART, customer.name
    if pinyin and _HAN.search(customer.name):
        spelled = _pinyin_match(customer.name, query.replace(" ", ""))
        if spelled is not None:
            yield MatchReason.PINYIN, spelled
    for contact in customer.contacts:
        if query in folded(contact.name):
            yield MatchReason.CONTACT, contact.name
    for tag in customer.tags:
        if query in folded(tag):
            yield MatchReason.TAG, tag
    if customer.industry is not None and query in folded(customer.industry):
        yield MatchReason.INDUSTRY, customer.industry
    if digits is not None:
        for contact in customer.contacts:
            if contact.phone is not None and digits in (phone_key(contact.phone) or ""):
                yield MatchReason.PHONE, digits


def _pinyin_match(name: str, query: str) -> str | None:
    """The name's pinyin as the query spelled it (hxkj, huaxing, huaxkj), or None when it does not.

    Each syllable may be typed whole (hua) or by its initial (h), the last one typed may be cut short
    (huax), and the spelling may start at any syllable: `hxkj` finds 深圳市华星科技. A character with
    several readings (重: zhong, chong) matches by any of them. Letters and digits in the name count as a
    syllable each run (A科技: a k j)."""
    syllables = _syllables(name)
    for start in range(len(syllables)):
        if _spells(syllables, start, query):
            return query
    return None


def _spells(syllables: tuple[tuple[str, ...], ...], start: int, query: str) -> bool:
    """Whether `query` spells the syllables from `start` on (the rules of _pinyin_match)."""
    typed = {0}  # how much of the query the syllables so far can account for
    for readings in syllables[start:]:
        further = set()
        for done in typed:
            rest = query[done:]
            for reading in readings:
                if reading.startswith(rest):
                    return True
                if rest.startswith(reading):
                    further.add(done + len(reading))
                if rest[0] == reading[0]:
                    further.add(done + 1)
        if not further:
            return False
        typed = further
    return False


def _syllables(name: str) -> tuple[tuple[str, ...], ...]:
    """The readings of each syllable of `name`: a Chinese character's pinyin readings, a run of letters or
    digits as written; punctuation and spaces left out."""
    found: list[tuple[str, ...]] = []
    for run in _SYLLABLE_RUNS.findall(folded(name)):
        if _HAN.match(run):
            found.extend(readings for readings in map(_readings, run) if readings)
        else:
            found.append((run,))
    return tuple(found)


_SYLLABLE_RUNS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[0-9a-z]+")


@cache
def _readings(char: str) -> tuple[str, ...]:
    """Every pinyin reading of one Chinese character, without tones (绿: lv, lu). Cached by character: a
    repository's names share a few thousand characters, so 10,000 names cost a few thousand look-ups."""
    from pypinyin import Style, pinyin  # imported here: 0.2 s that only a pinyin search needs

    readings = [reading for group in pinyin(char, style=Style.NORMAL, heteronym=True) for reading in group]
    spelled = [reading.casefold() for reading in readings if reading.isascii() and reading.isalpha()]
    with_u = [reading.replace("v", "u") for reading in spelled if "v" in reading]  # lv is also typed lu
    return tuple(dict.fromkeys(spelled + with_u))


def the_one(matches: list[Match]) -> Match | None:
    """The customer a person named, when the matches (ranked) leave no doubt; None when they do.

    An id or an exact name names one customer even when the text is part of other names too (`A科技`
    when `A科技发展` exists as well); otherwise the text must match one customer only. A name prefix that
    is unique among several part matches is not enough: `crm log` writes a record for the customer it
    picks, and a guess written to the wrong customer is worse than a question.
    """
    for sure in (MatchReason.ID, MatchReason.NAME):
        exact = [match for match in matches if match.reason is sure]
        if len(exact) == 1:
            return exact[0]
        if exact:
            return None
    return matches[0] if len(matches) == 1 else None
