"""Accepting evidence: images and PDF only, recognised by their content (a renamed .exe is refused),
size-limited, never empty; stored under a random key; attached to one case; served only to people
who may see that case."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import filetype
from flask import current_app
from sqlalchemy import delete, func, select

from backend.cases.service import KINDS
from backend.common.errors import DomainError, Forbidden, InvalidInput, NotFound
from backend.common.ratelimit import hit_or_refuse
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.models import WxAccount
from backend.staff.permissions import EVIDENCE_PERMISSION, can
from backend.staff.scope import Scope
from backend.uploads.models import Upload
from backend.uploads.storage import Storage, storage_for

ALLOWED = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}
MAX_PER_CASE = 9


class UploadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UploadQuotaExceeded(DomainError):
    status = 429
    code = "upload_quota_exceeded"


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
    if account is not None:
        _within_quota(account, len(data))
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


def _within_quota(account: WxAccount, size: int) -> None:
    """Per account: a rate, a number of files waiting to be attached, and bytes a day."""
    settings = current_app.extensions["zhigong.settings"]
    hit_or_refuse(settings.upload_rate_limit, "upload", account.id, message="上传过于频繁，请稍后再试")
    pending = db.session.scalar(
        select(func.count()).where(Upload.account_id == account.id, Upload.case_id.is_(None))
    )
    if pending >= settings.upload_pending_files:
        raise UploadQuotaExceeded(
            f"还有 {pending} 个附件未随申请提交，请先提交或等待其自动清理",
            errors={"file": ["未提交的附件过多"]},
        )
    since = utcnow() - timedelta(days=1)
    stored = db.session.scalar(
        select(func.coalesce(func.sum(Upload.size), 0)).where(
            Upload.account_id == account.id, Upload.created_at >= since
        )
    )
    if stored + size > settings.upload_daily_bytes:
        limit_mb = settings.upload_daily_bytes // (1024 * 1024)
        raise UploadQuotaExceeded(
            f"今日上传已达 {limit_mb} MB 上限，请明天再试", errors={"file": ["今日上传已达上限"]}
        )


def purge_unattached(*, now: datetime | None = None, batch: int = 500) -> list[str]:
    """Delete the rows of files never attached to a request within ``upload_unattached_hours``;
    returns their storage keys, for the caller to delete once the deletion is committed."""
    hours = current_app.extensions["zhigong.settings"].upload_unattached_hours
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    stale = db.session.execute(
        select(Upload.id, Upload.storage_key)
        .where(Upload.case_id.is_(None), Upload.created_at < cutoff)
        .order_by(Upload.created_at)
        .limit(batch)
    ).all()
    if stale:
        db.session.execute(
            delete(Upload).where(Upload.id.in_([row.id for row in stale]), Upload.case_id.is_(None))
        )
    return [row.storage_key for row in stale]


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
    stmt = select(Upload).where(Upload.case_type == case_type, Upload.case_id == case_id).order_by(Upload.id)
    return list(db.session.scalars(stmt))


def for_worker(*, account: WxAccount, upload_id: int) -> tuple[Upload, bytes]:
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.account_id != account.id:
        raise NotFound("文件不存在")
    return upload, storage().read(upload.storage_key)


def for_staff(*, scope: Scope, upload_id: int) -> tuple[Upload, bytes]:
    """Staff see a file only through a case in their subtree, and only when their role handles that
    kind of case (``EVIDENCE_PERMISSION``): a lawyer or a reviewer of another kind gets a 403."""

    upload = db.session.get(Upload, upload_id)
    kind = KINDS.get(upload.case_type) if upload is not None else None
    if kind is None:
        raise NotFound("文件不存在")
    scope.get(kind.model, upload.case_id)  # 404 outside the subtree
    needed = EVIDENCE_PERMISSION.get(kind.name)
    if needed is None or not can(scope.role, needed):
        raise Forbidden("您的角色无权查看该案件的附件")
    return upload, storage().read(upload.storage_key)
