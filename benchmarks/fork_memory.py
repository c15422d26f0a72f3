"""A review's private memory, stage by stage, in children forked from a warmed process, as regions grow.

Run: .venv/bin/python benchmarks/fork_memory.py [--sizes 13,200,1000] [--reviews 4]

For each size, one generated region (benchmarks/scale.py's: distinct texts and numbers per agency) is written to a
temporary folder, and a fresh child of this script does what the batch's kernel zygote does before it forks:
imports the review stack, runs its warm-up calls, then `review.warm` for the year (the region's reports read and
shingled) and, from 40 reviews on, a rehearsal, as the batch does; then it freezes the collector. From it,
`--reviews` children are forked one after another, each doing one agency's review the way the notebook does: load
(read, peers, rules), the pages' pieces (header, narrative, findings, tables), the charts, the summary. After each
stage the child reads its own private memory (/proc/self/smaps_rollup, Private_Clean + Private_Dirty: the pages it
no longer shares with its parent). Printed: the parent's growth from the year's warm-up,
and per stage the median over the children of the private MiB it reached. Without IPython, the notebook and its
messages, so a kernel holds more than this; the growth from size to size is what this tells.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from scale import YEARS, agencies, make_region  # benchmarks/scale.py: the generated region

from xxgk.batch.kernels import call, warm_up

STAGES = ("load", "pieces", "charts", "summary")


def _private_mib() -> float:
    with open("/proc/self/smaps_rollup") as fh:
        fields = dict(line.split(":", 1) for line in fh if ":" in line)
    return sum(int(fields[k].split()[0]) for k in ("Private_Clean", "Private_Dirty")) / 1024


def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024


def _review(agency_id: str, data: Path, out: Path, pipe: int) -> None:
    """In the forked child: one review, stage by stage, its private MiB after each written to the pipe."""
    from xxgk.review import review

    reached = {}
    rv = review.load(agency_id, YEARS[-1], data_dir=data, output_dir=out)
    reached["load"] = _private_mib()
    for piece in (rv.header(), rv.narrative(), rv.findings_view(), rv.tables_view()):
        getattr(piece, "_repr_html_", piece.__str__)()
    reached["pieces"] = _private_mib()
    rv.charts()
    reached["charts"] = _private_mib()
    rv.write_summary()
    reached["summary"] = _private_mib()
    os.write(pipe, json.dumps(reached).encode())


def _imports() -> None:
    """What the zygote does as it starts (kernels._serve)."""
    os.environ.setdefault("MPLBACKEND", "agg")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    warm_up()


def _warm(data: Path, out: Path, ids: list[str]) -> bool:
    """The batch's warm calls before the first fork (batch/run.py's warm_calls); whether they rehearsed a review."""
    from xxgk.batch.run import warm_calls

    calls = warm_calls(YEARS[-1], data, out, ids)
    for target, *args in calls:
        call(target, *args)
    gc.freeze()
    return any(target == "xxgk.batch.kernels:rehearse" for target, *_ in calls)


def _in_child(work) -> str:
    """What `work(fd)` writes to a pipe in a forked child (empty if it failed)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            work(write)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    return text


def _region(size: int, reviews: int, pipe: int) -> None:
    """In a fresh child: the region written, the warm-up, then the reviews forked from it; the results to the pipe."""
    with tempfile.TemporaryDirectory(prefix="xxgk-forkmem-") as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "out"
        make_region(data, size)
        ids = [row["agency_id"] for row in agencies(size)]
        _imports()
        before = _rss_mib()
        rehearsed = _warm(data, out, ids)
        grown = _rss_mib() - before
        step = max(1, len(ids) // reviews)
        results = [json.loads(_in_child(lambda fd, a=agency_id: _review(a, data, out, fd)))
                   for agency_id in ids[1::step][:reviews]]  # departments and townships, spread over the region
        medians = {s: statistics.median(r[s] for r in results) for s in STAGES}
        os.write(pipe, json.dumps([grown, rehearsed, medians]).encode())


def measure(size: int, reviews: int) -> tuple[float, bool, dict[str, float]]:
    """(the warm-up's growth of the warmed process in MiB, whether it rehearsed, median private MiB per stage) for
    one region, in a child of this script so that each size starts from a fresh interpreter."""
    text = _in_child(lambda fd: _region(size, reviews, fd))
    if not text:
        raise SystemExit(f"the probe for {size} agencies failed")
    return tuple(json.loads(text))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="13,200,1000", help="agencies per region, comma-separated")
    parser.add_argument("--reviews", type=int, default=4, help="reviews forked per size (median shown)")
    args = parser.parse_args(argv)
    print("private MiB of a review forked from a warmed process, after each stage (median of "
          f"{args.reviews}); region: the warmed process's RSS growth from the year's warm-up (and rehearsal)")
    print(f"{'agencies':>9}{'region':>9}{'rehearsed':>11}" + "".join(f"{s:>9}" for s in STAGES), flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        grown, rehearsed, medians = measure(size, args.reviews)
        print(f"{size:>9}{grown:>9.1f}{'yes' if rehearsed else 'no':>11}" + "".join(f"{medians[s]:>9.1f}" for s in STAGES),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
