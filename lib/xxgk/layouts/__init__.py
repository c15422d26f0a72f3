"""Official layouts as data: one YAML file per version, loaded once, with label lookups.

Labels are never re-typed in code; everything that needs a row, column or heading asks a Layout, and a
row, column or column group that plays a part (the disclosed outcomes, a group's 总计, 表四's 行政复议) by its
role, not by its position (tests/test_no_typed_labels.py).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

from xxgk import yamlfile
from xxgk.config import LAYOUTS_DIR
from xxgk.nfkc import nfkc

VERSIONS = ("2019", "2021")

_QUOTES = (("“", '"'), ("”", '"'), ("「", '"'), ("」", '"'), ("‘", "'"), ("’", "'"), ("＂", '"'))
_SPACE = re.compile(r"\s+")
_ENUMERATOR = re.compile(r"^(\d{1,2})[、,]")  # "1、其他" for the official "1.其他"
_ENUMERATED = re.compile(r"^(\d{1,2}\.|\([一二三四五六七八九十]{1,2}\)|[一二三四五六七八九十]{1,2}、)")
_CLEAR_MARGIN = 0.05  # a close match must beat every other row by this much
_MATCH_CACHE = 20_000  # remembered label lookups per layout (labels repeat across a batch's reports)


def _split_enumerator(norm: str) -> tuple[str, str]:
    """('7.', '属于行政执法案卷') of a normalized label (NFKC makes （七） into (七))."""
    m = _ENUMERATED.match(norm)
    return (m.group(1), norm[m.end():]) if m else ("", norm)


@lru_cache(maxsize=1 << 16)
def normalize_label(text: str) -> str:
    """NFKC, no whitespace, unified quotes: how real pages differ from the official print.

    Memoized: every reader and the assembler ask for the same few thousand labels and lines many times.
    Quotes are replaced where present: str.translate looks up every character of a whole page in a dict."""
    text = nfkc(text or "")
    for quote, plain in _QUOTES:
        if quote in text:
            text = text.replace(quote, plain)
    return _SPACE.sub("", text).replace("\u3000", "")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str
    group: str | None = None  # the spanning headers above the label, joined by "/"
    unit: str | None = None
    variants: tuple[str, ...] = ()
    role: str | None = None  # what the code asks the column for (total: the sum of its table or group)

    @cached_property
    def path(self) -> str:
        """The header path joined by '/', e.g. 行政诉讼/复议后起诉/总计 (asked for every cell a reader places)."""
        return f"{self.group}/{self.label}" if self.group else self.label


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    group: bool = False
    parent: str | None = None
    variants: tuple[str, ...] = ()
    role: str | None = None  # what the code asks the row for (表三's disclosed outcomes: role "disclosed")


@dataclass(frozen=True)
class ColumnGroup:
    """A spanning header over columns (表四's 行政复议, 行政诉讼/复议后起诉) and the role code asks it by."""

    path: str
    role: str

    @property
    def label(self) -> str:
        """The group's own header cell: 复议后起诉 of 行政诉讼/复议后起诉."""
        return self.path.split("/")[-1]


@dataclass(frozen=True)
class Table:
    id: str
    table: str  # 二 / 三 / 四
    subtable: str | None
    title: str | None
    header_label: str | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    corner_note: str | None = None
    column_groups: tuple[ColumnGroup, ...] = ()  # in printed order

    @cached_property
    def data_rows(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if not r.group)

    def rows_with(self, role: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.role == role)

    def group(self, role: str) -> ColumnGroup:
        return next(g for g in self.column_groups if g.role == role)

    def group_columns(self, group: ColumnGroup) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.group == group.path)

    def columns_with(self, role: str, group: ColumnGroup | None = None) -> tuple[Column, ...]:
        return tuple(c for c in (self.group_columns(group) if group else self.columns) if c.role == role)

    def total_column(self, group: ColumnGroup | None = None) -> Column:
        """The 总计 column of the table, or of one column group (表四)."""
        return self.columns_with("total", group)[0]

    @property
    def leading_header(self) -> str:
        """The top header cell over the first column: where a printed table's header row starts."""
        first = self.columns[0]
        return (first.group or first.label).split("/")[0]

    @cached_property
    def group_width(self) -> int:
        """Columns under each column group (表四's three are equally wide)."""
        return len(self.group_columns(self.column_groups[0])) if self.column_groups else 0

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def children(self, group_key: str) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.parent == group_key and not r.group)


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    heading: str
    variants: tuple[str, ...] = ()
    keywords: tuple[tuple[str, ...], ...] = ()  # any one group, all its words present: the section's meaning


@dataclass(frozen=True)
class Layout:
    version: str
    issuing_document: str
    format_title: str
    first_year: int
    last_year: int | None
    markers: tuple[str, ...]
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    _labels: dict = field(default_factory=dict, compare=False, repr=False)
    _matches: dict = field(default_factory=dict, compare=False, repr=False)
    _matchers: dict = field(default_factory=dict, compare=False, repr=False)
    _postings: dict = field(default_factory=dict, compare=False, repr=False)

    def table(self, table_id: str) -> Table:
        return self._by_id[table_id]

    @cached_property
    def _by_id(self) -> dict[str, Table]:
        """Tables by id: readers ask for 表四 at every value they take."""
        return {t.id: t for t in self.tables}

    def tables_of(self, name: str) -> tuple[Table, ...]:
        return tuple(t for t in self.tables if t.table == name)

    def applies_to(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)

    def row_label_index(self) -> dict[str, tuple[Table, Row, bool]]:
        """Normalized row label (official or variant) -> (table, row, is_official)."""
        if not self._labels:
            for t in self.tables:
                for r in t.rows:
                    if not r.label:
                        continue
                    self._labels.setdefault(normalize_label(r.label), (t, r, True))
                    for v in r.variants:
                        self._labels.setdefault(normalize_label(v), (t, r, False))
        return self._labels

    def match_row(self, text: str, cutoff: float = 0.82) -> tuple[Table, Row, str] | None:
        """Find the official row a written label means; the last item says how it matched.

        A close match ('fuzzy': typos, 案件 for 案卷, a lost enumerator) must agree with the label's
        enumerator (1. / （一） / 一、) where both have one, and must be clearly closer than any other
        row: a label equally near two rows, or naming another row's number, matches none."""
        key = (text, cutoff)
        if key not in self._matches:
            if len(self._matches) > _MATCH_CACHE:
                self._matches.clear()
            self._matches[key] = self._match_row(text, cutoff)
        return self._matches[key]

    def _match_row(self, text: str, cutoff: float) -> tuple[Table, Row, str] | None:
        norm = normalize_label(text)
        if not norm:
            return None
        index = self.row_label_index()
        hit = index.get(norm)
        if hit:
            return hit[0], hit[1], "exact" if hit[2] else "variant"
        norm = _ENUMERATOR.sub(r"\1.", norm)
        hit = index.get(norm)
        if hit:
            return hit[0], hit[1], "variant"
        if len(norm) < 4 or cutoff >= 1.0:  # too short to match closely, or only exact matches asked for
            return None
        num, body = _split_enumerator(norm)
        entries = list(index.items())
        shortest = len(body) + 1  # the fewest characters either comparison below compares (a label has one)
        scored = []
        for k, shared in enumerate(self._shared(norm)):
            if 2.0 * shared / shortest < cutoff:  # neither ratio can reach the cutoff: most labels, cheaply
                continue
            label, (t, r, _) = entries[k]
            lnum, lbody = self._label_parts(label)
            if num and lnum and num != lnum:
                continue
            rest = num != lnum and len(body) >= 4  # one side has an enumerator the other lacks: compare the rest
            # The shared characters bound both ratios (the rests share no more than the whole labels).
            if not (_may_reach(shared, norm, label, cutoff) or rest and _may_reach(shared, body, lbody, cutoff)):
                continue
            ratio = self._ratio(norm, label, cutoff)
            if rest:
                ratio = max(ratio, self._ratio(body, lbody, cutoff))
            if ratio >= cutoff:
                scored.append((ratio, t, r))
        if not scored:
            return None
        scored.sort(key=lambda x: -x[0])
        best = scored[0]
        if any(r.key != best[2].key and best[0] - ratio < _CLEAR_MARGIN for ratio, _, r in scored[1:]):
            return None
        return best[1], best[2], "fuzzy"

    def _shared(self, text: str) -> list[int]:
        """Characters the text shares with each indexed label, counted with repetition (difflib's quick_ratio
        matches), in index order: from a character -> labels index, so labels with nothing in common
        with the text cost nothing."""
        postings = self._postings
        if not postings:  # built whole, then published: a layout is shared, and another thread may be asking
            postings = {}
            for k, label in enumerate(self.row_label_index()):
                for ch, n in Counter(label).items():
                    postings.setdefault(ch, []).append((k, n))
            self._postings.update(postings)
        shared = [0] * len(self.row_label_index())
        for ch, n in Counter(text).items():
            for k, m in postings.get(ch, ()):
                shared[k] += min(n, m)
        return shared

    def _label_parts(self, label: str) -> tuple[str, str]:
        parts = self._matchers.get(("parts", label))
        if parts is None:
            parts = self._matchers[("parts", label)] = _split_enumerator(label)
        return parts

    def _ratio(self, a: str, b: str, cutoff: float) -> float:
        """difflib's similarity of a to the label b, after the cheap upper bounds rule the pair out (most
        pairs are far apart); one matcher per label keeps the label's index built once."""
        if 2 * min(len(a), len(b)) < cutoff * (len(a) + len(b)):
            return 0.0
        m = self._matchers.get(b)
        if m is None:
            m = self._matchers[b] = difflib.SequenceMatcher(None, "", b, autojunk=False)
        m.set_seq1(a)
        if m.quick_ratio() < cutoff:
            return 0.0
        return m.ratio()

    def match_caption(self, text: str) -> Table | None:
        norm = normalize_label(text)
        for t in self.tables:
            if t.subtable and normalize_label(t.subtable) == norm:
                return t
        return None


def _may_reach(shared: int, a: str, b: str, cutoff: float) -> bool:
    """Can difflib's ratio of a and b reach the cutoff, given the characters they share? (Its own upper bound.)"""
    return 2.0 * min(shared, len(a), len(b)) / (len(a) + len(b)) >= cutoff


def _column_variants(c: dict, first_year: int, last_year: int | None) -> tuple[str, ...]:
    """A column's variants, year-dependent wordings (本年({year})制发件数) written out for every year the
    layout can report on (through next year's reports)."""
    years = range(first_year, (last_year or date.today().year) + 1)
    return (*c.get("variants", ()), *(v.format(year=y) for v in c.get("year_variants", ()) for y in years))


def _column_groups(t: dict) -> tuple[ColumnGroup, ...]:
    """The table's column groups; every column's group must be one of them (a typo would lose a role)."""
    groups = tuple(ColumnGroup(g["path"], g["role"]) for g in t.get("column_groups", ()))
    if groups and {c["group"] for c in t["columns"] if c.get("group")} != {g.path for g in groups}:
        raise ValueError(f"layout table {t['id']}: column groups do not match the columns' groups")
    return groups


def _layout_from_yaml(data: dict) -> Layout:
    first, last = data["report_years"]["first"], data["report_years"]["last"]
    tables = []
    for t in data["tables"]:
        tables.append(
            Table(
                id=t["id"],
                table=t["table"],
                subtable=t.get("subtable"),
                title=t.get("title"),
                header_label=t.get("header_label"),
                columns=tuple(
                    Column(c["key"], c["label"], c["type"], c.get("group"), c.get("unit"), _column_variants(c, first, last),
                           c.get("role"))
                    for c in t["columns"]
                ),
                rows=tuple(
                    Row(r["key"], r["label"], bool(r.get("group")), r.get("parent"), tuple(r.get("variants", ())),
                        r.get("role"))
                    for r in t["rows"]
                ),
                corner_note=t.get("corner_note"),
                column_groups=_column_groups(t),
            )
        )
    return Layout(
        version=data["version"],
        issuing_document=data["issuing_document"],
        format_title=data["format_title"],
        first_year=first,
        last_year=last,
        markers=tuple(data["markers"]),
        sections=tuple(
            Section(s["number"], s["key"], s["heading"], tuple(s.get("variants", ())),
                    tuple(tuple(g) for g in s.get("keywords", ())))
            for s in data["sections"]
        ),
        tables=tuple(tables),
    )


@lru_cache(maxsize=None)
def load_layout(version: str) -> Layout:
    """The official layout '2019' or '2021'."""
    if version not in VERSIONS:
        raise KeyError(f"unknown layout version {version!r}; known: {', '.join(VERSIONS)}")
    return _layout_from_yaml(yamlfile.load(LAYOUTS_DIR / f"gb{version}.yaml"))


@lru_cache(maxsize=None)
def pre2019_markers() -> dict:
    return yamlfile.load(LAYOUTS_DIR / "pre2019.yaml")


def layout_for_year(year: int) -> Layout | None:
    """The layout in force for a report year (None before 2019)."""
    for v in VERSIONS:
        lay = load_layout(v)
        if lay.applies_to(year):
            return lay
    return None


def section_headings() -> list[Section]:
    """Section headings are identical in both layouts."""
    return list(load_layout("2021").sections)
