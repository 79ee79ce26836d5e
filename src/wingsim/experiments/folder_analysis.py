"""Analysis of an experiment folder: read its design and runs, write tables and plots.

What is written follows the folder's design: a comparison table when it compares
scenarios, sensitivity indices for Sobol and Morris designs, per-parameter summaries for
grid and LHS sweeps. The statistics are :mod:`wingsim.experiments.analysis`; this module
only reads the folder and writes the results (``wingsim analyze`` calls it).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from wingsim.experiments import analysis, plots
from wingsim.experiments.experiment_file import Experiment
from wingsim.experiments.store import RunStore, read_manifest


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
    shown = analysis.key_columns(outcomes)[:6] or outcomes[:6]
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
