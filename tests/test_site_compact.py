"""Built pages lose the theme's indentation and nothing else (site_builder.compact)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.compact import compact_html


def test_runs_of_whitespace_become_one_character_a_line_break_when_they_held_one() -> None:
    html = '<ul>\n      \n  <li class="a">\n    <a href="x">\n  \n  看板\n\n      </a>  </li>\n</ul>'
    assert compact_html(html) == '<ul>\n<li class="a">\n<a href="x">\n看板\n</a> </li>\n</ul>'


def test_whitespace_that_is_content_is_kept_exactly() -> None:
    kept = [
        "<pre><code>def f():\n    return  1\n\n</code></pre>",
        "<code>a   b</code>",
        "<kbd>Ctrl  +  C</kbd>",
        "<textarea>\n  typed  \n</textarea>",
        "<script>\n  var a  =  '  x  ';\n</script>",
        "<style>\n  .a  { color: red }\n</style>",
        '<PRE class="x">\n  upper  case\n</PRE>',
    ]
    for element in kept:
        html = f"<div>\n    {element}\n    </div>"
        assert compact_html(html) == f"<div>\n{element}\n</div>", element


def test_text_and_attributes_keep_their_single_spaces() -> None:
    html = '<p title="a b">one two <em>three</em> four</p>'
    assert compact_html(html) == html


_ANY_RUN = re.compile(r"[ \t\r\n\f]*\n[ \t\r\n\f]*|[ \t\f]{2,}")


def _one_character_per_run(text: str) -> str:
    """The rule itself, one run at a time: a line break when the run held one, else a space."""
    return _ANY_RUN.sub(lambda run: "\n" if "\n" in run.group(0) else " ", text)


@given(
    st.lists(
        st.sampled_from([" ", "  ", "\t", "\n", "\r", "\f", "\r\n", "a", "看板", "<p>", "</p>", "<code>x  y</code>"])
    )
)
@settings(max_examples=500, deadline=None)
def test_every_run_of_whitespace_becomes_one_character(pieces: list[str]) -> None:
    html = "".join(pieces)
    kept = re.compile(r"<code>.*?</code>", re.DOTALL)
    expected = "".join(
        _one_character_per_run(part) if index % 2 == 0 else part
        for index, part in enumerate(re.split(r"(<code>.*?</code>)", html, flags=re.DOTALL))
    )
    assert kept.findall(compact_html(html)) == kept.findall(html)
    assert compact_html(html) == expected
