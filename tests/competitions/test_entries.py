"""Signing up for competitions: individual entries, teams with join codes, “五小” proposals."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from backend.competitions.models import CompetitionEntry, CompetitionParticipant
from backend.extensions import db
from tests.competitions import (
    API,
    STAFF_API,
    add_members,
    enter,
    entrant,
    facts,
    inbox,
    join,
    open_competition,
    staff_token,
)
from tests.factories import auth
from tests.uploads.test_uploads import PNG


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_member_finds_enters_and_follows_an_individual_contest(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    contest = open_competition(client, county, trades=["电工", "焊工"])
    worker = entrant(tree.union_a1)

    listed = client.get(API, headers=worker.headers)
    assert listed.status_code == 200 and [c["id"] for c in listed.json] == [contest["id"]]
    assert listed.json[0]["kind_label"] == "技能比赛" and listed.json[0]["trades"] == ["电工", "焊工"]
    detail = client.get(f"{API}/{contest['id']}", headers=worker.headers).json
    assert detail["can_enter"] is True and detail["entered"] is False

    entered = enter(client, worker, contest["id"], trade="电工")
    assert entered.status_code == 201, entered.json
    assert entered.json["role"] == "individual" and entered.json["trade"] == "电工"
    assert entered.json["competition"]["id"] == contest["id"]
    assert entered.json["entry"]["complete"] is True and entered.json["entry"]["rank"] is None

    mine = client.get(f"{API}/mine", headers=worker.headers).json
    assert [m["entry"]["id"] for m in mine] == [entered.json["entry"]["id"]]
    detail = client.get(f"{API}/{contest['id']}", headers=worker.headers).json
    assert detail["can_enter"] is False and detail["entered"] is True and detail["reason"] == "您已报名本竞赛"

    again = enter(client, worker, contest["id"], trade="电工")
    assert again.status_code == 409 and again.json["code"] == "already_entered"
    assert count(CompetitionEntry) == 1
    assert inbox(worker.account_id) == ["competition.entered"]
    (fact,) = facts("competition.entered")
    assert (fact["member_id"], fact["org_id"]) == (worker.member_id, tree.union_a1.id)


def test_a_retried_sign_up_with_the_same_key_creates_one_entry(factory, client):
    tree = factory.org_tree()
    contest = open_competition(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a2)
    headers = {**worker.headers, "Idempotency-Key": "sign-up-1"}
    first = client.post(f"{API}/{contest['id']}/entries", json={}, headers=headers)
    second = client.post(f"{API}/{contest['id']}/entries", json={}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json and second.headers["Idempotent-Replayed"] == "true"
    assert count(CompetitionEntry) == 1 and count(CompetitionParticipant) == 1


def test_a_captain_builds_a_team_that_is_complete_at_its_minimum(factory, client):
    tree = factory.org_tree()
    contest = open_competition(
        client, staff_token(tree, "t_county_a"), entry_mode="team", team_min=3, team_max=4
    )
    captain, second, third = add_members(tree.union_a1, 3)

    created = enter(client, captain, contest["id"], team_name="电力抢修一队")
    assert created.status_code == 201, created.json
    team = created.json["entry"]
    assert created.json["role"] == "captain" and team["member_count"] == 1 and team["complete"] is False
    code = team["join_code"]
    assert len(code) == 6

    wrong = join(client, second, contest["id"], "ZZZZZZ")
    assert wrong.status_code == 422 and wrong.json["errors"]["code"] == ["邀请码不正确，请向队长核实"]
    joined = join(client, second, contest["id"], code.lower())
    assert joined.status_code == 201, joined.json
    assert joined.json["role"] == "member" and joined.json["entry"]["member_count"] == 2
    assert joined.json["entry"]["complete"] is False
    completed = join(client, third, contest["id"], code)
    assert completed.json["entry"]["member_count"] == 3 and completed.json["entry"]["complete"] is True
    assert [t["role"] for t in completed.json["entry"]["teammates"]] == ["captain", "member", "member"]
    assert completed.json["entry"]["teammates"][0]["name"] == captain.name[0] + "*" * (len(captain.name) - 1)

    assert inbox(captain.account_id) == [
        "competition.team_created",
        "competition.teammate_joined",
        "competition.teammate_joined",
    ]
    assert inbox(third.account_id) == ["competition.team_joined"]
    assert {f["member_id"] for f in facts("competition.entered")} == {
        captain.member_id,
        second.member_id,
        third.member_id,
    }

    taken = enter(client, entrant(tree.union_a2), contest["id"], team_name="电力抢修一队")
    assert taken.status_code == 422 and taken.json["errors"]["team_name"] == ["该队名已被使用，请换一个"]
    alone = enter(client, entrant(tree.union_a2), contest["id"])
    assert alone.status_code == 422 and "team_name" in alone.json["errors"]


def test_a_member_is_in_one_team_per_competition(factory, client):
    tree = factory.org_tree()
    contest = open_competition(client, staff_token(tree, "t_city"), entry_mode="team", team_min=2, team_max=5)
    captain_a, captain_b, member = add_members(tree.union_a1, 3)
    code_a = enter(client, captain_a, contest["id"], team_name="甲队").json["entry"]["join_code"]
    code_b = enter(client, captain_b, contest["id"], team_name="乙队").json["entry"]["join_code"]

    assert join(client, member, contest["id"], code_a).status_code == 201
    second_team = join(client, member, contest["id"], code_b)
    assert second_team.status_code == 409 and second_team.json["code"] == "already_entered"
    captain_joins = join(client, captain_a, contest["id"], code_b)
    assert (
        captain_joins.status_code == 409 and captain_joins.json["message"] == "您已报名本竞赛，每人限报一次"
    )
    own_team = join(client, captain_a, contest["id"], code_a)
    assert own_team.status_code == 409
    new_team = enter(client, member, contest["id"], team_name="丙队")
    assert new_team.status_code == 409

    counts = dict(db.session.execute(select(CompetitionEntry.team_name, CompetitionEntry.member_count)).all())
    assert counts == {"甲队": 2, "乙队": 1}
    assert count(CompetitionParticipant) == 3

    # another competition is another matter
    other = open_competition(
        client, staff_token(tree, "t_city"), title="焊工比武", entry_mode="team", team_min=2, team_max=5
    )
    assert enter(client, member, other["id"], team_name="丁队").status_code == 201


def test_an_innovation_proposal_carries_its_attachments_to_the_judges(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    contest = open_competition(client, county, title="“五小”创新成果评选", kind="innovation")
    worker = entrant(tree.union_a1)
    upload = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(PNG), "图纸.png")},
        headers=worker.headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201

    missing = enter(client, worker, contest["id"], evidence_ids=[upload.json["id"]])
    assert missing.status_code == 422
    assert set(missing.json["errors"]) == {"title", "category", "description"}
    proposal = enter(
        client,
        worker,
        contest["id"],
        title="配电柜快速接线夹",
        category="invention",
        description="把接线时间从十分钟缩短到两分钟。",
        evidence_ids=[upload.json["id"]],
    )
    assert proposal.status_code == 201, proposal.json
    entry = proposal.json["entry"]
    assert entry["category_label"] == "小发明" and [a["id"] for a in entry["attachments"]] == [
        upload.json["id"]
    ]
    assert inbox(worker.account_id) == ["competition.proposal_submitted"]

    listed = client.get(f"{STAFF_API}/{contest['id']}/entries", headers=auth(county)).json
    assert listed[0]["title"] == "配电柜快速接线夹"
    file_url = f"{STAFF_API}/{contest['id']}/entries/{entry['id']}/attachments/{upload.json['id']}"
    served = client.get(file_url, headers=auth(county))
    assert served.status_code == 200 and served.data == PNG
    assert client.get(file_url, headers=auth(staff_token(tree, "t_county_b"))).status_code == 404

    # a skill contest takes no proposal
    skill = open_competition(client, county)
    refused = enter(client, entrant(tree.union_a1), skill["id"], title="不该有")
    assert refused.status_code == 422 and refused.json["errors"]["title"] == [
        "只有“五小”创新竞赛需要提交作品"
    ]


def test_staff_see_entries_with_masked_personal_data(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    contest = open_competition(client, county)
    worker = entrant(tree.union_a1)
    enter(client, worker, contest["id"])
    body = client.get(f"{STAFF_API}/{contest['id']}/entries", headers=auth(county))
    assert body.status_code == 200
    (listed,) = body.json
    (person,) = listed["participants"]
    assert person["mobile"] == worker.mobile[:3] + "****" + worker.mobile[-4:]
    assert (
        person["name"] == worker.name[0] + "*" * (len(worker.name) - 1)
        and person["org"]["id"] == tree.union_a1.id
    )
    text = body.get_data(as_text=True)
    assert worker.mobile not in text and worker.name not in text
