"""The same N agencies reviewed two ways, side by side: a loop of the papermill and nbconvert CLIs
per agency (what one would script by hand), and `xxgk run --jobs 2 --force`.

Run: .venv/bin/python benchmarks/batch.py [--copies 4] [--year 2022]
Prints seconds per agency for each, their ratio, and peak memory per process kind (RSS; for the
forked review kernels also PSS, since they share the zygote's pages).

The agencies are the bundled sample county copied --copies times under new ids, each copy in its own
region (so each review has the same number of peers as in the real data); data/ is only read.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from xxgk.config import DATA_DIR, NOTEBOOKS_DIR, ROOT

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


def cli_loop(ids, year, data, out) -> tuple[float, dict, dict]:
    """papermill CLI then jupyter nbconvert CLI, one agency after the other."""
    out.mkdir(parents=True)
    peaks, psss = {}, {}

    def classify(pid, ppid, cmd):
        return "kernel" if "ipykernel" in cmd else "nbconvert" if "nbconvert" in cmd else "papermill"

    start = time.monotonic()
    for agency in ids:
        nb = out / f"{agency}.ipynb"
        for cmd in (
            [str(BIN / "papermill"), str(NOTEBOOKS_DIR / "review.ipynb"), str(nb), "-p", "agency", agency,
             "-p", "year", str(year), "-p", "data_dir", str(data), "-p", "output_dir", str(out), "--no-progress-bar"],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
        ):
            proc = subprocess.Popen(cmd, cwd=NOTEBOOKS_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            sampler = Sampler(proc.pid, classify)
            _, err = proc.communicate()
            sampler.stop()
            for k, v in sampler.peak.items():
                peaks[k] = max(peaks.get(k, 0), v)
            if proc.returncode:
                raise SystemExit(f"{cmd[0]} failed for {agency}: {err.decode()[-500:]}")
    return time.monotonic() - start, peaks, psss


def xxgk_run(ids, year, data, out, jobs) -> tuple[float, dict, dict]:
    zygote = {}

    def classify(pid, ppid, cmd):
        if "xxgk.kernels" in cmd:
            if zygote.get("pid") in (None, pid) and ppid not in zygote.values():
                zygote["pid"] = pid
                return "zygote"
            return "kernel (forked)"
        return "driver"

    start = time.monotonic()
    proc = subprocess.Popen([str(BIN / "xxgk"), "run", "--year", str(year), "--jobs", str(jobs), "--force",
                             "--data", str(data), "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid, classify)
    stdout, err = proc.communicate()
    sampler.stop()
    seconds = time.monotonic() - start
    if proc.returncode:
        raise SystemExit(f"xxgk run failed: {err.decode()[-800:]}")
    return seconds, sampler.peak, sampler.pss


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of the 13 sample agencies (4 -> 52)")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        tmp = Path(tmp)
        ids = make_data(tmp / "data", args.copies, (args.year - 1, args.year))
        n = len(ids)
        print(f"{n} agencies, report year {args.year}, on {len(__import__('os').sched_getaffinity(0))} cores")
        t_run, peak_run, pss_run = xxgk_run(ids, args.year, tmp / "data", tmp / "out-run", args.jobs)
        print(f"xxgk run --jobs {args.jobs} --force: {t_run:7.1f} s  = {t_run / n:.2f} s/agency")
        t_cli, peak_cli, _ = cli_loop(ids, args.year, tmp / "data", tmp / "out-cli")
        print(f"papermill + nbconvert CLI loop:    {t_cli:7.1f} s  = {t_cli / n:.2f} s/agency")
        print(f"ratio (CLI loop / xxgk run):        {t_cli / t_run:.1f}x")
        print("peak memory per process (RSS MiB):")
        for name, peaks in (("CLI loop", peak_cli), ("xxgk run", peak_run)):
            parts = ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(peaks.items()))
            print(f"  {name}: {parts}")
        if "kernel (forked)" in pss_run:
            print(f"  xxgk run forked kernel PSS (own share of shared pages): {pss_run['kernel (forked)'] / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
