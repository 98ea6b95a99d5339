"""Domain errors. Services raise these; the API turns them into the error format of DESIGN §5:
``{"code": "...", "message": "...", "errors": {field: [..]}}``."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or {}


class NotFound(DomainError):
    status = 404
    code = "not_found"

    def __init__(self, message: str = "记录不存在", **kw):
        super().__init__(message, **kw)


class Forbidden(DomainError):
    status = 403
    code = "forbidden"

    def __init__(self, message: str = "无权执行此操作", **kw):
        super().__init__(message, **kw)


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InvalidInput(DomainError):
    """A rule about the input that a schema cannot express (e.g. an unknown org)."""

    status = 422
    code = "validation_error"

    def __init__(self, field: str, message: str, **kw):
        super().__init__(message, errors={field: [message]}, **kw)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
