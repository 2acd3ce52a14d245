"""Field types shared by the models.

Text fields are strict: YAML must have read the value as a string, so an unquoted phone number or `no`
is reported instead of silently becoming a number or a boolean. Dates accept YAML dates and quoted ISO
strings (what editors' YAML 1.2 tooling produces), never a datetime where a day is meant.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, Strict, StringConstraints, WithJsonSchema

from crmdata.records.problem_words import RECORD_PROBLEMS, said_error
from crmdata.records.vocabulary import Message

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"

RESERVED_WORDS: frozenset[str] = frozenset(
    ["index", "search", "assets", "404", "sitemap", "con", "prn", "aux", "nul"]
    + [f"{device}{n}" for device in ("com", "lpt") for n in range(1, 10)]
)
"""Contract §1 (site_builder/help/contract.md): never an id, a team key or a segment name, in any case.
The first five name pages and folders of the site (a customer `index` would replace the customer list);
the rest are device names Windows cannot check out as files, whatever their extension."""
_RESERVED_JSON_PATTERN = (
    "^(?:"
    + "|".join(
        sorted("".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word) for word in RESERVED_WORDS)
    )
    + ")$"
)
"""The same words for JSON Schema validators, case-insensitive without flags (ECMA regexes have no (?i))."""


def is_reserved(name: str) -> bool:
    """Whether `name` is one of RESERVED_WORDS, ignoring case."""
    return name.lower() in RESERVED_WORDS


def _not_reserved(value: str) -> str:
    if is_reserved(value):
        raise said_error("reserved_id", RECORD_PROBLEMS.say("reserved_word", value=repr(value)))
    return value


_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[ ]?(?:Z|z|[+-]\d{2}(?::?\d{2})?))?"
)
_SPACE_BEFORE_OFFSET = re.compile(r" (?=(?:Z|[+-]\d{2}(?::?\d{2})?)$)")
DATE_JSON_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_JSON_PATTERN = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([ ]?(Z|z|[+-]\d{2}(:?\d{2})?))?$"


def _parse_date_text(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise said_error("date_value", RECORD_PROBLEMS.say("not_real_date", value=value, reason=str(exc))) from exc


def _parse_datetime_text(value: str) -> datetime:
    text = _SPACE_BEFORE_OFFSET.sub("", value.replace("z", "Z"))  # "15:30 +08:00" -> "15:30+08:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise said_error("date_value", RECORD_PROBLEMS.say("not_real_datetime", value=value, reason=str(exc))) from exc


def to_date(value: Any) -> date:
    """A calendar day: a YAML date or a quoted YYYY-MM-DD; a datetime is refused, not truncated."""
    if isinstance(value, datetime):
        raise said_error("date_type", RECORD_PROBLEMS.say("date_not_datetime"))
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        return _parse_date_text(value)
    raise said_error("date_type", RECORD_PROBLEMS.say("not_date"))


def to_datetime(value: Any) -> datetime:
    """A moment: a YAML timestamp or ISO text such as 2024-02-20 15:30 or 2024-02-20T15:30:00+08:00."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATETIME_TEXT.fullmatch(value):
        return _parse_datetime_text(value)
    raise said_error("datetime_type", RECORD_PROBLEMS.say("not_datetime"))


def to_date_or_datetime(value: Any) -> date | datetime:
    """A day, or a day with the time of day when it is known."""
    if isinstance(value, date):  # datetime is a date too, and kept as it is
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        return _parse_date_text(value)
    if isinstance(value, str) and _DATETIME_TEXT.fullmatch(value):
        return _parse_datetime_text(value)
    raise said_error("date_type", RECORD_PROBLEMS.say("not_date_or_datetime"))


# --- what text may hold ----------------------------------------------------------------------------
# One rule for every text field of every record and of crm.yaml, whether it comes from YAML, a sheet
# or the command line: no control characters other than line breaks (LF, CR) and tabs (the others act on
# terminals and hide in reviews) and no bidi embeddings, overrides or isolates (they make text display
# in another order than it is stored: the "Trojan Source" trick). The rule is a regular expression so
# that pydantic checks it in its Rust core (no Python call per field: +45 ms on 100k records) and so
# that the JSON Schema carries it to editors.

_REFUSED = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069"
"""C0 controls but tab, line feed and carriage return; DEL; C1 controls; bidi embeddings and overrides
(U+202A..E) and isolates (U+2066..9). Line breaks and tabs are text; output shows them escaped where a
line must stay one line."""
TEXT_PATTERN = rf"^[^{_REFUSED}]*$"
NAME_PATTERN = rf"^[^{_REFUSED}]*[^{_REFUSED}\s][^{_REFUSED}]*$"
"""Text as TEXT_PATTERN, with something on it."""
_REFUSED_CHAR = re.compile(f"[{_REFUSED}]")
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL_NAMES = {
    0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC",
    0x7F: "DEL", 0x85: "NEL", 0x9B: "CSI", 0x9D: "OSC",
}  # fmt: skip


def describe_character(char: str) -> str:
    """U+001B (ESC), U+202E (RIGHT-TO-LEFT OVERRIDE): the code point first, the name when there is one."""
    code = ord(char)
    name = _CONTROL_NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X} ({name})" if name else f"U+{code:04X}"


def text_problem(text: str, *, short: bool = False) -> Message | None:
    """Why `text` may not be stored in a record (naming the first character at fault), or None.

    The one statement of the rule for messages: the models check the same with TEXT_PATTERN and
    NAME_PATTERN, and `crm new`/`crm log` check their options with this function. `short` leaves out
    the explanation (for a sentence that names the fault in passing: an unknown field's odd key).
    """
    found = _REFUSED_CHAR.search(text)
    if found is None:
        return None
    char = found.group()
    where = RECORD_PROBLEMS.say("char_at", character=describe_character(char), position=found.start() + 1)
    key = "char_bidi" if char in BIDI_CONTROLS else "char_control"
    return RECORD_PROBLEMS.say(f"{key}_short" if short else key, where=where)


Text = Annotated[str, Strict(), StringConstraints(pattern=TEXT_PATTERN)]
"""Free text; must be a YAML string; line breaks and tabs allowed, other control characters not."""

Name = Annotated[str, Strict(), StringConstraints(min_length=1, pattern=NAME_PATTERN)]
"""Text that must say something: names, topics, tasks."""

_ID_JSON_SCHEMA = {"type": "string", "pattern": ID_PATTERN, "not": {"pattern": _RESERVED_JSON_PATTERN}}

RecordId = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=ID_PATTERN),
    AfterValidator(_not_reserved),
    WithJsonSchema(_ID_JSON_SCHEMA),
]
"""A record id such as KH-2024001: ASCII so it is safe in file names and URLs, never a reserved word."""

OwnerId = RecordId
"""A key of `team` in crm.yaml: it names a page of the site too, so the same rules apply."""

Days = Annotated[int, Strict(), Field(ge=1, le=366)]
"""A number of days between contacts."""

NoticeDays = Annotated[int, Strict(), Field(ge=0, le=366)]
"""A number of days ahead (0: on the day itself), such as a contract's renewal notice."""

Percent = Annotated[int, Strict(), Field(ge=0, le=100)]
"""A whole percentage, 0..100."""


def to_amount(value: Any) -> int | float:
    """A sum of money: a YAML number (whole or with decimals), at least 0; never a bool, text, NaN or infinity.

    One validator instead of pydantic's `int | float` union, whose failures would be reported once per
    member of the union; the sentence says what an amount is.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise said_error("amount_type", RECORD_PROBLEMS.say("not_amount", found=_found(value)))
    if value < 0:
        raise said_error("amount_value", RECORD_PROBLEMS.say("negative_amount", value=value))
    return value


def _found(value: object) -> Message:
    """What YAML read a value as, in a few words (record_check has the full set; this one is for amounts)."""
    say = RECORD_PROBLEMS.say
    if value is None:
        return say("found_empty")
    if isinstance(value, bool):
        return say("found_boolean", value=str(value).lower())
    if isinstance(value, int | float):
        return say("found_number", value=value)
    if isinstance(value, str):
        return say("found_text", value=repr(value))
    if isinstance(value, date):
        return say("found_date")
    return say("found_list") if isinstance(value, list) else say("found_mapping")


Amount = Annotated[int | float, PlainValidator(to_amount), WithJsonSchema({"type": "number", "minimum": 0})]
"""A sum of money >= 0 in the record's currency; whole numbers stay ints (120000 is not shown as 120000.0)."""

CURRENCY_PATTERN = r"^[A-Z]{3}$"
DEFAULT_CURRENCY = "CNY"
"""The currency of amounts when neither the record nor crm.yaml says one."""


def _currency_code(value: str) -> str:
    if not re.fullmatch(CURRENCY_PATTERN, value):
        raise said_error("currency", RECORD_PROBLEMS.say("not_currency", value=repr(value)))
    return value


CurrencyCode = Annotated[
    str,
    Strict(),
    AfterValidator(_currency_code),
    WithJsonSchema({"type": "string", "pattern": CURRENCY_PATTERN}),
]
"""An ISO 4217 currency code: three capital letters (CNY, USD, EUR). The list of codes is not checked: it
changes, and a typo such as CNT reads as what it is in every amount shown."""

CalendarDate = Annotated[
    date, PlainValidator(to_date), WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_JSON_PATTERN})
]
DateTimeValue = Annotated[
    datetime, PlainValidator(to_datetime), WithJsonSchema({"type": "string", "pattern": DATETIME_JSON_PATTERN})
]
DateOrDateTime = Annotated[
    date | datetime,
    PlainValidator(to_date_or_datetime),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": DATE_JSON_PATTERN},
                {"type": "string", "pattern": DATETIME_JSON_PATTERN},
            ]
        }
    ),
]


def day_of(value: date | datetime) -> date:
    """The calendar day of a date or datetime (a datetime's own, local day)."""
    return value.date() if isinstance(value, datetime) else value
