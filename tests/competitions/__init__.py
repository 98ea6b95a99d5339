"""Helpers of the competition tests: members in bulk (straight into the tables, with real tokens),
competitions set up through the staff API, a sample 安康杯 question set, and what the outbox holds."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from backend.auth.service import STAFF, issue_tokens
from backend.common.types import utcnow
from backend.extensions import db
from backend.notify.models import Notification
from backend.orgs.models import Org
from backend.outbox.models import OutboxMessage
from tests.factories import BulkMember, Tree, auth, bulk_members

API = "/api/v1/competitions"
STAFF_API = "/api/v1/staff/competitions"
_sequence = itertools.count(1)


Entrant = BulkMember


def add_members(org: Org, count: int = 1, *, worker_type: str = "regular") -> list[Entrant]:
    """``count`` members of ``org``, each with a WeChat account and a worker token."""
    rows = []
    for _ in range(count):
        n = next(_sequence)
        rows.append(
            {
                "name": f"王选手{n}",
                "gender": "male",
                "born": date(1980, 1, 1) + timedelta(days=n),
                "mobile": f"136{n:08d}",
                "employer": "临汾市某某机械厂",
                "worker_type": worker_type,
            }
        )
    return bulk_members(org, rows, openid_prefix="o_competition_")


def entrant(org: Org, **kwargs) -> Entrant:
    return add_members(org, 1, **kwargs)[0]


def staff_token(tree: Tree, username: str) -> str:
    """A token for one of the tree's staff accounts (password log-in is tested in tests/auth)."""
    return issue_tokens(STAFF, tree.staff[username].id).access_token


def competition_payload(**overrides) -> dict:
    payload = {
        "title": "2026年电工岗位练兵技能比赛",
        "description": "围绕低压配电安装与故障排除，理论加实操。",
        "kind": "skill",
        "entry_mode": "individual",
        "signup_deadline": (utcnow() + timedelta(days=7)).isoformat(),
    }
    payload.update(overrides)
    return payload


QUESTIONS = [
    {
        "kind": "single",
        "stem": "安康杯竞赛活动的主题是？",
        "options": ["安全生产与职业健康", "技能比武", "文艺汇演"],
        "answer": ["A"],
        "points": 2,
    },
    {
        "kind": "multiple",
        "stem": "下列哪些属于劳动防护用品？",
        "options": ["安全帽", "绝缘手套", "手机", "防护眼镜"],
        "answer": ["A", "B", "D"],
        "points": 3,
    },
    {
        "kind": "single",
        "stem": "发现安全隐患应当？",
        "options": ["视而不见", "立即报告", "自行拆除"],
        "answer": ["B"],
        "points": 1,
    },
]


def create(client, staff_token: str, **overrides) -> dict:
    response = client.post(STAFF_API, json=competition_payload(**overrides), headers=auth(staff_token))
    assert response.status_code == 201, response.json
    return response.json


def act(client, staff_token: str, competition_id: int, action: str):
    return client.post(
        f"{STAFF_API}/{competition_id}/transition", json={"action": action}, headers=auth(staff_token)
    )


def open_competition(client, staff_token: str, **overrides) -> dict:
    competition = create(client, staff_token, **overrides)
    if competition["kind"] == "quiz":
        questions = client.put(
            f"{STAFF_API}/{competition['id']}/questions",
            json={"questions": QUESTIONS},
            headers=auth(staff_token),
        )
        assert questions.status_code == 200, questions.json
    opened = act(client, staff_token, competition["id"], "open")
    assert opened.status_code == 200, opened.json
    return opened.json


def open_quiz(client, staff_token: str, **overrides) -> dict:
    return open_competition(
        client,
        staff_token,
        **{"title": "安康杯安全知识竞赛", "kind": "quiz", "time_limit_minutes": 10, **overrides},
    )


def enter(client, who: Entrant, competition_id: int, **body):
    return client.post(f"{API}/{competition_id}/entries", json=body, headers=who.headers)


def join(client, who: Entrant, competition_id: int, code: str, **body):
    return client.post(f"{API}/{competition_id}/teams/join", json={"code": code, **body}, headers=who.headers)


def queued(topic: str) -> list[dict]:
    """Payloads of the outbox rows of ``topic`` (whether or not a worker has run them yet)."""
    stmt = select(OutboxMessage.payload).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
    return list(db.session.scalars(stmt))


def facts(kind: str) -> list[dict]:
    return [p for p in queued("participation.record") if p["kind"] == kind]


def inbox(account_id: int) -> list[str]:
    """Kinds of the notifications a worker got, oldest first."""
    stmt = select(Notification.kind).where(Notification.account_id == account_id).order_by(Notification.id)
    return list(db.session.scalars(stmt))
