"""Worker side of membership: apply (个人入会), follow, resubmit, withdraw; transfers; 单位建会."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from backend.api.access import current_account, current_member, worker_required
from backend.api.base import Blueprint, SelectPage
from backend.api.idempotency import idempotent
from backend.members import service as members
from backend.members.schemas import ApplicationIn, ApplicationOut, TransferIn, TransferOut
from backend.orgs import units
from backend.orgs.schemas import UnitApplicationIn, UnitApplicationOut

blp = Blueprint("membership", __name__, url_prefix="/api/v1", description="入会、转会与单位建会（职工端）")


def _consent_version() -> str:
    return current_app.extensions["zhigong.settings"].consent_version


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
    def post(self, applicant):
        """提交个人入会申请（实名）"""
        return members.apply_for_membership(
            account=current_account(), applicant=applicant, consent_version=_consent_version()
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
    def post(self, applicant, application_id):
        """按要求补充材料后重新提交"""
        return members.resubmit_application(
            account=current_account(),
            application_id=application_id,
            applicant=applicant,
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
    def post(self, unit_in):
        """单位申请建立工会"""
        return units.apply_for_unit(account=current_account(), unit_in=unit_in)


@blp.route("/unit-applications/mine")
class MyUnitApplications(MethodView):
    decorators = [worker_required]

    @blp.response(200, UnitApplicationOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """我提交的建会申请"""
        return units.unit_applications_of_stmt(current_account())
