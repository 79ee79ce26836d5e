"""Where a day's time goes: milliseconds per day for each submodel and the metrics.

    python benchmarks/bench_day.py [--size default] [--days 365] [--regime dispersal]

Sizes as in ``bench_model.py`` (``default`` or a prisoner count in wings of 100). One
warm-up model (numba compilation, caches), then one timed run of ``--days`` days in which
every enabled submodel's ``step`` and the outcome columns (``outcomes.compute``) are timed
on their own; ``rest`` is the day's bookkeeping between them (roster, counters, Mesa's
event loop and DataCollector). Wall time, one core: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import scenario_for  # noqa: E402

from wingsim import outcomes  # noqa: E402
from wingsim.model import WingModel  # noqa: E402


def timed(spent: dict[str, float], name: str, fn):
    def run(*args):
        start = time.perf_counter()
        out = fn(*args)
        spent[name] += time.perf_counter() - start
        return out

    return run


def breakdown(size: str, days: int, regime: str) -> tuple[float, dict[str, float], WingModel]:
    scenario = scenario_for(size).with_overrides({"regime.type": regime})
    WingModel(scenario, rng=1).run_for(5)  # warm-up
    model = WingModel(scenario, rng=2)
    spent: dict[str, float] = defaultdict(float)
    for submodel in model.schedule:
        submodel.step = timed(spent, submodel.name, submodel.step)
    compute = outcomes.compute
    outcomes.compute = timed(spent, "metrics (outcomes.compute)", compute)
    try:
        start = time.perf_counter()
        model.run_for(days)
        total = time.perf_counter() - start
    finally:
        outcomes.compute = compute
    return total, dict(spent), model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="default")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--regime", default="dispersal")
    args = ap.parse_args(argv)
    total, spent, model = breakdown(args.size, args.days, args.regime)
    per_day = 1000.0 / args.days
    print(
        f"{args.size} ({model.today['population']} prisoners, {args.regime}, {args.days} days): "
        f"{total * per_day:.2f} ms per day, {total:.2f} s in all\n"
    )
    print("| part of the day | ms per day | share |\n|---|---:|---:|")
    rest = total - sum(spent.values())
    for name, seconds in [*sorted(spent.items(), key=lambda kv: -kv[1]), ("rest", rest)]:
        print(f"| {name} | {seconds * per_day:.3f} | {100 * seconds / total:.1f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
