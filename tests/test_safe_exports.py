"""CSV exports a spreadsheet opens safely: formula-like text is shown as text, line breaks stay inside
their field, and the cells CSV still reads back exactly."""

from __future__ import annotations

import csv
import io
import json

from xxgk.batch import handover, overview
from xxgk.review.export import cells_csv
from xxgk.read import read_report
from xxgk.review.review import PARTS_SUBDIR
from xxgk.samples.synth import consistent_report, with_cell

FORMULA = '=HYPERLINK("http://x.invalid","点击")'


def _hostile_report():
    report = consistent_report("2021", agency="@SUM(1+1)")
    cell = report.cells[0]
    report = with_cell(report, cell.table_id, cell.row_key, cell.column_key, FORMULA)
    cell = report.cells[1]
    return with_cell(report, cell.table_id, cell.row_key, cell.column_key, "1\n2")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_cells_csv_marks_formulas_and_reads_back_exactly(tmp_path):
    report = _hostile_report()
    text = cells_csv(report)
    rows = _rows(text)
    assert len(rows) == len(report.cells) + 1  # the line break did not split a record
    assert rows[1][5] == "'" + FORMULA and rows[1][8] == "'@SUM(1+1)"
    assert rows[2][5] == "1\n2"
    assert not any(f.startswith(("=", "+", "@")) for row in rows for f in row)
    path = tmp_path / "cells.csv"
    path.write_text(text, encoding="utf-8")
    back = read_report(path)
    assert [c.raw for c in back.cells[:2]] == [FORMULA, "1\n2"]
    assert [(c.value, c.status) for c in back.cells] == [(c.value, c.status) for c in report.cells]
    assert back.agency == "@SUM(1+1)"


def test_joined_cells_csv_keeps_records_whole(tmp_path):
    report = _hostile_report()
    parts = tmp_path / PARTS_SUBDIR
    parts.mkdir()
    for agency_id in ("qh-a", "qh-b"):
        (parts / f"{agency_id}.cells.csv").write_text(cells_csv(report), encoding="utf-8")
    handover.write_cells(tmp_path, overview.cell_records(tmp_path, {"qh-a": {}, "qh-b": {}}))
    rows = _rows((tmp_path / handover.MACHINE_SUBDIR / "cells.csv").read_text(encoding="utf-8"))
    assert rows[0][:2] == ["agency_id", "table"]
    assert len(rows) == 1 + 2 * len(report.cells)
    assert {row[0] for row in rows[1:]} == {"qh-a", "qh-b"}
    assert [row[6] for row in rows if row[6].startswith("1\n")] == ["1\n2", "1\n2"]


def test_findings_csv_marks_formulas():
    summary = {"agency": "=cmd|' /C calc'!A0", "year": 2022, "findings": [
        {"rule": "A1", "message": "+1 行\n第二行", "row": "-2+3", "actual": -5, "evidence": [{"raw": "=1"}]}]}
    out = io.StringIO()
    overview.write_machine_findings(out, {"qh-a": summary})
    rows = _rows(out.getvalue())
    header, row = rows[0], dict(zip(rows[0], rows[1]))
    assert len(rows) == 2 and header[0] == "agency_id"
    assert row["agency"] == "'=cmd|' /C calc'!A0" and row["message"] == "'+1 行\n第二行"
    assert row["row"] == "'-2+3" and row["actual"] == "-5"
    assert json.loads(row["evidence"]) == [{"raw": "=1"}]
