"""Each page's HTML held compressed between mkdocs' two passes, and let go once the page is written.

mkdocs builds in two passes: it first converts the Markdown of every page to HTML (page.markdown and
page.content, both kept on the page), then renders each page into the theme and writes it. Between the
passes every page of the site is in memory twice over: at 10,000 customers some 13,000 pages, about
400 MB, more than half of the build's peak. A page needs its Markdown only to be converted, and its HTML
only when it is rendered (the theme's template and material's search, in on_page_context, read it):
so the plugin drops the Markdown as soon as the HTML exists, keeps the HTML zlib-compressed (HTML
compresses about tenfold) until the page's turn comes, and drops it again once the page is written.
"""

from __future__ import annotations

import zlib
from typing import Any

LEVEL = 1
"""zlib's fastest level: already about 8x on our pages, and a few seconds in all at 10,000 customers."""


class HeldPages:
    """The compressed HTML of the pages converted but not yet written, by source path."""

    def __init__(self) -> None:
        self._held: dict[str, bytes] = {}

    def __len__(self) -> int:
        return len(self._held)

    def hold(self, page: Any, html: str) -> str:
        """Keep a converted page's HTML compressed and drop its Markdown; returns what the page holds
        meanwhile (nothing: the HTML comes back in `restore`)."""
        self._held[page.file.src_uri] = zlib.compress(html.encode("utf-8"), LEVEL)
        page.markdown = ""  # not None: mkdocs reads None as "never read" and the page's title as missing
        return ""

    def restore(self, page: Any) -> None:
        """Give the page its HTML back, just before it is rendered (a page this build did not convert,
        as `mkdocs build --dirty` skips unchanged ones, has nothing held and is left as it is)."""
        held = self._held.pop(page.file.src_uri, None)
        if held is not None:
            page.content = zlib.decompress(held).decode("utf-8")

    @staticmethod
    def release(page: Any) -> None:
        """The page is written: nothing reads its HTML again (links between pages are checked by the
        anchors mkdocs collected while converting, not by the HTML)."""
        page.content = None

    def clear(self) -> None:
        """A failed or interrupted build leaves nothing held for the next one (`mkdocs serve`)."""
        self._held.clear()
