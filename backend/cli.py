"""Flask CLI commands (``flask seed-demo``). The benchmark city loader is ``scripts/gen_city.py``."""

from __future__ import annotations

import click
from flask import Flask

from backend.extensions import db


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo city, the demo staff logins and demo content (idempotent)."""
        from backend.demo_content import seed_demo_content
        from backend.orgs.seed import DEMO_PASSWORD, seed_demo

        summary = seed_demo(db.session)
        content = seed_demo_content(db.session)
        db.session.commit()
        state = "已创建" if summary.created else "已存在，未改动"
        click.echo(
            f"演示数据{state}: {summary.city}，{summary.counties} 个县区、{summary.towns} 个乡镇（街道）、"
            f"{summary.unions} 个基层工会"
        )
        click.echo(f"演示账号（密码均为 {DEMO_PASSWORD}）:")
        for login in summary.logins:
            click.echo(f"  {login.username:<12} {login.role:<13} {login.org_name}")
        if content.added:
            click.echo("演示内容已添加: " + "、".join(content.added))
