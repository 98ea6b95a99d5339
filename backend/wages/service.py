"""欠薪求助 rules: filing a claim (for oneself or a crew), following it, the staff flow with its
outcome, and the daily priority refresh. Plain functions; the request or job owns the transaction."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, bindparam, false, select, update
from sqlalchemy.orm import joinedload, load_only

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.kind import Kind, Step, apply
from backend.cases.models import CaseEvent
from backend.cases.paging import SortKey, seek
from backend.cases.queue import filter_queue, narrows_to_one_assignee
from backend.common import crypto, persistence
from backend.common.errors import InvalidInput, NotFound
from backend.common.types import utcnow
from backend.extensions import db
from backend.members import privacy
from backend.members.models import Member, WxAccount
from backend.notify import service as notify
from backend.orgs.models import Org, OrgLevel
from backend.participation import service as participation
from backend.staff import lookup as staff_lookup
from backend.staff.models import Staff
from backend.staff.scope import Scope
from backend.uploads import service as uploads
from backend.wages import clusters
from backend.wages.flow import EVENT_LABELS, WAGE, WAGE_FLOW
from backend.wages.models import OPEN_STATUSES, WAGE_STATUS_LABELS, WageClaim, WageStatus
from backend.wages.priority import local_date, priority_of
from backend.wages.rules import rules
from backend.wages.schemas import ClaimIn, WageClaimSchema

# What a union is credited with for wage claims. Filing a claim is not the union's act (and the claim
# row itself records it for statistics), so the submission path writes no fact and enqueues no job
# for one; the amounts recovered stay queryable on the claims (amount_recovered, workers_paid).
# The participation facts this domain records (its ``register`` declares them).
PARTICIPATION_KINDS = {"wage.accepted_in_time": "欠薪求助按时受理", "wage.resolved": "欠薪追回"}

QUEUE_ORDER = [SortKey(WageClaim.priority, descending=True), SortKey(WageClaim.id, descending=True)]
_COLUMNS = WageClaim.__table__.c
# The columns a queue row shows: those of the staff row view (the crew, the free text and the rest
# wait for the detail page).
QUEUE_ROW = (
    *(getattr(WageClaim, name) for name in WageClaimSchema.views["staff_row"] if name in _COLUMNS),
    WageClaim.org_id,
)
_PAGE_ROWS = (
    select(WageClaim)
    .where(WageClaim.id.in_(bindparam("ids", expanding=True)))
    .options(load_only(*QUEUE_ROW), joinedload(WageClaim.org).load_only(Org.name, Org.level))
)


# Statements of the submission path, built once: building a statement costs more than running it.
_FILING_ORG = select(Org.id, Org.name, Org.level, Org.parent_id).where(Org.id == bindparam("org_id"))
_CLAIM_COLUMNS = tuple(c.key for c in WageClaim.__table__.columns if c.key != "id")


def _filing_org(org_id: int) -> Org:
    """Claims are filed with a county or township (street) union: they mediate, base unions don't.
    Returns a transient ``Org`` with the columns the claim needs (one small SELECT, no ORM load)."""
    row = db.session.execute(_FILING_ORG, {"org_id": org_id}).first()
    if row is None:
        raise InvalidInput("org_id", "所选工会不存在")
    if row.level not in (OrgLevel.COUNTY, OrgLevel.TOWN):
        raise InvalidInput("org_id", "请选择欠薪发生地所在的县区或乡镇（街道）工会")
    return Org(id=row.id, name=row.name, level=row.level, parent_id=row.parent_id)


# --- filing (the worker) ------------------------------------------------------------------------------
def submit_claim(*, account: WxAccount, claim_in: ClaimIn) -> WageClaim:
    """A worker (member or not) reports unpaid wages, for themselves or for a crew.

    This is the phone's hot path, so it runs a fixed handful of statements and no ORM flush of its
    own: the org (one SELECT), the cluster (one upsert), the claim (one INSERT); the timeline line,
    the notification and its outbox row go through the shared services. The returned claim is a
    transient ``WageClaim`` holding what was stored. The cluster's early warning costs a few more
    statements, but only for the one claim that reaches the threshold.
    """
    now = utcnow()
    wage_rules = rules()
    org = _filing_org(claim_in.org_id)
    workers, amount, owed_since = claim_in.workers_owed, claim_in.amount_owed, claim_in.owed_since
    cluster = clusters.join_cluster(
        county_id=clusters.county_of(org),
        employer_key=clusters.normalise_employer(claim_in.employer, wage_rules),
        employer=claim_in.employer,
        workers=workers,
        amount=amount,
        now=now,
    )
    warn = clusters.reaches_warning(cluster, wage_rules)
    crew = claim_in.crew
    claim = WageClaim(
        account_id=account.id,
        org_id=org.id,
        origin_org_id=org.id,
        **claim_in.stored(),
        crew=json.dumps(crew, ensure_ascii=False, separators=(",", ":")) if crew else None,
        contact_phone_blind=crypto.phone_index(claim_in.contact_phone),
        priority=priority_of(
            amount=amount, workers=workers, owed_since=owed_since, today=local_date(now), rules=wage_rules
        ),
        cluster_id=cluster.id,
        warning=warn or cluster.warned_at is not None,
        escalations=0,
        submitted_at=now,
        updated_at=now,
    )
    claim.org = org
    cases.enter(WAGE, claim, WageStatus.SUBMITTED, now)
    # Every column explicitly (unset ones are None): Core applies no Python-side defaults to keys given.
    claim.id = persistence.insert_row(WageClaim, {key: getattr(claim, key) for key in _CLAIM_COLUMNS})
    if claim_in.evidence_ids:
        uploads.attach(
            account=account, upload_ids=claim_in.evidence_ids, case_type=WAGE.name, case_id=claim.id
        )
    cases.record(
        WAGE, claim, actor_type="worker", actor_id=account.id, action="submit", to_status=claim.status, at=now
    )
    if warn:
        clusters.raise_warning(cluster_id=cluster.id, claim=claim, county_id=clusters.county_of(org), now=now)
    notify.notify(
        account_id=account.id,
        kind="wage.submitted",
        org_id=org.id,
        org_name=org.name,
        employer=claim.employer,
    )
    return claim


def claims_of_stmt(account: WxAccount) -> Select:
    """The worker's own claims, newest first."""
    return (
        select(WageClaim)
        .where(WageClaim.account_id == account.id)
        .options(joinedload(WageClaim.org))
        .order_by(WageClaim.id.desc())
    )


def claims_of(account: WxAccount) -> list[WageClaim]:
    """Every claim of the worker, newest first."""
    return list(db.session.scalars(claims_of_stmt(account)))


def _events(claim_id: int) -> list[CaseEvent]:
    return cases.timeline(WAGE, claim_id)


def _worker_timeline(events: list[CaseEvent]) -> list[dict]:
    """The timeline as the worker sees it: what happened and where, without internal steps."""
    shown = [e for e in events if e.action in EVENT_LABELS]
    org_ids = {e.org_id for e in shown if e.org_id}
    names = (
        dict(db.session.execute(select(Org.id, Org.name).where(Org.id.in_(org_ids))).all()) if org_ids else {}
    )
    targets = rules().referral_targets
    lines = []
    for event in shown:
        title = EVENT_LABELS[event.action]
        if event.action == "refer":
            title = f"已转办：{targets.get(event.detail.get('referral_target'), '')}".rstrip("：")
        lines.append(
            {
                "at": event.at,
                "title": title,
                "status": event.to_status,
                "status_label": WAGE_STATUS_LABELS.get(event.to_status) if event.to_status else None,
                "org_name": names.get(event.org_id),
                "note": event.note,
            }
        )
    return lines


def claim_for_worker(*, account: WxAccount, claim_id: int) -> cases.CaseDetail:
    """One of the worker's own claims with its timeline; anybody else's is 404."""
    claim = db.session.scalars(
        select(WageClaim).where(WageClaim.id == claim_id).options(joinedload(WageClaim.org))
    ).first()
    if claim is None or claim.account_id != account.id:
        raise NotFound("欠薪求助不存在")
    return cases.CaseDetail(claim, _worker_timeline(_events(claim.id)), uploads.of_case(WAGE.name, claim.id))


# --- the staff queue ----------------------------------------------------------------------------------
def _holding_claims(scope: Scope, staff_level: str):
    """Which claims lie in the scope. Claims are filed with counties and towns and only ever move
    up, so a town's subtree holds the claims of the town node itself and a base union's none; a
    county's or the city's are those of its non-base nodes (a sub-select on the small org table)."""
    if staff_level == OrgLevel.TOWN:
        return WageClaim.org_id == scope.org_id
    if staff_level == OrgLevel.BASE:
        return false()
    return WageClaim.org_id.in_(scope.org_ids().where(Org.level != OrgLevel.BASE))


# A county's or the city's page is found by walking the priority index backwards, checking org_id
# and status inside each index entry: a few hundred entries. Left to itself, MariaDB would start from
# the ~200 org ids and sort every claim they hold (a million for a city).
_WALK_PRIORITY = "FORCE INDEX (ix_wage_claims_priority)"


def queue_stmt(
    scope: Scope,
    *,
    staff_level: str,
    status: list[str] | None = None,
    priority_min: int | None = None,
    priority_max: int | None = None,
    overdue: bool | None = None,
    assignee: str | None = None,
    cluster_id: int | None = None,
    warning: bool | None = None,
    q: str | None = None,
    lookup: str | None = None,
    now: datetime | None = None,
    walk_priority: bool = True,
) -> Select:
    """Claims in the staff member's subtree matching the filters (unordered: ``queue`` pages it).
    A town's queue is served in order by (org_id, priority, id); wider ones by the priority walk.
    A count (the dashboard's) passes ``walk_priority=False``: walking the city's priority index to
    count a county's few waiting claims would read every entry, where (org_id, status) finds them."""
    stmt = select(WageClaim).where(_holding_claims(scope, staff_level))
    staff_lookup.refuse_in_url(q)  # a whole phone comes as a lookup token, never in the URL
    found = staff_lookup.read_token(lookup) if lookup else None
    narrower = cluster_id is not None or narrows_to_one_assignee(assignee) or found  # an index of its own
    if walk_priority and staff_level in (OrgLevel.CITY, OrgLevel.COUNTY) and not narrower:
        stmt = stmt.with_hint(WageClaim, _WALK_PRIORITY, "mysql")
    stmt = filter_queue(stmt, WageClaim, scope, status=status, overdue=overdue, assignee=assignee, now=now)
    if priority_min is not None:
        stmt = stmt.where(WageClaim.priority >= priority_min)
    if priority_max is not None:
        stmt = stmt.where(WageClaim.priority <= priority_max)
    if cluster_id is not None:
        stmt = stmt.where(WageClaim.cluster_id == cluster_id)
    if warning is not None:
        stmt = stmt.where(WageClaim.warning.is_(warning))
    if found is not None:  # a whole phone number: by its blind index, never plaintext
        digest = found.digest if found.kind == staff_lookup.MOBILE else "-"
        stmt = stmt.where(WageClaim.contact_phone_blind == digest)
    if q:
        q = q.strip()
        stmt = stmt.where(
            WageClaim.employer.contains(q, autoescape=True) | WageClaim.project.contains(q, autoescape=True)
        )
    return stmt


def queue(
    scope: Scope, *, staff_level: str, cursor: str | None = None, limit: int = 20, **filters
) -> tuple[list, str | None]:
    """One page of the queue, most urgent first (priority, then newest); the cursor of the next.

    Two short steps: the page's keys are found in the index alone (priority, id, org_id and status
    live in one index entry, so a county's page does not read the rows of the 18 other counties it
    walks past), then the page's 20 rows are read by primary key."""
    keys = queue_stmt(scope, staff_level=staff_level, **filters).options(
        load_only(WageClaim.id, WageClaim.priority)
    )
    page, next_cursor = seek(keys, QUEUE_ORDER, cursor=cursor, limit=limit)
    if page:  # fills in what a queue row shows, on the same objects
        db.session.execute(_PAGE_ROWS, {"ids": [c.id for c in page]}).unique().all()
    return page, next_cursor


def claim_for_staff(*, scope: Scope, claim_id: int) -> cases.CaseDetail:
    """A claim of the subtree with its timeline, attachments and cluster (404 outside the subtree)."""
    stmt = select(WageClaim).where(WageClaim.id == claim_id)
    stmt = scope.restrict(stmt, WageClaim.org_id).options(
        joinedload(WageClaim.org), joinedload(WageClaim.cluster)
    )
    claim = db.session.scalars(stmt).first()
    if claim is None:
        raise NotFound("欠薪求助不存在")
    return cases.CaseDetail(claim, _events(claim.id), uploads.of_case(WAGE.name, claim.id))


def allowed_actions(claim: WageClaim) -> list[str]:
    return [t.action for t in WAGE_FLOW.actions(claim.status, "staff")]


# --- the staff flow -----------------------------------------------------------------------------------
_OUTCOME_FIELDS = {"refer": {"referral_target"}, "resolve": {"amount_recovered", "workers_paid"}}


def _apply_outcome(claim: WageClaim, action: str, outcome: dict, note: str | None, now: datetime) -> dict:
    """Check and store what the action records (referral target, amounts, reason); the detail for
    the timeline and the audit log."""
    for name, value in outcome.items():
        if value is not None and name not in _OUTCOME_FIELDS.get(action, ()):
            raise InvalidInput(name, "此项只在转办（referral_target）或办结（金额、人数）时填写")
    if action == "refer":
        targets = rules().referral_targets
        target = outcome.get("referral_target")
        if target not in targets:
            raise InvalidInput("referral_target", f"请选择转办去向：{'、'.join(targets.values())}")
        claim.referral_target, claim.referred_at = target, now
        return {"referral_target": target}
    if action == "resolve":
        recovered, paid = outcome.get("amount_recovered"), outcome.get("workers_paid")
        if recovered is None:
            raise InvalidInput("amount_recovered", "请填写追回金额")
        if paid is None:
            raise InvalidInput("workers_paid", "请填写已拿到工资的人数")
        if paid > claim.workers_owed:
            raise InvalidInput("workers_paid", f"不能超过欠薪人数（{claim.workers_owed}人）")
        claim.amount_recovered, claim.workers_paid, claim.resolved_at = recovered, paid, now
        return {"amount_recovered": str(recovered), "workers_paid": paid}
    if action == "close":
        claim.close_reason = (note or "").strip()[:500] or None
    return {}


def _claim_effect(step: Step) -> dict:
    """What a staff action does to a claim besides its status: the outcome it records, the union's
    participation facts (受理 in time, wages recovered) and the message to the worker."""
    claim, action, now = step.case, step.action, step.now
    in_time = (
        action == "accept" and claim.escalations == 0 and claim.due_at is not None and now <= claim.due_at
    )
    detail = _apply_outcome(claim, action, step.inputs, step.note, now)
    if in_time:
        participation.record(
            kind="wage.accepted_in_time",
            org_id=claim.org_id,
            ref_type=WAGE.name,
            ref_id=claim.id,
            occurred_at=now,
        )
    if step.target == WageStatus.RESOLVED:
        participation.record(
            kind="wage.resolved", org_id=claim.org_id, ref_type=WAGE.name, ref_id=claim.id, occurred_at=now
        )
    org = db.session.get(Org, claim.org_id)
    notify.notify(
        account_id=claim.account_id,
        kind=f"wage.{step.target}",
        org_id=org.id,
        org_name=org.name,
        employer=claim.employer,
        note=step.note or "",
        referral=rules().referral_targets.get(claim.referral_target or "", ""),
        amount_recovered=claim.amount_recovered,
        workers_paid=claim.workers_paid,
    )
    return detail


WAGE_KIND = Kind(
    name="wage",
    target_type=WAGE.name,
    model=WageClaim,
    flow=WAGE_FLOW,
    note_message="请填写原因或说明",
    effects=dict.fromkeys(WAGE_FLOW.all_actions, _claim_effect),
    case=WAGE,
)


def transition_claim(
    *,
    scope: Scope,
    staff: Staff,
    claim_id: int,
    action: str,
    note: str | None = None,
    referral_target: str | None = None,
    amount_recovered: Decimal | None = None,
    workers_paid: int | None = None,
) -> WageClaim:
    """Move a claim of the subtree along the flow (409 if the table does not allow it), record the
    outcome, tell the worker, credit the union's participation facts, audit the staff action."""
    step = apply(
        WAGE_KIND,
        action,
        actor_type="staff",
        scope=scope,
        case_id=claim_id,
        staff=staff,
        note=note,
        referral_target=referral_target,
        amount_recovered=amount_recovered,
        workers_paid=workers_paid,
    )
    return step.case


def assign_claim(
    *, scope: Scope, staff: Staff, claim_id: int, assignee_id: int | None, note: str | None
) -> None:
    """Give a claim an owner in the subtree (audited by the shared case rules)."""
    cases.assign(WAGE, scope=scope, staff=staff, case_id=claim_id, assignee_id=assignee_id, note=note)


def reveal_contacts(*, scope: Scope, staff: Staff, claim_id: int) -> WageClaim:
    """The full phone numbers, for staff who must call the worker (a deliberate, audited view)."""
    claim = scope.get(WageClaim, claim_id)
    audit.record(
        staff=staff, action="pii.reveal", target_type=WAGE.name, target_id=claim.id, org_id=claim.org_id
    )
    return claim


# --- periodic ----------------------------------------------------------------------------------------
def refresh_priorities(now: datetime | None = None, *, batch: int = 2000) -> int:
    """Recompute the priority of every open claim for today (days owed and the nearness of Spring
    Festival move with the calendar); returns how many changed. Meant to run once a day."""
    today = local_date(now or utcnow())
    wage_rules = rules()
    changed, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(
                WageClaim.id,
                WageClaim.amount_owed,
                WageClaim.workers_owed,
                WageClaim.owed_since,
                WageClaim.priority,
            )
            .where(WageClaim.status.in_(OPEN_STATUSES), WageClaim.id > last_id)
            .order_by(WageClaim.id)
            .limit(batch)
        ).all()
        if not rows:
            return changed
        updates = []
        for claim_id, amount, workers, owed_since, old in rows:
            new = priority_of(
                amount=amount, workers=workers, owed_since=owed_since, today=today, rules=wage_rules
            )
            if new != old:
                updates.append({"id": claim_id, "priority": new})
        if updates:
            db.session.execute(update(WageClaim), updates)
            changed += len(updates)
        last_id = rows[-1].id


# --- personal data (PIPL) ------------------------------------------------------------------------------
def erase_personal_data(account: WxAccount, member: Member | None) -> None:
    """The person leaves: their claims stay with the union (a crew's wages are still owed) but lose the
    contact's name and phone, the co-workers' names and phones, and the free text."""
    claims = list(db.session.scalars(select(WageClaim).where(WageClaim.account_id == account.id)))
    for claim in claims:
        claim.contact_name, claim.contact_phone, claim.crew = None, "", None
        claim.contact_phone_blind = f"{privacy.ERASED_PREFIX}wage:{claim.id}"
        claim.description = privacy.ERASED_TEXT
    privacy.forget_history(WAGE.name, [claim.id for claim in claims])


PERSONAL_DATA = privacy.PersonalData(
    "wage_claims", export=lambda account, member: claims_of(account), erase=erase_personal_data
)
