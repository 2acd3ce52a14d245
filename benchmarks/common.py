"""Helpers shared by the benchmarks: a generated data set, and timing with peak memory of a process tree."""

from __future__ import annotations

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


def data_set(customers: int, interactions: int, root: Path | None = None) -> Path:
    """A generated repository, reused between runs when it already exists (generation takes a while)."""
    from crmdata.synth import generate

    target = root or Path(tempfile.gettempdir()) / f"crm-bench-{customers}-{interactions}"
    if not (target / "crm.yaml").exists():
        print(f"generating {customers:,} customers and {interactions:,} interactions into {target} ...", flush=True)
        generate(target, customers, interactions, seed=7, as_of=date(2026, 11, 24))
    return target


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB (Linux /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    exit_code: int


def measure(command: list[str]) -> Measured:
    """Run a command; wall time and the peak of the summed RSS of its process tree (sampled every 20 ms)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    exit_code = process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return Measured(seconds, peak / 1024, exit_code)
