"""Benchmark crm's start-up (issue 16 item 1): `crm --help`, `crm due` and `crm validate`, one process each.

Each figure is printed beside its references measured in the same run: `python -c pass` (the
interpreter alone) and `import crmdata.cli.main` (what every command pays before parsing its options).
With --before REV the same commands also run on the code of a git revision (extracted with git archive
into a temporary folder and put first on PYTHONPATH, the same interpreter and packages), side by side.

Timings are the best of --repeat runs, wall clock and CPU (user + system) of the process; on a shared
machine the wall figure is an upper bound and CPU time the steadier one. Bytecode is written on a first
run and used after (as pip does on install), even where PYTHONDONTWRITEBYTECODE is set.
Prints figures; asserts nothing; not part of the tests.

    python benchmarks/startup.py
    python benchmarks/startup.py --before main --repeat 21
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import CRM  # noqa: E402 (after the path above)

AS_OF = "2026-11-24"
RUN_CRM = "import sys; sys.argv[0] = 'crm'; from crmdata.cli.main import run; run()"
"""What the console script does, from whichever tree PYTHONPATH names first."""


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def best_of(command: list[str], env: dict[str, str], repeat: int, cwd: Path | None = None) -> Timing:
    """The best wall and the best CPU time of `repeat` runs (after one unmeasured run that writes bytecode)."""
    subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = cpu = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
        wall = min(wall, elapsed)
        cpu = min(cpu, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return Timing(wall, cpu)


def repositories(folder: Path) -> dict[str, Path]:
    """An empty repository (`crm init`), a small one (5 customers, 20 conversations), and the demo."""
    from tools.synth import build

    empty = folder / "empty"
    subprocess.run([str(CRM), "init", str(empty), "--team", "ming=张明"], check=True, capture_output=True)
    small = folder / "small"
    build(small, 5, 20, seed=7, as_of=date.fromisoformat(AS_OF), clean=False)
    return {"empty": empty, "small": small, "demo": ROOT}


def extracted(revision: str, folder: Path) -> Path:
    """The crmdata package of `revision`, written into `folder` (which goes first on PYTHONPATH)."""
    archive = subprocess.run(["git", "archive", revision, "crmdata"], cwd=ROOT, check=True, capture_output=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15, help="runs of each measurement; the best counts")
    parser.add_argument("--before", default=None, help="a git revision to compare with (e.g. main)")
    args = parser.parse_args()

    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory(prefix="crm-startup-") as temporary:
        repos = repositories(Path(temporary))
        trees = {"now": ROOT}
        if args.before:
            trees[args.before] = extracted(args.before, Path(temporary) / "before")
        python = [sys.executable, "-P"]  # -P: not the working folder first on sys.path, PYTHONPATH decides
        commands: list[tuple[str, list[str], Path | None]] = [
            ("python -c pass", [*python, "-c", "pass"], None),
            ("import crmdata.cli.main", [*python, "-c", "import crmdata.cli.main"], None),
            ("crm --help", [*python, "-c", RUN_CRM, "--help"], None),
            ("crm due (empty)", [*python, "-c", RUN_CRM, "due"], repos["empty"]),
            ("crm due (small)", [*python, "-c", RUN_CRM, "due", "--as-of", AS_OF], repos["small"]),
            ("crm validate (small)", [*python, "-c", RUN_CRM, "validate"], repos["small"]),
            ("crm validate (demo)", [*python, "-c", RUN_CRM, "validate"], repos["demo"]),
        ]
        print(f"best of {args.repeat} runs, wall / CPU seconds; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")  # fmt: skip
        header = f"{'':24s}" + "".join(f"{name:>22s}" for name in trees)
        print(header)
        for label, command, cwd in commands:
            row = f"{label:24s}"
            for tree in trees.values():
                timing = best_of(command, {**env, "PYTHONPATH": str(tree)}, args.repeat, cwd)
                row += f"{timing.wall:>12.3f} / {timing.cpu:.3f}"
            print(row, flush=True)
        installed = best_of([str(CRM), "--help"], env, args.repeat)
        print(f"{'installed crm --help':24s}{installed.wall:>12.3f} / {installed.cpu:.3f}")
        installed = best_of([str(CRM), "due"], env, args.repeat, repos["empty"])
        print(f"{'installed crm due':24s}{installed.wall:>12.3f} / {installed.cpu:.3f}   (empty repository)")


if __name__ == "__main__":
    main()
