"""A province's yearly assessment (issue 18, target 3): 12× the city — 72,000 unions, 8.4M members,
36M participation facts — read from the per-org, per-month rollups, against the scan of the facts.

    python scripts/bench/bench_assessment.py [--scale 12] [--facts N] [--keep NAME] [--json out.json]

A scratch MariaDB database (``bench_assess_<pid>``, dropped afterwards; ``--keep NAME`` keeps it and
reuses it next time) is built with the migrations; the org tree comes from ``generate_city`` (members
0), the members and the facts from set-based INSERT … SELECT over MariaDB's ``seq_1_to_N`` tables (no
row goes through Python), then ``flask rollups rebuild`` counts the rollups (the backfill, timed).
Each measurement runs in a child process (its own peak RSS), in embedded-queue mode:

- before — ``engine.compute(source=SCAN)``: the period's facts and the members scanned, as main does;
- after — ``engine.compute(source=ROLLUPS)``, then the whole run as the job does it (results written);
- the standings of both are compared, every org and every indicator (a digest of them).

Baseline in the same database: ``SELECT org_id, COUNT(*) FROM participation_facts GROUP BY org_id``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench.harness import (
    MYSQL_SERVER_URL,
    ROOT,
    clean_env,
    machine,
    run_flask,
    scratch_database,
    upgrade_database,
)

KINDS = (
    "legal.consultation_held",
    "event.attended",
    "competition.entered",
    "competition.quiz_completed",
    "aid.rated",
    "event.signed_up",
    "member.joined",
    "legal.booked",
)
CHUNK_MEMBERS = 100_000  # members per INSERT … SELECT statement
YEAR_SECONDS = 365 * 24 * 3600
THREE_YEARS = 3 * YEAR_SECONDS


def _secondary_indexes(conn, table: str, keep) -> dict[str, tuple[bool, list[str]]]:
    from sqlalchemy import text

    indexes: dict[str, tuple[bool, list[str]]] = {}
    for name, non_unique, column in conn.execute(
        text(
            "SELECT index_name, non_unique, column_name FROM information_schema.statistics "
            "WHERE table_schema = DATABASE() AND table_name = :t ORDER BY index_name, seq_in_index"
        ),
        {"t": table},
    ):
        indexes.setdefault(name, (not non_unique, []))[1].append(column)
    return {n: spec for n, spec in indexes.items() if n != "PRIMARY" and not keep(spec[1])}


def _drop(conn, table: str, indexes: dict) -> None:
    from sqlalchemy import text

    if indexes:
        conn.execute(text(f"ALTER TABLE {table} " + ", ".join(f"DROP INDEX `{n}`" for n in indexes)))


def _add(conn, table: str, indexes: dict) -> None:
    from sqlalchemy import text

    if indexes:
        clauses = [
            f"ADD {'UNIQUE ' if unique else ''}INDEX `{n}` ({', '.join(cols)})"
            for n, (unique, cols) in indexes.items()
        ]
        conn.execute(text(f"ALTER TABLE {table} " + ", ".join(clauses)))


def generate_members(url: str, members: int) -> float:
    """``members`` members spread evenly over the base unions, joined over the three years before
    2027 (status: 1 in 40 erased), with placeholder personal fields — INSERT … SELECT in chunks."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE bench_unions (k INT PRIMARY KEY AUTO_INCREMENT, org_id INT NOT NULL) "
                "SELECT NULL AS k, id AS org_id FROM orgs WHERE level = 'base' ORDER BY id"
            )
        )
        unions = conn.execute(text("SELECT COUNT(*) FROM bench_unions")).scalar()
        dropped = _secondary_indexes(conn, "members", lambda cols: cols[0] in ("org_id", "account_id"))
        _drop(conn, "members", dropped)
        low = (conn.execute(text("SELECT MAX(id) FROM members")).scalar() or 0) + 1
    for first in range(0, members, CHUNK_MEMBERS):
        last = min(first + CHUNK_MEMBERS, members)
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"""
                    INSERT INTO members (id, org_id, name, gender, id_number, id_blind, mobile, mobile_blind,
                                         employer, worker_type, status, joined_at)
                    SELECT {low} + s.seq, u.org_id, '会员', IF(s.seq % 2, 'male', 'female'), x'00',
                           CONCAT('bench', s.seq), x'00', CONCAT('bench', s.seq), '基准单位',
                           ELT(1 + s.seq % 3, 'regular', 'migrant', 'courier'),
                           IF(s.seq % 40 = 0, 'erased', 'active'),
                           TIMESTAMP '2023-12-31 16:00:00' + INTERVAL (s.seq * 7919 % {THREE_YEARS}) SECOND
                    FROM seq_{first}_to_{last - 1} s JOIN bench_unions u ON u.k = 1 + s.seq % {unions}
                    """
                )
            )
    with engine.begin() as conn:
        _add(conn, "members", dropped)
        conn.execute(text("DROP TABLE bench_unions"))
    engine.dispose()
    return time.perf_counter() - started


def generate_facts(url: str, facts: int) -> float:
    """``facts`` participation facts spread over 2026, each credited to a member's union, in chunks
    of INSERT … SELECT (no row goes through Python)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    started = time.perf_counter()
    kinds = ", ".join(f"'{k}'" for k in KINDS)
    with engine.begin() as conn:
        low, high = conn.execute(text("SELECT MIN(id), MAX(id) FROM members")).one()
        # Secondary indexes are dropped for the load and built again afterwards (sorted, far faster
        # than millions of random inserts into a small buffer pool); those the foreign keys need stay.
        dropped = _secondary_indexes(
            conn, "participation_facts", lambda cols: cols[0] in ("org_id", "member_id")
        )
        _drop(conn, "participation_facts", dropped)
    span = high - low + 1
    per_member = -(-facts // span)
    # Fact number n = round × span + (member id − low): members are read in key order (a sequential
    # scan, not a random look-up per fact) and every member gets ⌊facts / members⌋ or one more.
    n = f"r.seq * {span} + (m.id - {low})"
    for first in range(low, high + 1, CHUNK_MEMBERS):
        last = min(first + CHUNK_MEMBERS - 1, high)
        with engine.begin() as conn:
            conn.execute(
                text(
                    f"""
                    INSERT INTO participation_facts
                        (org_id, member_id, kind, occurred_at, ref_type, ref_id, dedupe_key, recorded_at)
                    SELECT m.org_id, m.id, ELT(1 + ({n}) % {len(KINDS)}, {kinds}),
                           TIMESTAMP '2025-12-31 16:00:00' + INTERVAL (({n}) * 7919 % {YEAR_SECONDS}) SECOND,
                           'bench', {n}, CONCAT('bench:', {n}), UTC_TIMESTAMP()
                    FROM members m JOIN seq_0_to_{per_member - 1} r
                    WHERE m.id BETWEEN {first} AND {last} AND {n} < {facts}
                    """
                )
            )
    with engine.begin() as conn:
        _add(conn, "participation_facts", dropped)
    engine.dispose()
    return time.perf_counter() - started


def baseline(url: str) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    best = float("inf")
    with engine.connect() as conn:
        for _ in range(2):
            started = time.perf_counter()
            conn.execute(text("SELECT org_id, COUNT(*) FROM participation_facts GROUP BY org_id")).all()
            best = min(best, time.perf_counter() - started)
    engine.dispose()
    return best


def tmp_disk_tables(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text("SHOW GLOBAL STATUS LIKE 'Created_tmp_disk_tables'")).one()[1]
    engine.dispose()
    return int(value)


def run_child(url: str, source: str, period_type: str, period: str) -> dict:
    """One computation in a fresh process (so its peak RSS is the run's own)."""
    env = clean_env(DATABASE_URL=url)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, __file__, "--child", source, period_type, period],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"run failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def digest(standings) -> str:
    """Every org's tier, grade, score, rank and indicator breakdown, as one hash."""
    h = hashlib.sha256()
    for s in sorted(standings, key=lambda s: s.org_id):
        row = [s.org_id, s.tier, s.grade, str(s.score), s.rank, s.position, s.peers, s.indicators]
        h.update(json.dumps(row, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def child(source: str, period_type: str, period: str) -> None:
    from backend import create_app
    from backend.assessment import engine
    from backend.assessment import service as assessment
    from backend.assessment.metrics import ROLLUPS, SCAN
    from backend.assessment.periods import parse_period
    from backend.extensions import db

    app = create_app()
    with app.app_context():
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        standings = engine.compute(
            assessment.rubrics(),
            parse_period(period_type, period),
            source={"scan": SCAN, "rollups": ROLLUPS}[source],
        )
        out = {
            "compute_s": round(time.perf_counter() - started, 2),
            "orgs": len(standings),
            "digest": digest(standings),
        }
        del standings
        if source == "rollups":  # the whole run, as the job does it: computed and the results written
            started = time.perf_counter()
            run = assessment.request_run(staff=None, period_type=period_type, period=period, trigger="manual")
            db.session.commit()  # no Redis: the outbox executes the run inline, right here
            out["run_s"] = round(time.perf_counter() - started, 2)
            db.session.expire_all()
            run = db.session.get(type(run), run.id)
            out.update(status=run.status, error=run.error, engine_s=round((run.duration_ms or 0) / 1000, 2))
        out["rss_before_mb"] = round(rss_before / 1024, 1)
        out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        print(json.dumps(out))


@contextmanager
def kept_database(name: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    server = create_engine(f"{MYSQL_SERVER_URL.rstrip('/')}/", poolclass=NullPool)
    with server.connect() as conn:
        conn.execute(
            text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    server.dispose()
    yield f"{MYSQL_SERVER_URL.rstrip('/')}/{name}?charset=utf8mb4"


def _count(url: str, table: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
    engine.dispose()
    return int(n)


def build(url: str, out: dict) -> None:
    upgrade_database(url)
    if _count(url, "orgs") == 0:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "scripts/gen_city.py", "--unions", str(out["unions"]), "--members", "0",
             "--counties", str(19 * out["scale"]), "--database-url", url, "--quiet"],
            cwd=ROOT, env=clean_env(), check=True, capture_output=True,
        )  # fmt: skip
        out["gen_orgs_s"] = round(time.perf_counter() - started, 1)
        out["gen_members_s"] = round(generate_members(url, out["members"]), 1)
        print(f"  orgs {out['gen_orgs_s']} s, members {out['gen_members_s']} s", flush=True)
    if _count(url, "participation_facts") == 0:
        out["gen_facts_s"] = round(generate_facts(url, out["facts"]), 1)
        print(f"  facts {out['gen_facts_s']} s", flush=True)
        started = time.perf_counter()
        run_flask("rollups", "rebuild", env=clean_env(DATABASE_URL=url))
        out["rollups_rebuild_s"] = round(time.perf_counter() - started, 1)
        print(f"  flask rollups rebuild {out['rollups_rebuild_s']} s", flush=True)
    out["rows"] = {
        t: _count(url, t)
        for t in ("orgs", "members", "participation_facts", "participation_rollups", "member_rollups")
    }


def bench(args) -> dict:
    scale = args.scale
    out: dict = {
        "scale": scale,
        "unions": args.unions or 6000 * scale,
        "members": args.members if args.members is not None else 700_000 * scale,
        "facts": args.facts if args.facts is not None else 3_000_000 * scale,
    }
    database = kept_database(args.keep) if args.keep else scratch_database("bench_assess")
    with database as url:
        build(url, out)
        out["baseline_s"] = round(baseline(url), 2)
        tmp_before = tmp_disk_tables(url)
        for period_type, period in (("year", "2026"), ("month", "2026-06")):
            point = out[period_type] = {
                "before": run_child(url, "scan", period_type, period),
                "after": run_child(url, "rollups", period_type, period),
            }
            point["identical"] = point["before"]["digest"] == point["after"]["digest"]
            point["speed_up"] = round(
                point["before"]["compute_s"] / max(point["after"]["compute_s"], 0.01), 1
            )
            print(f"  {period_type} {period}: {json.dumps(point, ensure_ascii=False)}", flush=True)
        out["mariadb_tmp_disk_tables"] = tmp_disk_tables(url) - tmp_before
        if args.full_grid:
            # Every (kind, month, union) of 2026 filled: the most rollup rows a year can have, whatever
            # the number of facts behind them (the scan path grows with the facts; this one cannot).
            out["full_grid_rows"] = fill_grid(url)
            out["full_grid_year"] = run_child(url, "rollups", "year", "2026")
            print(f"  full grid: {json.dumps(out['full_grid_year'])}", flush=True)
    return out


def fill_grid(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    kinds = " UNION ALL ".join(f"SELECT '{k}' AS kind" for k in KINDS)
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT IGNORE INTO participation_rollups (kind, month, org_id, facts) "
                f"SELECT k.kind, 202600 + m.seq, o.id, 1 FROM ({kinds}) k JOIN seq_1_to_12 m "
                f"JOIN orgs o WHERE o.level = 'base'"
            )
        )
        rows = conn.execute(text("SELECT COUNT(*) FROM participation_rollups")).scalar()
    engine.dispose()
    return int(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=12, help="multiple of the city (default 12: a province)")
    parser.add_argument("--facts", type=int, help="participation facts (default 3,000,000 × scale)")
    parser.add_argument("--unions", type=int, help="base unions (default 6,000 × scale)")
    parser.add_argument("--members", type=int, help="members (default 700,000 × scale)")
    parser.add_argument("--keep", metavar="NAME", help="build into (or reuse) this database and keep it")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument(
        "--full-grid",
        action="store_true",
        help="then fill every (kind, month, union) of 2026 and run the year again (the most rollup rows)",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("SOURCE", "PERIOD_TYPE", "PERIOD"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    point = bench(args)
    y, m, rows = point["year"], point["month"], point["rows"]
    print(
        f"scale {point['scale']}× ({rows['orgs']:,} orgs, {rows['members']:,} members, "
        f"{rows['participation_facts']:,} facts → {rows['participation_rollups']:,} fact rollups, "
        f"{rows['member_rollups']:,} member rollups)\n"
        f"  year 2026: before (scan) {y['before']['compute_s']} s, peak RSS {y['before']['peak_rss_mb']} MB; "
        f"after (rollups) {y['after']['compute_s']} s, whole run {y['after']['run_s']} s, "
        f"peak RSS {y['after']['peak_rss_mb']} MB; {y['speed_up']}× faster; identical: {y['identical']}\n"
        f"  month 2026-06: before {m['before']['compute_s']} s, after {m['after']['compute_s']} s "
        f"(whole run {m['after']['run_s']} s); identical: {m['identical']}\n"
        f"  baseline GROUP BY over the facts {point['baseline_s']} s; backfill (flask rollups rebuild) "
        f"{point.get('rollups_rebuild_s', '-')} s; MariaDB tmp disk tables "
        f"+{point['mariadb_tmp_disk_tables']}",
        flush=True,
    )
    if "full_grid_year" in point:
        g = point["full_grid_year"]
        print(
            f"  every (kind, month, union) of 2026 filled ({point['full_grid_rows']:,} rollup rows): year "
            f"{g['compute_s']} s, whole run {g['run_s']} s, peak RSS {g['peak_rss_mb']} MB"
        )
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), **point}, indent=2, ensure_ascii=False))
    ok = y["identical"] and m["identical"] and y["after"]["status"] == "done"
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
