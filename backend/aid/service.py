"""困难帮扶 rules: submitting a help request, its state machine, staff handling, the worker's withdrawal
and rating (会员评议) and duplicate flags. Needy-household files (建档立卡) are ``aid.households``.

Plain keyword-only functions; the request (or job) owns the transaction. Every transition goes
through ``cases.kind.apply`` (timeline, SLA deadline, audit) with this module's effects, which tell
the worker and record participation facts.
"""

from __future__ import annotations

import functools
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Select, bindparam, null, select
from sqlalchemy.orm import selectinload

from backend.aid import subsidy
from backend.aid.models import (
    AID_STATUS_LABELS,
    AidRequest,
    AidStatus,
    HouseholdStatus,
    NeedyHousehold,
)
from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.kind import Kind, Step, apply
from backend.cases.models import CaseEvent
from backend.cases.paging import SortKey, seek
from backend.cases.queue import filter_queue
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.statemachine import StateMachine, Transition
from backend.common.time import SHANGHAI
from backend.common.types import utcnow
from backend.extensions import db
from backend.members import privacy
from backend.members.models import Member, WxAccount
from backend.notify import service as notify
from backend.orgs.models import Org
from backend.participation import service as participation
from backend.staff.models import Staff
from backend.staff.scope import Scope
from backend.uploads import service as uploads

if TYPE_CHECKING:  # the schemas read the service's labels; the service only names their input
    from backend.aid.schemas import RequestIn

S = AidStatus
REF_TYPE = "aid_request"

# --- the state machine (DESIGN §3): who may do what, from which state -----------------------------------
AID_TRANSITIONS = [
    Transition("accept", frozenset({S.SUBMITTED}), S.ACCEPTED, "staff", "受理"),
    Transition("verify", frozenset({S.ACCEPTED}), S.VERIFYING, "staff", "开始走访核实"),
    Transition("approve", frozenset({S.VERIFYING}), S.APPROVED, "staff", "批准"),
    Transition("reject", frozenset({S.VERIFYING}), S.REJECTED, "staff", "不予批准", needs_note=True),
    Transition("disburse", frozenset({S.APPROVED}), S.DISBURSED, "staff", "发放帮扶金"),
    Transition("close", frozenset({S.DISBURSED}), S.CLOSED, "staff", "办结"),
    Transition("withdraw", frozenset({S.SUBMITTED, S.ACCEPTED, S.VERIFYING}), S.WITHDRAWN, "worker", "撤回"),
    # Not a move: checked against the table, the status stays closed (see ``rate``).
    Transition("rate", frozenset({S.CLOSED}), S.CLOSED, "worker", "评价"),
]
AID_FLOW = StateMachine("aid", AID_TRANSITIONS, labels=AID_STATUS_LABELS)
FINAL_STATES = frozenset({S.REJECTED, S.CLOSED, S.WITHDRAWN})

AID = cases.CaseKind(name="aid", label="困难帮扶", model=AidRequest, flow=AID_FLOW, final_states=FINAL_STATES)

# The participation facts this domain records (its ``register`` declares them).
PARTICIPATION_KINDS = {
    "aid.submitted": "提交帮扶申请",
    "aid.accepted_in_time": "帮扶申请按时受理",
    "aid.disbursed": "帮扶资金发放",
    "aid.rated": "会员评议帮扶办理",
    "aid.household_filed": "困难职工建档立卡",
}

# Timeline lines beyond the flow's own actions.
ACTION_LABELS = {
    **{t.action: t.label for t in AID_TRANSITIONS},
    "submit": "提交申请",
    "assign": "分派经办人",
    "flag_duplicate": "疑似重复申请",
    "escalate": "超期上报上级工会",
    "overdue": "超期提醒",
}
# What the worker sees of the timeline: not internal lines (assignment, duplicate flags, alerts).
WORKER_VISIBLE = frozenset(
    {"submit", "accept", "verify", "approve", "reject", "disburse", "close", "withdraw", "rate", "escalate"}
)

# Inputs a staff action takes besides the note; anything else sent with it is refused.
_ACTION_INPUTS = {"accept": {"assignee_id"}, "approve": {"amount"}, "disburse": {"amount", "disbursed_on"}}


def illness_key(name: str) -> str:
    """An illness name reduced for comparison: full-width → half-width, no spaces or punctuation,
    case-folded (so '肺 癌。' and '肺癌' are the same illness)."""
    text = unicodedata.normalize("NFKC", name)
    kept = (ch for ch in text if unicodedata.category(ch)[0] not in ("Z", "P", "S", "C"))
    return "".join(kept).casefold()[:100]


def category_label(code: str) -> str:
    return subsidy.rules().categories.get(code, code)


def staff_actions(case: AidRequest) -> list[Transition]:
    """The buttons the admin panel offers for this case now (from the table)."""
    return AID_FLOW.actions(case.status, "staff")


def worker_actions(case: AidRequest) -> list[str]:
    """What the worker may do now (withdraw, rate): the table, and a rating only once."""
    return [
        t.action
        for t in AID_FLOW.actions(case.status, "worker")
        if not (t.action == "rate" and case.rated_at is not None)
    ]


# --- submitting (worker) ---------------------------------------------------------------------------------
def submit(*, member: Member, request_in: RequestIn) -> cases.CaseDetail:
    """Record a member's help request in their union: SLA deadline, subsidy suggestion for serious
    illness, duplicate flag, link to the household file, evidence attached, worker told. Returns it
    as the worker's detail page shows it, from what was written (no reading back)."""
    rules = subsidy.rules()
    now = utcnow()
    case = AidRequest(
        member_id=member.id,
        account_id=member.account_id,
        org_id=member.org_id,
        origin_org_id=member.org_id,
        category=request_in.category,
        worker_type=member.worker_type,
        household_size=request_in.household_size,
        monthly_income=request_in.monthly_income,
        situation=request_in.situation,
        amount_requested=request_in.amount_requested,
        submitted_at=now,
    )
    if case.category == subsidy.SERIOUS_ILLNESS:
        case.illness = request_in.illness
        case.illness_key = illness_key(request_in.illness)
        case.medical_total = request_in.medical_total
        case.medical_reimbursed = request_in.medical_reimbursed
        suggestion = rules.subsidy.suggest(case.net_medical_cost, member.worker_type)
        if suggestion is not None:
            case.suggested_amount = suggestion.amount
            case.suggestion_basis = suggestion.basis[:200]
    # the household file and an earlier twin in one round trip; a twin is read whole only if there is one
    window = rules.duplicate_window
    statement = _household_and_twin(bool(window), case.category == subsidy.SERIOUS_ILLNESS)
    values = {"member_id": member.id, "category": case.category, "illness_key": case.illness_key}
    values["since"] = now - window if window else None
    case.needy_household_id, twin_id = db.session.execute(statement, values).one()
    twin = db.session.get(AidRequest, twin_id) if twin_id is not None else None
    if twin is not None:
        case.flagged_duplicate = True
        case.duplicate_of_id = twin.id
    cases.enter(AID, case, S.SUBMITTED, now)
    db.session.add(case)
    db.session.flush()

    events = [
        cases.record(
            AID,
            case,
            actor_type="worker",
            actor_id=case.account_id,
            action="submit",
            to_status=S.SUBMITTED,
            at=now,
        )
    ]
    if twin is not None:
        events.append(
            cases.record(
                AID,
                case,
                actor_type="system",
                actor_id=None,
                action="flag_duplicate",
                at=now,
                note=_twin_note(case, twin),
                detail={"duplicate_of_id": twin.id},
            )
        )
    attached = []
    if request_in.evidence_ids:
        attached = uploads.attach(
            account=db.session.get(WxAccount, case.account_id),
            upload_ids=request_in.evidence_ids,
            case_type=AID.name,
            case_id=case.id,
        )
    _tell_worker(case, "submitted")
    participation.record(
        kind="aid.submitted", org_id=case.org_id, member_id=case.member_id, ref_type=REF_TYPE, ref_id=case.id
    )
    return cases.CaseDetail(case, _shown_to_worker(events), sorted(attached, key=lambda u: u.id))


@functools.cache
def _household_and_twin(twin_window: bool, same_illness: bool) -> Select:
    """The member's active household file and, with a duplicate window, the id of their latest
    earlier request of the same category (and illness) inside it, as one SELECT. Built once per
    shape: building it and working out its cache key cost more than running it; each request binds
    ``member_id``, ``category``, ``since`` and ``illness_key``."""
    household = (
        select(NeedyHousehold.id)
        .where(
            NeedyHousehold.member_id == bindparam("member_id"),
            NeedyHousehold.status == HouseholdStatus.ACTIVE,
        )
        .limit(1)
        .scalar_subquery()
    )
    if not twin_window:
        return select(household, null())
    twin = select(AidRequest.id).where(
        AidRequest.member_id == bindparam("member_id"),
        AidRequest.category == bindparam("category"),
        AidRequest.submitted_at >= bindparam("since"),
        AidRequest.status != S.WITHDRAWN,  # a withdrawn request was never weighed
    )
    if same_illness:
        twin = twin.where(AidRequest.illness_key == bindparam("illness_key"))
    twin = twin.order_by(AidRequest.submitted_at.desc(), AidRequest.id.desc()).limit(1)
    return select(household, twin.scalar_subquery())


def _twin_note(case: AidRequest, twin: AidRequest) -> str:
    same = "同一会员、同一类别" + ("、同一疾病" if case.category == subsidy.SERIOUS_ILLNESS else "")
    submitted = twin.submitted_at.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    status = AID_STATUS_LABELS.get(twin.status, twin.status)
    return f"疑似重复申请：与 {submitted} 提交的 #{twin.id}（{status}）为{same}，请核实"


# --- following, withdrawing, rating (worker) ---------------------------------------------------------------
def requests_of_stmt(account: WxAccount) -> Select:
    return select(AidRequest).where(AidRequest.account_id == account.id).order_by(AidRequest.id.desc())


def own_request(account: WxAccount, request_id: int, *, for_update: bool = False) -> AidRequest:
    """The caller's own request; anyone else's is reported as absent."""
    stmt = select(AidRequest).where(AidRequest.id == request_id, AidRequest.account_id == account.id)
    if for_update:
        stmt = stmt.with_for_update()
    case = db.session.scalars(stmt).first()
    if case is None:
        raise NotFound("帮扶申请不存在")
    return case


def _shown_to_worker(events: list[CaseEvent]) -> list[CaseEvent]:
    return [e for e in events if e.action in WORKER_VISIBLE]


def worker_detail(case: AidRequest) -> cases.CaseDetail:
    """The request as the worker's detail page shows it: what happened (no internal steps), the
    evidence."""
    return cases.CaseDetail(
        case, _shown_to_worker(cases.timeline(AID, case.id)), uploads.of_case(AID.name, case.id)
    )


def withdraw(*, account: WxAccount, request_id: int) -> AidRequest:
    """The worker takes the request back, any time before a decision."""
    case = own_request(account, request_id, for_update=True)
    apply(AID_KIND, "withdraw", actor_type="worker", case=case, actor_id=account.id)
    return case


def rate(*, account: WxAccount, request_id: int, score: int, comment: str | None) -> AidRequest:
    """会员评议: once, after the request is closed."""
    case = own_request(account, request_id, for_update=True)
    apply(AID_KIND, "rate", actor_type="worker", case=case, actor_id=account.id, note=comment, score=score)
    return case


def _withdrawn(step: Step) -> None:
    """The worker is told, unless the request goes with their erased data (nobody is left to tell)."""
    if not step.inputs.get("erasing"):
        _tell_worker(step.case, "withdrawn")


def _rated(step: Step) -> dict:
    """A rating is not a move (the request stays closed): once only, credited to the union."""
    case = step.case
    if case.rated_at is not None:
        raise Conflict("您已评价过该帮扶申请，每件只能评价一次", code="already_rated")
    score = step.inputs["score"]
    case.rating, case.rating_comment, case.rated_at = score, step.note or None, step.now
    participation.record(
        kind="aid.rated", org_id=case.org_id, member_id=case.member_id, ref_type=REF_TYPE, ref_id=case.id
    )
    return {"score": score}


# --- the staff queue -------------------------------------------------------------------------------------
QUEUE_ORDER = [SortKey(AidRequest.submitted_at), SortKey(AidRequest.id)]  # first come, first served


def queue_stmt(
    scope: Scope,
    *,
    status: list[str] | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    assignee: str | None = None,
    flagged: bool | None = None,
    q: str | None = None,
    now: datetime | None = None,
) -> Select:
    """Help requests of the caller's subtree, filtered (the shared filters: ``backend/cases/queue.py``)."""
    stmt = scope.restrict(select(AidRequest), AidRequest.org_id)
    stmt = filter_queue(stmt, AidRequest, scope, status=status, overdue=overdue, assignee=assignee, now=now)
    if category:
        stmt = stmt.where(AidRequest.category == category)
    if flagged is not None:
        stmt = stmt.where(AidRequest.flagged_duplicate.is_(flagged))
    if q:
        q = q.strip()
        by_name = select(Member.id).where(Member.name.contains(q, autoescape=True))
        stmt = stmt.where(
            AidRequest.situation.contains(q, autoescape=True)
            | AidRequest.illness.contains(q, autoescape=True)
            | AidRequest.member_id.in_(by_name)
        )
    return stmt


def reveal_requester(*, scope: Scope, staff: Staff, request_id: int) -> AidRequest:
    """The applicant's full name, ID number and phone, for the home visit (走访核实): audited; outside
    the subtree a 404. The caller checks the reveal permission."""
    case = scope.get(AidRequest, request_id)
    audit.record(
        staff=staff, action="pii.reveal", target_type=AID.name, target_id=case.id, org_id=case.org_id
    )
    return case


def queue_page(
    scope: Scope, *, cursor: str | None = None, limit: int = 20, **filters
) -> tuple[list[AidRequest], str | None]:
    """One keyset page of the queue, oldest submission first; the cursor continues after it."""
    stmt = queue_stmt(scope, **filters).options(selectinload(AidRequest.member), selectinload(AidRequest.org))
    return seek(stmt, QUEUE_ORDER, cursor=cursor, limit=limit)


# --- handling (staff) ------------------------------------------------------------------------------------
def handle(
    *,
    scope: Scope,
    staff: Staff,
    request_id: int,
    action: str,
    note: str | None = None,
    amount: Decimal | None = None,
    disbursed_on: date | None = None,
    assignee_id: int | None = None,
) -> AidRequest:
    """Apply a staff action to a request in the caller's subtree (409 if the table forbids it)."""
    step = apply(
        AID_KIND,
        action,
        actor_type="staff",
        scope=scope,
        case_id=request_id,
        staff=staff,
        note=note,
        amount=amount,
        disbursed_on=disbursed_on,
        assignee_id=assignee_id,
    )
    return step.case


def _decided(step: Step) -> dict:
    """A staff decision: the inputs it takes, what it writes on the case, the worker told, and the
    union credited (按时受理: before the deadline, never escalated; 资金发放)."""
    case, action, now = step.case, step.action, step.now
    for name, value in step.inputs.items():
        if value is not None and name not in _ACTION_INPUTS.get(action, ()):
            raise InvalidInput(name, "该操作不需要填写此项")
    in_time = case.escalations == 0 and (case.due_at is None or now <= case.due_at)
    inputs = step.inputs
    detail = _record_decision(
        case, action, note=step.note, amount=inputs["amount"], disbursed_on=inputs["disbursed_on"], now=now
    )
    assignee_id = inputs["assignee_id"]
    if action == "accept" and assignee_id is not None:
        step.then(lambda: _hand_over(step, assignee_id))
    _tell_worker(
        case,
        step.target,
        amount=case.disbursed_amount if action == "disburse" else case.approved_amount,
        reason=case.rejection_reason or "",
    )
    fact = "aid.disbursed" if action == "disburse" else None
    if action == "accept" and in_time:
        fact = "aid.accepted_in_time"
    if fact:
        participation.record(
            kind=fact, org_id=case.org_id, member_id=case.member_id, ref_type=REF_TYPE, ref_id=case.id
        )
    return detail


def _hand_over(step: Step, assignee_id: int) -> None:
    """Accepting with a named owner: handed on after the acceptance (and its automatic ownership)."""
    if assignee_id != step.case.assignee_id:
        cases.assign(AID, scope=step.scope, staff=step.staff, case_id=step.case.id, assignee_id=assignee_id)


def _record_decision(
    case: AidRequest, action: str, *, note: str | None, amount: Decimal | None, disbursed_on, now: datetime
) -> dict:
    """Write what a decision carries (amounts, reason, date) on the case; return it for the timeline."""
    today = now.astimezone(SHANGHAI).date()
    if action == "approve":
        if amount is None:
            raise InvalidInput("amount", "请填写批准的帮扶金额")
        case.approved_amount = amount
        return {"amount": str(amount)}
    if action == "reject":
        case.rejection_reason = (note or "").strip()[:500] or None
    if action == "disburse":
        amount = case.approved_amount if amount is None else amount
        if amount > case.approved_amount:
            raise InvalidInput("amount", f"发放金额不能超过批准金额 {case.approved_amount:,.2f} 元")
        disbursed_on = disbursed_on or today
        if disbursed_on > today:
            raise InvalidInput("disbursed_on", "发放日期不能晚于今天")
        if disbursed_on < case.submitted_at.astimezone(SHANGHAI).date():
            raise InvalidInput("disbursed_on", "发放日期不能早于申请日期")
        case.disbursed_amount, case.disbursed_on = amount, disbursed_on
        return {"amount": str(amount), "disbursed_on": disbursed_on.isoformat()}
    return {}


AID_KIND = Kind(
    name="aid",
    target_type=AID.name,  # as cases.assign writes it
    model=AidRequest,
    flow=AID_FLOW,
    note_message="请填写原因或说明",
    effects={
        **dict.fromkeys(("accept", "verify", "approve", "reject", "disburse", "close"), _decided),
        "withdraw": _withdrawn,
        "rate": _rated,
    },
    case=AID,
)


def assign(
    *, scope: Scope, staff: Staff, request_id: int, assignee_id: int | None, note: str | None = None
) -> AidRequest:
    """Give the request an owner (or none) within the caller's subtree; timeline and audit included."""
    return cases.assign(AID, scope=scope, staff=staff, case_id=request_id, assignee_id=assignee_id, note=note)


def _tell_worker(case: AidRequest, event: str, **values) -> None:
    """One inbox message (and WeChat send, if granted) per transition: template ``aid.<event>``."""
    org = db.session.get(Org, case.org_id)
    notify.notify(
        account_id=case.account_id,
        kind=f"aid.{event}",
        org_id=case.org_id,
        org_name=org.name,
        category_label=category_label(case.category),
        request_id=case.id,
        **values,
    )


# --- personal data (PIPL) ------------------------------------------------------------------------------
def _export_requests(account: WxAccount, member: Member | None) -> list[AidRequest]:
    return list(db.session.scalars(requests_of_stmt(account)))


def erase_personal_data(account: WxAccount, member: Member | None) -> None:
    """The person leaves: undecided requests are withdrawn (without a message — there is nobody left to
    tell), and every request keeps its timeline and amounts but loses the household story, the illness
    and the rating comment."""
    stmt = select(AidRequest).where(AidRequest.account_id == account.id).with_for_update()
    requests = list(db.session.scalars(stmt))
    for case in requests:
        if "withdraw" in worker_actions(case):
            apply(AID_KIND, "withdraw", actor_type="worker", case=case, actor_id=account.id, erasing=True)
        case.situation, case.illness, case.rating_comment = privacy.ERASED_TEXT, None, None
        case.illness_key = case.rejection_reason = None
    privacy.forget_history(AID.name, [case.id for case in requests])
    if member is None:
        return
    # The household file (建档立卡) is the member's family story: closed, its texts and measures gone.
    households = list(db.session.scalars(select(NeedyHousehold).where(NeedyHousehold.member_id == member.id)))
    for household in households:
        household.situation = household.plan = privacy.ERASED_TEXT
        household.measures, household.close_reason = [], None
        if household.status != HouseholdStatus.CLOSED:
            household.status, household.closed_at = HouseholdStatus.CLOSED, utcnow()
    privacy.forget_history("needy_household", [h.id for h in households])


PERSONAL_DATA = privacy.PersonalData("aid_requests", export=_export_requests, erase=erase_personal_data)
