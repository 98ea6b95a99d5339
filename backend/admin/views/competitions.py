"""劳动和技能竞赛 in the panel: set up a contest of each kind (技能比赛, “五小”创新, 安康杯知识竞赛 with
its question bank), the entries and teams with their “五小” attachments, judges' scores and awards.
Opening, closing entries, ranking and publishing are the contest's actions on its case page. Every
rule is ``competitions.service`` / ``judging`` / ``quiz``, with the staff API's input schemas."""

from __future__ import annotations

import marshmallow as ma
from flask import flash, g, redirect, render_template, request, url_for

from backend.admin import bp
from backend.admin.views.base import field_errors, flash_error, requires
from backend.api.staff_competitions import (
    EntryAwardsIn,
    EntryScoreIn,
    QuizQuestionSetIn,
)
from backend.common.errors import DomainError
from backend.common.time import FORM_DATETIME, local_text
from backend.competitions import judging, quiz
from backend.competitions import service as competitions
from backend.competitions.models import CATEGORY_LABELS, ENTRY_MODE_LABELS, KIND_LABELS, Competition
from backend.competitions.rules import attachments_of, is_complete
from backend.competitions.schemas import CompetitionChangeIn, CompetitionIn
from backend.extensions import db
from backend.members.models import WORKER_TYPE_LABELS
from backend.staff import permissions as perm
from backend.uploads.files import file_response

LINES = ("trades", "award_levels")  # one value per line in the form
NUMBERS = ("team_min", "team_max", "full_marks", "time_limit_minutes")
BLANK_QUESTIONS = 3


def _labels(table: dict) -> dict[str, str]:
    return {str(k): v for k, v in table.items()}


def _raw(form, *, creating: bool) -> dict:
    raw: dict = {}
    for name in ("title", "description", "kind", "entry_mode", "signup_deadline"):
        if (form.get(name) or "").strip():
            raw[name] = form[name].strip()
    for name in NUMBERS:
        value = (form.get(name) or "").strip()
        if value:
            raw[name] = value
        elif name in ("team_min", "team_max", "time_limit_minutes"):
            raw[name] = None
    for name in LINES:
        values = [line.strip() for line in (form.get(name) or "").splitlines() if line.strip()]
        if values or name == "trades":
            raw[name] = values
    raw["worker_types"] = [v for v in form.getlist("worker_types") if v]
    if creating and form.get("org_id", "").isdigit():
        raw["org_id"] = form["org_id"]
    return raw


def _messages(exc: ma.ValidationError) -> dict[str, str]:
    out = {}
    for name, messages in exc.normalized_messages().items():
        first = messages[0] if isinstance(messages, list) else next(iter(messages.values()))
        out[name] = first[0] if isinstance(first, list) else str(first)
    return out


def _values(competition: Competition) -> dict:
    values = {name: getattr(competition, name) for name in ("title", "description", "kind", "entry_mode")}
    values.update({name: getattr(competition, name) or "" for name in NUMBERS})
    values["signup_deadline"] = local_text(competition.signup_deadline, FORM_DATETIME)
    values["trades"] = "\n".join(competition.trades or [])
    values["award_levels"] = "\n".join(competition.award_levels or [])
    values["worker_types"] = competition.worker_type_list
    return values


def _form(competition: Competition | None, values, errors: dict, status: int = 200):
    return render_template(
        "admin/competition_form.html",
        competition=competition,
        values=values,
        errors=errors,
        kinds=_labels(KIND_LABELS),
        modes=_labels(ENTRY_MODE_LABELS),
        worker_types=_labels(WORKER_TYPE_LABELS),
        chosen_types=values.getlist("worker_types")
        if hasattr(values, "getlist")
        else values.get("worker_types", []),
    ), status


@bp.route("/competitions/new", methods=["GET", "POST"])
@requires(perm.COMPETITION_MANAGE)
def new_competition():
    if request.method == "GET":
        return _form(None, {"kind": request.args.get("kind", "skill"), "entry_mode": "individual"}, {})
    try:
        data = CompetitionIn().load(_raw(request.form, creating=True))
        competition = competitions.create_competition(scope=g.scope, staff=g.staff, competition_in=data)
    except ma.ValidationError as exc:
        return _form(None, request.form, _messages(exc), 422)
    except DomainError as exc:
        db.session.rollback()
        return _form(None, request.form, field_errors(exc), 422)
    flash(f"已保存竞赛草稿：{competition.title}", "success")
    if competition.kind == "quiz":
        return redirect(url_for("admin.competition_questions", competition_id=competition.id), code=303)
    return redirect(url_for("admin.case", kind="competition", item_id=competition.id), code=303)


@bp.route("/competitions/<int:competition_id>/edit", methods=["GET", "POST"])
@requires(perm.COMPETITION_MANAGE)
def edit_competition(competition_id: int):
    competition = g.scope.get(Competition, competition_id)
    if request.method == "GET":
        return _form(competition, _values(competition), {})
    try:
        data = CompetitionChangeIn(partial=True).load(_raw(request.form, creating=False))
        competitions.update_competition(
            scope=g.scope, staff=g.staff, competition_id=competition_id, changes=data
        )
    except ma.ValidationError as exc:
        return _form(competition, request.form, _messages(exc), 422)
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _form(g.scope.get(Competition, competition_id), request.form, field_errors(exc), 422)
    flash("竞赛设置已修改", "success")
    return redirect(url_for("admin.case", kind="competition", item_id=competition_id), code=303)


# --- 安康杯 question bank ------------------------------------------------------------------------------
def _question_blocks(form) -> list[dict]:
    blocks = []
    for i in range(int(form.get("count", "0") or 0)):
        stem = (form.get(f"q{i}_stem") or "").strip()
        if not stem:
            continue
        blocks.append(
            {
                "kind": form.get(f"q{i}_kind", "single"),
                "stem": stem,
                "options": [o.strip() for o in (form.get(f"q{i}_options") or "").splitlines() if o.strip()],
                "answer": [c for c in (form.get(f"q{i}_answer") or "").upper() if c.isalpha()],
                "points": (form.get(f"q{i}_points") or "1").strip(),
            }
        )
    return blocks


@bp.route("/competitions/<int:competition_id>/questions", methods=["GET", "POST"])
@requires(perm.COMPETITION_MANAGE)
def competition_questions(competition_id: int):
    competition = g.scope.get(Competition, competition_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        blocks = _question_blocks(request.form)
        try:
            data = QuizQuestionSetIn().load({"questions": blocks})
            quiz.set_questions(scope=g.scope, staff=g.staff, competition_id=competition_id, **data)
        except ma.ValidationError as exc:
            errors = _question_errors(exc.normalized_messages())
        except DomainError as exc:
            db.session.rollback()
            if exc.status == 404:
                raise
            errors = {k.replace("questions.", "").replace(".", "_"): v for k, v in field_errors(exc).items()}
        else:
            flash(f"题库已保存，共 {len(blocks)} 题", "success")
            return redirect(url_for("admin.case", kind="competition", item_id=competition_id), code=303)
        shown = blocks
    else:
        shown = [
            {
                "kind": q.kind,
                "stem": q.stem,
                "options": q.options,
                "answer": q.answer,
                "points": q.points,
            }
            for q in quiz.questions_of(competition.id)
        ]
    shown = (
        list(shown)
        + [{"kind": "single", "stem": "", "options": [], "answer": [], "points": 1}] * BLANK_QUESTIONS
    )
    return render_template(
        "admin/competition_questions.html", competition=competition, questions=shown, errors=errors
    ), (422 if errors else 200)


def _question_errors(messages: dict) -> dict[str, str]:
    """{"0_stem": "…"} from the schema's nested messages ({"questions": {0: {"stem": [...]}}})."""
    out: dict[str, str] = {}
    nested = messages.get("questions", {})
    if isinstance(nested, list):
        return {"_": str(nested[0])}
    for index, fields in nested.items():
        for name, problems in fields.items():
            out[f"{index}_{name}"] = problems[0] if isinstance(problems, list) else str(problems)
    return out


# --- entries, scores, awards ---------------------------------------------------------------------------
@bp.get("/competitions/<int:competition_id>/entries")
@requires(perm.COMPETITION_MANAGE)
def competition_entries(competition_id: int):
    competition = g.scope.get(Competition, competition_id)
    entries = list(db.session.scalars(judging.entries_stmt(g.scope, competition_id).limit(1000)))
    return render_template(
        "admin/competition_entries.html",
        competition=competition,
        entries=entries,
        complete=lambda e: is_complete(competition, e),
        attachments={e.id: attachments_of(e.id) for e in entries},
        categories=_labels(CATEGORY_LABELS),
    )


@bp.post("/competitions/<int:competition_id>/entries/<int:entry_id>/score")
@requires(perm.COMPETITION_MANAGE)
def score_competition_entry(competition_id: int, entry_id: int):
    try:
        data = EntryScoreIn().load(
            {
                "score": request.form.get("score", "").strip(),
                "note": request.form.get("note", "").strip() or None,
            }
        )
        competitions.score_entry(
            scope=g.scope, staff=g.staff, competition_id=competition_id, entry_id=entry_id, **data
        )
    except ma.ValidationError as exc:
        flash(f"成绩：{_messages(exc).get('score', '请填写成绩')}", "error")
    except DomainError as exc:
        flash_error(exc)
    else:
        flash(f"已录入成绩：报名 #{entry_id}", "success")
    return redirect(url_for("admin.competition_entries", competition_id=competition_id), code=303)


@bp.post("/competitions/<int:competition_id>/awards")
@requires(perm.COMPETITION_MANAGE)
def award_competition_entries(competition_id: int):
    awards = [
        {"entry_id": key.removeprefix("award_"), "award": value or None}
        for key, value in request.form.items()
        if key.startswith("award_") and key.removeprefix("award_").isdigit()
    ]
    try:
        data = EntryAwardsIn().load({"awards": awards})
        judging.grant_awards(scope=g.scope, staff=g.staff, competition_id=competition_id, **data)
    except ma.ValidationError:
        flash("请为有名次的报名选择奖项", "error")
    except DomainError as exc:
        flash_error(exc)
    else:
        flash("奖项已保存，公布结果时通知参赛者", "success")
    return redirect(url_for("admin.competition_entries", competition_id=competition_id), code=303)


@bp.get("/competitions/<int:competition_id>/entries/<int:entry_id>/attachments/<int:upload_id>")
@requires(perm.COMPETITION_MANAGE)
def competition_attachment(competition_id: int, entry_id: int, upload_id: int):
    upload, data = judging.attachment_for_staff(
        scope=g.scope, competition_id=competition_id, entry_id=entry_id, upload_id=upload_id
    )
    return file_response(upload, data)
