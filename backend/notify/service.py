"""Telling workers what happened: the inbox copy, the subscribe grants, and the WeChat send.

A notification is created in the same transaction as the state change that causes it; sending goes
through the outbox to the ``notifications`` queue. The send is *at most once*: a worker claims the
row (pending → sending) and spends a grant in one committed step before it calls WeChat, so a
worker that dies mid-send leaves a 'sending' row that is never sent again (it is later marked
'unknown' for staff to look at), and a retried job finds the row already claimed.

At most once must not cost a message that never left: everything the send needs (the openid, the
access token from Redis) is read *before* the claim, and between the claim's commit and the HTTP
call nothing else can fail. A claim whose commit failed, or a send whose outcome could not be
written, is remembered by the process, so the job's retry settles it (back to pending with the grant,
or the recorded outcome) instead of leaving it for the stale-send sweep to call 'unknown'.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import Select, func, select, update
from wechatpy.exceptions import WeChatClientException

from backend.audit import service as audit
from backend.common import persistence
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.types import utcnow
from backend.extensions import db
from backend.members.models import WxAccount
from backend.notify.fitting import fit_all
from backend.notify.models import Notification, SubscriptionGrant, WeChatStatus
from backend.notify.templates import Template
from backend.outbox import service as outbox
from backend.staff.models import Staff
from backend.staff.scope import Scope

log = logging.getLogger(__name__)

DELIVER = "notification.deliver"
STALE_SENDING = timedelta(minutes=10)
# WeChat answers that mean "not delivered, and trying again later may work".
RATE_LIMITED = {45009, 45047, -1}  # daily/minute quota, system busy
USER_REFUSED = 43101


class RetryLater(Exception):
    """Raised to let RQ retry the job with back-off (the notification is back to pending)."""


def templates() -> dict[str, Template]:
    return current_app.extensions["zhigong.templates"]


def template_ids() -> set[str]:
    return {t.template_id for t in templates().values()}


# --- creating ---------------------------------------------------------------------------------------
def notify(*, account_id: int, kind: str, org_id: int | None = None, **values) -> Notification:
    """Put a notification in the worker's inbox and queue its WeChat send."""
    template = templates()[kind]
    values.setdefault("at", utcnow())
    title, body, fields = template.render(values)
    row = {
        "account_id": account_id,
        "org_id": org_id,
        "kind": kind,
        "title": title[:100],
        "body": body[:1000],
        "page": template.page,
        "values": fit_all(fields),
        "template_id": template.template_id,
        "created_at": utcnow(),
        "wechat_status": WeChatStatus.PENDING,
    }
    notification = persistence.append(Notification, row)
    outbox.emit(DELIVER, {"notification_id": notification.id})
    return notification


# --- grants -----------------------------------------------------------------------------------------
def record_grants(*, account: WxAccount, accepted: list[str]) -> list[SubscriptionGrant]:
    """The user accepted these templates in ``wx.requestSubscribeMessage``: one more send each."""
    known = template_ids()
    unknown = [t for t in accepted if t not in known]
    if unknown:
        raise InvalidInput("template_ids", f"未知的订阅消息模板：{'、'.join(unknown)}")
    grants = []
    for template_id in dict.fromkeys(accepted):  # each template once per call, in order
        db.session.execute(
            update(SubscriptionGrant)
            .where(SubscriptionGrant.account_id == account.id, SubscriptionGrant.template_id == template_id)
            .values(
                remaining=SubscriptionGrant.remaining + 1,
                accepted_total=SubscriptionGrant.accepted_total + 1,
                updated_at=utcnow(),
            )
        )
        grant = db.session.scalars(
            select(SubscriptionGrant).where(
                SubscriptionGrant.account_id == account.id, SubscriptionGrant.template_id == template_id
            )
        ).first()
        if grant is None:
            grant = SubscriptionGrant(
                account_id=account.id, template_id=template_id, remaining=1, accepted_total=1
            )
            db.session.add(grant)
            db.session.flush()
        grants.append(grant)
    return grants


def grants_of(account: WxAccount) -> list[SubscriptionGrant]:
    stmt = select(SubscriptionGrant).where(SubscriptionGrant.account_id == account.id)
    return list(db.session.scalars(stmt.order_by(SubscriptionGrant.template_id)))


# --- sending ----------------------------------------------------------------------------------------
# A send is three steps, each its own unit of work owned by the job (``backend.jobs.notify``):
# ``claim`` (committed before WeChat is called), ``send`` (the HTTP call, no database), ``record``.
@dataclass(frozen=True)
class Claim:
    """A notification claimed for sending: its grant is spent, WeChat may now be called."""

    notification_id: int
    claimed_at: datetime
    openid: str
    template_id: str
    values: dict
    page: str | None


@dataclass(frozen=True)
class Outcome:
    """What a send did, as it is written to the notification (and its grant)."""

    status: str
    values: dict
    refund: bool = False  # the grant goes back: WeChat did not use it up
    refused: bool = False  # the user turned the template off: no grant is left
    retry_later: Exception | None = None  # not sent; the job raises ``RetryLater`` once this is written


def _set(notification_id: int, **values) -> None:
    db.session.execute(update(Notification).where(Notification.id == notification_id).values(**values))


def _refund(notification: Notification) -> None:
    db.session.execute(
        update(SubscriptionGrant)
        .where(
            SubscriptionGrant.account_id == notification.account_id,
            SubscriptionGrant.template_id == notification.template_id,
        )
        .values(remaining=SubscriptionGrant.remaining + 1)
    )


def _write(notification: Notification, outcome: Outcome) -> None:
    _set(notification.id, **outcome.values)
    if outcome.refund and notification.template_id:
        _refund(notification)
    if outcome.refused:
        db.session.execute(
            update(SubscriptionGrant)
            .where(
                SubscriptionGrant.account_id == notification.account_id,
                SubscriptionGrant.template_id == notification.template_id,
            )
            .values(remaining=0)
        )


NOT_SENT = Outcome(
    WeChatStatus.PENDING, {"wechat_status": WeChatStatus.PENDING, "claimed_at": None}, refund=True
)

# Claims this process made whose outcome it knows although the database did not take it:
# {notification_id: (claimed_at, outcome)}; ``NOT_SENT`` = WeChat was never called, back to pending.
_unsettled: dict[int, tuple[datetime, Outcome]] = {}
_unsettled_lock = threading.Lock()


def remember(notification_id: int, claimed_at: datetime, outcome: Outcome = NOT_SENT) -> None:
    """Keep an outcome the database could not take, for the job's retry to write (in ``claim``).

    A claim that failed (``NOT_SENT``) never replaces what an earlier claim left to settle."""
    with _unsettled_lock:
        if outcome is NOT_SENT and notification_id in _unsettled:
            return
        _unsettled[notification_id] = (claimed_at, outcome)


def forget(notification_id: int) -> None:
    """The claim step committed: whatever was remembered of this notification is settled now."""
    with _unsettled_lock:
        _unsettled.pop(notification_id, None)


def _settle_remembered(notification: Notification) -> None:
    """A 'sending' row whose claim is ours and whose outcome we know: write it now."""
    with _unsettled_lock:
        memo = _unsettled.get(notification.id)
    if memo is None:
        return
    claimed_at, outcome = memo
    if notification.wechat_status != WeChatStatus.SENDING or notification.claimed_at != claimed_at:
        return  # the claim never reached the database, or a later one replaced it
    _write(notification, outcome)
    db.session.flush()
    db.session.refresh(notification)


def claim(notification_id: int, *, client, now: datetime) -> Claim | str:
    """Claim a pending notification and spend its grant (the caller commits this before the send).

    Returns the :class:`Claim`, or the notification's final status when there is nothing to send
    (already sent or claimed, the user granted no send: inbox only).
    """
    notification = db.session.get(Notification, notification_id)
    if notification is not None:
        _settle_remembered(notification)
    if notification is None or notification.wechat_status != WeChatStatus.PENDING:
        return notification.wechat_status if notification else "missing"
    # Everything the send needs, read before anything is claimed or spent: a database or Redis
    # failure here leaves the row pending, and the job's retry sends it.
    account = db.session.get(WxAccount, notification.account_id)
    openid = account.openid
    if notification.template_id:
        client.access_token  # noqa: B018  (the shared token: Redis, or WeChat when it has expired)
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.wechat_status == WeChatStatus.PENDING)
        .values(wechat_status=WeChatStatus.SENDING, claimed_at=now)
    ).rowcount
    if not claimed:  # another worker got it first
        return "claimed elsewhere"
    spent = (
        notification.template_id
        and db.session.execute(
            update(SubscriptionGrant)
            .where(
                SubscriptionGrant.account_id == notification.account_id,
                SubscriptionGrant.template_id == notification.template_id,
                SubscriptionGrant.remaining > 0,
            )
            .values(remaining=SubscriptionGrant.remaining - 1, updated_at=now)
        ).rowcount
    )
    if not spent:
        _set(notification_id, wechat_status=WeChatStatus.INBOX_ONLY, wechat_reason="用户未订阅该消息")
        return WeChatStatus.INBOX_ONLY
    return Claim(
        notification_id, now, openid, notification.template_id, dict(notification.values), notification.page
    )


def send(claimed: Claim, *, client) -> Outcome:
    """Call WeChat for a committed claim: nothing but the HTTP call runs, and nothing is written."""
    try:
        result = client.send_subscribe(claimed.openid, claimed.template_id, claimed.values, page=claimed.page)
    except WeChatClientException as exc:
        return _refusal(exc)
    except requests.ConnectionError as exc:
        # Connection refused/reset before any answer: WeChat never saw it, so a retry is safe.
        return _given_back(f"网络错误：{exc}", RetryLater(str(exc)))
    except RedisError as exc:
        # Only a token refresh after WeChat refused the token touches Redis here: nothing was delivered.
        return _given_back(f"Redis 不可用：{exc}", RetryLater(str(exc)))
    except requests.RequestException as exc:
        # A timeout may have been delivered: never resend automatically.
        reason = f"发送结果未知：{exc}"[:300]
        return Outcome(WeChatStatus.UNKNOWN, {"wechat_status": WeChatStatus.UNKNOWN, "wechat_reason": reason})
    return Outcome(
        WeChatStatus.SENT,
        {
            "wechat_status": WeChatStatus.SENT,
            "sent_at": utcnow(),
            "wechat_msgid": str(result.get("msgid", "")),
            "wechat_reason": None,
        },
    )


def record(claimed: Claim, outcome: Outcome) -> str:
    """Write what the send did (the caller commits; if that fails, it ``remember``s the outcome)."""
    notification = db.session.get(Notification, claimed.notification_id)
    _write(notification, outcome)
    return outcome.status


# WeChat's documented errcodes of a subscribe-message send, as staff read them (never WeChat's English).
WECHAT_ERRORS = {
    40001: "接口凭证无效",
    40003: "接收人身份无效",
    40037: "消息模板编号无效",
    41030: "跳转页面不存在",
    42001: "接口凭证已过期",
    43101: "用户拒绝接收此消息",
    45009: "调用次数超过上限",
    45011: "调用过于频繁",
    47003: "模板参数不符合要求",
}


def _given_back(reason: str, retry: Exception) -> Outcome:
    """Not sent: back to pending with its grant, for the job's retry (now or, failing that, later)."""
    values = {"wechat_status": WeChatStatus.PENDING, "wechat_reason": reason[:300]}
    return Outcome(WeChatStatus.PENDING, values, refund=True, retry_later=retry)


def _refusal(exc: WeChatClientException) -> Outcome:
    code = exc.errcode
    reason = f"{code} {WECHAT_ERRORS.get(int(code or 0), '微信返回错误')}"[:300]
    if code in RATE_LIMITED:
        return _given_back(f"限流，稍后重试（{reason}）", RetryLater(reason))
    if code == USER_REFUSED:
        # The user turned the template off: no grant is left; the inbox copy stands.
        values = {"wechat_status": WeChatStatus.INBOX_ONLY, "wechat_reason": f"用户拒收（{reason}）"}
        return Outcome(WeChatStatus.INBOX_ONLY, values, refused=True)
    # WeChat refused it, so the user's permission was not used up.
    values = {"wechat_status": WeChatStatus.FAILED, "wechat_reason": reason}
    return Outcome(WeChatStatus.FAILED, values, refund=True)


def release_stale_sends(now: datetime | None = None) -> int:
    """Rows a dead worker left in 'sending' become 'unknown' so staff can see (and retry) them."""
    cutoff = (now or utcnow()) - STALE_SENDING
    result = db.session.execute(
        update(Notification)
        .where(Notification.wechat_status == WeChatStatus.SENDING, Notification.claimed_at < cutoff)
        .values(wechat_status=WeChatStatus.UNKNOWN, wechat_reason="发送过程中断，结果未知")
    )
    return result.rowcount or 0


# --- the inbox --------------------------------------------------------------------------------------
def inbox_stmt(account: WxAccount, *, unread_only: bool = False) -> Select:
    stmt = select(Notification).where(Notification.account_id == account.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.id.desc())


def unread_count(account: WxAccount) -> int:
    stmt = select(func.count()).where(Notification.account_id == account.id, Notification.read_at.is_(None))
    return db.session.scalar(stmt)


def mark_read(*, account: WxAccount, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.account_id != account.id:
        raise NotFound("消息不存在")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(*, account: WxAccount) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.account_id == account.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


# --- failures, for staff ------------------------------------------------------------------------------
FAILED_STATUSES = (WeChatStatus.FAILED, WeChatStatus.UNKNOWN)


def failed_stmt(scope: Scope) -> Select:
    stmt = select(Notification).where(Notification.wechat_status.in_(FAILED_STATUSES))
    return scope.restrict(stmt, Notification.org_id).order_by(Notification.id.desc())


def retry_notification(*, scope: Scope, staff: Staff, notification_id: int) -> Notification:
    """Send a failed (or unknown) notification again — a deliberate, audited staff decision."""
    notification = scope.get(Notification, notification_id, for_update=True)
    if notification.wechat_status not in FAILED_STATUSES:
        raise Conflict("只能重发发送失败或结果未知的消息", code="not_failed")
    notification.wechat_status = WeChatStatus.PENDING
    notification.wechat_reason = None
    outbox.emit(DELIVER, {"notification_id": notification.id})
    audit.record(
        staff=staff,
        action="notification.retry",
        target_type="notification",
        target_id=notification.id,
        org_id=notification.org_id,
    )
    return notification
