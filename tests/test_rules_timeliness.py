"""条例第四十九条 deadlines, one test per date source: the publication register (publications.csv), the page's
metadata, the report's closing date (落款), the PDF/DOCX file's own dates (a hint only), and none at all."""

from __future__ import annotations

import copy
import datetime
import json
import subprocess
import sys

import pytest

from rulekit import run
from xxgk.rules.timeliness import closing_date
from xxgk.samples.synth import consistent_report

DEPT = "C_DEADLINE_DEPARTMENT"
GOV = "C_DEADLINE_GOVERNMENT"
AGENCIES = [{"agency_id": "com", "name": "某县商务局", "level": "county_department"},
            {"agency_id": "gov", "name": "某县人民政府", "level": "county_government"}]


def report(agency="某县商务局", published=None, closing=None, source=None):
    r = copy.deepcopy(consistent_report("2021", 2022, agency=agency))  # a 2022 report: due in 2023
    r.published = published
    if closing:
        r.text = r.text.rstrip("\n") + f"\n{agency}\n{closing}\n"
    if source:
        r.source_file = str(source)
    return r


def one(r, rule=DEPT, **kw):
    got = run(r, rule, agencies=AGENCIES, **kw)
    assert len(got) == 1, got
    return got[0]


def wheres(f) -> str:
    return " ".join(e["where"] for e in f.evidence)


# -- 1. the publication register -----------------------------------------------------------------
def test_register_date_decides_late_and_on_time():
    late = one(report(), publications=[{"agency_id": "com", "year": "2022", "published": "2023-02-28"}])
    assert late.status == "fail" and late.severity == "error" and late.difference == 28
    assert "publications.csv" in late.message and "publications.csv" in wheres(late)
    ok = one(report(), publications=[{"agency_id": "com", "year": "2022", "published": "2023-01-30"}])
    assert ok.status == "pass"
    other_year = one(report(), publications=[{"agency_id": "com", "year": "2021", "published": "2023-02-28"}])
    assert other_year.status == "not_assessable"


def test_register_row_found_by_the_file_path_without_a_registry_entry(tmp_path):
    r = report(source=tmp_path / "reports" / "2022" / "x.txt")
    rows = [{"agency_id": "x", "year": "2022", "published": "2023-03-02", "source_file": "reports/2022/x.txt"}]
    got = [f for f in run(r, DEPT, publications=rows)]
    assert [f.status for f in got] == ["fail"]


def test_government_register_date_by_31_march():
    gov = report(agency="某县人民政府")
    rows = [{"agency_id": "gov", "year": "2022", "published": "2023-04-06"}]
    assert one(gov, GOV, publications=rows).status == "fail"
    assert one(gov, DEPT, publications=rows).status == "not_assessable"
    rows[0]["published"] = "2023-03-31"
    assert one(gov, GOV, publications=rows).status == "pass"


# -- 2. the page's metadata -----------------------------------------------------------------------
def test_page_date_decides():
    f = one(report(published="2023-02-08"))
    assert f.status == "fail" and f.difference == 8 and "页面所示发布日期" in f.message


def test_register_and_page_disagreeing_about_the_deadline_is_uncertain():
    f = one(report(published="2023-02-08"), publications=[{"agency_id": "com", "year": "2022", "published": "2023-01-20"}])
    assert f.status == "uncertain" and "不一致" in f.message
    assert "publications.csv" in wheres(f) and "页面所示发布日期" in wheres(f)


# -- 3. the closing date (落款日期) ----------------------------------------------------------------
@pytest.mark.parametrize("line,expected", [
    ("2026年1月23日", datetime.date(2026, 1, 23)),
    ("二〇二三年二月二十八日", datetime.date(2023, 2, 28)),
    ("2023 年 2 月 1 日", datetime.date(2023, 2, 1)),
])
def test_closing_date_forms(line, expected):
    got = closing_date(f"正文。\n六、其他需要报告的事项\n无。\n某县商务局\n{line}\n附件下载")
    assert got and got[0] == expected and got[1] == line.strip()


def test_a_date_inside_a_sentence_is_no_closing_date():
    assert closing_date("六、其他需要报告的事项\n2023年2月1日，本局召开会议。") is None
    far = "某县商务局\n2023年2月1日\n" + "\n".join(f"第{i}段" for i in range(20))
    assert closing_date(far) is None


def test_closing_date_after_the_deadline_proves_lateness():
    f = one(report(closing="2023年2月15日"))
    assert f.status == "fail" and f.difference == 15 and "落款" in f.message
    assert "报告落款日期" in wheres(f) and "正文第" in wheres(f)


def test_closing_date_in_time_is_uncertain_not_passed():
    f = one(report(closing="2023年1月20日"))
    assert f.status == "uncertain" and "实际发布日期未见记载" in f.message
    assert "publications.csv" in f.message and "页面所示发布日期" in f.message  # names what was tried


def test_closing_date_later_than_the_recorded_date_is_uncertain():
    f = one(report(published="2023-01-10", closing="2023年1月25日"))
    assert f.status == "uncertain" and "落款日期" in f.message


# -- 4. file metadata: a hint, shown as such ------------------------------------------------------
def _docx(path, when: datetime.datetime):
    import docx

    d = docx.Document()
    d.add_paragraph("某县商务局2022年政府信息公开工作年度报告")
    d.core_properties.created = d.core_properties.modified = when
    d.save(path)
    return path


def _pdf(path, when: datetime.datetime):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.savefig(path, metadata={"CreationDate": when, "ModDate": when})
    plt.close(fig)
    return path


@pytest.mark.parametrize("make", [_docx, _pdf], ids=["docx", "pdf"])
def test_file_date_after_the_deadline_is_a_hint_not_a_failure(tmp_path, make):
    src = make(tmp_path / f"r.{make.__name__[1:]}", datetime.datetime(2023, 3, 3, 9, 0))
    f = one(report(source=src))
    assert f.status == "uncertain" and "仅供参考" in f.message and "2023-03-03" in f.message
    assert "文件属性（仅供参考）" in wheres(f)


@pytest.mark.parametrize("make", [_docx, _pdf], ids=["docx", "pdf"])
def test_file_date_in_time_proves_nothing(tmp_path, make):
    src = make(tmp_path / f"r.{make.__name__[1:]}", datetime.datetime(2023, 1, 10, 9, 0))
    f = one(report(source=src))
    assert f.status == "not_assessable" and "发布日期未知" in f.message and "2023-01-10（仅供参考）" in f.message


def test_file_date_before_the_year_ended_is_ignored(tmp_path):
    src = _docx(tmp_path / "r.docx", datetime.datetime(2020, 1, 1))  # a template's date
    f = one(report(source=src))
    assert f.status == "not_assessable" and "早于报告年度结束" in f.message


def test_a_recorded_date_decides_and_the_hint_stays_shown(tmp_path):
    src = _docx(tmp_path / "r.docx", datetime.datetime(2023, 3, 3))
    f = one(report(source=src), publications=[{"agency_id": "com", "year": "2022", "published": "2023-01-20"}])
    assert f.status == "pass" and "文件属性（仅供参考）" in wheres(f)


# -- 5. nothing known -----------------------------------------------------------------------------
def test_unknown_date_names_every_source_tried():
    f = one(report())
    assert f.status == "not_assessable"
    for source in ("publications.csv", "页面所示发布日期", "报告落款日期", "文件属性"):
        assert source in f.message


def test_reports_before_the_2019_regulation_are_not_assessed():
    r = copy.deepcopy(consistent_report("2019", 2019))
    r.year, r.published = 2018, "2019-04-20"
    assert one(r).status == "not_assessable"


# -- the command line reads publications.csv ------------------------------------------------------
def test_check_command_takes_publications(tmp_path):
    src = tmp_path / "r.txt"
    r = consistent_report("2021", 2022)
    src.write_text(r.text, encoding="utf-8")
    pubs = tmp_path / "pubs.csv"
    pubs.write_text("agency_id,year,published,source_file\nx,2022,2023-02-14,r.txt\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "xxgk.cli", "check", str(src), "--year", "2022", "--publications",
                          str(pubs), "--json"], capture_output=True, text=True)
    assert out.returncode == 1, out.stderr  # a late report is an error-level failure
    got = [f for f in json.loads(out.stdout)["findings"] if f["rule"] == DEPT]
    assert [(f["status"], f["difference"]) for f in got] == [("fail", 14)]
