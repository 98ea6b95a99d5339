"""Worker side of 困难帮扶: ask for help, follow it, withdraw it, rate its handling (会员评议)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import marshmallow as ma
from flask.views import MethodView

from backend.aid import service as aid
from backend.aid import subsidy
from backend.aid.models import AID_STATUS_LABELS
from backend.api.access import current_account, current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.cases import AttachmentOut
from backend.api.idempotency import idempotent
from backend.common.fields import LocalDateTime, Text
from backend.common.fields import Money as MoneyField
from backend.common.schema import Schema
from backend.orgs.schemas import OrgBrief
from backend.uploads import service as uploads

blp = Blueprint("aid", __name__, url_prefix="/api/v1", description="困难帮扶（职工端）")
# The rules (categories, tiers, limits) are loaded when the blueprint is registered: a broken
# config/aid.yaml stops the app at start rather than failing a worker's request.
blp.record_once(lambda state: subsidy.init_app(state.app))


# Sanity ceilings for what a family reports (not aid amounts, which config/aid.yaml caps).
MEDICAL_CEILING = Decimal("10000000")
INCOME_CEILING = Decimal("1000000")


# Aid amounts are capped by the configured largest aid amount unless a field says otherwise.
Money = partial(MoneyField, ceiling=lambda: subsidy.rules().max_amount)


class AidRequestIn(Schema):
    category = ma.fields.String(
        required=True,
        metadata={
            "description": "类别：生活困难 living_hardship、大病救助 serious_illness、金秋助学 education、"
            "意外灾害 accident、医疗互助 medical_mutual_aid、其他 other（见 config/aid.yaml）"
        },
    )
    household_size = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=30), metadata={"description": "家庭人口数"}
    )
    monthly_income = Money(
        required=True, allow_zero=True, ceiling=INCOME_CEILING, metadata={"description": "家庭月收入（元）"}
    )
    situation = Text(required=True, max_length=2000, metadata={"description": "家庭困难情况说明"})
    amount_requested = Money(required=True, metadata={"description": "申请金额（元）"})
    illness = Text(max_length=100, metadata={"description": "疾病名称（大病救助必填）"})
    medical_total = Money(ceiling=MEDICAL_CEILING, metadata={"description": "医疗总费用（元，大病救助必填）"})
    medical_reimbursed = Money(
        allow_zero=True,
        ceiling=MEDICAL_CEILING,
        metadata={"description": "医保等已报销金额（元，大病救助必填）"},
    )
    evidence_ids = ma.fields.List(
        ma.fields.Integer(),
        load_default=list,
        validate=ma.validate.Length(max=uploads.MAX_PER_CASE),
        metadata={"description": "POST /uploads 返回的附件 id（证明材料）"},
    )

    @ma.validates("category")
    def _known_category(self, value, **_):
        categories = subsidy.rules().categories
        if value not in categories:
            raise ma.ValidationError(f"取值应为：{'、'.join(categories.values())}（{'、'.join(categories)}）")

    @ma.validates_schema
    def _illness_details(self, data, **_):
        medical = ("illness", "medical_total", "medical_reimbursed")
        if data.get("category") == subsidy.SERIOUS_ILLNESS:
            missing = {f: ["大病救助需填写此项"] for f in medical if data.get(f) is None}
            if missing:
                raise ma.ValidationError(missing)
            if data["medical_reimbursed"] > data["medical_total"]:
                raise ma.ValidationError({"medical_reimbursed": ["已报销金额不能超过医疗总费用"]})
        elif "category" in data:
            extra = {f: ["仅大病救助需填写此项"] for f in medical if data.get(f) is not None}
            if extra:
                raise ma.ValidationError(extra)


class Suggestion(Schema):
    label = ma.fields.Constant("参考补助金额")
    amount = Money(dump_only=True, attribute="suggested_amount")
    basis = ma.fields.String(attribute="suggestion_basis")
    note = ma.fields.Constant("按大病救助分档定额标准测算，最终金额以工会核实批准为准")


class WorkerEventOut(Schema):
    """A timeline line as the worker sees it: what happened, never which staff member did it."""

    at = LocalDateTime()
    action = ma.fields.String()
    action_label = ma.fields.Function(lambda e: aid.ACTION_LABELS.get(e.action, e.action))
    to_status = ma.fields.String(allow_none=True)
    actor = ma.fields.Function(lambda e: {"worker": "本人", "staff": "工会", "system": "系统"}[e.actor_type])
    note = ma.fields.String(allow_none=True)


class AidRequestOut(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda c: AID_STATUS_LABELS.get(c.status, c.status))
    category = ma.fields.String()
    category_label = ma.fields.Function(lambda c: aid.category_label(c.category))
    household_size = ma.fields.Integer()
    monthly_income = Money(dump_only=True)
    situation = ma.fields.String()
    amount_requested = Money(dump_only=True)
    illness = ma.fields.String(allow_none=True)
    medical_total = Money(dump_only=True, allow_none=True)
    medical_reimbursed = Money(dump_only=True, allow_none=True)
    net_medical_cost = Money(dump_only=True, allow_none=True)
    suggestion = ma.fields.Method(
        "_suggestion", metadata={"description": "参考补助金额（大病救助，达到起付线时）"}
    )
    approved_amount = Money(dump_only=True, allow_none=True)
    rejection_reason = ma.fields.String(allow_none=True)
    disbursed_amount = Money(dump_only=True, allow_none=True)
    disbursed_on = ma.fields.Date(allow_none=True)
    org = ma.fields.Nested(OrgBrief, metadata={"description": "当前负责办理的工会"})
    submitted_at = LocalDateTime()
    due_at = LocalDateTime(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)
    can_withdraw = ma.fields.Function(lambda c: "withdraw" in aid.worker_actions(c))
    can_rate = ma.fields.Function(lambda c: "rate" in aid.worker_actions(c))
    rating = ma.fields.Integer(allow_none=True)
    rating_comment = ma.fields.String(allow_none=True)
    rated_at = LocalDateTime(allow_none=True)

    def _suggestion(self, case):
        return Suggestion().dump(case) if case.suggested_amount is not None else None


class AidRequestDetailOut(AidRequestOut):
    timeline = ma.fields.Function(lambda c: WorkerEventOut(many=True).dump(aid.worker_timeline(c)))
    attachments = ma.fields.Function(
        lambda c: AttachmentOut(many=True).dump(uploads.of_case(aid.AID.name, c.id))
    )


class RatingIn(Schema):
    score = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=1, max=5, error="评分应为 1 到 5 分"),
        metadata={"description": "1–5 分"},
    )
    comment = Text(max_length=500, min_length=0, load_default=None)


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
    def post(self, data):
        """提交困难帮扶申请（会员）；大病救助返回参考补助金额"""
        return aid.submit(member=current_member(), data=data)


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
        return aid.own_request(current_account(), request_id)


@blp.route("/aid-requests/<int:request_id>/withdraw")
class WithdrawAidRequest(MethodView):
    decorators = [worker_required]

    @blp.response(200, AidRequestDetailOut)
    def post(self, request_id):
        """撤回帮扶申请（批准之前可撤回）"""
        return aid.withdraw(account=current_account(), request_id=request_id)


@blp.route("/aid-requests/<int:request_id>/rating")
class RateAidRequest(MethodView):
    decorators = [worker_required]

    @blp.arguments(RatingIn)
    @blp.response(200, AidRequestDetailOut)
    def post(self, data, request_id):
        """评价办理情况（会员评议）：办结后可评价一次"""
        return aid.rate(account=current_account(), request_id=request_id, **data)
