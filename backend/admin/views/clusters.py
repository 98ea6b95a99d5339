"""欠薪线索聚类与劳动关系预警: claims against one employer in one county, grouped."""

from __future__ import annotations

from flask import g, render_template, request

from backend.admin import bp
from backend.admin.views.base import requires
from backend.staff import permissions as perm
from backend.wages import clusters


@bp.get("/wage-clusters")
@requires(perm.WAGE_HANDLE)
def wage_clusters():
    warning = True if request.args.get("warning") == "true" else None
    rows, next_cursor = clusters.clusters_page(
        g.scope,
        staff_level=g.staff.org.level,
        warning=warning,
        cursor=request.args.get("cursor") or None,
        limit=50,
    )
    return render_template("admin/clusters.html", rows=rows, next_cursor=next_cursor, warning=warning)
