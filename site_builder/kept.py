"""What a build made that costs time to make again, kept in the cache for the next build: charts and calendar
feeds, which are the same for as long as what they are made from is the same.

A result is kept under a name derived from its recipe: the text of everything it is made from (a chart
function's arguments, a feed's events), whose repr is the same in every process, and the code that makes it.
A build after a one-record edit takes most of them from here instead of having matplotlib draw every chart
and icalendar write every feed again (together a few seconds at 1,000 customers). Results the build did not
ask for are removed at its end, so the folder holds one build's worth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crmdata.system.safe_paths import read_own_file
from site_builder.staging import Staging

_store: Staging | None = None


@contextmanager
def keeping(root: Path, name: str) -> Iterator[None]:
    """Keep results in `.crm-cache/site/<name>-kept` while the block runs (one build's rendering), then drop
    what this build did not use."""
    global _store
    store = Staging(root, f"{name}-kept")
    _store = store
    try:
        yield
    finally:
        _store = None
    store.prune()


def code_of(*files: str, packages: tuple[str, ...] = ()) -> str:
    """Text naming the code in `files` (their bytes' digest) and the installed versions of `packages`, for a
    recipe."""
    from importlib import metadata

    digest = hashlib.blake2b(digest_size=16)
    for file in files:
        digest.update(Path(file).read_bytes())
    for package in packages:
        digest.update(f"\0{package}={metadata.version(package)}".encode())
    return digest.hexdigest()


def kept(recipe: str, make: Callable[[], bytes]) -> bytes:
    """`make()`, or what it returned for the same `recipe` last time (outside `keeping`: always made). The
    recipe must name the code too (kind and version) when the code could change what is made."""
    store = _store
    if store is None:
        return make()
    name = hashlib.blake2b(recipe.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    if store.keep(name):
        data = read_own_file(store.folder / name)
        if data is not None:
            return data
    made = make()
    store.write(name, made)
    return made
