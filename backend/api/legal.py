"""Worker side of legal aid (法律援助): find a centre and a free slot, book it, cancel or move it."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_account, current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.common.fields import LocalDateTime, Text, one_of
from backend.common.schema import Schema
from backend.legal import network
from backend.legal import service as legal
from backend.legal.models import (
    CENTER_LEVEL_LABELS,
    MODE_LABELS,
    CenterLevel,
    Mode,
)
from backend.legal.schemas import BookingSchema, LawyerBrief
from backend.orgs.schemas import OrgBrief

blp = Blueprint("legal", __name__, url_prefix="/api/v1", description="法律援助预约（职工端）")

_MODES = MODE_LABELS


class CenterQuery(Schema):
    org_id = ma.fields.Integer(metadata={"description": "只看该组织及其下级的中心"})
    level = ma.fields.String(validate=one_of(list(CenterLevel), CENTER_LEVEL_LABELS))
    q = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"description": "名称关键字"})


class CenterOut(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    level = ma.fields.String()
    level_label = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)
    address = ma.fields.String()
    phone = ma.fields.String(allow_none=True)
    intro = ma.fields.String(allow_none=True)


class SlotQuery(Schema):
    center_id = ma.fields.Integer(required=True, metadata={"description": "法律援助中心"})
    day = ma.fields.Date(data_key="date", metadata={"description": "日期（北京时间），如 2026-12-01"})
    lawyer_id = ma.fields.Integer()
    mode = ma.fields.String(validate=one_of(list(Mode), _MODES))


class SlotOut(Schema):
    id = ma.fields.Integer()
    center_id = ma.fields.Integer()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    modes = ma.fields.List(ma.fields.String(), attribute="mode_list")
    mode_labels = ma.fields.Function(lambda s: [MODE_LABELS[Mode(m)] for m in s.mode_list])
    lawyer = ma.fields.Nested(LawyerBrief)


class BookingIn(Schema):
    slot_id = ma.fields.Integer(required=True, metadata={"description": "所选时段"})
    topic = ma.fields.String(required=True, metadata={"description": "咨询事项，见 config/legal.yaml topics"})
    mode = ma.fields.String(required=True, validate=one_of(list(Mode), _MODES))
    description = Text(max_length=1000, min_length=0, load_default=None, metadata={"description": "情况简述"})
    opposing_party = Text(
        max_length=100, min_length=0, load_default=None, metadata={"description": "对方当事人（如用人单位）"}
    )

    @ma.post_load
    def _blank_is_none(self, data, **_):
        for name in ("description", "opposing_party"):
            data[name] = data.get(name) or None
        return data


class CancelIn(Schema):
    reason = Text(max_length=500, min_length=0, load_default=None)


class RescheduleIn(Schema):
    slot_id = ma.fields.Integer(required=True, metadata={"description": "新的时段"})
    mode = ma.fields.String(
        validate=one_of(list(Mode), _MODES), load_default=None, metadata={"description": "默认沿用原方式"}
    )


BookingOut = BookingSchema.view(
    "worker", "BookingOut", allowed_actions=ma.fields.Function(lambda b: legal.member_actions(b))
)


# --- routes ------------------------------------------------------------------------------------------
@blp.route("/legal-aid/centers")
class Centers(MethodView):
    @blp.arguments(CenterQuery, location="query")
    @blp.response(200, CenterOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """法律援助中心（维权中心、工作站、工作点）"""
        return network.centers_stmt(**query)


@blp.route("/legal-aid/centers/<int:center_id>")
class Center(MethodView):
    @blp.response(200, CenterOut)
    def get(self, center_id):
        """一个法律援助中心"""
        return network.public_center(center_id)


@blp.route("/legal-aid/slots")
class Slots(MethodView):
    @blp.arguments(SlotQuery, location="query")
    @blp.response(200, SlotOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """可预约的时段（未被预约、未截止），按开始时间排列"""
        network.public_center(query["center_id"])
        return legal.free_slots_stmt(**query)


@blp.route("/legal-aid/bookings")
class Bookings(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(
        BookingIn,
        example={"slot_id": 101, "topic": "wages", "mode": "in_person", "description": "公司拖欠三个月工资"},
    )
    @blp.response(201, BookingOut)
    def post(self, data):
        """预约法律咨询（仅限会员；同一时段只能被一人预约）"""
        return legal.book(member=current_member(), account_id=current_account().id, **data)


@blp.route("/legal-aid/bookings/mine")
class MyBookings(MethodView):
    decorators = [worker_required]

    @blp.response(200, BookingOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我的法律咨询预约（最近的在前）"""
        return legal.bookings_of_stmt(current_member())


@blp.route("/legal-aid/bookings/<int:booking_id>")
class MyBooking(MethodView):
    decorators = [worker_required]

    @blp.response(200, BookingOut)
    def get(self, booking_id):
        """查看我的一个预约"""
        return legal.own_booking(current_member(), booking_id)


@blp.route("/legal-aid/bookings/<int:booking_id>/cancel")
class CancelBooking(MethodView):
    decorators = [worker_required]

    @blp.arguments(CancelIn)
    @blp.response(200, BookingOut)
    def post(self, data, booking_id):
        """取消预约（开始前规定时间内不能在线取消）"""
        return legal.cancel(member=current_member(), booking_id=booking_id, **data)


@blp.route("/legal-aid/bookings/<int:booking_id>/reschedule")
class RescheduleBooking(MethodView):
    decorators = [worker_required]

    @blp.arguments(RescheduleIn)
    @blp.response(200, BookingOut)
    def post(self, data, booking_id):
        """改约到另一个空闲时段（原时段同时释放）"""
        return legal.reschedule(member=current_member(), booking_id=booking_id, **data)
