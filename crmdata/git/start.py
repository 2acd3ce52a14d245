"""A new repository for `crm init`: is the folder inside one already, and `git init` with main."""

from __future__ import annotations

import subprocess
from pathlib import Path

from crmdata.git.gitrev import GitError, _git_env


def _git(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], stdin=subprocess.DEVNULL, capture_output=True, check=False, env=_git_env()
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH): crm init makes a git repository") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror}") from None


def enclosing_repository(folder: Path) -> Path | None:
    """The top of the git work tree `folder` (an existing folder) is in; None when it is in none."""
    result = _git(["-C", str(folder), "rev-parse", "--show-toplevel"])
    if result.returncode != 0:
        return None
    top = result.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(top) if top else None


def start_repository(folder: Path) -> None:
    """`git init` in `folder` with `main` as its first branch (set by symbolic-ref: any git version)."""
    for args in (["init", "--quiet", str(folder)], ["-C", str(folder), "symbolic-ref", "HEAD", "refs/heads/main"]):
        result = _git(args)
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip() or "git failed without a message"
            raise GitError(f"git {args[0] if args[0] != '-C' else args[2]} failed in {folder}: {message}")
