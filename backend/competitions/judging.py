"""Judging (评审): judges' scores for skill and “五小” entries, ranking, awards and published results.

- Ranking is standard competition ranking ("1224"): equal scores share a place and the next place
  skips as many as shared it. Entries without a score, and teams below their minimum, get no place.
- A score changed after ranking sends the competition back to 评审中 until it is ranked again.
- Scores are told to the entrants when entered; places and awards when the results are published
  (until then staff may still change them). Every step is audited.
"""

from __future__ import annotations

from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload

from backend.audit import service as audit
from backend.common.errors import Conflict, NotFound
from backend.competitions.models import (
    Competition,
    CompetitionEntry,
    CompetitionParticipant,
    CompetitionStatus,
)
from backend.competitions.rules import (
    Invalid,
    attachments_of,
    entry_in,
    standard_places,
    team_minimum,
)
from backend.extensions import db
from backend.notify import service as notify
from backend.participation import service as participation
from backend.staff.models import Staff
from backend.staff.scope import Scope
from backend.uploads import service as uploads


def entries_stmt(scope: Scope, competition_id: int) -> Select:
    """Entries of a competition in the subtree: ranked ones by place, then the rest by sign-up."""
    competition = scope.get(Competition, competition_id)
    return (
        select(CompetitionEntry)
        .where(CompetitionEntry.competition_id == competition.id)
        .options(
            selectinload(CompetitionEntry.org),
            selectinload(CompetitionEntry.participants).selectinload(CompetitionParticipant.member),
            selectinload(CompetitionEntry.participants).selectinload(CompetitionParticipant.org),
        )
        .order_by(CompetitionEntry.place.is_(None), CompetitionEntry.place, CompetitionEntry.id)
    )


def tell_participants(entry: CompetitionEntry, kind: str, **values) -> list[CompetitionParticipant]:
    participants = list(
        db.session.scalars(
            select(CompetitionParticipant)
            .where(CompetitionParticipant.entry_id == entry.id)
            .options(selectinload(CompetitionParticipant.member))
        )
    )
    for participant in participants:
        if participant.member.account_id is not None:
            notify.notify(
                account_id=participant.member.account_id, kind=kind, org_id=participant.org_id, **values
            )
    return participants


def rank(competition: Competition) -> int:
    """Give every complete, scored entry its place (standard competition ranking); returns how many."""
    rows = db.session.execute(
        select(CompetitionEntry.id, CompetitionEntry.score, CompetitionEntry.member_count).where(
            CompetitionEntry.competition_id == competition.id
        )
    ).all()
    minimum = team_minimum(competition)
    ranked = sorted(
        ((row.id, row.score) for row in rows if row.score is not None and row.member_count >= minimum),
        key=lambda pair: pair[1],
        reverse=True,
    )
    places = dict(standard_places(ranked))
    changes = [{"id": row.id, "place": places.get(row.id)} for row in rows]
    if changes:
        db.session.execute(update(CompetitionEntry), changes)
        # An entry without a place cannot keep an award.
        db.session.execute(
            update(CompetitionEntry)
            .where(CompetitionEntry.competition_id == competition.id, CompetitionEntry.place.is_(None))
            .values(award=None)
            .execution_options(synchronize_session=False)
        )
    return len(places)


def grant_awards(*, scope: Scope, staff: Staff, competition_id: int, awards: list[dict]) -> list:
    """Set (or clear, with null) the award of ranked entries; told to entrants when published."""
    competition = scope.get(Competition, competition_id, for_update=True)
    if competition.status != CompetitionStatus.SCORED:
        raise Conflict("请先计算排名，再评定奖项", code="not_ranked")
    levels = competition.award_levels or []
    errors: dict[str, str] = {}
    entries = []
    for index, item in enumerate(awards):
        entry = entry_in(competition, item["entry_id"])
        award = item.get("award")
        if award is not None and award not in levels:
            errors[f"awards.{index}.award"] = f"奖项应为：{'、'.join(levels)}"
        elif award is not None and entry.place is None:
            errors[f"awards.{index}.entry_id"] = "该报名没有名次，不能获奖"
        entries.append((entry, award))
    if errors:
        raise Invalid(errors)
    for entry, award in entries:
        entry.award = award
    audit.record(
        staff=staff,
        action="competition.award",
        target_type="competition",
        target_id=competition.id,
        org_id=competition.org_id,
        detail={"awards": [{"entry_id": e.id, "award": a} for e, a in entries]},
    )
    return [entry for entry, _ in entries]


def publish(competition: Competition) -> int:
    """Tell every entrant their place and award; awards become participation facts."""
    participants = db.session.scalars(
        select(CompetitionParticipant)
        .where(CompetitionParticipant.competition_id == competition.id)
        .options(selectinload(CompetitionParticipant.member), selectinload(CompetitionParticipant.entry))
        .order_by(CompetitionParticipant.id)
    ).all()
    for participant in participants:
        entry, account_id = participant.entry, participant.member.account_id
        if entry.award:
            participation.record(
                kind="competition.awarded",
                org_id=participant.org_id,
                member_id=participant.member_id,
                ref_type="competition_entry",
                ref_id=entry.id,
            )
        if account_id is None:
            continue
        if entry.award:
            notify.notify(
                account_id=account_id,
                kind="competition.awarded",
                org_id=participant.org_id,
                competition=competition.title,
                award=entry.award,
                place=entry.place,
            )
        else:
            notify.notify(
                account_id=account_id,
                kind="competition.results",
                org_id=participant.org_id,
                competition=competition.title,
                result=f"第{entry.place}名" if entry.place else "未获名次",
            )
    return len(participants)


def attachment_for_staff(*, scope: Scope, competition_id: int, entry_id: int, upload_id: int):
    """A “五小” proposal's attachment, for staff whose subtree holds the competition."""
    competition = scope.get(Competition, competition_id)
    entry = entry_in(competition, entry_id)
    for upload in attachments_of(entry.id):
        if upload.id == upload_id:
            return upload, uploads.storage().read(upload.storage_key)
    raise NotFound("文件不存在")
