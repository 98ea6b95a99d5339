"""The fault run: the scale-out topology under a mixed load, losing one piece at a time.

    .venv/bin/python scripts/cluster/fault_run.py [--phase-seconds 30] [--kill-at 8] [--run-dir DIR]

Starts the topology (``topology.py``: 3 Galera nodes behind HAProxy, Redis + replica + 3 Sentinels,
2 API hosts, 2 RQ workers, the scheduler), then runs four phases. In each, through HAProxy's API port,
phones file wage claims, rush the sign-up of a fresh event (seats and per-gender quotas), apply to join
while a staffer approves them (each approval is a WeChat notification sent by a worker), and
``--kill-at`` seconds in one piece is killed with SIGKILL:

1. the Galera node that takes the writes,   2. the Redis primary (Sentinel promotes the replica),
3. one API host,                            4. one RQ worker.

A phone retries what failed (a connection error or a 5xx) with the same ``Idempotency-Key``, as the
mini-program does. After each phase the killed piece is started again (the node rejoins by IST, the
old Redis primary comes back as a replica) so the next phase again has one to lose. At the end the
database is checked against what the phones were told, and the table is printed:

accepted    requests answered 2xx         stored      of those, found in the database
lost        accepted but not stored       duplicated  stored more than once for one request
5xx / 500   5xx answers seen by phones (500: the app's own errors, the target is 0)
recover s   from the kill to the last failed request (0: no phone noticed)

plus the rushed events' seats against their quotas, the notifications (sent exactly once?), and the
statistics and assessment computed from each of the three nodes (identical?). Exits 1 when anything
was lost, duplicated or oversold, a 500 was answered or the reports differ. Stops everything it started.
"""

from __future__ import annotations

import argparse
import itertools
import random
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # runnable from a plain checkout

import requests

from scripts.cluster.topology import Topology, wait_until

API = "/api/v1"
RETRY_FOR = 90.0  # seconds a phone keeps retrying one request before giving up
PHASES = ("Galera node", "Redis primary", "API host", "RQ worker")


@dataclass
class Call:
    kind: str
    key: str
    accepted: bool = False
    status: int | None = None
    body: dict | None = None


@dataclass
class Phase:
    name: str
    started: float = 0.0
    killed_at: float = 0.0
    calls: list[Call] = field(default_factory=list)
    failures: list[tuple[float, str]] = field(default_factory=list)  # (time, "502" | "ConnectionError" …)
    event_id: int | None = None
    notes: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, what: str) -> None:
        with self.lock:
            self.failures.append((time.monotonic(), what))

    def record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)


def phone_call(phase: Phase, session: requests.Session, method: str, url: str, call: Call, **kwargs) -> Call:
    """One request as a phone makes it: retried on a connection error or a 5xx with the same
    Idempotency-Key, for up to RETRY_FOR seconds; a 2xx or 4xx answer is final."""
    deadline = time.monotonic() + RETRY_FOR
    while time.monotonic() < deadline:
        try:
            response = session.request(method, url, timeout=20, **kwargs)
        except requests.RequestException as exc:
            phase.failed(type(exc).__name__)
        else:
            if response.status_code < 500:
                call.status = response.status_code
                call.accepted = response.status_code < 300
                try:
                    call.body = response.json()
                except ValueError:
                    call.body = None
                break
            phase.failed(str(response.status_code))
        time.sleep(0.3)  # the phone's back-off before it tries again
    phase.record(call)
    return call


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


class Load:
    """The mixed load of one phase, from a few threads each pacing its own kind of request."""

    def __init__(self, run: FaultRun, phase: Phase, number: int):
        self.run, self.phase, self.number = run, phase, number
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for target, count in ((self.wage_claims, 2), (self.sign_ups, 3), (self.join_and_approve, 2)):
            for k in range(count):
                thread = threading.Thread(target=target, args=(k, count), daemon=True)
                thread.start()
                self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=RETRY_FOR + 30)

    def _pace(self, seconds: float) -> None:
        self.stop.wait(seconds)

    def wage_claims(self, k: int, count: int) -> None:
        from scripts.bench.bench_wages import claim_payload

        session = requests.Session()
        for i in itertools.count(k, count):
            if self.stop.is_set():
                return
            n = self.number * 100_000 + i
            body = claim_payload(n, self.run.town_id) | {"project": f"故障演练工地-{n}"}
            token = self.run.member_tokens[n % len(self.run.member_tokens)]
            call = Call("wage claim", f"fault-wage-{n}")
            phone_call(self.phase, session, "POST", f"{self.run.api}/wage-claims", call, json=body,
                       headers=bearer(token, call.key))  # fmt: skip
            self._pace(0.25)

    def sign_ups(self, k: int, count: int) -> None:
        session = requests.Session()
        members = self.run.rush_order[self.number][k::count]
        for member in members:
            if self.stop.is_set():
                return
            call = Call("event sign-up", f"fault-signup-{self.phase.event_id}-{member}")
            phone_call(
                self.phase, session, "POST", f"{self.run.api}/events/{self.phase.event_id}/signups", call,
                json={"single_declared": True, "declaration_version": "2026-01"},
                headers=bearer(self.run.member_tokens[member], call.key),
            )  # fmt: skip
            self._pace(0.35)

    def join_and_approve(self, k: int, count: int) -> None:
        from scripts.bench.bench_membership import application_payload

        session = requests.Session()
        for j in itertools.count(k, count):
            if self.stop.is_set():
                return
            n = self.number * 10_000 + j
            login = phone_call(self.phase, session, "POST", f"{self.run.api}/auth/wechat-login",
                               Call("log-in", f"fault-login-{n}"), json={"code": f"fault-{n}"})  # fmt: skip
            if not login.accepted:
                continue
            token = login.body["access_token"]
            for grant in (1, 2):  # one send for "submitted", one for "approved"
                phone_call(self.phase, session, "POST", f"{self.run.api}/subscriptions",
                           Call("subscribe", f"fault-sub-{n}-{grant}"),
                           json={"template_ids": ["TPL_REVIEW_RESULT"]}, headers=bearer(token))  # fmt: skip
            apply = Call("application", f"fault-apply-{n}")
            body = application_payload(n, self.run.union_id)
            phone_call(self.phase, session, "POST", f"{self.run.api}/membership/applications", apply,
                       json=body, headers=bearer(token, apply.key))  # fmt: skip
            if not apply.accepted:
                continue
            application_id = apply.body["id"]
            approve = Call("staff approval", f"fault-approve-{application_id}")
            phone_call(self.phase, session, "POST",
                       f"{self.run.api}/staff/membership/applications/{application_id}/transition", approve,
                       json={"action": "approve"}, headers=bearer(self.run.staff_token))  # fmt: skip
            if not approve.accepted and approve.status in (409, 422):
                # A retry of an approval that had been made before its answer was lost: the
                # application tells what really happened.
                shown = session.get(f"{self.run.api}/staff/membership/applications/{application_id}",
                                    headers=bearer(self.run.staff_token), timeout=20)  # fmt: skip
                approve.accepted = shown.ok and shown.json().get("status") == "approved"
            self._pace(0.4)


class FaultRun:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.topology = Topology(args.run_dir, args.base)
        self.api = f"{self.topology.api_url}{API}"
        self.phases: list[Phase] = []
        self.rush_order: dict[int, list[int]] = {}
        self.problems: list[str] = []
        self.settled_after: float | None = None

    # --- setup ---------------------------------------------------------------------------------------

    def app(self):
        from backend import create_app
        from backend.config import Settings

        return create_app(Settings.from_env(self.topology.app_env("fault-run")))

    def prepare(self) -> None:
        from sqlalchemy import select

        from backend.extensions import db
        from backend.orgs.models import Org, OrgLevel
        from scripts.bench.bench_events import make_members

        self.checker = self.app()
        with self.checker.app_context():
            self.member_tokens = make_members(self.args.members)
            self.town_id = db.session.scalars(
                select(Org.id).where(Org.level == OrgLevel.TOWN).order_by(Org.id)
            ).first()
        unions = requests.get(
            f"{self.api}/orgs", params={"level": "base", "accepting_members": "true"}, timeout=20
        )
        self.union_id = next(o["id"] for o in unions.json() if o["accepts_members"])
        from backend.demo.tree import DEMO_PASSWORD

        login = requests.post(
            f"{self.api}/staff/login", json={"username": "demo_city", "password": DEMO_PASSWORD}, timeout=20
        )
        login.raise_for_status()
        self.staff_token = login.json()["access_token"]

    def publish_event(self, number: int) -> int:
        from scripts.bench.bench_events import publish_event

        half = self.args.seats // 2
        event_id = publish_event(
            self.topology.api_url,
            self.staff_token,
            title=f"故障演练联谊会 {number + 1}",
            seats=self.args.seats,
            half=half,
        )
        order = list(range(len(self.member_tokens)))
        random.Random(number).shuffle(order)
        self.rush_order[number] = order
        return event_id

    # --- the faults -----------------------------------------------------------------------------------

    def kill(self, number: int, phase: Phase) -> None:
        t = self.topology
        if number == 0:
            phase.notes.append("killed node1 (the writer); HAProxy moved the writes to another node")
            t.kill("node1")
            wait_until(
                "the cluster to shrink to 2", lambda: t.node_status(2)["wsrep_cluster_size"] == "2", 60
            )
            phase.notes.append(f"cluster of 2 after {time.monotonic() - phase.killed_at:.1f} s")
        elif number == 1:
            _, port = t.redis_master()
            self.redis_killed = next(i for i in t.REDIS if t.ports.redis(i) == port)
            t.kill(f"redis{self.redis_killed}")
            wait_until("Sentinel to promote the replica", lambda: t.redis_master()[1] != port, 60)
            phase.notes.append(
                f"killed redis{self.redis_killed} (primary :{port}); "
                f"Sentinel promoted :{t.redis_master()[1]} "
                f"after {time.monotonic() - phase.killed_at:.1f} s"
            )
        elif number == 2:
            t.kill("api1")
            phase.notes.append("killed api1 (gunicorn master and workers); HAProxy sends everything to api2")
        else:
            t.kill("worker1")
            phase.notes.append("killed worker1 (SIGKILL, possibly mid-job); worker2 goes on")

    def restore(self, number: int, phase: Phase) -> None:
        t = self.topology
        began = time.monotonic()
        if number == 0:
            t.start_node(1)
            wait_until("node1 to rejoin", lambda: t.node_status(1)["wsrep_cluster_size"] == "3", 120)
            # HAProxy gives the writes back to node1 (cutting the backup's sessions) before the next phase.
            wait_until("HAProxy to write to node1 again", lambda: t.writer() == "node1", 60)
            phase.notes.append(
                f"node1 restarted: rejoined (IST) and Synced in {time.monotonic() - began:.1f} s"
            )
        elif number == 1:
            t.start_redis(self.redis_killed, replica_of=t.redis_master()[1])
            phase.notes.append(f"redis{self.redis_killed} restarted as a replica")
        elif number == 2:
            t.start_api_host(1)
            phase.notes.append(f"api1 restarted and ready in {time.monotonic() - began:.1f} s")
        else:
            t.start_worker(1)
            phase.notes.append("worker1 restarted")

    def run_phase(self, number: int) -> Phase:
        phase = Phase(PHASES[number])
        self.phases.append(phase)
        phase.event_id = self.publish_event(number)
        load = Load(self, phase, number)
        phase.started = time.monotonic()
        self.topology.say(f"phase {number + 1}: {phase.name} — load on, kill in {self.args.kill_at} s")
        load.start()
        time.sleep(self.args.kill_at)  # the load runs; then the fault
        phase.killed_at = time.monotonic()
        self.kill(number, phase)
        remaining = phase.started + self.args.phase_seconds - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        load.finish()
        self.restore(number, phase)
        return phase

    # --- checks ---------------------------------------------------------------------------------------

    def settle_notifications(self) -> None:
        """Wait (bounded) until the outbox is drained and every approval's notification is final."""
        from sqlalchemy import func, select

        from backend.extensions import db
        from backend.notify.models import Notification, WeChatStatus
        from backend.outbox.models import OutboxMessage

        def settled() -> bool:
            with self.checker.app_context():
                open_outbox = db.session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.done_at.is_(None))
                )
                pending = db.session.scalar(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.wechat_status == WeChatStatus.PENDING)
                )
                db.session.remove()
                return open_outbox == 0 and pending == 0

        try:
            # A job whose worker was killed mid-job is retried once a worker's check finds it abandoned
            # (``rq worker --maintenance-interval 60``: within a minute after the job's own time is up).
            began = time.monotonic()
            wait_until("the notifications to settle", settled, timeout=360, every=1)
            self.settled_after = time.monotonic() - began
        except RuntimeError as exc:
            self.problems.append(str(exc))

    def check(self) -> list[tuple]:
        from sqlalchemy import func, select

        from backend.events.models import Event, EventSignup
        from backend.extensions import db
        from backend.members.models import MembershipApplication
        from backend.wages.models import WageClaim

        rows = []
        with self.checker.app_context():
            for phase in self.phases:
                accepted = stored = lost = duplicated = 0
                by_kind: dict[str, list[Call]] = defaultdict(list)
                for call in phase.calls:
                    by_kind[call.kind].append(call)
                for call in by_kind["wage claim"]:
                    n = call.key.rsplit("-", 1)[1]
                    found = db.session.scalar(
                        select(func.count())
                        .select_from(WageClaim)
                        .where(WageClaim.project == f"故障演练工地-{n}")
                    )
                    accepted += call.accepted
                    stored += bool(found) and call.accepted
                    lost += call.accepted and not found
                    duplicated += max(0, found - 1)
                signups = db.session.scalars(
                    select(EventSignup).where(EventSignup.event_id == phase.event_id)
                ).all()
                per_member = Counter(s.member_id for s in signups)
                ids = {s.id for s in signups}
                for call in by_kind["event sign-up"]:
                    found = bool(call.accepted and call.body and call.body.get("id") in ids)
                    accepted += call.accepted
                    stored += found
                    lost += call.accepted and not found
                duplicated += sum(n - 1 for n in per_member.values() if n > 1)
                for call in by_kind["application"]:
                    accepted += call.accepted
                    if call.accepted:
                        found = db.session.get(MembershipApplication, call.body["id"]) is not None
                        stored += found
                        lost += not found
                apply_keys = [c for c in by_kind["application"] if c.accepted]
                mobiles = Counter(
                    db.session.scalars(
                        select(MembershipApplication.mobile_blind).where(
                            MembershipApplication.id.in_([c.body["id"] for c in apply_keys] or [0])
                        )
                    )
                )
                duplicated += sum(n - 1 for n in mobiles.values() if n > 1)
                for call in by_kind["staff approval"]:
                    accepted += call.accepted
                    application_id = int(call.key.rsplit("-", 1)[1])
                    approved = db.session.get(MembershipApplication, application_id).status == "approved"
                    stored += call.accepted and approved
                    lost += call.accepted and not approved
                accepted += sum(c.accepted for c in by_kind["log-in"] + by_kind["subscribe"])
                stored += sum(c.accepted for c in by_kind["log-in"] + by_kind["subscribe"])
                statuses = Counter(what for _, what in phase.failures)
                five = sum(n for what, n in statuses.items() if what.isdigit())
                after = [t for t, _ in phase.failures if t >= phase.killed_at]
                recover = (max(after) - phase.killed_at) if after else 0.0
                rows.append(
                    (
                        phase.name,
                        accepted,
                        stored,
                        lost,
                        duplicated,
                        five,
                        statuses.get("500", 0),
                        round(recover, 1),
                    )
                )
                if lost or duplicated or statuses.get("500"):
                    self.problems.append(
                        f"{phase.name}: lost {lost}, duplicated {duplicated}, 500s {statuses.get('500', 0)}"
                    )
                event = db.session.get(Event, phase.event_id)
                seated = [s for s in signups if s.status == "seated"]
                genders = Counter(s.gender for s in seated)
                waiting = sorted(s.waitlist_position for s in signups if s.status == "waitlisted")
                half = self.args.seats // 2
                exact = (
                    len(seated) == self.args.seats
                    and genders == {"male": half, "female": half}
                    and (event.seated, event.seated_male, event.seated_female)
                    == (len(seated), genders["male"], genders["female"])
                    and waiting == list(range(1, len(waiting) + 1))
                )
                phase.notes.append(
                    f"event {phase.event_id}: {len(signups)} sign-ups, "
                    f"seated {len(seated)}/{self.args.seats} "
                    f"(men {genders['male']}/{half}, women {genders['female']}/{half}), "
                    f"waitlist 1..{len(waiting)}; counters agree: {exact}; "
                    f"oversold: {max(0, len(seated) - self.args.seats)}"
                )
                if not exact:
                    self.problems.append(f"{phase.name}: the rushed event's seats are not exact")
                phase.notes.append(
                    "failures seen by phones: "
                    + (", ".join(f"{k} ×{v}" for k, v in statuses.most_common()) or "none")
                )
            db.session.remove()
        return rows

    def check_notifications(self) -> str:
        """Every approval has its notification; WeChat got each sent one exactly once."""
        from sqlalchemy import select

        from backend.extensions import db
        from backend.members.models import WxAccount
        from backend.notify.models import Notification, WeChatStatus

        approvals = sum(c.accepted for p in self.phases for c in p.calls if c.kind == "staff approval")
        sent = requests.get(self.topology.wechat_url("/__fake/sent"), params={"limit": 1_000_000}, timeout=20)
        received = Counter(
            m["touser"] for m in sent.json()["sent"] if m.get("template_id") == "TPL_REVIEW_RESULT"
        )
        with self.checker.app_context():
            rows = db.session.execute(
                select(WxAccount.openid, Notification.kind, Notification.wechat_status)
                .join(Notification, Notification.account_id == WxAccount.id)
                .where(Notification.kind.like("membership.%"), WxAccount.openid.like("o_fault-%"))
            ).all()
            db.session.remove()
        approved = [r for r in rows if r.kind == "membership.approved"]
        statuses = Counter(r.wechat_status for r in approved)
        sent_by_us = Counter(r.openid for r in rows if r.wechat_status == WeChatStatus.SENT)
        # "sending"/"unknown": a worker died between handing it to WeChat and writing it down; it may
        # have arrived once (at most once). A duplicate is WeChat holding more than could have been sent.
        maybe_sent = Counter(
            r.openid
            for r in rows
            if r.wechat_status in (WeChatStatus.SENT, WeChatStatus.SENDING, WeChatStatus.UNKNOWN)
        )
        duplicated = sum(max(0, n - maybe_sent[user]) for user, n in received.items())
        lost = approvals - len(approved)
        if duplicated or lost > 0:
            self.problems.append(f"notifications: {duplicated} duplicated, {lost} approvals without one")
        return (
            f"approval notifications: {approvals} approvals, {len(approved)} notifications "
            f"({', '.join(f'{k} {v}' for k, v in statuses.most_common())}); membership messages WeChat "
            f"received {sum(received.values())}, sent by the workers {sum(sent_by_us.values())}, "
            f"duplicated {duplicated}, lost {max(lost, 0)}"
        )

    def check_uploads(self) -> str:
        """A photo uploaded through API host 1 is served by API host 2 (UPLOAD_STORAGE=database)."""
        import io
        import os as os_

        photo = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + os_.urandom(512)
        host = lambda i: f"http://127.0.0.1:{self.topology.ports.api_host(i)}{API}"  # noqa: E731
        token = self.member_tokens[0]
        sent = requests.post(f"{host(1)}/uploads", files={"file": ("现场.png", io.BytesIO(photo))},
                             headers=bearer(token), timeout=20)  # fmt: skip
        if sent.status_code != 201:
            self.problems.append(f"upload through api1: {sent.status_code} {sent.text[:200]}")
            return "upload through api1 failed"
        served = requests.get(f"{host(2)}/uploads/{sent.json()['id']}", headers=bearer(token), timeout=20)
        same = served.status_code == 200 and served.content == photo
        if not same:
            self.problems.append(f"the photo from api1 is not served by api2: {served.status_code}")
        return f"a photo uploaded through api1 is served byte for byte by api2: {same}"

    def check_reports(self) -> str:
        """Statistics and an assessment computed from each node in turn: the same figures."""
        import dataclasses

        from backend import create_app, replica
        from backend.assessment import engine
        from backend.assessment import service as assessment
        from backend.config import Settings
        from backend.demo.tree import DEMO_CITY_NAME
        from backend.extensions import db
        from backend.orgs.models import Org
        from backend.stats import service as stats

        base = Settings.from_env(self.topology.app_env("fault-run"))
        answers = []
        for i in self.topology.NODES:
            url = base.database_url.replace(
                f":{self.topology.ports.db_write}/", f":{self.topology.ports.node(i)}/"
            )
            app = create_app(dataclasses.replace(base, database_read_url=url))
            with app.test_request_context(), replica.reads():
                from sqlalchemy import select

                city = db.session.scalars(select(Org).where(Org.name == DEMO_CITY_NAME)).one()
                today = date.today()
                summary = stats.subtree_summary(org=city, start=date(today.year, 1, 1), end=today)
                series = stats.monthly_series(org=city, start=date(today.year, 1, 1), end=today)
                period = assessment.period_of("year", str(today.year))
                standings = [dataclasses.astuple(s) for s in engine.compute(assessment.rubrics(), period)]
                answers.append((summary, series, standings))
                db.session.remove()
                for bind in db.engines.values():
                    bind.dispose()
        identical = all(a == answers[0] for a in answers[1:])
        if not identical:
            self.problems.append("the reports differ between nodes")
        s = answers[0][0]
        return (
            f"reports read from node1, node2, node3: identical = {identical} "
            f"(members {s['members']}, wage claims {sum(s['wage_by_status'].values())}, "
            f"{len(answers[0][2])} unions assessed)"
        )

    # --- the whole run --------------------------------------------------------------------------------

    def main(self) -> int:
        began = time.monotonic()
        try:
            self.topology.start()
            self.prepare()
            uploads = self.check_uploads()
            for number in range(len(PHASES)):
                self.run_phase(number)
            self.settle_notifications()
            rows = self.check()
            notes = [uploads, self.check_notifications(), self.check_reports()]
            if self.settled_after is not None:
                notes.append(
                    f"every notification final {self.settled_after:.0f} s after the last phase ended"
                )
        finally:
            self.topology.stop()
        print_table(rows, self.phases, notes, time.monotonic() - began)
        if self.problems:
            print("\nPROBLEMS:\n  " + "\n  ".join(self.problems))
            return 1
        return 0


def print_table(rows: list[tuple], phases: list[Phase], notes: list[str], seconds: float) -> None:
    header = ("killed", "accepted", "stored", "lost", "duplicated", "5xx", "500", "recover s")
    table = [header, *[tuple(str(v) for v in row) for row in rows]]
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    print()
    for k, row in enumerate(table):
        print(
            "  ".join(
                v.ljust(w) if c == 0 else v.rjust(w) for c, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for phase in phases:
        print(f"{phase.name}:")
        for note in phase.notes:
            print(f"  - {note}")
    for note in notes:
        print(f"- {note}")
    print(f"- whole run (start, four phases, checks, stop): {seconds:.0f} s")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Kill one piece at a time under load; count what was lost.")
    parser.add_argument("--run-dir", type=Path, default=Path("/tmp/zhigong-fault-run"))
    parser.add_argument("--base", type=int, default=21900, help="first of the 100 ports used (21900)")
    parser.add_argument("--phase-seconds", type=float, default=30, help="load per phase (30)")
    parser.add_argument("--kill-at", type=float, default=8, help="seconds into a phase of the kill (8)")
    parser.add_argument("--members", type=int, default=120, help="members rushing each event (120)")
    parser.add_argument(
        "--seats", type=int, default=40, help="seats of each rushed event, half per gender (40)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the topology on a plain kill too
    return FaultRun(args).main()


if __name__ == "__main__":
    sys.exit(main())
