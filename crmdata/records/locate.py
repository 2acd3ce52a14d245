"""Turn each problem's loc into a line and column, reading again only the files with problems.

The fast path keeps no positions (that is what makes it fast), so a file with a problem is read a
second time by the precise reader, which knows where every key and value starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from crmdata.records.problems import Loc, Place, Problem
from crmdata.records.vocabulary import Message
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES, Position, check_bytes, parse_precise


class PositionIndex:
    """Positions of keys and values per file, computed on first request."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._files: dict[str, dict[Loc, Position]] = {}

    def positions(self, path: str) -> dict[Loc, Position]:
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def _read(self, path: str) -> dict[Loc, Position]:
        try:
            raw = (self.root / path).read_bytes()
        except OSError:
            return {}
        checked, _ = check_bytes(raw, path, self.max_bytes)
        if checked is None:
            return {}
        return parse_precise(checked, path).positions or {}

    def line_and_column(self, file: str, wanted: Loc, at_key: bool = False) -> tuple[int, int]:
        """Where `wanted` is in `file`: the value's line and column, or the key's for key problems.

        A loc that is not in the file (a missing field) points at the nearest enclosing entry; 1, 1 when
        the file has no positions (unreadable)."""
        positions = self.positions(file)
        loc: Loc = wanted
        while loc and loc not in positions:
            loc = loc[:-1]
        position = positions.get(loc)
        if position is None:
            return 1, 1
        if at_key or loc != wanted:
            return position.key_line, position.key_column
        return position.line, position.column

    def locate(self, problem: Problem) -> Problem:
        """The problem with its line and column, and the other places its sentence names (`Place`) with theirs."""
        if not problem.line:
            problem = problem.at(*self.line_and_column(problem.file, problem.loc, problem.at_key))
        return self._places_located(problem)

    def _places_located(self, problem: Problem) -> Problem:
        said = problem.said
        if said is None or not any(isinstance(value, Place) and not value.line for _, value in said.values):
            return problem
        values = tuple(
            (
                name,
                replace(value, line=self.line_and_column(value.file, value.loc)[0])
                if isinstance(value, Place)
                else value,
            )
            for name, value in said.values
        )
        located = Message(said.key, said.word, values)
        return replace(problem, said=located, message=str(located))


def locate_all(problems: Iterable[Problem], index: PositionIndex) -> list[Problem]:
    """Every problem located, one per place and message, in file and line order."""
    seen: set[tuple[str, int, int, str]] = set()
    located: list[Problem] = []
    for problem in problems:
        placed = index.locate(problem)
        key = (placed.file, placed.line, placed.column, placed.message)
        if key not in seen:
            seen.add(key)
            located.append(placed)
    return sorted(located, key=Problem.sort_key)
