"""Benchmark: wingsim against Mesa's own virus_on_network at the same size.

For establishments of 500, 2,000 and 10,000 prisoners over 365 days, prints construction
time, run time, prisoner-days per second and peak memory (each size in a fresh process,
so peak RSS is that size's own), and, in the same process, the agent-steps per second of
``mesa.examples.basic.virus_on_network`` with as many nodes. Virus-on-network is timed on
its run only: its constructor's spring layout (display only) is skipped.

Usage: python benchmarks/bench_model.py [--sizes 500 2000 10000] [--days 365] [--virus-steps 50]
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import subprocess
import sys
import time


def scenario_for(n: int):
    from wingsim import default_scenario

    wings = max(1, round(n / 100))
    return default_scenario("dispersal").with_overrides(
        {
            "establishment.wings": wings,
            "establishment.wing_capacity": 100,
            "establishment.occupancy": n / (wings * 100),
        }
    )


def bench_wingsim(n: int, days: int, seed: int = 1) -> dict:
    from wingsim import WingModel

    sc = scenario_for(n)
    t0 = time.perf_counter()
    model = WingModel(sc, rng=seed)
    t1 = time.perf_counter()
    model.run_for(days)
    t2 = time.perf_counter()
    pop = int(model.prisoners.active.sum())
    return {
        "prisoners": pop,
        "construct_s": t1 - t0,
        "run_s": t2 - t1,
        "prisoner_days_per_s": pop * days / (t2 - t1),
    }


def bench_virus(n: int, steps: int, seed: int = 1) -> dict:
    import mesa.examples.basic.virus_on_network.model as vm

    vm.Network = functools.partial(vm.Network, layout=None)  # layout is for display only
    model = vm.VirusOnNetwork(num_nodes=n, rng=seed)
    t0 = time.perf_counter()
    for _ in range(steps):
        model.step()
    dt = time.perf_counter() - t0
    return {"virus_agent_steps_per_s": n * steps / dt}


def one(n: int, days: int, virus_steps: int) -> dict:
    out = {"size": n, **bench_wingsim(n, days)}
    out["peak_rss_mb_wingsim"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.update(bench_virus(n, virus_steps))
    out["speedup_vs_virus"] = out["prisoner_days_per_s"] / out["virus_agent_steps_per_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--virus-steps", type=int, default=50)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        print(json.dumps(one(args.one, args.days, args.virus_steps)))
        return
    rows = []
    for n in args.sizes:
        res = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--days",
                str(args.days),
                "--virus-steps",
                str(args.virus_steps),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    print(f"wingsim vs Mesa virus_on_network, {args.days} days, one core\n")
    print(
        "| prisoners | construct (s) | run (s) | prisoner-days/s | peak RSS (MB) "
        "| virus agent-steps/s | ratio |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['prisoners']:,} | {r['construct_s']:.2f} | {r['run_s']:.2f} "
            f"| {r['prisoner_days_per_s']:,.0f} | {r['peak_rss_mb_wingsim']:.0f} "
            f"| {r['virus_agent_steps_per_s']:,.0f} | {r['speedup_vs_virus']:.1f}x |"
        )
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        growth = (b["run_s"] / a["run_s"]) / (b["prisoners"] / a["prisoners"])
        print(
            f"\nrun-time growth relative to linear ({a['prisoners']} -> {b['prisoners']}): "
            f"{growth:.2f} (<= 1 means no worse than linear)"
        )


if __name__ == "__main__":
    main()
