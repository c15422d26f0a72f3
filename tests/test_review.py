"""The per-agency review: numbers from cells, escaped HTML, strict CJK charts, and the whole notebook
executed with papermill, exported, and opened in headless Chromium like a reader would."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from conftest import SEED
from xxgk import cli
from xxgk.review import charts
from xxgk.review import render
from xxgk.browser import view
from xxgk.config import DATA_DIR, NOTEBOOKS_DIR
from xxgk.review.facts import facts
from xxgk.layouts import load_layout
from xxgk.model import Cell, Finding, Report
from xxgk.review.narrative import narrative
from xxgk.read import read_report
from xxgk.registry import load_agencies
from xxgk.review.review import ReviewError, load
from xxgk.rules import check
from xxgk.review.views import finding_html, tables_html

SEED_AGENCY, SEED_YEAR = "qh-commerce", 2021  # the reference report, as the sample registry names it
HISTORY_AGENCY, HISTORY_YEAR = "qh-gov", 2022  # a sample agency with 2020 and 2021 reports and region peers
MAX_SEED_PAGE = 150_000


def made_report(version: str = "2021", t3: dict | None = None, raw: dict | None = None) -> Report:
    """A report whose official cells are all 0 except the given (row_key, column_key) values."""
    layout = load_layout(version)
    report = Report(source_file="test", agency="测试局", year=2022, format_version=version, rendering="test")
    for t in layout.tables:
        for row in t.data_rows:
            for col in t.columns:
                key = (row.key, col.key)
                v = (t3 or {}).get(key, 0) if t.id == "t3" else 0
                text = (raw or {}).get(key, str(v)) if t.id == "t3" else "0"
                status = "number" if text == str(v) else ("blank" if text == "" else "text")
                report.cells.append(Cell(t.table, t.subtable, row.label, col.path, v if status == "number" else None,
                                         text, status, f"第{len(report.cells) + 1}格", t.id, row.key, col.key))
    return report


BUSY = {("new_received", "natural_person"): 40, ("new_received", "commercial"): 8, ("new_received", "total"): 48,
        ("carried_over", "total"): 2, ("granted", "total"): 30, ("partial", "total"): 6,
        ("unable_not_held", "total"): 9, ("total_processed", "total"): 45, ("carried_forward", "total"): 5,
        ("carried_over", "natural_person"): 2, ("granted", "natural_person"): 30, ("partial", "natural_person"): 6,
        ("unable_not_held", "natural_person"): 9, ("total_processed", "natural_person"): 45,
        ("carried_forward", "natural_person"): 5}  # rows add up across the applicant columns


# -- narrative: every number from a cell ----------------------------------------------------------
def test_seed_narrative_states_its_zero_counts():
    text = str(narrative(facts(read_report(SEED)), []))
    assert "本年新收政府信息公开申请0件，上年结转0件" in text
    assert "本年没有办结的申请，不计算公开率" in text
    assert "本年未发生因政府信息公开引起的行政复议或行政诉讼（表四各栏均为0）" in text


def test_disclosure_rate_names_its_base():
    text = str(narrative(facts(made_report(t3=BUSY)), []))
    assert "本年新收政府信息公开申请48件，上年结转2件，合计需办理50件" in text
    assert "自然人提出40件，法人或其他组织提出8件" in text
    assert "以办结总数45件为基数，予以公开与部分公开合计36件，公开率为80.0%" in text


def test_blank_cell_is_said_not_guessed():
    rep = made_report(t3=BUSY, raw={("new_received", "total"): "", ("granted", "total"): "约30"})
    text = str(narrative(facts(rep), []))
    assert "本年新收政府信息公开申请（该栏为空，无法说明）" in text
    assert "无法计算公开率" in text and "公开率为" not in text


def test_change_from_last_year_and_problems():
    now = facts(made_report(t3=BUSY))
    # last year: 8 fewer applications from natural persons, its total agreeing with its parts
    fewer = {("new_received", "total"): 40, ("new_received", "natural_person"): BUSY[("new_received", "natural_person")] - 8}
    before = facts(made_report(t3={**BUSY, **fewer}))
    found = [Finding("T3_BALANCE", "arithmetic", "error", "fail", "表三“总计”列：一+二 = （七）总计+四 不成立"),
             Finding("C_CELLS_BLANK", "completeness", "warning", "fail", "空白单元格", waived=True)]
    text = str(narrative(now, found, before))
    assert "新收申请由40件变为48件，增加8件（+20.0%）" in text
    assert "审查发现错误1项、警告0项" in text and "一+二 = （七）总计+四 不成立" in text
    assert "1项发现已由审查人员豁免" in text
    # a total its own parts contradict is no side of a comparison
    contested = facts(made_report(t3={**BUSY, ("new_received", "total"): 40}))
    text = str(narrative(now, found, contested))
    assert "新收申请由" not in text and "2021年表三新收申请的总计栏与各项之和不符，不与上年比较" in text


# -- HTML views: hostile strings stay text --------------------------------------------------------
def test_views_escape_report_strings():
    rep = made_report(t3=BUSY, raw={("granted", "natural_person"): "<img src=x onerror=alert(1)>"})
    bad = Finding("T3_ROW_TOTAL", "arithmetic", "error", "fail", "<script>alert(1)</script>", table="三",
                  row="（一）予以公开", column="自然人", expected=30, actual=0,
                  evidence=[{"cell": "表三/（一）予以公开/自然人", "where": "<b>第1行</b>", "raw": "<i>x</i>"}])
    page = finding_html(bad, "<u>statement</u>") + tables_html(rep, [bad])
    assert "<script" not in page and "<img" not in page and "<i>" not in page and "<u>" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert bad._repr_html_().count("&lt;script&gt;") == 1
    assert "<table" in rep._repr_html_()


def test_offending_cell_highlighted_with_expected_value():
    rep = made_report(t3={**BUSY, ("total_processed", "total"): 44})
    found = [f for f in check(rep) if f.status == "fail" and f.rule == "T3_RESULTS_SUM"]
    assert found, "changing （七）总计 must break the results sum"
    page = tables_html(rep, found)
    cell = re.search(r'<td class="bad"[^>]*>44<sup>', page)
    assert cell, "the printed total is marked"
    assert "表三" in page and found[0].message in page


def test_table_headers_follow_the_layout():
    page = tables_html(made_report(), [])
    assert '<th colspan="10">行政诉讼</th>' in page  # 复议 5 columns, 诉讼 2 × 5
    assert '<th colspan="5">法人或其他组织</th>' in page


# -- charts ---------------------------------------------------------------------------------------
def test_charts_are_pngs_and_never_parse_math():
    f = facts(made_report(t3=BUSY))
    made = charts.review_charts(f, {2021: f, 2022: f}, (["$x$局", "乙局"], [f.received.value] * 2, [80.0, None], 0))
    assert [c.key for c in made] == ["flow", "outcomes", "applicants", "years", "peers"]
    assert all(c.png.startswith(b"\x89PNG") for c in made)


def test_a_character_the_font_lacks_is_a_box_and_a_note():
    f = facts(made_report(t3=BUSY))
    for _ in range(2):  # matplotlib warns once per glyph and process; the note must not depend on that
        chart = charts.peers(["青禾局\U0001f600", "乙局"], [f.received.value] * 2, [None, None], 0)
        assert chart.png.startswith(b"\x89PNG") and "字体缺少「\U0001f600」" in chart.title
    plain = charts.peers(["青禾局", "乙局"], [f.received.value] * 2, [None, None], 0)
    assert "字体缺少" not in plain.title


# -- page safety ----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", ['<img src="http://x/y.png">', '<script src="require.js"></script>',
                                  '<link rel="stylesheet" href="//cdn/x.css">', "<style>@import 'x.css';</style>"])
def test_outside_references_are_refused(page):
    with pytest.raises(render.RenderError):
        render.check_offline(page)


def test_text_that_only_mentions_a_url_is_fine():
    render.check_offline("<p>见 https://example.org/ 与 src=//x</p><img src=\"data:image/png;base64,AA\">")


def test_notebooks_are_committed_without_outputs():
    for name in ("review.ipynb", "explore.ipynb"):
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), name
        assert "def " not in "".join(c.source for c in code), f"{name}: logic belongs in lib/"
    review = nbformat.read(NOTEBOOKS_DIR / "review.ipynb", as_version=4)
    assert "parameters" in review.cells[0].metadata.get("tags", [])


def test_unknown_agency_and_missing_year_are_clear_errors():
    with pytest.raises(ReviewError, match="没有机关"):
        load("no-such-agency", SEED_YEAR)
    with pytest.raises(ReviewError, match="没有 qh-commerce 的1999年度报告"):
        load(SEED_AGENCY, 1999)


# -- the whole review: papermill, nbconvert, Chromium ---------------------------------------------
@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("reviews")
    assert (DATA_DIR / "reports" / str(SEED_YEAR) / f"{SEED_AGENCY}.txt").read_bytes() == SEED.read_bytes()
    assert cli.main(["review", SEED_AGENCY, "--year", str(SEED_YEAR), "--out", str(out)]) == 0
    render.render_review(HISTORY_AGENCY, HISTORY_YEAR, out)
    return out


def _page(rendered, agency, year):
    html_file = rendered / str(year) / f"{agency}.html"
    shown = view(html_file, screenshot=rendered / f"{agency}-{year}.png")
    assert (rendered / f"{agency}-{year}.png").stat().st_size > 10_000
    return html_file, shown


def _no_glyph_warnings(notebook):
    nb = nbformat.read(notebook, as_version=4)
    logged = json.dumps([o for c in nb.cells for o in c.get("outputs", [])], ensure_ascii=False)
    assert "missing from font" not in logged and "Glyph" not in logged


def _common(html_file, shown):
    assert shown.outside_requests == [], shown.outside_requests
    assert shown.code_blocks == 0
    source = html_file.read_text(encoding="utf-8")
    assert '<html lang="zh">' in source and 'name="viewport"' in source and "@media print" in source
    assert "review.load" not in source and "import" not in shown.text
    assert shown.images and all(w > 0 and h > 0 for w, h in shown.images)
    _no_glyph_warnings(html_file.with_suffix(".ipynb"))


@pytest.mark.slow
def test_seed_review_page(rendered):
    html_file, shown = _page(rendered, SEED_AGENCY, SEED_YEAR)
    _common(html_file, shown)
    assert html_file.stat().st_size < MAX_SEED_PAGE
    assert "青禾示例县商务局" in shown.text and "2021年度应使用2021格式" in shown.text
    assert "本年新收政府信息公开申请0件，上年结转0件" in shown.text
    report = read_report(SEED, year=SEED_YEAR, agency="青禾示例县商务局")
    errors = [f for f in check(report) if f.status == "fail" and f.severity == "error"]
    assert any(f.rule == "C_FORMAT_VERSION" for f in errors)
    for f in errors:
        assert f.message in shown.text
    summary = json.loads((rendered / str(SEED_YEAR) / f"{SEED_AGENCY}.json").read_text(encoding="utf-8"))
    assert summary["errors"] >= len({f.rule for f in errors}) and summary["format_version"] == "2019"


@pytest.mark.slow
def test_review_with_earlier_years_and_peers(rendered):
    html_file, shown = _page(rendered, HISTORY_AGENCY, HISTORY_YEAR)
    _common(html_file, shown)
    agencies = load_agencies()
    name = agencies.loc[HISTORY_AGENCY, "name"]
    path = DATA_DIR / "reports" / str(HISTORY_YEAR)
    report = read_report(next(path.glob(f"{HISTORY_AGENCY}.*")), year=HISTORY_YEAR, agency=name)
    received = report.value("t3", "new_received", "total")
    granted, partial = report.value("t3", "granted", "total"), report.value("t3", "partial", "total")
    processed = report.value("t3", "total_processed", "total")
    assert f"本年新收政府信息公开申请{received:,}件" in shown.text
    assert f"公开率为{100 * (granted + partial) / processed:.1f}%" in shown.text
    assert f"与{HISTORY_YEAR - 1}年相比" in shown.text
    assert "历年变化" in shown.text
    assert "与本地区其他" not in shown.text  # a summary report is never compared with the agencies it sums
    assert len(shown.images) >= 5


@pytest.mark.slow
def test_explore_notebook_runs():
    nb = render.execute(NOTEBOOKS_DIR / "explore.ipynb", {"agency": HISTORY_AGENCY, "year": HISTORY_YEAR})
    shown = json.dumps([o for c in nb.cells for o in c.get("outputs", [])], ensure_ascii=False)
    assert "青禾示例县人民政府" in shown and "data:image/png;base64," in shown and "<th>rule</th>" in shown
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.slow
def test_failed_review_writes_nothing(tmp_path):
    with pytest.raises(Exception, match="没有机关"):
        render.render_review("no-such-agency", SEED_YEAR, tmp_path)
    assert not list(tmp_path.rglob("*.html")) and not list(tmp_path.rglob("*.ipynb"))


def test_waived_finding_stays_visible_and_marked():
    waived = Finding("C_CELLS_BLANK", "completeness", "warning", "fail", "空白单元格", waived=True,
                     waiver_reason="机构改革，数据由上级汇总")
    page = finding_html(waived)
    assert "已豁免" in page and "机构改革，数据由上级汇总" in page and "空白单元格" in page
    assert "官方表格每个数据单元格都应填写" in page  # the rule's statement, from the catalog


def test_warm_keeps_the_years_reports_as_peers(tmp_path):
    """The zygote's warm-up keeps the year's reports as Peers, what every review of a region reads of them; whole
    reports (an agency's own, its earlier years, a summing report's children) are read in that review's kernel."""
    from xxgk.review import review

    review._READ.clear()  # caches by file state: emptied, they are only read again
    review._PEERS.clear()
    try:
        read = review.warm(2022, DATA_DIR, tmp_path)
        assert read == len(list((DATA_DIR / "reports" / "2022").iterdir())) == len(review._PEERS)
        assert {key[-3] for key in review._PEERS} == {2022}
        assert not review._READ
    finally:
        review._PEERS.clear()


@pytest.mark.parametrize("year", [2021, 2022])
def test_reviews_from_warmed_peers_say_what_whole_reports_say(tmp_path, year):
    """Every agency's findings, summary, peer chart and skipped files are the same whether its region's reports
    were read whole or kept as the warm-up's Peers, whose copied-text checks read the region's index: the copied
    sections are still found (2021) and the summing county government still compares its children."""
    from xxgk.model import Peer
    from xxgk.review import review
    from xxgk.rules import similarity

    ids = list(load_agencies(DATA_DIR / "agencies.csv").index)

    def everything():
        out, kinds, indexed = {}, set(), set()
        for agency_id in ids:
            rv = load(agency_id, year, DATA_DIR, tmp_path)
            out[agency_id] = ([f.to_json() for f in rv.findings], rv.summary(), rv.peer_view(), rv.skipped)
            kinds |= {type(peer) for _, peer in rv.peers.values()}
            indexed.add(similarity._indexed(rv.report, [peer for _, peer in rv.peers.values()]) is not None)
        return out, kinds, indexed

    review._READ.clear()
    review._PEERS.clear()
    try:
        whole, kinds, indexed = everything()
        assert kinds == {Report} and indexed == {False}
        review._READ.clear()
        review.warm(year, DATA_DIR, tmp_path)
        warmed, kinds, indexed = everything()
        assert kinds == {Peer} and indexed == {True}
    finally:
        review._PEERS.clear()
    assert warmed == whole
    copied = [f for found, *_ in whole.values() for f in found if f["rule"] == "X_SIMILARITY_PEERS"]
    assert any(f["status"] == "fail" for f in copied) == (year == 2021)
    sums = [f for f in whole["qh-gov"][0] if f["rule"] == "H_PARENT_SUMS_CHILDREN"]
    assert sums and all(f["status"] not in ("not_assessable", "rule_error") for f in sums)


