"""Helpers shared by the benchmarks: a generated data set, and timing with peak memory of a process tree."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

CRM = Path(sys.executable).parent / "crm"


def size_parser(description: str | None, repeat: int = 3) -> argparse.ArgumentParser:
    """The arguments every data-set benchmark takes: its size, where the data lives, how many runs."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--root", type=Path, default=None, help="use (or generate into) this folder")
    parser.add_argument("--repeat", type=int, default=repeat, help="runs of each measurement; the best counts")
    return parser


def data_set(customers: int, interactions: int, root: Path | None = None) -> Path:
    """A generated repository, reused between runs when it already exists (generation takes a while)."""
    from tools.synth import build

    target = root or Path(tempfile.gettempdir()) / f"crm-bench-{customers}-{interactions}"
    # A set of our own made before plans, opportunities and contracts existed is made again (a folder named
    # by --root is the user's: used as it is).
    outdated = root is None and not (target / "contracts").is_dir()
    if not (target / "crm.yaml").exists() or outdated:
        print(f"generating {customers:,} customers and {interactions:,} interactions into {target} ...", flush=True)
        build(target, customers, interactions, seed=7, as_of=date(2026, 11, 24), clean=outdated)
    return target


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB (Linux /proc).

    A child running its parent's program (a forked worker, or any child between fork and exec: Python
    starts a subprocess that way) shares the parent's pages until either writes to them, and its RSS counts
    them all again: at 10,000 customers a sample taken while the build starts a Pagefind counted the build's
    660 MB twice. Such a child counts its private memory only (smaps_rollup), which is what it adds."""
    total = 0
    pending: list[tuple[int, str | None]] = [(pid, None)]
    while pending:
        current, parent_program = pending.pop()
        try:
            program = os.readlink(f"/proc/{current}/exe")
            total += _private_kb(current) if program == parent_program else _rss_kb(current)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pending.extend((int(child), program) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _private_kb(pid: int) -> int:
    """The pages only this process holds (written since it was forked, or its own)."""
    total = 0
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    exit_code: int


class TreePeak:
    """The peak summed RSS (kB) of a process and its children, sampled every 20 ms in a thread until stop():
    catches worker processes running side by side (a short spike between samples can be missed)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            time.sleep(0.02)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak_kb


def measure(command: list[str]) -> Measured:
    """Run a command; wall time and the peak of the summed RSS of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = TreePeak(process.pid)
    exit_code = process.wait()
    seconds = time.perf_counter() - started
    return Measured(seconds, peak.stop() / 1024, exit_code)
