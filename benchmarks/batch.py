"""The same N agencies reviewed side by side, every page exported with the review template: `xxgk run --jobs 2
--force`; a loop of the papermill and nbconvert CLIs per agency (what one would script by hand), sequential and
two agencies at a time; and the floor: the review's own work (load, check, views, charts, summary) in warm
processes, two at a time, with no notebook, kernel or export. With --dask, also `xxgk run --dask` twice on a
LocalCluster of two single-threaded worker processes that is already running, started as the README says
(with the Dask settings of lib/xxgk/batch/dask/, preloaded with xxgk.batch.dask_worker, and timed once its workers
report their imports and zygote ready): once on its fresh workers, and again on the same workers (a standing
cluster's workers have served runs before).

Run: .venv/bin/python benchmarks/batch.py [--copies 1] [--year 2022] [--dask] [--no-cli]
Prints, for each, seconds per agency, CPU seconds per agency (task-clock of the whole process tree from
`perf stat`: the zygote reaps its forked kernels, so rusage misses them; for the Dask side the cluster's
tree during the run only; for the floor its processes' rusage over the timed part) and the ratios, then
peak memory per process kind (RSS; for the forked review kernels also PSS, since they share the zygote's pages).

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
    """Peak memory of every process below a root pid, by kind: RSS every 50 ms, PSS every 0.5 s.

    Cheap on purpose: it shares the two cores with what it measures, so it walks only that process tree
    (/proc/<pid>/task/<tid>/children) instead of every process, and asks for PSS, which makes the kernel walk
    every page, ten times less often."""

    def __init__(self, root_pid: int, classify):
        self.root, self.classify = root_pid, classify
        self.peak: dict[str, int] = {}
        self.pss: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        rounds = 0
        while not self._stop.is_set():
            for pid, ppid in _tree(self.root):
                kind = self.classify(pid, ppid, _cmdline(pid))  # read again: a forked child may exec since
                self.peak[kind] = max(self.peak.get(kind, 0), _rss(pid))
                if rounds % 10 == 0:
                    self.pss[kind] = max(self.pss.get(kind, 0), _pss(pid))
            rounds += 1
            time.sleep(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join()


def _tree(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of root and everything below it."""
    out, frontier = [(root, 0)], [root]
    while frontier:
        parent = frontier.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as fh:
                    kids = fh.read().split()
            except OSError:
                continue
            for kid in map(int, kids):
                out.append((kid, parent))
                frontier.append(kid)
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _rss(pid: int) -> int:
    """KiB."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    """KiB: the process's own share of the pages it holds (forked kernels share most of theirs with the zygote)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


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


def _classify_run(pid, ppid, cmd):
    """Process kinds of `xxgk run` and of a Dask cluster: a forked kernel is a zygote's child."""
    if "xxgk.batch.kernels" in cmd:
        try:
            parent = Path(f"/proc/{ppid}/cmdline").read_bytes()
        except OSError:
            parent = b""
        return "kernel (forked)" if b"xxgk.batch.kernels" in parent else "zygote"
    if cmd.startswith(("perf ", "/usr/bin/perf ")):
        return "perf"
    return "dask worker" if "multiprocessing" in cmd else "driver"


def xxgk_run(ids, year, data, out, jobs, dask: str = "") -> tuple[float, float, dict, dict]:
    clock = out.parent / f"{out.name}.clock"
    start = time.monotonic()
    where = ["--dask", dask] if dask else ["--jobs", str(jobs)]
    proc = subprocess.Popen(_perf([str(BIN / "xxgk"), "run", "--year", str(year), *where, "--force",
                                   "--data", str(data), "--out", str(out)], clock),
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid, _classify_run)
    stdout, err = proc.communicate()
    sampler.stop()
    seconds = time.monotonic() - start
    if proc.returncode:
        raise SystemExit(f"xxgk run failed: {err.decode()[-800:]}")
    sampler.peak.pop("perf", None)
    return seconds, _cpu(clock), sampler.peak, sampler.pss


_CLUSTER = """
import sys
import dask
from distributed import LocalCluster
from xxgk.batch import dask_worker
with dask.config.set(dask_worker.config()), LocalCluster(
        n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True, dashboard_address=None,
        preload=["xxgk.batch.dask_worker"]) as c:
    if not all(c.get_client().run(dask_worker.wait_ready).values()):
        raise SystemExit("the workers did not get ready")
    print(c.scheduler_address, flush=True)
    sys.stdin.read()
"""


def dask_runs(ids, year, data, out, workers: int, runs: int = 2) -> list[tuple[float, float, dict, dict]]:
    """`xxgk run --dask` `runs` times on one LocalCluster started beforehand (the first run finds fresh worker
    processes, the later ones workers that served a run, as a standing cluster's would), each into a new output
    folder: per run wall seconds, CPU of the driver's tree plus the cluster's tree while the run lasted (perf's
    100 ms intervals), peak RSS by kind (driver and cluster)."""
    clock = out.parent / "cluster.clock"
    perf = shutil.which("perf")
    cmd = [sys.executable, "-c", _CLUSTER, str(workers)]
    if perf:
        cmd = [perf, "stat", "-x,", "-e", "task-clock", "-I", "100", "-o", str(clock), "--", *cmd]
    born = time.monotonic()
    cluster = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    done = []
    try:
        address = cluster.stdout.readline().strip()
        for i in range(1, runs + 1):
            sampler = Sampler(cluster.pid, _classify_run)
            start = time.monotonic() - born
            seconds, cpu, peak, pss = xxgk_run(ids, year, data, out.with_name(f"{out.name}-{i}"), 0, dask=address)
            sampler.stop()
            done.append((start, start + seconds, seconds, cpu, peak, pss, sampler))
    finally:
        cluster.stdin.close()
        cluster.wait()
    lines = clock.read_text().splitlines() if perf else []
    results = []
    for start, end, seconds, cpu, peak, pss, sampler in done:
        during = 0.0
        for line in lines:
            fields = line.split(",")
            if (len(fields) > 3 and fields[3] == "task-clock" and fields[1] != "<not counted>"
                    and start < float(fields[0]) <= end + 0.1):
                during += float(fields[1]) / 1000
        for kind, v in sampler.peak.items():
            peak[f"cluster {kind}"] = max(peak.get(f"cluster {kind}", 0), v)
        pss.update({f"cluster {k}": v for k, v in sampler.pss.items()})
        peak.pop("cluster perf", None)
        results.append((seconds, cpu + during, peak, pss))
    return results


def _floor_worker(year: int, data: str, out: str, ids: list[str]) -> None:
    """One warm process: what the zygote imports and warms, then (after "go" on stdin) each agency's review
    pieces as the notebook asks for them; prints its CPU seconds for that part (children included)."""
    import importlib
    import resource

    from xxgk.batch.kernels import WARM_CALLS, WARM_MODULES
    from xxgk.review import review

    for name in WARM_MODULES:
        importlib.import_module(name)
    for target in WARM_CALLS:
        module, func = target.split(":")
        getattr(importlib.import_module(module), func)()
    review.warm(year, data, out)
    print("ready", flush=True)
    sys.stdin.readline()

    def cpu():
        return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                      resource.getrusage(resource.RUSAGE_CHILDREN)))

    before = cpu()
    for agency in ids:
        rv = review.load(agency, year, data_dir=data, output_dir=out)
        str(rv.header()), rv.narrative()._repr_html_(), str(rv.findings_view()), str(rv.tables_view())
        str(rv.charts())
        rv.write_summary()
    print(cpu() - before, flush=True)


def floor(ids, year, data, out, parallel: int) -> tuple[float, float, dict]:
    """The review's work in `parallel` warm processes (agencies dealt round-robin), timed from a common start."""
    out.mkdir(parents=True)
    procs = [subprocess.Popen([sys.executable, __file__, "--floor-worker", str(year), str(data), str(out),
                               *ids[i::parallel]], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              cwd=ROOT, env={**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
             for i in range(parallel)]
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            raise SystemExit("a floor process failed to start")
    samplers = [Sampler(p.pid, lambda *_: "floor process") for p in procs]
    start = time.monotonic()
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    cpu = sum(float(p.stdout.readline()) for p in procs)
    seconds = time.monotonic() - start
    for p, s in zip(procs, samplers):
        s.stop()
        p.stdin.close()
        p.wait()
    return seconds, cpu, {"floor process": max(s.peak.get("floor process", 0) for s in samplers)}


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--floor-worker"]:
        _floor_worker(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="copies of the 13 sample agencies (4 -> 52)")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also run on a LocalCluster of --jobs worker processes")
    parser.add_argument("--no-cli", action="store_true", help="leave out the CLI loops (for large --copies)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        tmp = Path(tmp)
        ids = make_data(tmp / "data", args.copies, (args.year - 1, args.year))
        n = len(ids)
        print(f"{n} agencies, report year {args.year}, on {len(os.sched_getaffinity(0))} cores"
              + ("" if shutil.which("perf") else " (no perf: CPU not counted)"))
        sides, pss = {}, {}
        run = f"xxgk run --jobs {args.jobs}"
        t, cpu, peak, pss[run] = xxgk_run(ids, args.year, tmp / "data", tmp / "out-run", args.jobs)
        sides[run] = (t, cpu, peak)
        if args.dask:
            first, again = dask_runs(ids, args.year, tmp / "data", tmp / "out-dask", args.jobs)
            for name, (t, cpu, peak, kinds) in (("xxgk run --dask, new cluster", first),
                                                ("xxgk run --dask, 2nd run", again)):
                sides[name], pss[name] = (t, cpu, peak), kinds
        for parallel in () if args.no_cli else (1, 2):
            t, cpu, peaks = cli_loop(ids, args.year, tmp / "data", tmp / f"out-cli{parallel}", parallel)
            sides["CLI loop, sequential" if parallel == 1 else "CLI loop, 2 at a time"] = (t, cpu, peaks)
        sides[f"floor, {args.jobs} warm processes"] = floor(ids, args.year, tmp / "data", tmp / "out-floor", args.jobs)
        print(f"{'':<34}{'wall s':>8}{'s/agency':>10}{'CPU s/agency':>14}")
        for name, (t, cpu, _) in sides.items():
            print(f"{name:<34}{t:>8.1f}{t / n:>10.2f}{cpu / n:>14.2f}")
        t_run, c_run, _ = sides[run]
        for name, (t, cpu, _) in sides.items():
            if name.startswith("floor"):  # how far the run is above the floor
                print(f"ratio xxgk run / {name}: {t_run / t:.2f}x wall, {c_run / cpu if cpu else 0:.2f}x CPU")
            elif name != run:
                print(f"ratio {name} / xxgk run: {t / t_run:.2f}x wall, {cpu / c_run if c_run else 0:.2f}x CPU")
        print("peak memory per process (RSS MiB):")
        for name, (_, _, peaks) in sides.items():
            print(f"  {name}: " + ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(peaks.items())))
        for name, kinds in pss.items():
            for kind in ("kernel (forked)", "cluster kernel (forked)"):
                if kind in kinds:
                    print(f"  {name} {kind} PSS (own share of shared pages): {kinds[kind] / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
