"""The customer pages' change history reads `git log` once per HEAD: the log is kept, signed, in the cache
for the next `crm` (crmdata.git.history), and read again when HEAD moves or the kept file is not crm's."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmdata.git import history
from tests.conftest import valid_repo
from tests.test_site_history import commit, init_repository


def _counting_log(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Note each HEAD whose log git is asked for (the process's own memory of the last log emptied first)."""
    asked: list[str] = []
    real = history._log

    def counted(base: list[str], env: dict[str, str], head: str, skip: frozenset[str]):  # type: ignore[no-untyped-def]
        asked.append(head)
        return real(base, env, head, skip)

    monkeypatch.setattr(history, "_log", counted)
    history._last_log.clear()
    return asked


def test_the_log_of_a_head_is_read_once_and_kept_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = valid_repo(tmp_path / "crm")
    init_repository(repo.root)
    commit(repo.root, "start", author="张明", when="2026-03-01T09:00:00+08:00")
    repo.customer("KH-2")
    commit(repo.root, "KH-2", author="李红", when="2026-04-01T09:00:00+08:00")
    asked = _counting_log(monkeypatch)
    first = history.read_history(repo.root)
    assert len(asked) == 1 and first.available and "customers/KH-2.yaml" in first.commits_of

    history._last_log.clear()  # a new process
    again = history.read_history(repo.root)
    assert len(asked) == 1  # taken from the kept log
    assert again.commits_of == first.commits_of and again.commits == first.commits

    repo.customer("KH-3")
    commit(repo.root, "KH-3", author="张明", when="2026-05-01T09:00:00+08:00")
    history._last_log.clear()
    moved = history.read_history(repo.root)
    assert len(asked) == 2 and "customers/KH-3.yaml" in moved.commits_of  # HEAD moved: read again

    kept = repo.root / ".crm-cache" / "history-log" / "log.marshal"
    kept.write_bytes(kept.read_bytes()[:40] + b"planted")
    history._last_log.clear()
    assert history.read_history(repo.root).commits_of == moved.commits_of
    assert len(asked) == 3  # not crm's bytes: ignored, read again
