"""Text from records, file names and sheets is data on the terminal too: shown escaped, never obeyed.

A pull request can put anything into a record. Printed raw, ESC sequences would clear a reviewer's
screen or set their window title, an OSC 8 sequence would forge a link, U+202E would reorder what they
read, and a line break would print a line that looks like crm's own verdict.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import pty
import re
import select
import subprocess
import unicodedata
from pathlib import Path

from crmdata.system.terminal_text import is_unsafe, json_visible, visible
from tests.conftest import CRM, DEFAULT_CONFIG, DataRepo, invoke_crm

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J"
HOSTILE = f"华星{CLEAR}{OSC_TITLE}\u202eevil{OSC_LINK}"
"""ESC, BEL, an OSC 8 link and a right-to-left override: refused in records, escaped wherever shown."""
INVISIBLE = "华星\u200f科技\u200b有限\u2060公司\u00ad"
"""A right-to-left mark, a zero-width space, a word joiner and a soft hyphen: allowed in a name (real text
copied from elsewhere carries them), and shown escaped so that a reader sees they are there."""
FORGED = "有效：0 个错误，0 个警告，共 3 个文件（0.01 秒）"
"""The closing line `crm validate` prints for a clean repository (in Chinese, crm.yaml's default language)."""
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\u00ad\u2028\u2029]")
"""What no line of crm's output may contain raw (only \\t and \\n are real layout)."""


def assert_inert(text: str) -> None:
    found = RAW.search(text)
    assert found is None, f"raw {found.group()!r} in output:\n{text}"


# --- the function -------------------------------------------------------------------------------------


def test_visible_escapes_controls_and_keeps_text() -> None:
    assert visible("华星科技 Ltd. – ‘客户’ 👨‍👩‍👧 (ok)") == "华星科技 Ltd. – ‘客户’ 👨‍👩‍👧 (ok)"
    assert visible(HOSTILE) == (
        "华星\\x1b[2J\\x1b]0;pwned\\x07\\u202eevil\\x1b]8;;https://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"
    )
    assert visible(INVISIBLE) == "华星\\u200f科技\\u200b有限\\u2060公司\\xad"
    assert visible("a\nb\tc\rd\x85e\x7f\u2028\U000e0041") == "a\\nb\\tc\\rd\\x85e\\x7f\\u2028\\U000e0041"
    assert visible("a\nb\x1b", keep="\n") == "a\nb\\x1b"


def test_every_format_character_but_the_joiners_is_escaped() -> None:
    """The hard-coded list in terminal_text matches the running Python's Unicode database (the list may
    name characters this Python's Unicode version has not assigned yet: format characters of Unicode 15)."""
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        expected = category in ("Cc", "Cs", "Zl", "Zp") or (category == "Cf" and char not in "\u200c\u200d")
        assert is_unsafe(char) == expected or (category == "Cn" and is_unsafe(char)), f"U+{code:04X} ({category})"


def test_json_output_escapes_what_json_leaves_raw_and_means_the_same() -> None:
    value = {"name": INVISIBLE + "\x9b\u202e\U000e0041\u2028"}
    encoded = json_visible(json.dumps(value, ensure_ascii=False))
    assert_inert(encoded)
    assert "\\u200f" in encoded and "\\u009b" in encoded and "\\udb40\\udc41" in encoded
    assert json.loads(encoded) == value


# --- crm due, crm segments ----------------------------------------------------------------------------


def test_due_refuses_escape_sequences_in_names_and_shows_the_error_escaped(repo: DataRepo) -> None:
    repo.customer("KH-2024002", name=json.dumps(HOSTILE))
    result = invoke_crm("due", "--root", str(repo.root), "--as-of", "2024-06-01")
    assert result.returncode == 1
    assert_inert(result.stdout + result.stderr)
    assert (
        "customers/KH-2024002.yaml:2:7: name: 含有控制字符 U+001B (ESC)（第 3 个字符）：文本里不能有控制字符"
        in result.stderr
    )


def test_due_and_segments_show_invisible_characters_escaped(repo: DataRepo) -> None:
    repo.config(f"team:\n  ming: {{name: {json.dumps('张明' + chr(0x200F))}}}\n  hong: {{name: 李红}}\n")
    repo.customer("KH-2024002", name=json.dumps(INVISIBLE), industry=json.dumps(f"制造\n{FORGED}"))
    repo.interaction("JL-2024002", "KH-2024002", "2024-03-01", todos='[{task: "跟进\\u200e报价", due: 2024-03-05}]')
    result = invoke_crm("due", "--root", str(repo.root), "--as-of", "2024-06-01", "--all")
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    assert "张明\\u200f (ming)：逾期 2，即将到期 0" in result.stdout
    assert "KH-2024002   华星\\u200f科技\\u200b有限…" in result.stdout  # clipped to its column, escapes whole
    assert "跟进\\u200e报价" in result.stdout

    listing = invoke_crm("segments", "--root", str(repo.root), "--as-of", "2024-06-01")
    assert listing.returncode == 0, listing.stderr
    assert_inert(listing.stdout)
    assert not [line for line in listing.stdout.splitlines() if line.startswith("有效：")]
    assert f"维度       行业：制造\\n{FORGED}" in listing.stdout
    members = invoke_crm("segments", "silent", "--root", str(repo.root), "--as-of", "2024-06-01")
    assert_inert(members.stdout)
    assert re.search(r"KH-2024002   华星\\u200f科技\\u200b有限… +ming", members.stdout)

    data = json.loads(invoke_crm("due", "--root", str(repo.root), "--as-of", "2024-06-01", "--format", "json").stdout)
    assert {plan["name"] for plan in data["followups"]} == {"华星科技有限公司", INVISIBLE}  # JSON: exact


def test_a_churn_reason_cannot_forge_a_line_in_segments(repo: DataRepo) -> None:
    repo.customer("KH-2024002", stage="churned", churned_on="2024-05-01", churn_reason=json.dumps(f"价格\n{FORGED}"))
    result = invoke_crm("segments", "win_back", "--root", str(repo.root), "--as-of", "2024-06-01")
    assert result.returncode == 0, result.stderr
    assert f"价格\\n{FORGED}" in result.stdout
    assert not [line for line in result.stdout.splitlines() if line.startswith("有效：")]


def test_on_a_terminal_no_record_text_drives_it(repo: DataRepo) -> None:
    """click strips colour codes when output is not a terminal; on a real one (a pty) nothing is stripped."""
    repo.customer("KH-2024002", name=json.dumps(HOSTILE))
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [str(CRM), "due", "--root", str(repo.root), "--as-of", "2024-06-01"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 1
    text = output.decode("utf-8")
    own_colours = re.sub(r"\x1b\[[0-9;]*m", "", text)  # crm's own red and bold are fine on a terminal
    assert_inert(own_colours.replace("\r\n", "\n"))
    assert "name: 含有控制字符 U+001B (ESC)（第 3 个字符）" in text


# --- crm validate -------------------------------------------------------------------------------------


def test_validate_shows_file_names_and_keys_escaped_and_a_key_cannot_forge_the_summary(repo: DataRepo) -> None:
    repo.write(f"customers/KH-{OSC_TITLE}2.yaml", "id: KH-2024002\n")
    repo.put(f'id: KH-2024003\n"x\\n{FORGED}\\e]0;t\\a": 1\n')
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    assert_inert(result.stdout)
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith(("有效", "无效"))] == [lines[-1]]
    assert lines[-1].startswith("无效：")
    assert "customers/KH-\\x1b]0;pwned\\x072.yaml:1:1: name: 缺少必填字段 name" in lines
    key_line = f"customers/KH-2024003.yaml:2:1: x\\n{FORGED}\\x1b]0;t\\x07: 未知字段"
    assert any(line.startswith(key_line) for line in lines)

    github = invoke_crm("validate", "--root", str(repo.root), "--format", "github")
    assert_inert(github.stdout)
    github_lines = github.stdout.splitlines()
    assert [line for line in github_lines if not line.startswith("::")] == [github_lines[-1]]
    assert "file=customers/KH-\\x1b]0;pwned\\x072.yaml," in github.stdout

    report = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert_inert(report.stdout)
    files = {problem["file"] for problem in json.loads(report.stdout)["errors"]}
    assert f"customers/KH-{OSC_TITLE}2.yaml" in files  # JSON keeps the exact name


# --- crm import (dry run), crm log, crm new ------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_import_dry_run_shows_sheet_text_escaped(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "客户.csv",
        [
            ["客户名称", "客户类型", "阶段", "负责人", "客户分级", "合作起始日期", "备注"],
            [HOSTILE, "企业", "合作期", "ming", "普通客户", "2024-01-01", ""],
            [INVISIBLE, "企业", "合作期", "ming", "普通客户", "2024-01-01", f"备注\n{FORGED}"],
        ],
    )
    empty_repo.config(DEFAULT_CONFIG + "language: en\n")  # the lines compared are the English ones
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root))
    assert result.returncode == 1
    assert_inert(result.stdout + result.stderr)
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "  row 2, column 客户名称 (A): contains the control character U+001B (ESC) at position 3: "
        "control characters are not allowed in text"
    )
    assert lines[2] == "  row 3: would create customers/KH-2024001.yaml  华星\\u200f科技\\u200b有限\\u2060公司\\xad"

    header = write_csv(tmp_path / "header.csv", [["客户名称", "客户类型", f"备注{OSC_TITLE}"], ["甲", "企业", "x"]])
    refused = invoke_crm("import", "customers", str(header), "--root", str(empty_repo.root))
    assert refused.returncode == 2
    assert_inert(refused.stdout + refused.stderr)
    assert "备注\\x1b]0;pwned\\x07" in refused.stderr


def test_log_refuses_control_characters_on_the_command_line(repo: DataRepo) -> None:
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", f"回访{OSC_TITLE}")
    assert result.returncode == 2
    assert_inert(result.stdout + result.stderr)
    assert "'--topic' 的值无效：含有控制字符 U+001B (ESC)（第 3 个字符）：文本里不能有控制字符" in result.stderr
    assert not (repo.root / "interactions" / "2026").exists()


def test_log_and_new_confirmations_show_invisible_characters_escaped(repo: DataRepo) -> None:
    result = invoke_crm(
        "log", "KH-2024001", "--root", str(repo.root), "--date", "2024-03-02", "--topic", "回访\u200f",
        "--todo", "报价\u2060单", "--due", "2024-03-05",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr)
    assert "  KH-2024001 · 电话 · 2024-03-02 · 回访\\u200f" in result.stdout.splitlines()
    assert "  待办 报价\\u2060单：2024-03-05（周二）到期" in result.stdout.splitlines()

    shown = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", INVISIBLE, "--type", "enterprise",
        "--tier", "regular", "--stage", "active", "--owner", "ming", "--notes", f"第一行\n{FORGED}", "--dry-run",
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert_inert(shown.stdout)
    assert not [line for line in shown.stdout.splitlines() if line.startswith("有效：")]


# --- the one way out ----------------------------------------------------------------------------------


def test_only_the_output_module_prints() -> None:
    """Every command prints through crmdata.cli.output (say, say_lines, say_progress), which escapes:
    a click.echo or print elsewhere would be a way around it. (synth.py prints its own counters only.)"""
    package = Path(__file__).resolve().parent.parent
    allowed = {Path("crmdata/cli/output.py"), Path("tools/synth.py")}
    found = []
    for path in sorted([*package.glob("crmdata/**/*.py"), *package.glob("site_builder/**/*.py")]):
        relative = path.relative_to(package)
        if relative in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            is_print = isinstance(func, ast.Name) and func.id == "print"
            is_echo = isinstance(func, ast.Attribute) and func.attr in ("echo", "secho")
            if is_print or (is_echo and ast.unparse(func).startswith("click.")):
                found.append(f"{relative}:{node.lineno}: {ast.unparse(func)}")
    assert not found, "print through crmdata.cli.output.say instead:\n" + "\n".join(found)


def test_a_clipped_column_never_cuts_an_escape_in_half() -> None:
    """`crm due` and `crm segments` clip long names to a column: an escape is shown whole or not at all."""
    from crmdata.cli.common import clip, display_width

    for text, width in (("华星\u202e科技有限公司", 8), ("ab\x1bcdef", 5), ("\x1b\x1b\x1b", 6), ("a\u202eb", 7)):
        shown = clip(text, width)
        assert display_width(shown) == width
        body = shown.rstrip(" ").removesuffix("…")
        assert re.fullmatch(r"(?:[^\\]|\\x[0-9a-f]{2}|\\u[0-9a-f]{4})*", body), shown
