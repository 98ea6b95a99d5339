"""A staff queue described once: the filters every kind of case shares, and what the API and the
panel need to list, open, move on and hand on one kind's cases.

Every queue filters the same way — ``status`` (repeatable) and, where cases have an owner and a
deadline, ``overdue`` and ``assignee`` (``mine``, ``none``, ``any`` or a staff id) — and pages by
cursor. A kind adds only its own filters (a wage claim's cluster, a help request's category).
``backend/api/queues.py`` turns a :class:`CaseQueue` into the staff API's routes; the panel's queue
page (``backend/admin/kinds.py``) reads the same definition, so both validate a filter, page a list
and apply an action through one path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import marshmallow as ma
from sqlalchemy import Select

from backend.cases.paging import cursor_field, page_size_field, seek
from backend.common.fields import one_of
from backend.common.schema import Schema
from backend.common.statemachine import StateMachine
from backend.common.types import utcnow
from backend.staff.scope import Scope

ASSIGNEE_CHOICES = {"mine": "我经办的", "none": "未分派", "any": "已分派"}
_ASSIGNEE_ERROR = "取值应为 mine（我经办的）、none（未分派）、any（已分派）或工作人员 id"


def _assignee(value: str) -> None:
    if value not in ASSIGNEE_CHOICES and not (value.isdigit() and len(value) <= 18):
        raise ma.ValidationError(_ASSIGNEE_ERROR)


class _PagedQuery(Schema):
    """The paging of every queue: ?cursor=&page_size= (read as ``limit``)."""

    cursor = cursor_field()
    limit = page_size_field(data_key="page_size")


class _CaseQueueQuery(_PagedQuery):
    """…and, for the cases handled under an SLA by an owner (``CaseMixin``), overdue and assignee."""

    overdue = ma.fields.Boolean(metadata={"description": "true 只看已超期，false 只看未超期"})
    assignee = ma.fields.String(
        validate=_assignee, metadata={"description": "mine 我经办的、none 未分派、any 已分派，或工作人员 id"}
    )
    # The names the wage queue had before ``assignee``, kept so existing links and clients still work.
    assignee_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**63 - 1),
        metadata={"description": "同 assignee=<工作人员 id>"},
    )
    unassigned = ma.fields.Boolean(metadata={"description": "true 同 assignee=none，false 同 assignee=any"})

    @ma.validates_schema
    def _one_assignee_filter(self, data, **_):
        given = [name for name in ("assignee", "assignee_id", "unassigned") if name in data]
        if len(given) > 1:
            raise ma.ValidationError("不能同时按承办人和未分派筛选", given[-1])

    @ma.post_load
    def _as_assignee(self, data, **_):
        if "assignee_id" in data:
            data["assignee"] = str(data.pop("assignee_id"))
        if "unassigned" in data:
            data["assignee"] = "none" if data.pop("unassigned") else "any"
        return data


def queue_query(
    name: str, statuses, labels: dict[str, str], *, owned: bool = True, **fields: ma.fields.Field
) -> type[Schema]:
    """The query schema of one kind's queue: paging, its statuses (repeatable), ``overdue`` and
    ``assignee`` when its cases have an owner and a deadline (``owned``), and ``fields``."""
    status = ma.fields.List(
        ma.fields.String(validate=one_of(list(statuses), labels)),
        metadata={"description": "状态，可重复：?status=submitted&status=accepted"},
    )
    base = _CaseQueueQuery if owned else _PagedQuery
    return type(name, (base,), {"status": status, **fields})


def filter_queue(
    stmt: Select,
    model,
    scope: Scope,
    *,
    status: list[str] | str | None = None,
    overdue: bool | None = None,
    assignee: str | None = None,
    now: datetime | None = None,
) -> Select:
    """``stmt`` narrowed by the shared filters (``overdue`` and ``assignee`` read ``CaseMixin``'s
    columns); ``status`` is a list of states, or one."""
    if isinstance(status, str):
        status = [status]
    if status:
        stmt = stmt.where(model.status.in_(status))
    if overdue is not None:
        late = model.due_at < (now or utcnow())
        stmt = stmt.where(late if overdue else model.due_at.is_(None) | ~late)
    if assignee == "mine":
        stmt = stmt.where(model.assignee_id == scope.staff_id)
    elif assignee == "none":
        stmt = stmt.where(model.assignee_id.is_(None))
    elif assignee == "any":
        stmt = stmt.where(model.assignee_id.is_not(None))
    elif assignee:
        stmt = stmt.where(model.assignee_id == int(assignee))
    return stmt


def narrows_to_one_assignee(assignee: str | None) -> bool:
    """Whether the filter picks one staff member's cases (their own index serves it)."""
    return assignee is not None and assignee not in ("none", "any")


@dataclass(frozen=True)
class CaseQueue:
    """One kind's staff queue. Every callable takes the acting ``(scope, staff, …)``."""

    name: str  # the URL's collection: "wage-claims", "aid-requests"
    label: str  # 欠薪求助
    permission: str | tuple[str, ...]  # any one of them opens the queue
    model: type
    flow: StateMachine
    query: type[Schema]
    action_schema: type[Schema]
    page: Callable[..., tuple[list, str | None]]  # (scope, staff, *, cursor, limit, **filters)
    load: Callable[[Scope, Any, int], Any]  # one case of the subtree (404 outside it), as shown
    act: Callable[..., Any]  # (scope, staff, case_id, **validated action)
    assign: Callable[..., Any] | None = None  # (scope, staff, case_id, *, assignee_id, note), if owned


def pages_of(stmt_of: Callable[..., Select]) -> Callable[..., tuple[list, str | None]]:
    """A queue's pager for a service that gives its query (``stmt_of(scope, staff, **filters)``, in
    queue order) and leaves the paging to the cursor."""

    def page(scope: Scope, staff, *, cursor: str | None = None, limit: int, **filters):
        return seek(stmt_of(scope, staff, **filters), cursor=cursor, limit=limit)

    return page


def in_subtree(model: type) -> Callable[[Scope, Any, int], Any]:
    """A queue's loader for a case read as it is: the staff member's subtree, else 404."""
    return lambda scope, staff, case_id: scope.get(model, case_id)
