"""Staff side of 统计: figures of the caller's subtree (or a node inside it) over a date range, by month,
and as CSV / XLSX files."""

from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, staff_required
from backend.api.base import Blueprint
from backend.assessment.periods import SHANGHAI
from backend.common import downloads
from backend.common.errors import InvalidInput
from backend.common.fields import one_of
from backend.common.schema import Schema
from backend.common.types import utcnow
from backend.extensions import db
from backend.orgs.models import Org
from backend.staff import permissions as perm
from backend.stats import export
from backend.stats import service as stats

blp = Blueprint("staff_stats", __name__, url_prefix="/api/v1/staff/stats", description="统计（工作人员）")

MAX_DAYS = 3 * 366  # three years at most in one request


class RangeQuery(Schema):
    org_id = ma.fields.Integer(metadata={"description": "本级或下级组织；缺省为本级"})
    start = ma.fields.Date(metadata={"description": "开始日期（含），缺省为今年 1 月 1 日"})
    end = ma.fields.Date(metadata={"description": "结束日期（含），缺省为今天"})

    @ma.validates_schema
    def _range(self, data, **_):
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ma.ValidationError("结束日期不能早于开始日期", "end")
            if (end - start).days > MAX_DAYS:
                raise ma.ValidationError("统计区间不能超过三年", "end")


class ExportQuery(RangeQuery):
    format = ma.fields.String(load_default="xlsx", validate=one_of(["csv", "xlsx"]))


class SlaKindOut(Schema):
    due = ma.fields.Integer()
    met = ma.fields.Integer()
    rate = ma.fields.Float(allow_none=True)


class SlaOut(SlaKindOut):
    by_kind = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Nested(SlaKindOut), metadata={"description": "aid, wage"}
    )


class RatingsOut(Schema):
    count = ma.fields.Integer()
    average = ma.fields.Decimal(as_string=True, allow_none=True)
    by_score = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class SummaryOut(Schema):
    org_id = ma.fields.Integer()
    start = ma.fields.Date()
    end = ma.fields.Date()
    unions = ma.fields.Integer()
    members = ma.fields.Integer()
    members_by_worker_type = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    new_members = ma.fields.Integer()
    aid_by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    aid_age_buckets = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    wage_by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    sla = ma.fields.Nested(SlaOut)
    ratings = ma.fields.Nested(RatingsOut)
    wages_recovered = ma.fields.Decimal(as_string=True)
    workers_paid = ma.fields.Integer()
    consultations = ma.fields.Integer()
    events = ma.fields.Integer()
    event_participants = ma.fields.Integer()
    competition_entries = ma.fields.Integer()


class MonthOut(Schema):
    month = ma.fields.String()
    new_members = ma.fields.Integer()
    aid_requests = ma.fields.Integer()
    wage_claims = ma.fields.Integer()
    wages_recovered = ma.fields.Decimal(as_string=True)
    sla_rate = ma.fields.Float(allow_none=True)
    consultations = ma.fields.Integer()
    event_participants = ma.fields.Integer()
    competition_entries = ma.fields.Integer()


def _target(query: dict) -> tuple[Org, date, date]:
    scope = current_scope()
    org = (
        scope.get(Org, query["org_id"], org_attr="id")
        if "org_id" in query
        else db.session.get(Org, scope.org_id)
    )
    today = utcnow().astimezone(SHANGHAI).date()
    end = query.get("end") or today
    start = query.get("start") or date(end.year, 1, 1)
    if start > end:
        raise InvalidInput("start", "开始日期不能晚于结束日期")
    return org, start, end


@blp.route("/summary")
class Summary(MethodView):
    @staff_required(perm.STATS_READ)
    @blp.arguments(RangeQuery, location="query")
    @blp.response(200, SummaryOut)
    def get(self, query):
        """本级（或指定下级）在日期区间内的统计汇总"""
        org, start, end = _target(query)
        return {
            "org_id": org.id,
            "start": start,
            "end": end,
            **stats.subtree_summary(org=org, start=start, end=end),
        }


@blp.route("/monthly")
class Monthly(MethodView):
    @staff_required(perm.STATS_READ)
    @blp.arguments(RangeQuery, location="query")
    @blp.response(200, MonthOut(many=True))
    def get(self, query):
        """按月统计（趋势图数据）"""
        org, start, end = _target(query)
        return stats.monthly_series(org=org, start=start, end=end)


@blp.route("/export")
class Export(MethodView):
    @staff_required(perm.STATS_READ)
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, query):
        """导出统计（CSV 或 XLSX）"""
        org, start, end = _target(query)
        summary = stats.subtree_summary(org=org, start=start, end=end)
        series = stats.monthly_series(org=org, start=start, end=end)
        name = f"stats-{org.id}-{start:%Y%m%d}-{end:%Y%m%d}.{query['format']}"
        body = export.to_file(query["format"], summary, series)
        return downloads.attachment(body, fmt=query["format"], filename=name)
