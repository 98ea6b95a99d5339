"""Legal-aid fixtures: a centre with a lawyer and a weekly schedule, a frozen clock, members in bulk,
and a gunicorn server for the races."""

from __future__ import annotations

import itertools
import os
import queue
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from backend.auth.service import WORKER, issue_tokens
from backend.common import crypto
from backend.common.idcard import make_id_number
from backend.config import ROOT
from backend.extensions import db
from backend.legal.models import LegalSlot
from backend.members.models import Member, WxAccount
from backend.orgs.models import Org
from tests.factories import Tree, auth
from tests.notify.conftest import private_redis, queue_redis  # noqa: F401  (fixtures for the job tests)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Tuesday 1 December 2026, 08:00 in Shanghai: every test that travels starts here.
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI)
STAFF_API = "/api/v1/staff/legal-aid"
_bulk_sequence = itertools.count(1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class SlotState:
    id: int
    booking_id: int | None
    closed_at: datetime | None
    modes: str


@dataclass
class Network:
    """甲区 county: a 维权中心 with one lawyer (t_lawyer) on duty 09:00–12:00 every day, 60-minute slots."""

    tree: Tree
    center_id: int
    lawyer_id: int
    admin: str  # t_county_a's token
    lawyer: str  # t_lawyer's token

    def free_slots(self, client, day: date | None = None, **params) -> list[dict]:
        params = {"center_id": self.center_id, "page_size": 100, **params}
        if day is not None:
            params["date"] = day.isoformat()
        response = client.get("/api/v1/legal-aid/slots", query_string=params)
        assert response.status_code == 200, response.json
        return response.json

    def slot_at(self, at: datetime) -> SlotState:
        """The lawyer's slot starting at ``at``, as the database has it now."""
        db.session.rollback()
        slot = db.session.scalars(
            select(LegalSlot).where(LegalSlot.lawyer_id == self.lawyer_id, LegalSlot.starts_at == at)
        ).one()
        return SlotState(slot.id, slot.booking_id, slot.closed_at, slot.modes)


def booking_payload(slot_id: int, **overrides) -> dict:
    payload = {
        "slot_id": slot_id,
        "topic": "wages",
        "mode": "in_person",
        "description": "工地干了八个月，老板拖欠工资三万二，想咨询怎么维权",
        "opposing_party": "临汾市某某建筑劳务有限公司",
    }
    payload.update(overrides)
    return payload


def build_network(factory, client) -> Network:
    tree = factory.org_tree()
    admin = factory.staff_token("t_county_a")
    center = client.post(
        f"{STAFF_API}/centers",
        json={
            "org_id": tree.county_a.id,
            "name": "甲区职工维权中心",
            "address": "甲区解放路 18 号职工服务中心二楼",
            "phone": "0357-2345678",
        },
        headers=auth(admin),
    )
    assert center.status_code == 201, center.json
    lawyer = client.post(
        f"{STAFF_API}/lawyers",
        json={
            "staff_id": tree.staff["t_lawyer"].id,
            "center_id": center.json["id"],
            "title": "山西某某律师事务所 律师",
            "specialties": ["劳动争议", "工伤赔偿"],
        },
        headers=auth(admin),
    )
    assert lawyer.status_code == 201, lawyer.json
    for weekday in range(7):
        schedule = client.post(
            f"{STAFF_API}/lawyers/{lawyer.json['id']}/schedules",
            json={
                "weekday": weekday,
                "start_time": "09:00",
                "end_time": "12:00",
                "slot_minutes": 60,
                "modes": ["in_person", "phone", "video"],
            },
            headers=auth(admin),
        )
        assert schedule.status_code == 201, schedule.json
    return Network(tree, center.json["id"], lawyer.json["id"], admin, factory.staff_token("t_lawyer"))


@pytest.fixture
def clock():
    """Time frozen at ``T0``; tests move it with ``clock.move_to(...)``."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def network(factory, client, clock) -> Network:
    return build_network(factory, client)


def bulk_members(org: Org | int, count: int) -> list[str]:
    """``count`` members of ``org`` written straight to the database, each with a worker token: the
    races need hundreds, and the membership journey is tested elsewhere."""
    org_id = org if isinstance(org, int) else org.id
    accounts = []
    for _ in range(count):
        n = next(_bulk_sequence)
        account = WxAccount(openid=f"o_legal_bulk_{n}_{os.getpid()}")
        id_number = make_id_number("140102", date(1970, 1, 1) + timedelta(days=n), n, "female")
        account.member = Member(
            org_id=org_id,
            name=f"测试会员{n}",
            gender="female",
            id_number=id_number,
            id_blind=crypto.id_number_index(id_number),
            mobile=f"137{n:08d}",
            mobile_blind=crypto.phone_index(f"137{n:08d}"),
            employer="测试快递公司",
            worker_type="courier",
        )
        accounts.append(account)
    db.session.add_all(accounts)
    db.session.commit()
    tokens = [issue_tokens(WORKER, account.id).access_token for account in accounts]
    db.session.expunge_all()
    return tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def threaded_server(app, settings):
    """gunicorn with 2 workers × 8 threads (so up to 16 transactions race at once) on the test
    database, shared by a module's tests; yields its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "WECHAT_API_BASE": settings.wechat_api_base,
    }
    env.pop("REDIS_URL", None)
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "--threads", "8", "--backlog", "1024"]
    process = subprocess.Popen(
        [*command, "-b", f"127.0.0.1:{port}", "backend:create_app()"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr], daemon=True).start()
    booted = 0
    while booted < 2:
        line = lines.get(timeout=60)
        log.append(line)
        booted += "Booting worker" in line
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)
