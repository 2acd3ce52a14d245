"""The folder the generated pages are written to before mkdocs reads them.

It lives in the repository's .crm-cache (ignored by git) and persists between builds: a file is rewritten
only when its content changed, so its modification time tells `mkdocs serve --dirty` exactly which pages
to render again after a one-record edit. Files no longer generated are removed.

The cache is crm's own, but a pull request can commit links into it: every folder is made through
`crmdata.system.safe_paths` (a link where a folder belongs is replaced, never followed), every file is written
by a rename that replaces a link instead of writing through it, and pruning unlinks links without
entering them, so nothing outside the staging folder is ever written or deleted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Container
from pathlib import Path

from crmdata.records.cache import cache_folder
from crmdata.system.safe_paths import make_folders, read_own_file, write_file

Identity = tuple[int, int, int]
"""A regular file's (size, modification time in ns, inode): changes whenever the file is rewritten, which a
staged file always is (a rename of a new file), so a build can tell a file it wrote from one it left."""


def identity(path: Path | str) -> Identity | None:
    """The file's identity, or None when it is missing or not a regular file (a link is never vouched for)."""
    return identity_of(status(path))


def status(path: Path | str) -> os.stat_result | None:
    """The status of `path` itself (a link's, never its target's); None when there is nothing to look at."""
    try:
        return os.lstat(path)
    except OSError:
        return None


def identity_of(found: os.stat_result | None) -> Identity | None:
    """identity() from a status already taken."""
    if found is None or not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


class Staging:
    """Write-if-changed into one folder of the cache; `prune()` removes what this build did not write."""

    def __init__(self, root: Path, name: str) -> None:
        self.folder = cache_folder(root, f"site/{name}")
        self.written: set[str] = set()
        self.rewritten: set[str] = set()
        """The files this build wrote anew (their content changed)."""
        self._folders: set[str] = {""}
        """Folders below `folder` made (or checked) by this build: each is looked at once."""

    def write(self, relative: str, content: str | bytes) -> Path:
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = self.folder / relative
        self.written.add(relative)
        parent = relative.rpartition("/")[0]
        if parent not in self._folders:
            make_folders(self.folder, parent, replace=True)
            self._folders.add(parent)
        try:
            status = os.lstat(path)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISREG(status.st_mode) and status.st_size == len(data) and read_own_file(path) == data:
                return path
        write_file(path, data)
        self.rewritten.add(relative)
        return path

    @property
    def changed(self) -> int:
        """How many files this build wrote anew."""
        return len(self.rewritten)

    def keep(self, relative: str) -> bool:
        """Count a file of an earlier build as written by this one without rewriting it (its content is known
        to be current); False when it is not there as a plain file, and then the caller must write it."""
        if identity(os.path.join(self.folder, relative)) is None:
            return False
        self.written.add(relative)
        return True

    def prune(self, under: str = "", left: list[tuple[str, Identity | None]] | None = None) -> int:
        """Delete files of earlier builds that this build did not write (only in the folder `under`, when
        given); returns how many. With `left`, the files left there and their identities (None for anything
        but a regular file) are added to it, paths relative to `under`, from the same look at the folder (a
        search index part's digest, site_builder.reuse.digest_of, without walking it twice)."""
        if not under:
            return remove_unkept(self.folder, self.written, "", left)
        folder = self.folder / under
        if identity(folder) is not None or not folder.is_dir() or folder.is_symlink():
            return 0
        return remove_unkept(folder, self.written, under + "/", left, len(under) + 1)


def remove_unkept(
    folder: Path,
    keep: Container[str],
    prefix: str = "",
    left: list[tuple[str, Identity | None]] | None = None,
    inside: int = 0,
) -> int:
    """Delete every file below `folder` (a link too: never followed, its target untouched) whose path, `prefix`
    and its path inside `folder`, is not in `keep`, and every folder below `folder` that this leaves empty;
    returns how many files. With `left`, each file kept and its identity are added to it, its path from
    character `inside` on. The one walk of a staging folder's pruning and of a recycled build folder's sweep
    (site_builder.reuse.sweep)."""
    return _remove_unkept(folder, keep, prefix, left, inside)[0]


def _remove_unkept(
    folder: Path | str, keep: Container[str], prefix: str, left: list[tuple[str, Identity | None]] | None, inside: int
) -> tuple[int, bool]:
    """remove_unkept, and whether `folder` is left empty."""
    removed = 0
    with os.scandir(folder) as entries:
        listed = list(entries)
    remaining = len(listed)
    for entry in listed:
        relative = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            count, empty = _remove_unkept(entry.path, keep, relative + "/", left, inside)
            removed += count
            if empty:
                os.rmdir(entry.path)
                remaining -= 1
        elif relative not in keep:
            os.unlink(entry.path)
            removed += 1
            remaining -= 1
        elif left is not None:
            left.append((relative[inside:], identity(entry.path)))
    return removed, remaining == 0
