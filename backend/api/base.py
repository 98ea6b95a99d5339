"""flask-smorest subclassed once: error format, Chinese validation messages, paging.

Every blueprint, schema and paginated list in ``backend/api`` goes through these classes, so the
conventions of DESIGN §5 live here and nowhere else.
"""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from backend.api import openapi
from backend.api.paging import CursorPaginationMixin
from backend.common.errors import DomainError
from backend.common.messages import INT64_MAX

# Chinese messages and the hostile-input guards of marshmallow's fields: backend.common.messages
# (imported by every schema module, so a domain's schemas have them whatever is imported first).

# --- error format ----------------------------------------------------------------------------------
_HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "记录不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "与现有记录冲突"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "请求体应为 JSON"),
    422: ("validation_error", "提交的信息有误，请检查后重试"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器开小差了，请稍后再试"),
    503: ("unavailable", "服务暂时不可用"),
}


def error_response(status: int, code: str, message: str, errors: dict | None = None, headers=None):
    body = {"code": code, "message": message, "errors": errors or {}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_webargs(messages: dict) -> dict:
    """webargs nests errors by location ({"json": {...}}); the contract wants them by field."""
    flat: dict = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            for name, value in errors.items():
                flat[name if name != "_schema" else "_body"] = value
        else:
            flat[location] = errors
    return flat


class ErrorOut(ma.Schema):
    """Every error answer (DESIGN §5)."""

    code = ma.fields.String(
        required=True,
        metadata={
            "description": "机器可读的错误代码，如 validation_error、not_found、forbidden、not_a_member、"
            "invalid_cursor、too_many_requests",
            "example": "validation_error",
        },
    )
    message = ma.fields.String(required=True, metadata={"description": "给用户看的中文说明"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        required=True,
        metadata={
            "description": "按字段的中文错误信息：{字段: [信息, …]}（嵌套对象的字段按层级嵌套）",
            "example": {"mobile": ["手机号格式不正确，应为11位中国大陆手机号"]},
        },
    )


class BoundedIntegerConverter(IntegerConverter):
    """``<int:id>`` up to a BIGINT: a larger id in a path is simply no such record (404)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=INT64_MAX, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class Api(_Api):
    ERROR_SCHEMA = ErrorOut

    def init_app(self, app, *, spec_kwargs=None):
        app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
        super().init_app(app, spec_kwargs=spec_kwargs)

    def _init_spec(self, *args, **kwargs):

        super()._init_spec(*args, **kwargs)
        openapi.register(self)
        # No list pages by page number: drop flask-smorest's X-Pagination header and its schema.
        self.spec.components.headers_lazy.pop("PAGINATION", None)
        self.spec.components.schemas.pop("PaginationMetadata", None)

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        code, message = _HTTP_MESSAGES.get(status, ("error", error.name))
        data = getattr(error, "data", None) or {}
        messages = data.get("messages") or {}
        if status == 400 and isinstance(messages.get("json"), list):
            # webargs could not parse the body at all.
            message = "请求体不是合法的 JSON"
            return error_response(400, "malformed_json", message, {"_body": [message]})
        errors = data.get("errors") or _flatten_webargs(messages)
        if isinstance(data.get("message"), str) and status != 422:
            message = data["message"]
        # What the exception itself says in headers: Allow on a 405, Retry-After on a 429/503 …
        skip = ("content-type", "content-length")
        headers = {k: v for k, v in error.get_headers() if k.lower() not in skip}
        headers.update(data.get("headers") or {})
        return error_response(status, code, message, errors, headers)

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(DomainError, handle_domain_error)


def handle_domain_error(error: DomainError):
    return error_response(error.status, error.code, error.message, error.errors)


class Blueprint(CursorPaginationMixin, _Blueprint):
    """Blueprint with the project's one paging style (keyset: ?cursor=&page_size=, X-Next-Cursor)."""

    def arguments(self, schema, *args, **kwargs):
        # Given a class, webargs builds a schema (deep-copying its fields) on every request; one
        # instance, made here, serves them all. The document names it after its class as before.
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(schema, *args, **kwargs)


class SelectPage:
    """What ``@blp.paginate(SelectPage)`` pages: the SQLAlchemy 2 ``select()`` the view returns,
    by keyset on its own ORDER BY (``backend/api/paging.py``)."""
