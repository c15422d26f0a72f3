"""A year's review summaries, read from their files whenever they are asked for (xxgk.batch.summaries)."""

from __future__ import annotations

import json

import pytest

from xxgk.batch.summaries import Summaries


def _write(folder, agency_id, text):
    (folder / f"{agency_id}.json").write_text(text, encoding="utf-8")


def test_present_are_the_summaries_that_read_as_json_in_the_order_asked(tmp_path):
    _write(tmp_path, "b", json.dumps({"agency": "乙", "score": 90}))
    _write(tmp_path, "a", json.dumps({"agency": "甲", "score": 80}))
    _write(tmp_path, "broken", '{"agency": "丙", "sco')
    _write(tmp_path, "listed", "[1, 2]")
    found = Summaries(tmp_path, ["b", "missing", "broken", "a", "listed", "b"])
    assert list(found) == ["b", "a"] and len(found) == 2
    assert "a" in found and "broken" not in found and found.get("missing") is None
    assert dict(found.items()) == {"b": {"agency": "乙", "score": 90}, "a": {"agency": "甲", "score": 80}}
    with pytest.raises(KeyError):
        found["broken"]


def test_every_summary_of_a_folder_but_the_run_record(tmp_path):
    _write(tmp_path, "a", "{}")
    _write(tmp_path, "run", json.dumps({"year": 2022}))
    assert list(Summaries.every(tmp_path)) == ["a"]
    assert list(Summaries.every(tmp_path / "none")) == []


def test_each_lookup_reads_the_file(tmp_path):
    _write(tmp_path, "a", json.dumps({"score": 80}))
    found = Summaries(tmp_path, ["a"])
    found["a"]["score"] = 0  # a new dict each time: changing it changes nothing here
    assert found["a"] == {"score": 80}
    _write(tmp_path, "a", json.dumps({"score": 85}))
    assert found["a"] == {"score": 85}


def test_a_summary_spoiled_after_the_check_is_an_error_naming_it(tmp_path):
    _write(tmp_path, "a", "{}")
    found = Summaries(tmp_path, ["a"])
    _write(tmp_path, "a", "{")
    with pytest.raises(ValueError, match=r"a\.json: 审查摘要"):
        found["a"]
