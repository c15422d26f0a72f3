"""Cells that ran together in crawler text ("640020470"): split them where the sums make it unique.

A run is read in every way it can be cut into the row's numbers (no leading zeros, whitespace is a
hard boundary, a minus sign only in signed columns, decimals only in money columns). The row's own
总计 columns keep the readings that add up; table 三's column identities then choose among the rows
that still have several readings, and numbers the report's prose writes after a row's label
(“现行有效行政规范性文件698件”) may settle a 表二 row. What stays ambiguous is marked uncertain, never
guessed, and a report whose printed sums do not hold is kept as printed, not made consistent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xxgk.layouts import Layout, Table, normalize_label
from xxgk.read.detect import normalized
from xxgk.values import NOT_APPLICABLE, NUMBER, UNCERTAIN, Value, parse_value

MAX_READINGS = 2000  # a run with more readings than this is too ambiguous to choose among
MAX_CELL_CHARS = 16  # longest number a cell holds (242523110.82 has 12 characters)
MAX_STEPS = 50_000  # search steps per run and per table: the solver gives up rather than hang
_SHOWN = 6  # readings named in a note
_TOLERANCE = 0.005  # money columns add up to the printed cent

_NA_MARKS = "/／—–―"
_NOT_RUN = re.compile(r"[^\d.\-/／—–―]")
_UNIT_TAIL = re.compile(r"(?<=\d)([^\d\s.\-]+)$")
_STATED = re.compile(r"(\d+(?:\.\d+)?)(?:件|条|项|个|万元|元)")  # the number prose writes after a label
_MINUS = str.maketrans({"−": "-", "－": "-", "﹣": "-"})

# Row keys of table 三's column identities: the corner note (一+二 = （七）+四) and （七）总计.
_RESULTS, _TOTAL_PROCESSED = "results", "total_processed"
_BALANCE = {"new_received": 1, "carried_over": 1, _TOTAL_PROCESSED: -1, "carried_forward": -1}


@dataclass(frozen=True)
class Piece:
    """One cell of a reading: the characters it took and their value (None = not applicable)."""

    text: str
    value: int | float | None


@dataclass
class Split:
    """The readings of one run as one row: tuples of Pieces, one per column."""

    run: str
    readings: list
    sums_hold: bool = True  # False: no reading satisfies the row's 总计, these are the unchecked ones
    overflow: bool = False  # too many readings to enumerate

    @property
    def unique(self) -> bool:
        return len(self.readings) == 1 and not self.overflow


# -- one row ---------------------------------------------------------------------------------------
def split_row(tokens, table: Table):
    """(raw, Value, where) per column for the run of one row; a row read several ways is uncertain."""
    run = " ".join(t.text.strip() for t in tokens if t.text.strip())
    if not run:
        return []
    where = tokens[0].where
    split = split_run(run, table)
    if split.unique:
        return [(p.text, _value(p), where) for p in split.readings[0]]
    return [(run, Value(None, UNCERTAIN), where) for _ in table.columns]


def split_run(run: str, table: Table) -> Split:
    """Every reading of `run` as one row of `table`, kept to those its 总计 columns allow.

    Examples:
        >>> from xxgk.layouts import load_layout
        >>> t3 = load_layout("2021").table("t3")
        >>> ["/".join(p.text for p in r) for r in split_run("270020130", t3).readings]
        ['2/7/0/0/20/1/30', '27/0/0/2/0/1/30']
    """
    known = _SPLITS.get((run, table.id))
    if known is None or known[0] is not table:
        if len(_SPLITS) >= _SPLITS_KEPT:
            _SPLITS.clear()
        known = _SPLITS[(run, table.id)] = (table, _split_run(run, table))
    split = known[1]
    return Split(split.run, list(split.readings), split.sums_hold, split.overflow)


# Runs repeat within and across reports (a row of zeros above all): each run's readings are searched once.
_SPLITS: dict[tuple[str, str], tuple[Table, Split]] = {}
_SPLITS_KEPT = 4096


def _split_run(run: str, table: Table) -> Split:
    kinds = [c.type for c in table.columns]
    parts = _parts(run)
    if parts is None:
        return Split(run, [])
    if sum(map(len, parts)) > MAX_CELL_CHARS * len(kinds):
        return Split(run, [], overflow=True)  # no report prints numbers this long: not worth a search
    sums = row_sums(table)
    holding, overflow = _cuts(parts, kinds, sums, MAX_READINGS)
    if holding or not sums or overflow:
        return Split(run, holding, True, overflow)
    # No reading adds up: the row is kept as printed if it reads one way only (rules report the sum).
    printed, overflow = _cuts(parts, kinds, [], _SHOWN)
    return Split(run, printed, False, overflow)


def _parts(run: str) -> list[str] | None:
    """Whitespace-separated parts with a trailing unit (元, 万元…) dropped; None if not a number run."""
    parts = []
    for part in run.translate(_MINUS).split():
        m = _UNIT_TAIL.search(part)
        if m:
            if parse_value("1" + m.group(1)).unit is None:
                return None
            part = part[: m.start()]
        if _NOT_RUN.search(part):
            return None
        parts.append(part)
    return parts


def row_sums(table: Table) -> list[tuple[int, tuple[int, ...]]]:
    """(总计 column, the columns it adds up) for each total column of the row, from the layout."""
    sums = []
    for i, col in enumerate(table.columns):
        if col.key != "total" and not col.key.endswith("_total"):
            continue
        members = tuple(j for j, c in enumerate(table.columns) if j != i and (col.group is None or c.group == col.group))
        if members:
            sums.append((i, members))
    return sums


def _cuts(parts: list[str], kinds: list[str], sums, limit: int) -> tuple[list, bool]:
    """Cuts of the parts into len(kinds) pieces whose row sums hold; (up to `limit` readings, overflowed).

    A 总计 printed after its members can only be their sum, and it needs at least as many digits as
    the longest member and as the sum so far: both prune the walk long before it is complete.
    """
    n = len(kinds)
    left = [sum(len(p) for p in parts[i:]) for i in range(len(parts) + 1)]
    ahead = [(t, m) for t, m in sums if t > max(m)]  # totals printed after all their members
    done_at: dict[int, list] = {}
    for total, members in sums:
        done_at.setdefault(max(total, *members), []).append((total, members))
    found: list = []
    steps = 0
    acc: list[Piece] = []

    def walk(pi: int, pos: int, col: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS or len(found) > limit:
            return False
        if pi == len(parts):
            if col == n:
                found.append(tuple(acc))
            return True
        if col == n or n - col > left[pi] - pos or n - col < len(parts) - pi:
            return True
        room = left[pi] - pos - (n - col - 1)  # most characters one of the remaining cells can take
        pieces = None
        for total, members in ahead:
            if total < col:
                continue
            done = [acc[i] for i in members if i < col]
            if any(p.value is None for p in done):
                continue
            if max((len(p.text.lstrip("-")) for p in done), default=0) > room:
                return True
            so_far = sum(p.value for p in done)
            if so_far > 0 and len(str(int(so_far))) > room:
                return True
            if total == col and len(done) == len(members) and isinstance(so_far, int):
                pieces = [Piece(str(so_far), so_far)] if parts[pi].startswith(str(so_far), pos) else []
        part = parts[pi]
        for piece in _pieces(part, pos, kinds[col]) if pieces is None else pieces:
            acc.append(piece)
            if all(_adds_up(acc, t, m) for t, m in done_at.get(col, ())):
                end = pos + len(piece.text)
                going = walk(pi + 1, 0, col + 1) if end == len(part) else walk(pi, end, col + 1)
                if not going:
                    acc.pop()
                    return False
            acc.pop()
        return True

    complete = walk(0, 0, 0)
    return found[:limit], not complete


def _pieces(part: str, pos: int, kind: str):
    """The numbers a column of this kind can take starting at `pos`, shortest first."""
    ch = part[pos]
    if ch in _NA_MARKS or (ch == "-" and (pos + 1 == len(part) or not part[pos + 1].isdigit())):
        end = pos
        while end < len(part) and part[end] == ch:
            end += 1
        yield Piece(part[pos:end], None)
        return
    start = pos
    if ch == "-":
        if kind != "signed_int":
            return
        pos += 1
    digits = pos
    while digits < len(part) and part[digits].isdigit():
        digits += 1
    if digits == pos:
        return
    ends = [pos + 1] if part[pos] == "0" else range(pos + 1, digits + 1)
    for end in ends:
        text = part[start:end]
        if end == digits and kind == "decimal" and end < len(part) and part[end] == ".":
            frac = end + 1
            while frac < len(part) and part[frac].isdigit():
                frac += 1
            for cut in range(end + 2, frac + 1):  # the whole number with 1, 2… of its decimals
                yield Piece(part[start:cut], float(part[start:cut]))
            continue
        yield Piece(text, int(text))


def _adds_up(acc: list[Piece], total: int, members: tuple[int, ...]) -> bool:
    values = [acc[i].value for i in (total, *members)]
    if any(v is None for v in values):
        return True  # a not-applicable mark: the sum cannot be checked, so it does not choose
    return abs(values[0] - sum(values[1:])) <= _TOLERANCE


def _value(piece: Piece) -> Value:
    return Value(None, NOT_APPLICABLE) if piece.value is None else Value(piece.value, NUMBER)


def _show(reading) -> str:
    return "/".join(p.text for p in reading)


def _show_all(readings) -> str:
    shown = "；".join(_show(r) for r in readings[:_SHOWN])
    return shown + (f" 等 {len(readings)} 种" if len(readings) > _SHOWN else "")


# -- whole tables ----------------------------------------------------------------------------------
def resolve_tables(layout: Layout, placed: dict, report) -> None:
    """Settle the rows split_row left uncertain: by table 三's column sums, then by the report's prose."""
    for table in layout.tables:
        rows = {r.key: placed[(table.id, r.key)] for r in table.data_rows if (table.id, r.key) in placed}
        splits = {}
        for key, cells in rows.items():
            runs = {c.raw for c in cells if c.status == UNCERTAIN and c.raw}
            if len(runs) == 1 and len(cells) == len(table.columns):
                splits[key] = split_run(runs.pop(), table)
        if not splits:
            continue
        chosen = _by_column_sums(table, rows, splits, report)
        for key, split in splits.items():
            _settle(table, table.row(key), rows[key], split, chosen.get(key), report)


def _by_column_sums(table: Table, rows: dict, splits: dict, report) -> dict:
    """Row key -> readings left once table 三's column identities must hold ({} if none can)."""
    identities = _column_identities(table)
    open_rows = [k for k, s in splits.items() if len(s.readings) > 1 and not s.overflow]
    if not identities or not open_rows:
        return {}
    fixed = {}
    for key, cells in rows.items():
        if key in splits:
            s = splits[key]
            fixed[key] = [p.value for p in s.readings[0]] if s.unique else None
        else:
            fixed[key] = [c.value if c.status == NUMBER else None for c in cells]
    for key in open_rows:
        del fixed[key]
    options = {k: [[p.value for p in r] for r in splits[k].readings] for k in open_rows}
    survivors, complete = _search(identities, fixed, options, len(table.columns))
    if not complete:
        report.note("digit_split", f"表{table.table}数字串组合过多，未按列合计关系选择拆分")
        return {}
    if not any(survivors.values()):
        report.note(
            "digit_split",
            f"表{table.table}的列合计关系在任何拆分下都不成立（按印刷记录，不作更正），只按各行自身合计拆分",
        )
        return {}
    return {k: [splits[k].readings[i] for i in sorted(idx)] for k, idx in survivors.items()}


def _column_identities(table: Table) -> list[dict[str, int]]:
    """Row coefficients of identities that hold in every column of table 三 (empty elsewhere)."""
    keys = {r.key for r in table.rows}
    if _RESULTS not in keys or not set(_BALANCE) <= keys:
        return []
    results = {r.key: 1 for r in table.data_rows if r.key != _TOTAL_PROCESSED and _under(table, r, _RESULTS)}
    return [dict(results, **{_TOTAL_PROCESSED: -1}), dict(_BALANCE)]


def _under(table: Table, row, group: str) -> bool:
    parent = row.parent
    while parent:
        if parent == group:
            return True
        parent = table.row(parent).parent
    return False


def _search(identities, fixed: dict, options: dict, ncols: int) -> tuple[dict, bool]:
    """Reading indices per open row that occur in some combination where every identity holds."""
    order = sorted(options, key=lambda k: len(options[k]))
    checks = []  # (column, fixed part of the sum, {open row: coefficient}) for each checkable identity
    for ident in identities:
        for c in range(ncols):
            base, terms = 0, {}
            for key, coef in ident.items():
                if key in options:
                    if any(r[c] is None for r in options[key]):
                        break
                    terms[key] = coef
                elif fixed.get(key) is None or c >= len(fixed[key]) or fixed[key][c] is None:
                    break  # an operand is unknown: this identity cannot choose in this column
                else:
                    base += coef * fixed[key][c]
            else:
                if terms:
                    checks.append((c, base, terms))
    spans = {k: [(min(r[c] for r in rs), max(r[c] for r in rs)) for c in range(ncols)] for k, rs in options.items()}
    survivors = {k: set() for k in order}
    chosen: dict[str, int] = {}
    steps = 0

    def feasible() -> bool:
        for c, base, terms in checks:
            low = high = base
            for key, coef in terms.items():
                if key in chosen:
                    v = coef * options[key][chosen[key]][c]
                    low, high = low + v, high + v
                else:
                    a, b = coef * spans[key][c][0], coef * spans[key][c][1]
                    low, high = low + min(a, b), high + max(a, b)
            if low > _TOLERANCE or high < -_TOLERANCE:
                return False
        return True

    def walk(i: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS:
            return False
        if i == len(order):
            for key, idx in chosen.items():
                survivors[key].add(idx)
            return True
        key = order[i]
        for idx in range(len(options[key])):
            chosen[key] = idx
            if feasible() and not walk(i + 1):
                return False
            del chosen[key]
        return True

    return survivors, walk(0)


def _settle(table: Table, row, cells: list, split: Split, by_columns: list | None, report) -> None:
    """Write the reading(s) left into the row's cells and say how they were chosen."""
    name = f"表{table.table}{table.subtable or ''}“{row.label or '数据行'}”"
    where = cells[0].source
    n = len(table.columns)
    if not split.readings:
        report.note("digit_split", f"{name}数字串“{split.run}”无法拆成 {n} 个数，单元格标为不确定", where)
        return
    if split.overflow:
        report.note("digit_split", f"{name}数字串“{split.run}”拆分方式过多，单元格标为不确定", where)
        return
    readings = by_columns or split.readings
    how = "按表三列合计关系" if by_columns and len(by_columns) < len(split.readings) else ""
    if len(readings) > 1:
        stated = _stated_in_text(report, row)
        best = _best_supported(readings, stated)
        if best is not None:
            readings = [best]
            how = f"按正文所述数字 {'、'.join(str(v) for v in sorted(stated))}"
    for i, cell in enumerate(cells):
        values = {r[i].value for r in readings}
        texts = {r[i].text for r in readings}
        if len(values) == 1 and len(texts) == 1:
            piece = readings[0][i]
            val = _value(piece)
            cell.value, cell.status, cell.raw = val.value, val.status, piece.text
    sums = "" if split.sums_hold else "（没有一种拆分满足行内合计，按印刷记录）"
    if len(readings) == 1:
        if how:
            report.note(
                "digit_split",
                f"{name}数字串“{split.run}”可拆为 {len(split.readings)} 种（{_show_all(split.readings)}），"
                f"{how}取 {_show(readings[0])}{sums}",
                where,
            )
        return
    settled = [table.columns[i].path for i, c in enumerate(cells) if c.status != UNCERTAIN]
    partly = f"；各种拆分一致的{'、'.join(settled)}已确定" if settled else ""
    report.note(
        "digit_split",
        f"{name}数字串“{split.run}”可拆为 {len(readings)} 种（{_show_all(readings)}），无法确定{sums}{partly}",
        where,
    )


def _stated_in_text(report, row) -> set:
    """Numbers the report's prose writes right after this row's label (“行政规范性文件698件”)."""
    prose = normalized("\n".join([report.preface, *(s.text for s in report.sections)]))
    found = set()
    for label in (row.label, *row.variants):
        norm = normalize_label(label)
        if len(norm) < 2:
            continue
        at = prose.find(norm)  # a search per label: a regex per label was compiled afresh in every process
        while at >= 0:
            m = _STATED.match(prose, at + len(norm))
            if m:
                found.add(parse_value(m.group(1)).value)
            at = prose.find(norm, m.end() if m else at + 1)
    return found


def _best_supported(readings: list, stated: set):
    """The one reading holding the most stated numbers (at least two), else None."""
    if len(stated) < 2:
        return None
    scored = sorted(((sum(p.value in stated for p in r), k) for k, r in enumerate(readings)), reverse=True)
    if scored[0][0] >= 2 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
        return readings[scored[0][1]]
    return None
