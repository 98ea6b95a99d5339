"""The org directory: find the union to join (``GET /orgs?q=``)."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from backend.api.base import Blueprint, SelectPage
from backend.common.fields import one_of
from backend.common.schema import Schema
from backend.orgs import service as orgs
from backend.orgs.models import CATEGORY_LABELS, LEVEL_LABELS, OrgLevel

blp = Blueprint("orgs", __name__, url_prefix="/api/v1", description="工会组织查询")


class OrgQuery(Schema):
    q = ma.fields.String(validate=ma.validate.Length(max=50), metadata={"description": "名称关键字"})
    parent_id = ma.fields.Integer()
    level = ma.fields.String(validate=one_of(list(OrgLevel), {str(k): v for k, v in LEVEL_LABELS.items()}))
    accepting_members = ma.fields.Boolean(metadata={"description": "只看可接收入会申请的基层工会"})


class OrgOut(Schema):
    id = ma.fields.Integer()
    parent_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    level = ma.fields.String()
    level_label = ma.fields.String()
    category = ma.fields.String(allow_none=True)
    category_label = ma.fields.Function(lambda o: CATEGORY_LABELS.get(o.category) if o.category else None)
    region = ma.fields.String(allow_none=True)
    accepts_members = ma.fields.Boolean()


@blp.route("/orgs")
class Orgs(MethodView):
    @blp.arguments(OrgQuery, location="query")
    @blp.response(200, OrgOut(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """按名称或上级查找工会"""
        return orgs.search_stmt(**query)
