"""A problem of the machine (a path that cannot be written, a busy port) is one clear line and exit 1,
never "internal error (please report this)", which is kept for bugs in `crm` itself.

Tests may run as root, which ignores permission bits, so the paths here fail for everyone: a path
through a regular file (ENOTDIR), a folder where a file is (EEXIST), a path inside /proc.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from tests.conftest import CrmRun, DataRepo, invoke_crm, run_crm

AS_OF = "2026-11-24"


def assert_machine_error(
    result_args: tuple[str, ...], expected: str, code: int = 1, run: Callable[..., CrmRun] = invoke_crm
) -> None:
    """`crm *result_args` ends with exit `code` and exactly `expected` as its last line on stderr.

    A file where crm must make a folder is refused before anything is written (safe_paths), exit 2."""
    result = run(*result_args)
    assert "internal error" not in result.stderr, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    assert result.stderr.strip().splitlines()[-1] == expected


def test_schema_into_a_path_through_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes").write_text("a file, not a folder\n", encoding="utf-8")
    out = tmp_path / "notes" / "schemas"
    assert_machine_error(
        ("schema", "--out", str(out)),
        f"crm: {tmp_path / 'notes'} is a file, not a folder: remove it or choose another path",
        2,
    )


def test_schema_into_proc(tmp_path: Path) -> None:
    assert_machine_error(("schema", "--out", "/proc/crm-schemas"), "crm: /proc/crm-schemas: No such file or directory")


def test_calendar_into_a_path_through_a_file(repo: DataRepo) -> None:
    (repo.root / "feeds").write_text("a file, not a folder\n", encoding="utf-8")
    out = repo.root / "feeds" / "due.ics"
    assert_machine_error(
        ("calendar", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(out)),
        f"crm: {repo.root / 'feeds'} is a file, not a folder: remove it or choose another path",
        2,
    )


def test_build_into_a_path_through_a_file(repo: DataRepo) -> None:
    (repo.root / "public").write_text("a file, not a folder\n", encoding="utf-8")
    out = repo.root / "public" / "site"
    assert_machine_error(
        ("build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(out)),
        f"crm: {repo.root / 'public'} is a file, not a folder: remove it or choose another path",
        2,
    )


def test_serve_on_a_busy_port(repo: DataRepo) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert_machine_error(
            ("serve", "--root", str(repo.root), "--dev-addr", f"127.0.0.1:{port}"),
            f"crm: port {port} is in use on 127.0.0.1; choose another with --dev-addr 127.0.0.1:PORT",
            run=run_crm,  # a server of its own, were the port check to let it through
        )
