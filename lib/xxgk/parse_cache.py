"""Parsed reports cached on disk as private JSON, keyed by file content, year, agency and reader code.

A batch reads every report once per peer review; with the cache each file is parsed once. A file that
could not be read is cached too (its one-line reason), so a bad peer costs its read once, not once per
review. Every read runs in a limited child process (sandbox.py): a decompression bomb, a hang or a
crashing reader ends that child, never the batch driver or a review kernel, and is cached as the
file's one-line reason. The cache holds data only (JSON, never pickle: whoever can write the output folder must not
run code in later runs); entries are 0600 in a 0700 folder, written by rename and opened without
following symlinks; a broken, foreign or planted entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from sys import intern

from xxgk import config
from xxgk.jsonsafe import dumps
from xxgk.model import Cell, Note, Report, Section
from xxgk.files import open_no_follow
from xxgk.read import ReadError, read_report
from xxgk.read.detect import MAX_BYTES
from xxgk.sandbox import ServerUnavailable, read_limits, read_sandboxed, read_sandboxed_json

FORMAT = 3  # bump when the entry layout changes (3: notes carry structured label fields)
# What a parsed report depends on besides its file: a change here invalidates the cache.
_READER_CODE = ("read/*.py", "layouts/*.yaml", "layouts/*.py", "values.py", "model.py", "parse_cache.py", "sandbox.py")


@lru_cache(maxsize=1)
def reader_fingerprint() -> str:
    h = hashlib.sha256()
    for pattern in _READER_CODE:
        for p in sorted(config.PACKAGE_DIR.glob(pattern)):
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def report_from_json(data: dict) -> Report:
    """A Report from every field of it (Report.record, as the sandbox sends it; more than Report.to_json).

    The cells' strings are interned: labels, keys and statuses repeat in every report of a region, which a
    batch holds in memory."""
    fields = dict(data)
    fields["sections"] = [Section(**s) for s in data["sections"]]
    fields["cells"] = [Cell(**{k: intern(v) if type(v) is str else v for k, v in c.items()}) for c in data["cells"]]
    fields["notes"] = [Note(**n) for n in data["notes"]]
    return Report(**fields)


def read_cached(path: Path, year: int, name: str, cache_dir: Path | None = None) -> Report:
    """read_report in a sandbox, memoized in `cache_dir` (no cache without one); a cached failure raises ReadError again."""
    path = Path(path)
    st = _stat(path)
    if st is None or st.st_size > MAX_BYTES:  # read_report names what is wrong without reading the file
        return read_report(path, year=year, agency=name)
    entry = _entry(path, st, year, name, cache_dir)
    if entry is None:
        return _report(read_sandboxed(path, year, name))
    cached = _load(entry)
    if cached is not None and _outgrown(cached.get("limits")):
        cached = None
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
    return _report(json.loads(_read_and_store(path, year, name, entry)))


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _entry(path: Path, st: os.stat_result, year: int, name: str, cache_dir: Path | None) -> Path | None:
    """The file's cache entry, None without a usable cache folder; a ReadError for a pipe or device."""
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block the hashing, and a reader, forever
        raise ReadError(f"{path}: 不是普通文件（管道或设备），拒绝读取")
    folder = _usable(cache_dir)
    if folder is None:
        return None
    with open(path, "rb") as fh:
        key = hashlib.file_digest(fh, "sha256")
    key.update(f"|{year}|{name}|{reader_fingerprint()}|{FORMAT}".encode())
    return folder / f"{key.hexdigest()[:32]}.json"


def _read_and_store(path: Path, year: int, name: str, entry: Path) -> bytes:
    """The sandbox's JSON for the file, stored as it came with the path it was read at (not decoded and encoded
    again); a file no server could read is not stored: nothing about it is known."""
    try:
        reply = read_sandboxed_json(path, year, name)
    except ServerUnavailable as exc:
        raise ReadError(str(exc)) from None
    _store(entry, reply[:-1] + b', "path": ' + dumps(str(path), ensure_ascii=False).encode("utf-8") + b"}")
    return reply


def _report(result: dict) -> Report:
    if "error" in result:
        raise ReadError(result["error"])
    return report_from_json(result["report"])


def _outgrown(limits) -> bool:
    """A failure that ran out of time or memory under smaller limits than today's is read again."""
    if limits is None:
        return False
    try:
        seconds, memory = read_limits()
        return limits[0] < seconds or limits[1] < memory
    except (TypeError, IndexError, KeyError):
        return True


def prepare(files, cache_dir: Path, jobs: int = 2) -> None:
    """Read (path, year, name) files into the cache, `jobs` children at a time: before a batch's reviews
    start, so each file is read once per run and every review finds its peers, children and earlier years.
    Only the cache is filled: no report is built here."""
    def one(item):
        path, year, name = Path(item[0]), item[1], item[2]
        st = _stat(path)
        if st is None or st.st_size > MAX_BYTES:  # refused unread: the review says why
            return
        try:
            entry = _entry(path, st, year, name, cache_dir)
            if entry is not None and not _fresh(entry):
                _read_and_store(path, year, name, entry)
        except ReadError:  # cached with its reason; the reviews that need the file report it
            pass

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(one, dict.fromkeys(files)))


def _fresh(entry: Path) -> bool:
    """Is the entry a usable report or a failure under today's limits (what read_cached would take)?"""
    cached = _load(entry)
    return cached is not None and ("report" in cached or "error" in cached) and not _outgrown(cached.get("limits"))


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


def _store(entry: Path, data: bytes) -> None:
    """Write privately (mkstemp is 0600) and rename over the entry: a planted link is replaced, not followed."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=entry.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)
    except OSError:
        Path(tmp).unlink(missing_ok=True)

