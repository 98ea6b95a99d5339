"""Staff side of 欠薪求助: the queue of the subtree (most urgent first, cursor-paged for a million
claims), a claim's detail and timeline, transitions with their outcome, assignment, the audited view
of full phone numbers, and the clusters that raise 劳动关系预警."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint
from backend.api.cases import AttachmentOut, CaseEventOut, KeysetQuery
from backend.api.paging import next_cursor_header
from backend.api.queues import QueueDocs, staff_queue
from backend.common.schema import Schema
from backend.staff import permissions as perm
from backend.wages import clusters
from backend.wages import service as wages
from backend.wages.queue import QUEUE
from backend.wages.rules import rules
from backend.wages.schemas import ClusterOut, WageClaimSchema

blp = Blueprint("staff_wages", __name__, url_prefix="/api/v1/staff", description="欠薪求助（工作人员）")


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


staff_queue(
    blp,
    QUEUE,
    row=StaffClaimOut,
    detail=StaffClaimDetailOut,
    prefix="Claim",
    id_name="claim_id",
    docs=QueueDocs(
        list="欠薪求助队列（本级及下级），按优先级从高到低；下一页用响应头 X-Next-Cursor 作 cursor",
        detail="查看一件欠薪求助：办理记录、附件、所属聚类、可执行的操作",
        transition="办理：受理、开始调解、转办（选去向）、已解决（追回金额、人数）、未能解决结案（需原因）",
        assign="分派承办人（assignee_id 为 null 即取消分派）",
    ),
)


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
