"""Per-org, per-month rollups of the participation facts and of the members (what 考核 reads).

An assessment of a province reads orgs × months instead of tens of millions of facts: each fact is
counted in ``participation_rollups`` by the job that stores it, in the same transaction, and only
when the fact itself was new (its ``dedupe_key`` decides: a re-delivered fact counts once). Members
are counted in ``member_rollups`` by the Shanghai month they joined in, by a session hook that sees
every ORM insert, update and delete of a member's org, status or join date (a transfer, an erasure).
Writes that bypass the ORM (the bulk loader of the benchmark city, an operator's SQL) leave the
rollups behind: ``rebuild`` (``flask rollups rebuild``) counts everything again from the rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, event, extract, func, insert, select, text
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from backend.extensions import db
from backend.members.models import Member
from backend.participation.models import MemberRollup, ParticipationFact, ParticipationRollup

SHANGHAI_OFFSET = timedelta(hours=8)  # China has kept UTC+8 all year since 1991
REBUILD_ORGS = 5000  # orgs per rebuild transaction


def month_of(at: datetime) -> int:
    """The Shanghai month of a UTC instant as YYYYMM (the key of both rollups)."""
    local = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC) + SHANGHAI_OFFSET
    return local.year * 100 + local.month


def _upsert(session: Session, table, keys: dict, increments: dict) -> None:
    """Add ``increments`` to the row of ``keys``, creating it: one atomic statement, so concurrent
    writers of one row are all counted (the row lock orders them)."""
    c = table.c
    values = {**keys, **increments}
    if session.get_bind().dialect.name == "sqlite":
        stmt = sqlite_insert(table).values(values)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={k: c[k] + stmt.excluded[k] for k in increments}
        )
    else:
        stmt = mysql_insert(table).values(values)
        stmt = stmt.on_duplicate_key_update({k: c[k] + stmt.inserted[k] for k in increments})
    session.execute(stmt)


# --- facts -------------------------------------------------------------------------------------------
def store_fact(*, key: str, values: dict) -> bool:
    """Insert one fact unless a fact of the same ``key`` exists, and count it in its month: True when
    it was new. The unique ``dedupe_key`` is the arbiter — a concurrent delivery of the same fact
    waits on the key and is then ignored — so the count moves exactly when the row is written."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    stmt = insert(ParticipationFact).values(dedupe_key=key, **values)
    stmt = stmt.prefix_with("OR IGNORE" if sqlite else "IGNORE")
    if db.session.execute(stmt).rowcount == 0:
        if db.session.scalar(select(ParticipationFact.id).where(ParticipationFact.dedupe_key == key)) is None:
            raise RuntimeError(f"participation fact {key!r} was refused by the database")
        return False
    _upsert(
        db.session,
        ParticipationRollup.__table__,
        {"kind": values["kind"], "month": month_of(values["occurred_at"]), "org_id": values["org_id"]},
        {"facts": 1},
    )
    return True


# --- members -----------------------------------------------------------------------------------------
_OLD = "member_rollups.old"


def _counted(org_id: int | None, status: str | None, joined_at: datetime | None) -> tuple | None:
    if org_id is None or joined_at is None:
        return None
    return (org_id, month_of(joined_at), 1 if (status or "active") == "active" else 0)


def _changed(member: Member) -> bool:
    state = db.inspect(member)
    return any(state.attrs[name].history.has_changes() for name in ("org_id", "status", "joined_at"))


@event.listens_for(Session, "before_flush")
def _remember_old_members(session: Session, _context, _instances) -> None:
    """The stored org, status and join date of members about to change (read from the database: an
    expired attribute that is set again carries no old value)."""
    ids = [
        m.id
        for m in (*session.dirty, *session.deleted)
        if isinstance(m, Member) and m.id is not None and (m in session.deleted or _changed(m))
    ]
    if not ids:
        return
    old = session.info.setdefault(_OLD, {})
    rows = session.execute(
        select(Member.id, Member.org_id, Member.status, Member.joined_at).where(Member.id.in_(ids)),
        execution_options={"autoflush": False},
    )
    for member_id, org_id, status, joined_at in rows:
        old.setdefault(member_id, _counted(org_id, status, joined_at))


@event.listens_for(Session, "after_flush")
def _count_members(session: Session, _context) -> None:
    old: dict = session.info.pop(_OLD, {})
    delta: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])

    def add(counted: tuple | None, sign: int) -> None:
        if counted is not None:
            org_id, month, active = counted
            cell = delta[(month, org_id)]
            cell[0] += sign
            cell[1] += sign * active

    for m in session.new:
        if isinstance(m, Member):
            add(_counted(m.org_id, m.status, m.joined_at), 1)
    for m in session.dirty:
        if isinstance(m, Member) and m.id in old:
            add(old[m.id], -1)
            add(_counted(m.org_id, m.status, m.joined_at), 1)
    for m in session.deleted:
        if isinstance(m, Member) and m.id in old:
            add(old[m.id], -1)
    for (month, org_id), (joined, active) in sorted(delta.items()):
        if joined or active:
            _upsert(
                session,
                MemberRollup.__table__,
                {"month": month, "org_id": org_id},
                {"joined": joined, "active": active},
            )


@event.listens_for(Session, "after_rollback")
def _forget_old_members(session: Session) -> None:
    session.info.pop(_OLD, None)


# --- rebuilding ----------------------------------------------------------------------------------------
def _month_sql(column) -> object:
    """The Shanghai YYYYMM of a UTC column, in the database's own dialect."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.cast(func.strftime("%Y%m", column, "+8 hours"), db.Integer)
    return extract("year_month", func.date_add(column, text("INTERVAL 8 HOUR")))


def rebuild(*, checkpoint, progress=None) -> dict[str, int]:
    """Count both rollups again from the facts and the members, a range of orgs per transaction
    (each a ``DELETE`` and an ``INSERT … SELECT … GROUP BY`` in the database; no row passes through
    Python). Run it with the participation workers stopped: a fact stored while its range is being
    rebuilt may be counted twice or not at all (running it again puts that right). ``checkpoint``
    ends one range's transaction; the command that runs the rebuild owns it."""
    report = progress or (lambda stage, done: None)
    top = db.session.scalar(select(func.max(ParticipationFact.org_id))) or 0
    top = max(top, db.session.scalar(select(func.max(Member.org_id))) or 0)
    f, m = ParticipationFact, Member
    fact_month, member_month = _month_sql(f.occurred_at), _month_sql(m.joined_at)
    db.session.execute(delete(ParticipationRollup).where(ParticipationRollup.org_id > top))
    db.session.execute(delete(MemberRollup).where(MemberRollup.org_id > top))
    for low in range(0, top + 1, REBUILD_ORGS):
        high = low + REBUILD_ORGS
        db.session.execute(
            delete(ParticipationRollup).where(
                ParticipationRollup.org_id >= low, ParticipationRollup.org_id < high
            )
        )
        db.session.execute(
            insert(ParticipationRollup).from_select(
                ["kind", "month", "org_id", "facts"],
                select(f.kind, fact_month, f.org_id, func.count())
                .where(f.org_id >= low, f.org_id < high)
                .group_by(f.org_id, f.kind, fact_month),
            )
        )
        db.session.execute(delete(MemberRollup).where(MemberRollup.org_id >= low, MemberRollup.org_id < high))
        db.session.execute(
            insert(MemberRollup).from_select(
                ["month", "org_id", "joined", "active"],
                select(
                    member_month,
                    m.org_id,
                    func.count(),
                    func.coalesce(func.sum(case((m.status == "active", 1), else_=0)), 0),
                )
                .where(m.org_id >= low, m.org_id < high)
                .group_by(m.org_id, member_month),
            )
        )
        checkpoint()
        report("orgs", min(high, top + 1))
    counts = {
        "participation_rollups": db.session.scalar(select(func.count()).select_from(ParticipationRollup)),
        "member_rollups": db.session.scalar(select(func.count()).select_from(MemberRollup)),
    }
    checkpoint()
    return counts
