"""Test data builders (``gen_<thing>``-style helpers over the real services and API)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

from backend.common.idcard import make_id_number
from backend.extensions import db
from backend.orgs import service as orgs
from backend.orgs.models import Org, OrgCategory
from backend.staff.models import Staff
from backend.staff.passwords import hash_password

PASSWORD = "test-pass-2026"
_PASSWORD_HASH = hash_password(PASSWORD)
_sequence = itertools.count(1)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def new_id_number(gender: str = "male", born: date = date(1990, 3, 8)) -> str:
    return make_id_number("140102", born, next(_sequence), gender)


def application_payload(union_id: int, **overrides) -> dict:
    gender = overrides.pop("gender", "male")
    payload = {
        "name": "张建国",
        "id_number": new_id_number(gender),
        "mobile": f"139{next(_sequence):08d}",
        "gender": gender,
        "employer": "临汾市某某建筑工程有限公司",
        "worker_type": "migrant",
        "org_id": union_id,
        "consent": True,
        "consent_version": "2026-01",
    }
    payload.update(overrides)
    return payload


@dataclass
class Tree:
    """城市 → 两个县区 → 各一个乡镇 → 基层工会, with one staff account per node."""

    city: Org
    county_a: Org
    county_b: Org
    town_a: Org
    town_b: Org
    union_a1: Org
    union_a2: Org
    union_b1: Org
    staff: dict[str, Staff] = field(default_factory=dict)


class Factory:
    def __init__(self, client):
        self.client = client

    # --- data ---------------------------------------------------------------------------------------
    def org_tree(self) -> Tree:
        city = orgs.create_root(name="测试市总工会", region="测试市")
        county_a = orgs.add_child(parent=city, name="甲区总工会", category=OrgCategory.COUNTY_FEDERATION)
        county_b = orgs.add_child(parent=city, name="乙县总工会", category=OrgCategory.COUNTY_FEDERATION)
        town_a = orgs.add_child(parent=county_a, name="甲区东街道工会", category=OrgCategory.TOWNSHIP_STREET)
        town_b = orgs.add_child(parent=county_b, name="乙县城关镇工会", category=OrgCategory.TOWNSHIP_STREET)
        tree = Tree(
            city=city,
            county_a=county_a,
            county_b=county_b,
            town_a=town_a,
            town_b=town_b,
            union_a1=orgs.add_child(parent=town_a, name="甲区建筑公司工会", category=OrgCategory.NON_PUBLIC),
            union_a2=orgs.add_child(
                parent=town_a, name="甲区第一中学工会", category=OrgCategory.PUBLIC_INSTITUTION
            ),
            union_b1=orgs.add_child(parent=town_b, name="乙县物流公司工会", category=OrgCategory.NON_PUBLIC),
        )
        for username, role, org in (
            ("t_city", "city_admin", city),
            ("t_county_a", "county_admin", county_a),
            ("t_county_b", "county_admin", county_b),
            ("t_town_a", "town_admin", town_a),
            ("t_union_a1", "union_admin", tree.union_a1),
            ("t_union_a2", "union_admin", tree.union_a2),
            ("t_lawyer", "lawyer", county_a),
        ):
            staff = Staff(
                username=username, password_hash=_PASSWORD_HASH, name=username, role=role, org_id=org.id
            )
            db.session.add(staff)
            tree.staff[username] = staff
        db.session.commit()
        # Detach: requests share the test's session and their rollback would expire these objects.
        db.session.expunge_all()
        return tree

    # --- API helpers --------------------------------------------------------------------------------
    def worker_token(self, code: str = "worker1") -> str:
        response = self.client.post("/api/v1/auth/wechat-login", json={"code": code})
        assert response.status_code == 200, response.json
        return response.json["access_token"]

    def staff_token(self, username: str) -> str:
        response = self.client.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.json
        return response.json["access_token"]

    def apply(self, token: str, org_id: int, **overrides):
        return self.client.post(
            "/api/v1/membership/applications",
            json=application_payload(org_id, **overrides),
            headers=auth(token),
        )

    def transition(self, staff_token: str, application_id: int, action: str, note: str | None = None):
        body = {"action": action} if note is None else {"action": action, "note": note}
        return self.client.post(
            f"/api/v1/staff/membership/applications/{application_id}/transition",
            json=body,
            headers=auth(staff_token),
        )

    def member(self, tree: Tree, code: str = "member1", org: Org | None = None) -> str:
        """A worker who has joined (applied and been approved); returns their token."""
        token = self.worker_token(code)
        org = org or tree.union_a1
        applied = self.apply(token, org.id)
        assert applied.status_code == 201, applied.json
        staff = self.staff_token("t_city")
        approved = self.transition(staff, applied.json["id"], "approve")
        assert approved.status_code == 200, approved.json
        return token


@dataclass(frozen=True)
class BulkMember:
    """A member written straight into the tables, with a real worker token."""

    member_id: int
    account_id: int
    token: str
    gender: str
    mobile: str
    name: str

    @property
    def headers(self) -> dict:
        return auth(self.token)


def bulk_members(org: Org, people: list[dict], *, openid_prefix: str) -> list[BulkMember]:
    """Members of ``org`` — a thousand in about a second, where logging in and applying over HTTP
    would take minutes (the membership journey itself is tested in tests/members). Each entry of
    ``people`` gives name, gender, born, mobile and optionally employer / worker_type."""
    from backend.auth.service import WORKER, issue_tokens
    from backend.common import crypto
    from backend.common.types import utcnow
    from backend.members.cards import card_number
    from backend.members.models import Member, WxAccount

    numbers = [next(_sequence) for _ in people]
    accounts = [WxAccount(openid=f"{openid_prefix}{n}") for n in numbers]
    db.session.add_all(accounts)
    db.session.flush()
    members = []
    for n, account, person in zip(numbers, accounts, people, strict=True):
        # a region code per 400 numbers keeps every generated ID number unique
        id_number = make_id_number(f"{150100 + n // 400:06d}", person["born"], n % 400, person["gender"])
        members.append(
            Member(
                account_id=account.id,
                org_id=org.id,
                name=person["name"],
                gender=person["gender"],
                birth_date=person["born"],
                id_number=id_number,
                id_blind=crypto.id_number_index(id_number),
                mobile=person["mobile"],
                mobile_blind=crypto.phone_index(person["mobile"]),
                employer=person.get("employer", "临汾市某某公司"),
                worker_type=person.get("worker_type", "regular"),
                joined_at=utcnow(),
            )
        )
    db.session.add_all(members)
    db.session.flush()
    for member in members:
        member.card_no = card_number(member.id, member.joined_at)
    db.session.commit()
    result = [
        BulkMember(
            m.id, m.account_id, issue_tokens(WORKER, m.account_id).access_token, m.gender, m.mobile, m.name
        )
        for m in members
    ]
    db.session.expunge_all()
    return result
