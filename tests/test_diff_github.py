"""`crm diff` Markdown on GitHub: no record text pings a person, links an issue or becomes markup.

GitHub renders a pull-request comment or a job summary with cmark-gfm (tables, autolinks, raw HTML),
then runs its reference filters over the HTML's text nodes, after character references are decoded, and
skips text inside code, pre and a elements (html-pipeline's MentionFilter and IssueReferenceFilter:
IGNORE_PARENTS = pre code a style script). So the test renders the report with cmarkgfm (the Python
binding of GitHub's cmark-gfm) and then looks for what those filters would link in every text node
they would read.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
from bs4 import BeautifulSoup, NavigableString
from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

from crmdata.git.diff import md
from tests.conftest import DataRepo, run_crm
from tests.test_diff import AS_OF, commit, init_git

PINGS = [
    "@someone",
    "&#64;x",
    "&#x40;y",
    "#12",
    "&#35;13",
    "GH-5",
    "gh-6",
    "org/repo#3",
    "@org/team",
    "https://evil.example/x",
    "www.evil.example",
    "a@b.example",
    ":rocket:",
    "deadbeefcafe",
]
"""Each linked or rendered by GitHub when it reaches a text node outside code."""
SHAPES = "价格 | `rm` ``two`` **x** [a](javascript:x) <b>bold</b> ~~s~~ $x$ \\| \\ end`"
"""Markup, backtick runs, a pipe, an escaped pipe and a trailing backtick: the code span's edge cases."""

GITHUB_LINKS = [
    re.compile(r"(?:^|\W)@[a-z0-9]", re.IGNORECASE),  # @user, @org/team
    re.compile(r"#\d"),  # #12, owner/repo#12
    re.compile(r"\bGH-\d", re.IGNORECASE),
    re.compile(r"\b[0-9a-f]{7,40}\b"),  # an abbreviated commit id
    re.compile(r":[a-z0-9_+-]+:"),  # emoji
    re.compile(r"https?://|www\.", re.IGNORECASE),
]


def render(markdown: str) -> BeautifulSoup:
    """As GitHub renders it: GFM with its extensions, raw HTML kept (GitHub sanitises it afterwards)."""
    page = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return BeautifulSoup(page, "html.parser")


def linkable_text(soup: BeautifulSoup) -> list[str]:
    """The text nodes GitHub's reference filters read: those outside code, pre, a, style and script."""
    skipped = {"code", "pre", "a", "style", "script"}
    return [
        str(node)
        for node in soup.find_all(string=True)
        if isinstance(node, NavigableString) and not any(parent.name in skipped for parent in node.parents)
    ]


def assert_inert(markdown: str) -> BeautifulSoup:
    soup = render(markdown)
    assert soup.find("a") is None, "an autolink"
    for text in linkable_text(soup):
        for pattern in GITHUB_LINKS:
            assert not pattern.search(text), f"{pattern.pattern} would be linked in {text!r}"
    outside_code = re.sub(r"(`+)(?:(?!\1).)+?\1", "", markdown)  # the raw Markdown, code spans taken out
    for pattern in GITHUB_LINKS[:3]:
        assert not pattern.search(html.unescape(outside_code)), pattern.pattern
    return soup


def test_md_shows_record_text_literally_in_a_table_cell_and_outside() -> None:
    for text in [*PINGS, SHAPES, " ".join(PINGS), "`", "``", "a`", "|", "\\|"]:
        cell = render(f"| h |\n|---|\n| {md(text)} |\n").find("td")
        assert cell is not None and cell.get_text() == text, (text, md(text))
        assert render(f"- {md(text, in_table=False)}\n").find("li").get_text() == text, text
        assert_inert(f"| h |\n|---|\n| {md(text)} |\n")
    two_lines = md("第一行\n@第二行")
    cell = render(f"| h |\n|---|\n| {two_lines} |\n").find("td")
    assert cell is not None and [code.get_text() for code in cell.find_all("code")] == ["第一行", "@第二行"]


def test_a_pull_request_cannot_ping_or_link_through_crm_diff(tmp_path: Path) -> None:
    data = DataRepo(tmp_path / "crm")
    init_git(data.root)
    data.config("team:\n  ming: {name: 张明}\n")
    data.customer("KH-1")
    data.customer("KH-2")
    commit(data.root, "base")
    everything = " ".join(PINGS)
    data.customer("KH-1", notes=json.dumps(SHAPES))
    data.customer("KH-2", stage="churned", churned_on="2026-11-15", churn_reason=json.dumps(everything))
    data.customer("GH-5", name=json.dumps(f"@someone {SHAPES}"), since="2026-11-20")
    topic = json.dumps("#12 &#64;x org/repo#3")
    data.put(
        f"id: JL-1\ncustomer: GH-5\ndate: 2026-11-21\nchannel: phone\nowner: ming\ntopic: {topic}\n",
    )
    commit(data.root, "change")
    result = run_crm("diff", "HEAD~1", "--root", str(data.root), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    soup = assert_inert(result.stdout)
    cells = [cell.get_text() for cell in soup.find_all("td")]
    assert SHAPES in cells  # KH-1's new notes, literally
    assert f"2026-11-15 · {everything}" in cells  # KH-2's churn reason
    assert f"@someone {SHAPES}" in cells and "GH-5" in cells and "#12 &#64;x org/repo#3" in cells
