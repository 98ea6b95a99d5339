"""The command line: ``flask seed-demo`` never runs in production (its passwords are public), and
``flask create-admin`` makes the first city administrator with a password that is never an argument."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from backend.extensions import db
from backend.orgs.models import Org
from backend.staff.models import Staff


@pytest.fixture
def production(app):
    settings = app.extensions["zhigong.settings"]
    app.extensions["zhigong.settings"] = dataclasses.replace(settings, env="production")
    yield
    app.extensions["zhigong.settings"] = settings


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_is_refused_in_production(app, production):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "create-admin" in result.output
    assert count(Staff) == count(Org) == 0


def test_create_admin_makes_the_first_city_administrator(app, client):
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["create-admin", "--username", "LF_Admin", "--name", "王主席", "--city", "临汾市总工会",
              "--region", "临汾市", "--password-stdin"],
        input="Strong-pass-2026\n",
    )
    assert made.exit_code == 0, made.output
    assert "Strong-pass-2026" not in made.output
    staff = db.session.scalars(select(Staff)).one()
    assert (staff.username, staff.role, staff.org.name, staff.org.parent_id) == (
        "lf_admin", "city_admin", "临汾市总工会", None
    )
    login = client.post("/api/v1/staff/login", json={"username": "lf_admin", "password": "Strong-pass-2026"})
    assert login.status_code == 200 and login.json["staff"]["role"] == "city_admin"

    # a second one joins the same root, typed at the prompt (asked twice)
    prompted = runner.invoke(
        args=["create-admin", "--username", "lf_deputy", "--name", "李副主席"],
        input="Deputy-pass-2026\nDeputy-pass-2026\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert count(Org) == 1 and count(Staff) == 2


def test_create_admin_refuses_weak_passwords_and_password_arguments(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=["create-admin", "--username", "a1", "--name", "x", "--city", "某市总工会", "--password-stdin"],
        input="short\n",
    )
    assert weak.exit_code != 0 and "密码至少 10 位" in weak.output
    as_argument = runner.invoke(
        args=["create-admin", "--username", "a1", "--name", "x", "--password", "Strong-pass-2026"]
    )
    assert as_argument.exit_code == 2  # no such option: a password never sits in argv or shell history
    no_city = runner.invoke(
        args=["create-admin", "--username", "a1", "--name", "x", "--password-stdin"],
        input="Strong-pass-2026\n",
    )
    assert no_city.exit_code != 0 and "--city" in no_city.output
    assert count(Staff) == count(Org) == 0
