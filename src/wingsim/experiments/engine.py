"""The sweep engine: plan a comparison or sweep, run it resumably into a folder, finish it.

``compare`` is a sweep with no parameters and several scenarios, so both share one
resumable execution path (:func:`execute_plan`) and one folder layout: the design and its
provenance are written first (:func:`prepare_folder`), then each run streams into the
folder's :class:`~wingsim.experiments.store.RunStore`. The CLI handlers in
:mod:`wingsim.experiments.commands`, the robustness analysis and the benchmarks all call
these functions; none of them is an argparse handler.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from wingsim import tomlout
from wingsim.experiments import analysis
from wingsim.experiments.designs import Plan, plan
from wingsim.experiments.experiment_file import (
    ExperimentError,
    load_experiment,
    validate_experiment,
)
from wingsim.experiments.runner import default_workers, executor_factory, run_specs
from wingsim.experiments.stats import t_interval
from wingsim.experiments.store import (
    RunStore,
    atomic_write_text,
    read_manifest,
    write_manifest,
)
from wingsim.scenario import ScenarioError, load_scenario

DEFAULT_SEED = 20240601


# -- folder and execution ------------------------------------------------------------------
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


# -- compare ------------------------------------------------------------------------------
def finish_compare(folder: Path, store: RunStore) -> pd.DataFrame:
    """Consolidate runs and days, write comparison.csv and the plots; return the table."""
    from wingsim.experiments import plots  # matplotlib: only when there is something to plot

    runs = store.read_runs()
    runs.to_parquet(folder / "runs.parquet", index=False)
    ts = store.read_timeseries()
    if not ts.empty:
        ts.to_parquet(folder / "timeseries.parquet", index=False)
    table = analysis.comparison(runs)
    table.to_csv(folder / "comparison.csv", index=False)
    keys = analysis.key_columns(runs.columns)
    if not ts.empty:
        daily = [k.split("_", 1)[1] for k in keys if k.startswith("mean_")][:9]
        plots.timeseries_plot(ts, runs, daily, folder / "timeseries.png")
    ends = [f"end_{k.split('_', 1)[1]}" for k in keys if k.startswith("mean_")][:9]
    plots.distribution_plot(runs, [e for e in ends if e in runs], folder / "distributions.png")
    return table


def demo_scenarios() -> list[str]:
    """The demo's three regimes: the built-in scenarios (package data, found anywhere)."""
    from wingsim.builtin import SCENARIOS

    return [str(SCENARIOS / f"{r}.toml") for r in ("dispersal", "containment", "combination")]


def compare_plan(
    scenarios: list[str], replications: int, days: int | None, seed: int = DEFAULT_SEED
) -> Plan:
    """The plan of a comparison: every scenario, no parameters, common seeds.

    ``days`` defaults to the first scenario's ``run.days``.
    """
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
    return plan(exp)


def run_compare(
    scenarios: list[str],
    replications: int,
    days: int | None,
    workers: int | None,
    out: str,
    seed: int = DEFAULT_SEED,
    progress: bool | None = None,
) -> tuple[Path, pd.DataFrame, int]:
    """Run (or resume) a comparison into ``out``; return (folder, comparison table, failed)."""
    p = compare_plan(scenarios, replications, days, seed)
    folder = Path(out)
    store = prepare_folder(p, folder, "compare", None)
    _, failed = execute_plan(p, store, workers=workers, progress=progress)
    return folder, finish_compare(folder, store), failed


def prepare_sweep(
    experiment: str | Path, out: str | Path | None = None
) -> tuple[Plan, Path, RunStore]:
    """Load an experiment file, plan it and prepare its folder (default ``runs/<name>``)."""
    exp = load_experiment(experiment)
    p = plan(exp)
    folder = Path(out or f"runs/{exp.name}")
    store = prepare_folder(p, folder, "sweep", Path(experiment).read_text())
    return p, folder, store


#: The four scenarios of a decomposition, in run order (the first is the reference).
DECOMPOSITION = (
    ("dispersal", "dispersal: the wings only"),
    ("dispersal_plus_resources", "dispersal with the unit's places and posts on the wings"),
    ("containment_added", "the regime with the unit's places and posts added"),
    ("containment_like_for_like", "the regime with the unit's places and posts from the wings"),
)


def decomposition_scenarios(scenario: str | Path, folder: Path) -> list[Path]:
    """Write the four scenarios that separate a special unit's regime from its resources.

    From one scenario with a special unit (containment or combination): dispersal; dispersal
    given the unit's places and posts spread over the wings; the regime with the unit's
    resources added on top; the regime like for like (resources from the wings).
    """
    base = load_scenario(scenario)
    if base.regime.type == "dispersal":
        raise ScenarioError(str(scenario), ["--decompose needs a regime with a special unit"])
    places = base.establishment.special_unit_capacity
    posts = int(round(base.staff.special_unit_staff_ratio * places))
    dispersal = base.with_overrides({"regime.type": "dispersal"})
    variants = {
        "dispersal": dispersal,
        "dispersal_plus_resources": dispersal.with_overrides(
            {
                "establishment.extra_places": base.establishment.extra_places + places,
                "staff.extra_posts": base.staff.extra_posts + posts,
            }
        ),
        "containment_added": base.with_overrides({"regime.resources": "added"}),
        "containment_like_for_like": base.with_overrides({"regime.resources": "from_wings"}),
    }
    target = folder / "decomposition-scenarios"
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for (label, description), sc in zip(DECOMPOSITION, variants.values(), strict=True):
        data = sc.model_dump(mode="json")
        data.update(name=label, description=description)
        path = target / f"{label}.toml"
        atomic_write_text(path, tomlout.dumps(data))
        paths.append(path)
    return paths


def decomposition(runs: pd.DataFrame, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Regime versus resources, paired over replications, per outcome.

    ``resources`` = dispersal with the unit's resources - dispersal; ``regime`` = the
    regime with resources added - dispersal with the same resources; they sum to the
    whole difference a newly funded unit makes (``added_total``). ``like_for_like`` = the
    regime with resources from the wings - dispersal.
    """
    outcomes = outcomes or analysis.outcome_columns(runs)
    by = {s: runs[runs["scenario"] == s].set_index("replication") for s, _ in DECOMPOSITION}
    parts = {
        "resources": ("dispersal_plus_resources", "dispersal"),
        "regime": ("containment_added", "dispersal_plus_resources"),
        "added_total": ("containment_added", "dispersal"),
        "like_for_like": ("containment_like_for_like", "dispersal"),
    }
    rows = []
    for o in outcomes:
        row: dict = {"outcome": o}
        for part, (b, a) in parts.items():
            x, y = by[b][o].align(by[a][o], join="inner")
            n, m, lo, hi = t_interval(x - y)
            row.update({part: m, f"{part}_ci_low": lo, f"{part}_ci_high": hi, "n": n})
        rows.append(row)
    return pd.DataFrame(rows)
