"""Benchmark finding customers (issue 14): pinyin is computed per call, for the customers only.

Loads a generated repository (tools/synth.py, as the other benchmarks) once, then times
crmdata.engine.find.find_customers in this process for a name part, pinyin initials (the first search
pays for the pinyin of every character: cold, then warm), full pinyin and a tag; and `crm find` as a user
runs it (a process of its own, warm parse cache). Prints figures; asserts nothing; not part of the tests.

    python benchmarks/issue14_find.py                      # 1k and 10k customers
    python benchmarks/issue14_find.py --sizes 10000 --interactions 20000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import CRM, data_set, measure

QUERIES = (("name part", "科技"), ("pinyin initials", "hxkj"), ("full pinyin", "huaxing"), ("tag", "ERP"))


def _best(seconds: list[float]) -> str:
    return f"{min(seconds) * 1000:8.1f} ms"


def run(customers: int, interactions: int, repeat: int) -> None:
    from crmdata.engine import find
    from crmdata.records.load import LoadOptions, load

    root = data_set(customers, interactions)
    dataset, _, _ = load(root, LoadOptions())
    find._readings.cache_clear()
    print(f"\n{len(dataset.customers):,} customers ({root})")
    started = time.perf_counter()
    found = find.find_customers(dataset, "hxkj")
    print(f"  {'pinyin initials, cold':24} {(time.perf_counter() - started) * 1000:8.1f} ms  ({len(found)} found)")
    for label, text in QUERIES:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            found = find.find_customers(dataset, text)
            times.append(time.perf_counter() - started)
        print(f"  {label + ', warm':24} {_best(times)}  ({len(found)} found)")
    runs = [measure([str(CRM), "find", "hxkj", "--root", str(root)]) for _ in range(repeat)]
    best = min(runs, key=lambda run: run.seconds)
    print(f"  {'crm find hxkj (process)':24} {best.seconds * 1000:8.1f} ms  peak {best.peak_mb:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--interactions", type=int, default=None, help="default: 10 per customer")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    for size in arguments.sizes:
        run(size, arguments.interactions or size * 10, arguments.repeat)


if __name__ == "__main__":
    main()
