"""The search index's parts are indexed side by side (site_builder.search.index_parts), each by a Pagefind child.

Side by side must change nothing in what is written, and a part that fails (or crm stopping meanwhile) must
leave no Pagefind running: the other children are killed and waited for before the error reaches the user.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

import site_builder.search
from site_builder.search import MAIN, SearchIndexError, index_parts

PARTS = ["s0", "s1", "s2"]


def _index_pages(root: Path) -> Path:
    """A folder of index pages: the main part and three shards, a few pages each, with their own words."""
    pages = root / "pages"
    for part in [MAIN, *PARTS]:
        for number in range(3):
            page = pages / part / f"p{number}" / "index.html"
            page.parent.mkdir(parents=True)
            page.write_text(
                f'<!doctype html><html lang="unknown"><body><div data-pagefind-body>{part} page{number} '
                f"word{part}{number}</div></body></html>\n",
                encoding="utf-8",
            )
    return pages


def _tree(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _children() -> set[int]:
    """The processes this one started that are still there (running or not yet waited for)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(pid) for pid in text)
    return found


def test_parts_indexed_side_by_side_write_what_one_at_a_time_writes(tmp_path: Path) -> None:
    pages = _index_pages(tmp_path)
    done: list[tuple[int, int, int]] = []
    one = index_parts(pages, tmp_path / "one" / "pagefind", PARTS, at_once=1)
    many = index_parts(pages, tmp_path / "many" / "pagefind", PARTS, lambda *step: done.append(step), at_once=3)
    assert one == many == (12, many[1], [])
    assert many[1] > 0
    assert _tree(tmp_path / "one") == _tree(tmp_path / "many")
    assert sorted(step[0] for step in done) == [1, 2, 3, 4]  # each part once, counted in the order they end
    assert {step[1] for step in done} == {4}
    shard = {path.suffix for path in (tmp_path / "many" / "pagefind" / "s1").iterdir() if path.is_file()}
    main = {path.suffix for path in (tmp_path / "many" / "pagefind").iterdir() if path.is_file()}
    assert {".js", ".css", ".wasm"} & main and not {".js", ".css", ".wasm"} & shard  # the browser runs main's code


def test_a_failing_part_stops_the_others_and_leaves_no_pagefind_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Pagefind stand-in that fails on one part and takes its time on the others, which are still running
    when the failure is seen: they are killed, not left behind, and the error says what Pagefind printed."""
    pages = _index_pages(tmp_path)
    stand_in = tmp_path / "pagefind"
    stand_in.write_text(
        '#!/bin/sh\ncase "$*" in *pages/s1*) echo "Error: cannot index s1"; exit 3;; esac\nexec sleep 60\n',
        encoding="utf-8",
    )
    stand_in.chmod(0o755)
    monkeypatch.setattr(site_builder.search, "executable", lambda: stand_in)
    before = _children()
    started = time.monotonic()
    with pytest.raises(SearchIndexError, match="cannot index s1"):
        index_parts(pages, tmp_path / "site" / "pagefind", PARTS, at_once=3)
    assert _children() - before == set()
    assert time.monotonic() - started < 30  # the sleeping ones were killed, not waited out
