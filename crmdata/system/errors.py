"""The failures `crm` reports to a user, each carrying its exit code; `crmdata.cli.main.run` prints them.

Every command ends by returning (exit 0) or by raising: a `CrmError` (or one of its kinds), click's
UsageError for a command line that does not fit (exit 2), or `Stopped`. Only `run` ends the process, so
the exit codes are defined here, once, and nowhere else.

Anything else that escapes a command is a bug, and only that is reported as "internal error (please
report this)". A problem of the machine (a folder that cannot be written, a full disk, a busy port) is
not a bug: it is a `MachineError`, and an `OSError` that reaches `run` is treated as one.
"""

from __future__ import annotations

import errno
import signal
from enum import IntEnum


class ExitCode(IntEnum):
    """The contract's exit codes (site_builder/help/contract.md §4); a stop by signal N is 128 + N."""

    OK = 0
    """Clean (warnings allowed)."""
    INVALID = 1
    """The data has errors, or the machine refuses (a path that cannot be written, a busy port)."""
    USAGE = 2
    """A command line, file or revision that does not fit."""
    INTERNAL = 3
    """A bug: reported in one line, never as a traceback."""


class CrmError(Exception):
    """A failure the user can act on: one line for stderr, `prefix: message`, and the exit code.

    `prefix` is who speaks: `crm` for most commands, `crm diff` for the report that lands in a CI log,
    `Error` where the line follows click's own (the spreadsheet commands, whose usage errors click prints).
    `language` is crm.yaml's (`zh` or `en`) when the message was worded from the vocabulary: the line is then
    punctuated in that language too (`crm：…`); None for a message in English before any crm.yaml was read.
    """

    def __init__(
        self,
        message: str,
        exit_code: int = ExitCode.INVALID,
        *,
        prefix: str = "crm",
        language: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.prefix = prefix
        self.language = language


class MachineError(CrmError):
    """The machine, not the data or the program: a path that cannot be read or written, a busy port."""


class ReportedError(CrmError):
    """The command has printed what is wrong (the problems, its verdict): only the exit status is left."""

    def __init__(self, exit_code: int = ExitCode.INVALID) -> None:
        super().__init__("", exit_code)


_REASONS = {
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "already exists and is not a folder",  # what mkdir(exist_ok=True) means by it
}
"""The operating system's words where they puzzle: "Not a directory" for a/b when a is a file."""


def os_error_message(exc: OSError) -> str:
    """One line naming the path(s) and the operating system's reason, without Python's decorations."""
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    if exc.filename is None:
        return reason
    path = f"{exc.filename}"
    if exc.filename2 is not None:
        path = f"{path} -> {exc.filename2}"
    return f"{path}: {reason}"


class Stopped(BaseException):
    """Raised in the main thread when a stop signal (SIGTERM, SIGHUP) arrives, so every `finally` runs:
    worker processes are killed and scratch folders removed before `crm` ends. A BaseException, like
    KeyboardInterrupt, so no `except Exception` on the way can swallow it."""

    def __init__(self, signal_number: int) -> None:
        self.signal_number = signal_number
        super().__init__(f"stopped by {signal.Signals(signal_number).name}")

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, what a shell reports for a process the signal ended."""
        return signal_exit_code(self.signal_number)


def signal_exit_code(signal_number: int) -> int:
    """128 + the signal's number, what a shell reports for a process the signal ended (130 for Ctrl-C)."""
    return 128 + signal_number
