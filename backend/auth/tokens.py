"""Tokens that can be taken back. Every token names its log-in session (``sid``) and the account's
token version (``ver``), checked on every request through flask-jwt-extended's hooks:

- a password change or reset, a deactivation (and so a later re-activation), an erasure and "log out
  everywhere" bump the account's ``token_version``: every token issued before ends;
- a refresh token is spent when used (it carries the session's generation ``gen``); presenting a spent
  one again is taken as theft and revokes the whole session (its access token included);
- log-out revokes its session; tokens without ``exp`` or ``iat`` are refused.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from flask import g
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from backend.auth.models import AuthSession
from backend.common import unit_of_work
from backend.common.errors import DomainError
from backend.common.types import utcnow
from backend.extensions import db, jwt
from backend.members.models import Member, WxAccount
from backend.orgs.models import Org
from backend.staff.models import Staff

WORKER = "worker"
STAFF = "staff"
SUBJECTS = {WORKER: WxAccount, STAFF: Staff}


class RefreshReused(unit_of_work.KeepsWrites, DomainError):
    """A refresh token presented again: refused, and the revocation of its session is committed."""

    status = 401
    code = "token_revoked"


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


def new_sid() -> str:
    return secrets.token_hex(16)


def subject_of(kind: str, subject_id: int):
    model = SUBJECTS.get(kind)
    return db.session.get(model, subject_id) if model is not None else None


def issue(kind: str, subject_id: int, *, sid: str | None = None, generation: int = 0, **claims) -> Tokens:
    """An access and a refresh token of one session (a new one unless ``sid`` is given)."""
    subject = subject_of(kind, subject_id)
    version = subject.token_version if subject is not None else 0
    extra = {"kind": kind, "sid": sid or new_sid(), "ver": version, **claims}
    identity = str(subject_id)
    return Tokens(
        access_token=create_access_token(identity=identity, additional_claims=extra),
        refresh_token=create_refresh_token(identity=identity, additional_claims={**extra, "gen": generation}),
    )


def _session(sid: str, kind: str, subject_id: int, *, for_update: bool = False) -> AuthSession | None:
    if for_update:

        return db.session.scalars(
            select(AuthSession).where(AuthSession.sid == sid).with_for_update()
        ).first()
    return db.session.get(AuthSession, sid)


def revoke_session(*, sid: str, kind: str, subject_id: int, reason: str = "logout") -> None:
    """End one log-in session (its access and refresh tokens, or a panel cookie)."""
    row = _session(sid, kind, subject_id, for_update=True)
    if row is None:
        row = AuthSession(sid=sid, kind=kind, subject_id=subject_id)
        db.session.add(row)
    row.revoked_at, row.revoked_reason, row.updated_at = utcnow(), reason, utcnow()
    db.session.flush()


def end_all_sessions(subject) -> None:
    """Every token and panel session of the account ends (password change, deactivation, erasure,
    "log out everywhere")."""
    subject.token_version = (subject.token_version or 0) + 1


def session_is_live(*, sid: str | None, kind: str, subject_id: int) -> bool:
    if not sid:
        return False
    row = db.session.get(AuthSession, sid)
    return row is None or (row.revoked_at is None and row.kind == kind and row.subject_id == subject_id)


def rotate(claims: dict) -> Tokens:
    """Spend a refresh token for a new pair in the same session. A refresh token spent before means
    someone else holds a copy: the session is revoked and the caller must log in again."""
    kind, subject_id, sid = claims["kind"], int(claims["sub"]), claims["sid"]
    generation = int(claims.get("gen", 0))
    row = _session(sid, kind, subject_id, for_update=True)
    if row is None:
        row = AuthSession(sid=sid, kind=kind, subject_id=subject_id, generation=0)
        db.session.add(row)
    if row.revoked_at is not None or row.kind != kind or row.subject_id != subject_id:
        raise RefreshReused("登录凭证已失效，请重新登录")
    if generation != row.generation:
        row.revoked_at, row.revoked_reason, row.updated_at = utcnow(), "refresh_reuse", utcnow()
        raise RefreshReused("刷新凭证已被使用过，为安全起见本次登录已失效，请重新登录")
    row.generation, row.updated_at = generation + 1, utcnow()
    db.session.flush()  # a concurrent first refresh of the same session conflicts here (409)
    return issue(kind, subject_id, sid=sid, generation=row.generation)


def install_hooks() -> None:
    """Register the checks every protected request runs."""

    @jwt.token_verification_loader
    def _has_lifetime(_header, payload) -> bool:
        return "exp" in payload and "iat" in payload

    @jwt.token_in_blocklist_loader
    def _revoked(_header, payload) -> bool:
        kind, subject_id = payload.get("kind"), payload.get("sub")
        if kind not in SUBJECTS or not str(subject_id or "").isdigit():
            return True
        subject, session = _subject_and_session(kind, int(subject_id), payload.get("sid"))
        g.token_subject = subject  # held, so the route's own look-up is served from the session
        if subject is None or payload.get("ver") != subject.token_version or not payload.get("sid"):
            return True
        return session is not None and (
            session.revoked_at is not None or session.kind != kind or session.subject_id != int(subject_id)
        )


@functools.cache
def _subject_and_session_stmt(kind: str):
    """The check's statement for one kind of subject, built once: building a four-entity select
    and working out its cache key cost a third of the check; each request only binds its values."""
    model = SUBJECTS[kind]
    stmt = (
        select(model, AuthSession)
        .select_from(model)
        .outerjoin(AuthSession, AuthSession.sid == bindparam("sid"))
        .where(model.id == bindparam("subject_id"))
    )
    if kind == WORKER:
        stmt = (
            stmt.outerjoin(Member, Member.account_id == WxAccount.id)
            .outerjoin(Org, Org.id == Member.org_id)
            .options(contains_eager(WxAccount.member).contains_eager(Member.org))
        )
    return stmt


def _subject_and_session(kind: str, subject_id: int, sid: str | None):
    """The token's account and its log-in session's row (None while never revoked or refreshed),
    read in one statement: every authenticated request pays for it. A worker's comes with their
    member record and its union (``account.member``, ``member.org`` loaded), which most of the
    phone's calls need next."""
    params = {"sid": sid or "", "subject_id": subject_id}
    row = db.session.execute(_subject_and_session_stmt(kind), params).first()
    return (row[0], row[1]) if row is not None else (None, None)
