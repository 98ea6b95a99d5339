"""Who may enter: members of the organising node's subtree, of the right trade and worker type,
before the deadline. Everyone else gets a clear 4xx in Chinese and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from backend.common.types import utcnow
from backend.competitions.models import CompetitionEntry, CompetitionParticipant
from backend.extensions import db
from backend.notify.models import Notification
from backend.outbox.models import OutboxMessage
from tests.competitions import (
    API,
    act,
    add_members,
    create,
    enter,
    entrant,
    join,
    open_competition,
    staff_token,
)


def nothing_written() -> bool:
    tables = (CompetitionEntry, CompetitionParticipant, Notification, OutboxMessage)
    return all(db.session.scalar(select(func.count()).select_from(t)) == 0 for t in tables)


def test_a_worker_who_has_not_joined_the_union_is_told_to_join_first(factory, client):
    tree = factory.org_tree()
    contest = open_competition(client, staff_token(tree, "t_city"))
    outsider = factory.worker_token("not-yet-a-member")
    response = client.post(
        f"{API}/{contest['id']}/entries", json={}, headers={"Authorization": f"Bearer {outsider}"}
    )
    assert response.status_code == 404
    assert (response.json["code"], response.json["message"]) == (
        "not_a_member",
        "您还不是工会会员，请先申请入会",
    )
    assert nothing_written()


def test_a_member_of_another_county_is_outside_the_contest(factory, client):
    tree = factory.org_tree()
    contest = open_competition(client, staff_token(tree, "t_county_a"))
    stranger = entrant(tree.union_b1)
    response = enter(client, stranger, contest["id"])
    assert response.status_code == 403
    assert response.json["code"] == "outside_subtree"
    assert response.json["message"] == "本竞赛仅限甲区总工会及下属工会的会员参加"
    assert client.get(API, headers=stranger.headers).json == []
    detail = client.get(f"{API}/{contest['id']}", headers=stranger.headers).json
    assert detail["can_enter"] is False and detail["reason"] == response.json["message"]
    assert nothing_written()


def test_a_declared_trade_must_be_one_the_contest_is_for(factory, client):
    tree = factory.org_tree()
    contest = open_competition(client, staff_token(tree, "t_city"), trades=["电工", "焊工"])
    worker = entrant(tree.union_a1)
    wrong = enter(client, worker, contest["id"], trade="厨师")
    assert wrong.status_code == 422
    assert wrong.json["errors"] == {"trade": ["本竞赛仅限以下工种参加：电工、焊工"]}
    missing = enter(client, worker, contest["id"])
    assert missing.status_code == 422 and missing.json["errors"]["trade"] == ["请填写参赛工种（电工、焊工）"]
    assert nothing_written()


def test_a_contest_for_some_worker_types_refuses_the_others(factory, client):
    tree = factory.org_tree()
    contest = open_competition(
        client,
        staff_token(tree, "t_city"),
        title="外卖骑手技能比武",
        worker_types=["delivery_rider", "courier"],
    )
    clerk = entrant(tree.union_a1, worker_type="regular")
    refused = enter(client, clerk, contest["id"])
    assert refused.status_code == 403 and refused.json["message"] == "本竞赛仅限外卖送餐员、快递员参加"
    assert client.get(API, headers=clerk.headers).json == []
    assert nothing_written()
    rider = entrant(tree.union_a1, worker_type="delivery_rider")
    assert [c["id"] for c in client.get(API, headers=rider.headers).json] == [contest["id"]]
    assert enter(client, rider, contest["id"]).status_code == 201


def test_nobody_signs_up_or_joins_a_team_after_the_deadline(factory, client):
    tree = factory.org_tree()
    with time_machine.travel(utcnow(), tick=False) as clock:
        city = staff_token(tree, "t_city")
        deadline = utcnow() + timedelta(minutes=20)
        contest = open_competition(
            client, city, entry_mode="team", team_min=2, team_max=3, signup_deadline=deadline.isoformat()
        )
        captain, late = add_members(tree.union_a1, 2)
        code = enter(client, captain, contest["id"], team_name="早鸟队").json["entry"]["join_code"]
        clock.shift(timedelta(minutes=20))

        too_late = enter(client, late, contest["id"], team_name="迟到队")
        assert too_late.status_code == 409 and too_late.json["code"] == "signup_closed"
        assert too_late.json["message"].startswith("报名已于") and too_late.json["message"].endswith("截止")
        joining = join(client, late, contest["id"], code)
        assert joining.status_code == 409 and joining.json["code"] == "signup_closed"
        assert client.get(API, headers=late.headers).json == []
    assert db.session.scalar(select(func.count()).select_from(CompetitionParticipant)) == 1


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_a_contest_that_is_not_open_takes_no_entries(factory, client, state):
    tree = factory.org_tree()
    city = staff_token(tree, "t_city")
    contest = create(client, city) if state == "draft" else open_competition(client, city)
    if state == "closed":
        assert act(client, city, contest["id"], "close").status_code == 200
    worker = entrant(tree.union_a1)
    response = enter(client, worker, contest["id"])
    if state == "draft":  # drafts do not exist for workers
        assert response.status_code == 404 and response.json["message"] == "竞赛不存在"
    else:
        assert response.status_code == 409 and response.json["message"] == "本竞赛当前不接受报名（评审中）"
    assert nothing_written()
