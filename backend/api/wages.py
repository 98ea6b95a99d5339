"""Worker side of 欠薪求助: report unpaid wages in under a minute (for oneself or a crew), follow it.

Made for a cheap phone on a flaky network: one small POST with an ``Idempotency-Key`` (a retry
returns the first answer and files nothing twice), photos uploaded beforehand through ``/uploads``.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_account, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.cases import AttachmentOut
from backend.api.idempotency import idempotent
from backend.common.fields import LocalDateTime, MaskedPhone, Mobile, Text
from backend.common.fields import Money as MoneyField
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.orgs.schemas import OrgBrief
from backend.wages import service as wages
from backend.wages.models import WAGE_STATUS_LABELS
from backend.wages.priority import local_date
from backend.wages.rules import rules

blp = Blueprint("wages", __name__, url_prefix="/api/v1", description="欠薪求助（职工端）")

MAX_AMOUNT = Decimal("100000000")  # 1亿元: beyond any claim a union handles; catches typos
MAX_WORKERS = 10_000
CENT = Decimal("0.01")


def referral_label(claim) -> str | None:
    """劳动保障监察 … for the claim's referral target (labels live in config/wages.yaml)."""
    return rules().referral_targets.get(claim.referral_target) if claim.referral_target else None


Money = partial(MoneyField, ceiling=MAX_AMOUNT)


class CrewMemberIn(Schema):
    name = Text(required=True, max_length=50, metadata={"description": "工友姓名"})
    phone = Mobile(load_default=None, allow_none=True, metadata={"description": "工友手机号（可不填）"})


class CrewMemberOut(Schema):
    name = ma.fields.String()
    phone = MaskedPhone(allow_none=True)


class WageClaimIn(Schema):
    org_id = ma.fields.Integer(required=True, metadata={"description": "欠薪发生地的县区或乡镇（街道）工会"})
    employer = Text(required=True, max_length=100, metadata={"description": "欠薪单位（老板、公司）名称"})
    project = Text(required=True, max_length=200, metadata={"description": "项目或工地名称、地址"})
    amount_owed = Money(required=True, metadata={"description": "拖欠工资总额（元，全部人员合计）"})
    workers_owed = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_WORKERS),
        metadata={"description": "被欠薪人数（本人填 1，代工友一起反映填总人数）"},
    )
    crew = ma.fields.List(
        ma.fields.Nested(CrewMemberIn),
        load_default=None,
        validate=ma.validate.Length(max=200),
        metadata={"description": "一同被欠薪的工友（可不填）"},
    )
    owed_since = ma.fields.Date(required=True, metadata={"description": "从哪天起拖欠（YYYY-MM-DD）"})
    contact_phone = Mobile(required=True, metadata={"description": "联系电话"})
    contact_name = Text(
        max_length=50, min_length=0, load_default=None, metadata={"description": "怎么称呼您"}
    )
    description = Text(max_length=1000, min_length=0, load_default=None, metadata={"description": "情况说明"})
    evidence_ids = ma.fields.List(
        ma.fields.Integer(),
        load_default=None,
        validate=ma.validate.Length(max=9),
        metadata={"description": "先通过 POST /uploads 上传的照片或 PDF 的 id（可不传）"},
    )

    @ma.validates("owed_since")
    def _not_in_the_future(self, value, **_):
        if value > local_date(utcnow()):
            raise ma.ValidationError("欠薪开始日期不能晚于今天")
        if value.year < 2000:
            raise ma.ValidationError("欠薪开始日期过早，请核对")

    @ma.validates_schema
    def _crew_fits(self, data, **_):
        crew = data.get("crew") or []
        if len(crew) > data.get("workers_owed", 1):
            raise ma.ValidationError("填写的工友人数超过了被欠薪人数", "crew")


class WageClaimReceiptOut(Schema):
    """What a submission answers: a small receipt for a slow network (the details: GET /wage-claims/{id})."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda c: WAGE_STATUS_LABELS.get(c.status, c.status))
    org = ma.fields.Nested(OrgBrief)
    employer = ma.fields.String()
    amount_owed = ma.fields.Decimal(as_string=True)
    workers_owed = ma.fields.Integer()
    submitted_at = LocalDateTime()


class WageClaimOut(Schema):
    """A claim as the worker who filed it sees it (phones masked)."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda c: WAGE_STATUS_LABELS.get(c.status, c.status))
    org = ma.fields.Nested(OrgBrief)
    employer = ma.fields.String()
    project = ma.fields.String()
    amount_owed = ma.fields.Decimal(as_string=True)
    workers_owed = ma.fields.Integer()
    crew = ma.fields.Nested(CrewMemberOut, many=True, attribute="crew_members")
    owed_since = ma.fields.Date()
    contact_name = ma.fields.String(allow_none=True)
    contact_phone = MaskedPhone()
    description = ma.fields.String(allow_none=True)
    referral_target = ma.fields.String(allow_none=True)
    referral_label = ma.fields.Function(referral_label)
    amount_recovered = ma.fields.Decimal(as_string=True, allow_none=True)
    workers_paid = ma.fields.Integer(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    close_reason = ma.fields.String(allow_none=True)
    submitted_at = LocalDateTime()
    closed_at = LocalDateTime(allow_none=True)


class WorkerEventOut(Schema):
    at = LocalDateTime()
    title = ma.fields.String()
    status = ma.fields.String(allow_none=True)
    status_label = ma.fields.String(allow_none=True)
    org_name = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)


class WageClaimDetailOut(WageClaimOut):
    timeline = ma.fields.Nested(WorkerEventOut, many=True)
    attachments = ma.fields.Nested(AttachmentOut, many=True)


@blp.route("/wage-claims")
class WageClaims(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(
        WageClaimIn,
        example={
            "org_id": 12,
            "employer": "临汾市某建筑劳务公司",
            "project": "尧都区滨河小区二期工地",
            "amount_owed": "38600.00",
            "workers_owed": 6,
            "owed_since": "2025-10-01",
            "contact_phone": "13800138000",
            "contact_name": "王师傅",
            "crew": [{"name": "李红军", "phone": "13900139000"}, {"name": "赵小平"}],
            "description": "完工后老板一直拖欠，工头联系不上。",
        },
    )
    @blp.response(201, WageClaimReceiptOut)
    def post(self, data):
        """反映欠薪（本人或代工友）；带 Idempotency-Key 重试不会重复提交"""
        return wages.submit_claim(account=current_account(), data=data)


@blp.route("/wage-claims/mine")
class MyWageClaims(MethodView):
    decorators = [worker_required]

    @blp.response(200, WageClaimOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我反映的欠薪问题（最新的在前）"""
        return wages.claims_of_stmt(current_account())


@blp.route("/wage-claims/<int:claim_id>")
class MyWageClaim(MethodView):
    decorators = [worker_required]

    @blp.response(200, WageClaimDetailOut)
    def get(self, claim_id):
        """查看我反映的一件欠薪问题及办理进度"""
        return wages.claim_for_worker(account=current_account(), claim_id=claim_id)
