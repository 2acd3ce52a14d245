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

from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm

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


# --- each kind of problem, said in the language of crm.yaml ---------------------------------------------

NESTED = "notes: " + "[" * 25 + "]" * 25


def _write_case(repo: DataRepo, case: str) -> None:
    """Break the valid repository in one way (a problem per case of PROBLEM_KINDS)."""
    if case == "unknown_field":
        repo.customer("KH-2024009", "colour: red")
    elif case == "wrong_type":
        repo.customer("KH-2024009", name="12345")
    elif case == "enum":
        repo.interaction("JL-2024009", "KH-2024001", "2024-03-02", channel="fax")
    elif case == "enum_word":  # the Chinese word typed for the value: the value it means is suggested
        repo.customer("KH-2024009", stage="合作期")
    elif case == "bad_date":
        repo.customer("KH-2024009", since="2024-02-30")
    elif case == "missing":
        repo.customer("KH-2024009", tier=None)
    elif case == "syntax":
        repo.write("customers/KH-2024009.yaml", "id: KH-2024009\nname: [unclosed\n")
    elif case == "duplicate_key":
        repo.customer("KH-2024009", "name: 又一个名字")
    elif case == "too_deep":
        repo.customer("KH-2024009", NESTED)
    elif case == "id_not_file_name":
        repo.customer("KH-2024010").rename(repo.root / "customers" / "KH-2024009.yaml")
    elif case == "year_folder":
        repo.write("interactions/2023/JL-2024009.yaml", (repo.root / "interactions/2024/JL-2024001.yaml").read_text())
    elif case == "no_consent":
        repo.customer("KH-2024009", consent=None)
    elif case == "logged_late":
        repo.interaction("JL-2024009", "KH-2024001", "2024-03-01", recorded="2024-03-05 10:00")
    else:  # pragma: no cover - a typo in PROBLEM_KINDS
        raise AssertionError(case)


PROBLEM_KINDS = {
    # case: (code, Chinese, English)
    "unknown_field": (
        "unknown_field",
        "colour: 未知字段 'colour'；可用的字段：",
        "colour: unknown field 'colour'; allowed: ",
    ),
    "wrong_type": (
        "not_text_quote",
        'name: YAML 会把 12345 读成数字，而这里要的是文本：请加引号（"12345"）',
        'name: expected text, but YAML reads 12345 as a number: quote it ("12345")',
    ),
    "enum": (
        "not_one_of",
        "channel: 'fax' 不是可选的值：phone（电话）、video（线上会议）、visit（拜访）",
        "channel: 'fax' is not one of: phone, video, visit",
    ),
    "enum_word": (
        "not_one_of",
        "（是不是想写 active？）",
        "(did you mean active?)",
    ),
    "bad_date": (
        "yaml_not_real_date",
        "since: 2024-02-30 不是真实存在的日期（day is out of range for month）；日期请写成 YYYY-MM-DD",
        "since: 2024-02-30 is not a real date (day is out of range for month); write dates as YYYY-MM-DD",
    ),
    "missing": ("missing", "tier: 缺少必填字段 tier", "tier: required field tier is missing"),
    "syntax": ("syntax_error", ": YAML 语法错误：", ": YAML syntax error: "),
    "duplicate_key": (
        "duplicate_key",
        "name: 重复的键 'name'（第 2 行已经写过）：YAML 会悄悄只保留最后一个；请删掉其中一个",
        "name: duplicate key 'name' (first given at line 2): YAML would silently keep only the last one",
    ),
    "too_deep": ("too_deep", "嵌套超过 20 层：记录最多只有几层", "nesting deeper than 20 levels"),
    "id_not_file_name": (
        "id_not_file_name",
        "id: id KH-2024010 与文件名 KH-2024009.yaml 不一致：请改掉其中一个",
        "id: id KH-2024010 does not match the file name KH-2024009.yaml: rename one of them",
    ),
    "year_folder": (
        "wrong_year_folder",
        "date: 警告：日期是 2024-03-01，应放在 interactions/2024/",
        "date: warning: dated 2024-03-01, so it belongs in interactions/2024/",
    ),
    "no_consent": (
        "no_consent",
        "id: 警告：没有记录客户的同意：请添加 consent: {given: true, date: ...}",
        "id: warning: no consent recorded: add consent: {given: true, date: ...}",
    ),
    "logged_late": (
        "logged_late",
        "recorded: 警告：沟通后 3 天 10 小时 才记录；沟通记录应在 24 小时内录入",
        "recorded: warning: recorded 3 days 10 hours after the conversation; log conversations within 24 hours",
    ),
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("case", sorted(PROBLEM_KINDS))
def test_each_kind_of_problem_is_said_in_the_language_of_crm_yaml(repo: DataRepo, case: str, language: str) -> None:
    repo.config(f"language: {language}\n" + DEFAULT_CONFIG)
    _write_case(repo, case)
    code, chinese, english = PROBLEM_KINDS[case]
    expected, other = (chinese, english) if language == "zh" else (english, chinese)
    text = invoke_crm("validate", "--root", str(repo.root))
    assert expected in text.stdout, text.stdout
    assert other not in text.stdout
    report = json.loads(invoke_crm("validate", "--root", str(repo.root), "--format", "json").stdout)
    entries = report["errors"] + report["warnings"]
    assert code in {entry["code"] for entry in entries}, entries
    assert all(entry["code"] for entry in entries), entries  # every problem has its stable code


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", ["topic: 不能为空", "owner: bob 不是团队成员（crm.yaml 的 team：ming, hong）"]),
        ("en", ["topic: must not be empty", "owner: bob is not on the team (crm.yaml team: ming, hong)"]),
    ],
)
def test_crm_log_says_what_is_wrong_with_the_draft_in_the_language_of_crm_yaml(
    repo: DataRepo, language: str, expected: list[str]
) -> None:
    repo.config(f"language: {language}\n" + DEFAULT_CONFIG)
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", " ", "--owner", "bob")
    assert result.returncode == 1
    assert result.stderr.splitlines()[: len(expected)] == expected


def test_gitlab_code_quality_report_names_each_problem_on_its_file_and_line(repo: DataRepo) -> None:
    """`--format gitlab`: GitLab's Code Quality JSON, each problem on its file and line, in crm.yaml's
    language; errors major, warnings minor; a fingerprint per place and problem, not per line."""
    repo.config("language: zh\nteam:\n  ming: {name: 张明}\n")
    repo.interaction("JL-2024009", "KH-9999999", "2024-03-02")
    repo.customer("KH-2024005", consent=None)
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "gitlab")
    assert result.returncode == 1
    issues = {issue["location"]["path"]: issue for issue in json.loads(result.stdout)}
    error = issues["interactions/2024/JL-2024009.yaml"]
    assert error == {
        "description": "customer: 没有编号为 KH-9999999 的客户",
        "check_name": "no_customer",
        "fingerprint": error["fingerprint"],
        "severity": "major",
        "location": {"path": "interactions/2024/JL-2024009.yaml", "lines": {"begin": 2}},
    }
    assert issues["customers/KH-2024005.yaml"]["severity"] == "minor"
    assert len({issue["fingerprint"] for issue in issues.values()}) == len(issues)
    moved_down = "# a comment above moves every line down\n" + (repo.root / error["location"]["path"]).read_text()
    repo.write(error["location"]["path"], moved_down)
    moved = json.loads(invoke_crm("validate", "--root", str(repo.root), "--format", "gitlab").stdout)
    (again,) = [issue for issue in moved if issue["location"]["path"] == error["location"]["path"]]
    assert again["location"]["lines"]["begin"] == 3 and again["fingerprint"] == error["fingerprint"]
