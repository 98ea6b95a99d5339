"""个人信息删除 reaches every place a member's personal data lives. Proven by scanning the whole
database after ``/me/erase`` — every table, every column, decrypted where encrypted, and raw — for
the member's name, ID number, phone, their keyed look-up digests, employer and every free text they
(or staff about them) wrote; and the evidence files they uploaded are gone from storage."""

from __future__ import annotations

import io
import json

from sqlalchemy import select, text

from backend.common import crypto
from backend.competitions.models import Competition, CompetitionKind
from backend.demo.content import seed_demo_content
from backend.demo.tree import DEMO_PASSWORD, seed_demo
from backend.events.models import Event
from backend.extensions import db
from backend.legal.models import LegalCenter
from backend.members.models import MembershipApplication
from backend.staff.models import Staff
from backend.uploads import service as uploads
from backend.uploads.models import Upload
from tests.aid import act as aid_act
from tests.factories import application_payload, auth
from tests.uploads.test_uploads import PNG
from tests.wages import submit as wage_submit

NAME = "欧阳隐私"
EMPLOYER = "临汾市隐秘物流有限公司"
TEXTS = {
    "aid_situation": "家中老母卧床隐私甲",
    "aid_rating": "办事认真隐私乙",
    "household_situation": "丈夫透析隐私丙",
    "household_plan": "三年脱困隐私丁",
    "household_measure": "送温暖隐私戊",
    "wage_description": "包工头跑路隐私己",
    "booking_description": "老板拖欠工资隐私庚",
    "entry_title": "快速接线夹隐私辛",
    "entry_description": "缩短接线时间隐私壬",
    "staff_note": "已电话联系欧阳隐私本人",
}


def _upload(client, token) -> int:
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(PNG + NAME.encode()), "证明.png")},
        headers=auth(token),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def _everything_about_one_member(factory, client) -> tuple[str, dict]:
    seed_demo(db.session)
    seed_demo_content(db.session)
    db.session.commit()
    union_admin = db.session.scalars(select(Staff).where(Staff.username == "demo_union")).one()
    county = db.session.scalars(select(Staff).where(Staff.username == "demo_county")).one()
    staff = client.post("/api/v1/staff/login", json={"username": "demo_county", "password": DEMO_PASSWORD})
    staff_token = staff.json["access_token"]
    token = factory.worker_token("erase-everything")
    payload = application_payload(union_admin.org_id, name=NAME, employer=EMPLOYER, gender="male")
    applied = client.post("/api/v1/membership/applications", json=payload, headers=auth(token))
    assert applied.status_code == 201, applied.json
    assert factory.transition(staff_token, applied.json["id"], "approve").status_code == 200

    # 困难帮扶 with evidence, handled to the end and rated; a staff note on the timeline
    aid = client.post(
        "/api/v1/aid-requests",
        json={
            "category": "living_hardship",
            "household_size": 3,
            "monthly_income": "1500.00",
            "situation": TEXTS["aid_situation"],
            "amount_requested": "2000",
            "evidence_ids": [_upload(client, token)],
        },
        headers=auth(token),
    )
    assert aid.status_code == 201, aid.json
    steps = [
        ("accept", {"note": TEXTS["staff_note"]}),
        ("verify", {}),
        ("approve", {"amount": "2000"}),
        ("disburse", {}),
        ("close", {}),
    ]
    for action, body in steps:
        assert aid_act(client, staff_token, aid.json["id"], action, **body).status_code == 200, action
    rated = client.post(
        f"/api/v1/aid-requests/{aid.json['id']}/rating",
        json={"score": 5, "comment": TEXTS["aid_rating"]},
        headers=auth(token),
    )
    assert rated.status_code == 200, rated.json

    # 建档立卡: the household file staff keep about the member
    member_id = db.session.scalars(
        select(MembershipApplication.member_id).where(MembershipApplication.id == applied.json["id"])
    ).one()
    filed = client.post(
        "/api/v1/staff/needy-households",
        json={
            "member_id": member_id,
            "hardship_type": "illness",
            "situation": TEXTS["household_situation"],
            "plan": TEXTS["household_plan"],
            "measures": [TEXTS["household_measure"]],
        },
        headers=auth(staff_token),
    )
    assert filed.status_code == 201, filed.json

    # 欠薪求助 with a photo
    wage = wage_submit(
        client,
        token,
        county.org_id,
        description=TEXTS["wage_description"],
        contact_name=NAME,
        evidence_ids=[_upload(client, token)],
    )
    assert wage.status_code == 201, wage.json

    # 法律援助 booking, 联谊活动 sign-up, a 五小 proposal with an attachment
    center = db.session.scalars(select(LegalCenter)).first()
    slot = client.get("/api/v1/legal-aid/slots", query_string={"center_id": center.id}).json[0]
    booked = client.post(
        "/api/v1/legal-aid/bookings",
        json={
            "slot_id": slot["id"],
            "topic": "wages",
            "mode": "phone",
            "description": TEXTS["booking_description"],
        },
        headers=auth(token),
    )
    assert booked.status_code == 201, booked.json
    event = db.session.scalars(select(Event)).first()
    signed = client.post(
        f"/api/v1/events/{event.id}/signups",
        json={"single_declared": True, "declaration_version": "2026-01"},
        headers=auth(token),
    )
    assert signed.status_code == 201, signed.json
    contest = db.session.scalars(
        select(Competition).where(Competition.kind == CompetitionKind.INNOVATION)
    ).first()
    entered = client.post(
        f"/api/v1/competitions/{contest.id}/entries",
        json={
            "title": TEXTS["entry_title"],
            "category": "invention",
            "description": TEXTS["entry_description"],
            "evidence_ids": [_upload(client, token)],
        },
        headers=auth(token),
    )
    assert entered.status_code == 201, entered.json
    return token, payload


def _needles(payload: dict) -> dict[str, str]:
    return {
        "name": NAME,
        "employer": EMPLOYER,
        "id_number": payload["id_number"],
        "mobile": payload["mobile"],
        "id_digest": crypto.id_number_index(payload["id_number"]),
        "mobile_digest": crypto.phone_index(payload["mobile"]),
        **TEXTS,
    }


def _scan(needles: dict[str, str]) -> set[tuple[str, str, str]]:
    """(table, column, needle) wherever a needle appears: through the ORM (decrypted) and raw."""
    found = set()

    def look(table: str, column: str, value) -> None:
        if value is None:
            return
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False, default=str)
        for label, needle in needles.items():
            if needle in value:
                found.add((table, column, label))

    for mapper in db.Model.registry.mappers:
        for row in db.session.scalars(select(mapper.class_)):
            for attr in mapper.column_attrs:
                look(mapper.local_table.name, attr.key, getattr(row, attr.key))
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")).mappings():
                for column, value in row.items():
                    look(table.name, column, value)
    return found


def test_after_erasure_nothing_of_the_member_is_left_anywhere(factory, client):
    token, payload = _everything_about_one_member(factory, client)
    needles = _needles(payload)
    before = _scan(needles)
    assert {label for _, _, label in before} == set(needles)  # the scan sees every one of them
    keys = list(db.session.scalars(select(Upload.storage_key)))
    assert len(keys) == 3 and all(uploads.storage()._path(k).exists() for k in keys)

    assert client.post("/api/v1/me/erase", json={"confirm": True}, headers=auth(token)).status_code == 200
    db.session.expire_all()
    left = sorted(_scan(needles))
    assert left == [], "\n".join(map(str, left))
    assert not any(uploads.storage()._path(k).exists() for k in keys)
