"""Staff side of membership: review queues (入会审核, 转会, 单位建会), card verification, and the
deliberate, audited reveal of a full ID number or phone."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint
from backend.api.queues import QueueDocs, staff_queue
from backend.common.fields import Text
from backend.common.schema import Schema
from backend.members import cards
from backend.members import service as members
from backend.members.queue import APPLICATIONS, TRANSFERS
from backend.members.review import REVIEW_FLOW
from backend.members.schemas import ApplicationSchema, MemberSchema, TransferOut
from backend.orgs.queue import UNITS
from backend.orgs.schemas import UnitApplicationOut
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_membership",
    __name__,
    url_prefix="/api/v1/staff",
    description="入会审核、转会、单位建会（工作人员）",
)


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


staff_queue(
    blp,
    APPLICATIONS,
    row=StaffApplicationOut,
    detail=StaffApplicationOut,
    prefix="Application",
    id_name="application_id",
    docs=QueueDocs(
        list="入会审核队列（本级及下级），先到先审",
        detail="查看一份入会申请",
        transition="审核入会申请：通过、不予通过（需原因）、退回补充材料（需说明）",
    ),
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


staff_queue(
    blp,
    TRANSFERS,
    row=TransferOut,
    detail=TransferOut,
    prefix="Transfer",
    id_name="transfer_id",
    docs=QueueDocs(
        list="转入本级及下级工会的转会申请",
        detail="查看一份转会申请",
        transition="审核转会申请（由转入方审核）",
    ),
)

staff_queue(
    blp,
    UNITS,
    row=UnitApplicationOut,
    detail=UnitApplicationOut,
    prefix="Unit",
    id_name="application_id",
    docs=QueueDocs(
        list="单位建会申请队列",
        detail="查看一份单位建会申请",
        transition="审核单位建会申请；通过即在该乡镇（街道）工会下建立基层工会",
    ),
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
