"""Small rules every part of the competitions domain shares: the status flow, when an entry is
complete, how places are given, and the errors the domain raises."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from backend.common.errors import DomainError, NotFound
from backend.common.statemachine import StateMachine, Transition
from backend.common.time import chinese_datetime
from backend.competitions.models import (
    STATUS_LABELS,
    Competition,
    CompetitionEntry,
    CompetitionStatus,
    EntryMode,
)
from backend.extensions import db
from backend.uploads import service as uploads
from backend.uploads.models import Upload

ATTACHMENT_CASE_TYPE = "competition_entry"  # uploads.case_type of a proposal's attachments

# The participation facts this domain records (its ``register`` declares them).
PARTICIPATION_KINDS = {
    "competition.entered": "参加劳动和技能竞赛",
    "competition.quiz_completed": "完成安康杯知识竞赛答题",
    "competition.scored": "竞赛成绩评定",
    "competition.awarded": "竞赛获奖",
}

S = CompetitionStatus
COMPETITION_FLOW = StateMachine(
    "competition",
    [
        Transition("open", frozenset({S.DRAFT}), S.OPEN, "staff", "开放报名"),
        Transition("close", frozenset({S.OPEN}), S.CLOSED, "staff", "截止报名"),
        Transition("rank", frozenset({S.CLOSED, S.SCORED}), S.SCORED, "staff", "计算排名"),
        Transition("publish", frozenset({S.SCORED}), S.FINISHED, "staff", "公布结果"),
        # A score changed after ranking: the ranking must be computed again before publishing.
        Transition("rescore", frozenset({S.SCORED}), S.CLOSED, "system", "成绩变更，待重新排名"),
    ],
    labels=STATUS_LABELS,
)


class Invalid(DomainError):
    """Several per-field problems at once (422, like a schema error)."""

    status = 422
    code = "validation_error"

    def __init__(self, errors: dict[str, str]):
        super().__init__(
            "提交的信息有误，请检查后重试", errors={field: [message] for field, message in errors.items()}
        )


class NotEligible(DomainError):
    status = 403
    code = "not_eligible"


def status_label(competition: Competition) -> str:
    return STATUS_LABELS.get(CompetitionStatus(competition.status), competition.status)


def local_time(value: datetime) -> str:
    return chinese_datetime(value)


def team_minimum(competition: Competition) -> int:
    return (competition.team_min or 1) if competition.entry_mode == EntryMode.TEAM else 1


def is_complete(competition: Competition, entry: CompetitionEntry) -> bool:
    """An individual entry always is; a team once it has its minimum number of members."""
    return entry.member_count >= team_minimum(competition)


def standard_places(ordered: Iterable[tuple[int, Decimal]]) -> Iterable[tuple[int, int]]:
    """(id, place) for (id, score) pairs sorted best first — standard competition ranking: equal
    scores share a place and the next place skips as many as shared it (1, 2, 2, 4)."""
    place, previous = 0, None
    for position, (ident, score) in enumerate(ordered, start=1):
        if score != previous:
            place, previous = position, score
        yield ident, place


def entry_in(competition: Competition, entry_id: int) -> CompetitionEntry:
    """One entry of this competition, or 404."""
    entry = db.session.get(CompetitionEntry, entry_id)
    if entry is None or entry.competition_id != competition.id:
        raise NotFound("报名记录不存在")
    return entry


def attachments_of(entry_id: int) -> list[Upload]:
    """A “五小” proposal's attachments."""
    return uploads.of_case(ATTACHMENT_CASE_TYPE, entry_id)


def points_text(score: Decimal | int) -> str:
    """92.50 → "92.5", 90.00 → "90": a score as a person writes it."""
    return f"{Decimal(score):.2f}".rstrip("0").rstrip(".")
