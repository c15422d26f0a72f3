"""A region of a thousand agencies keeps the year's pages usable: the overview stays under about 300 KB with
every chart one picture of bounded height (a distribution, not a bar per agency) and the full ranking as a
table; the index lists every agency with its search and paging script."""

from __future__ import annotations

import base64
import csv
import io
import json
import random
import re

import pandas as pd
import pytest
from PIL import Image

from xxgk.batch import overview
from xxgk.batch.summaries import Summaries

SIZE = 1000
YEAR = 2022
MAX_OVERVIEW = 300 * 1024
MAX_CHART_HEIGHT = 600  # px: one screen, whatever the region's size
RULES = ("T3_ROW_TOTAL", "T3_BALANCE", "C_CELLS_BLANK", "N_RECEIVED_TEXT", "T_LATE", "S_SECTIONS")


def _region(tmp_path):
    """A registry of SIZE agencies (a government, departments, every fourth a township) and their summaries."""
    rng = random.Random(7)
    data, out = tmp_path / "data", tmp_path / "out"
    data.mkdir()
    rows = [{"agency_id": "gen-gov", "name": "生成示例县人民政府", "level": "county_government", "region": "生成示例县",
             "parent": "", "sums_children": "false"}]
    rows += [{"agency_id": f"gen-{i:04d}", "name": f"生成示例县第{i}{'镇人民政府' if i % 4 == 0 else '局'}",
              "level": "township" if i % 4 == 0 else "county_department", "region": "生成示例县", "parent": "gen-gov",
              "sums_children": "false"} for i in range(1, SIZE)]
    with open(data / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    folder = out / str(YEAR)
    folder.mkdir(parents=True)
    for row in rows:
        failed = [r for r in RULES if rng.random() < 0.2]
        received = int(rng.expovariate(1 / 40))
        summary = {"agency_id": row["agency_id"], "agency": row["name"], "year": YEAR, "format_version": "2021",
                   "score": max(0.0, 100.0 - 15 * len(failed)), "grade": "A" if not failed else "B", "coverage": 0.9,
                   "errors": len(failed), "warnings": 0, "uncertain": 0, "waived": 0, "received": received,
                   # every ninth rate withheld over a contested total, whatever the count
                   "processed": received, "disclosure_rate": rng.uniform(30, 100) if received >= 30 and rng.random() > 1 / 9
                   else None,
                   "findings": [{"rule": r, "category": "arithmetic", "severity": "error", "status": "fail",
                                 "message": "不符", "waived": False} for r in failed]}
        (folder / f"{row['agency_id']}.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return data, out, pd.DataFrame(rows).set_index("agency_id", drop=False)


@pytest.mark.slow
def test_a_thousand_agencies_overview_and_index_stay_usable(tmp_path):
    data, out, agencies = _region(tmp_path)
    page = overview.render_overview(YEAR, out, data).read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < MAX_OVERVIEW
    charts = re.findall(r'<img[^>]* src="data:image/png;base64,([^"]+)"', page)
    assert len(charts) >= 4  # distribution, a ranking and volumes per level, the heat map
    for png in charts:
        width, height = Image.open(io.BytesIO(base64.b64decode(png))).size
        assert height <= MAX_CHART_HEIGHT, (width, height)
    assert page.count('<table class="rank">') == 3  # the government, departments, townships: one table per level
    assert page.count("生成示例县第") >= SIZE - 1  # every agency in the full ranking
    assert "xxgkTable(" in page and 'id="rank-search"' in page
    words = re.sub(r"<script.*?</script>|data:image/png;base64,[^\"]+", "", page, flags=re.S)
    assert not re.search(r"(?i)(?<![a-z])nan(?![a-z])", words)  # a withheld rate (null, NaN in pandas) is no rate

    current = Summaries(out / str(YEAR), list(agencies.index))
    index = overview.index_html(YEAR, agencies, {}, current, out / str(YEAR), "")
    assert index.count("<tr data-level=") == SIZE and 'name="q"' in index and "xxgkTable(" in index


@pytest.mark.slow
def test_a_long_index_pages_searches_and_sorts_offline(tmp_path):
    from xxgk.browser import offline_page

    data, out, agencies = _region(tmp_path)
    agencies = agencies.iloc[:250]
    folder = out / str(YEAR)
    current = Summaries(folder, list(agencies.index))
    page_file = folder / "index.html"
    page_file.write_text(overview.index_html(YEAR, agencies, {}, current, folder, ""), encoding="utf-8")

    def shown(page) -> list[str]:
        return page.eval_on_selector_all("table.index tbody tr:not([hidden]) td:first-child", "els => els.map(e => e.dataset.v)")

    with offline_page(page_file) as (page, requests):
        page.goto(page_file.resolve().as_uri(), wait_until="load")
        first = shown(page)
        assert len(first) == 100 and page.inner_text("#shown") == "筛选结果 250 / 250 个机关"
        page.click("p.pager button:last-child")
        second = shown(page)
        assert len(second) == 100 and not set(first) & set(second)
        page.fill("input[name=q]", "第12")
        found = shown(page)
        assert found and all("第12" in name for name in found)
        assert sorted(found) == sorted(n for n in agencies["name"] if "第12" in n)
        assert page.inner_text("#shown") == f"筛选结果 {len(found)} / 250 个机关"  # what the filters keep
        page.fill("input[name=q]", "")
        page.click("table.index th:nth-child(4)")  # 得分, ascending: the lowest first
        scores = [current[a]["score"] for a in agencies.index]
        low = page.eval_on_selector("table.index tbody tr:not([hidden]) td:nth-child(4)", "e => e.dataset.v")
        assert float(low) == min(scores)
        assert [u for u in requests if u != page_file.resolve().as_uri()] == []


def test_region_charts_keep_their_height_however_many_agencies():
    from xxgk.review import charts

    rng = random.Random(3)
    for n in (12, 200, 1000):
        names = [f"生成示例县第{i}局" for i in range(n)]
        scores = [float(rng.randint(20, 100)) for _ in names]
        received = [float(rng.randint(0, 300)) for _ in names]
        rates = [None if r < 30 else rng.uniform(20, 100) for r in received]
        made = [charts.ranking(names, scores, "县级政府部门", "d"), charts.volumes(names, received, rates, "县级政府部门", "d"),
                charts.peers(names, received, rates, n // 2, "县级政府部门")]
        for chart in made:
            height = Image.open(io.BytesIO(chart.png)).size[1]
            assert height <= MAX_CHART_HEIGHT, (n, chart.key, height)
        if n > charts.PEER_LIMIT:
            place = 1 + sum(1 for r in received if r > received[n // 2])
            assert f"本机关新收申请第{place}位" in made[2].title and f"共{n}个" in made[0].title


def test_a_withheld_rate_is_not_comparable():
    """A summary's null rate reaches the overview as NaN: it is no rate, whatever the count."""
    from xxgk.review.facts import comparable_rate

    assert comparable_rate(float("nan"), 50) is None and comparable_rate(None, 50) is None
    assert comparable_rate(40.0, 50) == 40.0 and comparable_rate(40.0, 10) is None


def test_a_bar_over_a_blank_cell_is_labelled_unknown_not_zero():
    import matplotlib.pyplot as plt

    from xxgk.review import charts

    fig, ax = plt.subplots()
    charts._bar_labels(ax, ax.bar([0, 1, 2], [0, 0, 2]), [None, 0, 2])
    assert [t.get_text() for t in ax.texts] == ["—", "0", "2"]
    plt.close(fig)


def test_a_large_regions_peer_chart_says_how_many_counts_it_could_not_read():
    """Dots and places are of the readable counts only: the caption says how many it left out, never implying
    the agency's place among all of them."""
    from xxgk.review import charts

    n = charts.PEER_LIMIT + 10
    received = [float(i) for i in range(n - 3)] + [None] * 3
    title = charts.peers([f"第{i}局" for i in range(n)], received, [None] * n, 0).title
    assert f"共{n}个" in title and f"第{n - 3}位（{n - 3}个机关可读）" in title
    assert "3个机关的新收数无法读取，未计入" in title


def test_region_chart_captions_count_only_what_they_draw():
    """A ranking leaves out the agencies with no score and says how many; the heat map counts only agencies it has
    a level row for; a missing rate is explained by every reason a rate is withheld, a contested total included."""
    from xxgk.review import charts

    n = charts.PEER_LIMIT + 5
    names = [f"第{i}局" for i in range(n)]
    for many in (names[:5], names):
        title = charts.ranking(many, [60.0] * len(many), "县级政府部门", "d", unscored=3).title
        assert "另有3个机关无法评分，未计入" in title
    counts = [[1, 0] for _ in names]
    levels = ["县级政府部门"] * (n - 4) + [""] * 4  # four agencies whose level the registry does not name
    title = charts.rule_heatmap(names, ["A_1", "A_2"], counts, levels, {"县级政府部门": n - 4}).title
    assert f"{n - 4}个机关有此类问题，另有4个机关层级不明，未列出" in title
    for chart in (charts.volumes(names[:3], [1.0, 2.0, 3.0], [None] * 3),
                  charts.peers(names[:3], [1.0] * 3, [None] * 3, 0)):
        assert charts._RATE_LEFT_OUT in chart.title and "合计与其各项不符" in charts._RATE_LEFT_OUT
    said = []  # with no rate to draw, the empty panel gives every reason too, not only the 30-case base
    real_empty = charts._empty
    charts._empty = lambda ax, message: said.append(message) or real_empty(ax, message)
    try:
        charts.volumes(names, [100.0] * n, [None] * n)
        charts.peers(names, [100.0] * n, [None] * n, 0)
    finally:
        charts._empty = real_empty
    assert said == [f"没有可比的公开率（{charts._RATE_LEFT_OUT}）"] * 2
