"""Reading a built site's Pagefind index in tests: what a browser could download, as text.

Pagefind writes gzip files that start with the signature `pagefind_dcd`: fragments (one JSON per page: its url,
its text, its meta) and index chunks (words and the pages holding them). Chinese is indexed as coded pairs of
characters (site_builder.search.grams: `h` and five digits per character): `searchable_text` leaves them out,
so a test looking for digits (a phone number) is not fooled by a character's code point."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
_CODED = re.compile(r"h(?:\d{5})+")


def fragments(site: Path, part: str = "") -> dict[str, dict[str, Any]]:
    """Each indexed page's fragment by its URL (/customers/KH-2024001/), of the main bundle or of a `part` of
    the index (site_builder.search.SHARD_CUSTOMERS)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((site / "pagefind" / part / "fragment").glob("*.pf_fragment")):
        fragment = json.loads(gzip.decompress(path.read_bytes())[len(SIGNATURE) :])
        found[fragment["url"]] = fragment
    return found


def searchable_text(site: Path) -> str:
    """Every fragment and index chunk as text, coded Chinese pairs left out."""
    chunks = [*(site / "pagefind").rglob("*.pf_fragment"), *(site / "pagefind").rglob("*.pf_index")]
    assert chunks, f"Pagefind wrote no index in {site}"
    text = "\n".join(gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace") for path in chunks)
    return _CODED.sub(" ", text)
