"""Spreadsheet rows -> new records, or the reason each row makes none.

    read_sheet (I/O: CSV or XLSX -> header and rows) -> bind_headers (columns -> fields, --map)
    -> plan_import (rows -> drafts via crmdata.drafts, compared with the repository) -> write_plan (I/O)

Every problem names the row as the spreadsheet shows it (the header is row 1, or wherever the header
row is) and the column by its header and letter, because that is where the user will fix it. Nothing
existing is ever overwritten: a row whose record exists is compared with it ("already imported,
unchanged", or "differs", reported), a row without an id that looks like an existing customer (same
name or phone after normalisation) or conversation (same customer, day and topic) is reported as a
likely duplicate and not created. So importing the same sheet twice creates nothing the second time.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import islice
from pathlib import Path
from typing import Any

from crmdata.drafts import Draft, Repository
from crmdata.load import Dataset
from crmdata.models import Customer, Interaction
from crmdata.models.fields import day_of
from crmdata.problems import Loc, Problem
from crmdata.record_check import check_record
from crmdata.tables import (
    CONTACT_PARTS,
    Cell,
    CellError,
    Column,
    Layout,
    TodoText,
    header_key,
    is_empty,
    read_cell,
    read_text,
    restore_formula,
)
from crmdata.writer import plain_data, record_text

HEADER_SEARCH_ROWS = 10
"""The header is the first of these rows that names known columns (a title row may come first)."""
Progress = Callable[[str, int, int], None]
WRITERS = 8
"""Threads creating files (see write_plan)."""


class SheetError(Exception):
    """The file cannot be read as a table (format, encoding, no header row): the message says why."""


# --- reading the file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A table as read from a file: its header row and the rows below it, with their row numbers."""

    source: str
    sheet: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, Sequence[Any]]]

    @property
    def where(self) -> str:
        return f"{self.source}, sheet {self.sheet}" if self.sheet else self.source


def read_sheet(path: Path, layout: Layout, sheet_name: str | None, mapped: Iterable[str] = ()) -> Sheet:
    """The table in a .csv or .xlsx file; the first sheet whose header names known columns, or `sheet_name`.

    `mapped` are headers given to --map: they count as known when looking for the header row.
    """
    known = {header_key(name) for name in mapped}
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise SheetError(f"cannot read {path}: {exc.strerror}") from None
    suffix = path.suffix.lower()
    if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(f"{path.name} is an old Excel file (.xls): save it as .xlsx or as CSV UTF-8, then import that")
    if magic.startswith(b"PK") or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, layout, sheet_name, known)
    if sheet_name is not None:
        raise SheetError("--sheet is for .xlsx workbooks; a CSV file has one table")
    return _read_csv(path, layout, known)


def _read_xlsx(path: Path, layout: Layout, sheet_name: str | None, known: set[str]) -> Sheet:
    """The sheet whose header row names the layout's columns best (a workbook often holds both tables:
    the record sheet also has 客户编号 and 负责人, so the first sheet naming two columns is not enough)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # here: only import needs its 0.3 s

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a broken file
        raise SheetError(f"{path.name} is not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            raise SheetError(f"{path.name} has no sheet {sheet_name!r}; its sheets: {', '.join(workbook.sheetnames)}")
        best: tuple[float, str, int] | None = None
        for name in [sheet_name] if sheet_name is not None else workbook.sheetnames:
            worksheet = workbook[name]
            if not hasattr(worksheet, "iter_rows"):
                continue  # a chart sheet
            worksheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
            try:
                head = list(islice(worksheet.iter_rows(values_only=True), HEADER_SEARCH_ROWS))
            except Exception as exc:  # a damaged sheet part: say which file, not a traceback
                raise SheetError(f"{path.name}: sheet {name!r} cannot be read ({type(exc).__name__}: {exc})") from None
            found = _header_row(head, layout, known)
            if found is not None and (best is None or found[1] > best[0]):
                best = (found[1], name, found[0])
        if best is None:
            raise SheetError(_no_header_message(path.name, layout, sheet_name))
        _, name, header_row = best
        try:
            rows = list(enumerate(workbook[name].iter_rows(values_only=True), start=1))
        except Exception as exc:
            raise SheetError(f"{path.name}: sheet {name!r} cannot be read ({type(exc).__name__}: {exc})") from None
    finally:
        workbook.close()
    return _sheet(rows, header_row, path.name, name)


def _read_csv(path: Path, layout: Layout, known: set[str]) -> Sheet:
    text = decode_csv(path.read_bytes(), path.name)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", "\t", ";"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [
            (number, [_unescape(cell) if cell[:1] == "'" else cell for cell in row])
            for number, row in enumerate(reader, start=1)
        ]
    except csv.Error as exc:
        raise SheetError(f"{path.name} is not valid CSV ({exc})") from None
    found = _header_row([row for _, row in rows[:HEADER_SEARCH_ROWS]], layout, known)
    if found is None:
        raise SheetError(_no_header_message(path.name, layout, None))
    return _sheet(rows, found[0], path.name, None)


def decode_csv(data: bytes, source: str) -> str:
    """The text of a CSV file: UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM, or
    GB18030/GBK (what Chinese Excel saves as "CSV"). Anything else is an error, never a guess: a file
    that is UTF-8 up to a damaged byte is reported as such, not read as GBK mojibake."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SheetError(_bad_utf8(source, data, exc)) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SheetError(f"{source}: not valid UTF-16 ({exc.reason})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if any(byte >= 0x80 for byte in data[: exc.start]):  # UTF-8 text before the bad byte: damaged UTF-8
            raise SheetError(_bad_utf8(source, data, exc)) from None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if not text or any(unicodedata.category(char) in ("Co", "Cn") for char in text):
        raise SheetError(
            f"{source} is neither UTF-8 nor GB18030/GBK text: save it from the spreadsheet as "
            "'CSV UTF-8' (or as .xlsx) and import that"
        )
    return text


def _bad_utf8(source: str, data: bytes, exc: UnicodeDecodeError) -> str:
    line = data[: exc.start].count(b"\n") + 1
    return f"{source}: line {line}: bytes that are not UTF-8 in a UTF-8 file; fix or re-save the file (CSV UTF-8)"


def _unescape(cell: str) -> str:
    """Undo the quote `crm export` puts before a formula start in CSV, so that Excel shows text, not a
    formula (the rule and its inverse: crmdata.tables.neutralise_formula and restore_formula)."""
    return restore_formula(cell)


def _header_row(head: Sequence[Sequence[Any]], layout: Layout, known: set[str]) -> tuple[int, float] | None:
    """The first of the top rows that names known columns (two, or all of its cells), with the share of
    its cells that it names; None when there is none (a title row above the header is skipped)."""
    for number, row in enumerate(head, start=1):
        names = [read_text(cell) for cell in row if not is_empty(cell)]
        recognised = sum(1 for name in names if layout.match(name) is not None or header_key(name) in known)
        if names and (recognised >= 2 or recognised == len(names)):
            return number, recognised / len(names)
    return None


def _sheet(rows: Sequence[tuple[int, Sequence[Any]]], header_row: int, source: str, sheet: str | None) -> Sheet:
    """The header row (numbered from 1, as rows are) and the rows below it."""
    header = rows[header_row - 1][1]
    headers = [read_text(cell) if not is_empty(cell) else "" for cell in header]
    return Sheet(source=source, sheet=sheet, header_row=header_row, headers=headers, rows=list(rows[header_row:]))


def _no_header_message(source: str, layout: Layout, sheet: str | None) -> str:
    where = f"sheet {sheet!r} of {source}" if sheet else source
    examples = ", ".join(column.zh for column in layout.columns[:6])
    return (
        f"{where}: no header row naming the {layout.name} columns in its first {HEADER_SEARCH_ROWS} rows "
        f"(such as {examples}, or their English names); name other columns with --map"
    )


# --- columns ---------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """A, B, ..., Z, AA: the letter a spreadsheet shows above the column (index from 0)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass(frozen=True)
class Binding:
    """A column of the sheet and the field it fills (None: ignored)."""

    index: int
    header: str
    column: Column | None
    contact: int = 1

    @property
    def label(self) -> str:
        return f"column {self.header or '(no header)'} ({column_letter(self.index)})"


@dataclass(frozen=True)
class Setting:
    """A --set FIELD=VALUE: the value of every row whose cell for it is empty or missing."""

    column: Column
    contact: int
    text: str
    value: Any

    @property
    def label(self) -> str:
        return f"--set {self.column.target}={self.text}"


Source = Binding | Setting


class UsageError(Exception):
    """The command line does not fit the sheet (unknown column, bad --map/--set): exit status 2."""


def parse_mapping(layout: Layout, items: Sequence[str]) -> dict[str, tuple[Column, int] | None]:
    """--map 'header=field' (or 'header=' to ignore the column) -> header key -> (column, contact) or None."""
    mapping: dict[str, tuple[Column, int] | None] = {}
    for item in items:
        header, equals, target = item.rpartition("=")
        if not equals or not header.strip():
            raise UsageError(f"--map {item!r}: write COLUMN=FIELD, or COLUMN= to ignore the column")
        if not target.strip():
            mapping[header_key(header)] = None
            continue
        resolved = layout.resolve_target(target.strip())
        if resolved is None:
            raise UsageError(f"--map {item!r}: {target} is not a field; fields: {', '.join(layout.targets())}")
        mapping[header_key(header)] = resolved
    return mapping


def parse_settings(layout: Layout, items: Sequence[str], team: Mapping[str, str]) -> list[Setting]:
    """--set FIELD=VALUE, each value read as a cell of that column would be (--set owner=张明 works)."""
    settings = []
    for item in items:
        name, equals, text = item.partition("=")
        resolved = layout.resolve_target(name.strip()) if equals else None
        if resolved is None or resolved[0].target in ("id", "seq"):
            allowed = ", ".join(target for target in layout.targets() if target not in ("id", "seq"))
            raise UsageError(f"--set {item!r}: write FIELD=VALUE with one of the fields: {allowed}")
        column, contact = resolved
        try:
            value = read_cell(column, text, team) if not is_empty(text) else None
        except CellError as exc:
            raise UsageError(f"--set {item}: {exc}") from None
        if value is None or value == []:
            raise UsageError(f"--set {item!r}: give a value")
        settings.append(Setting(column, contact, text.strip(), value))
    return settings


def bind_headers(layout: Layout, sheet: Sheet, mapping: Mapping[str, tuple[Column, int] | None]) -> list[Binding]:
    """Each column of the sheet with the field it fills; UsageError for a column nobody knows.

    An unknown column is an error rather than skipped: a column of data silently left behind is how
    imports lose information. --map names it (or ignores it with COLUMN=).
    """
    bindings, unknown = [], []
    used_maps = set()
    width = max([len(sheet.headers), *(len(row) for _, row in sheet.rows)], default=0)
    for index in range(width):
        header = sheet.headers[index] if index < len(sheet.headers) else ""
        key = header_key(header) if header else ""
        if key and key in mapping:
            used_maps.add(key)
            target = mapping[key]
            bindings.append(Binding(index, header, *(target if target else (None, 1))))
            continue
        if not header:
            if any(index < len(row) and not is_empty(row[index]) for _, row in sheet.rows):
                unknown.append(f"column {column_letter(index)} (no header, but it holds data)")
            continue
        matched = layout.match(header)
        if matched is None:
            unknown.append(f"{header} ({column_letter(index)})")
            continue
        bindings.append(Binding(index, header, *matched))
    if unknown:
        raise UsageError(
            f"{sheet.where}: unknown columns: {', '.join(unknown)}. Name the field of each with "
            f"--map 'COLUMN=FIELD', or leave it out with --map 'COLUMN='. Fields: {', '.join(layout.targets())}"
        )
    unused = [key for key in mapping if key not in used_maps]
    if unused:
        present = ", ".join(header for header in sheet.headers if header)
        raise UsageError(f"--map names columns the sheet does not have: {', '.join(unused)} (its columns: {present})")
    return bindings


def missing_fields(layout: Layout, bindings: Sequence[Binding], settings: Sequence[Setting]) -> list[str]:
    """Required fields that no column and no --set gives: one message for the sheet, not one per row."""
    given: set[str] = set()
    for column in [b.column for b in bindings if b.column is not None] + [s.column for s in settings]:
        given.update(_fields_of(column))
    return [name for name in layout.required if name not in given]


def _fields_of(column: Column) -> tuple[str, ...]:
    if column.cell is Cell.TYPE_OR_TIER:
        return ("type", "tier")
    if column.per_contact:
        return ("contacts",)
    if column.target.startswith("consent"):
        return ("consent",)
    if column.target == "customer_name":
        return ("customer",)
    return (column.target,)


# --- rows -> fields --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row, and where: `row 5, column 客户类型 (H): ...`."""

    row: int
    message: str
    where: str | None = None
    column: str | None = None
    letter: str | None = None
    field: str = ""
    order: int = 10**6
    """Problems of a row are listed left to right, those without a column last."""

    def text(self) -> str:
        place = f"row {self.row}, {self.where}" if self.where else f"row {self.row}"
        return f"{place}: {self.message}"


@dataclass
class Assembled:
    """A row read into record fields, with the source (column or --set) of every value."""

    row: int
    fields: dict[str, Any]
    sources: dict[Loc, Source]
    problems: list[RowProblem]
    failed: set[Loc]
    """Where a cell could not be read (or a contact has no name): the model's "missing" there would only
    repeat what the row's problems already say."""
    from_settings: set[str]
    """Fields that only --set gave: defaults, left out when comparing with an existing record."""
    columns: dict[str, Binding]
    """field -> a column of the sheet that holds it (to name the empty cell of a missing field)."""


def _problem(row: int, source: Source | None, message: str, loc_field: str = "") -> RowProblem:
    if isinstance(source, Binding):
        return RowProblem(
            row=row,
            message=message,
            where=source.label,
            column=source.header,
            letter=column_letter(source.index),
            field=loc_field,
            order=source.index,
        )
    if isinstance(source, Setting):
        return RowProblem(row=row, message=message, where=source.label, field=loc_field)
    return RowProblem(row=row, message=message, field=loc_field)


class RowReader:
    """Reads rows of one sheet into record fields: cells, --set defaults, contacts, todos, customer names."""

    def __init__(
        self,
        layout: Layout,
        bindings: Sequence[Binding],
        settings: Sequence[Setting],
        team: Mapping[str, str],
        customers: CustomerIndex | None = None,
    ) -> None:
        self.layout = layout
        self.bindings = [b for b in bindings if b.column is not None and b.column.cell is not Cell.SEQ]
        self.settings = settings
        self.team = team
        self.customers = customers
        self.columns: dict[str, Binding] = {}
        for binding in self.bindings:
            assert binding.column is not None
            for name in _fields_of(binding.column):
                self.columns.setdefault(name, binding)

    def read(self, row: int, cells: Sequence[Any]) -> Assembled | None:
        """The row's fields; None for a blank row (every cell empty, or only its 序号 filled)."""
        values: dict[tuple[Any, ...], tuple[Any, Source]] = {}
        problems: list[RowProblem] = []
        failed: set[Loc] = set()

        def put(path: tuple[Any, ...], value: Any, source: Source) -> None:
            if path in values and values[path][0] != value:
                other_value, other = values[path]
                name = ".".join(str(part) for part in path if not isinstance(part, int))
                problems.append(
                    _problem(
                        row, source, f"{name} is {_display(value)} here, but {other.label} says {_display(other_value)}"
                    )
                )
                return
            values.setdefault(path, (value, source))

        for binding in self.bindings:
            raw = cells[binding.index] if binding.index < len(cells) else None
            if is_empty(raw):
                continue
            assert binding.column is not None
            try:
                value = read_cell(binding.column, raw, self.team)
            except CellError as exc:
                problems.append(_problem(row, binding, str(exc)))
                failed.update((name,) for name in _fields_of(binding.column))
                continue
            for path, part in _paths(binding.column, binding.contact, value):
                put(path, part, binding)
        if not values and not problems:
            return None
        sheet_paths = set(values)
        for setting in self.settings:
            for path, part in _paths(setting.column, setting.contact, setting.value):
                if path not in sheet_paths:
                    put(path, part, setting)
        fields, sources = self._fields(row, values, problems, failed)
        from_sheet = {path[0] for path in sheet_paths}
        from_settings = {path[0] for path in values if path[0] not in from_sheet}
        return Assembled(row, fields, sources, problems, failed, from_settings, self.columns)

    def _fields(
        self,
        row: int,
        values: dict[tuple[Any, ...], tuple[Any, Source]],
        problems: list[RowProblem],
        failed: set[Loc],
    ) -> tuple[dict[str, Any], dict[Loc, Source]]:
        fields: dict[str, Any] = {}
        sources: dict[Loc, Source] = {}
        contacts: dict[int, dict[str, tuple[Any, Source]]] = {}
        consent: dict[str, tuple[Any, Source]] = {}
        for path, (value, source) in values.items():
            if path[0] == "contacts":
                contacts.setdefault(path[1], {})[path[2]] = (value, source)
            elif path[0] == "consent":
                consent[path[1]] = (value, source)
            else:
                fields[path[0]] = value
                sources[(path[0],)] = source
        for position, number in enumerate(sorted(contacts)):
            parts = contacts[number]
            if "name" not in parts:
                first = min(parts.values(), key=lambda item: _order(item[1]))[1]
                problems.append(_problem(row, first, "a contact needs a name: fill in the contact's name (联系人) too"))
                failed.add(("contacts", position, "name"))
            fields.setdefault("contacts", []).append({part: value for part, (value, _) in parts.items()})
            for part, (_, source) in parts.items():
                sources[("contacts", position, part)] = source
            sources[("contacts", position)] = min((src for _, src in parts.values()), key=_order)
        if consent:
            fields["consent"] = {part: value for part, (value, _) in consent.items()}
            for part, (_, source) in consent.items():
                sources[("consent", part)] = source
            sources[("consent",)] = min((src for _, src in consent.values()), key=_order)
        if "todos" in fields:
            fields["todos"] = self._todos(row, fields, sources, problems)
        if self.customers is not None:
            self._customer(row, fields, sources, problems)
        return fields, sources

    def _todos(
        self, row: int, fields: dict[str, Any], sources: dict[Loc, Source], problems: list[RowProblem]
    ) -> list[dict[str, Any]]:
        source = sources[("todos",)]
        fallback = fields.get("next_followup")
        todos = []
        for number, todo in enumerate(fields["todos"]):
            assert isinstance(todo, TodoText)
            due = todo.due or fallback
            if due is None:
                next_header = (
                    self.columns["next_followup"].header if "next_followup" in self.columns else "下次跟进时间"
                )
                problems.append(
                    _problem(
                        row,
                        source,
                        f"todo {todo.task!r} has no due date: write one in the cell "
                        f"({todo.task}（2024-03-01前）) or fill in {next_header}",
                        f"todos[{number}]",
                    )
                )
                continue
            entry: dict[str, Any] = {"task": todo.task, "due": due}
            if todo.owner is not None:
                entry["owner"] = todo.owner
            if todo.done is not None:
                entry["done"] = todo.done
            todos.append(entry)
        return todos

    def _customer(
        self, row: int, fields: dict[str, Any], sources: dict[Loc, Source], problems: list[RowProblem]
    ) -> None:
        """An interaction's customer: its id (any case), or its name when the id cell holds one or is empty."""
        assert self.customers is not None
        name = fields.pop("customer_name", None)
        name_source = sources.pop(("customer_name",), None)
        given = fields.get("customer")
        if given is not None:
            found = self.customers.resolve(given)
            if found is None:
                problems.append(_problem(row, sources[("customer",)], self.customers.not_found(given, "id or name")))
                return
            fields["customer"] = found.id
            if name is not None and name_key(name) != name_key(found.name):
                problems.append(
                    _problem(row, name_source, f"{name} is not the name of customer {found.id} ({found.name})")
                )
        elif name is not None and name_source is not None:
            found = self.customers.by_name(name)
            if found is None:
                problems.append(_problem(row, name_source, self.customers.not_found(name, "name")))
                return
            fields["customer"] = found.id
            sources[("customer",)] = name_source


def _order(source: Source) -> int:
    return source.index if isinstance(source, Binding) else 10**6


def _display(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_CONTACT_FIELD = {"contact": "name"}


def _paths(column: Column, contact: int, value: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """Where a cell's value goes in the record: (path, value) pairs."""
    target = column.target
    if column.cell is Cell.TYPE_OR_TIER:
        field_name, word = value
        return [((field_name,), word)]
    if column.cell is Cell.CONTACT_INFO:
        return [(("contacts", contact, part), text) for part, text in value.items()]
    if target in CONTACT_PARTS:
        return [(("contacts", contact, _CONTACT_FIELD.get(target, target)), value)]
    if target.startswith("consent"):
        return [(("consent", target.partition("_")[2] or "given"), value)]
    return [((target,), value)]


# --- matching rows with what exists ----------------------------------------------------------------

_ENGLISH_LEGAL_FORM = re.compile(
    r"(?:^|[\s,.])(?:co\.?\s*,?\s*ltd|ltd|limited|inc|incorporated|corp|corporation|co|llc|gmbh|company)\.?\s*$"
)
_CHINESE_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "公司")


def name_key(name: str) -> str:
    """A name as compared for duplicates: NFKC, case, spaces, punctuation and the legal form left out
    (华星科技有限公司 = 华星科技 = 华星科技(有限公司); Acme, Inc. = ACME)."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    text = _ENGLISH_LEGAL_FORM.sub("", text) or text
    text = "".join(char for char in text if unicodedata.category(char)[0] not in "PSZ")
    stripped = True
    while stripped:  # 某某公司有限公司 -> 某某公司 -> 某某
        stripped = False
        for suffix in _CHINESE_LEGAL_FORMS:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[: -len(suffix)], True
                break
    return text


def phone_key(phone: str) -> str | None:
    """A phone number as compared: digits only, without +86 / 0086 and the trunk 0; None if too short."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and (phone.strip().startswith("+") or len(digits) == 13):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else None


def _phones(customer: Customer) -> set[str]:
    return {key for contact in customer.contacts if contact.phone for key in [phone_key(contact.phone)] if key}


class CustomerIndex:
    """The repository's customers by id (any case) and by normalised name, for interaction rows."""

    def __init__(self, customers: Iterable[Customer]) -> None:
        self.by_id: dict[str, Customer] = {}
        self.named: dict[str, list[Customer]] = {}
        for customer in customers:
            self.by_id[customer.id.lower()] = customer
            self.named.setdefault(name_key(customer.name), []).append(customer)

    def by_name(self, name: str) -> Customer | None:
        found = self.named.get(name_key(name), [])
        return found[0] if len(found) == 1 else None

    def resolve(self, given: str) -> Customer | None:
        return self.by_id.get(given.lower()) or self.by_name(given)

    def not_found(self, given: str, what: str) -> str:
        """Why `given` names no customer: none has it, or several have that name (never a guess)."""
        several = self.named.get(name_key(given), [])
        if len(several) > 1:
            return f"several customers are named {given} ({', '.join(c.id for c in several)}): write the id"
        return f"no customer has the {what} {given}"


@dataclass(frozen=True)
class Known:
    """A record a row may repeat: in the repository (row None, with its file) or on an earlier row."""

    record: Customer | Interaction
    row: int | None
    path: str


def differences(given: Mapping[str, Any], existing: Customer | Interaction) -> list[str]:
    """Fields whose value in the row is not the record's; fields the row leaves empty say nothing.

    A sheet with one contact agrees with a record that has more (the sheet only knows the first).
    """
    current = existing.model_dump()
    return [name for name, value in given.items() if not _agrees(value, current.get(name), name)]


def _agrees(given: Any, existing: Any, name: str | None = None) -> bool:
    if isinstance(given, dict):
        return isinstance(existing, dict) and all(_agrees(v, existing.get(k)) for k, v in given.items())
    if isinstance(given, list):
        if not isinstance(existing, list):
            return False
        if len(given) > len(existing) or (name != "contacts" and len(given) != len(existing)):
            return False
        return all(_agrees(g, e) for g, e in zip(given, existing, strict=False))
    return bool(given == existing)


class Matcher:
    """Finds the record a row without an id repeats: customers by name or phone, interactions by
    customer, day and topic. Holds the repository's records and the rows drafted so far."""

    def __init__(self, layout: Layout, dataset: Dataset) -> None:
        self.customers = layout.name == "customers"
        self.keys: dict[tuple[str, ...], list[Known]] = {}
        records: Iterable[Customer | Interaction] = dataset.customers if self.customers else dataset.interactions
        for record in records:
            self.add(Known(record, None, dataset.file_of(record)))

    def _keys(self, record: Customer | Interaction) -> list[tuple[str, ...]]:
        if isinstance(record, Customer):
            return [("name", name_key(record.name)), *(("phone", phone) for phone in sorted(_phones(record)))]
        return [("talk", record.customer.lower(), day_of(record.date).isoformat(), name_key(record.topic))]

    def add(self, known: Known) -> None:
        for key in self._keys(known.record):
            self.keys.setdefault(key, []).append(known)

    def find(self, record: Customer | Interaction) -> list[tuple[Known, str]]:
        """Records this one may repeat, each with the reason (same name, same phone ...)."""
        found: list[tuple[Known, str]] = []
        for key in self._keys(record):
            reason = {"name": "same name", "phone": "same phone", "talk": "same customer, date and topic"}[key[0]]
            found.extend((known, reason) for known in self.keys.get(key, []) if all(k is not known for k, _ in found))
        return found


# --- the plan --------------------------------------------------------------------------------------


class Status(StrEnum):
    """What becomes of a row."""

    CREATE = "create"
    UNCHANGED = "unchanged"
    DIFFERS = "differs"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


@dataclass
class RowOutcome:
    row: int
    status: Status
    record_id: str | None = None
    path: str | None = None
    label: str = ""
    detail: str = ""
    problems: list[RowProblem] = field(default_factory=list)
    draft: Draft | None = None


@dataclass
class ImportPlan:
    """Every row's outcome, in row order; only CREATE rows are written."""

    layout: Layout
    sheet: Sheet
    outcomes: list[RowOutcome]

    def count(self, status: Status) -> int:
        return sum(outcome.status is status for outcome in self.outcomes)

    @property
    def to_create(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status is Status.CREATE]

    @property
    def has_invalid(self) -> bool:
        return any(outcome.status is Status.INVALID for outcome in self.outcomes)


PLACEHOLDER_ID = "new"
"""Stands in for the id a row without one will get, while the row is checked (no id is spent on an
invalid or duplicate row)."""


class Planner:
    """Turns read rows into outcomes, in an order where a referrer is drafted before the customers it referred."""

    def __init__(self, layout: Layout, repository: Repository, dataset: Dataset, today: date) -> None:
        self.layout = layout
        self.model: type[Customer] | type[Interaction] = Customer if layout.name == "customers" else Interaction
        self.repository = repository
        self.today = today
        records: Iterable[Customer | Interaction] = (
            dataset.customers if layout.name == "customers" else dataset.interactions
        )
        self.existing = {record.id.lower(): Known(record, None, dataset.file_of(record)) for record in records}
        self.matcher = Matcher(layout, dataset)
        self.ids_in_sheet: dict[str, int] = {}

    def outcome(self, row: Assembled) -> RowOutcome:
        given_id = row.fields.get("id")
        data = {**row.fields, "id": given_id or PLACEHOLDER_ID}
        record, problems = check_record(self.model, data, "", dict)
        found = row.problems + [
            self._locate(row, problem)
            for problem in problems
            if not any(problem.loc[:length] in row.failed for length in range(1, len(problem.loc) + 1))
        ]
        if found:
            found.sort(key=lambda problem: problem.order)
            return RowOutcome(row.row, Status.INVALID, given_id, problems=found)
        assert record is not None
        if given_id:
            earlier = self.ids_in_sheet.setdefault(given_id.lower(), row.row)
            if earlier != row.row:
                problem = _problem(row.row, row.sources.get(("id",)), f"the id {given_id} is also on row {earlier}")
                return RowOutcome(row.row, Status.INVALID, given_id, problems=[problem])
            existing = self.existing.get(given_id.lower())
            if existing is not None:
                return self._compared(row.row, _given(record, row), existing)
        else:
            matches = self.matcher.find(record)
            if matches:
                return self._repeated(row.row, _given(record, row), matches)
        draft = (
            self.repository.draft_customer(row.fields, self.today)
            if self.model is Customer
            else self.repository.draft_interaction(row.fields, self.today)
        )
        if draft.problems or draft.record is None:
            located = sorted((self._locate(row, problem) for problem in draft.problems), key=lambda p: p.order)
            return RowOutcome(row.row, Status.INVALID, given_id, problems=located)
        self.matcher.add(Known(draft.record, row.row, draft.path))
        return RowOutcome(row.row, Status.CREATE, draft.record.id, draft.path, _label(draft.record), draft=draft)

    def _compared(self, row: int, given: dict[str, Any], existing: Known) -> RowOutcome:
        record = existing.record
        changed = differences(given, record)
        if not changed:
            return RowOutcome(row, Status.UNCHANGED, record.id, existing.path, _label(record), "already imported")
        return RowOutcome(row, Status.DIFFERS, record.id, existing.path, _label(record), ", ".join(changed))

    def _repeated(self, row: int, given: dict[str, Any], matches: list[tuple[Known, str]]) -> RowOutcome:
        for known, _reason in matches:
            if known.row is None and not differences(given, known.record):
                record = known.record
                return RowOutcome(row, Status.UNCHANGED, record.id, known.path, _label(record), "already imported")
        known, reason = matches[0]
        record = known.record
        detail = f"{reason} as row {known.row}" if known.row is not None else reason
        return RowOutcome(row, Status.DUPLICATE, record.id, known.path, _label(record), detail)

    def _locate(self, row: Assembled, problem: Problem) -> RowProblem:
        """A model or repository problem, placed at the column (or --set) its field came from."""
        loc = problem.loc
        for length in range(len(loc), 0, -1):
            source = row.sources.get(loc[:length])
            if source is not None:
                inner = problem.field if length < len(loc) else ""
                message = f"{inner}: {problem.message}" if inner else problem.message
                return _problem(row.row, source, message, problem.field)
        name = str(loc[0]) if loc else ""
        if problem.message.startswith("required field") and name:
            column = row.columns.get(name)
            filled = column is not None and any(source is column for source in row.sources.values())
            if len(loc) == 1 and column is not None and not filled:
                return _problem(row.row, column, f"empty, but {name} is required", name)
            if len(loc) == 1:
                header = _header_for(self.layout, name)
                add = f"add a column ({header}) or --set {name}=VALUE"
                if column is not None:  # 客户类型 gave the tier (or the type), not both
                    other = "tier" if name == "type" else "type"
                    return _problem(row.row, column, f"gave the {other}; {name} is required too: {add}", name)
                return _problem(row.row, None, f"{name} is required, and no column gives it: {add}", name)
        return _problem(row.row, None, f"{problem.field}: {problem.message}" if problem.field else problem.message)


def _given(record: Customer | Interaction, row: Assembled) -> dict[str, Any]:
    """What the row says about a record, to compare with one that exists: not its id (matched already),
    not what only --set gave (defaults for new records)."""
    return {name: value for name, value in plain_data(record).items() if name not in row.from_settings and name != "id"}


def _header_for(layout: Layout, name: str) -> str:
    for column in layout.all_columns:
        if column.target == name:
            return column.zh
    return name


def _label(record: Customer | Interaction) -> str:
    return record.name if isinstance(record, Customer) else f"{record.customer} {day_of(record.date)} {record.topic}"


def plan_import(
    layout: Layout,
    sheet: Sheet,
    reader: RowReader,
    repository: Repository,
    dataset: Dataset,
    today: date,
    progress: Progress | None = None,
) -> ImportPlan:
    """What importing the sheet would do, row by row; writes nothing."""
    rows = [row for row in (reader.read(number, cells) for number, cells in sheet.rows) if row is not None]
    planner = Planner(layout, repository, dataset, today)
    outcomes = []
    for done, row in enumerate(_referrers_first(rows), start=1):
        outcomes.append(planner.outcome(row))
        if progress is not None and (done % 500 == 0 or done == len(rows)):
            progress("checking rows", done, len(rows))
    outcomes.sort(key=lambda outcome: outcome.row)
    return ImportPlan(layout, sheet, outcomes)


def _referrers_first(rows: list[Assembled]) -> list[Assembled]:
    """Rows in sheet order, except that a customer referred by another row of the sheet comes after it:
    `referred_by` must name an existing customer when the draft is checked."""
    row_of = {str(row.fields["id"]).lower(): row for row in rows if isinstance(row.fields.get("id"), str)}
    ordered: list[Assembled] = []
    placed: set[int] = set()

    def place(row: Assembled, seen: set[int]) -> None:
        if row.row in placed or row.row in seen:
            return
        referrer = row.fields.get("referred_by")
        earlier = row_of.get(referrer.lower()) if isinstance(referrer, str) else None
        if earlier is not None and earlier is not row:
            place(earlier, seen | {row.row})
        placed.add(row.row)
        ordered.append(row)

    for row in rows:
        place(row, set())
    return ordered


# --- writing ---------------------------------------------------------------------------------------


def write_plan(plan: ImportPlan, root: Path, create: Callable[[Path, str], None]) -> tuple[list[str], list[str]]:
    """Create the files of the rows to create; (paths written, failures). Every text is made (and checked
    to read back) before the first file is written.

    Files are created from a few threads: each creation waits for its fsync, and the file system
    commits concurrent ones together (10,000 files: 40 s one by one, a few seconds this way).
    """
    texts = []
    for outcome in plan.to_create:
        assert outcome.draft is not None and outcome.draft.record is not None
        texts.append((outcome.draft.path, record_text(outcome.draft.record, outcome.draft.path)))

    def attempt(item: tuple[str, str]) -> str | None:
        path, text = item
        try:
            create(root / path, text)
        except FileExistsError:
            return f"{path}: a file of that name appeared meanwhile; it was left as it is"
        except OSError as exc:
            return f"{path}: cannot write ({exc.strerror})"
        return None

    written, failures = [], []
    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for (path, _), failure in zip(texts, pool.map(attempt, texts), strict=True):
            if failure is None:
                written.append(path)
            else:
                failures.append(failure)
    return written, failures
