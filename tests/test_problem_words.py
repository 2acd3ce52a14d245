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

STILL_ENGLISH: set[str] = set()
"""Modules whose problems are still built from English text; this set only shrinks, to empty."""


def _english_problems(path: Path) -> list[int]:
    """Lines where a problem is built from English text instead of a catalogue sentence:

    - error()/warning() given a string literal, an f-string, a CONSTANT (English text kept in a module),
      `str(...)`, a subscript (`err["msg"]`), a concatenation, or a call of a function of the same module
      that returns `str` (a helper that composes English: `_unknown_field_message`);
    - a PydanticCustomError raised by a model without its sentence (only `said_error` makes them).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    text_functions = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.returns is not None and _is_str(node.returns)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name == "PydanticCustomError" and not any("said" in _keys(arg) for arg in node.args):
            found.append(node.lineno)
        if not isinstance(node.func, ast.Name) or name not in ("error", "warning") or len(node.args) < 2:
            continue
        message = node.args[1]
        constant = isinstance(message, ast.Name) and message.id.isupper()
        composed = isinstance(message, ast.Subscript | ast.BinOp)
        called = isinstance(message, ast.Call) and isinstance(message.func, ast.Name)
        text_call = called and (message.func.id == "str" or message.func.id in text_functions)  # type: ignore[union-attr]
        if constant or composed or text_call or isinstance(message, ast.Constant | ast.JoinedStr):
            found.append(node.lineno)
    return found


def _is_str(annotation: ast.expr) -> bool:
    """`-> str`, `-> str | None`, `-> "str"`."""
    text = ast.unparse(annotation).strip("'\"")
    return text in ("str", "str | None", "None | str", "Optional[str]")


def _keys(node: ast.expr) -> set[str]:
    """The string keys of a dict literal (a PydanticCustomError's context), or of `{**context, "said": ...}`."""
    if isinstance(node, ast.Dict):
        return {key.value for key in node.keys if isinstance(key, ast.Constant) and isinstance(key.value, str)}
    return set()


def test_every_problem_is_a_sentence_from_a_catalogue() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        lines = _english_problems(path)
        if lines and relative not in STILL_ENGLISH:
            offenders[relative] = lines
    assert not offenders, f"problems built from English text (use a catalogue sentence): {offenders}"


def test_the_scan_finds_an_english_problem(tmp_path: Path) -> None:
    """The scan above can fail: it finds literals, f-strings, constants, str(), err["msg"], a concatenation,
    a helper that returns English, and a pydantic error without its sentence."""
    module = tmp_path / "m.py"
    module.write_text(
        'error(p, "bad")\nwarning(p, f"bad {x}", loc)\nerror(p, WORDS.say("k"))\nerror(p, BAD_MESSAGE)\n'
        'error(p, str(exc))\nerror(p, err["msg"])\nerror(p, "a" + b)\n'
        "def _message(x: int) -> str:\n    return ''\n"
        "error(p, _message(3))\n"
        "raise PydanticCustomError('rule', 'bad', {'field': 'x'})\n"
        "raise PydanticCustomError(kind, said.text('en'), {**context, 'said': said})\n",
        encoding="utf-8",
    )
    assert _english_problems(module) == [1, 2, 4, 5, 6, 7, 10, 11]


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
