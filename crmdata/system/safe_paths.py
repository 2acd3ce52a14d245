"""Every write crm makes, made without following a link it did not make.

A data repository is untrusted input: a pull request can commit a symbolic link at any path, and CI then
runs `crm` in that checkout. A link at `.crm-cache/site/public` would make `crm build` write the site
into the folder it points to and prune that folder's other files; a dangling `.crm-cache/.gitignore`
would make `crm validate` create a file at its target. So crm writes only through these functions, and
none of them follows a link:

- `make_folders(anchor, relative)` makes each folder below a trusted anchor (the repository root) one
  component at a time, looking at each with lstat. A link, or a file, where a folder must be is
  refused with `UnsafePathError`; in crm's own cache (`replace=True`) it is removed instead (the link
  itself, never what it points to) and a real folder is made in its place.
- `output_folder(path, anchor)` makes a folder a user named (`--out`): below the anchor (the repository,
  or the current folder) nothing is followed, as above; above it the user's own path is taken as it is.
- `write_file(path, data)` writes a new temporary file beside `path`, created exclusively (a link of
  that name is never opened), then renames it over `path`: a link at `path` is replaced, never written
  through, and a reader never sees half a file. With `replace=False` the temporary file is hard-linked
  to `path` instead, which never replaces anything.
- `stage_file(path, data)` is write_file's first half, for several files replaced together.
- `read_own_file(path)` reads back a file crm wrote, refusing a link, a FIFO or a device.
- `remove_tree(path)` removes a folder crm made; links inside are unlinked, never followed.
- `exchange(a, b)` swaps two folders in one step where the system can (Linux), so an output folder is
  replaced as a whole.

Another process swapping a folder for a link while crm runs is out of scope: the threat is what a
checkout contains, and a checkout does not change under a running `crm`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from pathlib import Path, PurePath

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class UnsafePathError(OSError):
    """A link (or a file, or someone else's folder) stands where crm must write: nothing was written.

    An OSError, so every "cannot write" handler reports it; its text names the path and what to do.
    """

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(errno.ELOOP, message, str(path))

    def __str__(self) -> str:
        return str(self.strerror)


def is_link(status: os.stat_result) -> bool:
    """A symbolic link, or (Windows) a junction or another reparse point: lstat's answer, never followed."""
    return stat.S_ISLNK(status.st_mode) or bool(getattr(status, "st_reparse_tag", 0))


def refused(path: Path | str, status: os.stat_result) -> UnsafePathError:
    """The error for a link, or a file, where crm must make or enter a folder."""
    if not is_link(status):
        return UnsafePathError(path, f"{path} is a file, not a folder: remove it or choose another path")
    return UnsafePathError(
        path,
        f"{path} is a symbolic link: crm never writes through a link it did not make; remove it or choose another path",
    )


def make_folders(anchor: Path, relative: str | PurePath, *, replace: bool = False) -> Path:
    """Make `anchor/relative` a real folder, one component at a time, never through a link.

    `anchor` is trusted (the repository root the user gave). A component that is a link or a file is
    refused with UnsafePathError, or with `replace` (crm's own cache, where nothing is anyone else's)
    removed and made a folder. Returns the folder.
    """
    folder = anchor
    parts = PurePath(relative)
    if parts.is_absolute() or ".." in parts.parts:
        raise ValueError(f"{relative} is not a path inside {anchor}")
    for part in parts.parts:
        folder = folder / part
        _make_folder(folder, replace)
    return folder


def _make_folder(folder: Path, replace: bool) -> None:
    try:
        status = os.lstat(folder)
    except FileNotFoundError:
        try:
            os.mkdir(folder)
            return
        except FileExistsError:  # another crm made it meanwhile
            status = os.lstat(folder)
    if stat.S_ISDIR(status.st_mode) and not is_link(status):
        return
    if not replace:
        raise refused(folder, status)
    os.unlink(folder)  # the link itself (or a stray file) in crm's own folder; what it points to is untouched
    os.mkdir(folder)


def output_folder(path: Path, anchor: Path) -> Path:
    """Make the folder `path` that a user named, returning it as an absolute path (`..` resolved by name).

    Below `anchor` (the repository, or the folder crm runs in) every component must be a real folder,
    as in make_folders: a pull request could have committed a link there. A path outside the anchor is
    the user's own: its existing folders are taken as they are (a link the user made is theirs to
    make), and only the missing ones are made.
    """
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(anchor))
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        base = absolute
        while not os.path.isdir(base) and base != base.parent:
            base = base.parent
        relative = absolute.relative_to(base)
    return make_folders(base, relative)


def output_file(path: Path, anchor: Path) -> Path:
    """The absolute path of a file a user named, its folder made as output_folder makes one."""
    absolute = Path(os.path.abspath(path))
    return output_folder(absolute.parent, anchor) / absolute.name


def write_file(path: Path, data: bytes, *, replace: bool = True, durable: bool = False, mode: int = 0o666) -> None:
    """Write `data` to `path` atomically, never through a link; the folder must be one crm checked.

    The bytes go to `.<name>.<pid>.tmp` beside `path`, created exclusively (O_EXCL does not follow a
    link: it fails on one), then `replace` renames it over `path` (a link there is replaced, not
    followed). Without `replace` it is hard-linked to `path`, which fails with FileExistsError when
    anything has that name (where hard links are not supported, an exclusive create does the same).
    `durable` waits for the disk (records); `mode` is masked by the umask as usual.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = _create_exclusive(temporary, mode)
    renamed = False
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
            renamed = True
            return
        try:
            os.link(temporary, path, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system: an exclusive create never replaces either
            with os.fdopen(_create_exclusive(path, mode, retry=False), "wb") as handle:
                handle.write(data)
    finally:
        if not renamed:  # linked (the name stays), or writing failed
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def stage_file(path: Path, data: bytes, *, mode: int = 0o666) -> Path:
    """The first half of write_file, for a change of several files that must land together (`crm merge`):
    `data` in a new temporary file beside `path`, created exclusively (never through a link) and synced to
    disk. The caller puts it in place with os.replace once every file is staged, or removes it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = _create_exclusive(temporary, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return temporary


def _create_exclusive(path: Path, mode: int, retry: bool = True) -> int:
    """A new file's descriptor. With `retry`, a leftover of that name (a crm killed mid-write whose
    process id this one has now, or anything planted there) is removed, never opened, and the create
    tried once more."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY
    try:
        return os.open(path, flags, mode)
    except FileExistsError:
        if not retry:
            raise
    os.unlink(path)
    return os.open(path, flags, mode)


def open_for_append(path: Path) -> int:
    """A descriptor appending to `path` (created if missing); a link at `path` is refused, not followed."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW | _CLOEXEC | _BINARY
    try:
        return os.open(path, flags, 0o666)
    except OSError:
        if os.path.islink(path):  # ELOOP on Linux and macOS, EMLINK or EFTYPE on other BSDs
            raise refused(path, os.lstat(path)) from None
        raise


def read_own_file(path: Path) -> bytes | None:
    """The bytes of a regular file crm wrote; None when it is missing, unreadable, a link, a FIFO or a
    device (reading a planted /dev/zero or FIFO would never end)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        try:
            return handle.read()
        except OSError:
            return None


def remove_tree(path: Path) -> None:
    """Remove `path` and everything below it without following a link (a link is unlinked, its target
    untouched); nothing there is not an error."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(status.st_mode) and not is_link(status):
        import shutil  # here: every command imports this module, few remove a tree

        shutil.rmtree(path)  # follows no link inside: it checks each folder it enters, by descriptor on Linux
    else:
        os.unlink(path)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 with RENAME_EXCHANGE): at every moment each
    name holds one of the two folders. False where the system or the file system cannot; other errors
    (permission, a mount point) raise OSError."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: every command imports this module, only a site build swaps folders

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))
