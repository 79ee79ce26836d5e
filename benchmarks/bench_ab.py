"""Before and after a change, fairly: two checkouts run alternately in fresh processes.

    git worktree add --detach ../before <old commit>
    python benchmarks/bench_ab.py ../before [--sizes default 2000 10000] [--days 365]
        [--rounds 3] [--repeats 3]

On a shared machine two benchmark tables taken at different times differ by the load as
much as by the code. Here each round runs the old checkout, then this one, each in a
fresh process (``PYTHONPATH=<checkout>/src``, this virtualenv's Python): a 5-day warm-up
model (compilation, caches), then ``--repeats`` models of the same seed, keeping the
least CPU time. The table gives the median over the rounds and every round's figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
ROOT = HERE.parents[1]


def child(checkout: Path, size: str, days: int, repeats: int) -> None:
    sys.path.insert(0, str(checkout / "benchmarks"))
    from bench_model import scenario_for

    from wingsim.model import WingModel

    scenario = scenario_for(size)
    WingModel(scenario, rng=1).run_for(5)
    cpu = []
    for _ in range(repeats):
        model = WingModel(scenario, rng=2)
        start = time.process_time()
        model.run_for(days)
        cpu.append(time.process_time() - start)
    print(json.dumps(min(cpu)))


def least_cpu(checkout: Path, size: str, days: int, repeats: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(checkout / "src"))
    args = [sys.executable, str(HERE), "--child", str(checkout), size, str(days), str(repeats)]
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    return float(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path, nargs="?", help="a checkout of the commit to compare with")
    ap.add_argument("--sizes", nargs="+", default=["default", "2000", "10000"])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        checkout, size, days, repeats = args.child
        child(Path(checkout), size, int(days), int(repeats))
        return 0
    if args.before is None:
        ap.error("name a checkout of the commit to compare with")
    print(f"load average at the start: {os.getloadavg()}")
    print("| size | before, CPU s | after, CPU s | after / before | rounds (before; after) |")
    print("|---|---:|---:|---:|---|")
    for size in args.sizes:
        runs: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            for name, checkout in (("before", args.before.resolve()), ("after", ROOT)):
                runs[name].append(least_cpu(checkout, size, args.days, args.repeats))
        before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
        rounds = "; ".join(", ".join(f"{x:.3f}" for x in runs[k]) for k in ("before", "after"))
        print(f"| {size} | {before:.3f} | {after:.3f} | {after / before:.2f} | {rounds} |")
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
