"""Worker side of 欠薪求助: report unpaid wages in under a minute (for oneself or a crew), follow it.

Made for a cheap phone on a flaky network: one small POST with an ``Idempotency-Key`` (a retry
returns the first answer and files nothing twice), photos uploaded beforehand through ``/uploads``.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_account, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.cases import AttachmentOut
from backend.api.idempotency import idempotent
from backend.wages import service as wages
from backend.wages.schemas import WageClaimIn, WageClaimSchema, WorkerEventOut

blp = Blueprint("wages", __name__, url_prefix="/api/v1", description="欠薪求助（职工端）")

WageClaimReceiptOut = WageClaimSchema.view("receipt", "WageClaimReceiptOut")
WageClaimOut = WageClaimSchema.view("worker", "WageClaimOut")
WageClaimDetailOut = WageClaimSchema.view(
    "worker",
    "WageClaimDetailOut",
    timeline=ma.fields.Nested(WorkerEventOut, many=True),
    attachments=ma.fields.Nested(AttachmentOut, many=True),
)


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
    def post(self, claim_in):
        """反映欠薪（本人或代工友）；带 Idempotency-Key 重试不会重复提交"""
        return wages.submit_claim(account=current_account(), claim_in=claim_in)


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
