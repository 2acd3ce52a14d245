"""The user guide every crm site carries under 帮助 / Help, the way fava ships its help inside the app.

A team member reading their CRM finds how to log a call right there. Two kinds of pages:

- the guide: Markdown files shipped in this package, one topic each, in Chinese (`zh/`) and English
  (`en/`); the site shows the set of crm.yaml's `language`. The interface contract (`contract.md`) is one
  English page in both, with a Chinese introduction (`zh/contract-intro.md`) on the Chinese side;
- the reference: the commands' help, the KPI definitions and the record fields, written from the code at
  build time (reference.py), so they cannot drift from it.

`GUIDE` fixes the order of the Help section; a test checks that it names every file of both languages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig

from crmdata.records.models import Policy
from site_builder.help import reference
from site_builder.pages import Output, Page, page_set
from site_builder.sitedata import SiteData

LANGUAGES = ("zh", "en")
SECTION = {"zh": "帮助", "en": "Help"}
"""The Help tab's title."""


@dataclass(frozen=True)
class Topic:
    """One page of the Help section: a guide file (`file`) or a generated reference page (`generated`)."""

    slug: str
    file: bool = True
    in_nav: bool = True


GUIDE: tuple[Topic, ...] = (
    Topic("index"),
    Topic("start"),
    Topic("daily"),
    Topic("records"),
    Topic("validate"),
    Topic("followups"),
    Topic("segments"),
    Topic("kpis", file=False),
    Topic("import-export"),
    Topic("review"),
    Topic("site"),
    Topic("ci"),
    Topic("privacy"),
    Topic("commands/index", file=False),
    Topic("fields", file=False),
    Topic("settings", file=False),
    Topic("contract", file=False),
)
"""The Help section in navigation order. Each command's own page follows the command index, out of the
navigation (the index links to each)."""


@cache
def guide_text(language: str, slug: str) -> str:
    """A guide page's Markdown as shipped in the package."""
    return (files(__name__) / language / f"{slug}.md").read_text(encoding="utf-8")


def contract_text(language: str) -> str:
    """The contract page: one English text; the Chinese site puts its own title and introduction first."""
    text = (files(__name__) / "contract.md").read_text(encoding="utf-8")
    if language == "en":
        return text
    body = text.split("\n", 1)[1] if text.startswith("# ") else text
    english = f'<div lang="en" markdown>\n\n{body.strip()}\n\n</div>\n'  # declared English: reference.english
    return guide_text(language, "contract-intro").rstrip() + "\n\n" + english


def title_of(markdown: str) -> str:
    """The text of the page's first `# ` heading, without code marks or an anchor: its title in the navigation."""
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].split("{#", 1)[0].replace("`", "").strip()
    raise ValueError("a help page must start with a '# ' heading")


def page_texts(language: str, policy: Policy | None = None) -> Iterator[tuple[str, str, bool]]:
    """(source path in the site, Markdown, in the navigation) of every Help page, in order; the KPI
    definitions name `policy`'s settings (crm.yaml's; the defaults without one)."""
    docs = reference.commands()
    for topic in GUIDE:
        if topic.file:
            text = guide_text(language, topic.slug)
        elif topic.slug == "kpis":
            text = reference.kpi_page(language, policy)
        elif topic.slug == "fields":
            text = reference.fields_page(language, reference.RECORD_FILES)
        elif topic.slug == "settings":
            text = reference.fields_page(language, reference.CONFIG_FILES)
        elif topic.slug == "contract":
            text = contract_text(language)
        else:
            text = reference.commands_index(language, docs)
        yield f"help/{topic.slug}.md", text, topic.in_nav
        if topic.slug == "commands/index":
            for doc in docs:
                yield doc.src, reference.command_page(language, doc), False


@page_set
def help_pages(data: SiteData) -> Iterator[Output]:
    """The Help section in the site's language (English for a language without a guide)."""
    language = data.language if data.language in LANGUAGES else "en"
    section = SECTION[language]
    for src, text, in_nav in page_texts(language, data.policy):
        title = title_of(text)
        if src == "help/index.md":
            nav: tuple[str, ...] | None = (section,)
        else:
            nav = (section, title) if in_nav else None
        yield Page(src, "help.md.j2", title, {"body": Markup(text)}, nav=nav)


def prune_navigation(config: MkDocsConfig) -> None:
    """Turn on material's `navigation.prune`: every page then carries the links of its own tab only.

    The theme writes the whole navigation into every page; the Help section's pages would add a few
    kilobytes to each of 10,000 customer pages and push the dashboard past its 50 KB. Pruned, another
    tab costs one link. Left alone when the site expands every section (`navigation.expand`), which
    needs the whole tree.
    """
    features = config.theme.get("features")
    if features is None:
        features = []
        config.theme["features"] = features
    if "navigation.expand" not in features and "navigation.prune" not in features:
        features.append("navigation.prune")
