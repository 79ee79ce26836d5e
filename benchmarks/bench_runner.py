"""Benchmark of the experiments runner (not a timed test).

1. Three-regime comparison, N replications of the default 365-day wing: serial and with
   2 workers -> wall time and parallel speed-up (target >= 1.7x on 2 cores); ``cli``: the
   same comparison as a user runs it, ``wingsim compare`` in a fresh process, timed from
   start to exit (imports, the pool's start, the runs, the table and the plots).
2. Per-run overhead of the runner over a bare ``WingModel.run_for`` (target < 10%), and
   with the run's files encoded as Parquet (which the runner now does where it runs).
3. Parent-process memory across a 1,000-run sweep of short runs on a small wing: peak RSS
   must not grow with the number of runs (results stream to disk).

    python benchmarks/bench_runner.py [--replications 30] [--days 365] [--memory-runs 1000]
        [--rounds 1] [--parts comparison cli overhead memory]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wingsim import WingModel, default_scenario
from wingsim.experiments.designs import plan
from wingsim.experiments.engine import execute_plan, prepare_folder
from wingsim.experiments.experiment_file import validate_experiment
from wingsim.experiments.pool import stop_server
from wingsim.experiments.runner import RunSpec, execute

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    """Current resident set size of this process (Linux /proc), in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def comparison(replications: int, days: int, workers: int, out: Path) -> float:
    exp = validate_experiment(
        {
            "name": "bench",
            "scenarios": [
                str(ROOT / f"scenarios/{r}.toml")
                for r in ("dispersal", "containment", "combination")
            ],
            "replications": replications,
            "days": days,
            "timeseries": True,
        },
        "<bench>",
    )
    p = plan(exp)
    store = prepare_folder(p, out, "compare", None)
    start = time.perf_counter()
    execute_plan(p, store, workers=workers, progress=False)
    return time.perf_counter() - start


def cli_comparison(replications: int, days: int, workers: int, out: Path) -> float:
    """Wall time of ``wingsim compare`` on the three regimes, in a fresh process."""
    scenarios = [
        str(ROOT / f"scenarios/{r}.toml") for r in ("dispersal", "containment", "combination")
    ]
    cmd = [sys.executable, "-m", "wingsim.cli", "compare", *scenarios]
    cmd += ["--replications", str(replications), "--days", str(days)]
    cmd += ["--workers", str(workers), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def overhead(days: int, repeats: int) -> tuple[float, float, float]:
    """Least over ``repeats`` of: a bare run, the runner's run (``RunResult.seconds``:
    scenario check, run, summary) and the runner's whole call, which also encodes the
    run's files as Parquet (done by the sweep's process at writing before 2026-11-30)."""
    scen = default_scenario()
    bare, runner, whole = [], [], []
    for seed in range(repeats):
        t = time.perf_counter()
        WingModel(scen, rng=seed).run_for(days)
        bare.append(time.perf_counter() - t)
        spec = RunSpec(f"r{seed}", scen.model_dump(), seed, days, timeseries=True)
        t = time.perf_counter()
        result = execute(spec)
        whole.append(time.perf_counter() - t)
        assert result.ok
        runner.append(result.seconds)
    return min(bare), min(runner), min(whole)


def memory(n_runs: int, out: Path) -> tuple[float, float, float]:
    small = out / "small.toml"
    small.write_text('name = "small"\n[establishment]\nwings = 1\nwing_capacity = 20\n')
    samples: dict[int, float] = {}
    exp = validate_experiment(
        {
            "name": "mem",
            "scenarios": [str(small)],
            "design": "lhs",
            "samples": n_runs,
            "replications": 1,
            "days": 3,
            "parameters": {"staff.training": {"min": 0.0, "max": 1.0}},
        },
        "<bench>",
    )
    p = plan(exp)
    store = prepare_folder(p, out / "mem", "sweep", None)
    orig = store.write

    def write(result):
        orig(result)
        k = len(samples) + 1
        samples[k] = rss_mb()

    store.write = write
    execute_plan(p, store, workers=2, progress=False)
    at = sorted(samples)
    return samples[at[len(at) // 10]], samples[at[len(at) // 2]], samples[at[-1]]


PARTS = ("comparison", "cli", "overhead", "memory")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=30)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--memory-runs", type=int, default=1000)
    ap.add_argument("--overhead-repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=1, help="serial/pooled pairs per part")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    a = ap.parse_args()
    n = 3 * a.replications
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for part, run in (("comparison", comparison), ("cli", cli_comparison)):
            if part not in a.parts:
                continue
            label = "comparison" if part == "comparison" else "wingsim compare (fresh process)"
            ratios = []
            for r in range(a.rounds):  # serial and pooled in turn: the machine's drift shared
                serial = run(a.replications, a.days, 1, tmp / f"{part}-serial-{r}")
                pooled = run(a.replications, a.days, 2, tmp / f"{part}-pool-{r}")
                if part == "comparison":  # each pooled round starts its own pool's server,
                    stop_server()  # as a command does (the cli's is in its own process)
                ratios.append(serial / pooled)
                print(
                    f"{label}, {n} runs x {a.days} days: serial {serial:.1f} s "
                    f"({serial / n:.2f} s/run), 2 workers {pooled:.1f} s; speed-up "
                    f"{ratios[-1]:.2f}x (target >= 1.7x)"
                )
            if a.rounds > 1:
                print(f"{label}: median speed-up {statistics.median(ratios):.2f}x")
        if "overhead" in a.parts:
            bare, runner, whole = overhead(a.days, a.overhead_repeats)
            print(
                f"per-run: bare run_for {bare:.3f} s, runner {runner:.3f} s; overhead "
                f"{100 * (runner / bare - 1):+.1f}% (target < 10%); with the run's files "
                f"encoded as Parquet {whole:.3f} s ({100 * (whole / bare - 1):+.1f}%)"
            )
        if "memory" in a.parts:
            r10, r50, r100 = memory(a.memory_runs, tmp)
            print(
                f"parent RSS over a {a.memory_runs}-run sweep: {r10:.0f} MB at 10%, "
                f"{r50:.0f} MB at 50%, {r100:.0f} MB at 100% (must not grow)"
            )


if __name__ == "__main__":
    main()
