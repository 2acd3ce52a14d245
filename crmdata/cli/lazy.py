"""Commands loaded when they are used: `crm --help` and `crm due` do not import the site, the sheets or git.

Every command module imports what its command needs (pydantic models, the engine, mkdocs, openpyxl…);
importing them all to run one took a quarter of a second before any command started. The group names
each command with the module that defines it and the one-line summary `crm --help` shows, and imports
the module the first time the command itself is asked for (to run it, to show its own --help, or to
walk the tree as the command reference does). This is click's documented way to load subcommands
lazily (a group whose `list_commands` names them and whose `get_command` imports on demand); here the
group's `commands` mapping itself is lazy, so everything that reads `group.commands` keeps working.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import click
from click.shell_completion import CompletionItem

from crmdata.cli.output import EscapingGroup


@dataclass(frozen=True)
class LazyCommand:
    """Where a command is defined, and the summary shown for it before it is imported.

    `summary` is the first paragraph of the command's docstring (tests/test_startup.py checks that the
    two agree, so `crm --help` reads the same whether or not the command was loaded).
    """

    module: str
    attribute: str
    summary: str


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's name → command mapping whose commands are imported when first looked up.

    Iterating gives the names without importing anything; `mapping[name]` (and `.get`, `.items()`…)
    imports the command's module once. Commands added with `add_command` are kept as they are.
    """

    def __init__(self, entries: Mapping[str, LazyCommand]) -> None:
        self.entries = dict(entries)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            entry = self.entries[name]  # KeyError for an unknown name, as a dict would
            command = getattr(importlib.import_module(entry.module), entry.attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{entry.module}.{entry.attribute} is not a click command")
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        found = name in self.entries or name in self._loaded
        self.entries.pop(name, None)
        self._loaded.pop(name, None)
        if not found:
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        yield from self.entries
        yield from (name for name in self._loaded if name not in self.entries)

    def __len__(self) -> int:
        return len(self.entries.keys() | self._loaded.keys())

    def __contains__(self, name: object) -> bool:
        return name in self.entries or name in self._loaded

    def is_loaded(self, name: str) -> bool:
        return name in self._loaded

    def summary(self, name: str, limit: int) -> str:
        """The command's one-line help as click shortens it, from the loaded command when there is one."""
        if name in self._loaded or name not in self.entries:
            return self[name].get_short_help_str(limit)
        return click.Command(name, help=self.entries[name].summary).get_short_help_str(limit)


class LazyGroup(EscapingGroup):
    """A command group over `LazyCommands`: help and completion of command names read the summaries,
    running (or asking for the --help of) a command imports it."""

    commands: LazyCommands

    def __init__(self, name: str | None = None, *, commands: LazyCommands, **attributes: Any) -> None:
        super().__init__(name, commands, **attributes)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's own layout (Group.format_commands) with each summary from the registry."""
        names = [name for name in self.list_commands(ctx) if not self._hidden(name)]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.commands.summary(name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """Command names with their summaries, without importing the commands (click's would)."""
        names = [name for name in self.list_commands(ctx) if name.startswith(incomplete) and not self._hidden(name)]
        found = [CompletionItem(name, help=self.commands.summary(name, 45)) for name in names]
        return found + click.Command.shell_complete(self, ctx, incomplete)

    def _hidden(self, name: str) -> bool:
        """A loaded command marked hidden stays out of help and completion, as in click (registered ones
        are never hidden)."""
        return self.commands.is_loaded(name) and self.commands[name].hidden
