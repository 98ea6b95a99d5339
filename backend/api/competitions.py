"""Worker side of competitions (劳动和技能竞赛): browse, sign up (alone, as a team, or with a “五小”
proposal), join a team by code, take the 安康杯 quiz, and follow one's own results."""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_account, current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.common.crypto import mask_name
from backend.common.fields import LocalDateTime, Text
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.competitions import quiz
from backend.competitions import service as competitions
from backend.competitions.models import (
    CATEGORY_LABELS,
    Competition,
    CompetitionParticipant,
    CompetitionStatus,
    ParticipantRole,
)
from backend.competitions.rules import attachments_of, is_complete
from backend.competitions.schemas import CompetitionEntryIn, CompetitionSchema

blp = Blueprint("competitions", __name__, url_prefix="/api/v1", description="劳动和技能竞赛（职工端）")

_ROLE_LABELS = {
    ParticipantRole.INDIVIDUAL: "个人",
    ParticipantRole.CAPTAIN: "队长",
    ParticipantRole.MEMBER: "队员",
}


# --- schemas ------------------------------------------------------------------------------------------
CompetitionOut = CompetitionSchema.view("worker", "CompetitionOut")
CompetitionBrief = CompetitionSchema.view("brief", "CompetitionBrief")


@dataclass(frozen=True)
class CompetitionView:
    competition: Competition
    can_enter: bool
    reason: str | None
    entered: bool


class CompetitionDetailOut(Schema):
    competition = ma.fields.Nested(CompetitionOut)
    can_enter = ma.fields.Boolean(metadata={"description": "现在能否报名"})
    reason = ma.fields.String(allow_none=True, metadata={"description": "不能报名的原因"})
    entered = ma.fields.Boolean(metadata={"description": "是否已报名"})


class EntryAttachmentOut(Schema):
    id = ma.fields.Integer()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    original_name = ma.fields.String(allow_none=True)


def _published(entry) -> bool:
    return entry.competition.status == CompetitionStatus.FINISHED


class TeammateOut(Schema):
    name = ma.fields.Function(lambda p: mask_name(p.member.name))
    role = ma.fields.String()


class MyEntryDetail(Schema):
    """The entry as its entrant (or a team member) sees it: places and awards once published."""

    id = ma.fields.Integer()
    team_name = ma.fields.String(allow_none=True)
    join_code = ma.fields.String(allow_none=True, metadata={"description": "团体赛邀请码，发给队友"})
    member_count = ma.fields.Integer()
    complete = ma.fields.Function(lambda e: is_complete(e.competition, e))
    teammates = ma.fields.List(ma.fields.Nested(TeammateOut), attribute="participants")
    title = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    category_label = ma.fields.Function(lambda e: CATEGORY_LABELS.get(e.category) if e.category else None)
    description = ma.fields.String(allow_none=True)
    attachments = ma.fields.Function(lambda e: EntryAttachmentOut(many=True).dump(attachments_of(e.id)))
    score = ma.fields.Decimal(as_string=True, allow_none=True)
    rank = ma.fields.Function(lambda e: e.place if _published(e) else None)
    award = ma.fields.Function(lambda e: e.award if _published(e) else None)
    created_at = LocalDateTime()


class QuizSummaryOut(Schema):
    started_at = LocalDateTime()
    deadline = LocalDateTime(attribute="deadline_at")
    submitted_at = LocalDateTime(allow_none=True)
    correct_count = ma.fields.Integer(allow_none=True)
    score = ma.fields.Integer(allow_none=True)
    max_score = ma.fields.Integer()


def _quiz_summary(participant: CompetitionParticipant):
    attempt = competitions.attempt_of(participant.entry_id)
    return QuizSummaryOut().dump(attempt) if attempt else None


class MyEntryOut(Schema):
    competition = ma.fields.Nested(CompetitionBrief, attribute="entry.competition")
    role = ma.fields.String()
    role_label = ma.fields.Function(lambda p: _ROLE_LABELS.get(p.role, p.role))
    trade = ma.fields.String(allow_none=True)
    joined_at = LocalDateTime()
    entry = ma.fields.Nested(MyEntryDetail)
    quiz = ma.fields.Function(_quiz_summary)


class TeamJoinIn(Schema):
    code = Text(required=True, max_length=12, metadata={"description": "队长提供的邀请码"})
    trade = Text(max_length=30, load_default=None)


class QuizQuestionOut(Schema):
    """A question as the entrant sees it — never with its answer."""

    id = ma.fields.Integer()
    seq = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "single 单选 / multiple 多选（全对才得分）"})
    stem = ma.fields.String()
    points = ma.fields.Integer()
    options = ma.fields.Function(
        lambda q: [{"key": key, "text": text} for key, text in zip(quiz.OPTION_KEYS, q.options, strict=False)]
    )


def _open_questions(attempt) -> list:
    if attempt.submitted_at:
        return []
    return QuizQuestionOut(many=True).dump(quiz.questions_of(attempt.competition_id))


class AttemptOut(Schema):
    attempt_id = ma.fields.Integer(attribute="id")
    started_at = LocalDateTime()
    deadline = LocalDateTime(attribute="deadline_at", metadata={"description": "交卷截止时间"})
    remaining_seconds = ma.fields.Function(
        lambda a: 0 if a.submitted_at else max(0, int((a.deadline_at - utcnow()).total_seconds()))
    )
    submitted_at = LocalDateTime(allow_none=True)
    correct_count = ma.fields.Integer(allow_none=True)
    score = ma.fields.Integer(allow_none=True)
    max_score = ma.fields.Integer()
    questions = ma.fields.Function(_open_questions, metadata={"description": "交卷后为空"})


class QuizAnswerIn(Schema):
    question_id = ma.fields.Integer(required=True)
    choices = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(equal=1)),
        required=True,
        metadata={"description": '所选选项，如 ["A"] 或 ["A", "C"]；空列表表示未作答'},
    )


class QuizSubmitIn(Schema):
    answers = ma.fields.List(
        ma.fields.Nested(QuizAnswerIn), required=True, validate=ma.validate.Length(max=500)
    )


# --- endpoints ------------------------------------------------------------------------------------------
@blp.route("/competitions")
class OpenCompetitions(MethodView):
    decorators = [worker_required]

    @blp.response(200, CompetitionOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我可以报名的竞赛（报名中、在我所在工会的范围内），截止早的在前"""
        return competitions.open_for_member_stmt(current_member())


@blp.route("/competitions/mine")
class MyCompetitions(MethodView):
    decorators = [worker_required]

    @blp.response(200, MyEntryOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我参加的竞赛：报名、队伍、成绩；名次和奖项在结果公布后显示"""
        return competitions.my_participations_stmt(current_member())


@blp.route("/competitions/<int:competition_id>")
class CompetitionDetail(MethodView):
    decorators = [worker_required]

    @blp.response(200, CompetitionDetailOut)
    def get(self, competition_id):
        """竞赛详情，以及我现在能否报名（不能时给出原因）"""
        member = current_member()
        competition = competitions.visible_competition(competition_id)
        problem = competitions.eligibility_problem(member, competition)
        entered = competitions.participant_of(member, competition.id) is not None
        return CompetitionView(
            competition=competition,
            can_enter=problem is None and not entered,
            reason=problem.message if problem else ("您已报名本竞赛" if entered else None),
            entered=entered,
        )


@blp.route("/competitions/<int:competition_id>/entries")
class Entries(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(CompetitionEntryIn)
    @blp.response(201, MyEntryOut)
    def post(self, data, competition_id):
        """报名：个人赛直接报名；团体赛填写队名建队（返回邀请码）；“五小”竞赛提交作品和附件"""
        return competitions.enter(
            member=current_member(), account=current_account(), competition_id=competition_id, entry_in=data
        )


@blp.route("/competitions/<int:competition_id>/teams/join")
class JoinTeam(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(TeamJoinIn)
    @blp.response(201, MyEntryOut)
    def post(self, data, competition_id):
        """凭邀请码加入队伍（队伍满员时返回 409）"""
        return competitions.join_team(
            member=current_member(), account=current_account(), competition_id=competition_id, **data
        )


@blp.route("/competitions/<int:competition_id>/quiz")
class Quiz(MethodView):
    decorators = [worker_required]

    @blp.response(200, AttemptOut)
    def get(self, competition_id):
        """我的答题：进行中时返回题目（不含答案）和剩余时间，交卷后返回成绩"""
        return quiz.attempt_for(member=current_member(), competition_id=competition_id)


@blp.route("/competitions/<int:competition_id>/quiz/start")
class StartQuiz(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.response(201, AttemptOut)
    def post(self, competition_id):
        """开始答题（每人仅一次机会，开始即计时）；返回题目（不含答案）和交卷截止时间"""
        return quiz.start(member=current_member(), competition_id=competition_id)


@blp.route("/competitions/<int:competition_id>/quiz/submit")
class SubmitQuiz(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(QuizSubmitIn)
    @blp.response(200, AttemptOut)
    def post(self, data, competition_id):
        """交卷（须在截止时间内，另有30秒网络宽限）；自动评分，多选题全对才得分"""
        return quiz.submit(
            member=current_member(),
            account=current_account(),
            competition_id=competition_id,
            answers=data["answers"],
        )
