"""One agency's review for one year: everything the review notebook shows, in a few calls.

`load(agency_id, year)` reads the agency's report from the data folder (registry and report files at
the paths config names), its earlier years and the same-year reports of its region's other agencies,
runs the rules, and returns a Review whose methods return displayable pieces (header, narrative,
findings, tables, charts). The notebook only calls these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from xxgk import config, registry

from xxgk.review import inputs
from xxgk.review.facts import Facts, comparable_rate, facts
from xxgk.layouts import layout_for_year
from xxgk.model import FAIL, RULE_ERROR, UNCERTAIN, Finding, Peer, Report
from xxgk.review.narrative import Narrative, narrative
from xxgk.parse_cache import read_cached
from xxgk.files import check_inside, file_digest, write_atomic
from xxgk.read import ReadError

CACHE_SUBDIR = ".cache/parsed"
PARTS_SUBDIR = ".parts"  # per-agency pieces the batch joins into cells.csv
STATE_SUBDIR = ".state"  # what each review read (inputs.py), for the batch's incremental runs


class ReviewError(RuntimeError):
    """The review cannot be made: unknown agency, no report for the year, unreadable file."""


class Html(str):
    """Ready-made HTML (already escaped) that a notebook displays as such."""

    def _repr_html_(self) -> str:
        return str(self)

    def _ipython_display_(self) -> None:
        """Published as text/html alone: IPython would store the whole page again as text/plain."""
        from IPython.display import display

        display({"text/html": str(self)}, raw=True)


@dataclass
class Review:
    agency_id: str
    year: int
    agency: dict
    source: Path
    report: Report
    findings: list[Finding]
    history: dict[int, Report] = field(default_factory=dict)  # earlier years of this agency
    peers: dict[str, tuple[str, Report | Peer]] = field(default_factory=dict)  # id -> (name, report; a batch: Peer)
    data_dir: Path = config.DATA_DIR
    skipped: list[str] = field(default_factory=list)  # earlier-year or peer files that could not be read
    output_dir: Path | None = None
    inputs: dict[str, str] = field(default_factory=dict)  # every lookup in the data folder and its answer

    # -- numbers ----------------------------------------------------------------------------------
    @cached_property
    def facts(self) -> Facts:
        return facts(self.report)

    @property
    def previous(self) -> Report | None:
        return self.history.get(self.year - 1)

    def count(self, severity: str, status: str = FAIL) -> int:
        return sum(1 for f in self.findings if f.severity == severity and f.status == status and not f.waived)

    @property
    def rule_error_ids(self) -> list[str]:
        """Rules that raised on this report (a tool defect, shown and counted apart from the findings)."""
        return list(dict.fromkeys(f.rule for f in self.findings if f.status == RULE_ERROR))

    @property
    def rule_errors(self) -> int:
        return sum(1 for f in self.findings if f.status == RULE_ERROR)

    @cached_property
    def score(self):
        from xxgk.score import score

        return score(self.findings, self.report)

    def summary(self) -> dict:
        """What a batch index needs about this review (plain JSON types)."""
        s = self.score
        return {
            "agency_id": self.agency_id,
            "agency": self.agency.get("name", ""),
            "year": self.year,
            "format_version": self.report.format_version,
            "score": s.score,
            "grade": s.grade,  # None: no grade (grade_note says why)
            "coverage": s.coverage,
            "grade_note": s.note,
            "errors": self.count("error"),
            "warnings": self.count("warning"),
            "uncertain": sum(1 for f in self.findings if f.status == UNCERTAIN and not f.waived),
            "waived": sum(1 for f in self.findings if f.waived),
            "rule_errors": self.rule_errors,
            "received": self.facts.received.value,
            "processed": self.facts.processed.value,
            "disclosure_rate": self.facts.disclosure_rate,
        }

    def findings_frame(self, shown: tuple[str, ...] = (FAIL, UNCERTAIN, RULE_ERROR)):
        """Findings as a DataFrame (failed and uncertain by default), for analysts."""
        import pandas as pd

        rows = [{**f.to_json(), "waived": f.waived} for f in self.findings if f.status in shown]
        return pd.DataFrame(rows, columns=["rule", "category", "severity", "status", "message", "table", "subtable",
                                           "row", "column", "expected", "actual", "difference", "evidence", "waived"])

    # -- displayable pieces -----------------------------------------------------------------------
    def header(self) -> Html:
        from xxgk.review import views

        r, s = self.report, self.score
        expected = layout_for_year(self.year)
        layout = r.format_version
        if expected is not None and r.format_version != expected.version:
            layout += f"（{self.year}年度应使用{expected.version}格式）"
        # Named from the data folder (data/reports/…), never to be confused with the output reports/ folder.
        source = (self.source.relative_to(self.data_dir.parent) if self.source.is_relative_to(self.data_dir)
                  else self.source.name)
        imported = registry.source_record(self.source, self.data_dir)
        if imported.get("original_name"):  # `xxgk import` kept the name the file was downloaded under
            source = imported["original_name"] + (f"，{imported['url']}" if imported.get("url") else "")
        fields = [
            ("机关", self.agency.get("name") or self.agency_id),
            ("年度", f"{self.year}年"),
            ("表格格式", layout),
            ("来源", f"{source}（{r.rendering}）" + (f"，发布于{r.published}" if r.published else "")),
            ("合规得分", s.label()),
            ("错误", f"{self.count('error')}项"),
            ("警告", f"{self.count('warning')}项"),
            *([("提示", f"{self.count('info')}项")] if self.count("info") else []),
            ("无法判断", f"{sum(1 for f in self.findings if f.status == UNCERTAIN and not f.waived)}项"),
            *([("规则执行出错", f"{self.rule_errors}项（" + "、".join(self.rule_error_ids) + "）")]
              if self.rule_errors else []),
        ]
        return Html(views.header_html(f"{fields[0][1]} {self.year}年政府信息公开工作年度报告审查", fields))

    def narrative(self) -> Narrative:
        prev = self.previous
        return narrative(self.facts, self.findings, facts(prev) if prev is not None else None)

    def findings_view(self) -> Html:
        from xxgk.review import views
        from xxgk.rules import catalog

        page = views.findings_html(self.findings, {k: m.statement for k, m in catalog().items()})
        if self.skipped:
            page += views.skipped_html(self.skipped)
        return Html(page)

    def tables_view(self) -> Html:
        from xxgk.review import views

        return Html(views.tables_html(self.report, self.findings) + views.reading_notes_html(self.report))

    def chart_list(self) -> list:
        from xxgk.review import charts

        history = {y: facts(r) for y, r in self.history.items()}
        history[self.year] = self.facts
        return charts.review_charts(self.facts, history, self.peer_view())

    def charts(self) -> Html:
        return Html("".join(c._repr_html_() for c in self.chart_list()))

    def peer_view(self) -> tuple | None:
        """Names, received, guarded disclosure rates, this agency's position and level, for the region chart.

        Only agencies of the same level are compared (departments with departments, townships with
        townships): a summary report is never set against the agencies it sums.
        """
        level = self.agency.get("level") or ""
        levels = registry.load_agencies(registry.data_paths(self.data_dir)[0])["level"].to_dict()
        same = {a: p for a, p in self.peers.items() if levels.get(a) == level}
        if not same:
            return None
        region = self.agency.get("region") or ""

        def short(name: str) -> str:  # every name starts with the region: leave it out
            return name[len(region):] if region and name.startswith(region) and len(name) > len(region) else name

        rows = [(short(self.agency.get("name") or self.agency_id), *_numbers(self.facts), True)]
        rows += [(short(name), *_peer_numbers(rep), False) for name, rep in same.values()]
        rows.sort(key=lambda row: -(row[1] or 0))
        me = next(i for i, row in enumerate(rows) if row[3])
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], me, registry.level_name(level)

    def write_summary(self) -> Path | None:
        """<output_dir>/<year>/<agency>.json (summary and findings) and .parts/<agency>.cells.csv, atomically.

        The batch index, findings.csv and cells.csv are assembled from these, so they show exactly
        what the review showed. Nothing is written without an output folder.
        """
        if self.output_dir is None:
            return None
        from xxgk.review.export import cells_csv
        from xxgk.jsonsafe import dumps

        year_dir = self.output_dir / str(self.year)
        shown = [{**f.to_json(), "waived": f.waived, "waiver_reason": f.waiver_reason}
                 for f in self.findings if f.status in (FAIL, UNCERTAIN, RULE_ERROR)]
        out = year_dir / f"{self.agency_id}.json"
        write_atomic(year_dir / PARTS_SUBDIR / f"{self.agency_id}.cells.csv", cells_csv(self.report).encode("utf-8"))
        write_atomic(out, dumps({**self.summary(), "findings": shown}, ensure_ascii=False, indent=1,
                                default=str).encode("utf-8"))
        write_atomic(year_dir / STATE_SUBDIR / f"{self.agency_id}.inputs.json",
                     dumps({"inputs": self.inputs}, ensure_ascii=False).encode("utf-8"))
        return out

    def _repr_html_(self) -> str:
        return self.header() + self.narrative()._repr_html_()


# Reports this process has read, by file state (nothing outside the readers mutates a Report).
_READ: dict[tuple, Report] = {}

# The year's reports as their region's other reviews use them (model.Peer), by the same file state: warm() keeps
# these before the forks instead of whole Reports, so the kernels' parent holds no peer's cells and a kernel
# reads no peer's Facts. A kernel reads its own report, its earlier years and, for a report that sums them, its
# children whole, from the parse cache.
_PEERS: dict[tuple, Peer] = {}


def _numbers(f: Facts) -> tuple[float | int | None, float | None]:
    return f.received.value, comparable_rate(f.disclosure_rate, f.processed.value)


def _peer(report: Report) -> Peer:
    return Peer(report.source_file, report.agency, report.year, tuple(report.sections), *_numbers(facts(report)))


def _peer_numbers(peer: Report | Peer) -> tuple[float | int | None, float | None]:
    return (peer.received, peer.rate) if isinstance(peer, Peer) else _numbers(facts(peer))


def _state_key(path: Path, year: int, name: str, cache: Path | None, reports_dir: Path) -> tuple | None:
    """What a read of the file is cached under: its file state (registry.file_state) and how it is read."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (str(path), str(reports_dir), *registry.file_state(st), year, name, str(cache))


def _read_data(path: Path, year: int, name: str, cache: Path | None, reports_dir: Path) -> Report:
    """A report file of the data folder, parsed once per content (parse_cache); a link out of it is refused
    (checked once per file state: a link moved to another file leads to another inode, so to another key)."""
    key = _state_key(path, year, name, cache, reports_dir)
    if key is None:
        _check_inside(path, reports_dir)
        return read_cached(path, year, name, cache)
    if key not in _READ:
        _check_inside(path, reports_dir)
        _READ[key] = read_cached(path, year, name, cache)
    return _READ[key]


def _read_peer(path: Path, year: int, name: str, cache: Path | None, reports_dir: Path) -> Report | Peer:
    """A peer as warm() kept it (checked inside the data folder then, under the same file state); else, as
    outside a batch, the report itself."""
    key = _state_key(path, year, name, cache, reports_dir)
    found = _PEERS.get(key) if key is not None else None
    return found if found is not None else _read_data(path, year, name, cache, reports_dir)


def _check_inside(path: Path, reports_dir: Path) -> None:
    try:
        check_inside(path, reports_dir)
    except ValueError as exc:
        raise ReadError(str(exc)) from None


def reports_needed(agency_ids, year: int, agencies, reports_dir: Path,
                   earlier: bool = True) -> list[tuple[str, int, Path]]:
    """(agency id, year, file) of every report the reviews of `agency_ids` read (load): their regions' reports of
    the year and, unless `earlier` is False, their own earlier years."""
    chosen = set(agency_ids)
    rows = agencies.to_dict("index")
    regions = {rows[a]["region"] for a in chosen if a in rows} - {""}
    wanted = [(a, year) for a, row in rows.items() if a in chosen or row["region"] in regions]
    if earlier:
        years = [y for y in registry.report_years(reports_dir) if y < year]  # one listing, not one per agency
        wanted += [(a, y) for a in agency_ids for y in years]
    found = [(a, y, registry.report_file(a, y, reports_dir)) for a, y in wanted]
    return [(a, y, path) for a, y, path in found if path is not None]


def warm(year: int | str, data_dir: Path | str | None = None, output_dir: Path | str | None = None,
         agency_ids: list[str] | None = None) -> int:
    """Read the year's reports the reviews of `agency_ids` (default: every agency) need, keep each as its region's
    reviews use it (a Peer) and shingle and index each region's texts (similarity.Region), so kernels forked
    afterwards share that work instead of each repeating it; returns reports read.

    Whole reports are left to the kernels, as are earlier years: each serves only its own agency's review (or,
    for a report that sums its children, that one review), so holding them here would only make every kernel's
    parent larger for no sharing."""
    from xxgk.rules import similarity

    year = int(year)
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    cache = Path(output_dir) / CACHE_SUBDIR if output_dir else None
    agencies_csv, reports_dir, _ = registry.data_paths(data_dir)
    agencies = registry.load_agencies(agencies_csv)
    rows = agencies.to_dict("index")
    regions: dict[str, list[tuple[tuple | None, Peer]]] = {}
    done = 0
    for agency_id, y, path in reports_needed(list(agencies.index) if agency_ids is None else agency_ids, year,
                                             agencies, reports_dir, earlier=False):
        name = rows[agency_id]["name"] or agency_id
        key = _state_key(path, y, name, cache, reports_dir)
        try:
            _check_inside(path, reports_dir)
            peer = _peer(read_cached(path, y, name, cache))  # the Report itself is let go at once
        except Exception:  # the review that needs it reports the problem
            continue
        file_digest(path, reports_dir)  # what each review records having read (inputs.py)
        done += 1
        if key is not None:
            _PEERS[key] = peer
        if rows[agency_id]["region"]:
            regions.setdefault(rows[agency_id]["region"], []).append((key, peer))
    for members in regions.values():  # each region's texts shingled and indexed once; its peers point to it
        for (key, _), peer in zip(members, similarity.Region(peer for _, peer in members).members):
            if key is not None:
                _PEERS[key] = peer
    return done


def load(agency_id: str, year: int | str, data_dir: Path | str | None = None,
         output_dir: Path | str | None = None) -> Review:
    """Read the agency's report, its earlier years and its region's peers; run the rules.

    With an output folder, parsed reports are cached under <output_dir>/.cache/ and write_summary
    writes there.
    """
    from xxgk import rules
    from xxgk.rules.hierarchy import truthy

    year = int(year)
    data_dir = Path(data_dir) if data_dir else config.DATA_DIR
    cache = Path(output_dir) / CACHE_SUBDIR if output_dir else None
    agencies_csv, reports_dir, waivers_csv = registry.data_paths(data_dir)
    agencies = registry.load_agencies(agencies_csv)
    if not registry.valid_agency_id(agency_id) or agency_id not in agencies.index:
        raise ReviewError(f"登记表 {agencies_csv} 中没有机关 {agency_id!r}")
    agency = agencies.loc[agency_id].to_dict()
    name = agency.get("name") or agency_id
    seen = inputs.Inputs(data_dir)  # every lookup below is recorded with its answer
    for question in (("agency", agency_id), ("report", agency_id, year), ("sources", agency_id, year),
                     ("publications", agency_id, year), ("waivers", agency_id), ("years", year)):
        seen.ask(*question)
    source = registry.report_file(agency_id, year, reports_dir)
    if source is None:
        raise ReviewError(f"{reports_dir / str(year)} 中没有 {agency_id} 的{year}年度报告")
    try:
        report = _read_data(source, year, name, cache, reports_dir)
    except ReadError as exc:
        raise ReviewError(str(exc)) from exc

    history, skipped = {}, []
    for y in registry.report_years(reports_dir):
        path = registry.report_file(agency_id, y, reports_dir) if y < year else None
        if y < year:
            seen.ask("report", agency_id, y)
        if path is not None:
            try:
                history[y] = _read_data(path, y, name, cache, reports_dir)
            except Exception as exc:  # an unreadable earlier year only limits the comparison
                skipped.append(f"{path.name}：{exc}")

    peers, files = {}, {}
    region = agency.get("region")
    region_rows = agencies[agencies["region"] == region].to_dict("index") if region else {}  # not iterrows: slow per row
    if region:
        seen.ask("peers", region, year)  # every agency of the region: its name, level and parent, and its report
        for other, row in region_rows.items():
            path = registry.report_file(other, year, reports_dir) if other != agency_id else None
            if path is not None:
                try:
                    peers[other] = (row.get("name") or other, _read_peer(path, year, row.get("name") or other, cache, reports_dir))
                    files[other] = path
                except Exception as exc:  # a peer's broken file is that peer's problem, not this review's
                    skipped.append(f"{path.name}：{exc}")

    children = []
    if truthy(agency.get("sums_children")):  # the one rule that reads children (rules.hierarchy) reads their cells
        for other, (other_name, _) in peers.items():
            if region_rows[other]["parent"] == agency_id:
                try:  # the peer itself when it was read whole (_READ), else its whole report now
                    children.append(_read_data(files[other], year, other_name, cache, reports_dir))
                except Exception as exc:  # changed since it was read as a peer: that child is missing
                    skipped.append(f"{files[other].name}：{exc}")
    findings = rules.check(
        report,
        previous=history.get(year - 1),
        peers=[rep for _, rep in peers.values()],
        agencies=agencies.to_dict("records"),
        children=children,
        waivers=waivers_csv if waivers_csv.exists() else None,
        publications=registry.load_publications(registry.publications_path(data_dir)),
    )
    return Review(agency_id, year, agency, source, report, findings, history, peers, data_dir, skipped,
                  Path(output_dir) if output_dir else None, seen.answers)
