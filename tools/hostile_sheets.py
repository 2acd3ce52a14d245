"""Workbooks with a hand-made sheet XML, streamed into the zip: the hostile spreadsheets that the import-limit
tests and benchmarks/import_limits.py feed to `crm import` (a huge row or cell costs the maker no memory)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook  # type: ignore[import-untyped]

SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def xlsx_with_sheet_xml(path: Path, rows_xml: Iterable[bytes], shared: Iterable[bytes] | None = None) -> Path:
    """A real workbook (written by openpyxl) whose sheet XML gets the rows given after its header row
    (客户名称, 客户类型, 合作起始日期), streamed into the zip: a huge row costs the test no memory.
    `shared` is the XML of the shared strings (openpyxl writes none)."""
    workbook = Workbook()
    workbook.active.append(["客户名称", "客户类型", "合作起始日期"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        if shared is not None:
            with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as stream:
                for piece in shared:
                    stream.write(piece)
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and shared is not None:
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            head = head.replace(b'<dimension ref="A1:C1"/>', b"")  # as some writers do: no dimension
            with target.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(head)
                for piece in rows_xml:
                    stream.write(piece)
                stream.write(b"</sheetData>" + tail)
    return path
