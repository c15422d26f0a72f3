"""Cells that ran together in crawler text ("640020470"): split them where the sums make it unique.

Placeholder: splits only on whitespace; the constraint solver replaces this module.
"""

from __future__ import annotations

from xxgk.values import UNCERTAIN, Value, parse_value


def split_row(tokens, n):
    parts = [(p, t.where) for t in tokens for p in t.text.split()]
    if len(parts) == n:
        return [(p, parse_value(p), w) for p, w in parts]
    raw = " ".join(t.text for t in tokens)
    where = tokens[0].where if tokens else ""
    return [(raw, Value(None, UNCERTAIN), where) for _ in range(n)]


def resolve_tables(layout, placed, report):
    return None
