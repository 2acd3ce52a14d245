"""The customers claimed in turns by the build and its page worker (site_builder.claims): each once, by one of
them, whichever is free."""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.synchronize import Event
from pathlib import Path

from site_builder.claims import Claims


def _claim_into(claims: Claims, count: int, path: str, parent_claimed: Event, child_claimed: Event) -> None:
    assert parent_claimed.wait(timeout=60)
    with open(path, "w", encoding="utf-8") as out:
        for number in claims.numbers(count):
            out.write(f"{number}\n")
            child_claimed.set()


def test_two_processes_claim_every_number_once_between_them(tmp_path: Path) -> None:
    """The two take turns from the one counter: each number is claimed once, by one of them. Each waits for the
    other's first claim (two events), so that both take some whatever the machine's load (started on a busy
    machine, the child once found every number claimed)."""
    claims = Claims(3)
    count = 2_000
    child_file = tmp_path / "child"
    context = multiprocessing.get_context("fork")
    parent_claimed, child_claimed = context.Event(), context.Event()
    child = context.Process(target=_claim_into, args=(claims, count, str(child_file), parent_claimed, child_claimed))
    child.start()  # forked after the counter is made: they share it
    mine = []
    for number in claims.numbers(count):
        mine.append(number)
        if len(mine) == 1:
            parent_claimed.set()
            assert child_claimed.wait(timeout=60)
        time.sleep(0.0005)  # the build rendering a page: the child claims its share meanwhile
    child.join(timeout=60)
    assert child.exitcode == 0
    theirs = [int(line) for line in child_file.read_text(encoding="utf-8").split()]
    assert sorted(mine + theirs) == list(range(count))  # every number, once
    assert mine and theirs  # both took some (3 at a time, 2,000 numbers)
    assert list(claims.numbers(count)) == []  # nothing left to claim


def test_a_claim_is_a_run_of_chunk_numbers_and_the_last_one_is_cut_at_the_count() -> None:
    claims = Claims(4)
    assert list(claims.numbers(10)) == list(range(10))
    assert list(Claims(4).numbers(0)) == []
