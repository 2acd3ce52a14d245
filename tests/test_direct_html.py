"""Generated pages converted without Python-Markdown (site_builder.direct_html) are the pages it would write.

The module is only worth having if nobody can tell: so the demo site is built both ways and compared file for
file, every staged page is compared with Python-Markdown's own conversion (HTML, table of contents and title),
and random record text, escaped as the templates escape it, is put through every construct the module accepts.
Whatever it cannot promise to convert exactly it must decline, and then Python-Markdown converts the page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

import site_builder.plugin
from site_builder.direct_html import HeadingOptions, convert, heading_options
from site_builder.escape import md_text
from site_builder.plugin import MARKDOWN_EXTENSIONS
from tests.conftest import file_digests, invoke_crm

PROJECT = Path(__file__).resolve().parents[1]
DEMO_AS_OF = "2026-11-24"
RECORD_FOLDERS = ("customers", "interactions", "plans", "opportunities", "contracts")
TOC = {"permalink": True, "permalink_title": "永久链接"}
OPTIONS = heading_options(MARKDOWN_EXTENSIONS, {"toc": TOC})


def _python_markdown(text: str) -> tuple[str, list[dict[str, object]]]:
    md = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs={"toc": TOC})
    return md.convert(text), md.toc_tokens


def _same_as_python_markdown(text: str) -> bool:
    """True when direct_html converted `text` exactly as Python-Markdown does; False when it declined."""
    assert OPTIONS is not None
    converted = convert(text, OPTIONS)
    if converted is None:
        return False
    expected, tokens = _python_markdown(text)
    assert converted.html == expected, text
    assert converted.toc_tokens == tokens, text
    return True


def _demo(root: Path, language: str) -> Path:
    root.mkdir()
    for folder in RECORD_FOLDERS:
        shutil.copytree(PROJECT / folder, root / folder)
    config = (PROJECT / "crm.yaml").read_text(encoding="utf-8").replace("language: zh", f"language: {language}")
    (root / "crm.yaml").write_text(config, encoding="utf-8")
    return root


def _build(root: Path, out: Path) -> None:
    result = invoke_crm("build", "--root", str(root), "--as-of", DEMO_AS_OF, "--out", str(out))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_demo_site_is_the_same_built_with_python_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    root = _demo(tmp_path / "crm", language)
    _build(root, tmp_path / "direct")
    staged = root / ".crm-cache" / "site" / "public"
    pages = {path.relative_to(staged).as_posix(): path for path in staged.rglob("*.md")}
    shutil.rmtree(root / ".crm-cache")  # the second build renders and converts everything again
    monkeypatch.setattr(site_builder.plugin, "heading_options", lambda extensions, configs: None)
    _build(root, tmp_path / "python-markdown")

    direct, reference = file_digests(tmp_path / "direct"), file_digests(tmp_path / "python-markdown")
    assert direct.keys() == reference.keys()
    differing = [path for path in direct if direct[path] != reference[path]]
    assert differing == []
    converted = {src for src, path in pages.items() if _same_as_python_markdown(get_data(path.read_text())[0])}
    kinds = {src.split("/")[0] for src in converted}
    assert {"customers", "lists", "segments", "today"} <= kinds  # the bulk of a big site
    assert {src for src in pages if src.startswith("customers/")} <= converted


def test_every_staged_page_it_converts_equals_python_markdown_with_the_settings_of_a_site(tmp_path: Path) -> None:
    """Heading ids follow toc's settings (its own slugify, separator, permalink text and class)."""
    options = heading_options(
        ["toc", "tables"], {"toc": {"permalink": "#", "permalink_class": "anchor", "separator": "_"}}
    )
    assert options == HeadingOptions(permalink="#", permalink_class="anchor", separator="_")
    text = "# Two words\n\n## Two words\n\n<p>x</p>\n\n## 沟通 (3)\n"
    converted = convert(text, options)
    md = markdown.Markdown(
        extensions=["toc", "tables"],
        extension_configs={"toc": {"permalink": "#", "permalink_class": "anchor", "separator": "_"}},
    )
    assert converted is not None and converted.html == md.convert(text)
    assert converted.title == "Two words"


def test_a_site_with_an_extension_it_does_not_know_is_left_to_python_markdown() -> None:
    assert heading_options([*MARKDOWN_EXTENSIONS, "abbr"], {}) is None
    assert heading_options(["tables"], {}) is None  # no toc: headings without ids
    assert heading_options(MARKDOWN_EXTENSIONS, {"toc": {"baselevel": 2}}) is None


@pytest.mark.parametrize(
    "text",
    [
        "<!-- a comment -->\n",
        '<div markdown="1">\n**x**\n</div>\n',
        '<div class="crm-help" markdown>\n\n# x\n\n</div>\n',
        "<script>if (a < b) {}</script>\n",
        "*emphasis*\n",
        "a [link](x.md)\n",
        "- one\n\n- two\n",  # one loose list, paragraphs in its items
        "- one\n  more\n",
        "1. first\n",
        "> quoted\n",
        "text\n---\n",  # a setext heading
        "    code\n",
        "<p>unclosed\n",
        "<p>x</p> tail\n",
        "<p>x</p>\ntext under it\n",
        "a\tb\n",
        "!!! note\n    x\n",
        "# title {: .class }\n",
        "line with a hard break  \nnext\n",
        "<span>inline first</span> <p>then a block</p>\n",
        '<p title="a [b](c)">x</p>\n<a href="`x`">y</a>\n',
        "a < b\n",
    ],
)
def test_what_it_does_not_convert_exactly_it_declines(text: str) -> None:
    assert OPTIONS is not None
    assert convert(text, OPTIONS) is None


@pytest.mark.parametrize(
    "text",
    [
        '# 华星科技 &#40;KH&#45;2024001&#41;\n\n<p class="crm-meta">x</p>\n',
        "## 未完成事项 {#open_items}\n\n## open items\n\n## Open Items\n",
        '<div class="a">\n<p>x</p>\n\n<p>y</p>\n</div>\n\n<div><div>nested</div></div>\n',
        "<p>one</p>\n<p>two</p>\n<ul><li>x</li></ul>\n",
        "- a <b>bold</b>\n- b\n\n| a | b | c |\n|---|--:|:-:|\n| <code>1</code> | 2 |\n| 3 | 4 | 5 | 6 |\n",
        "**人数: 388**\n\n<p>x</p>\n",
        'text <a href="../x/">y</a>\nmore &amp; more\n',
        "## 沟通 (14)\n\n## 沟通 (14)\n\n## 14\n",
        "<hr>\n",
        "  \n<p>x</p>\n   \n<div>\n   \n</div>\n",
    ],
)
def test_what_it_converts_equals_python_markdown(text: str) -> None:
    converted = _same_as_python_markdown(text)
    assert converted or text == "<hr>\n"  # a void block tag is declined, the rest converted


_RECORD_TEXT = st.lists(
    st.sampled_from([*"华星科技 abc_*`[]()<>&#!|:-=.\\{}~^$%@\"'/\n\t", "&amp;", "&#40;", "**", "  ", "- ", "# "]),
    max_size=30,
).map("".join)


@given(value=_RECORD_TEXT, other=_RECORD_TEXT)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_record_text_escaped_as_the_templates_do_converts_as_python_markdown_does(value: str, other: str) -> None:
    one, two, ident = md_text(value), md_text(other), md_text(other.replace("\n", ""))
    pages = [
        f"# {one} (KH&#45;1)\n\n## {two}\n\n## {one}\n",
        f'<div class="crm-timeline">\n<p class="crm-entry" id="{ident}"><strong>{one}</strong><br>\n'
        f"<span>{two}</span></p>\n\n<p>{one}</p>\n</div>\n",
        f"- {one}\n- {two}\n",
        f"| a | b |\n|---|--:|\n| {one} | {two} |\n",
        f"{one}\n{two}\n\n<p>{two}</p>\n",
        f"**{one}**\n",
    ]
    converted = [_same_as_python_markdown(page) for page in pages]
    assert converted[0] and converted[1]  # headings and raw HTML: what a customer page is made of
    if one and two:
        assert converted[2] and converted[3]  # lists and tables of record text


_BLOCKS = st.sampled_from(
    [
        "# 标题 &#40;1&#41;",
        "## 沟通 (2) {#talks}",
        "## 沟通 (2)",
        "### x",
        '<p class="a">x<br>\n<span>y</span></p>',
        "<div>\n<p>a</p>\n\n<p>b</p>\n</div>",
        "<ul><li>x</li></ul>",
        "<hr>",
        "- a\n- b <b>c</b>",
        "- a",
        "| a | b |\n|---|--:|\n| 1 | 2 |",
        "| a |\n|---|",
        'text <a href="x/">y</a>',
        "**强调**",
        "more text",
        "</div>",
        "<span>inline</span> text",
    ]
)
_SEPARATORS = st.sampled_from(["\n", "\n\n", "\n  \n", "\n\n\n"])


@given(blocks=st.lists(st.tuples(_BLOCKS, _SEPARATORS), min_size=1, max_size=7))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_order_of_the_blocks_the_templates_write_converts_as_python_markdown_does(
    blocks: list[tuple[str, str]],
) -> None:
    _same_as_python_markdown("".join(block + separator for block, separator in blocks))
