"""Org-subtree scoping: the one place every staff query goes through.

A staff member attached to a node sees and acts on that node's whole subtree and nothing else. Rows
outside it are reported as absent (404), not forbidden, so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from backend.common.errors import Forbidden, NotFound
from backend.extensions import db
from backend.orgs.models import Org
from backend.staff.models import Staff
from backend.staff.permissions import can

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    staff_id: int
    role: str
    org_id: int
    org_path: str

    @classmethod
    def of(cls, staff: Staff) -> Scope:
        return cls(staff_id=staff.id, role=staff.role, org_id=staff.org_id, org_path=staff.org.path)

    def org_ids(self) -> Select:
        """Sub-select of every org id in the subtree (an indexed prefix scan on ``orgs.path``)."""
        return select(Org.id).where(Org.path.startswith(self.org_path, autoescape=True))

    def restrict(self, stmt: Select, org_column: InstrumentedAttribute) -> Select:
        """Limit a statement to rows whose ``org_column`` lies in the subtree."""
        return stmt.where(org_column.in_(self.org_ids()))

    def contains(self, org: Org | None) -> bool:
        return org is not None and org.path.startswith(self.org_path)

    def contains_id(self, org_id: int) -> bool:
        org = db.session.get(Org, org_id)
        return self.contains(org)

    def get(self, model: type[T], ident: int, *, org_attr: str = "org_id", for_update: bool = False) -> T:
        """Load one row of ``model`` by id if it lies in the subtree, else 404."""
        org_column = getattr(model, org_attr)
        stmt = self.restrict(select(model).where(model.id == ident), org_column)
        if for_update:
            stmt = stmt.with_for_update()
        row = db.session.scalars(stmt).first()
        if row is None:
            raise NotFound()
        return row

    def require(self, permission: str) -> None:
        if not can(self.role, permission):
            raise Forbidden()
