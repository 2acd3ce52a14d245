"""`crm import` and `crm export`: the spreadsheets a team already keeps, into the repository and back out.

The work is done by crmdata.sheets.importer and crmdata.sheets.exporter (through the layouts of
crmdata.sheets.tables); this module parses options, reads and writes the files, prints, and picks the exit
status: 0 fine, 1 invalid rows, invalid repository data or files that could not be written, 2 a command line
or file that does not fit (unknown column, bad --set, a file that is not a readable table or is over a limit).
"""

from __future__ import annotations

import codecs
import sys
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

import click

from crmdata.authoring.drafts import Repository
from crmdata.authoring.writer import create_file
from crmdata.cli.common import FileSize, dump_json, load_valid, progress_printer, resolve_as_of, root_option
from crmdata.cli.output import say, say_lines, styled
from crmdata.cli.usage import root_language
from crmdata.records.load import Progress
from crmdata.records.models import Language
from crmdata.records.vocabulary import Message, language_code, phrase
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES
from crmdata.sheets.exporter import RECORD_TABLES, Table, csv_text, customers_table, followups_table, xlsx_bytes
from crmdata.sheets.importer import (
    DEFAULT_MAX_CELL_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_SHEET_BYTES,
    DEFAULT_TIME_LIMIT,
    CustomerIndex,
    Deadline,
    ImportPlan,
    Limits,
    RowOutcome,
    RowReader,
    RowStatus,
    SheetError,
    UsageError,
    WriteReport,
    bind_headers,
    kind_word,
    missing_fields,
    parse_mapping,
    parse_settings,
    plan_import,
    read_sheet,
    write_plan,
)
from crmdata.sheets.sheet_words import SHEET_ERRORS, listed, text_in
from crmdata.sheets.tables import LAYOUTS
from crmdata.system.errors import CrmError, ExitCode, ReportedError
from crmdata.system.safe_paths import output_file, write_file


class InputError(CrmError):
    """The file or the options do not fit (exit 2, like a usage error, without the usage text); the line
    starts with "Error:" as click's own usage errors of these commands do, and says the sentence in
    crm.yaml's language (`错误：…` in Chinese)."""

    def __init__(self, said: Message, language: str) -> None:
        super().__init__(
            said.text(language), ExitCode.USAGE, prefix=phrase("error_speaker", language), language=language
        )


# --- crm import ------------------------------------------------------------------------------------


RECORD_KINDS = ["customers", "interactions", "plans", "opportunities", "contracts"]
"""What `crm import` reads and `crm export` writes in the layouts of crmdata.sheets.tables."""
ONE = {
    "customers": "one_customer",
    "interactions": "one_interaction",
    "plans": "one_plan",
    "opportunities": "one_opportunity",
    "contracts": "one_contract",
}


@click.command("import")
@click.argument("kind", type=click.Choice(RECORD_KINDS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@root_option
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="The field a column holds (--map 联系电话=phone), or COLUMN= to ignore it. Repeatable.",
)
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A value for rows whose cell is empty or whose sheet lacks the column (--set stage=active). Repeatable.",
)
@click.option(
    "--sheet",
    "sheet_name",
    default=None,
    help="The sheet of an .xlsx workbook (default: the first one whose header row names known columns).",
)
@click.option(
    "--dry-run/--write",
    "dry_run",
    default=True,
    show_default=True,
    help="--dry-run only reports what would happen; --write creates the files.",
)
@click.option("--skip-invalid", is_flag=True, help="With --write: create the valid rows even when others are invalid.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ROWS,
    show_default=True,
    help="Most rows below the header (by row number); a sheet is refused at the first row past it.",
)
@click.option(
    "--max-cell-bytes",
    type=FileSize(),
    default=DEFAULT_MAX_CELL_BYTES,
    show_default=True,
    help="Largest cell, in bytes of UTF-8 (K and M suffixes allowed).",
)
@click.option(
    "--max-sheet-size",
    type=FileSize(),
    default=DEFAULT_MAX_SHEET_BYTES,
    show_default=True,
    help="Largest sheet: a CSV file's size, an .xlsx workbook's size unpacked (checked before unpacking).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIME_LIMIT,
    show_default=True,
    metavar="SECONDS",
    help="Longest time for reading and checking the sheet (writing the files is not counted).",
)
@click.option(
    "--max-file-size",
    type=FileSize(),
    default=DEFAULT_MAX_FILE_BYTES,
    show_default=True,
    help="Largest record file written, as `crm validate --max-file-size` reads it.",
)
def import_command(
    kind: str,
    file: Path,
    root: Path,
    maps: tuple[str, ...],
    sets: tuple[str, ...],
    sheet_name: str | None,
    dry_run: bool,
    skip_invalid: bool,
    output_format: str,
    max_rows: int,
    max_cell_bytes: int,
    max_sheet_size: int,
    time_limit: float,
    max_file_size: int,
) -> None:
    """Create customers, interactions, plans, opportunities or contracts from a spreadsheet (.csv or .xlsx).

    Reads the customer base-information table (序号, 客户编号, 客户名称, 联系人, 职位, 联系方式, 所属行业,
    客户类型, 合作起始日期, 客户来源, 关键需求, 备注), the communication-record table (记录编号, 客户编号,
    沟通日期, 沟通方式, 沟通主题, 沟通内容摘要, 客户反馈, 需求变化, 待办事项, 负责人, 下次跟进时间), the
    maintenance plan table (计划编号, 客户编号, 维护周期, 维护目标, 沟通内容, 负责人, 执行时间, 完成状态, 备注),
    the opportunity sheet (商机编号, 客户编号, 商机名称, 阶段, 预计金额, 币种, 赢单概率, 预计成交日期, 成交日期,
    输单原因, 负责人, 来源, 备注) or the contract sheet (合同编号, 客户编号, 合作项目, 产品/服务类型, 签约日期,
    开始日期, 结束日期, 合同金额, 币种, 回款, 续约自, 负责人, 备注), with Chinese or English headers, plus
    columns named like any other field (阶段, stage, owner ...). A plan row marked 已完成 also creates the
    conversation that carried that occurrence out.

    A dry run (the default) lists what would be created, the invalid rows with row and column, and
    the rows that are already imported or look like existing records. --write creates the files;
    nothing is written while a row is invalid, unless --skip-invalid. Existing files are never
    changed, so importing the same sheet again creates nothing. The dry run makes every check --write
    makes. A sheet over a limit (--max-rows, --max-cell-bytes, --max-sheet-size, --time-limit) is refused
    before the rest of it is read. Exit status: 0 fine, 1 invalid rows or files that could not be
    written, 2 a column, option or file that does not fit.

    \b
    Examples:
      crm import customers 客户信息表.xlsx --set type=enterprise --set stage=active --set owner=ming
      crm import customers 客户信息表.xlsx --set type=enterprise --set stage=active --set owner=ming --write
      crm import interactions 沟通记录.csv --map 联系电话= --write
      crm import plans 客户维护计划表.xlsx --write
      crm import customers leads.csv --map "Company=name" --map "Mobile No.=phone" --set tier=potential
    """
    limits = Limits(max_rows, max_cell_bytes, max_sheet_size, time_limit, max_file_size)
    deadline = Deadline(time_limit)
    layout = LAYOUTS[kind]
    repository, _ = Repository.open(root)
    if repository is None:
        load_valid(root)  # prints crm.yaml's problems as `crm validate` does, and fails (exit 1)
        unreadable = SHEET_ERRORS.say("config_unreadable").text(language_code(None))
        raise CrmError(unreadable, prefix="Error")  # not reached: load_valid fails
    language = language_code(repository.config.language)
    team = {key: member.name for key, member in repository.config.team.items()}
    try:
        mapping = parse_mapping(layout, maps)
        settings = parse_settings(layout, sets, team)
        mapped = [item.rpartition("=")[0] for item in maps]
        sheet = read_sheet(file, layout, sheet_name, mapped, limits, deadline)
        bindings = bind_headers(layout, sheet, mapping)
        missing = missing_fields(layout, bindings, settings)
    except (UsageError, SheetError) as exc:
        raise InputError(exc.said, language) from None
    if missing:
        hints = " ".join(f"--set {name}=…" for name in missing)
        said = SHEET_ERRORS.say(
            "fields_missing",
            where=sheet.where,
            fields=listed(missing),
            one=SHEET_ERRORS.say(ONE[kind]),
            headers=listed(layout.column(name).zh for name in missing),
            hints=hints,
        )
        raise InputError(said, language)
    dataset = load_valid(root)  # existing records, to compare with; invalid data is refused here
    customers = CustomerIndex(dataset.customers) if kind != "customers" else None
    reader = RowReader(layout, bindings, settings, team, customers)
    progress = _worded_progress(progress_printer(unit="", at_least=2000), language)  # for the sheets that take a while
    try:
        plan = plan_import(layout, sheet, reader, repository, dataset, date.today(), progress, limits, deadline)
    except SheetError as exc:  # the time limit
        raise InputError(exc.said, language) from None
    report = WriteReport()
    refused = not dry_run and plan.has_invalid and not skip_invalid
    if not dry_run and not refused:
        report = write_plan(plan, root, partial(create_file, root=root))
    if output_format == "json":
        say_lines(dump_json(_plan_json(plan, report, language)))
    else:
        _print_plan(plan, dry_run, refused, report, language)
    if report.failures:
        raise CrmError(
            _failure_summary(report).text(language), prefix=phrase("error_speaker", language), language=language
        )
    if plan.has_invalid:
        raise ReportedError(ExitCode.INVALID)


def _worded_progress(progress: Progress | None, language: str) -> Progress | None:
    """The progress printer, its stage ("checking rows") said in `language`."""
    if progress is None:
        return None
    shown = progress

    def show(stage: str, done: int, total: int) -> None:
        shown(SHEET_ERRORS.say("checking_rows").text(language) if stage == "checking rows" else stage, done, total)

    return show


def _failure_summary(report: WriteReport) -> Message:
    """One line for the files not written: which folders could not be written, and why."""
    rows = SHEET_ERRORS.say("rows_not_created", count=len(report.failures))
    if not report.unwritable:
        return SHEET_ERRORS.say("same_names_appeared", rows=rows)
    folders = listed(
        SHEET_ERRORS.say("folder_reason", folder=folder, reason=reason) for folder, reason in report.unwritable.items()
    )
    return SHEET_ERRORS.say("folders_unwritable", folders=folders, rows=rows)


def _describe(outcome: RowOutcome, dry_run: bool, report: WriteReport, language: str) -> str:
    """One line per row that is not invalid: what happens to it, and why. "created" only for a file that
    was written (and is there)."""
    row, path, label, record_id, detail = outcome.row, outcome.path, outcome.label, outcome.record_id, outcome.detail
    if outcome.status is RowStatus.CREATE:
        if dry_run:
            return phrase("row_would_create", language, row=row, path=path, label=label)
        failure = report.failures.get(path or "")
        if failure is not None:
            return phrase("row_not_created", language, row=row, failure=failure.text(language))
        return phrase("row_created", language, row=row, path=path, label=label)
    if outcome.status is RowStatus.UNCHANGED:
        return phrase("row_unchanged", language, row=row, id=record_id, label=label)
    if outcome.status is RowStatus.DIFFERS:
        return phrase("row_differs", language, row=row, id=record_id, detail=text_in(detail, language), path=path)
    return phrase("row_duplicate", language, row=row, id=record_id, label=label, detail=text_in(detail, language))


_COLOURS = {RowStatus.CREATE: "green", RowStatus.DIFFERS: "yellow", RowStatus.DUPLICATE: "yellow"}


def _print_plan(plan: ImportPlan, dry_run: bool, refused: bool, report: WriteReport, language: str) -> None:
    sheet = plan.sheet
    rows = phrase("rows_n", language, count=len(plan.outcomes))
    heading = SHEET_ERRORS.say("heading", where=sheet.where).text(language)
    kind = kind_word(plan.layout.name).text(language)
    say(styled(heading, bold=True), phrase("sheet_rows", language, rows=rows, kind=kind, header=sheet.header_row))
    for outcome in plan.outcomes:
        if outcome.status is RowStatus.INVALID:
            for problem in outcome.problems:
                say(styled(f"  {problem.text(language)}", fg="red"))
        else:
            line = _describe(outcome, dry_run or refused, report, language)
            colour = "red" if outcome.path in report.failures else _COLOURS.get(outcome.status)
            say(styled(f"  {line}", fg=colour))
            for companion in outcome.companions:
                also = RowOutcome(outcome.row, outcome.status, companion.record_id, companion.path, companion.label)
                line = _describe(also, dry_run or refused, report, language)
                say(styled(f"  {line}", fg="red" if companion.path in report.failures else colour))
    creating = plan.count(RowStatus.CREATE)
    counts = [
        phrase("to_create", language, count=creating)
        if dry_run or refused
        else phrase("created_n", language, count=len(report.written)),
        phrase("unchanged_n", language, count=plan.count(RowStatus.UNCHANGED)),
        phrase("duplicates_n", language, count=plan.count(RowStatus.DUPLICATE)),
        phrase("differ_n", language, count=plan.count(RowStatus.DIFFERS)),
        phrase("invalid_n", language, count=plan.count(RowStatus.INVALID)),
    ]
    say(styled(phrase("list_separator", language).join(counts), bold=True))
    invalid = plan.count(RowStatus.INVALID)
    if refused:
        say(
            styled(phrase("nothing_written", language), fg="red", bold=True),
            phrase("fix_invalid_rows", language, count=invalid),
        )
    elif dry_run:
        advice = phrase("advice_fix" if invalid else "advice_write", language)
        if not creating and not invalid:
            advice = phrase("advice_nothing", language)
        say(phrase("dry_run", language, advice=advice))
    elif plan.has_invalid:
        say(phrase("skipped_invalid", language, count=invalid))


def _plan_json(plan: ImportPlan, report: WriteReport, language: str) -> dict[str, Any]:
    """The plan as JSON: keys and statuses in English (the contract); `message`, `text`, `detail` and the
    failures in crm.yaml's language, each problem with its stable `code`."""
    return {
        "file": plan.sheet.source,
        "sheet": plan.sheet.sheet,
        "kind": plan.layout.name,
        "header_row": plan.sheet.header_row,
        "ok": not plan.has_invalid and not report.failures,
        "written": report.written,
        "failures": [failure.text(language) for failure in report.failures.values()],
        "counts": {status.value: plan.count(status) for status in RowStatus},
        "rows": [
            {
                "row": outcome.row,
                "status": outcome.status.value,
                "id": outcome.record_id,
                "path": outcome.path,
                "label": outcome.label,
                "detail": text_in(outcome.detail, language),
                "also": [
                    {"id": companion.record_id, "path": companion.path, "label": companion.label}
                    for companion in outcome.companions
                ],
                "problems": [
                    {
                        "row": problem.row,
                        "column": problem.column,
                        "letter": problem.letter,
                        "field": problem.field,
                        "message": problem.message(language),
                        "code": problem.code,
                        "text": problem.text(language),
                    }
                    for problem in outcome.problems
                ],
            }
            for outcome in plan.outcomes
        ],
    }


# --- crm export ------------------------------------------------------------------------------------


@click.command("export")
@click.argument("kind", type=click.Choice([*RECORD_KINDS, "followups"]))
@root_option
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "xlsx"]),
    default=None,
    help="csv or xlsx (default: from the suffix of --out, else csv).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The file to write (default: CSV on standard output).",
)
@click.option("--force", is_flag=True, help="Replace --out when it exists (otherwise it is never overwritten).")
@click.option(
    "--headers",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Chinese headers and words (战略客户, 电话) or English ones (the record values); default: crm.yaml language.",
)
@click.option(
    "--redact",
    is_flag=True,
    help="Mask phone, e-mail, address and birthday (for a sheet that leaves the team; it cannot be re-imported).",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="followups: the day to plan for, YYYY-MM-DD (default: today).",
)
def export_command(
    kind: str,
    root: Path,
    file_format: str | None,
    out: Path | None,
    force: bool,
    headers: str | None,
    redact: bool,
    as_of: datetime | None,
) -> None:
    """Write customers, interactions, plans, opportunities, contracts or the follow-up list as a spreadsheet.

    Records come out (CSV or .xlsx) in the layouts `crm import` reads (the layout's columns first,
    then one for every other field in use), so export -> import gives back the same records. The
    sheet holds the contact details (phone, e-mail, address, birthday) as the repository does:
    it is the team's own data; --redact masks them. followups is the `crm due` list (--as-of).

    \b
    Examples:
      crm export customers > customers.csv
      crm export customers --out 客户信息表.xlsx
      crm export interactions --headers en --out interactions.csv
      crm export plans --out 客户维护计划表.xlsx
      crm export followups --as-of 2026-11-24 --format xlsx --out due.xlsx
    """
    chosen = file_format or ("xlsx" if out is not None and out.suffix.lower() in (".xlsx", ".xlsm") else "csv")
    language = root_language(root)  # for the errors said before the records are read
    if as_of is not None and kind != "followups":
        raise InputError(SHEET_ERRORS.say("as_of_for_followups"), language)
    if redact and kind != "customers":
        raise InputError(SHEET_ERRORS.say("redact_for_customers"), language)
    if out is None and chosen == "xlsx" and sys.stdout.isatty():
        raise InputError(SHEET_ERRORS.say("xlsx_needs_out"), language)
    if out is not None and out.exists() and not force:
        raise InputError(SHEET_ERRORS.say("out_exists", out=out), language)
    dataset = load_valid(root)
    config = dataset.config
    english = (headers or (config.language.value if config is not None else Language.ZH.value)) == "en"
    table: Table
    if kind == "customers":
        table = customers_table(dataset, english, redact)
    elif kind in RECORD_TABLES:
        table = RECORD_TABLES[kind](dataset, english)
    else:
        table = followups_table(dataset, resolve_as_of(as_of), english)
    for note in table.notes:
        say(SHEET_ERRORS.say("note", note=note).text(language), err=True)
    if chosen == "xlsx":
        data = xlsx_bytes(table)
    else:
        bom = codecs.BOM_UTF8 if out is not None else b""  # Excel reads a BOM-less CSV file as GBK
        data = bom + csv_text(table, "\r\n" if out is not None else "\n").encode("utf-8")
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        write_file(output_file(out, root), data, replace=force)  # never through a link (safe_paths)
    except FileExistsError:
        raise InputError(SHEET_ERRORS.say("out_exists", out=out), language) from None
    except OSError as exc:
        said = SHEET_ERRORS.say("cannot_write_file", path=out, reason=exc.strerror)
        raise CrmError(said.text(language), prefix=phrase("error_speaker", language), language=language) from None
    kind_words = kind_word(kind).text(language)
    say(phrase("wrote_rows", language, count=len(table.rows), kind=kind_words, out=out))
