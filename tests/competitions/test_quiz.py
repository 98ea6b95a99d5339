"""安康杯知识竞赛: one timed attempt per member, answers kept on the server, scored automatically."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from backend.common.types import utcnow
from backend.competitions.models import QuizAttempt, QuizQuestion
from backend.extensions import db
from tests.competitions import (
    API,
    QUESTIONS,
    STAFF_API,
    create,
    enter,
    entrant,
    facts,
    inbox,
    open_quiz,
    staff_token,
)
from tests.competitions.test_team_race import race
from tests.factories import auth


def start(client, who, competition_id: int):
    return client.post(f"{API}/{competition_id}/quiz/start", headers=who.headers)


def submit(client, who, competition_id: int, answers: list[dict]):
    return client.post(f"{API}/{competition_id}/quiz/submit", json={"answers": answers}, headers=who.headers)


def answer_sheet(started: dict, *choices: list[str]) -> list[dict]:
    return [
        {"question_id": q["id"], "choices": c} for q, c in zip(started["questions"], choices, strict=False)
    ]


@pytest.fixture
def clock():
    with time_machine.travel(utcnow(), tick=False) as traveller:
        yield traveller


def test_starting_returns_the_questions_but_never_the_answers(factory, client, clock):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a1)

    started = start(client, worker, quiz["id"])
    assert started.status_code == 201, started.json
    assert [q["stem"] for q in started.json["questions"]] == [q["stem"] for q in QUESTIONS]
    assert started.json["questions"][1]["options"][0] == {"key": "A", "text": "安全帽"}
    assert started.json["questions"][1]["kind"] == "multiple"
    assert started.json["remaining_seconds"] == 600 and started.json["max_score"] == 6
    resumed = client.get(f"{API}/{quiz['id']}/quiz", headers=worker.headers)
    assert resumed.status_code == 200 and resumed.json["questions"] == started.json["questions"]

    for body in (started.json, resumed.json):
        text = json.dumps(body, ensure_ascii=False)
        assert "answer" not in text
        for question in body["questions"]:
            assert set(question) == {"id", "seq", "kind", "stem", "points", "options"}
    # staff do see the answers
    staff_view = client.get(f"{STAFF_API}/{quiz['id']}/questions", headers=auth(staff_token(tree, "t_city")))
    assert [q["answer"] for q in staff_view.json] == [["A"], ["A", "B", "D"], ["B"]]


@pytest.mark.parametrize(
    ("choices", "correct", "score"),
    [
        ((["A"], ["A", "B", "D"], ["B"]), 3, 6),  # all right
        ((["a"], ["D", "B", "A"], ["B"]), 3, 6),  # order and case do not matter
        ((["A"], ["A", "B"], ["B"]), 2, 3),  # multiple choice, one option missing: nothing for it
        ((["A"], ["A", "B", "C", "D"], ["B"]), 2, 3),  # one option too many: nothing for it either
        ((["B"], [], ["B"]), 1, 1),  # a wrong single choice, an unanswered question
        ((), 0, 0),  # handed in blank
    ],
)
def test_answers_are_scored_with_multiple_choice_all_or_nothing(
    factory, client, clock, choices, correct, score
):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a1)
    started = start(client, worker, quiz["id"]).json
    clock.shift(timedelta(minutes=3))

    handed_in = submit(client, worker, quiz["id"], answer_sheet(started, *choices))
    assert handed_in.status_code == 200, handed_in.json
    assert (handed_in.json["correct_count"], handed_in.json["score"]) == (correct, score)
    assert handed_in.json["max_score"] == 6 and handed_in.json["questions"] == []
    assert "answer" not in handed_in.get_data(as_text=True)

    mine = client.get(f"{API}/mine", headers=worker.headers).json
    assert mine[0]["quiz"]["score"] == score and mine[0]["entry"]["score"] == f"{score}.00"
    assert inbox(worker.account_id) == ["competition.quiz_scored"]
    assert [f["member_id"] for f in facts("competition.quiz_completed")] == [worker.member_id]
    assert [f["member_id"] for f in facts("competition.entered")] == [worker.member_id]


def test_a_quiz_can_be_attempted_once(factory, client, clock):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a1)
    assert enter(client, worker, quiz["id"]).status_code == 201  # signing up first is optional
    started = start(client, worker, quiz["id"]).json

    again = start(client, worker, quiz["id"])
    assert again.status_code == 409
    assert (again.json["code"], again.json["message"]) == (
        "quiz_attempted",
        "您已参加过本次答题，每人仅有一次机会",
    )
    assert submit(client, worker, quiz["id"], answer_sheet(started, ["A"])).status_code == 200
    resubmitted = submit(client, worker, quiz["id"], answer_sheet(started, ["A"], ["A", "B", "D"]))
    assert resubmitted.status_code == 409 and resubmitted.json["code"] == "quiz_submitted"
    after = start(client, worker, quiz["id"])
    assert after.status_code == 409 and after.json["code"] == "quiz_attempted"
    attempt = db.session.scalars(select(QuizAttempt)).one()
    assert (attempt.score, attempt.correct_count) == (2, 1)


def test_two_starts_at_once_make_one_attempt(app, factory, client):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a1)

    results = race(app, [lambda c: start(c, worker, quiz["id"])] * 4)

    assert sorted(status for status, _ in results) == [201, 409, 409, 409], results
    assert {body["code"] for status, body in results if status == 409} == {"quiz_attempted"}
    assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_answers_handed_in_twice_at_once_are_scored_once(app, factory, client):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a1)
    sheet = answer_sheet(start(client, worker, quiz["id"]).json, ["A"], ["A", "B", "D"], ["B"])

    results = race(app, [lambda c: submit(c, worker, quiz["id"], sheet)] * 3)

    assert sorted(status for status, _ in results) == [200, 409, 409], results
    assert {body["code"] for status, body in results if status == 409} == {"quiz_submitted"}
    assert inbox(worker.account_id) == ["competition.quiz_scored"]
    assert len(facts("competition.quiz_completed")) == 1


def test_answers_after_the_time_limit_are_not_accepted(factory, client, clock):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"), time_limit_minutes=10)
    slow, quick = entrant(tree.union_a1), entrant(tree.union_a1)
    slow_sheet = answer_sheet(start(client, slow, quiz["id"]).json, ["A"], ["A", "B", "D"], ["B"])
    quick_sheet = answer_sheet(start(client, quick, quiz["id"]).json, ["A"], ["A", "B", "D"], ["B"])

    clock.shift(timedelta(minutes=10, seconds=30))  # the deadline plus the whole grace: still in
    assert submit(client, quick, quiz["id"], quick_sheet).json["score"] == 6
    clock.shift(timedelta(seconds=1))
    late = submit(client, slow, quiz["id"], slow_sheet)
    assert late.status_code == 409 and late.json["code"] == "quiz_time_over"
    assert late.json["message"].startswith("答题时间已于") and late.json["message"].endswith(
        "本次答卷未被接受"
    )
    attempt = db.session.scalars(select(QuizAttempt).where(QuizAttempt.member_id == slow.member_id)).one()
    assert attempt.submitted_at is None and attempt.score is None
    over = client.get(f"{API}/{quiz['id']}/quiz", headers=slow.headers).json
    assert over["remaining_seconds"] == 0 and over["score"] is None


def test_bad_answer_sheets_get_a_clear_message(factory, client, clock):
    tree = factory.org_tree()
    quiz = open_quiz(client, staff_token(tree, "t_city"))
    worker = entrant(tree.union_a1)
    started = start(client, worker, quiz["id"]).json
    single = started["questions"][0]["id"]
    two_for_single = submit(client, worker, quiz["id"], [{"question_id": single, "choices": ["A", "B"]}])
    assert two_for_single.status_code == 422
    assert two_for_single.json["errors"]["answers"] == ["第1题为单选题，只能选择一个选项"]
    unknown = submit(client, worker, quiz["id"], [{"question_id": 999999, "choices": ["A"]}])
    assert unknown.json["errors"]["answers"] == ["题目 999999 不属于本次竞赛"]
    no_such_option = submit(client, worker, quiz["id"], [{"question_id": single, "choices": ["F"]}])
    assert no_such_option.json["errors"]["answers"] == ["第1题的选项应为 A、B、C 中不重复的字母"]
    assert db.session.scalars(select(QuizAttempt)).one().submitted_at is None


def test_a_question_set_is_checked_and_frozen_once_the_quiz_opens(factory, client):
    tree = factory.org_tree()
    city = staff_token(tree, "t_city")
    quiz = create(client, city, title="安康杯", kind="quiz", time_limit_minutes=5)
    url = f"{STAFF_API}/{quiz['id']}/questions"
    not_yet = client.post(f"{STAFF_API}/{quiz['id']}/transition", json={"action": "open"}, headers=auth(city))
    assert not_yet.status_code == 409 and not_yet.json["message"] == "请先为知识竞赛设置题目"
    bad = [
        {"kind": "single", "stem": "一", "options": ["甲", "乙"], "answer": ["A", "B"]},
        {"kind": "multiple", "stem": "二", "options": ["甲", "乙"], "answer": ["C"]},
    ]
    refused = client.put(url, json={"questions": bad}, headers=auth(city))
    assert refused.status_code == 422
    assert refused.json["errors"] == {
        "questions.0.answer": ["单选题只能有一个正确答案"],
        "questions.1.answer": ["正确答案应为选项 A、B 之一"],
    }
    assert client.put(url, json={"questions": QUESTIONS}, headers=auth(city)).status_code == 200
    assert (
        client.post(f"{STAFF_API}/{quiz['id']}/transition", json={"action": "open"}, headers=auth(city)).json[
            "question_count"
        ]
        == 3
    )
    frozen = client.put(url, json={"questions": QUESTIONS[:1]}, headers=auth(city))
    assert frozen.status_code == 409 and frozen.json["message"] == "竞赛开放后题目不能再修改"
    assert db.session.scalar(select(func.count()).select_from(QuizQuestion)) == 3
