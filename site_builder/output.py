"""The published site's folder: replaced as a whole once the new site is complete, never emptied first.

mkdocs builds by emptying site_dir and writing into it, so a build killed midway would leave no site at
all, and an --out naming a user's folder (or a link to one) would lose its files. `crm build` instead
has mkdocs write into a new folder beside the output (`.<name>.crm-build-<random>`) and, only when that
site is complete, swaps the two in one step (Linux renameat2 RENAME_EXCHANGE; elsewhere two renames,
whose gap the next build repairs), then deletes the previous site. So at every moment the output is the
previous site or the new one, whole.

Instead of deleting it, the previous site is moved into the repository's cache (spare_of), and the next build
builds in it: the plugin keeps the files still current (hard links to the published site's files) and removes
everything else before mkdocs writes (site_builder.reuse.sweep). Making a folder for every page and deleting
them all again cost more than the rest of a build after a one-record edit where the disk discards freed
blocks (1,500 folders: 0.7 s of 2.9 s at 1,000 customers on this project's test machine).

A folder is only ever replaced when crm wrote it: it holds MARKER (written into every site crm builds),
or it is empty, or it does not exist yet. Anything else, and a link, is refused with a message. The
plugin applies the same rule to a plain `mkdocs build`, whose own cleaning would otherwise empty
whatever site_dir names.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from pathlib import Path

from crmdata.records.cache import cache_folder
from crmdata.system.safe_paths import (
    UnsafePathError,
    exchange,
    is_link,
    output_folder,
    read_own_file,
    remove_tree,
    write_file,
)

MARKER = ".crm-site"
MARKER_TEXT = b"This folder is a site written by crm build (crm-as-code): the next build replaces it as a whole.\n"
_BUILDING = ".crm-build-"
"""A new site being built, or an old one being deleted: a leftover of a killed build is removed."""
_SPARE = "spare-"
"""The site a build replaced, kept in the cache (spare_of) for the next build to recycle."""
_PREVIOUS = ".crm-previous-"
"""The previous site, moved aside for a moment where folders cannot be swapped in one step: a leftover is
put back when the output is missing (the build was killed between its two renames)."""


_LEGACY_SIGNS = ("assets/crm.js", "assets/crm.css", "sitemap.xml")
"""Files every site of a crm from before MARKER holds (regular files, not links), with an index.html that
mkdocs generated: such a folder is that site, and the first build with MARKER may replace it."""


def is_crm_site(folder: Path) -> bool:
    """Whether `folder` holds a site crm built (its marker is a regular file, not a link)."""
    return read_own_file(folder / MARKER) is not None or _is_legacy_crm_site(folder)


def _is_legacy_crm_site(folder: Path) -> bool:
    """A site an earlier crm built, before sites carried MARKER (e.g. the site/ of an existing clone)."""
    if any(read_own_file(folder / sign) is None for sign in _LEGACY_SIGNS):
        return False
    index = read_own_file(folder / "index.html")
    return index is not None and b'<meta name="generator" content="mkdocs-' in index[:20000]


def check_replaceable(folder: Path) -> None:
    """Raise UnsafePathError unless `folder` may be replaced: missing, empty, or a site crm built."""
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        return
    if is_link(status):
        raise UnsafePathError(
            folder,
            f"{folder} is a symbolic link: crm replaces its output folder as a whole and never builds through "
            "a link; give the folder itself",
        )
    if not stat.S_ISDIR(status.st_mode):
        raise UnsafePathError(folder, f"{folder} is not a folder: choose another output folder")
    if is_crm_site(folder):
        return
    with os.scandir(folder) as entries:
        if next(entries, None) is None:
            return
    raise UnsafePathError(
        folder,
        f"{folder} is not a site crm built (it has no {MARKER}) and it holds other files: crm replaces its "
        "output folder as a whole, so it never writes into this one; choose a new or empty folder, or "
        "delete this one first",
    )


def mark(folder: Path) -> None:
    """Write the marker that lets the next build replace `folder`."""
    write_file(folder / MARKER, MARKER_TEXT)


def _siblings(out: Path, kind: str) -> list[Path]:
    prefix = f".{out.name}{kind}"
    with os.scandir(out.parent) as entries:
        return sorted(Path(entry.path) for entry in entries if entry.name.startswith(prefix))


def _recover(out: Path) -> None:
    """Undo what a killed build left beside `out`: the previous site is put back if `out` is missing, and
    half-built or half-deleted sites are removed."""
    for previous in _siblings(out, _PREVIOUS):
        status = os.lstat(previous)
        if not os.path.lexists(out) and stat.S_ISDIR(status.st_mode) and not is_link(status) and is_crm_site(previous):
            os.rename(previous, out)
        else:
            remove_tree(previous)
    for leftover in _siblings(out, _BUILDING):
        remove_tree(leftover)


def spare_of(root: Path, out: Path) -> Path:
    """Where the site that a build of `out` replaced waits for the next build of `out`, in the repository's
    cache (named by the output's path, as site_builder.reuse names its manifest)."""
    where = hashlib.blake2b(str(out).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_folder(root, "site") / f"{_SPARE}{where}"


def prepare(out: Path, anchor: Path, spare: Path | None = None) -> tuple[Path, Path]:
    """(the output folder as an absolute path, a folder beside it for mkdocs to build into).

    `anchor` is the repository: below it no link is followed on the way to `out` (output_folder). The
    output must be replaceable (check_replaceable); nothing is written when it is not. The folder is new
    and empty, or, when `spare` holds the site replaced last time (publish), that site moved here: the
    plugin then keeps what is current of it and removes the rest before mkdocs writes
    (site_builder.reuse.sweep), which costs far less than making every page's folder again.
    """
    target = Path(os.path.abspath(out))
    if target.parent == target:
        raise UnsafePathError(target, f"{target} cannot be an output folder")
    parent = output_folder(target.parent, anchor)
    _recover(target)
    check_replaceable(target)
    while True:
        building = parent / f".{target.name}{_BUILDING}{secrets.token_hex(4)}"
        if os.path.lexists(building):
            continue
        if spare is not None and _is_folder(spare):
            try:
                os.rename(spare, building)  # from now on a killed build removes it as a leftover
                return target, building
            except OSError:  # another file system (an --out elsewhere): a new folder instead
                remove_tree(spare)
        try:
            os.mkdir(building)  # not mkdtemp: the site keeps the usual permissions for a web server
            return target, building
        except FileExistsError:
            continue


def _is_folder(path: Path) -> bool:
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and not is_link(status)


def publish(building: Path, out: Path, spare: Path | None = None) -> None:
    """Put the complete site in `building` in the place of `out`, then delete the previous site, or with
    `spare` keep it there for the next build (prepare), when it can be moved there.

    An OSError means the output was not touched (the previous site, if any, is still there)."""
    mark(building)
    check_replaceable(out)  # again: the build took a while
    if not os.path.lexists(out):
        os.rename(building, out)
        return
    if exchange(building, out):
        _keep_or_remove(building, spare)  # now the previous site
        return
    token = secrets.token_hex(4)
    previous = out.parent / f".{out.name}{_PREVIOUS}{token}"
    os.rename(out, previous)
    try:
        os.rename(building, out)
    except OSError:
        os.rename(previous, out)
        raise
    doomed = out.parent / f".{out.name}{_BUILDING}{token}"
    os.rename(previous, doomed)  # from now on a killed build removes it instead of putting it back
    _keep_or_remove(doomed, spare)


def _keep_or_remove(previous: Path, spare: Path | None) -> None:
    """The previous site, once the new one is in place: moved to `spare` for the next build to recycle,
    else (no spare, or another file system) deleted."""
    if spare is not None:
        with contextlib.suppress(OSError):
            remove_tree(spare)  # a spare the last build did not take (it failed before prepare)
            os.rename(previous, spare)
            return
    _remove_quietly(previous)


def _remove_quietly(folder: Path) -> None:
    """Delete a previous site once the new one is in place; what cannot be deleted now, the next build
    deletes (it is named as a leftover)."""
    with contextlib.suppress(OSError):
        remove_tree(folder)
