"""The folder the generated pages are written to before mkdocs reads them.

It lives in the repository's .crm-cache (ignored by git) and persists between builds: a file is rewritten
only when its content changed, so its modification time tells `mkdocs serve --dirty` exactly which pages
to render again after a one-record edit. Files no longer generated are removed.
"""

from __future__ import annotations

import os
from pathlib import Path


class Staging:
    """Write-if-changed into one folder; `prune()` removes what this build did not write."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written: set[str] = set()
        self.changed = 0

    def write(self, relative: str, content: str | bytes) -> Path:
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = self.folder / relative
        self.written.add(relative)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return path
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        self.changed += 1
        return path

    def prune(self) -> int:
        """Delete files of earlier builds that this build did not write; returns how many."""
        removed = 0
        for path in sorted(self.folder.rglob("*"), reverse=True):
            relative = path.relative_to(self.folder).as_posix()
            if path.is_file() and relative not in self.written:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return removed
