"""Record text is data, never markup: one escape that is safe in Markdown, in raw HTML and in tables.

jinja's autoescape only covers HTML. A record's text also passes through Markdown, where `[x](javascript:…)`,
`{: onclick=… }` (attr_list), `**`, `|` (a table cell's end) or a leading `#` would become structure. So
every ASCII character that Markdown or its extensions give a meaning to is written as a numeric character
reference: Markdown leaves references alone, the browser and the search indexer read them as the character.
Line breaks become `<br>`, so a value always stays inside its paragraph or table cell.
"""

from __future__ import annotations

import html
import json
import re

from markupsafe import Markup

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_MARKDOWN_ACTIVE = "\\`*_{}[]()#+-.!|~=:^$%@"
_TABLE = str.maketrans({**_HTML, **{char: f"&#{ord(char)};" for char in _MARKDOWN_ACTIVE}, "\t": " "})


_NEEDS_WORK = re.compile(r"[\\`*_{}\[\]()#+\-.!|~=:^$%@&<>\"'\s]")


def md_text(value: object) -> Markup:
    """`value` as literal text for a Markdown page: nothing in it can become markup, a link or a template."""
    text = str(value)
    if not _NEEDS_WORK.search(text):  # most values: a Chinese name, a word, a number
        return Markup(text)
    lines = [line.strip() for line in text.splitlines()]
    return Markup("<br>".join(line.translate(_TABLE) for line in lines if line))


def yaml_str(value: object) -> Markup:
    """`value` as a quoted YAML scalar for a page's front matter (JSON strings are YAML).

    HTML-escaped first: the theme puts a page's title into the header and <title> as it is, trusting
    it to be markup like the text of a Markdown heading."""
    return Markup(json.dumps(html.escape(str(value), quote=False), ensure_ascii=False))


def finalize(value: object) -> object:
    """jinja's finalize hook: every `{{ value }}` not already marked safe is escaped with `md_text`."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return md_text(value)
