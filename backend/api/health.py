"""Liveness and readiness probes."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import text

from backend.api.base import Blueprint, ErrorOut, error_response
from backend.extensions import db, redis_client

blp = Blueprint("health", __name__, description="运行状态")


class HealthOut(ma.Schema):
    status = ma.fields.String(metadata={"example": "ok"})


class ReadyOut(ma.Schema):
    status = ma.fields.String(metadata={"example": "ready"})
    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), metadata={"description": "各依赖的状态"}
    )


@blp.route("/healthz")
class Healthz(MethodView):
    @blp.response(200, HealthOut)
    def get(self):
        """进程存活"""
        return {"status": "ok"}


@blp.route("/readyz")
class Readyz(MethodView):
    @blp.response(200, ReadyOut)
    @blp.alt_response(503, schema=ErrorOut, description="依赖服务不可用")
    def get(self):
        """数据库和 Redis 均可用时返回 200，否则 503"""
        checks: dict[str, str] = {}
        try:
            db.session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # any failure means not ready
            db.session.rollback()
            checks["database"] = f"error: {type(exc).__name__}"
        redis = redis_client()
        if redis is None:
            checks["redis"] = "embedded"
        else:
            try:
                redis.ping()
                checks["redis"] = "ok"
            except Exception as exc:
                checks["redis"] = f"error: {type(exc).__name__}"
        if any(v.startswith("error") for v in checks.values()):
            return error_response(503, "not_ready", "依赖服务不可用", {k: [v] for k, v in checks.items()})
        return {"status": "ready", "checks": checks}
