"""Worker side of membership: apply (个人入会), follow, resubmit, withdraw; transfers; 单位建会."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask.views import MethodView

from backend.api.access import current_account, current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.common.fields import (
    CreditCode,
    IdNumber,
    LocalDateTime,
    MaskedIdNumber,
    MaskedPhone,
    Mobile,
    Text,
    one_of,
)
from backend.common.schema import Schema
from backend.members import service as members
from backend.members.models import REVIEW_STATUS_LABELS, WORKER_TYPE_LABELS, WorkerType
from backend.orgs import units
from backend.orgs.models import CATEGORY_LABELS, OrgCategory
from backend.orgs.schemas import OrgBrief

blp = Blueprint("membership", __name__, url_prefix="/api/v1", description="入会、转会与单位建会（职工端）")

_GENDERS = {"male": "男", "female": "女"}
_BASE_CATEGORIES = [c for c in OrgCategory if c != OrgCategory.COUNTY_FEDERATION]


def _consent_version() -> str:
    return current_app.extensions["zhigong.settings"].consent_version


class ApplicationIn(Schema):
    name = Text(required=True, max_length=50, metadata={"description": "真实姓名"})
    id_number = IdNumber(required=True, metadata={"description": "18位居民身份证号"})
    mobile = Mobile(required=True)
    gender = ma.fields.String(required=True, validate=one_of(_GENDERS, _GENDERS))
    employer = Text(required=True, max_length=100, metadata={"description": "工作单位"})
    worker_type = ma.fields.String(
        required=True, validate=one_of(list(WorkerType), {str(k): v for k, v in WORKER_TYPE_LABELS.items()})
    )
    org_id = ma.fields.Integer(required=True, metadata={"description": "申请加入的基层工会"})
    consent = ma.fields.Boolean(required=True, metadata={"description": "已阅读并同意隐私政策"})
    consent_version = Text(required=True, max_length=20)

    @ma.validates("consent")
    def _must_consent(self, value, **_):
        if value is not True:
            raise ma.ValidationError("请阅读并同意《隐私政策》后再提交")


class ApplicationOut(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: REVIEW_STATUS_LABELS.get(a.status, a.status))
    status_note = ma.fields.String(allow_none=True)
    name = ma.fields.String()
    gender = ma.fields.String()
    id_number = MaskedIdNumber()
    mobile = MaskedPhone()
    employer = ma.fields.String()
    worker_type = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)
    consent_version = ma.fields.String()
    submitted_at = LocalDateTime()
    reviewed_at = LocalDateTime(allow_none=True)
    member_id = ma.fields.Integer(allow_none=True)


class TransferIn(Schema):
    to_org_id = ma.fields.Integer(required=True, metadata={"description": "转入的基层工会"})
    reason = Text(required=True, max_length=500)


class TransferOut(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda t: REVIEW_STATUS_LABELS.get(t.status, t.status))
    status_note = ma.fields.String(allow_none=True)
    from_org = ma.fields.Nested(OrgBrief)
    org = ma.fields.Nested(OrgBrief, data_key="to_org")
    reason = ma.fields.String()
    submitted_at = LocalDateTime()
    reviewed_at = LocalDateTime(allow_none=True)


class UnitApplicationIn(Schema):
    unit_name = Text(required=True, max_length=100, metadata={"description": "单位名称"})
    credit_code = CreditCode(required=True, metadata={"description": "统一社会信用代码"})
    org_id = ma.fields.Integer(required=True, metadata={"description": "所在乡镇（街道）工会"})
    category = ma.fields.String(
        required=True,
        validate=one_of(_BASE_CATEGORIES, {str(k): v for k, v in CATEGORY_LABELS.items()}),
    )
    address = Text(required=True, max_length=200)
    employee_count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=1_000_000))
    contact_name = Text(required=True, max_length=50)
    contact_phone = Mobile(required=True)
    note = Text(max_length=1000, min_length=0, load_default=None)


class UnitApplicationOut(Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda a: REVIEW_STATUS_LABELS.get(a.status, a.status))
    status_note = ma.fields.String(allow_none=True)
    unit_name = ma.fields.String()
    credit_code = ma.fields.String()
    category = ma.fields.String()
    address = ma.fields.String()
    employee_count = ma.fields.Integer()
    contact_name = ma.fields.String()
    contact_phone = MaskedPhone()
    org = ma.fields.Nested(OrgBrief)
    created_org_id = ma.fields.Integer(allow_none=True)
    submitted_at = LocalDateTime()


@blp.route("/membership/applications")
class Applications(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(
        ApplicationIn,
        example={
            "org_id": 42,
            "name": "张建国",
            "gender": "male",
            "id_number": "110101199003072471",
            "mobile": "13800138000",
            "employer": "临汾市某建筑公司",
            "worker_type": "migrant",
            "consent": True,
            "consent_version": "2026-01",
        },
    )
    @blp.response(201, ApplicationOut)
    def post(self, data):
        """提交个人入会申请（实名）"""
        return members.apply_for_membership(
            account=current_account(), data=data, consent_version=_consent_version()
        )


@blp.route("/membership/applications/mine")
class MyApplications(MethodView):
    decorators = [worker_required]

    @blp.response(200, ApplicationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我的入会申请（最新的在前）"""
        return members.applications_of_stmt(current_account())


@blp.route("/membership/applications/<int:application_id>/resubmit")
class ResubmitApplication(MethodView):
    decorators = [worker_required]

    @blp.arguments(ApplicationIn)
    @blp.response(200, ApplicationOut)
    def post(self, data, application_id):
        """按要求补充材料后重新提交"""
        return members.resubmit_application(
            account=current_account(),
            application_id=application_id,
            data=data,
            consent_version=_consent_version(),
        )


@blp.route("/membership/applications/<int:application_id>/withdraw")
class WithdrawApplication(MethodView):
    decorators = [worker_required]

    @blp.response(200, ApplicationOut)
    def post(self, application_id):
        """撤回入会申请"""
        return members.withdraw_application(account=current_account(), application_id=application_id)


@blp.route("/membership/transfers")
class Transfers(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(TransferIn)
    @blp.response(201, TransferOut)
    def post(self, data):
        """申请会员关系转接"""
        return members.request_transfer(member=current_member(), **data)


@blp.route("/membership/transfers/mine")
class MyTransfers(MethodView):
    decorators = [worker_required]

    @blp.response(200, TransferOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我的转会申请"""
        return members.transfers_of_stmt(current_member())


@blp.route("/membership/transfers/<int:transfer_id>/withdraw")
class WithdrawTransfer(MethodView):
    decorators = [worker_required]

    @blp.response(200, TransferOut)
    def post(self, transfer_id):
        """撤回转会申请"""
        return members.withdraw_transfer(member=current_member(), transfer_id=transfer_id)


@blp.route("/unit-applications")
class UnitApplications(MethodView):
    decorators = [worker_required]

    @idempotent
    @blp.arguments(UnitApplicationIn)
    @blp.response(201, UnitApplicationOut)
    def post(self, data):
        """单位申请建立工会"""
        return units.apply_for_unit(account=current_account(), data=data)


@blp.route("/unit-applications/mine")
class MyUnitApplications(MethodView):
    decorators = [worker_required]

    @blp.response(200, UnitApplicationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我提交的建会申请"""
        return units.unit_applications_of_stmt(current_account())
