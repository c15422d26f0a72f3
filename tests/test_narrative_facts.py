"""The narrative says only what the cells say: every report in data/ and the corpus, the consistency check
itself (it must catch the sentences earlier versions wrote), totals that disagree with their parts."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from conftest import REAL, SEED
from xxgk.config import DATA_DIR
from xxgk.review.facts import facts, identities, is_zero_or_blank
from xxgk.review.narrative import COUNT, RATE, ZERO, Claim, Narrative, NarrativeContradiction, Sentence, narrative, verify
from xxgk.read import read_report
from xxgk.samples.synth import consistent_report, with_cell

DOCS = {"expected.json", "manifest.csv"}
CORPUS = sorted([SEED, *(p for p in REAL.iterdir() if p.name not in DOCS)])
SAMPLE = sorted((DATA_DIR / "reports").glob("*/*"))
HONGZE_2023 = REAL / "kiro_hongze_district_2023.pdf"
GOV_OFFICE_2022 = DATA_DIR / "reports" / "2022" / "qh-gov-office.txt"


def _read(path):
    return read_report(path, year=int(path.parent.name)) if path.parent.name.isdigit() else read_report(path)


@pytest.fixture(scope="module")
def hongze():
    return facts(read_report(HONGZE_2023))


def t4(f, key):
    return next(c for c in f.report.cells if c.table_id == "t4" and c.column_key == key)


@pytest.mark.parametrize("path", [*CORPUS, *SAMPLE], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_sentence_contradicts_a_cell(path):
    report = _read(path)
    f = facts(report)
    story = narrative(f, [])  # runs verify(); a contradiction raises
    text = str(story)
    # Independently of the claims: 未发生 only when every cell of 表四 is 0 or blank, and no printed
    # total that disagrees with its parts is stated alone.
    if "未发生" in text:
        assert all(is_zero_or_blank(c) for c in report.cells if c.table_id == "t4")
    for ident in identities(report):
        cells = (ident.total, *ident.parts)
        if all(c.status == "number" for c in cells) and ident.total.value != sum(c.value for c in ident.parts):
            assert "不符" in text or "但" in text, (path.name, ident.total.column, ident.total.row)


def test_hongze_2023_review_states_both_total_and_parts(hongze):
    text = str(narrative(hongze, []))
    assert "未发生" not in text
    assert "表四行政复议总计栏填0，但结果维持10件、结果纠正1件" in text
    assert "表四复议后起诉总计栏填0，但结果维持5件" in text


def test_sample_gov_office_2022_review_states_both():
    text = str(narrative(facts(read_report(GOV_OFFICE_2022, year=2022)), []))
    assert "未发生" not in text and "表四行政复议总计栏填0，但结果维持2件、尚未审结1件" in text


def test_the_check_catches_what_earlier_versions_wrote(hongze):
    totals = tuple(t4(hongze, k) for k in ("rv_total", "ld_total", "la_total"))
    old = "本年未发生因政府信息公开引起的行政复议或行政诉讼（表四行政复议、行政诉讼总计均为0）。"
    with pytest.raises(NarrativeContradiction, match="未发生"):
        verify(Narrative([[Sentence(old, [Claim(ZERO, 0, totals)])]]), hongze)
    alone = Sentence("因政府信息公开被申请行政复议0件。", [Claim(COUNT, 0, totals[:1])])
    with pytest.raises(NarrativeContradiction, match="未说与之不符"):
        verify(Narrative([[alone]]), hongze)
    with pytest.raises(NarrativeContradiction, match="与单元格不符"):
        verify(Narrative([[Sentence("被申请行政复议11件。", [Claim(COUNT, 11, totals[:1])])]]), hongze)
    with pytest.raises(NarrativeContradiction, match="没有来自单元格的依据"):
        verify(Narrative([[Sentence("被申请行政复议12件。", [])]]), hongze)


def test_a_rate_on_few_applications_needs_its_base(hongze):
    d, base = hongze.disclosed, hongze.processed  # 4 of 21
    bare = Sentence("公开率为19.0%。", [Claim(RATE, 19.0, d.cells, base.cells)])
    with pytest.raises(NarrativeContradiction, match="基数"):
        verify(Narrative([[bare]]), hongze)
    based = Sentence("以办结总数21件为基数，公开率为19.0%。", [Claim(COUNT, 21, base.cells), Claim(RATE, 19.0, d.cells, base.cells)])
    verify(Narrative([[based]]), hongze)


def test_group_filled_as_one_row_is_used(hongze):
    text = str(narrative(hongze, []))
    assert "未读取到" not in text and "其他处理0件" in text


# -- a group filled as one row (洪泽 2023 （六）其他处理), reading notes -----------------------------------
def test_group_filled_as_one_row_is_one_format_finding_and_no_uncertainty():
    from xxgk.rules import check

    found = check(read_report(HONGZE_2023))
    split = [f for f in found if f.rule == "C_GROUP_ROW_SPLIT" and f.status == "fail"]
    assert len(split) == 1 and "（六）其他处理未按2021格式分三项填写" in split[0].message
    assert not [f for f in found if f.status == "uncertain" and f.rule in ("T3_ROW_TOTAL", "T3_NONNEG_INT", "TT_FEE_ROW_VS_S6")]
    assert [f.status for f in found if f.rule == "T3_RESULTS_SUM"] == ["pass"] * 7


def test_sub_rows_of_a_group_filled_as_one_row_are_not_drawn_missing():
    from xxgk.review.views import tables_html

    page = tables_html(read_report(HONGZE_2023), [])
    assert "缺失" not in page and page.count("未分项填写") == 3


def test_reading_notes_are_about_the_file_not_findings():
    from xxgk.rules import check
    from xxgk.review.views import reading_notes_html

    shuyang = read_report(REAL / "kiro_shuyang_county_gov_2025.md")  # an OCR/LLM conversion: 数据1…6 headers
    found = check(shuyang)
    assert not [f for f in found if f.rule in ("C_COLUMN_LABELS", "C_ROW_LABELS") and f.status == "fail"]
    page = reading_notes_html(shuyang)
    assert shuyang.notes and shuyang.notes[0].message in page and "不是对该机关的审查意见" in page
    assert not [n.kind for n in shuyang.notes if n.kind in page]  # plain Chinese, no internal kind names
    hongze = read_report(HONGZE_2023)  # a published PDF: a column header another tool invented is still no finding
    hongze.note("column_label", "表三列标题“数据1”与官方格式不同", "第4页")
    assert [f.status for f in check(hongze) if f.rule == "C_COLUMN_LABELS"] == ["pass"]


# -- wording a reviewer would sign ----------------------------------------------------------------
def test_similarity_share_shown_as_percentage_and_no_internal_row_label():
    from xxgk.model import Finding
    from xxgk.rules import check
    from xxgk.review.views import finding_html

    page = finding_html(Finding("X_SIMILARITY_PEERS", "similarity", "warning", "fail", "第一部分 100% 的文字与某局相同",
                                expected="低于80%", actual=1.0), "")
    assert "实为 <b>100%</b>" in page and "实为 <b>1</b>" not in page
    for path in (REAL / "shuyang_drc_2023.html", HONGZE_2023):
        messages = [f.message for f in check(read_report(path))]
        assert not [m for m in messages if "数据行" in m or "“”" in m or "//" in m or "（）" in m], path.name


_PREV = consistent_report("2021", 2021, seed=3)
_NOW = consistent_report("2021", 2022, seed=3, previous=_PREV)
_T3_CELLS = sorted({(c.row_key, c.column_key) for c in _NOW.cells if c.table_id == "t3"})
_RECEIVED = [k for k in _T3_CELLS if k[0] == "new_received"]  # what the year-on-year sentence compares


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(_RECEIVED) | st.sampled_from(_T3_CELLS),
                          st.sampled_from(["", "/", "0", "1", "5", "72"])),
                max_size=3))
def test_a_changed_table_three_never_makes_a_sentence_against_its_cells(changes):
    """Either year's 表三 with cells off, blank or 不适用: the review, compared with last year, still says only
    what the cells support (verify raises otherwise), and never a year-on-year change over a total that
    disagrees with its parts."""
    now, prev = _NOW, _PREV
    for this_year, (row, col), raw in changes:
        if this_year:
            now = with_cell(now, "t3", row, col, raw)
        else:
            prev = with_cell(prev, "t3", row, col, raw)
    f, before = facts(now), facts(prev)
    text = str(narrative(f, [], before))
    if f.received_total.agrees is False or before.received_total.agrees is False:
        assert "新收申请由" not in text


def test_a_review_total_over_parts_all_zero_says_so():
    """表四's 总计 filled while every result is 0: the sentence names the parts, not an empty 但."""
    now = _NOW
    results = [c.column_key for c in now.cells if c.table_id == "t4" and c.column_key.startswith("rv_")
               and c.column_key != "rv_total"]
    for key in results:
        now = with_cell(now, "t4", "cases", key, "0")
    text = str(narrative(facts(with_cell(now, "t4", "cases", "rv_total", "3")), []))
    assert "总计栏填3，但各项结果均为0" in text and "但。" not in text


def test_no_rate_over_a_disclosed_count_its_own_row_contradicts():
    f = facts(with_cell(_NOW, "t3", "granted", "natural_person", str(_NOW.value("t3", "granted", "natural_person") + 3)))
    assert f.disclosure_rate is None and "不计算公开率" in str(narrative(f, []))


def test_cell_lookup_sees_cells_appended_after_a_lookup_and_keeps_the_first_of_a_key():
    report = consistent_report("2021", 2022)
    first = report.cells[0]
    key = (first.table_id, first.row_key, first.column_key)
    assert report.cell(*key) is first
    twin = with_cell(report, *key, "99").cells[0]  # a copy with the same key, put later in the list
    report.cells.append(twin)
    assert report.cell(*key) is first
    report.cells.append(dataclasses.replace(first, row_key="appended"))
    assert report.cell(first.table_id, "appended", first.column_key) is report.cells[-1]
    report.cells = [report.cells[-1]]  # a new list, however long, is indexed afresh
    assert report.cell(*key) is None and report.cell(first.table_id, "appended", first.column_key) is report.cells[0]
