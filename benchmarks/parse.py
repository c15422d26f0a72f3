"""Parse every corpus file (and the reference report) a few rounds; print reports per second per reader.

Run: .venv/bin/python benchmarks/parse.py [--rounds N]
A reader that fails (not written yet, or broken) is counted as an error and its message printed;
a file the readers refuse on purpose (ReadError: broken or scanned input) is counted as refused.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from pathlib import Path

from xxgk.config import CORPUS_DIR
from xxgk.read import ReadError, detect, read_report

_NOT_REPORTS = {"README.md", "manifest.csv", "expected.json"}  # corpus documentation, not reports


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.name not in _NOT_REPORTS)


def rendering_of(path: Path) -> str:
    data = path.read_bytes()
    try:
        return detect.sniff_rendering(data, str(path))
    except ReadError:
        return "unsniffable"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="times each file is parsed (default 3)")
    args = parser.parse_args()

    files = corpus_files()
    stats: dict[str, dict] = defaultdict(lambda: {"files": 0, "ok": 0, "refused": 0, "errors": 0, "seconds": 0.0})
    errors: dict[tuple[str, str], str] = {}
    for path in files:
        rendering = rendering_of(path)
        stats[rendering]["files"] += 1
        for _ in range(args.rounds):
            start = time.perf_counter()
            try:
                read_report(path)
                outcome = "ok"
            except ReadError:
                outcome = "refused"
            except Exception as exc:  # a reader not written yet or broken: count it, keep going
                outcome = "errors"
                errors.setdefault((rendering, path.name), f"{type(exc).__name__}: {exc}")
            stats[rendering]["seconds"] += time.perf_counter() - start
            stats[rendering][outcome] += 1

    print(f"{len(files)} files from {CORPUS_DIR}, {args.rounds} rounds each")
    print(f"{'reader':<14}{'files':>6}{'parsed':>8}{'refused':>9}{'errors':>8}{'seconds':>10}{'reports/s':>11}")
    total = {"files": 0, "ok": 0, "refused": 0, "errors": 0, "seconds": 0.0}
    for rendering in sorted(stats):
        s = stats[rendering]
        for key in total:
            total[key] += s[key]
        _row(rendering, s)
    _row("all", total)
    for (rendering, name), message in sorted(errors.items()):
        print(f"error [{rendering}] {name}: {message}")


def _row(name: str, s: dict) -> None:
    done = s["ok"] + s["refused"]
    rate = done / s["seconds"] if s["seconds"] else 0.0
    print(f"{name:<14}{s['files']:>6}{s['ok']:>8}{s['refused']:>9}{s['errors']:>8}{s['seconds']:>10.2f}{rate:>11.1f}")


if __name__ == "__main__":
    main()
