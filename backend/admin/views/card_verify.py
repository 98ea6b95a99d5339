"""会员卡核验: a staffer scans (or types) the QR payload a member shows and sees whether the card is
valid and whose it is (masked) — the same check as ``POST /api/v1/staff/cards/verify``."""

from __future__ import annotations

from flask import current_app, render_template, request

from backend.admin import bp
from backend.admin.views.base import requires
from backend.common import crypto
from backend.common.errors import DomainError
from backend.extensions import db
from backend.members import cards
from backend.members.models import WORKER_TYPE_LABELS
from backend.staff import permissions as perm


@bp.route("/cards/verify", methods=["GET", "POST"])
@requires(perm.CARD_VERIFY)
def card_verify():
    result, problem, status = None, None, 200
    if request.method == "POST":
        payload = (request.form.get("payload") or "").strip()[:500]
        if not payload:
            problem, status = "请扫描或粘贴会员码", 422
        else:
            try:
                member = cards.verify_card(current_app.config["SECRET_KEY"], payload)
            except DomainError as exc:
                db.session.rollback()
                problem, status = exc.message, 422
            else:
                result = {
                    "姓名": crypto.mask_name(member.name),
                    "会员卡号": member.card_no,
                    "所属工会": member.org.name if member.org else "",
                    "职工类型": WORKER_TYPE_LABELS.get(member.worker_type, "其他"),
                }
    return render_template("admin/card_verify.html", result=result, problem=problem), status
