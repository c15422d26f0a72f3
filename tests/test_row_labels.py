"""Row labels as agencies write them: an enumerator one side has and the other lacks does not stop a match;
an enumerator naming another row does."""

from __future__ import annotations

import pytest

from xxgk.layouts import load_layout

LAYOUT = load_layout("2021")


@pytest.mark.parametrize("written, official", [
    ("1.行政许可", "行政许可"),           # numbered in the report, not in the layout
    ("（一）行政许可", "行政许可"),
    ("一、行政处罚", "行政处罚"),
    ("予以公开", "（一）予以公开"),       # the layout's enumerator lost in the report
])
def test_an_enumerator_on_one_side_only_still_matches(written, official):
    hit = LAYOUT.match_row(written)
    assert hit is not None and hit[1].label == official and hit[2] == "fuzzy"


def test_an_enumerator_naming_another_row_matches_nothing():
    assert LAYOUT.match_row("2.属于国家秘密") is None
