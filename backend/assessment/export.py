"""考核结果导出: one row per union of a run (in the caller's subtree) with every indicator's value, as
CSV (UTF-8 with BOM, so Excel opens it in Chinese) or XLSX (openpyxl)."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from backend.assessment.models import GRADE_LABELS, TIER_LABELS, AssessmentResult, AssessmentRun
from backend.common import downloads
from backend.orgs.models import CATEGORY_LABELS

FIXED_COLUMNS = ("工会", "类别", "档次", "级别", "得分", "名次", "同类数")
NO_DATA = "无数据"


def table(run: AssessmentRun, results: list[AssessmentResult]) -> tuple[list[str], list[list]]:
    """The header (fixed columns, then each indicator label in first-seen order) and the rows."""
    indicator_labels: dict[str, str] = {}
    for result in results:
        for ind in result.indicators:
            indicator_labels.setdefault(ind["key"], ind["label"])
    header = [*FIXED_COLUMNS, *indicator_labels.values()]
    rows = []
    for r in results:
        values = {
            ind["key"]: NO_DATA if ind.get("value") is None else Decimal(ind["value"])
            for ind in r.indicators
        }
        rows.append(
            [
                r.org.name,
                CATEGORY_LABELS.get(r.category, r.category),
                TIER_LABELS.get(r.tier, r.tier),
                GRADE_LABELS.get(r.grade, "") if r.grade else "",
                Decimal(r.score),
                r.rank,
                r.peers,
                *(values.get(key, "") for key in indicator_labels),
            ]
        )
    return header, rows


def to_csv(run: AssessmentRun, results: list[AssessmentResult]) -> bytes:
    header, rows = table(run, results)
    return downloads.csv_bytes([header, *rows])


def to_xlsx(run: AssessmentRun, results: list[AssessmentResult]) -> bytes:
    header, rows = table(run, results)
    book = Workbook()
    sheet = book.active
    sheet.title = f"考核 {run.period}"
    downloads.append_row(sheet, header)
    for row in rows:
        downloads.append_row(sheet, row)
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename(run: AssessmentRun, fmt: str) -> str:
    return f"assessment-{run.period_type}-{run.period}-{run.rubric_version}.{fmt}"


def to_file(fmt: str, run: AssessmentRun, results: list[AssessmentResult]) -> bytes:
    return to_csv(run, results) if fmt == "csv" else to_xlsx(run, results)
