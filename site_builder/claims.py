"""Customers claimed a few at a time by the build and the page worker forked from it (site_builder.keyed_pages).

After an edit nearly every customer page is kept, and what the two processes have to do besides differs from edit
to edit: a call logged today has the build draw the dashboard's charts again, a text edit does not. A fixed share
of the customers left one process waiting for the other (a second at 10,000 customers); claimed in turns from
one counter in memory both share, the customers go to whichever process is free, and each is rendered once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator


class Claims:
    """A counter shared by the processes forked after it is made: each claim takes the next `chunk` numbers."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.next = multiprocessing.get_context("fork").Value("q", 0)  # in shared memory, with its lock

    def numbers(self, count: int) -> Iterator[int]:
        """The numbers below `count` this process claims, in turns with the others, until none is left."""
        while True:
            with self.next.get_lock():
                start = self.next.value
                self.next.value = start + self.chunk
            if start >= count:
                return
            yield from range(start, min(start + self.chunk, count))
