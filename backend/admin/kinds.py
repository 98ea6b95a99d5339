"""Every queue of the panel described once, as data: how to page it, load one item, act on it (the
staff API's own input schema, then the same service the API calls), what its rows and detail page
show, and which extra inputs an action takes. The generic queue and case pages read this table, so
a template never hard-codes an action: the buttons are the state machine's transitions for the
item's current state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from flask import current_app
from sqlalchemy import Select

from backend.admin.filters import local_time, money
from backend.aid import service as aid
from backend.aid import subsidy
from backend.aid.models import AID_STATUS_LABELS, AidStatus
from backend.aid.queue import QUEUE as AID_QUEUE
from backend.api import (
    staff_competitions,
    staff_events,
)
from backend.cases.paging import SortKey, seek
from backend.cases.queue import ASSIGNEE_CHOICES, CaseQueue
from backend.cases.service import CaseKind
from backend.common import crypto
from backend.common.fields import LocalDateTime
from backend.common.schema import TransitionIn
from backend.common.statemachine import StateMachine, Transition
from backend.common.types import utcnow
from backend.competitions import service as competitions
from backend.competitions.models import KIND_LABELS as COMPETITION_KIND_LABELS
from backend.competitions.models import STATUS_LABELS as COMPETITION_STATUS_LABELS
from backend.competitions.models import Competition
from backend.competitions.rules import COMPETITION_FLOW
from backend.events import service as events
from backend.events.models import EVENT_STATUS_LABELS, Event
from backend.legal import service as legal
from backend.legal.flow import BOOKING_FLOW
from backend.legal.models import (
    BOOKING_STATUS_LABELS,
    MODE_LABELS,
    OUTCOME_LABELS,
    BookingStatus,
    LegalBooking,
)
from backend.legal.queue import BOOKINGS
from backend.legal.rules import rules as legal_rules
from backend.members import service as members
from backend.members.models import (
    REVIEW_STATUS_LABELS,
    WORKER_TYPE_LABELS,
    ReviewStatus,
)
from backend.members.queue import APPLICATIONS, TRANSFERS
from backend.orgs import units
from backend.orgs.models import CATEGORY_LABELS
from backend.orgs.queue import UNITS
from backend.staff import permissions as perm
from backend.staff.models import Staff
from backend.staff.scope import Scope
from backend.wages import service as wages
from backend.wages.flow import WAGE
from backend.wages.models import WAGE_STATUS_LABELS, WageStatus
from backend.wages.queue import QUEUE as WAGE_QUEUE
from backend.wages.rules import rules as wage_rules
from backend.wages.schemas import WageClaimSchema

GENDER_LABELS = {"male": "男", "female": "女"}


def topic_label(code: str) -> str:
    """A legal-aid topic as config/legal.yaml names it (劳动合同, 工伤 …), never its code."""
    return legal_rules().topics.get(code, code)


def _labels(table: dict) -> dict[str, str]:
    return {str(k): v for k, v in table.items()}


@dataclass(frozen=True)
class Column:
    """One value shown for an item: in the queue row, on the detail page, or both."""

    label: str
    value: Callable[[Any], Any]
    in_row: bool = True
    in_detail: bool = True
    wrap: bool = False  # long text (a company's full name) wraps in the queue instead of widening it


def columns_of(schema: type[ma.Schema], view: str, **shown: Callable[[Any], Any]) -> list[Column]:
    """A thing's columns read off its schema: each field of ``view`` that has a ``label``, in the
    view's order, in the queue row when its ``panel`` is "row". Amounts and times read as the panel
    writes them, other fields as the schema dumps them (masked where the field masks); ``shown``
    says how a column reads where neither does (a nested org, a deadline)."""
    fields = schema().fields
    columns = []
    for name in schema.views[view]:
        field = fields[name]
        if "label" not in field.metadata:
            continue
        columns.append(
            Column(
                field.metadata["label"],
                shown.get(name) or _plain(name, field),
                in_row=field.metadata.get("panel") == "row",
                wrap=field.metadata.get("wrap", False),
            )
        )
    return columns


def _plain(name: str, field: ma.fields.Field) -> Callable[[Any], Any]:
    attribute = field.attribute or name
    if isinstance(field, LocalDateTime):
        return lambda item: local_time(getattr(item, attribute))
    if isinstance(field, ma.fields.Decimal):
        return lambda item: money(getattr(item, attribute))
    return lambda item: "" if (value := field.serialize(name, item)) is None else value


@dataclass(frozen=True)
class Filter:
    """A queue filter: a choice list, a yes/no, or free text (search)."""

    name: str
    label: str
    kind: str = "choice"  # choice | bool | text
    choices: Callable[[], dict[str, str]] | None = None


@dataclass(frozen=True)
class Input:
    """An extra input of an action besides the note (amounts, outcome, referral target …)."""

    name: str
    label: str
    kind: str = "text"  # text | money | int | date | choice | bool
    choices: Callable[[], dict[str, str]] | None = None


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    permissions: tuple[str, ...]  # any one of them opens the queue
    flow: StateMachine
    status_labels: dict[str, str]
    model: type
    query_schema: type[ma.Schema]  # the staff API's own filter schema
    stmt: Callable[..., Select]  # (scope, staff, **filters): the service's own query of the subtree
    load: Callable[[Scope, Staff, int], Any]  # 404 outside the subtree
    action_schema: type[ma.Schema]  # the staff API's own transition schema
    act: Callable[..., Any]  # (scope, staff, item_id, **validated)
    columns: list[Column]
    filters: list[Filter]
    title: Callable[[Any], str]
    pending: dict  # the filters that select what waits for staff (the dashboard's counts)
    order: list[SortKey] | None = None  # keyset order, where the service has no pager of its own
    page: Callable[..., tuple[list, str | None]] | None = None  # the service's pager, if it has one
    inputs: dict[str, list[Input]] = field(default_factory=dict)
    actions: Callable[[Any, Staff], list[Transition]] | None = None
    case_kind: CaseKind | None = None  # timeline, evidence, assignment (the shared case machinery)
    reveal: Callable[[Scope, Staff, int], dict[str, str]] | None = None  # audited full values
    reveal_permission: str | None = perm.PII_REVEAL

    def page_of(self, scope: Scope, staff: Staff, *, cursor: str | None, limit: int, **filters):
        """One page and the cursor of the next: keyset paging, never OFFSET or a total COUNT."""
        if self.page is not None:
            return self.page(scope, staff, cursor=cursor, limit=limit, **filters)
        stmt = self.stmt(scope, staff, **filters).order_by(None)
        return seek(stmt, self.order, cursor=cursor, limit=limit)

    def visible_to(self, staff: Staff) -> bool:
        return any(perm.can(staff.role, p) for p in self.permissions)

    def state_class(self, status: str) -> str:
        """How a status badge is coloured: waits for staff, in hand, or done (no staff action left)."""
        waiting = self.pending.get("status")
        waiting = {str(s) for s in (waiting if isinstance(waiting, list) else [waiting])}
        if str(status) in waiting:
            return "todo"
        return "doing" if self.flow.actions(status, "staff") else "done"

    def allowed(self, item, staff: Staff) -> list[Transition]:
        if self.actions is not None:
            return self.actions(item, staff)
        return self.flow.actions(item.status, "staff")

    @property
    def bulk_actions(self) -> list[Transition]:
        """Staff actions that need nothing but (at most) a shared note: offered for many items at once."""
        return [t for t in transitions_of(self.flow, self.status_labels) if t.action not in self.inputs]


def queue_kind(queue: CaseQueue, **shown) -> Kind:
    """A panel queue of a case kind's ``CaseQueue``: who opens it, its filters, pager, loader and
    action come from the definition the staff API serves; ``shown`` is how the panel shows it."""
    permission = queue.permission
    return Kind(
        label=queue.label,
        permissions=permission if isinstance(permission, tuple) else (permission,),
        flow=queue.flow,
        model=queue.model,
        query_schema=queue.query,
        page=queue.page,
        load=queue.load,
        action_schema=queue.action_schema,
        act=queue.act,
        **shown,
    )


def transitions_of(flow: StateMachine, statuses, actor: str = "staff") -> list[Transition]:
    """Every transition of ``actor`` in the flow, once each, in the flow's order of states."""
    seen: dict[str, Transition] = {}
    for status in statuses:
        for t in flow.actions(status, actor):
            seen.setdefault(t.action, t)
    return list(seen.values())


def _overdue(item) -> bool:
    return item.due_at is not None and item.due_at < utcnow()


def _due(item) -> str:
    if item.due_at is None:
        return ""
    return local_time(item.due_at, "%m-%d %H:%M") + ("（已超期）" if _overdue(item) else "")


def _yes(value) -> str:
    return "是" if value else ""


# --- 欠薪求助 --------------------------------------------------------------------------------------------
def _wage_reveal(scope: Scope, staff: Staff, item_id: int) -> dict[str, str]:
    claim = wages.reveal_contacts(scope=scope, staff=staff, claim_id=item_id)
    shown = {"联系电话": claim.contact_phone}
    for i, worker in enumerate(claim.crew_members or [], start=1):
        shown[f"工友{i} {worker.get('name', '')}"] = worker.get("phone", "")
    return shown


WAGE_KIND = queue_kind(
    WAGE_QUEUE,
    slug="wage",
    status_labels=_labels(WAGE_STATUS_LABELS),
    stmt=lambda scope, staff, **f: wages.queue_stmt(
        scope, staff_level=staff.org.level, walk_priority=False, **f
    ),
    columns=columns_of(
        WageClaimSchema,
        "staff_detail",
        org=lambda c: c.org.name,
        due_at=_due,
        warning=lambda c: "劳动关系预警" if c.warning else "",
        cluster=lambda c: f"#{c.cluster_id}（{c.cluster.claim_count} 件）",
        crew=lambda c: "、".join(
            f"{w['name']} {crypto.mask_phone(w.get('phone')) or ''}" for w in c.crew_members
        ),
    ),
    filters=[
        Filter("status", "状态", choices=lambda: _labels(WAGE_STATUS_LABELS)),
        Filter("overdue", "已超期", "bool"),
        Filter("assignee", "承办人", choices=lambda: ASSIGNEE_CHOICES),
        Filter("warning", "已预警", "bool"),
        Filter("q", "欠薪单位/项目", "text"),
    ],
    title=lambda c: f"欠薪求助 #{c.id} {c.employer}",
    pending={"status": [WageStatus.SUBMITTED]},
    inputs={
        "refer": [
            Input("referral_target", "转办去向", "choice", lambda: dict(wage_rules().referral_targets))
        ],
        "resolve": [
            Input("amount_recovered", "追回金额（元）", "money"),
            Input("workers_paid", "已拿到工资的人数", "int"),
        ],
    },
    case_kind=WAGE,
    reveal=_wage_reveal,
)


# --- 困难帮扶 --------------------------------------------------------------------------------------------
def _aid_reveal(scope: Scope, staff: Staff, item_id: int) -> dict[str, str]:
    case = aid.reveal_requester(scope=scope, staff=staff, request_id=item_id)
    return {"申请人": case.member.name, "身份证号": case.member.id_number, "手机号": case.member.mobile}


AID_KIND = queue_kind(
    AID_QUEUE,
    slug="aid",
    status_labels=_labels(AID_STATUS_LABELS),
    stmt=lambda scope, staff, **f: aid.queue_stmt(scope, **f),
    columns=[
        Column("申请人", lambda c: crypto.mask_name(c.member.name)),
        Column("类别", lambda c: aid.category_label(c.category)),
        Column("申请金额", lambda c: money(c.amount_requested)),
        Column("参考补助", lambda c: money(c.suggested_amount)),
        Column("参考依据", lambda c: c.suggestion_basis or "", in_row=False),
        Column("家庭人口", lambda c: c.household_size, in_row=False),
        Column("家庭月收入", lambda c: money(c.monthly_income), in_row=False),
        Column("疾病", lambda c: c.illness or "", in_row=False),
        Column("困难情况", lambda c: c.situation, in_row=False),
        Column("身份证号", lambda c: crypto.mask_id_number(c.member.id_number), in_row=False),
        Column("手机号", lambda c: crypto.mask_phone(c.member.mobile), in_row=False),
        Column("所属工会", lambda c: c.org.name),
        Column("办理时限", _due),
        Column("疑似重复", lambda c: _yes(c.flagged_duplicate)),
        Column("批准金额", lambda c: money(c.approved_amount), in_row=False),
        Column("发放金额", lambda c: money(c.disbursed_amount), in_row=False),
        Column("不予批准原因", lambda c: c.rejection_reason or "", in_row=False),
        Column("提交时间", lambda c: local_time(c.submitted_at)),
    ],
    filters=[
        Filter("status", "状态", choices=lambda: _labels(AID_STATUS_LABELS)),
        Filter("category", "类别", choices=lambda: dict(subsidy.rules().categories)),
        Filter("overdue", "已超期", "bool"),
        Filter("assignee", "经办人", choices=lambda: ASSIGNEE_CHOICES),
        Filter("flagged", "疑似重复", "bool"),
        Filter("q", "困难情况、疾病或姓名", "text"),
    ],
    title=lambda c: f"困难帮扶 #{c.id} {aid.category_label(c.category)}",
    pending={"status": [AidStatus.SUBMITTED]},
    inputs={
        "approve": [Input("amount", "批准金额（元）", "money")],
        "disburse": [
            Input("amount", "发放金额（元，默认批准金额）", "money"),
            Input("disbursed_on", "发放日期", "date"),
        ],
    },
    case_kind=aid.AID,
    reveal=_aid_reveal,
)


# --- 入会审核 --------------------------------------------------------------------------------------------
def _application_reveal(scope: Scope, staff: Staff, item_id: int) -> dict[str, str]:
    """As ``POST /staff/membership/applications/{id}/reveal``: the full values, one audit line."""
    application = members.reveal_application(scope=scope, staff=staff, application_id=item_id)
    return {"身份证号": application.id_number, "手机号": application.mobile}


MEMBERSHIP_KIND = queue_kind(
    APPLICATIONS,
    slug="membership",
    status_labels=_labels(REVIEW_STATUS_LABELS),
    stmt=lambda scope, staff, **f: members.applications_stmt(scope, **f),
    columns=[
        Column("姓名", lambda a: a.name),
        Column("性别", lambda a: GENDER_LABELS.get(a.gender, a.gender)),
        Column("身份证号", lambda a: crypto.mask_id_number(a.id_number)),
        Column("手机号", lambda a: crypto.mask_phone(a.mobile)),
        Column("工作单位", lambda a: a.employer),
        Column("职工类型", lambda a: WORKER_TYPE_LABELS.get(a.worker_type, a.worker_type)),
        Column("申请加入", lambda a: a.org.name),
        Column("审核意见", lambda a: a.status_note or "", in_row=False),
        Column("提交时间", lambda a: local_time(a.submitted_at)),
    ],
    filters=[
        Filter("status", "状态", choices=lambda: _labels(REVIEW_STATUS_LABELS)),
        Filter("q", "姓名/单位", "text"),
    ],
    title=lambda a: f"入会申请 #{a.id} {a.name}",
    pending={"status": [ReviewStatus.SUBMITTED]},
    reveal=_application_reveal,
)


# --- 会员关系转接 ------------------------------------------------------------------------------------------
def _transfer_reveal(scope: Scope, staff: Staff, item_id: int) -> dict[str, str]:
    transfer = members.reveal_transfer_member(scope=scope, staff=staff, transfer_id=item_id)
    return {"身份证号": transfer.member.id_number, "手机号": transfer.member.mobile}


TRANSFER_KIND = queue_kind(
    TRANSFERS,
    slug="transfer",
    status_labels=_labels(REVIEW_STATUS_LABELS),
    stmt=lambda scope, staff, **f: members.transfers_stmt(scope, **f),
    columns=[
        Column("会员", lambda t: t.member.name),
        Column("会员卡号", lambda t: t.member.card_no or ""),
        Column("身份证号", lambda t: crypto.mask_id_number(t.member.id_number), in_row=False),
        Column("手机号", lambda t: crypto.mask_phone(t.member.mobile), in_row=False),
        Column("转出工会", lambda t: t.from_org.name),
        Column("转入工会", lambda t: t.org.name),
        Column("转会原因", lambda t: t.reason),
        Column("审核意见", lambda t: t.status_note or "", in_row=False),
        Column("提交时间", lambda t: local_time(t.submitted_at)),
    ],
    filters=[Filter("status", "状态", choices=lambda: _labels(REVIEW_STATUS_LABELS))],
    title=lambda t: f"会员关系转接 #{t.id} {t.member.name}",
    pending={"status": [ReviewStatus.SUBMITTED]},
    reveal=_transfer_reveal,
)


# --- 单位建会 --------------------------------------------------------------------------------------------
def _unit_reveal(scope: Scope, staff: Staff, item_id: int) -> dict[str, str]:
    application = units.reveal_unit_contact(scope=scope, staff=staff, application_id=item_id)
    return {"联系人": application.contact_name, "联系电话": application.contact_phone}


UNIT_KIND = queue_kind(
    UNITS,
    slug="unit",
    status_labels=_labels(REVIEW_STATUS_LABELS),
    stmt=lambda scope, staff, **f: units.unit_applications_stmt(scope, **f),
    columns=[
        Column("单位名称", lambda u: u.unit_name),
        Column("统一社会信用代码", lambda u: u.credit_code),
        Column("类别", lambda u: CATEGORY_LABELS.get(u.category, u.category)),
        Column("职工人数", lambda u: u.employee_count),
        Column("地址", lambda u: u.address, in_row=False),
        Column("联系人", lambda u: u.contact_name),
        Column("联系电话", lambda u: crypto.mask_phone(u.contact_phone)),
        Column("所在乡镇（街道）", lambda u: u.org.name),
        Column("备注", lambda u: u.note or "", in_row=False),
        Column("审核意见", lambda u: u.status_note or "", in_row=False),
        Column("提交时间", lambda u: local_time(u.submitted_at)),
    ],
    filters=[Filter("status", "状态", choices=lambda: _labels(REVIEW_STATUS_LABELS))],
    title=lambda u: f"单位建会 #{u.id} {u.unit_name}",
    pending={"status": [ReviewStatus.SUBMITTED]},
    reveal=_unit_reveal,
)


# --- 法援预约 --------------------------------------------------------------------------------------------
def _booking_actions(booking: LegalBooking, staff: Staff) -> list[Transition]:
    return [BOOKING_FLOW.transition(booking.status, a, "staff") for a in legal.staff_actions(booking, staff)]


def _booking_reveal(scope: Scope, staff: Staff, item_id: int) -> dict[str, str]:
    member = legal.booking_contact(scope=scope, staff=staff, booking_id=item_id)
    return {"姓名": member.name, "手机号": member.mobile}


LEGAL_KIND = queue_kind(
    BOOKINGS,
    slug="legal",
    status_labels=_labels(BOOKING_STATUS_LABELS),
    stmt=lambda scope, staff, **f: legal.staff_bookings_stmt(scope=scope, staff=staff, **f),
    columns=[
        Column("咨询时间", lambda b: local_time(b.starts_at)),
        Column("方式", lambda b: MODE_LABELS.get(b.mode, b.mode)),
        Column("职工", lambda b: crypto.mask_name(b.member.name)),
        Column("主题", lambda b: topic_label(b.topic)),
        Column("律师", lambda b: b.lawyer.staff.name),
        Column("中心", lambda b: b.center.name),
        Column("情况说明", lambda b: b.description or "", in_row=False),
        Column("对方当事人", lambda b: b.opposing_party or "", in_row=False),
        Column("咨询结果", lambda b: OUTCOME_LABELS.get(b.outcome, "") if b.outcome else ""),
        Column("结果说明", lambda b: b.outcome_note or "", in_row=False),
        Column("取消原因", lambda b: b.cancel_reason or "", in_row=False),
    ],
    filters=[
        Filter("status", "状态", choices=lambda: _labels(BOOKING_STATUS_LABELS)),
        Filter("date", "日期", "date"),
    ],
    title=lambda b: f"法援预约 #{b.id} {topic_label(b.topic)}",
    pending={"status": [BookingStatus.BOOKED]},
    inputs={
        "complete": [Input("outcome", "咨询结果", "choice", lambda: _labels(OUTCOME_LABELS))],
        "staff_cancel": [Input("close_slot", "同时关闭该时段", "bool")],
    },
    actions=_booking_actions,
    reveal=_booking_reveal,
    reveal_permission=None,  # the lawyer holding the booking may see the phone; the service decides
)


# --- 联谊活动 --------------------------------------------------------------------------------------------
EVENT_KIND = Kind(
    slug="event",
    label="联谊活动",
    permissions=(perm.EVENT_MANAGE,),
    flow=events.EVENT_FLOW,
    status_labels=_labels(EVENT_STATUS_LABELS),
    model=Event,
    query_schema=staff_events.EventQuery,
    stmt=lambda scope, staff, **f: events.events_stmt(scope, **f),
    order=[SortKey(Event.starts_at, descending=True), SortKey(Event.id, descending=True)],
    load=lambda scope, staff, item_id: events.staff_event(scope, item_id),
    action_schema=TransitionIn,
    act=lambda scope, staff, item_id, **data: events.transition_event(
        scope=scope, staff=staff, event_id=item_id, **data
    ),
    columns=[
        Column("活动", lambda e: e.title),
        Column("时间", lambda e: local_time(e.starts_at)),
        Column("地点", lambda e: e.place),
        Column("名额", lambda e: e.capacity),
        Column("已入座", lambda e: e.seated),
        Column("候补", lambda e: e.waitlisted),
        Column("已签到", lambda e: e.checked_in),
        Column(
            "报名时间",
            lambda e: f"{local_time(e.signup_opens_at)} 至 {local_time(e.signup_closes_at)}",
            in_row=False,
        ),
        Column("活动说明", lambda e: e.description, in_row=False),
        Column("主办工会", lambda e: e.org.name),
    ],
    filters=[
        Filter("status", "状态", choices=lambda: _labels(EVENT_STATUS_LABELS)),
        Filter("q", "活动名称", "text"),
    ],
    title=lambda e: f"联谊活动 #{e.id} {e.title}",
    pending={"status": "draft"},
)


# --- 劳动和技能竞赛 -------------------------------------------------------------------------------------
COMPETITION_KIND = Kind(
    slug="competition",
    label="劳动和技能竞赛",
    permissions=(perm.COMPETITION_MANAGE,),
    flow=COMPETITION_FLOW,
    status_labels=_labels(COMPETITION_STATUS_LABELS),
    model=Competition,
    query_schema=staff_competitions.CompetitionQuery,
    stmt=lambda scope, staff, **f: competitions.competitions_stmt(scope, **f),
    order=[SortKey(Competition.id, descending=True)],
    load=lambda scope, staff, item_id: scope.get(Competition, item_id),
    action_schema=staff_competitions.CompetitionActionIn,
    act=lambda scope, staff, item_id, **data: competitions.transition(
        scope=scope, staff=staff, competition_id=item_id, **data
    ),
    columns=[
        Column("竞赛", lambda c: c.title),
        Column("类型", lambda c: COMPETITION_KIND_LABELS.get(c.kind, c.kind)),
        Column("报名截止", lambda c: local_time(c.signup_deadline)),
        Column("主办工会", lambda c: c.org.name),
        Column("说明", lambda c: c.description or "", in_row=False),
    ],
    filters=[
        Filter("status", "状态", choices=lambda: _labels(COMPETITION_STATUS_LABELS)),
        Filter("kind", "类型", choices=lambda: _labels(COMPETITION_KIND_LABELS)),
    ],
    title=lambda c: f"竞赛 #{c.id} {c.title}",
    pending={"status": "draft"},
)


KINDS: dict[str, Kind] = {
    k.slug: k
    for k in (
        MEMBERSHIP_KIND,
        TRANSFER_KIND,
        UNIT_KIND,
        AID_KIND,
        WAGE_KIND,
        LEGAL_KIND,
        EVENT_KIND,
        COMPETITION_KIND,
    )
}


def secret_key() -> str:
    return current_app.config["SECRET_KEY"]
