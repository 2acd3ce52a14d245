"""The failures `crm` reports to a user, each carrying its exit code; `crmdata.cli.run` prints them.

Anything else that escapes a command is a bug, and only that is reported as "internal error (please
report this)". A problem of the machine (a folder that cannot be written, a full disk, a busy port) is
not a bug: it is a `MachineError`, and an `OSError` that reaches `run` is treated as one.
"""

from __future__ import annotations

import errno
import signal

EXIT_INVALID = 1
"""The contract's exit code (site_builder/help/contract.md §4) for data with errors, also used for a problem
of the machine."""


class CrmError(Exception):
    """A failure the user can act on: one line for stderr, and the exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class MachineError(CrmError):
    """The machine, not the data or the program: a path that cannot be read or written, a busy port."""


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
        return 128 + self.signal_number
