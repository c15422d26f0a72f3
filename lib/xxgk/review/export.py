"""A report's cells as files others open: the long-format CSV that `cells_csv` reads back exactly."""

from __future__ import annotations

import io

from xxgk.model import Report
from xxgk.spreadsheet_safe import Writer

CELLS_CSV_COLUMNS = ("table", "subtable", "row", "column", "value", "raw", "status", "source",
                     "agency", "year", "format_version")


def cells_csv(report: Report) -> str:
    """One line per official cell; the report's agency, year and layout on every line so each line stands alone.

    Formula-like text is marked as text for spreadsheets (spreadsheet_safe); the cells reader removes the mark.
    """
    out = io.StringIO()
    writer = Writer(out)
    writer.writerow(CELLS_CSV_COLUMNS)
    for c in report.cells:
        writer.writerow([c.table, c.subtable or "", c.row, c.column, "" if c.value is None else c.value, c.raw,
                         c.status, c.source, report.agency or "", report.year or "", report.format_version])
    return out.getvalue()
