"""Teams under concurrency: threads over the Flask test client, on the configured database."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from backend.competitions.models import CompetitionEntry, CompetitionParticipant
from backend.extensions import db
from tests.competitions import add_members, enter, join, open_competition, staff_token


def race(app, calls) -> list:
    """Run each call on its own thread and client at the same moment; their responses, in order."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        client = app.test_client()
        barrier.wait()
        response = call(client)
        results[index] = (response.status_code, response.json)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_twenty_members_rushing_a_team_of_five_never_make_it_bigger(app, factory, client):
    tree = factory.org_tree()
    contest = open_competition(
        client, staff_token(tree, "t_county_a"), entry_mode="team", team_min=3, team_max=5
    )
    captain, *rushers = add_members(tree.union_a1, 21)
    code = enter(client, captain, contest["id"], team_name="冲锋队").json["entry"]["join_code"]

    results = race(app, [lambda c, who=who: join(c, who, contest["id"], code) for who in rushers[:20]])

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 4, 409: 16}, results
    assert {body["code"] for status, body in results if status == 409} == {"team_full"}
    assert {body["message"] for status, body in results if status == 409} == {"该队伍已满员（最多5人）"}
    db.session.expire_all()
    assert db.session.scalar(select(CompetitionEntry.member_count)) == 5
    assert db.session.scalar(select(func.count()).select_from(CompetitionParticipant)) == 5


def test_one_member_joining_two_teams_at_once_ends_up_in_one(app, factory, client):
    tree = factory.org_tree()
    contest = open_competition(client, staff_token(tree, "t_city"), entry_mode="team", team_min=2, team_max=5)
    captain_a, captain_b, member = add_members(tree.union_a1, 3)
    codes = [
        enter(client, captain, contest["id"], team_name=name).json["entry"]["join_code"]
        for captain, name in ((captain_a, "甲队"), (captain_b, "乙队"))
    ]

    results = race(app, [lambda c, code=code: join(c, member, contest["id"], code) for code in codes * 3])

    assert sorted(status for status, _ in results) == [201] + [409] * 5, results
    db.session.expire_all()
    rows = db.session.scalars(
        select(CompetitionParticipant).where(CompetitionParticipant.member_id == member.member_id)
    ).all()
    assert len(rows) == 1
    assert sorted(db.session.scalars(select(CompetitionEntry.member_count))) == [1, 2]
