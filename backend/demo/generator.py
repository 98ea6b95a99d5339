"""The benchmark city (基准测试数据): ``generate_city`` bulk-loads a synthetic city at the scale of
DESIGN §1 (≈6,000 unions, ≈700,000 members) for benchmarks, using Core inserts with precomputed ids.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

from backend.common.crypto import id_number_index, phone_index
from backend.common.idcard import make_id_number
from backend.demo.tree import LINFEN_COUNTIES
from backend.demo.words import (
    _BRANDS,
    _GIVEN,
    _MOBILE_PREFIXES,
    _SMALL_EMPLOYERS,
    _SURNAMES,
    _TOWN_PREFIXES,
    _TOWN_SUFFIXES,
    _cn_number,
    _short,
    _spread_categories,
    _UnionNamer,
    _unit_name,
)
from backend.members.cards import card_number
from backend.members.models import Member, WorkerType
from backend.orgs.models import Org, OrgCategory, OrgLevel

BENCH_CITY_NAME = "基准测试市总工会"
BENCH_CITY_REGION = "基准测试市"


# --- benchmark city ----------------------------------------------------------------------------

_CHUNK = 10_000
_UNIONS_PER_TOWN = 35  # Linfen: 5,851 base unions under 171 township unions
_BIRTH_START = date(1966, 1, 1)  # members are 20–60 years old
_BIRTH_DAYS = 40 * 365
_MAX_ID_SEQUENCE = 500  # make_id_number keeps sequence % 500


_EIGHT_GROUPS = (
    (WorkerType.TRUCK_DRIVER, 20),
    (WorkerType.COURIER, 17),
    (WorkerType.DELIVERY_RIDER, 17),
    (WorkerType.RIDE_HAILING_DRIVER, 13),
    (WorkerType.DOMESTIC_WORKER, 10),
    (WorkerType.SECURITY_GUARD, 9),
    (WorkerType.CARE_WORKER, 8),
    (WorkerType.PROPERTY_STAFF, 6),
)
# Percent regular / migrant / eight groups per category; with the category shares in ``words`` this
# comes to ≈30% migrant workers and ≈15% in the eight groups city-wide.
_WORKER_MIX = {
    OrgCategory.NON_PUBLIC: (45, 40, 15),
    OrgCategory.PUBLIC_INSTITUTION: (90, 5, 5),
    OrgCategory.STATE_COLLECTIVE: (65, 25, 10),
    OrgCategory.TOWNSHIP_STREET: (25, 40, 35),
}


def _worker_weights(category: str) -> tuple[list[str], list[float]]:
    regular, migrant, eight = _WORKER_MIX[OrgCategory(category)]
    group_total = sum(w for _, w in _EIGHT_GROUPS)
    types = [str(WorkerType.REGULAR), str(WorkerType.MIGRANT)] + [str(t) for t, _ in _EIGHT_GROUPS]
    weights = [float(regular), float(migrant)] + [eight * w / group_total for _, w in _EIGHT_GROUPS]
    cumulative, running = [], 0.0
    for w in weights:
        running += w
        cumulative.append(running)
    return types, cumulative


@dataclass
class _BenchUnion:
    id: int
    name: str
    category: str
    region_code: str
    employers: tuple[str, ...]
    members: int = 0


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _next_id(session: Session, column) -> int:
    return (session.scalar(select(func.max(column))) or 0) + 1


def generate_city(
    session_or_engine: Session | scoped_session | Engine | Connection,
    *,
    unions: int = 6000,
    members: int = 700_000,
    counties: int = 19,
    seed: int = 1,
    as_of: datetime | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Bulk-load the benchmark city 基准测试市总工会 with its counties, towns, unions and members.

    Deterministic given ``seed`` and ``as_of`` (default: today 00:00 UTC; members joined within the
    three years before it). Ids are precomputed from the current maxima, so run it on a database
    nobody else is writing to. Commits once per chunk. Refuses to run twice on one database.
    """
    if isinstance(session_or_engine, Engine | Connection):
        with Session(bind=session_or_engine) as session:
            return generate_city(
                session,
                unions=unions,
                members=members,
                counties=counties,
                seed=seed,
                as_of=as_of,
                progress=progress,
            )
    session = session_or_engine
    if unions < 1 or counties < 1 or members < 0:
        raise ValueError("unions and counties must be positive, members not negative")
    if members > _BIRTH_DAYS * _MAX_ID_SEQUENCE:
        raise ValueError(f"at most {_BIRTH_DAYS * _MAX_ID_SEQUENCE} members keep ID numbers unique")
    if session.scalar(select(Org.id).where(Org.name == BENCH_CITY_NAME, Org.parent_id.is_(None))):
        raise RuntimeError(f"{BENCH_CITY_NAME} already exists; generate into an empty database")
    report = progress or (lambda stage, done: None)
    as_of = as_of or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)

    org_rows, bench_unions = _bench_orgs(rng, _next_id(session, Org.id), unions, counties, as_of)
    for chunk in _chunks(org_rows, _CHUNK):
        session.execute(insert(Org.__table__), chunk)
        session.commit()
    report("orgs", len(org_rows))

    _allocate_members(rng, bench_unions, members)
    done = 0
    rows = _member_rows(rng, bench_unions, _next_id(session, Member.id), seed=seed, as_of=as_of)
    for chunk in _chunks(rows, _CHUNK):
        session.execute(insert(Member.__table__), chunk)  # Encrypted binds encrypt each value
        session.commit()
        done += len(chunk)
        report("members", done)

    towns = sum(1 for row in org_rows if row["level"] == OrgLevel.TOWN)
    return {
        "city_id": org_rows[0]["id"],
        "orgs": len(org_rows),
        "counties": counties,
        "towns": towns,
        "unions": unions,
        "members": done,
    }


def _bench_orgs(
    rng: random.Random, first_id: int, unions: int, counties: int, created_at: datetime
) -> tuple[list[dict[str, Any]], list[_BenchUnion]]:
    """Rows for the whole tree, ids and paths computed up front (no flush per node)."""
    rows: list[dict[str, Any]] = []
    next_id = itertools.count(first_id)

    def add(parent: dict[str, Any] | None, name: str, level: str, category: str | None, region: str):
        org_id = next(next_id)
        row = {
            "id": org_id,
            "parent_id": parent["id"] if parent else None,
            "name": name,
            "level": level,
            "category": category,
            "path": f"{parent['path']}{org_id}/" if parent else f"/{org_id}/",
            "region": region,
            "accepts_members": level == OrgLevel.BASE,
            "created_at": created_at,
        }
        rows.append(row)
        return row

    city = add(None, BENCH_CITY_NAME, OrgLevel.CITY, None, BENCH_CITY_REGION)
    town_total = max(counties, round(unions / _UNIONS_PER_TOWN))
    town_rows: list[tuple[dict[str, Any], str, str]] = []  # (row, county short name, region code)
    used_towns: set[tuple[str, str]] = set()
    for c in range(counties):
        county_short = f"第{_cn_number(c + 1)}区"
        region_code = LINFEN_COUNTIES[c % len(LINFEN_COUNTIES)][2]
        county = add(
            city,
            f"{BENCH_CITY_REGION}{county_short}总工会",
            OrgLevel.COUNTY,
            OrgCategory.COUNTY_FEDERATION,
            BENCH_CITY_REGION + county_short,
        )
        for _ in range(town_total // counties + (c < town_total % counties)):
            town_short = _unique_town(rng, used_towns, county_short)
            town = add(
                county,
                f"{town_short}总工会",
                OrgLevel.TOWN,
                OrgCategory.TOWNSHIP_STREET,
                county["region"] + town_short,
            )
            town_rows.append((town, county_short, region_code))

    namer = _UnionNamer(rng)
    bench_unions: list[_BenchUnion] = []
    for i, category in enumerate(_spread_categories(unions, rng)):
        town, county_short, region_code = town_rows[i % len(town_rows)]
        town_short = _short(town["name"])
        name = namer.name(category, county_short, town_short)
        row = add(town, name, OrgLevel.BASE, category, town["region"])
        if category == OrgCategory.TOWNSHIP_STREET:
            # members of joint unions work for many small employers around the township
            employers = tuple(f"{town_short}{rng.choice(_BRANDS)}{kind}" for kind in _SMALL_EMPLOYERS)
        else:
            employers = (_unit_name(name),)
        bench_unions.append(_BenchUnion(row["id"], name, category, region_code, employers))
    return rows, bench_unions


def _unique_town(rng: random.Random, used: set[tuple[str, str]], county_short: str) -> str:
    for _ in range(20):
        candidate = rng.choice(_TOWN_PREFIXES) + rng.choice(_TOWN_SUFFIXES)
        if (county_short, candidate) not in used:
            break
    else:
        n = sum(1 for c, _ in used if c == county_short) + 1
        candidate = f"第{_cn_number(n)}街道"
    used.add((county_short, candidate))
    return candidate


def _allocate_members(rng: random.Random, bench_unions: list[_BenchUnion], members: int) -> None:
    """Skewed union sizes (a few big mines and hospitals, many small firms) summing to ``members``."""
    weights = [rng.lognormvariate(0.0, 1.1) for _ in bench_unions]
    total = sum(weights)
    shares = [members * w / total for w in weights]
    for union, share in zip(bench_unions, shares, strict=True):
        union.members = int(share)
    missing = members - sum(u.members for u in bench_unions)
    by_fraction = sorted(range(len(shares)), key=lambda i: int(shares[i]) - shares[i])
    for i in by_fraction[:missing]:
        bench_unions[i].members += 1


def _member_rows(
    rng: random.Random, bench_unions: list[_BenchUnion], first_id: int, *, seed: int, as_of: datetime
) -> Iterator[dict[str, Any]]:
    # The i-th member's (birth date, sequence) pair is unique: within each block of _BIRTH_DAYS
    # members the affine map below visits every day once. Sequences count down from 499 so they
    # rarely meet the small sequences test factories use.
    stride = 7919  # prime, coprime to _BIRTH_DAYS
    shift = seed * 104_729
    three_years = 3 * 365 * 86_400
    member_id = first_id
    i = 0
    for union in bench_unions:
        types, cumulative = _worker_weights(union.category)
        worker_types = rng.choices(types, cum_weights=cumulative, k=union.members)
        for worker_type in worker_types:
            gender = "male" if rng.random() < 0.56 else "female"
            born = _BIRTH_START + timedelta(days=(i * stride + shift) % _BIRTH_DAYS)
            sequence = _MAX_ID_SEQUENCE - 1 - i // _BIRTH_DAYS
            id_number = make_id_number(union.region_code, born, sequence, gender)
            mobile = f"{_MOBILE_PREFIXES[i % len(_MOBILE_PREFIXES)]}{(i * stride + shift) % 10**8:08d}"
            joined_at = as_of - timedelta(seconds=rng.randrange(1, three_years))
            given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.7 else "")
            yield {
                "id": member_id,
                "account_id": None,
                "org_id": union.id,
                "card_no": card_number(member_id, joined_at),
                "name": rng.choice(_SURNAMES) + given,
                "gender": gender,
                "birth_date": born,
                "id_number": id_number,
                "id_blind": id_number_index(id_number),
                "mobile": mobile,
                "mobile_blind": phone_index(mobile),
                "employer": rng.choice(union.employers),
                "worker_type": worker_type,
                "status": "active",
                "joined_at": joined_at,
            }
            member_id += 1
            i += 1
