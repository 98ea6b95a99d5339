"""Liveness and readiness probes."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import text

from backend.api.base import Blueprint, error_response
from backend.extensions import db, redis_client

blp = Blueprint("health", __name__, description="运行状态")


@blp.route("/healthz")
class Healthz(MethodView):
    def get(self):
        """进程存活"""
        return {"status": "ok"}


@blp.route("/readyz")
class Readyz(MethodView):
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
