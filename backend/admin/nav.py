"""The panel's navigation: one entry per area, shown to staff whose role may use it.

A new area adds an ``Entry`` to ``SECTIONS`` and a view module of its own in ``views/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from backend.staff import permissions as perm
from backend.staff.models import Staff


@dataclass(frozen=True)
class Entry:
    label: str
    endpoint: str
    permissions: tuple[str | None, ...] = (None,)  # any one of them; None = every staff member
    args: tuple[tuple[str, str], ...] = ()

    def visible_to(self, staff: Staff) -> bool:
        # What the page itself declares decides; ``permissions`` only for a page that declares nothing.
        view = current_app.view_functions.get(self.endpoint)
        need = perm.declared_need(view, "GET") if view is not None else None
        if need is not None:
            return perm.allows(staff.role, need, dict(self.args))
        return any(p is None or perm.can(staff.role, p) for p in self.permissions)


SECTIONS: list[tuple[str, list[Entry]]] = [
    ("", [Entry("工作台", "admin.dashboard")]),
    (
        "审核与办理",
        [
            Entry("入会审核", "admin.queue", (perm.MEMBERSHIP_REVIEW,), (("kind", "membership"),)),
            Entry("会员关系转接", "admin.queue", (perm.TRANSFER_REVIEW,), (("kind", "transfer"),)),
            Entry("会员卡核验", "admin.card_verify", (perm.CARD_VERIFY,)),
            Entry("单位建会", "admin.queue", (perm.UNIT_REVIEW,), (("kind", "unit"),)),
            Entry("困难帮扶", "admin.queue", (perm.AID_HANDLE,), (("kind", "aid"),)),
            Entry("建档立卡", "admin.households", (perm.AID_HANDLE,)),
            Entry("欠薪求助", "admin.queue", (perm.WAGE_HANDLE,), (("kind", "wage"),)),
            Entry("欠薪聚类与预警", "admin.wage_clusters", (perm.WAGE_HANDLE,)),
            Entry("法援预约", "admin.queue", (perm.LEGAL_MANAGE, perm.LEGAL_CONSULT), (("kind", "legal"),)),
            Entry("我的日程", "admin.lawyer_schedule", (perm.LEGAL_CONSULT,)),
            Entry("法援网络", "admin.legal_network", (perm.LEGAL_MANAGE,)),
            Entry("联谊活动", "admin.queue", (perm.EVENT_MANAGE,), (("kind", "event"),)),
            Entry("活动签到", "admin.check_in", (perm.EVENT_CHECKIN,)),
            Entry("劳动和技能竞赛", "admin.queue", (perm.COMPETITION_MANAGE,), (("kind", "competition"),)),
        ],
    ),
    (
        "考核与统计",
        [
            Entry("工会考核", "admin.assessments", (perm.ASSESSMENT_READ,)),
            Entry("统计", "admin.statistics", (perm.STATS_READ,)),
        ],
    ),
    (
        "工会事务",
        [
            Entry("工会公告", "admin.announcements_page", (perm.MEMBERSHIP_REVIEW, perm.ORG_MANAGE)),
            Entry("预警与督办", "admin.alerts"),
        ],
    ),
    (
        "系统管理",
        [
            Entry("组织架构", "admin.org_tree", (perm.ORG_MANAGE,)),
            Entry("组织与人员", "admin.people", (perm.ORG_MANAGE,)),
            Entry("角色与权限", "admin.roles"),
            Entry("审计日志", "admin.audit_log", (perm.AUDIT_READ,)),
            Entry("失败消息", "admin.failed_notifications", (perm.NOTIFICATION_OPS,)),
            Entry("后台任务", "admin.jobs", (perm.JOB_OPS,)),
        ],
    ),
]


def navigation(staff: Staff) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group, [(label, url)])] for this staff member, empty groups left out."""
    shown = []
    for group, entries in SECTIONS:
        links = [(e.label, url_for(e.endpoint, **dict(e.args))) for e in entries if e.visible_to(staff)]
        if links:
            shown.append((group, links))
    return shown
