"""Where a day's time goes: milliseconds per day for each submodel and the metrics.

    python benchmarks/bench_day.py [--size default] [--days 365] [--regime dispersal]
        [--kernels] [--cpu]

Sizes as in ``bench_model.py`` (``default`` or a prisoner count in wings of 100). A
warm-up model of as many days (numba compilation and cache loads), then one timed run of
``--days`` days in which every enabled submodel's ``step`` and the outcome columns
(``outcomes.compute``) are timed on their own; ``rest`` is the day's bookkeeping between
them (roster, counters, Mesa's event loop and DataCollector). Each part is split into
its compiled kernels (every numba function the package calls, timed where it is called,
dispatch included) and the rest of it (numpy over whole arrays, draws, Python: what
compiling a submodel's whole day would take away). Wall time, one core: run it on an
otherwise idle machine; ``--cpu`` times this thread's CPU instead (steadier under load),
``--kernels`` adds each kernel's time.
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

#: The clock every part is timed with: wall time, or this thread's CPU time (``--cpu``,
#: steadier when other jobs share the machine).
CLOCK = [time.perf_counter]


def timed(spent: dict[str, float], name: str, fn, current: list[str]):
    """``fn`` timed into ``spent[name]``, with ``current[0]`` naming the running part."""

    def run(*args):
        outer, current[0] = current[0], name
        start = CLOCK[0]()
        try:
            return fn(*args)
        finally:
            spent[name] += CLOCK[0]() - start
            current[0] = outer

    return run


def time_kernels(
    in_kernels: dict[str, float], current: list[str], by_kernel: dict[str, float]
) -> None:
    """Time every compiled function where the package's modules call it, into
    ``in_kernels[the part running]`` and ``by_kernel[its name]``."""
    from numba.core.dispatcher import Dispatcher

    wrapped: dict[int, object] = {}

    def wrap(kernel):
        def run(*args, **kwargs):
            start = CLOCK[0]()
            try:
                return kernel(*args, **kwargs)
            finally:
                spent = CLOCK[0]() - start
                in_kernels[current[0]] += spent
                by_kernel[kernel.py_func.__qualname__] += spent

        return run

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] != "wingsim":
            continue
        for attr, value in list(vars(module).items()):
            if isinstance(value, Dispatcher):
                setattr(module, attr, wrapped.setdefault(id(value), wrap(value)))


def breakdown(size: str, days: int, regime: str) -> tuple:
    scenario = scenario_for(size).with_overrides({"regime.type": regime})
    # Warm-up as long as the timed run, so every kernel (the weekly and release days'
    # too) is loaded before the timing starts: loading one costs milliseconds.
    WingModel(scenario, rng=1).run_for(days)
    model = WingModel(scenario, rng=2)
    spent: dict[str, float] = defaultdict(float)
    in_kernels: dict[str, float] = defaultdict(float)
    by_kernel: dict[str, float] = defaultdict(float)
    current = ["rest"]
    time_kernels(in_kernels, current, by_kernel)
    for submodel in model.schedule:
        submodel.step = timed(spent, submodel.name, submodel.step, current)
    compute = outcomes.compute
    outcomes.compute = timed(spent, "metrics (outcomes.compute)", compute, current)
    try:
        start = CLOCK[0]()
        model.run_for(days)
        total = CLOCK[0]() - start
    finally:
        outcomes.compute = compute
    return total, dict(spent), dict(in_kernels), dict(by_kernel), model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="default")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--regime", default="dispersal")
    ap.add_argument("--kernels", action="store_true", help="also each kernel's time")
    ap.add_argument("--cpu", action="store_true", help="this thread's CPU time, not wall time")
    args = ap.parse_args(argv)
    if args.cpu:
        CLOCK[0] = time.thread_time
    total, spent, in_kernels, by_kernel, model = breakdown(args.size, args.days, args.regime)
    per_day = 1000.0 / args.days
    print(
        f"{args.size} ({model.today['population']} prisoners, {args.regime}, {args.days} days): "
        f"{total * per_day:.2f} ms per day, {total:.2f} s in all "
        f"({'CPU' if args.cpu else 'wall'} time)\n"
    )
    print(
        "| part of the day | ms per day | share | in kernels (ms) | the rest (ms) |\n"
        "|---|---:|---:|---:|---:|"
    )
    rest = total - sum(spent.values())
    for name, seconds in [*sorted(spent.items(), key=lambda kv: -kv[1]), ("rest", rest)]:
        k = in_kernels.get(name, 0.0)
        print(
            f"| {name} | {seconds * per_day:.3f} | {100 * seconds / total:.1f}% "
            f"| {k * per_day:.3f} | {(seconds - k) * per_day:.3f} |"
        )
    k = sum(in_kernels.values())
    print(
        f"\ncompiled kernels {k * per_day:.3f} ms per day ({100 * k / total:.0f}%), "
        f"the rest {(total - k) * per_day:.3f} ms ({100 * (total - k) / total:.0f}%)"
    )
    if args.kernels:
        print("\n| kernel | ms per day |\n|---|---:|")
        for name, seconds in sorted(by_kernel.items(), key=lambda kv: -kv[1]):
            print(f"| {name} | {seconds * per_day:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
