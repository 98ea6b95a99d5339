"""The ``Idempotency-Key`` header on create calls (DESIGN §4)."""

from __future__ import annotations

from copy import deepcopy
from functools import wraps

from flask import Response, request
from sqlalchemy.exc import IntegrityError

from backend.api.access import principal_key
from backend.api.base import error_response
from backend.common import idempotency
from backend.extensions import db

HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
    "description": "一次用户操作一个键（如 UUID）；网络失败后重试时沿用同一个键，"
    "返回第一次的结果，不会重复创建",
}


def _replay(row: idempotency.IdempotencyKey, fingerprint: str) -> Response:
    if row.request_hash != fingerprint:
        return error_response(
            422, "idempotency_key_reused", "该 Idempotency-Key 已用于另一个不同的请求，请换一个新的键"
        )
    response = Response(row.response_body, status=row.status_code, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """Wrap a create view (outside its smorest decorators, inside the access check).

    Without the header the call runs as usual. With it: a key seen before replays the stored
    response; a new key is stored with the response in the request's own transaction.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 100:
            return error_response(
                422, "validation_error", "Idempotency-Key 过长（最多100个字符）", {HEADER: ["最多100个字符"]}
            )
        principal = principal_key()
        fingerprint = idempotency.request_fingerprint(request.method, request.path, request.get_data())

        existing = idempotency.find(principal, key)
        if existing is not None and existing.status_code is not None:
            return _replay(existing, fingerprint)

        # Claim the key first: a concurrent twin blocks here until we commit, then replays.
        row = idempotency.IdempotencyKey(principal=principal, key=key, request_hash=fingerprint)
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            existing = idempotency.find(principal, key)
            if existing is not None and existing.status_code is not None:
                return _replay(existing, fingerprint)
            return error_response(409, "request_in_progress", "相同的请求正在处理中，请稍后重试")

        response = view(*args, **kwargs)
        if not isinstance(response, Response):
            response = Response.force_type(response, request.environ)  # pragma: no cover
        if response.status_code < 400:
            row.status_code = response.status_code
            row.response_body = response.get_data(as_text=True)  # committed with the view's own rows
        return response

    # In the document: the header every create call takes (flask-smorest reads ``_apidoc``).
    wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    manual["parameters"] = [*manual.get("parameters", []), IDEMPOTENCY_KEY_DOC]
    return wrapper
