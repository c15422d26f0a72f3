"""The region overview counts each application once and ranks agencies within their level."""

from __future__ import annotations

import json
import shutil

import pytest

from xxgk import registry

from xxgk.batch import overview

from xxgk.review import review
from xxgk.config import AGENCIES_CSV

AGENCIES = registry.load_agencies(AGENCIES_CSV)
KIDS = [a for a in AGENCIES.index if AGENCIES.loc[a, "parent"] == "qh-gov"]


def write(out, year, received: dict, scores: dict | None = None):
    folder = out / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for a, n in received.items():
        s = {"agency_id": a, "agency": AGENCIES.loc[a, "name"], "year": year, "format_version": "2021",
             "score": (scores or {}).get(a, 90.0), "grade": "A", "errors": 0, "warnings": 0, "uncertain": 0,
             "waived": 0, "received": n, "processed": n, "disclosure_rate": None, "findings": []}
        (folder / f"{a}.json").write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(AGENCIES_CSV, data / "agencies.csv")
    return data


def test_summary_report_is_stated_once_beside_its_childrens_sum(tmp_path, data_dir):
    received = {"qh-gov": 99, **{k: 0 for k in KIDS}}
    received.update({"qh-natres": 40, "qh-market": 46, "qh-hefeng": 10, "qh-nanhu": 3})  # departments 86, towns 13
    write(tmp_path / "out", 2021, received)
    text = overview.load(2021, tmp_path / "out", data_dir).header()
    assert "99 件（已含下级机关）" in text and "下级机关各自报告之和为 99 件" in text
    assert "县级政府部门7 个共 86 件" in text and "乡镇（街道）5 个共 13 件" in text and "两者一致" in text
    assert "198" not in text  # the summary is never added to its own parts


def test_a_summary_that_differs_from_its_children_says_by_how_much(tmp_path, data_dir):
    write(tmp_path / "out", 2020, {"qh-gov": 116, **{k: (117 if k == "qh-market" else 0) for k in KIDS}})
    text = overview.load(2020, tmp_path / "out", data_dir).header()
    assert "116 件（已含下级机关）" in text and "之和为 117 件" in text and "汇总报告比下级之和少 1 件" in text
    assert "233" not in text


def test_agencies_under_no_summary_are_added_apart_and_missing_children_named(tmp_path, data_dir):
    write(tmp_path / "out", 2021, {"qh-commerce": 5, "qh-hefeng": 2})  # no county summary this year
    text = overview.load(2021, tmp_path / "out", data_dir).header()
    assert "全年新收政府信息公开申请 7 件" in text and "汇总报告" not in text
    write(tmp_path / "out2", 2021, {"qh-gov": 9, "qh-commerce": 5, "qh-hefeng": 2})
    text = overview.load(2021, tmp_path / "out2", data_dir).header()
    assert f"另有 {len(KIDS) - 2} 个下级机关本年没有可用的审查结果" in text and "两者一致" not in text


def test_rankings_group_by_level(tmp_path, data_dir):
    scores = {a: 50.0 + i for i, a in enumerate(AGENCIES.index)}  # townships (listed last) score highest
    write(tmp_path / "out", 2021, {a: 1 for a in AGENCIES.index}, scores)
    ov = overview.load(2021, tmp_path / "out", data_dir)
    ranked = ov.ranking()
    for level, rows in ranked.groupby("层级", sort=False):
        assert list(rows["同级排名"]) == list(range(1, len(rows) + 1))
        assert list(rows["得分"]) == sorted(rows["得分"], reverse=True)
        assert set(AGENCIES.set_index("name").loc[list(rows["机关"]), "level"]) == {level}
    assert list(ranked["层级"].drop_duplicates()) == ["county_government", "county_department", "township"]
    view = ov.ranking_view()
    assert "县级政府部门（7个机关，同级比较）" in view and "乡镇（街道）（5个机关，同级比较）" in view
    titles = [c.title for c in ov.charts()]
    assert "县级政府部门合规得分排名（同级机关比较）" in titles and "乡镇（街道）合规得分排名（同级机关比较）" in titles
    assert not any(t.startswith("县级人民政府合规得分排名") for t in titles)  # one summary is no ranking


def test_sample_county_overview_counts_the_county_once(tmp_path):
    out = tmp_path / "out"
    for a in AGENCIES.index:
        review.load(a, 2021, output_dir=out).write_summary()
    ov = overview.load(2021, out)
    own = int(ov.frame.loc["qh-gov", "received"])
    kids = int(ov.frame.loc[KIDS, "received"].sum())
    text = ov.header()
    assert f"填报全年新收政府信息公开申请 {own} 件（已含下级机关）" in text
    assert f"下级机关各自报告之和为 {kids} 件" in text
    assert f" {own + kids} 件" not in text


def test_review_peer_chart_compares_the_same_level_only():
    gov = review.load("qh-gov", 2021)
    assert gov.peer_view() is None  # the county's summary is not ranked against its own parts
    town = review.load("qh-hefeng", 2021)
    names, _, _, me, level = town.peer_view()
    assert level == "乡镇（街道）" and len(names) == 5 and names[me] == "禾丰镇人民政府"
    assert not any("局" in n for n in names)
    assert "与本地区其他乡镇（街道）比较（同级机关" in [c.title for c in town.chart_list()][-1]


def _registered_as(data_dir, agency_id: str, **fields) -> None:
    """Rewrite one agency's row of the data folder's registry with the given fields."""
    import csv

    with open(data_dir / "agencies.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        if r["agency_id"] == agency_id:
            r.update(fields)
    with open(data_dir / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_two_agencies_of_one_name_keep_a_heat_map_row_each(tmp_path, data_dir, monkeypatch):
    """Townships of two counties may share a name: the rule counts are an agency's own, by id, never summed."""
    same = AGENCIES.loc["qh-nanhu", "name"]
    _registered_as(data_dir, "qh-hefeng", name=same, level="")  # and no level in the registry
    write(tmp_path / "out", 2021, {"qh-hefeng": 1, "qh-nanhu": 1, "qh-commerce": 1})
    failed = {"rule": "A_TABLE3_TOTALS", "status": "fail", "severity": "error", "waived": False}
    for agency, n in (("qh-hefeng", 2), ("qh-nanhu", 1)):
        path = tmp_path / "out" / "2021" / f"{agency}.json"
        s = json.loads(path.read_text(encoding="utf-8"))
        s["agency"], s["findings"] = same, [dict(failed) for _ in range(n)]
        path.write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")
    ov = overview.load(2021, tmp_path / "out", data_dir)
    assert ov.rule_matrix()["A_TABLE3_TOTALS"].to_dict() == {"qh-hefeng": 2, "qh-nanhu": 1}
    from xxgk.review import charts

    drawn, levels = {}, {}

    def heatmap(names, rules, counts, agency_levels, sizes):
        drawn.update(zip(names, counts))
        levels.update(zip(names, agency_levels))
        return charts.Chart("h", "", b"")

    monkeypatch.setattr(charts, "rule_heatmap", heatmap)
    ov.charts()
    assert drawn == {f"{same}（qh-hefeng）": [2], f"{same}（qh-nanhu）": [1]}
    assert levels[f"{same}（qh-hefeng）"] == "层级不明"  # a row of its own when levels are drawn, never a blank one


def test_two_agencies_of_one_name_are_told_apart_in_every_chart(tmp_path, data_dir, monkeypatch):
    """Two townships of one name and level: two bars in the ranking and the volumes, each labelled with its id."""
    from xxgk.review import charts

    same = AGENCIES.loc["qh-nanhu", "name"]
    _registered_as(data_dir, "qh-hefeng", name=same)
    write(tmp_path / "out", 2021, {"qh-hefeng": 1, "qh-nanhu": 1, "qh-qingshi": 1})
    for agency in ("qh-hefeng", "qh-nanhu"):
        path = tmp_path / "out" / "2021" / f"{agency}.json"
        s = json.loads(path.read_text(encoding="utf-8"))
        s["agency"] = same
        path.write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")
    drawn = {}

    def keep(kind):
        def chart(names, *args, **kw):
            drawn[kind] = list(names)
            return charts.Chart(kind, "", b"")
        return chart

    for kind in ("ranking", "volumes", "rule_heatmap"):
        monkeypatch.setattr(charts, kind, keep(kind))
    overview.load(2021, tmp_path / "out", data_dir).charts()
    told_apart = {f"{same}（qh-hefeng）", f"{same}（qh-nanhu）"}
    assert told_apart <= set(drawn["ranking"]) and same not in drawn["ranking"]
    assert told_apart <= set(drawn["volumes"]) and same not in drawn["volumes"]
    assert AGENCIES.loc["qh-qingshi", "name"] in drawn["ranking"]  # a name no other agency has stays as it is
