"""What slots in unit order would save: an experiment on the model's state, not the model.

    python benchmarks/bench_locality.py [--size 80000] [--start 100] [--days 30] [--rounds 2]

Slots are reused as prisoners leave, so a unit's prisoners end up scattered over the slot
range and every meeting, tie and staff contact reads memory far apart. Here a model is run
``--start`` days; one copy then has its slots relabelled so each unit's prisoners sit
together (every per-slot array permuted, the ties re-keyed and re-sorted, the Mesa views
moved), and both run ``--days`` more. The CPU time of those days, least over the rounds,
is what locality is worth. The relabelled run is a different (equally valid) run: the
order of per-slot draws changes, so it is not the same trajectory.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import scenario_for  # noqa: E402

from wingsim.model import WingModel  # noqa: E402


def relabel_by_unit(model: WingModel) -> None:
    """Permute the slots so active prisoners are in unit order (empty slots last)."""
    p, ties = model.prisoners, model.ties
    n = p.n
    order = np.argsort(np.where(p.active, p.unit, np.iinfo(np.int32).max), kind="stable")
    new_slot = np.empty(n, np.int64)
    new_slot[order] = np.arange(n)
    for f in fields(p):
        column = getattr(p, f.name)
        column[:] = column[order]
    lo, hi = ties.ends
    a, b = new_slot[lo], new_slot[hi]
    new_lo, new_hi = np.minimum(a, b), np.maximum(a, b)
    by_key = np.argsort(new_lo * n + new_hi)
    size = len(ties)
    weight, lo_buffer, hi_buffer = ties._buffers
    weight[:size] = ties.weight[by_key].copy()
    lo_buffer[:size], hi_buffer[:size] = new_lo[by_key], new_hi[by_key]
    ties._changed()
    views = list(model._prisoner_agents)
    for slot, view in enumerate(views):
        model._prisoner_agents[new_slot[slot]] = view
        if view is not None:
            view.slot = int(new_slot[slot])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="80000")
    ap.add_argument("--start", type=int, default=100)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args(argv)
    best = {}
    for _ in range(args.rounds):
        for layout in ("as run", "unit order"):
            model = WingModel(scenario_for(args.size), rng=2)
            model.run_for(args.start)
            if layout == "unit order":
                relabel_by_unit(model)
            start = time.process_time()
            model.run_for(args.days)
            cpu = time.process_time() - start
            best[layout] = min(best.get(layout, cpu), cpu)
            print(f"{layout}: {cpu:.2f} s CPU for days {args.start}-{args.start + args.days}")
    saved = 1.0 - best["unit order"] / best["as run"]
    print(
        f"least: as run {best['as run']:.2f} s, unit order {best['unit order']:.2f} s "
        f"({100 * saved:.0f}% less)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
