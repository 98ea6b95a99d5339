"""The ``Idempotency-Key`` header on create calls (DESIGN §4)."""

from __future__ import annotations

from copy import deepcopy
from functools import wraps

from flask import Response, request
from sqlalchemy.exc import IntegrityError

from backend.api.access import principal_key
from backend.api.base import error_response
from backend.common import idempotency, unit_of_work
from backend.common.errors import DomainError
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


def _replay_if_seen(principal: str, key: str, fingerprint: str) -> Response | None:
    """The first response when ``key`` was used before, after undoing what this run wrote; None when
    it was not (and then nothing was undone)."""
    db.session.rollback()
    existing = idempotency.find(principal, key)
    if existing is None:
        return None
    if existing.status_code is None:  # a key claimed by a run that has not finished
        return error_response(409, "request_in_progress", "相同的请求正在处理中，请稍后重试")
    return _replay(existing, fingerprint)


def idempotent(view):
    """Wrap a create view (outside its smorest decorators, inside the access check).

    Without the header the call runs as usual. With it, the key is written once, with the response,
    beside the rows it guards — one statement on the way of every first call. A retry finds it only
    when it gets there: its own run is undone and the stored response replayed. That is when the
    key's unique index refuses the second row (a concurrent twin waits there until the first run
    commits), or when the retried create is refused outright (the place it took is taken — by the
    first run).
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

        try:
            response = view(*args, **kwargs)
        except DomainError as refused:
            if isinstance(refused, unit_of_work.KeepsWrites):
                raise
            replayed = _replay_if_seen(principal, key, fingerprint)
            if replayed is None:
                raise
            return replayed
        if not isinstance(response, Response):
            response = Response.force_type(response, request.environ)  # pragma: no cover
        if response.status_code >= 400:
            return _replay_if_seen(principal, key, fingerprint) or response
        try:
            idempotency.store(  # committed with the view's own rows
                principal=principal,
                key=key,
                request_hash=fingerprint,
                status_code=response.status_code,
                response_body=response.get_data(as_text=True),
            )
        except IntegrityError:
            replayed = _replay_if_seen(principal, key, fingerprint)
            if replayed is None:
                raise
            return replayed
        return response

    # In the document: the header every create call takes (flask-smorest reads ``_apidoc``).
    wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    manual["parameters"] = [*manual.get("parameters", []), IDEMPOTENCY_KEY_DOC]
    return wrapper
