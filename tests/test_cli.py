"""The command line as a user meets it: help, exit codes, output formats."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click

from crmdata import __version__
from crmdata.cli.main import main
from tests.conftest import DEFAULT_CONFIG, DataRepo, invoke_crm, run_crm

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<field>[^:]*): (?P<message>.+)$")


def test_every_command_has_help_with_an_example() -> None:
    commands = main.commands  # type: ignore[attr-defined]
    assert set(commands) >= {"validate", "schema"}
    for name in commands:
        result = invoke_crm(name, "--help")
        assert result.returncode == 0, name
        assert "Examples:" in result.stdout, f"crm {name} --help shows no example"
        assert f"crm {name}" in result.stdout.split("Examples:")[1], f"crm {name} --help example does not use it"


def test_top_level_help_lists_every_command() -> None:
    result = invoke_crm("--help")
    assert result.returncode == 0
    for name in main.commands:  # type: ignore[attr-defined]
        assert name in result.stdout


def test_a_clean_repository_passes_with_a_summary(repo: DataRepo) -> None:
    """In the language of crm.yaml: Chinese by default, English with `language: en`."""
    result = run_crm("validate", "--root", str(repo.root))
    assert result.returncode == 0, result.stdout
    assert re.fullmatch(
        r"有效：0 个错误，0 个警告，共 3 个文件（\d+\.\d\d 秒）", result.stdout.strip().splitlines()[-1]
    )
    repo.write("crm.yaml", DEFAULT_CONFIG + "language: en\n")
    result = run_crm("validate", "--root", str(repo.root))
    assert re.fullmatch(
        r"valid: 0 errors, 0 warnings in 3 files \(\d+\.\d\d s\)", result.stdout.strip().splitlines()[-1]
    )


def test_the_current_directory_is_the_default_root(repo: DataRepo) -> None:
    result = invoke_crm("validate", cwd=repo.root)
    assert result.returncode == 0
    assert "共 3 个文件" in result.stdout


def test_errors_exit_1_and_print_one_line_each(repo: DataRepo) -> None:
    repo.put(
        """\
        id: KH-2024002
        name: 王芳
        type: person
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        phone: "1"
        """,
    )
    result = invoke_crm("validate", "--root", str(repo.root))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines[:-1] == [
        "customers/KH-2024002.yaml:3:7: type: 'person' 不是可选的值：individual（个人）、enterprise（企业）、"
        "government（政府机构）、institutional_investor（机构投资者）",
        "customers/KH-2024002.yaml:8:1: phone: 未知字段 'phone'（它属于联系人：contacts: "
        "[{name: ..., phone: ...}]）；可用的字段：id, name, type, tier, stage, value, "
        "owner, since, industry, source, referred_by, contacts, needs, tags, consent, cadence_days, churned_on, "
        "churn_reason, notes",
    ]
    assert all(LINE.match(line) for line in lines[:-1])
    assert lines[-1].startswith("无效：2 个错误，0 个警告，共 4 个文件")


def test_warnings_alone_exit_0(repo: DataRepo) -> None:
    repo.write(
        "interactions/2023/JL-2024002.yaml",
        """\
        id: JL-2024002
        customer: KH-2024001
        date: 2024-03-02
        channel: visit
        owner: hong
        topic: 上门拜访
        """,
    )
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report == {
        "ok": True,
        "errors": [],
        "warnings": [
            {
                "file": "interactions/2023/JL-2024002.yaml",
                "line": 3,
                "column": 7,
                "field": "date",
                "message": "日期是 2024-03-02，应放在 interactions/2024/",
                "code": "wrong_year_folder",
            }
        ],
    }


def test_usage_errors_exit_2(repo: DataRepo) -> None:
    assert invoke_crm("validate", "--format", "xml", "--root", str(repo.root)).returncode == 2
    assert invoke_crm("validate", "--root", str(repo.root / "missing")).returncode == 2
    assert invoke_crm("frobnicate").returncode == 2
    result = invoke_crm("validate", "--max-file-size", "lots", "--root", str(repo.root))
    assert result.returncode == 2
    assert "'lots' is not a size such as 2M, 512K or 100000" in result.stderr


def test_a_folder_without_crm_yaml_is_not_a_repository(tmp_path: DataRepo) -> None:
    result = invoke_crm("validate", "--root", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"crm.yaml:1:1: : {tmp_path} 中没有 crm.yaml：--root 指向的是 crm 数据仓库吗？"  # no crm.yaml: zh
    )


def test_github_annotations_cannot_be_forged_by_record_text(repo: DataRepo) -> None:
    # A customer name cannot reach an annotation, but an unknown key can: it is quoted in the message.
    repo.put(
        """\
        id: KH-2024002
        name: 王芳
        type: individual
        tier: regular
        stage: active
        owner: ming
        since: 2024-01-10
        consent: {given: true}
        "evil%0A::error file=x,line=1::forged\\r\\n::warning::x": 1
        """,
    )
    result = invoke_crm("validate", "--root", str(repo.root), "--format", "github")
    assert result.returncode == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(annotations) == 1
    annotation = annotations[0]
    assert annotation.startswith(
        "::error file=customers/KH-2024002.yaml,line=9,col=1,title=evil%250A%3A%3Aerror file=x%2C"
    )
    message = annotation.split("::", 2)[2]
    assert "\n" not in message and "\r" not in message
    assert "evil%250A::error file=x,line=1::forged%0D%0A::warning::x" in message


def test_github_property_escaping_matches_the_actions_toolkit() -> None:
    from crmdata.records.problems import error
    from crmdata.records.report import github_line

    problem = error("customers/a,b:c%.yaml", "bad\nvalue: 100%", ("name",)).at(3, 4)
    assert github_line(problem, "en") == (
        "::error file=customers/a%2Cb%3Ac%25.yaml,line=3,col=4,title=name::name: bad%0Avalue: 100%25"
    )


def test_schema_writes_a_file_per_record_type_and_crm_yaml(tmp_path: DataRepo) -> None:
    out = tmp_path / "schemas"
    result = run_crm("schema", "--out", str(out))
    assert result.returncode == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "contract.schema.json",
        "crm.schema.json",
        "customer.schema.json",
        "interaction.schema.json",
        "opportunity.schema.json",
        "plan.schema.json",
    ]
    customer = json.loads((out / "customer.schema.json").read_text(encoding="utf-8"))
    assert customer["additionalProperties"] is False
    assert set(customer["required"]) == {"id", "name", "type", "tier", "stage", "owner"}
    assert "客户编号" in customer["properties"]["id"]["description"]


def test_version() -> None:
    result = run_crm("--version")
    assert result.returncode == 0
    assert result.stdout == f"crm {__version__}\n", "crm 0.2.0: what a bug report quotes"


def test_click_group_is_the_documented_entry_point() -> None:
    assert isinstance(main, click.Group)


def test_in_process_runs_show_what_the_installed_crm_shows(repo: DataRepo, tmp_path: Path) -> None:
    """invoke_crm, the tests' in-process runner, is only as good as its likeness to the installed crm: the
    same exit code and the same output for every way out (clean, invalid data, usage errors, CrmError,
    an OSError), and nothing of a run left behind for the next."""
    (repo.root / "feeds").write_text("a file, not a folder\n", encoding="utf-8")
    seconds = re.compile(r"( \(\d+\.\d\d s\)|（\d+\.\d\d 秒）)$", re.MULTILINE)  # the time taken, in en or zh
    for args in (
        ("validate", "--root", str(repo.root)),
        ("validate", "--root", str(repo.root), "--format", "json"),
        ("--version",),
        ("frobnicate",),
        ("validate", "--format", "xml"),
        ("due", "--root", str(repo.root), "--owner", "nobody"),
        ("calendar", "--root", str(repo.root), "--out", str(repo.root / "feeds" / "due.ics")),
        ("schema", "--out", "/proc/crm-schemas"),
        ("log", "KH-2024001", "--root", str(tmp_path), "--topic", "回访"),
    ):
        real, here = run_crm(*args), invoke_crm(*args)
        assert here.returncode == real.returncode, args
        assert (seconds.sub("", here.stdout), here.stderr) == (seconds.sub("", real.stdout), real.stderr), args
    environment = dict(os.environ)
    built = invoke_crm("build", "--root", str(repo.root), "--out", str(tmp_path / "site"), "--as-of", "2024-06-01")
    assert built.returncode == 0, built.stderr
    assert dict(os.environ) == environment  # crm build sets CRM_ROOT and the like for its plugin
