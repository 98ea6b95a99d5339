"""劳动和技能竞赛 in the panel: a county runs a “五小” contest from creation to published ranking
(entries with their attachments, judges' scores, awards), "计算排名" with no score is refused with a
message, and a 安康杯 quiz gets its question bank."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from backend.common.types import utcnow
from backend.competitions.models import Competition, CompetitionEntry
from backend.extensions import db
from tests.admin.conftest import flashes
from tests.competitions import enter, entrant
from tests.uploads.test_uploads import PNG


def _deadline(hours: int = 48) -> str:
    return (utcnow() + timedelta(hours=hours + 8)).strftime("%Y-%m-%dT%H:%M")  # Beijing time


def _act(browser, competition_id: int, action: str) -> list[str]:
    done = browser.post(f"/admin/competition/{competition_id}/act", {"action": action}, follow=True)
    return flashes(done.get_data(as_text=True))


def test_a_five_small_contest_runs_from_creation_to_published_ranking(factory, panel):
    tree = factory.org_tree()
    county = panel("t_county_a")
    assert "“五小”创新" in county.text("/admin/competition/")
    bad = county.post(
        "/admin/competitions/new", {"title": "", "kind": "innovation", "signup_deadline": "明天"}
    )
    assert bad.status_code == 422 and bad.get_data(as_text=True).count('class="error-text" role="alert"') >= 2
    created = county.post(
        "/admin/competitions/new",
        {
            "title": "2026年“五小”创新成果评选",
            "kind": "innovation",
            "entry_mode": "individual",
            "signup_deadline": _deadline(),
            "award_levels": "一等奖\n二等奖\n优秀奖",
        },
    )
    assert created.status_code == 303, created.get_data(as_text=True)
    contest = db.session.scalars(select(Competition)).one()
    contest_id = contest.id
    assert contest.award_levels == ["一等奖", "二等奖", "优秀奖"]
    assert "已办理：开放报名" in _act(county, contest_id, "open")

    people = [entrant(tree.union_a1), entrant(tree.union_a2)]
    for i, who in enumerate(people):
        upload = factory.client.post(
            "/api/v1/uploads",
            data={"file": (io.BytesIO(PNG), "图纸.png")},
            headers=who.headers,
            content_type="multipart/form-data",
        )
        made = enter(
            factory.client,
            who,
            contest_id,
            title=f"快速接线夹第{i + 1}版",
            category="invention",
            description="把接线时间从十分钟缩短到两分钟。",
            evidence_ids=[upload.json["id"]],
        )
        assert made.status_code == 201, made.json
    case = county.text(f"/admin/competition/{contest_id}")
    assert 'data-confirm="确定截止报名吗？' in case  # closing entries early asks first
    assert "已办理：截止报名" in _act(county, contest_id, "close")
    refused = _act(county, contest_id, "rank")
    assert any("还没有录入任何成绩，不能计算排名" in m for m in refused), refused

    page = county.text(f"/admin/competitions/{contest_id}/entries")
    assert "快速接线夹第1版" in page and "附件 1" in page
    link = re.search(r'href="(/admin/competitions/\d+/entries/\d+/attachments/\d+)"', page).group(1)
    assert county.get(link).data == PNG and panel("t_county_b").get(link).status_code == 404
    ids = [e.id for e in db.session.scalars(select(CompetitionEntry).order_by(CompetitionEntry.id))]
    too_high = county.post(
        f"/admin/competitions/{contest_id}/entries/{ids[0]}/score", {"score": "120"}, follow=True
    )
    assert any("不能超过满分" in m for m in flashes(too_high.get_data(as_text=True)))
    for entry_id, value in zip(ids, ("88.5", "93"), strict=True):
        assert (
            county.post(
                f"/admin/competitions/{contest_id}/entries/{entry_id}/score", {"score": value}
            ).status_code
            == 303
        )
    assert "已办理：计算排名" in _act(county, contest_id, "rank")
    awarded = county.post(
        f"/admin/competitions/{contest_id}/awards",
        {f"award_{ids[1]}": "一等奖", f"award_{ids[0]}": "二等奖"},
        follow=True,
    )
    assert any("奖项已保存" in m for m in flashes(awarded.get_data(as_text=True)))
    assert "已办理：公布结果" in _act(county, contest_id, "publish")
    db.session.rollback()
    ranked = {e.id: (e.place, e.award) for e in db.session.scalars(select(CompetitionEntry))}
    assert ranked == {ids[1]: (1, "一等奖"), ids[0]: (2, "二等奖")}


def test_a_quiz_gets_its_question_bank_in_the_panel(factory, panel):
    factory.org_tree()
    county = panel("t_county_a")
    created = county.post(
        "/admin/competitions/new",
        {
            "title": "安康杯安全知识竞赛",
            "kind": "quiz",
            "signup_deadline": _deadline(),
            "time_limit_minutes": "20",
        },
    )
    assert created.status_code == 303 and "/questions" in created.headers["Location"]
    contest_id = db.session.scalars(select(Competition)).one().id
    form = {
        "count": "2",
        "q0_kind": "single",
        "q0_stem": "发现火情首先应当？",
        "q0_options": "报警\n逃跑",
        "q0_answer": "A",
        "q0_points": "5",
    }
    bad = county.post(
        f"/admin/competitions/{contest_id}/questions",
        {**form, "q1_stem": "只有一个选项", "q1_options": "甲", "q1_answer": "A"},
    )
    assert bad.status_code == 422 and 'class="error-text" role="alert"' in bad.get_data(as_text=True)
    saved = county.post(f"/admin/competitions/{contest_id}/questions", form, follow=True)
    assert any("题库已保存，共 1 题" in m for m in flashes(saved.get_data(as_text=True)))
    assert "发现火情首先应当？" in county.text(f"/admin/competitions/{contest_id}/questions")
    assert "已办理：开放报名" in _act(county, contest_id, "open")
