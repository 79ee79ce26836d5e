"""What the after-release phase costs: a default year with and without the community submodels.

    python benchmarks/bench_community.py [--days 365] [--repeats 3] [--regime dispersal]

Runs the default establishment with every submodel, then with the community submodels
switched off (``[submodels]``: released people are still recorded, nothing happens to
them), alternating, after one warm-up run (numba compilation); prints the median wall
and CPU seconds of each and the ratio. One process, one core.
"""

from __future__ import annotations

import argparse
import statistics
import time

from wingsim.model import WingModel
from wingsim.scenario import default_scenario

#: The submodels of the after-release phase (resettlement starts before release).
COMMUNITY = (
    "resettlement",
    "community_ties",
    "barriers",
    "mental_health",
    "mentoring",
    "supervision",
    "transition",
    "reoffending",
)


def timed_run(scenario, days: int, seed: int) -> tuple[float, float]:
    model = WingModel(scenario, rng=seed)
    wall, cpu = time.perf_counter(), time.process_time()
    model.run_for(days)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--regime", default="dispersal")
    args = parser.parse_args(argv)
    full = default_scenario(args.regime)
    prison = full.with_overrides({f"submodels.{name}": False for name in COMMUNITY})
    timed_run(full, args.days, 1)  # warm-up: compilation and caches
    times: dict[str, list[tuple[float, float]]] = {"with community": [], "prison only": []}
    for _ in range(args.repeats):
        times["with community"].append(timed_run(full, args.days, 1))
        times["prison only"].append(timed_run(prison, args.days, 1))
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in times.items()
    }
    for label, (wall, cpu) in med.items():
        print(f"{label:15s} wall {wall:6.2f} s   cpu {cpu:6.2f} s")
    ratio = med["with community"][1] / med["prison only"][1]
    print(f"the community phase adds {ratio - 1:+.0%} CPU time ({args.regime}, {args.days} days)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
