"""困难帮扶 schemas: what the services accept (``RequestIn`` for a help request, ``HouseholdFileIn``
and ``HouseholdChanges`` for a needy-household file), each loaded and checked by its schema, and a
help request as each role sees it — one ``AidRequestSchema`` with ``worker`` and ``staff_row`` views."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

import marshmallow as ma

from backend.aid import service as aid
from backend.aid import subsidy
from backend.aid.models import AID_STATUS_LABELS, AidStatus
from backend.cases.queue import queue_query
from backend.common.fields import LocalDateTime, Text, one_of
from backend.common.fields import Money as MoneyField
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.members.schemas import MemberSchema
from backend.orgs.schemas import OrgBrief
from backend.uploads import service as uploads

# Sanity ceilings for what a family reports (not aid amounts, which config/aid.yaml caps).
MEDICAL_CEILING = Decimal("10000000")
INCOME_CEILING = Decimal("1000000")


# Aid amounts are capped by the configured largest aid amount unless a field says otherwise.
Money = partial(MoneyField, ceiling=lambda: subsidy.rules().max_amount)


@dataclass(frozen=True)
class RequestIn:
    """A help request as ``aid.submit`` takes it; the medical fields only for serious illness."""

    category: str
    household_size: int
    monthly_income: Decimal
    situation: str
    amount_requested: Decimal
    illness: str | None = None
    medical_total: Decimal | None = None
    medical_reimbursed: Decimal | None = None
    evidence_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class HouseholdFileIn:
    """A needy-household file as ``file_household`` takes it (no ``file_no``: one is given)."""

    member_id: int
    hardship_type: str
    situation: str
    plan: str
    measures: list[str]
    file_no: str | None = None


@dataclass(frozen=True)
class HouseholdChanges:
    """What a revision of a file changes; a field left None stays as it is."""

    hardship_type: str | None = None
    situation: str | None = None
    plan: str | None = None
    measures: list[str] | None = None

    def given(self) -> dict:
        return {name: value for name, value in vars(self).items() if value is not None}


def known(table: str):
    """Validator against a label table of config/aid.yaml (read when the request is checked)."""

    def check(value):
        labels = getattr(subsidy.rules(), table)
        if value not in labels:
            raise ma.ValidationError(f"取值应为：{'、'.join(labels.values())}（{'、'.join(labels)}）")

    return check


# --- what a worker asks for ---------------------------------------------------------------------------
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

    @ma.post_load
    def _request_in(self, data, **_) -> RequestIn:
        return RequestIn(**data)


class RatingIn(Schema):
    score = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(min=1, max=5, error="评分应为 1 到 5 分"),
        metadata={"description": "1–5 分"},
    )
    comment = Text(max_length=500, min_length=0, load_default=None)


# --- a help request as each role sees it ------------------------------------------------------------------
class Suggestion(Schema):
    label = ma.fields.Constant("参考补助金额")
    amount = Money(dump_only=True, attribute="suggested_amount")
    basis = ma.fields.String(attribute="suggestion_basis")
    note = ma.fields.Constant("按大病救助分档定额标准测算，最终金额以工会核实批准为准")


class AidWorkerEventOut(Schema):
    """A timeline line as the worker sees it: what happened, never which staff member did it."""

    at = LocalDateTime()
    action = ma.fields.String()
    action_label = ma.fields.Function(lambda e: aid.ACTION_LABELS.get(e.action, e.action))
    to_status = ma.fields.String(allow_none=True)
    actor = ma.fields.Function(lambda e: {"worker": "本人", "staff": "工会", "system": "系统"}[e.actor_type])
    note = ma.fields.String(allow_none=True)


class ActionOut(Schema):
    action = ma.fields.String()
    label = ma.fields.String()
    needs_note = ma.fields.Boolean()


class AidRequestSchema(Schema):
    """困难帮扶 — a member's help request, every field once; staff see the requester (masked), the
    flags, the owner and what may be done next besides what the worker sees."""

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
    member = ma.fields.Nested(MemberSchema)
    worker_type = ma.fields.String()
    origin_org_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer(allow_none=True)
    escalations = ma.fields.Integer()
    overdue = ma.fields.Function(lambda c: c.due_at is not None and c.due_at < utcnow())
    flagged_duplicate = ma.fields.Boolean()
    duplicate_of_id = ma.fields.Integer(allow_none=True)
    needy_household_id = ma.fields.Integer(allow_none=True)
    allowed_actions = ma.fields.Function(lambda c: ActionOut(many=True).dump(aid.staff_actions(c)))

    views = {
        "worker": (
            "id", "status", "status_label", "category", "category_label", "household_size",
            "monthly_income", "situation", "amount_requested", "illness", "medical_total",
            "medical_reimbursed", "net_medical_cost", "suggestion", "approved_amount", "rejection_reason",
            "disbursed_amount", "disbursed_on", "org", "submitted_at", "due_at", "closed_at",
            "can_withdraw", "can_rate", "rating", "rating_comment", "rated_at",
        ),
        # besides what the worker sees: the requester (masked), flags, owner, what may be done next
        "staff_row": (
            "id", "status", "status_label", "category", "category_label", "household_size",
            "monthly_income", "situation", "amount_requested", "illness", "medical_total",
            "medical_reimbursed", "net_medical_cost", "suggestion", "approved_amount", "rejection_reason",
            "disbursed_amount", "disbursed_on", "org", "submitted_at", "due_at", "closed_at",
            "can_withdraw", "can_rate", "rating", "rating_comment", "rated_at", "member", "worker_type",
            "origin_org_id", "assignee_id", "escalations", "overdue", "flagged_duplicate",
            "duplicate_of_id", "needy_household_id", "allowed_actions",
        ),
    }  # fmt: skip

    def _suggestion(self, case):
        return Suggestion().dump(case) if case.suggested_amount is not None else None


# --- what staff decide ------------------------------------------------------------------------------------
class AidTransitionIn(Schema):
    action = ma.fields.String(
        required=True,
        validate=one_of(sorted(aid.AID_FLOW.all_actions)),
        metadata={
            "description": "accept 受理 / verify 开始走访核实 / approve 批准 / reject 不予批准 / "
            "disburse 发放 / close 办结"
        },
    )
    note = Text(
        max_length=500, min_length=0, load_default=None, metadata={"description": "不予批准时必填原因"}
    )
    amount = Money(
        metadata={"description": "approve：批准金额（必填）；disburse：发放金额（默认为批准金额）"}
    )
    disbursed_on = ma.fields.Date(metadata={"description": "disburse：发放日期（默认今天）"})
    assignee_id = ma.fields.Integer(metadata={"description": "accept：经办人（默认本人）"})


# --- needy-household files (建档立卡) ---------------------------------------------------------------------
class HouseholdIn(Schema):
    member_id = ma.fields.Integer(required=True, metadata={"description": "困难职工（会员）id"})
    file_no = Text(max_length=32, metadata={"description": "档案号（不填则自动生成）"})
    hardship_type = ma.fields.String(required=True, validate=known("hardship_types"))
    situation = Text(required=True, max_length=2000, metadata={"description": "家庭情况"})
    plan = Text(required=True, max_length=2000, metadata={"description": "帮扶计划（一户一计划）"})
    measures = ma.fields.List(
        Text(max_length=200),
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "帮扶措施（一户一措施），每条一项"},
    )

    @ma.post_load
    def _file_in(self, data, **_) -> HouseholdFileIn:
        return HouseholdFileIn(**data)


class HouseholdUpdateIn(Schema):
    hardship_type = ma.fields.String(validate=known("hardship_types"))
    situation = Text(max_length=2000)
    plan = Text(max_length=2000)
    measures = ma.fields.List(Text(max_length=200), validate=ma.validate.Length(min=1, max=20))

    @ma.post_load
    def _changes(self, data, **_) -> HouseholdChanges:
        return HouseholdChanges(**data)


class HouseholdSettleIn(Schema):
    action = ma.fields.String(required=True, validate=one_of(["close", "reopen"]))
    note = Text(max_length=500, min_length=0, load_default=None, metadata={"description": "销档原因（必填）"})


class HouseholdOut(Schema):
    id = ma.fields.Integer()
    file_no = ma.fields.String()
    member = ma.fields.Nested(MemberSchema)
    org_id = ma.fields.Integer()
    hardship_type = ma.fields.String()
    hardship_label = ma.fields.Function(lambda h: subsidy.rules().hardship_types.get(h.hardship_type))
    situation = ma.fields.String()
    plan = ma.fields.String()
    measures = ma.fields.List(ma.fields.String())
    status = ma.fields.String()
    close_reason = ma.fields.String(allow_none=True)
    created_by = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    closed_at = LocalDateTime(allow_none=True)


# --- the staff queue's filters ----------------------------------------------------------------------------
AidQueueQuery = queue_query(
    "AidQueueQuery",
    AidStatus,
    AID_STATUS_LABELS,
    category=ma.fields.String(validate=known("categories")),
    flagged=ma.fields.Boolean(metadata={"description": "true：只看疑似重复申请"}),
    q=ma.fields.String(
        validate=ma.validate.Length(max=50), metadata={"description": "困难情况、疾病名称或申请人姓名关键字"}
    ),
)
