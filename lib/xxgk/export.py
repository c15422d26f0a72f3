"""A report's cells as files others open: the long-format CSV that `cells_csv` reads back exactly."""

from __future__ import annotations

import csv
import io

from xxgk.model import Report

CELLS_CSV_COLUMNS = ("table", "subtable", "row", "column", "value", "raw", "status", "source",
                     "agency", "year", "format_version")


def cells_csv(report: Report) -> str:
    """One line per official cell; the report's agency, year and layout on every line so each line stands alone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CELLS_CSV_COLUMNS)
    for c in report.cells:
        writer.writerow([c.table, c.subtable or "", c.row, c.column, "" if c.value is None else c.value, c.raw,
                         c.status, c.source, report.agency or "", report.year or "", report.format_version])
    return out.getvalue()
