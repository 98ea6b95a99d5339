"""Staff side of 欠薪求助: the queue of the subtree (most urgent first, cursor-paged for a million
claims), a claim's detail and timeline, transitions with their outcome, assignment, the audited view
of full phone numbers, and the clusters that raise 劳动关系预警."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint
from backend.api.cases import AssignIn, AttachmentOut, CaseEventOut, KeysetQuery
from backend.api.paging import next_cursor_header
from backend.common.fields import one_of
from backend.common.schema import Schema
from backend.staff import permissions as perm
from backend.wages import clusters
from backend.wages import service as wages
from backend.wages.models import WAGE_STATUS_LABELS, WageStatus
from backend.wages.rules import rules
from backend.wages.schemas import ClusterOut, WageClaimSchema, WageTransitionIn

blp = Blueprint("staff_wages", __name__, url_prefix="/api/v1/staff", description="欠薪求助（工作人员）")

_STATUS_LABELS = {str(k): v for k, v in WAGE_STATUS_LABELS.items()}


class QueueQuery(KeysetQuery):
    status = ma.fields.List(
        ma.fields.String(validate=one_of(list(WageStatus), _STATUS_LABELS)),
        metadata={"description": "状态，可重复：?status=submitted&status=accepted"},
    )
    priority_min = ma.fields.Integer(validate=ma.validate.Range(min=0))
    priority_max = ma.fields.Integer(validate=ma.validate.Range(min=0))
    overdue = ma.fields.Boolean(metadata={"description": "true 只看已超期，false 只看未超期"})
    assignee_id = ma.fields.Integer(metadata={"description": "承办人"})
    unassigned = ma.fields.Boolean(metadata={"description": "true 只看未分派"})
    cluster_id = ma.fields.Integer()
    warning = ma.fields.Boolean(metadata={"description": "true 只看已触发劳动关系预警的"})
    q = ma.fields.String(
        validate=ma.validate.Length(max=50),
        metadata={"description": "欠薪单位/项目关键字（完整手机号请用 lookup）"},
    )
    lookup = ma.fields.String(
        validate=ma.validate.Length(max=300),
        metadata={"description": "POST /staff/lookup-tokens 换得的查询令牌：按联系人完整手机号查找"},
    )

    @ma.validates_schema
    def _one_assignee_filter(self, data, **_):
        if "assignee_id" in data and "unassigned" in data:
            raise ma.ValidationError("不能同时按承办人和未分派筛选", "unassigned")


StaffClaimOut = WageClaimSchema.view("staff_row", "StaffClaimOut")
StaffClaimDetailOut = WageClaimSchema.view(
    "staff_detail",
    "StaffClaimDetailOut",
    timeline=ma.fields.Nested(CaseEventOut, many=True),
    attachments=ma.fields.Nested(AttachmentOut, many=True),
    allowed_actions=ma.fields.Function(lambda c: wages.allowed_actions(c)),
    referral_targets=ma.fields.Function(lambda c: rules().referral_targets),
)


class ContactsOut(Schema):
    contact_phone = ma.fields.String()
    crew = ma.fields.List(ma.fields.Dict(), attribute="crew_members")


class ClusterQuery(KeysetQuery):
    warning = ma.fields.Boolean(metadata={"description": "true 只看已预警的（最近预警的在前）"})


@blp.route("/wage-claims")
class ClaimQueue(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, StaffClaimOut(many=True))
    def get(self, query):
        """欠薪求助队列（本级及下级），按优先级从高到低；下一页用响应头 X-Next-Cursor 作 cursor"""
        rows, cursor = wages.queue(current_scope(), staff_level=current_staff().org.level, **query)
        return rows, 200, next_cursor_header(cursor)


@blp.route("/wage-claims/<int:claim_id>")
class ClaimDetail(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.response(200, StaffClaimDetailOut)
    def get(self, claim_id):
        """查看一件欠薪求助：办理记录、附件、所属聚类、可执行的操作"""
        return wages.claim_for_staff(scope=current_scope(), claim_id=claim_id)


@blp.route("/wage-claims/<int:claim_id>/transition")
class ClaimTransition(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.arguments(WageTransitionIn)
    @blp.response(200, StaffClaimDetailOut)
    def post(self, data, claim_id):
        """办理：受理、开始调解、转办（选去向）、已解决（追回金额、人数）、未能解决结案（需原因）"""
        wages.transition_claim(scope=current_scope(), staff=current_staff(), claim_id=claim_id, **data)
        return wages.claim_for_staff(scope=current_scope(), claim_id=claim_id)


@blp.route("/wage-claims/<int:claim_id>/assign")
class ClaimAssign(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.arguments(AssignIn)
    @blp.response(200, StaffClaimDetailOut)
    def post(self, data, claim_id):
        """分派承办人（assignee_id 为 null 即取消分派）"""
        wages.assign_claim(scope=current_scope(), staff=current_staff(), claim_id=claim_id, **data)
        return wages.claim_for_staff(scope=current_scope(), claim_id=claim_id)


@blp.route("/wage-claims/<int:claim_id>/reveal")
class ClaimReveal(MethodView):
    decorators = [staff_required(perm.PII_REVEAL)]

    @blp.response(200, ContactsOut)
    def post(self, claim_id):
        """查看完整联系电话（记入审计日志）"""
        return wages.reveal_contacts(scope=current_scope(), staff=current_staff(), claim_id=claim_id)


@blp.route("/wage-clusters")
class Clusters(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.arguments(ClusterQuery, location="query")
    @blp.response(200, ClusterOut(many=True))
    def get(self, query):
        """欠薪线索聚类（同一县区、同一欠薪单位），最新的在前；warning=true 只看已预警的；
        下一页用响应头 X-Next-Cursor 作 cursor"""
        rows, cursor = clusters.clusters_page(current_scope(), staff_level=current_staff().org.level, **query)
        return rows, 200, next_cursor_header(cursor)


@blp.route("/wage-clusters/<int:cluster_id>")
class ClusterDetail(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.response(200, ClusterOut)
    def get(self, cluster_id):
        """一个聚类的汇总"""
        return clusters.cluster_for_staff(
            current_scope(), staff_level=current_staff().org.level, cluster_id=cluster_id
        )


@blp.route("/wage-clusters/<int:cluster_id>/claims")
class ClusterClaims(MethodView):
    decorators = [staff_required(perm.WAGE_HANDLE)]

    @blp.arguments(KeysetQuery, location="query")
    @blp.response(200, StaffClaimOut(many=True))
    def get(self, query, cluster_id):
        """一个聚类中本级及下级可见的欠薪求助，按优先级从高到低"""
        scope, level = current_scope(), current_staff().org.level
        clusters.cluster_for_staff(scope, staff_level=level, cluster_id=cluster_id)
        rows, cursor = wages.queue(scope, staff_level=level, cluster_id=cluster_id, **query)
        return rows, 200, next_cursor_header(cursor)
