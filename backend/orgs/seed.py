"""Demo and benchmark data for the org tree (演示数据 / 基准测试数据).

``seed_demo`` builds a small Linfen (临汾) tree — one city federation, its 19 county-level
federations, 45 township/street unions and 200 base unions — plus five staff logins for the demo.
``generate_city`` bulk-loads a separate synthetic city at the scale of DESIGN §1 (≈6,000 unions,
≈700,000 members) for benchmarks, using Core inserts with precomputed ids.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session

from backend.common.crypto import id_number_index, phone_index
from backend.common.idcard import make_id_number
from backend.members.cards import card_number
from backend.members.models import Member, WorkerType
from backend.orgs.models import Org, OrgCategory, OrgLevel
from backend.staff.models import Role, Staff
from backend.staff.passwords import hash_password

DEMO_PASSWORD = "demo-pass-2026"
DEMO_CITY_NAME = "临汾市总工会"
DEMO_CITY_REGION = "临汾市"
DEMO_UNIONS = 200
BENCH_CITY_NAME = "基准测试市总工会"
BENCH_CITY_REGION = "基准测试市"

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

# Share of base unions per assessment category (county_federation is for county nodes only).
_CATEGORY_SHARES: tuple[tuple[OrgCategory, int], ...] = (
    (OrgCategory.NON_PUBLIC, 45),
    (OrgCategory.PUBLIC_INSTITUTION, 25),
    (OrgCategory.STATE_COLLECTIVE, 12),
    (OrgCategory.TOWNSHIP_STREET, 18),
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


# --- union names -------------------------------------------------------------------------------

_BRANDS = (
    "汾河",
    "尧丰",
    "晋南",
    "华翔",
    "鑫源",
    "恒达",
    "金泰",
    "龙祥",
    "宏盛",
    "瑞通",
    "晋兴",
    "天润",
    "平阳",
    "泰和",
    "永昌",
    "安达",
    "顺通",
    "博远",
    "嘉禾",
    "德隆",
    "中和",
    "兴盛",
    "华康",
    "聚源",
)
_INDUSTRIES = (
    "建筑工程",
    "物流",
    "焦化",
    "商贸",
    "机械制造",
    "餐饮管理",
    "物业服务",
    "快递服务",
    "家政服务",
    "道路运输",
    "新材料科技",
    "食品",
    "煤业",
    "建材",
    "医药连锁",
    "汽车销售服务",
    "电子商务",
    "纺织",
    "农业开发",
    "保安服务",
    "钢铁",
    "环保科技",
)
_VILLAGES = (
    "东关",
    "西关",
    "南庄",
    "北街",
    "王家庄",
    "李家沟",
    "张村",
    "刘家堡",
    "高河",
    "柳树湾",
    "段家庄",
    "上庄",
    "下院",
    "吴村",
    "贾得",
    "新庄",
    "郭家",
    "马务",
    "杨村",
    "崔家庄",
)
_COMMUNITIES = ("向阳", "新华", "滨河", "鼓楼", "平阳", "兴业", "和平", "五一", "车站", "文化")
_TOWN_PREFIXES = (
    "城关",
    "东城",
    "西城",
    "南关",
    "北关",
    "新华",
    "河东",
    "河西",
    "桥南",
    "桥北",
    "东风",
    "向阳",
    "红旗",
    "太平",
    "永安",
    "长乐",
    "古城",
    "龙泉",
    "三里",
    "五里",
    "高新",
    "滨河",
    "金城",
    "青城",
    "柳林",
    "石门",
    "双凤",
    "白水",
)
_TOWN_SUFFIXES = ("镇", "街道", "乡")
_UNIT_SUFFIXES = ("工会委员会", "工会联合会", "联合工会", "工会")
_SMALL_EMPLOYERS = ("商贸部", "快递服务站", "物流配送站", "家政服务部", "建筑劳务队", "餐饮店", "汽修厂")


def _short(node_name: str) -> str:
    """尧庙镇总工会 → 尧庙镇, 尧都区总工会 → 尧都区."""
    for suffix in ("总工会", "工会联合会", "工会工作委员会"):
        if node_name.endswith(suffix):
            return node_name[: -len(suffix)]
    return node_name


def _unit_name(union_name: str) -> str:
    """The unit a base union belongs to: 山西某某建筑有限公司工会委员会 → 山西某某建筑有限公司."""
    for suffix in _UNIT_SUFFIXES:
        if union_name.endswith(suffix):
            return union_name[: -len(suffix)]
    return union_name


class _UnionNamer:
    """Plausible, unique base-union names per category."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.serial: dict[str, int] = {}

    def _numbered(self, stem: str, tail: str) -> str:
        n = self.serial.get(stem + tail, 0) + 1
        self.serial[stem + tail] = n
        return f"{stem}第{_cn_number(n)}{tail}"

    def _candidate(self, category: str, county: str, town: str) -> str:
        r = self.rng
        if category == OrgCategory.NON_PUBLIC:
            local = county.removesuffix("区").removesuffix("县").removesuffix("市")
            plain = len(local) < 2 or local.startswith(("第", "临汾"))  # 古县 → 古…有限公司 reads oddly
            prefix = r.choice(("山西", "临汾") if plain else ("山西", "临汾", local))
            return f"{prefix}{r.choice(_BRANDS)}{r.choice(_INDUSTRIES)}有限公司工会委员会"
        if category == OrgCategory.PUBLIC_INSTITUTION:
            fixed = (
                f"{county}人民医院工会",
                f"{county}中医医院工会",
                f"{county}妇幼保健院工会",
                f"{county}人民法院工会",
                f"{county}教育局机关工会",
                f"{county}人力资源和社会保障局工会",
                f"{county}疾病预防控制中心工会",
                f"{county}实验小学工会",
                f"{county}职业中学工会",
                f"{town}中心学校工会",
                f"{town}卫生院工会",
                f"{town}便民服务中心工会",
            )
            pick = r.randrange(len(fixed) + 2)
            if pick < len(fixed):
                return fixed[pick]
            return self._numbered(county, "中学工会" if pick == len(fixed) else "小学工会")
        if category == OrgCategory.STATE_COLLECTIVE:
            fixed = (
                f"国网{county}供电公司工会",
                f"{county}自来水公司工会",
                f"{county}公共交通有限公司工会",
                f"{county}粮食储备库工会",
                f"{county}国有林场工会",
                f"{county}供销合作社工会",
                f"中国邮政集团有限公司{county}分公司工会",
                f"{county}城市建设投资有限公司工会",
                f"{town}农村信用合作社工会",
                f"霍州煤电集团{town.removesuffix('镇').removesuffix('街道')}煤矿工会",
            )
            pick = r.randrange(len(fixed) + 1)
            if pick < len(fixed):
                return fixed[pick]
            return self._numbered(f"{county}交通运输集团", "分公司工会")
        return r.choice(
            (
                f"{town}{r.choice(_VILLAGES)}村工会",
                f"{town}{r.choice(_COMMUNITIES)}社区工会",
                f"{town}联合工会",
                f"{town}快递物流行业联合工会",
                f"{town}货车司机工会联合会",
                f"{town}建筑业农民工联合工会",
                f"{town}流动会员工会委员会",
                f"{town}小微企业联合工会",
            )
        )

    def name(self, category: str, county: str, town: str) -> str:
        for _ in range(12):
            candidate = self._candidate(category, county, town)
            if candidate not in self.used:
                break
        else:
            candidate = self._numbered(town, "联合工会")
        while candidate in self.used:
            candidate = self._numbered(town, "联合工会")
        self.used.add(candidate)
        return candidate


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五; plain digits beyond 99."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (_CN_DIGITS[tens] if tens > 1 else "") + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _spread_categories(count: int, rng: random.Random) -> list[str]:
    """Exactly proportional category quotas (largest remainder), shuffled."""
    total = sum(share for _, share in _CATEGORY_SHARES)
    quotas = [(count * share // total, count * share % total, cat) for cat, share in _CATEGORY_SHARES]
    missing = count - sum(q for q, _, _ in quotas)
    by_remainder = sorted(range(len(quotas)), key=lambda i: -quotas[i][1])
    extra = set(by_remainder[:missing])
    categories = [str(cat) for i, (q, _, cat) in enumerate(quotas) for _ in range(q + (i in extra))]
    rng.shuffle(categories)
    return categories


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


# --- benchmark city ----------------------------------------------------------------------------

_CHUNK = 10_000
_UNIONS_PER_TOWN = 35  # Linfen: 5,851 base unions under 171 township unions
_BIRTH_START = date(1966, 1, 1)  # members are 20–60 years old
_BIRTH_DAYS = 40 * 365
_MAX_ID_SEQUENCE = 500  # make_id_number keeps sequence % 500
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
_GIVEN = "建国军伟强磊洋勇杰涛明超秀英娟敏静丽艳芳霞平刚华志红玉兰桂凤文斌辉鹏飞宇浩晨欣怡婷雪梅海燕亮"
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
# Percent regular / migrant / eight groups per category; with the category shares above this
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
