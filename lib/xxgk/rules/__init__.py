"""The compliance rule catalog: metadata in catalog.yaml, one small function per rule id.

`check(report)` runs every catalogued rule and returns its findings; every rule gives at least one
outcome (pass, fail, uncertain, not_assessable), so a silent rule is never mistaken for a passed one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from xxgk import registry, yamlfile
from xxgk.layouts import Layout, load_layout, normalize_label
from xxgk.model import FAIL, NOT_ASSESSABLE, PASS, RULE_ERROR, UNCERTAIN, Cell, Finding, Peer, Report, cell_ref
from xxgk.values import MISSING, NUMBER

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
CATEGORIES = ("structure", "format", "completeness", "arithmetic", "narrative", "cross_year", "similarity",
              "hierarchy", "timeliness")
SEVERITIES = ("error", "warning", "info")
STATUSES = (PASS, FAIL, UNCERTAIN, NOT_ASSESSABLE, RULE_ERROR)


@dataclass(frozen=True)
class RuleMeta:
    id: str
    category: str
    severity: str
    statement: str
    basis: str
    params: dict = field(default_factory=dict, compare=False)  # the rule's thresholds and dates, as data


@lru_cache(maxsize=None)
def _catalog_documents() -> tuple[dict, list]:
    """catalog.yaml's two documents: the scoring parameters (a mapping) and the rules (a list)."""
    docs = [d for d in yamlfile.load_all(CATALOG_FILE) if d is not None]
    settings = next((d for d in docs if isinstance(d, dict)), {})
    entries = next(d for d in docs if isinstance(d, list))
    return settings, entries


def scoring() -> dict:
    """The score's parameters (weights, caps, grade floors, minimum coverage) from catalog.yaml."""
    return _catalog_documents()[0]["scoring"]


def parameters() -> dict:
    """Thresholds and word lists several rules share (catalog.yaml's `parameters`)."""
    return _catalog_documents()[0]["parameters"]


@lru_cache(maxsize=None)
def catalog() -> dict[str, RuleMeta]:
    """Rule id -> metadata, in catalog order."""
    entries = _catalog_documents()[1]
    out: dict[str, RuleMeta] = {}
    for e in entries:
        meta = RuleMeta(e["id"], e["category"], e["severity"], e["statement"], e["basis"], dict(e.get("params") or {}))
        if meta.category not in CATEGORIES or meta.severity not in SEVERITIES or meta.id in out:
            raise ValueError(f"catalog.yaml: bad entry {e['id']}")
        out[meta.id] = meta
    return out


class Registry:
    """Binds rule functions to catalog ids."""

    def __init__(self) -> None:
        self.functions: dict[str, Callable[[Context], Iterable[Finding]]] = {}

    def rule(self, *ids: str):
        def bind(func):
            for rule_id in ids:
                if rule_id not in catalog():
                    raise KeyError(f"rule {rule_id} is not in catalog.yaml")
                self.functions[rule_id] = func
            return func

        return bind


REGISTRY = Registry()
rule = REGISTRY.rule
_MODULES = ("structure", "format", "completeness", "arithmetic", "narrative", "cross_year", "similarity",
            "hierarchy", "timeliness")


def load_rules() -> Registry:
    """Import every category module so its rules register themselves."""
    for name in _MODULES:
        importlib.import_module(f"xxgk.rules.{name}")
    return REGISTRY


@dataclass
class Context:
    """What a rule sees: the report, its neighbours, and helpers that build findings in one shape."""

    report: Report
    previous: Report | None = None
    peers: Sequence[Report | Peer] = ()  # a Peer: what a batch keeps of a region's report (model.Peer)
    agencies: list[dict[str, Any]] = field(default_factory=list)
    children: Sequence[Report] = ()
    publications: list[dict[str, Any]] = field(default_factory=list)  # publications.csv records
    meta: RuleMeta | None = None
    _cells: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self._cells:
            self._cells.update(index_cells(self.report))

    @property
    def layout(self) -> Layout | None:
        return layout_of(self.report)

    def cell(self, table_id: str, row_key: str, column_key: str) -> Cell | None:
        return self._cells.get((table_id, row_key, column_key))

    def has_table(self, name: str) -> bool:
        return any(c.table == name and c.status != MISSING for c in self._cells.values())

    def finding(self, status: str, message: str, **kw) -> Finding:
        m = self.meta
        return Finding(m.id, m.category, m.severity, status, message, **kw)

    def no_prose(self) -> Finding | None:
        """not_assessable when the rendering carries tables only (e.g. another tool's JSON of the tables)."""
        r = self.report
        if not r.sections and not r.preface.strip() and r.cells:
            return self.not_assessable("此文件只有表格数据，没有报告正文")
        return None

    def passed(self, message: str, **kw) -> Finding:
        return self.finding(PASS, message, **kw)

    def not_assessable(self, message: str, **kw) -> Finding:
        return self.finding(NOT_ASSESSABLE, message, **kw)


def index_cells(report: Report) -> dict[tuple[str, str, str], Cell]:
    return {(c.table_id, c.row_key, c.column_key): c for c in report.cells}


def layout_of(report: Report | None) -> Layout | None:
    if report is None or report.format_version not in ("2019", "2021"):
        return None
    return load_layout(report.format_version)


def number(cell: Cell | None):
    """The cell's number, or None when it is absent, blank, 'not applicable' or unreadable."""
    return cell.value if cell is not None and cell.status == NUMBER else None


def evidence(*cells: Cell | None) -> list[dict[str, str]]:
    """Source locations and raw text of the cells a finding rests on."""
    out = []
    for c in cells:
        if c is None:
            continue
        out.append({"cell": cell_ref(c.table, c.row, c.column, c.subtable), "where": c.source or "（未在原文中找到）",
                    "raw": c.raw})
    return out


def agency_record(report: Report, agencies) -> dict[str, Any] | None:
    """The agencies.csv row for this report's agency, matched by normalized name or agency_id."""
    if report.agency is None:
        return None
    target = normalize_label(report.agency)
    for rec in records(agencies):
        if normalize_label(str(rec.get("name") or "")) == target or str(rec.get("agency_id") or "") == report.agency:
            return rec
    return None


def agency_kind(ctx: Context) -> dict | None:
    """registry.agency_kind of the report's agency, its agencies.csv row first, then the name in the report."""
    rec = agency_record(ctx.report, ctx.agencies) or {}
    return registry.agency_kind(str(rec.get("name") or ctx.report.agency or ""), str(rec.get("level") or ""))


def records(agencies) -> list[dict[str, Any]]:
    """Accept a DataFrame or an iterable of dicts (rules never read files themselves)."""
    if agencies is None:
        return []
    if hasattr(agencies, "to_dict"):
        if agencies.index.name and agencies.index.name not in agencies.columns:  # agency_id kept as the index
            agencies = agencies.reset_index()
        return agencies.to_dict("records")
    return list(agencies)


def check(report: Report, previous: Report | None = None, peers: Sequence[Report | Peer] = (),
          registry: Registry | None = None, waivers=None, agencies=None,
          children: Sequence[Report] = (), publications=None) -> list[Finding]:
    """Run every catalogued rule on one report; waived findings stay in the list, marked waived.

    A rule that raises gives one `rule_error` finding (「规则执行出错」 with the rule id and the
    exception): a defect of the tool, shown and counted apart, never mistaken for an uncertain outcome.
    Outcomes that only follow from a cell fact are folded under it (rules.causes): the list holds one
    finding per cause, the folded ones in its `caused`.
    """
    from xxgk.rules.causes import fold

    registry = registry or load_rules()
    base = Context(report, previous, tuple(peers), records(agencies), tuple(children), records(publications))
    findings: list[Finding] = []
    for rule_id, meta in catalog().items():
        func = registry.functions.get(rule_id)
        ctx = replace(base, meta=meta, _cells=base._cells)
        if func is None:
            findings.append(ctx.not_assessable("规则尚未实现"))
            continue
        try:
            got = list(func(ctx))
        except Exception as exc:  # a rule must never take the whole check down
            got = [ctx.finding(RULE_ERROR, f"规则执行出错（{rule_id}）：{type(exc).__name__}: {exc}")]
        findings.extend(got or [ctx.passed("未发现问题")])
    findings = fold(findings)
    if waivers is not None:
        from xxgk.waivers import apply_waivers

        apply_waivers(findings, report, waivers, (agency_record(report, base.agencies) or {}).get("agency_id"))
    return findings
