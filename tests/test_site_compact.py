"""Built pages lose the theme's indentation and nothing else (site_builder.compact)."""

from __future__ import annotations

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
