"""Every bad input the strict YAML reader (and the record checks behind it) must reject, through `crm validate`.

Each test writes real files into a data repository, runs the installed `crm validate --format json`
as a user would, and asserts the exact problem: file, line, column, field and the whole message.
The repositories here say `language: en`: this module holds the English sentences word for word;
tests/test_problem_words.py checks that the same problems are said in Chinese in a zh repository, and
every problem here must carry its stable `code`.
Lines and columns are 1-based and were counted by hand in the YAML written here (the comments give
the count); they point at the offending key or value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm

CUSTOMER_FILE = "customers/KH-1.yaml"
INTERACTION_FILE = "interactions/2024/JL-1.yaml"

# A valid customer of eight lines: cases that append to it start at line 9.
CUSTOMER = """\
id: KH-1
name: 华星科技
type: enterprise
tier: strategic
stage: active
owner: ming
since: 2024-01-10
consent: {given: true}
"""

# A valid interaction with the `repo` fixture's customer KH-2024001, six lines: appended lines start at 7.
INTERACTION = """\
id: JL-1
customer: KH-2024001
date: 2024-03-01
channel: phone
owner: ming
topic: 季度回访
"""

CUSTOMER_FIELDS = (
    "id, name, type, tier, stage, value, owner, since, industry, source, referred_by, contacts, needs, tags, "
    "consent, cadence_days, churned_on, churn_reason, notes"
)
CONTACT_FIELDS = "name, title, phone, email, address, birthday, primary"
ID_RULE = "1 to 64 ASCII letters, digits, '-' or '_', starting with a letter or digit"


@pytest.fixture
def empty_repo(empty_repo: DataRepo) -> DataRepo:
    """conftest's repository with only crm.yaml, in English (see the module's docstring)."""
    empty_repo.config("language: en\n" + DEFAULT_CONFIG)
    return empty_repo


@pytest.fixture
def repo(repo: DataRepo) -> DataRepo:
    """conftest's valid repository, in English (see the module's docstring)."""
    repo.config("language: en\n" + DEFAULT_CONFIG)
    return repo


def problem(file: str, line: int, column: int, field: str, message: str) -> dict[str, Any]:
    """One entry of `errors` or `warnings` in `crm validate --format json`."""
    return {"file": file, "line": line, "column": column, "field": field, "message": message}


def validate(repo: DataRepo, *options: str) -> tuple[int, dict[str, Any]]:
    """Run `crm validate --format json` on the repository; the exit code and the parsed report."""
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json", *options)
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is (result.returncode == 0)
    for entry in report["errors"] + report["warnings"]:
        assert entry.pop("code"), f"a problem without its catalogue code: {entry}"
    return result.returncode, report


def assert_errors(repo: DataRepo, expected: list[dict[str, Any]], *options: str) -> None:
    """`crm validate` fails with exactly these errors, in this order, and no warnings."""
    code, report = validate(repo, *options)
    assert report["errors"] == expected
    assert report["warnings"] == []
    assert code == 1


def assert_warnings(repo: DataRepo, expected: list[dict[str, Any]]) -> None:
    """`crm validate` passes (exit 0) with exactly these warnings."""
    code, report = validate(repo)
    assert report["errors"] == []
    assert report["warnings"] == expected
    assert code == 0


# ---------------------------------------------------------------------------------------------
# YAML features records never need


def test_duplicate_key_at_top_level(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "name: 另一个名字\n")  # line 9, the key at column 1
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                9,
                1,
                "name",
                "duplicate key 'name' (first given at line 2): YAML would silently keep only the last one; "
                "remove one of them",
            )
        ],
    )


def test_duplicate_key_inside_a_contact(empty_repo: DataRepo) -> None:
    empty_repo.put(
        CUSTOMER
        + """\
contacts:
  - name: 李雷
    phone: "13800138000"
    phone: "13900139000"
""",
    )
    # line 9 contacts, 10 name, 11 the first phone, 12 the second: its key starts after 4 spaces
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                12,
                5,
                "contacts[0].phone",
                "duplicate key 'phone' (first given at line 11): YAML would silently keep only the last one; "
                "remove one of them",
            )
        ],
    )


def test_anchor(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "source: &src 行业展会\n")  # "source: " is 8 characters
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE, 9, 9, "source", "anchors (&src) are not allowed in records: write each value out in full"
            )
        ],
    )


def test_anchor_and_alias(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "industry: &x 制造业\nsource: *x\n")
    # "industry: " is 10 characters, "source: " 8
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                9,
                11,
                "industry",
                "anchors (&x) are not allowed in records: write each value out in full",
            ),
            problem(
                CUSTOMER_FILE, 10, 9, "source", "aliases (*x) are not allowed in records: write the value out in full"
            ),
        ],
    )


def test_merge_key(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "<<: {notes: 备注}\n")
    # The field names the offending key itself.
    assert_errors(
        empty_repo,
        [problem(CUSTOMER_FILE, 9, 1, "<<", "merge keys (<<) are not allowed in records: write each field out")],
    )


@pytest.mark.parametrize(
    ("line", "tag"),
    [
        pytest.param("notes: !!binary aGVsbG8=\n", "!!binary", id="binary"),
        pytest.param("notes: !!str 13800138000\n", "!!str", id="str"),
    ],
)
def test_explicit_tag_on_a_value(empty_repo: DataRepo, line: str, tag: str) -> None:
    empty_repo.put(CUSTOMER + line)  # "notes: " is 7 characters: the tag starts at column 8
    assert_errors(
        empty_repo,
        [problem(CUSTOMER_FILE, 9, 8, "notes", f"explicit tags ({tag}) are not allowed in records: remove the tag")],
    )


SET_TAG = problem(CUSTOMER_FILE, 9, 7, "tags", "explicit tags (!!set) are not allowed in records: remove the tag")


def test_explicit_set_tag_is_reported(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "tags: !!set {重要, 老客户}\n")  # "tags: " is 6 characters
    code, report = validate(empty_repo)
    assert code == 1
    assert SET_TAG in report["errors"]


def test_explicit_set_tag_is_the_only_problem(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "tags: !!set {重要, 老客户}\n")
    assert_errors(empty_repo, [SET_TAG])


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "message"),
    [
        pytest.param(
            CUSTOMER + "1: 一\n",
            9,
            1,
            "1",
            'keys must be text, but YAML 1.1 reads the key 1 as a number: quote it ("1")',
            id="number-key",
        ),
        pytest.param(
            CUSTOMER + "yes: 是\n",
            9,
            1,
            "yes",
            'keys must be text, but YAML 1.1 reads the key yes as a boolean: quote it ("yes")',
            id="yes-key",
        ),
        pytest.param(
            CUSTOMER + "[a, b]: c\n",
            9,
            1,
            "",
            "keys must be plain text: a list or mapping cannot be a key",
            id="list-key",
        ),
        pytest.param(
            CUSTOMER + "contacts:\n  - name: 李雷\n    1: 一\n",
            11,
            5,
            "contacts[0].1",
            'keys must be text, but YAML 1.1 reads the key 1 as a number: quote it ("1")',
            id="number-key-in-contact",
        ),
    ],
)
def test_non_string_key(empty_repo: DataRepo, text: str, line: int, column: int, field: str, message: str) -> None:
    empty_repo.put(text)
    assert_errors(empty_repo, [problem(CUSTOMER_FILE, line, column, field, message)])


# ---------------------------------------------------------------------------------------------
# Values YAML reads as something else than the user meant


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "message"),
    [
        pytest.param(
            # line 11: "    phone: " is 11 characters
            CUSTOMER + "contacts:\n  - name: 李雷\n    phone: 13800138000\n",
            11,
            12,
            "contacts[0].phone",
            'expected text, but YAML reads 13800138000 as a number: quote it ("13800138000")',
            id="phone-number",
        ),
        pytest.param(
            CUSTOMER + "contacts:\n  - name: 李雷\n    phone: 0755123456\n",
            11,
            12,
            "contacts[0].phone",
            'YAML 1.1 reads 0755123456 as an octal number (129279790); quote it if it is text ("0755123456"), '
            "or write the number in plain decimal digits",
            id="phone-octal",
        ),
        pytest.param(
            CUSTOMER + "notes: no\n",
            9,
            8,
            "notes",  # "notes: " is 7 characters
            'YAML 1.1 reads no as the boolean false: write false for a yes/no field, or quote it if it is text ("no")',
            id="notes-no",
        ),
        pytest.param(
            CUSTOMER + "notes: on\n",
            9,
            8,
            "notes",
            'YAML 1.1 reads on as the boolean true: write true for a yes/no field, or quote it if it is text ("on")',
            id="notes-on",
        ),
        pytest.param(
            CUSTOMER + "churn_reason: 1:20\n",
            9,
            15,
            "churn_reason",  # "churn_reason: " is 14 characters
            'YAML 1.1 reads 1:20 as a base-60 number (80); quote it if it is text ("1:20"), '
            "or write the number in plain decimal digits",
            id="base-60",
        ),
        pytest.param(
            CUSTOMER + "cadence_days: 010\n",
            9,
            15,
            "cadence_days",  # "cadence_days: " is 14 characters
            'YAML 1.1 reads 010 as an octal number (8); quote it if it is text ("010"), '
            "or write the number in plain decimal digits",
            id="octal-int",
        ),
        pytest.param(
            # line 11: "    primary: " is 13 characters
            CUSTOMER + "contacts:\n  - name: 李雷\n    primary: yes\n",
            11,
            14,
            "contacts[0].primary",
            'YAML 1.1 reads yes as the boolean true: write true for a yes/no field, or quote it if it is text ("yes")',
            id="primary-yes",
        ),
        pytest.param(
            CUSTOMER.replace("since: 2024-01-10", "since: 2024-02-30"),
            7,
            8,
            "since",  # "since: " is 7 characters
            "2024-02-30 is not a real date (day is out of range for month); write dates as YYYY-MM-DD",
            id="impossible-date",
        ),
        pytest.param(
            CUSTOMER.replace("since: 2024-01-10", "since: 2024-02-20T10:00:00"),
            7,
            8,
            "since",
            "expected a date (YYYY-MM-DD), not a date and time",
            id="datetime-for-date",
        ),
        pytest.param(
            CUSTOMER + "industry:\n",
            9,
            10,
            "industry",  # the missing value: right after "industry:" (9 characters)
            "has no value: give one, or remove the line",
            id="empty-value",
        ),
    ],
)
def test_value_read_as_the_wrong_type(
    empty_repo: DataRepo, text: str, line: int, column: int, field: str, message: str
) -> None:
    empty_repo.put(text)
    assert_errors(empty_repo, [problem(CUSTOMER_FILE, line, column, field, message)])


def test_empty_required_value_is_one_problem(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER.replace("name: 华星科技", "name:"))
    assert_errors(empty_repo, [problem(CUSTOMER_FILE, 2, 6, "name", "has no value: give one, or remove the line")])


# ---------------------------------------------------------------------------------------------
# Files that are not one mapping of UTF-8 YAML


def gbk_customer() -> bytes:
    return CUSTOMER.encode("gbk")


@pytest.mark.parametrize(
    ("data", "line", "column", "message"),
    [
        pytest.param(b"", 1, 1, "the file is empty: a record is a mapping of field: value lines", id="empty"),
        pytest.param(
            b"# KH-1: to be filled in\n",
            1,
            1,
            "the file is empty: a record is a mapping of field: value lines",
            id="only-a-comment",
        ),
        pytest.param(
            b"- id: KH-1\n- name: x\n",
            1,
            1,
            "expected a mapping of field: value lines at the top of the file, found a list",
            id="top-level-list",
        ),
        pytest.param(
            b"KH-1\n",
            1,
            1,
            "expected a mapping of field: value lines at the top of the file, found a single value",
            id="plain-scalar",
        ),
        pytest.param(
            # line 2 is "name: Café SARL": the é (byte 0xE9) is the 10th character
            CUSTOMER.replace("华星科技", "Café SARL").encode("latin-1"),
            2,
            10,
            "file is not UTF-8 text: byte 0xE9 cannot be decoded; save it as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            # line 2 is "name: 华星科技": 华 is the 7th character, GBK bytes 0xBB 0xAA
            gbk_customer(),
            2,
            7,
            "file is not UTF-8 text (it looks like GBK/GB18030): byte 0xBB cannot be decoded; save it as UTF-8",
            id="gbk",
        ),
        pytest.param(
            CUSTOMER.encode("utf-16"),
            1,
            1,
            "file is UTF-16 encoded; save it as UTF-8",
            id="utf-16-bom",
        ),
    ],
)
def test_file_is_not_a_record(empty_repo: DataRepo, data: bytes, line: int, column: int, message: str) -> None:
    empty_repo.write_bytes(CUSTOMER_FILE, data)
    assert_errors(empty_repo, [problem(CUSTOMER_FILE, line, column, "", message)])


def test_gbk_bytes_are_what_the_case_says() -> None:
    assert "华".encode("gbk") == b"\xbb\xaa"


def test_two_documents(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "---\nid: KH-2\n")  # the `---` is line 9
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                9,
                1,
                "",
                "a record file holds exactly one YAML document; remove this second document (---)",
            )
        ],
    )


def test_utf8_bom_is_accepted(empty_repo: DataRepo) -> None:
    empty_repo.write_bytes(CUSTOMER_FILE, b"\xef\xbb\xbf" + CUSTOMER.encode("utf-8"))
    code, report = validate(empty_repo)
    assert report == {"ok": True, "errors": [], "warnings": []}
    assert code == 0


def test_utf8_bom_does_not_shift_columns(empty_repo: DataRepo) -> None:
    empty_repo.write_bytes(CUSTOMER_FILE, b"\xef\xbb\xbf" + CUSTOMER.replace("stage: active", "stage: actve").encode())
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                5,
                8,
                "stage",
                "'actve' is not one of: prospecting, active, stable, dormant, churned (did you mean active?)",
            )
        ],
    )


# "notes: " is 7 characters, so the first `[` is at column 8. The top mapping is level 1 and the n-th `[`
# opens level n + 1: the 20th, at column 8 + 19 = 27, is the first one deeper than 20 levels.
DEEP = CUSTOMER + "notes: " + "[" * 5000 + "\n"
DEEP_PROBLEM = problem(CUSTOMER_FILE, 9, 27, "", "nesting deeper than 20 levels: records are at most a few levels deep")


def test_deep_nesting_is_reported_without_traceback(empty_repo: DataRepo) -> None:
    empty_repo.put(DEEP)
    code, report = validate(empty_repo)  # asserts there is no traceback
    assert DEEP_PROBLEM in report["errors"]
    assert code == 1


def test_deep_nesting_is_the_only_problem(empty_repo: DataRepo) -> None:
    empty_repo.put(DEEP)
    assert_errors(empty_repo, [DEEP_PROBLEM])


@pytest.mark.parametrize(
    ("value", "column"),
    [
        ("{a: " * 3000, 84),  # flow mappings far past libyaml's own limit (about 1,000 levels)
        ("[" * 1200 + "]" * 1200, 27),  # closed, still past libyaml's limit
        ("[{a: " * 900, 54),  # mixed
    ],
)
def test_deep_nesting_gets_our_message_at_level_21_whatever_libyaml_limits(
    empty_repo: DataRepo, value: str, column: int
) -> None:
    empty_repo.put(CUSTOMER + "notes: " + value + "\n")
    assert_errors(
        empty_repo,
        [problem(CUSTOMER_FILE, 9, column, "", "nesting deeper than 20 levels: records are at most a few levels deep")],
    )


def test_file_over_the_size_limit(empty_repo: DataRepo) -> None:
    text = CUSTOMER + "notes: " + "客户要求每月提供一次详细的服务报告。" * 40 + "\n"
    size = len(text.encode("utf-8"))
    assert size > 1024
    empty_repo.put(text)
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                1,
                1,
                "",
                f"file is {size:,} bytes, over the 1,024-byte limit for one record "
                "(raise it with --max-file-size if this is intended)",
            )
        ],
        "--max-file-size",
        "1K",
    )
    code, _ = validate(empty_repo)  # the default limit is generous: the same file is fine
    assert code == 0


def test_unclosed_bracket(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "needs: [预算审批, 交付周期\nnotes: 备注\n")
    # The `[` opens at line 9, column 8 ("needs: " is 7 characters). The parser finds the list still open
    # when line 10 turns into a `notes:` key: it reports the ":" (column 6) and names where the list began.
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                10,
                6,
                "",
                "YAML syntax error: while parsing a flow sequence, did not find expected ',' or ']' "
                "(it started at line 9, column 8)",
            )
        ],
    )


def test_tab_indentation(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "contacts:\n\t- name: 李雷\n")  # the tab opens line 10
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                10,
                1,
                "",
                "YAML syntax error: while scanning for the next token, found character that cannot start any "
                "token; YAML cannot indent with tabs: use spaces",
            )
        ],
    )


# ---------------------------------------------------------------------------------------------
# Records the models reject


def test_unknown_key_with_did_you_mean(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + "industy: 制造业\n")
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                9,
                1,
                "industy",
                f"unknown field 'industy' (did you mean industry?); allowed: {CUSTOMER_FIELDS}",
            )
        ],
    )


def test_unknown_key_inside_a_contact(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER + 'contacts:\n  - name: 李雷\n    phnoe: "13800138000"\n')
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                11,
                5,
                "contacts[0].phnoe",
                f"unknown field 'phnoe' (did you mean phone?); allowed: {CONTACT_FIELDS}",
            )
        ],
    )


def test_wrong_enum_value_with_did_you_mean(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER.replace("type: enterprise", "type: enterprize"))  # line 3
    assert_errors(
        empty_repo,
        [
            problem(
                CUSTOMER_FILE,
                3,
                7,
                "type",
                "'enterprize' is not one of: individual, enterprise, government, institutional_investor "
                "(did you mean enterprise?)",
            )
        ],
    )


def test_missing_required_field(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER.replace("tier: strategic\n", ""))
    # nothing to point at: the record itself, line 1 column 1
    assert_errors(empty_repo, [problem(CUSTOMER_FILE, 1, 1, "tier", "required field tier is missing")])


@pytest.mark.parametrize(
    "record_id",
    [
        pytest.param("KH-华星", id="non-ascii"),
        pytest.param("KH 1", id="space"),
        pytest.param("KH-" + "0" * 62, id="65-characters"),
    ],
)
def test_invalid_id(empty_repo: DataRepo, record_id: str) -> None:
    path = f"customers/{record_id}.yaml"
    empty_repo.write(path, CUSTOMER.replace("id: KH-1", f"id: {record_id}"))
    assert_errors(empty_repo, [problem(path, 1, 5, "id", f"'{record_id}' is not a valid id: use {ID_RULE}")])


def test_id_of_64_characters_is_accepted(empty_repo: DataRepo) -> None:
    record_id = "KH-" + "0" * 61
    empty_repo.put(CUSTOMER.replace("id: KH-1", f"id: {record_id}"))
    code, report = validate(empty_repo)
    assert report["errors"] == []
    assert code == 0


def test_id_differs_from_file_stem(empty_repo: DataRepo) -> None:
    empty_repo.write(CUSTOMER_FILE, CUSTOMER.replace("id: KH-1", "id: KH-2"))
    assert_errors(
        empty_repo,
        [problem(CUSTOMER_FILE, 1, 5, "id", "id KH-2 does not match the file name KH-1.yaml: rename one of them")],
    )


def test_ids_differing_only_in_case(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER)
    empty_repo.put(CUSTOMER.replace("id: KH-1", "id: kh-1"))
    if len(list((empty_repo.root / "customers").iterdir())) != 2:
        pytest.skip("case-insensitive file system: the two files are one")
    assert_errors(
        empty_repo, [problem("customers/kh-1.yaml", 1, 5, "id", "id kh-1 is already used by customers/KH-1.yaml")]
    )


def test_yml_suffix(empty_repo: DataRepo) -> None:
    empty_repo.write("customers/KH-1.yml", CUSTOMER)
    assert_errors(
        empty_repo, [problem("customers/KH-1.yml", 1, 1, "", "record files end in .yaml: rename this .yml file")]
    )


def test_record_suffix_in_capitals_is_an_error(empty_repo: DataRepo) -> None:
    """A record a case-sensitive checkout would silently skip is as lost as a .yml one."""
    empty_repo.write("interactions/2024/JL-1.YAML", INTERACTION)
    assert_errors(
        empty_repo,
        [problem("interactions/2024/JL-1.YAML", 1, 1, "", "record files end in .yaml: rename this .YAML file")],
    )


STRAY_HIDDEN = "hidden files are not read as records: move this file out of the record folders or delete it"
STRAY_TEMPORARY = "a temporary file left by an interrupted write (crm import, new or log killed midway): delete it"
STRAY_OTHER = "only <ID>.yaml record files are read here: move this file out of the record folders or delete it"


def test_stray_files_in_the_record_folders_are_reported(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER)
    empty_repo.write("customers/.KH-2.yaml.4242.tmp", CUSTOMER.replace("KH-1", "KH-2"))
    empty_repo.write("customers/.KH-3.yaml", CUSTOMER.replace("KH-1", "KH-3"))
    empty_repo.write("customers/notes.txt", "call back on Monday\n")
    empty_repo.write("interactions/2024/.DS_Store", "\0")
    empty_repo.write("interactions/2024/JL-9.yaml.bak", INTERACTION)
    empty_repo.write("interactions/.old/JL-8.yaml", INTERACTION)
    assert_warnings(
        empty_repo,
        [
            problem("customers/.KH-2.yaml.4242.tmp", 1, 1, "", STRAY_TEMPORARY),
            problem("customers/.KH-3.yaml", 1, 1, "", STRAY_HIDDEN),
            problem("customers/notes.txt", 1, 1, "", STRAY_OTHER),
            problem("interactions/.old", 1, 1, "", "hidden folders are not read: move the records out of it"),
            problem("interactions/2024/.DS_Store", 1, 1, "", STRAY_HIDDEN),
            problem("interactions/2024/JL-9.yaml.bak", 1, 1, "", STRAY_OTHER),
        ],
    )


def test_placeholders_and_readmes_in_the_record_folders_are_allowed(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER)
    for name in ("customers/.gitkeep", "customers/README.md", "interactions/.gitkeep", "interactions/2024/.keep"):
        empty_repo.write(name, "")
    empty_repo.write("interactions/readme.txt", "one folder per year\n")
    empty_repo.write("customers/.gitignore", "*.bak\n")
    code, report = validate(empty_repo)
    assert (code, report["errors"], report["warnings"]) == (0, [], [])


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "message"),
    [
        pytest.param(
            CUSTOMER.replace("owner: ming", "owner: gang"),
            6,
            8,
            "owner",  # "owner: " is 7 characters
            "gang is not on the team (crm.yaml team: ming, hong)",
            id="owner-not-on-team",
        ),
        pytest.param(
            CUSTOMER + "referred_by: KH-9\n",
            9,
            14,
            "referred_by",  # "referred_by: " is 13 characters
            "no customer has the id KH-9",
            id="referred-by-unknown",
        ),
        pytest.param(
            # the rule is about the stage: point at its value (line 5, after "stage: ")
            CUSTOMER.replace("stage: active", "stage: churned"),
            5,
            8,
            "stage",
            "stage is churned, so churned_on (the day the customer was lost) is required",
            id="churned-without-churned-on",
        ),
        pytest.param(
            CUSTOMER.replace("since: 2024-01-10\n", ""),
            5,
            8,
            "stage",
            "since (start of the relationship) is required unless stage is prospecting",
            id="active-without-since",
        ),
    ],
)
def test_customer_rule(empty_repo: DataRepo, text: str, line: int, column: int, field: str, message: str) -> None:
    empty_repo.put(text)
    assert_errors(empty_repo, [problem(CUSTOMER_FILE, line, column, field, message)])


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "message"),
    [
        pytest.param(
            INTERACTION.replace("customer: KH-2024001", "customer: KH-9"),
            2,
            11,
            "customer",  # "customer: " is 10
            "no customer has the id KH-9",
            id="customer-unknown",
        ),
        pytest.param(
            INTERACTION.replace("owner: ming", "owner: gang"),
            5,
            8,
            "owner",
            "gang is not on the team (crm.yaml team: ming, hong)",
            id="owner-not-on-team",
        ),
        pytest.param(
            # line 10 is "    owner: gang": "    owner: " is 11 characters
            INTERACTION + "todos:\n  - task: 寄送合同\n    due: 2024-03-05\n    owner: gang\n",
            10,
            12,
            "todos[0].owner",
            "gang is not on the team (crm.yaml team: ming, hong)",
            id="todo-owner-not-on-team",
        ),
        pytest.param(
            INTERACTION + "next_followup: 2024-02-01\n",
            7,
            16,
            "next_followup",  # "next_followup: " is 15
            "next_followup 2024-02-01 is before the conversation's date 2024-03-01",
            id="next-followup-before-date",
        ),
        pytest.param(
            INTERACTION + "resolved: 2024-03-02\n",
            7,
            11,
            "resolved",  # "resolved: " is 10
            "resolved is only for complaints (kind: complaint), this is kind followup",
            id="resolved-not-complaint",
        ),
        pytest.param(
            INTERACTION + "satisfaction: 0\n",
            7,
            15,
            "satisfaction",  # "satisfaction: " is 14
            "must be at least 1, found 0",
            id="satisfaction-0",
        ),
        pytest.param(
            INTERACTION + "satisfaction: 6\n",
            7,
            15,
            "satisfaction",
            "must be at most 5, found 6",
            id="satisfaction-6",
        ),
    ],
)
def test_interaction_rule(repo: DataRepo, text: str, line: int, column: int, field: str, message: str) -> None:
    repo.put(text)
    assert_errors(repo, [problem(INTERACTION_FILE, line, column, field, message)])


# ---------------------------------------------------------------------------------------------
# Warnings: reported, and the data still validates (exit 0)


def test_warning_contact_before_since(repo: DataRepo) -> None:
    path = "interactions/2023/JL-1.yaml"
    repo.put(INTERACTION.replace("date: 2024-03-01", "date: 2023-12-01"))  # "date: " is 6 characters
    assert_warnings(
        repo, [problem(path, 3, 7, "date", "dated 2023-12-01 but customer KH-2024001 has since: 2024-01-10")]
    )


def test_warning_no_consent(empty_repo: DataRepo) -> None:
    empty_repo.put(CUSTOMER.replace("consent: {given: true}\n", ""))
    # about the whole record: points at its id (line 1, after "id: ")
    assert_warnings(
        empty_repo, [problem(CUSTOMER_FILE, 1, 5, "id", "no consent recorded: add consent: {given: true, date: ...}")]
    )


# The interaction above, at 10:00 in the morning (line 3); a `recorded` line appended is line 7.
TIMED_INTERACTION = INTERACTION.replace("date: 2024-03-01", "date: 2024-03-01T10:00:00+08:00")


def test_warning_recorded_late(repo: DataRepo) -> None:
    repo.put(
        TIMED_INTERACTION + "recorded: 2024-03-03T12:00:00+08:00\n",
    )
    # 50 hours after the conversation; "recorded: " is 10 characters
    assert_warnings(
        repo,
        [
            problem(
                INTERACTION_FILE,
                7,
                11,
                "recorded",
                "recorded 2 days 2 hours after the conversation; log conversations within 24 hours",
            )
        ],
    )


def test_recorded_within_24_hours_is_fine(repo: DataRepo) -> None:
    repo.put(
        TIMED_INTERACTION + "recorded: 2024-03-02T10:00:00+08:00\n",
    )
    assert_warnings(repo, [])


def test_warning_recorded_late_by_one_day(repo: DataRepo) -> None:
    repo.put(
        TIMED_INTERACTION + "recorded: 2024-03-02T12:00:00+08:00\n",
    )
    assert_warnings(
        repo,
        [
            problem(
                INTERACTION_FILE,
                7,
                11,
                "recorded",
                "recorded 1 day 2 hours after the conversation; log conversations within 24 hours",
            )
        ],
    )


def test_warning_outside_year_folder(repo: DataRepo) -> None:
    path = "interactions/2023/JL-1.yaml"
    repo.write(path, INTERACTION)  # dated 2024-03-01
    assert_warnings(repo, [problem(path, 3, 7, "date", "dated 2024-03-01, so it belongs in interactions/2024/")])


# ---------------------------------------------------------------------------------------------
# Everything at once


MANY_PROBLEMS = """\
id: KH-1
name: 华星科技
type: enterprize
tier: strategic
stage: active
owner: ming
since: 2024-02-30
name: 华星
industy: 制造业
contacts:
  - name: 李雷
    phone: 13800138000
    primary: yes
    phnoe: "13900139000"
notes: no
cadence_days: 010
"""
#  line 3  type: enterprize           value at column 7
#  line 7  since: 2024-02-30          value at column 8
#  line 8  name (again)               key at column 1
#  line 9  industy                    key at column 1
#  line 12 phone: 13800138000         value at column 12
#  line 13 primary: yes               value at column 14
#  line 14 phnoe                      key at column 5
#  line 15 notes: no                  value at column 8
#  line 16 cadence_days: 010          value at column 15

MANY_EXPECTED = [
    problem(
        CUSTOMER_FILE,
        3,
        7,
        "type",
        "'enterprize' is not one of: individual, enterprise, government, institutional_investor "
        "(did you mean enterprise?)",
    ),
    problem(
        CUSTOMER_FILE,
        7,
        8,
        "since",
        "2024-02-30 is not a real date (day is out of range for month); write dates as YYYY-MM-DD",
    ),
    problem(
        CUSTOMER_FILE,
        8,
        1,
        "name",
        "duplicate key 'name' (first given at line 2): YAML would silently keep only the last one; remove one of them",
    ),
    problem(
        CUSTOMER_FILE, 9, 1, "industy", f"unknown field 'industy' (did you mean industry?); allowed: {CUSTOMER_FIELDS}"
    ),
    problem(
        CUSTOMER_FILE,
        12,
        12,
        "contacts[0].phone",
        'expected text, but YAML reads 13800138000 as a number: quote it ("13800138000")',
    ),
    problem(
        CUSTOMER_FILE,
        13,
        14,
        "contacts[0].primary",
        'YAML 1.1 reads yes as the boolean true: write true for a yes/no field, or quote it if it is text ("yes")',
    ),
    problem(
        CUSTOMER_FILE,
        14,
        5,
        "contacts[0].phnoe",
        f"unknown field 'phnoe' (did you mean phone?); allowed: {CONTACT_FIELDS}",
    ),
    problem(
        CUSTOMER_FILE,
        15,
        8,
        "notes",
        'YAML 1.1 reads no as the boolean false: write false for a yes/no field, or quote it if it is text ("no")',
    ),
    problem(
        CUSTOMER_FILE,
        16,
        15,
        "cadence_days",
        'YAML 1.1 reads 010 as an octal number (8); quote it if it is text ("010"), '
        "or write the number in plain decimal digits",
    ),
]


def write_many_problems(repo: DataRepo) -> None:
    repo.put(MANY_PROBLEMS)
    # a second broken file, and a valid one with a warning (outside its year folder)
    repo.put(INTERACTION.replace("customer: KH-2024001", "customer: KH-9"))
    repo.write("interactions/2023/JL-2.yaml", INTERACTION.replace("id: JL-1", "id: JL-2"))


def test_every_problem_is_reported_in_one_run(repo: DataRepo) -> None:
    write_many_problems(repo)
    code, report = validate(repo)
    assert report["errors"] == [
        *MANY_EXPECTED,
        problem(INTERACTION_FILE, 2, 11, "customer", "no customer has the id KH-9"),
    ]
    assert report["warnings"] == [
        problem("interactions/2023/JL-2.yaml", 3, 7, "date", "dated 2024-03-01, so it belongs in interactions/2024/")
    ]
    assert code == 1


TEXT_LINE = re.compile(r"(?P<file>[^:]+):(?P<line>[1-9]\d*):(?P<column>[1-9]\d*): (?P<field>[^ :]*): (?P<message>.+)")


def test_text_format_is_path_line_column_field_message(repo: DataRepo) -> None:
    write_many_problems(repo)
    repo.write("customers/KH-2.yaml", "")  # a problem about a whole file: its field is empty
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "text")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    *lines, verdict = result.stdout.splitlines()
    assert verdict.startswith("invalid: 11 errors, 1 warning in ")
    assert "\x1b" not in result.stdout  # no colour codes when the output is not a terminal
    seen = []
    for text in lines:
        match = TEXT_LINE.fullmatch(text)
        assert match, f"not path:line:column: field: message: {text!r}"
        message = match["message"].removeprefix("warning: ")
        seen.append(problem(match["file"], int(match["line"]), int(match["column"]), match["field"], message))
    _, report = validate(repo)
    assert sorted(map(json.dumps, seen)) == sorted(map(json.dumps, report["errors"] + report["warnings"]))
    assert len(seen) == 12


def test_symbolic_links_are_reported_and_never_followed(repo: DataRepo, tmp_path: Path) -> None:
    """A pull request must not make crm read, and quote, a file elsewhere on the CI machine."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("token: s3cr3t-value\n", encoding="utf-8")
    (repo.root / "customers" / "KH-LINK.yaml").symlink_to(secret)
    (repo.root / "interactions" / "loop").symlink_to(repo.root / "interactions")  # a loop, if followed
    (repo.root / ".crm-cache").symlink_to(tmp_path)  # the cache must not write through it
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert result.returncode == 1
    assert "s3cr3t" not in result.stdout + result.stderr
    errors = {(error["file"], error["message"]) for error in json.loads(result.stdout)["errors"]}
    link = (
        "symbolic links are not followed (a link could point outside the repository and leak what it reads "
        "into messages): commit the file itself"
    )
    assert errors == {("customers/KH-LINK.yaml", link), ("interactions/loop", link)}
    assert not (tmp_path / "parse").exists()


def test_an_invalid_records_unknown_references_are_reported_in_the_same_run(repo: DataRepo) -> None:
    """One run, every problem: the type error, and the owner / customer / todo owner nobody knows."""
    repo.put(
        """\
        id: JL-2024009
        customer: KH-9999999
        date: 2024-03-01
        channel: fax
        owner: gang
        topic: 回访
        todos:
          - {task: 报价, due: 2024-03-05, owner: lei}
          - {task: 合同, due: 2024-03-09, owner: "Not An Id"}
        """,
    )
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert result.returncode == 1
    found = [(e["line"], e["column"], e["field"], e["message"]) for e in json.loads(result.stdout)["errors"]]
    assert found == [
        (2, 11, "customer", "no customer has the id KH-9999999"),
        (4, 10, "channel", "'fax' is not one of: phone, video, visit, im, email, sms, event, other"),
        (5, 8, "owner", "gang is not on the team (crm.yaml team: ming, hong)"),
        # "  - {task: 报价, due: 2024-03-05, owner: lei}": columns count characters; 'l' is the 40th
        (8, 40, "todos[0].owner", "lei is not on the team (crm.yaml team: ming, hong)"),
        (
            9,
            40,
            "todos[1].owner",
            "'Not An Id' is not a valid id: use 1 to 64 ASCII letters, digits, '-' or '_', "
            "starting with a letter or digit",
        ),
    ]
