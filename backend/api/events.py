"""Worker side of 联谊交友: find events, sign up (seat or waitlist), cancel, show the ticket, and after
the event mark interest in other attendees and see mutual matches."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.common.fields import LocalDateTime
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.events import checkin, matching, signups
from backend.events import service as events
from backend.events.models import SIGNUP_STATUS_LABELS
from backend.events.rules import rules
from backend.events.schemas import EventSchema, SignupIn

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="联谊交友活动（职工端）")


EventOut = EventSchema.view("worker", "EventOut")
EventBrief = EventSchema.view("brief", "EventBrief")


class SignupOut(Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    status = ma.fields.String(
        metadata={"description": "seated 报名成功 / waitlisted 候补中 / cancelled 已取消"}
    )
    status_label = ma.fields.Function(lambda s: SIGNUP_STATUS_LABELS.get(s.status, s.status))
    waitlist_position = ma.fields.Integer(allow_none=True, metadata={"description": "候补序号（先到先得）"})
    nickname = ma.fields.String(allow_none=True)
    declaration_version = ma.fields.String()
    single_declared_at = LocalDateTime()
    created_at = LocalDateTime()
    seated_at = LocalDateTime(allow_none=True)
    promoted_at = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    checked_in_at = LocalDateTime(allow_none=True)


class MySignupOut(SignupOut):
    event = ma.fields.Nested(EventBrief)
    waitlist_ahead = ma.fields.Function(
        signups.waiting_ahead, metadata={"description": "排在我前面的候补人数"}
    )


class DeclarationOut(Schema):
    version = ma.fields.String()
    text = ma.fields.String()


class EventDetailOut(Schema):
    event = ma.fields.Nested(EventOut)
    my_signup = ma.fields.Nested(SignupOut, allow_none=True)
    can_sign_up = ma.fields.Boolean()
    reason = ma.fields.String(allow_none=True, metadata={"description": "不能报名的原因"})
    declaration = ma.fields.Function(
        lambda _: {"version": rules().declaration_version, "text": rules().declaration_text},
        metadata={"description": "报名时须确认的单身声明"},
    )


class TicketOut(Schema):
    signup_id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    qr_payload = ma.fields.String(metadata={"description": "签名的入场二维码内容，工作人员扫码签到"})
    qr_expires_in = ma.fields.Integer()
    issued_at = LocalDateTime()


class InterestIn(Schema):
    member_ids = ma.fields.List(
        ma.fields.Integer(), required=True, validate=ma.validate.Length(min=1, max=50)
    )


class AttendeeOut(Schema):
    member_id = ma.fields.Integer()
    display_name = ma.fields.String(metadata={"description": "昵称或脱敏姓名"})
    gender = ma.fields.String()
    age = ma.fields.Integer(allow_none=True)
    interested = ma.fields.Boolean(metadata={"description": "我已心动"})
    matched = ma.fields.Boolean(metadata={"description": "互相心动"})


class MatchOut(Schema):
    member_id = ma.fields.Integer()
    display_name = ma.fields.String()
    gender = ma.fields.String()
    age = ma.fields.Integer(allow_none=True)
    mobile = ma.fields.String(metadata={"description": "对方手机号（仅互相心动时可见）"})


@blp.route("/events")
class Events(MethodView):
    decorators = [worker_required]

    @blp.response(200, EventOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """可报名的联谊活动：已发布、尚未开始、面向我所在工会且符合年龄要求"""
        return events.upcoming_stmt(current_member())


@blp.route("/events/mine")
class MyEvents(MethodView):
    decorators = [worker_required]

    @blp.response(200, MySignupOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我的活动报名（最新的在前），含候补序号和前面的候补人数"""
        return signups.signups_of_stmt(current_member())


@blp.route("/events/<int:event_id>")
class EventDetail(MethodView):
    decorators = [worker_required]

    @blp.response(200, EventDetailOut)
    def get(self, event_id):
        """活动详情：我的报名、能否报名（及原因）、单身声明全文"""
        return events.event_for(current_member(), event_id)


@blp.route("/events/<int:event_id>/signups")
class Signups(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(SignupIn)
    @blp.response(201, SignupOut)
    def post(self, data, event_id):
        """报名：有名额即报名成功，否则进入候补（先到先得）"""
        return signups.sign_up(member=current_member(), event_id=event_id, signup_in=data)


@blp.route("/events/<int:event_id>/signups/cancel")
class CancelSignup(MethodView):
    decorators = [worker_required]

    @blp.response(200, SignupOut)
    def post(self, event_id):
        """取消报名（活动开始前）；空出的名额自动由下一位候补递补"""
        return signups.cancel_signup(member=current_member(), event_id=event_id)


@blp.route("/events/<int:event_id>/ticket")
class Ticket(MethodView):
    decorators = [worker_required]

    @blp.response(200, TicketOut)
    def get(self, event_id):
        """入场码：签名二维码（5分钟内有效，过期请刷新），工作人员扫码签到"""
        signup, token = checkin.ticket_for(
            member=current_member(), event_id=event_id, secret_key=current_app.config["SECRET_KEY"]
        )
        return {
            "signup_id": signup.id,
            "event_id": event_id,
            "qr_payload": token,
            "qr_expires_in": rules().ticket_ttl_seconds,
            "issued_at": utcnow(),
        }


@blp.route("/events/<int:event_id>/attendees")
class Attendees(MethodView):
    decorators = [worker_required]

    @blp.response(200, AttendeeOut(many=True))
    def get(self, event_id):
        """本场已签到的其他参与者（昵称或脱敏姓名、性别、年龄），活动结束后可见"""
        return matching.attendees(member=current_member(), event_id=event_id)


@blp.route("/events/<int:event_id>/interests")
class Interests(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(InterestIn)
    @blp.response(200, AttendeeOut(many=True))
    def post(self, data, event_id):
        """心动：选择本场已签到的参与者；双方互选后才能看到对方的联系方式"""
        return matching.mark_interest(
            member=current_member(), event_id=event_id, member_ids=data["member_ids"]
        )


@blp.route("/events/<int:event_id>/matches")
class Matches(MethodView):
    decorators = [worker_required]

    @blp.response(200, MatchOut(many=True))
    def get(self, event_id):
        """互相心动的对象及其手机号"""
        return matching.matches(member=current_member(), event_id=event_id)
