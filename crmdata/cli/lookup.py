"""CUSTOMER on the command line: an id, or what a person remembers of the name (a part, pinyin initials).

One rule for every command that takes a customer (`crm log`, `crm new … --customer`, `crm show`, and
the editing commands): an id (any case) names its customer; otherwise the text must name exactly one
customer by name or pinyin (crmdata.engine.find.the_one). More than one: the candidates are listed with
their ids and the command stops (exit 1) without writing anything; none: it says what was searched and
points at `crm find`.
"""

from __future__ import annotations

from crmdata.cli.common import clip, display_width, pad, team_name
from crmdata.cli.output import say
from crmdata.engine.brief_words import BRIEF_WORDS
from crmdata.engine.find import Match, MatchReason, find_customers, the_one
from crmdata.records.dataset import Dataset
from crmdata.records.models import Customer
from crmdata.system.errors import CrmError, ExitCode

NAMING_REASONS = frozenset(
    {MatchReason.ID, MatchReason.NAME, MatchReason.NAME_PREFIX, MatchReason.NAME_PART, MatchReason.PINYIN}
)
"""What may name the customer a command acts on: a tag or an industry is shared by design, and a guess
from one would write a record for whichever customer happened to be alone in it."""

MAX_CANDIDATES = 10
"""Candidates listed at most when the text is ambiguous; the rest are counted (crm find lists them all)."""


def naming_matches(dataset: Dataset, given: str) -> list[Match]:
    """The customers `given` could name (ids, names, pinyin), surest first."""
    return [match for match in find_customers(dataset, given) if match.reason in NAMING_REASONS]


def customer_argument(dataset: Dataset, given: str, language: str) -> Customer:
    """The customer `given` names: an id (any case), or a name part or pinyin matching one customer only.

    Ambiguous: the candidates (id, name, owner) are printed to stderr and a CrmError (exit 1) says to use
    the id. None: a CrmError (exit 2, a usage error as an unknown id always was) names what was searched
    and suggests `crm find`.
    """
    matches = naming_matches(dataset, given)
    chosen = the_one(matches)
    if chosen is not None:
        return chosen.customer
    if not matches:  # the argument names nothing: a usage error, as an unknown id always was (exit 2)
        message = BRIEF_WORDS.say("no_customer_matches", given=given).text(language)
        raise CrmError(message, ExitCode.USAGE, language=language)
    say(BRIEF_WORDS.say("candidates", given=given, count=len(matches)).text(language), err=True)
    shown = matches[:MAX_CANDIDATES]
    id_width = max(display_width(match.customer.id) for match in shown)
    for match in shown:
        customer = match.customer
        say(
            f"  {pad(customer.id, id_width)}  {clip(customer.name, 36)}  {team_name(dataset, customer.owner)}", err=True
        )
    if len(matches) > len(shown):
        say(BRIEF_WORDS.say("more_candidates", count=len(matches) - len(shown)).text(language), err=True)
    example = shown[0].customer.id
    raise CrmError(BRIEF_WORDS.say("ambiguous", given=given, example=example).text(language), language=language)
