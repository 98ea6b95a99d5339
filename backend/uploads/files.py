"""An evidence file as an HTTP answer, the same for the API and the panel."""

from __future__ import annotations

from flask import Response


def file_response(upload, data: bytes) -> Response:
    """The stored bytes shown inline: never cached, never sniffed into another type."""
    response = Response(data, mimetype=upload.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
