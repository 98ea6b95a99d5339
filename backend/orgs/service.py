"""Reading and growing the org tree."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from backend.common.errors import InvalidInput
from backend.extensions import db
from backend.orgs.models import CHILD_LEVEL, Org, OrgLevel, ancestor_ids


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
    ids = ancestor_ids(org)
    by_id = {o.id: o for o in db.session.scalars(select(Org).where(Org.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


# --- staff growing and reshaping the tree (组织管理; every change audited) -------------------------------
def _name(value: str) -> str:
    name = (value or "").strip()
    if not 2 <= len(name) <= 100:
        raise InvalidInput("name", "工会名称应为 2 到 100 个字")
    return name


def _category(level: str, category: str | None) -> str | None:
    from backend.orgs.models import CATEGORY_LABELS, OrgCategory

    if level == OrgLevel.COUNTY:
        return OrgCategory.COUNTY_FEDERATION
    if level == OrgLevel.TOWN:
        return OrgCategory.TOWNSHIP_STREET
    if category not in {str(c) for c in CATEGORY_LABELS} or category in (
        OrgCategory.COUNTY_FEDERATION,
        OrgCategory.TOWNSHIP_STREET,
    ):
        raise InvalidInput("category", "请选择基层工会的考核类别（行政事业、国有集体或非公企业）")
    return category


def create_org(*, scope, staff, parent_id: int, name: str, category: str | None = None) -> Org:
    """A new union one level below ``parent_id`` (a node of the caller's subtree)."""
    from backend.audit import service as audit

    parent = scope.get(Org, parent_id, org_attr="id")
    level = CHILD_LEVEL.get(OrgLevel(parent.level))
    if level is None:
        raise InvalidInput("parent_id", "基层工会下不能再设下级组织")
    org = add_child(parent=parent, name=_name(name), category=_category(level, category))
    audit.record(
        staff=staff, action="org.create", target_type="org", target_id=org.id, org_id=org.id,
        detail={"parent_id": parent.id, "name": org.name},
    )  # fmt: skip
    return org


def rename_org(*, scope, staff, org_id: int, name: str) -> Org:
    """更名 a union of the subtree (its own node included)."""
    from backend.audit import service as audit

    org = scope.get(Org, org_id, org_attr="id", for_update=True)
    before, org.name = org.name, _name(name)
    audit.record(
        staff=staff, action="org.rename", target_type="org", target_id=org.id, org_id=org.id,
        detail={"from": before, "to": org.name},
    )  # fmt: skip
    return org


def move_org(*, scope, staff, org_id: int, parent_id: int) -> Org:
    """调整上级: put a union (with everything below it) under another node of the subtree at the
    level above it. The caller's own node cannot move; the materialised paths follow in one update."""
    from sqlalchemy import literal, update

    from backend.audit import service as audit

    org = scope.get(Org, org_id, org_attr="id", for_update=True)
    if org.id == scope.org_id:
        raise InvalidInput("org_id", "不能调整本级工会自身的上级")
    parent = scope.get(Org, parent_id, org_attr="id")
    if CHILD_LEVEL.get(OrgLevel(parent.level)) != org.level:
        raise InvalidInput("parent_id", f"{org.level_label}的上级应为{_parent_label(org.level)}")
    if parent.id == org.parent_id:
        raise InvalidInput("parent_id", "已在该上级工会之下")
    old_path, new_path = org.path, f"{parent.path}{org.id}/"
    before = org.parent_id
    db.session.execute(
        update(Org)
        .where(Org.path.startswith(old_path, autoescape=True))
        .values(path=literal(new_path) + func.substr(Org.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(update(Org).where(Org.id == org.id).values(parent_id=parent.id))
    db.session.expire_all()
    audit.record(
        staff=staff, action="org.move", target_type="org", target_id=org_id, org_id=org_id,
        detail={"from_parent_id": before, "to_parent_id": parent.id},
    )  # fmt: skip
    return db.session.get(Org, org_id)


def _parent_label(level: str) -> str:
    from backend.orgs.models import LEVEL_LABELS

    parent = {v: k for k, v in CHILD_LEVEL.items()}.get(OrgLevel(level))
    return LEVEL_LABELS[parent] if parent else ""


def picker_stmt(scope, q: str, *, levels: tuple[str, ...] | None = None) -> Select:
    """Unions of the caller's subtree whose name contains ``q``, for an org picker (tree order)."""
    stmt = scope.restrict(select(Org).where(Org.name.contains(q.strip(), autoescape=True)), Org.id)
    if levels:
        stmt = stmt.where(Org.level.in_(levels))
    return stmt.order_by(Org.path)
