"""Parse every corpus file a few rounds; print reports per second of CPU (per core) for each reader.

Run: .venv/bin/python benchmarks/parse.py [--rounds N] [--sample]

Each round is a fresh process that imports the readers and loads the official layouts (once per
process, as a batch's processes load them), then reads every file once in turn: what one report leaves
cached, such as label lookups, helps the next, never itself again. This measures the readers, not a
batch's parse-once pass, which reads each report in its own child forked from a warmed server (sandbox.py).
CPU time (time.process_time) is counted, so the rate is per core whatever else the machine
runs, and each file's fastest round is kept: load can inflate a time, never shrink it. `--sample`
adds the bundled fictional sample (data/reports: the only Word files), as readers named `sample/…`.
Every line but the comments (#) starts with the reader's name and ends with its reports/s. A file the readers refuse on
purpose (ReadError) is counted as refused; a reader that fails otherwise is an error, its message printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
from xxgk.config import CORPUS_DIR  # noqa: E402

SAMPLE_DIR = ROOT / "data" / "reports"
_NOT_REPORTS = ("README.md", "manifest.csv", "expected.json")  # corpus documentation, not reports

# Runs inside a tree's own package (parse_compare.py runs it in another commit's tree too): the files
# named in argv, each read once; per file its rendering, outcome and CPU seconds, as JSON.
ONE_ROUND = """
import json, sys, time
from pathlib import Path
from xxgk.read import ReadError, detect, read_report
import importlib
for module in ("crawler_text", "docx", "html", "json_tables", "markdown", "pdf", "pipe_text"):  # imports are not parsing
    try:
        importlib.import_module("xxgk.read." + module)
    except ImportError:  # an older tree without this reader
        pass
from xxgk.layouts import VERSIONS, load_layout, pre2019_markers
for version in VERSIONS:  # nor is loading the official layouts, once per process
    load_layout(version)
pre2019_markers()
out = {}
for name in sys.argv[1:]:
    path = Path(name)
    try:
        rendering = detect.sniff_rendering(path.read_bytes(), name)
    except ReadError:
        rendering = "unsniffable"
    start = time.process_time()
    try:
        read_report(path)
        outcome = "ok"
    except ReadError:
        outcome = "refused"
    except Exception as exc:
        outcome = "error: " + type(exc).__name__ + ": " + str(exc)[:200]
    out[name] = (rendering, outcome, time.process_time() - start)
print(json.dumps(out))
"""


def corpus_files(sample: bool = False) -> list[Path]:
    files = sorted(p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.name not in _NOT_REPORTS)
    if sample:
        files += sorted(p for p in SAMPLE_DIR.rglob("*") if p.is_file())
    return files


def one_round(lib: Path, files: list[Path]) -> dict[str, tuple[str, str, float]]:
    """One fresh process of the package under `lib` reading `files` once each."""
    env = {**os.environ, "PYTHONPATH": str(lib), "XXGK_CORPUS": str(CORPUS_DIR)}  # one corpus for every tree
    proc = subprocess.run([sys.executable, "-c", ONE_ROUND, *map(str, files)],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def keep_fastest(best: dict, round_: dict) -> None:
    """Each file's fastest round so far (its outcome is the same in every round)."""
    for name, (rendering, outcome, seconds) in round_.items():
        old = best.get(name)
        best[name] = (rendering, outcome, min(seconds, old[2]) if old else seconds)


def reader_of(name: str, rendering: str) -> str:
    return rendering if not name.startswith(str(SAMPLE_DIR)) else f"sample/{rendering}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="fresh processes, each reading every file once (default 5)")
    parser.add_argument("--sample", action="store_true", help="also the bundled sample's reports (data/reports)")
    args = parser.parse_args()

    files = corpus_files(args.sample)
    best: dict[str, tuple[str, str, float]] = {}
    for _ in range(args.rounds):
        keep_fastest(best, one_round(ROOT / "lib", files))

    stats: dict[str, dict] = defaultdict(lambda: {"files": 0, "ok": 0, "refused": 0, "errors": 0, "seconds": 0.0})
    errors = []
    for name, (rendering, outcome, seconds) in best.items():
        s = stats[reader_of(name, rendering)]
        s["files"] += 1
        s["seconds"] += seconds
        if outcome.startswith("error"):
            s["errors"] += 1
            errors.append(f"# error [{rendering}] {Path(name).name}: {outcome[7:]}")
        else:
            s[outcome] += 1
    print(f"# {len(files)} files from {CORPUS_DIR}{' and ' + str(SAMPLE_DIR) if args.sample else ''}, "
          f"{args.rounds} rounds in fresh processes, each file's fastest; CPU seconds (per core)")
    print(f"# {'reader':<18}{'files':>6}{'parsed':>8}{'refused':>9}{'errors':>8}{'cpu s':>10}{'reports/s':>11}")
    total = {"files": 0, "ok": 0, "refused": 0, "errors": 0, "seconds": 0.0}
    for reader in sorted(stats):
        s = stats[reader]
        for key in total:
            total[key] += s[key]
        _row(reader, s)
    _row("all", total)
    for line in errors:
        print(line)


def _row(name: str, s: dict) -> None:
    rate = (s["ok"] + s["refused"]) / s["seconds"] if s["seconds"] else 0.0
    print(f"{name:<20}{s['files']:>6}{s['ok']:>8}{s['refused']:>9}{s['errors']:>8}{s['seconds']:>10.3f}{rate:>11.1f}")


if __name__ == "__main__":
    main()
