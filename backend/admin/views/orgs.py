"""组织架构: the subtree's unions, found by name at any size (6,000 base unions), and staff growing
and reshaping it — a new union, a new name, a new parent — through ``orgs.service`` (each change
audited). ``/admin/orgs/search`` feeds the org picker wherever a form asks for a union."""

from __future__ import annotations

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.views.base import flash_error, requires
from backend.cases.paging import SortKey, seek
from backend.common.errors import DomainError, InvalidInput
from backend.extensions import db
from backend.orgs import service as orgs
from backend.orgs.models import CATEGORY_LABELS, LEVEL_LABELS, Org, OrgCategory
from backend.staff import permissions as perm

BASE_CATEGORIES = {
    str(k): v
    for k, v in CATEGORY_LABELS.items()
    if k not in (OrgCategory.COUNTY_FEDERATION, OrgCategory.TOWNSHIP_STREET)
}


def _id(name: str) -> int:
    value = request.form.get(name, "")
    if not value.isdigit():
        raise InvalidInput(name, "请从列表中选择工会")
    return int(value)


@bp.get("/orgs/search")
@requires(perm.SIGNED_IN)  # every form that asks for a union of one's own subtree
def org_search():
    """[{id, name, level}] of the subtree's unions whose name contains ``q`` (at most 20)."""
    q = request.args.get("q", "").strip()[:50]
    levels = tuple(v for v in request.args.getlist("level") if v in LEVEL_LABELS) or None
    if not q:
        return jsonify([])
    found = db.session.scalars(orgs.picker_stmt(g.scope, q, levels=levels).limit(20))
    return jsonify([{"id": o.id, "name": o.name, "level": o.level_label} for o in found])


@bp.get("/orgs")
@requires(perm.ORG_MANAGE)
def org_tree():
    q = request.args.get("q", "").strip()[:50]
    stmt = orgs.picker_stmt(g.scope, q) if q else g.scope.restrict(select(Org), Org.id)
    rows, next_cursor = seek(
        stmt.order_by(None), [SortKey(Org.path), SortKey(Org.id)], cursor=request.args.get("cursor"), limit=50
    )
    root_depth = db.session.get(Org, g.scope.org_id).path.count("/")
    return render_template(
        "admin/orgs.html",
        rows=rows,
        next_cursor=next_cursor,
        q=q,
        root_depth=root_depth,
        level_labels=LEVEL_LABELS,
        category_labels=CATEGORY_LABELS,
        base_categories=BASE_CATEGORIES,
    )


@bp.post("/orgs")
@requires(perm.ORG_MANAGE)
def create_org():
    try:
        org = orgs.create_org(
            scope=g.scope,
            staff=g.staff,
            parent_id=_id("parent_id"),
            name=request.form.get("name", ""),
            category=request.form.get("category") or None,
        )
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("admin.org_tree"), code=303)
    flash(f"已新建 {org.name}（{org.level_label}）", "success")
    return redirect(url_for("admin.org_tree", q=org.name), code=303)


@bp.post("/orgs/<int:org_id>/rename")
@requires(perm.ORG_MANAGE)
def rename_org(org_id: int):
    try:
        org = orgs.rename_org(scope=g.scope, staff=g.staff, org_id=org_id, name=request.form.get("name", ""))
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("admin.org_tree"), code=303)
    flash(f"已更名为 {org.name}", "success")
    return redirect(url_for("admin.org_tree", q=org.name), code=303)


@bp.post("/orgs/<int:org_id>/move")
@requires(perm.ORG_MANAGE)
def move_org(org_id: int):
    try:
        org = orgs.move_org(scope=g.scope, staff=g.staff, org_id=org_id, parent_id=_id("parent_id"))
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("admin.org_tree"), code=303)
    flash(f"{org.name} 已调整到 {org.parent.name} 之下", "success")
    return redirect(url_for("admin.org_tree", q=org.name), code=303)
