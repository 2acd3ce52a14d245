"""One language on every page: the demo site in Chinese has no English words, an English copy no Chinese.

Both sites are built with the installed `crm` from the demo records: the Chinese one as the demo is
(`language: zh`), the English one from a copy whose crm.yaml says `language: en` and whose records stay
Chinese. Record values are the users' words, shown as typed: they are told from our words by the records
themselves (every string in the YAML files, except the values the vocabulary translates — a stage such as
`active` must never appear as it is written). What is left of every page's visible text (text nodes, the
document title, and the title/alt/aria-label/placeholder a person sees or hears) must hold no word of the
other language, apart from ids (KH-…), masked e-mail addresses and the ALLOWED words below, each with its
reason. Code (`code`, `pre`, `kbd`) is written as typed: commands, field names and keys stay ASCII.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Comment, Declaration, Doctype, Tag

from crmdata.records.vocabulary import term
from tests.browser_site import PROJECT, RECORD_FOLDERS, build_site, demo_copy

ALLOWED: dict[str, dict[str, str]] = {
    "zh": {
        "crm": "the program's name, as the command is typed",
        "CI": "the name Chinese teams use for continuous integration (the guide's CI page, in the navigation)",
        "pre-commit": "the tool's name (the guide's CI page, in the navigation)",
        "Q": "a quarter written 2025-Q1, the same in both languages",
        "CNY": "the ISO currency code, as crm.yaml writes it",
    },
    "en": {},
}
"""Words of the other language a page may show, with the reason."""

NAMES: dict[str, str] = {
    "GitHub GitLab Actions Pages Excel VS Code Python Windows pipx uv git mkdocs Pagefind WebCrypto": (
        "programs, services and tools, named as they are spelt in Chinese writing too"
    ),
    "YAML JSON Schema CSV xlsx Markdown HTML Unicode UTF BOM GBK CRLF NUL ISO yaml-language-server": (
        "file formats, encodings and standards, named as they are spelt"
    ),
    "CI CD CDN HTTP SMTP STARTTLS PEM CA Webhook AES GCM PBKDF HKDF-SHA HMAC-SHA ID CPU": (
        "protocols, algorithms and abbreviations Chinese technical writing uses as they are"
    ),
    "SIGTERM SIGKILL SIGHUP Ctrl-C ESC XFD PATH Asia Shanghai": (
        "signals, keys, an environment variable, Excel's last column and a time-zone name, as typed"
    ),
    "RMB USD GB MB KB K M N A B C D E F U": (
        "currency codes, units and placeholders (N 天, 2025-Q1, A/B …) the same in both languages"
    ),
    "HEAD BASE": "git's revision names as typed (crm diff BASE HEAD)",
}
"""Names a Chinese guide page shows as they are spelt, by kind and reason (the guide's pages only)."""
GUIDE_NAMES = {name for names in NAMES for name in names.split()}
INPUT_WORDS = "".join(
    "\n".join(re.findall(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+", path.read_text(encoding="utf-8")))
    for folder, pattern in (
        ("crmdata/records", "vocabulary.py"),
        ("crmdata/records", "names.py"),
        ("crmdata/records/models", "*.py"),
        ("crmdata/sheets", "*.py"),
        ("crmdata/authoring", "durations.py"),
        ("crmdata/cli", "*.py"),
    )
    for path in sorted((PROJECT / folder).glob(pattern))
)
"""The Chinese words crm reads and writes (the vocabulary's words and synonyms, the legal forms it sets aside in
names, the handbooks' column headers, the editor titles of the record and crm.yaml fields, the examples of the
commands' --help): the English guide documents them as a user types them or meets them, so they may appear there."""

ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
"""Attributes whose text a person sees (a tooltip, a placeholder) or hears (a screen reader)."""

CODE_TAGS = ("code", "pre", "kbd")
HIDDEN_TAGS = ("script", "style", "noscript", "svg", "template")
FILE_NAMES = re.compile(r"[\w./-]*\.(?:yaml|ics)\b")
"""File names and types (crm.yaml, .ics) as they are written."""
IDS = re.compile(r"\b[A-Z]{2,4}-\d{4,}\b")
"""Record ids (KH-2024001, JL-…): codes, the same in every language."""
EMAILS = re.compile(r"\S+@\S+")
"""Contact e-mail addresses, masked or not: record values."""
FOREIGN = {
    "zh": re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]"),
    "en": re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+"),
}
"""A word of the other language: Latin letters in a Chinese site; Han or full-width punctuation in an English one."""


@dataclass(frozen=True)
class BuiltSite:
    language: str
    folder: Path
    records: re.Pattern[str]
    """Every record string of the repository it was built from, longest first."""


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):  # its keys are field names, ours: they must not be shown as they are
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _record_strings(root: Path) -> re.Pattern[str]:
    """The users' words: every string in crm.yaml and the records, except the values the vocabulary words
    (those must be shown translated, so they stay in the scanned text)."""
    found: set[str] = set()
    for path in [root / "crm.yaml", *(p for folder in RECORD_FOLDERS for p in (root / folder).rglob("*.yaml"))]:
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            for line in text.splitlines():
                line = line.strip()
                if line and term(line, "zh") == line and term(line, "en") == line:
                    found.add(line)
    return re.compile("|".join(re.escape(text) for text in sorted(found, key=len, reverse=True)))


def _command_names() -> re.Pattern[str]:
    """`crm build`, `crm new customer`: the guide names its command pages after the commands as typed."""
    from crmdata.cli.main import main

    names = sorted(main.commands, key=len, reverse=True)
    return re.compile(r"\bcrm(?: (?:" + "|".join(re.escape(name) for name in names) + r")\b[\w -]*)?")


COMMANDS = _command_names()


@pytest.fixture(scope="module", params=["zh", "en"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The demo records built as a site in `language` (the records themselves stay as they are)."""
    language: str = request.param
    work = tmp_path_factory.mktemp(f"language-{language}")

    def in_language(config: str) -> str:
        assert "\nlanguage: zh\n" in config, "the demo's crm.yaml no longer says language: zh"
        return config.replace("\nlanguage: zh\n", f"\nlanguage: {language}\n")

    root = demo_copy(work / "data", in_language)
    build_site(root, work / "site", work)
    return BuiltSite(language, work / "site", _record_strings(root))


def _visible_texts(page: BeautifulSoup) -> Iterator[str]:
    """The page's visible text: header, navigation, article and footer. Left out: code as typed, the table of
    contents (the article's headings again), and a passage that declares another language (`lang="en"` on the
    guide's reference pages, whose text is the code's English: --help texts, the models' field descriptions, the
    contract; `<i lang="en">` on another program's button names as they are spelt)."""
    for tag in page.find_all(HIDDEN_TAGS):
        tag.decompose()
    for tag in page.select("[hidden]"):  # not shown: the search index's coded words (site_builder.search)
        tag.decompose()
    for toc in page.select("nav.md-nav--secondary"):  # the table of contents: the article's headings again
        toc.decompose()
    for tag in page.find_all(CODE_TAGS):
        tag.decompose()
    for tag in page.select("[lang]:not(html)"):  # declared another language: another program's words as spelt
        tag.decompose()
    for text in page.find_all(string=True):
        if not isinstance(text, Comment | Doctype | Declaration):
            yield str(text)
    for element in page.find_all(True):
        assert isinstance(element, Tag)
        for attribute in ATTRIBUTES:
            value = element.get(attribute)
            if isinstance(value, str):
                yield value


def foreign_words(built: BuiltSite) -> dict[str, set[str]]:
    """{word of the other language: the pages showing it (some)} over every built page."""
    found: dict[str, set[str]] = defaultdict(set)
    allowed = ALLOWED[built.language]
    for path in sorted(built.folder.rglob("*.html")):
        where = path.relative_to(built.folder).as_posix()
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for text in _visible_texts(page):
            ours = FILE_NAMES.sub(" ", EMAILS.sub(" ", IDS.sub(" ", built.records.sub(" ", text))))
            ours = COMMANDS.sub(" ", ours)
            guide = where.startswith("help/")
            names = GUIDE_NAMES if built.language == "zh" and guide else set()
            for word in FOREIGN[built.language].findall(ours):
                if word in allowed or word in names or (guide and built.language == "en" and word in INPUT_WORDS):
                    continue
                if len(found[word]) < 3:
                    found[word].add(f"{where}: {' '.join(text.split())[:100]}")
    return dict(found)


def test_every_page_speaks_the_site_language(built: BuiltSite) -> None:
    """A Chinese site shows no English word and an English site no Chinese one, records' values aside."""
    found = foreign_words(built)
    report = "\n".join(f"{word!r}: {sorted(places)}" for word, places in sorted(found.items()))
    assert not found, f"{len(found)} words not in the site's language ({built.language}):\n{report}"


def test_the_scan_sees_words_of_the_other_language(tmp_path: Path) -> None:
    """The scan itself: a page with our words in the wrong language is caught, a record value is not."""
    (tmp_path / "index.html").write_text(
        "<html><head><title>看板</title></head><body><header aria-label='Dark'>深色</header>"
        "<article><p>华星 ABC 科技</p><p>Made with love</p><code>crm build</code></article></body></html>",
        encoding="utf-8",
    )
    site = BuiltSite("zh", tmp_path, re.compile(re.escape("华星 ABC 科技")))
    assert set(foreign_words(site)) == {"Dark", "Made", "with", "love"}


def test_kpis_are_said_plainly_with_the_precise_definition_a_click_away(built: BuiltSite) -> None:
    """Each KPI on the KPI page: its plain sentence shown, its precise definition folded in <details>."""
    from crmdata.engine.kpis import KPIS

    article = BeautifulSoup((built.folder / "kpis/index.html").read_text(encoding="utf-8"), "html.parser")
    for definition in KPIS:
        place = article.find(id=definition.name)
        assert place is not None, definition.name
        summary = place.find("p", class_="crm-kpi-summary") or place.find_next("p", class_="crm-kpi-summary")
        assert summary is not None and summary.get_text(strip=True) == definition.summary(built.language)
        precise = summary.find_next("details")
        assert precise is not None and "crm-kpi-precise" in precise["class"]
        assert definition.explained(built.language) in precise.get_text()


def test_data_quality_names_the_customer_and_the_fix(built: BuiltSite) -> None:
    """A warning about a customer's file names that customer, linked to their page, and says the fix."""
    page = BeautifulSoup((built.folder / "data-quality/index.html").read_text(encoding="utf-8"), "html.parser")
    rows = page.select("article table tbody tr")
    assert rows
    for row in rows:
        customer, problem, fix, where = row("td")
        link = customer.find("a")
        assert link is not None and link["href"].startswith("../customers/KH-"), row
        record = yaml.safe_load((PROJECT / "customers" / (link["href"].split("/")[2] + ".yaml")).read_text("utf-8"))
        assert link.get_text() == record["name"]
        assert problem.get_text(strip=True) and fix.get_text(strip=True), row
        assert where.find("code") is not None
