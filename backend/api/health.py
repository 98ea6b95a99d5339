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
        """能否提供服务：数据库可用即就绪；Redis 不可用时仍可受理（后台任务稍后补发），标记为 degraded"""
        checks: dict[str, str] = {}
        try:
            db.session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # without the database nothing can be served
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
        if checks["database"] != "ok":
            return error_response(
                503,
                "not_ready",
                "数据库不可用",
                {k: [v] for k, v in checks.items()},
                headers={"Retry-After": "5"},
            )
        # Submissions are still taken while Redis is away (the outbox keeps them): degraded, not unready.
        status = "degraded" if checks["redis"].startswith("error") else "ready"
        return {"status": status, "checks": checks}
