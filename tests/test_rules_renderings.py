"""Consistent reports written in several renderings, read back by the real readers: no failure, nothing uncertain."""

from __future__ import annotations

import importlib

import pytest

from xxgk.layouts import load_layout
from xxgk.read import read_report
from xxgk.rules import check
from xxgk.samples.synth import consistent_report, render_pipe_text

CASES = [("2019", 2020, 1), ("2021", 2022, 2), ("2021", 2024, 3)]


def sample_document(report):
    render = importlib.import_module("xxgk.samples.render")
    layout = load_layout(report.format_version)
    title = report.preface.splitlines()[0]
    doc = render.SampleDocument(title, "合成的一致报告，仅供测试。", report.published, report.agency, layout=layout,
                                raws={(c.table_id, c.row_key, c.column_key): c.raw for c in report.cells})
    doc.blocks += [("title", title), ("para", report.preface.splitlines()[1])]
    for s in report.sections:
        doc.blocks += [("para", s.heading), ("para", s.text)]
        if s.number in (2, 3, 4):
            doc.blocks.append(("table", "二三四"[s.number - 2]))
    return render, doc


def assert_clean(path, report):
    back = read_report(path, agency=report.agency)
    assert back.format_version == report.format_version and back.year == report.year
    got = {(c.table_id, c.row_key, c.column_key): c.value for c in back.cells}
    assert got == {(c.table_id, c.row_key, c.column_key): c.value for c in report.cells}
    bad = [(f.rule, f.status, f.message) for f in check(back) if f.status in ("fail", "uncertain")]
    assert bad == []


@pytest.mark.parametrize("version,year,seed", CASES)
def test_pipe_text_round_trip(tmp_path, version, year, seed):
    report = consistent_report(version, year, seed=seed)
    path = tmp_path / "report.txt"
    path.write_text(render_pipe_text(report), encoding="utf-8")
    assert_clean(path, report)


@pytest.mark.parametrize("writer,reader,suffix", [("write_html", "html", ".html"), ("write_docx", "docx", ".docx")])
@pytest.mark.parametrize("version,year,seed", CASES)
def test_other_renderings_round_trip(tmp_path, writer, reader, suffix, version, year, seed):
    importlib.import_module(f"xxgk.read.{reader}")
    report = consistent_report(version, year, seed=seed)
    render, doc = sample_document(report)
    path = tmp_path / f"report{suffix}"
    path.write_bytes(getattr(render, writer)(doc))
    assert_clean(path, report)
