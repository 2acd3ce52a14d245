"""Start-up: a command imports what it uses, and nothing else (issue 16 item 1).

The installed `crm` is run as a user runs it, with Python's import log on (PYTHONPROFILEIMPORTTIME):
the modules it names are the modules that command paid for before doing anything. No timing here
(benchmarks/startup.py measures); what is checked is which code loads, which decides the time.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import click

from crmdata.cli.lazy import LazyCommands
from tests.conftest import DataRepo, run_crm

NEVER_AT_START = (
    "mkdocs",
    "matplotlib",
    "openpyxl",
    "jinja2",
    "jieba",
    "pypinyin",
    "ruamel",
    "site_builder",
    "crmdata.sheets",
    "crmdata.git",
    "crmdata.notify",
)
"""The site, the spreadsheets, git and the notifications: code no command that reads records may load
unless it is that command's own work."""

NOT_FOR_HELP = (*NEVER_AT_START, "pydantic", "yaml", "crmdata.records", "crmdata.engine", "importlib.metadata")
"""`crm --help` reads no record: no models, no YAML, no engine, no package metadata."""


def imported_by(*args: str, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the installed `crm` with Python's import log on; the run and every module it imported."""
    result = run_crm(*args, cwd=cwd, env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", result.stderr, re.MULTILINE))
    assert "crmdata.cli.main" in modules, "the import log is missing: " + result.stderr[-500:]
    return result, modules


def loaded(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The modules in `modules` that are one of `packages` or inside one."""
    return sorted(name for name in modules if any(name == p or name.startswith(p + ".") for p in packages))


def test_help_imports_no_command() -> None:
    result, modules = imported_by("--help")
    assert result.returncode == 0
    assert "due" in result.stdout and "validate" in result.stdout
    assert not loaded(modules, NOT_FOR_HELP), "crm --help imported " + ", ".join(loaded(modules, NOT_FOR_HELP))
    command_modules = {entry.module for entry in _registry().entries.values()}
    assert not modules & command_modules, f"crm --help imported the command modules {sorted(modules & command_modules)}"


def test_daily_commands_load_no_site_sheet_or_git_code(repo: DataRepo) -> None:
    daily = (("due",), ("validate",), ("due", "--format", "json"), ("find", "KH-2024001"), ("show", "KH-2024001"))
    for args in daily:
        result, modules = imported_by(*args, "--root", str(repo.root))
        assert result.returncode == 0, result.stderr[-2000:]
        assert not loaded(modules, NEVER_AT_START), f"crm {' '.join(args)} imported " + ", ".join(
            loaded(modules, NEVER_AT_START)
        )


def test_shell_completion_of_command_names_imports_no_command() -> None:
    env = {**os.environ, "_CRM_COMPLETE": "bash_complete", "COMP_WORDS": "crm d", "COMP_CWORD": "1"}
    result = run_crm(env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["plain,diff", "plain,done", "plain,due"]
    modules = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", result.stderr, re.MULTILINE))
    assert not loaded(modules, NOT_FOR_HELP), ", ".join(loaded(modules, NOT_FOR_HELP))


def test_help_reads_the_same_whether_or_not_the_commands_are_loaded() -> None:
    """The registry's summaries are what click shows from the commands themselves (both in a process
    of their own, at the same width)."""
    env = {**os.environ, "COLUMNS": "100"}
    lazy = run_crm("--help", env=env)
    every_command_loaded = "from crmdata.cli.main import COMMANDS, run; list(COMMANDS.values()); run()"
    loaded_first = subprocess.run(
        [sys.executable, "-c", every_command_loaded, "--help"], env=env, capture_output=True, text=True, check=False
    )
    assert lazy.returncode == loaded_first.returncode == 0, loaded_first.stderr
    assert lazy.stdout == loaded_first.stdout.replace("Usage: -c", "Usage: crm", 1)


def test_each_summary_is_the_first_paragraph_of_its_command_help() -> None:
    registry = _registry()
    for name, entry in registry.entries.items():
        command = registry[name]
        assert command.name == name, f"{entry.module}.{entry.attribute} is `crm {command.name}`, registered as {name}"
        first = inspect.cleandoc(command.help or "").split("\n\n", 1)[0]
        assert " ".join(entry.summary.split()) == " ".join(first.split()), f"crm {name}: summary differs from --help"


def test_every_command_of_the_cli_is_registered() -> None:
    """A command defined in crmdata/cli but missing from the registry would be unreachable."""
    import importlib
    import pkgutil

    import crmdata.cli
    from crmdata.cli.main import main

    registry = _registry()
    reachable = {id(main)} | {id(command) for command in registry.values()}
    for command in list(registry.values()):
        if isinstance(command, click.Group):
            reachable |= {id(sub) for sub in command.commands.values()}
    for module_info in pkgutil.iter_modules(crmdata.cli.__path__):
        module = importlib.import_module(f"crmdata.cli.{module_info.name}")
        for attribute, value in vars(module).items():
            defined_here = getattr(value, "callback", None) is not None and value.callback.__module__ == module.__name__
            if isinstance(value, click.Command) and defined_here:
                assert id(value) in reachable, f"crmdata.cli.{module_info.name}.{attribute} is not in crm's registry"


def test_an_unknown_command_is_a_usage_error_without_a_traceback() -> None:
    result = run_crm("nosuch")
    assert result.returncode == 2
    assert "nosuch" in result.stderr and "Traceback" not in result.stderr


def _registry() -> LazyCommands:
    from crmdata.cli.main import COMMANDS

    return COMMANDS
