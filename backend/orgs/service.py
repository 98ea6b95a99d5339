"""Reading and growing the org tree."""

from __future__ import annotations

from sqlalchemy import Select, select

from backend.common.errors import InvalidInput
from backend.extensions import db
from backend.orgs.models import CHILD_LEVEL, Org, OrgLevel


def search_stmt(
    *,
    q: str | None = None,
    parent_id: int | None = None,
    level: str | None = None,
    accepting_members: bool | None = None,
) -> Select:
    """Orgs matching a name fragment and/or a parent, in tree order."""
    stmt = select(Org)
    if q:
        stmt = stmt.where(Org.name.contains(q.strip(), autoescape=True))
    if parent_id is not None:
        stmt = stmt.where(Org.parent_id == parent_id)
    if level:
        stmt = stmt.where(Org.level == level)
    if accepting_members is not None:
        stmt = stmt.where(Org.accepts_members.is_(accepting_members))
    return stmt.order_by(Org.path)


def add_child(*, parent: Org, name: str, category: str | None, region: str | None = None) -> Org:
    """Create a node one level below ``parent`` and give it its materialised path."""
    level = CHILD_LEVEL.get(OrgLevel(parent.level))
    if level is None:
        raise InvalidInput("parent_id", "基层工会下不能再设下级组织")
    org = Org(parent_id=parent.id, name=name, level=level, category=category, region=region or parent.region)
    db.session.add(org)
    db.session.flush()
    org.path = f"{parent.path}{org.id}/"
    return org


def create_root(*, name: str, region: str | None = None) -> Org:
    org = Org(name=name, level=OrgLevel.CITY, category=None, region=region, accepts_members=False)
    db.session.add(org)
    db.session.flush()
    org.path = f"/{org.id}/"
    return org


def member_org(org_id: int) -> Org:
    """The union a worker applies to: it must exist and accept members."""
    org = db.session.get(Org, org_id)
    if org is None:
        raise InvalidInput("org_id", "所选工会不存在")
    if org.level != OrgLevel.BASE or not org.accepts_members:
        raise InvalidInput("org_id", "请选择一个基层工会")
    return org


def ancestors(org: Org) -> list[Org]:
    """From the root down to ``org`` itself, read off the path in one query."""
    ids = [int(part) for part in org.path.strip("/").split("/") if part]
    by_id = {o.id: o for o in db.session.scalars(select(Org).where(Org.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]
