"""Competitions (劳动和技能竞赛): settings and lifecycle (staff), who may enter, entries and teams
(workers). Judging lives in ``judging.py``, the quiz in ``quiz.py``. Plain functions; the request
owns the transaction.

Rules worth knowing:
- Eligibility: an active member whose union lies in the organising node's subtree, of an allowed
  worker type, before the sign-up deadline of an open competition. A contest restricted to trades
  (工种) asks for the entrant's trade on the entry form; members carry no trade on record, so the
  declared one is checked against the list and kept on the entry for the judges.
- One entry per member per competition: ``competition_participants`` has a unique key on
  (competition, member), so an individual entry, a team captaincy and a team membership exclude
  each other whatever the concurrency.
- A team never exceeds its maximum: joining takes a place on the entry's ``member_count`` through
  ``capacity.take``; the team is complete once the minimum is reached (only complete teams are
  scored and ranked).
- Sign-up ends at the deadline even while the status still says open; staff close it to start judging.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from backend.audit import service as audit
from backend.cases.kind import Kind, Step, apply
from backend.common import capacity
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.persistence import flush_or_conflict
from backend.common.types import utcnow
from backend.competitions import judging
from backend.competitions.models import (
    CATEGORY_LABELS,
    DEFAULT_AWARD_LEVELS,
    Competition,
    CompetitionEntry,
    CompetitionKind,
    CompetitionParticipant,
    CompetitionStatus,
    EntryMode,
    ParticipantRole,
    QuizAttempt,
    QuizQuestion,
)
from backend.competitions.rules import (
    ATTACHMENT_CASE_TYPE,
    COMPETITION_FLOW,
    Invalid,
    NotEligible,
    entry_in,
    is_complete,
    local_time,
    points_text,
    status_label,
)
from backend.competitions.schemas import CompetitionChanges, EntryRequest, NewCompetition
from backend.extensions import db
from backend.members import privacy
from backend.members.models import WORKER_TYPE_LABELS, Member, WxAccount
from backend.notify import service as notify
from backend.orgs.models import ancestor_ids
from backend.participation import service as participation
from backend.staff.models import Staff
from backend.staff.scope import Scope
from backend.uploads import service as uploads

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
JOIN_CODE_LENGTH = 6

# While open only these may change; the rest would change the rules under the entrants' feet.
EDITABLE_WHILE_OPEN = {"title", "description", "signup_deadline"}


# --- settings (staff) -------------------------------------------------------------------------------
def _settings_errors(values: dict, *, now: datetime, deadline_changed: bool) -> dict[str, str]:
    """Cross-field rules of a competition's settings; returns {field: message}."""
    errors: dict[str, str] = {}
    kind, mode = values["kind"], values["entry_mode"]
    team_min, team_max = values.get("team_min"), values.get("team_max")
    if mode == EntryMode.TEAM:
        if team_min is None:
            errors["team_min"] = "团体赛请设置每队最少人数"
        if team_max is None:
            errors["team_max"] = "团体赛请设置每队最多人数"
        if team_min is not None and team_max is not None and team_min > team_max:
            errors["team_min"] = "每队最少人数不能大于最多人数"
    else:
        for field in ("team_min", "team_max"):
            if values.get(field) is not None:
                errors[field] = "个人赛无需设置队伍人数"
    if kind == CompetitionKind.QUIZ:
        if mode != EntryMode.INDIVIDUAL:
            errors["entry_mode"] = "知识竞赛只能个人参加"
        if not values.get("time_limit_minutes"):
            errors["time_limit_minutes"] = "请设置答题时限（分钟）"
        if values.get("trades"):
            errors["trades"] = "知识竞赛不按工种报名"
    elif values.get("time_limit_minutes") is not None:
        errors["time_limit_minutes"] = "只有知识竞赛需要设置答题时限"
    if deadline_changed and values["signup_deadline"] <= now:
        errors["signup_deadline"] = "报名截止时间应晚于当前时间"
    levels = values.get("award_levels") or []
    if len(set(levels)) != len(levels):
        errors["award_levels"] = "奖项名称不能重复"
    return errors


def _current_settings(competition: Competition) -> dict:
    return {
        "title": competition.title,
        "description": competition.description,
        "kind": competition.kind,
        "entry_mode": competition.entry_mode,
        "team_min": competition.team_min,
        "team_max": competition.team_max,
        "trades": list(competition.trades or []),
        "worker_types": competition.worker_type_list,
        "signup_deadline": competition.signup_deadline,
        "full_marks": competition.full_marks,
        "time_limit_minutes": competition.time_limit_s // 60 if competition.time_limit_s else None,
        "award_levels": list(competition.award_levels or []),
    }


def _store_settings(competition: Competition, values: dict) -> None:
    competition.title = values["title"]
    competition.description = values.get("description")
    competition.kind = values["kind"]
    competition.entry_mode = values["entry_mode"]
    competition.team_min = values.get("team_min")
    competition.team_max = values.get("team_max")
    competition.trades = list(dict.fromkeys(values.get("trades") or []))
    worker_types = list(dict.fromkeys(values.get("worker_types") or []))
    competition.worker_types = f",{','.join(worker_types)}," if worker_types else ""
    competition.signup_deadline = values["signup_deadline"]
    competition.full_marks = values.get("full_marks") or 100
    minutes = values.get("time_limit_minutes")
    competition.time_limit_s = minutes * 60 if minutes else None
    competition.award_levels = list(values.get("award_levels") or [])


def create_competition(*, scope: Scope, staff: Staff, competition_in: NewCompetition) -> Competition:
    """A draft competition organised by the staff member's node (or a node below it)."""
    org_id = competition_in.org_id or scope.org_id
    if not scope.contains_id(org_id):
        raise InvalidInput("org_id", "只能由本级或下级工会组织竞赛")
    values = competition_in.settings()
    if not values.get("award_levels"):
        values["award_levels"] = list(DEFAULT_AWARD_LEVELS)
    errors = _settings_errors(values, now=utcnow(), deadline_changed=True)
    if errors:
        raise Invalid(errors)
    competition = Competition(org_id=org_id, created_by=staff.id, status=CompetitionStatus.DRAFT)
    _store_settings(competition, values)
    db.session.add(competition)
    db.session.flush()
    audit.record(
        staff=staff,
        action="competition.create",
        target_type="competition",
        target_id=competition.id,
        org_id=competition.org_id,
        detail={"title": competition.title, "kind": competition.kind},
    )
    return competition


def update_competition(
    *, scope: Scope, staff: Staff, competition_id: int, changes: CompetitionChanges
) -> Competition:
    """Change a draft freely; an open competition only its title, description and deadline."""
    data = changes.settings()
    competition = scope.get(Competition, competition_id, for_update=True)
    if competition.status == CompetitionStatus.OPEN:
        locked = set(data) - EDITABLE_WHILE_OPEN
        if locked:
            raise Conflict("竞赛已开放报名，只能修改标题、说明和报名截止时间", code="competition_open")
    elif competition.status != CompetitionStatus.DRAFT:
        raise Conflict(f"竞赛{status_label(competition)}，不能再修改设置", code="competition_locked")
    before = _current_settings(competition)
    values = {**before, **data}
    deadline_changed = "signup_deadline" in data and data["signup_deadline"] != before["signup_deadline"]
    errors = _settings_errors(values, now=utcnow(), deadline_changed=deadline_changed)
    if errors:
        raise Invalid(errors)
    _store_settings(competition, values)
    changed = {k: str(v) for k, v in data.items() if before.get(k) != values[k]}
    audit.record(
        staff=staff,
        action="competition.update",
        target_type="competition",
        target_id=competition.id,
        org_id=competition.org_id,
        detail={"changed": changed},
    )
    return competition


def competitions_stmt(scope: Scope, *, status: str | None = None, kind: str | None = None) -> Select:
    """Competitions organised within the staff member's subtree, newest first."""
    stmt = scope.restrict(select(Competition), Competition.org_id)
    if status:
        stmt = stmt.where(Competition.status == status)
    if kind:
        stmt = stmt.where(Competition.kind == kind)
    return stmt.order_by(Competition.id.desc())


def question_count(competition_id: int) -> int:
    stmt = select(func.count()).where(QuizQuestion.competition_id == competition_id)
    return db.session.scalar(stmt)


def transition(*, scope: Scope, staff: Staff, competition_id: int, action: str) -> Competition:
    """open → close → rank → publish (see ``COMPETITION_FLOW``); every step audited."""
    return apply(
        COMPETITION_KIND, action, actor_type="staff", scope=scope, case_id=competition_id, staff=staff
    ).case


def _opened(step: Step) -> None:
    competition = step.case
    if competition.signup_deadline <= step.now:
        raise Conflict("报名截止时间已过，请先修改截止时间", code="deadline_passed")
    if competition.kind == CompetitionKind.QUIZ and not question_count(competition.id):
        raise Conflict("请先为知识竞赛设置题目", code="no_questions")
    competition.opened_at = step.now


def _closed(step: Step) -> None:
    step.case.closed_at = step.now


def _ranked(step: Step) -> dict:
    ranked = judging.rank(step.case)
    if not ranked:
        raise Conflict("还没有录入任何成绩，不能计算排名：请先评分", code="nothing_scored")
    step.case.ranked_at = step.now
    return {"ranked": ranked}


def _published(step: Step) -> dict:
    told = judging.publish(step.case)
    step.case.published_at = step.now
    return {"told": told}


COMPETITION_KIND = Kind(
    name="competition",
    target_type="competition",
    model=Competition,
    flow=COMPETITION_FLOW,
    note_message="请填写原因或说明",  # no step of the table asks for a note
    effects={"open": _opened, "close": _closed, "rank": _ranked, "publish": _published},
    audit_detail=lambda step: {"from": step.before, "to": step.target, **step.detail},
)


# --- judging (staff) --------------------------------------------------------------------------------
def score_entry(
    *, scope: Scope, staff: Staff, competition_id: int, entry_id: int, score: Decimal, note: str | None
) -> CompetitionEntry:
    """The judges' score for a skill or “五小” entry (audited; the entrants are told)."""
    competition = scope.get(Competition, competition_id, for_update=True)
    if competition.kind == CompetitionKind.QUIZ:
        raise Conflict("知识竞赛由系统自动评分，不能人工录入成绩", code="auto_scored")
    if competition.status not in (CompetitionStatus.CLOSED, CompetitionStatus.SCORED):
        raise Conflict(
            f"报名截止后、公布结果前才能录入成绩（当前：{status_label(competition)}）", code="not_scoring"
        )
    entry = entry_in(competition, entry_id)
    if not is_complete(competition, entry):
        raise Conflict(f"该队伍不足{competition.team_min}人，未完成报名，不能评分", code="team_incomplete")
    if score > competition.full_marks:
        raise InvalidInput("score", f"成绩不能超过满分{competition.full_marks}分")
    previous = entry.score
    entry.score, entry.score_note = score, note
    entry.scored_by, entry.scored_at = staff.id, utcnow()
    if competition.status == CompetitionStatus.SCORED:
        apply(COMPETITION_KIND, "rescore", actor_type="system", case=competition)
    audit.record(
        staff=staff,
        action="competition.score",
        target_type="competition_entry",
        target_id=entry.id,
        org_id=competition.org_id,
        detail={
            "competition_id": competition.id,
            "score": str(score),
            "previous": None if previous is None else str(previous),
            "note": note,
        },
    )
    told = judging.tell_participants(
        entry, "competition.scored", competition=competition.title, score=points_text(score)
    )
    for participant in told:
        participation.record(
            kind="competition.scored",
            org_id=participant.org_id,
            member_id=participant.member_id,
            ref_type="competition_entry",
            ref_id=entry.id,
        )
    return entry


# --- eligibility (workers) ------------------------------------------------------------------------
def open_for_member_stmt(member: Member) -> Select:
    """Open competitions this member may enter: organised on their union's branch of the tree,
    sign-up still running, their worker type allowed. Soonest deadline first."""
    return (
        select(Competition)
        .where(
            Competition.status == CompetitionStatus.OPEN,
            Competition.signup_deadline > utcnow(),
            Competition.org_id.in_(ancestor_ids(member.org)),
            or_(
                Competition.worker_types == "",
                Competition.worker_types.contains(f",{member.worker_type},", autoescape=True),
            ),
        )
        .order_by(Competition.signup_deadline, Competition.id)
    )


def visible_competition(competition_id: int) -> Competition:
    """Any competition but a draft (drafts do not exist for workers)."""
    competition = db.session.get(Competition, competition_id)
    if competition is None or competition.status == CompetitionStatus.DRAFT:
        raise NotFound("竞赛不存在", code="competition_not_found")
    return competition


def eligibility_problem(member: Member, competition: Competition, now: datetime | None = None):
    """Why this member may not sign up now (a DomainError to raise), or None."""
    now = now or utcnow()
    if competition.status != CompetitionStatus.OPEN:
        return Conflict(f"本竞赛当前不接受报名（{status_label(competition)}）", code="not_open")
    if now >= competition.signup_deadline:
        return Conflict(f"报名已于{local_time(competition.signup_deadline)}截止", code="signup_closed")
    if competition.org_id not in ancestor_ids(member.org):
        return NotEligible(f"本竞赛仅限{competition.org.name}及下属工会的会员参加", code="outside_subtree")
    allowed = competition.worker_type_list
    if allowed and member.worker_type not in allowed:
        names = "、".join(WORKER_TYPE_LABELS.get(t, t) for t in allowed)
        return NotEligible(f"本竞赛仅限{names}参加", code="worker_type_not_allowed")
    return None


def check_eligible(member: Member, competition: Competition, now: datetime | None = None) -> None:
    problem = eligibility_problem(member, competition, now)
    if problem is not None:
        raise problem


def _declared_trade(competition: Competition, trade: str | None) -> str | None:
    """The entrant's 工种: required and checked when the contest is for given trades."""
    trades = competition.trades or []
    if not trades:
        return trade
    if not trade:
        raise InvalidInput("trade", f"请填写参赛工种（{'、'.join(trades)}）")
    if trade not in trades:
        raise InvalidInput("trade", f"本竞赛仅限以下工种参加：{'、'.join(trades)}")
    return trade


# --- entries and teams (workers) ------------------------------------------------------------------
def participant_of(member: Member, competition_id: int) -> CompetitionParticipant | None:
    stmt = select(CompetitionParticipant).where(
        CompetitionParticipant.competition_id == competition_id,
        CompetitionParticipant.member_id == member.id,
    )
    return db.session.scalars(stmt).first()


def _refuse_second_entry(member: Member, competition: Competition) -> None:
    if participant_of(member, competition.id) is not None:
        raise Conflict("您已报名本竞赛，每人限报一次", code="already_entered")


def _new_join_code(competition_id: int) -> str:
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        taken = select(CompetitionEntry.id).where(
            CompetitionEntry.competition_id == competition_id, CompetitionEntry.join_code == code
        )
        if db.session.scalar(taken) is None:
            return code


def _entry_form_errors(competition: Competition, entry_in: EntryRequest) -> dict[str, str]:
    errors: dict[str, str] = {}
    team = competition.entry_mode == EntryMode.TEAM
    if team and not entry_in.team_name:
        errors["team_name"] = "团体赛请填写队名（队员凭邀请码加入）"
    if not team and entry_in.team_name:
        errors["team_name"] = "本竞赛为个人赛，无需填写队名"
    proposal = ("title", "category", "description")
    if competition.kind == CompetitionKind.INNOVATION:
        labels = {"title": "请填写作品名称", "category": "请选择作品类别", "description": "请填写作品简介"}
        errors.update({field: labels[field] for field in proposal if not getattr(entry_in, field)})
    else:
        for field in (*proposal, "evidence_ids"):
            if getattr(entry_in, field):
                errors[field] = "只有“五小”创新竞赛需要提交作品"
    return errors


def new_entry(
    *,
    member: Member,
    competition: Competition,
    role: str,
    trade: str | None,
    duplicate: tuple[str, str] = ("您已报名本竞赛，每人限报一次", "already_entered"),
    **fields,
) -> CompetitionParticipant:
    """Write an entry and its first participant (the entrant or captain); a second entry of the
    member — even a concurrent one — is refused with the ``duplicate`` (message, code) as 409."""
    entry = CompetitionEntry(
        competition_id=competition.id, org_id=member.org_id, member_id=member.id, member_count=1, **fields
    )
    participant = CompetitionParticipant(
        competition_id=competition.id,
        member_id=member.id,
        org_id=member.org_id,
        role=role,
        trade=trade,
        entry=entry,
    )
    db.session.add_all([entry, participant])
    flush_or_conflict(*duplicate)
    return participant


def enter(
    *, member: Member, account: WxAccount, competition_id: int, entry_in: EntryRequest
) -> CompetitionParticipant:
    """Sign up: an individual entry, a new team (the caller becomes its captain and gets the join
    code), or a “五小” proposal with attachments. Ineligible callers get a 4xx and nothing is written."""
    competition = visible_competition(competition_id)
    check_eligible(member, competition)
    errors = _entry_form_errors(competition, entry_in)
    if errors:
        raise Invalid(errors)
    trade = _declared_trade(competition, entry_in.trade)
    _refuse_second_entry(member, competition)
    team = competition.entry_mode == EntryMode.TEAM
    fields: dict = {}
    if team:
        name = entry_in.team_name
        taken = select(CompetitionEntry.id).where(
            CompetitionEntry.competition_id == competition.id, CompetitionEntry.team_name == name
        )
        if db.session.scalar(taken) is not None:
            raise InvalidInput("team_name", "该队名已被使用，请换一个")
        fields.update(team_name=name, join_code=_new_join_code(competition.id))
    if competition.kind == CompetitionKind.INNOVATION:
        fields.update(title=entry_in.title, category=entry_in.category, description=entry_in.description)
    role = ParticipantRole.CAPTAIN if team else ParticipantRole.INDIVIDUAL
    participant = new_entry(member=member, competition=competition, role=role, trade=trade, **fields)
    entry = participant.entry
    if entry_in.evidence_ids:
        uploads.attach(
            account=account,
            upload_ids=entry_in.evidence_ids,
            case_type=ATTACHMENT_CASE_TYPE,
            case_id=entry.id,
        )
    values = {"competition": competition.title, "org_id": member.org_id}
    if team:
        kind = "competition.team_created"
        values.update(
            team_name=entry.team_name,
            join_code=entry.join_code,
            team_min=competition.team_min,
            team_max=competition.team_max,
        )
    elif competition.kind == CompetitionKind.INNOVATION:
        kind = "competition.proposal_submitted"
        values.update(entry_title=entry.title, category=CATEGORY_LABELS.get(entry.category, entry.category))
    else:
        kind = "competition.entered"
    notify.notify(account_id=account.id, kind=kind, **values)
    record_entered(participant)
    return participant


def record_entered(participant: CompetitionParticipant) -> None:
    participation.record(
        kind="competition.entered",
        org_id=participant.org_id,
        member_id=participant.member_id,
        ref_type="competition_participant",
        ref_id=participant.id,
    )


def join_team(*, member: Member, account: WxAccount, competition_id: int, code: str, trade: str | None):
    """Join a team with its code. The team's place is taken atomically, so it never exceeds its
    maximum; a member already in this competition (any team, or alone) gets 409."""
    competition = visible_competition(competition_id)
    check_eligible(member, competition)
    if competition.entry_mode != EntryMode.TEAM:
        raise Conflict("本竞赛为个人赛，请直接报名", code="not_a_team_competition")
    trade = _declared_trade(competition, trade)
    code = code.strip().upper()
    entry = db.session.scalars(
        select(CompetitionEntry).where(
            CompetitionEntry.competition_id == competition.id, CompetitionEntry.join_code == code
        )
    ).first()
    if entry is None:
        raise InvalidInput("code", "邀请码不正确，请向队长核实")
    _refuse_second_entry(member, competition)
    place = capacity.take(
        CompetitionEntry.member_count, competition.team_max, CompetitionEntry.id == entry.id
    )
    if not place:
        raise Conflict(f"该队伍已满员（最多{competition.team_max}人）", code="team_full")
    participant = CompetitionParticipant(
        competition_id=competition.id,
        entry_id=entry.id,
        member_id=member.id,
        org_id=member.org_id,
        role=ParticipantRole.MEMBER,
        trade=trade,
    )
    db.session.add(participant)
    flush_or_conflict("您已报名本竞赛，每人限报一次", "already_entered")
    db.session.refresh(entry)  # the count as our own UPDATE left it (the row is ours until commit)
    complete = is_complete(competition, entry)
    notify.notify(
        account_id=account.id,
        kind="competition.team_joined",
        org_id=member.org_id,
        competition=competition.title,
        team_name=entry.team_name,
        count=entry.member_count,
    )
    captain = db.session.get(Member, entry.member_id)
    if captain.account_id is not None:
        notify.notify(
            account_id=captain.account_id,
            kind="competition.teammate_joined",
            org_id=entry.org_id,
            competition=competition.title,
            team_name=entry.team_name,
            name=member.name,
            count=entry.member_count,
            team_max=competition.team_max,
            state="已满足参赛人数" if complete else f"至少需{competition.team_min}人",
        )
    record_entered(participant)
    return participant


def my_participations(member: Member) -> list[CompetitionParticipant]:
    return list(db.session.scalars(my_participations_stmt(member)))


def my_participations_stmt(member: Member) -> Select:
    """The member's entries (their own or their team's) with the contests, newest first."""
    return (
        select(CompetitionParticipant)
        .where(CompetitionParticipant.member_id == member.id)
        .options(
            selectinload(CompetitionParticipant.entry).selectinload(CompetitionEntry.competition),
            selectinload(CompetitionParticipant.entry)
            .selectinload(CompetitionEntry.participants)
            .selectinload(CompetitionParticipant.member),
        )
        .order_by(CompetitionParticipant.id.desc())
    )


def attempt_of(entry_id: int) -> QuizAttempt | None:
    return db.session.scalars(select(QuizAttempt).where(QuizAttempt.entry_id == entry_id)).first()


def erase_personal_data(account: WxAccount, member: Member | None) -> None:
    """The person leaves: an entry that is theirs alone keeps its score and place but loses the
    proposal's title and description (a team's entry stays with the team); their attachments go
    with the rest of their uploads."""
    if member is None:
        return
    entries = [p.entry for p in my_participations(member)]
    solo = [entry for entry in entries if len(entry.participants) == 1]
    for entry in solo:
        entry.title = privacy.ERASED_TEXT if entry.title else None
        entry.description = entry.score_note = None
    privacy.forget_history("competition_entry", [entry.id for entry in solo])


PERSONAL_DATA = privacy.PersonalData(
    "competition_entries",
    export=lambda account, member: my_participations(member) if member else [],
    erase=erase_personal_data,
)
