"""Pages without the theme's indentation: the same page, rendered the same, a seventh lighter.

mkdocs-material writes its navigation with the indentation of its own templates: every link of the
navigation is a few hundred bytes of spaces and newlines around a few dozen of markup, repeated in the
tabs and in the sidebar of every page. A site's pages are read on phones and 10,000 customer pages are
built at once, so the weight matters (the pages' 50 KB goal, tests/test_help_pages.py), and it should not
grow by a kilobyte with every page added to the navigation.

Outside `<pre>`, `<code>`, `<kbd>`, `<textarea>`, `<script>` and `<style>` (whose whitespace is content:
the theme shows code with `white-space: pre-wrap`), HTML renders a run
of whitespace as one space, and a run with a line break in it the same as a single line break: each such
run becomes one character, a line break when it held one (so the source stays readable), else a space.
No tag, attribute or word is added or removed; inside an attribute value a run is cut the same way (a
tooltip's text reads the same).
"""

from __future__ import annotations

import re

_KEPT = re.compile(r"<(pre|code|kbd|textarea|script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
"""Elements whose whitespace is their content (material shows code and kbd with `white-space: pre-wrap`):
left exactly as written."""
_RUN = re.compile(r"[ \t\r\n\f]*\n[ \t\r\n\f]*|[ \t\f]{2,}")
"""A run of whitespace holding a line break, or of two or more spaces and tabs."""


def _squeeze(text: str) -> str:
    return _RUN.sub(lambda run: "\n" if "\n" in run.group(0) else " ", text)


def compact_html(html: str) -> str:
    """`html` with every run of whitespace outside pre, code, kbd, textarea, script and style cut to one
    character."""
    pieces = []
    start = 0
    for kept in _KEPT.finditer(html):
        pieces.append(_squeeze(html[start : kept.start()]))
        pieces.append(kept.group(0))
        start = kept.end()
    pieces.append(_squeeze(html[start:]))
    return "".join(pieces)
