"""A git revision's data files, written into a scratch folder, without touching the working tree or index.

`crm diff` compares two revisions by loading each exactly as `crm validate` would, so both go through
the same reader, models and rules. `load()` reads files from a folder; this module gives it one:

- `git ls-tree -r -z REV -- crm.yaml customers interactions` lists a revision's data files with their blob
  ids (paths are taken from git, checked component by component, never from a tar header);
- `git cat-file --batch` streams the blobs that must be written.

The scratch tree first holds BASE; switching it to HEAD rewrites only the files whose blob differs. So a
pull request that edits three records costs one full write and three small ones, and HEAD is loaded
from the parse cache that loading BASE left in the scratch folder (files are cached by content).

Only git plumbing that reads is used: no checkout, no index file, no worktree, nothing in `.git` is
written. The data root may be a sub-folder of the repository (`git rev-parse --show-prefix`).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from crmdata.records.cache import CACHE_DIR_NAME
from crmdata.records.load import CONFIG_FILE, RECORD_FOLDERS
from crmdata.records.vocabulary import PHRASES, Word, phrase

DATA_PATHS = (CONFIG_FILE, *RECORD_FOLDERS)
"""What `load()` reads below a data root; nothing else of a revision is written out."""
_RECORD_SUFFIXES = (".yaml", ".yml")
"""Files `load()` reads or reports as errors (.yml, .YAML ...); other files are not written."""
_FILE_MODES = {"100644", "100755"}
_LINK_MODE = "120000"
_LINK_TARGET = "symbolic-link-not-followed"
"""What a symbolic link among the records points to in the scratch tree: nothing. `load()` reports a link
without following it; the real target is never written, so nothing can be reached through it."""


class GitError(Exception):
    """Why a revision cannot be read, in one line for the user (the CLI prints it and exits 2).

    It carries a vocabulary phrase (`key`) and its values, worded by `text(language)` where it is shown,
    in the language of the repository; `str()` is the English sentence (for logs and tests).
    """

    def __init__(self, key: str, /, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self.text("en"))

    def text(self, language: object) -> str:
        """The sentence in `language`; a value that is itself worded (the shallow-clone hint) follows it."""
        worded = {
            name: value.text(language) if isinstance(value, Word) else value for name, value in self.values.items()
        }
        return phrase(self.key, language, **worded)


class Blob(NamedTuple):
    """One file of a revision: its git mode (100644, 100755 or 120000 for a link) and blob id.

    A tuple: comparing 150,000 of them (which files differ) is then done in C."""

    mode: str
    oid: str

    @property
    def is_link(self) -> bool:
        return self.mode == _LINK_MODE


DataFiles = Mapping[str, Blob]
"""A revision's data files: path relative to the data root (POSIX) -> blob."""


@dataclass(frozen=True)
class Revision:
    """A revision as the user named it, and the commit it resolved to."""

    name: str
    commit: str
    merge_base_of: tuple[str, str] | None = None
    """For `A...B`: the names A and B whose merge base this is (the name is then worded by language)."""

    @property
    def short(self) -> str:
        return self.commit[:7]

    @property
    def label(self) -> str:
        """`main (a1b2c3d)`, or just the short id when the user gave an id; in English (JSON's `label`)."""
        return self.label_in("en")

    def label_in(self, language: object) -> str:
        """The label in `language`: a merge base is `main 与 topic 的合并基点 (a1b2c3d)` in Chinese."""
        if self.merge_base_of is not None:
            left, right = self.merge_base_of
            return f"{phrase('revision_merge_base', language, left=left, right=right)} ({self.short})"
        if self.commit.startswith(self.name.lower()) or not self.name:
            return self.short
        return f"{self.name} ({self.short})"


@dataclass(frozen=True)
class GitRepository:
    """The git repository holding a data root, and where in it the data root is."""

    toplevel: Path
    prefix: str
    """The data root relative to the repository's top, with a trailing slash; empty at the top."""

    def git(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run a reading git command at the top of the repository; never prompts, never pages."""
        return _run_git(["-C", str(self.toplevel), *args], stdin)


def _run_git(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args],
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            check=False,
            env=_git_env(),
        )
    except FileNotFoundError:
        raise GitError("git_missing") from None
    except OSError as exc:
        raise GitError("git_cannot_run", reason=exc.strerror) from None


def _git_env() -> dict[str, str]:
    """No prompts (a CI job must not hang) and no locale-dependent porcelain: only plumbing is parsed."""
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}


def first_line(output: bytes) -> str | Word:
    """git's own first line of output (its words, not ours), or that it said nothing."""
    text = output.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else PHRASES["git_failed_silently"]


def repository(root: Path) -> GitRepository:
    """The repository the data root `root` is in; GitError when it is in none."""
    result = _run_git(["-C", str(root), "rev-parse", "--show-toplevel", "--show-prefix"])
    if result.returncode != 0:
        message = first_line(result.stderr)
        if isinstance(message, str) and "not a git repository" in message:
            raise GitError("git_not_a_repository", root=root)
        reason = message.removeprefix("fatal: ") if isinstance(message, str) else message
        raise GitError("git_cannot_read", root=root, reason=reason)
    lines = result.stdout.decode("utf-8", "surrogateescape").splitlines()
    if not lines:
        raise GitError("git_not_a_work_tree", root=root)
    toplevel = Path(lines[0])
    prefix = lines[1] if len(lines) > 1 else ""
    return GitRepository(toplevel, prefix)


def resolve(repo: GitRepository, name: str) -> Revision:
    """The commit `name` names (a branch, tag, commit id, HEAD~2 ...); GitError naming it otherwise."""
    if not name or name.startswith("-"):
        raise GitError("git_unknown_revision", name=repr(name))  # never let a revision be read as an option
    result = repo.git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
    if result.returncode != 0:
        raise GitError("git_unknown_revision_in", name=repr(name), root=repo.toplevel, hint=_shallow_hint(repo))
    return Revision(name, result.stdout.decode("ascii").strip())


def is_shallow(repo: GitRepository) -> bool:
    """Whether the repository is a shallow clone (its history cut short)."""
    result = repo.git("rev-parse", "--is-shallow-repository")
    return result.returncode == 0 and result.stdout.strip() == b"true"


def _shallow_hint(repo: GitRepository) -> Word | str:
    return PHRASES["git_shallow_hint"] if is_shallow(repo) else ""


def revisions(repo: GitRepository, base: str, head: str | None) -> tuple[Revision, Revision]:
    """BASE and HEAD from the command line: `A...B` means the merge base of A and B, then B (what a pull
    request from B into A changes, as GitHub shows it); `A..B` means A, then B. A missing side is HEAD."""
    for separator in ("...", ".."):
        if separator in base:
            if head is not None:
                raise GitError("git_range_and_head", range=base)
            left, _, right = base.partition(separator)
            left_rev, right_rev = resolve(repo, left or "HEAD"), resolve(repo, right or "HEAD")
            if separator == "..":
                return left_rev, right_rev
            merge_base = repo.git("merge-base", left_rev.commit, right_rev.commit)
            if merge_base.returncode != 0:
                raise GitError(
                    "git_no_common_ancestor", left=left_rev.name, right=right_rev.name, hint=_shallow_hint(repo)
                )
            commit = merge_base.stdout.decode("ascii").strip()
            merged = (left_rev.name, right_rev.name)
            return Revision(f"merge base of {left_rev.name} and {right_rev.name}", commit, merged), right_rev
    return resolve(repo, base), resolve(repo, head or "HEAD")


def data_files(repo: GitRepository, revision: Revision) -> dict[str, Blob]:
    """The data files of a revision (crm.yaml, and the .yaml/.yml files under customers/ and interactions/).

    A revision in which the data root does not exist yet lists nothing: an empty repository, not an error.
    """
    paths = [repo.prefix + name for name in DATA_PATHS]
    result = repo.git("ls-tree", "-r", "-z", "--full-tree", revision.commit, "--", *paths)
    if result.returncode != 0:
        raise GitError("git_cannot_list", revision=revision.label, reason=first_line(result.stderr))
    files: dict[str, Blob] = {}
    for entry in result.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, _, oid = meta.decode("ascii").split()
        _add_data_file(files, repo, revision, raw_path, mode, oid)
    return files


def _add_data_file(
    files: dict[str, Blob], repo: GitRepository, revision: Revision, raw: bytes, mode: str, oid: str
) -> None:
    """Enter one entry of a listing in `files` when it is a data file load() reads (or reports)."""
    path = raw.decode("utf-8", "surrogateescape").removeprefix(repo.prefix)
    if mode not in _FILE_MODES and mode != _LINK_MODE:
        return  # a submodule or a folder: not a file load() could read
    if path != CONFIG_FILE and not path.lower().endswith(_RECORD_SUFFIXES):
        return
    _check_path(path, revision)
    files[path] = Blob(mode, oid)


def data_files_after(repo: GitRepository, base: Revision, base_files: DataFiles, head: Revision) -> dict[str, Blob]:
    """The data files of `head`, from those of `base` and what `git diff-tree` says changed between them:
    listing and checking 150,000 paths a second time would cost a second or two for a handful of changes.

    Renames are not detected (`--no-renames`): a renamed file is a removed path and an added one, which is
    what the scratch tree and the loader need; its content is parsed once all the same (by content).
    """
    paths = [repo.prefix + name for name in DATA_PATHS]
    result = repo.git("diff-tree", "-r", "-z", "--no-renames", base.commit, head.commit, "--", *paths)
    if result.returncode != 0:
        raise GitError("git_cannot_list", revision=head.label, reason=first_line(result.stderr))
    files = dict(base_files)
    fields = result.stdout.split(b"\0")
    for meta, raw_path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            break  # the empty field after the last entry
        _, new_mode, _, new_oid, status = meta[1:].decode("ascii").split()
        files.pop(raw_path.decode("utf-8", "surrogateescape").removeprefix(repo.prefix), None)
        if status != "D":
            _add_data_file(files, repo, head, raw_path, new_mode, new_oid)
    return files


def _check_path(path: str, revision: Revision) -> None:
    """Refuse a path that could leave the scratch folder (git itself never writes such trees, but a
    hand-made one could hold them)."""
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") or "\\" in part for part in parts):
        raise GitError("git_unsafe_path", path=repr(path), revision=revision.label)


def changed_paths(base: DataFiles, head: DataFiles) -> set[str]:
    """The paths whose content or mode differs, or that exist on one side only."""
    if not base or not head:
        return set(base.keys() | head.keys())
    return {path for path in base.keys() | head.keys() if base.get(path) != head.get(path)}


class ScratchTree:
    """A temporary data root holding one revision's data files at a time.

    `switch_to(files)` makes the folder hold exactly `files`: it removes what the new revision does not
    have (or has differently) first, then writes what is new, so a path that is a folder in one revision
    and a file or a link in the other never leads a write through a link.
    """

    def __init__(self, repo: GitRepository, folder: Path) -> None:
        self.repo = repo
        self.root = folder / "data"
        self.root.mkdir()
        self.files: dict[str, Blob] = {}
        self._made_dirs: set[str] = {""}

    def switch_to(self, files: DataFiles) -> None:
        changed = changed_paths(self.files, files)
        for path in sorted(changed & self.files.keys(), reverse=True):
            self._remove(path)
        self._made_dirs = {""}  # folders may have gone: look at each again before writing into it
        writes = sorted(path for path in changed if path in files)
        self._write_blobs([(path, files[path]) for path in writes])
        self.files = dict(files)

    @contextmanager
    def removed_meanwhile(self) -> Iterator[None]:
        """Remove the folder's files in a thread while the block runs (work that needs them no more, such
        as computing a snapshot): deleting 150,000 files is mostly the kernel's time, so on two cores it
        costs the wall clock little. The block is left only once they are gone, however it is left."""
        remover = threading.Thread(target=shutil.rmtree, args=(self.root,), kwargs={"ignore_errors": True})
        remover.start()
        try:
            yield
        finally:
            remover.join()
            self.files = {}

    def _remove(self, path: str) -> None:
        target = self.root / path
        try:
            if stat.S_ISDIR(os.lstat(target).st_mode):
                shutil.rmtree(target)
            else:
                target.unlink()
        except FileNotFoundError:
            pass
        parent = path.rpartition("/")[0]
        while parent:  # an emptied folder under customers/ would be reported as a stray folder
            try:
                (self.root / parent).rmdir()
            except OSError:
                break
            parent = parent.rpartition("/")[0]

    def _ensure_parent(self, path: str) -> None:
        """Create the folders above `path` as real folders; a link or a file in the way is removed first."""
        parent = path.rpartition("/")[0]
        if parent in self._made_dirs:
            return
        done = ""
        for part in parent.split("/"):
            done = f"{done}/{part}" if done else part
            if done in self._made_dirs:
                continue
            target = self.root / done
            try:
                mode = os.lstat(target).st_mode
            except FileNotFoundError:
                target.mkdir()
            else:
                if not stat.S_ISDIR(mode):  # left by another revision: never write through it
                    target.unlink()
                    target.mkdir()
            self._made_dirs.add(done)

    def _write_blobs(self, entries: list[tuple[str, Blob]]) -> None:
        """Write each blob to its path, streaming the contents from one `git cat-file --batch`."""
        if not entries:
            return
        prefix = f"{self.root}{os.sep}"  # str paths, os.open: a third of the cost of Path and open()
        with _blob_stream(self.repo, [blob.oid for _, blob in entries]) as contents:
            for (path, blob), (_, content) in zip(entries, contents, strict=True):
                self._ensure_parent(path)
                if blob.is_link:
                    os.symlink(_LINK_TARGET, prefix + path)
                else:
                    _write_new(prefix + path, content)


def read_blobs(repo: GitRepository, oids: Iterable[str], max_bytes: int | None = None) -> dict[str, bytes]:
    """The contents of the blobs `oids`, from one `git cat-file --batch`: nothing is written anywhere. With
    `max_bytes`, a blob larger than that is cut to its first max_bytes + 1 bytes (enough for a reader to say it
    is too large) and the rest is skipped unread into memory: a commit's huge file costs no more than the limit."""
    wanted = list(oids)
    if not wanted:
        return {}
    with _blob_stream(repo, wanted, max_bytes) as contents:
        return {oid: bytes(content) for oid, content in contents}


@contextmanager
def _blob_stream(
    repo: GitRepository, oids: list[str], max_bytes: int | None = None
) -> Iterator[Iterator[tuple[str, memoryview]]]:
    """(oid, content) of each of `oids` in order, as one `git cat-file --batch` answers them; the process is
    waited for however the block is left."""
    try:
        process = subprocess.Popen(
            ["git", "-C", str(repo.toplevel), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_git_env(),
        )
    except OSError as exc:
        raise GitError("git_cannot_run", reason=exc.strerror) from None
    assert process.stdin is not None and process.stdout is not None
    stdout = process.stdout
    request = b"".join(f"{oid}\n".encode("ascii") for oid in oids)
    feeder = threading.Thread(target=_feed, args=(process.stdin, request), daemon=True)
    feeder.start()  # a thread: git answers while we still ask, and neither side blocks on a full pipe
    try:
        yield ((oid, _read_object(stdout, oid, max_bytes)) for oid in oids)
    finally:
        stdout.close()
        process.wait()
        feeder.join()


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _write_new(target: str, content: memoryview) -> None:
    """Write a file that must not exist yet (its parent is a folder we made): never through a link."""
    try:
        descriptor = os.open(target, _NEW_FILE, 0o644)
    except FileExistsError:  # left by another revision at a path written anew: replace it, never follow it
        os.unlink(target)
        descriptor = os.open(target, _NEW_FILE, 0o644)
    try:
        while content:
            content = content[os.write(descriptor, content) :]
    finally:
        os.close(descriptor)


def _feed(pipe: IO[bytes], request: bytes) -> None:
    try:
        pipe.write(request)
        pipe.close()
    except OSError:
        pass  # git ended early; the reader reports it


_SKIP_CHUNK = 1 << 20


def _read_object(stream: IO[bytes], oid: str, max_bytes: int | None = None) -> memoryview:
    header = stream.readline().split()
    if len(header) != 3 or header[0].decode("ascii", "replace") != oid:
        raise GitError("git_object_missing", oid=oid)
    size = int(header[2])
    kept = size if max_bytes is None else min(size, max_bytes + 1)
    content = stream.read(kept)
    left = size - kept + 1  # the rest, and the newline after each object
    while left > 0 and (skipped := len(stream.read(min(left, _SKIP_CHUNK)))):
        left -= skipped
    if len(content) != kept or left:
        raise GitError("git_object_truncated", oid=oid)
    return memoryview(content)


_SHARED_MEMORY = Path("/dev/shm")
_BYTES_PER_FILE = 8192
"""A generous estimate of what one small record file takes in a tmpfs (a page, plus its inode)."""


def scratch_parent(file_count: int) -> str | None:
    """Where to make the scratch folder: the temporary folder, unless TMPDIR is not set and /dev/shm (a
    RAM-backed tmpfs on Linux) has room to spare for `file_count` files.

    Writing and deleting 110,000 small files costs 10 to 30 s on a busy disk and 3 s in memory; a
    container's small /dev/shm (64 MB by default in Docker) is left alone.
    """
    if os.environ.get("TMPDIR") or not _SHARED_MEMORY.is_dir():
        return None
    try:
        info = os.statvfs(_SHARED_MEMORY)
    except OSError:
        return None
    free = info.f_bavail * info.f_frsize
    writable = os.access(_SHARED_MEMORY, os.W_OK | os.X_OK)
    return str(_SHARED_MEMORY) if writable and file_count * _BYTES_PER_FILE * 4 < free else None


SCRATCH_PREFIX = "crm-diff-"
_SCRATCH_NAME = re.compile(re.escape(SCRATCH_PREFIX) + r"(\d+)-(\d+)-")
"""crm-diff-<pid namespace>-<pid>-<random>: whose folder it is, so a later run can tell a leftover."""


def _pid_namespace() -> str:
    """This process's pid namespace (a container has its own): pids are compared only within one."""
    try:
        return os.readlink("/proc/self/ns/pid").partition("[")[2].rstrip("]") or "0"
    except OSError:
        return "0"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def sweep_scratch(parents: Iterable[str | None]) -> None:
    """Remove the scratch folders a killed `crm diff` left behind: SIGKILL cannot be caught, so the next
    run cleans up. Only folders of this user, of this pid namespace, of processes that are gone, and
    only real folders (never through a link); a pid reused by another process keeps its folder a while.
    """
    if os.name != "posix":
        return  # no owner ids, and os.kill(pid, 0) would end the process on Windows
    namespace, uid = _pid_namespace(), os.getuid()
    for parent in {parent or tempfile.gettempdir() for parent in parents}:
        try:
            entries = list(os.scandir(parent))
        except OSError:
            continue
        for entry in entries:
            match = _SCRATCH_NAME.match(entry.name)
            if match is None or match.group(1) != namespace or int(match.group(2)) == os.getpid():
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not _running(int(match.group(2))):
                shutil.rmtree(entry.path, ignore_errors=True)


@contextmanager
def scratch_tree(repo: GitRepository, cache_from: Path | None = None, file_count: int = 0) -> Iterator[ScratchTree]:
    """A scratch data root in a temporary folder, removed afterwards, however the block is left (SIGTERM
    and SIGINT arrive as exceptions); what a killed run left is swept first (`sweep_scratch`).

    `cache_from`: a data root whose parse cache (`.crm-cache/parse`, keyed by file content and signed
    with this user's key) is copied in first, so files that are the same as in the working tree are
    not parsed again. `file_count`: how many files it will hold at most (see scratch_parent).
    """
    parent = scratch_parent(file_count)
    sweep_scratch([parent, None, str(_SHARED_MEMORY)])
    prefix = f"{SCRATCH_PREFIX}{_pid_namespace()}-{os.getpid()}-"
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        tree = ScratchTree(repo, folder)
        if cache_from is not None:
            _copy_cache(cache_from, tree.root)
        yield tree
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _copy_cache(source_root: Path, target_root: Path) -> None:
    source = source_root / CACHE_DIR_NAME
    if source.is_symlink() or (source / "parse").is_symlink() or not (source / "parse").is_dir():
        return  # no cache, or one that is a link: ParseCache would not use it either
    try:
        shutil.copytree(source / "parse", target_root / CACHE_DIR_NAME / "parse", symlinks=True)
    except OSError:
        shutil.rmtree(target_root / CACHE_DIR_NAME, ignore_errors=True)  # a partial copy is no help
