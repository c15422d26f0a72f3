"""Reader notes about labels carry structured fields (what the format rules read), through the parse cache
and into `xxgk parse --json`; notes without them keep their three keys."""

from __future__ import annotations

from xxgk.config import DATA_DIR
from xxgk.parse_cache import read_cached
from xxgk.read import read_report

MARKET = DATA_DIR / "reports" / "2021" / "qh-market.txt"  # writes 规范性文件 for the official 行政规范性文件


def test_label_note_fields_survive_the_cache_and_json(tmp_path):
    report = read_report(MARKET, year=2021)
    note = next(n for n in report.notes if n.kind == "label_variant")
    assert (note.axis, note.table, note.written, note.official) == ("row", "二", "规范性文件", "行政规范性文件")
    assert note.row == note.official and note.column is None
    cached = [read_cached(MARKET, 2021, report.agency, tmp_path) for _ in range(2)]  # stored, then read back
    assert cached[0].notes == cached[1].notes == report.notes
    shown = report.to_json()["notes"]
    assert shown[report.notes.index(note)] == {
        "kind": "label_variant", "message": note.message, "where": note.where, "axis": "row", "table": "二",
        "subtable": note.subtable, "row": "行政规范性文件", "written": "规范性文件", "official": "行政规范性文件"}
    assert all(set(n) == {"kind", "message", "where"} for n, m in zip(shown, report.notes) if m.axis is None)
