"""建档立卡 in the panel: the subtree's needy-household files (one file, one plan, one set of measures
per household), filing a new one from a help request or by member-card number, closing and reopening
a file — the same service (``aid.households``) and input schema as ``/api/v1/staff/needy-households``."""

from __future__ import annotations

import marshmallow as ma
from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from backend.admin import bp
from backend.admin.views.base import field_errors, requires
from backend.aid import households as aid
from backend.aid import subsidy
from backend.aid.models import HOUSEHOLD_STATUS_LABELS, NeedyHousehold
from backend.api.staff_aid import HouseholdIn, HouseholdSettleIn
from backend.cases.paging import SortKey, seek
from backend.common.errors import DomainError
from backend.extensions import db
from backend.members.models import Member
from backend.staff import permissions as perm

FIELD_LABELS = {
    "member_id": "困难职工",
    "card_no": "会员卡号",
    "file_no": "档案号",
    "hardship_type": "致困原因",
    "situation": "家庭情况",
    "plan": "帮扶计划",
    "measures": "帮扶措施",
    "note": "销档原因",
}


def _member_of(form) -> Member | None:
    """The member named by the form, inside the subtree: the id a help request passed on, or a
    member-card number."""
    stmt = g.scope.restrict(select(Member), Member.org_id)
    if form.get("member_id", "").isdigit():
        return db.session.scalar(stmt.where(Member.id == int(form["member_id"])))
    card_no = form.get("card_no", "").strip()
    if card_no:
        return db.session.scalar(stmt.where(Member.card_no == card_no))
    return None


def _page(errors: dict, form, status: int = 200):
    status_filter = request.args.get("status") or None
    q = request.args.get("q", "").strip()[:50] or None
    rows, next_cursor = seek(
        aid.households_stmt(g.scope, status=status_filter, q=q).order_by(None),
        [SortKey(NeedyHousehold.id, descending=True)],
        cursor=request.args.get("cursor"),
        limit=50,
    )
    return render_template(
        "admin/households.html",
        rows=rows,
        next_cursor=next_cursor,
        errors=errors,
        form=form,
        member=_member_of(form),
        hardship_types=subsidy.rules().hardship_types,
        status_labels={str(k): v for k, v in HOUSEHOLD_STATUS_LABELS.items()},
        args=request.args,
    ), status


@bp.get("/households")
@requires(perm.AID_HANDLE)
def households():
    return _page({}, request.args)


@bp.post("/households")
@requires(perm.AID_HANDLE)
def file_household():
    form = request.form
    errors: dict[str, str] = {}
    member = _member_of(form)
    if member is None:
        errors["card_no"] = "请填写本辖区会员的会员卡号"
    raw = {
        "member_id": member.id if member else 0,
        "hardship_type": form.get("hardship_type", ""),
        "situation": form.get("situation", "").strip(),
        "plan": form.get("plan", "").strip(),
        "measures": [line.strip() for line in form.get("measures", "").splitlines() if line.strip()],
    }
    if form.get("file_no", "").strip():
        raw["file_no"] = form["file_no"].strip()
    try:
        data = HouseholdIn().load(raw)
    except ma.ValidationError as exc:
        for name, messages in exc.normalized_messages().items():
            first = messages[0] if isinstance(messages, list) else next(iter(messages.values()))[0]
            errors.setdefault(name, str(first))
        data = None
    if errors or data is None:
        return _page(errors, form, 422)
    try:
        household = aid.file_household(scope=g.scope, staff=g.staff, data=data)
    except DomainError as exc:
        db.session.rollback()
        return _page(field_errors(exc), form, exc.status if exc.status != 404 else 422)
    flash(f"已建档：档案号 {household.file_no}", "success")
    return redirect(url_for("admin.households"), code=303)


@bp.post("/households/<int:household_id>/settle")
@requires(perm.AID_HANDLE)
def settle_household(household_id: int):
    try:
        data = HouseholdSettleIn().load(
            {"action": request.form.get("action", ""), "note": request.form.get("note", "").strip() or None}
        )
        household = aid.settle_household(scope=g.scope, staff=g.staff, household_id=household_id, **data)
    except ma.ValidationError:
        flash("请选择销档或恢复", "error")
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        for message in field_errors(exc).values():
            flash(message, "error")
    else:
        flash(f"档案 {household.file_no} 已{'销档' if household.status == 'closed' else '恢复'}", "success")
    return redirect(url_for("admin.households"), code=303)
