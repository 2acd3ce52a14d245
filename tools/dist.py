"""The release files: the wheel and the sdist of the checkout, built with the installed (locked) setuptools.

`make dist` runs it; tests/test_release.py builds a wheel the same way and installs it in a fresh
virtual environment outside the checkout. Nothing is downloaded: setuptools' own PEP 517 backend is
called directly, in the running interpreter's environment (no isolated build environment).

    python -m tools.dist --out dist
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

_BUILD = (
    "import sys\n"
    "from setuptools import build_meta\n"
    "print('BUILT', getattr(build_meta, sys.argv[2])(sys.argv[1]))\n"
)
"""One PEP 517 hook in a child process: setuptools keeps state between hooks (an sdist built after a
wheel in the same process lands in the wrong folder), and it builds the project in the current folder."""


def build(source: Path, out: Path, kinds: tuple[str, ...] = ("wheel", "sdist")) -> list[Path]:
    """Build `kinds` (wheel, sdist) of the project at `source` into `out`; returns the files made."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for kind in kinds:
        done = subprocess.run(
            [sys.executable, "-c", _BUILD, str(out), f"build_{kind}"],
            cwd=source,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"building the {kind} failed:\n{done.stdout}\n{done.stderr}")
        built = next(line for line in reversed(done.stdout.splitlines()) if line.startswith("BUILT "))
        made.append(out / built.removeprefix("BUILT "))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("dist"), help="folder for the wheel and the sdist")
    arguments = parser.parse_args()
    for path in build(Path.cwd(), arguments.out):
        sys.stdout.write(f"{path} ({path.stat().st_size:,} bytes)\n")


if __name__ == "__main__":
    main()
