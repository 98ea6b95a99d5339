"""Membership schemas: what applying accepts (``Applicant``, loaded and checked by ``ApplicationIn``),
the application and the transfer — one ``ApplicationSchema`` and one ``TransferSchema`` with their
views per role — and the member record."""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma

from backend.cases.queue import queue_query
from backend.common.fields import IdNumber, LocalDateTime, MaskedIdNumber, MaskedPhone, Mobile, Text, one_of
from backend.common.schema import Schema
from backend.members.models import REVIEW_STATUS_LABELS, WORKER_TYPE_LABELS, ReviewStatus, WorkerType
from backend.orgs.schemas import OrgBrief


class MemberSchema(Schema):
    """A member as the member (or staff) sees it: ID number and phone always masked."""

    id = ma.fields.Integer()
    card_no = ma.fields.String()
    name = ma.fields.String()
    gender = ma.fields.String()
    id_number = MaskedIdNumber()
    mobile = MaskedPhone()
    employer = ma.fields.String()
    worker_type = ma.fields.String()
    status = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)
    joined_at = LocalDateTime()


_GENDERS = {"male": "男", "female": "女"}


@dataclass(frozen=True)
class Applicant:
    """个人入会: a real-name application as the service takes it, each field already checked."""

    name: str
    id_number: str
    mobile: str
    gender: str
    employer: str
    worker_type: str
    org_id: int
    consent: bool
    consent_version: str


class ApplicationIn(Schema):
    name = Text(required=True, max_length=50, metadata={"description": "真实姓名"})
    id_number = IdNumber(required=True, metadata={"description": "18位居民身份证号"})
    mobile = Mobile(required=True)
    gender = ma.fields.String(required=True, validate=one_of(_GENDERS, _GENDERS))
    employer = Text(required=True, max_length=100, metadata={"description": "工作单位"})
    worker_type = ma.fields.String(required=True, validate=one_of(list(WorkerType), WORKER_TYPE_LABELS))
    org_id = ma.fields.Integer(required=True, metadata={"description": "申请加入的基层工会"})
    consent = ma.fields.Boolean(required=True, metadata={"description": "已阅读并同意隐私政策"})
    consent_version = Text(required=True, max_length=20)

    @ma.validates("consent")
    def _must_consent(self, value, **_):
        if value is not True:
            raise ma.ValidationError("请阅读并同意《隐私政策》后再提交")

    @ma.post_load
    def _applicant(self, data, **_) -> Applicant:
        return Applicant(**data)


class ApplicationSchema(Schema):
    """入会申请 — a real-name application, every field once: the ID number and phone masked on the
    field, so the worker's view and the staff's masks them alike. What staff may decide next is added
    by the staff view."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: REVIEW_STATUS_LABELS.get(a.status, a.status))
    status_note = ma.fields.String(allow_none=True)
    name = ma.fields.String()
    gender = ma.fields.String()
    id_number = MaskedIdNumber()
    mobile = MaskedPhone()
    employer = ma.fields.String()
    worker_type = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)
    consent_version = ma.fields.String()
    submitted_at = LocalDateTime()
    reviewed_at = LocalDateTime(allow_none=True)
    member_id = ma.fields.Integer(allow_none=True)

    views = {
        "worker": (
            "id", "status", "status_label", "status_note", "name", "gender", "id_number", "mobile",
            "employer", "worker_type", "org", "consent_version", "submitted_at", "reviewed_at", "member_id",
        ),
    }  # fmt: skip
    views["staff"] = views["worker"]  # staff review exactly what was filed, masked the same way


ApplicationOut = ApplicationSchema.view("worker", "ApplicationOut")


class TransferIn(Schema):
    to_org_id = ma.fields.Integer(required=True, metadata={"description": "转入的基层工会"})
    reason = Text(required=True, max_length=500)


class TransferSchema(Schema):
    """会员关系转接 — a member's transfer between unions, every field once. It holds nothing personal
    beyond the two unions, so the reviewing staff read it in the worker's view."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda t: REVIEW_STATUS_LABELS.get(t.status, t.status))
    status_note = ma.fields.String(allow_none=True)
    from_org = ma.fields.Nested(OrgBrief)
    org = ma.fields.Nested(OrgBrief, data_key="to_org")
    reason = ma.fields.String()
    submitted_at = LocalDateTime()
    reviewed_at = LocalDateTime(allow_none=True)

    views = {
        "worker": (
            "id", "status", "status_label", "status_note", "from_org", "org", "reason", "submitted_at",
            "reviewed_at",
        ),
    }  # fmt: skip


TransferOut = TransferSchema.view("worker", "TransferOut")

# --- the staff review queues' filters ---------------------------------------------------------------------
ApplicationQueueQuery = queue_query(
    "ApplicationQueueQuery",
    ReviewStatus,
    REVIEW_STATUS_LABELS,
    owned=False,
    org_id=ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1)),
    q=ma.fields.String(
        validate=ma.validate.Length(max=50),
        metadata={"description": "姓名/单位关键字（完整身份证号、手机号请用 lookup）"},
    ),
    lookup=ma.fields.String(
        validate=ma.validate.Length(max=300),
        metadata={"description": "POST /staff/lookup-tokens 换得的查询令牌：按完整身份证号或手机号查找"},
    ),
)
ReviewQueueQuery = queue_query("ReviewQueueQuery", ReviewStatus, REVIEW_STATUS_LABELS, owned=False)
