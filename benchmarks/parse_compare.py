"""Parse speed of this tree against an earlier commit, side by side: reports per second per reader and
the ratio (this tree / the commit). Rounds alternate between the two, each in a fresh process; CPU
time is counted and each file's fastest round is kept (the minimum is what load cannot inflate, and
this virtual machine's CPU time varies by a third between identical runs).

Run: .venv/bin/python benchmarks/parse_compare.py REF [--rounds N]     (REF: a commit, tag or branch)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))
from xxgk.config import CORPUS_DIR  # noqa: E402

# Runs inside each tree's own package: every corpus file once, seconds per rendering as JSON.
_ONE_ROUND = """
import json, time
from xxgk.config import CORPUS_DIR
from xxgk.read import ReadError, detect, read_report
out = {}
for path in sorted(p for p in CORPUS_DIR.rglob("*") if p.is_file() and p.name not in {"README.md", "manifest.csv", "expected.json"}):
    try:
        rendering = detect.sniff_rendering(path.read_bytes(), str(path))
    except ReadError:
        continue
    start = time.process_time()
    try:
        read_report(path)
    except ReadError:
        pass
    out[path.name] = (rendering, time.process_time() - start)
print(json.dumps(out))
"""


def _round(lib: Path) -> dict[str, tuple[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(lib), "XXGK_CORPUS": str(CORPUS_DIR)}  # one corpus for both trees
    proc = subprocess.run([sys.executable, "-c", _ONE_ROUND], capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="the commit to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.ref],
                       check=True, capture_output=True)
        try:
            best: dict[str, dict[str, tuple[str, float]]] = {"base": {}, "this": {}}
            for _ in range(args.rounds):
                for name, lib in (("base", base / "lib"), ("this", ROOT / "lib")):
                    for file, (rendering, seconds) in _round(lib).items():
                        old = best[name].get(file)
                        best[name][file] = (rendering, min(seconds, old[1]) if old else seconds)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)
    totals: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"base": [0.0, 0], "this": [0.0, 0]})
    for name, files in best.items():
        for rendering, seconds in files.values():
            totals[rendering][name][0] += seconds
            totals[rendering][name][1] += 1
    print(f"{args.rounds} alternating rounds; reports/s of {args.ref} and of this tree (each file's fastest round)")
    print(f"{'reader':<14}{args.ref[:10]:>12}{'this':>10}{'ratio':>8}")
    for rendering in sorted(totals):
        b, t = totals[rendering]["base"], totals[rendering]["this"]
        if not (b[0] and t[0]):
            print(f"{rendering:<14}{'—':>12}{'—':>10}{'':>8}  (sniffed as this rendering by one tree only)")
            continue
        rb, rt = b[1] / b[0], t[1] / t[0]
        print(f"{rendering:<14}{rb:>12.1f}{rt:>10.1f}{rt / rb:>8.2f}")


if __name__ == "__main__":
    main()
