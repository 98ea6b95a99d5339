"""Staff run a competition: settings, judges' scores (audited), ranking with ties, awards and the
published results — within their own subtree only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.common.types import utcnow
from backend.competitions.models import Competition, CompetitionEntry
from backend.extensions import db
from tests.competitions import (
    API,
    STAFF_API,
    act,
    add_members,
    create,
    enter,
    facts,
    inbox,
    join,
    open_competition,
    open_quiz,
    staff_token,
)
from tests.factories import auth


def score(client, token: str, competition_id: int, entry_id: int, value, note: str | None = None):
    body = {"score": value} if note is None else {"score": value, "note": note}
    return client.post(
        f"{STAFF_API}/{competition_id}/entries/{entry_id}/score", json=body, headers=auth(token)
    )


def entries(client, token: str, competition_id: int) -> list[dict]:
    response = client.get(f"{STAFF_API}/{competition_id}/entries?page_size=100", headers=auth(token))
    assert response.status_code == 200, response.json
    return response.json


def test_a_judges_score_is_audited_and_told_to_the_entrant(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    contest = open_competition(client, county, full_marks=100)
    worker = add_members(tree.union_a1, 1)[0]
    entry_id = enter(client, worker, contest["id"]).json["entry"]["id"]

    too_early = score(client, county, contest["id"], entry_id, 90)
    assert too_early.status_code == 409 and too_early.json["code"] == "not_scoring"
    assert act(client, county, contest["id"], "close").status_code == 200
    over = score(client, county, contest["id"], entry_id, 100.5)
    assert over.status_code == 422 and over.json["errors"]["score"] == ["成绩不能超过满分100分"]
    scored = score(client, county, contest["id"], entry_id, 92.5, "实操满分，理论扣分")
    assert scored.status_code == 200, scored.json
    assert scored.json["score"] == "92.50" and scored.json["score_note"] == "实操满分，理论扣分"
    rescored = score(client, county, contest["id"], entry_id, "93")
    assert rescored.json["score"] == "93.00"

    logged = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "competition.score").order_by(AuditLog.id)
    ).all()
    assert [(e.target_id, e.detail["score"], e.detail["previous"]) for e in logged] == [
        (entry_id, "92.50", None),
        (entry_id, "93.00", "92.50"),
    ]
    assert {e.staff_id for e in logged} == {tree.staff["t_county_a"].id}
    assert inbox(worker.account_id) == ["competition.entered", "competition.scored", "competition.scored"]
    assert len(facts("competition.scored")) == 2  # one per scoring; the fact store keeps one (same ref)
    mine = client.get(f"{API}/mine", headers=worker.headers).json
    assert mine[0]["entry"]["score"] == "93.00" and mine[0]["entry"]["rank"] is None


def test_ties_share_a_place_and_the_next_place_skips(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    contest = open_competition(client, county)
    people = add_members(tree.union_a1, 5)
    ids = [enter(client, p, contest["id"]).json["entry"]["id"] for p in people]
    act(client, county, contest["id"], "close")
    for entry_id, value in zip(ids, [85, 92, 85, 70], strict=False):  # the fifth entrant is not scored
        assert score(client, county, contest["id"], entry_id, value).status_code == 200

    ranked = act(client, county, contest["id"], "rank")
    assert ranked.status_code == 200 and ranked.json["status"] == "scored"
    listed = entries(client, county, contest["id"])
    assert [(e["id"], e["rank"]) for e in listed] == [
        (ids[1], 1),
        (ids[0], 2),
        (ids[2], 2),
        (ids[3], 4),
        (ids[4], None),
    ]
    # workers see no place until the results are published
    assert client.get(f"{API}/mine", headers=people[1].headers).json[0]["entry"]["rank"] is None

    # a changed score sends the competition back to judging until it is ranked again
    score(client, county, contest["id"], ids[3], 95)
    assert db.session.get(Competition, contest["id"]).status == "closed"
    act(client, county, contest["id"], "rank")
    assert [e["rank"] for e in entries(client, county, contest["id"])] == [1, 2, 3, 3, None]


def test_awards_are_granted_to_placed_entries_and_published_to_everyone(factory, client):
    tree = factory.org_tree()
    county = staff_token(tree, "t_county_a")
    contest = open_competition(client, county, award_levels=["一等奖", "二等奖", "优秀奖"])
    first, second, unscored = add_members(tree.union_a1, 3)
    ids = [enter(client, p, contest["id"]).json["entry"]["id"] for p in (first, second, unscored)]
    act(client, county, contest["id"], "close")
    score(client, county, contest["id"], ids[0], 98)
    score(client, county, contest["id"], ids[1], 80)

    early = client.post(
        f"{STAFF_API}/{contest['id']}/awards",
        json={"awards": [{"entry_id": ids[0], "award": "一等奖"}]},
        headers=auth(county),
    )
    assert early.status_code == 409 and early.json["message"] == "请先计算排名，再评定奖项"
    act(client, county, contest["id"], "rank")
    wrong = client.post(
        f"{STAFF_API}/{contest['id']}/awards",
        json={"awards": [{"entry_id": ids[0], "award": "特等奖"}, {"entry_id": ids[2], "award": "优秀奖"}]},
        headers=auth(county),
    )
    assert wrong.status_code == 422
    assert wrong.json["errors"] == {
        "awards.0.award": ["奖项应为：一等奖、二等奖、优秀奖"],
        "awards.1.entry_id": ["该报名没有名次，不能获奖"],
    }
    granted = client.post(
        f"{STAFF_API}/{contest['id']}/awards",
        json={"awards": [{"entry_id": ids[0], "award": "一等奖"}, {"entry_id": ids[1], "award": "二等奖"}]},
        headers=auth(county),
    )
    assert granted.status_code == 200 and [e["award"] for e in granted.json] == ["一等奖", "二等奖"]
    assert client.get(f"{API}/mine", headers=first.headers).json[0]["entry"]["award"] is None

    published = act(client, county, contest["id"], "publish")
    assert published.status_code == 200 and published.json["status"] == "finished"
    mine = client.get(f"{API}/mine", headers=first.headers).json[0]["entry"]
    assert (mine["rank"], mine["award"]) == (1, "一等奖")
    assert inbox(first.account_id)[-1] == "competition.awarded"
    assert inbox(unscored.account_id)[-1] == "competition.results"
    assert {f["member_id"] for f in facts("competition.awarded")} == {first.member_id, second.member_id}
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.target_type == "competition").order_by(AuditLog.id)
    ).all()
    assert actions == [
        "competition.create",
        "competition.open",
        "competition.close",
        "competition.rank",
        "competition.award",
        "competition.publish",
    ]
    assert act(client, county, contest["id"], "rank").status_code == 409


def test_only_complete_teams_are_scored_and_ranked(factory, client):
    tree = factory.org_tree()
    city = staff_token(tree, "t_city")
    contest = open_competition(client, city, entry_mode="team", team_min=2, team_max=3)
    captain, mate, lonely = add_members(tree.union_a1, 3)
    team = enter(client, captain, contest["id"], team_name="完整队").json["entry"]
    join(client, mate, contest["id"], team["join_code"])
    alone = enter(client, lonely, contest["id"], team_name="孤单队").json["entry"]
    act(client, city, contest["id"], "close")

    refused = score(client, city, contest["id"], alone["id"], 99)
    assert refused.status_code == 409 and refused.json["message"] == "该队伍不足2人，未完成报名，不能评分"
    assert score(client, city, contest["id"], team["id"], 88).status_code == 200
    assert inbox(mate.account_id)[-1] == "competition.scored"
    act(client, city, contest["id"], "rank")
    ranks = dict(db.session.execute(select(CompetitionEntry.id, CompetitionEntry.place)).all())
    assert ranks == {team["id"]: 1, alone["id"]: None}


def test_a_quiz_is_scored_by_the_system_not_by_hand(factory, client):
    tree = factory.org_tree()
    city = staff_token(tree, "t_city")
    quiz = open_quiz(client, city)
    worker = add_members(tree.union_a1, 1)[0]
    entry_id = enter(client, worker, quiz["id"]).json["entry"]["id"]
    act(client, city, quiz["id"], "close")
    refused = score(client, city, quiz["id"], entry_id, 100)
    assert refused.status_code == 409 and refused.json["code"] == "auto_scored"


def test_staff_of_another_county_see_nothing_of_it(factory, client):
    tree = factory.org_tree()
    county_a = staff_token(tree, "t_county_a")
    contest = open_competition(client, county_a)
    worker = add_members(tree.union_a1, 1)[0]
    entry_id = enter(client, worker, contest["id"]).json["entry"]["id"]
    act(client, county_a, contest["id"], "close")

    for username in ("t_county_b", "t_union_a1"):  # another county; a base union below the organiser
        other = staff_token(tree, username)
        assert client.get(f"{STAFF_API}/{contest['id']}", headers=auth(other)).status_code == 404
        assert client.get(f"{STAFF_API}/{contest['id']}/entries", headers=auth(other)).status_code == 404
        assert score(client, other, contest["id"], entry_id, 60).status_code == 404
        assert act(client, other, contest["id"], "rank").status_code == 404
        assert client.get(STAFF_API, headers=auth(other)).json == []
    assert (
        client.get(f"{STAFF_API}/{contest['id']}", headers=auth(staff_token(tree, "t_city"))).status_code
        == 200
    )
    assert db.session.get(CompetitionEntry, entry_id).score is None
    lawyer = client.get(STAFF_API, headers=auth(staff_token(tree, "t_lawyer")))
    assert lawyer.status_code == 403
    assert client.get(STAFF_API, headers=worker.headers).status_code == 403


def test_settings_are_checked_and_locked_once_open(factory, client):
    tree = factory.org_tree()
    town = staff_token(tree, "t_town_a")
    refused = client.post(
        STAFF_API,
        json={
            "title": "团体知识竞赛",
            "kind": "quiz",
            "entry_mode": "team",
            "signup_deadline": (utcnow() - timedelta(hours=1)).isoformat(),
        },
        headers=auth(town),
    )
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "team_min": ["团体赛请设置每队最少人数"],
        "team_max": ["团体赛请设置每队最多人数"],
        "entry_mode": ["知识竞赛只能个人参加"],
        "time_limit_minutes": ["请设置答题时限（分钟）"],
        "signup_deadline": ["报名截止时间应晚于当前时间"],
    }
    outside = client.post(STAFF_API, json={"org_id": tree.county_b.id, **_skill()}, headers=auth(town))
    assert outside.status_code == 422 and outside.json["errors"]["org_id"] == ["只能由本级或下级工会组织竞赛"]

    contest = create(client, town, org_id=tree.union_a1.id)
    assert contest["org"]["id"] == tree.union_a1.id and contest["allowed_actions"] == ["open"]
    url = f"{STAFF_API}/{contest['id']}"
    changed = client.patch(url, json={"entry_mode": "team", "team_min": 2, "team_max": 4}, headers=auth(town))
    assert changed.status_code == 200 and changed.json["team_max"] == 4
    act(client, town, contest["id"], "open")
    locked = client.patch(url, json={"team_max": 10}, headers=auth(town))
    assert locked.status_code == 409 and locked.json["code"] == "competition_open"
    later = (utcnow() + timedelta(days=30)).isoformat()
    extended = client.patch(
        url, json={"signup_deadline": later, "title": "岗位练兵（延期）"}, headers=auth(town)
    )
    assert extended.status_code == 200 and extended.json["title"] == "岗位练兵（延期）"
    logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "competition.update")).all()
    assert [sorted(e.detail["changed"]) for e in logged] == [
        ["entry_mode", "team_max", "team_min"],
        ["signup_deadline", "title"],
    ]


def _skill() -> dict:
    return {
        "title": "焊工比武",
        "kind": "skill",
        "signup_deadline": (utcnow() + timedelta(days=3)).isoformat(),
    }
