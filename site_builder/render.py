"""jinja2 for Markdown pages: autoescape on, and every value escaped for Markdown too (see escape.py).

Templates get `t`/`term` for labels, `link(text, target)` for a Markdown link to another generated page
(mkdocs then checks it and turns it into a URL), and `href(target)` for a URL inside raw HTML.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from urllib.parse import quote, urlencode

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from crmdata.engine.risk_words import risk_signal_text
from crmdata.records.money import format_amount
from site_builder.escape import finalize, md_text, yaml_str
from site_builder.labels import Labels


def page_url(src: str) -> str:
    """The URL of a page relative to the site root, as mkdocs makes it with use_directory_urls."""
    stem = src[: -len(".md")] if src.endswith(".md") else src
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/" if src.endswith(".md") else stem


@lru_cache(maxsize=65536)
def _relative(folder: str, target: str) -> Markup:
    """Cached: 10,000 customer pages link to the same owners and pages over and over."""
    return Markup(quote(posixpath.relpath(target, folder)))


class Links:
    """Links from one page (`src`, e.g. customers/KH-1.md) to other pages and files of the site."""

    def __init__(self, src: str) -> None:
        self.src = src

    def relative(self, target: str) -> Markup:
        """target's source path relative to this page's source folder, for Markdown links (percent-quoted,
        so nothing in it is Markdown)."""
        return _relative(posixpath.dirname(self.src) or ".", target)

    def link(self, text: object, target: str, anchor: str = "") -> Markup:
        """A Markdown link to `target` (a source path), at `anchor` (an id on that page) when given."""
        fragment = f"#{quote(anchor)}" if anchor else ""
        return Markup(f"[{md_text(text)}]({self.relative(target)}{fragment})")

    def href(self, target: str) -> Markup:
        """A URL for raw HTML, which mkdocs does not rewrite: relative to this page's own URL."""
        here = page_url(self.src) or "."
        there = page_url(target) or "."
        relative = posixpath.relpath(there, here if here.endswith("/") else posixpath.dirname(here) or ".")
        if target.endswith(".md") and not relative.endswith("/"):
            relative += "/"
        return Markup(quote(relative))

    def index(self, **filters: str) -> Markup:
        """The customer index with its filters preset (crm.js reads them from the query string)."""
        return Markup(self.href("customers/index.md") + "?" + urlencode(filters, quote_via=quote))


def _number(value: object, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _percent(value: object) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"  # type: ignore[arg-type]


def _day(value: date | None) -> Markup:
    """ISO dates hold only digits and '-': safe as they are, and 10 bytes instead of 20 escaped."""
    return Markup(value.isoformat() if value is not None else "—")


def _join(items: Iterable[object], separator: str = ", ") -> Markup:
    """jinja's own join marks its result safe after HTML escaping only; this one escapes for Markdown too."""
    return md_text(separator).join(md_text(item) for item in items)


def _money(language: str) -> Callable[[float | None, str], str]:
    """`money(amount, currency)` for the templates: an amount as people of the site's language write it
    (¥1,234,567 / 123.5万, crmdata.records.money); "—" for no amount."""

    def money(amount: float | None, currency: str) -> str:
        return "—" if amount is None else format_amount(amount, currency, language)

    return money


def _anchor(key: str) -> Markup:
    """An attr_list heading id `{#key}` for our own keys (KPI names), so tiles can link to a section."""
    if not key.replace("_", "").isalnum() or not key.isascii():
        raise ValueError(f"not an anchor key: {key!r}")
    return Markup("{#" + key + "}")


def environment(labels: Labels, bytecode_cache: BytecodeCache | None = None) -> Environment:
    """The one jinja environment of a build (with the compiled templates of the last one, site_builder.kept)."""
    env = Environment(
        bytecode_cache=bytecode_cache,
        loader=PackageLoader("site_builder", "templates"),
        autoescape=True,
        finalize=finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(t=labels.t, term=labels.term, language=labels.language, anchor=_anchor)
    env.globals["signal_text"] = lambda signal: risk_signal_text(signal, labels.language)
    env.globals["money"] = _money(labels.language)
    env.filters.update(number=_number, percent=_percent, day=_day, yaml_str=yaml_str, join=_join)
    return env
