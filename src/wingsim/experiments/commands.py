"""CLI handlers: ``demo``, ``compare``, ``sweep``, ``analyze`` and ``report``.

Each takes the parsed ``argparse.Namespace``, calls the engine
(:mod:`wingsim.experiments.engine`, :mod:`wingsim.experiments.folder_analysis`,
:mod:`wingsim.experiments.report`), prints, and returns an exit code: 0 on success, 1 if
runs failed, 2 for a refused file or folder, 130 when interrupted. Nothing but the
command line imports this module.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pandas as pd

from wingsim.experiments.analysis import key_columns
from wingsim.experiments.engine import (
    DEFAULT_SEED,
    decomposition,
    decomposition_scenarios,
    demo_scenarios,
    execute_plan,
    prepare_sweep,
    run_compare,
)
from wingsim.scenario import ScenarioError

_INTERRUPTED = "\ninterrupted: finished runs are saved; rerun the same command to resume"


# -- compare / demo ------------------------------------------------------------------------
def _fmt(m, lo, hi) -> str:
    if pd.isna(lo):
        return f"{m:.4g}"
    return f"{m:.4g} [{lo:.4g}, {hi:.4g}]"[:38]


def format_comparison(table: pd.DataFrame, outcomes: list[str]) -> str:
    """Side-by-side text table: means (95% CI) and paired differences vs the reference."""
    order = list(dict.fromkeys(table["scenario"]))
    ref = order[0]
    w0 = max(len(o) for o in outcomes) + 2
    w = 40
    lines = [
        f"{'outcome':<{w0}}" + "".join(f"{s:<{w}}" for s in order),
        f"{'':<{w0}}" + "".join(f"{'mean [95% CI]':<{w}}" for _ in order),
    ]
    t = table.set_index(["scenario", "outcome"])
    for o in outcomes:
        lines.append(
            f"{o:<{w0}}"
            + "".join(f"{_fmt(*t.loc[(s, o), ['mean', 'ci_low', 'ci_high']]):<{w}}" for s in order)
        )
        diffs = [
            ""
            if s == ref
            else "diff " + _fmt(*t.loc[(s, o), ["diff", "diff_ci_low", "diff_ci_high"]])
            for s in order
        ]
        lines.append(f"{'  vs ' + ref:<{w0}}" + "".join(f"{d:<{w}}" for d in diffs))
    return "\n".join(lines)


def _compare_and_print(scenarios, replications, days, workers, out, seed) -> int:
    start = time.perf_counter()
    try:
        folder, table, failed = run_compare(scenarios, replications, days, workers, out, seed)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(_INTERRUPTED, file=sys.stderr)
        return 130
    keys = key_columns(table["outcome"].unique())
    print(format_comparison(table, keys))
    from wingsim.experiments.report import write_report

    html = write_report(folder)
    print(
        f"\n{len(table['scenario'].unique())} scenarios x {replications} replications "
        f"(common seeds) in {time.perf_counter() - start:.1f} s; {failed} failed"
    )
    print(f"results: {folder}/comparison.csv, runs.parquet, timeseries.parquet; report: {html}")
    return 1 if failed else 0


def compare(args) -> int:
    seed = getattr(args, "seed", None)
    if getattr(args, "decompose", False):
        return _decompose(args, DEFAULT_SEED if seed is None else seed)
    return _compare_and_print(
        args.scenarios,
        args.replications,
        args.days,
        args.workers,
        args.out,
        DEFAULT_SEED if seed is None else seed,
    )


def _decompose(args, seed: int) -> int:
    """Regime versus resources: four scenarios from one, and the two parts of the difference."""
    if len(args.scenarios) != 1:
        print("--decompose takes one scenario (with a special unit)", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        paths = decomposition_scenarios(args.scenarios[0], out)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    status = _compare_and_print(
        [str(p) for p in paths], args.replications, args.days, args.workers, args.out, seed
    )
    runs = pd.read_parquet(out / "runs.parquet")
    table = decomposition(runs, key_columns(runs.columns))
    table.to_csv(out / "decomposition.csv", index=False)
    print("\nRegime versus resources (paired differences, 95% CI):")
    print(f"  {'outcome':<34} {'resources':<38} {'regime':<38} like for like")
    for _, r in table.iterrows():
        cells = [
            _fmt(r[part], r[f"{part}_ci_low"], r[f"{part}_ci_high"])
            for part in ("resources", "regime", "like_for_like")
        ]
        print(f"  {r['outcome']:<34} {cells[0]:<38} {cells[1]:<38} {cells[2]}")
    print(f"decomposition: {out}/decomposition.csv")
    return status


def demo(args) -> int:
    """The main job of ``make demo``; its folder is a fresh demonstration each time."""
    out = Path(args.out)
    if (out / "manifest.json").exists():
        print(f"replacing the previous demo output in {out}")
        shutil.rmtree(out)
    scenarios = demo_scenarios()
    seed = getattr(args, "seed", None)
    return _compare_and_print(
        scenarios,
        args.replications,
        args.days,
        args.workers,
        args.out,
        DEFAULT_SEED if seed is None else seed,
    )


# -- sweep ---------------------------------------------------------------------------------
def sweep(args) -> int:
    try:
        p, folder, store = prepare_sweep(args.experiment, args.out)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    exp = p.experiment
    print(
        f"{exp.name}: {exp.design} design, {len(p.table)} runs "
        f"({p.table['point'].nunique()} points x {exp.replications} replications) -> {folder}"
    )
    try:
        finished, failed = execute_plan(p, store, workers=args.workers, scheduler=args.scheduler)
    except KeyboardInterrupt:
        print(_INTERRUPTED, file=sys.stderr)
        return 130
    print(
        f"done: {finished - 0} runs on disk, {failed} failed"
        + (f" (see {folder}/failures/)" if failed else "")
    )
    print(
        f"next: wingsim analyze {folder}; DuckDB: SELECT * FROM read_parquet('{folder}/runs/"
        "*.parquet')"
    )
    return 1 if failed else 0


# -- analyze / report ----------------------------------------------------------------------
def analyze(args) -> int:
    from wingsim.experiments.folder_analysis import analyze_folder

    folder = Path(args.folder)
    try:
        written = analyze_folder(folder)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


def report(args) -> int:
    from wingsim.experiments.report import write_report

    try:
        path = write_report(Path(args.folder), Path(args.out) if args.out else None)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}")
    return 0
