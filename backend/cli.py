"""Flask CLI commands (``flask seed-demo``, ``flask create-admin``). The benchmark city loader is
``scripts/gen_city.py``."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from backend.common.errors import DomainError
from backend.extensions import db
from backend.orgs import service as orgs
from backend.orgs.models import Org
from backend.staff import accounts
from backend.staff.models import Role


def _production() -> bool:
    return current_app.extensions["zhigong.settings"].env == "production"


def init_app(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Load the demo city, the demo staff logins and demo content (idempotent; never in production)."""
        from backend.demo.content import seed_demo_content
        from backend.demo.tree import DEMO_PASSWORD, seed_demo

        if _production():
            raise click.ClickException(
                "APP_ENV=production 下不能加载演示数据（演示账号的密码是公开的）；"
                "请用 flask create-admin 创建市总工会管理员"
            )
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

    @app.cli.command("create-admin")
    @click.option("--username", required=True, help="登录用户名（字母、数字、下划线）")
    @click.option("--name", "display_name", required=True, help="姓名")
    @click.option("--city", help="市总工会名称：库中还没有组织时先建立这个根节点")
    @click.option("--region", help="根节点的地区，如 临汾市")
    @click.option(
        "--password-stdin",
        is_flag=True,
        help="从标准输入读取密码（一行），而不是交互输入；密码从不放在命令行参数里",
    )
    def create_admin_command(
        username: str, display_name: str, city: str | None, region: str | None, password_stdin: bool
    ) -> None:
        """Create the first city administrator (市总工会管理员) at the root of the org tree."""

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
        root = db.session.scalars(select(Org).where(Org.parent_id.is_(None)).order_by(Org.id)).first()
        if root is None:
            if not city:
                raise click.ClickException("库中还没有组织：请用 --city 给出市总工会的名称")
            root = orgs.create_root(name=city.strip(), region=(region or "").strip() or None)
        try:
            staff = accounts.create_first_admin(
                org=root, username=username, name=display_name, role=Role.CITY_ADMIN, password=password
            )
        except DomainError as exc:
            db.session.rollback()
            messages = [m for ms in (exc.errors or {}).values() for m in ms] or [exc.message]
            raise click.ClickException("；".join(messages)) from exc
        db.session.commit()
        click.echo(f"已创建市总工会管理员 {staff.username}（{root.name}）")

    @app.cli.group("rollups")
    def rollups_group() -> None:
        """The per-org, per-month counts assessments read (participation_rollups, member_rollups)."""

    @rollups_group.command("rebuild")
    def rollups_rebuild_command() -> None:
        """Count the rollups again from every participation fact and member (after a bulk load or an
        upgrade to 0017; run it with the participation workers stopped)."""
        from backend.participation import rollups

        counts = rollups.rebuild(
            checkpoint=db.session.commit, progress=lambda stage, done: click.echo(f"  已统计至组织 id {done}")
        )
        click.echo(
            f"已重建: 参与记录月度汇总 {counts['participation_rollups']} 行，"
            f"会员月度汇总 {counts['member_rollups']} 行"
        )
