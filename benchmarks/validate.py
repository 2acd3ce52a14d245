"""Benchmark `crm validate` against a bare single-process libyaml parse of the same files.

Goals (issue #2): a cold run (no cache) within 1.2x of the bare parse; a warm run (cache present, one
file changed) within 0.3x of it; peak memory (all processes) under 1 GB. Prints figures; asserts nothing.

    python benchmarks/validate.py                      # 10k customers + 100k interactions
    python benchmarks/validate.py --customers 1000 --interactions 10000
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, data_set, measure


def bare_parse_seconds(root: Path) -> tuple[float, int]:
    """Read and parse every record with CSafeLoader in one process: the floor any YAML tool pays."""
    paths = [
        os.path.join(folder, name)
        for folder, _, names in os.walk(root)
        if ".crm-cache" not in folder
        for name in names
        if name.endswith(".yaml")
    ]
    started = time.perf_counter()
    for path in paths:
        with open(path, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started, len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--root", type=Path, default=None, help="use (or generate into) this folder")
    args = parser.parse_args()

    root = data_set(args.customers, args.interactions, args.root)
    command = [str(CRM), "validate", "--root", str(root), "--format", "json"]
    bare, files = bare_parse_seconds(root)
    print(f"files: {files:,}   cores: {os.cpu_count()}")
    print(f"bare CSafeLoader parse, 1 process : {bare:6.2f} s")

    shutil.rmtree(root / ".crm-cache", ignore_errors=True)
    cold = measure(command)
    print(
        f"crm validate, cold (no cache)     : {cold.seconds:6.2f} s  = {cold.seconds / bare:.2f}x bare "
        f"(goal <= 1.20x)  peak {cold.peak_mb:,.0f} MB  exit {cold.exit_code}"
    )

    changed = next((root / "interactions").rglob("*.yaml"))
    original = changed.read_bytes()
    try:
        changed.write_bytes(original.replace(b"topic: ", b"topic: (edited) ", 1))
        warm = measure(command)
    finally:
        changed.write_bytes(original)
    print(
        f"crm validate, warm (1 file edited): {warm.seconds:6.2f} s  = {warm.seconds / bare:.2f}x bare "
        f"(goal <= 0.30x)  peak {warm.peak_mb:,.0f} MB  exit {warm.exit_code}"
    )
    peak = max(cold.peak_mb, warm.peak_mb)
    print(f"peak memory, all processes        : {peak:6.0f} MB (goal < 1024 MB)")


if __name__ == "__main__":
    main()
