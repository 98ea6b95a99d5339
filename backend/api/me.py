"""The worker's own record: ``GET /me`` and the member card ``GET /me/card``."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_account, current_member, worker_required
from backend.api.auth import ApplicationBrief, worker_summary
from backend.api.base import Blueprint, Schema
from backend.api.fields import LocalDateTime
from backend.api.schemas import MemberSchema, OrgBrief
from backend.common.crypto import mask_name
from backend.common.types import utcnow
from backend.members import cards

blp = Blueprint("me", __name__, url_prefix="/api/v1", description="我的信息与会员卡")


class MeOut(Schema):
    account_id = ma.fields.Integer()
    is_member = ma.fields.Boolean()
    member = ma.fields.Nested(MemberSchema, allow_none=True)
    application = ma.fields.Nested(ApplicationBrief, allow_none=True)


class CardOut(Schema):
    card_no = ma.fields.String()
    name = ma.fields.String(metadata={"description": "持卡人姓名（脱敏）"})
    org = ma.fields.Nested(OrgBrief)
    joined_at = LocalDateTime()
    qr_payload = ma.fields.String(metadata={"description": "签名的二维码内容，工作人员扫码核验"})
    qr_expires_in = ma.fields.Integer()
    issued_at = LocalDateTime()


@blp.route("/me")
class Me(MethodView):
    decorators = [worker_required]

    @blp.response(200, MeOut)
    def get(self):
        """我的账号、会员信息和最近一次入会申请"""
        return worker_summary(current_account())


@blp.route("/me/card")
class MyCard(MethodView):
    decorators = [worker_required]

    @blp.response(200, CardOut)
    def get(self):
        """电子会员卡：卡号与签名二维码（5分钟内有效，过期请刷新）"""
        member = current_member()
        payload = cards.sign_card(
            current_app.config["SECRET_KEY"], member_id=member.id, card_no=member.card_no
        )
        return {
            "card_no": member.card_no,
            "name": mask_name(member.name),
            "org": member.org,
            "joined_at": member.joined_at,
            "qr_payload": payload,
            "qr_expires_in": cards.CARD_QR_TTL_SECONDS,
            "issued_at": utcnow(),
        }
