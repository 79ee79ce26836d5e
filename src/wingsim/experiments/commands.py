"""CLI handlers: ``demo``, ``compare``, ``sweep``, ``analyze`` and ``report``.

``compare`` is a sweep with no parameters and several scenarios, so both share one
resumable execution path (:func:`execute_plan`) and one folder layout.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from wingsim import tomlout
from wingsim.experiments import analysis, plots
from wingsim.experiments.designs import Plan, plan
from wingsim.experiments.experiment_file import (
    Experiment,
    ExperimentError,
    load_experiment,
    validate_experiment,
)
from wingsim.experiments.runner import default_workers, executor_factory, run_specs
from wingsim.experiments.store import (
    RunStore,
    atomic_write_text,
    read_manifest,
    write_manifest,
)
from wingsim.outcomes import AGGREGATE, KEY_OUTCOMES
from wingsim.scenario import ScenarioError

DEFAULT_SEED = 20240601


def key_columns(columns) -> list[str]:
    """The summary columns of the key outcomes (run mean, or run total for counts)."""
    cols = [f"{'total' if AGGREGATE.get(k) == 'sum' else 'mean'}_{k}" for k in KEY_OUTCOMES]
    return [c for c in cols if c in set(columns)]


# -- execution ---------------------------------------------------------------------------
def prepare_folder(p: Plan, folder: Path, kind: str, source_text: str | None) -> RunStore:
    """Write the design and provenance first; refuse a folder holding another experiment."""
    folder.mkdir(parents=True, exist_ok=True)
    fp = p.fingerprint()
    if (folder / "manifest.json").exists():
        old = read_manifest(folder)
        if old.get("fingerprint") != fp:
            raise ExperimentError(
                str(folder),
                [
                    "this folder holds results of a different experiment "
                    f"(fingerprint {old.get('fingerprint')} != {fp}); choose another --out"
                ],
            )
    store = RunStore(folder)
    exp = p.experiment
    exp_dump = exp.model_dump(mode="json")
    exp_dump["scenarios"] = [str(Path(exp.base_dir, s).resolve()) for s in exp.scenarios]
    atomic_write_text(folder / "experiment.json", json.dumps(exp_dump, indent=2))
    atomic_write_text(folder / "experiment.toml", source_text or tomlout.dumps(exp_dump))
    scen_dir = folder / "scenarios"
    scen_dir.mkdir(exist_ok=True)
    for label, base in zip(p.labels, p.bases, strict=True):
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in label)
        atomic_write_text(scen_dir / f"{safe}.toml", tomlout.dumps(base.model_dump(mode="json")))
    design = p.design_table()
    design.to_csv(folder / ".design.csv.tmp", index=False)
    Path(folder / ".design.csv.tmp").replace(folder / "design.csv")
    design.to_parquet(folder / ".design.parquet.tmp", index=False)
    Path(folder / ".design.parquet.tmp").replace(folder / "design.parquet")
    seeds = sorted(set(design["seed"].tolist()), key=design["seed"].tolist().index)
    write_manifest(
        folder,
        {
            "kind": kind,
            "experiment": exp.name,
            "fingerprint": fp,
            "design": exp.design,
            "scenarios": dict(zip(p.labels, exp_dump["scenarios"], strict=True)),
            "parameters": p.parameters,
            "replications": exp.replications,
            "days": exp.days,
            "base_seed": exp.seed,
            "seeds": seeds,
            "runs": len(design),
            "reproduce": "wingsim run FOLDER/scenarios/<scenario>.toml --seed <seed> --days <days> "
            "(sweeps: apply the run's parameters from design.csv first)",
        },
    )
    return store


def execute_plan(
    p: Plan,
    store: RunStore,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    faults: dict[str, str] | None = None,
) -> tuple[int, int]:
    """Run every unfinished run of ``p`` into ``store``; return (finished, failed).

    ``faults`` (tests only) maps run ids to a :attr:`RunSpec.fault` to inject.
    """
    from tqdm import tqdm

    store.clean_temporaries()
    done = store.finished()
    total = len(p.table)
    todo = total - len(done & set(p.table["run_id"]))
    n = default_workers() if workers is None and not scheduler else (workers or 1)
    failed = 0
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    bar = tqdm(
        total=total,
        initial=total - todo,
        unit="run",
        disable=disable,
        desc=p.experiment.name,
        dynamic_ncols=True,
    )

    def on_result(result) -> None:
        nonlocal failed
        store.write(result)
        if not result.ok:
            failed += 1
            tqdm.write(f"run {result.run_id} failed: {result.error}", file=sys.stderr)
        bar.update(1)
        bar.set_postfix(failed=failed)

    def on_event(event: str, spec) -> None:
        tqdm.write(f"run {spec.run_id}: {event}; retrying", file=sys.stderr)

    with executor_factory(workers=n, scheduler=scheduler) as new_executor:
        specs = p.specs(skip=done)
        if faults:
            specs = (replace(s, fault=faults.get(s.run_id)) for s in specs)
        run_specs(
            specs,
            new_executor,
            on_result,
            max_in_flight=max(2, 2 * (n if not scheduler else 8)),
            on_event=on_event,
        )
    bar.close()
    return total - failed, failed


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


def finish_compare(folder: Path, store: RunStore) -> pd.DataFrame:
    """Consolidate runs and days, write comparison.csv and the plots; return the table."""
    runs = store.read_runs()
    runs.to_parquet(folder / "runs.parquet", index=False)
    ts = store.read_timeseries()
    if not ts.empty:
        ts.to_parquet(folder / "timeseries.parquet", index=False)
    table = analysis.comparison(runs)
    table.to_csv(folder / "comparison.csv", index=False)
    keys = key_columns(runs.columns)
    if not ts.empty:
        daily = [k.split("_", 1)[1] for k in keys if k.startswith("mean_")][:9]
        plots.timeseries_plot(ts, runs, daily, folder / "timeseries.png")
    ends = [f"end_{k.split('_', 1)[1]}" for k in keys if k.startswith("mean_")][:9]
    plots.distribution_plot(runs, [e for e in ends if e in runs], folder / "distributions.png")
    return table


def run_compare(
    scenarios: list[str],
    replications: int,
    days: int | None,
    workers: int | None,
    out: str,
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
) -> tuple[Path, pd.DataFrame, int]:
    from wingsim.scenario import load_scenario

    if days is None:
        days = load_scenario(scenarios[0]).run.days
    exp = validate_experiment(
        {
            "name": "compare",
            "question": "How do these scenarios differ in their outcomes?",
            "scenarios": [str(Path(s).resolve()) for s in scenarios],
            "design": "grid",
            "replications": replications,
            "days": days,
            "seed": seed,
            "timeseries": True,
        },
        "<compare command line>",
    )
    p = plan(exp)
    folder = Path(out)
    store = prepare_folder(p, folder, "compare", None)
    _, failed = execute_plan(p, store, workers=workers, progress=progress)
    return folder, finish_compare(folder, store), failed


def _compare_and_print(scenarios, replications, days, workers, out, seed) -> int:
    start = time.perf_counter()
    try:
        folder, table, failed = run_compare(scenarios, replications, days, workers, out, seed)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished runs are saved; rerun the same command to resume",
            file=sys.stderr,
        )
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
    return _compare_and_print(
        args.scenarios,
        args.replications,
        args.days,
        args.workers,
        args.out,
        DEFAULT_SEED if seed is None else seed,
    )


def demo(args) -> int:
    """The main job of ``make demo``; its folder is a fresh demonstration each time."""
    out = Path(args.out)
    if (out / "manifest.json").exists():
        print(f"replacing the previous demo output in {out}")
        shutil.rmtree(out)
    root = _scenario_dir()
    scenarios = [str(root / f"{r}.toml") for r in ("dispersal", "containment", "combination")]
    seed = getattr(args, "seed", None)
    return _compare_and_print(
        scenarios,
        args.replications,
        args.days,
        args.workers,
        args.out,
        DEFAULT_SEED if seed is None else seed,
    )


def _scenario_dir() -> Path:
    """``scenarios/`` of the checkout (or the current directory's, when installed)."""
    here = Path(__file__).resolve().parents[3] / "scenarios"
    return here if here.is_dir() else Path("scenarios")


# -- sweep ---------------------------------------------------------------------------------
def sweep(args) -> int:
    try:
        exp = load_experiment(args.experiment)
        p = plan(exp)
        folder = Path(args.out or f"runs/{exp.name}")
        store = prepare_folder(p, folder, "sweep", Path(args.experiment).read_text())
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(
        f"{exp.name}: {exp.design} design, {len(p.table)} runs "
        f"({p.table['point'].nunique()} points x {exp.replications} replications) -> {folder}"
    )
    try:
        finished, failed = execute_plan(p, store, workers=args.workers, scheduler=args.scheduler)
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished runs are saved; rerun the same command to resume",
            file=sys.stderr,
        )
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


# -- analyze -------------------------------------------------------------------------------
def load_folder(folder: Path) -> tuple[dict, Experiment, pd.DataFrame, pd.DataFrame]:
    """(manifest, experiment, design table, runs table) of an experiment folder."""
    manifest = read_manifest(folder)
    data = json.loads((folder / "experiment.json").read_text())
    exp = Experiment.model_validate(data)
    design = pd.read_parquet(folder / "design.parquet")
    runs = RunStore(folder).read_runs()
    return manifest, exp, design, runs


def analyze_folder(folder: Path) -> list[Path]:
    """Write the analysis of a folder's design; return the files written."""
    manifest, exp, design, runs = load_folder(folder)
    if runs.empty:
        raise ValueError(f"{folder}: no finished runs yet")
    outcomes = analysis.outcome_columns(runs)
    shown = key_columns(outcomes)[:6] or outcomes[:6]
    params = manifest.get("parameters") or []
    written: list[Path] = []
    if runs["scenario"].nunique() > 1 and runs["point"].nunique() == runs["scenario"].nunique():
        table = analysis.comparison(runs)
        table.to_csv(folder / "comparison.csv", index=False)
        written.append(folder / "comparison.csv")
        written.append(
            plots.distribution_plot(
                runs,
                [c for c in (f"end_{k.split('_', 1)[1]}" for k in shown) if c in runs][:6],
                folder / "distributions.png",
            )
        )
    if exp.design in ("sobol", "morris"):
        idx = analysis.sensitivity_indices(exp, design, runs, outcomes)
        idx.to_csv(folder / "sensitivity.csv", index=False)
        plot = plots.sobol_plot if exp.design == "sobol" else plots.morris_plot
        written += [
            folder / "sensitivity.csv",
            plot(idx[idx["outcome"].isin(shown)], folder / "sensitivity.png"),
        ]
    elif params and exp.design == "grid":
        summ = analysis.grid_summary(params, runs, outcomes)
        summ.to_csv(folder / "parameter_summary.csv", index=False)
        written += [
            folder / "parameter_summary.csv",
            plots.grid_plot(summ[summ["outcome"].isin(shown)], folder / "parameter_summary.png"),
        ]
    elif params:
        summ = analysis.lhs_summary(params, runs, outcomes)
        summ.to_csv(folder / "parameter_summary.csv", index=False)
        written += [
            folder / "parameter_summary.csv",
            plots.lhs_plot(summ[summ["outcome"].isin(shown)], folder / "parameter_summary.png"),
        ]
    return written


def analyze(args) -> int:
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
