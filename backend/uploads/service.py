"""Accepting evidence: images and PDF only, recognised by their content (a renamed .exe is refused),
size-limited, never empty; stored under a random key; attached to one case; served only to people
who may see that case."""

from __future__ import annotations

import hashlib
import secrets

import filetype
from flask import current_app

from backend.common.errors import DomainError, InvalidInput, NotFound
from backend.extensions import db
from backend.members.models import WxAccount
from backend.staff.scope import Scope
from backend.uploads.models import Upload
from backend.uploads.storage import Storage, storage_for

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
MAX_PER_CASE = 9


class UploadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


def storage() -> Storage:
    store = current_app.extensions.get("zhigong.storage")
    if store is None:
        store = storage_for(current_app.extensions["zhigong.settings"])
        current_app.extensions["zhigong.storage"] = store
    return store


def max_bytes() -> int:
    return current_app.extensions["zhigong.settings"].max_upload_bytes


def accept(
    *, data: bytes, original_name: str | None, account: WxAccount | None = None, staff_id: int | None = None
) -> Upload:
    """Check and store one file; raises a 4xx with a Chinese message when it is not acceptable."""
    limit = max_bytes()
    if not data:
        raise InvalidInput("file", "文件是空的，请重新选择")
    if len(data) > limit:
        raise UploadTooLarge(
            f"文件过大，单个文件不能超过 {limit // (1024 * 1024)} MB", errors={"file": ["文件过大"]}
        )
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ALLOWED:
        raise InvalidInput("file", "只能上传 JPG、PNG、WEBP 图片或 PDF 文件")
    key = f"{secrets.token_hex(2)}/{secrets.token_hex(16)}.{ALLOWED[kind.mime]}"
    storage().save(key, data)
    upload = Upload(
        account_id=account.id if account else None,
        staff_id=staff_id,
        storage_key=key,
        content_type=kind.mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=(original_name or "")[:200] or None,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def attach(*, account: WxAccount, upload_ids: list[int], case_type: str, case_id: int) -> list[Upload]:
    """Bind the worker's own, not yet used uploads to a case (in the case's transaction)."""
    if len(upload_ids) > MAX_PER_CASE:
        raise InvalidInput("evidence_ids", f"最多上传 {MAX_PER_CASE} 个附件")
    uploads = []
    for upload_id in dict.fromkeys(upload_ids):
        upload = db.session.get(Upload, upload_id)
        if upload is None or upload.account_id != account.id or upload.case_id is not None:
            raise InvalidInput("evidence_ids", f"附件 {upload_id} 不存在或已被使用")
        upload.case_type, upload.case_id = case_type, case_id
        uploads.append(upload)
    return uploads


def of_case(case_type: str, case_id: int) -> list[Upload]:
    from sqlalchemy import select

    stmt = select(Upload).where(Upload.case_type == case_type, Upload.case_id == case_id).order_by(Upload.id)
    return list(db.session.scalars(stmt))


def for_worker(*, account: WxAccount, upload_id: int) -> tuple[Upload, bytes]:
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.account_id != account.id:
        raise NotFound("文件不存在")
    return upload, storage().read(upload.storage_key)


def for_staff(*, scope: Scope, upload_id: int) -> tuple[Upload, bytes]:
    """Staff see a file only through a case in their subtree."""
    from backend.cases.service import KINDS

    upload = db.session.get(Upload, upload_id)
    kind = KINDS.get(upload.case_type) if upload is not None else None
    if kind is None:
        raise NotFound("文件不存在")
    scope.get(kind.model, upload.case_id)  # 404 outside the subtree
    return upload, storage().read(upload.storage_key)
