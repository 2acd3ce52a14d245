"""`crm new` and `crm log`: a record written the way a person would have typed it, and never a wrong one."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
import yaml

from crmdata.authoring.durations import DurationError, WorkingDays, due_date
from crmdata.records.models import WorkCalendar
from tests.conftest import CRM, DEFAULT_CONFIG, DataRepo, invoke_crm, run_crm

RECORDED = re.compile(r"^recorded: (\S+)$", re.MULTILINE)


def created_path(stdout: str) -> str:
    match = re.search(r"已创建 (\S+)$", stdout, re.MULTILINE)
    assert match, stdout
    return match.group(1)


def without_recorded(text: str) -> str:
    return RECORDED.sub("recorded: <now>", text)


# --- durations and the working-day calendar ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "expected"),
    [
        ("10d", "2026-09-25", "2026-10-05"),
        ("2w", "2026-11-24", "2026-12-08"),
        ("3wd", "2026-11-24", "2026-11-27"),  # Tue -> Fri
        ("3wd", "2026-11-27", "2026-12-02"),  # Fri -> skips the weekend -> Wed
        ("3wd", "2026-09-30", "2026-10-10"),  # National Day week off; Saturday 10 October is worked in lieu (调休)
        ("1wd", "2026-09-18", "2026-09-20"),  # Sunday 20 September is a working day in 2026
        ("1wd", "2026-02-13", "2026-02-14"),  # Saturday before the Spring Festival is worked
        ("1wd", "2026-02-14", "2026-02-24"),  # Spring Festival 15-23 February off
        ("3个工作日", "2026-11-24", "2026-11-27"),
        ("5天", "2026-11-24", "2026-11-29"),
        ("2周", "2026-11-24", "2026-12-08"),
        ("2026-12-01", "2026-11-24", "2026-12-01"),
    ],
)
def test_due_dates_from_durations_follow_the_chinese_calendar(text: str, start: str, expected: str) -> None:
    assert due_date(text, date.fromisoformat(start), WorkingDays()) == date.fromisoformat(expected)


def test_company_holidays_and_workdays_from_crm_yaml_override_the_public_calendar() -> None:
    calendar = WorkingDays(WorkCalendar(holidays=[date(2026, 11, 25)], workdays=[date(2026, 11, 28)]))
    assert due_date("2wd", date(2026, 11, 24), calendar) == date(2026, 11, 27)  # Wed off: Thu, Fri
    assert due_date("3wd", date(2026, 11, 26), calendar) == date(2026, 11, 30)  # Fri, Sat (worked), Mon


def test_another_country_has_its_own_holidays() -> None:
    germany = WorkingDays(WorkCalendar(country="DE"))
    assert due_date("1wd", date(2026, 10, 2), germany) == date(2026, 10, 5)  # 3 Oct is German Unity Day (Sat)
    assert due_date("1wd", date(2026, 12, 24), germany) == date(2026, 12, 28)  # 25, 26 Dec off


def test_a_duration_that_is_not_understood_says_what_would_be() -> None:
    with pytest.raises(DurationError, match=r"'3x' is not understood: give a date \(2026-12-01\)"):
        due_date("3x", date(2026, 1, 1), WorkingDays())


# --- crm log ----------------------------------------------------------------------------------------


def test_log_records_a_conversation_in_one_line(repo: DataRepo) -> None:
    result = run_crm(
        "log", "KH-2024001", "--root", str(repo.root), "--date", "2026-09-30", "--topic", "季度回顾",
        "--next", "2w", "--todo", "发送报价单", "--due", "3wd",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = created_path(result.stdout)
    assert path == "interactions/2026/JL-2026001.yaml"
    assert without_recorded((repo.root / path).read_text(encoding="utf-8")) == (
        "# yaml-language-server: $schema=../../schemas/interaction.schema.json\n"
        "id: JL-2026001\n"
        "customer: KH-2024001\n"
        "date: 2026-09-30\n"
        "channel: phone\n"
        "owner: ming\n"
        "topic: 季度回顾\n"
        "todos:\n"
        "- task: 发送报价单\n"
        "  due: 2026-10-10\n"
        "next_followup: 2026-10-14\n"
        "recorded: <now>\n"
    )
    assert result.stdout.splitlines()[1:] == [
        "  KH-2024001 · 电话 · 2026-09-30 · 季度回顾",
        "  下次跟进 2026-10-14（周三）",
        "  待办 发送报价单：2026-10-10（周六）到期",
    ]
    assert run_crm("validate", "--root", str(repo.root)).returncode == 0


def test_log_confirms_in_english_when_crm_yaml_says_so(repo: DataRepo) -> None:
    repo.write("crm.yaml", DEFAULT_CONFIG + "language: en\n")
    result = run_crm(
        "log", "KH-2024001", "--root", str(repo.root), "--date", "2026-09-30", "--topic", "季度回顾",
        "--channel", "im", "--next", "2w", "--todo", "发送报价单", "--due", "3wd",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "created interactions/2026/JL-2026001.yaml",
        "  KH-2024001 · Messaging · 2026-09-30 · 季度回顾",
        "  next follow-up 2026-10-14 (Wed)",
        "  todo 发送报价单: due 2026-10-10 (Sat)",
    ]


def test_log_stamps_the_time_it_was_recorded(repo: DataRepo) -> None:
    before = datetime.now().astimezone().replace(microsecond=0)
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "回访")
    text = (repo.root / created_path(result.stdout)).read_text(encoding="utf-8")
    recorded = RECORDED.search(text)
    assert recorded is not None
    moment = datetime.fromisoformat(recorded.group(1))
    assert moment.tzinfo is not None and before <= moment <= datetime.now().astimezone()
    assert f"date: {date.today().isoformat()}\n" in text


def test_log_finds_the_customer_ignoring_case_and_writes_its_id_as_filed(repo: DataRepo) -> None:
    result = invoke_crm("log", "kh-2024001", "--root", str(repo.root), "--topic", "回访", "--owner", "hong")
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((repo.root / created_path(result.stdout)).read_text(encoding="utf-8"))
    assert (data["customer"], data["owner"]) == ("KH-2024001", "hong")


def test_log_for_an_unknown_customer_is_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("log", "KH-9999", "--root", str(repo.root), "--topic", "回访")
    assert result.returncode == 2
    assert "crm：没有客户的编号、名称或拼音与“KH-9999”相符" in result.stderr  # crm.yaml's language: zh
    assert not (repo.root / "interactions" / str(date.today().year)).exists() or date.today().year == 2024


def test_each_todo_needs_its_due_date(repo: DataRepo) -> None:
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "t", "--todo", "a", "--todo", "b",
                     "--due", "3d")  # fmt: skip
    assert result.returncode == 2
    message = '错误：2 个 --todo，1 个 --due：每项待办都要有到期日（--todo "发送报价单" --due 3wd）'
    assert message in result.stderr


def test_a_bad_duration_names_the_option(repo: DataRepo) -> None:
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "t", "--next", "soon")
    assert result.returncode == 2
    assert "--next 的值无效：'soon' is not understood" in result.stderr


def test_an_invalid_interaction_is_reported_by_field_and_not_written(repo: DataRepo) -> None:
    result = invoke_crm(
        "log", "KH-2024001", "--root", str(repo.root), "--date", "2026-11-20", "--topic", "t",
        "--next", "2026-11-01", "--owner", "bob",
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "next_followup: next_followup 2026-11-01 早于这次沟通的日期 2026-11-20",
        "owner: bob 不是团队成员（crm.yaml 的 team：ming, hong）",
        "crm：没有写入任何文件：interactions/2026/JL-2026001.yaml 不会通过校验",
    ]
    assert not (repo.root / "interactions" / "2026").exists()


def test_dry_run_prints_the_record_and_writes_nothing(repo: DataRepo) -> None:
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--date", "2026-03-02 15:30", "--channel",
                        "video", "--topic", "需求澄清", "--satisfaction", "4", "--dry-run")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# 将创建 interactions/2026/JL-2026001.yaml\n")
    assert "date: 2026-03-02T15:30:00\nchannel: video\n" in result.stdout
    assert "satisfaction: 4\n" in result.stdout
    assert not (repo.root / "interactions" / "2026").exists()


def test_ids_never_collide_when_many_log_at_once(repo: DataRepo) -> None:
    def log(number: int) -> subprocess.CompletedProcess[str]:
        topic = f"第{number}次"
        return run_crm("log", "KH-2024001", "--root", str(repo.root), "--date", "2024-05-01", "--topic", topic)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(log, range(8)))
    assert [result.returncode for result in results] == [0] * 8, [result.stderr for result in results]
    paths = {created_path(result.stdout) for result in results}
    assert paths == {f"interactions/2024/JL-2024{number:03d}.yaml" for number in range(2, 10)}
    topics = {yaml.safe_load((repo.root / path).read_text(encoding="utf-8"))["topic"] for path in paths}
    assert topics == {f"第{number}次" for number in range(8)}
    assert run_crm("validate", "--root", str(repo.root)).returncode == 0


# --- crm new ------------------------------------------------------------------------------------------


def test_new_customer_writes_a_valid_record_with_the_next_id(repo: DataRepo) -> None:
    repo.customer("KH-2026007")
    result = run_crm(
        "new", "customer", "--root", str(repo.root), "--name", "深圳市华星科技有限公司", "--type", "enterprise",
        "--tier", "regular", "--stage", "active", "--owner", "hong", "--since", "2026-03-01", "--industry", "电子制造",
        "--contact", "王伟", "--title", "采购经理", "--phone", "0755-86001234", "--need", "ERP对接",
        "--need", "季度回顾", "--tag", "制造业", "--consent",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert created_path(result.stdout) == "customers/KH-2026008.yaml"
    text = (repo.root / "customers" / "KH-2026008.yaml").read_text(encoding="utf-8")
    today = date.today().isoformat()
    assert text == (
        "# yaml-language-server: $schema=../schemas/customer.schema.json\n"
        "id: KH-2026008\nname: 深圳市华星科技有限公司\ntype: enterprise\ntier: regular\nstage: active\nowner: hong\n"
        "since: 2026-03-01\nindustry: 电子制造\ncontacts:\n- name: 王伟\n  title: 采购经理\n  phone: 0755-86001234\n"
        f"needs:\n- ERP对接\n- 季度回顾\ntags:\n- 制造业\nconsent:\n  given: true\n  date: {today}\n"
    )
    assert run_crm("validate", "--root", str(repo.root), "--format", "json").stdout.count('"file"') == 0


def test_text_that_yaml_would_misread_is_quoted(repo: DataRepo) -> None:
    result = invoke_crm(
        "new", "customer", "--root", str(repo.root), "--name", "no", "--type", "individual", "--tier", "potential",
        "--stage", "prospecting", "--owner", "ming", "--contact", "on", "--phone", "07551234567", "--notes", "1e3",
        "--industry", "多行\n文本",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    text = (repo.root / created_path(result.stdout)).read_text(encoding="utf-8")
    assert "name: 'no'\n" in text and "- name: 'on'\n" in text and "phone: '07551234567'\n" in text
    assert "notes: '1e3'\n" in text and "industry: |-\n  多行\n  文本\n" in text
    assert "since" not in text  # a prospect without a start date
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0


def test_a_given_id_that_is_taken_is_refused_and_the_file_kept(repo: DataRepo) -> None:
    before = (repo.root / "customers" / "KH-2024001.yaml").read_bytes()
    result = invoke_crm("new", "customer", "--root", str(repo.root), "--id", "kh-2024001", "--name", "x", "--type",
                     "enterprise", "--tier", "regular", "--stage", "active", "--owner", "ming")  # fmt: skip
    assert result.returncode == 1
    assert "id: 编号 kh-2024001 已被另一个客户使用" in result.stderr
    assert (repo.root / "customers" / "KH-2024001.yaml").read_bytes() == before
    assert sorted(path.name for path in (repo.root / "customers").iterdir()) == ["KH-2024001.yaml"]


def test_missing_required_fields_off_a_terminal_are_a_usage_error(repo: DataRepo) -> None:
    result = invoke_crm("new", "customer", "--root", str(repo.root), "--name", "x", "--type", "enterprise")
    assert result.returncode == 2
    assert "错误：缺少 --tier, --stage, --owner（用选项给出，或在终端里运行以逐项询问）" in result.stderr


def test_invalid_fields_are_reported_and_nothing_is_written(repo: DataRepo) -> None:
    result = invoke_crm("new", "customer", "--root", str(repo.root), "--name", "x", "--type", "enterprise", "--tier",
                     "regular", "--stage", "active", "--owner", "bob", "--since", "2026-02-30")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "since: 2026-02-30 不是真实存在的日期（day is out of range for month）",
        "owner: bob 不是团队成员（crm.yaml 的 team：ming, hong）",
    ]
    assert sorted(path.name for path in (repo.root / "customers").iterdir()) == ["KH-2024001.yaml"]


def test_interactive_mode_asks_for_what_is_missing(repo: DataRepo) -> None:
    answers = "华星科技\nenterprise\n\n\nhong\n"  # name, type, tier (default regular), stage (default active), owner
    result = subprocess.run(
        [str(CRM), "new", "customer", "--root", str(repo.root), "-i"], input=answers, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((repo.root / created_path(result.stdout)).read_text(encoding="utf-8"))
    assert {key: data[key] for key in ("name", "type", "tier", "stage", "owner")} == {
        "name": "华星科技", "type": "enterprise", "tier": "regular", "stage": "active", "owner": "hong",
    }  # fmt: skip
    assert data["since"] == date.today()


def test_new_interaction_is_filed_under_the_year_of_its_date(repo: DataRepo) -> None:
    result = invoke_crm("new", "interaction", "--root", str(repo.root), "--customer", "KH-2024001", "--date",
                     "2025-12-30", "--channel", "visit", "--kind", "sale", "--topic", "合同续签")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert created_path(result.stdout) == "interactions/2025/JL-2025001.yaml"
    data = yaml.safe_load((repo.root / "interactions/2025/JL-2025001.yaml").read_text(encoding="utf-8"))
    assert (data["channel"], data["kind"], data["owner"]) == ("visit", "sale", "ming")


def test_id_prefixes_and_digits_come_from_crm_yaml(empty_repo: DataRepo) -> None:
    empty_repo.config(
        """\
        team: {ming: {name: 张明}}
        ids: {customer_prefix: C-, interaction_prefix: T-, year: false, digits: 4}
        """,
    )
    customer = invoke_crm("new", "customer", "--root", str(empty_repo.root), "--name", "x", "--type", "individual",
                       "--tier", "potential", "--stage", "prospecting", "--owner", "ming")  # fmt: skip
    assert created_path(customer.stdout) == "customers/C-0001.yaml"
    talk = invoke_crm("log", "C-0001", "--root", str(empty_repo.root), "--date", "2026-01-05", "--topic", "首次接触")
    assert created_path(talk.stdout) == "interactions/2026/T-0001.yaml"


def test_the_schema_line_points_at_the_schema_files(repo: DataRepo) -> None:
    assert invoke_crm("schema", "--out", str(repo.root / "schemas")).returncode == 0
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "回访")
    path = repo.root / created_path(result.stdout)
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    relative = first_line.removeprefix("# yaml-language-server: $schema=")
    assert (path.parent / relative).resolve() == (repo.root / "schemas" / "interaction.schema.json").resolve()
    assert "`crm schema" not in result.stderr


def test_an_invalid_crm_yaml_stops_before_anything_is_written(repo: DataRepo) -> None:
    repo.config("team: {}\n")
    result = invoke_crm("log", "KH-2024001", "--root", str(repo.root), "--topic", "回访")
    assert result.returncode == 1
    assert "crm：crm.yaml 通过校验之后才能添加记录（crm validate）" in result.stderr


def test_written_text_must_read_back_as_the_same_values() -> None:
    """The safety net under every writer: text that would read back as other values is never kept."""
    from crmdata.authoring.writer import RecordWriteError, _check_reads_back

    _check_reads_back("id: KH-1\nsince: 2024-01-01\n", {"id": "KH-1", "since": date(2024, 1, 1)}, "c.yaml")
    with pytest.raises(RecordWriteError, match=r"c\.yaml: the written YAML would read back as different values"):
        _check_reads_back("id: KH-1\nsince: '2024-01-01'\n", {"id": "KH-1", "since": date(2024, 1, 1)}, "c.yaml")
    with pytest.raises(RecordWriteError, match="would not read back"):
        _check_reads_back("id: KH-1\nname: no\n", {"id": "KH-1", "name": "no"}, "c.yaml")
