"""Problems are worded in crm.yaml's language: the sentence is chosen where the problem is found and
worded where it is shown (terminal, JSON, GitHub annotations, crm diff, the site).

- every problem in crmdata is built from a catalogue sentence, never from English text (AST scan);
- `crm validate` says the same problem in Chinese or in English by `language`, with the same `code`.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.conftest import DataRepo, invoke_crm

PACKAGE = Path(__file__).resolve().parent.parent / "crmdata"

STILL_ENGLISH: set[str] = {
    "authoring/drafts.py",
    "records/load.py",
    "records/record_check.py",
    "records/validate.py",
    "records/yamlread.py",
}
"""Modules whose problems are still built from English text; this set only shrinks, to empty."""


def _english_problems(path: Path) -> list[int]:
    """Lines where error()/warning() get a string literal, an f-string or a CONSTANT (English text kept in
    a module) as the message."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("error", "warning"):
            if len(node.args) < 2:
                continue
            message = node.args[1]
            constant = isinstance(message, ast.Name) and message.id.isupper()
            if constant or isinstance(message, ast.Constant | ast.JoinedStr):
                found.append(node.lineno)
    return found


def test_every_problem_is_a_sentence_from_a_catalogue() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        lines = _english_problems(path)
        if lines and relative not in STILL_ENGLISH:
            offenders[relative] = lines
    assert not offenders, f"problems built from English text (use a catalogue sentence): {offenders}"


def test_the_scan_finds_an_english_problem(tmp_path: Path) -> None:
    """The scan above can fail: it finds both a literal and an f-string."""
    module = tmp_path / "m.py"
    module.write_text(
        'error(p, "bad")\nwarning(p, f"bad {x}", loc)\nerror(p, WORDS.say("k"))\nerror(p, BAD_MESSAGE)\n',
        encoding="utf-8",
    )
    assert _english_problems(module) == [1, 2, 4]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh", "没有编号为 KH-9999999 的客户"), ("en", "no customer has the id KH-9999999")],
)
def test_validate_words_a_problem_in_the_language_of_crm_yaml(repo: DataRepo, language: str, expected: str) -> None:
    repo.config(f"language: {language}\nteam:\n  ming: {{name: 张明}}\n")
    repo.interaction("JL-2024009", "KH-9999999", "2024-03-02")
    text = invoke_crm("validate", "--root", str(repo.root))
    assert text.returncode == 1
    assert f"interactions/2024/JL-2024009.yaml:2:11: customer: {expected}" in text.stdout
    report = json.loads(invoke_crm("validate", "--root", str(repo.root), "--format", "json").stdout)
    assert [(entry["message"], entry["code"]) for entry in report["errors"]] == [(expected, "no_customer")]
    github = invoke_crm("validate", "--root", str(repo.root), "--format", "github").stdout
    assert f"::customer: {expected}" in github


def test_a_warning_says_warning_in_the_language_of_crm_yaml(repo: DataRepo) -> None:
    repo.config("language: zh\nteam:\n  ming: {name: 张明}\n")
    repo.customer("KH-2024005", consent=None)
    assert ": 警告：" in invoke_crm("validate", "--root", str(repo.root)).stdout
    repo.config("language: en\nteam:\n  ming: {name: 张明}\n")
    assert ": warning: " in invoke_crm("validate", "--root", str(repo.root)).stdout
