"""Problems found in the data: values, never exceptions.

Loading and validation return problems instead of raising, so one run can report everything that is
wrong (beancount's `ValidationError`, mkdocs' config errors). A problem first names *where* as a
`loc` path inside a file (``("contacts", 0, "phone")``); `crmdata.records.locate` later turns that path into a
1-based line and column, re-reading only the files that have problems.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

Loc = tuple[str | int, ...]


class Severity(StrEnum):
    """How bad a problem is: errors fail `crm validate`, warnings are reported and pass."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file.

    `loc` is the path of keys and list indexes to the offending value; `at_key` says whether the key
    (unknown or duplicate field) or the value (wrong type) is the thing to point at. `raw` is filled in
    by `locate` with the value as written in the file, for messages that quote it back to the user.
    """

    file: str
    message: str
    loc: Loc = ()
    severity: Severity = Severity.ERROR
    at_key: bool = False
    line: int = 0
    column: int = 0

    @property
    def field(self) -> str:
        """The dotted field path a user reads: ``contacts[0].phone``."""
        return format_loc(self.loc)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

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


def error(file: str, message: str, loc: Loc = (), *, at_key: bool = False) -> Problem:
    return Problem(file=file, message=message, loc=loc, at_key=at_key)


def warning(file: str, message: str, loc: Loc = (), *, at_key: bool = False) -> Problem:
    return Problem(file=file, message=message, loc=loc, severity=Severity.WARNING, at_key=at_key)
