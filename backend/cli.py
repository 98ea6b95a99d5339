"""Flask CLI commands: ``flask seed-demo``, ``flask gen-city``."""

from __future__ import annotations

import click
from flask import Flask

from backend.extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo city and the demo staff logins (idempotent)."""
        from backend.orgs.seed import DEMO_PASSWORD, seed_demo

        summary = seed_demo(db.session)
        db.session.commit()
        click.echo(f"演示数据就绪: {summary}")
        click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
        for login in summary.logins:
            click.echo(f"  {login}")
