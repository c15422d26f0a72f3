"""Pages that connect: every page says where it sits (links back to the year and to all years), when it
was made and, when made from the bundled sample, that the data are fictional; the year index filters
offline. The Chromium test opens a real run's pages the way a reader does."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from conftest import HOSTILE_NAME, RUN_AGENCIES, RUN_YEAR
from xxgk.batch import overview
from xxgk.browser import offline_page
from xxgk.config import DATA_DIR
from xxgk.review import pages, render
from xxgk.samples import data as sample_data

HOSTILE = HOSTILE_NAME


def test_the_bundled_sample_is_recognised_by_its_readme(tmp_path):
    assert pages.is_sample(DATA_DIR)
    assert pages.SAMPLE_README_MARK in sample_data.README_HEAD.splitlines()[0]  # the generator writes the mark
    assert not pages.is_sample(tmp_path) and not pages.is_sample(None)
    (tmp_path / "README.md").write_text(f"# 我的年报\n这里提到{pages.SAMPLE_README_MARK}，但不是标题\n", encoding="utf-8")
    assert not pages.is_sample(tmp_path)


def _index(tmp_path, sample: bool) -> str:
    agencies = pd.DataFrame([
        {"agency_id": "a-bureau", "name": "某县甲局", "level": "county_department"},
        {"agency_id": "b-town", "name": "某县乙镇", "level": "township"},
        {"agency_id": "c-ghost", "name": HOSTILE, "level": "county_department"},
    ]).set_index("agency_id", drop=False)
    late = {"rule": "T_LATE", "category": "timeliness", "status": "fail", "severity": "warning", "waived": False}
    current = {"a-bureau": {"agency": "某县甲局", "score": 70.0, "grade": "B", "errors": 2, "warnings": 1,
                            "findings": [late]},
               "b-town": {"agency": "某县乙镇", "score": 95.0, "grade": "A", "errors": 0, "warnings": 0,
                          "findings": [{**late, "waived": True}]}}
    return overview.index_html(2023, agencies, {}, current, tmp_path, "", sample=sample)


def test_index_rows_carry_what_the_filters_read(tmp_path):
    page = _index(tmp_path, sample=True)
    rows = dict(re.findall(r'<tr (data-level="[^"]*" data-grade="[^"]*" data-errors="\d+" data-late="\d" '
                           r'data-missing="\d")><td data-v="([^"]*)"', page))
    by_name = {html.unescape(name): attrs for attrs, name in rows.items()}  # escaped by the template engine
    assert by_name["某县甲局"] == 'data-level="county_department" data-grade="B" data-errors="2" data-late="1" data-missing="0"'
    # a waived lateness is no lateness; an agency without a report is missing
    assert by_name["某县乙镇"] == 'data-level="township" data-grade="A" data-errors="0" data-late="0" data-missing="0"'
    assert by_name[HOSTILE] == ('data-level="county_department" data-grade="" data-errors="0" '
                                'data-late="0" data-missing="1"')
    assert "<script>window.pwned" not in page and "&lt;script&gt;window.pwned=2" in page
    assert '<option value="county_department">县级政府部门</option><option value="township">' in page
    assert 'href="../index.html"' in page and "生成日期：" in page and pages.SAMPLE_NOTICE in page
    assert pages.SAMPLE_NOTICE not in _index(tmp_path, sample=False)


# -- a real run, opened in Chromium ----------------------------------------------------------------
YEAR = RUN_YEAR
REVIEWED = RUN_AGENCIES  # the seed, a department published late (2022-03-08) and a township


@pytest.fixture(scope="module")
def site(sample_run):
    """The shared sample run's output folder (conftest: three reviewed agencies and a registered agency
    without a report whose name is markup)."""
    return sample_run[1]


def _browse(page_file: Path, actions=None) -> dict:
    """Open a page with every request recorded and all but its own file blocked; run `actions(page)`."""
    url = page_file.resolve().as_uri()
    with offline_page(page_file) as (page, requests):
        page.goto(url, wait_until="load")
        return {
            "text": page.inner_text("body"),
            "nav": page.eval_on_selector_all("nav.crumbs a", "els => els.map(e => e.href)"),
            "links": page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"),
            "acted": actions(page) if actions else None,
            "pwned": page.evaluate("() => window.pwned === undefined ? null : String(window.pwned)"),
            "requests": [u for u in requests if u != url],
        }


def _file(url: str) -> Path:
    u = urlparse(url)
    assert u.scheme == "file", url
    return Path(unquote(u.path))


@pytest.mark.slow
def test_every_page_links_back_is_dated_and_says_the_data_are_fictional(site):
    year = site / str(YEAR)
    reviews = [year / f"{a}.html" for a in REVIEWED]
    every = [site / "index.html", year / "index.html", year / "overview.html", year / "领导摘要.html", *reviews]
    reached = set()
    for page in every:
        seen = _browse(page)
        assert seen["requests"] == [] and seen["pwned"] is None, page
        assert "生成日期：" in seen["text"] and pages.SAMPLE_NOTICE in seen["text"], page
        for link in seen["links"]:
            assert _file(link).exists(), f"{page.name} links to a missing {link}"
            reached.add(_file(link).resolve())
        if page != site / "index.html":  # the way back: all years, then (below a year's index) the year
            back = [_file(u).resolve() for u in seen["nav"]]
            assert back[0] == (site / "index.html").resolve(), page
            if page != year / "index.html":
                assert back[1] == (year / "index.html").resolve(), page
    # root -> year -> each agency's review, overview and leader page
    assert {p.resolve() for p in every[1:]} <= reached


@pytest.mark.slow
def test_the_year_index_filters_offline(site):
    year = site / str(YEAR)
    summaries = {a: json.loads((year / f"{a}.json").read_text(encoding="utf-8")) for a in REVIEWED}
    names = {a: s["agency"] for a, s in summaries.items()}

    def visible(page) -> set[str]:
        return set(page.eval_on_selector_all("table.index tbody tr:not([hidden]) td:first-child",
                                             "els => els.map(e => e.dataset.v)"))

    def act(page):
        got = {"all": visible(page)}
        page.select_option("select[name=level]", "township")
        got["township"] = visible(page)
        page.select_option("select[name=level]", "")
        page.select_option("select[name=grade]", summaries["qh-hefeng"]["grade"] or "无法评分")
        got["grade"] = visible(page)
        page.select_option("select[name=grade]", "")
        for box in ("errors", "late", "missing"):
            page.check(f"input[name={box}]")
            got[box] = visible(page)
            page.uncheck(f"input[name={box}]")
        got["count"] = page.inner_text("#shown")
        return got

    seen = _browse(year / "index.html", act)
    got = seen["acted"]
    assert got["all"] == {*names.values(), HOSTILE} and got["count"] == f"筛选结果 {len(REVIEWED) + 1} / {len(REVIEWED) + 1} 个机关"
    assert got["township"] == {names["qh-hefeng"]}
    grade = summaries["qh-hefeng"]["grade"]
    assert got["grade"] == {names[a] for a, s in summaries.items() if s["grade"] == grade}
    assert got["errors"] == {names[a] for a, s in summaries.items() if s["errors"]} != got["all"]
    assert got["late"] == {names["qh-education"]}
    assert got["missing"] == {HOSTILE}
    assert seen["pwned"] is None and seen["requests"] == []


@pytest.mark.parametrize("link", ['<a href="http://x/">', '<a href="javascript:alert(1)">', '<a href="//x/y">',
                                  '<a href="/etc/passwd">', '<a href="file:///x">', '<a ping="http://x" href="#">'])
def test_links_out_of_the_output_folder_are_refused(link):
    with pytest.raises(render.RenderError):
        render.check_offline(link + "x</a>")


def test_links_back_to_the_year_and_all_years_are_allowed():
    render.check_offline(pages.top_html(pages.year_crumbs(2023, here="某局"), sample=True))
