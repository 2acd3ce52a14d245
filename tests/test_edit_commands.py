"""`crm done`, `crm resolve`, `crm stage` on real files: only the lines the change needs change.

Each file is written as a person writes one (comments, odd quoting, blank lines, flow lists, long lines,
Chinese text, CRLF, no final newline), the command is run as a user runs it, and the file is compared
with what it was line by line: exactly the expected lines differ, everything else is byte-identical.
A refusal leaves the file byte-identical and exits non-zero with a message naming what is wrong.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import DataRepo, changed_lines, invoke_crm

LONG = "这是一段很长的沟通摘要，" * 12 + "and some English words that would be folded at eighty columns by default"

COMPLAINT = f"""\
# yaml-language-server: $schema=../../schemas/interaction.schema.json
id: JL-2024010   # 投诉记录
customer: 'KH-2024001'
date: 2024-03-01 15:30
channel:   phone
kind: complaint
owner: ming
topic: "发票开错了"
summary: {LONG}
need_changes: [ 发票抬头, "开票周期" ]

todos:
    - {{task: 重开发票, due: 2024-03-08}}
    - task: 回访确认   # 电话
      due: 2024-03-15
      owner: hong

# 后续跟进
next_followup: 2024-03-20
"""


def _complaint(repo: DataRepo, text: str = COMPLAINT, newline: str = "\n") -> Path:
    path = repo.root / "interactions" / "2024" / "JL-2024010.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_done_adds_only_the_done_line_of_that_todo(repo: DataRepo, newline: str) -> None:
    path = _complaint(repo, newline=newline)
    before = path.read_bytes()
    result = invoke_crm("done", "JL-2024010", "2", "--on", "2024-03-14", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    assert "JL-2024010" in result.stdout
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == []
    assert added == [f"      done: 2024-03-14{newline}".encode()]
    after = path.read_bytes().decode()
    assert after.index("owner: hong") < after.index("done: 2024-03-14") < after.index("# 后续跟进")
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0


def test_done_in_a_flow_mapping_changes_that_line_alone(repo: DataRepo) -> None:
    path = _complaint(repo)
    before = path.read_bytes()
    result = invoke_crm("done", "JL-2024010", "1", "--on", "2024-03-07", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == ["    - {task: 重开发票, due: 2024-03-08}\n".encode()]
    assert added == ["    - {task: 重开发票, due: 2024-03-08, done: 2024-03-07}\n".encode()]


def test_done_without_a_number_takes_the_only_open_todo(repo: DataRepo) -> None:
    path = _complaint(repo, COMPLAINT.replace("due: 2024-03-08}", "due: 2024-03-08, done: 2024-03-05}"))
    result = invoke_crm("done", "JL-2024010", "--on", "2024-03-14", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    assert "      done: 2024-03-14\n" in path.read_text(encoding="utf-8")


def test_done_without_a_number_lists_the_open_todos_and_writes_nothing(repo: DataRepo) -> None:
    path = _complaint(repo)
    before = path.read_bytes()
    result = invoke_crm("done", "JL-2024010", "--root", str(repo.root))
    assert result.returncode == 1
    assert "1. 重开发票" in result.stderr and "2. 回访确认" in result.stderr
    assert "crm done JL-2024010 1" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("JL-2024999", "1"), "JL-2024999"),
        (("JL-2024010", "3"), "没有第 3 项"),
        (("JL-2024010", "1", "--on", "2024-02-01"), None),
    ],
    ids=["unknown id", "no such todo", "done before it was promised is fine"],
)
def test_done_refusals_leave_the_file_as_it_was(repo: DataRepo, args: tuple[str, ...], expected: str | None) -> None:
    path = _complaint(repo)
    before = path.read_bytes()
    result = invoke_crm("done", *args, "--root", str(repo.root))
    if expected is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_done_twice_says_when_it_was_done(repo: DataRepo) -> None:
    path = _complaint(repo)
    assert invoke_crm("done", "JL-2024010", "2", "--on", "2024-03-14", "--root", str(repo.root)).returncode == 0
    before = path.read_bytes()
    result = invoke_crm("done", "JL-2024010", "2", "--root", str(repo.root))
    assert result.returncode == 1
    assert "2024-03-14" in result.stderr
    assert path.read_bytes() == before


def test_resolve_adds_resolved_after_the_complaints_fields(repo: DataRepo) -> None:
    path = _complaint(repo)
    before = path.read_bytes()
    result = invoke_crm("resolve", "JL-2024010", "--on", "2024-03-10", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == []
    assert added == [b"resolved: 2024-03-10\n"]
    text = path.read_text(encoding="utf-8")
    assert text.index("next_followup:") < text.index("resolved:")
    again = invoke_crm("resolve", "JL-2024010", "--root", str(repo.root))
    assert again.returncode == 1
    assert "2024-03-10" in again.stderr


def test_resolve_refuses_what_is_not_a_complaint(repo: DataRepo) -> None:
    path = repo.root / "interactions" / "2024" / "JL-2024001.yaml"
    before = path.read_bytes()
    result = invoke_crm("resolve", "JL-2024001", "--root", str(repo.root))
    assert result.returncode == 1
    assert "kind: followup" in result.stderr
    assert path.read_bytes() == before


def test_an_edit_that_would_not_validate_names_file_line_and_field_and_writes_nothing(repo: DataRepo) -> None:
    path = _complaint(repo)
    before = path.read_bytes()
    result = invoke_crm("resolve", "JL-2024010", "--on", "2024-02-01", "--root", str(repo.root))
    assert result.returncode == 1
    assert "interactions/2024/JL-2024010.yaml:20:11: resolved:" in result.stderr
    assert path.read_bytes() == before


def test_a_record_with_errors_is_not_edited(repo: DataRepo) -> None:
    path = _complaint(repo, COMPLAINT.replace("owner: ming\n", "owner: ming\nmood: bad\n"))
    before = path.read_bytes()
    result = invoke_crm("resolve", "JL-2024010", "--root", str(repo.root))
    assert result.returncode == 1
    assert "JL-2024010.yaml:8:1: mood:" in result.stderr
    assert path.read_bytes() == before


def test_a_symlinked_record_is_never_written_through(repo: DataRepo, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(COMPLAINT, encoding="utf-8")
    link = repo.root / "interactions" / "2024" / "JL-2024010.yaml"
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(elsewhere, link)
    result = invoke_crm("resolve", "JL-2024010", "--root", str(repo.root))
    assert result.returncode == 1
    assert "符号链接" in result.stderr
    assert elsewhere.read_text(encoding="utf-8") == COMPLAINT
    assert link.is_symlink()


def test_another_broken_record_does_not_stop_an_edit(repo: DataRepo) -> None:
    repo.write("interactions/2024/JL-2024077.yaml", "id: JL-2024077\ncustomer: [broken\n")
    _complaint(repo)
    result = invoke_crm("resolve", "JL-2024010", "--on", "2024-03-10", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr


def test_no_final_newline_stays_without_one(repo: DataRepo) -> None:
    path = _complaint(repo, COMPLAINT.rstrip("\n"))
    result = invoke_crm("resolve", "JL-2024010", "--on", "2024-03-10", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    assert text.endswith("resolved: 2024-03-10")
    assert text.startswith(COMPLAINT.rstrip("\n"))


# --- crm stage ---------------------------------------------------------------------------------------------

CUSTOMER = """\
# 华星科技 — 重点客户
id: KH-2024001
name: "华星科技有限公司"
type: enterprise
tier: strategic
stage: active
value: high
owner: ming
since: 2024-01-10

contacts:
  - name: 李雷
    phone: "13800138000"   # 手机
    primary: true
tags: [制造, 华南]
consent: {given: true, date: 2024-01-10}

# 备注
notes: 每季度回访
"""


def _customer(repo: DataRepo, text: str = CUSTOMER) -> Path:
    path = repo.root / "customers" / "KH-2024001.yaml"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("stage", ["churned", "流失", "已流失", "Churned"])
def test_stage_churned_sets_the_day_and_reason_and_nothing_else(repo: DataRepo, stage: str) -> None:
    path = _customer(repo)
    before = path.read_bytes()
    result = invoke_crm("stage", "KH-2024001", stage, "--reason", "no", "--on", "2024-06-30", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == [b"stage: active\n"]
    assert added == [b"stage: churned\n", b"churned_on: 2024-06-30\n", b"churn_reason: 'no'\n"]
    text = path.read_text(encoding="utf-8")
    assert text.index("consent:") < text.index("churned_on:") < text.index("# 备注")
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0


@pytest.mark.parametrize("given", ["华星", "hxkj", "kh-2024001"])
def test_stage_takes_the_customer_by_name_part_or_pinyin_as_every_command_does(repo: DataRepo, given: str) -> None:
    path = _customer(repo)
    result = invoke_crm("stage", given, "stable", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    assert "stage: stable\n" in path.read_text(encoding="utf-8")


def test_stage_churned_without_a_reason_off_a_terminal_is_a_usage_error(repo: DataRepo) -> None:
    path = _customer(repo)
    before = path.read_bytes()
    result = invoke_crm("stage", "KH-2024001", "流失", "--root", str(repo.root))
    assert result.returncode == 2
    assert "--reason" in result.stderr
    assert path.read_bytes() == before


def test_stage_back_from_churned_keeps_the_record_of_the_loss(repo: DataRepo) -> None:
    path = _customer(repo)
    assert invoke_crm("stage", "KH-2024001", "churned", "--reason", "预算", "--root", str(repo.root)).returncode == 0
    before = path.read_bytes()
    result = invoke_crm("stage", "KH-2024001", "合作期", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    assert changed_lines(before, path.read_bytes()) == ([b"stage: churned\n"], [b"stage: active\n"])


def test_stage_out_of_prospecting_sets_since(repo: DataRepo) -> None:
    path = _customer(repo, CUSTOMER.replace("stage: active", "stage: prospecting").replace("since: 2024-01-10\n", ""))
    before = path.read_bytes()
    result = invoke_crm("stage", "KH-2024001", "接洽期", "--root", str(repo.root))
    assert result.returncode == 1 and path.read_bytes() == before  # already there
    result = invoke_crm("stage", "KH-2024001", "active", "--on", "2024-02-01", "--root", str(repo.root))
    assert result.returncode == 0, result.stderr
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == [b"stage: prospecting\n"]
    assert added == [b"stage: active\n", b"since: 2024-02-01\n"]


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (("KH-1999999", "stable"), 2, "KH-1999999"),  # as in crm log: an unknown customer is a usage error
        (("KH-2024001", "稳定啊"), 2, "接洽期"),
        (("KH-2024001", "合作期"), 1, "合作期"),
        (("KH-2024001", "churned", "--reason", "x", "--on", "2023-01-01"), 1, "churned_on"),
    ],
    ids=["unknown customer", "unknown stage", "same stage", "churned before since"],
)
def test_stage_refusals_leave_the_file_as_it_was(
    repo: DataRepo, args: tuple[str, ...], code: int, expected: str
) -> None:
    path = _customer(repo)
    before = path.read_bytes()
    result = invoke_crm("stage", *args, "--root", str(repo.root))
    assert result.returncode == code
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_edits_speak_english_in_an_english_repository(repo: DataRepo) -> None:
    repo.config("team:\n  ming: {name: Ming}\n  hong: {name: Hong}\nlanguage: en\n")
    _complaint(repo)
    result = invoke_crm("done", "JL-2024010", "--root", str(repo.root))
    assert "has 2 open todos" in result.stderr
    result = invoke_crm("resolve", "JL-2024010", "--on", "2024-03-10", "--root", str(repo.root))
    assert result.stdout.startswith("Resolved: the complaint JL-2024010 on 2024-03-10")


def test_every_edit_command_has_examples_in_its_help() -> None:
    for command in ("done", "resolve", "stage", "merge"):
        result = invoke_crm(command, "--help")
        assert result.returncode == 0
        assert "Examples:" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("done", "JL-2024010"),
        ("done", "JL-2024010", "2", "--on", "2024-03-14"),
        ("done", "JL-2024999"),
        ("resolve", "JL-2024001"),
        ("resolve", "JL-2024010", "--on", "2024-02-01"),
        ("stage", "KH-2024001", "流失"),
        ("stage", "KH-2024001", "nonsense"),
        ("stage", "KH-2024001", "stable"),
        ("merge", "KH-2024001", "KH-2024001"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_chinese_repository_reads_no_english_sentence(repo: DataRepo, args: tuple[str, ...]) -> None:
    from tests.test_words_everywhere import english_in

    _complaint(repo)
    result = invoke_crm(*args, "--root", str(repo.root))
    output = result.stdout + result.stderr
    assert output.strip()
    assert english_in(output) == []


def test_on_a_terminal_stage_churned_asks_for_the_reason(repo: DataRepo) -> None:
    """A real pseudo-terminal: the reason is asked for, then written as typed."""
    import pty
    import select
    import subprocess
    import time

    from tests.conftest import CRM

    path = _customer(repo)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(CRM), "stage", "KH-2024001", "流失", "--on", "2024-06-30", "--root", str(repo.root)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    output = b""

    def read_until(marker: bytes) -> None:
        nonlocal output
        deadline = time.monotonic() + 30
        while marker not in output and time.monotonic() < deadline:
            if select.select([controller], [], [], 1)[0]:
                try:
                    output += os.read(controller, 4096)
                except OSError:  # the terminal closed: the process ended
                    return

    read_until("流失原因".encode())
    os.write(controller, "改用竞品\n".encode())
    assert process.wait(timeout=60) == 0
    read_until("流失原因：改用竞品".encode())
    os.close(controller)
    text = path.read_text(encoding="utf-8")
    assert "churned_on: 2024-06-30\nchurn_reason: 改用竞品\n" in text
