"""Looking a person up by a whole ID number or phone: the number goes in this POST body, and the
queues take the returned token (``?lookup=``), so the number never sits in a URL or a proxy log."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import staff_required
from backend.api.base import Blueprint
from backend.common.fields import Text
from backend.common.schema import Schema
from backend.staff import lookup
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_lookup", __name__, url_prefix="/api/v1/staff", description="按证件号/手机号查找（工作人员）"
)


class LookupIn(Schema):
    value = Text(required=True, max_length=30, metadata={"description": "完整的18位身份证号或11位手机号"})


class LookupOut(Schema):
    lookup = ma.fields.String(metadata={"description": "放进队列的 lookup 参数，12 小时内有效"})
    kind = ma.fields.String(metadata={"description": "id_number 或 mobile"})


@blp.route("/lookup-tokens")
class LookupTokens(MethodView):
    decorators = [staff_required((perm.MEMBERSHIP_REVIEW, perm.WAGE_HANDLE))]

    @blp.arguments(LookupIn)
    @blp.response(200, LookupOut)
    def post(self, data):
        """用完整身份证号或手机号换取查询令牌（号码只在请求体中，不进网址）"""
        token, kind = lookup.make_token(data["value"])
        return {"lookup": token, "kind": kind}
