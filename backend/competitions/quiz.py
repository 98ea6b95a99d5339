"""安康杯知识竞赛 — the question set, the one timed attempt per member, and automatic scoring.

- The correct answers stay on the server: starting an attempt returns the questions without them,
  and submitting returns only the score and the number of correct answers.
- One attempt per member: the attempt row is unique per entry and the entry is unique per member,
  so a second start — even a concurrent one — gets 409 ``quiz_attempted``. An attempt in progress
  can be read again (``GET …/quiz``) after a lost response; that is not a new attempt.
- Time limit: the answers must arrive by the attempt's deadline (start + the competition's time
  limit) plus ``SUBMIT_GRACE`` for a slow network. Later submissions are refused with 409
  ``quiz_time_over`` and nothing is stored: the attempt stays without a score and gets no place.
- Scoring: a single-choice question scores its points when the one correct option is chosen; a
  multiple-choice question is all or nothing — exactly the set of correct options, no more, no
  fewer. Unanswered questions score nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from backend.audit import service as audit
from backend.common import capacity
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.persistence import flush_or_conflict
from backend.common.types import utcnow
from backend.competitions import service as competitions
from backend.competitions.models import (
    Competition,
    CompetitionKind,
    CompetitionStatus,
    ParticipantRole,
    QuestionKind,
    QuizAttempt,
    QuizQuestion,
)
from backend.competitions.rules import Invalid, entry_in, local_time
from backend.extensions import db
from backend.members.models import Member, WxAccount
from backend.notify import service as notify
from backend.participation import service as participation
from backend.staff.models import Staff
from backend.staff.scope import Scope

SUBMIT_GRACE = timedelta(seconds=30)
ONCE = "您已参加过本次答题，每人仅有一次机会"
OPTION_KEYS = "ABCDEFGH"


def option_keys(count: int) -> str:
    return OPTION_KEYS[:count]


# --- the question set (staff) --------------------------------------------------------------------------
def questions_of(competition_id: int) -> list[QuizQuestion]:
    stmt = select(QuizQuestion).where(QuizQuestion.competition_id == competition_id)
    return list(db.session.scalars(stmt.order_by(QuizQuestion.seq)))


def _question_errors(index: int, question: dict) -> dict[str, str]:
    where = f"questions.{index}.answer"
    keys = option_keys(len(question["options"]))
    answer = question["answer"]
    if len(set(answer)) != len(answer):
        return {where: "正确答案不能重复"}
    wrong = [key for key in answer if key not in keys]
    if wrong:
        return {where: f"正确答案应为选项 {'、'.join(keys)} 之一"}
    if question["kind"] == QuestionKind.SINGLE and len(answer) != 1:
        return {where: "单选题只能有一个正确答案"}
    return {}


def set_questions(*, scope: Scope, staff: Staff, competition_id: int, questions: list[dict]):
    """Replace a draft quiz's question set (frozen once the quiz opens)."""
    competition = scope.get(Competition, competition_id, for_update=True)
    if competition.kind != CompetitionKind.QUIZ:
        raise Conflict("只有知识竞赛需要设置题目", code="not_a_quiz")
    if competition.status != CompetitionStatus.DRAFT:
        raise Conflict("竞赛开放后题目不能再修改", code="questions_frozen")
    errors: dict[str, str] = {}
    for index, question in enumerate(questions):
        errors.update(_question_errors(index, question))
    if errors:
        raise Invalid(errors)
    db.session.execute(delete(QuizQuestion).where(QuizQuestion.competition_id == competition.id))
    rows = [
        QuizQuestion(
            competition_id=competition.id,
            seq=seq,
            kind=question["kind"],
            stem=question["stem"],
            options=list(question["options"]),
            answer=sorted(question["answer"]),
            points=question["points"],
        )
        for seq, question in enumerate(questions, start=1)
    ]
    db.session.add_all(rows)
    db.session.flush()
    audit.record(
        staff=staff,
        action="competition.questions",
        target_type="competition",
        target_id=competition.id,
        org_id=competition.org_id,
        detail={"questions": len(rows), "full_marks": sum(q.points for q in rows)},
    )
    return rows


# --- scoring ----------------------------------------------------------------------------------------
def score(questions: list[QuizQuestion], answers: dict[int, list[str]]) -> tuple[int, int, int]:
    """(correct answers, score, full marks). Multiple choice is all or nothing."""
    correct = points = 0
    for question in questions:
        if sorted(answers.get(question.id, [])) == sorted(question.answer):
            correct += 1
            points += question.points
    return correct, points, sum(q.points for q in questions)


def _parse_answers(questions: list[QuizQuestion], given: list[dict]) -> dict[int, list[str]]:
    by_id = {q.id: q for q in questions}
    answers: dict[int, list[str]] = {}
    problems: list[str] = []
    for item in given:
        question = by_id.get(item["question_id"])
        if question is None:
            problems.append(f"题目 {item['question_id']} 不属于本次竞赛")
            continue
        if question.id in answers:
            problems.append(f"第{question.seq}题重复作答")
            continue
        choices = [c.strip().upper() for c in item["choices"]]
        keys = option_keys(len(question.options))
        if any(c not in keys for c in choices) or len(set(choices)) != len(choices):
            problems.append(f"第{question.seq}题的选项应为 {'、'.join(keys)} 中不重复的字母")
        elif question.kind == QuestionKind.SINGLE and len(choices) > 1:
            problems.append(f"第{question.seq}题为单选题，只能选择一个选项")
        else:
            answers[question.id] = choices
    if problems:
        raise InvalidInput("answers", "；".join(problems))
    return answers


# --- the attempt (workers) ----------------------------------------------------------------------------
def _quiz(competition_id: int) -> Competition:
    competition = competitions.visible_competition(competition_id)
    if competition.kind != CompetitionKind.QUIZ:
        raise Conflict("本竞赛不是知识竞赛", code="not_a_quiz")
    return competition


def start(*, member: Member, competition_id: int) -> QuizAttempt:
    """Begin the member's one attempt: signs them up if they have not yet, starts the clock."""
    competition = _quiz(competition_id)
    participant = competitions.participant_of(member, competition.id)
    now = utcnow()
    if participant is None:
        competitions.check_eligible(member, competition, now)
        participant = competitions.new_entry(
            member=member,
            competition=competition,
            role=ParticipantRole.INDIVIDUAL,
            trade=None,
            duplicate=(ONCE, "quiz_attempted"),
        )
        competitions.record_entered(participant)
    else:
        if competitions.attempt_of(participant.entry_id) is not None:
            raise Conflict(ONCE, code="quiz_attempted")
        problem = competitions.eligibility_problem(member, competition, now)
        if problem is not None and problem.code in ("not_open", "signup_closed"):
            raise problem
    questions = questions_of(competition.id)
    attempt = QuizAttempt(
        competition_id=competition.id,
        entry_id=participant.entry_id,
        member_id=member.id,
        started_at=now,
        deadline_at=now + timedelta(seconds=competition.time_limit_s),
        max_score=sum(q.points for q in questions),
    )
    db.session.add(attempt)
    flush_or_conflict(ONCE, "quiz_attempted")
    return attempt


def attempt_for(*, member: Member, competition_id: int) -> QuizAttempt:
    competition = _quiz(competition_id)
    participant = competitions.participant_of(member, competition.id)
    attempt = competitions.attempt_of(participant.entry_id) if participant else None
    if attempt is None:
        raise NotFound("您还没有开始答题", code="quiz_not_started")
    return attempt


def submit(*, member: Member, account: WxAccount, competition_id: int, answers: list[dict]) -> QuizAttempt:
    """Hand in the answers once, within the time limit (+ grace); scored at once."""
    attempt = attempt_for(member=member, competition_id=competition_id)
    competition = db.session.get(Competition, attempt.competition_id)
    if attempt.submitted_at is not None:
        raise Conflict("答卷已提交，不能重复提交", code="quiz_submitted")
    now = utcnow()
    if now > attempt.deadline_at + SUBMIT_GRACE:
        raise Conflict(
            f"答题时间已于{local_time(attempt.deadline_at)}结束，本次答卷未被接受",
            code="quiz_time_over",
        )
    if competition.status not in (CompetitionStatus.OPEN, CompetitionStatus.CLOSED):
        raise Conflict("本次知识竞赛已结束评分", code="quiz_finished")
    questions = questions_of(competition.id)
    parsed = _parse_answers(questions, answers)
    # Claim the submission in one conditional UPDATE: of two concurrent submits exactly one wins.
    if not capacity.claim_row(QuizAttempt.submitted_at, now, QuizAttempt.id == attempt.id):
        raise Conflict("答卷已提交，不能重复提交", code="quiz_submitted")
    correct, points, full = score(questions, parsed)
    attempt.submitted_at = now
    attempt.answers = {str(k): v for k, v in parsed.items()}
    attempt.correct_count, attempt.score, attempt.max_score = correct, points, full
    entry = entry_in(competition, attempt.entry_id)
    entry.score, entry.scored_at = points, now
    notify.notify(
        account_id=account.id,
        kind="competition.quiz_scored",
        org_id=member.org_id,
        competition=competition.title,
        correct=correct,
        total=len(questions),
        score=points,
    )
    participation.record(
        kind="competition.quiz_completed",
        org_id=entry.org_id,
        member_id=member.id,
        ref_type="quiz_attempt",
        ref_id=attempt.id,
    )
    return attempt
