"""Staff side of 困难帮扶: the queue of the caller's subtree, a case with its timeline, transitions,
assignment, and needy-household files (建档立卡)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.aid import households
from backend.aid import service as aid
from backend.aid.models import HouseholdStatus, NeedyHousehold
from backend.aid.queue import QUEUE
from backend.aid.schemas import (
    AidRequestSchema,
    HouseholdIn,
    HouseholdOut,
    HouseholdSettleIn,
    HouseholdUpdateIn,
)
from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.api.cases import AttachmentOut, CaseEventOut
from backend.api.queues import QueueDocs, staff_queue
from backend.cases import service as cases
from backend.common.fields import one_of
from backend.common.schema import Schema
from backend.staff import permissions as perm
from backend.uploads import service as uploads

blp = Blueprint(
    "staff_aid", __name__, url_prefix="/api/v1/staff", description="困难帮扶与建档立卡（工作人员）"
)


StaffAidRequestOut = AidRequestSchema.view("staff_row", "StaffAidRequestOut")
StaffAidDetailOut = AidRequestSchema.view(
    "staff_row",
    "StaffAidDetailOut",
    timeline=ma.fields.Function(lambda c: CaseEventOut(many=True).dump(cases.timeline(aid.AID, c.id))),
    attachments=ma.fields.Function(
        lambda c: AttachmentOut(many=True).dump(uploads.of_case(aid.AID.name, c.id))
    ),
)


# --- help requests ----------------------------------------------------------------------------------------
staff_queue(
    blp,
    QUEUE,
    row=StaffAidRequestOut,
    detail=StaffAidDetailOut,
    prefix="Aid",
    id_name="request_id",
    docs=QueueDocs(
        list="帮扶队列（本级及下级），按提交时间先到先办；下一页用响应头 X-Next-Cursor 作 cursor",
        detail="查看一件帮扶申请：办理记录、附件、参考补助金额、可执行的操作",
        transition="办理：受理、走访核实、批准（金额）、不予批准（原因）、发放（金额、日期）、办结",
        assign="分派经办人（本级或下级工会的工作人员）；assignee_id 为 null 即取消分派",
    ),
)


# --- needy-household files (建档立卡) ---------------------------------------------------------------------
class HouseholdQuery(Schema):
    status = ma.fields.String(validate=one_of(list(HouseholdStatus)))
    q = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"description": "姓名或档案号"})


@blp.route("/needy-households")
class Households(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.arguments(HouseholdQuery, location="query")
    @blp.response(200, HouseholdOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """困难职工档案（本级及下级），最新在前"""
        return households.households_stmt(current_scope(), **query)

    @blp.arguments(HouseholdIn)
    @blp.response(201, HouseholdOut)
    def post(self, file_in):
        """建档立卡：一户一档案、一户一计划、一户一措施"""
        return households.file_household(scope=current_scope(), staff=current_staff(), file_in=file_in)


@blp.route("/needy-households/<int:household_id>")
class Household(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.response(200, HouseholdOut)
    def get(self, household_id):
        """查看一份困难职工档案"""
        return current_scope().get(NeedyHousehold, household_id)

    @blp.arguments(HouseholdUpdateIn)
    @blp.response(200, HouseholdOut)
    def patch(self, changes, household_id):
        """更新家庭情况、帮扶计划或帮扶措施"""
        return households.update_household(
            scope=current_scope(), staff=current_staff(), household_id=household_id, changes=changes
        )


@blp.route("/needy-households/<int:household_id>/transition")
class HouseholdTransition(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.arguments(HouseholdSettleIn)
    @blp.response(200, HouseholdOut)
    def post(self, data, household_id):
        """销档（close，需原因）或恢复建档（reopen）"""
        return households.settle_household(
            scope=current_scope(), staff=current_staff(), household_id=household_id, **data
        )
