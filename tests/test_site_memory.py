"""What a page holds in memory while mkdocs builds the site (site_builder.held).

mkdocs converts every page before it writes any: whatever each page keeps between the two passes is
multiplied by the number of pages (13,000 at 10,000 customers). These tests watch the pages of a real
build from a second plugin, as any plugin sees them: no Markdown and no HTML held on a page between the
passes, the HTML back exactly when the theme renders the page, and nothing left once it is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin, event_priority

import site_builder
from tests.conftest import DataRepo
from tests.test_site import AS_OF, write_small_crm


class Watcher(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Records what the pages hold at each step of the build."""

    def __init__(self) -> None:
        self.pages: list[Any] = []
        self.between: dict[str, tuple[object, object]] = {}
        """Each page's (markdown, content) once every page is converted and none is written yet."""
        self.rendered: dict[str, str] = {}
        """Each page's content as the theme gets it (on_page_context, after the crm plugin's)."""
        self.written: dict[str, tuple[object, object]] = {}
        """Each page's (markdown, content) after the build."""

    @event_priority(-100)
    def on_page_content(self, html: str, /, *, page: Any, config: Any, files: Any) -> str:
        self.pages.append(page)
        return html

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        self.between = {page.file.src_uri: (page.markdown, page.content) for page in self.pages}
        return env

    @event_priority(-100)
    def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
        self.rendered[page.file.src_uri] = page.content
        return context

    def on_post_build(self, *, config: Any) -> None:
        self.written = {page.file.src_uri: (page.markdown, page.content) for page in self.pages}


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Watcher, Path]:
    """A build of the small CRM (with a hand-written page) through mkdocs in this process, watched."""
    repo = DataRepo(tmp_path_factory.mktemp("memory") / "crm")
    write_small_crm(repo)
    repo.write("docs/playbook.md", "# 销售手册\n\n手写的内容。\n")
    out = repo.root / "site"
    config = load_config(
        str(Path(site_builder.__file__).parent / "mkdocs.yml"), docs_dir=str(repo.root / "docs"), site_dir=str(out)
    )
    crm = config.plugins["crm"]
    crm.config.root = str(repo.root)
    crm.config.as_of = AS_OF
    watcher = Watcher()
    config.plugins["watcher"] = watcher
    build(config)
    return watcher, out


def test_no_page_holds_its_markdown_or_html_between_converting_and_writing(watched: tuple[Watcher, Path]) -> None:
    watcher, _ = watched
    assert len(watcher.between) > 20  # every generated page and the hand-written one
    assert "playbook.md" in watcher.between and "customers/KH-2024001.md" in watcher.between
    holding = {src: held for src, held in watcher.between.items() if held != ("", "")}
    assert holding == {}


def test_the_theme_gets_each_page_whole_when_it_renders_it(watched: tuple[Watcher, Path]) -> None:
    watcher, out = watched
    assert set(watcher.rendered) == set(watcher.between)
    customer = watcher.rendered["customers/KH-2024001.md"]
    assert "华星科技有限公司" in customer and "<h2" in customer
    assert "手写的内容" in watcher.rendered["playbook.md"]
    written = (out / "customers" / "KH-2024001" / "index.html").read_text(encoding="utf-8")
    assert "华星科技有限公司" in written


def test_pages_keep_their_titles_in_every_page_navigation(watched: tuple[Watcher, Path]) -> None:
    """A hand-written page's title comes from its first heading; mkdocs reads it while the page holds no text."""
    _, out = watched
    for page in ("playbook/index.html", "index.html", "customers/KH-2024001/index.html"):
        nav = BeautifulSoup((out / page).read_text(encoding="utf-8"), "html.parser").select_one("nav.md-nav--primary")
        assert nav is not None and "销售手册" in nav.get_text(), page


def test_a_written_page_lets_its_html_go(watched: tuple[Watcher, Path]) -> None:
    watcher, _ = watched
    assert set(watcher.written) == set(watcher.between)
    assert {src: held for src, held in watcher.written.items() if held != ("", None)} == {}
