"""The rules' cost per agency as the region grows: `rules.check` of agencies with 6 … 96 same-region peers,
in this tree and in an earlier commit, side by side, with the ratio.

Run: .venv/bin/python benchmarks/peers.py [REF] [--sizes 6,12,24,48,96] [--agencies 4] [--rounds 1] [--as-batch]
REF defaults to HEAD (so the numbers compare the working tree with the last commit).

Each tree runs in its own process on its own package. A region of k+1 synthetic reports (distinct texts and
numbers, previous year included) is built; `--agencies` of them are checked against the other k. Printed per
size, CPU seconds per agency: "first" is the first agency checked in a fresh process (what a freshly forked
review kernel pays with nothing warm), "mean" the mean over the agencies checked in one process (what a
kernel forked from a zygote that already holds the region pays). The findings of both trees are compared by
digest, so a speed-up that changes a result shows as "differ".

With --as-batch the peers are what a batch's kernels get: the region's reports as model.Peer, prepared untimed as
the batch's zygote prepares them before its forks (similarity.Region where the tree has it, else similarity.warm),
each agency checked against the region less itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs inside each tree's own package.
_ONE_ROUND = """
import hashlib, json, sys, time
from xxgk.model import Peer
from xxgk.rules import check, load_rules, similarity
from xxgk.samples.synth import consistent_report
load_rules()
k, m, as_batch = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
region = []
for i in range(k + 1):
    prev = consistent_report("2021", 2021, agency=f"某县第{i}局", seed=1000 + i)
    region.append((consistent_report("2021", 2022, agency=f"某县第{i}局", seed=i, previous=prev), prev))
kept = [r for r, _ in region]
if as_batch:
    kept = [Peer(f"{i}.txt", r.agency, r.year, tuple(r.sections), None, None) for i, r in enumerate(kept)]
    if hasattr(similarity, "Region"):
        kept = list(similarity.Region(kept).members)
    else:
        similarity.warm(kept)
times, digest = [], hashlib.sha256()
for i, (me, prev) in enumerate(region[:m]):
    peers = kept[:i] + kept[i + 1:]
    start = time.process_time()
    found = check(me, previous=prev, peers=peers)
    times.append(time.process_time() - start)
    digest.update(json.dumps([f.to_json() for f in found], ensure_ascii=False, default=str).encode())
print(json.dumps({"first": times[0], "mean": sum(times) / len(times), "digest": digest.hexdigest()}))
"""


def _round(lib: Path, k: int, m: int, as_batch: bool) -> dict:
    env = {**os.environ, "PYTHONPATH": str(lib)}
    proc = subprocess.run([sys.executable, "-c", _ONE_ROUND, str(k), str(m), "1" if as_batch else "0"],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", nargs="?", default="HEAD", help="the commit to compare with")
    parser.add_argument("--sizes", default="6,12,24,48,96", help="peers per region, comma-separated")
    parser.add_argument("--agencies", type=int, default=4, help="agencies checked per region")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--as-batch", action="store_true", help="peers as a batch's kernels get them (see above)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"rules.check CPU s/agency; {args.ref[:10]} against this tree; {args.agencies} agencies per region"
          + ("; peers as a batch keeps them" if args.as_batch else ""))
    print(f"{'peers':>6}{'first ' + args.ref[:8]:>16}{'first this':>12}{'ratio':>7}"
          f"{'mean ' + args.ref[:8]:>16}{'mean this':>11}{'ratio':>7}  findings")
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.ref],
                       check=True, capture_output=True)
        try:
            for k in sizes:
                got = {"base": [], "this": []}
                for _ in range(args.rounds):  # alternate, so machine load hits both alike
                    for name, lib in (("base", base / "lib"), ("this", ROOT / "lib")):
                        got[name].append(_round(lib, k, min(args.agencies, k + 1), args.as_batch))
                b = {key: min(r[key] for r in got["base"]) for key in ("first", "mean")}
                t = {key: min(r[key] for r in got["this"]) for key in ("first", "mean")}
                same = "same" if got["base"][0]["digest"] == got["this"][0]["digest"] else "differ"
                print(f"{k:>6}{b['first']:>16.3f}{t['first']:>12.3f}{b['first'] / t['first']:>7.1f}"
                      f"{b['mean']:>16.3f}{t['mean']:>11.3f}{b['mean'] / t['mean']:>7.1f}  {same}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)


if __name__ == "__main__":
    main()
