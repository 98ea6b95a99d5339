"""Staff side of 联谊交友: create, edit, publish, cancel and finish events of the subtree, the roster
(personal data masked — staff never see attendees' phone numbers), and check-in at the door."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.common.crypto import mask_name
from backend.common.fields import LocalDateTime, MaskedPhone, Text, one_of
from backend.common.schema import Schema, TransitionIn
from backend.events import checkin
from backend.events import service as events
from backend.events.models import SIGNUP_STATUS_LABELS, EventStatus, SignupStatus
from backend.events.schemas import EventIn, EventPatch, EventSchema
from backend.orgs.schemas import OrgBrief
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_events", __name__, url_prefix="/api/v1/staff", description="联谊交友活动管理与签到（工作人员）"
)


StaffEventOut = EventSchema.view(
    "staff",
    "StaffEventOut",
    allowed_actions=ma.fields.Function(
        lambda e: [t.action for t in events.EVENT_FLOW.actions(e.status, "staff")]
    ),
)


class EventQuery(Schema):
    status = ma.fields.String(validate=one_of(list(EventStatus)))
    q = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"description": "活动名称关键字"})


class RosterQuery(Schema):
    status = ma.fields.String(validate=one_of(list(SignupStatus)))


class RosterOut(Schema):
    """One sign-up as staff see it: the name and phone masked, never in full."""

    id = ma.fields.Integer()
    member_id = ma.fields.Integer()
    name = ma.fields.Function(lambda s: mask_name(s.member.name))
    nickname = ma.fields.String(allow_none=True)
    mobile = MaskedPhone(attribute="member.mobile")
    org = ma.fields.Nested(OrgBrief, attribute="member.org")
    gender = ma.fields.String()
    age = ma.fields.Integer(allow_none=True)
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda s: SIGNUP_STATUS_LABELS.get(s.status, s.status))
    waitlist_position = ma.fields.Integer(allow_none=True)
    declaration_version = ma.fields.String()
    single_declared_at = LocalDateTime()
    created_at = LocalDateTime()
    seated_at = LocalDateTime(allow_none=True)
    promoted_at = LocalDateTime(allow_none=True)
    cancelled_at = LocalDateTime(allow_none=True)
    checked_in_at = LocalDateTime(allow_none=True)


class CheckInIn(Schema):
    token = Text(required=True, max_length=500, metadata={"description": "会员出示的入场二维码内容"})


class CheckInOut(Schema):
    already_checked_in = ma.fields.Boolean(metadata={"description": "此前已签到（重复扫码）"})
    signup = ma.fields.Nested(RosterOut)


@blp.route("/events")
class StaffEvents(MethodView):
    decorators = [staff_required(perm.EVENT_MANAGE)]

    @blp.arguments(EventQuery, location="query")
    @blp.response(200, StaffEventOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """本级及下级工会组织的联谊活动"""
        return events.events_stmt(current_scope(), **query)

    @idempotent
    @blp.arguments(EventIn)
    @blp.response(201, StaffEventOut)
    def post(self, data):
        """新建活动（草稿），发布后会员才能看到"""
        event = events.create_event(scope=current_scope(), staff=current_staff(), event_in=data)
        return events.staff_event(current_scope(), event.id)


@blp.route("/events/<int:event_id>")
class StaffEvent(MethodView):
    decorators = [staff_required(perm.EVENT_MANAGE)]

    @blp.response(200, StaffEventOut)
    def get(self, event_id):
        """活动详情与名额统计"""
        return events.staff_event(current_scope(), event_id)

    @blp.arguments(EventPatch(partial=True))
    @blp.response(200, StaffEventOut)
    def patch(self, data, event_id):
        """修改活动；人数或名额增加时，候补会员按顺序自动递补"""
        events.update_event(
            scope=current_scope(), staff=current_staff(), event_id=event_id, changes=data
        )
        return events.staff_event(current_scope(), event_id)


@blp.route("/events/<int:event_id>/transition")
class StaffEventTransition(MethodView):
    decorators = [staff_required(perm.EVENT_MANAGE)]

    @blp.arguments(TransitionIn)
    @blp.response(200, StaffEventOut)
    def post(self, data, event_id):
        """发布（publish）、取消（cancel，需原因，通知所有报名会员）、结束（finish）"""
        events.transition_event(scope=current_scope(), staff=current_staff(), event_id=event_id, **data)
        return events.staff_event(current_scope(), event_id)


@blp.route("/events/<int:event_id>/roster")
class Roster(MethodView):
    decorators = [staff_required(perm.EVENT_MANAGE)]

    @blp.arguments(RosterQuery, location="query")
    @blp.response(200, RosterOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, event_id):
        """报名名单：报名成功的在前，候补按序号，个人信息脱敏"""
        return events.roster_stmt(current_scope(), event_id, **query)


@blp.route("/events/<int:event_id>/check-in")
class CheckIn(MethodView):
    decorators = [staff_required(perm.EVENT_CHECKIN)]

    @blp.arguments(CheckInIn)
    @blp.response(200, CheckInOut)
    def post(self, data, event_id):
        """扫码签到：每人只记一次，重复扫码返回已签到"""
        done = checkin.check_in(
            scope=current_scope(),
            staff=current_staff(),
            event_id=event_id,
            token=data["token"],
            secret_key=current_app.config["SECRET_KEY"],
        )
        return {"already_checked_in": not done.first_time, "signup": done.signup}
