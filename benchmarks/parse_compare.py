"""Parse speed of this tree against an earlier commit, side by side: reports per second of CPU (per
core) per reader and the ratio (this tree / the commit). Rounds alternate between the two, each in a
fresh process (parse.py's round: readers imported first, every file read once); each file's fastest
round is kept (the minimum is what load cannot inflate, and this virtual machine's CPU time varies by
a third between identical runs).

Run: .venv/bin/python benchmarks/parse_compare.py REF [--rounds N] [--sample]     (REF: a commit, tag or branch)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parse import ROOT, corpus_files, keep_fastest, one_round, reader_of  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sample", action="store_true", help="also the bundled sample's reports (data/reports)")
    args = parser.parse_args()
    files = corpus_files(args.sample)
    best: dict[str, dict] = {"base": {}, "this": {}}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.ref],
                       check=True, capture_output=True)
        try:
            for _ in range(args.rounds):
                for name, lib in (("base", base / "lib"), ("this", ROOT / "lib")):
                    keep_fastest(best[name], one_round(lib, files))
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"base": [0.0, 0], "this": [0.0, 0]})
    for side, found in best.items():
        for name, (rendering, _, seconds) in found.items():
            totals[reader_of(name, rendering)][side][0] += seconds
            totals[reader_of(name, rendering)][side][1] += 1
    print(f"# {args.rounds} alternating rounds; reports/s of CPU (per core) of {args.ref} and of this tree (each file's fastest round)")
    print(f"# {'reader':<18}{args.ref[:10]:>12}{'this':>10}{'ratio':>8}")
    for reader in sorted(totals):
        b, t = totals[reader]["base"], totals[reader]["this"]
        if not (b[0] and t[0]):
            print(f"# {reader:<18} sniffed as this rendering by one tree only")
            continue
        rb, rt = b[1] / b[0], t[1] / t[0]
        print(f"{reader:<20}{rb:>12.1f}{rt:>10.1f}{rt / rb:>8.2f}")


if __name__ == "__main__":
    main()
