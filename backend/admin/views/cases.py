"""Queues and the case page, one generic pair for every kind in ``admin.kinds``: filters, search,
keyset paging, bulk actions (each item through the same service, in its own transaction, failures
reported per item), the timeline, evidence, the allowed actions, assignment and the audited reveal."""

from __future__ import annotations

import marshmallow as ma
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from backend.admin import bp
from backend.admin.kinds import KINDS, Kind, transitions_of
from backend.admin.views.base import flash_error, requires
from backend.cases import service as cases
from backend.common.errors import DomainError, Forbidden, NotFound
from backend.extensions import db
from backend.orgs.models import Org
from backend.staff import lookup as staff_lookup
from backend.staff import permissions as perm
from backend.staff.models import Role, Staff
from backend.uploads import service as uploads
from backend.uploads.files import file_response

KIND_SLUGS = "any(" + ", ".join(KINDS) + ")"

# Timeline lines that are not transitions of a flow.
EVENT_LABELS = {
    "submit": "提交",
    "resubmit": "补充后重新提交",
    "assign": "分派承办人",
    "escalate": "超期上报上级工会",
    "overdue": "超期提醒",
    "flag_duplicate": "疑似重复申请",
    "warning": "劳动关系预警",
}
ACTOR_LABELS = {"worker": "职工", "system": "系统", "staff": "工作人员"}
# Decisions the worker is told of at once and that cannot be taken back: the browser asks first.
CONFIRM_ACTIONS = {"approve", "reject", "close", "cancel", "close_entries", "publish_results", "disburse"}


def kind_need(view_args) -> tuple[str, ...]:
    """A queue page needs what its kind declares (any one of ``Kind.permissions``)."""
    kind = KINDS.get(str(view_args.get("kind")))
    return kind.permissions if kind is not None else ()


def _kind(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        abort(404)
    if not kind.visible_to(g.staff):
        raise Forbidden("您的角色无权使用此页面")
    return kind


def _page_size() -> int:
    return current_app.extensions["zhigong.admin"]["page_size"]


def _count_cap() -> int:
    from backend.admin.views.dashboard import COUNT_CAP

    return COUNT_CAP


def _raw_filters(kind: Kind, args) -> dict:
    """The query string as the API's filter schema expects it (blank values left out)."""
    raw: dict = {}
    for name, fld in kind.query_schema().fields.items():
        key = fld.data_key or name
        if name in ("cursor", "limit"):
            continue
        if isinstance(fld, ma.fields.List):
            values = [v for v in args.getlist(key) if v]
            if values:
                raw[key] = values
        elif args.get(key):
            raw[key] = args[key]
    return raw


def _schema_messages(error: ma.ValidationError, labels: dict[str, str]) -> list[str]:
    shown = []
    for name, messages in error.normalized_messages().items():
        text = messages if isinstance(messages, str) else "；".join(str(m) for m in _flat(messages))
        shown.append(f"{labels.get(name, name)}：{text}")
    return shown


def _flat(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flat(value)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flat(value)
    else:
        yield messages


def _pending_args(k: Kind) -> MultiDict:
    """The filters of what waits for staff (a queue opens on them)."""
    shown = MultiDict()
    for name, value in k.pending.items():
        for v in value if isinstance(value, list) else [value]:
            shown.add(name, str(v))
    return shown


def _pending_filters(k: Kind) -> dict:
    try:
        filters = k.query_schema(partial=True).load(_raw_filters(k, _pending_args(k)))
    except ma.ValidationError:
        return {}
    filters.pop("cursor", None)
    filters.pop("limit", None)
    return filters


def _count(k: Kind, filters: dict) -> int:
    """How many items the filters match, counted no further than the dashboard's cap."""
    from backend.admin.views.dashboard import capped_count

    return capped_count(k.stmt(g.scope, g.staff, **filters), k.model)


@bp.get(f"/<{KIND_SLUGS}:kind>/")
@requires(kind_need)
def queue(kind: str):
    k = _kind(kind)
    args = request.args
    defaulted = not args  # a bare queue opens on what needs action; "全部" is one click away
    if defaulted:
        args = _pending_args(k)
    raw = _raw_filters(k, args)
    rows, next_cursor, problems, total = [], None, [], 0
    try:
        filters = k.query_schema(partial=True).load(raw)
        filters.pop("cursor", None)
        filters.pop("limit", None)
        rows, next_cursor = k.page_of(
            g.scope, g.staff, cursor=request.args.get("cursor") or None, limit=_page_size(), **filters
        )
        total = _count(k, filters)
    except ma.ValidationError as exc:
        problems = _schema_messages(exc, {f.name: f.label for f in k.filters})
    except DomainError as exc:
        db.session.rollback()
        problems = [exc.message]
    assignees = _assignees() if k.case_kind else []
    return render_template(
        "admin/queue.html",
        kind=k,
        rows=rows,
        next_cursor=next_cursor,
        problems=problems,
        args=args,
        raw=raw,
        total=total,
        cap=_count_cap(),
        defaulted=defaulted,
        bulk_actions=k.bulk_actions,
        assignees=assignees,
    )


@bp.post(f"/<{KIND_SLUGS}:kind>/lookup")
@requires(kind_need)
def lookup_person(kind: str):
    """A whole ID number or phone typed into a form (POST): the queue opens with its lookup token,
    so the number never appears in the URL, the browser history or a proxy's log."""
    k = _kind(kind)
    if "lookup" not in k.query_schema().fields:
        abort(404)
    try:
        token, _ = staff_lookup.make_token(request.form.get("value", ""))
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("admin.queue", kind=kind), code=303)
    return redirect(url_for("admin.queue", kind=kind, lookup=token), code=303)


def _assignees() -> list[Staff]:
    """Who a case can be given to: active non-lawyer staff of the subtree (the nearest first)."""
    stmt = g.scope.restrict(select(Staff).join(Staff.org), Staff.org_id).where(
        Staff.active.is_(True), Staff.role != Role.LAWYER
    )
    return list(db.session.scalars(stmt.order_by(Org.path, Staff.id).limit(200)))


def _action_payload(k: Kind, action: str, form) -> dict:
    """The form as the API's transition schema expects it: the action, the note, its own inputs."""
    schema_fields = k.action_schema().fields
    raw: dict = {"action": action}
    note = (form.get("note") or "").strip()
    if note and "note" in schema_fields:
        raw["note"] = note
    for inp in k.inputs.get(action, []):
        if inp.kind == "bool":
            raw[inp.name] = form.get(inp.name) == "true"
        elif form.get(inp.name, "").strip():
            raw[inp.name] = form[inp.name].strip()
    return raw


def _input_labels(k: Kind, action: str) -> dict[str, str]:
    """The labels of this action's own inputs: two actions may share a field name ("amount" is the
    approved amount of 批准 and the paid amount of 发放)."""
    labels = {"action": "操作", "note": "说明"}
    labels.update({i.name: i.label for i in k.inputs.get(action, [])})
    return labels


def _act(k: Kind, item_id: int, action: str, form) -> str | None:
    """Validate with the API's schema and apply through the service; the problem, or None."""
    try:
        data = k.action_schema().load(_action_payload(k, action, form))
    except ma.ValidationError as exc:
        return "；".join(_schema_messages(exc, _input_labels(k, action)))
    try:
        k.act(g.scope, g.staff, item_id, **data)
    except DomainError as exc:
        db.session.rollback()
        details = [m for messages in (exc.errors or {}).values() for m in messages]
        return "；".join(details) or exc.message
    return None


@bp.get(f"/<{KIND_SLUGS}:kind>/<int:item_id>")
@requires(kind_need)
def case(kind: str, item_id: int, revealed: dict | None = None):
    k = _kind(kind)
    item = k.load(g.scope, g.staff, item_id)
    labels = {
        t.action: t.label
        for actor in ("staff", "worker", "system")
        for t in transitions_of(k.flow, k.status_labels, actor)
    }
    timeline, attachments, names = [], [], {}
    if k.case_kind is not None:
        timeline = cases.timeline(k.case_kind, item.id)
        attachments = uploads.of_case(k.case_kind.name, item.id)
        ids = {e.actor_id for e in timeline if e.actor_type == "staff" and e.actor_id}
        ids |= {e.detail.get("assignee_id") for e in timeline if e.detail.get("assignee_id")}
        if item.assignee_id:
            ids.add(item.assignee_id)
        names = (
            dict(db.session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())
            if ids
            else {}
        )
    final = k.case_kind is not None and item.status in k.case_kind.final_states
    may_reveal = k.reveal is not None and (
        k.reveal_permission is None or perm.can(g.staff.role, k.reveal_permission)
    )
    waiting, _ = k.page_of(g.scope, g.staff, cursor=None, limit=2, **_pending_filters(k))
    next_item = next((w for w in waiting if w.id != item.id), None)
    return render_template(
        "admin/case.html",
        kind=k,
        item=item,
        next_item=next_item,
        confirm_actions=CONFIRM_ACTIONS,
        actions=k.allowed(item, g.staff),
        timeline=timeline,
        event_labels={**EVENT_LABELS, **labels},
        actor_labels=ACTOR_LABELS,
        staff_names=names,
        attachments=attachments,
        assignees=_assignees() if k.case_kind is not None and not final else [],
        may_reveal=may_reveal,
        revealed=revealed,
    )


@bp.post(f"/<{KIND_SLUGS}:kind>/<int:item_id>/act")
@requires(kind_need)
def act(kind: str, item_id: int):
    k = _kind(kind)
    k.load(g.scope, g.staff, item_id)  # 404 page outside the subtree, before anything is tried
    action = request.form.get("action", "")
    problem = _act(k, item_id, action, request.form)
    if problem:
        flash(f"未能办理：{problem}", "error")
    else:
        label = next((t.label for t in transitions_of(k.flow, k.status_labels) if t.action == action), action)
        flash(f"已办理：{label}", "success")
    return redirect(url_for("admin.case", kind=kind, item_id=item_id), code=303)


@bp.post(f"/<{KIND_SLUGS}:kind>/<int:item_id>/assign")
@requires(kind_need)
def assign(kind: str, item_id: int):
    k = _kind(kind)
    if k.case_kind is None:
        abort(404)
    k.load(g.scope, g.staff, item_id)
    value = request.form.get("assignee_id", "")
    try:
        cases.assign(
            k.case_kind,
            scope=g.scope,
            staff=g.staff,
            case_id=item_id,
            assignee_id=int(value) if value.isdigit() else None,
            note=(request.form.get("note") or "").strip() or None,
        )
    except DomainError as exc:
        flash_error(exc)
    else:
        flash("已分派" if value else "已取消分派", "success")
    return redirect(url_for("admin.case", kind=kind, item_id=item_id), code=303)


@bp.post(f"/<{KIND_SLUGS}:kind>/<int:item_id>/reveal")
@requires(kind_need)
def reveal(kind: str, item_id: int):
    """A deliberate look at the full ID number / phone: audited, shown in this response only."""
    k = _kind(kind)
    if k.reveal is None:
        abort(404)
    if k.reveal_permission:
        g.scope.require(k.reveal_permission)
    shown = k.reveal(g.scope, g.staff, item_id)
    response = current_app.make_response(case(kind, item_id, revealed=shown))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post(f"/<{KIND_SLUGS}:kind>/bulk")
@requires(kind_need)
def bulk(kind: str):
    """One action (or one assignment) for many items; each goes through the service on its own and
    commits on its own, so one refusal does not undo the others."""
    k = _kind(kind)
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()][:100]
    back = request.form.get("back") or url_for("admin.queue", kind=kind)
    if not back.startswith("/admin/"):
        back = url_for("admin.queue", kind=kind)
    if not ids:
        flash("请先勾选要办理的事项", "error")
        return redirect(back, code=303)
    action = request.form.get("action", "")
    assignee = request.form.get("assignee_id", "")
    done, failed = [], []
    for item_id in ids:
        if action == "_assign" and k.case_kind is not None:
            try:
                cases.assign(
                    k.case_kind,
                    scope=g.scope,
                    staff=g.staff,
                    case_id=item_id,
                    assignee_id=int(assignee) if assignee.isdigit() else None,
                    note=None,
                )
                problem = None
            except DomainError as exc:
                db.session.rollback()
                problem = next(iter(m for ms in (exc.errors or {}).values() for m in ms), exc.message)
        elif action in {t.action for t in k.bulk_actions}:
            problem = _act(k, item_id, action, request.form)
        else:
            flash("请选择批量操作", "error")
            return redirect(back, code=303)
        if problem:
            db.session.rollback()
            failed.append((item_id, problem))
        else:
            db.session.commit()
            done.append(item_id)
    if done:
        flash(f"成功办理 {len(done)} 项：" + "、".join(f"#{i}" for i in done), "success")
    for item_id, problem in failed:
        flash(f"#{item_id} 未能办理：{problem}", "error")
    return redirect(back, code=303)


@bp.get("/uploads/<int:upload_id>")
@requires(perm.EVIDENCE_ANY)
def upload(upload_id: int):
    """Evidence of a case in the subtree (the same scoped serving as ``/api/v1/staff/uploads``)."""
    try:
        return file_response(*uploads.for_staff(scope=g.scope, upload_id=upload_id))
    except NotFound:
        abort(404)
