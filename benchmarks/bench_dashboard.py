"""Steps per second on the server: model step + the day's compact data for the browser.

This is the work the dashboard does on the server for each day it plays (the browser
draws). The browser test (tests/test_dashboard_browser.py) measures the end-to-end rate;
benchmarks/bench_workshop.py measures 20 sessions at once.

    .venv/bin/python benchmarks/bench_dashboard.py [--days 100] [--regime containment]
"""

from __future__ import annotations

import argparse
import time

from wingsim.dashboard.session import Run, Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=100)
    ap.add_argument("--regime", default="containment")
    ap.add_argument("--compare", default=None, help="a second regime (side-by-side mode)")
    args = ap.parse_args()
    run = Run(Settings(regime=args.regime), args.compare)
    t0 = time.perf_counter()
    for _ in range(args.days):
        run.step()
        for i in range(len(run.models)):
            run.wing_day(i)
        run.series_tail()
        run.outcomes()
    dt = time.perf_counter() - t0
    mode = f"{args.regime} vs {args.compare}" if args.compare else args.regime
    n = int(run.models[0].prisoners.active.sum())
    print(
        f"{mode}, {n} prisoners: {args.days / dt:.1f} steps/s with the day's data "
        f"({1e3 * dt / args.days:.1f} ms per step)"
    )


if __name__ == "__main__":
    main()
