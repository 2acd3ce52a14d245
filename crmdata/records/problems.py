"""Problems found in the data: values, never exceptions.

Loading and validation return problems instead of raising, so one run can report everything that is
wrong (beancount's `ValidationError`, mkdocs' config errors). A problem first names *where* as a
`loc` path inside a file (``("contacts", 0, "phone")``); `crmdata.records.locate` later turns that path into a
1-based line and column, re-reading only the files that have problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from crmdata.records.vocabulary import Message

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """Another place a problem names (the record it duplicates): a file and a loc in it, shown as
    `file:line` once `crmdata.records.locate` has read the file's positions, as the problem's own place is.

    A rule sees records, not lines; so it names the place and the locating step words it."""

    file: str
    loc: Loc = ()
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Severity(StrEnum):
    """How bad a problem is: errors fail `crm validate`, warnings are reported and pass."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file.

    `loc` is the path of keys and list indexes to the offending value; `at_key` says whether the key
    (unknown or duplicate field) or the value (wrong type) is the thing to point at.

    `said` is the sentence from a catalogue, worded in the reader's language by `text(language)`;
    `message` is its English wording (what sorting, de-duplication and the tests compare).
    """

    file: str
    message: str
    loc: Loc = ()
    severity: Severity = Severity.ERROR
    at_key: bool = False
    line: int = 0
    column: int = 0
    said: Message | None = field(default=None, compare=False)

    @property
    def field(self) -> str:
        """The dotted field path a user reads: ``contacts[0].phone``."""
        return format_loc(self.loc)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def code(self) -> str:
        """The catalogue key of the sentence (`no_customer`): stable for scripts whatever the language."""
        return self.said.key if self.said is not None else ""

    def text(self, language: object) -> str:
        """The message in `language` (crm.yaml's: zh or en)."""
        return self.said.text(language) if self.said is not None else self.message

    def at(self, line: int, column: int) -> Problem:
        return replace(self, line=line, column=column)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.message)


def format_loc(loc: Loc) -> str:
    """Render a loc path the way YAML users think of it: ``todos[1].due``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def error(file: str, message: Message, loc: Loc = (), *, at_key: bool = False) -> Problem:
    """An error at `loc` of `file`; `message` from a catalogue (`RECORD_PROBLEMS.say(...)`)."""
    return _problem(file, message, loc, Severity.ERROR, at_key)


def warning(file: str, message: Message, loc: Loc = (), *, at_key: bool = False) -> Problem:
    """A warning at `loc` of `file`; `message` from a catalogue (`RECORD_PROBLEMS.say(...)`)."""
    return _problem(file, message, loc, Severity.WARNING, at_key)


def _problem(file: str, message: str | Message, loc: Loc, severity: Severity, at_key: bool) -> Problem:
    """`error` and `warning` take only a Message, so mypy refuses English text in the code; tests may
    still pass a plain string to see how a renderer treats any text."""
    said = message if isinstance(message, Message) else None
    return Problem(file=file, message=str(message), loc=loc, severity=severity, at_key=at_key, said=said)
