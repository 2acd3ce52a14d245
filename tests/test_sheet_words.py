"""`crm import` and `crm export` speak crm.yaml's `language` in every line a person reads: a row's problem,
the plan and its summary, an error about the workbook or the options, a limit, and the JSON report's
`message` (beside a stable `code`).

- real .csv/.xlsx files written to disk, `crm` run as a user runs it (invoke_crm);
- an AST scan fails when the sheets room builds a problem or an error from English text instead of a
  sentence of its catalogue (crmdata.sheets.sheet_words), and is shown to fail on a sample.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from crmdata.records.vocabulary import CATALOGUES
from crmdata.sheets import sheet_words
from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm
from tests.test_import_export import CUSTOMER_HEADERS, DEFAULTS, write_csv, write_xlsx
from tests.test_vocabulary import HAN, placeholders

PROJECT = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh", "en"]


def _repository(repo: DataRepo, language: str) -> None:
    repo.config(DEFAULT_CONFIG + f"language: {language}\n")


def _bad_sheet(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "客户.csv",
        [
            CUSTOMER_HEADERS,
            [1, None, "华星科技有限公司", "李雷", None, "13800138000", None, "战略客户", "2024-01-10"],
            [2, None, "月底公司", None, None, "13900000000", None, "普通客户", "2024-02-30"],
        ],
    )


EXPECTED_ROWS = {
    "zh": [
        "客户.csv：2 行，客户（表头在第 1 行）",
        "  第 2 行：将创建 customers/KH-2024001.yaml  华星科技有限公司",
        "  第 3 行，联系方式（F 列）：每位联系人都要有姓名：请同时填写联系人的姓名（联系人）",
        "  第 3 行，合作起始日期（I 列）：2024-02-30 不是真实存在的日期（day is out of range for month）",
        "1 行待创建，0 行已导入过，0 行可能重复，0 行与仓库不同，1 行无效",
        "试运行：没有写入任何文件；修正无效的行后，加 --write 再运行",
    ],
    "en": [
        "客户.csv: 2 rows of customers (header on row 1)",
        "  row 2: would create customers/KH-2024001.yaml  华星科技有限公司",
        "  row 3, column 联系方式 (F): a contact needs a name: fill in the contact's name (联系人) too",
        "  row 3, column 合作起始日期 (I): 2024-02-30 is not a real date (day is out of range for month)",
        "1 to create, 0 already imported, 0 likely duplicates, 0 differ from the repository, 1 invalid",
        "dry run: nothing written; fix the invalid rows, then run again with --write",
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bad_row_and_the_summary_are_in_the_language_of_crm_yaml(
    empty_repo: DataRepo, tmp_path: Path, language: str
) -> None:
    _repository(empty_repo, language)
    result = invoke_crm("import", "customers", str(_bad_sheet(tmp_path)), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines() == EXPECTED_ROWS[language]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", "错误：客户.xlsx 中没有名为 '客户表' 的工作表；它的工作表有：Sheet1"),
        ("en", "Error: 客户.xlsx has no sheet '客户表'; its sheets: Sheet1"),
    ],
)
def test_an_error_about_the_workbook_is_in_the_language_of_crm_yaml(
    empty_repo: DataRepo, tmp_path: Path, language: str, expected: str
) -> None:
    _repository(empty_repo, language)
    workbook = write_xlsx(tmp_path / "客户.xlsx", {"Sheet1": [CUSTOMER_HEADERS]})
    result = invoke_crm("import", "customers", str(workbook), "--root", str(empty_repo.root), "--sheet", "客户表")
    assert result.returncode == 2
    assert result.stderr.strip() == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", "错误：客户.csv：第 3 行超出了表头（第 1 行）以下 1 行的上限；可用 --max-rows N 调高"),
        (
            "en",
            "Error: 客户.csv: row 3 is past the limit of 1 rows below the header (row 1); raise it with --max-rows N",
        ),
    ],
)
def test_a_limit_is_named_in_the_language_of_crm_yaml(
    empty_repo: DataRepo, tmp_path: Path, language: str, expected: str
) -> None:
    _repository(empty_repo, language)
    sheet = _bad_sheet(tmp_path)
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), "--max-rows", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", ["每位联系人都要有姓名：请同时填写联系人的姓名（联系人）", "2024-02-30 不是真实存在的日期"]),
        ("en", ["a contact needs a name: fill in the contact's name (联系人) too", "2024-02-30 is not a real date"]),
    ],
)
def test_the_json_report_carries_a_code_and_the_message_in_the_language(
    empty_repo: DataRepo, tmp_path: Path, language: str, expected: list[str]
) -> None:
    _repository(empty_repo, language)
    sheet = _bad_sheet(tmp_path)
    result = invoke_crm(
        "import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--format", "json"
    )
    assert result.returncode == 1
    report = json.loads(result.stdout)
    problems = [problem for row in report["rows"] for problem in row["problems"]]
    assert [problem["code"] for problem in problems] == ["contact_needs_name", "not_a_real_date"]
    assert [problem["message"][: len(text)] for problem, text in zip(problems, expected, strict=True)] == expected
    assert problems[1]["letter"] == "I" and problems[1]["column"] == "合作起始日期"


def test_a_required_field_left_empty_is_named_in_the_language(empty_repo: DataRepo, tmp_path: Path) -> None:
    """The model's "required field" is placed at the empty cell of the row, in crm.yaml's language."""
    _repository(empty_repo, "zh")
    sheet = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS, [1, None, None, None, None, None, "金融", "潜在客户"]])
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert "  第 2 行，客户名称（C 列）：是空的，但 name 是必填项" in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh", "错误：--redact 只用于 `crm export customers`（唯一含联系方式的表）"),
        ("en", "Error: --redact is for `crm export customers` (the only sheet with contact details)"),
    ],
)
def test_export_errors_are_in_the_language_of_crm_yaml(repo: DataRepo, language: str, expected: str) -> None:
    _repository(repo, language)
    result = invoke_crm("export", "interactions", "--root", str(repo.root), "--redact")
    assert result.returncode == 2
    assert result.stderr.strip() == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh", "已写入 {out}：1 行 客户"), ("en", "wrote 1 customers to {out}")],
)
def test_export_confirmation_is_in_the_language_of_crm_yaml(
    repo: DataRepo, tmp_path: Path, language: str, expected: str
) -> None:
    _repository(repo, language)
    out = tmp_path / "out.csv"
    result = invoke_crm("export", "customers", "--root", str(repo.root), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected.format(out=out)


# --- no English text in the sheets room's problems and errors ---------------------------------------

SHEETS_ROOM = [
    PROJECT / "crmdata" / "sheets" / "importer.py",
    PROJECT / "crmdata" / "sheets" / "tables.py",
    PROJECT / "crmdata" / "sheets" / "exporter.py",
    PROJECT / "crmdata" / "cli" / "transfer.py",
]
SAID_AT = {
    "_problem": 2,
    "RowProblem": 1,
    "SheetError": 0,
    "LimitError": 0,
    "UsageError": 0,
    "CellError": 0,
    "CsvLineError": 1,
    "InputError": 0,
    "CrmError": 0,
}
"""The callables that make a row problem or an error a person reads, and the position of their message."""


def _is_english(node: ast.expr) -> bool:
    """A string literal, an f-string, a CONSTANT, text glued with + or %, str(...) or "...".format(...)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.BinOp):
        return _is_english(node.left) or _is_english(node.right)
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Name) and node.func.id == "str":
            return True
        return isinstance(node.func, ast.Attribute) and node.func.attr == "format" and _is_english(node.func.value)
    return False


def english_messages(path: Path) -> list[int]:
    """Lines where a row problem or an error is made from English text rather than a catalogue sentence."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        position = SAID_AT.get(name)
        if position is None:
            continue
        said = [node.args[position]] if len(node.args) > position else []
        said += [keyword.value for keyword in node.keywords if keyword.arg in ("message", "said")]
        if any(_is_english(argument) for argument in said):
            found.append(node.lineno)
    return found


def test_the_sheets_room_makes_every_problem_and_error_from_a_sentence() -> None:
    offenders = {path.name: lines for path in SHEETS_ROOM if (lines := english_messages(path))}
    assert not offenders, f"problems or errors made from English text (use sheet_words): {offenders}"


def test_the_scan_finds_english_problems_and_errors(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "_problem(row, source, f'bad {x}', f'todos[{n}]')\n"
        "raise SheetError('cannot read')\n"
        "raise LimitError(IMPORT_PROBLEMS.say('k'))\n"
        "RowProblem(number, MESSAGE)\n"
        "raise UsageError(str(exc))\n"
        "raise InputError('--as-of is for ' + kind)\n"
        "_problem(row, source, IMPORT_PROBLEMS.say('k'), f'todos[{n}]')\n"
        "CsvLineError(line, '{} bytes'.format(n))\n",
        encoding="utf-8",
    )
    assert english_messages(module) == [1, 2, 4, 5, 6, 8]


def test_every_sentence_of_the_sheets_room_has_both_languages_with_the_same_placeholders() -> None:
    """The catalogues register (tests/test_vocabulary.py walks them too); checked here on their own as well."""
    catalogues = (sheet_words.IMPORT_PROBLEMS, sheet_words.SHEET_ERRORS)
    assert all(CATALOGUES[catalogue.name] is catalogue for catalogue in catalogues)
    for catalogue in catalogues:
        assert catalogue.words
        for key, word in catalogue.words.items():
            assert word.zh.strip() and word.en.strip(), key
            assert HAN.search(word.zh) or set(word.zh) & set("：（，"), f"{key}: {word.zh!r} is not Chinese"
            assert placeholders(word.zh) == placeholders(word.en), f"{key}: {word.zh!r} / {word.en!r}"
