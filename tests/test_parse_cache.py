"""The parse cache: JSON only, private, never through a planted link, failures cached like reports."""

from __future__ import annotations

import json
import stat
from dataclasses import asdict

import pytest

from xxgk import parse_cache
from xxgk.read import ReadError, read_report

from conftest import SEED

YEAR, NAME = 2021, "青禾示例县商务局"


@pytest.fixture
def counted(monkeypatch):
    """read_report as parse_cache calls it, counting the calls (the real reader still runs)."""
    calls = []

    def read(path, **kw):
        calls.append(path)
        return read_report(path, **kw)

    monkeypatch.setattr(parse_cache, "read_report", read)
    return calls


def test_entry_is_private_json_and_gives_the_same_report(tmp_path, counted):
    cache = tmp_path / "cache"
    first = parse_cache.read_cached(SEED, YEAR, NAME, cache)
    again = parse_cache.read_cached(SEED, YEAR, NAME, cache)
    assert len(counted) == 1
    assert asdict(again) == asdict(first) == asdict(read_report(SEED, year=YEAR, agency=NAME))
    (entry,) = cache.iterdir()
    assert entry.suffix == ".json" and "report" in json.loads(entry.read_text(encoding="utf-8"))
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600 and stat.S_IMODE(cache.stat().st_mode) == 0o700


@pytest.mark.parametrize("planted", [b"half-written", b"\x80\x04\x95pickle", b'{"report": {"cells": 1}}', b"[]"])
def test_broken_or_foreign_entry_is_a_miss(tmp_path, counted, planted):
    cache = tmp_path / "cache"
    first = parse_cache.read_cached(SEED, YEAR, NAME, cache)
    (entry,) = cache.iterdir()
    entry.write_bytes(planted)
    assert asdict(parse_cache.read_cached(SEED, YEAR, NAME, cache)) == asdict(first)
    assert len(counted) == 2


def test_planted_link_is_neither_followed_nor_written_through(tmp_path, counted):
    cache = tmp_path / "cache"
    parse_cache.read_cached(SEED, YEAR, NAME, cache)
    (entry,) = cache.iterdir()
    victim = tmp_path / "victim.json"
    victim.write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    entry.unlink()
    entry.symlink_to(victim)
    before = victim.read_bytes()
    parse_cache.read_cached(SEED, YEAR, NAME, cache)
    assert len(counted) == 2  # the link was not read as an entry
    assert victim.read_bytes() == before and not entry.is_symlink()


def test_linked_cache_folder_is_not_used(tmp_path, counted):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "cache").symlink_to(elsewhere)
    parse_cache.read_cached(SEED, YEAR, NAME, tmp_path / "cache")
    parse_cache.read_cached(SEED, YEAR, NAME, tmp_path / "cache")
    assert len(counted) == 2 and not list(elsewhere.iterdir())


def test_failure_is_cached_and_names_the_file(tmp_path, counted):
    junk = bytes(range(256)) * 64
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(junk)
    second.write_bytes(junk)
    cache = tmp_path / "cache"
    for path in (first, first, second):
        with pytest.raises(ReadError) as err:
            parse_cache.read_cached(path, YEAR, NAME, cache)
        assert str(err.value).startswith(f"{path}:")
    assert counted == [first]
