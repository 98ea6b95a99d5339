"""The one paging style of every API list: keyset paging by an opaque cursor.

A list takes ``?page_size=`` (1–100, default 20) and ``?cursor=``; its body stays a JSON array and,
when there is a next page, the ``X-Next-Cursor`` response header holds the cursor to ask for it (no
header: the last page). Nothing counts rows and nothing skips with OFFSET, so page 5,000 of a
million-row queue costs what page 1 does. The cursor is signed (``backend/cases/paging.py``): a
crafted one is a 400.
"""

from __future__ import annotations

import http
from copy import deepcopy
from functools import wraps

import marshmallow as ma
from flask import current_app, request
from flask_smorest.utils import unpack_tuple_response
from webargs.flaskparser import FlaskParser

from backend.cases.paging import CURSOR_MAX_LENGTH, cursor_field, page_size_field, seek

NEXT_CURSOR_HEADER = "X-Next-Cursor"
NEXT_CURSOR_DOC = {
    "description": "下一页的 cursor（原样放进下次请求的 ?cursor=）；没有下一页时不返回此头",
    "schema": {"type": "string", "maxLength": CURSOR_MAX_LENGTH},
}
_PARSER = FlaskParser()


class CursorQuery(ma.Schema):
    """?cursor=&page_size= of every list."""

    class Meta:
        unknown = ma.EXCLUDE  # the list's own filters are parsed by its own schema

    cursor = cursor_field()
    page_size = page_size_field()


class CursorPaginationMixin:
    """``@blp.paginate()`` on a view that returns a SQLAlchemy ``select()`` (ordered as the list
    should be): the decorator runs one page of it by keyset and sets ``X-Next-Cursor``."""

    def paginate(self, pager=None):
        error_status = _PARSER.DEFAULT_VALIDATION_STATUS

        def decorator(func):
            @wraps(func)
            def wrapper(*args, **kwargs):
                page = _PARSER.parse(CursorQuery, request, location="query")
                returned = current_app.ensure_sync(func)(*args, **kwargs)
                result, status, headers = unpack_tuple_response(returned)
                rows, next_cursor = seek(result, cursor=page.get("cursor"), limit=page["page_size"])
                headers = dict(headers or {})
                if next_cursor:
                    headers[NEXT_CURSOR_HEADER] = next_cursor
                return rows, status, headers

            wrapper._apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
            wrapper._apidoc["pagination"] = {
                "parameters": {"in": "query", "schema": CursorQuery},
                "response": {
                    400: http.HTTPStatus(400).name,
                    error_status: http.HTTPStatus(error_status).name,
                },
            }
            return wrapper

        return decorator

    def _document_pagination_metadata(self, spec, resp_doc):
        resp_doc.setdefault("headers", {})[NEXT_CURSOR_HEADER] = NEXT_CURSOR_DOC


def next_cursor_header(cursor: str | None) -> dict:
    """The response header of a list paged by hand (a service that pages itself)."""
    return {NEXT_CURSOR_HEADER: cursor} if cursor else {}
