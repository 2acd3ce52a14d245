"""What `crm import` and `crm export` say, in Chinese and in English.

The importer finds a problem without knowing who reads it: it picks a sentence here
(`IMPORT_PROBLEMS.say("not_a_real_date", text=...)`) and keeps it as a value; crmdata.cli.transfer words it
in crm.yaml's `language` for the terminal and the JSON report, where the key is the problem's stable
`code`. IMPORT_PROBLEMS holds what is wrong with one row (a cell, a contact, a duplicate id); SHEET_ERRORS
what is wrong with the file, the options or a limit (the whole command stops), and what export says.
tests/test_vocabulary.py and tests/test_sheet_words.py fail when a sentence lacks a language or its
languages ask for different placeholders; tests/test_sheet_words.py also when the sheets room builds a
problem or an error from English text instead of a sentence from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crmdata.records.problems import Problem
from crmdata.records.vocabulary import EVENTS, PHRASES, PLAN_STATUSES, Catalogue, Message, Terms, Word


def text_in(value: object, language: object) -> str:
    """A Message in `language`; anything else (a file name, a value from the sheet) as it is."""
    return value.text(language) if isinstance(value, Message) else str(value)


@dataclass(frozen=True)
class Listed(Message):
    """Items (text, or sentences worded in the same language) joined with the language's separator."""

    items: tuple[object, ...] = ()

    def text(self, language: object) -> str:
        return PHRASES["list_separator"].text(language).join(text_in(item, language) for item in self.items)


def listed(items: Iterable[object]) -> Listed:
    """`a, b, c` in English, `a，b，c` in Chinese, when worded."""
    return Listed("list", PHRASES["list_separator"], items=tuple(items))


@dataclass(frozen=True)
class RecordSaid(Message):
    """A problem the records layer found with a row's record, worded by the records layer (`Problem.text`)."""

    problem: Problem | None = None

    def text(self, language: object) -> str:
        assert self.problem is not None
        return self.problem.text(language)


def record_said(problem: Problem) -> RecordSaid:
    """The records layer's problem as a sentence of its own; its code stays the records layer's."""
    return RecordSaid(problem.code or "record_problem", Word(problem.message, problem.message), problem=problem)


class SaidError(Exception):
    """An error that carries its sentence: `str()` is its English wording, `text(language)` the reader's."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said

    def text(self, language: object) -> str:
        return self.said.text(language)


IMPORT_PROBLEMS = Catalogue(
    "import_problems",
    {
        # where in the sheet
        "at_row": Word("第 {row} 行", "row {row}"),
        "at_row_place": Word("第 {row} 行，{place}", "row {row}, {place}"),
        "column_named": Word("{header}（{letter} 列）", "column {header} ({letter})"),
        "column_unnamed": Word("{letter} 列", "column {letter}"),
        "no_header": Word("（无表头）", "(no header)"),
        "located": Word("{place}：{message}", "{place}: {message}"),
        # cells (crmdata.sheets.tables)
        "not_a_date": Word("{value} 不是日期：请写成 2024-02-20", "{value} is not a date: write it as 2024-02-20"),
        "not_a_date_text": Word(
            "{value} 不是日期：请写成 2024-02-20（或 2024/2/20、2024年2月20日）",
            "{value} is not a date: write it as 2024-02-20 (or 2024/2/20, 2024年2月20日)",
        ),
        "not_a_real_date": Word("{value} 不是真实存在的日期（{reason}）", "{value} is not a real date ({reason})"),
        "date_has_time": Word("{value}：这里只要日期，不要时刻", "{value}: expected a date without a time of day"),
        "needs_time": Word(
            "{value}：这里要日期和时刻，例如 2024-02-20 15:30",
            "{value}: expected a date and time, such as 2024-02-20 15:30",
        ),
        "not_whole_number": Word("{value} 不是整数", "{value} is not a whole number"),
        "not_yes_no": Word(
            "{value} 不是“是”或“否”：请写 是 或 否（yes/no）", "{value} is not yes or no: write 是 or 否 (yes/no)"
        ),
        "not_in_set": Word("{value} 不是有效的{noun}：{choices}", "{value} is not a {noun}: {choices}"),
        "not_tier_or_type": Word(
            "{value} 既不是客户分级：{tiers}；也不是客户类型：{types}",
            "{value} is not a customer tier: {tiers}; nor a customer type: {types}",
        ),
        "masked": Word(
            "{value} 是打了码的值（用 --redact 导出）：真实的值无法导入",
            "{value} is masked (exported with --redact): the real value cannot be imported",
        ),
        "not_a_phone": Word("{value} 不是电话号码", "{value} is not a phone number"),
        "phone_shortened": Word(
            "{value} 是被表格软件缩写的数字，位数已经丢失：请把这一列设为文本格式，再重新输入号码",
            "{value} is a number a spreadsheet shortened, its digits are lost: "
            "format the column as text and type the numbers again",
        ),
        "not_an_email": Word("{value} 不是邮箱地址", "{value} is not an e-mail address"),
        "several_emails": Word(
            "{value} 含有 {count} 个邮箱地址：一位联系人只有一个（请添加 联系人2 等列）",
            "{value} holds {count} e-mail addresses: one contact has one (add 联系人2 columns)",
        ),
        "owner_several": Word(
            "{value} 是多位团队成员的名字（{keys}）：请写成员的键",
            "{value} is the name of several team members ({keys}): write the key",
        ),
        "owner_unknown": Word("{value} 不是团队成员：{members}", "{value} is not on the team: {members}"),
        "owner_ambiguous": Word(
            "{value} 与多位团队成员的名字相符（{members}）：请写成员的键",
            "{value} matches the names of several team members ({members}): write the key",
        ),
        "not_an_amount": Word(
            "{value} 不是金额：请写成 125000、12.5万 或 ¥125,000",
            "{value} is not an amount: write it as 125000, 12.5万 or ¥125,000",
        ),
        "not_a_percent": Word(
            "{value} 不是 0 到 100 的百分比：请写成 60 或 60%", "{value} is not a percentage 0..100: write 60 or 60%"
        ),
        "not_a_currency": Word(
            "{value} 不是币种：请写 ISO 4217 代码（CNY、USD、EUR）或 人民币、美元、欧元",
            "{value} is not a currency: write an ISO 4217 code (CNY, USD, EUR) or 人民币, 美元, 欧元",
        ),
        "not_a_payment": Word(
            "{item}：不是一笔回款：请写成 应收日期 金额，已付的再写 已付 回款日期，"
            "例如 2024-06-30 50000 已付 2024-07-02",
            "{item}: not a payment: write due-date amount, and for a paid one paid paid-on-date, "
            "e.g. 2024-06-30 50000 paid 2024-07-02",
        ),
        "in_notes": Word("{text}：{message}", "{text}: {message}"),
        "done_in_future": Word(
            "标为已完成，但这一次的日期 {day} 还没到：请改为 未完成，或改正日期",
            "marked done, but the occurrence's day {day} is still to come: mark it not done, or correct the date",
        ),
        # a row
        "conflict": Word(
            "这里的 {name} 是 {value}，但 {other} 给的是 {other_value}",
            "{name} is {value} here, but {other} says {other_value}",
        ),
        "contact_needs_name": Word(
            "每位联系人都要有姓名：请同时填写联系人的姓名（联系人）",
            "a contact needs a name: fill in the contact's name (联系人) too",
        ),
        "todo_without_due": Word(
            "待办 {quoted} 没有截止日期：请在单元格里写上（{task}（2024-03-01前）），或填写 {next_header}",
            "todo {quoted} has no due date: write one in the cell ({task}（2024-03-01前）) or fill in {next_header}",
        ),
        "not_the_customer_name": Word(
            "{name} 不是客户 {id} 的名称（{customer}）", "{name} is not the name of customer {id} ({customer})"
        ),
        "several_customers_named": Word(
            "有多位客户名为 {name}（{ids}）：请写客户编号", "several customers are named {name} ({ids}): write the id"
        ),
        "no_customer_id_or_name": Word("没有编号或名称为 {given} 的客户", "no customer has the id or name {given}"),
        "no_customer_name": Word("没有名称为 {given} 的客户", "no customer has the name {given}"),
        "id_twice": Word("编号 {id} 也出现在第 {row} 行", "the id {id} is also on row {row}"),
        "record_unwritable": Word("无法写成记录文件：{reason}", "{reason}"),
        "inner_field": Word("{field}：{message}", "{field}: {message}"),
        "required_empty": Word("是空的，但 {name} 是必填项", "empty, but {name} is required"),
        "required_other_part": Word(
            "这一列给出了 {other}；{name} 也是必填项：请添加一列（{header}）或用 --set {name}=VALUE",
            "gave the {other}; {name} is required too: add a column ({header}) or --set {name}=VALUE",
        ),
        "required_no_column": Word(
            "{name} 是必填项，但没有哪一列给出它：请添加一列（{header}）或用 --set {name}=VALUE",
            "{name} is required, and no column gives it: add a column ({header}) or --set {name}=VALUE",
        ),
        "too_many_fields": Word(
            "有 {count} 个字段，但表头只有 {width} 列：含有{what}的值请用双引号括起来（{example}），"
            "或给多出的列加上表头",
            "{count} fields, but the header row has {width}: put a value that holds {what} in double quotes "
            "({example}), or give the extra column a header",
        ),
        "a_comma": Word("逗号", "a comma"),
        "a_semicolon": Word("分号", "a semicolon"),
        "a_tab": Word("制表符", "a tab"),
        # rows that repeat a record
        "already_imported": Word("已导入过", "already imported"),
        "same_name": Word("名称相同", "same name"),
        "same_phone": Word("电话相同", "same phone"),
        "same_talk": Word("客户、日期和主题相同", "same customer, date and topic"),
        "same_plan": Word("客户、维护目标和执行时间相同", "same customer, goal and date"),
        "same_opportunity": Word("客户和商机名称相同", "same customer and title"),
        "same_contract": Word("客户、合作项目和开始日期相同", "same customer, project and start"),
        "not_carried_out": Word(
            "完成状态（仓库里没有沟通记录执行过这个计划）", "status (no conversation carries the plan out)"
        ),
        "same_as_row": Word("与第 {row} 行{reason}", "{reason} as row {row}"),
    },
)


SHEET_ERRORS = Catalogue(
    "sheet_errors",
    {
        # where
        "shared_strings_of": Word("{file}（共享字符串）", "{file} (its shared strings)"),
        "in_sheet": Word("{file}，工作表 {sheet}", "{file}, sheet {sheet}"),
        "sheet_of_file": Word("{file} 的工作表 {sheet}", "sheet {sheet} of {file}"),
        "heading": Word("{where}：", "{where}: "),
        "kind_customers": Word("客户", "customers"),
        "kind_interactions": Word("沟通记录", "interactions"),
        "kind_followups": Word("跟进计划", "followups"),
        "kind_plans": Word("维护计划", "plans"),
        "kind_opportunities": Word("商机", "opportunities"),
        "kind_contracts": Word("合同", "contracts"),
        "one_plan": Word("个维护计划", "plan"),
        "one_opportunity": Word("个商机", "opportunity"),
        "one_contract": Word("份合同", "contract"),
        "carried_out_summary": Word(
            "维护计划表第 {row} 行标为已完成（由 crm import 导入）",
            "marked done on row {row} of the maintenance plan table (imported by crm import)",
        ),
        "checking_rows": Word("正在检查行", "checking rows"),
        # the file
        "cannot_read": Word("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
        "old_excel": Word(
            "{file} 是旧版 Excel 文件（.xls）：请另存为 .xlsx 或 CSV UTF-8，再导入另存的文件",
            "{file} is an old Excel file (.xls): save it as .xlsx or as CSV UTF-8, then import that",
        ),
        "sheet_for_xlsx": Word(
            "--sheet 只用于 .xlsx 工作簿；CSV 文件只有一张表",
            "--sheet is for .xlsx workbooks; a CSV file has one table",
        ),
        "no_such_sheet": Word(
            "{file} 中没有名为 {sheet} 的工作表；它的工作表有：{sheets}",
            "{file} has no sheet {sheet}; its sheets: {sheets}",
        ),
        "no_header_row": Word(
            "{where}：前 {count} 行中没有列出{kind}各列的表头行（例如 {examples}，或它们的英文名）；"
            "其他列请用 --map 指明",
            "{where}: no header row naming the {kind} columns in its first {count} rows "
            "(such as {examples}, or their English names); name other columns with --map",
        ),
        "not_xlsx": Word(
            "{file} 不是可读取的 .xlsx 工作簿（{error}）", "{file} is not a readable .xlsx workbook ({error})"
        ),
        "shared_strings_unreadable": Word(
            "{file}：无法读取其中的共享字符串（XML：{error}）",
            "{file}: its shared strings cannot be read (XML: {error})",
        ),
        "text_outside_cells": Word(
            "{where}：单元格之外有超过 {size:,} 字节的文字：文件已损坏，或不是由表格软件写出的",
            "{where}: more than {size:,} bytes of text outside the cells: the file is damaged or was not written "
            "by a spreadsheet program",
        ),
        "row_too_wide": Word(
            "{where}：第 {row} 行有超过 {count:,} 个单元格，超过了表格一行能容纳的数量："
            "文件已损坏，或不是由表格软件写出的",
            "{where}: row {row} has more than {count:,} cells, the most a spreadsheet row holds: the file is damaged "
            "or was not written by a spreadsheet program",
        ),
        "sheet_unreadable": Word(
            "{file}：无法读取工作表 {sheet}（{error}）", "{file}: sheet {sheet} cannot be read ({error})"
        ),
        "csv_line": Word("{file}：{place}：{reason}", "{file}: {place}: {reason}"),
        "at_row_line": Word("第 {row} 行（文件第 {line} 行）", "row {row} (line {line})"),
        "not_csv": Word("{file}：第 {row} 行：不是有效的 CSV（{error}）", "{file}: row {row}: not valid CSV ({error})"),
        "not_utf8": Word(
            "UTF-8 文件中有不是 UTF-8 的字节{hint}；请修正文件或重新保存（CSV UTF-8）",
            "bytes that are not UTF-8 in a UTF-8 file{hint}; fix or re-save the file (CSV UTF-8)",
        ),
        "reads_as_gbk": Word(
            "（它们可以按 GBK/GB18030 读出：文件混用了两种编码）",
            " (they read as GBK/GB18030: the file mixes two encodings)",
        ),
        "nul_byte": Word(
            "含有 NUL 字节，正常文字里不会有：文件已损坏或不是 CSV 文件；{resave}",
            "a NUL byte, which no text holds: the file is damaged or is not a CSV file; {resave}",
        ),
        "neither_encoding": Word(
            "文字既不是 UTF-8，也不是 GB18030/GBK；{resave}", "text that is neither UTF-8 nor GB18030/GBK; {resave}"
        ),
        "utf8_in_gbk": Word(
            "GBK/GB18030 文件中有 UTF-8 文字（{text}）：文件混用了两种编码；{resave}",
            "text in UTF-8 in a GBK/GB18030 file ({text}): the file mixes two encodings; {resave}",
        ),
        "resave": Word(
            "请在表格软件中重新另存为 CSV UTF-8（或 .xlsx）",
            "save it again from the spreadsheet as CSV UTF-8 (or as .xlsx)",
        ),
        "not_utf16": Word("不是有效的 UTF-16（{reason}）", "not valid UTF-16 ({reason})"),
        # limits
        "time_limit": Word(
            "{where}：读取和检查这张表用时超过了 {seconds:g} 秒的上限{stopped}；可用 --time-limit SECONDS 调高",
            "{where}: reading and checking the sheet took longer than the limit of {seconds:g} s{stopped}; "
            "raise it with --time-limit SECONDS",
        ),
        "stopped_at_row": Word("（停在第 {row:,} 行）", " (stopped at row {row:,})"),
        "too_many_rows": Word(
            "{where}：第 {row:,} 行超出了表头（第 {header} 行）以下 {limit:,} 行的上限；可用 --max-rows N 调高",
            "{where}: row {row:,} is past the limit of {limit:,} rows below the header (row {header}); "
            "raise it with --max-rows N",
        ),
        "cell_too_big": Word(
            "{where}：第 {row} 行，{column}：单元格有 {size:,} 字节，超过了每格 {limit:,} 字节的上限；"
            "可用 --max-cell-bytes SIZE 调高",
            "{where}: row {row}, {column}: a cell of {size:,} bytes, over the limit of {limit:,} bytes per cell; "
            "raise it with --max-cell-bytes SIZE",
        ),
        "xlsx_cell_too_big": Word(
            "{where}：第 {row} 行，{letters} 列：单元格超过了每格 {limit:,} 字节的上限；"
            "可用 --max-cell-bytes SIZE 调高",
            "{where}: row {row}, column {letters}: a cell over the limit of {limit:,} bytes per cell; "
            "raise it with --max-cell-bytes SIZE",
        ),
        "csv_cell_too_big": Word(
            "{file}：第 {row} 行：单元格超过了每格 {limit:,} 字节的上限（或有一个没有闭合的双引号）；"
            "可用 --max-cell-bytes SIZE 调高",
            "{file}: row {row}: a cell over the limit of {limit:,} bytes per cell (or a double quote that is never "
            "closed); raise it with --max-cell-bytes SIZE",
        ),
        "shared_string_too_big": Word(
            "{file}：工作簿中有一段文字（共享字符串）超过了每格 {limit:,} 字节的上限；可用 --max-cell-bytes SIZE 调高",
            "{file}: a text in the workbook (its shared strings) is over the limit of {limit:,} bytes per cell; "
            "raise it with --max-cell-bytes SIZE",
        ),
        "line_too_long": Word(
            "有一行超过 {size:,} 字节（{cells} 格，每格上限 {cell:,} 字节）；可用 --max-cell-bytes SIZE 调高",
            "a line of more than {size:,} bytes ({cells} cells at the limit of {cell:,} bytes per cell); "
            "raise it with --max-cell-bytes SIZE",
        ),
        "xlsx_too_big": Word(
            "{file} 解压后有 {size:,} 字节，超过了单张表 {limit:,} 字节的上限；可用 --max-sheet-size SIZE 调高",
            "{file} unpacks to {size:,} bytes, over the limit of {limit:,} bytes for one sheet; "
            "raise it with --max-sheet-size SIZE",
        ),
        "csv_too_big": Word(
            "{file} 有 {size:,} 字节，超过了单张表 {limit:,} 字节的上限；可用 --max-sheet-size SIZE 调高",
            "{file} is {size:,} bytes, over the limit of {limit:,} bytes for one sheet; "
            "raise it with --max-sheet-size SIZE",
        ),
        # the command line
        "map_form": Word(
            "--map {item}：请写成 COLUMN=FIELD，或用 COLUMN= 忽略这一列",
            "--map {item}: write COLUMN=FIELD, or COLUMN= to ignore the column",
        ),
        "map_not_a_field": Word(
            "--map {item}：{target} 不是字段；可用的字段：{fields}",
            "--map {item}: {target} is not a field; fields: {fields}",
        ),
        "set_form": Word(
            "--set {item}：请写成 FIELD=VALUE，字段为其中之一：{fields}",
            "--set {item}: write FIELD=VALUE with one of the fields: {fields}",
        ),
        "set_value": Word("--set {item}：{message}", "--set {item}: {message}"),
        "set_needs_value": Word("--set {item}：请给出一个值", "--set {item}: give a value"),
        "unknown_column": Word("{header}（{letter}）", "{header} ({letter})"),
        "unknown_unnamed_column": Word(
            "{letter} 列（没有表头，但有数据）", "column {letter} (no header, but it holds data)"
        ),
        "unknown_columns": Word(
            "{where}：不认识的列：{columns}。请用 --map 'COLUMN=FIELD' 指明每列的字段，或用 --map 'COLUMN=' 忽略它。"
            "字段：{fields}",
            "{where}: unknown columns: {columns}. Name the field of each with --map 'COLUMN=FIELD', or leave it out "
            "with --map 'COLUMN='. Fields: {fields}",
        ),
        "map_unused": Word(
            "--map 指定了表中没有的列：{unused}（表中的列：{present}）",
            "--map names columns the sheet does not have: {unused} (its columns: {present})",
        ),
        "fields_missing": Word(
            "{where}：没有哪一列给出 {fields}，而每{one}都需要：请添加列（{headers}），或用 {hints} 给每一行一个值",
            "{where}: no column gives {fields}, which every {one} needs: add columns ({headers}) or give every row "
            "a value with {hints}",
        ),
        "one_customer": Word("位客户", "customer"),
        "one_interaction": Word("条沟通记录", "interaction"),
        # writing
        "appeared_meanwhile": Word(
            "{path}：写入期间出现了同名文件；保持原样，未覆盖",
            "{path}: a file of that name appeared meanwhile; it was left as it is",
        ),
        "cannot_write_file": Word("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
        "cannot_write": Word("无法写入 {path}（{reason}）", "cannot write {path} ({reason})"),
        "not_there": Word("写入后文件不在", "the file is not there after writing"),
        "not_started": Word("未开始：crm 被要求停止", "not started: crm was asked to stop"),
        "file_missing": Word("文件不在", "the file is not there"),
        "rows_not_created": Word("{count} 行未创建", "{count} row not created", en_plural="{count} rows not created"),
        "same_names_appeared": Word(
            "{rows}：写入期间出现了同名文件；请再运行一次同样的导入",
            "{rows}: files of the same names appeared while writing; run the same import again",
        ),
        "folders_unwritable": Word(
            "无法写入 {folders}：{rows}；请修复文件夹（权限、剩余空间），再运行一次同样的导入",
            "cannot write into {folders}: {rows}; fix the folder (permissions, free space), then run the same "
            "import again",
        ),
        "folder_reason": Word("{folder}（{reason}）", "{folder} ({reason})"),
        "config_unreadable": Word("无法读取 crm.yaml", "crm.yaml cannot be read"),
        # crm export
        "as_of_for_followups": Word(
            "--as-of 只用于 `crm export followups`；客户和沟通记录总是整体导出",
            "--as-of is for `crm export followups`; customers and interactions are exported whole",
        ),
        "redact_for_customers": Word(
            "--redact 只用于 `crm export customers`（唯一含联系方式的表）",
            "--redact is for `crm export customers` (the only sheet with contact details)",
        ),
        "xlsx_needs_out": Word(
            ".xlsx 工作簿是二进制文件：请用 --out FILE 指定文件（或把标准输出重定向到文件）",
            "an .xlsx workbook is binary: give --out FILE (or redirect standard output to a file)",
        ),
        "out_exists": Word(
            "{out} 已存在：请换一个 --out，或加 --force 替换它",
            "{out} exists: choose another --out, or add --force to replace it",
        ),
        "note": Word("注意：{note}", "note: {note}"),
        "line_break_in_list": Word(
            "{file}：{name}[{index}] 中有换行：再次导入时会被读成几项",
            "{file}: {name}[{index}] has a line break: a re-import reads it as separate items",
        ),
    },
)


PLAN_PROGRESS = Terms(
    "plan_progress",
    "completion status",
    {
        "active": Word(
            "计划中",
            "active",
            ("未完成", "待执行", "planned", "pending", "open", "not done", *PLAN_STATUSES.words["active"].all),
        ),
        "done": Word(EVENTS.words["done"].zh, "done", ("完成", "completed", "carried out")),
        "cancelled": PLAN_STATUSES.words["cancelled"],
    },
)
"""完成状态 of the plan table: 计划中/未完成 keep the plan current, 已取消 cancels it, 已完成 says that the
occurrence of 执行时间 was carried out (the importer writes the conversation that carried it out). Not a set of
the records: `done` is no plan status."""
PLAN_PROGRESS_NOUN = Word("完成状态", "completion status")
