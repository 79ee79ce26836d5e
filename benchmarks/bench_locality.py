"""What rows in unit order save: the same scenario with and without renumbering.

    python benchmarks/bench_locality.py [--size 80000] [--days 365] [--every 30] [--rounds 2]

Rows are reused as prisoners leave, so a unit's prisoners end up scattered over the
arrays and every meeting, tie and staff contact reads memory far apart. The model
renumbers rows in unit order every ``run.slot_order_days`` days if asked
(``WingModel.order_slots_by_unit``; off by default). Here one size runs with
renumbering off (``slot_order_days = 0``) and on (every ``--every`` days), alternating,
one seed; the CPU time of the run (least over
the rounds) is what the order is worth. The two runs are two equally likely runs of the
scenario, not the same trajectory (the per-row draws fall to other people):
``scripts/check_slot_order.py`` checks they agree in distribution.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import scenario_for  # noqa: E402

from wingsim.model import WingModel  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="80000")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--every", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    WingModel(scenario_for("2000"), rng=1).run_for(3)  # compile outside the timing
    layouts = {"as filled": 0, "unit order": args.every}
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for layout, every in layouts.items():
            overrides = {"run.slot_order_days": every}
            model = WingModel(scenario_for(args.size).with_overrides(overrides), rng=1)
            start = time.process_time()
            model.run_for(args.days)
            cpu = time.process_time() - start
            best[layout] = min(best.get(layout, cpu), cpu)
            print(f"{layout}: {cpu:.2f} s CPU for {args.days} days", flush=True)
    saved = 1.0 - best["unit order"] / best["as filled"]
    print(
        f"least: as filled {best['as filled']:.2f} s, unit order {best['unit order']:.2f} s "
        f"({100 * saved:.0f}% less)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
