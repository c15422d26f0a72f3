"""How numbers and the words for a finding's severity and status read on every page, sheet and line."""

from __future__ import annotations

from xxgk.model import FAIL, NOT_ASSESSABLE, PASS, RULE_ERROR, UNCERTAIN

SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_STATUS_NAMES = {FAIL: "不符合", UNCERTAIN: "无法判断", PASS: "通过", NOT_ASSESSABLE: "无法评估",
                        RULE_ERROR: "规则执行出错"}


def number_text(value: float | int) -> str:
    """A count as written in a report: no trailing .0, thousands separated.

    Examples:
        >>> number_text(1234), number_text(2.50), number_text(0)
        ('1,234', '2.5', '0')
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
