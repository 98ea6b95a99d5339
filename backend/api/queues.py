"""The staff routes of a case queue, made from its definition (``backend/cases/queue.py``): the list
(the shared filters, cursor paging, ``X-Next-Cursor``), one case, its transitions and its assignment.
Every kind of case therefore answers the same URLs the same way; a kind adds only routes of its own
(a claim's contacts, a household file)."""

from __future__ import annotations

from dataclasses import dataclass

from flask.views import MethodView

from backend.api.access import current_scope, current_staff, staff_required
from backend.api.base import Blueprint
from backend.api.cases import AssignIn
from backend.api.paging import NEXT_CURSOR_DOC, next_cursor_header
from backend.cases.queue import CaseQueue


@dataclass(frozen=True)
class QueueDocs:
    """What the API document says of each route (the summaries staff and client builders read)."""

    list: str
    detail: str
    transition: str
    assign: str = ""


def staff_queue(
    blp: Blueprint, queue: CaseQueue, *, row, detail, docs: QueueDocs, prefix: str, id_name: str
) -> None:
    """Add ``/<queue.name>``, ``/<queue.name>/<id>``, ``…/transition`` and (for owned cases) ``…/assign``;
    the views are named ``<prefix>Queue``, ``<prefix>Detail``, ``<prefix>Transition``, ``<prefix>Assign``
    and the id in their paths ``id_name`` (``claim_id``), as the API document has always called it."""
    decorators = [staff_required(queue.permission)]
    one = f"/{queue.name}/<int:{id_name}>"

    @blp.arguments(queue.query, location="query")
    @blp.response(200, row(many=True), headers={"X-Next-Cursor": NEXT_CURSOR_DOC})
    def list_cases(self, query):
        rows, cursor = queue.page(current_scope(), current_staff(), **query)
        return rows, next_cursor_header(cursor)

    @blp.response(200, detail)
    def show_case(self, **ids):
        return queue.load(current_scope(), current_staff(), ids[id_name])

    @blp.arguments(queue.action_schema)
    @blp.response(200, detail)
    def move_case(self, data, **ids):
        queue.act(current_scope(), current_staff(), ids[id_name], **data)
        return queue.load(current_scope(), current_staff(), ids[id_name])

    @blp.arguments(AssignIn)
    @blp.response(200, detail)
    def assign_case(self, data, **ids):
        queue.assign(current_scope(), current_staff(), ids[id_name], **data)
        return queue.load(current_scope(), current_staff(), ids[id_name])

    routes = [
        ("Queue", f"/{queue.name}", "get", list_cases, docs.list),
        ("Detail", one, "get", show_case, docs.detail),
        ("Transition", f"{one}/transition", "post", move_case, docs.transition),
    ]
    if queue.assign is not None:
        routes.append(("Assign", f"{one}/assign", "post", assign_case, docs.assign))
    for suffix, rule, method, view, summary in routes:
        view.__doc__ = summary
        blp.route(rule)(type(f"{prefix}{suffix}", (MethodView,), {"decorators": decorators, method: view}))
