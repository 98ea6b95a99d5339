"""工会公告 for workers: the notices of their union and of every union above it."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.announcements import service as announcements
from backend.api.access import current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.common.fields import LocalDateTime
from backend.common.schema import Schema
from backend.orgs.schemas import OrgBrief

blp = Blueprint("announcements", __name__, url_prefix="/api/v1", description="工会公告")


class AnnouncementOut(Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    body = ma.fields.String()
    org = ma.fields.Nested(OrgBrief, metadata={"description": "发布公告的工会"})
    published_at = LocalDateTime()


@blp.route("/announcements")
class MemberAnnouncements(MethodView):
    decorators = [worker_required]

    @blp.response(200, AnnouncementOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我能看到的工会公告：本工会及各上级工会发布的（最新在前）"""
        return announcements.for_member_stmt(current_member())
