"""The demo tree (演示数据): ``seed_demo`` builds a small Linfen (临汾) tree — one city federation, its
19 county-level federations, 45 township/street unions and 200 base unions — plus five staff logins
for the demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.demo.words import _short, _spread_categories, _UnionNamer
from backend.orgs.models import Org, OrgCategory, OrgLevel
from backend.staff.models import Role, Staff
from backend.staff.passwords import hash_password

DEMO_PASSWORD = "demo-pass-2026"
DEMO_CITY_NAME = "临汾市总工会"
DEMO_CITY_REGION = "临汾市"
DEMO_UNIONS = 200


_DEMO_RANDOM_SEED = 2026  # fixed, so every demo database shows the same union names

# (county-level node, region, administrative code used in ID numbers, township/street nodes).
# The 17 counties, cities and districts of Linfen plus the development zone and the city-level
# direct unions make the "19 个县市区" of the Linfen platform.
LINFEN_COUNTIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("尧都区", "临汾市尧都区", "141002", ("解放路街道总工会", "尧庙镇总工会", "屯里镇总工会")),
    ("侯马市", "侯马市", "141081", ("浍滨街道总工会", "上马街道总工会", "新田乡总工会")),
    ("霍州市", "霍州市", "141082", ("鼓楼街道总工会", "辛置镇总工会", "白龙镇总工会")),
    ("曲沃县", "临汾市曲沃县", "141021", ("乐昌镇总工会", "曲村镇总工会")),
    ("翼城县", "临汾市翼城县", "141022", ("唐兴镇总工会", "南梁镇总工会", "里砦镇总工会")),
    ("襄汾县", "临汾市襄汾县", "141023", ("新城镇总工会", "赵康镇总工会", "汾城镇总工会")),
    ("洪洞县", "临汾市洪洞县", "141024", ("大槐树镇总工会", "甘亭镇总工会", "曲亭镇总工会")),
    ("古县", "临汾市古县", "141025", ("岳阳镇总工会", "北平镇总工会")),
    ("安泽县", "临汾市安泽县", "141026", ("府城镇总工会", "和川镇总工会")),
    ("浮山县", "临汾市浮山县", "141027", ("天坛镇总工会", "响水河镇总工会")),
    ("吉县", "临汾市吉县", "141028", ("吉昌镇总工会", "壶口镇总工会")),
    ("乡宁县", "临汾市乡宁县", "141029", ("昌宁镇总工会", "光华镇总工会", "管头镇总工会")),
    ("大宁县", "临汾市大宁县", "141030", ("昕水镇总工会", "曲峨镇总工会")),
    ("隰县", "临汾市隰县", "141031", ("龙泉镇总工会", "午城镇总工会")),
    ("永和县", "临汾市永和县", "141032", ("芝河镇总工会", "桑壁镇总工会")),
    ("蒲县", "临汾市蒲县", "141033", ("蒲城镇总工会", "黑龙关镇总工会")),
    ("汾西县", "临汾市汾西县", "141034", ("永安镇总工会", "对竹镇总工会")),
    ("临汾经济开发区", "临汾经济开发区", "141002", ("甘亭工业园区工会联合会", "高新技术产业园区工会联合会")),
    ("临汾市直", "临汾市", "141001", ("临汾市直机关工会工作委员会", "临汾市直企业工会工作委员会")),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    org_name: str


@dataclass
class DemoSummary:
    """What ``seed_demo`` found or made; ``created`` is False when the demo was already there."""

    created: bool
    city: str
    counties: int
    towns: int
    unions: int
    staff: int
    logins: list[DemoLogin] = field(default_factory=list)
    password: str = DEMO_PASSWORD


# username, role, display name; where each one sits is decided in ``seed_demo``.
_DEMO_STAFF = (
    ("demo_city", Role.CITY_ADMIN, "张建国"),
    ("demo_county", Role.COUNTY_ADMIN, "王秀英"),
    ("demo_town", Role.TOWN_ADMIN, "刘志强"),
    ("demo_union", Role.UNION_ADMIN, "陈丽娟"),
    ("demo_lawyer", Role.LAWYER, "杨振华"),
)
DEMO_USERNAMES = tuple(username for username, _, _ in _DEMO_STAFF)


# --- demo seed ---------------------------------------------------------------------------------


def _add_org(
    session: Session, parent: Org | None, *, name: str, level: str, category: str | None, region: str
) -> Org:
    org = Org(
        parent_id=parent.id if parent else None,
        name=name,
        level=level,
        category=category,
        region=region,
        accepts_members=level == OrgLevel.BASE,
        path="",
    )
    session.add(org)
    session.flush()  # the id is part of the path
    org.path = f"{parent.path}{org.id}/" if parent else f"/{org.id}/"
    return org


def seed_demo(session: Session) -> DemoSummary:
    """Create the Linfen demo tree and the five demo logins; does nothing if the city exists.

    Flushes but does not commit: the caller (the ``flask seed-demo`` command, a test) owns the
    transaction.
    """
    city = _demo_city(session)
    if city is not None:
        return _demo_summary(session, city, created=False)

    rng = random.Random(_DEMO_RANDOM_SEED)
    namer = _UnionNamer(rng)
    city = _add_org(
        session, None, name=DEMO_CITY_NAME, level=OrgLevel.CITY, category=None, region=DEMO_CITY_REGION
    )
    counties: list[Org] = []
    towns: list[tuple[Org, Org]] = []  # (county, town)
    for county_name, region, _code, town_names in LINFEN_COUNTIES:
        county = _add_org(
            session,
            city,
            name=f"{county_name}总工会",
            level=OrgLevel.COUNTY,
            category=OrgCategory.COUNTY_FEDERATION,
            region=region,
        )
        counties.append(county)
        for town_name in town_names:
            town = _add_org(
                session,
                county,
                name=town_name,
                level=OrgLevel.TOWN,
                category=OrgCategory.TOWNSHIP_STREET,
                region=region + _short(town_name).removeprefix("临汾"),
            )
            towns.append((county, town))

    unions: list[Org] = []
    for i, category in enumerate(_spread_categories(DEMO_UNIONS, rng)):
        county, town = towns[i % len(towns)]  # round robin: every township gets 4–5 unions
        name = namer.name(category, _short(county.name), _short(town.name))
        unions.append(
            _add_org(session, town, name=name, level=OrgLevel.BASE, category=category, region=town.region)
        )

    yaodu = counties[0]
    first_town = towns[0][1]
    first_union = unions[0]
    attached = {
        "demo_city": city,
        "demo_county": yaodu,
        "demo_town": first_town,
        "demo_union": first_union,
        "demo_lawyer": yaodu,
    }
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    for username, role, display_name in _DEMO_STAFF:
        session.add(
            Staff(
                username=username,
                password_hash=password_hash,
                name=display_name,
                role=role,
                org_id=attached[username].id,
            )
        )
    session.flush()
    return _demo_summary(session, city, created=True)


def _demo_city(session: Session) -> Org | None:
    return session.scalar(
        select(Org).where(Org.name == DEMO_CITY_NAME, Org.parent_id.is_(None)).order_by(Org.id).limit(1)
    )


def _demo_summary(session: Session, city: Org, *, created: bool) -> DemoSummary:
    counts = dict(
        session.execute(
            select(Org.level, func.count())
            .where(Org.path.startswith(city.path, autoescape=True))
            .group_by(Org.level)
        ).all()
    )
    rows = session.execute(
        select(Staff.username, Staff.role, Org.name)
        .join(Org, Staff.org_id == Org.id)
        .where(Staff.username.in_(DEMO_USERNAMES))
    ).all()
    by_username = {username: DemoLogin(username, role, org_name) for username, role, org_name in rows}
    return DemoSummary(
        created=created,
        city=city.name,
        counties=counts.get(OrgLevel.COUNTY, 0),
        towns=counts.get(OrgLevel.TOWN, 0),
        unions=counts.get(OrgLevel.BASE, 0),
        staff=len(by_username),
        logins=[by_username[u] for u in DEMO_USERNAMES if u in by_username],
    )
