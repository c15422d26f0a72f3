"""Crawler plain text (平潭 2018–2022): cells run together, split only where the sums make it unique."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REAL
from xxgk.layouts import load_layout, normalize_label, section_headings
from xxgk.read import read_document, read_report
from xxgk.read import crawler_text
from xxgk.read.assemble import assemble
from xxgk.read.digit_runs import split_row, split_run
from xxgk.read.document import Document, Token

PINGTAN = [f"pingtan_{y}_page.txt" for y in (2019, 2020, 2021, 2022)]
EXCERPT = "govnianbao_huaian_city_2024_section3_pdf_text_excerpt.txt"


@lru_cache(maxsize=None)
def _report(name: str):
    return read_report(REAL / name)


def _key(table: str, subtable: str | None, row: str, column: str) -> tuple:
    return table, subtable if table == "二" else None, normalize_label(row), column


def _cells(report) -> dict:
    return {_key(c.table, c.subtable, c.row, c.column): c for c in report.cells}


def _readings(run: str, version: str, table_id: str) -> list[str]:
    return ["/".join(p.text for p in r) for r in split_run(run, load_layout(version).table(table_id)).readings]


# -- whole files against the hand-read values --------------------------------------------------------
@pytest.mark.parametrize("name", ["pingtan_2018_page_pre2019_format.txt", *PINGTAN])
def test_format_year_agency_and_publication_date(name, expected):
    report = _report(name)
    want = expected[name]
    assert report.rendering == "crawler_text"
    assert report.format_version == want["format_version"], report.version_reason
    header_date = re.search(r"^发布时间:\s*(\d{4}-\d{2}-\d{2})", (REAL / name).read_text(encoding="utf-8"), re.M)
    assert report.published == header_date.group(1)
    if "year" in want:
        assert report.year == want["year"]
        assert want["agency"] in report.agency and "平潭" in report.agency


@pytest.mark.parametrize("name", PINGTAN)
def test_six_sections(name):
    report = _report(name)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert all(s.text for s in report.sections if s.number in (1, 5, 6))
    # Table labels are cells, not section text: 表三's row labels never end up in the prose.
    assert "本年新收政府信息公开申请数量" not in report.section(3).text


def test_mistyped_heading_still_starts_its_section():
    heading = _report("pingtan_2022_page.txt").section(4)
    assert "行政法复议" in heading.heading and not heading.official


def test_pre2019_report_is_not_read_as_a_table_layout():
    report = _report("pingtan_2018_page_pre2019_format.txt")
    assert report.format_version == "pre2019" and "旧版" in report.version_reason
    assert not report.cells


@pytest.mark.parametrize("name", PINGTAN)
def test_every_hand_read_cell(name, expected):
    """Exact where the file alone decides; cells split with next year's report may stay uncertain."""
    got = _cells(_report(name))
    exact = crossed = 0
    for want in expected[name]["cells"]:
        cell = got[_key(want["table"], want.get("subtable"), want["row"], want["column"])]
        if want.get("basis") == "cross-year" and cell.status == "uncertain":
            crossed += 1
            continue
        assert cell.status == "number" and cell.value == want["value"], (want, cell)
        exact += 1
    assert exact + crossed == len(expected[name]["cells"])
    assert exact >= {"pingtan_2019_page.txt": 179, "pingtan_2020_page.txt": 182,
                     "pingtan_2021_page.txt": 197, "pingtan_2022_page.txt": 200}[name]


@pytest.mark.parametrize("name", PINGTAN)
def test_no_cell_outside_the_oracle_is_guessed(name, expected):
    """Cells expected.json leaves out (ambiguous 表二 runs) are uncertain, with the readings in a note."""
    report = _report(name)
    listed = {_key(c["table"], c.get("subtable"), c["row"], c["column"]) for c in expected[name]["cells"]}
    left_out = [c for c in report.cells if _key(c.table, c.subtable, c.row, c.column) not in listed]
    assert all(c.status == "uncertain" for c in left_out), [c for c in left_out if c.status != "uncertain"]
    for cell in left_out:
        assert any(n.kind == "digit_split" and cell.raw in n.message and "种" in n.message for n in report.notes)


def test_2020_imbalance_is_kept_as_printed():
    report = _report("pingtan_2020_page.txt")
    t3 = load_layout("2019").table("t3")
    results = [r.key for r in t3.data_rows if r.parent and r.key != "total_processed"]
    for col, printed_sum, printed_total in (("natural_person", 26, 20), ("total", 27, 21)):
        assert sum(report.value("t3", r, col) for r in results) == printed_sum
        assert report.value("t3", "total_processed", col) == printed_total
    assert report.value("t3", "new_received", "total") == 21


def test_2021_rows_chosen_by_the_column_sums():
    report = _report("pingtan_2021_page.txt")
    row = [report.value("t3", "granted", c.key) for c in load_layout("2021").table("t3").columns]
    assert row == [27, 0, 0, 2, 0, 1, 30]
    note = next(n for n in report.notes if "270020130" in n.message)
    assert "2/7/0/0/20/1/30" in note.message and "列合计" in note.message


def test_2022_split_stated_in_the_prose():
    report = _report("pingtan_2022_page.txt")
    assert [report.value("t2_art20_1", "normative_documents", k) for k in ("issued", "repealed", "valid")] == [88, 55, 698]
    assert any("8855698" in n.message and "正文" in n.message for n in report.notes)


def test_tokens_keep_the_raw_runs():
    doc = read_document(REAL / "pingtan_2021_page.txt")
    assert doc.concatenated and doc.title.startswith("平潭综合实验区2021年度")
    cells = [t.text for t in doc.tokens if t.kind == "cell"]
    assert cells[cells.index("一、本年新收政府信息公开申请数量") + 1] == "640020470"
    assert "500000 5" in cells and "24252.311082" in cells
    # The stray repeated header inside table 三 is a row label, not a section heading.
    doc19 = read_document(REAL / "pingtan_2019_page.txt")
    stray = load_layout("2019").table("t3").row("results").label
    assert [t.text for t in doc19.tokens if t.kind == "cell"].count(stray) == 2


def test_pdf_text_excerpt(expected):
    report = read_report(REAL / EXCERPT)
    assert report.rendering == "crawler_text" and report.format_version == "2021"
    oracle = {_key(c["table"], c.get("subtable"), c["row"], c["column"]): c["value"]
              for c in expected["govnianbao_huaian_city_2024.pdf"]["cells"]}
    read = [c for c in report.cells if c.status == "number"]
    assert len(read) == 3 + 13 * 7  # 表二's last three rows, 表三 down to 1.本机关不掌握相关政府信息
    for cell in read:
        assert cell.value == oracle[_key(cell.table, cell.subtable, cell.row, cell.column)], cell


# -- the solver on small runs ------------------------------------------------------------------------
def test_unique_split():
    assert _readings("640020470", "2021", "t3") == ["64/0/0/2/0/4/70"]
    assert _readings("500000 5", "2021", "t3") == ["5/0/0/0/0/0/5"]  # whitespace is a hard boundary
    assert _readings("10203120001200000", "2021", "t4") == ["1/0/2/0/3/12/0/0/0/12/0/0/0/0/0"]
    assert _readings("35-15", "2019", "t2_art20_8") == ["35/-15"]  # a minus sign only where signed
    assert _readings("24252.311082", "2021", "t2_art20_8") == ["24252.311082"]


def test_ambiguous_split_is_uncertain():
    t3 = load_layout("2021").table("t3")
    assert _readings("270020130", "2021", "t3") == ["2/7/0/0/20/1/30", "27/0/0/2/0/1/30"]
    cells = split_row([Token("cell", "270020130", "第1行")], t3)
    assert [v.status for _, v, _ in cells] == ["uncertain"] * 7
    assert {raw for raw, _, _ in cells} == {"270020130"}
    assert len(_readings("13575394432.52元", "2019", "t2_art20_9")) > 1


def test_unsplittable_run_is_uncertain():
    assert _readings("12", "2021", "t3") == []  # two digits cannot be seven numbers
    assert _readings("1-23", "2021", "t2_art20_1") == []  # no sign in an unsigned column
    assert _readings("01", "2021", "t2_art20_5") == []  # no leading zero
    t3 = load_layout("2021").table("t3")
    assert all(v.status == "uncertain" for _, v, _ in split_row([Token("cell", "12", "")], t3))


def test_row_whose_sum_fails():
    one_way = split_run("1 0 0 0 0 0 2", load_layout("2021").table("t3"))
    assert not one_way.sums_hold and one_way.unique  # kept as printed: the rules report the sum
    two_ways = split_run("110000002", load_layout("2021").table("t3"))
    assert not two_ways.sums_hold and ["/".join(p.text for p in r) for r in two_ways.readings] == [
        "1/100/0/0/0/0/2", "110/0/0/0/0/0/2"]


def test_runaway_run_gives_up_quickly():
    split = split_run("1234567890" * 6, load_layout("2021").table("t3"))
    assert split.overflow and not split.unique


def _t3_document(runs: dict[str, str]) -> Document:
    """A crawler-like token stream of table 三 from the layout's own labels and the given runs."""
    t3 = load_layout("2021").table("t3")
    doc = Document("synthetic", "crawler_text", concatenated=True)
    doc.text("三、收到和处理政府信息公开申请情况", "第1行")
    for row in t3.rows:
        doc.cell(row.label, "第2行")
        if not row.group:
            doc.cell(runs.get(row.key, "0000000"), "第2行")
    return doc


def test_column_sums_choose_between_readings():
    report = assemble(_t3_document({"new_received": "640020470", "granted": "270020130",
                                    "unable_not_held": "220000325", "other_other": "1000001",
                                    "denied_internal_affairs": "1000001", "denied_enforcement_file": "6000006",
                                    "denied_admin_query": "1000001", "partial": "500000 5",
                                    "total_processed": "630020469", "carried_forward": "1000001"}))
    assert [report.value("t3", "unable_not_held", k) for k in ("natural_person", "commercial", "total")] == [22, 0, 25]


def test_column_sums_that_cannot_hold_choose_nothing():
    """An ambiguous row in a table whose printed columns do not add up stays uncertain."""
    report = assemble(_t3_document({"new_received": "640020470", "granted": "270020130",
                                    "total_processed": "900020496"}))
    cells = [c for c in report.cells if c.row_key == "granted"]
    assert {c.column_key: c.status for c in cells if c.status == "uncertain"} == {
        "natural_person": "uncertain", "commercial": "uncertain", "social_welfare": "uncertain",
        "legal_service": "uncertain"}
    assert [c.value for c in cells if c.status == "number"] == [0, 1, 30]  # the same in both readings
    assert any("不成立" in n.message for n in report.notes)


# -- other plain-text renderings of a real table -----------------------------------------------------
def _rendering(values: dict, cell_sep: str) -> str:
    """淮安市 2024 as crawler text from its hand-read cells and the layout's labels, cells joined by `cell_sep`."""
    layout, sections = load_layout("2021"), section_headings()
    body = [sections[0].heading, "本年度政务公开工作稳步推进。", sections[1].heading]
    for table in layout.tables:
        if table.table == "三" and table.corner_note:
            body += [sections[2].heading, table.corner_note]
        if table.table == "四":
            body.append(sections[3].heading)
        if table.subtable:
            body += [table.subtable, table.header_label]
        groups = dict.fromkeys(g for c in table.columns if c.group for g in c.group.split("/"))
        body += [*groups, *(c.label for c in table.columns)]
        for row in table.rows:
            body += [row.label] if row.label else []
            if not row.group:
                body += [str(values[_key(table.table, table.subtable, row.label, c.path)]) for c in table.columns]
    body += [sections[4].heading, "一是公开深度不够。", sections[5].heading, "无。"]
    header = "标题: 淮安市人民政府2024年政府信息公开工作年度报告\n发布时间: 2025-01-20 10:00\n"
    return header + cell_sep.join(body) + "\n"


@pytest.fixture(scope="module")
def huaian(expected) -> dict:
    return {_key(c["table"], c.get("subtable"), c["row"], c["column"]): c["value"]
            for c in expected["govnianbao_huaian_city_2024.pdf"]["cells"]}


def test_one_cell_per_line(huaian):
    doc = crawler_text.read(_rendering(huaian, "\n"), "one_cell_per_line.txt")
    report = assemble(doc)
    assert not doc.concatenated and doc.published == "2025-01-20"
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert len(report.cells) == 200
    for cell in report.cells:
        assert cell.status == "number" and cell.value == huaian[_key(cell.table, cell.subtable, cell.row, cell.column)]


def test_large_table_run_together_is_never_misread(huaian):
    """Four-digit counts with no separators at all: every cell read is right, the rest uncertain."""
    doc = crawler_text.read(_rendering(huaian, ""), "run_together.txt")
    report = assemble(doc)
    assert doc.concatenated and len(report.cells) == 200
    read = [c for c in report.cells if c.status == "number"]
    assert len(read) >= 190
    assert all(c.value == huaian[_key(c.table, c.subtable, c.row, c.column)] for c in read)
    assert all(c.status == "uncertain" for c in report.cells if c.status != "number")
    assert report.value("t3", "unable_needs_creation", "total") == 11  # “110000011”: chosen by the column sums


def test_fragment_ending_in_a_label(tmp_path):
    """A scrap of table text (a run too short to split, labels up to the last character) reads without error."""
    t3 = load_layout("2021").table("t3")
    t2 = load_layout("2021").table("t2_art20_1")
    path = tmp_path / "fragment.txt"
    path.write_text(t3.row("new_received").label + "12" + "".join(c.label for c in t2.columns), encoding="utf-8")
    report = read_report(path)
    assert report.format_version == "2021"
    assert {c.status for c in report.cells if c.row_key == "new_received"} == {"uncertain"}
    assert any("无法拆成 7 个数" in n.message for n in report.notes)


def test_ideographs_are_their_own_label_form():
    """The reader normalizes a page's other characters one by one and takes these as they are."""
    first, last = crawler_text.IDEOGRAPHS
    changed = [ch for ch in map(chr, range(ord(first), ord(last) + 1)) if normalize_label(ch) != ch]
    assert changed == []


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("申请数合计（）()，, 　\t\n“”‘’\"'１２ab12\u0301\u00a0\ufb01\u2460\u3000ｶﾞ"), max_size=60))
def test_a_page_is_normalized_as_its_characters_are(text):
    """Each character's label form, and for each normalized character the position it came from."""
    forms = [normalize_label(ch) for ch in text]
    assert crawler_text._normalized(text) == ("".join(forms), [i for i, form in enumerate(forms) for _ in form])
