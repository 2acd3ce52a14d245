"""The previous site's files that are still current, so a build after a small edit redoes only what changed.

mkdocs converts and renders every page on every build: 10,000 customer pages for a one-line edit. What a
page's HTML depends on is its staged Markdown (the plugin rewrites that file only when its text changes,
site_builder.staging) and what every page shares: the configuration mkdocs renders with (site name, theme,
the footer's data date, the navigation, the extensions), the hand-written pages whose titles are in the
navigation, and the code of crm, mkdocs, the theme and Pagefind. The last build that was completed leaves a
manifest in the cache: that shared key, and for each file of the site the identity of its source and of the
file it became (size, modification time in nanoseconds, inode). A file is reused when both are unchanged —
the source was not rewritten and nobody touched the built file — and the shared key is the same; anything
else is built again. The search index is reused part by part (site_builder.search) the same way: a part
whose index pages are all unchanged keeps its bundle.

The manifest is written only after a build is complete (for `crm build`, after the new site replaced the
output), so a killed build never vouches for files it did not finish. Reused files are hard links from the
previous output into the new folder `crm build` builds in: nothing is copied, and a file that changed is
written as a new file, never through the link (the previous site stays whole until it is replaced). The
folder built in is the site replaced last time when there is one (site_builder.output), swept first. An
encrypted site (sealed in place, with a fresh salt) and material's built-in search (whose index needs
every page) are always built whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from crmdata.records.cache import cache_folder
from crmdata.system.safe_paths import make_folders, read_own_file, write_file
from site_builder.staging import Identity, identity, remove_unkept

MANIFEST_VERSION = 1


def tree_digest(folder: Path) -> str:
    """A digest of the identities of every file below `folder` (with their paths): equal exactly when no file
    was added, removed or rewritten."""
    return digest_of(_walk(folder, ""))


def digest_of(files: Iterable[tuple[str, Identity | None]]) -> str:
    """tree_digest of a folder whose files (path inside it, identity) are `files`."""
    digest = hashlib.blake2b(digest_size=16)
    for relative, found in sorted(files):
        digest.update(f"{relative}\0{found}\0".encode())
    return digest.hexdigest()


def _walk(folder: Path, prefix: str) -> Iterator[tuple[str, Identity | None]]:
    try:
        with os.scandir(folder) as entries:
            listed = list(entries)
    except FileNotFoundError:
        return
    for entry in listed:
        relative = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), relative + "/")
        else:
            yield relative, identity(entry.path)


@dataclass
class Manifest:
    """What the last completed build left: where, with which shared key, and each file's two identities."""

    output: str
    site_key: str
    files: dict[str, tuple[Identity, Identity]] = field(default_factory=dict)
    """dest path in the site → (identity of its source, identity of the built file)."""
    parts: dict[str, str] = field(default_factory=dict)
    """search index part → tree_digest of its index pages when its bundle was written."""

    def current(self, dest: str, source: Identity | None, built: Identity | None) -> bool:
        """Whether the file at `dest` may be reused: its source and its built file are the ones recorded."""
        known = self.files.get(dest)
        return known is not None and source is not None and built is not None and known == (source, built)


def manifest_path(root: Path, name: str, output: Path | str) -> Path:
    """One manifest per output folder: `crm build` into site/ and into another --out do not undo each other."""
    where = hashlib.blake2b(str(output).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_folder(root, "site") / f"built-{name}-{where}.json"


def load_manifest(root: Path, name: str, output: Path, site_key: str) -> Manifest | None:
    """The manifest of the last build of `output` with the same shared key; None when there is none, it
    describes another folder or key, or it cannot be read (then everything is built)."""
    data = read_own_file(manifest_path(root, name, output))
    if data is None:
        return None
    try:
        raw = json.loads(data)
        if raw.get("version") != MANIFEST_VERSION or raw["output"] != str(output) or raw["site_key"] != site_key:
            return None
        files = {dest: (tuple(pair[0]), tuple(pair[1])) for dest, pair in raw["files"].items()}
        return Manifest(raw["output"], raw["site_key"], files, dict(raw["parts"]))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def save_manifest(root: Path, name: str, manifest: Manifest) -> None:
    raw = {
        "version": MANIFEST_VERSION,
        "output": manifest.output,
        "site_key": manifest.site_key,
        "files": manifest.files,
        "parts": manifest.parts,
    }
    write_file(manifest_path(root, name, manifest.output), json.dumps(raw, separators=(",", ":")).encode())


class _CrmDecides(logging.Filter):
    """mkdocs warns that a 'dirty' build gives inaccurate navigation, which is true of its own rule (a page
    newer than its HTML); crm tells mkdocs which files are current by this module's rule instead, so the
    warning (which fails a --strict build) and the "stale files" note are not about this build."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(("A 'dirty' build is being performed", "The directory contains stale files"))


def quiet_dirty_warning() -> None:
    """Install _CrmDecides on mkdocs' build logger (once)."""
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(existing, _CrmDecides) for existing in logger.filters):
        logger.addFilter(_CrmDecides())


def link_file(
    previous: Path | str, building: Path | str, relative: str, folders: set[str], source: os.stat_result | None = None
) -> bool:
    """Hard-link previous/relative into building/relative (never following a link on either side);
    False when that cannot be done, and then the file is built instead. In a recycled folder (the site
    replaced last time, site_builder.output) the file may be there already: kept when it is that very
    file (the same inode), replaced when it is anything else, a link included. `source`: the status of
    previous/relative when the caller has it (one look at the target then answers for most files: the
    site replaced last time holds most of them already; a build after an edit looks at 26,000 files)."""
    parent = relative.rpartition("/")[0]
    source_path, target = os.path.join(previous, relative), os.path.join(building, relative)
    try:
        if parent not in folders:
            make_folders(Path(building), parent, replace=True)
            folders.add(parent)
        if source is not None:
            try:
                there = os.lstat(target)
            except FileNotFoundError:
                os.link(source_path, target, follow_symlinks=False)
                return True
            if _same_file(there, source):
                return True
            os.unlink(target)  # a folder there raises, and the file is built instead
            os.link(source_path, target, follow_symlinks=False)
            return True
        try:
            os.link(source_path, target, follow_symlinks=False)
        except FileExistsError:
            if _same_file(os.lstat(target), os.lstat(source_path)):
                return True
            os.unlink(target)  # a folder there raises, and the file is built instead
            os.link(source_path, target, follow_symlinks=False)
    except OSError:
        return False
    return True


def _same_file(there: os.stat_result, wanted: os.stat_result) -> bool:
    return stat.S_ISREG(there.st_mode) and (there.st_ino, there.st_dev) == (wanted.st_ino, wanted.st_dev)


def sweep(building: Path, keep: Container[str]) -> None:
    """Remove from a recycled build folder every file (and link: never followed) whose site path is not in
    `keep`, and every folder that leaves empty (staging.remove_unkept): mkdocs then writes only new files,
    never into a hard link to the published site's file, and nothing of the old site stays behind."""
    try:
        remove_unkept(building, keep)
    except FileNotFoundError:  # not made yet: nothing to sweep
        return


def link_tree(previous: Path, building: Path, skip: Iterable[str] = ()) -> bool:
    """Hard-link every file below `previous` into the same place below `building`, leaving out the top-level
    names in `skip`; False (with nothing promised) when something there is not a plain file or folder."""
    skipped = set(skip)
    try:
        entries = [
            (relative, entry)
            for relative, entry in _entries(str(previous), "")
            if relative.split("/")[0] not in skipped
        ]
    except OSError:
        return False
    if not all(entry.is_file(follow_symlinks=False) for _, entry in entries):
        return False
    try:
        building.mkdir(parents=True, exist_ok=True)  # inside the new site's folder, which this build made
        sources = [entry.stat(follow_symlinks=False) for _, entry in entries]
    except OSError:
        return False
    folders: set[str] = set()
    target = str(building)
    return all(
        link_file(previous, target, relative, folders, source)
        for (relative, _), source in zip(entries, sources, strict=True)
    )


def _entries(folder: str, prefix: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Everything below `folder` but its folders (path inside it, the scandir entry), never entering a link."""
    with os.scandir(folder) as found:
        listed = list(found)
    for entry in listed:
        if entry.is_dir(follow_symlinks=False):
            yield from _entries(entry.path, prefix + entry.name + "/")
        else:
            yield prefix + entry.name, entry
