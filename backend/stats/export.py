"""Statistics as files: CSV (stdlib csv, UTF-8 with BOM so Excel opens it) and XLSX (openpyxl)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from backend.aid.models import AID_STATUS_LABELS
from backend.common import downloads
from backend.members.models import WORKER_TYPE_LABELS
from backend.stats.service import SLA_KINDS
from backend.wages.models import WAGE_STATUS_LABELS

SUMMARY_LABELS = {
    "unions": "基层工会数",
    "members": "会员数",
    "new_members": "新发展会员",
    "wages_recovered": "追回欠薪（元）",
    "workers_paid": "追回欠薪人数",
    "consultations": "法律咨询",
    "events": "联谊活动场次",
    "event_participants": "活动参与人次",
    "competition_entries": "竞赛报名",
}
SERIES_COLUMNS = (
    ("month", "月份"),
    ("new_members", "新发展会员"),
    ("aid_requests", "帮扶申请"),
    ("wage_claims", "欠薪求助"),
    ("wages_recovered", "追回欠薪（元）"),
    ("sla_rate", "按时受理率"),
    ("consultations", "法律咨询"),
    ("event_participants", "活动参与人次"),
    ("competition_entries", "竞赛报名"),
)


def summary_rows(summary: dict) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [(label, summary[key]) for key, label in SUMMARY_LABELS.items()]
    sla = summary["sla"]
    rows += [("应按时受理件数", sla["due"]), ("按时受理件数", sla["met"]), ("按时受理率", sla["rate"])]
    for kind, label in SLA_KINDS.items():
        per = sla["by_kind"][kind]
        rows += [(f"{label}应按时受理件数", per["due"]), (f"{label}按时受理率", per["rate"])]
    ratings = summary["ratings"]
    rows += [("会员评议次数", ratings["count"]), ("会员评议平均分", ratings["average"])]
    rows += [
        (f"会员（{WORKER_TYPE_LABELS.get(k, k)}）", v)
        for k, v in sorted(summary["members_by_worker_type"].items())
    ]
    aid_labels = AID_STATUS_LABELS
    wage_labels = WAGE_STATUS_LABELS
    rows += [(f"帮扶申请（{aid_labels.get(k, k)}）", v) for k, v in sorted(summary["aid_by_status"].items())]
    rows += [(f"待办帮扶（{k}）", v) for k, v in summary["aid_age_buckets"].items()]
    rows += [
        (f"欠薪求助（{wage_labels.get(k, k)}）", v) for k, v in sorted(summary["wage_by_status"].items())
    ]
    return rows


def _cell(value):
    if isinstance(value, Decimal):
        return str(value)
    return "" if value is None else value


def to_csv(summary: dict, series: list[dict]) -> bytes:
    rows: list[list] = [["指标", "数值"]]
    rows += [[label, _cell(value)] for label, value in summary_rows(summary)]
    rows += [[], [label for _, label in SERIES_COLUMNS]]
    rows += [[_cell(row[key]) for key, _ in SERIES_COLUMNS] for row in series]
    return downloads.csv_bytes(rows)


def to_xlsx(summary: dict, series: list[dict]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "汇总"
    downloads.append_row(sheet, ["指标", "数值"])
    for label, value in summary_rows(summary):
        downloads.append_row(sheet, [label, value])  # openpyxl writes a Decimal as an exact number cell
    monthly = book.create_sheet("按月")
    downloads.append_row(monthly, [label for _, label in SERIES_COLUMNS])
    for row in series:
        downloads.append_row(monthly, [row[key] for key, _ in SERIES_COLUMNS])
    for cell in monthly["E"][1:]:
        cell.number_format = "0.00"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_file(fmt: str, summary: dict, series: list[dict]) -> bytes:
    return to_csv(summary, series) if fmt == "csv" else to_xlsx(summary, series)
