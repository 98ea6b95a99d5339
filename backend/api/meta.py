"""参考数据: the option lists and texts every client shows, served once and cached (ETag)."""

from __future__ import annotations

import marshmallow as ma
from flask import Response, request
from flask.views import MethodView

from backend.api.base import Blueprint
from backend.common.schema import Schema
from backend.reference import service as reference

blp = Blueprint("meta", __name__, url_prefix="/api/v1", description="参考数据（选项、隐私政策、订阅模板）")
# config/privacy.yaml is read when the blueprint is registered: a missing text stops the app at start.
blp.record_once(lambda state: reference.init_app(state.app))


class OptionOut(Schema):
    value = ma.fields.String(metadata={"description": "提交时使用的取值"})
    label = ma.fields.String(metadata={"description": "显示给用户的中文名"})


def _options(description: str):
    return ma.fields.List(ma.fields.Nested(OptionOut), metadata={"description": description})


class VersionedTextOut(Schema):
    version = ma.fields.String()
    text = ma.fields.String()


class StatusesOut(Schema):
    membership = _options("入会申请状态")
    aid = _options("帮扶申请状态")
    wage = _options("欠薪求助状态")
    legal_booking = _options("法援预约状态")
    event = _options("活动状态")
    event_signup = _options("活动报名状态")
    competition = _options("竞赛状态")


class MetaOut(Schema):
    genders = _options("性别")
    worker_types = _options("职工类型（含八大群体）")
    aid_categories = _options("帮扶类别（config/aid.yaml）")
    legal_topics = _options("法律咨询事项（config/legal.yaml）")
    legal_modes = _options("法律咨询方式")
    innovation_categories = _options("“五小”作品类别")
    competition_kinds = _options("竞赛类型")
    entry_modes = _options("参赛方式")
    unit_categories = _options("单位建会时所选的单位类别（基层工会的考核类别）")
    statuses = ma.fields.Nested(StatusesOut, metadata={"description": "各类申请、预约、报名的状态及中文名"})
    privacy_notice = ma.fields.Nested(
        VersionedTextOut, metadata={"description": "现行隐私政策：入会申请的 consent_version 应为其 version"}
    )
    single_declaration = ma.fields.Nested(
        VersionedTextOut,
        metadata={"description": "联谊活动单身声明：报名的 declaration_version 应为其 version"},
    )
    subscribe_templates = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={"description": "每种通知所用的订阅消息模板 id（通知类型 → template_id）"},
    )
    subscribe_template_groups = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={
            "description": "按业务分组的模板 id（membership、aid、wages、legal、events、competitions、"
            "cases），"
            "供 wx.requestSubscribeMessage 使用（一次最多 3 个）"
        },
    )


_ETAG_DOC = {
    "ETag": {
        "description": "内容的版本；下次带 If-None-Match 请求，未变化时返回 304",
        "schema": {"type": "string"},
    }
}


@blp.route("/meta")
class Meta(MethodView):
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "If-None-Match",
                "required": False,
                "schema": {"type": "string"},
                "description": "上次响应的 ETag",
            }
        ]
    )
    @blp.response(200, MetaOut, headers=_ETAG_DOC)
    @blp.alt_response(304, description="内容未变化（按 If-None-Match）", headers=_ETAG_DOC, success=True)
    def get(self):
        """参考数据：职工类型、帮扶类别、法律咨询事项、“五小”类别、竞赛类型、各状态的中文名、现行隐私政策和
        单身声明的版本与全文、各通知的订阅消息模板 id。无需登录，可缓存（ETag）"""
        data = reference.reference_data()
        etag = reference.etag_of(data)
        headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=300"}
        if etag in request.if_none_match:
            return Response(status=304, headers=headers)
        return data, 200, headers
