"""The round-trip core (crmdata.authoring.edits): whatever layout a person gave a record, an edit changes
exactly the lines it must, and every other byte stays.

Each case is a layout ruamel.yaml alone would change somewhere (spacing after a colon, a `---`, plain text
folded over lines, indentation, a BOM, CRLF, trailing spaces): the edit's result is compared with the
original line by line, line ends included.
"""

from __future__ import annotations

from datetime import date

import pytest

from crmdata.authoring.edits import EditRefusedError, RoundTrip, model_order, set_value, splice, yaml_text
from crmdata.records.models import Interaction, Todo
from crmdata.records.yamlread import read_yaml
from tests.conftest import changed_lines

HEAD = "id: JL-2024010\ncustomer: KH-2024001\ndate: 2024-03-01\nchannel: phone\nkind: complaint\nowner: ming\n"

LAYOUTS = {
    "document start": "---\n" + HEAD + "topic: 投诉\n",
    "spaces after colons": HEAD.replace("channel: phone", "channel:     phone") + "topic:   投诉   \n",
    "folded plain text": HEAD + "topic: 投诉\nsummary: a summary written\n  over two lines\n",
    "block text": HEAD + "topic: 投诉\nsummary: |\n  第一行\n    缩进的第二行  \n\n  第三行\n",
    "quoted keys and values": HEAD + '"topic": \'投诉\'\nfeedback: "说\\"慢\\""\n',
    "four-space lists": HEAD + "topic: 投诉\nneed_changes:\n    -   更快\n    - 更便宜\n",
    "comments everywhere": "# 顶部\n\n" + HEAD + "topic: 投诉 #\t制表符\n   # 缩进的注释\nsatisfaction: 2     #  低\n",
    "time of day": HEAD.replace("date: 2024-03-01", "date: 2024-03-01 09:05")
    + "topic: 投诉\nrecorded: 2024-03-01t10:00:00.50+08:00\n",
    "long line": HEAD + "topic: 投诉\nsummary: " + "很长的一句话，" * 60 + "\n",
    "flow mapping and list": HEAD + "topic: 投诉\nneed_changes: [ a,b ,  c ]\ntodos: [{task: x, due: 2024-03-02}]\n",
}


def _resolved(raw: bytes) -> bytes:
    document = RoundTrip(raw, "interactions/2024/JL-2024010.yaml")
    set_value(document.tree, "resolved", date(2024, 3, 10), model_order(Interaction))
    return document.result(Interaction)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_an_added_key_is_the_only_change(layout: str) -> None:
    raw = LAYOUTS[layout].encode("utf-8")
    after = _resolved(raw)
    assert changed_lines(raw, after) == ([], [b"resolved: 2024-03-10\n"])


@pytest.mark.parametrize("layout", [layout for layout in LAYOUTS if layout != "block text"])
def test_crlf_bom_and_no_final_newline_are_kept(layout: str) -> None:
    raw = b"\xef\xbb\xbf" + LAYOUTS[layout].rstrip("\n").replace("\n", "\r\n").encode("utf-8")
    after = _resolved(raw)
    assert after.startswith(raw)
    assert after[len(raw) :] == b"\r\nresolved: 2024-03-10"


def test_a_block_text_ending_the_file_keeps_its_value() -> None:
    # Without a final newline the block's text has no final line break; a line added after it would
    # give it one: the block's header changes to `|-` (keep it without) rather than the text change.
    raw = LAYOUTS["block text"].rstrip("\n").encode("utf-8")
    after = _resolved(raw)
    assert changed_lines(raw, after) == (
        [b"summary: |\n", "  第三行".encode()],
        [b"summary: |-\n", "  第三行\n".encode(), b"resolved: 2024-03-10\n"],
    )
    assert (read_yaml(after, "x.yaml").data or {})["summary"] == (read_yaml(raw, "x.yaml").data or {})["summary"]


def test_mixed_line_ends_stay_as_they_were() -> None:
    raw = (HEAD.replace("\n", "\r\n", 2) + "topic: 投诉\n").encode("utf-8")
    after = _resolved(raw)
    assert changed_lines(raw, after) == ([], [b"resolved: 2024-03-10\r\n"])  # the file's first line end


def test_a_key_in_a_four_space_list_item_is_indented_as_its_neighbours() -> None:
    raw = (
        HEAD + "topic: 投诉\ntodos:\n    -   task: 打电话\n        due: 2024-03-05   # 周二\n\n# 说明\nplan: JH-1\n"
    ).encode()
    document = RoundTrip(raw, "interactions/2024/JL-2024010.yaml")
    set_value(document.tree["todos"][0], "done", date(2024, 3, 4), model_order(Todo))
    after = document.result(Interaction)
    assert changed_lines(raw, after) == ([], [b"        done: 2024-03-04\n"])
    assert after.index(b"done:") < after.index(b"# \xe8\xaf\xb4\xe6\x98\x8e")  # before the comment of plan


def test_a_changed_value_changes_its_line_alone() -> None:
    raw = ("# 客户\nid: KH-1\nname:  '华星'\nstage:   active   # 合作中\n\nowner: ming\n").encode()
    document = RoundTrip(raw, "customers/KH-1.yaml")
    document.tree["stage"] = "stable"
    lines = document.spliced().splitlines(keepends=True)
    assert lines[:3] == raw.splitlines(keepends=True)[:3]
    assert lines[4:] == raw.splitlines(keepends=True)[4:]
    assert lines[3].startswith(b"stage: stable")


def test_an_edit_that_breaks_the_record_is_refused_with_file_line_and_field() -> None:
    raw = (HEAD + "topic: 投诉\n").encode()
    document = RoundTrip(raw, "interactions/2024/JL-2024010.yaml")
    set_value(document.tree, "resolved", date(2024, 2, 1), model_order(Interaction))
    with pytest.raises(EditRefusedError) as refused:
        document.result(Interaction)
    [problem] = refused.value.problems
    assert (problem.file, problem.line, problem.field) == ("interactions/2024/JL-2024010.yaml", 8, "resolved")


def test_text_that_yaml_would_read_as_something_else_is_quoted() -> None:
    raw = (HEAD + "topic: 投诉\n").encode()
    for text in ("no", "on", "0755", "1e3", "2024-01-01", "null", " padded", "a: b", "# not a comment"):
        document = RoundTrip(raw, "interactions/2024/JL-2024010.yaml")
        set_value(document.tree, "feedback", yaml_text(text), model_order(Interaction))
        after = document.result(Interaction)
        parsed = read_yaml(after, "x.yaml")
        assert parsed.data is not None and parsed.data["feedback"] == text


def test_splice_keeps_original_lines_where_only_the_dump_differs() -> None:
    original = ["a:   1\r\n", "b: 2\n", "c: 3\n"]
    base = ["a: 1\n", "b: 2\n", "c: 3\n"]
    edited = ["a: 1\n", "b: 2\n", "x: 9\n", "c: 3\n"]
    assert splice(original, base, edited, "\r\n") == ["a:   1\r\n", "b: 2\n", "x: 9\r\n", "c: 3\n"]
