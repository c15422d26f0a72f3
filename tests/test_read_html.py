"""HTML pages: the real county-bureau page cell by cell, and pages written from its cells that carry
the hard parts of real markup (GBK, layout tables, merged cells, <br>, —, full-width digits)."""

from __future__ import annotations

import html

import pytest
from conftest import REAL
from official_tables import Grid, assert_every_cell, expected_values, report_parts

from xxgk.layouts import load_layout
from xxgk.read import html as html_reader
from xxgk.read import read_document, read_report

PAGE = "shuyang_drc_2023.html"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _by_label(report) -> dict:
    return {(c.table, c.subtable, c.row, c.column): c for c in report.cells}


def test_real_page_every_cell(expected):
    oracle = expected[PAGE]
    report = read_report(REAL / PAGE)
    assert report.rendering == "html"
    assert report.format_version == oracle["format_version"] == "2021"
    assert report.year == oracle["year"]
    assert report.agency == oracle["agency"]
    assert len(oracle["cells"]) == 200
    assert_every_cell(report, oracle["cells"])
    # Blank cells (<o:p>&nbsp;</o:p>) are blank, not zero; the colspan=3 value of 第二十条第（五）项 is read once.
    assert report.cell("t3", "new_received", "commercial").status == "blank"
    licensing = report.cell("t2_art20_5", "admin_licensing", "decisions")
    assert (licensing.value, licensing.source) == (0, "表1 第7行 第2格")
    assert not [n for n in report.notes if n.kind in ("extra_cells", "row_short", "duplicate_row", "table_missing")]


def test_real_page_sections_title_and_date():
    report = read_report(REAL / PAGE)
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert report.section(5).heading == "五、存在的主要问题及整改措施" and not report.section(5).official
    assert "共收到依申请信息公开26件" in report.section(1).text
    assert report.section(6).text.startswith("2023年度，县发展和改革局政府信息公开未发生收费情况。")
    assert report.published == "2024-01-17"
    doc = read_document(REAL / PAGE)
    assert doc.title == "沭阳县发展和改革局2023年政府信息公开年度报告"


def test_real_page_skips_scripts_navigation_and_metadata_cells():
    doc = read_document(REAL / PAGE)
    text = doc.full_text()
    assert "function time()" not in text and "websiteId" not in text  # <script>
    assert "border-collapse" not in text  # <style>
    assert "走进沭阳" not in text  # navigation link list
    # The page metadata table is prose, not table cells, so the assembler never sees 索引号 as a cell.
    assert "索引号：014314799/2024-00002" in text
    assert not any(t.kind == "cell" and "索引号" in t.text for t in doc.tokens)


# -- pages written from the real report's cells ---------------------------------------------------
def _page(oracle: dict, grid_cell, charset: str = "utf-8", wrap_in_layout_table: bool = False) -> str:
    """An HTML page of the real report's cells; `grid_cell(span)` writes one cell's inner HTML."""
    layout = load_layout("2021")
    values = expected_values(layout, oracle["cells"])
    raw = {k: "" if v is None else str(v) for k, v in values.items()}
    title = f"{oracle['agency']}{oracle['year']}年政府信息公开工作年度报告"
    body = []
    for kind, item in report_parts(layout, raw, title):
        if kind == "text":
            body.append(f"<p>{html.escape(item)}</p>")
            continue
        assert isinstance(item, Grid)
        rows = []
        for spans in item.rows():
            tds = "".join(
                f'<td rowspan="{s.rowspan}" colspan="{s.colspan}">{grid_cell(s)}</td>' for s in spans
            )
            rows.append(f"<tr>{tds}</tr>")
        body.append(f"<table border=1><tbody>{''.join(rows)}</tbody></table>")
    content = "\n".join(body)
    if wrap_in_layout_table:
        content = f'<table width="100%"><tr><td class="main">{content}</td></tr></table>'
    page = f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{html.escape(title)}_沭阳县人民政府</title>
<style>td {{ border: 1px solid; }}</style><script>var s = "三、收到和处理政府信息公开申请情况";</script></head>
<body><ul class="menu"><li><a href="/">首页</a></li><li><a href="/x">政府信息公开</a></li></ul>
<table class="info"><tr><td>索引号</td><td>014314799/2024-00002</td><td>发布机构</td><td>{oracle['agency']}</td></tr>
<tr><td>发布日期</td><td>2024年1月17日</td><td>文号</td><td></td></tr></table>
<div style="display:none"><p>一、总体情况</p></div>
{content}
<div class="footer">主办：沭阳县人民政府办公室</div></body></html>"""
    return page


@pytest.mark.parametrize("charset,wrap", [("gbk", True), ("gb2312", False)])
def test_gbk_page_in_a_layout_table(tmp_path, expected, charset, wrap):
    oracle = expected[PAGE]
    page = _page(oracle, lambda s: html.escape(s.text), charset=charset, wrap_in_layout_table=wrap)
    path = tmp_path / "report.html"
    path.write_bytes(page.encode("gbk"))
    report = read_report(path)
    assert report.rendering == "html"
    assert (report.format_version, report.year, report.agency) == ("2021", 2023, oracle["agency"])
    assert report.published == "2024-01-17"
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]
    assert all(s.official for s in report.sections)
    assert_every_cell(report, oracle["cells"])
    assert not [n for n in report.notes if n.kind != "table_missing"], report.notes


def test_merged_cells_line_breaks_dashes_and_full_width_digits(tmp_path, expected):
    marks = iter(["—", "/", "&nbsp;—&nbsp;", "-"] * 100)

    def cell(span) -> str:
        if span.text == "":
            return next(marks)
        if span.text.isdigit():
            return f"<p><span>&nbsp;{span.text.translate(FULL_WIDTH)}</span></p>"
        if len(span.text) > 12:  # long labels wrap inside the cell, as on real pages
            half = len(span.text) // 2
            return f"{html.escape(span.text[:half])}<br/>{html.escape(span.text[half:])}"
        return html.escape(span.text)

    oracle = expected[PAGE]
    page = _page(oracle, cell)
    path = tmp_path / "merged.htm"
    path.write_text(page, encoding="utf-8")
    report = read_report(path)
    assert_every_cell(report, oracle["cells"])
    got = _by_label(report)
    for c in oracle["cells"]:
        cell_read = got[(c["table"], c.get("subtable"), c["row"], c["column"])]
        if c["value"] is None:
            assert cell_read.status == "na" and cell_read.raw in ("—", "/", "-"), cell_read
        else:
            assert cell_read.status == "number" and cell_read.raw == str(c["value"]).translate(FULL_WIDTH)
    assert not [n for n in report.notes if n.kind in ("extra_cells", "row_short", "label_typo", "unexpected_text")]


def test_a_page_without_a_report_is_a_partial_report_not_an_error(tmp_path):
    path = tmp_path / "news.html"
    path.write_text("<html><body><p>今日新闻</p><table><tr><td>甲</td><td>1</td></tr></table></body></html>", encoding="utf-8")
    report = read_report(path)
    assert report.format_version == "unknown" and not report.sections
    assert any(n.kind == "no_report" for n in report.notes)


@pytest.mark.parametrize(
    "head,body,published",
    [
        ("", "<div>来源：县发改局 发布时间：2024年1月7日 浏览次数：12</div>", "2024-01-07"),
        ('<meta name="PubDate" content="2023-02-01 10:00">', "<p>正文</p>", "2023-02-01"),
        ("", "<table><tr><td>成文日期</td><td>2024/01/05</td><td>发布日期</td><td>2024.1.9</td></tr>"
             "<tr><td>索引号</td><td>x</td><td>文号</td><td></td></tr></table>", "2024-01-09"),
        ("", "<p>我局将按照项目名称：发布日期：的格式整理</p>", None),
    ],
)
def test_publication_date_from_page_metadata(head, body, published):
    doc = html_reader.read(f"<html><head>{head}</head><body>{body}</body></html>", "page.html")
    assert doc.published == published
    assert not any(t.kind == "cell" for t in doc.tokens)


def test_what_a_visitor_does_not_see_is_not_read():
    """Hidden by style (any case, spacing, or a character reference), by the hidden attribute, or named
    navigation by class or id (unless it holds a table); a list of links only; skipped tags however
    written (upper case, a Kelvin sign for k); inside a cell, comments and hidden parts."""
    page = """<html><body><p>可见一</p>
<div STYLE="Display : None">隐藏一</div><p style="visibility:&#10;HIDDEN">隐藏二</p><p style="display:&#110;one">隐藏三</p>
<span hidden>隐藏四</span><p style="border:none">可见二</p>
<div id="top-nav">导航一</div><div class="share_box">导航二</div>
<div class="menu"><table><tr><td>项目</td><td>1</td></tr></table></div>
<UL><LI><A href="/">首页</A></LI><li><a href="/x">公开</a></li></UL>
<bloc\u212aquote>引文</bloc\u212aquote>尾<lin\u212a>略</lin\u212a>
<TABLE><TR><TD>甲<!-- 注释 -->乙<SPAN style="display:none">丙</SPAN><BR>丁</TD><td class="nav">戊</td><td><P>己</P></td></TR></TABLE>
</body></html>"""
    doc = html_reader.read(page, "page.html")
    assert [(t.kind, t.text) for t in doc.tokens] == [
        ("text", "可见一"), ("text", "可见二"), ("grid", "项目\n1"), ("text", "引文"), ("text", "尾"), ("grid", "甲乙\n丁\n己")]
