"""Grouping claims against one employer in one county (欠薪线索聚类) and the early warning
(劳动关系预警) a cluster raises when it reaches the configured size."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, false, func, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend.cases import service as cases
from backend.cases.paging import SortKey, seek
from backend.common.errors import NotFound
from backend.extensions import db
from backend.orgs.models import Org, OrgLevel
from backend.staff.scope import Scope
from backend.wages.flow import WAGE
from backend.wages.models import WageClaim, WageCluster
from backend.wages.rules import WageRules

_NOT_A_WORD = re.compile(r"[\W_]+")  # punctuation, symbols, spaces; CJK characters are word characters
_ORDINAL = r"(?:第[0-9零〇一二三四五六七八九十百]+|[0-9]+)?"  # 第三项目部, 3项目部 (not 张三劳务队)


def normalise_employer(name: str, rules: WageRules) -> str:
    """The key claims against one employer share, however the name was typed:
    ``临汾 恒达建筑有限公司（太原分公司）`` and ``临汾恒达建筑有限责任公司`` both give ``临汾恒达建筑``."""
    text = _NOT_A_WORD.sub("", unicodedata.normalize("NFKC", name).lower())
    cut = min((at for form in rules.employer_forms if (at := text.find(form)) >= 0), default=len(text))
    key = text[:cut] if cut > 0 else text  # a name that starts with 公司 has nothing to cut
    suffixes = "|".join(map(re.escape, rules.employer_unit_suffixes))
    trailing = re.compile(f"{_ORDINAL}(?:{suffixes})$")
    while (shorter := trailing.sub("", key)) != key and shorter:
        key = shorter
    return (key or text)[:100]


def county_of(org: Org) -> int:
    """The county a claim filed with ``org`` (a county or a township node) is clustered in."""
    return org.id if org.level == OrgLevel.COUNTY else org.parent_id


@dataclass(frozen=True)
class ClusterState:
    id: int
    claim_count: int
    workers_total: int
    warned_at: datetime | None


_CLUSTERS = WageCluster.__table__
_RETURNED = (_CLUSTERS.c.id, _CLUSTERS.c.claim_count, _CLUSTERS.c.workers_total, _CLUSTERS.c.warned_at)


@functools.cache
def _upsert(dialect: str, returning: bool):
    """The cluster upsert for a dialect, built once (values are bound at execution)."""
    c = _CLUSTERS.c
    if dialect == "sqlite":
        stmt = sqlite_insert(_CLUSTERS)
        added = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.county_id, c.employer_key],
            set_={
                "claim_count": c.claim_count + 1,
                "workers_total": c.workers_total + added.workers_total,
                "amount_total": c.amount_total + added.amount_total,
                "last_at": added.last_at,
            },
        )
        return stmt.returning(*_RETURNED)
    stmt = mysql_insert(_CLUSTERS)
    added = stmt.inserted
    counts = {
        "claim_count": c.claim_count + 1,
        "workers_total": c.workers_total + added.workers_total,
        "amount_total": c.amount_total + added.amount_total,
        "last_at": added.last_at,
    }
    if returning:  # MariaDB ≥ 10.5 returns the row as updated
        return stmt.on_duplicate_key_update(counts).returning(*_RETURNED)
    # MySQL 8 has no RETURNING: LAST_INSERT_ID(id) hands back the id of the inserted or updated row.
    return stmt.on_duplicate_key_update({**counts, "id": func.last_insert_id(c.id)})


_READ_BACK = select(*_RETURNED).where(_CLUSTERS.c.id == bindparam("cluster_id"))


def join_cluster(
    *, county_id: int, employer_key: str, employer: str, workers: int, amount: Decimal, now: datetime
) -> ClusterState:
    """Count one more claim in its cluster, creating the cluster if it is the first: one statement.

    The unique (county_id, employer_key) index decides between insert and update, so concurrent
    first claims never make two clusters. The row stays locked until the request commits, so the
    counts returned are exact for this claim (the warning threshold is crossed exactly once).
    """
    dialect = db.session.get_bind().dialect
    params = {
        "county_id": county_id,
        "employer_key": employer_key,
        "employer": employer,
        "claim_count": 1,
        "workers_total": workers,
        "amount_total": amount,
        "first_at": now,
        "last_at": now,
    }
    return _upsert_and_read(params, dialect.name, dialect.name == "sqlite" or dialect.insert_returning)


def _upsert_and_read(params: dict, dialect: str, returning: bool) -> ClusterState:
    result = db.session.execute(_upsert(dialect, returning), params)
    if returning:
        return ClusterState(*result.one())
    return ClusterState(*db.session.execute(_READ_BACK, {"cluster_id": result.lastrowid}).one())


def reaches_warning(state: ClusterState, rules: WageRules) -> bool:
    """Whether this claim takes its cluster to a warning threshold for the first time."""
    return state.warned_at is None and (
        state.claim_count >= rules.warning_claims or state.workers_total >= rules.warning_workers
    )


def raise_warning(*, cluster_id: int, claim: WageClaim, county_id: int, now: datetime) -> None:
    """Flag the cluster and all its claims, and alert the county union (once per cluster)."""
    marked = db.session.execute(
        update(WageCluster)
        .where(WageCluster.id == cluster_id, WageCluster.warned_at.is_(None))
        .values(warned_at=now)
    ).rowcount
    if not marked:
        return
    db.session.execute(
        update(WageClaim)
        .where(WageClaim.cluster_id == cluster_id, WageClaim.warning.is_(False))
        .values(warning=True)
    )
    cluster = db.session.get(WageCluster, cluster_id, populate_existing=True)
    county = db.session.get(Org, county_id)
    cases.raise_alert(
        org_id=county.id,
        kind="wage.cluster_warning",
        case_kind=WAGE,
        case=claim,
        title=f"劳动关系预警：{cluster.employer}",
        body=warning_text(county, cluster),
    )


def warning_text(county: Org, cluster: WageCluster) -> str:
    """What a cluster's early warning says, from the cluster's figures as they are now."""
    return (
        f"{county.name}辖区内针对“{cluster.employer}”的欠薪求助已达 {cluster.claim_count} 件、"
        f"涉及 {cluster.workers_total} 人、金额 {cluster.amount_total:,.2f} 元，请及时研判处置。"
    )


@cases.alert_body("wage.cluster_warning")
def _live_warning(alert) -> str | None:
    """The alert's count follows its cluster: a warning raised at 2 claims reads 3 once a third comes."""
    claim = db.session.get(WageClaim, alert.case_id) if alert.case_id else None
    if claim is None or claim.cluster_id is None:
        return None
    return warning_text(db.session.get(Org, alert.org_id), db.session.get(WageCluster, claim.cluster_id))


# --- for staff ----------------------------------------------------------------------------------------
def _visible(scope: Scope, staff_level: str):
    """Clusters a staff member may see: the city's or the county's own; for a town, those its claims
    belong to (a town's claims are those of the town node itself; base unions hold none)."""
    if staff_level == OrgLevel.CITY:
        return WageCluster.county_id.in_(scope.org_ids().where(Org.level == OrgLevel.COUNTY))
    if staff_level == OrgLevel.COUNTY:
        return WageCluster.county_id == scope.org_id
    if staff_level == OrgLevel.TOWN:
        return WageCluster.id.in_(select(WageClaim.cluster_id).where(WageClaim.org_id == scope.org_id))
    return false()


NEWEST = [SortKey(WageCluster.id, descending=True)]
LATEST_WARNED = [SortKey(WageCluster.warned_at, descending=True), SortKey(WageCluster.id, descending=True)]


def clusters_page(
    scope: Scope, *, staff_level: str, warning: bool | None = None, cursor: str | None = None, limit: int = 20
) -> tuple[list[WageCluster], str | None]:
    """One page of the clusters a staff member may see: with ``warning`` the warned ones, latest
    warning first; otherwise the newest first. Cursor-paged: a city has hundreds of thousands."""
    stmt = select(WageCluster).where(_visible(scope, staff_level))
    keys = NEWEST
    if warning:
        stmt, keys = stmt.where(WageCluster.warned_at.is_not(None)), LATEST_WARNED
    elif warning is not None:
        stmt = stmt.where(WageCluster.warned_at.is_(None))
    if staff_level == OrgLevel.CITY:  # walk the order's own index, checking the county on the way
        stmt = stmt.with_hint(
            WageCluster, f"FORCE INDEX ({'ix_wage_clusters_warned' if warning else 'PRIMARY'})", "mysql"
        )
    return seek(stmt, keys, cursor=cursor, limit=limit)


def cluster_for_staff(scope: Scope, *, staff_level: str, cluster_id: int) -> WageCluster:
    stmt = select(WageCluster).where(WageCluster.id == cluster_id, _visible(scope, staff_level))
    cluster = db.session.scalars(stmt).first()
    if cluster is None:
        raise NotFound("线索聚类不存在")
    return cluster
