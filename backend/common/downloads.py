"""A table handed to the browser as a file (导出): CSV or XLSX, with the name it should be saved as."""

from __future__ import annotations

from flask import Response

FORMATS = ("csv", "xlsx")
MIME_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def attachment(body: bytes, *, fmt: str, filename: str) -> Response:
    # content_type, not mimetype: Flask would add a second "; charset=utf-8" to the CSV one
    disposition = f'attachment; filename="{filename}"'
    return Response(body, content_type=MIME_TYPES[fmt], headers={"Content-Disposition": disposition})
