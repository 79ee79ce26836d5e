"""Statistics of experiment results: CIs, paired differences and sensitivity indices.

Replications are independent runs, so a t-interval is the honest 95% CI for a mean.
Because replication ``i`` of every scenario shares its seed, scenario differences are
analysed *paired* (per replication), which removes the noise the scenarios share. The
interval itself is :func:`wingsim.experiments.stats.t_interval`.
Sobol and Morris indices come from SALib, mirroring :mod:`wingsim.experiments.designs`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from wingsim.experiments.designs import salib_problem
from wingsim.experiments.experiment_file import Experiment
from wingsim.experiments.stats import t_half_width, t_interval
from wingsim.outcomes import AGGREGATE, HEADCOUNTS, KEY_OUTCOMES

ID_COLUMNS = ("run_id", "scenario", "point", "replication", "seed", "days")


def outcome_columns(runs: pd.DataFrame) -> list[str]:
    """The summary outcome columns present in a runs table (headcounts included)."""
    return [
        c for c in runs.columns if c.split("_", 1)[0] in ("end", "mean", "total") or c in HEADCOUNTS
    ]


def key_columns(columns) -> list[str]:
    """The summary columns of the key outcomes (run mean, or run total for counts), then
    the headcounts an analyst counts (per year, per 1,000 prisoners, euros)."""
    cols = [f"{'total' if AGGREGATE.get(k) == 'sum' else 'mean'}_{k}" for k in KEY_OUTCOMES]
    return [c for c in [*cols, *HEADCOUNTS] if c in set(columns)]


def comparison(runs: pd.DataFrame, outcomes: list[str] | None = None) -> pd.DataFrame:
    """Per scenario and outcome: mean with 95% CI, and the paired difference vs the first.

    Scenarios are ordered as they first appear (design order: the first is the reference).
    Pairs are matched on replication (same seed); a replication missing in either scenario
    is left out of that pair's difference.
    """
    outcomes = outcomes or outcome_columns(runs)
    order = list(dict.fromkeys(runs["scenario"]))
    ref = order[0]
    by = {s: runs[runs["scenario"] == s].set_index("replication") for s in order}
    rows = []
    for s in order:
        for o in outcomes:
            n, m, lo, hi = t_interval(by[s][o])
            row = {"scenario": s, "outcome": o, "n": n, "mean": m, "ci_low": lo, "ci_high": hi}
            if s != ref:
                a, b = by[s][o].align(by[ref][o], join="inner")
                dn, dm, dlo, dhi = t_interval(a - b)
                row.update(reference=ref, diff_n=dn, diff=dm, diff_ci_low=dlo, diff_ci_high=dhi)
            else:
                row.update(
                    reference=ref,
                    diff_n=np.nan,
                    diff=np.nan,
                    diff_ci_low=np.nan,
                    diff_ci_high=np.nan,
                )
            rows.append(row)
    return pd.DataFrame(rows)


def timeseries_bands(ts: pd.DataFrame, runs: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per scenario and day: mean and 95% t-interval of a daily column across runs."""
    df = ts[["run_id", "day", column]].merge(runs[["run_id", "scenario"]], on="run_id")
    g = df.groupby(["scenario", "day"], sort=False)[column]
    out = g.agg(["mean", "std", "count"]).reset_index()
    half = t_half_width(out["std"], out["count"])
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def point_means(runs: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Mean over replications at each design point, in design order."""
    return runs.groupby("point", sort=True)[outcome].mean()


def _require_complete(runs: pd.DataFrame, n_points: int, scenario: str) -> None:
    have = runs["point"].nunique()
    if have != n_points:
        raise ValueError(
            f"scenario {scenario}: {have} of {n_points} design points have results; "
            "sensitivity indices need every point (rerun the sweep to complete it)"
        )


#: The indices each SALib analyser reports per parameter.
INDEX_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "sigma", "mu_star_conf"),
}


def salib_analyze(exp: Experiment, problem: dict, x: np.ndarray, y: np.ndarray) -> dict:
    """The experiment's SALib analyser on outcome ``y`` at design matrix ``x`` (warnings off).

    Sobol reads only ``y`` (Saltelli order); Morris needs ``x`` to find the trajectories.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if exp.design == "morris":
            from SALib.analyze import morris

            return morris.analyze(problem, x, y, num_levels=exp.levels, seed=exp.seed)
        from SALib.analyze import sobol

        return sobol.analyze(problem, y, calc_second_order=exp.second_order, seed=exp.seed)


def sensitivity_indices(
    exp: Experiment, design: pd.DataFrame, runs: pd.DataFrame, outcomes: list[str]
) -> pd.DataFrame:
    """Sobol (S1, ST) or Morris (mu, mu*, sigma) indices with CIs, per scenario and outcome.

    Outcomes are averaged over replications at each design point first.
    """
    problem = salib_problem(exp)
    keys = INDEX_COLUMNS[exp.design]
    rows = []
    for scen, d in design.groupby("scenario", sort=False):
        r = runs[runs["scenario"] == scen]
        first = d[d["replication"] == d["replication"].min()].sort_values("point")
        x = first[problem["names"]].to_numpy(dtype=float)
        points = first["point"].tolist()
        _require_complete(r, len(points), scen)
        for o in outcomes:
            y = point_means(r, o).reindex(points).to_numpy(dtype=float)
            res = salib_analyze(exp, problem, x, y)
            for i, name in enumerate(problem["names"]):
                row = {"scenario": scen, "outcome": o, "parameter": name}
                row.update({k: res[k][i] for k in keys})
                rows.append(row)
    return pd.DataFrame(rows)


def grid_summary(parameters: list[str], runs: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Per scenario, parameter and value: outcome mean and 95% CI over all runs there."""
    rows = []
    for scen, r in runs.groupby("scenario", sort=False):
        for p in parameters:
            for value, g in r.groupby(p, sort=True):
                for o in outcomes:
                    n, m, lo, hi = t_interval(g[o])
                    rows.append(
                        {
                            "scenario": scen,
                            "parameter": p,
                            "value": value,
                            "outcome": o,
                            "n": n,
                            "mean": m,
                            "ci_low": lo,
                            "ci_high": hi,
                        }
                    )
    return pd.DataFrame(rows)


def lhs_summary(parameters: list[str], runs: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """Per scenario, parameter and outcome: Spearman correlation with a Fisher-z 95% CI."""
    rows = []
    for scen, r in runs.groupby("scenario", sort=False):
        for p in parameters:
            for o in outcomes:
                ok = r[[p, o]].dropna()
                n = len(ok)
                rho = float(stats.spearmanr(ok[p], ok[o]).statistic) if n > 2 else float("nan")
                if n > 3 and np.isfinite(rho) and abs(rho) < 1:
                    z, half = np.arctanh(rho), 1.96 / np.sqrt(n - 3)
                    lo, hi = float(np.tanh(z - half)), float(np.tanh(z + half))
                else:
                    lo = hi = float("nan")
                rows.append(
                    {
                        "scenario": scen,
                        "parameter": p,
                        "outcome": o,
                        "n": n,
                        "spearman": rho,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
    return pd.DataFrame(rows)
