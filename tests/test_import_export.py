"""`crm import` and `crm export` as a user runs them: real CSV and XLSX files with Chinese headers, the
installed `crm`, the files it writes read back as YAML."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from crmdata.records.load import LoadOptions, load
from tests.conftest import DataRepo, invoke_crm, run_crm

CUSTOMER_HEADERS = ["序号", "客户编号", "客户名称", "联系人", "职位", "联系方式", "所属行业", "客户类型"]
CUSTOMER_HEADERS += ["合作起始日期", "客户来源", "关键需求", "备注"]
INTERACTION_HEADERS = ["记录编号", "客户编号", "沟通日期", "沟通方式", "沟通主题", "沟通内容摘要", "客户反馈"]
INTERACTION_HEADERS += ["需求变化", "待办事项", "负责人", "下次跟进时间"]
DEFAULTS = ("--set", "type=enterprise", "--set", "stage=active", "--set", "owner=张明")
SUMMARY_NOTHING_ELSE = "0 行已导入过，0 行可能重复，0 行与仓库不同，0 行无效"


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(["" if cell is None else cell for cell in row] for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


def read_record(repo: DataRepo, relative: str) -> dict[str, Any]:
    text = (repo.root / relative).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def files(repo: DataRepo, folder: str) -> list[str]:
    return sorted(path.relative_to(repo.root).as_posix() for path in (repo.root / folder).rglob("*.yaml"))


def test_dry_run_lists_what_would_be_created_and_writes_nothing(empty_repo: DataRepo, tmp_path: Path) -> None:
    records = [INTERACTION_HEADERS, [None, "KH-2024001", "2024-03-01", "电话", "回访", None, None, None, None, "ming"]]
    sheet = write_xlsx(
        tmp_path / "客户.xlsx",
        {"沟通记录": records, "客户": [  # the customers are on the second sheet
            ["2024年客户基本信息表"],  # a title row above the header, as such sheets often have
            CUSTOMER_HEADERS,
            [1, None, "华星科技有限公司", "李雷", "采购总监", 13800138000, "智能制造", "战略客户",
             datetime(2024, 1, 10), "行业展会", "产线数字化、设备预测性维护", None],
            [2, None, "杜琳华", "杜琳华", None, "lin@example.com", "个体经营", "普通客户", "2024年3月5日",
             "客户转介绍", "稳健理财；线上办理", "周末可约"],
            [3],  # the 序号 of an empty template row
        ]},
    )  # fmt: skip
    result = run_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "客户.xlsx，工作表 客户：2 行，客户（表头在第 2 行）",
        "  第 3 行：将创建 customers/KH-2024001.yaml  华星科技有限公司",
        "  第 4 行：将创建 customers/KH-2024002.yaml  杜琳华",
        f"2 行待创建，{SUMMARY_NOTHING_ELSE}",
        "试运行：没有写入任何文件；加 --write 再运行即可创建",
    ]
    assert not (empty_repo.root / "customers").exists()

    written = run_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--write")
    assert written.returncode == 0, written.stdout + written.stderr
    assert "  第 3 行：已创建 customers/KH-2024001.yaml  华星科技有限公司" in written.stdout
    assert run_crm("validate", "--root", str(empty_repo.root)).returncode == 0
    assert read_record(empty_repo, "customers/KH-2024001.yaml") == {
        "id": "KH-2024001",
        "name": "华星科技有限公司",
        "type": "enterprise",
        "tier": "strategic",
        "stage": "active",
        "owner": "ming",
        "since": date(2024, 1, 10),
        "industry": "智能制造",
        "source": "行业展会",
        "contacts": [{"name": "李雷", "title": "采购总监", "phone": "13800138000"}],
        "needs": ["产线数字化", "设备预测性维护"],
    }
    assert "phone: '13800138000'" in (empty_repo.root / "customers/KH-2024001.yaml").read_text(encoding="utf-8")
    second = read_record(empty_repo, "customers/KH-2024002.yaml")
    assert second["contacts"] == [{"name": "杜琳华", "email": "lin@example.com"}]
    assert (second["tier"], second["since"], second["needs"]) == ("regular", date(2024, 3, 5), ["稳健理财", "线上办理"])

    again = run_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--write")
    assert again.returncode == 0
    assert again.stdout.splitlines()[1:4] == [
        "  第 3 行：已导入过，没有变化：KH-2024001 华星科技有限公司",
        "  第 4 行：已导入过，没有变化：KH-2024002 杜琳华",
        "已创建 0 行，2 行已导入过，0 行可能重复，0 行与仓库不同，0 行无效",
    ]
    assert files(empty_repo, "customers") == ["customers/KH-2024001.yaml", "customers/KH-2024002.yaml"]


def test_interactions_map_channels_todos_owners_and_customer_names(repo: DataRepo, tmp_path: Path) -> None:
    sheet = tmp_path / "沟通记录.csv"
    sheet.write_bytes(
        b"\xef\xbb\xbf"  # the BOM Excel writes in "CSV UTF-8"
        + write_csv(
            tmp_path / "plain.csv",
            [
                INTERACTION_HEADERS,
                [None, "KH-2024001", "2024/3/5", "电话", "续约沟通", "讨论续约范围", "满意", "预算增加；工期提前",
                 "寄送方案（2024-03-08前）\n安排技术交流", "张明", "2024-03-20"],
                [None, "华星科技有限公司", "2024-03-06 15:30", "线上会议", "方案评审", None, None, None, None,
                 "hong", None],
                ["JL-2024001", "KH-2024001", "2024-03-01", "电话", "季度回访", None, None, None, None, "ming", None],
            ],
        ).read_bytes()
    )  # fmt: skip
    result = invoke_crm("import", "interactions", str(sheet), "--root", str(repo.root), "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "沟通记录.csv：3 行，沟通记录（表头在第 1 行）",
        "  第 2 行：已创建 interactions/2024/JL-2024002.yaml  KH-2024001 2024-03-05 续约沟通",
        "  第 3 行：已创建 interactions/2024/JL-2024003.yaml  KH-2024001 2024-03-06 方案评审",
        "  第 4 行：已导入过，没有变化：JL-2024001 KH-2024001 2024-03-01 季度回访",
        "已创建 2 行，1 行已导入过，0 行可能重复，0 行与仓库不同，0 行无效",
    ]
    assert read_record(repo, "interactions/2024/JL-2024002.yaml") == {
        "id": "JL-2024002",
        "customer": "KH-2024001",
        "date": date(2024, 3, 5),
        "channel": "phone",
        "owner": "ming",
        "topic": "续约沟通",
        "summary": "讨论续约范围",
        "feedback": "满意",
        "need_changes": ["预算增加", "工期提前"],
        "todos": [
            {"task": "寄送方案", "due": date(2024, 3, 8)},
            {"task": "安排技术交流", "due": date(2024, 3, 20)},  # no date in the cell: 下次跟进时间
        ],
        "next_followup": date(2024, 3, 20),
    }
    video = read_record(repo, "interactions/2024/JL-2024003.yaml")
    assert (video["channel"], video["owner"], video["date"]) == ("video", "hong", datetime(2024, 3, 6, 15, 30))
    assert invoke_crm("validate", "--root", str(repo.root)).returncode == 0


def test_english_headers_map_and_set(empty_repo: DataRepo, tmp_path: Path) -> None:
    headers = ["id", "Company", "contact", "title", "phone", "industry", "tier", "since", "needs", "Remark", "stage"]
    sheet = write_csv(
        tmp_path / "leads.csv",
        [headers, [None, "Acme Ltd", "Jane", "CTO", "+86 139 0000 1111", "software", "regular", "2024-05-01",
                   "api, sso", "call after 5", "Active"]],
    )  # fmt: skip
    unknown = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), "--set", "type=enterprise")
    assert unknown.returncode == 2
    assert "错误：leads.csv：不认识的列：Company（B），Remark（J）。请用 --map 'COLUMN=FIELD'" in unknown.stderr

    options = ("--map", "Company=name", "--map", "Remark=", "--set", "type=企业", "--set", "owner=hong", "--write")
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *options)
    assert result.returncode == 0, result.stdout + result.stderr
    assert read_record(empty_repo, "customers/KH-2024001.yaml") == {
        "id": "KH-2024001",
        "name": "Acme Ltd",
        "type": "enterprise",
        "tier": "regular",
        "stage": "active",
        "owner": "hong",
        "since": date(2024, 5, 1),
        "industry": "software",
        "contacts": [{"name": "Jane", "title": "CTO", "phone": "+86 139 0000 1111"}],
        "needs": ["api", "sso"],
    }


def test_bad_set_and_missing_fields_are_usage_errors(empty_repo: DataRepo, tmp_path: Path) -> None:
    sheet = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS, [1, None, "甲公司"]])
    root = str(empty_repo.root)
    unknown_field = invoke_crm("import", "customers", str(sheet), "--root", root, "--set", "colour=red")
    assert unknown_field.returncode == 2
    assert "错误：--set 'colour=red'：请写成 FIELD=VALUE，字段为其中之一：name, contact," in unknown_field.stderr
    bad_value = invoke_crm("import", "customers", str(sheet), "--root", root, "--set", "stage=收尾期")
    assert bad_value.returncode == 2
    assert "错误：--set stage=收尾期：收尾期 不是有效的阶段：prospecting (接洽期)," in bad_value.stderr
    missing = invoke_crm("import", "customers", str(sheet), "--root", root, "--set", "stage=active")
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        "错误：c.csv：没有哪一列给出 owner，而每位客户都需要：请添加列（负责人），或用 --set owner=… 给每一行一个值"
    )


def test_invalid_rows_are_reported_by_row_and_column_and_nothing_is_written(
    empty_repo: DataRepo, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "客户.csv",
        [
            CUSTOMER_HEADERS,
            [1, "KH-2024005", "华星科技有限公司", "李雷", None, "13800138000", None, "战略客户", "2024-01-10"],
            [2, None, "大兴公司", "王五", None, None, None, "大客户", "2024-01-11"],
            [3, None, "月底公司", None, None, "13900000000", None, "普通客户", "2024-02-30"],
            [4, None, None, None, None, None, "金融", "潜在客户", "2024-01-12"],
            [5, "KH-2024005", "又一家", None, None, None, None, "潜在客户", "2024-01-13"],
        ],
    )
    root = str(empty_repo.root)
    result = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--write")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "客户.csv：5 行，客户（表头在第 1 行）",
        "  第 2 行：将创建 customers/KH-2024005.yaml  华星科技有限公司",
        "  第 3 行，客户类型（H 列）：大客户 既不是客户分级：strategic (战略客户), regular (普通客户), "
        "potential (潜在客户)；也不是客户类型：individual (个人), enterprise (企业), government (政府机构), "
        "institutional_investor (机构投资者)",
        "  第 4 行，联系方式（F 列）：每位联系人都要有姓名：请同时填写联系人的姓名（联系人）",
        "  第 4 行，合作起始日期（I 列）：2024-02-30 不是真实存在的日期（day is out of range for month）",
        "  第 5 行，客户名称（C 列）：是空的，但 name 是必填项",
        "  第 6 行，客户编号（B 列）：编号 KH-2024005 也出现在第 2 行",
        "1 行待创建，0 行已导入过，0 行可能重复，0 行与仓库不同，4 行无效",
        "没有写入任何文件：4 行无效；请修正，或加上 --skip-invalid 只创建有效的行",
    ]
    assert not (empty_repo.root / "customers").exists()

    skipped = invoke_crm("import", "customers", str(sheet), "--root", root, *DEFAULTS, "--write", "--skip-invalid")
    assert skipped.returncode == 1  # rows were invalid; the valid one is written all the same
    assert skipped.stdout.splitlines()[-1] == "跳过了 4 行无效的行（--skip-invalid）"
    assert files(empty_repo, "customers") == ["customers/KH-2024005.yaml"]


def test_likely_duplicates_of_existing_customers_are_not_created(repo: DataRepo, tmp_path: Path) -> None:
    sheet = write_csv(
        tmp_path / "客户.csv",
        [
            CUSTOMER_HEADERS,
            [1, None, "华星科技", "韩梅梅", None, None, None, "普通客户", "2024-02-01"],  # same name but 有限公司
            [2, None, "新客户", "王五", None, "+86 138-0013-8000", None, "普通客户", "2024-02-01"],  # same phone
            [3, None, "另一家公司", "赵六", None, "13900000000", None, "潜在客户", "2024-02-02"],
            [4, None, "另一家公司（有限公司）", "钱七", None, None, None, "潜在客户", "2024-02-03"],
        ],
    )
    result = invoke_crm("import", "customers", str(sheet), "--root", str(repo.root), *DEFAULTS, "--write")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1:] == [
        "  第 2 行：可能与 KH-2024001 华星科技有限公司 重复（名称相同）：不创建",
        "  第 3 行：可能与 KH-2024001 华星科技有限公司 重复（电话相同）：不创建",
        "  第 4 行：已创建 customers/KH-2024002.yaml  另一家公司",
        "  第 5 行：可能与 KH-2024002 另一家公司 重复（与第 4 行名称相同）：不创建",
        "已创建 1 行，0 行已导入过，3 行可能重复，0 行与仓库不同，0 行无效",
    ]
    assert files(repo, "customers") == ["customers/KH-2024001.yaml", "customers/KH-2024002.yaml"]


def test_ids_never_collide_with_existing_records(empty_repo: DataRepo, tmp_path: Path) -> None:
    for number in (1, 2, 3):
        empty_repo.customer(f"KH-202600{number}", since="2026-01-0" + str(number))
    sheet = write_csv(
        tmp_path / "客户.csv",
        [CUSTOMER_HEADERS]
        + [[n, None, f"公司{n}", None, None, None, None, "普通客户", "2026-03-01"] for n in (1, 2)]
        + [[3, "kh-2026002", "客户KH-2026002", None, None, None, None, "普通客户", "2024-01-01"]],
    )
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS, "--write")
    assert result.stdout.splitlines()[1:4] == [
        "  第 2 行：已创建 customers/KH-2026004.yaml  公司1",
        "  第 3 行：已创建 customers/KH-2026005.yaml  公司2",
        "  第 4 行：KH-2026002 已存在，since 不同（customers/KH-2026002.yaml）：不覆盖",
    ]
    assert result.returncode == 0
    assert len(files(empty_repo, "customers")) == 5


def test_gb18030_csv_and_undecodable_files(empty_repo: DataRepo, tmp_path: Path) -> None:
    row = [1, None, "华星科技有限公司", "李雷", None, "13800138000", None, "战略客户", "2024-01-10"]
    rows = [CUSTOMER_HEADERS, row]
    sheet = write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")
    result = invoke_crm("import", "customers", str(sheet), "--root", str(empty_repo.root), *DEFAULTS)
    assert result.returncode == 0, result.stderr
    assert "  第 2 行：将创建 customers/KH-2024001.yaml  华星科技有限公司" in result.stdout

    damaged = tmp_path / "damaged.csv"
    damaged.write_bytes(write_csv(tmp_path / "ok.csv", rows).read_bytes() + b"\xff\xfe,x\r\n")
    refused = invoke_crm("import", "customers", str(damaged), "--root", str(empty_repo.root), *DEFAULTS)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "错误：damaged.csv：第 3 行：UTF-8 文件中有不是 UTF-8 的字节；请修正文件或重新保存（CSV UTF-8）"
    )


def test_export_csv_to_standard_output_and_xlsx_to_a_file(repo: DataRepo, tmp_path: Path) -> None:
    root = str(repo.root)
    customers = run_crm("export", "customers", "--root", root)
    assert customers.returncode == 0, customers.stderr
    assert customers.stdout.splitlines() == [
        ",".join([*CUSTOMER_HEADERS, "客户性质", "阶段", "客户价值", "负责人", "告知同意", "同意日期", "主要联系人"]),
        "1,KH-2024001,华星科技有限公司,李雷,,13800138000,,战略客户,2024-01-10,,,,企业,合作期,高,张明,是,2024-01-10,是",
    ]
    interactions = run_crm("export", "interactions", "--root", root, "--headers", "en")
    assert interactions.stdout.splitlines() == [
        "id,customer,date,channel,topic,summary,feedback,need_changes,todos,owner,next_followup,customer_name,kind",
        "JL-2024001,KH-2024001,2024-03-01,phone,季度回访,,,,,张明,,华星科技有限公司,followup",
    ]
    due = run_crm("export", "followups", "--root", root, "--as-of", "2024-03-10")
    assert due.stdout.splitlines() == [
        "客户编号,客户名称,负责人,应跟进日期,原因,状态,逾期天数,沉默客户,最近联系,跟进间隔天数",
        "KH-2024001,华星科技有限公司,张明,2024-03-16,定期跟进,即将到期,0,否,2024-03-01,15",
    ]

    out = tmp_path / "客户.xlsx"
    assert run_crm("export", "customers", "--root", root, "--out", str(out)).returncode == 0
    sheet = load_workbook(out, read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("序号", "客户编号", "客户名称")
    assert (row[5], row[8]) == ("13800138000", datetime(2024, 1, 10))  # text stays text, dates are dates
    again = run_crm("export", "customers", "--root", root, "--out", str(out))
    assert again.returncode == 2
    assert f"错误：{out} 已存在：请换一个 --out，或加 --force 替换它" in again.stderr

    redacted = run_crm("export", "customers", "--root", root, "--redact", "--out", str(tmp_path / "shared.csv"))
    assert redacted.returncode == 0
    reimport = run_crm("import", "customers", str(tmp_path / "shared.csv"), "--root", root)
    assert reimport.returncode == 1
    assert (
        "  第 2 行，联系方式（F 列）：138****8000 是打了码的值（用 --redact 导出）：真实的值无法导入" in reimport.stdout
    )


ROUND_TRIP_CUSTOMERS = {
    "customers/KH-2023001.yaml": """\
        id: KH-2023001
        name: 周丽
        type: individual
        tier: potential
        stage: churned
        value: low
        owner: hong
        since: 2023-05-01
        referred_by: KH-2024001
        cadence_days: 20
        churned_on: 2024-02-01
        churn_reason: 价格原因，转向竞品
        consent: {given: false, note: 口头告知}
        """,
    "customers/KH-2024001.yaml": """\
        id: KH-2024001
        name: 华星科技有限公司
        type: enterprise
        tier: strategic
        stage: active
        value: high
        owner: ming
        since: 2024-01-10
        industry: 智能制造
        source: 行业展会
        contacts:
          - {name: 李雷, title: 采购总监, phone: "13800138000", email: lilei@example.com, primary: true}
          - {name: 韩梅梅, email: mei@example.com, address: 北京市海淀区, birthday: 1990-05-06}
        needs: [系统对接（ERP、MES）]
        tags: [制造业, 大客户]
        consent: {given: true, date: 2024-01-10, note: 签约时书面告知}
        notes: "=SUM(A1) 不是公式"
        """,
    "customers/KH-2024002.yaml": """\
        id: KH-2024002
        name: 新锐传媒
        type: enterprise
        tier: regular
        stage: prospecting
        owner: ming
        contacts:
          - {name: 孙悦, email: sun@example.com}
        needs: [品牌推广, 短视频]
        """,
}
ROUND_TRIP_INTERACTION = """\
    id: JL-2024002
    customer: KH-2024001
    date: 2024-03-05T15:30:00+08:00
    channel: visit
    kind: complaint
    owner: ming
    topic: 交付延期
    summary: |-
      第一行
      第二行
    feedback: "-不满意"
    need_changes: [预算由125万元调整为219万元，需审批]
    satisfaction: 2
    todos:
      - {task: 发送报价, due: 2024-03-08, done: 2024-03-07}
      - {task: 安排技术交流（含演示）, due: 2024-03-20, owner: hong}
    next_followup: 2024-03-15
    recorded: 2024-03-05 18:05:00+08:00
    resolved: 2024-03-10
    """


def _records(root: Path) -> dict[str, dict[str, Any]]:
    dataset, problems, _ = load(root, LoadOptions(use_cache=False))
    assert not [problem for problem in problems if problem.is_error]
    return {record.id: record.model_dump() for record in [*dataset.customers, *dataset.interactions]}


def test_round_trip_export_import_changes_nothing(repo: DataRepo, tmp_path: Path) -> None:
    for text in ROUND_TRIP_CUSTOMERS.values():
        repo.put(text)
    repo.put(ROUND_TRIP_INTERACTION)
    root = str(repo.root)
    assert invoke_crm("validate", "--root", root).returncode == 0
    customers, interactions = tmp_path / "客户.xlsx", tmp_path / "interactions.csv"
    assert invoke_crm("export", "customers", "--root", root, "--out", str(customers)).returncode == 0
    exported = invoke_crm("export", "interactions", "--root", root, "--headers", "en", "--out", str(interactions))
    assert exported.returncode == 0, exported.stderr

    fresh = DataRepo(tmp_path / "fresh")
    fresh.config((repo.root / "crm.yaml").read_text(encoding="utf-8"))
    for kind, sheet in (("customers", customers), ("interactions", interactions)):
        result = invoke_crm("import", kind, str(sheet), "--root", str(fresh.root), "--write")
        assert result.returncode == 0, result.stdout + result.stderr
    assert _records(fresh.root) == _records(repo.root)
    second = invoke_crm("export", "interactions", "--root", str(fresh.root), "--headers", "en")
    first = invoke_crm("export", "interactions", "--root", root, "--headers", "en")
    assert second.stdout == first.stdout

    for kind, sheet in (("customers", customers), ("interactions", interactions)):
        result = invoke_crm("import", kind, str(sheet), "--root", root, "--write")
        assert result.returncode == 0
        assert result.stdout.splitlines()[-1].startswith("已创建 0 行，")
        assert "，0 行可能重复，0 行与仓库不同，0 行无效" in result.stdout


def test_importing_into_an_invalid_repository_is_refused(repo: DataRepo, tmp_path: Path) -> None:
    repo.customer("KH-2024009", type="indvidual")
    sheet = write_csv(tmp_path / "c.csv", [CUSTOMER_HEADERS, [1, None, "甲公司", None, None, None, None, "普通客户"]])
    result = invoke_crm("import", "customers", str(sheet), "--root", str(repo.root), *DEFAULTS)
    assert result.returncode == 1
    assert "customers/KH-2024009.yaml:3:7: type: 'indvidual' 不是可选的值：" in result.stderr
    assert "crm：数据没有通过校验；请先修正上面的错误（crm validate）" in result.stderr
