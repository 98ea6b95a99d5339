"""Worker side of 困难帮扶: ask for help, follow it, withdraw it, rate its handling (会员评议)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.aid import service as aid
from backend.aid.schemas import AidRequestIn, AidRequestSchema, AidWorkerEventOut, RatingIn
from backend.api.access import current_account, current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.cases import AttachmentOut
from backend.api.idempotency import idempotent

blp = Blueprint("aid", __name__, url_prefix="/api/v1", description="困难帮扶（职工端）")
AidRequestOut = AidRequestSchema.view("worker", "AidRequestOut")
AidRequestDetailOut = AidRequestSchema.view(
    "worker",
    "AidRequestDetailOut",
    timeline=ma.fields.Nested(AidWorkerEventOut, many=True),
    attachments=ma.fields.Nested(AttachmentOut, many=True),
)


@blp.route("/aid-requests")
class AidRequests(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(
        AidRequestIn,
        example={
            "category": "serious_illness",
            "household_size": 4,
            "monthly_income": "2600.00",
            "situation": "妻子患病住院，家中两个孩子上学，收入难以支撑医疗费用。",
            "amount_requested": "20000.00",
            "illness": "急性白血病",
            "medical_total": "186000.00",
            "medical_reimbursed": "121000.00",
            "evidence_ids": [],
        },
    )
    @blp.response(201, AidRequestDetailOut)
    def post(self, request_in):
        """提交困难帮扶申请（会员）；大病救助返回参考补助金额"""
        return aid.submit(member=current_member(), request_in=request_in)


@blp.route("/aid-requests/mine")
class MyAidRequests(MethodView):
    decorators = [worker_required]

    @blp.response(200, AidRequestOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我的帮扶申请（最新的在前）"""
        return aid.requests_of_stmt(current_account())


@blp.route("/aid-requests/<int:request_id>")
class MyAidRequest(MethodView):
    decorators = [worker_required]

    @blp.response(200, AidRequestDetailOut)
    def get(self, request_id):
        """查看本人的一件帮扶申请及办理进度"""
        return aid.worker_detail(aid.own_request(current_account(), request_id))


@blp.route("/aid-requests/<int:request_id>/withdraw")
class WithdrawAidRequest(MethodView):
    decorators = [worker_required]

    @blp.response(200, AidRequestDetailOut)
    def post(self, request_id):
        """撤回帮扶申请（批准之前可撤回）"""
        return aid.worker_detail(aid.withdraw(account=current_account(), request_id=request_id))


@blp.route("/aid-requests/<int:request_id>/rating")
class RateAidRequest(MethodView):
    decorators = [worker_required]

    @blp.arguments(RatingIn)
    @blp.response(200, AidRequestDetailOut)
    def post(self, data, request_id):
        """评价办理情况（会员评议）：办结后可评价一次"""
        return aid.worker_detail(aid.rate(account=current_account(), request_id=request_id, **data))
