"""Membership 入会/转会: the participation facts it records."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from backend.participation import service as participation

PARTICIPATION_KINDS = {
    "member.joined": "会员入会",
    "member.transferred_in": "会员转入",
    "union.founded": "新建工会",
}


def register(app: Flask, config_dir: Path) -> None:
    participation.register_kinds(PARTICIPATION_KINDS)
