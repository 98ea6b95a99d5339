"""A worker's own data: a full export, and erasure (PIPL)."""

from __future__ import annotations

from sqlalchemy import select

from backend.extensions import db
from backend.members.models import Member, MembershipApplication
from backend.notify.models import Notification
from tests.factories import application_payload, auth


def test_export_holds_everything_about_me_and_nothing_in_full(factory, client):
    tree = factory.org_tree()
    token = factory.member(tree, "exporter")
    client.post("/api/v1/subscriptions", json={"template_ids": ["TPL_REVIEW_RESULT"]}, headers=auth(token))
    exported = client.get("/api/v1/me/export", headers=auth(token))
    assert exported.status_code == 200
    body = exported.json
    assert body["member"]["card_no"] and len(body["applications"]) == 1
    assert [n["title"] for n in body["notifications"]] == ["入会申请已提交", "入会申请已通过"]
    assert body["subscriptions"][0]["template_id"] == "TPL_REVIEW_RESULT"
    application = db.session.scalars(select(MembershipApplication)).one()
    assert application.id_number not in exported.get_data(as_text=True)
    assert application.mobile not in exported.get_data(as_text=True)


def test_erasure_removes_the_person_and_keeps_an_anonymous_member_record(factory, client):
    tree = factory.org_tree()
    token = factory.member(tree, "leaver")
    application = db.session.scalars(select(MembershipApplication)).one()
    id_number = application.id_number

    refused = client.post("/api/v1/me/erase", json={"confirm": False}, headers=auth(token))
    assert refused.status_code == 422 and "confirm" in refused.json["errors"]
    erased = client.post("/api/v1/me/erase", json={"confirm": True}, headers=auth(token))
    assert erased.status_code == 200

    db.session.expire_all()
    member = db.session.scalars(select(Member)).one()
    assert (member.name, member.status, member.account_id, member.id_number) == ("已注销", "erased", None, "")
    assert member.org_id == tree.union_a1.id and member.card_no  # the anonymous record stays for statistics
    assert db.session.scalars(select(Notification)).all() == []
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 401  # old tokens stop working

    # the same person may join again later: their ID number is free
    again = factory.worker_token("leaver")
    rejoin = client.post(
        "/api/v1/membership/applications",
        json=application_payload(tree.union_a1.id, id_number=id_number),
        headers=auth(again),
    )
    assert rejoin.status_code == 201, rejoin.json
