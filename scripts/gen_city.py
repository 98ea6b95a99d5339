"""Load a benchmark city (基准测试市) at DESIGN §1 scale: ~6,000 base unions, ~700,000 members.

    python scripts/gen_city.py --unions 6000 --members 700000 [--database-url mysql://...]

Settings come from the environment (DATABASE_URL, DATA_KEY …) as for the app; ``--database-url``
overrides DATABASE_URL. The database must already have the schema (``flask db upgrade``);
``--create-tables`` creates missing tables with ``db.create_all()`` for a scratch database.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # runnable from a plain checkout


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Generate the benchmark city 基准测试市总工会.")
    parser.add_argument("--unions", type=int, default=6000, help="base unions (default 6000)")
    parser.add_argument("--members", type=int, default=700_000, help="members (default 700000)")
    parser.add_argument("--counties", type=int, default=19, help="county-level federations (default 19)")
    parser.add_argument("--seed", type=int, default=1, help="random seed; same seed, same city")
    parser.add_argument("--database-url", help="overrides DATABASE_URL")
    parser.add_argument(
        "--create-tables", action="store_true", help="db.create_all() first (scratch databases only)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from backend import create_app
    from backend.config import Settings
    from backend.demo.generator import generate_city
    from backend.extensions import db
    from backend.participation import rollups

    overrides = {"database_url": args.database_url} if args.database_url else {}
    app = create_app(Settings.from_env(**overrides))
    started = time.perf_counter()

    def progress(stage: str, done: int) -> None:
        if not args.quiet and (stage == "orgs" or done % 100_000 == 0 or done == args.members):
            print(f"  {stage:<8} {done:>9,}  {time.perf_counter() - started:6.1f} s", flush=True)

    with app.app_context():
        if args.create_tables:
            db.create_all()
        try:
            counts = generate_city(
                db.session,
                unions=args.unions,
                members=args.members,
                counties=args.counties,
                seed=args.seed,
                progress=progress,
            )
        except (RuntimeError, ValueError) as exc:
            print(f"gen_city: {exc}", file=sys.stderr)
            return 1
        # the members were bulk-loaded past the ORM: count them in member_rollups
        rollups.rebuild(checkpoint=db.session.commit)
    elapsed = time.perf_counter() - started
    rows = counts["orgs"] + counts["members"]
    print(
        f"city_id={counts['city_id']} counties={counts['counties']} towns={counts['towns']} "
        f"unions={counts['unions']} members={counts['members']}"
    )
    print(f"{rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
