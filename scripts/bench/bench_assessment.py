"""City-scale assessment benchmark (DESIGN §8): 6,000 unions, 700,000 members, 3,000,000 facts.

    python scripts/bench/bench_assessment.py [--scales 1,2,4] [--json out.json]

For each scale a scratch MariaDB database (``bench_h6_s<scale>_<pid>``, dropped afterwards) is built
with the migrations, filled by ``scripts/gen_city.py`` and a set-based fact generator (INSERT … SELECT
over MariaDB's ``seq_1_to_N`` sequence tables), then a yearly and a monthly run are executed in a child
process in embedded-queue mode (no REDIS_URL: the run executes inline, as the job would), which reports
its wall time and peak RSS. The baseline, in the same database: ``SELECT org_id, COUNT(*) FROM
participation_facts GROUP BY org_id``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.bench.harness import ROOT, clean_env, machine, scratch_database, upgrade_database

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
        indexes: dict[str, tuple[bool, list[str]]] = {}
        for name, non_unique, column in conn.execute(
            text(
                "SELECT index_name, non_unique, column_name FROM information_schema.statistics "
                "WHERE table_schema = DATABASE() AND table_name = 'participation_facts' "
                "ORDER BY index_name, seq_in_index"
            )
        ):
            indexes.setdefault(name, (not non_unique, []))[1].append(column)
        dropped = {
            name: spec
            for name, spec in indexes.items()
            if name != "PRIMARY" and spec[1][0] not in ("org_id", "member_id")
        }
        if dropped:
            conn.execute(
                text("ALTER TABLE participation_facts " + ", ".join(f"DROP INDEX `{n}`" for n in dropped))
            )
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
    if dropped:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "ALTER TABLE participation_facts "
                    + ", ".join(
                        f"ADD {'UNIQUE ' if unique else ''}INDEX `{n}` ({', '.join(cols)})"
                        for n, (unique, cols) in dropped.items()
                    )
                )
            )
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


def run_child(url: str, period_type: str, period: str) -> dict:
    """One run in a fresh process (so its peak RSS is the run's own)."""
    env = clean_env(DATABASE_URL=url)
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, __file__, "--child", period_type, period],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"run failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child(period_type: str, period: str) -> None:
    from sqlalchemy import event

    from backend import create_app
    from backend.assessment import service as assessment
    from backend.extensions import db

    app = create_app()
    with app.app_context():
        statements: list[tuple[float, str]] = []

        @event.listens_for(db.engine, "before_cursor_execute")
        def _started(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_t"] = time.perf_counter()

        @event.listens_for(db.engine, "after_cursor_execute")
        def _finished(conn, cursor, statement, parameters, context, executemany):
            took = time.perf_counter() - conn.info.pop("bench_t", time.perf_counter())
            statements.append((took, " ".join(statement.split())[:90]))

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        run = assessment.request_run(staff=None, period_type=period_type, period=period, trigger="manual")
        db.session.commit()  # no Redis: the outbox executes the run inline, right here
        elapsed = time.perf_counter() - started
        db.session.expire_all()
        run = db.session.get(type(run), run.id)
        print(
            json.dumps(
                {
                    "status": run.status,
                    "error": run.error,
                    "wall_s": round(elapsed, 2),
                    "engine_s": round((run.duration_ms or 0) / 1000, 2),
                    "orgs": run.orgs_assessed,
                    "rss_before_mb": round(rss_before / 1024, 1),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                    "sql_s": round(sum(t for t, _ in statements), 2),
                    "slowest_sql": [[round(t, 2), s] for t, s in sorted(statements, reverse=True)[:6]],
                }
            )
        )


def bench_scale(scale: int) -> dict:
    out: dict = {
        "scale": scale,
        "unions": 6000 * scale,
        "members": 700_000 * scale,
        "facts": 3_000_000 * scale,
    }
    with scratch_database(f"bench_h6_s{scale}") as url:
        upgrade_database(url)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "scripts/gen_city.py",
                "--unions",
                str(out["unions"]),
                "--members",
                str(out["members"]),
                "--database-url",
                url,
                "--quiet",
            ],
            cwd=ROOT,
            env=clean_env(),
            check=True,
            capture_output=True,
        )
        out["gen_city_s"] = round(time.perf_counter() - started, 1)
        out["gen_facts_s"] = round(generate_facts(url, out["facts"]), 1)
        print(f"  scale {scale}: city {out['gen_city_s']} s, facts {out['gen_facts_s']} s", flush=True)
        out["baseline_s"] = round(baseline(url), 2)
        tmp_before = tmp_disk_tables(url)
        out["year"] = run_child(url, "year", "2026")
        out["year_rerun"] = run_child(url, "year", "2026")
        out["month"] = run_child(url, "month", "2026-06")
        out["mariadb_tmp_disk_tables"] = tmp_disk_tables(url) - tmp_before
        out["year_vs_baseline"] = round(out["year"]["wall_s"] / out["baseline_s"], 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4", help="multiples of the city (default 1,2,4)")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--child", nargs=2, metavar=("PERIOD_TYPE", "PERIOD"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    results = {"machine": machine(), "scales": []}
    for scale in (int(s) for s in args.scales.split(",")):
        point = bench_scale(scale)
        results["scales"].append(point)
        y, m = point["year"], point["month"]
        print(
            f"scale {scale}× ({point['unions']:,} unions, {point['members']:,} members, "
            f"{point['facts']:,} facts): "
            f"year run {y['wall_s']} s (engine {y['engine_s']} s, re-run {point['year_rerun']['wall_s']} s, "
            f"peak RSS {y['peak_rss_mb']} MB), month run {m['wall_s']} s; baseline GROUP BY "
            f"{point['baseline_s']} s → year run = {point['year_vs_baseline']}× baseline; "
            f"MariaDB tmp disk tables +{point['mariadb_tmp_disk_tables']}",
            flush=True,
        )
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
