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
                d = (a - b).dropna()
                dn, dm, dlo, dhi = t_interval(d)
                row.update(reference=ref, diff_n=dn, diff=dm, diff_ci_low=dlo, diff_ci_high=dhi)
                row["share_above"] = float((d > 0).mean()) if len(d) else np.nan
            else:
                row.update(
                    reference=ref,
                    diff_n=np.nan,
                    diff=np.nan,
                    diff_ci_low=np.nan,
                    diff_ci_high=np.nan,
                    share_above=np.nan,
                )
            rows.append(row)
    return pd.DataFrame(rows)


def regime_claims(runs: pd.DataFrame, regimes: dict[str, str]) -> pd.DataFrame:
    """The paper's regime claims (Table 2 rows that compare two regimes) in a comparison.

    ``regimes`` maps each scenario label to its regime type; a claim is measured between
    the first scenario of each of its two regimes, paired by replication. ``share_holds``
    is the share of paired replications whose difference has the sign the paper expects:
    with ``--ensemble`` each replication is a posterior draw, so it is the share of the
    posterior (each draw with its run-to-run noise) in which the claim holds.
    """
    from wingsim.patterns import CLAIMS

    first: dict[str, str] = {}
    for label in dict.fromkeys(runs["scenario"]):
        first.setdefault(regimes.get(label, ""), label)
    rows = []
    for c in CLAIMS:
        if c.a not in first or c.b not in first or c.outcome not in runs:
            continue
        a, b = (runs[runs["scenario"] == first[r]].set_index("replication") for r in (c.a, c.b))
        xb, xa = b[c.outcome].align(a[c.outcome], join="inner")
        d = (xb - xa).dropna()
        n, m, lo, hi = t_interval(d)
        rows.append(
            {
                "claim": c.name,
                "words": c.words,
                "kind": c.kind,
                "outcome": c.outcome,
                "a": first[c.a],
                "b": first[c.b],
                "expected_sign": c.sign,
                "n": n,
                "diff": m,
                "diff_ci_low": lo,
                "diff_ci_high": hi,
                "holds_ci": bool(lo > 0 if c.sign > 0 else hi < 0),
                "share_holds": float((np.sign(d) == c.sign).mean()) if n else np.nan,
            }
        )
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


def block_size(exp: Experiment) -> int:
    """Rows of one Saltelli block (Sobol) or one trajectory (Morris) in the SALib sample."""
    d = len(exp.parameters)
    if exp.design == "sobol":
        return 2 * d + 2 if exp.second_order else d + 2
    return d + 1


def sensitivity_indices(
    exp: Experiment,
    design: pd.DataFrame,
    runs: pd.DataFrame,
    outcomes: list[str],
    partial: bool = False,
) -> pd.DataFrame:
    """Sobol (S1, ST) or Morris (mu, mu*, sigma) indices with CIs, per scenario and outcome.

    Outcomes are averaged over replications at each design point first. Every point needs
    a result; with ``partial`` the indices come from the complete Saltelli blocks (Sobol)
    or trajectories (Morris) only, and ``points_used`` says how many points that is.
    """
    problem = salib_problem(exp)
    keys = INDEX_COLUMNS[exp.design]
    size = block_size(exp)
    rows = []
    for scen, d in design.groupby("scenario", sort=False):
        r = runs[runs["scenario"] == scen]
        first = d[d["replication"] == d["replication"].min()].sort_values("point")
        planned = len(first)
        have = first["point"].isin(set(r["point"])).to_numpy()
        if not have.all():
            if not partial:
                _require_complete(r, planned, scen)
            blocks = first["sample"].to_numpy() // size
            whole = pd.Series(have).groupby(blocks).transform("all").to_numpy()
            first = first[whole]
            if first.empty:
                unit = "Saltelli block" if exp.design == "sobol" else "Morris trajectory"
                raise ValueError(
                    f"scenario {scen}: no complete {unit} of {size} points has results yet"
                )
        x = first[problem["names"]].to_numpy(dtype=float)
        points = first["point"].tolist()
        for o in outcomes:
            y = point_means(r, o).reindex(points).to_numpy(dtype=float)
            res = salib_analyze(exp, problem, x, y)
            for i, name in enumerate(problem["names"]):
                row = {"scenario": scen, "outcome": o, "parameter": name}
                row.update({k: res[k][i] for k in keys})
                row.update(points_used=len(points), points_planned=planned)
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
                with warnings.catch_warnings():  # a constant outcome: rho is nan, said so
                    warnings.simplefilter("ignore")
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
