"""The failures `crm` reports to a user, each carrying its exit code; `crmdata.cli.run` prints them."""

from __future__ import annotations

import signal


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
