"""Staff side of 工会考核: start a run, follow its status, read the results of the subtree with every
indicator's value, threshold and pass/fail, the tier, level, score and rank among peers."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint, SelectPage
from backend.assessment import export
from backend.assessment import service as assessment
from backend.assessment.models import (
    GRADE_LABELS,
    PERIOD_TYPE_LABELS,
    RUN_STATUS_LABELS,
    TIER_LABELS,
)
from backend.common import downloads
from backend.common.fields import LocalDateTime, one_of
from backend.common.schema import Schema
from backend.orgs.models import CATEGORY_LABELS, OrgCategory
from backend.orgs.schemas import OrgBrief
from backend.staff import permissions as perm

blp = Blueprint(
    "staff_assessment", __name__, url_prefix="/api/v1/staff/assessments", description="工会考核（工作人员）"
)

_CATEGORY_LABELS = {str(k): v for k, v in CATEGORY_LABELS.items()}
_TIER_LABELS = {str(k): v for k, v in TIER_LABELS.items()}
_GRADE_LABELS = {str(k): v for k, v in GRADE_LABELS.items()}


class RunIn(Schema):
    period_type = ma.fields.String(
        required=True,
        validate=one_of(list(PERIOD_TYPE_LABELS), PERIOD_TYPE_LABELS),
        metadata={"description": "month（月度）/ quarter（季度）/ year（年度）"},
    )
    period = ma.fields.String(
        required=True, metadata={"description": "2026-03（月度）、2026-Q1（季度）、2026（年度）"}
    )

    @ma.validates_schema
    def _period_matches_type(self, data, **_):
        if "period_type" in data and "period" in data:
            from backend.assessment.periods import PeriodError, parse_period

            try:
                parse_period(data["period_type"], data["period"])
            except PeriodError as exc:
                raise ma.ValidationError(str(exc), "period") from exc


class RunOut(Schema):
    id = ma.fields.Integer()
    period_type = ma.fields.String()
    period = ma.fields.String()
    rubric_version = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.Function(lambda r: RUN_STATUS_LABELS.get(r.status, r.status))
    trigger = ma.fields.String()
    requested_by = ma.fields.Integer(allow_none=True)
    created_at = LocalDateTime()
    started_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    duration_ms = ma.fields.Integer(allow_none=True)
    orgs_assessed = ma.fields.Integer(allow_none=True)
    results_count = ma.fields.Integer(allow_none=True)
    counts = ma.fields.Dict()
    error = ma.fields.String(allow_none=True)


class ResultQuery(Schema):
    category = ma.fields.String(validate=one_of(list(OrgCategory), _CATEGORY_LABELS))
    q = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"description": "工会名称关键字"})


class ResultOut(Schema):
    id = ma.fields.Integer()
    run_id = ma.fields.Integer()
    period_type = ma.fields.String()
    period = ma.fields.String()
    rubric_version = ma.fields.String()
    org = ma.fields.Nested(OrgBrief)
    category = ma.fields.String()
    category_label = ma.fields.Function(lambda r: _CATEGORY_LABELS.get(r.category, r.category))
    tier = ma.fields.String()
    tier_label = ma.fields.Function(lambda r: _TIER_LABELS[r.tier])
    grade = ma.fields.String(allow_none=True)
    grade_label = ma.fields.Function(lambda r: _GRADE_LABELS.get(r.grade) if r.grade else None)
    score = ma.fields.Decimal(as_string=True)
    rank = ma.fields.Integer()
    position = ma.fields.Integer()
    peers = ma.fields.Integer()


class ResultDetailOut(ResultOut):
    category_version = ma.fields.String()
    indicators = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "每项指标的值、标准、是否达标、得分"}
    )


@blp.route("/runs")
class Runs(MethodView):
    @staff_required(perm.ASSESSMENT_READ)
    @blp.response(200, RunOut(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """考核运行记录，最新在前"""
        return assessment.runs_query()

    @staff_required(perm.ASSESSMENT_RUN)
    @blp.arguments(RunIn)
    @blp.response(202, RunOut)
    def post(self, data):
        """发起一次考核（同一期间、同一细则版本的结果会被替换）"""
        return assessment.request_run(
            staff=current_staff(), period_type=data["period_type"], period=data["period"]
        )


@blp.route("/runs/<int:run_id>")
class Run(MethodView):
    @staff_required(perm.ASSESSMENT_READ)
    @blp.response(200, RunOut)
    def get(self, run_id):
        """一次考核运行的状态与统计"""
        return assessment.get_run(run_id=run_id)


@blp.route("/runs/<int:run_id>/results")
class Results(MethodView):
    @staff_required(perm.ASSESSMENT_READ)
    @blp.arguments(ResultQuery, location="query")
    @blp.response(200, ResultOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query, run_id):
        """本级及下级工会的考核结果，按类别、名次排列"""
        return assessment.results_query(scope=current_scope(), run_id=run_id, **query)


class ExportQuery(ResultQuery):
    format = ma.fields.String(load_default="xlsx", validate=one_of(["csv", "xlsx"]))


@blp.route("/runs/<int:run_id>/export")
class Export(MethodView):
    @staff_required(perm.ASSESSMENT_READ)
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200, content_type="application/octet-stream")
    def get(self, query, run_id):
        """导出本级及下级工会的考核结果（含每项指标的值），CSV 或 XLSX"""
        fmt = query.pop("format")
        run = assessment.get_run(run_id=run_id)
        results = assessment.results_for(scope=current_scope(), run_id=run_id, **query)
        body = export.to_file(fmt, run, results)
        return downloads.attachment(body, fmt=fmt, filename=export.filename(run, fmt))


@blp.route("/results/<int:result_id>")
class Result(MethodView):
    @staff_required(perm.ASSESSMENT_READ)
    @blp.response(200, ResultDetailOut)
    def get(self, result_id):
        """一个工会的考核结果及各项指标明细"""
        return assessment.result_detail(scope=current_scope(), result_id=result_id)
