"""`xxgk run` on generated regions of growing size: seconds and CPU seconds per agency, peak memory, page sizes.

Run: .venv/bin/python benchmarks/scale.py [--sizes 13,200] [--big] [--jobs 2] [--keep DIR]
(--big adds a region of 1,000 agencies.)

Each size is one region: a county government, its departments and its townships (one in four), each with a
2021 and a 2022 report as web text, written from synth.consistent_report with the agency's own seed
(distinct texts and numbers per agency, not copies); one agency in three has a table 四 part off by a few
and one in four a blank cell, so scores, grades and findings spread as in a real region. The 2022 reviews
are rendered once cold (nothing parsed yet) and timed; CPU is the task-clock of the whole process tree from
`perf stat` (the forked review kernels are reaped by the zygote, so getrusage and /usr/bin/time miss them),
or, without perf, not shown. Peak memory is the RSS of each process kind (driver, zygote, forked kernel),
sampled from /proc, and for the kernels also their PSS (their own share of the pages they hold with the zygote,
whose copy of the region's reports every kernel reads). Page sizes: the year's index.html and overview.html, and the median and largest review.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from batch import BIN, Sampler  # benchmarks/batch.py: the /proc sampler

from xxgk.config import ROOT
from xxgk.samples.synth import consistent_report, render_pipe_text, with_cell

REGION = "生成示例县"
YEARS = (2021, 2022)


def agencies(size: int) -> list[dict]:
    """The county government, then departments and townships (every fourth), all under the government."""
    rows = [{"agency_id": "gen-gov", "name": f"{REGION}人民政府", "level": "county_government", "region": REGION,
             "parent": "", "sums_children": "false"}]
    for i in range(1, size):
        town = i % 4 == 0
        rows.append({"agency_id": f"gen-{'t' if town else 'd'}{i:04d}",
                     "name": f"{REGION}第{i}{'镇人民政府' if town else '局'}",
                     "level": "township" if town else "county_department", "region": REGION, "parent": "gen-gov",
                     "sums_children": "false"})
    return rows


def planted(report, i: int):
    """Mistakes in some agencies' 2022 reports: a part of table 四's 行政复议 off by a few (one in three), a
    blank table 三 cell (one in four), so the region's scores and findings are not all alike."""
    if i % 3 == 1:
        part = report.value("t4", "cases", "rv_maintained") or 0
        report = with_cell(report, "t4", "cases", "rv_maintained", str(int(part) + 1 + i % 5))
    if i % 4 == 3:
        report = with_cell(report, "t3", "granted", "natural_person", "")
    return report


def make_region(root: Path, size: int) -> None:
    rows = agencies(size)
    for i, row in enumerate(rows):
        previous = None
        for year in YEARS:
            report = consistent_report("2021", year, agency=row["name"], seed=i, previous=previous)
            previous = report
            folder = root / "reports" / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            written = planted(report, i) if year == YEARS[-1] else report
            (folder / f"{row['agency_id']}.txt").write_text(render_pipe_text(written), encoding="utf-8")
    with open(root / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def page_sizes(out_year: Path) -> dict[str, int]:
    """Bytes of the year's index and overview, and of the median and the largest review page."""
    reviews = sorted(p.stat().st_size for p in out_year.glob("*.html") if p.name not in ("index.html", "overview.html")
                     and not p.name.startswith("领导摘要"))
    sizes = {name: (out_year / name).stat().st_size for name in ("index.html", "overview.html") if (out_year / name).exists()}
    if reviews:
        sizes["review median"] = reviews[len(reviews) // 2]
        sizes["review max"] = reviews[-1]
    return sizes


def run(data: Path, out: Path, jobs: int) -> tuple[float, float | None, dict]:
    """Wall seconds, CPU seconds of the whole tree (None without perf), peak RSS by process kind."""
    cmd = [str(BIN / "xxgk"), "run", "--year", str(YEARS[-1]), "--jobs", str(jobs), "--data", str(data),
           "--out", str(out)]
    perf = shutil.which("perf")
    clock = out.parent / f"{out.name}.task-clock"
    if perf:
        cmd = [perf, "stat", "-x,", "-e", "task-clock", "-o", str(clock), "--", *cmd]
    zygote: dict = {}

    def classify(pid, ppid, text):
        if "xxgk.batch.kernels" in text:
            if zygote.get("pid") in (None, pid) and ppid not in zygote.values():
                zygote["pid"] = pid
                return "zygote"
            return "kernel"
        return "driver" if "xxgk" in text and not text.startswith(("perf ", "/usr/bin/perf ")) else "other"

    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid, classify)
    _, err = proc.communicate()
    sampler.stop()
    seconds = time.monotonic() - start
    if proc.returncode not in (0, 1):  # 1: some agency failed, which the run lists
        raise SystemExit(f"xxgk run failed: {err.decode()[-800:]}")
    cpu = None
    if perf and clock.exists():
        for line in clock.read_text().splitlines():
            if "task-clock" in line:
                cpu = float(line.split(",")[0]) / 1000
    measured = {"kernel PSS": sampler.pss["kernel"]} if "kernel" in sampler.pss else {}  # left out, not 0, if unsampled
    return seconds, cpu, {**sampler.peak, **measured}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="13,200", help="agencies per region, comma-separated")
    parser.add_argument("--big", action="store_true", help="also a region of 1,000 agencies")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write each size's data and pages under KEEP/<size> and keep them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] + ([1000] if args.big else [])
    print(f"xxgk run --jobs {args.jobs}, one region per size, cold (parse included); the machine's other load "
          "makes single runs noisy")
    print(f"{'agencies':>9}{'wall s':>9}{'s/agency':>10}{'CPU s/agency':>14}   peak RSS MiB; page KB", flush=True)
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="xxgk-scale-") as tmp:
            tmp = args.keep / str(size) if args.keep else Path(tmp)
            make_region(tmp / "data", size)
            seconds, cpu, peak = run(tmp / "data", tmp / "out", args.jobs)
            cpu_text = f"{cpu / size:>14.2f}" if cpu is not None else f"{'(no perf)':>14}"
            mem = ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(peak.items()) if k != "other")
            kb = ", ".join(f"{k} {v / 1024:.0f}" for k, v in page_sizes(tmp / "out" / str(YEARS[-1])).items())
            print(f"{size:>9}{seconds:>9.1f}{seconds / size:>10.2f}{cpu_text}   {mem}; {kb}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
