"""Staff side of 困难帮扶: the queue of the caller's subtree, a case with its timeline, transitions,
assignment, and needy-household files (建档立卡)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.aid import households, subsidy
from backend.aid import service as aid
from backend.aid.models import AidRequest, AidStatus, HouseholdStatus, NeedyHousehold
from backend.api.access import current_scope, current_staff, staff_required
from backend.api.aid import AidRequestOut, Money
from backend.api.base import Blueprint, SelectPage
from backend.api.cases import AssignIn, AttachmentOut, CaseEventOut, KeysetQuery
from backend.api.paging import next_cursor_header
from backend.cases import service as cases
from backend.common.fields import LocalDateTime, Text, one_of
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.members.schemas import MemberSchema
from backend.staff import permissions as perm
from backend.uploads import service as uploads

blp = Blueprint(
    "staff_aid", __name__, url_prefix="/api/v1/staff", description="困难帮扶与建档立卡（工作人员）"
)


def _known(table: str):
    """Validator against a label table of config/aid.yaml (read when the request is checked)."""

    def check(value):
        labels = getattr(subsidy.rules(), table)
        if value not in labels:
            raise ma.ValidationError(f"取值应为：{'、'.join(labels.values())}（{'、'.join(labels)}）")

    return check


def _assignee(value: str) -> None:
    if value not in ("mine", "none") and not value.isdigit():
        raise ma.ValidationError("取值应为 mine（我经办的）、none（未分派）或工作人员 id")


class QueueQuery(KeysetQuery):
    status = ma.fields.String(validate=one_of(list(AidStatus)))
    category = ma.fields.String(validate=_known("categories"))
    overdue = ma.fields.Boolean(metadata={"description": "true：只看已超期的；false：只看未超期的"})
    assignee = ma.fields.String(validate=_assignee, metadata={"description": "mine / none / 工作人员 id"})
    flagged = ma.fields.Boolean(metadata={"description": "true：只看疑似重复申请"})
    q = ma.fields.String(
        validate=ma.validate.Length(max=50), metadata={"description": "困难情况、疾病名称或申请人姓名关键字"}
    )


NEXT_CURSOR = {
    "X-Next-Cursor": {"description": "下一页的 cursor（没有下一页时不返回）", "schema": {"type": "string"}}
}


class ActionOut(Schema):
    action = ma.fields.String()
    label = ma.fields.String()
    needs_note = ma.fields.Boolean()


class StaffAidRequestOut(AidRequestOut):
    """A request as staff see it: the requester (masked), flags, owner, what may be done next."""

    member = ma.fields.Nested(MemberSchema)
    worker_type = ma.fields.String()
    origin_org_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer(allow_none=True)
    escalations = ma.fields.Integer()
    overdue = ma.fields.Function(lambda c: c.due_at is not None and c.due_at < utcnow())
    flagged_duplicate = ma.fields.Boolean()
    duplicate_of_id = ma.fields.Integer(allow_none=True)
    needy_household_id = ma.fields.Integer(allow_none=True)
    allowed_actions = ma.fields.Function(lambda c: ActionOut(many=True).dump(aid.staff_actions(c)))


class StaffAidDetailOut(StaffAidRequestOut):
    timeline = ma.fields.Function(lambda c: CaseEventOut(many=True).dump(cases.timeline(aid.AID, c.id)))
    attachments = ma.fields.Function(
        lambda c: AttachmentOut(many=True).dump(uploads.of_case(aid.AID.name, c.id))
    )


class AidTransitionIn(Schema):
    action = ma.fields.String(
        required=True,
        validate=one_of(sorted(aid.AID_FLOW.all_actions)),
        metadata={
            "description": "accept 受理 / verify 开始走访核实 / approve 批准 / reject 不予批准 / "
            "disburse 发放 / close 办结"
        },
    )
    note = Text(
        max_length=500, min_length=0, load_default=None, metadata={"description": "不予批准时必填原因"}
    )
    amount = Money(
        metadata={"description": "approve：批准金额（必填）；disburse：发放金额（默认为批准金额）"}
    )
    disbursed_on = ma.fields.Date(metadata={"description": "disburse：发放日期（默认今天）"})
    assignee_id = ma.fields.Integer(metadata={"description": "accept：经办人（默认本人）"})


# --- help requests ----------------------------------------------------------------------------------------
@blp.route("/aid-requests")
class AidQueue(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, StaffAidRequestOut(many=True), headers=NEXT_CURSOR)
    def get(self, query):
        """帮扶队列（本级及下级），按提交时间先到先办；下一页用响应头 X-Next-Cursor 作 cursor"""
        rows, cursor = aid.queue_page(current_scope(), **query)
        return rows, next_cursor_header(cursor)


@blp.route("/aid-requests/<int:request_id>")
class AidDetail(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.response(200, StaffAidDetailOut)
    def get(self, request_id):
        """查看一件帮扶申请：办理记录、附件、参考补助金额、可执行的操作"""
        return current_scope().get(AidRequest, request_id)


@blp.route("/aid-requests/<int:request_id>/transition")
class AidTransition(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.arguments(AidTransitionIn)
    @blp.response(200, StaffAidDetailOut)
    def post(self, data, request_id):
        """办理：受理、走访核实、批准（金额）、不予批准（原因）、发放（金额、日期）、办结"""
        return aid.handle(scope=current_scope(), staff=current_staff(), request_id=request_id, **data)


@blp.route("/aid-requests/<int:request_id>/assign")
class AidAssign(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.arguments(AssignIn)
    @blp.response(200, StaffAidDetailOut)
    def post(self, data, request_id):
        """分派经办人（本级或下级工会的工作人员）；assignee_id 为 null 即取消分派"""
        return aid.assign(scope=current_scope(), staff=current_staff(), request_id=request_id, **data)


# --- needy-household files (建档立卡) ---------------------------------------------------------------------
class HouseholdIn(Schema):
    member_id = ma.fields.Integer(required=True, metadata={"description": "困难职工（会员）id"})
    file_no = Text(max_length=32, metadata={"description": "档案号（不填则自动生成）"})
    hardship_type = ma.fields.String(required=True, validate=_known("hardship_types"))
    situation = Text(required=True, max_length=2000, metadata={"description": "家庭情况"})
    plan = Text(required=True, max_length=2000, metadata={"description": "帮扶计划（一户一计划）"})
    measures = ma.fields.List(
        Text(max_length=200),
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "帮扶措施（一户一措施），每条一项"},
    )


class HouseholdUpdateIn(Schema):
    hardship_type = ma.fields.String(validate=_known("hardship_types"))
    situation = Text(max_length=2000)
    plan = Text(max_length=2000)
    measures = ma.fields.List(Text(max_length=200), validate=ma.validate.Length(min=1, max=20))


class HouseholdSettleIn(Schema):
    action = ma.fields.String(required=True, validate=one_of(["close", "reopen"]))
    note = Text(max_length=500, min_length=0, load_default=None, metadata={"description": "销档原因（必填）"})


class HouseholdQuery(Schema):
    status = ma.fields.String(validate=one_of(list(HouseholdStatus)))
    q = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"description": "姓名或档案号"})


class HouseholdOut(Schema):
    id = ma.fields.Integer()
    file_no = ma.fields.String()
    member = ma.fields.Nested(MemberSchema)
    org_id = ma.fields.Integer()
    hardship_type = ma.fields.String()
    hardship_label = ma.fields.Function(lambda h: subsidy.rules().hardship_types.get(h.hardship_type))
    situation = ma.fields.String()
    plan = ma.fields.String()
    measures = ma.fields.List(ma.fields.String())
    status = ma.fields.String()
    close_reason = ma.fields.String(allow_none=True)
    created_by = ma.fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    closed_at = LocalDateTime(allow_none=True)


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
    def post(self, data):
        """建档立卡：一户一档案、一户一计划、一户一措施"""
        return households.file_household(scope=current_scope(), staff=current_staff(), data=data)


@blp.route("/needy-households/<int:household_id>")
class Household(MethodView):
    decorators = [staff_required(perm.AID_HANDLE)]

    @blp.response(200, HouseholdOut)
    def get(self, household_id):
        """查看一份困难职工档案"""
        return current_scope().get(NeedyHousehold, household_id)

    @blp.arguments(HouseholdUpdateIn)
    @blp.response(200, HouseholdOut)
    def patch(self, data, household_id):
        """更新家庭情况、帮扶计划或帮扶措施"""
        return households.update_household(
            scope=current_scope(), staff=current_staff(), household_id=household_id, data=data
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
