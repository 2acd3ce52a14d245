"""The search index's parts are indexed by Pagefind children (site_builder.search.PartIndexing), side by side.

Side by side must change nothing in what is written, and a part that fails (or crm stopping meanwhile) must
leave no Pagefind running: the other children are killed and waited for before the error reaches the user.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import site_builder.plugin
import site_builder.search
from site_builder.search import MAIN, PartIndexing, SearchIndexError, grams, shard_names
from tests.conftest import DataRepo, file_digests, invoke_crm
from tests.test_site import AS_OF, write_small_crm

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


def _children() -> set[int]:
    """The processes this one started that are still there (running or not yet waited for)."""
    found: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(pid) for pid in text)
    return found


def _index_all(
    pages: Path, bundle: Path, at_once: int, progress: Callable[[int, int, int], None] | None = None
) -> tuple[int, int, list[str]]:
    """Every part at the end, as a build whose parts are never ready before it ends."""
    with PartIndexing(pages, bundle, PARTS, progress, at_once=at_once) as parts:
        return parts.finish()


def test_parts_indexed_side_by_side_write_what_one_at_a_time_writes(tmp_path: Path) -> None:
    pages = _index_pages(tmp_path)
    done: list[tuple[int, int, int]] = []
    one = _index_all(pages, tmp_path / "one" / "pagefind", 1)
    many = _index_all(pages, tmp_path / "many" / "pagefind", 3, lambda *step: done.append(step))
    assert one == many == (12, many[1], [])
    assert many[1] > 0
    assert file_digests(tmp_path / "one") == file_digests(tmp_path / "many")
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
        _index_all(pages, tmp_path / "site" / "pagefind", 3)
    assert _children() - before == set()
    assert time.monotonic() - started < 30  # the sleeping ones were killed, not waited out


def test_a_part_ready_again_after_a_late_page_is_indexed_again(tmp_path: Path) -> None:
    """A page of a part written after the part was indexed (which the plugin's counting should never let
    happen): the part is taken as not ready, and indexed again with the late page in it."""
    pages = _index_pages(tmp_path)
    bundle = tmp_path / "site" / "pagefind"
    with PartIndexing(pages, bundle, PARTS) as parts:
        parts.ready("s1")
        late = pages / "s1" / "late" / "index.html"
        late.parent.mkdir()
        late.write_text(
            '<!doctype html><html lang="unknown"><body><div data-pagefind-body>latecomer</div></body></html>\n',
            encoding="utf-8",
        )
        parts.forget("s1")
        indexed, _, reused = parts.finish()
    assert indexed == 13 and reused == []
    assert parts.counts["s1"][0] == 4


def test_a_big_site_indexes_its_parts_while_its_pages_are_still_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parts of one customer each: Pagefind starts on a part while other pages of the site are still to be
    written (the pages are written part by part, the rest first), and the search index is the same as when
    every part waits for the end."""
    repo = DataRepo(tmp_path / "crm")
    write_small_crm(repo)
    monkeypatch.setattr(site_builder.search, "SHARD_CUSTOMERS", 1)
    started: list[tuple[str, int]] = []
    start = site_builder.search.Indexers.start

    def start_and_count(indexers: object, name: str, site: Path, output: Path) -> None:
        building = output.parent if name == MAIN else output.parent.parent
        started.append((name, len(list(building.rglob("index.html")))))  # the pages written so far
        start(indexers, name, site, output)  # type: ignore[arg-type]

    monkeypatch.setattr(site_builder.search.Indexers, "start", start_and_count)
    built = invoke_crm("build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(tmp_path / "early"))
    assert built.returncode == 0, built.stderr
    pages = len(list((tmp_path / "early").rglob("index.html")))
    assert started[0][0] == MAIN and len(started) >= 3
    assert started[0][1] < pages  # the main part was being indexed while customer pages were still to come
    assert [written for _, written in started] == sorted(written for _, written in started)

    monkeypatch.setattr(site_builder.plugin.CrmPlugin, "_page_indexed", lambda self, part: None)
    shutil.rmtree(repo.root / ".crm-cache")
    at_the_end = invoke_crm("build", "--root", str(repo.root), "--as-of", AS_OF, "--out", str(tmp_path / "late"))
    assert at_the_end.returncode == 0, at_the_end.stderr
    assert file_digests(tmp_path / "early" / "pagefind") == file_digests(tmp_path / "late" / "pagefind")


@pytest.mark.parametrize(
    ("customers", "parts"),
    [(36, 0), (50, 0), (51, 2), (1000, 20), (1250, 25), (2500, 25), (10000, 25), (10001, 26), (20000, 50)],
)
def test_parts_are_small_while_few_and_never_above_pagefinds_memory(customers: int, parts: int) -> None:
    """An edit re-indexes one part: 50 customers while the parts are at most 25, 400 at most beyond."""
    assert len(shard_names(customers)) == parts
    if parts:
        assert customers / parts <= site_builder.search.SHARD_CUSTOMERS


def test_a_pagefind_started_by_crm_dies_when_crm_is_killed(tmp_path: Path) -> None:
    """SIGKILL gives crm no chance to stop its children: the kernel does it (dying_with_this_process), so no
    Pagefind runs on writing into the build folder crm left (the next build removes that folder)."""
    program = (
        "import subprocess, sys\n"
        "from crmdata.system.workers import dying_with_this_process\n"
        "child = subprocess.Popen(['sleep', '60'], preexec_fn=dying_with_this_process())\n"
        "print(child.pid, flush=True)\n"
        "child.wait()\n"
    )
    crm = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    assert crm.stdout is not None
    child = int(crm.stdout.readline())
    os.kill(crm.pid, signal.SIGKILL)
    crm.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and "Z" not in _state(child):
        assert time.monotonic() < deadline, "the child outlived its killed parent"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(f"[{_HAN}]+|[^\\s{_HAN}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+")


def _grams_by_the_rule(text: str) -> list[str]:
    """grams as its docstring says it, one pair at a time: Chinese runs as overlapping pairs (a single
    character alone), each "h" and five digits a character; other words as written, edges trimmed."""
    found: dict[str, None] = {}
    for token in _WORD.findall(text):
        if re.fullmatch(f"[{_HAN}]+", token):
            pairs = [token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)]
            for pair in pairs:
                found["h" + "".join(f"{ord(character):05d}" for character in pair)] = None
        elif re.search(r"\w", token):
            found[token.strip("()[]{}<>,;:!?\"'")] = None
    return list(found)


@given(st.lists(st.sampled_from([*"开户资料准备张明 ab-1,.，。：\n\t()", "KH-2024002", "jnyq", "\U00020000", "豈"])))
@settings(max_examples=400, deadline=None)
def test_the_index_words_follow_the_rule(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert grams(text) == _grams_by_the_rule(text)


def test_the_index_holds_chinese_as_coded_pairs() -> None:
    assert grams("张明") == ["h2435226126"]  # the docstring's example
    assert grams("张") == ["h24352"]
    assert len(grams("开户资料准备 KH-2024002")) == 6  # five pairs and the id
