"""Check the running API against its own OpenAPI document with schemathesis.

Starts the backend in embedded mode (a temporary SQLite file with the demo city, the fake WeChat
server, jobs inline) on a free loopback port, signs in a member worker and a city staffer, and runs
``st run`` over the whole document once per role — the examples, coverage and fuzzing phases, the
positive and the negative mode (``--mode all``), a fixed seed and a bounded number of examples per
operation. It counts what the contract forbids:

- ST101 a server error (5xx);
- ST108 a response that breaks its declared schema;
- schema errors: operations schemathesis could not even test, because the document is invalid.

and exits non-zero if any is found. ``--max-examples 5`` (the default) is the CI size; the
nightly size is ``--max-examples 100``::

    .venv/bin/python scripts/contract.py                    # CI: both roles, 5 examples each
    .venv/bin/python scripts/contract.py --max-examples 100 --seed 7 --role staff
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from scripts.fake_wechat import serve_in_thread  # noqa: E402
from scripts.stub_backend import build_app  # noqa: E402

HOST = "127.0.0.1"
ROLES = ("worker", "staff")
# The checks the contract promises; the others (e.g. that every 4xx is declared) are not run here.
CHECKS = "not_a_server_error,response_schema_conformance"
DEMO_UNION = "解放路街道建筑业"
DEMO_PASSWORD = "demo-pass-2026"


def _ok(response, what: str):
    if response.status_code >= 400:
        raise SystemExit(f"{what}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response.json


def _staff(username: str) -> dict:
    return {"username": username, "password": DEMO_PASSWORD}


def tokens(app) -> dict[str, str]:
    """A member worker (applied and approved through the API) and the city federation's staffer."""
    from datetime import date

    from backend.common.idcard import make_id_number

    client = app.test_client()
    worker = _ok(client.post("/api/v1/auth/wechat-login", json={"code": "contract-worker"}), "worker log-in")
    worker_auth = {"Authorization": f"Bearer {worker['access_token']}"}
    org = _ok(client.get("/api/v1/orgs", query_string={"q": DEMO_UNION}), "org search")[0]
    meta = _ok(client.get("/api/v1/meta"), "meta")
    applied = _ok(
        client.post(
            "/api/v1/membership/applications",
            json={
                "org_id": org["id"],
                "name": "契约测试",
                "gender": "male",
                "id_number": make_id_number("110101", date(1990, 3, 7), 47, "male"),
                "mobile": "13800138000",
                "employer": "临汾市某建筑公司",
                "worker_type": "migrant",
                "consent": True,
                "consent_version": meta["privacy_notice"]["version"],
            },
            headers=worker_auth,
        ),
        "membership application",
    )
    union = _ok(client.post("/api/v1/staff/login", json=_staff("demo_union")), "union log-in")
    _ok(
        client.post(
            f"/api/v1/staff/membership/applications/{applied['id']}/transition",
            json={"action": "approve"},
            headers={"Authorization": f"Bearer {union['access_token']}"},
        ),
        "approval",
    )
    city = _ok(client.post("/api/v1/staff/login", json=_staff("demo_city")), "city log-in")
    return {"worker": worker["access_token"], "staff": city["access_token"]}


def run_schemathesis(base: str, token: str, *, role: str, seed: int, max_examples: int) -> dict:
    """One ``st run`` as ``role``; returns the counts of its failures by code and its schema errors."""
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{base}/api/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--mode",
        "all",
        "--seed",
        str(seed),
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--no-shrink",
        "--continue-on-failure",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--warnings",
        "off",
        "-H",
        f"Authorization: Bearer {token}",
    ]
    # run in a temporary directory: schemathesis keeps a cache directory where it runs
    with tempfile.TemporaryDirectory(prefix="zhigong-st-") as cwd:
        completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)
    output = completed.stdout + completed.stderr
    counts = _counts(output)
    counts["exit_code"] = completed.returncode
    counts["output"] = output
    return counts


def _counts(output: str) -> dict:
    """The figures of schemathesis's summary: failures by code, errors by kind, cases generated."""
    failures = {code: int(n) for code, n in re.findall(r"(ST\d{3}) [^:\n]*: (\d+)", output)}
    errors: dict[str, int] = {}
    in_errors = False
    for line in output.splitlines():
        if line.strip() == "Errors:":
            in_errors = True
            continue
        if in_errors:
            found = re.match(r"\s+\S+\s+(.+): (\d+)$", line)
            if not found:
                in_errors = bool(line.strip()) and in_errors and line.startswith("  ")
                if not line.strip():
                    in_errors = False
                continue
            errors[found.group(1)] = int(found.group(2))
    cases = re.search(r"(\d+) generated", output)
    tested = re.search(r"Tested: (\d+)", output)
    return {
        "failures": failures,
        "errors": errors,
        "cases": int(cases.group(1)) if cases else 0,
        "operations": int(tested.group(1)) if tested else 0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--max-examples", type=int, default=5, help="per operation and phase (default 5; nightly 100)"
    )
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--role", choices=(*ROLES, "both"), default="both")
    parser.add_argument("--verbose", action="store_true", help="print schemathesis's own output")
    args = parser.parse_args(argv)
    roles = ROLES if args.role == "both" else (args.role,)

    with tempfile.TemporaryDirectory(prefix="zhigong-contract-") as tmp:
        workdir = Path(tmp)
        wechat_server, wechat_base, _state = serve_in_thread(HOST, 0)
        app = build_app(workdir, wechat_base)
        with app.app_context():
            issued = tokens(app)
        server = make_server(HOST, 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, name="contract-api", daemon=True).start()
        base = f"http://{HOST}:{server.server_port}"
        bad = 0
        try:
            for role in roles:
                result = run_schemathesis(
                    base, issued[role], role=role, seed=args.seed, max_examples=args.max_examples
                )
                st101 = result["failures"].get("ST101", 0)
                st108 = result["failures"].get("ST108", 0)
                print(
                    f"{role}: {result['cases']} test cases over {result['operations']} operations; "
                    f"ST101 server errors {st101}, ST108 schema violations {st108}, "
                    f"errors {result['errors'] or 0}; every failure by code {result['failures'] or 0}"
                )
                if args.verbose or st101 or st108 or result["errors"]:
                    print(result["output"])
                bad += st101 + st108 + sum(result["errors"].values())
        finally:
            server.shutdown()
            wechat_server.shutdown()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
