"""Generated pages to HTML without Python-Markdown: the same HTML in a fraction of the time.

Python-Markdown converting the generated pages was a third of a full build (10,000 customers: some 13,000
pages, most of them raw HTML that its HTML parser, pure Python, reads tag by tag to find where each block
ends). Yet crm's templates write a narrow Markdown: raw HTML blocks, ATX headings, `- ` lists, pipe tables
and paragraphs of inline HTML and text, where every record value is already escaped so nothing in it is
Markdown (site_builder.escape). `convert` turns exactly that into the HTML Python-Markdown writes with the
site's extensions (heading ids and permalinks by the `toc` extension's own functions and settings), and
returns None for anything else: such a page, and every page of a site whose mkdocs.yml adds an extension
this module does not know, goes through Python-Markdown as before. tests/test_direct_html.py compares both
on every generated page of demo sites in both languages and on hostile record text.
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from markdown.extensions.toc import nest_toc_tokens, slugify, strip_tags, unique
from markdown.util import BLOCK_LEVEL_ELEMENTS

KNOWN_EXTENSIONS = frozenset(
    {"toc", "tables", "fenced_code", "attr_list", "md_in_html", "admonition", "pymdownx.details", "meta"}
)
"""Extensions whose effect on the narrow Markdown `convert` accepts is known: none, besides toc's heading ids
and the tables. Anything else (abbreviations, emoji, smart quotes …) may change any text: Python-Markdown."""
TOC_OPTIONS = frozenset({"permalink", "permalink_title", "permalink_class", "slugify", "separator", "toc_depth"})

_HEADING = re.compile(r"(#{1,6})(.*?)#*$")
_HEADING_ID = re.compile(r"(.*?)\s*\{#([A-Za-z0-9_-]+)\}$")
"""attr_list's `{#id}` after a heading's text: the id as written."""
_STRONG = re.compile(r"\*\*([^*_\s](?:[^*_]*[^*_\s])?)\*\*")
"""`**text**` around plain text: <strong>."""
_BLOCK_TAGS = frozenset(BLOCK_LEVEL_ELEMENTS)
"""Python-Markdown's block-level elements: a line starting with one of them starts a raw HTML block."""
_VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:=\"[^\"<>]*\")?)*)\s*(/?)>")
"""A tag as our templates and site_builder.escape write it: attribute values double-quoted, no < or > in them."""
_TAG_LIKE = re.compile(r"<[^<>]*>")
_ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
_PLAIN = re.compile(r"[^\\`*_\[\]{}<>&\t]*")
"""Text Python-Markdown's inline patterns leave as it is (no escape, code, emphasis, link, attribute list)."""
_UNSAFE_IN_TAG = re.compile(r"[`*\[\]\\]")
"""In a tag's attributes, what an inline pattern that runs before raw HTML (code, escape, link) would take."""
_RAW_TEXT_TAGS = frozenset({"script", "style", "textarea", "title", "pre"})
_NOT_OURS = re.compile(r"<!|<(?:script|style|textarea|title|pre)\b|<[^<>]*\smarkdown[\s=>]", re.IGNORECASE)
"""Comments and doctypes, elements whose content the HTML parser reads as text (script, style …), and
md_in_html's `markdown` attribute (Markdown inside raw HTML): left to Python-Markdown."""
_SPACES_LINE = re.compile(r"(?<=\n) +\n")
_IDS = re.compile(r"<[a-zA-Z][^<>]*?\s(?:id|name)=\"([^\"]*)\"")
_NOT_A_PARAGRAPH = re.compile(r"(?:[-*+] |\d+\. |>|\||!!!|\?\?\?|:|    |=+\s*$|-+\s*$|([-*_] *){3,}$)")
"""Lines Python-Markdown reads as something else than a paragraph's text (lists, quotes, tables, admonitions,
code, setext underlines, rules): a paragraph holding one is left to Python-Markdown."""
_ROW_SEPARATOR = re.compile(r"\|?(?:\s*:?-+:?\s*\|)+\s*(?::?-+:?\s*)?$")


@dataclass(frozen=True)
class HeadingOptions:
    """The `toc` extension's settings that shape a heading: its id and its permalink."""

    slugify: Callable[[str, str], str] = slugify
    separator: str = "-"
    permalink: str | None = None
    permalink_title: str = "Permanent link"
    permalink_class: str = "headerlink"
    top: int = 1
    bottom: int = 6


@dataclass
class Converted:
    """A page converted: what mkdocs' Page.render would have set."""

    html: str
    toc_tokens: list[dict[str, Any]]
    title: str | None
    """The text of a first-line h1 (mkdocs' title from the page when its front matter names none)."""
    anchors: set[str] = field(default_factory=set)
    """Ids on the page, for mkdocs' check of links to anchors."""


class _DeclinedError(Exception):
    """The page holds Markdown this module does not convert."""


def heading_options(extensions: Iterable[Any], configs: dict[str, Any]) -> HeadingOptions | None:
    """The options for `convert` from mkdocs' markdown_extensions and mdx_configs; None when the site uses
    an extension (or a toc setting) whose effect `convert` does not reproduce."""
    names = [name if isinstance(name, str) else "" for name in extensions]
    if not set(names) <= KNOWN_EXTENSIONS or "toc" not in names:
        return None
    toc = configs.get("toc") or {}
    if not set(toc) <= TOC_OPTIONS:
        return None
    permalink = toc.get("permalink", False)
    depth = toc.get("toc_depth", 6)
    if isinstance(depth, str) and "-" in depth:
        top, bottom = (int(part) for part in depth.split("-", 1))
    else:
        top, bottom = 1, int(depth)
    return HeadingOptions(
        slugify=toc.get("slugify", slugify),
        separator=toc.get("separator", "-"),
        permalink=("&para;" if permalink is True else str(permalink)) if permalink not in (False, None) else None,
        permalink_title=toc.get("permalink_title", "Permanent link"),
        permalink_class=toc.get("permalink_class", "headerlink"),
        top=top,
        bottom=bottom,
    )


def convert(markdown: str, options: HeadingOptions) -> Converted | None:
    """`markdown` (a page without its front matter) as Python-Markdown would write it, or None when it
    holds anything besides raw HTML blocks, headings, `- ` lists, pipe tables and plain paragraphs."""
    try:
        return _Converter(options).run(markdown)
    except _DeclinedError:
        return None


class _Converter:
    def __init__(self, options: HeadingOptions) -> None:
        self.options = options
        self.out: list[str] = []
        self.ids: set[str] = set()
        self.counters: dict[str, int] = {}
        self.tokens: list[dict[str, Any]] = []
        self.anchors: set[str] = set()
        self.title: str | None = None
        self.last = ""
        """The kind of the block before: a list right after a list would make one loose list."""

    def run(self, markdown: str) -> Converted:
        if "\t" in markdown or "\r" in markdown:
            raise _DeclinedError  # Python-Markdown expands tabs and line ends first, raw HTML included
        text = _SPACES_LINE.sub("\n", markdown) if " \n" in markdown else markdown  # as Python-Markdown does
        self.text = text
        untagged = _TAG_LIKE.sub("", text)
        if (
            "<" in untagged
            or ">" in untagged
            or _NOT_OURS.search(text)
            or len(_TAG_LIKE.findall(text)) != len(_TAG.findall(text))
        ):
            raise _DeclinedError  # a comment, Markdown inside HTML, script or style, or a < or > that is no tag of ours
        self.anchors.update(_IDS.findall(text))
        lines = self.text.split("\n")
        self.starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        for line in lines:  # toc gives no heading an id written on another one (attr_list's run first)
            written = _HEADING_ID.match(line.rstrip()) if line.startswith("#") else None
            if written is not None:
                self.ids.add(written.group(2))
        at = 0
        while at < len(lines):
            if not lines[at].strip():
                at += 1
                continue
            at = self.block(lines, at)
        return Converted("\n".join(self.out).strip(), nest_toc_tokens(self.tokens), self.title, self.anchors)

    def block(self, lines: list[str], at: int) -> int:
        """Convert the block starting at line `at`; returns the line after it."""
        line = lines[at]
        if line.startswith("#"):
            self.heading(line)
            return at + 1
        if line.startswith("<"):
            return self.raw(lines, at)
        end = at
        while end < len(lines) and lines[end].strip():
            if lines[end].startswith(("#", "<")) and end > at:
                raise _DeclinedError  # a heading or raw HTML right under text: Python-Markdown's business
            end += 1
        chunk = lines[at:end]
        if line.startswith("- "):
            self.bullets(chunk)
        elif line.startswith("|") and len(chunk) > 2 and _ROW_SEPARATOR.match(chunk[1]):
            self.table(chunk)
        else:
            self.paragraph(chunk)
        return end

    def heading(self, line: str) -> None:
        match = _HEADING.match(line.rstrip())
        if match is None:
            raise _DeclinedError
        level, text = len(match.group(1)), match.group(2).strip()
        written = _HEADING_ID.match(text)
        if written is not None:
            text = written.group(1)
        inner = _inline(text)
        name = strip_tags(inner)
        if written is not None:
            ident = written.group(2)
        else:
            ident = unique(self.options.slugify(html.unescape(name), self.options.separator), self.ids, self.counters)
        self.anchors.add(ident)
        if self.options.top <= level <= self.options.bottom:
            self.tokens.append({"level": level, "id": ident, "name": name, "html": inner, "data-toc-label": ""})
        if level == 1 and not self.out and self.title is None:
            self.title = strip_tags(inner)  # as mkdocs takes it: tags out, entities as written
        link = ""
        if self.options.permalink is not None:
            title = f' title="{html.escape(self.options.permalink_title)}"' if self.options.permalink_title else ""
            link = (
                f'<a class="{html.escape(self.options.permalink_class)}" href="#{html.escape(ident)}"{title}>'
                f"{self.options.permalink}</a>"
            )
        self.out.append(f'<h{level} id="{html.escape(ident)}">{inner}{link}</h{level}>')
        self.last = "heading"

    def raw(self, lines: list[str], at: int) -> int:
        """A raw HTML block: from a line starting with a block-level tag to the end of the line where that
        element closes (Python-Markdown's HTML extractor pops its stack to the matching end tag, so only
        the first element's own tags count); further lines of the same chunk must start another block.
        Kept byte for byte."""
        first = _TAG.match(lines[at])
        if first is None or first.group(1) or first.group(4):
            raise _DeclinedError
        name = first.group(2).lower()
        if name not in _BLOCK_TAGS or name in _VOID_TAGS or name in _RAW_TEXT_TAGS:
            raise _DeclinedError
        text, start = self.text, self.starts[at]
        depth = 1
        for tag in _same_tag(name).finditer(text, start + first.end()):
            if tag.group(1):
                depth -= 1
            elif not tag.group(2):
                depth += 1
            if depth == 0:
                break
        else:
            raise _DeclinedError  # never closed
        line_end = text.find("\n", tag.end())
        line_end = len(text) if line_end < 0 else line_end
        if text[tag.end() : line_end].strip():
            raise _DeclinedError  # text after the block on its line
        block = text[start:line_end]
        end = bisect.bisect_right(self.starts, line_end)
        following = end < len(lines) and lines[end].strip() != ""
        if following and not lines[end].startswith("<"):
            raise _DeclinedError
        self.out.append(block + ("" if following else "\n"))
        self.last = "raw"
        return end

    def bullets(self, chunk: list[str]) -> None:
        if self.last == "list" or not all(line.startswith("- ") and line[2:].strip() for line in chunk):
            raise _DeclinedError
        items = "".join(f"<li>{_inline(line[2:].strip())}</li>\n" for line in chunk)
        self.out.append(f"<ul>\n{items}</ul>")
        self.last = "list"

    def table(self, chunk: list[str]) -> None:
        aligns = [_alignment(cell) for cell in _cells(chunk[1])]
        rows = [_cells(line) for line in chunk[2:]]
        if any(not line.startswith("|") for line in chunk[2:]):
            raise _DeclinedError
        head = _cells(chunk[0])
        if len(head) != len(aligns):
            raise _DeclinedError
        parts = ["<table>\n<thead>\n<tr>\n"]
        parts += [f"<th{align}>{_inline(cell)}</th>\n" for cell, align in zip(head, aligns, strict=True)]
        parts.append("</tr>\n</thead>\n<tbody>\n")
        for row in rows:
            cells = (row + [""] * len(aligns))[: len(aligns)]
            parts.append("<tr>\n")
            parts += [f"<td{align}>{_inline(cell)}</td>\n" for cell, align in zip(cells, aligns, strict=True)]
            parts.append("</tr>\n")
        parts.append("</tbody>\n</table>")
        self.out.append("".join(parts))
        self.last = "table"

    def paragraph(self, chunk: list[str]) -> None:
        for number, line in enumerate(chunk):
            if _NOT_A_PARAGRAPH.match(line) or (line.startswith((" ", "\t")) and number == 0):
                raise _DeclinedError
            if line.endswith("  ") and number < len(chunk) - 1:
                raise _DeclinedError  # a hard line break
        self.out.append("<p>" + "\n".join(_inline(line.strip()) for line in chunk) + "</p>")
        self.last = "paragraph"


@functools.cache
def _same_tag(name: str) -> re.Pattern[str]:
    """The start and end tags of one element name: (end slash, self-closing slash)."""
    return re.compile(rf"<(/?){name}(?=[\s/>])[^<>]*?(/?)>", re.IGNORECASE)


def _inline(text: str) -> str:
    """Inline text as Python-Markdown leaves it: our tags and entities as they are, plain text without any
    character an inline pattern would act on (record text arrives escaped by site_builder.escape)."""
    position = 0
    for tag in _TAG_LIKE.finditer(text):
        _plain(text[position : tag.start()])
        if _TAG.fullmatch(tag.group(0)) is None or _UNSAFE_IN_TAG.search(tag.group(0)):
            raise _DeclinedError
        position = tag.end()
    _plain(text[position:])
    return _STRONG.sub(r"<strong>\1</strong>", text)


def _plain(text: str) -> None:
    rest = _ENTITY.sub("", _STRONG.sub("", text))
    if not _PLAIN.fullmatch(rest):
        raise _DeclinedError


def _cells(line: str) -> list[str]:
    row = line.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|"):
        row = row[:-1]
    if "`" in row or "\\" in row:
        raise _DeclinedError
    return [cell.strip() for cell in row.split("|")]


def _alignment(cell: str) -> str:
    left, right = cell.startswith(":"), cell.endswith(":")
    if left and right:
        return ' style="text-align: center;"'
    if left:
        return ' style="text-align: left;"'
    if right:
        return ' style="text-align: right;"'
    return ""
