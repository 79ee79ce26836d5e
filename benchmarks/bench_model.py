"""Benchmark: wingsim against Mesa's own virus_on_network at the same size.

Sizes: the default establishment (``default``, about 400 prisoners), establishments of
500, 2,000 and 10,000 prisoners in wings of 100, and a national estate of 80,000 (200
units of 400: the scenario schema allows at most 200 wings). Dispersal, 365 days, one
core. Each size runs in fresh processes with its own empty numba cache
(``NUMBA_CACHE_DIR``):

1. *cold*: import, build, first run: compilation included, nothing cached;
2. *warm*: a new process on the cache the cold one wrote: import, build, first run (the
   compiled code loaded from the cache), then a second model of the same seed built and
   run in the same process: the *steady* run. Peak RSS is taken here, before the
   virus; then Mesa's ``virus_on_network`` with as many nodes runs the same number of
   steps in the same process, timed on its steps only (its display-only spring layout
   is skipped, and its G(n, p) graph is drawn with ``fast_gnp_random_graph``, the same
   law as its ``erdos_renyi_graph`` but linear rather than quadratic in n). The steady
   run and the virus alternate ``--rounds`` times (3): both move by 5-15% from one run
   to the next on a shared machine, so one pair decided met or missed by chance; the
   table gives the medians and the rounds' range of the ratio.

Prints a markdown table (wall and CPU seconds, since the machine may be shared; the ratio
to virus_on_network is by wall time, both timed in the same process a few seconds
apart), the run-time growth against linear, and draws ``docs/figures/scaling.png``.

Usage: python benchmarks/bench_model.py [--sizes default 500 2000 10000 80000]
           [--days 365] [--virus-steps 365] [--rounds 3] [--quick] [--json FILE]
           [--plot FILE]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
SIZES = ["default", "500", "2000", "10000", "80000"]
MAX_WINGS, MAX_CAPACITY = 200, 500  # the scenario schema's bounds


def scenario_for(size: str):
    """The dispersal scenario of a size: ``default``, or ``n`` prisoners in wings of 100
    (above 20,000 prisoners, 200 units of n / 200)."""
    from wingsim import default_scenario

    sc = default_scenario("dispersal")
    if size == "default":
        return sc
    n = int(size)
    wings = max(1, min(MAX_WINGS, round(n / 100)))
    capacity = max(100, -(-n // wings))
    if capacity > MAX_CAPACITY:
        raise SystemExit(f"{n} prisoners do not fit in {MAX_WINGS} units of {MAX_CAPACITY}")
    return sc.with_overrides(
        {
            "establishment.wings": wings,
            "establishment.wing_capacity": capacity,
            "establishment.occupancy": n / (wings * capacity),
        }
    )


def _clock():
    return time.perf_counter(), time.process_time()


def _since(t0) -> tuple[float, float]:
    w, c = _clock()
    return w - t0[0], c - t0[1]


def run_wingsim(size: str, days: int, seed: int = 1) -> dict:
    """Build and run one model; wall and CPU seconds of each."""
    from wingsim import WingModel

    sc = scenario_for(size)
    t0 = _clock()
    model = WingModel(sc, rng=seed)
    construct = _since(t0)
    t1 = _clock()
    model.run_for(days)
    run = _since(t1)
    return {
        "prisoners": int(model.prisoners.active.sum()),
        "ties": len(model.ties),
        "construct_s": construct[0],
        "run_s": run[0],
        "run_cpu_s": run[1],
    }


def bench_virus(n: int, steps: int, seed: int = 1) -> dict:
    import mesa.examples.basic.virus_on_network.model as vm
    import networkx as nx

    vm.Network = functools.partial(vm.Network, layout=None)  # layout is for display only
    vm.nx = type("nx", (), {"erdos_renyi_graph": staticmethod(nx.fast_gnp_random_graph)})
    model = vm.VirusOnNetwork(num_nodes=n, rng=seed)
    t0 = _clock()
    for _ in range(steps):
        model.step()
    wall, cpu = _since(t0)
    return {"virus_agent_steps_per_s": n * steps / wall, "virus_cpu_s": cpu}


def child(size: str, phase: str, days: int, virus_steps: int, rounds: int = 1) -> dict:
    t0 = _clock()
    import wingsim  # noqa: F401  (numba and the package)

    out = {"size": size, "import_s": _since(t0)[0]}
    first = run_wingsim(size, days)
    out.update(
        prisoners=first["prisoners"],
        ties=first["ties"],
        first_construct_s=first["construct_s"],
        first_run_s=first["run_s"],
    )
    if phase == "cold":
        return out
    steady, virus = [], []
    for _ in range(rounds):
        steady.append(run_wingsim(size, days))
        if len(steady) == 1:  # the peak before any virus
            out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if virus_steps:
            virus.append(bench_virus(steady[-1]["prisoners"], virus_steps))
    out.update(
        construct_s=median(r["construct_s"] for r in steady),
        run_s=median(r["run_s"] for r in steady),
        run_cpu_s=median(r["run_cpu_s"] for r in steady),
        rounds_run_s=[r["run_s"] for r in steady],
    )
    out["prisoner_days_per_s"] = out["prisoners"] * days / out["run_s"]
    if virus:
        # Per agent-step, as both are timed in this process: prisoner-days / agent-steps,
        # each round's pair timed a few seconds apart.
        rates = [v["virus_agent_steps_per_s"] for v in virus]
        ratios = [
            r["prisoners"] * days / r["run_s"] / v for r, v in zip(steady, rates, strict=True)
        ]
        out.update(
            virus_agent_steps_per_s=median(rates),
            ratio=median(ratios),
            rounds_ratio=ratios,
        )
    return out


def measure(size: str, days: int, virus_steps: int, rounds: int) -> dict:
    """Cold then warm, each a fresh process, on an empty numba cache of this size's own."""
    with tempfile.TemporaryDirectory(prefix="wingsim-numba-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        rows = {}
        for phase in ("cold", "warm"):
            cmd = [sys.executable, __file__, "--child", size, "--phase", phase]
            cmd += ["--days", str(days), "--virus-steps", str(virus_steps)]
            cmd += ["--rounds", str(rounds)]
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
            rows[phase] = json.loads(res.stdout.strip().splitlines()[-1])
    out = rows["warm"]
    out["cold_first_run_s"] = rows["cold"]["first_run_s"]
    out["cold_import_s"] = rows["cold"]["import_s"]
    return out


def table(rows: list[dict], days: int, rounds: int = 1) -> str:
    medians = f"; steady run, virus and ratio: median of {rounds} rounds (the ratio's range)"
    lines = [
        f"wingsim (dispersal) vs Mesa virus_on_network, {days} days/steps, one core"
        + (medians if rounds > 1 else ""),
        "",
        "| prisoners | construct (s) | first run, cold cache (s) | first run, warm cache (s) "
        "| steady run (s) | steady CPU (s) | prisoner-days/s | peak RSS (MB) "
        "| virus agent-steps/s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        label = f"{r['prisoners']:,}" + (" (default)" if r["size"] == "default" else "")
        virus = f"{r['virus_agent_steps_per_s']:,.0f}" if "ratio" in r else "-"
        ratio = f"{r['ratio']:.2f}x" if "ratio" in r else "-"
        if len(r.get("rounds_ratio", ())) > 1:
            ratio += f" ({min(r['rounds_ratio']):.2f}-{max(r['rounds_ratio']):.2f})"
        lines.append(
            f"| {label} | {r['construct_s']:.2f} | {r['cold_first_run_s']:.2f} "
            f"| {r['first_run_s']:.2f} | {r['run_s']:.2f} | {r['run_cpu_s']:.2f} "
            f"| {r['prisoner_days_per_s']:,.0f} | {r['peak_rss_mb']:.0f} | {virus} | {ratio} |"
        )
    sized = sorted((r for r in rows if r["size"] != "default"), key=lambda r: r["prisoners"])
    if len(sized) > 1:
        a, b = sized[0], sized[-1]
        growth = (b["run_s"] / a["run_s"]) / (b["prisoners"] / a["prisoners"])
        growth_cpu = (b["run_cpu_s"] / a["run_cpu_s"]) / (b["prisoners"] / a["prisoners"])
        lines += [
            "",
            f"run-time growth relative to linear ({a['prisoners']:,} -> {b['prisoners']:,}): "
            f"{growth:.2f} by wall time, {growth_cpu:.2f} by CPU time (<= 1: no worse than "
            "linear)",
        ]
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = sorted(rows, key=lambda r: r["prisoners"])
    n = [r["prisoners"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.loglog(n, [r["run_s"] for r in rows], "o-", label="steady run (wall)")
    ax1.loglog(n, [r["run_cpu_s"] for r in rows], "s--", label="steady run (CPU)")
    ax1.loglog(n, [r["cold_first_run_s"] for r in rows], "^:", label="first run, cold cache")
    ref = rows[0]
    ax1.loglog(n, [ref["run_s"] * k / ref["prisoners"] for k in n], "k-", lw=0.6, label="linear")
    ax1.set(xlabel="prisoners", ylabel="seconds for a year (365 days)", title="Run time")
    ax1.legend(fontsize=8)
    ax2.semilogx(n, [r["prisoner_days_per_s"] for r in rows], "o-", label="wingsim prisoner-days/s")
    with_virus = [r for r in rows if "ratio" in r]
    ax2.semilogx(
        [r["prisoners"] for r in with_virus],
        [r["virus_agent_steps_per_s"] for r in with_virus],
        "s--",
        label="virus_on_network agent-steps/s",
    )
    ax2.set(xlabel="prisoners (nodes)", ylabel="per second", title="Throughput, same process")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=None, help="default and/or prisoner counts")
    ap.add_argument("--days", type=int, default=None, help="days, and virus steps (365)")
    ap.add_argument("--virus-steps", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=3, help="steady run and virus pairs (3)")
    ap.add_argument("--quick", action="store_true", help="default, 500, 2000; 60 days; 1 round")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows here")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "figures" / "scaling.png")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--phase", default="warm", help=argparse.SUPPRESS)
    args = ap.parse_args()
    days = args.days or (60 if args.quick else 365)
    virus_steps = days if args.virus_steps is None else args.virus_steps
    rounds = 1 if args.quick else args.rounds
    if rounds < 1:
        ap.error("--rounds must be at least 1")
    if args.child is not None:
        print(json.dumps(child(args.child, args.phase, days, virus_steps, rounds)))
        return
    sizes = args.sizes or (SIZES[:3] if args.quick else SIZES)
    load = os.getloadavg()
    rows = []
    for size in sizes:
        rows.append(measure(size, days, virus_steps, rounds))
        print(f"{size}: done", file=sys.stderr, flush=True)
    print(
        f"load average (1, 5, 15 min) at start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}; "
        "at end: {:.2f}, {:.2f}, {:.2f}\n".format(*os.getloadavg())
    )
    print(table(rows, days, rounds))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if not args.no_plot and len(rows) > 1:
        plot(rows, args.plot)
        print(f"\nplot: {args.plot}")


if __name__ == "__main__":
    main()
