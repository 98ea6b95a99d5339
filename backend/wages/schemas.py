"""欠薪求助 schemas: what the service accepts (``ClaimIn``, loaded and checked by ``WageClaimIn``), and
the claim as each role sees it — one ``WageClaimSchema`` whose views are the worker's receipt and
record, the staff queue row and the staff detail. Phones are masked on the field, so every view
masks them; ``label`` is what staff read in the panel, ``panel`` where they read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

import marshmallow as ma

from backend.cases.queue import queue_query
from backend.common.fields import LocalDateTime, MaskedPhone, Mobile, Text
from backend.common.fields import Money as MoneyField
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.orgs.schemas import OrgBrief
from backend.wages.models import WAGE_STATUS_LABELS, WageStatus
from backend.wages.priority import local_date
from backend.wages.rules import rules

MAX_AMOUNT = Decimal("100000000")  # 1亿元: beyond any claim a union handles; catches typos
MAX_WORKERS = 10_000
CENT = Decimal("0.01")

Money = partial(MoneyField, ceiling=MAX_AMOUNT)


def referral_label(claim) -> str | None:
    """劳动保障监察 … for the claim's referral target (labels live in config/wages.yaml)."""
    return rules().referral_targets.get(claim.referral_target) if claim.referral_target else None


def status_label(claim) -> str:
    return WAGE_STATUS_LABELS.get(claim.status, claim.status)


# --- what a worker files --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimIn:
    """A wage claim as ``wages.submit_claim`` takes it, every field already checked. The fields
    after ``org_id`` up to ``crew`` are stored on the claim as they are."""

    org_id: int
    employer: str
    project: str
    amount_owed: Decimal
    workers_owed: int
    owed_since: date
    contact_phone: str
    contact_name: str | None = None
    description: str | None = None
    crew: list[dict] | None = None  # [{"name", "phone"}] of co-workers
    evidence_ids: list[int] | None = None

    def stored(self) -> dict:
        """The fields the claim row keeps as they were filed."""
        return {name: getattr(self, name) for name in STORED_AS_FILED}


STORED_AS_FILED = tuple(
    name for name in ClaimIn.__dataclass_fields__ if name not in ("org_id", "crew", "evidence_ids")
)


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

    @ma.post_load
    def _claim_in(self, data, **_) -> ClaimIn:
        return ClaimIn(**data)


# --- the claim as each role sees it ----------------------------------------------------------------------
class ClusterOut(Schema):
    id = ma.fields.Integer()
    county_id = ma.fields.Integer()
    employer = ma.fields.String()
    employer_key = ma.fields.String()
    claim_count = ma.fields.Integer()
    workers_total = ma.fields.Integer()
    amount_total = ma.fields.Decimal(as_string=True)
    first_at = LocalDateTime()
    last_at = LocalDateTime()
    warning = ma.fields.Boolean()
    warned_at = LocalDateTime(allow_none=True)


def _row(label: str, **more) -> dict:
    """Metadata of a field the panel shows in the queue row and on the detail page."""
    return {"label": label, "panel": "row", **more}


def _detail(label: str, **more) -> dict:
    """Metadata of a field the panel shows on the detail page only."""
    return {"label": label, "panel": "detail", **more}


class WageClaimSchema(Schema):
    """欠薪求助 — a migrant worker's unpaid-wage claim, every field once. The panel's columns follow
    the order of the ``staff_detail`` view."""

    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(status_label)
    priority = ma.fields.Integer(metadata=_row("优先级"))
    employer = ma.fields.String(metadata=_row("欠薪单位", wrap=True))
    project = ma.fields.String(metadata=_detail("项目/工地"))
    amount_owed = ma.fields.Decimal(as_string=True, metadata=_row("欠薪金额"))
    workers_owed = ma.fields.Integer(metadata=_row("人数"))
    owed_since = ma.fields.Date(metadata=_detail("欠薪起始"))
    org = ma.fields.Nested(OrgBrief, metadata=_row("承办工会", wrap=True))
    origin_org_id = ma.fields.Integer()
    contact_name = ma.fields.String(allow_none=True, metadata=_detail("联系人"))
    contact_phone = MaskedPhone(metadata=_row("联系电话"))
    assignee_id = ma.fields.Integer(allow_none=True)
    due_at = LocalDateTime(allow_none=True, metadata=_row("办理时限"))
    overdue = ma.fields.Function(lambda c: c.due_at is not None and c.due_at < utcnow())
    escalations = ma.fields.Integer()
    warning = ma.fields.Boolean(metadata=_row("预警"))
    cluster_id = ma.fields.Integer()
    cluster = ma.fields.Nested(ClusterOut, metadata=_detail("聚类"))
    crew = ma.fields.Nested(CrewMemberOut, many=True, attribute="crew_members", metadata=_detail("工友"))
    description = ma.fields.String(allow_none=True, metadata=_detail("情况说明"))
    referral_target = ma.fields.String(allow_none=True)
    referral_label = ma.fields.Function(referral_label, metadata=_detail("转办去向"))
    referred_at = LocalDateTime(allow_none=True)
    amount_recovered = ma.fields.Decimal(as_string=True, allow_none=True, metadata=_detail("追回金额"))
    workers_paid = ma.fields.Integer(allow_none=True, metadata=_detail("拿到工资人数"))
    resolved_at = LocalDateTime(allow_none=True)
    close_reason = ma.fields.String(allow_none=True, metadata=_detail("结案原因"))
    submitted_at = LocalDateTime(metadata=_detail("提交时间"))
    closed_at = LocalDateTime(allow_none=True)

    views = {
        # what a submission answers: a small receipt for a slow network
        "receipt": (
            "id", "status", "status_label", "org", "employer", "amount_owed", "workers_owed", "submitted_at",
        ),
        "worker": (
            "id", "status", "status_label", "org", "employer", "project", "amount_owed", "workers_owed",
            "crew", "owed_since", "contact_name", "contact_phone", "description", "referral_target",
            "referral_label", "amount_recovered", "workers_paid", "resolved_at", "close_reason",
            "submitted_at", "closed_at",
        ),
        # enough to triage without opening it
        "staff_row": (
            "id", "status", "status_label", "priority", "employer", "project", "amount_owed",
            "workers_owed", "owed_since", "org", "contact_phone", "assignee_id", "due_at", "overdue",
            "escalations", "cluster_id", "warning", "referral_target", "referral_label",
            "amount_recovered", "workers_paid", "submitted_at",
        ),
        "staff_detail": (
            "id", "status", "status_label", "priority", "employer", "project", "amount_owed",
            "workers_owed", "owed_since", "org", "origin_org_id", "contact_name", "contact_phone",
            "assignee_id", "due_at", "overdue", "escalations", "warning", "cluster_id", "cluster", "crew",
            "description", "referral_target", "referral_label", "referred_at", "amount_recovered",
            "workers_paid", "resolved_at", "close_reason", "submitted_at", "closed_at",
        ),
    }  # fmt: skip


class WorkerEventOut(Schema):
    """A timeline line as the worker sees it: what happened and where, without internal steps."""

    at = LocalDateTime()
    title = ma.fields.String()
    status = ma.fields.String(allow_none=True)
    status_label = ma.fields.String(allow_none=True)
    org_name = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)


# --- what staff decide -------------------------------------------------------------------------------------
class WageTransitionIn(Schema):
    action = ma.fields.String(
        required=True,
        metadata={"description": "accept / mediate / refer / resolve / close（close 需填原因）"},
    )
    note = Text(max_length=500, min_length=0, load_default=None)
    referral_target = ma.fields.String(
        load_default=None, metadata={"description": "转办去向（refer 时必填）"}
    )
    amount_recovered = Money(load_default=None, metadata={"description": "追回金额（元，resolve 时必填）"})
    workers_paid = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=1),
        metadata={"description": "已拿到工资的人数（resolve 时必填）"},
    )


# --- the staff queue's filters ----------------------------------------------------------------------------
WageQueueQuery = queue_query(
    "WageQueueQuery",
    WageStatus,
    WAGE_STATUS_LABELS,
    priority_min=ma.fields.Integer(validate=ma.validate.Range(min=0)),
    priority_max=ma.fields.Integer(validate=ma.validate.Range(min=0)),
    cluster_id=ma.fields.Integer(validate=ma.validate.Range(min=1, max=2**63 - 1)),
    warning=ma.fields.Boolean(metadata={"description": "true 只看已触发劳动关系预警的"}),
    q=ma.fields.String(
        validate=ma.validate.Length(max=50),
        metadata={"description": "欠薪单位/项目关键字（完整手机号请用 lookup）"},
    ),
    lookup=ma.fields.String(
        validate=ma.validate.Length(max=300),
        metadata={"description": "POST /staff/lookup-tokens 换得的查询令牌：按联系人完整手机号查找"},
    ),
)
