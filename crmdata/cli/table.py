"""Columns of terminal tables, as wide as their widest cell: Chinese text takes two columns a character
(`display_width`), and an id, an owner key or a day count is never cut or pushed out of line by its length."""

from __future__ import annotations

from collections.abc import Iterable

from crmdata.cli.common import display_width, pad
from crmdata.system.terminal_text import visible


def widest(cells: Iterable[str], at_least: int = 0) -> int:
    """The display width of a column holding `cells`, at least `at_least`."""
    return max([at_least, *(display_width(visible(cell)) for cell in cells)])


def right(text: str, columns: int) -> str:
    """Right-aligned in `columns` display columns (numbers)."""
    shown = visible(text)
    return " " * max(0, columns - display_width(shown)) + shown


__all__ = ["pad", "right", "widest"]
