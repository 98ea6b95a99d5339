"""The worker's own record: ``GET /me`` and the member card ``GET /me/card``."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_account, current_member, worker_required
from backend.api.aid import AidRequestOut
from backend.api.auth import ApplicationBrief, worker_summary
from backend.api.base import Blueprint
from backend.api.competitions import MyEntryOut
from backend.api.events import MySignupOut
from backend.api.legal import BookingOut
from backend.api.membership import ApplicationOut, TransferOut, UnitApplicationOut
from backend.api.wages import WageClaimOut
from backend.common.fields import LocalDateTime
from backend.common.schema import MessageOut, Schema
from backend.common.types import utcnow
from backend.members import cards, privacy
from backend.members.schemas import MemberSchema
from backend.orgs.schemas import OrgBrief

blp = Blueprint("me", __name__, url_prefix="/api/v1", description="我的信息与会员卡")


class MeOut(Schema):
    account_id = ma.fields.Integer()
    is_member = ma.fields.Boolean()
    member = ma.fields.Nested(MemberSchema, allow_none=True)
    application = ma.fields.Nested(ApplicationBrief, allow_none=True)


class CardOut(Schema):
    card_no = ma.fields.String()
    name = ma.fields.String(metadata={"description": "持卡人姓名（本人的卡，显示全名，与 GET /me 一致）"})
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
            "name": member.name,
            "org": member.org,
            "joined_at": member.joined_at,
            "qr_payload": payload,
            "qr_expires_in": cards.CARD_QR_TTL_SECONDS,
            "issued_at": utcnow(),
        }


class ExportAccount(Schema):
    id = ma.fields.Integer()
    created_at = LocalDateTime()
    last_login_at = LocalDateTime(allow_none=True)


class ExportNotification(Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    created_at = LocalDateTime()
    read_at = LocalDateTime(allow_none=True)
    wechat_status = ma.fields.String()


class ExportGrant(Schema):
    template_id = ma.fields.String()
    remaining = ma.fields.Integer()
    accepted_total = ma.fields.Integer()


class ExportUpload(Schema):
    id = ma.fields.Integer()
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    original_name = ma.fields.String(allow_none=True)
    created_at = LocalDateTime()


class ExportOut(Schema):
    exported_at = LocalDateTime()
    account = ma.fields.Nested(ExportAccount)
    member = ma.fields.Nested(MemberSchema, allow_none=True)
    applications = ma.fields.List(ma.fields.Nested(ApplicationOut))
    transfers = ma.fields.List(ma.fields.Nested(TransferOut))
    unit_applications = ma.fields.List(ma.fields.Nested(UnitApplicationOut))
    notifications = ma.fields.List(ma.fields.Nested(ExportNotification))
    subscriptions = ma.fields.List(ma.fields.Nested(ExportGrant))
    uploads = ma.fields.List(ma.fields.Nested(ExportUpload))
    aid_requests = ma.fields.List(ma.fields.Nested(AidRequestOut))
    wage_claims = ma.fields.List(ma.fields.Nested(WageClaimOut))
    legal_bookings = ma.fields.List(ma.fields.Nested(BookingOut))
    event_signups = ma.fields.List(ma.fields.Nested(MySignupOut))
    competition_entries = ma.fields.List(ma.fields.Nested(MyEntryOut))


class EraseIn(Schema):
    confirm = ma.fields.Boolean(
        required=True, metadata={"description": "必须为 true：确认注销并删除个人信息"}
    )

    @ma.validates("confirm")
    def _must_confirm(self, value, **_):
        if value is not True:
            raise ma.ValidationError("请确认注销：注销后个人信息将被删除且无法恢复")


@blp.route("/me/export")
class MyData(MethodView):
    decorators = [worker_required]

    @blp.response(200, ExportOut)
    def get(self):
        """导出本人在系统中的全部个人信息（证件号、手机号脱敏）"""
        return privacy.export_data(current_account())


@blp.route("/me/erase")
class EraseMe(MethodView):
    decorators = [worker_required]

    @blp.arguments(EraseIn)
    @blp.response(200, MessageOut)
    def post(self, _data):
        """注销：删除本人的个人信息并解除微信绑定（会员记录仅以匿名形式保留用于统计）"""
        privacy.erase(current_account())
        return {"message": "已注销，您的个人信息已删除"}
