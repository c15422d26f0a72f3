"""Parsed reports cached on disk as private JSON, keyed by file content, year, agency and reader code.

A batch reads every report once per peer review; with the cache each file is parsed once. A file that
could not be read is cached too (its one-line reason), so a bad peer costs its read once, not once per
review. The cache holds data only (JSON, never pickle: whoever can write the output folder must not
run code in later runs); entries are 0600 in a 0700 folder, written by rename and opened without
following symlinks; a broken, foreign or planted entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from xxgk import config
from xxgk.jsonsafe import dumps
from xxgk.model import Cell, Note, Report, Section
from xxgk.paths import open_no_follow
from xxgk.read import ReadError, read_report
from xxgk.read.detect import MAX_BYTES

FORMAT = 1  # bump when the entry layout changes
# What a parsed report depends on besides its file: a change here invalidates the cache.
_READER_CODE = ("read/*.py", "layouts/*.yaml", "layouts/*.py", "values.py", "model.py", "parse_cache.py")


@lru_cache(maxsize=1)
def reader_fingerprint() -> str:
    h = hashlib.sha256()
    for pattern in _READER_CODE:
        for p in sorted(config.PACKAGE_DIR.glob(pattern)):
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def report_to_json(report: Report) -> dict:
    """Every field of a Report (more than Report.to_json, which is the public summary)."""
    return asdict(report)


def report_from_json(data: dict) -> Report:
    fields = dict(data)
    fields["sections"] = [Section(**s) for s in data["sections"]]
    fields["cells"] = [Cell(**c) for c in data["cells"]]
    fields["notes"] = [Note(**n) for n in data["notes"]]
    return Report(**fields)


def read_cached(path: Path, year: int, name: str, cache_dir: Path | None = None) -> Report:
    """read_report, memoized in `cache_dir` (no cache without one); a cached failure raises ReadError again."""
    path = Path(path)
    folder = _usable(cache_dir)
    try:
        too_big = path.stat().st_size > MAX_BYTES
    except OSError:
        too_big = True
    if folder is None or too_big:  # read_report names what is wrong without hashing the file first
        return read_report(path, year=year, agency=name)
    with open(path, "rb") as fh:
        key = hashlib.file_digest(fh, "sha256")
    key.update(f"|{year}|{name}|{reader_fingerprint()}|{FORMAT}".encode())
    entry = folder / f"{key.hexdigest()[:32]}.json"
    cached = _load(entry)
    if cached is not None:
        if "error" in cached:
            raise ReadError(str(cached["error"]).replace(str(cached.get("path", "")), str(path), 1))
        try:
            report = report_from_json(cached["report"])
        except (KeyError, TypeError):
            report = None
        if report is not None:
            report.source_file = str(path)
            return report
    try:
        report = read_report(path, year=year, agency=name)
    except ReadError as exc:
        _store(entry, {"error": str(exc), "path": str(path)})
        raise
    _store(entry, {"report": report_to_json(report)})
    return report


def _usable(cache_dir: Path | None) -> Path | None:
    """The cache folder, created private; None when absent or when any part of it is a symlink."""
    if cache_dir is None:
        return None
    folder = Path(cache_dir).absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:  # a read-only output folder only costs speed
        return None
    return folder if folder.resolve() == folder and not folder.is_symlink() else None


def _load(entry: Path) -> dict | None:
    try:
        fd = open_no_follow(entry, os.O_RDONLY)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8"))
    except (OSError, ValueError):  # half-written by a crashed run, or not ours
        return None
    return data if isinstance(data, dict) else None


def _store(entry: Path, data: dict) -> None:
    """Write privately (mkstemp is 0600) and rename over the entry: a planted link is replaced, not followed."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=entry.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(dumps(data, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, entry)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
