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
from datetime import datetime, timedelta

import requests
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import Select, func, select, update
from wechatpy.exceptions import WeChatClientException

from backend.audit import service as audit
from backend.common.errors import Conflict, InvalidInput, NotFound
from backend.common.types import utcnow
from backend.extensions import db
from backend.jobs.queues import NOTIFICATIONS
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
    notification = Notification(
        account_id=account_id,
        org_id=org_id,
        kind=kind,
        title=title[:100],
        body=body[:1000],
        page=template.page,
        values=fit_all(fields),
        template_id=template.template_id,
    )
    db.session.add(notification)
    db.session.flush()
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


# Claims this process made that it knows the outcome of although the database did not take it:
# {notification_id: (claimed_at, values to write)}; values None = never sent, back to pending.
_unsettled: dict[int, tuple[datetime, dict | None]] = {}
_unsettled_lock = threading.Lock()


def _remember(notification_id: int, claimed_at: datetime, values: dict | None) -> None:
    with _unsettled_lock:
        _unsettled[notification_id] = (claimed_at, values)


def _settle_remembered(notification: Notification) -> bool:
    """A 'sending' row whose claim is ours and whose outcome we know: write it now. True if done."""
    with _unsettled_lock:
        memo = _unsettled.get(notification.id)
    if memo is None:
        return False
    claimed_at, values = memo
    if notification.wechat_status != WeChatStatus.SENDING or notification.claimed_at != claimed_at:
        # The claim never reached the database, or a later one replaced it: nothing of ours to settle.
        with _unsettled_lock:
            _unsettled.pop(notification.id, None)
        return False
    if values is None:
        _set(notification.id, wechat_status=WeChatStatus.PENDING, claimed_at=None)
        if notification.template_id:
            _refund(notification)
    else:
        _set(notification.id, **values)
    db.session.commit()
    with _unsettled_lock:
        _unsettled.pop(notification.id, None)
    db.session.refresh(notification)
    return True


def _record_outcome(notification: Notification, claimed_at: datetime, **values) -> None:
    """Write what the send did; if the database cannot take it now, the job's retry will."""
    try:
        _set(notification.id, **values)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _remember(notification.id, claimed_at, values)
        raise


def deliver(notification_id: int, *, client) -> str:
    """Send one notification through WeChat if the user granted it; returns the final status."""
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
    now = utcnow()
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.wechat_status == WeChatStatus.PENDING)
        .values(wechat_status=WeChatStatus.SENDING, claimed_at=now)
    ).rowcount
    if not claimed:  # another worker got it first
        db.session.rollback()
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
        db.session.commit()
        return WeChatStatus.INBOX_ONLY
    try:
        db.session.commit()  # the claim and the spent grant are durable before WeChat is called
    except Exception:
        # Whether or not the claim reached the database, WeChat was not called: a retry gives it back.
        _remember(notification_id, now, None)
        raise

    # From the claim to WeChat's answer nothing but the HTTP call runs.
    try:
        result = client.send_subscribe(
            openid, notification.template_id, notification.values, page=notification.page
        )
    except WeChatClientException as exc:
        return _settle_refusal(notification, exc, now)
    except requests.ConnectionError as exc:
        # Connection refused/reset before any answer: WeChat never saw it, so a retry is safe.
        _give_back(notification, now, f"网络错误：{exc}")
        raise RetryLater(str(exc)) from exc
    except RedisError as exc:
        # Only a token refresh after WeChat refused the token touches Redis here: nothing was delivered.
        _give_back(notification, now, f"Redis 不可用：{exc}")
        raise RetryLater(str(exc)) from exc
    except requests.RequestException as exc:
        # A timeout may have been delivered: never resend automatically.
        _record_outcome(
            notification, now, wechat_status=WeChatStatus.UNKNOWN, wechat_reason=f"发送结果未知：{exc}"[:300]
        )
        return WeChatStatus.UNKNOWN
    _record_outcome(
        notification,
        now,
        wechat_status=WeChatStatus.SENT,
        sent_at=utcnow(),
        wechat_msgid=str(result.get("msgid", "")),
        wechat_reason=None,
    )
    return WeChatStatus.SENT


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


def _give_back(notification: Notification, claimed_at: datetime, reason: str) -> None:
    """Not sent: back to pending with its grant, for the job's retry (now or, failing that, later)."""
    try:
        _set(notification.id, wechat_status=WeChatStatus.PENDING, wechat_reason=reason[:300])
        _refund(notification)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _remember(notification.id, claimed_at, None)
        raise


def _settle_refusal(notification: Notification, exc: WeChatClientException, claimed_at: datetime) -> str:
    code = exc.errcode
    reason = f"{code} {WECHAT_ERRORS.get(int(code or 0), '微信返回错误')}"[:300]
    if code in RATE_LIMITED:
        _give_back(notification, claimed_at, f"限流，稍后重试（{reason}）")
        raise RetryLater(reason) from exc
    if code == USER_REFUSED:
        # The user turned the template off: no grant is left; the inbox copy stands.
        db.session.execute(
            update(SubscriptionGrant)
            .where(
                SubscriptionGrant.account_id == notification.account_id,
                SubscriptionGrant.template_id == notification.template_id,
            )
            .values(remaining=0)
        )
        _set(notification.id, wechat_status=WeChatStatus.INBOX_ONLY, wechat_reason=f"用户拒收（{reason}）")
        db.session.commit()
        return WeChatStatus.INBOX_ONLY
    _refund(notification)  # WeChat refused it, so the user's permission was not used up
    _set(notification.id, wechat_status=WeChatStatus.FAILED, wechat_reason=reason)
    db.session.commit()
    return WeChatStatus.FAILED


def release_stale_sends(now: datetime | None = None) -> int:
    """Rows a dead worker left in 'sending' become 'unknown' so staff can see (and retry) them."""
    cutoff = (now or utcnow()) - STALE_SENDING
    result = db.session.execute(
        update(Notification)
        .where(Notification.wechat_status == WeChatStatus.SENDING, Notification.claimed_at < cutoff)
        .values(wechat_status=WeChatStatus.UNKNOWN, wechat_reason="发送过程中断，结果未知")
    )
    return result.rowcount or 0


@outbox.topic(DELIVER, NOTIFICATIONS)
def _deliver_from_outbox(payload: dict) -> None:
    from backend.wechat.tokens import shared_client

    deliver(payload["notification_id"], client=shared_client())


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
