"""PNG plots of comparisons and sweeps (matplotlib, Agg: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from wingsim.experiments.analysis import timeseries_bands  # noqa: E402


def _save(fig, path: Path) -> Path:
    """Lay out, write and close a figure (figures are many in a sweep: free each one)."""
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _grid(n: int, width: float = 4.2, height: float = 2.8):
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def timeseries_plot(ts: pd.DataFrame, runs: pd.DataFrame, columns: list[str], path: Path) -> Path:
    """Daily mean of each column per scenario, with its 95% confidence band."""
    fig, axes = _grid(len(columns))
    for ax, col in zip(axes, columns, strict=False):
        bands = timeseries_bands(ts, runs, col)
        for scen, b in bands.groupby("scenario", sort=False):
            ax.plot(b["day"], b["mean"], label=scen, lw=1.2)
            ax.fill_between(b["day"], b["ci_low"], b["ci_high"], alpha=0.25)
        ax.set_title(col.replace("_", " "), fontsize=9)
        ax.set_xlabel("day", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    fig.suptitle("Daily outcomes: mean and 95% CI across replications", fontsize=10)
    return _save(fig, path)


def distribution_plot(runs: pd.DataFrame, outcomes: list[str], path: Path) -> Path:
    """End-of-run outcome distributions per regime (box plot with every run as a dot)."""
    order = list(dict.fromkeys(runs["scenario"]))
    fig, axes = _grid(len(outcomes))
    rng = np.random.default_rng(0)  # jitter only; never touches results
    for ax, col in zip(axes, outcomes, strict=False):
        data = [runs.loc[runs["scenario"] == s, col].dropna().to_numpy() for s in order]
        ax.boxplot(data, tick_labels=order, showfliers=False)
        for i, d in enumerate(data, start=1):
            ax.plot(i + rng.uniform(-0.12, 0.12, d.shape[0]), d, ".", ms=3, alpha=0.6)
        ax.set_title(col.replace("_", " "), fontsize=9)
        ax.tick_params(labelsize=7)
    fig.suptitle("End-of-run outcomes per scenario (one dot per replication)", fontsize=10)
    return _save(fig, path)


def sobol_plot(indices: pd.DataFrame, path: Path) -> Path:
    """First-order and total indices with 95% CIs, one panel per scenario x outcome."""
    panels = list(indices.groupby(["scenario", "outcome"], sort=False))
    fig, axes = _grid(len(panels))
    for ax, ((scen, out), d) in zip(axes, panels, strict=False):
        y = np.arange(len(d))
        ax.barh(y - 0.2, d["S1"], 0.4, xerr=d["S1_conf"], label="S1 (first order)")
        ax.barh(y + 0.2, d["ST"], 0.4, xerr=d["ST_conf"], label="ST (total)")
        ax.set_yticks(y, d["parameter"], fontsize=7)
        ax.set_title(f"{scen}: {out}", fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return _save(fig, path)


def morris_plot(indices: pd.DataFrame, path: Path) -> Path:
    """mu* (with CI) against sigma: influential (right) and non-linear/interacting (up)."""
    panels = list(indices.groupby(["scenario", "outcome"], sort=False))
    fig, axes = _grid(len(panels))
    for ax, ((scen, out), d) in zip(axes, panels, strict=False):
        ax.errorbar(d["mu_star"], d["sigma"], xerr=d["mu_star_conf"], fmt="o", ms=4)
        for _, r in d.iterrows():
            ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=6)
        ax.set_xlabel("mu*", fontsize=8)
        ax.set_ylabel("sigma", fontsize=8)
        ax.set_title(f"{scen}: {out}", fontsize=8)
        ax.tick_params(labelsize=7)
    return _save(fig, path)


def grid_plot(summary: pd.DataFrame, path: Path) -> Path:
    """Outcome mean (95% CI) against each parameter's value, per scenario."""
    panels = list(summary.groupby(["parameter", "outcome"], sort=False))
    fig, axes = _grid(len(panels))
    for ax, ((param, out), d) in zip(axes, panels, strict=False):
        for scen, s in d.groupby("scenario", sort=False):
            x = np.arange(len(s)) if s["value"].dtype == object else s["value"]
            ax.errorbar(
                x,
                s["mean"],
                yerr=[s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]],
                fmt="o-",
                ms=3,
                capsize=2,
                label=scen,
            )
            if s["value"].dtype == object:
                ax.set_xticks(x, s["value"], fontsize=7)
        ax.set_xlabel(param, fontsize=8)
        ax.set_title(out, fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    return _save(fig, path)


def lhs_plot(summary: pd.DataFrame, path: Path) -> Path:
    """Spearman correlation (95% CI) of each parameter with each outcome."""
    panels = list(summary.groupby(["scenario", "outcome"], sort=False))
    fig, axes = _grid(len(panels))
    for ax, ((scen, out), d) in zip(axes, panels, strict=False):
        y = np.arange(len(d))
        ax.barh(y, d["spearman"], xerr=[d["spearman"] - d["ci_low"], d["ci_high"] - d["spearman"]])
        ax.set_yticks(y, d["parameter"], fontsize=7)
        ax.axvline(0, color="k", lw=0.5)
        ax.set_xlim(-1, 1)
        ax.set_title(f"{scen}: {out}", fontsize=8)
    return _save(fig, path)


def forest_plot(table: pd.DataFrame, outcomes: list[str], path: Path) -> Path:
    """Paired differences from the reference scenario, with 95% CIs: one panel per outcome."""
    rows = table[table["outcome"].isin(outcomes) & table["diff"].notna()]
    fig, axes = _grid(len(outcomes), width=4.0, height=0.5 + 0.45 * rows["scenario"].nunique())
    for ax, col in zip(axes, outcomes, strict=False):
        r = rows[rows["outcome"] == col]
        y = np.arange(len(r))[::-1]
        err = np.vstack([r["diff"] - r["diff_ci_low"], r["diff_ci_high"] - r["diff"]])
        ax.errorbar(r["diff"], y, xerr=np.nan_to_num(err), fmt="o", ms=4, capsize=3)
        ax.axvline(0.0, color="grey", lw=0.8)
        ax.set_yticks(y, r["scenario"], fontsize=7)
        ax.set_title(col.replace("_", " "), fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
    ref = rows["reference"].iloc[0] if len(rows) else ""
    fig.suptitle(f"Difference from {ref} (paired over replications, 95% CI)", fontsize=10)
    return _save(fig, path)
