"""Reading one cell's text: numbers as written in real reports, kept apart from blanks and 'not applicable'."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from xxgk.nfkc import nfkc

# Cell statuses, shared by every reader, rule and export.
NUMBER = "number"
BLANK = "blank"
NOT_APPLICABLE = "na"
TEXT = "text"
UNCERTAIN = "uncertain"
MISSING = "missing"

NA_TOKENS = {"/", "-", "—", "–", "－", "——", "--", "无", "／", "\\", "―", "─"}
_UNITS = ("万元", "元", "件", "项", "个", "条", "份", "次")
_MINUS = str.maketrans({"−": "-", "－": "-", "–": "-", "—": "-", "﹣": "-"})
_NUM = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
# No count or amount in an annual report comes near this; a longer number is a typo or an attack and
# is kept as text (with a note) so that no sum overflows, no page shows 「inf件」 and no file becomes unreadable.
MAX_PLAUSIBLE = 10**9


@dataclass(frozen=True)
class Value:
    value: float | int | None
    status: str
    unit: str | None = None
    note: str | None = None  # why a number-like text was not read as a number


@lru_cache(maxsize=65_536)  # cells repeat ("0", "", "/"): every reader asks for each many times
def parse_value(raw: str | None) -> Value:
    """Turn a cell's raw text into a number, blank, not-applicable or text.

    Examples:
        >>> parse_value("１２３")
        Value(value=123, status='number', unit=None, note=None)
        >>> parse_value("1,234.5万元")
        Value(value=1234.5, status='number', unit='万元', note=None)
        >>> parse_value("—").status, parse_value("").status, parse_value("+5").value
        ('na', 'blank', 5)
        >>> parse_value("9" * 31).status
        'text'
    """
    text = nfkc(raw or "").strip().strip("|").strip()
    text = re.sub(r"\s+", "", text)
    if not text:
        return Value(None, BLANK)
    if text in NA_TOKENS or text.translate(_MINUS) in {"-", "--"}:
        return Value(None, NOT_APPLICABLE)
    unit = None
    for u in _UNITS:
        if text.endswith(u) and len(text) > len(u):
            unit, text = u, text[: -len(u)]
            break
    text = text.translate(_MINUS)
    m = _NUM.match(text)
    if not m:
        return Value(None, TEXT, unit)
    sign, digits, frac = m.groups()
    digits = digits.replace(",", "").lstrip("0") or "0"
    if len(digits) > len(str(MAX_PLAUSIBLE)) or int(digits) > MAX_PLAUSIBLE:
        shown = digits if len(digits) <= 20 else f"{digits[:8]}…（共 {len(digits)} 位）"
        return Value(None, TEXT, unit, f"数字 {shown} 超过任何可能的件数（上限 {MAX_PLAUSIBLE:,}），按文字保留")
    if frac:
        try:
            number: float | int = float(Decimal(sign + digits + frac))
        except InvalidOperation:  # pragma: no cover - regex guarantees a decimal
            return Value(None, TEXT, unit)
    else:
        number = int(sign + digits)
    return Value(number, NUMBER, unit)


def is_value_text(raw: str) -> bool:
    """Could this text stand in a number cell (a number, even an implausible one, a blank or a not-applicable mark)?"""
    value = parse_value(raw)
    return value.status in (NUMBER, BLANK, NOT_APPLICABLE) or value.note is not None
