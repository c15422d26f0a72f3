"""The same N agencies reviewed three ways, side by side, all exporting the review template: a loop of the
papermill and nbconvert CLIs per agency (what one would script by hand), the same loop two agencies at a
time, and `xxgk run --jobs 2 --force`.

Run: .venv/bin/python benchmarks/batch.py [--copies 1] [--year 2022]
Prints, for each, seconds per agency, CPU seconds per agency (task-clock of the whole process tree from
`perf stat`: the zygote reaps its forked kernels, so rusage misses them) and the ratios, then peak memory
per process kind (RSS; for the forked review kernels also PSS, since they share the zygote's pages).

The agencies are the bundled sample county copied --copies times under new ids, each copy in its own
region (so each review has the same number of peers as in the real data); data/ is only read.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from xxgk.config import DATA_DIR, NOTEBOOKS_DIR, ROOT, TEMPLATES_DIR
from xxgk.review.render import TEMPLATE

BIN = Path(sys.executable).parent


def make_data(root: Path, copies: int, years: tuple[int, ...]) -> list[str]:
    with open(DATA_DIR / "agencies.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out, ids = [], []
    for i in range(1, copies + 1):
        for r in rows:
            new = {**r, "agency_id": f"{r['agency_id']}-b{i}", "region": f"{r['region']}（基准副本{i}）",
                   "parent": f"{r['parent']}-b{i}" if r["parent"] else ""}
            out.append(new)
            ids.append(new["agency_id"])
            for y in years:
                for f in (DATA_DIR / "reports" / str(y)).glob(f"{r['agency_id']}.*"):
                    dest = root / "reports" / str(y) / f"{new['agency_id']}{f.suffix}"
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, dest)
    with open(root / "agencies.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(out[0]))
        w.writeheader()
        w.writerows(out)
    return ids


class Sampler:
    """Peak memory of every process below a root pid, by kind, sampled every 50 ms from /proc."""

    def __init__(self, root_pid: int, classify):
        self.root, self.classify = root_pid, classify
        self.peak: dict[str, int] = {}
        self.pss: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop.is_set():
            for pid, ppid, cmd in _tree(self.root):
                kind = self.classify(pid, ppid, cmd)
                rss, pss = _mem(pid)
                self.peak[kind] = max(self.peak.get(kind, 0), rss)
                self.pss[kind] = max(self.pss.get(kind, 0), pss)
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join()


def _tree(root: int):
    procs = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmd = (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        procs[int(p.name)] = (ppid, cmd)
    keep, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _) in procs.items():
            if ppid == parent and pid not in keep:
                keep.add(pid)
                frontier.append(pid)
    return [(pid, *procs[pid]) for pid in keep if pid in procs]


def _mem(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _perf(cmd: list[str], clock: Path) -> list[str]:
    perf = shutil.which("perf")
    return [perf, "stat", "-x,", "-e", "task-clock", "-o", str(clock), "--", *cmd] if perf else cmd


def _cpu(clock: Path) -> float:
    """CPU seconds perf counted (0 without perf)."""
    if not clock.exists():
        return 0.0
    return sum(float(line.split(",")[0]) / 1000 for line in clock.read_text().splitlines() if "task-clock" in line)


def _cli_one(agency: str, year: int, data: Path, out: Path, peaks: dict) -> float:
    """papermill CLI then jupyter nbconvert CLI (the review template, code hidden) for one agency; CPU seconds."""

    def classify(pid, ppid, cmd):
        return "kernel" if "ipykernel" in cmd else "nbconvert" if "nbconvert" in cmd else "papermill"

    nb, cpu = out / f"{agency}.ipynb", 0.0
    for step, cmd in enumerate((
        [str(BIN / "papermill"), str(NOTEBOOKS_DIR / "review.ipynb"), str(nb), "-p", "agency", agency,
         "-p", "year", str(year), "-p", "data_dir", str(data), "-p", "output_dir", str(out), "--no-progress-bar"],
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--template", TEMPLATE,
         f"--TemplateExporter.extra_template_basedirs={TEMPLATES_DIR}", "--no-input",
         "--TemplateExporter.exclude_input_prompt=True", "--TemplateExporter.exclude_output_prompt=True", str(nb)],
    )):
        clock = out / f".{agency}.{step}.clock"
        proc = subprocess.Popen(_perf(cmd, clock), cwd=NOTEBOOKS_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        sampler = Sampler(proc.pid, classify)
        _, err = proc.communicate()
        sampler.stop()
        for k, v in sampler.peak.items():
            peaks[k] = max(peaks.get(k, 0), v)
        if proc.returncode:
            raise SystemExit(f"{cmd[0]} failed for {agency}: {err.decode()[-500:]}")
        cpu += _cpu(clock)
    return cpu


def cli_loop(ids, year, data, out, parallel: int) -> tuple[float, float, dict]:
    """The CLI pair per agency, `parallel` agencies at a time: wall seconds, CPU seconds, peak RSS by kind."""
    out.mkdir(parents=True)
    peaks: dict = {}
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        cpu = sum(pool.map(lambda a: _cli_one(a, year, data, out, peaks), ids))
    return time.monotonic() - start, cpu, peaks


def xxgk_run(ids, year, data, out, jobs) -> tuple[float, float, dict, dict]:
    zygote = {}

    def classify(pid, ppid, cmd):
        if "xxgk.batch.kernels" in cmd:
            if zygote.get("pid") in (None, pid) and ppid not in zygote.values():
                zygote["pid"] = pid
                return "zygote"
            return "kernel (forked)"
        return "perf" if cmd.startswith(("perf ", "/usr/bin/perf ")) else "driver"

    clock = out.parent / "run.clock"
    start = time.monotonic()
    proc = subprocess.Popen(_perf([str(BIN / "xxgk"), "run", "--year", str(year), "--jobs", str(jobs), "--force",
                                   "--data", str(data), "--out", str(out)], clock),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid, classify)
    stdout, err = proc.communicate()
    sampler.stop()
    seconds = time.monotonic() - start
    if proc.returncode:
        raise SystemExit(f"xxgk run failed: {err.decode()[-800:]}")
    sampler.peak.pop("perf", None)
    return seconds, _cpu(clock), sampler.peak, sampler.pss


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="copies of the 13 sample agencies (4 -> 52)")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        tmp = Path(tmp)
        ids = make_data(tmp / "data", args.copies, (args.year - 1, args.year))
        n = len(ids)
        print(f"{n} agencies, report year {args.year}, on {len(os.sched_getaffinity(0))} cores"
              + ("" if shutil.which("perf") else " (no perf: CPU not counted)"))
        sides = {}
        t, cpu, peak_run, pss_run = xxgk_run(ids, args.year, tmp / "data", tmp / "out-run", args.jobs)
        sides[f"xxgk run --jobs {args.jobs}"] = (t, cpu, peak_run)
        for parallel in (1, 2):
            t, cpu, peaks = cli_loop(ids, args.year, tmp / "data", tmp / f"out-cli{parallel}", parallel)
            sides["CLI loop, sequential" if parallel == 1 else "CLI loop, 2 at a time"] = (t, cpu, peaks)
        print(f"{'':<24}{'wall s':>8}{'s/agency':>10}{'CPU s/agency':>14}")
        for name, (t, cpu, _) in sides.items():
            print(f"{name:<24}{t:>8.1f}{t / n:>10.2f}{cpu / n:>14.2f}")
        t_run, c_run, _ = next(iter(sides.values()))
        for name, (t, cpu, _) in list(sides.items())[1:]:
            print(f"ratio {name} / xxgk run: {t / t_run:.1f}x wall, {cpu / c_run if c_run else 0:.1f}x CPU")
        print("peak memory per process (RSS MiB):")
        for name, (_, _, peaks) in sides.items():
            print(f"  {name}: " + ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(peaks.items())))
        if "kernel (forked)" in pss_run:
            print(f"  xxgk run forked kernel PSS (own share of shared pages): {pss_run['kernel (forked)'] / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
