"""A table handed to the browser as a file (导出): CSV or XLSX, with the name it should be saved as."""

from __future__ import annotations

from flask import Response

FORMATS = ("csv", "xlsx")
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(body: bytes, *, fmt: str, filename: str) -> Response:
    return Response(
        body, mimetype=MIME_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def table_file(fmt: str, header: list[str], rows: list[list], *, sheet: str) -> bytes:
    """One table as CSV (UTF-8 with BOM, so Excel opens it in Chinese) or XLSX (numbers as numbers)."""
    import csv
    import io

    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    book = Workbook()
    table = book.active
    table.title = sheet
    table.append(header)
    for row in rows:
        table.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
