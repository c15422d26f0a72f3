"""Bounds before work: implausible numbers stay text with a note, JSON stays standard, archives and
streams that inflate past their caps are refused before a reader unpacks them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from xxgk.jsonsafe import dumps
from xxgk.read import read_report
from xxgk.values import MAX_PLAUSIBLE, NUMBER, TEXT, is_value_text, parse_value

from conftest import SEED

ROW = "行政许可 |\n0 |\n5 |\n5 |"


@pytest.mark.parametrize("digits", [31, 400, 5000])
def test_giant_number_is_text_with_note(tmp_path, digits):
    """31 digits overflowed sums, 400 became inf, over 4300 made the whole file unreadable."""
    text = SEED.read_text(encoding="utf-8")
    assert ROW in text
    path = tmp_path / "giant.txt"
    path.write_text(text.replace(ROW, f"行政许可 |\n0 |\n{'9' * digits} |\n5 |", 1), encoding="utf-8")
    report = read_report(path)
    giant = [c for c in report.cells if c.raw.startswith("9" * 20)]
    assert len(giant) == 1 and giant[0].status == TEXT and giant[0].value is None
    notes = [n for n in report.notes if n.kind == "implausible_number"]
    assert len(notes) == 1 and f"共 {digits} 位" in notes[0].message and giant[0].row in notes[0].message
    assert sum(c.status == NUMBER for c in report.cells) > 20  # the rest of the report is read
    json.loads(dumps(report.to_json()))


def test_plausible_bound():
    assert parse_value(str(MAX_PLAUSIBLE)).value == MAX_PLAUSIBLE
    assert parse_value(f"{MAX_PLAUSIBLE + 1}").status == TEXT
    assert parse_value("1" + "0" * 400 + ".5万元").note
    assert parse_value("0000000000000012").value == 12
    assert is_value_text("9" * 50) and not is_value_text("九十九")


def test_json_is_standard():
    text = dumps({"rate": float("inf"), "cells": [float("nan"), 1.5]})
    assert json.loads(text) == {"rate": None, "cells": [None, 1.5]}
    assert "Infinity" not in text and "NaN" not in text


def test_parse_json_output_is_standard(tmp_path):
    """`xxgk parse --json` printed `Infinity` for a 400-digit number with decimals (float overflow)."""
    path = tmp_path / "inf.txt"
    path.write_text(SEED.read_text(encoding="utf-8").replace(ROW, f"行政许可 |\n0 |\n{'9' * 400}.5 |\n5 |", 1),
                    encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "xxgk.cli", "parse", str(path), "--json"], capture_output=True,
                         text=True, check=True)
    assert "Infinity" not in out.stdout and "NaN" not in out.stdout
    cells = json.loads(out.stdout)["cells"]
    assert [c["status"] for c in cells if c["raw"].startswith("999")] == [TEXT]
