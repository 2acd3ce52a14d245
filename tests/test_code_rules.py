"""Rules of the code itself that keep it one way: each checked by reading the source, so a new module
that breaks one fails here, with the place named."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent


def _modules(*folders: str) -> Iterator[tuple[Path, ast.Module]]:
    for folder in folders:
        for path in sorted((PACKAGE / folder).glob("**/*.py")):
            yield path.relative_to(PACKAGE), ast.parse(path.read_text(encoding="utf-8"))


def _enclosing_function(tree: ast.Module, target: ast.AST) -> str | None:
    for node in ast.walk(tree):
        is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_function and any(child is target for child in ast.walk(node)):
            return node.name  # the outermost: ast.walk visits outer functions first
    return None


WORKERS = Path("crmdata/system/workers.py")
"""A parsing worker whose parent is gone ends itself (os._exit): it is not crm, and has no one to tell."""


def test_only_run_ends_the_process() -> None:
    """A command ends by returning or raising (crmdata.system.errors, click's UsageError); only
    crmdata.cli.main.run turns that into an exit status, so every status and its message are decided there."""
    found = []
    for relative, tree in _modules("crmdata", "site_builder"):
        for node in ast.walk(tree):
            ends = False
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                ends = name in ("sys.exit", "exit", "quit") or name.endswith(".exit")
                ends = ends or (name == "os._exit" and relative != WORKERS)
            elif isinstance(node, ast.Raise) and node.exc is not None:
                ends = ast.unparse(node.exc).startswith("SystemExit")
            if ends and not (relative == Path("crmdata/cli/main.py") and _enclosing_function(tree, node) == "run"):
                found.append(f"{relative}:{getattr(node, 'lineno', '?')}: {ast.unparse(node)}")
    assert not found, "raise a CrmError (crmdata.system.errors) instead:\n" + "\n".join(found)


def test_exit_codes_are_defined_once() -> None:
    """The numbers live in crmdata.system.errors.ExitCode; a module of its own EXIT_* would drift."""
    found = []
    for relative, tree in _modules("crmdata", "site_builder"):
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                found += [f"{relative}: {n.id}" for n in names if isinstance(n, ast.Name) and n.id.startswith("EXIT_")]
    assert not found, "use crmdata.system.errors.ExitCode:\n" + "\n".join(found)


def _defined_names(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """The public names a module defines at its top level: classes, functions, constants, type aliases.
    Imports are not definitions: a name re-exported by a package's __init__ is the same thing."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name, node.lineno
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(name, ast.Name):
                        yield name.id, node.lineno


def test_each_public_name_means_one_thing() -> None:
    """`Status` for a follow-up and for an imported row, `as_json` for problems and for a diff: a reader
    (and an import) cannot tell which is meant. Every public name is defined in one module of crmdata."""
    where: dict[str, list[str]] = {}
    for relative, tree in _modules("crmdata"):
        for name, line in _defined_names(tree):
            if not name.startswith("_"):
                where.setdefault(name, []).append(f"{relative}:{line}")
    twice = {name: places for name, places in where.items() if len(places) > 1}
    assert not twice, "give one of each a name that says what it is:\n" + "\n".join(
        f"{name}: {', '.join(places)}" for name, places in sorted(twice.items())
    )
