"""The search index part of an edited customer, started before mkdocs writes any page.

After a one-record edit the site's last step was the longest one left: Pagefind indexing the part of the
index that holds the edited customer's page (about 470 pages at 10,000 customers: 1.1–1.5 s), started only once
mkdocs had written that page, after linking the 13,000 current files of the last site (site_builder.reuse).
Yet the page's HTML is known as soon as its Markdown is staged: a generated page is converted by
site_builder.direct_html, exactly as mkdocs will convert it, and what the index takes of a page is the text of
its article (search.index_page). So the build predicts the index pages of the customer pages it rewrote, and
Pagefind indexes their part into a scratch folder in the cache while mkdocs links and writes the site.

A prediction is never trusted: when mkdocs has written the part's pages, its index pages are looked at as ever
(search staging pruned, their digest taken: reuse.digest_of), and the early index is taken into the site only
when that digest is the one the part had when Pagefind started (`EarlyParts.take`); any difference — a page
converted otherwise, an index page pruned — and the part is indexed again, as without this module. Only for a
few rewritten pages (EARLY_PAGES: a first build's memory is kept for mkdocs), one part at a time (EARLY_PARTS),
never under `crm serve`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from mkdocs.utils import meta

from crmdata.system.safe_paths import make_folders, read_own_file, remove_tree
from site_builder.direct_html import HeadingOptions, convert
from site_builder.reuse import tree_digest
from site_builder.search import MAIN, Indexers, Indexing, SearchIndexError, index_page
from site_builder.staging import Staging

EARLY_PAGES = 50
"""Rewritten customer pages up to which their part is indexed early: an edit rewrites one or a few; a first
build rewrites every page, and then Pagefind's memory beside the build's is not worth the second it saves."""
EARLY_PARTS = 1
"""Parts indexed early at most (each Pagefind holds its part's index in memory: about 270 MB at 470 pages)."""


def predicted_pages(
    staging: Staging,
    rewritten: Iterable[str],
    direct: HeadingOptions,
    where: Callable[[str], tuple[str, Indexing | None]],
    dest_of: Callable[[str], str],
    hidden: Callable[[str], str],
) -> dict[str, dict[str, str]]:
    """Part → {index page path in the part: its predicted text} for the parts whose rewritten pages can all be
    predicted; `where(src)` gives a page's part and how it is indexed, `dest_of(src)` the
    path mkdocs writes it to, `hidden(src)` the words it adds unseen (a customer's pinyin initials)."""
    parts: dict[str, dict[str, str]] = {}
    refused: set[str] = set()
    for src in sorted(rewritten):
        part, how = where(src)
        if how is None or part == MAIN or part in refused:
            continue
        text = read_own_file(staging.folder / src)
        converted = convert(meta.get_data(text.decode("utf-8-sig"))[0], direct) if text is not None else None
        indexed = (
            index_page(f'<article class="md-content__inner md-typeset">{converted.html}</article>', how, hidden(src))
            if converted is not None
            else None
        )
        if indexed is None:
            refused.add(part)
            parts.pop(part, None)
            continue
        parts.setdefault(part, {})[dest_of(src)] = indexed
    return parts


class EarlyParts:
    """Pagefind on parts of the index before their pages are written, each into `scratch/<part>` (see the
    module). `close()` kills any Pagefind still running and removes the scratch folder."""

    def __init__(self, pages: Staging, scratch: Path) -> None:
        self.pages, self.scratch = pages, scratch
        self.indexers = Indexers(EARLY_PARTS)
        self.digests: dict[str, str] = {}
        """Part → the digest of its index pages when its Pagefind started."""
        self.counts: dict[str, tuple[int, int]] = {}

    def start(self, part: str, predicted: dict[str, str]) -> None:
        """Write the part's predicted index pages into the search staging and have Pagefind index the part."""
        if self.indexers.full():
            return
        for path, text in predicted.items():
            self.pages.write(f"{part}/{path}", text)
        remove_tree(self.scratch / part)
        make_folders(self.scratch.parent, self.scratch.name, replace=True)
        self.digests[part] = tree_digest(self.pages.folder / part)
        self.indexers.start(part, self.pages.folder / part, self.scratch / part)

    def take(self, part: str, digest: str, into: Path) -> tuple[int, int] | None:
        """The pages and words indexed, once the early index of `part` is moved to `into` (which must not
        exist); None when there is none, its index pages are not those it indexed (`digest` differs), Pagefind
        failed, or it cannot be moved there (another file system): then the part is indexed as ever."""
        started = self.digests.pop(part, None)
        if started is None:
            return None
        try:
            while part in self.indexers.running:
                self.counts.update(self.indexers.wait())
        except SearchIndexError:  # indexed again the usual way, which says what went wrong if it still does
            self.counts.pop(part, None)
        counts = self.counts.pop(part, None)
        if counts is None or started != digest:
            remove_tree(self.scratch / part)
            return None
        try:
            into.parent.mkdir(parents=True, exist_ok=True)  # the bundle's folder, in the site this build makes
            os.rename(self.scratch / part, into)
        except OSError:
            remove_tree(self.scratch / part)
            return None
        return counts

    def close(self) -> None:
        self.indexers.__exit__()
        self.digests.clear()
        remove_tree(self.scratch)
