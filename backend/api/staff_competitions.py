"""Staff side of competitions: set up (and audit) competitions of the subtree, quiz question sets,
entries with masked personal data, judges' scores, ranking, awards and published results."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.api.competitions import EntryAttachmentOut
from backend.common.crypto import mask_name
from backend.common.fields import LocalDateTime, MaskedPhone, Text, one_of
from backend.common.schema import Schema
from backend.competitions import judging, quiz
from backend.competitions import service as competitions
from backend.competitions.models import (
    CATEGORY_LABELS,
    Competition,
    CompetitionKind,
    CompetitionStatus,
    QuestionKind,
)
from backend.competitions.rules import COMPETITION_FLOW, attachments_of, is_complete
from backend.competitions.schemas import CompetitionChangeIn, CompetitionIn, CompetitionSchema
from backend.orgs.schemas import OrgBrief
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_competitions",
    __name__,
    url_prefix="/api/v1/staff/competitions",
    description="劳动和技能竞赛（工作人员）",
)

# --- schemas ------------------------------------------------------------------------------------------
class CompetitionQuery(Schema):
    status = ma.fields.String(validate=one_of(list(CompetitionStatus)))
    kind = ma.fields.String(validate=one_of(list(CompetitionKind)))


StaffCompetitionOut = CompetitionSchema.view(
    "staff",
    "StaffCompetitionOut",
    question_count=ma.fields.Function(
        lambda c: competitions.question_count(c.id) if c.kind == CompetitionKind.QUIZ else None
    ),
    allowed_actions=ma.fields.Function(
        lambda c: [t.action for t in COMPETITION_FLOW.actions(c.status, "staff")]
    ),
)


class CompetitionActionIn(Schema):
    action = ma.fields.String(
        required=True,
        validate=one_of(["open", "close", "rank", "publish"]),
        metadata={"description": "open 开放报名 / close 截止报名 / rank 计算排名 / publish 公布结果"},
    )


class QuizQuestionIn(Schema):
    kind = ma.fields.String(
        required=True, validate=one_of(list(QuestionKind), {"single": "单选", "multiple": "多选"})
    )
    stem = Text(required=True, max_length=500)
    options = ma.fields.List(Text(max_length=200), required=True, validate=ma.validate.Length(min=2, max=8))
    answer = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(equal=1)),
        required=True,
        validate=ma.validate.Length(min=1),
        metadata={"description": '正确选项，如 ["B"]；多选题全对才得分'},
    )
    points = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100))


class QuizQuestionSetIn(Schema):
    questions = ma.fields.List(
        ma.fields.Nested(QuizQuestionIn), required=True, validate=ma.validate.Length(min=1, max=200)
    )


class StaffQuizQuestionOut(Schema):
    id = ma.fields.Integer()
    seq = ma.fields.Integer()
    kind = ma.fields.String()
    stem = ma.fields.String()
    options = ma.fields.List(ma.fields.String())
    answer = ma.fields.List(ma.fields.String())
    points = ma.fields.Integer()


class ParticipantOut(Schema):
    """A participant with masked personal data."""

    member_id = ma.fields.Integer()
    name = ma.fields.Function(lambda p: mask_name(p.member.name))
    mobile = MaskedPhone(attribute="member.mobile")
    worker_type = ma.fields.String(attribute="member.worker_type")
    org = ma.fields.Nested(OrgBrief)
    role = ma.fields.String()
    trade = ma.fields.String(allow_none=True)
    joined_at = LocalDateTime()


class StaffEntryOut(Schema):
    id = ma.fields.Integer()
    org = ma.fields.Nested(OrgBrief)
    team_name = ma.fields.String(allow_none=True)
    member_count = ma.fields.Integer()
    complete = ma.fields.Function(lambda e: is_complete(e.competition, e))
    participants = ma.fields.List(ma.fields.Nested(ParticipantOut))
    title = ma.fields.String(allow_none=True)
    category = ma.fields.String(allow_none=True)
    category_label = ma.fields.Function(lambda e: CATEGORY_LABELS.get(e.category) if e.category else None)
    description = ma.fields.String(allow_none=True)
    attachments = ma.fields.Function(lambda e: EntryAttachmentOut(many=True).dump(attachments_of(e.id)))
    score = ma.fields.Decimal(as_string=True, allow_none=True)
    score_note = ma.fields.String(allow_none=True)
    scored_at = LocalDateTime(allow_none=True)
    rank = ma.fields.Integer(attribute="place", allow_none=True)
    award = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()


class EntryScoreIn(Schema):
    score = ma.fields.Decimal(
        required=True, places=2, validate=ma.validate.Range(min=0), metadata={"description": "评委评分"}
    )
    note = Text(max_length=500, min_length=0, load_default=None)


class EntryAwardIn(Schema):
    entry_id = ma.fields.Integer(required=True)
    award = Text(
        max_length=20, required=True, allow_none=True, metadata={"description": "奖项；null 表示取消"}
    )


class EntryAwardsIn(Schema):
    awards = ma.fields.List(
        ma.fields.Nested(EntryAwardIn), required=True, validate=ma.validate.Length(min=1, max=500)
    )


# --- endpoints ------------------------------------------------------------------------------------------
@blp.route("")
class Competitions(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.arguments(CompetitionQuery, location="query")
    @blp.response(200, StaffCompetitionOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """本级及下级工会组织的竞赛（最新在前）"""
        return competitions.competitions_stmt(current_scope(), **query)

    @blp.arguments(CompetitionIn)
    @blp.response(201, StaffCompetitionOut)
    def post(self, data):
        """新建竞赛（草稿）：技能比赛、“五小”创新或知识竞赛；个人赛或团体赛"""
        return competitions.create_competition(
            scope=current_scope(), staff=current_staff(), competition_in=data
        )


@blp.route("/<int:competition_id>")
class CompetitionDetail(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.response(200, StaffCompetitionOut)
    def get(self, competition_id):
        """查看竞赛"""
        return current_scope().get(Competition, competition_id)

    @blp.arguments(CompetitionChangeIn(partial=True))
    @blp.response(200, StaffCompetitionOut)
    def patch(self, data, competition_id):
        """修改竞赛：草稿可改全部设置；报名中只能改标题、说明和报名截止时间"""
        return competitions.update_competition(
            scope=current_scope(), staff=current_staff(), competition_id=competition_id, changes=data
        )


@blp.route("/<int:competition_id>/transition")
class CompetitionTransition(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.arguments(CompetitionActionIn)
    @blp.response(200, StaffCompetitionOut)
    def post(self, data, competition_id):
        """开放报名、截止报名、计算排名（并列同名次）、公布结果（通知全部参赛者）"""
        return competitions.transition(
            scope=current_scope(), staff=current_staff(), competition_id=competition_id, **data
        )


@blp.route("/<int:competition_id>/questions")
class Questions(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.response(200, StaffQuizQuestionOut(many=True))
    def get(self, competition_id):
        """知识竞赛题库（含正确答案，仅工作人员可见）"""
        competition = current_scope().get(Competition, competition_id)
        return quiz.questions_of(competition.id)

    @blp.arguments(QuizQuestionSetIn)
    @blp.response(200, StaffQuizQuestionOut(many=True))
    def put(self, data, competition_id):
        """设置（整体替换）知识竞赛题目；开放报名后不能再改"""
        return quiz.set_questions(
            scope=current_scope(), staff=current_staff(), competition_id=competition_id, **data
        )


@blp.route("/<int:competition_id>/entries")
class CompetitionEntries(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.response(200, StaffEntryOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, competition_id):
        """参赛报名（个人信息脱敏），有名次的按名次在前"""
        return judging.entries_stmt(current_scope(), competition_id)


@blp.route("/<int:competition_id>/entries/<int:entry_id>/score")
class ScoreEntry(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.arguments(EntryScoreIn)
    @blp.response(200, StaffEntryOut)
    def post(self, data, competition_id, entry_id):
        """录入评委评分（技能比赛、“五小”作品；记入审计日志并通知参赛者）"""
        return competitions.score_entry(
            scope=current_scope(),
            staff=current_staff(),
            competition_id=competition_id,
            entry_id=entry_id,
            **data,
        )


@blp.route("/<int:competition_id>/entries/<int:entry_id>/attachments/<int:upload_id>")
class EntryAttachment(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.response(200)
    def get(self, competition_id, entry_id, upload_id):
        """查看“五小”作品的附件"""
        upload, data = judging.attachment_for_staff(
            scope=current_scope(), competition_id=competition_id, entry_id=entry_id, upload_id=upload_id
        )
        response = Response(data, mimetype=upload.content_type)
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Disposition"] = "inline"
        return response


@blp.route("/<int:competition_id>/awards")
class Awards(MethodView):
    decorators = [staff_required(perm.COMPETITION_MANAGE)]

    @blp.arguments(EntryAwardsIn)
    @blp.response(200, StaffEntryOut(many=True))
    def post(self, data, competition_id):
        """评定奖项（须先计算排名）；结果公布时通知获奖者"""
        return judging.grant_awards(
            scope=current_scope(), staff=current_staff(), competition_id=competition_id, **data
        )
