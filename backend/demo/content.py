"""Demo content (演示内容) for ``flask seed-demo``: what a worker or a staff member finds on day one.

A legal-aid centre in 尧都区 with the demo lawyer and a weekday schedule, a matchmaking event open for
sign-up, a skill contest and a "五小" innovation contest open for entries. Everything goes through the
domain services acting as ``demo_county``, so the demo obeys the same rules (and leaves the same
audit trail) as content made in the panel. Each item is added only if it is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.common.types import utcnow
from backend.competitions import service as competitions
from backend.competitions.models import Competition, CompetitionKind, EntryMode
from backend.competitions.schemas import NewCompetition
from backend.events import service as events
from backend.events.models import Event
from backend.events.schemas import NewEvent
from backend.legal import network
from backend.legal.models import LegalCenter, Mode
from backend.legal.schemas import CenterNew, LawyerNew, ScheduleTerms
from backend.staff.models import Staff
from backend.staff.scope import Scope

CENTER_NAME = "尧都区职工法律援助维权中心"
EVENT_TITLE = "尧都区青年职工“缘聚平阳”联谊会"
SKILL_TITLE = "尧都区职工电工技能比赛"
INNOVATION_TITLE = "尧都区职工“五小”创新成果征集"


@dataclass
class DemoContent:
    added: list[str] = field(default_factory=list)


def seed_demo_content(session: Session) -> DemoContent:
    """Add the demo centre, event and contests that are missing. Flushes, never commits."""
    county = session.scalars(select(Staff).where(Staff.username == "demo_county")).one()
    lawyer = session.scalars(select(Staff).where(Staff.username == "demo_lawyer")).one()
    scope = Scope.of(county)
    content = DemoContent()
    now = utcnow()

    if not session.scalars(select(LegalCenter.id).where(LegalCenter.name == CENTER_NAME)).first():
        center = network.create_center(
            scope=scope,
            staff=county,
            center_in=CenterNew(
                org_id=county.org_id,
                name=CENTER_NAME,
                address="临汾市尧都区解放路工人文化宫一层",
                phone="0357-2012345",
                intro="为职工提供劳动争议、欠薪追讨、工伤赔偿等法律咨询。",
            ),
        )
        profile = network.add_lawyer(
            scope=scope,
            staff=county,
            lawyer_in=LawyerNew(
                staff_id=lawyer.id,
                center_id=center.id,
                title="特聘律师",
                specialties=["劳动争议", "工伤赔偿"],
            ),
        )
        for weekday in range(5):
            network.add_schedule(
                scope=scope,
                staff=county,
                lawyer_id=profile.id,
                terms=ScheduleTerms(
                    weekday=weekday,
                    start_time=time(9, 0),
                    end_time=time(11, 0),
                    slot_minutes=30,
                    modes=[Mode.IN_PERSON, Mode.PHONE, Mode.VIDEO],
                ),
            )
        content.added.append(CENTER_NAME)

    if not session.scalars(select(Event.id).where(Event.title == EVENT_TITLE)).first():
        starts = (now + timedelta(days=21)).replace(hour=6, minute=0, second=0, microsecond=0)
        event = events.create_event(
            scope=scope,
            staff=county,
            event_in=NewEvent(
                title=EVENT_TITLE,
                description="面向尧都区单身职工会员的户外联谊活动，含破冰游戏与自由交流。",
                place="临汾市尧都区汾河公园南门",
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                signup_opens_at=now - timedelta(minutes=1),
                signup_closes_at=starts - timedelta(days=2),
                capacity=40,
                male_quota=20,
                female_quota=20,
                min_age=22,
                max_age=40,
                citywide=True,
            ),
        )
        events.transition_event(scope=scope, staff=county, event_id=event.id, action="publish")
        content.added.append(EVENT_TITLE)

    contests = (
        (SKILL_TITLE, CompetitionKind.SKILL, ["电工", "焊工"], "按工种报名，理论考试与实操考核各占一半。"),
        (INNOVATION_TITLE, CompetitionKind.INNOVATION, [], "征集小发明、小创造、小革新、小设计、小建议。"),
    )
    for title, kind, trades, description in contests:
        if session.scalars(select(Competition.id).where(Competition.title == title)).first():
            continue
        competition = competitions.create_competition(
            scope=scope,
            staff=county,
            competition_in=NewCompetition(
                org_id=county.org_id,
                title=title,
                description=description,
                kind=kind,
                entry_mode=EntryMode.INDIVIDUAL,
                trades=trades,
                signup_deadline=now + timedelta(days=30),
                full_marks=100,
            ),
        )
        competitions.transition(scope=scope, staff=county, competition_id=competition.id, action="open")
        content.added.append(title)
    session.flush()
    return content
