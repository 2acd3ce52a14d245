"""Spreadsheet rows -> new records, or the reason each row makes none.

    read_sheet (I/O: CSV or XLSX -> header and rows) -> bind_headers (columns -> fields, --map)
    -> plan_import (rows -> drafts via crmdata.authoring.drafts, compared with the repository) -> write_plan (I/O)

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
import signal
import threading
import time
import unicodedata
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree.ElementTree import XMLPullParser
from xml.parsers import expat

from crmdata.authoring.drafts import Draft, Repository
from crmdata.authoring.writer import RecordWriteError, plain_data, record_text
from crmdata.records.dataset import AnyRecord, Dataset
from crmdata.records.load import Progress
from crmdata.records.models import Channel, Contract, Customer, Interaction, Opportunity, Plan
from crmdata.records.models.fields import day_of
from crmdata.records.names import name_key, phone_key
from crmdata.records.problem_words import RECORD_PROBLEMS
from crmdata.records.problems import Loc, Problem
from crmdata.records.record_check import check_record
from crmdata.records.vocabulary import Message
from crmdata.records.yamlread import DEFAULT_MAX_FILE_BYTES
from crmdata.sheets.sheet_words import IMPORT_PROBLEMS, SHEET_ERRORS, SaidError, listed, record_said
from crmdata.sheets.tables import (
    QUALIFICATION_PARTS,
    Cell,
    CellError,
    Column,
    Layout,
    TodoText,
    header_key,
    is_empty,
    postponement,
    read_cell,
    read_text,
    restore_formula,
)
from crmdata.system.errors import Stopped

HEADER_SEARCH_ROWS = 10
"""The header is the first of these rows that names known columns (a title row may come first)."""
WRITERS = 8
"""Threads creating files (see write_plan)."""


class SheetError(SaidError):
    """The file cannot be read as a table (format, encoding, no header row): the sentence says why."""


# --- limits ----------------------------------------------------------------------------------------

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_CELL_BYTES = 64 * 1024
DEFAULT_MAX_SHEET_BYTES = 200 * 1024 * 1024
DEFAULT_TIME_LIMIT = 120.0
MAX_ROW_CELLS = 16_384
"""Cells in one row of an .xlsx sheet: Excel's last column is XFD, the 16,384th. Not an option: a row
wider than any spreadsheet has was made to exhaust memory."""
MAX_ROW_ELEMENTS = 64 * MAX_ROW_CELLS
"""XML elements in one row (a cell is a few: c, v, is, t, rich-text runs): the same guard for rows of
something other than cells."""
LINE_CELLS = 256
"""A CSV line may be as long as this many cells of the --max-cell-bytes limit: the most read at once."""
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What `crm import` reads before it refuses a sheet; each is an option of the command, so that a
    user can raise it, and each refusal names its option.

    They bound the work and the memory of an import whatever the file holds (a zip bomb, a sheet of
    40 million rows, a 6 GB cell): a sheet is refused as soon as it is known to be over a limit, before
    the rest of it is read.
    """

    max_rows: int = DEFAULT_MAX_ROWS
    """Rows below the header (by row number, blank rows included)."""
    max_cell_bytes: int = DEFAULT_MAX_CELL_BYTES
    """UTF-8 bytes of one cell."""
    max_sheet_bytes: int = DEFAULT_MAX_SHEET_BYTES
    """A CSV file's size; an .xlsx workbook's size unpacked (as its zip directory declares it)."""
    time_limit: float = DEFAULT_TIME_LIMIT
    """Seconds for reading and checking the sheet (writing the files is not counted)."""
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    """A record file written: the reader's limit (`crm validate --max-file-size`), so that every file
    written loads."""


class LimitError(SheetError):
    """The sheet is over one of the Limits: the message names the limit and the option that raises it."""


class Deadline:
    """The moment the time limit runs out; checked once per row while reading and checking."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self, where: Where, row: int | None = None) -> None:
        if time.monotonic() > self.ends:
            stopped = SHEET_ERRORS.say("stopped_at_row", row=row) if row is not None else ""
            raise LimitError(SHEET_ERRORS.say("time_limit", where=where, seconds=self.seconds, stopped=stopped))


def _cell_bytes(value: Any, limit: int) -> int | None:
    """The size of a text cell in UTF-8 when it is over `limit`, else None (cheap for short text)."""
    if not isinstance(value, str) or len(value) * 4 <= limit:
        return None
    size = len(value.encode("utf-8", "surrogatepass"))
    return size if size > limit else None


# --- reading the file ------------------------------------------------------------------------------

Where = str | Message
"""A file's name, or `file, sheet name` (a sentence: `客户.xlsx，工作表 客户`)."""


def _in_sheet(source: str, sheet: str) -> Message:
    return SHEET_ERRORS.say("in_sheet", file=source, sheet=sheet)


@dataclass(frozen=True)
class Sheet:
    """A table as read from a file: its header row and the rows below it, with their row numbers.

    `malformed` holds rows that cannot be read as the header's columns (a CSV row with more fields than
    the header), with the reason: they are invalid rows, reported like the others. `headerless` holds
    the columns past the header's last one that hold data in some row (of an .xlsx sheet): their cells
    are not kept in `rows`, which are at most as wide as the header (a row of one cell in column XFD
    would otherwise cost 16,384 slots).
    """

    source: str
    sheet: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, Sequence[Any]]]
    malformed: dict[int, Message] = field(default_factory=dict)
    headerless: frozenset[int] = frozenset()

    @property
    def where(self) -> Where:
        return _in_sheet(self.source, self.sheet) if self.sheet else self.source


Rows = Generator[tuple[int, list[Any]], None, None]


def read_sheet(
    path: Path,
    layout: Layout,
    sheet_name: str | None,
    mapped: Iterable[str] = (),
    limits: Limits | None = None,
    deadline: Deadline | None = None,
) -> Sheet:
    """The table in a .csv or .xlsx file; the first sheet whose header names known columns, or `sheet_name`.

    `mapped` are headers given to --map: they count as known when looking for the header row. The file is
    read as a stream within `limits` (LimitError past one of them) until `deadline`.
    """
    limits = limits or Limits()
    deadline = deadline or Deadline(limits.time_limit)
    known = {header_key(name) for name in mapped}
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise SheetError(SHEET_ERRORS.say("cannot_read", path=path, reason=exc.strerror)) from None
    suffix = path.suffix.lower()
    if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(SHEET_ERRORS.say("old_excel", file=path.name))
    if magic.startswith(b"PK") or suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, layout, sheet_name, known, limits, deadline)
    if sheet_name is not None:
        raise SheetError(SHEET_ERRORS.say("sheet_for_xlsx"))
    return _read_csv(path, layout, known, limits, deadline)


def _head(
    rows: Rows, deadline: Deadline, where: Where
) -> tuple[list[tuple[int, list[Any]]], tuple[int, list[Any]] | None]:
    """The rows among the first HEADER_SEARCH_ROWS, and the first row after them (None at the end)."""
    head: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        deadline.check(where, number)
        if number > HEADER_SEARCH_ROWS:
            return head, (number, cells)
        head.append((number, cells))
    return head, None


def _find_header(head: list[tuple[int, list[Any]]], layout: Layout, known: set[str]) -> tuple[int, float] | None:
    dense: list[Sequence[Any]] = [[] for _ in range(HEADER_SEARCH_ROWS)]
    for number, cells in head:
        if 1 <= number <= HEADER_SEARCH_ROWS:  # an .xlsx row may claim any number
            dense[number - 1] = cells
    return _header_row(dense, layout, known)


def _body(
    rows: Iterable[tuple[int, list[Any]]],
    where: Where,
    header_row: int,
    headers: list[str],
    limits: Limits,
    deadline: Deadline,
    headerless: set[int] | None = None,
) -> list[tuple[int, Sequence[Any]]]:
    """The rows below the header, each checked against the limits as it is read. Given `headerless`,
    rows are cut to the header's width and the columns cut that hold data are added to it."""
    body: list[tuple[int, Sequence[Any]]] = []
    last_row = header_row + limits.max_rows
    width = len(headers)
    for number, cells in rows:
        deadline.check(where, number)
        if number > last_row:
            raise LimitError(
                SHEET_ERRORS.say("too_many_rows", where=where, row=number, limit=limits.max_rows, header=header_row)
            )
        _check_cells(where, number, cells, headers, limits)
        if headerless is not None and len(cells) > width:
            headerless.update(index for index in range(width, len(cells)) if not is_empty(cells[index]))
            cells = cells[:width]
        body.append((number, cells))
    return body


def _check_cells(where: Where, row: int, cells: Sequence[Any], headers: list[str], limits: Limits) -> None:
    for index, value in enumerate(cells):
        size = _cell_bytes(value, limits.max_cell_bytes)
        if size is not None:
            header = headers[index] if index < len(headers) else ""
            header = header if len(header) <= 40 else header[:40] + "…"  # the oversized cell may be the header
            letter = column_letter(index)
            column = (
                IMPORT_PROBLEMS.say("column_named", header=header, letter=letter)
                if header
                else IMPORT_PROBLEMS.say("column_unnamed", letter=letter)
            )
            raise LimitError(
                SHEET_ERRORS.say(
                    "cell_too_big", where=where, row=row, column=column, size=size, limit=limits.max_cell_bytes
                )
            )


def _header_cells(head: list[tuple[int, list[Any]]], header_row: int) -> list[Any]:
    return next((cells for number, cells in head if number == header_row), [])


# --- .xlsx -----------------------------------------------------------------------------------------


def _read_xlsx(
    path: Path, layout: Layout, sheet_name: str | None, known: set[str], limits: Limits, deadline: Deadline
) -> Sheet:
    """The sheet whose header row names the layout's columns best (a workbook often holds both tables:
    the record sheet also has 客户编号 and 负责人, so the first sheet naming two columns is not enough)."""
    with Workbook.open(path, limits, deadline) as workbook:
        if sheet_name is not None and sheet_name not in workbook.names:
            raise SheetError(
                SHEET_ERRORS.say("no_such_sheet", file=path.name, sheet=repr(sheet_name), sheets=listed(workbook.names))
            )
        best: tuple[float, str, int, list[Any]] | None = None
        for name in [sheet_name] if sheet_name is not None else workbook.names:
            if name not in workbook.parts:
                continue  # a chart sheet
            rows = workbook.rows(name)
            try:
                head, _ = _head(rows, deadline, _in_sheet(path.name, name))
            finally:
                rows.close()
            found = _find_header(head, layout, known)
            if found is not None and (best is None or found[1] > best[0]):
                best = (found[1], name, found[0], _header_cells(head, found[0]))
        if best is None:
            raise SheetError(_no_header_message(path.name, layout, sheet_name))
        _, name, header_row, header = best
        where = _in_sheet(path.name, name)
        headers = _headers(header)
        _check_cells(where, header_row, header, headers, limits)
        rows = workbook.rows(name)
        headerless: set[int] = set()
        try:
            below = (row for row in rows if row[0] > header_row)
            body = _body(below, where, header_row, headers, limits, deadline, headerless)
        finally:
            rows.close()
    return Sheet(path.name, name, header_row, headers, body, headerless=frozenset(headerless))


def _headers(cells: Sequence[Any]) -> list[str]:
    return [read_text(cell) if not is_empty(cell) else "" for cell in cells]


class Workbook:
    """An .xlsx workbook opened for streaming its sheets' rows in bounded memory.

    openpyxl reads the small parts (styles for dates, the list of sheets) and reads each cell of a row,
    but neither the shared strings nor the sheets as a whole: its read-only worksheets parse a whole
    sheet when they open it (to find its size), fill gaps in row numbers one empty row at a time and build
    a row's every cell before handing it over. Here the shared strings and each sheet are parsed in
    chunks of the unpacked stream (_stream_items): an element is handed over as soon as it ends and then
    dropped, a row wider than any spreadsheet and a cell over the cell limit are refused while they are
    being read. Before anything is unpacked, the sizes the zip directory declares are added up and
    checked against the limit; Python's zipfile never unpacks a member past its declared size (a lying
    header ends in a CRC error), so that check bounds the bytes read.
    """

    def __init__(self, path: Path, handle: BinaryIO, reader: Any, limits: Limits, deadline: Deadline) -> None:
        self.path = path
        self.handle = handle
        self.reader = reader
        self.limits = limits
        self.deadline = deadline
        self.names: list[str] = []
        """Every sheet, chart sheets included (for messages)."""
        self.parts: dict[str, str] = {}
        """sheet name -> its part in the zip, for the sheets that hold cells."""
        self.shared_strings = SharedStrings()

    @classmethod
    def open(cls, path: Path, limits: Limits, deadline: Deadline) -> Workbook:
        from openpyxl.reader.excel import ExcelReader  # type: ignore[import-untyped]  # 0.3 s: only when needed
        from openpyxl.styles.stylesheet import apply_stylesheet  # type: ignore[import-untyped]

        handle = path.open("rb")
        try:
            reader = ExcelReader(handle, read_only=True, data_only=True)
            unpacked = sum(info.file_size for info in reader.archive.infolist())
            if unpacked > limits.max_sheet_bytes:
                raise LimitError(
                    SHEET_ERRORS.say("xlsx_too_big", file=path.name, size=unpacked, limit=limits.max_sheet_bytes)
                )
            workbook = cls(path, handle, reader, limits, deadline)
            reader.read_manifest()
            workbook._read_shared_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            for sheet, relation in reader.parser.find_sheets():
                workbook.names.append(sheet.name)
                if relation.target in reader.valid_files and "chartsheet" not in relation.Type:
                    workbook.parts[sheet.name] = relation.target
        except SheetError:
            handle.close()
            raise
        except Exception as exc:  # zipfile, XML and openpyxl raise many kinds for a broken file
            handle.close()
            error = f"{type(exc).__name__}: {exc}"
            raise SheetError(SHEET_ERRORS.say("not_xlsx", file=path.name, error=error)) from None
        return workbook

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader.archive.close()
        self.handle.close()

    def _read_shared_strings(self) -> None:
        """The workbook's shared strings (the text of most cells), each checked against the cell limit."""
        from openpyxl.xml.constants import SHARED_STRINGS  # type: ignore[import-untyped]

        part = self.reader.package.find(SHARED_STRINGS)
        if part is None:
            return
        limit = self.limits.max_cell_bytes
        with self.reader.archive.open(part.PartName[1:]) as stream:
            try:
                where = SHEET_ERRORS.say("shared_strings_of", file=self.path.name)
                for text in _shared_texts(stream, limit, self.deadline, where):
                    if _cell_bytes(text, limit) is not None:
                        raise TooBigError(None, None)
                    self.shared_strings.append(text)
            except TooBigError:
                raise LimitError(SHEET_ERRORS.say("shared_string_too_big", file=self.path.name, limit=limit)) from None
            except expat.ExpatError as exc:
                raise SheetError(
                    SHEET_ERRORS.say("shared_strings_unreadable", file=self.path.name, error=str(exc))
                ) from None

    def rows(self, name: str) -> Rows:
        """(row number, values) of each row of the sheet that has one, in the file's order; a value per
        column up to the last non-empty one (dates as dates, as openpyxl reads them)."""
        from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser  # type: ignore[import-untyped]

        workbook = self.reader.wb
        cells = WorkSheetParser(
            None,
            self.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        where = _in_sheet(self.path.name, name)
        limit = self.limits.max_cell_bytes
        try:
            with self.reader.archive.open(self.parts[name]) as stream:
                for row in _stream_items(stream, ROW_TAG, CELL_TAG, _xml_bound(limit)):
                    number, parsed = cells.parse_row(row)
                    cells.row_dimensions.clear()  # row heights, kept by openpyxl: not needed here
                    yield number, _row_values(parsed)
        except TooBigError as exc:
            if exc.item is None:
                raise SheetError(SHEET_ERRORS.say("text_outside_cells", where=where, size=_xml_bound(limit))) from None
            number = exc.item.get("r") or str(cells.row_counter + 1)
            if exc.part is None:
                raise SheetError(
                    SHEET_ERRORS.say("row_too_wide", where=where, row=number, count=MAX_ROW_CELLS)
                ) from None
            reference = str(exc.part.get("r") or "")
            letters = reference.rstrip("0123456789") or "?"
            raise LimitError(
                SHEET_ERRORS.say("xlsx_cell_too_big", where=where, row=number, letters=letters, limit=limit)
            ) from None
        except SheetError:
            raise
        except Exception as exc:  # XML errors, a bad shared-string index, a CRC error of a lying zip header
            error = f"{type(exc).__name__}: {exc}"
            raise SheetError(
                SHEET_ERRORS.say("sheet_unreadable", file=self.path.name, sheet=repr(name), error=error)
            ) from None


class SharedStrings:
    """A workbook's shared strings as one UTF-8 buffer and the offsets where each ends.

    A list of Python strings costs some 60 bytes a string, so that 200 MB of one-letter strings would
    take a gigabyte; here each costs its bytes and 8. A string is decoded when a cell refers to it, once
    (the same object for every cell that refers to it, as a list would give).
    """

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("Q")
        self.decoded: dict[int, str] = {}

    def append(self, text: str) -> None:
        self.data += text.encode("utf-8", "surrogatepass")
        self.ends.append(len(self.data))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self.ends):
            raise IndexError(f"no shared string {index}")
        text = self.decoded.get(index)
        if text is None:
            start = self.ends[index - 1] if index else 0
            text = self.decoded[index] = self.data[start : self.ends[index]].decode("utf-8", "surrogatepass")
        return text


def _xml_bound(max_cell_bytes: int) -> int:
    """Bytes of XML a cell may take: its text escaped (`&quot;` is 6 bytes for 1), rich-text markup."""
    return 8 * max_cell_bytes + _CHUNK


class TooBigError(Exception):
    """An element of an XML stream over a bound: `item` (a row) with too many parts, or `part` (a cell)
    with too many bytes; the caller words the message."""

    def __init__(self, item: Any, part: Any) -> None:
        super().__init__()
        self.item = item
        self.part = part


def _shared_texts(stream: BinaryIO, max_chars: int, deadline: Deadline, where: Where) -> Iterator[str]:
    """The text of each shared string (<si>) of a workbook as openpyxl's Text.content reads it: its <t>,
    then each rich-text run's <t>, not the phonetic runs (<rPh>); `_x005F_` unescaped as openpyxl does.

    Read with expat's callbacks, building no tree: ten million one-letter strings take seconds, not the
    minute that a tree of them takes. A text of more than `max_chars` raises TooBigError while it is
    being read.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    open_names: list[str] = []
    pieces: list[str] = []
    texts: list[str] = []
    collecting = False
    size = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal collecting
        local = name.rpartition(" ")[2]
        collecting = local == "t" and (open_names[-1:] == ["si"] or open_names[-2:] == ["si", "r"])
        open_names.append(local)

    def end(name: str) -> None:
        nonlocal collecting, size
        collecting = False
        if open_names.pop() == "si":
            texts.append("".join(pieces).replace("x005F_", ""))
            pieces.clear()
            size = 0

    def data(text: str) -> None:
        nonlocal size
        if collecting:
            size += len(text)
            if size > max_chars:
                raise TooBigError(None, None)
            pieces.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
        yield from texts
        texts.clear()
        deadline.check(where)
    parser.Parse(b"", True)
    yield from texts


def _stream_items(stream: BinaryIO, item_tag: str, part_tag: str | None, max_part_bytes: int) -> Iterator[Any]:
    """Each complete `item_tag` element of an XML stream (a row, a shared string), parsed in chunks.

    What is handed over is dropped from the tree right after, so memory holds one item at a time. An
    item with more than MAX_ROW_CELLS `part_tag` elements (or MAX_ROW_ELEMENTS elements), a part (or,
    without `part_tag`, an item) of more than `max_part_bytes` of XML, and as many bytes of anything
    without an element starting or ending (a huge text outside the cells) raise TooBigError while they
    are being read: a 1 GB cell is refused after a few hundred kilobytes, not built.
    """
    parser: Any = XMLPullParser(events=("start", "end"))
    open_elements: list[Any] = []
    item: Any = None
    part: Any = None
    parts = elements = measured = quiet = 0
    while chunk := stream.read(_CHUNK):
        parser.feed(chunk)
        measured += len(chunk)
        quiet += len(chunk)
        for event, element in parser.read_events():
            quiet = 0
            if event == "start":
                open_elements.append(element)
                if item is None:
                    if element.tag == item_tag:
                        item, part, parts, elements, measured = element, None, 0, 0, 0
                    continue
                elements += 1
                if element.tag == part_tag:
                    part, parts, measured = element, parts + 1, 0
                if parts > MAX_ROW_CELLS or elements > MAX_ROW_ELEMENTS:
                    raise TooBigError(item, None)
                continue
            open_elements.pop()
            if element is part:
                part = None
            if element is item:
                item = None
                yield element
            if item is None and open_elements:
                open_elements[-1].remove(element)
        measuring = part if part_tag is not None else item
        if quiet > max_part_bytes or (measuring is not None and measured > max_part_bytes):
            raise TooBigError(item, part)
    parser.close()


def _row_values(cells: list[dict[str, Any]]) -> list[Any]:
    values: list[Any] = []
    for cell in cells:
        value = cell["value"]
        if value is None:
            continue
        column = int(cell["column"])
        if column > len(values):
            values.extend([None] * (column - len(values)))
        values[column - 1] = value
    return values


# --- CSV -------------------------------------------------------------------------------------------


def _read_csv(path: Path, layout: Layout, known: set[str], limits: Limits, deadline: Deadline) -> Sheet:
    """The table of a CSV file, read line by line: the file is never in memory as a whole."""
    source = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SheetError(SHEET_ERRORS.say("cannot_read", path=path, reason=exc.strerror)) from None
    if size > limits.max_sheet_bytes:
        raise LimitError(SHEET_ERRORS.say("csv_too_big", file=source, size=size, limit=limits.max_sheet_bytes))
    csv.field_size_limit(limits.max_cell_bytes)  # characters; the bytes are checked with the column
    with path.open("rb") as handle:
        lines = CsvLines(handle, limits.max_cell_bytes * LINE_CELLS)
        rows = _csv_rows(lines, source)
        try:
            head, after = _head(rows, deadline, source)
            found = _find_header(head, layout, known)
            if found is None:
                raise SheetError(_no_header_message(source, layout, None))
            header_row = found[0]
            header = _header_cells(head, header_row)
            headers = _headers(header)
            _check_cells(source, header_row, header, headers, limits)
            below = [row for row in head if row[0] > header_row] + ([after] if after else [])
            body = _body(chain(below, rows), source, header_row, headers, limits, deadline)
        finally:
            rows.close()
    malformed = _overlong_rows(body, len(headers), lines.delimiter)
    return Sheet(source=source, sheet=None, header_row=header_row, headers=headers, rows=body, malformed=malformed)


def _csv_rows(lines: CsvLines, source: str) -> Rows:
    """(record number, cells) of a CSV file; SheetError naming the row for what cannot be read."""
    number = ended = 0
    try:
        reader = csv.reader(lines, delimiter=lines.find_delimiter())
        for number, row in enumerate(reader, start=1):
            ended = lines.line
            yield number, [_unescape(cell) if cell[:1] == "'" else cell for cell in row]
    except CsvLineError as exc:
        # before the first record only blank lines were read (a row each); after it, the row just read
        # when its own (overlong) line is at fault, else the next one
        failed = exc.line if not number else number if exc.line == ended else number + 1
        place = (
            IMPORT_PROBLEMS.say("at_row", row=failed)
            if failed == exc.line
            else SHEET_ERRORS.say("at_row_line", row=failed, line=exc.line)
        )
        raise SheetError(SHEET_ERRORS.say("csv_line", file=source, place=place, reason=exc.reason)) from None
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise LimitError(
                SHEET_ERRORS.say("csv_cell_too_big", file=source, row=number + 1, limit=csv.field_size_limit())
            ) from None
        raise SheetError(SHEET_ERRORS.say("not_csv", file=source, row=number + 1, error=str(exc))) from None


def _overlong_rows(body: list[tuple[int, Sequence[Any]]], width: int, delimiter: str) -> dict[int, Message]:
    """Rows with values past the header's last column, cut to the header's width: the reason for each.

    In a CSV file that is almost always a value with an unquoted comma in it (`Acme, Inc.`), which
    splits into two fields and shifts the rest of the row."""
    malformed = {}
    what = IMPORT_PROBLEMS.say({",": "a_comma", ";": "a_semicolon", "\t": "a_tab"}[delimiter])
    example = {",": '"Acme, Inc."', ";": '"Acme; Inc."', "\t": '"Acme<TAB>Inc."'}[delimiter]
    for index, (number, cells) in enumerate(body):
        if len(cells) <= width:
            continue
        filled = [position for position, cell in enumerate(cells) if not is_empty(cell)]
        if filled and filled[-1] >= width:
            malformed[number] = IMPORT_PROBLEMS.say(
                "too_many_fields", count=filled[-1] + 1, width=width, what=what, example=example
            )
        body[index] = (number, cells[:width])
    return malformed


class CsvLineError(Exception):
    """A line of a CSV file that is not text in the file's encoding (the reader names its row)."""

    def __init__(self, line: int, reason: Message) -> None:
        super().__init__(str(reason))
        self.line = line
        self.reason = reason


_RESAVE = SHEET_ERRORS.say("resave")
_END_OF_LINE = re.compile(rb"\r\n?|\n")
_NON_ASCII = re.compile(rb"[\x80-\xff]+")


class CsvLines:
    """The lines of a CSV file as text, decoded one by one, for csv.reader.

    The encoding is UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM, or GB18030/GBK (what
    Chinese Excel saves as "CSV"); the first line that is not ASCII decides between UTF-8 and GB18030.
    Anything else is an error naming the line, never a guess: a UTF-8 file with a GBK cell, a GBK file
    with a UTF-8 cell (a value pasted from another file) and NUL bytes are refused, not read as mojibake.
    No line longer than `max_line` bytes is read at once: a longer one is handed over cut (csv's field
    limit then names the cell that is too big), and the next line asked for is an error.
    """

    def __init__(self, handle: BinaryIO, max_line: int) -> None:
        self.max_line = max_line
        self.line = 0
        self.overlong = False
        start = handle.read(4)
        handle.seek(0)
        self.encoding: str | None = None
        self.lines: Iterator[tuple[bytes | str, bool]]
        if start.startswith(codecs.BOM_UTF8):
            handle.seek(len(codecs.BOM_UTF8))
            self.encoding = "utf-8"
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.lines = _text_lines(io.TextIOWrapper(handle, encoding="utf-16", newline=""), max_line)
        else:
            self.lines = _byte_lines(handle, max_line)
        self.buffered: list[str] = []
        self.delimiter = ","

    def find_delimiter(self) -> str:
        """, or tab or ;: whichever the first line with text has most of (the lines read stay to be read)."""
        while True:
            try:
                text = self._read()
            except StopIteration:
                break
            self.buffered.append(text)
            if text.strip():
                self.delimiter = max((",", "\t", ";"), key=text.count)
                break
        return self.delimiter

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.buffered:
            return self.buffered.pop(0)
        return self._read()

    def _read(self) -> str:
        if self.overlong:
            cell = self.max_line // LINE_CELLS
            raise CsvLineError(
                self.line, SHEET_ERRORS.say("line_too_long", size=self.max_line, cells=LINE_CELLS, cell=cell)
            )
        try:
            raw, whole = next(self.lines)
        except UnicodeDecodeError as exc:
            raise CsvLineError(self.line + 1, SHEET_ERRORS.say("not_utf16", reason=exc.reason)) from None
        self.line += 1
        if not whole:
            self.overlong = True
            text = raw if isinstance(raw, str) else raw.decode(self.encoding or "utf-8", "ignore")
            return text + "\n"
        if isinstance(raw, str):
            if "\x00" in raw:
                raise CsvLineError(self.line, SHEET_ERRORS.say("nul_byte", resave=_RESAVE))
            return raw
        return self._decode(raw)

    def _decode(self, raw: bytes) -> str:
        if b"\x00" in raw:
            raise CsvLineError(self.line, SHEET_ERRORS.say("nul_byte", resave=_RESAVE))
        if raw.isascii():
            return raw.decode("ascii")
        if self.encoding is None:
            self.encoding = self._guess(raw)
        if self.encoding == "utf-8":
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                hint = SHEET_ERRORS.say("reads_as_gbk") if _is_gb18030(raw) else ""
                raise CsvLineError(self.line, SHEET_ERRORS.say("not_utf8", hint=hint)) from None
        for run in _NON_ASCII.findall(raw):
            pasted = _utf8_text(run)
            if pasted is not None:
                shown = pasted if len(pasted) <= 20 else pasted[:20] + "…"
                raise CsvLineError(self.line, SHEET_ERRORS.say("utf8_in_gbk", text=shown, resave=_RESAVE))
        if not _is_gb18030(raw):
            raise CsvLineError(self.line, SHEET_ERRORS.say("neither_encoding", resave=_RESAVE))
        return raw.decode("gb18030")

    def _guess(self, raw: bytes) -> str:
        """UTF-8 when the line is; GB18030 when it is not but reads as GB18030; else an error."""
        try:
            raw.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError as exc:
            if any(byte >= 0x80 for byte in raw[: exc.start]):  # UTF-8 text before the bad byte: damaged UTF-8
                raise CsvLineError(self.line, SHEET_ERRORS.say("not_utf8", hint="")) from None
        if not _is_gb18030(raw):
            raise CsvLineError(self.line, SHEET_ERRORS.say("neither_encoding", resave=_RESAVE))
        return "gb18030"


def _is_gb18030(raw: bytes) -> bool:
    """Text that GB18030 reads as assigned characters (not private-use or unassigned code points)."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(char) in ("Co", "Cn") for char in text)


_NOT_TEXT = frozenset(("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"))


def _utf8_text(run: bytes) -> str | None:
    """A run of non-ASCII bytes of a GB18030 line that is UTF-8 text of Chinese (three-byte characters,
    letters and punctuation): what a cell pasted from a UTF-8 file looks like. GBK text is this by chance
    only for a run of a few characters, and rarely then."""
    try:
        text = run.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if all(0x800 <= ord(char) <= 0xFFFF and unicodedata.category(char) not in _NOT_TEXT for char in text):
        return text
    return None


def _byte_lines(handle: BinaryIO, max_line: int) -> Iterator[tuple[bytes | str, bool]]:
    """The lines of a binary file, ending at CR, LF or CRLF (a byte that is never part of a UTF-8 or
    GB18030 character), each with its line end; (the first max_line + 1 bytes, False) for a longer line."""
    buffer = bytearray()
    searched = 0
    while True:
        chunk = handle.read(_CHUNK)
        buffer += chunk
        start = 0
        for match in _END_OF_LINE.finditer(buffer, max(searched - 1, 0)):
            if match.end() == len(buffer) and chunk and buffer[-1:] == b"\r":
                break  # a CR at the end of the chunk: the LF of a CRLF may be in the next one
            yield bytes(buffer[start : match.end()]), True
            start = match.end()
        del buffer[:start]
        searched = len(buffer)
        if len(buffer) > max_line:
            yield bytes(buffer[: max_line + 1]), False
            return
        if not chunk:
            if buffer:
                yield bytes(buffer), True
            return


def _text_lines(stream: io.TextIOWrapper, max_line: int) -> Iterator[tuple[bytes | str, bool]]:
    """The lines of a text stream (UTF-16), each at most max_line characters."""
    while line := stream.readline(max_line + 1):
        if len(line) > max_line and not line.endswith(("\n", "\r")):
            yield line, False
            return
        yield line, True


def _unescape(cell: str) -> str:
    """Undo the quote `crm export` puts before a formula start in CSV, so that Excel shows text, not a
    formula (the rule and its inverse: crmdata.sheets.tables.neutralise_formula and restore_formula)."""
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


def _no_header_message(source: str, layout: Layout, sheet: str | None) -> Message:
    where = SHEET_ERRORS.say("sheet_of_file", file=source, sheet=repr(sheet)) if sheet else source
    examples = listed(column.zh for column in layout.columns[:6])
    return SHEET_ERRORS.say(
        "no_header_row", where=where, kind=kind_word(layout.name), count=HEADER_SEARCH_ROWS, examples=examples
    )


def kind_word(kind: str) -> Message:
    """客户 / customers, 沟通记录 / interactions, 跟进计划 / followups: what a sheet holds."""
    return SHEET_ERRORS.say(f"kind_{kind}")


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
    def label(self) -> Message:
        header = self.header or IMPORT_PROBLEMS.say("no_header")
        return IMPORT_PROBLEMS.say("column_named", header=header, letter=column_letter(self.index))


@dataclass(frozen=True)
class Setting:
    """A --set FIELD=VALUE: the value of every row whose cell for it is empty or missing."""

    column: Column
    contact: int
    text: str
    value: Any

    @property
    def label(self) -> str:
        """`--set stage=active`, the same in every language."""
        return f"--set {self.column.target}={self.text}"


Source = Binding | Setting


class UsageError(SaidError):
    """The command line does not fit the sheet (unknown column, bad --map/--set): exit status 2."""


def parse_mapping(layout: Layout, items: Sequence[str]) -> dict[str, tuple[Column, int] | None]:
    """--map 'header=field' (or 'header=' to ignore the column) -> header key -> (column, contact) or None."""
    mapping: dict[str, tuple[Column, int] | None] = {}
    for item in items:
        header, equals, target = item.rpartition("=")
        if not equals or not header.strip():
            raise UsageError(SHEET_ERRORS.say("map_form", item=repr(item)))
        if not target.strip():
            mapping[header_key(header)] = None
            continue
        resolved = layout.resolve_target(target.strip())
        if resolved is None:
            fields = ", ".join(layout.targets())
            raise UsageError(SHEET_ERRORS.say("map_not_a_field", item=repr(item), target=target, fields=fields))
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
            raise UsageError(SHEET_ERRORS.say("set_form", item=repr(item), fields=allowed))
        column, contact = resolved
        try:
            value = read_cell(column, text, team) if not is_empty(text) else None
        except CellError as exc:
            raise UsageError(SHEET_ERRORS.say("set_value", item=item, message=exc.said)) from None
        if value is None or value == []:
            raise UsageError(SHEET_ERRORS.say("set_needs_value", item=repr(item)))
        settings.append(Setting(column, contact, text.strip(), value))
    return settings


def bind_headers(layout: Layout, sheet: Sheet, mapping: Mapping[str, tuple[Column, int] | None]) -> list[Binding]:
    """Each column of the sheet with the field it fills; UsageError for a column nobody knows.

    An unknown column is an error rather than skipped: a column of data silently left behind is how
    imports lose information. --map names it (or ignores it with COLUMN=).
    """
    bindings: list[Binding] = []
    unknown: list[Message] = []
    used_maps = set()
    width = max([len(sheet.headers), *(len(row) for _, row in sheet.rows), *(i + 1 for i in sheet.headerless)])
    for index in range(width):
        header = sheet.headers[index] if index < len(sheet.headers) else ""
        key = header_key(header) if header else ""
        if key and key in mapping:
            used_maps.add(key)
            target = mapping[key]
            bindings.append(Binding(index, header, *(target if target else (None, 1))))
            continue
        if not header:
            if index in sheet.headerless or any(index < len(row) and not is_empty(row[index]) for _, row in sheet.rows):
                unknown.append(SHEET_ERRORS.say("unknown_unnamed_column", letter=column_letter(index)))
            continue
        matched = layout.match(header)
        if matched is None:
            unknown.append(SHEET_ERRORS.say("unknown_column", header=header, letter=column_letter(index)))
            continue
        bindings.append(Binding(index, header, *matched))
    if unknown:
        fields = ", ".join(layout.targets())
        raise UsageError(SHEET_ERRORS.say("unknown_columns", where=sheet.where, columns=listed(unknown), fields=fields))
    unused = [key for key in mapping if key not in used_maps]
    if unused:
        present = listed(header for header in sheet.headers if header)
        raise UsageError(SHEET_ERRORS.say("map_unused", unused=listed(unused), present=present))
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
    if column.target in QUALIFICATION_PARTS:
        return ("qualification",)
    if column.target == "customer_name":
        return ("customer",)
    return (column.target,)


# --- rows -> fields --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row, and where: `row 5, column 客户类型 (H): ...` / `第 5 行，客户类型（H 列）：…`.

    `said` is the sentence (IMPORT_PROBLEMS, or the records layer's problem with the row's record) and
    `where` the column or --set it came from, both worded when shown (`text(language)`, `message(language)`);
    `code` is the sentence's key, stable for scripts whatever the language.
    """

    row: int
    said: Message
    where: Message | str | None = None
    column: str | None = None
    letter: str | None = None
    field: str = ""
    order: int = 10**6
    """Problems of a row are listed left to right, those without a column last."""

    @property
    def code(self) -> str:
        return self.said.key

    def message(self, language: object) -> str:
        """What is wrong, in `language`, without the place."""
        return self.said.text(language)

    def text(self, language: object) -> str:
        """`row 5, column 客户类型 (H): message` in `language`."""
        place = (
            IMPORT_PROBLEMS.say("at_row_place", row=self.row, place=self.where)
            if self.where is not None
            else IMPORT_PROBLEMS.say("at_row", row=self.row)
        )
        return IMPORT_PROBLEMS.say("located", place=place, message=self.said).text(language)


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
    carried_out: bool = False
    """A plan row marked 已完成: the occurrence of its 执行时间 was carried out (see Planner._carried_out)."""


def _problem(row: int, source: Source | None, message: Message, loc_field: str = "") -> RowProblem:
    if isinstance(source, Binding):
        return RowProblem(
            row=row,
            said=message,
            where=source.label,
            column=source.header,
            letter=column_letter(source.index),
            field=loc_field,
            order=source.index,
        )
    if isinstance(source, Setting):
        return RowProblem(row=row, said=message, where=source.label, field=loc_field)
    return RowProblem(row=row, said=message, field=loc_field)


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
                conflict = IMPORT_PROBLEMS.say(
                    "conflict", name=name, value=_display(value), other=other.label, other_value=_display(other_value)
                )
                problems.append(_problem(row, source, conflict))
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
                problems.append(_problem(row, binding, exc.said))
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
        carried_out = self._plan(row, fields, sources, problems) if self.layout.name == "plans" else False
        return Assembled(row, fields, sources, problems, failed, from_settings, self.columns, carried_out)

    def _plan(self, row: int, fields: dict[str, Any], sources: dict[Loc, Source], problems: list[RowProblem]) -> bool:
        """A plan row's 完成状态 and 备注: whether the occurrence was carried out (已完成), the status to write
        (none for an active plan: the default), and the postponement the notes give when the sheet has no
        顺延至 column (with one, the column says it: an export, re-imported, reads back exactly)."""
        progress = fields.pop("status", None)
        status_source = sources.pop(("status",), None)
        if progress == "cancelled":
            fields["status"] = progress
            if status_source is not None:
                sources[("status",)] = status_source
        notes, planned = fields.get("notes"), fields.get("date")
        if isinstance(notes, str) and isinstance(planned, date) and "postponed_to" not in self.columns:
            try:
                found = postponement(notes, planned)
            except CellError as exc:
                problems.append(_problem(row, sources.get(("notes",)), exc.said))
                return False
            if found is not None and "postponed_to" not in fields:
                fields["postponed_to"] = found
                sources[("postponed_to",)] = sources[("notes",)]
        return bool(progress == "done")

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
        nested: dict[str, dict[str, tuple[Any, Source]]] = {}
        for path, (value, source) in values.items():
            if path[0] == "contacts":
                contacts.setdefault(path[1], {})[path[2]] = (value, source)
            elif path[0] in NESTED:
                nested.setdefault(path[0], {})[path[1]] = (value, source)
            else:
                fields[path[0]] = value
                sources[(path[0],)] = source
        for position, number in enumerate(sorted(contacts)):
            parts = contacts[number]
            if "name" not in parts:
                first = min(parts.values(), key=lambda item: _order(item[1]))[1]
                problems.append(_problem(row, first, IMPORT_PROBLEMS.say("contact_needs_name")))
                failed.add(("contacts", position, "name"))
            fields.setdefault("contacts", []).append({part: value for part, (value, _) in parts.items()})
            for part, (_, source) in parts.items():
                sources[("contacts", position, part)] = source
            sources[("contacts", position)] = min((src for _, src in parts.values()), key=_order)
        for name, parts in nested.items():
            fields[name] = {part: value for part, (value, _) in parts.items()}
            for part, (_, source) in parts.items():
                sources[(name, part)] = source
            sources[(name,)] = min((src for _, src in parts.values()), key=_order)
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
                said = IMPORT_PROBLEMS.say(
                    "todo_without_due", quoted=repr(todo.task), task=todo.task, next_header=next_header
                )
                problems.append(_problem(row, source, said, f"todos[{number}]"))
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
                problems.append(_problem(row, sources[("customer",)], self.customers.not_found(given, by_id=True)))
                return
            fields["customer"] = found.id
            if name is not None and name_key(name) != name_key(found.name):
                said = IMPORT_PROBLEMS.say("not_the_customer_name", name=name, id=found.id, customer=found.name)
                problems.append(_problem(row, name_source, said))
        elif name is not None and name_source is not None:
            found = self.customers.by_name(name)
            if found is None:
                problems.append(_problem(row, name_source, self.customers.not_found(name, by_id=False)))
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
NESTED = ("consent", "qualification")
"""Fields whose parts come from columns of their own (同意日期, 有购买力 ...)."""


def _paths(column: Column, contact: int, value: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """Where a cell's value goes in the record: (path, value) pairs."""
    target = column.target
    if column.cell is Cell.TYPE_OR_TIER:
        field_name, word = value
        return [((field_name,), word)]
    if column.cell is Cell.CONTACT_INFO:
        return [(("contacts", contact, part), text) for part, text in value.items()]
    if column.per_contact:
        return [(("contacts", contact, _CONTACT_FIELD.get(target, target)), value)]
    if target.startswith("consent"):
        return [(("consent", target.partition("_")[2] or "given"), value)]
    if target in QUALIFICATION_PARTS:
        return [(("qualification", target), value)]
    return [((target,), value)]


# --- matching rows with what exists ----------------------------------------------------------------


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

    def not_found(self, given: str, by_id: bool) -> Message:
        """Why `given` (an id or a name, or a name only) names no customer: none has it, or several have that
        name (never a guess)."""
        several = self.named.get(name_key(given), [])
        if len(several) > 1:
            return IMPORT_PROBLEMS.say("several_customers_named", name=given, ids=", ".join(c.id for c in several))
        return IMPORT_PROBLEMS.say("no_customer_id_or_name" if by_id else "no_customer_name", given=given)


@dataclass(frozen=True)
class Known:
    """A record a row may repeat: in the repository (row None, with its file) or on an earlier row."""

    record: AnyRecord
    row: int | None
    path: str


def differences(given: Mapping[str, Any], existing: AnyRecord) -> list[str]:
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
    customer, day and topic, plans by customer, goal and first day, opportunities by customer and title,
    contracts by customer, title and start. Holds the repository's records and the rows drafted so far."""

    def __init__(self, layout: Layout, dataset: Dataset) -> None:
        self.keys: dict[tuple[str, ...], list[Known]] = {}
        records: Iterable[AnyRecord] = getattr(dataset, layout.name)
        for record in records:
            self.add(Known(record, None, dataset.file_of(record)))

    def _keys(self, record: AnyRecord) -> list[tuple[str, ...]]:
        if isinstance(record, Customer):
            return [("name", name_key(record.name)), *(("phone", phone) for phone in sorted(_phones(record)))]
        if isinstance(record, Plan):
            return [("plan", record.customer.lower(), name_key(record.goal), record.date.isoformat())]
        if isinstance(record, Opportunity):
            return [("deal", record.customer.lower(), name_key(record.title))]
        if isinstance(record, Contract):
            return [("contract", record.customer.lower(), name_key(record.title), record.start.isoformat())]
        return [("talk", record.customer.lower(), day_of(record.date).isoformat(), name_key(record.topic))]

    def add(self, known: Known) -> None:
        for key in self._keys(known.record):
            self.keys.setdefault(key, []).append(known)

    def find(self, record: AnyRecord) -> list[tuple[Known, Message]]:
        """Records this one may repeat, each with the reason (same name, same phone ...)."""
        found: list[tuple[Known, Message]] = []
        for key in self._keys(record):
            reason = IMPORT_PROBLEMS.say(_SAME[key[0]])
            found.extend((known, reason) for known in self.keys.get(key, []) if all(k is not known for k, _ in found))
        return found


_SAME = {
    "name": "same_name",
    "phone": "same_phone",
    "talk": "same_talk",
    "plan": "same_plan",
    "deal": "same_opportunity",
    "contract": "same_contract",
}


# --- the plan --------------------------------------------------------------------------------------


class RowStatus(StrEnum):
    """What becomes of a row."""

    CREATE = "create"
    UNCHANGED = "unchanged"
    DIFFERS = "differs"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


@dataclass
class RowOutcome:
    row: int
    status: RowStatus
    record_id: str | None = None
    path: str | None = None
    label: str = ""
    detail: str | Message = ""
    """Why a row is not created: the fields that differ (names as written), or a sentence."""
    problems: list[RowProblem] = field(default_factory=list)
    text: str | None = None
    """The file's text, for a row to create: made and checked to read back while planning, so that the
    dry run refuses what --write would (a record too big for one file, say)."""
    companions: list[Companion] = field(default_factory=list)
    """Further records the row creates with its own: the conversation that carried out a plan row's
    occurrence marked 已完成."""


@dataclass(frozen=True)
class Companion:
    """A record created along with a row's record, made and checked while planning like it."""

    record_id: str
    path: str
    label: str
    text: str


@dataclass
class ImportPlan:
    """Every row's outcome, in row order; only CREATE rows are written."""

    layout: Layout
    sheet: Sheet
    outcomes: list[RowOutcome]

    def count(self, status: RowStatus) -> int:
        return sum(outcome.status is status for outcome in self.outcomes)

    @property
    def to_create(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status is RowStatus.CREATE]

    @property
    def has_invalid(self) -> bool:
        return any(outcome.status is RowStatus.INVALID for outcome in self.outcomes)


MODELS: dict[str, type[AnyRecord]] = {
    "customers": Customer,
    "interactions": Interaction,
    "plans": Plan,
    "opportunities": Opportunity,
    "contracts": Contract,
}
"""The record type of each layout."""
REFERRING = {"customers": "referred_by", "contracts": "renews"}
"""The field by which a row may name the record of another row of the same sheet (drafted first)."""

PLACEHOLDER_ID = "new"
"""Stands in for the id a row without one will get, while the row is checked (no id is spent on an
invalid or duplicate row)."""


class Planner:
    """Turns read rows into outcomes, in an order where a referrer is drafted before the customers it referred."""

    def __init__(
        self,
        layout: Layout,
        repository: Repository,
        dataset: Dataset,
        today: date,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    ) -> None:
        self.layout = layout
        self.max_file_bytes = max_file_bytes
        self.model = MODELS[layout.name]
        self.repository = repository
        self.today = today
        records: Iterable[AnyRecord] = getattr(dataset, layout.name)
        self.existing = {record.id.lower(): Known(record, None, dataset.file_of(record)) for record in records}
        self.matcher = Matcher(layout, dataset)
        self.ids_in_sheet: dict[str, int] = {}
        self.carried_out = {interaction.plan for interaction in dataset.interactions if interaction.plan}
        """Plans some conversation carries out (its first occurrence, at least)."""
        self.referable = {
            "plan": (set(dataset.plan_by_id()), "no_plan"),
            "opportunity": (set(dataset.opportunity_by_id()), "no_opportunity"),
            "contract": (set(dataset.contract_by_id()), "no_contract"),
        }
        """What an interaction row may name, and the sentence for a name that is not there."""

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
            return RowOutcome(row.row, RowStatus.INVALID, given_id, problems=found)
        assert record is not None
        if given_id:
            earlier = self.ids_in_sheet.setdefault(given_id.lower(), row.row)
            if earlier != row.row:
                said = IMPORT_PROBLEMS.say("id_twice", id=given_id, row=earlier)
                problem = _problem(row.row, row.sources.get(("id",)), said)
                return RowOutcome(row.row, RowStatus.INVALID, given_id, problems=[problem])
            existing = self.existing.get(given_id.lower())
            if existing is not None:
                return self._compared(row, _given(record, row), existing)
        else:
            matches = self.matcher.find(record)
            if matches:
                return self._repeated(row.row, _given(record, row), matches)
        if isinstance(record, Interaction) and (missing := self._unknown_references(row, record)):
            return RowOutcome(row.row, RowStatus.INVALID, given_id, problems=missing)
        draft = self._draft(row.fields)
        made = self._made(row, draft, given_id)
        if isinstance(made, RowOutcome):
            return made
        assert draft.record is not None
        companions: list[Companion] = []
        if row.carried_out and isinstance(draft.record, Plan):
            carrying = self._carried_out(row, draft.record)
            if isinstance(carrying, RowOutcome):
                return carrying
            companions.append(carrying)
        self.matcher.add(Known(draft.record, row.row, draft.path))
        return RowOutcome(
            row.row,
            RowStatus.CREATE,
            draft.record.id,
            draft.path,
            _label(draft.record),
            text=made,
            companions=companions,
        )

    def _draft(self, fields: dict[str, Any]) -> Draft:
        if self.model is Customer:
            return self.repository.draft_customer(fields, self.today)
        if self.model is Interaction:
            return self.repository.draft_interaction(fields, self.today)
        if self.model is Plan:
            return self.repository.draft_plan(fields, self.today)
        if self.model is Opportunity:
            return self.repository.draft_opportunity(fields, self.today)
        return self.repository.draft_contract(fields, self.today)

    def _made(self, row: Assembled, draft: Draft, given_id: str | None) -> str | RowOutcome:
        """The draft's file text, or the row's outcome when the draft is invalid or cannot be written."""
        if draft.problems or draft.record is None:
            located = sorted((self._locate(row, problem) for problem in draft.problems), key=lambda p: p.order)
            return RowOutcome(row.row, RowStatus.INVALID, given_id, problems=located)
        try:
            return record_text(draft.record, draft.path, self.max_file_bytes)
        except RecordWriteError as exc:
            said = IMPORT_PROBLEMS.say("record_unwritable", reason=str(exc))  # the writer's reason, in English
            return RowOutcome(row.row, RowStatus.INVALID, given_id, problems=[_problem(row.row, None, said)])

    def _carried_out(self, row: Assembled, plan: Plan) -> Companion | RowOutcome:
        """The conversation that carried out the occurrence a plan row marks 已完成.

        A plan's progress is what conversations naming it (`plan: ID`) carried out (contract §2), so 已完成
        is written as one: on the occurrence's due day (顺延至 when later, else 执行时间), by the plan's
        owner, on its goal, channel `other` (the sheet does not say how), its summary saying where it came
        from. The plan itself stays as the row gives it: its next occurrence is then the current one.
        """
        day = plan.postponed_to if plan.postponed_to is not None and plan.postponed_to > plan.date else plan.date
        if day > self.today:
            said = IMPORT_PROBLEMS.say("done_in_future", day=day.isoformat())
            return RowOutcome(
                row.row,
                RowStatus.INVALID,
                plan.id,
                problems=[_problem(row.row, row.sources.get(("status",)) or row.columns.get("status"), said)],
            )
        summary = SHEET_ERRORS.say("carried_out_summary", row=row.row).text(self.repository.config.language)
        fields = {
            "customer": plan.customer,
            "date": day,
            "channel": Channel.OTHER.value,
            "owner": plan.owner,
            "topic": plan.goal,
            "summary": summary,
            "plan": plan.id,
        }
        draft = self.repository.draft_interaction(fields, self.today)
        made = self._made(row, draft, plan.id)
        if isinstance(made, RowOutcome):
            return made
        assert draft.record is not None
        return Companion(draft.record.id, draft.path, _label(draft.record), made)

    def _unknown_references(self, row: Assembled, record: Interaction) -> list[RowProblem]:
        """An interaction row's 计划编号, 商机编号 and 合同编号 must name records of the repository."""
        problems = []
        for name, (known, said) in self.referable.items():
            given = getattr(record, name)
            if given is not None and given not in known:
                problems.append(_problem(row.row, row.sources.get((name,)), RECORD_PROBLEMS.say(said, id=given), name))
        return problems

    def _compared(self, row: Assembled, given: dict[str, Any], existing: Known) -> RowOutcome:
        record = existing.record
        changed: list[str | Message] = list(differences(given, record))
        if row.carried_out and record.id not in self.carried_out:
            changed.append(IMPORT_PROBLEMS.say("not_carried_out"))
        label = _label(record)
        if not changed:
            already = IMPORT_PROBLEMS.say("already_imported")
            return RowOutcome(row.row, RowStatus.UNCHANGED, record.id, existing.path, label, already)
        detail = listed(changed) if any(isinstance(item, Message) for item in changed) else ", ".join(map(str, changed))
        return RowOutcome(row.row, RowStatus.DIFFERS, record.id, existing.path, label, detail)

    def _repeated(self, row: int, given: dict[str, Any], matches: list[tuple[Known, Message]]) -> RowOutcome:
        for known, _reason in matches:
            if known.row is None and not differences(given, known.record):
                record = known.record
                already = IMPORT_PROBLEMS.say("already_imported")
                return RowOutcome(row, RowStatus.UNCHANGED, record.id, known.path, _label(record), already)
        known, reason = matches[0]
        record = known.record
        detail = IMPORT_PROBLEMS.say("same_as_row", reason=reason, row=known.row) if known.row is not None else reason
        return RowOutcome(row, RowStatus.DUPLICATE, record.id, known.path, _label(record), detail)

    def _locate(self, row: Assembled, problem: Problem) -> RowProblem:
        """A model or repository problem, placed at the column (or --set) its field came from."""
        loc = problem.loc
        for length in range(len(loc), 0, -1):
            source = row.sources.get(loc[:length])
            if source is not None:
                inner = problem.field if length < len(loc) else ""
                said: Message = record_said(problem)
                if inner:
                    said = IMPORT_PROBLEMS.say("inner_field", field=inner, message=said)
                return _problem(row.row, source, said, problem.field)
        name = str(loc[0]) if loc else ""
        if problem.message.startswith("required field") and name:
            column = row.columns.get(name)
            filled = column is not None and any(source is column for source in row.sources.values())
            if len(loc) == 1 and column is not None and not filled:
                return _problem(row.row, column, IMPORT_PROBLEMS.say("required_empty", name=name), name)
            if len(loc) == 1:
                header = _header_for(self.layout, name)
                if column is not None:  # 客户类型 gave the tier (or the type), not both
                    other = "tier" if name == "type" else "type"
                    said = IMPORT_PROBLEMS.say("required_other_part", other=other, name=name, header=header)
                    return _problem(row.row, column, said, name)
                return _problem(
                    row.row, None, IMPORT_PROBLEMS.say("required_no_column", name=name, header=header), name
                )
        said = record_said(problem)
        if problem.field:
            said = IMPORT_PROBLEMS.say("inner_field", field=problem.field, message=said)
        return _problem(row.row, None, said)


def _given(record: AnyRecord, row: Assembled) -> dict[str, Any]:
    """What the row says about a record, to compare with one that exists: not its id (matched already),
    not what only --set gave (defaults for new records)."""
    return {name: value for name, value in plain_data(record).items() if name not in row.from_settings and name != "id"}


def _header_for(layout: Layout, name: str) -> str:
    for column in layout.all_columns:
        if column.target == name:
            return column.zh
    return name


def _label(record: AnyRecord) -> str:
    """What a person recognises a record by in the plan's lines."""
    if isinstance(record, Customer):
        return record.name
    if isinstance(record, Interaction):
        return f"{record.customer} {day_of(record.date)} {record.topic}"
    if isinstance(record, Plan):
        return f"{record.customer} {record.goal}"
    return f"{record.customer} {record.title}"


def plan_import(
    layout: Layout,
    sheet: Sheet,
    reader: RowReader,
    repository: Repository,
    dataset: Dataset,
    today: date,
    progress: Progress | None = None,
    limits: Limits | None = None,
    deadline: Deadline | None = None,
) -> ImportPlan:
    """What importing the sheet would do, row by row; writes nothing.

    This is all the checking there is: --write only writes the texts made here, so a dry run reports
    exactly what --write would refuse. `deadline` (the --time-limit) is checked once per row.
    """
    limits = limits or Limits()
    deadline = deadline or Deadline(limits.time_limit)
    outcomes = [
        RowOutcome(number, RowStatus.INVALID, problems=[RowProblem(number, said)])
        for number, said in sheet.malformed.items()
    ]
    rows = []
    for number, cells in sheet.rows:
        deadline.check(sheet.where, number)
        if number not in sheet.malformed and (row := reader.read(number, cells)) is not None:
            rows.append(row)
    planner = Planner(layout, repository, dataset, today, limits.max_file_bytes)
    for done, row in enumerate(_referrers_first(rows, REFERRING.get(layout.name)), start=1):
        deadline.check(sheet.where, row.row)
        outcomes.append(planner.outcome(row))
        if progress is not None and (done % 500 == 0 or done == len(rows)):
            progress("checking rows", done, len(rows))
    outcomes.sort(key=lambda outcome: outcome.row)
    return ImportPlan(layout, sheet, outcomes)


def _referrers_first(rows: list[Assembled], referring: str | None) -> list[Assembled]:
    """Rows in sheet order, except that a record named by another row of the sheet (a customer's
    `referred_by`, a contract's `renews`) comes before it: the reference must name an existing record
    when the draft is checked."""
    if referring is None:
        return rows
    row_of = {str(row.fields["id"]).lower(): row for row in rows if isinstance(row.fields.get("id"), str)}
    ordered: list[Assembled] = []
    placed: set[int] = set()

    def place(row: Assembled, seen: set[int]) -> None:
        if row.row in placed or row.row in seen:
            return
        referrer = row.fields.get(referring)
        earlier = row_of.get(referrer.lower()) if isinstance(referrer, str) else None
        if earlier is not None and earlier is not row:
            place(earlier, seen | {row.row})
        placed.add(row.row)
        ordered.append(row)

    for row in rows:
        place(row, set())
    return ordered


# --- writing ---------------------------------------------------------------------------------------


@dataclass
class WriteReport:
    """What --write did: the files written, and for each row not written, why."""

    written: list[str] = field(default_factory=list)
    failures: dict[str, Message] = field(default_factory=dict)
    """path -> why it was not written (shown on the row's line)."""
    unwritable: dict[str, str | Message] = field(default_factory=dict)
    """folder -> the system's error, for the folders that could not be written (read-only, full)."""


def write_plan(plan: ImportPlan, root: Path, create: Callable[[Path, str], None]) -> WriteReport:
    """Create the files of the rows to create, with the texts the plan made (and checked).

    A row counts as written only when its file is there afterwards. Files are created from a few
    threads: each creation waits for its fsync, and the file system commits concurrent ones together
    (10,000 files: 40 s one by one, a few seconds this way). SIGTERM while writing (crmdata.system.errors.
    Stopped) ends the run once the files in progress are finished or removed, starting none of the queued
    ones: no temporary file stays behind, and crm exits within CI's grace period.
    """
    texts = []
    for outcome in plan.to_create:
        assert outcome.path is not None and outcome.text is not None
        texts.append((outcome.path, outcome.text))
        texts += [(companion.path, companion.text) for companion in outcome.companions]
    report = WriteReport()

    def attempt(item: tuple[str, str]) -> Attempt:
        """(path, failure, the folder's error when the folder is to blame)."""
        path, text = item
        try:
            create(root / path, text)
        except FileExistsError:
            return path, SHEET_ERRORS.say("appeared_meanwhile", path=path), None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            return path, SHEET_ERRORS.say("cannot_write", path=path, reason=reason), reason
        if not (root / path).is_file():
            failure = SHEET_ERRORS.say("cannot_write", path=path, reason=SHEET_ERRORS.say("not_there"))
            return path, failure, SHEET_ERRORS.say("file_missing")
        return path, None, None

    with stops_deferred() as stops, ThreadPoolExecutor(max_workers=WRITERS) as pool:
        for path, failure, folder_error in pool.map(partial(_unless_stopped, attempt, stops), texts):
            if failure is None:
                report.written.append(path)
            elif failure is not _NOT_STARTED:
                report.failures[path] = failure
                if folder_error is not None:
                    report.unwritable.setdefault(f"{Path(path).parent.as_posix()}/", folder_error)
    return report


Attempt = tuple[str, Message | None, str | Message | None]
_NOT_STARTED = SHEET_ERRORS.say("not_started")
"""A marker, never shown: the write did not start because crm was asked to stop."""


def _unless_stopped(attempt: Callable[[tuple[str, str]], Attempt], stops: list[int], item: tuple[str, str]) -> Attempt:
    """Write one file unless a stop signal has arrived: the writes already running finish, no new one starts."""
    if stops:
        return item[0], _NOT_STARTED, None
    return attempt(item)


@contextmanager
def stops_deferred() -> Iterator[list[int]]:
    """While files are written from threads, a stop signal (SIGTERM, SIGHUP, Ctrl-C) is noted, not raised.

    Raised at once it would land in the main thread's wait for a writer thread, inside the lock code of
    concurrent.futures (CPython leaves such a lock half released: "release unlocked lock"), and the queued
    writes would still run. Noted, it lets the writers skip what has not started; afterwards the stop is
    raised as crm raises it anywhere else: Stopped (exit 128 + N), or KeyboardInterrupt for Ctrl-C.
    """
    stops: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield stops
        return
    numbers = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)]
    previous = {number: signal.signal(number, lambda number, _frame: stops.append(number)) for number in numbers}
    try:
        yield stops
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if stops:
        if stops[0] == signal.SIGINT:
            raise KeyboardInterrupt
        raise Stopped(stops[0])
