"""Exact incremental runs: a page is re-rendered when, and only when, something its review read changed.

Two regions: 青禾示例县 (the county government summing two departments) and a one-agency region apart.
"""

from __future__ import annotations

import csv
import io
import os
import shutil

import pytest

from xxgk.batch import run as batch

from xxgk.review import inputs

from xxgk.review import review
from xxgk.config import DATA_DIR

COUNTY = ("qh-gov", "qh-commerce", "qh-education")
APART = "qh-hefeng"


def _data(tmp_path):
    root = tmp_path / "data"
    (root / "reports" / "2022").mkdir(parents=True)
    (root / "reports" / "2021").mkdir(parents=True)
    with open(DATA_DIR / "agencies.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["agency_id"] in (*COUNTY, APART)]
    for r in rows:
        if r["agency_id"] == APART:
            r.update(region="另一示例县", parent="")
    with open(root / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for agency in (*COUNTY, APART):
        src = next((DATA_DIR / "reports" / "2022").glob(f"{agency}.*"))
        shutil.copy(src, root / "reports" / "2022" / src.name)
    shutil.copy(DATA_DIR / "reports" / "2021" / "qh-commerce.txt", root / "reports" / "2021" / "qh-commerce.txt")
    (root / "publications.csv").write_text("agency_id,year,published,source_file\n", encoding="utf-8")
    return root


def _recorded(data, out):
    """Each agency's review as a batch would record it: load in-process, write_summary."""
    return {a: review.load(a, 2022, data, out).inputs for a in (*COUNTY, APART)}


def _stale(recorded, data) -> set[str]:
    fresh = inputs.Data(data)
    return {a for a, answers in recorded.items() if inputs.changed(answers, fresh)}


@pytest.fixture
def recorded(tmp_path):
    data = _data(tmp_path)
    return data, _recorded(data, tmp_path / "out")


def test_nothing_changed_nothing_stale(recorded):
    data, answers = recorded
    assert _stale(answers, data) == set()
    # a child's report (among the region's rows and reports), asked once whatever the region's size
    assert [q for q in answers["qh-gov"] if q.startswith('["peers"')] == ['["peers", "青禾示例县", 2022]']
    assert len(answers["qh-gov"]) == len(answers[APART])


def test_removing_a_childs_report_touches_its_region_only(recorded):
    data, answers = recorded
    (data / "reports" / "2022" / "qh-education.csv").unlink()
    assert _stale(answers, data) == set(COUNTY)  # its own page is gone (no report); the other two read it


def test_a_waiver_by_id_touches_its_agency_only(recorded):
    data, answers = recorded
    (data / "waivers.csv").write_text("agency,year,rule,cell,reason,who,date\nqh-commerce,2022,C_FORMAT_VERSION,,x,,\n",
                                      encoding="utf-8")
    assert _stale(answers, data) == {"qh-commerce"}


def test_a_peers_report_touches_its_region_only(recorded):
    data, answers = recorded
    report = data / "reports" / "2022" / "qh-commerce.txt"
    report.write_text(report.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _stale(answers, data) == set(COUNTY)


def test_a_peers_registry_row_touches_its_region_only(recorded):
    data, answers = recorded
    registry_csv = data / "agencies.csv"
    registry_csv.write_text(registry_csv.read_text(encoding="utf-8").replace("青禾示例县教育局", "青禾示例县教育体育局"),
                            encoding="utf-8")
    assert _stale(answers, data) == set(COUNTY)


def test_a_registry_rewritten_with_its_size_and_time_kept_is_read_again(recorded):
    """An edited registry copied in with `cp -p` can keep its size and modification time; its change time moves, and
    the rows remembered for the old one must not answer for it."""
    data, answers = recorded
    registry_csv = data / "agencies.csv"
    before = registry_csv.stat()
    registry_csv.write_bytes(registry_csv.read_bytes().replace("教育局".encode(), "教体局".encode()))  # the same length
    os.utime(registry_csv, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert registry_csv.stat().st_size == before.st_size
    assert _stale(answers, data) == set(COUNTY)


def test_a_publication_date_touches_its_agency_only(recorded):
    data, answers = recorded
    with open(data / "publications.csv", "a", encoding="utf-8") as fh:
        fh.write("qh-education,2022,2023-01-20,reports/2022/qh-education.csv\n")
    assert _stale(answers, data) == {"qh-education"}


def test_an_earlier_year_touches_its_agency_only(recorded):
    data, answers = recorded
    shutil.copy(DATA_DIR / "reports" / "2021" / "qh-hefeng.txt", data / "reports" / "2021" / "qh-hefeng.txt")
    assert _stale(answers, data) == {APART}


def test_a_later_years_folder_touches_nothing(recorded):
    data, answers = recorded
    (data / "reports" / "2023").mkdir()
    shutil.copy(DATA_DIR / "reports" / "2022" / "qh-hefeng.txt", data / "reports" / "2023" / "qh-hefeng.txt")
    assert _stale(answers, data) == set()


def test_a_damaged_record_counts_as_changed(recorded):
    data, _ = recorded
    fresh = inputs.Data(data)
    assert inputs.changed({'["shell", "rm"]': "x"}, fresh) and inputs.changed({}, fresh)
    assert inputs.changed({"not json": "x"}, fresh) and inputs.changed(None, fresh)


@pytest.mark.slow
def test_batch_re_renders_exactly_the_affected_pages(tmp_path):
    data, out = _data(tmp_path), tmp_path / "out"

    def run() -> dict[str, str]:
        summary = batch.run(2022, out_dir=out, data_root=data, jobs=2, progress_stream=io.StringIO())
        return {r.agency_id: r.status for r in summary.results}

    assert set(run().values()) == {"rendered"}
    assert set(run().values()) == {"skipped"}
    (data / "waivers.csv").write_text("agency,year,rule,cell,reason,who,date\nqh-commerce,2022,C_FORMAT_VERSION,,x,,\n",
                                      encoding="utf-8")
    assert {a for a, s in run().items() if s == "rendered"} == {"qh-commerce"}
    (data / "reports" / "2022" / "qh-education.csv").unlink()
    statuses = run()
    assert {a for a, s in statuses.items() if s == "rendered"} == {"qh-gov", "qh-commerce"}
    assert statuses["qh-education"] == "no_report" and statuses[APART] == "skipped"
