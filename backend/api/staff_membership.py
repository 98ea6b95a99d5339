"""Staff side of membership: review queues (入会审核, 转会, 单位建会), card verification, and the
deliberate, audited reveal of a full ID number or phone."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.common.fields import Text, one_of
from backend.common.schema import Schema, TransitionIn
from backend.members import cards
from backend.members import service as members
from backend.members.models import MembershipApplication, ReviewStatus
from backend.members.review import REVIEW_FLOW
from backend.members.schemas import ApplicationSchema, MemberSchema, TransferOut
from backend.orgs import units
from backend.orgs.schemas import UnitApplicationOut
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_membership",
    __name__,
    url_prefix="/api/v1/staff",
    description="入会审核、转会、单位建会（工作人员）",
)


class QueueQuery(Schema):
    status = ma.fields.String(validate=one_of(list(ReviewStatus)))
    org_id = ma.fields.Integer()
    q = ma.fields.String(
        validate=ma.validate.Length(max=50),
        metadata={"description": "姓名/单位关键字（完整身份证号、手机号请用 lookup）"},
    )
    lookup = ma.fields.String(
        validate=ma.validate.Length(max=300),
        metadata={"description": "POST /staff/lookup-tokens 换得的查询令牌：按完整身份证号或手机号查找"},
    )


class StatusQuery(Schema):
    status = ma.fields.String(validate=one_of(list(ReviewStatus)))


StaffApplicationOut = ApplicationSchema.view(
    "staff",
    "StaffApplicationOut",
    allowed_actions=ma.fields.Function(lambda a: [t.action for t in REVIEW_FLOW.actions(a.status, "staff")]),
)


class RevealOut(Schema):
    id_number = ma.fields.String()
    mobile = ma.fields.String()


class CardVerifyIn(Schema):
    payload = Text(required=True, max_length=500)


class CardVerifyOut(Schema):
    valid = ma.fields.Boolean()
    member = ma.fields.Nested(MemberSchema)


@blp.route("/membership/applications")
class ApplicationQueue(MethodView):
    decorators = [staff_required(perm.MEMBERSHIP_REVIEW)]

    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, StaffApplicationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """入会审核队列（本级及下级），先到先审"""
        return members.applications_stmt(current_scope(), **query)


@blp.route("/membership/applications/<int:application_id>")
class ApplicationDetail(MethodView):
    decorators = [staff_required(perm.MEMBERSHIP_REVIEW)]

    @blp.response(200, StaffApplicationOut)
    def get(self, application_id):
        """查看一份入会申请"""
        return current_scope().get(MembershipApplication, application_id)


@blp.route("/membership/applications/<int:application_id>/transition")
class ApplicationTransition(MethodView):
    decorators = [staff_required(perm.MEMBERSHIP_REVIEW)]

    @blp.arguments(TransitionIn)
    @blp.response(200, StaffApplicationOut)
    def post(self, data, application_id):
        """审核入会申请：通过、不予通过（需原因）、退回补充材料（需说明）"""
        return members.review_application(
            scope=current_scope(), staff=current_staff(), application_id=application_id, **data
        )


@blp.route("/membership/applications/<int:application_id>/reveal")
class ApplicationReveal(MethodView):
    decorators = [staff_required(perm.PII_REVEAL)]

    @blp.response(200, RevealOut)
    def post(self, application_id):
        """查看完整身份证号和手机号（记入审计日志）"""
        return members.reveal_application(
            scope=current_scope(), staff=current_staff(), application_id=application_id
        )


@blp.route("/membership/transfers")
class TransferQueue(MethodView):
    decorators = [staff_required(perm.TRANSFER_REVIEW)]

    @blp.arguments(StatusQuery, location="query")
    @blp.response(200, TransferOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """转入本级及下级工会的转会申请"""
        return members.transfers_stmt(current_scope(), **query)


@blp.route("/membership/transfers/<int:transfer_id>/transition")
class TransferTransition(MethodView):
    decorators = [staff_required(perm.TRANSFER_REVIEW)]

    @blp.arguments(TransitionIn)
    @blp.response(200, TransferOut)
    def post(self, data, transfer_id):
        """审核转会申请（由转入方审核）"""
        return members.review_transfer(
            scope=current_scope(), staff=current_staff(), transfer_id=transfer_id, **data
        )


@blp.route("/unit-applications")
class UnitQueue(MethodView):
    decorators = [staff_required(perm.UNIT_REVIEW)]

    @blp.arguments(StatusQuery, location="query")
    @blp.response(200, UnitApplicationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """单位建会申请队列"""
        return units.unit_applications_stmt(current_scope(), **query)


@blp.route("/unit-applications/<int:application_id>/transition")
class UnitTransition(MethodView):
    decorators = [staff_required(perm.UNIT_REVIEW)]

    @blp.arguments(TransitionIn)
    @blp.response(200, UnitApplicationOut)
    def post(self, data, application_id):
        """审核单位建会申请；通过即在该乡镇（街道）工会下建立基层工会"""
        return units.review_unit(
            scope=current_scope(), staff=current_staff(), application_id=application_id, **data
        )


@blp.route("/cards/verify")
class CardVerify(MethodView):
    decorators = [staff_required(perm.CARD_VERIFY)]

    @blp.arguments(CardVerifyIn)
    @blp.response(200, CardVerifyOut)
    def post(self, data):
        """核验会员出示的电子会员卡二维码"""
        member = cards.verify_card(current_app.config["SECRET_KEY"], data["payload"])
        return {"valid": True, "member": member}
