"""Staff side of legal aid: admins run the centres, lawyers and schedules of their subtree and see
its bookings; a lawyer sees their own bookings and records each consultation's outcome."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.api.legal import CenterOut, SlotOut
from backend.api.queues import QueueDocs, staff_queue
from backend.common.fields import LocalDateTime, one_of
from backend.common.schema import Schema
from backend.legal import network
from backend.legal import service as legal
from backend.legal.models import (
    CENTER_LEVEL_LABELS,
    CenterLevel,
)
from backend.legal.queue import BOOKINGS
from backend.legal.schemas import (
    BookingSchema,
    CenterBrief,
    CenterIn,
    CenterPatch,
    LawyerBrief,
    LawyerIn,
    LawyerPatch,
    ScheduleIn,
)
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_legal", __name__, url_prefix="/api/v1/staff/legal-aid", description="法律援助（工作人员、律师）"
)

# --- centres ----------------------------------------------------------------------------------------
class StaffCenterQuery(Schema):
    org_id = ma.fields.Integer()
    level = ma.fields.String(validate=one_of(list(CenterLevel), CENTER_LEVEL_LABELS))
    q = ma.fields.String(validate=ma.validate.Length(max=50))


class StaffCenterOut(CenterOut):
    active = ma.fields.Boolean()
    created_at = LocalDateTime()


# --- lawyers and schedules ----------------------------------------------------------------------------
class LawyerQuery(Schema):
    center_id = ma.fields.Integer()
    active = ma.fields.Boolean()


class StaffLawyerOut(LawyerBrief):
    staff_id = ma.fields.Integer()
    center = ma.fields.Nested(CenterBrief)
    active = ma.fields.Boolean()
    created_at = LocalDateTime()


class ScheduleOut(Schema):
    id = ma.fields.Integer()
    lawyer_id = ma.fields.Integer()
    weekday = ma.fields.Integer()
    weekday_label = ma.fields.Function(lambda s: network.WEEKDAY_LABELS[s.weekday])
    start_time = ma.fields.Time(format="%H:%M")
    end_time = ma.fields.Time(format="%H:%M")
    slot_minutes = ma.fields.Integer()
    modes = ma.fields.List(ma.fields.String(), attribute="mode_list")


# --- slots and bookings --------------------------------------------------------------------------------
class StaffSlotQuery(Schema):
    center_id = ma.fields.Integer()
    lawyer_id = ma.fields.Integer()
    day = ma.fields.Date(data_key="date", load_default=None, metadata={"description": "日期（北京时间）"})


class StaffSlotOut(SlotOut):
    booking_id = ma.fields.Integer(allow_none=True)
    closed_at = LocalDateTime(allow_none=True)


StaffBookingOut = BookingSchema.view(
    "staff",
    "StaffBookingOut",
    allowed_actions=ma.fields.Function(lambda b: legal.staff_actions(b, current_staff())),
)


class ContactOut(Schema):
    name = ma.fields.String()
    mobile = ma.fields.String()


# --- routes: centres ------------------------------------------------------------------------------------
@blp.route("/centers")
class StaffCenters(MethodView):
    decorators = [staff_required(perm.LEGAL_MANAGE)]

    @blp.arguments(StaffCenterQuery, location="query")
    @blp.response(200, StaffCenterOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """本级及下级的法律援助中心（含已停用）"""
        return network.centers_stmt(scope=current_scope(), include_inactive=True, **query)

    @blp.arguments(CenterIn)
    @blp.response(201, StaffCenterOut)
    def post(self, center_in):
        """设立法律援助中心（层级随组织：市/县维权中心、乡镇工作站、企业工作点）"""
        return network.create_center(scope=current_scope(), staff=current_staff(), center_in=center_in)


@blp.route("/centers/<int:center_id>")
class StaffCenter(MethodView):
    decorators = [staff_required(perm.LEGAL_MANAGE)]

    @blp.response(200, StaffCenterOut)
    def get(self, center_id):
        """查看法律援助中心"""
        return current_scope().get(network.LegalCenter, center_id)

    @blp.arguments(CenterPatch)
    @blp.response(200, StaffCenterOut)
    def patch(self, changes, center_id):
        """修改中心信息；停用后其空闲时段不再开放预约"""
        return network.update_center(
            scope=current_scope(), staff=current_staff(), center_id=center_id, changes=changes
        )


# --- routes: lawyers and schedules ------------------------------------------------------------------------
@blp.route("/lawyers")
class StaffLawyers(MethodView):
    decorators = [staff_required(perm.LEGAL_MANAGE)]

    @blp.arguments(LawyerQuery, location="query")
    @blp.response(200, StaffLawyerOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """本级及下级中心的律师"""
        return network.lawyers_stmt(scope=current_scope(), **query)

    @blp.arguments(LawyerIn)
    @blp.response(201, StaffLawyerOut)
    def post(self, lawyer_in):
        """将律师账号登记到一个法律援助中心"""
        return network.add_lawyer(scope=current_scope(), staff=current_staff(), lawyer_in=lawyer_in)


@blp.route("/lawyers/<int:lawyer_id>")
class StaffLawyer(MethodView):
    decorators = [staff_required(perm.LEGAL_MANAGE)]

    @blp.response(200, StaffLawyerOut)
    def get(self, lawyer_id):
        """查看律师"""
        return current_scope().get(network.Lawyer, lawyer_id)

    @blp.arguments(LawyerPatch)
    @blp.response(200, StaffLawyerOut)
    def patch(self, changes, lawyer_id):
        """修改律师信息、调往其他中心、停用或恢复"""
        return network.update_lawyer(
            scope=current_scope(), staff=current_staff(), lawyer_id=lawyer_id, changes=changes
        )


@blp.route("/lawyers/<int:lawyer_id>/schedules")
class StaffSchedules(MethodView):
    decorators = [staff_required(perm.LEGAL_MANAGE)]

    @blp.response(200, ScheduleOut(many=True))
    def get(self, lawyer_id):
        """律师的每周排班"""
        return network.schedules_of(scope=current_scope(), lawyer_id=lawyer_id)

    @blp.arguments(ScheduleIn)
    @blp.response(201, ScheduleOut)
    def post(self, terms, lawyer_id):
        """新增每周排班（北京时间）；随即生成未来若干周的可预约时段"""
        return network.add_schedule(
            scope=current_scope(), staff=current_staff(), lawyer_id=lawyer_id, terms=terms
        )


@blp.route("/schedules/<int:schedule_id>")
class StaffSchedule(MethodView):
    decorators = [staff_required(perm.LEGAL_MANAGE)]

    @blp.arguments(ScheduleIn)
    @blp.response(200, ScheduleOut)
    def put(self, terms, schedule_id):
        """修改排班；未被预约的时段随之调整，已预约的保持不变"""
        return network.update_schedule(
            scope=current_scope(), staff=current_staff(), schedule_id=schedule_id, terms=terms
        )

    @blp.response(200, ScheduleOut)
    def delete(self, schedule_id):
        """停止该排班；未被预约的时段关闭，已预约的保持不变"""
        return network.remove_schedule(scope=current_scope(), staff=current_staff(), schedule_id=schedule_id)


# --- routes: slots and bookings ---------------------------------------------------------------------------
@blp.route("/slots")
class StaffSlots(MethodView):
    decorators = [staff_required((perm.LEGAL_MANAGE, perm.LEGAL_CONSULT))]

    @blp.arguments(StaffSlotQuery, location="query")
    @blp.response(200, StaffSlotOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """时段一览（管理员：本级及下级；律师：本人），含已预约和已关闭的"""
        return network.staff_slots_stmt(scope=current_scope(), staff=current_staff(), **query)


@blp.route("/slots/<int:slot_id>/close")
class StaffCloseSlot(MethodView):
    decorators = [staff_required((perm.LEGAL_MANAGE, perm.LEGAL_CONSULT))]

    @blp.response(200, StaffSlotOut)
    def post(self, slot_id):
        """关闭一个空闲时段（如节假日、律师外出）"""
        return network.close_slot(scope=current_scope(), staff=current_staff(), slot_id=slot_id)


staff_queue(
    blp,
    BOOKINGS,
    row=StaffBookingOut,
    detail=StaffBookingOut,
    prefix="StaffBooking",
    id_name="booking_id",
    docs=QueueDocs(
        list="预约一览（管理员：本级及下级中心；律师：仅本人的预约），按咨询时间排列",
        detail="查看一个预约",
        transition="律师记录咨询结果（complete + outcome）或未到场（no_show）；"
        "中心取消（staff_cancel，需原因）",
    ),
)


@blp.route("/bookings/<int:booking_id>/contact")
class StaffBookingContact(MethodView):
    decorators = [staff_required((perm.LEGAL_MANAGE, perm.LEGAL_CONSULT))]

    @blp.response(200, ContactOut)
    def post(self, booking_id):
        """查看预约职工的完整手机号（接待律师或有权限的管理员；记入审计日志）"""
        return legal.booking_contact(scope=current_scope(), staff=current_staff(), booking_id=booking_id)
