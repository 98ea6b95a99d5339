"""A table handed to the browser as a file (导出): CSV or XLSX, with the name it should be saved as.

Every export writes its cells through ``csv_bytes`` / ``append_row``: a text that a spreadsheet would
run as a formula (it begins with ``= + - @``, a tab or a carriage return — a union name chosen by a
worker, say) is neutralised with a leading apostrophe, and XLSX text cells are stored as text, never
as formulas. Numbers stay numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask import Response

FORMATS = ("csv", "xlsx")
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A text cell that starts like a formula gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    return str(value) if isinstance(value, Decimal) else neutralise(value)


def csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads the Chinese), every text cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def append_row(sheet, row: Sequence[object]) -> None:
    """``sheet.append`` for an openpyxl worksheet, with text cells neutralised and typed as text."""
    sheet.append([neutralise(v) for v in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def attachment(body: bytes, *, fmt: str, filename: str) -> Response:
    # content_type, not mimetype: Flask would add a second "; charset=utf-8" to the CSV one
    disposition = f'attachment; filename="{filename}"'
    return Response(body, content_type=MIME_TYPES[fmt], headers={"Content-Disposition": disposition})


def table_file(fmt: str, header: list[str], rows: list[list], *, sheet: str) -> bytes:
    """One table as CSV (UTF-8 with BOM, so Excel opens it in Chinese) or XLSX (numbers as numbers),
    every text cell neutralised."""
    if fmt == "csv":
        return csv_bytes([header, *rows])
    from openpyxl import Workbook  # heavy, and needed only by the few who ask for .xlsx

    book = Workbook()
    table = book.active
    table.title = sheet
    append_row(table, header)
    for row in rows:
        append_row(table, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
