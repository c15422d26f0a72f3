"""Check reports against the whole rule catalog; print reports checked per second.

Run: .venv/bin/python benchmarks/check.py [--rounds N] [--synthetic N]
Parsing is done once beforehand and not timed: this measures the rules. Real corpus reports are checked
alone and with their previous year; synthetic consistent reports with a previous year and five peers
(the similarity rules' heaviest case).
"""

from __future__ import annotations

import argparse
import time

from xxgk.config import CORPUS_DIR
from xxgk.read import ReadError, read_report
from xxgk.rules import check, load_rules
from xxgk.samples.synth import consistent_report

_NOT_REPORTS = {"README.md", "manifest.csv", "expected.json"}


def corpus_reports():
    out = []
    for path in sorted(p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.name not in _NOT_REPORTS):
        try:
            out.append(read_report(path))
        except (ReadError, ImportError):  # broken input, or a reader not written yet
            continue
    return out


def timed(label: str, jobs, rounds: int) -> None:
    start = time.perf_counter()
    findings = 0
    for _ in range(rounds):
        for report, kw in jobs:
            findings += len(check(report, **kw))
    seconds = time.perf_counter() - start
    n = len(jobs) * rounds
    print(f"{label:<34}{n:>8}{seconds:>10.2f}{n / seconds:>12.1f}{findings / n:>12.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--synthetic", type=int, default=40, help="synthetic reports per layout")
    args = parser.parse_args()
    load_rules()

    real = corpus_reports()
    by_key = {(r.agency, r.year): r for r in real}
    with_prev = [(r, {"previous": by_key.get((r.agency, (r.year or 0) - 1))}) for r in real]
    synthetic = []
    for version, year in (("2019", 2020), ("2021", 2022)):
        for seed in range(args.synthetic):
            prev = consistent_report(version, year - 1 if version == "2021" else 2019, seed=seed)
            now = consistent_report(version, year, seed=seed, previous=prev)
            peers = [consistent_report(version, year, agency=f"某县第{i}局", seed=seed) for i in range(5)]
            synthetic.append((now, {"previous": prev, "peers": peers}))

    print(f"{len(load_rules().functions)} rules")
    print(f"{'case':<34}{'reports':>8}{'seconds':>10}{'reports/s':>12}{'findings':>12}")
    timed("real corpus, alone", [(r, {}) for r in real], args.rounds)
    timed("real corpus, with previous year", with_prev, args.rounds)
    timed("synthetic, previous + 5 peers", synthetic, 1)


if __name__ == "__main__":
    main()
