"""工会公告 for staff: publish to a subtree, list what the subtree published, withdraw."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.announcements import service as announcements
from backend.api.access import current_scope, current_staff, staff_required
from backend.api.announcements import AnnouncementOut
from backend.api.base import Blueprint, SelectPage
from backend.common.fields import LocalDateTime, Text
from backend.common.schema import Schema
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_announcements", __name__, url_prefix="/api/v1/staff", description="工会公告（工作人员）"
)


class AnnouncementIn(Schema):
    title = Text(required=True, max_length=announcements.TITLE_MAX)
    body = Text(required=True, max_length=announcements.BODY_MAX)
    org_id = ma.fields.Integer(
        load_default=None, metadata={"description": "以哪个工会名义发布（本级或下级），默认本人所在工会"}
    )


class StaffAnnouncementOut(AnnouncementOut):
    published_by = ma.fields.Integer()
    withdrawn_at = LocalDateTime(allow_none=True)


@blp.route("/announcements")
class StaffAnnouncements(MethodView):
    decorators = [staff_required(perm.ANNOUNCEMENT_PUBLISH)]

    @blp.response(200, StaffAnnouncementOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """本级及下级工会发布的公告（最新在前）"""
        return announcements.staff_stmt(current_scope())

    @blp.arguments(AnnouncementIn)
    @blp.response(201, StaffAnnouncementOut)
    def post(self, data):
        """发布公告：本工会及全部下级工会的会员可见"""
        return announcements.publish(scope=current_scope(), staff=current_staff(), **data)


@blp.route("/announcements/<int:announcement_id>/withdraw")
class WithdrawAnnouncement(MethodView):
    decorators = [staff_required(perm.ANNOUNCEMENT_PUBLISH)]

    @blp.response(200, StaffAnnouncementOut)
    def post(self, announcement_id):
        """撤回一条公告（会员不再可见）"""
        return announcements.withdraw(
            scope=current_scope(), staff=current_staff(), announcement_id=announcement_id
        )
