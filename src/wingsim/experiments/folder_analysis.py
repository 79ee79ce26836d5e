"""Analysis of an experiment folder: read its design and runs, write tables and plots.

What is written follows the folder's design: a comparison table when it compares
scenarios, sensitivity indices for Sobol and Morris designs, per-parameter summaries for
grid and LHS sweeps. The statistics are :mod:`wingsim.experiments.analysis`; this module
only reads the folder and writes the results (``wingsim analyze`` calls it).

Only finished runs are analysed: a run whose status record says ``succeeded`` and whose
files match their checksums. Every table states how many runs were planned, finished and
failed (columns ``runs_planned``, ``runs_finished``, ``runs_failed`` per scenario), and
``analysis.json`` records the counts, the notes and a digest of the runs' state, so a
report can tell whether the runs changed since the analysis was made.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wingsim.experiments import analysis, plots
from wingsim.experiments.experiment_file import Experiment
from wingsim.experiments.store import (
    RunStore,
    StoreError,
    Verification,
    atomic_write_text,
    now,
    read_manifest,
    read_record,
    safe_name,
    wingsim_version,
)

ANALYSIS = "analysis.json"


class IncompleteDesign(StoreError):
    """Sensitivity indices asked for from a design whose runs are not all finished."""


@dataclass
class Analysis:
    """What an analysis wrote, from which runs, and what the reader must know."""

    folder: Path
    status: Verification
    per_scenario: pd.DataFrame  # scenario, runs_planned, runs_finished, runs_failed
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    partial: bool = False

    def record(self) -> dict:
        return {
            "time": now(),
            "wingsim_version": wingsim_version(),
            "runs_digest": self.status.digest,
            "complete": self.status.complete,
            "counts": self.status.counts(),
            "per_scenario": self.per_scenario.to_dict(orient="records"),
            "versions": self.status.versions,
            "files": [p.name for p in self.written],
            "notes": self.notes,
        }


def load_folder(folder: Path) -> tuple[dict, Experiment, pd.DataFrame, pd.DataFrame]:
    """(manifest, experiment, design table, runs table) of an experiment folder."""
    manifest, exp, design = read_folder(folder)
    runs = RunStore(folder, create=False).read_runs(status(folder, design))
    return manifest, exp, design, runs


def read_folder(folder: Path) -> tuple[dict, Experiment, pd.DataFrame]:
    """(manifest, experiment, design table), or a one-line :class:`StoreError`."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    try:
        data = read_record(folder / "experiment.json")
        exp = Experiment.model_validate(data)
    except FileNotFoundError:
        raise StoreError(f"{folder}: experiment.json is missing") from None
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"{folder}/experiment.json: damaged or unreadable ({str(exc).splitlines()[0][:80]})"
        ) from None
    try:
        if not (folder / "design.parquet").is_file():  # missing, or a pipe (never read)
            raise FileNotFoundError
        design = pd.read_parquet(folder / "design.parquet")
    except FileNotFoundError:
        raise StoreError(f"{folder}: design.parquet is missing") from None
    except Exception as exc:  # pyarrow raises its own error types for damaged files
        raise StoreError(
            f"{folder}/design.parquet: damaged or unreadable ({type(exc).__name__}); "
            "rerun the sweep command to rewrite it"
        ) from None
    if "run_id" not in design or "scenario" not in design:
        raise StoreError(f"{folder}/design.parquet: not a design table")
    return manifest, exp, design


def status(folder: Path, design: pd.DataFrame) -> Verification:
    """The verified state of every planned run of ``folder``."""
    return RunStore(folder, create=False).verify(design["run_id"])


def per_scenario_counts(design: pd.DataFrame, v: Verification) -> pd.DataFrame:
    """Planned, finished and failed runs of each scenario, in design order."""
    d = design[["run_id", "scenario"]]
    return (
        pd.DataFrame(
            {
                "scenario": d["scenario"],
                "runs_planned": 1,
                "runs_finished": d["run_id"].isin(v.succeeded).astype(int),
                "runs_failed": d["run_id"].isin(v.failed).astype(int),
            }
        )
        .groupby("scenario", sort=False)
        .sum()
        .reset_index()
    )


def _with_counts(table: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    return table.merge(counts, on="scenario", how="left")


def _write_csv(table: pd.DataFrame, path: Path) -> Path:
    atomic_write_text(path, table.to_csv(index=False))
    return path


def is_compare(manifest: dict, design: pd.DataFrame) -> bool:
    return manifest.get("kind") == "compare" or (
        design["scenario"].nunique() > 1 and not manifest.get("parameters")
    )


def analyze_folder(folder: Path, partial: bool = False, withhold: bool = False) -> Analysis:
    """Write the analysis of a folder's design from its finished runs.

    Tables of an incomplete folder are marked partial (``Analysis.partial``). Sobol and
    Morris indices need every run: an incomplete design raises :class:`IncompleteDesign`
    unless ``partial``, which computes them from the complete blocks or trajectories, or
    ``withhold``, which leaves them out and says why in the notes (the report does this).
    """
    folder = Path(folder)
    manifest, exp, design = read_folder(folder)
    v = status(folder, design)
    store = RunStore(folder, create=False)
    counts = per_scenario_counts(design, v)
    result = Analysis(folder, v, counts, partial=not v.complete)
    if not v.complete:
        result.notes.append(f"partial: {v.describe()}")
        missing = counts[counts["runs_finished"] == 0]["scenario"].tolist()
        if missing:
            result.notes.append(f"no finished runs yet for: {', '.join(missing)}")
    if v.damaged:
        result.notes.append(
            f"{len(v.damaged)} damaged run(s) left out (e.g. {next(iter(v.damaged.items()))[0]}: "
            f"{next(iter(v.damaged.values()))}); rerun the sweep to redo them"
        )
    if len(v.versions) > 1:
        result.notes.append(
            "runs were made by several wingsim versions: "
            + ", ".join(f"{k} ({n})" for k, n in sorted(v.versions.items()))
        )
    indices = exp.design in ("sobol", "morris")
    if indices and not v.complete and not partial:
        refusal = (
            f"{folder}: {v.describe()}; {exp.design} indices need every run of the design. "
            "Rerun the sweep to finish it, or pass --partial to compute them from the "
            + ("complete Saltelli blocks" if exp.design == "sobol" else "complete trajectories")
            + " only"
        )
        if not withhold:
            raise IncompleteDesign(refusal)
        result.notes.append(f"{exp.design} indices withheld: {v.describe()} (pass --partial)")
        indices = False
    runs = store.read_runs(v)
    if runs.empty:
        raise StoreError(f"{folder}: no finished runs yet ({v.describe()})")
    outcomes = analysis.outcome_columns(runs)
    shown = analysis.key_columns(outcomes)[:6] or outcomes[:6]
    params = manifest.get("parameters") or []
    written = result.written
    if is_compare(manifest, design):
        written += finish_comparison(folder, store, v, runs, counts)
    idx = None
    if indices:
        if exp.design == "sobol" and exp.samples & (exp.samples - 1):
            result.notes.append(
                f"sobol samples N = {exp.samples} is not a power of two: Saltelli's scheme "
                "loses its convergence properties, so treat the indices with caution"
            )
        try:
            idx = analysis.sensitivity_indices(exp, design, runs, outcomes, partial=partial)
        except ValueError as exc:
            if not withhold:
                raise IncompleteDesign(f"{folder}: {exc}") from None
            result.notes.append(f"{exp.design} indices withheld: {exc}")
    if idx is not None:
        if partial and (idx["points_used"] < idx["points_planned"]).any():
            used = idx.groupby("scenario", sort=False)[["points_used", "points_planned"]].first()
            result.notes.append(
                "indices from complete "
                + ("Saltelli blocks" if exp.design == "sobol" else "trajectories")
                + " only: "
                + ", ".join(
                    f"{s} {r.points_used} of {r.points_planned} points" for s, r in used.iterrows()
                )
            )
        written.append(_write_csv(_with_counts(idx, counts), folder / "sensitivity.csv"))
        plot = plots.sobol_plot if exp.design == "sobol" else plots.morris_plot
        written.append(plot(idx[idx["outcome"].isin(shown)], folder / "sensitivity.png"))
    elif params and exp.design == "grid":
        summ = analysis.grid_summary(params, runs, outcomes)
        written.append(_write_csv(_with_counts(summ, counts), folder / "parameter_summary.csv"))
        written.append(
            plots.grid_plot(summ[summ["outcome"].isin(shown)], folder / "parameter_summary.png")
        )
    elif params and exp.design == "lhs":
        summ = analysis.lhs_summary(params, runs, outcomes)
        written.append(_write_csv(_with_counts(summ, counts), folder / "parameter_summary.csv"))
        written.append(
            plots.lhs_plot(summ[summ["outcome"].isin(shown)], folder / "parameter_summary.png")
        )
    atomic_write_text(folder / ANALYSIS, json.dumps(result.record(), indent=2, default=str))
    written.append(folder / ANALYSIS)
    return result


def finish_comparison(
    folder: Path, store: RunStore, v: Verification, runs: pd.DataFrame, counts: pd.DataFrame
) -> list[Path]:
    """A comparison's consolidated files: runs, days, the comparison table and the plots."""
    written = []
    runs.to_parquet(folder / ".runs.parquet.tmp", index=False)
    (folder / ".runs.parquet.tmp").replace(folder / "runs.parquet")
    written.append(folder / "runs.parquet")
    ts = store.read_timeseries(v)
    if not ts.empty:
        ts.to_parquet(folder / ".timeseries.parquet.tmp", index=False)
        (folder / ".timeseries.parquet.tmp").replace(folder / "timeseries.parquet")
        written.append(folder / "timeseries.parquet")
    table = analysis.comparison(runs)
    written.append(_write_csv(_with_counts(table, counts), folder / "comparison.csv"))
    claims = analysis.regime_claims(runs, scenario_regimes(folder))
    if not claims.empty:
        written.append(_write_csv(claims, folder / "claims.csv"))
    keys = analysis.key_columns(runs.columns)
    if not ts.empty:
        daily = [k.split("_", 1)[1] for k in keys if k.startswith("mean_")][:9]
        written.append(plots.timeseries_plot(ts, runs, daily, folder / "timeseries.png"))
    ends = [f"end_{k.split('_', 1)[1]}" for k in keys if k.startswith("mean_")][:9]
    written.append(
        plots.distribution_plot(runs, [e for e in ends if e in runs], folder / "distributions.png")
    )
    return written


def scenario_regimes(folder: Path) -> dict[str, str]:
    """Each scenario label's regime type, from the copies in the folder's ``scenarios/``."""
    out = {}
    for label in read_manifest(folder).get("scenarios", {}):
        path = folder / "scenarios" / f"{safe_name(label)}.toml"
        try:
            out[label] = tomllib.loads(path.read_text()).get("regime", {}).get("type", "")
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return out


def last_analysis(folder: Path) -> dict | None:
    """``analysis.json`` of ``folder``, or None if there is none (or it is unreadable)."""
    try:
        data = read_record(Path(folder) / ANALYSIS)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def analysis_is_current(folder: Path) -> bool:
    """True if ``analysis.json`` was made from the runs as they are now."""
    last = last_analysis(folder)
    if last is None:
        return False
    _, _, design = read_folder(folder)
    return last.get("runs_digest") == status(folder, design).digest
