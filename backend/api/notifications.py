"""The worker's inbox and the subscribe grants from ``wx.requestSubscribeMessage``."""

from __future__ import annotations

import marshmallow as ma
from flask import after_this_request
from flask.views import MethodView

from backend.api.access import current_account, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.common.fields import LocalDateTime
from backend.common.schema import Schema
from backend.notify import service as notify

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="消息与订阅")


class SubscriptionsIn(Schema):
    template_ids = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=64)),
        required=True,
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "wx.requestSubscribeMessage 中用户选择“允许”的模板 id"},
    )


class GrantOut(Schema):
    template_id = ma.fields.String()
    remaining = ma.fields.Integer(metadata={"description": "还可发送的次数（每次同意一次）"})


class InboxQuery(Schema):
    unread_only = ma.fields.Boolean(load_default=False)


class NotificationOut(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    page = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()
    read_at = LocalDateTime(allow_none=True)
    read = ma.fields.Function(lambda n: n.read_at is not None)


class UnreadOut(Schema):
    unread = ma.fields.Integer()


@blp.route("/subscriptions")
class Subscriptions(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(SubscriptionsIn)
    @blp.response(200, GrantOut(many=True))
    def post(self, data):
        """记录用户同意的订阅消息模板：每同意一次，可发送一条（带 Idempotency-Key 的重试不会重复计数）"""
        notify.record_grants(account=current_account(), accepted=data["template_ids"])
        return notify.grants_of(current_account())

    @blp.response(200, GrantOut(many=True))
    def get(self):
        """我的订阅消息余量"""
        return notify.grants_of(current_account())


_UNREAD_HEADER = {"description": "未读条数", "schema": {"type": "integer", "minimum": 0}}


@blp.route("/notifications")
class Inbox(MethodView):
    decorators = [worker_required]

    @blp.arguments(InboxQuery, location="query")
    @blp.response(200, NotificationOut(many=True), headers={"X-Unread-Count": _UNREAD_HEADER})
    @blp.paginate(SelectPage)
    def get(self, query):
        """我的消息（最新在前）；未读条数在 X-Unread-Count 头中"""
        unread = notify.unread_count(current_account())

        @after_this_request
        def _unread_header(response):
            response.headers["X-Unread-Count"] = str(unread)
            return response

        return notify.inbox_stmt(current_account(), unread_only=query["unread_only"])


@blp.route("/notifications/unread-count")
class UnreadCount(MethodView):
    decorators = [worker_required]

    @blp.response(200, UnreadOut)
    def get(self):
        """未读消息条数"""
        return {"unread": notify.unread_count(current_account())}


@blp.route("/notifications/<int:notification_id>/read")
class MarkRead(MethodView):
    decorators = [worker_required]

    @blp.response(200, NotificationOut)
    def post(self, notification_id):
        """标记一条消息为已读"""
        return notify.mark_read(account=current_account(), notification_id=notification_id)


@blp.route("/notifications/read-all")
class MarkAllRead(MethodView):
    decorators = [worker_required]

    @blp.response(200, UnreadOut)
    def post(self):
        """全部标记为已读"""
        notify.mark_all_read(account=current_account())
        return {"unread": 0}
