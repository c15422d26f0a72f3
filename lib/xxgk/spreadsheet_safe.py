"""CSV that a spreadsheet opens as the text it holds: no field is run as a formula.

Excel and LibreOffice evaluate a field that starts with = + - @ (or a tab or carriage return) as a
formula, so a registry name or a cell like `=HYPERLINK(...)` would run on an analyst's machine. Such
text is written with a leading apostrophe, which spreadsheets show as text and hide; plain numbers
(`-5`, `+3.5`) are left alone. `plain` reverses it, so the cells CSV still reads back exactly.
Line breaks inside a field are quoted by the csv module (every writer here is a csv.writer).
"""

from __future__ import annotations

import csv
import re

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_MARK = "'"


def as_text(value):
    """The field as written to CSV: formula-like text gets the apostrophe, anything else is unchanged.

    Examples:
        >>> [as_text(v) for v in ("=1+1", "@SUM(A1)", "-", "-5", "+3.5", "qh-gov", 7, None)]
        ["'=1+1", "'@SUM(A1)", "'-", '-5', '+3.5', 'qh-gov', 7, None]
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return _MARK + value
    return value


def plain(field: str) -> str:
    """A field as it was before `as_text` (only an apostrophe in front of formula-like text is removed).

    Examples:
        >>> plain("'=1+1"), plain("'-"), plain("'quoted"), plain("-5")
        ('=1+1', '-', "'quoted", '-5')
    """
    if field.startswith(_MARK) and field[1:].startswith(_FORMULA_START):
        return field[1:]
    return field


class Writer:
    """csv.writer whose rows pass through `as_text`."""

    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, lineterminator="\n", **kwargs)

    def writerow(self, row) -> None:
        self._writer.writerow([as_text(v) for v in row])


class DictWriter(csv.DictWriter):
    """csv.DictWriter whose values pass through `as_text`."""

    def __init__(self, out, fieldnames, **kwargs):
        kwargs.setdefault("lineterminator", "\n")
        super().__init__(out, fieldnames, **kwargs)

    def writerow(self, rowdict):
        return super().writerow({k: as_text(v) for k, v in rowdict.items()})
