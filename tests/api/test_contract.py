"""The API keeps its published contract: schemathesis, run over the whole OpenAPI document as a member
worker and as city staff, finds no server error, no response outside its schema, no invalid schema."""

from __future__ import annotations

from scripts import contract


def test_schemathesis_finds_no_server_error_nor_schema_violation(capsys):
    # A fixed seed and one example per operation and phase keep this suite-sized; .ci/run runs 5, and the
    # README gives the nightly size.
    status = contract.main(["--max-examples", "1", "--seed", "20260101"])
    report = capsys.readouterr().out
    assert status == 0, report
    for role in contract.ROLES:
        line = next(line for line in report.splitlines() if line.startswith(f"{role}:"))
        assert "ST101 server errors 0, ST108 schema violations 0, errors 0" in line, line
        assert int(line.split(" test cases")[0].split()[-1]) > 1000, line  # it really ran
