"""Ids for new records: prefix, year, sequence (KH-2024001), never one that is taken.

Ids are unique ignoring case (contract §1), so taken ids are compared in lower case. The next id of a series is
one past the highest sequence already used in it, not the first gap: an id that was used once and then
deleted may still be named in old pull requests, commit messages and notes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from crmdata.records.load import RECORD_SUFFIX
from crmdata.records.models import IdOptions


class IdAllocator:
    """Hands out fresh ids of one kind (customer, interaction, plan, opportunity, contract) for a given year."""

    def __init__(
        self, prefix: str, options: IdOptions, taken: Iterable[str], *, shared: set[str] | None = None
    ) -> None:
        """`taken`: the ids in use. `shared`: a set of lower-case ids that several allocators use as theirs,
        so an id taken through one of them is taken for all (ids are unique across record types, contract
        §1); `taken` is added to it."""
        self.prefix = prefix
        self.options = options
        self.taken = shared if shared is not None else set()
        self.taken.update(record_id.lower() for record_id in taken)
        self._next_sequence: dict[str, int] = {}

    def _series(self, year: int) -> str:
        return f"{self.prefix}{year}" if self.options.year else self.prefix

    def next(self, year: int) -> str:
        """The next free id of the year's series, now marked as taken."""
        series = self._series(year)
        if series not in self._next_sequence:  # one scan per series, then counting on
            pattern = re.compile(re.escape(series.lower()) + r"(\d+)")
            used = (int(match.group(1)) for match in map(pattern.fullmatch, self.taken) if match)
            self._next_sequence[series] = max(used, default=0) + 1
        sequence = self._next_sequence[series]
        while f"{series}{sequence:0{self.options.digits}d}".lower() in self.taken:
            sequence += 1
        candidate = f"{series}{sequence:0{self.options.digits}d}"
        self.taken.add(candidate.lower())
        self._next_sequence[series] = sequence + 1
        return candidate

    def take(self, record_id: str) -> bool:
        """Mark an id given by the user as taken; False when it already was."""
        key = record_id.lower()
        if key in self.taken:
            return False
        self.taken.add(key)
        return True


def record_ids(root: Path, folder: str) -> Iterator[str]:
    """The ids (file stems) of every record file under one record folder (customers/, interactions/, plans/
    …): cheap, no parsing."""
    top = root / folder
    if not top.is_dir():
        return
    for _folder, _subfolders, files in os.walk(top):
        for name in files:
            if name.endswith(RECORD_SUFFIX) and not name.startswith("."):
                yield name[: -len(RECORD_SUFFIX)]
