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
_BLANK_RUN = re.compile(r"[ \t\f]{2,}")
"""A run of two or more spaces and tabs (on one line: the runs holding a line break are handled by lines)."""
_EDGE = " \t\r\f"
"""Whitespace besides the line break: what a run holding a line break is made of around it."""


def _squeeze(text: str) -> str:
    """Every run holding a line break: the line's ends stripped, the empty lines between dropped, one line
    break left (a run at the very start or end keeps its line break). Then runs of spaces and tabs, searched
    only where two blanks or a tab are (rarely, once the indentation is gone): a page has thousands of runs,
    and splitting lines is several times faster than a Python call per run."""
    if "\n" in text:
        lines = text.split("\n")
        middle = [stripped for line in lines[1:-1] if (stripped := line.strip(_EDGE))]
        text = "\n".join([lines[0].rstrip(_EDGE), *middle, lines[-1].lstrip(_EDGE)])
    if "  " in text or "\t" in text or "\f" in text:
        return _BLANK_RUN.sub(" ", text)
    return text


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
