"""The region at a glance: the batch's index page, its joined CSV exports and the overview notebook.

Every agency's review writes <year>/<agency>.json (summary and findings) and .parts/<agency>.cells.csv;
this module joins them, so the index and CSVs say exactly what the reviews said.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.review import pages
from xxgk.config import NOTEBOOKS_DIR
from xxgk.registry import LEVEL_NAMES, level_name
from xxgk.rules.hierarchy import truthy
from xxgk.review.facts import MIN_RATE_BASE, comparable_rate
from xxgk.batch.summaries import RUN_FILE, Summaries
from xxgk.files import atomic_text, write_atomic
from xxgk.review.review import PARTS_SUBDIR
from xxgk.spreadsheet_safe import DictWriter

OVERVIEW_NOTEBOOK = NOTEBOOKS_DIR / "overview.ipynb"
RUN_STATUS_NAMES = {"rendered": "已生成", "skipped": "未变化（沿用）", "failed": "失败", "no_report": "本年无报告"}
FINDING_COLUMNS = ("agency_id", "agency", "year", "rule", "category", "severity", "status", "message", "table",
                   "subtable", "row", "column", "expected", "actual", "difference", "evidence", "waived",
                   "waiver_reason")


def write_year(out_year: Path, year: int, agencies, summary, data_root: Path,
               kernel_manager_class=None) -> None:
    """index.html, overview.html and the handover files (handover.py) for one year of a batch run."""
    status = {r.agency_id: r for r in summary.results}
    # Agencies outside this run's selection keep what an earlier run wrote for them.
    listed = list(agencies.index)
    current = Summaries(out_year, [a for a in listed if status.get(a) is None or status[a].status in ("rendered", "skipped")])
    from xxgk.batch import handover

    key = _year_inputs(out_year, list(current), Path(data_root))
    done = out_year / ".state" / "year-outputs.key"
    made = [out_year / handover.MACHINE_SUBDIR / "cells.csv", out_year / "cells.csv"]
    made += [out_year / "overview.html"] if current else []
    try:
        unchanged = done.read_text() == key and all(p.exists() for p in made)
    except OSError:
        unchanged = False
    overview_error = ""
    if not unchanged:
        # English-keyed machine form for scripts; findings.csv / cells.csv beside the pages are for Excel.
        # The overview's kernel (another process) runs while this one writes the handover files: neither reads
        # what the other writes.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xxgk-overview") as pool:
            made_overview = pool.submit(render_overview, year, out_year.parent, data_root, kernel_manager_class,
                                        agency_ids=list(current)) if current else None
            with atomic_text(out_year / handover.MACHINE_SUBDIR / "findings.csv") as out:
                write_machine_findings(out, current)
            handover.write_cells(out_year, cell_records(out_year, current))
            handover.write_year(out_year, year, agencies, current, Path(data_root))
            try:
                if made_overview is not None:
                    made_overview.result()
            except Exception as exc:  # the index must still be written
                overview_error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
        if not overview_error:
            write_atomic(done, key.encode("utf-8"))
    page = index_html(year, agencies, status, current, out_year, overview_error, summary.unregistered,
                      sample=pages.is_sample(data_root))
    write_atomic(out_year / "index.html", page.encode("utf-8"))


def _year_inputs(out_year: Path, agency_ids: list[str], data_root: Path) -> str:
    """What the year's CSVs, handover files and overview are made from, by file state: the reviews' summaries
    and cell parts (this year's and last year's), the data folder's registry files and the code. A re-run that
    rendered nothing leaves it unchanged, and those outputs are then neither re-executed nor rewritten."""
    import hashlib

    from xxgk.config import code_files

    files = [out_year / f"{a}.json" for a in agency_ids] + [out_year / PARTS_SUBDIR / f"{a}.cells.csv" for a in agency_ids]
    previous = out_year.parent / str(int(out_year.name) - 1) if out_year.name.isdigit() else None
    files += sorted(previous.glob("*.json")) if previous is not None and previous.is_dir() else []
    files += sorted(p for p in Path(data_root).iterdir() if p.is_file())
    files += code_files()
    files.append(OVERVIEW_NOTEBOOK)
    h = hashlib.sha256(json.dumps(agency_ids).encode())
    for p in files:
        try:
            st = p.stat()
            h.update(f"{p}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{p}|-\n".encode())
    return h.hexdigest()


def render_overview(year: int, out_dir: Path, data_root: Path, kernel_manager_class=None,
                    agency_ids: list[str] | None = None) -> Path:
    """Execute notebooks/overview.ipynb for a year and write overview.ipynb / overview.html atomically."""
    import nbformat

    from xxgk.review.render import execute, to_html

    params = {"year": int(year), "output_dir": str(out_dir), "data_dir": str(data_root), "agencies": agency_ids}
    nb = execute(OVERVIEW_NOTEBOOK, params, kernel_manager_class=kernel_manager_class)
    page = to_html(nb, f"{year}年度政府信息公开工作年度报告审查总览",
                   pages.top_html(pages.year_crumbs(year, here="总览"), pages.is_sample(data_root)))
    target = Path(out_dir) / str(year)
    write_atomic(target / "overview.ipynb", nbformat.writes(nb).encode("utf-8"))
    write_atomic(target / "overview.html", page.encode("utf-8"))
    return target / "overview.html"


def write_machine_findings(out, current: Mapping[str, dict]) -> None:
    """machine/findings.csv to the text file `out`: one row per finding of each summary, as it is read."""
    writer = DictWriter(out, FINDING_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for agency_id, s in current.items():
        for f in s.get("findings", []):
            row = {**f, "agency_id": agency_id, "agency": s.get("agency", ""), "year": s.get("year", "")}
            row["evidence"] = json.dumps(f.get("evidence") or [], ensure_ascii=False)
            writer.writerow(row)


def cell_records(out_year: Path, current: Mapping[str, dict]):
    """The agencies' cell parts as one table's CSV records, agency_id first: the header once, then each part's
    rows, one part read at a time (a part that cannot be read is left out)."""
    header = False
    for agency_id in current:
        part = out_year / PARTS_SUBDIR / f"{agency_id}.cells.csv"
        try:
            rows = list(csv.reader(io.StringIO(part.read_text(encoding="utf-8"))))
        except (OSError, csv.Error):
            continue
        if not rows:
            continue
        if not header:
            yield ["agency_id", *rows[0]]
            header = True
        for row in rows[1:]:
            yield [agency_id, *row]


# -- the index page --------------------------------------------------------------------------------
GRADES = ("A", "B", "C", "D", "无法评分")
INDEX_HEADS = ("机关", "层级", "状态", "得分", "等级", "可评估规则", "错误", "警告", "表格格式", "发布", "说明")


def coverage_text(summary: dict | None) -> str:
    """The share of rules decided, shown beside every score (a score on few rules is no score)."""
    c = (summary or {}).get("coverage")
    return "" if c is None else f"{c:.0%}"


def index_html(year: int, agencies, status: dict, current: Mapping[str, dict], out_year: Path, overview_error: str,
               unregistered=(), sample: bool = False) -> str:
    """Every registered agency with status, score, counts and lateness, linked to its review; sortable and
    filterable offline (templates/pages/index.html.j2)."""
    from xxgk.batch.handover import lateness

    def state(agency_id: str) -> str:
        res = status.get(agency_id)
        return res.status if res is not None else ("skipped" if agency_id in current else "no_report")

    rows = []
    counts: dict[str, int] = {}
    for agency_id in agencies.index:
        rec = agencies.loc[agency_id]
        st = state(agency_id)
        counts[st] = counts.get(st, 0) + 1
        shown = current.get(agency_id) if st != "failed" else None  # a failed run's old summary is not this run's result
        linked = (out_year / f"{agency_id}.html").exists()
        note = ""
        if st == "failed":
            note = status[agency_id].error + ("（链接为上次成功生成的审查）" if linked else "")
        score = shown.get("score") if shown and shown.get("grade", "") is not None else None  # no grade, no score
        grade = (shown.get("grade") or "无法评分") if shown else ""
        late = lateness(shown.get("findings", [])) if shown else ""
        rows.append({
            "id": agency_id, "name": rec["name"], "link": linked, "level": rec.get("level", "") or "",
            "status": st, "status_name": RUN_STATUS_NAMES.get(st, st),
            "score": "" if score is None else score, "score_text": "" if score is None else f"{score:g}",
            "grade": grade, "grade_note": (shown or {}).get("grade_note") or "", "coverage": coverage_text(shown),
            "errors": shown.get("errors", "") if shown else "", "warnings": shown.get("warnings", "") if shown else "",
            "format_version": str(shown.get("format_version", "")) if shown else "",
            "late": late if late != "未发现逾期" else "", "note": note,
            "errors_n": int((shown or {}).get("errors") or 0), "late_n": int(late == "逾期"),
            "missing_n": int(st == "no_report"),
        })
    present = {c for c in agencies.get("level", []) if c}
    levels = [c for c in LEVEL_NAMES if c in present] + sorted(present - set(LEVEL_NAMES))  # registry order first
    return pages.render(
        "index.html.j2", title=f"{year}年度政府信息公开工作年度报告审查一览", year=year, rows=rows,
        summary_line="，".join(f"{RUN_STATUS_NAMES.get(k, k)} {v}" for k, v in counts.items()),
        has_overview=(out_year / "overview.html").exists(), overview_error=overview_error,
        unregistered=list(unregistered), levels=levels, grades=GRADES, heads=INDEX_HEADS,
        crumbs=pages.year_crumbs(year), sample=sample, generated=pages.today(), notice=pages.SAMPLE_NOTICE)


def write_root(out_dir: Path, data_root: Path | None = None) -> None:
    """<out_dir>/index.html: one line per reviewed year, linking its index, overview and leader summary."""
    years = []
    for year_dir in sorted((p for p in Path(out_dir).iterdir() if p.name.isdigit() and (p / "index.html").exists()),
                           key=lambda p: -int(p.name)):
        try:
            counts = json.loads((year_dir / RUN_FILE).read_text(encoding="utf-8"))["counts"]
        except (OSError, ValueError, KeyError):
            counts = {}
        years.append({"name": year_dir.name,
                      "said": "，".join(f"{RUN_STATUS_NAMES.get(k, k)} {v}" for k, v in counts.items()),
                      "extra": [(name, label) for name, label in (("overview.html", "总览"), ("领导摘要.html", "领导摘要"))
                                if (year_dir / name).exists()]})
    page = pages.render("root.html.j2", title="政府信息公开工作年度报告审查", years=years, crumbs=[("全部年度", "")],
                        sample=pages.is_sample(data_root), generated=pages.today(), notice=pages.SAMPLE_NOTICE)
    write_atomic(Path(out_dir) / "index.html", page.encode("utf-8"))


# -- what the overview notebook shows -------------------------------------------------------------
@dataclass
class Overview:
    year: int
    frame: object  # pandas DataFrame, one row per reviewed agency
    findings: object  # pandas DataFrame of failed/uncertain findings
    previous: object | None = None  # last year's frame, when that year was reviewed
    similar: list = field(default_factory=list)  # (agency, other agency, share, section)
    registered: object = None  # the agency registry (pandas DataFrame indexed by agency_id)

    def graded(self):
        """The rows with a grade: only their scores are averaged, charted and ranked."""
        return self.frame[self.frame["grade"].notna()] if "grade" in self.frame else self.frame

    def levels(self) -> list[tuple[str, object]]:
        """(level code, its agencies' rows) in the registry's level order: peers are compared within a level."""
        if self.frame.empty:
            return []
        codes = list(dict.fromkeys([*LEVEL_NAMES, *self.frame["level"]]))
        return [(c, self.frame[self.frame["level"] == c]) for c in codes if (self.frame["level"] == c).any()]

    def ranking(self):
        """Agencies ranked by score within their level (departments with departments, townships with townships)."""
        import pandas as pd

        cols = ["agency", "level", "score", "grade", "coverage", "errors", "warnings", "received", "processed",
                "disclosure_rate"]
        parts = []
        for _, rows in self.levels():
            part = rows.reindex(columns=cols).copy()
            part.loc[part["grade"].isna(), "score"] = None  # no grade (无法评分), no score to rank by
            part = part.sort_values(["score", "errors"], ascending=[False, True], na_position="last")
            part.insert(0, "rank", range(1, len(part) + 1))
            parts.append(part)
        if not parts:
            return pd.DataFrame(columns=["同级排名", "机关", "层级"])
        frame = pd.concat(parts)
        frame["disclosure_rate"] = [comparable_rate(r, p) for r, p in zip(frame["disclosure_rate"], frame["processed"])]
        return frame.rename(columns={"rank": "同级排名", "agency": "机关", "level": "层级", "score": "得分", "grade": "等级", "coverage": "可评估规则",
                                     "errors": "错误", "warnings": "警告", "received": "新收申请", "processed": "办结",
                                     "disclosure_rate": f"公开率%（办结≥{MIN_RATE_BASE}件且表内合计与其各项相符才计）"}).reset_index(drop=True)

    def ranking_view(self):
        """The ranking as readable tables, one per level: rates as percentages, small samples marked, no index."""
        from xxgk.review.review import Html

        frame = self.ranking()
        levels = []
        for level, rows in (frame.groupby("层级", sort=False) if not frame.empty else []):
            rows = rows.drop(columns=["层级"])
            levels.append({"code": level, "rows": [[_cell_text(col, v) for col, v in r.items()] for _, r in rows.iterrows()]})
        columns = [str(c) for c in frame.columns if c != "层级"]
        return Html(pages.render("ranking.html.j2", levels=levels, columns=columns))

    def rule_matrix(self):
        """Agencies (by id: two agencies may share a name) × rules: failed places per rule (errors and warnings only)."""
        import pandas as pd

        f = self.findings
        if f.empty:
            return pd.DataFrame()
        f = f[(f["status"] == "fail") & (f["severity"].isin(["error", "warning"])) & (~f["waived"].astype(bool))]
        return pd.crosstab(f["agency_id"], f["rule"]) if not f.empty else pd.DataFrame()

    def changes(self):
        """Year-over-year: score and applications received, for agencies reviewed both years."""
        if self.previous is None or self.previous.empty:
            return None
        both = self.frame.join(self.previous, rsuffix="_prev", how="inner")
        if "grade_prev" in both:  # a score without a grade in either year is no score to compare
            both.loc[both["grade"].isna() | both["grade_prev"].isna(), ["score", "score_prev"]] = None
        both["score_change"] = both["score"] - both["score_prev"]
        both["received_change"] = both["received"] - both["received_prev"]
        return both[["agency", "score_prev", "score", "score_change", "received_prev", "received", "received_change"]]

    def header(self):
        """Headline numbers of the region (templates/pages/overview_header.html.j2)."""
        from xxgk.review.review import Html

        f = self.frame
        if f.empty:
            return Html(pages.render("overview_header.html.j2", year=self.year, reviewed=0))
        graded = self.graded()
        worst = graded.sort_values("score").iloc[0] if not graded.empty else None
        similar = None
        if self.similar:
            a, b, share, _ = self.similar[0]
            similar = {"a": str(a), "b": str(b), "share": f"{share:.0%}"}
        return Html(pages.render(
            "overview_header.html.j2", year=self.year, reviewed=len(f), errors=int(f["errors"].sum()),
            warnings=int(f["warnings"].sum()), graded=len(graded), ungraded=len(f) - len(graded),
            mean=f"{graded['score'].mean():.1f}" if worst is not None else "",
            worst=None if worst is None else {"agency": str(worst["agency"]), "score": f"{worst['score']:g}",
                                             "coverage": coverage_text(worst.to_dict()), "errors": int(worst["errors"])},
            totals=self.received_totals(), similar=similar))

    def received_totals(self) -> list[str]:
        """Applications received in the region, each counted once (plain sentences).

        A summary report (agencies.csv `sums_children`) already holds its children's applications: its own
        figure is the total, stated once, with the sum of its children's own reports beside it by level;
        agencies under no reviewed summary are added apart. Nothing is added to a summary that contains it.
        """
        f = self.frame
        summary_ids = [a for a in f.index if truthy(f.loc[a].get("sums_children", ""))]
        covered = set(summary_ids)
        out = []
        for sid in summary_ids:
            kids = [a for a in self.registered.index if self.registered.loc[a, "parent"] == sid]
            covered.update(kids)
            own = f.loc[sid, "received"]
            said = f"{f.loc[sid, 'agency']}的汇总报告填报全年新收政府信息公开申请" + (
                "数无法读取" if _missing(own) else f" {int(own)} 件（已含下级机关）")
            have = [a for a in kids if a in f.index and not _missing(f.loc[a, "received"])]
            by_level = []
            for level, _ in self.levels():
                mine = [a for a in have if f.loc[a, "level"] == level]
                if mine:
                    by_level.append(f"{level_name(level)}{len(mine)} 个共 {int(sum(f.loc[a, 'received'] for a in mine))} 件")
            if have:
                total = int(sum(f.loc[a, "received"] for a in have))
                said += f"；其下级机关各自报告之和为 {total} 件（{'、'.join(by_level)}）"
                if len(have) == len(kids) and not _missing(own):
                    gap = int(own) - total
                    said += ("，两者一致" if gap == 0 else
                             f"，汇总报告比下级之和{'多' if gap > 0 else '少'} {abs(gap)} 件")
            lacking = len(kids) - len(have)
            if lacking:
                said += f"；另有 {lacking} 个下级机关本年没有可用的审查结果或新收数无法读取，未计入下级之和"
            out.append(said + "。")
        rest = [a for a in f.index if a not in covered]
        if rest:
            known = [a for a in rest if not _missing(f.loc[a, "received"])]
            lead = "其余未纳入汇总报告的机关" if summary_ids else "全年"
            said = f"{lead}新收政府信息公开申请 {int(sum(f.loc[a, 'received'] for a in known))} 件"
            if len(known) < len(rest):
                said += f"（{len(rest) - len(known)} 个机关的新收数无法读取，未计入）"
            out.append(said + "。")
        return out

    def similar_view(self):
        """The agencies whose text is most like another's, from the similarity findings."""
        from xxgk.review.review import Html

        pairs = [(str(a), str(b), str(sec or ""), f"{share:.0%}") for a, b, share, sec in self.similar[:20]]
        return Html(pages.render("similar.html.j2", pairs=pairs))

    def charts_html(self):
        from xxgk.review.review import Html

        return Html("".join(c._repr_html_() for c in self.charts()))

    def labels(self, ids) -> list[str]:
        """The chart labels of these agencies: each one's name, and its id beside a name another agency of the
        year shares (two townships of one name are two bars or rows, told apart, never one)."""
        from collections import Counter

        names = [_name(self.frame.loc[a, "agency"], a) for a in self.frame.index]
        shared = {n for n, count in Counter(names).items() if count > 1}
        out = []
        for a in ids:
            name = _name(self.frame.loc[a, "agency"], a)
            out.append(f"{name}（{a}）" if name in shared else name)
        return out

    def charts(self):
        from xxgk.review import charts

        graded = self.graded()  # a report with no grade (无法评分) has no score to chart or rank
        out = [charts.score_distribution(list(graded["score"]))] if not graded.empty else []
        levels = [(level, rows) for level, rows in self.levels() if len(rows) > 1]  # one agency is no ranking
        for level, rows in levels:  # ranked among agencies of the same level only
            ranked = rows[rows["grade"].notna()]
            if len(ranked) > 1:
                out.append(charts.ranking(self.labels(ranked.index), list(ranked["score"]), level_name(level), level,
                                          unscored=len(rows) - len(ranked)))
        matrix = self.rule_matrix()
        if not matrix.empty:
            ids = list(matrix.index)  # every one a reviewed agency of the frame (both come from the same summaries)
            out.append(charts.rule_heatmap(self.labels(ids),
                                           list(matrix.columns), matrix.to_numpy().tolist(),
                                           [_level_label(self.frame.loc[a, "level"]) for a in ids],
                                           {_level_label(code): len(rows) for code, rows in self.levels()}))
        for level, rows in levels:
            out.append(charts.volumes(self.labels(rows.index), [None if _missing(v) else v for v in rows["received"]],
                                      [comparable_rate(r, p) for r, p in zip(rows["disclosure_rate"], rows["processed"])],
                                      level_name(level), level))
        ch = self.changes()
        ch = ch.dropna(subset=["score", "score_prev"]) if ch is not None else None
        if ch is not None and not ch.empty:
            out.append(charts.score_changes(self.labels(ch.index), list(ch["score_prev"]), list(ch["score"])))
        return out


def _level_label(code) -> str:
    """A level's name; an agency whose registry row names no level gets a row of its own, named so."""
    return level_name(code) if isinstance(code, str) and code else "层级不明"


def _name(name, agency_id: str) -> str:
    return name if isinstance(name, str) and name else agency_id


def load(year: int, output_dir: Path, data_dir: Path | None = None, agencies: list[str] | None = None) -> Overview:
    """The reviewed agencies of a year, from the batch's per-agency summaries.

    `agencies` limits this year to the ids whose reviews are current (a batch leaves out the ones that
    failed this time, whose summaries are from an earlier run); None takes every summary present.
    """
    import pandas as pd

    from xxgk import registry

    agencies_csv, _, _ = registry.data_paths(data_dir)
    registered = registry.load_agencies(agencies_csv)
    frames = {}
    for y in (int(year), int(year) - 1):
        ids = [a for a in registered.index if agencies is None or y != int(year) or a in agencies]
        found = Summaries(Path(output_dir) / str(y), ids)
        rows = [{**{k: v for k, v in s.items() if k != "findings"},
                 **{k: registered.loc[a, k] for k in ("level", "parent", "sums_children") if k in registered.columns}}
                for a, s in found.items()]
        frames[y] = pd.DataFrame(rows).set_index("agency_id") if rows else pd.DataFrame()
        if y == int(year):
            current = found
    records, similar = [], []
    for a, s in current.items():  # one read of each summary for both
        for f in s.get("findings", []):
            records.append({**f, "agency_id": a, "agency": s.get("agency", a)})
            if f.get("rule") == "X_SIMILARITY_PEERS" and f.get("status") == "fail" and f.get("evidence"):
                other = f["evidence"][-1]["where"].split("的报告第")[0]
                share = _share(f.get("actual"))
                if share is not None:
                    similar.append((s.get("agency", a), other, share, f.get("row")))
    findings = pd.DataFrame(records, columns=[c for c in FINDING_COLUMNS if c != "year"])
    similar.sort(key=lambda x: -(x[2] or 0))
    return Overview(int(year), frames[int(year)], findings, frames[int(year) - 1], similar, registered)


def _cell_text(column: str, v) -> str:
    """One ranking cell as read: rules decided and rates as percentages, a missing value as a dash."""
    if _missing(v):
        return "—"
    if column == "可评估规则":
        return f"{v:.0%}"
    if column.startswith("公开率"):
        return f"{v:.1f}%"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _share(value) -> float | None:
    """A similarity finding's share of identical text, whether stored as 0.93 or as "93%"."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    got = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[%％]\s*", str(value or ""))
    return float(got.group(1)) / 100 if got else None


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value)
