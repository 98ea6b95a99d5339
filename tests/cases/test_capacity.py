"""The scarce-place primitive, raced by threads on the configured database."""

from __future__ import annotations

import threading

from sqlalchemy import select

from backend.common import capacity
from backend.extensions import db
from backend.members.models import WxAccount
from backend.notify.models import SubscriptionGrant


def test_only_as_many_callers_as_places_get_one(app, factory):
    factory.worker_token("capacity")
    account = db.session.scalars(select(WxAccount)).one()
    row = SubscriptionGrant(account_id=account.id, template_id="T", remaining=0, accepted_total=0)
    db.session.add(row)
    db.session.commit()
    grant_id = row.id
    wins: list[bool] = []
    barrier = threading.Barrier(12)

    def contender():
        with app.app_context():
            barrier.wait()
            won = capacity.take(SubscriptionGrant.remaining, 5, SubscriptionGrant.id == grant_id)
            db.session.commit()
            wins.append(won)

    threads = [threading.Thread(target=contender) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(wins) == [False] * 7 + [True] * 5
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(SubscriptionGrant, grant_id).remaining == 5
    assert capacity.give_back(SubscriptionGrant.remaining, SubscriptionGrant.id == grant_id)
    assert not capacity.claim_row(SubscriptionGrant.template_id, "U", SubscriptionGrant.id == grant_id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SubscriptionGrant, grant_id).remaining == 4
