"""The bundled fictional sample data: every file reads back to the generated numbers, generation is
reproducible, data/ equals a fresh run, the reference report is copied byte for byte, and the
planted mistakes are really in the files."""

from __future__ import annotations

import csv
import difflib
import importlib
import io
import itertools
import os
import subprocess
import sys
import unicodedata
import zipfile

import pytest

from conftest import SEED
from xxgk import cli
from xxgk.samples import data as sd
from xxgk.config import DATA_DIR
from xxgk.layouts import load_layout
from xxgk.read import read_report
from xxgk.values import parse_value

READERS = {"pipe_text": "xxgk.read.pipe_text", "html": "xxgk.read.html", "docx": "xxgk.read.docx",
           "cells_csv": "xxgk.read.cells_csv"}
CATEGORIES = {"structure", "format", "completeness", "arithmetic", "narrative", "cross_year", "similarity",
              "hierarchy", "timeliness"}
GENERATED = [(a.id, y) for y in sd.YEARS for a in sd.AGENCIES if (a.id, y) != sd.SEED_KEY]


@pytest.fixture(scope="module")
def county() -> sd.County:
    return sd.build()


@pytest.fixture(scope="module")
def files(county) -> dict[str, bytes]:
    return sd.generate(county)


def _declared_cells(report: sd.SampleReport, mistakes: list[sd.Mistake]) -> set:
    """Cells the mistake list says were printed differently from the intended numbers."""
    out = set()
    for m in mistakes:
        if (m.agency_id, m.year) != (report.agency.id, report.year) or m.kind != "planted" or not m.table:
            continue
        for t in report.layout.tables_of(m.table):
            for r in t.data_rows:
                for c in t.columns:
                    if (not m.row or r.label == m.row) and (not m.column or c.path == m.column):
                        out.add((t.id, r.key, c.key))
    return out


def _parse(report: sd.SampleReport):
    importlib.import_module(READERS[report.rendering])
    if report.rendering == "cells_csv":  # tables only: year and agency come from the registry
        return read_report(DATA_DIR / report.path, year=report.year, agency=report.agency.name)
    return read_report(DATA_DIR / report.path)


@pytest.mark.parametrize("agency_id,year", GENERATED, ids=[f"{a}-{y}" for a, y in GENERATED])
def test_file_reads_back_to_the_generated_numbers(county, agency_id, year):
    report = county.reports[(agency_id, year)]
    parsed = _parse(report)
    assert parsed.format_version == report.layout.version
    assert parsed.year == year
    assert parsed.agency == report.agency.name
    got = {(c.table_id, c.row_key, c.column_key): c for c in parsed.cells}
    assert set(got) == set(report.raws)
    declared = _declared_cells(report, county.mistakes)
    for key, raw in report.raws.items():
        printed = parse_value(raw)
        assert (got[key].status, got[key].value, got[key].raw) == (printed.status, printed.value, raw), key
        if key not in declared:
            assert got[key].value == report.values[key], key
    if report.rendering == "cells_csv":
        assert parsed.sections == []
    else:
        expected = [1, 2, 3, 4, 5] if (agency_id, year) == sd.NO_SECTION_6 else [1, 2, 3, 4, 5, 6]
        assert [s.number for s in parsed.sections] == expected
    if report.rendering == "html":
        assert parsed.published == report.published


def test_generation_is_deterministic_and_data_matches_it(files, tmp_path):
    """A fresh process (another hash seed) writes byte-identical files, equal to the committed data/."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    run = subprocess.run([sys.executable, "-m", "xxgk.samples.data", "--out", str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    written = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert written == files
    for rel, data in files.items():
        assert (DATA_DIR / rel).read_bytes() == data, f"data/{rel} differs from a fresh generation"
    on_disk = {p.relative_to(DATA_DIR).as_posix() for p in (DATA_DIR / "reports").rglob("*") if p.is_file()}
    assert on_disk == {rel for rel in files if rel.startswith("reports/")}


def test_a_run_never_overwrites_existing_files(tmp_path):
    target = tmp_path / "agencies.csv"
    target.write_text("kept\n", encoding="utf-8")
    assert sd.main(["--out", str(tmp_path)]) == 1
    assert cli.main(["sample-data", "--out", str(tmp_path)]) == 1
    assert target.read_text(encoding="utf-8") == "kept\n"
    assert not (tmp_path / "reports").exists()
    assert sd.main(["--out", str(tmp_path), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith("agency_id,")


def test_the_seed_is_the_reference_report_byte_for_byte(files):
    path = f"reports/{sd.SEED_YEAR}/{sd.SEED_AGENCY}.txt"
    assert files[path] == SEED.read_bytes()
    assert (DATA_DIR / path).read_bytes() == SEED.read_bytes()


def test_every_generated_file_says_it_is_fictional(files):
    for rel, data in files.items():
        if not rel.startswith("reports/") or rel == f"reports/{sd.SEED_YEAR}/{sd.SEED_AGENCY}.txt":
            continue
        if rel.endswith(".docx"):
            data = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
        assert "本文件为虚构示例数据" in data.decode("utf-8"), rel


def test_commerce_years_are_consistent_with_the_seed(county):
    seed = read_report(SEED)
    t3 = load_layout("2019").table("t3")
    assert all(seed.value("t3", "carried_forward", c.key) == 0 for c in t3.columns)
    before = read_report(DATA_DIR / county.reports[("qh-commerce", 2020)].path)
    after = read_report(DATA_DIR / county.reports[("qh-commerce", 2022)].path)
    for c in t3.columns:
        assert before.value("t3", "carried_forward", c.key) == 0
        assert after.value("t3", "carried_over", c.key) == seed.value("t3", "carried_forward", c.key)
    prev = before.value("t2_art20_5", "admin_licensing", "prev_year_items")
    change = before.value("t2_art20_5", "admin_licensing", "change")
    assert prev + change == seed.value("t2_art20_5", "admin_licensing", "prev_year_items")


def test_parent_sums_its_children_except_where_planted(county):
    agencies = list(csv.DictReader(io.StringIO((DATA_DIR / "agencies.csv").read_text(encoding="utf-8"))))
    parents = [a["agency_id"] for a in agencies if a["sums_children"] == "true"]
    assert parents == ["qh-gov"]
    children = [a["agency_id"] for a in agencies if a["parent"] == "qh-gov"]
    assert len(children) == len(agencies) - 1
    for year in sd.YEARS:
        parent = county.reports[("qh-gov", year)]
        differs = set()
        for key, value in parent.values.items():
            if key[0] in ("t3", "t4"):
                total = sum(county.reports[(c, year)].values.get(key, 0) for c in children)
                if total != value:
                    differs.add(key)
        omitted = county.reports[(sd.PARENT_OMITTED_CHILD, year)].values
        expected = {k for k, v in omitted.items() if k[0] in ("t3", "t4") and v} if (
            ("qh-gov", year) == sd.PARENT_OMITS) else set()
        assert differs == expected
        assert expected or ("qh-gov", year) != sd.PARENT_OMITS


def test_carry_chain_holds_except_where_planted(county):
    for agency in sd.AGENCIES:
        for year in sd.YEARS[1:]:
            before, now = county.reports[(agency.id, year - 1)], county.reports[(agency.id, year)]
            for c in now.layout.table("t3").columns:
                chained = now.printed("t3", "carried_over", c.key) == before.printed("t3", "carried_forward", c.key)
                broken = {m.column for m in county.mistakes if (m.agency_id, m.year) == (agency.id, year)
                          and m.mistake.startswith("carry_chain_broken")}
                assert chained != (c.path in broken), (agency.id, year, c.key)


def test_mistake_list_is_well_formed_and_points_at_real_reports(files):
    rows = list(csv.DictReader(io.StringIO(files["sample_mistakes.csv"].decode("utf-8"))))
    published = {(r["agency_id"], int(r["year"])) for r in csv.DictReader(io.StringIO(files["publications.csv"].decode()))}
    assert len([r for r in rows if r["kind"] == "planted"]) >= 15
    for r in rows:
        assert r["category"] in CATEGORIES
        assert (r["agency_id"], int(r["year"])) in published
        assert r["expected_status"] in {"fail", "uncertain", "not_assessable", "read"}
    planted = {r["mistake"] for r in rows if r["kind"] in ("planted", "reference")}
    for needed in ("wrong_layout", "missing_heading", "missing_section", "t3_imbalance", "blank_total_cell",
                   "slash_in_number_cells", "fullwidth_digits", "carry_chain_broken", "section5_copied",
                   "near_identical_townships", "wrong_year", "placeholder", "late_publication", "parent_not_sum"):
        assert needed in planted, needed
    assert files["README.md"].decode("utf-8").count("| fail |") >= 15


def _text(county, key) -> str:
    return read_report(DATA_DIR / county.reports[key].path).text


def test_text_mistakes_are_in_the_text_and_nowhere_else(county):
    texts = {k: _text(county, k) for k in GENERATED if county.reports[k].rendering in ("pipe_text", "html")}
    assert [k for k, t in texts.items() if "XX" in t] == [sd.PLACEHOLDER]
    wrong = f"统计期限自{sd.WRONG_YEAR[1] - 1}年1月1日"
    assert [k for k, t in texts.items() if k[1] == sd.WRONG_YEAR[1] and wrong in t] == [sd.WRONG_YEAR]


def test_similarity_mistakes_are_real(county):
    def section(key, n):
        text = read_report(DATA_DIR / county.reports[key].path).section(n).text
        return unicodedata.normalize("NFKC", text)  # pipe text is NFKC-normalised, HTML is not

    natres = sd.COPIED_SECTION_5
    assert section(natres, 5) == section((natres[0], natres[1] - 1), 5)
    assert section(natres, 1) != section((natres[0], natres[1] - 1), 1)
    year = sd.NEAR_IDENTICAL[0][1]
    keys = [(a.id, year) for a in sd.AGENCIES if (a.id, year) in GENERATED
            and county.reports[(a.id, year)].rendering != "cells_csv"]
    texts = {k: section(k, 1) + section(k, 5) for k in keys}
    for a, b in itertools.combinations(keys, 2):
        ratio = difflib.SequenceMatcher(None, texts[a], texts[b], autojunk=False).ratio()
        if {a, b} == set(sd.NEAR_IDENTICAL):
            assert ratio > 0.95
        else:
            assert ratio < 0.8, (a, b, ratio)


def test_publication_dates_are_on_time_except_where_planted(files):
    levels = {a.id: a.level for a in sd.AGENCIES}
    for r in csv.DictReader(io.StringIO(files["publications.csv"].decode("utf-8"))):
        if not r["published"]:  # the reference page shows no date; an unrecorded report has its 落款
            assert (r["agency_id"], int(r["year"])) in {sd.SEED_KEY, *sd.SIGNED_LATE}
            continue
        deadline = {"county_department": "01-31", "county_government": "03-31"}.get(levels[r["agency_id"]], "03-31")
        late = r["published"] > f"{int(r['year']) + 1}-{deadline}"
        assert late == ((r["agency_id"], int(r["year"])) in sd.LATE), r


def test_closing_dates_follow_publication_and_one_unrecorded_report_is_signed_late(files):
    """Every generated report ends with its 落款 (the publication day); the unrecorded one is signed late."""
    from xxgk.rules.timeliness import closing_date

    for (aid, year), date in sd.SIGNED_LATE.items():
        text = files[f"reports/{year}/{aid}.txt"].decode("utf-8")
        got = closing_date(text)
        assert got and str(got[0]) == date and got[0].month > 1
