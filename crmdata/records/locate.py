"""Turn each problem's loc into a line and column, reading again only the files with problems.

The fast path keeps no positions (that is what makes it fast), so a file with a problem is read a
second time by the precise reader, which knows where every key and value starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from crmdata.records.problems import Loc, Problem
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

    def locate(self, problem: Problem) -> Problem:
        """The problem with its line and column: the value's, or the key's for key problems.

        A loc that is not in the file (a missing field) points at the nearest enclosing entry.
        """
        if problem.line:
            return problem
        positions = self.positions(problem.file)
        loc: Loc = problem.loc
        while loc and loc not in positions:
            loc = loc[:-1]
        position = positions.get(loc)
        if position is None:
            return problem.at(1, 1)
        exact = loc == problem.loc
        if problem.at_key or not exact:
            return problem.at(position.key_line, position.key_column)
        return problem.at(position.line, position.column)


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
