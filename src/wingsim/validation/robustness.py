"""Where the regime conclusions hold: global sensitivity of paired regime differences.

The paper's Table 2 compares regimes *at the same prison*. So every design point (a
SALib Morris or Sobol sample of the uncertain parameters) is run under dispersal,
containment and combination with the same seeds (common random numbers), and the
pattern is the paired difference ``regime - dispersal`` there. We report, per pattern,
the share of the sampled space where the difference has the paper's sign (and where its
95% CI excludes zero), SALib indices of the difference, and the parameters along which
the majority conclusion flips.

Execution reuses the experiments layer (design table, resumable per-run Parquet store,
serial/pool executors): the three regimes are the experiment's three scenarios, and
design sample ``k`` is the same parameter point in each.

Usage: ``python -m wingsim.validation.robustness FILE [--out DIR] [--workers W]
[--figures DIR]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy import stats

from wingsim.experiments.analysis import INDEX_COLUMNS, salib_analyze
from wingsim.experiments.designs import Plan, plan, salib_problem
from wingsim.experiments.engine import execute_plan, prepare_folder
from wingsim.experiments.experiment_file import Experiment, ExperimentError, validate_experiment
from wingsim.experiments.stats import t_half_width
from wingsim.patterns import Claim, claim
from wingsim.scenario import ScenarioError

REGIMES = ("dispersal", "containment", "combination")
REFERENCE = "dispersal"
CONTRASTS = ("containment", "combination")


@dataclass(frozen=True)
class Pattern:
    """One Table 2 claim: ``sign`` of (``contrast`` - dispersal) in ``outcome``."""

    contrast: str
    outcome: str
    sign: int
    claim: str

    @property
    def key(self) -> str:
        return f"{self.contrast}-dispersal:{self.outcome.removeprefix('mean_')}"


#: The Table 2 claims (``wingsim.patterns.CLAIMS``, containment column) mapped over the
#: parameter space, in the order of the result tables. Combination is read the same way
#: (it places the assessed high-risk prisoners on a unit), which is our reading, not a
#: claim the paper makes.
STUDIED = (
    "containment_trust",
    "containment_bonding",
    "containment_status",
    "containment_mainstream",
    "containment_us_vs_them",
    "containment_cost",
)


def _studied() -> tuple[Claim, ...]:
    claims = tuple(claim(n) for n in STUDIED)
    for c in claims:
        if (c.a, c.b) != (REFERENCE, "containment"):
            raise ValueError(f"{c.name}: not a containment-vs-dispersal claim")
    return claims


STUDIED_CLAIMS = _studied()
PATTERNS = tuple(Pattern(k, c.outcome, c.sign, c.words) for k in CONTRASTS for c in STUDIED_CLAIMS)
OUTCOMES = tuple(c.outcome for c in STUDIED_CLAIMS)


# -- configuration ---------------------------------------------------------------------------
class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Range(Strict):
    """A plausible range: narrower than the schema's, justified in the file."""

    min: float
    max: float


class RobustnessConfig(Strict):
    """A robustness experiment file (``experiments/robustness-*.toml``)."""

    name: str = Field(min_length=1)
    description: str = ""
    question: str = ""
    design: Literal["morris", "sobol"]
    samples: int = Field(ge=1, le=100_000, description="Morris trajectories r / Sobol N.")
    levels: int = Field(4, ge=2, le=100, description="Morris grid levels.")
    replications: int = Field(1, ge=1, le=1000)
    days: int = Field(365, ge=1, le=36_500)
    seed: int = Field(ge=0, le=2**32 - 1)
    scenarios: dict[str, str] = Field(
        default_factory=lambda: {r: f"../scenarios/{r}.toml" for r in REGIMES},
        description="Scenario file of each regime (relative to this file).",
    )
    overrides: dict[str, bool | int | float | str] = Field(default_factory=dict)
    parameters: dict[str, Range] = Field(min_length=2)


def _format(model: type[BaseModel], err: dict) -> str:
    where = ".".join(str(p) for p in err.get("loc", ())) or "<root>"
    if err["type"] == "extra_forbidden":
        known = (Range if len(err["loc"]) == 3 else model).model_fields
        return f"{where}: unknown key; known keys here: {', '.join(known)}"
    return f"{where}: {err['msg']} (got {err.get('input')!r})"


def read_config[M: BaseModel](path: str | Path, model: type[M]) -> M:
    """Read a TOML file into ``model`` (strict); raise ExperimentError naming the file and
    every bad key. Robustness and discovery files are read this way."""
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ExperimentError(source, ["file not found"]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExperimentError(source, [f"cannot read TOML: {exc}"]) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(source, [_format(model, e) for e in exc.errors()]) from None


def load_config(path: str | Path) -> tuple[RobustnessConfig, Experiment]:
    """Read a robustness TOML file; raise ExperimentError naming the file and key."""
    path = Path(path)
    source = str(path)
    cfg = read_config(path, RobustnessConfig)
    if set(cfg.scenarios) != set(REGIMES):
        raise ExperimentError(source, [f"scenarios: give exactly the regimes {', '.join(REGIMES)}"])
    exp = validate_experiment(
        {
            "name": cfg.name,
            "description": cfg.description,
            "question": cfg.question,
            "scenarios": [cfg.scenarios[r] for r in REGIMES],
            "overrides": cfg.overrides,
            "design": cfg.design,
            "parameters": {k: v.model_dump() for k, v in cfg.parameters.items()},
            "samples": cfg.samples,
            "levels": cfg.levels,
            "second_order": False,
            "replications": cfg.replications,
            "days": cfg.days,
            "seed": cfg.seed,
            "outcomes": list(OUTCOMES),
        },
        source,
        path.parent,
    )
    return cfg, exp


def regime_labels(p: Plan) -> dict[str, str]:
    """Scenario label -> regime type; refuses files whose regime is not the one named."""
    out = {lab: base.regime.type for lab, base in zip(p.labels, p.bases, strict=True)}
    if sorted(out.values()) != sorted(REGIMES):
        raise ExperimentError(
            p.experiment.source, [f"scenarios: regime types are {sorted(out.values())}"]
        )
    return out


# -- analysis ----------------------------------------------------------------------------------
def differences(design: pd.DataFrame, runs: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Long table of paired differences: one row per pattern, sample and replication.

    Pairs are matched on (design sample, replication), which share the seed by
    construction; a mismatch is an error, never silently averaged away.
    """
    params = [c for c in design.columns if "." in c]
    d = design[["run_id", "scenario", "sample", "replication", "seed", *params]].merge(
        runs[["run_id", *OUTCOMES]], on="run_id"
    )
    d["regime"] = d["scenario"].map(labels)
    by = {r: g.set_index(["sample", "replication"]) for r, g in d.groupby("regime")}
    ref = by[REFERENCE]
    rows = []
    for c in CONTRASTS:
        a, b = by[c].align(ref, join="inner")
        if not (a["seed"] == b["seed"]).all():
            raise AssertionError("paired runs have different seeds")
        for pat in (p for p in PATTERNS if p.contrast == c):
            part = b[["seed", *params]].copy()
            part["pattern"] = pat.key
            part["contrast"] = c
            part["outcome"] = pat.outcome
            part["reference"] = b[pat.outcome]
            part["value"] = a[pat.outcome]
            part["diff"] = a[pat.outcome] - b[pat.outcome]
            rows.append(part.reset_index())
    return pd.concat(rows, ignore_index=True)


def point_differences(diffs: pd.DataFrame) -> pd.DataFrame:
    """Mean paired difference at each design point, with its 95% t-interval."""
    params = [c for c in diffs.columns if "." in c]
    g = diffs.groupby(["pattern", "sample"], sort=True)
    out = g[params].first().join(g["diff"].agg(["count", "mean", "std"]))
    half = t_half_width(out["std"], out["count"])
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out.reset_index()


def shares(points: pd.DataFrame) -> pd.DataFrame:
    """Per pattern: share of design points where it holds, and where significantly so."""
    rows = []
    for pat in PATTERNS:
        p = points[points["pattern"] == pat.key]
        s = pat.sign
        sig = p["count"].min() > 1
        holds_sig = (p["ci_low"] > 0) if s > 0 else (p["ci_high"] < 0)
        opposite_sig = (p["ci_high"] < 0) if s > 0 else (p["ci_low"] > 0)
        rows.append(
            {
                "pattern": pat.key,
                "claim": pat.claim,
                "expected_sign": "+" if s > 0 else "-",
                "points": len(p),
                "replications": int(p["count"].min()),
                "share_holds": float((s * p["mean"] > 0).mean()),
                "share_significant": float(holds_sig.mean()) if sig else np.nan,
                "share_significant_opposite": float(opposite_sig.mean()) if sig else np.nan,
                "median_diff": float(p["mean"].median()),
                "q05_diff": float(p["mean"].quantile(0.05)),
                "q95_diff": float(p["mean"].quantile(0.95)),
            }
        )
    return pd.DataFrame(rows)


def sensitivity(exp: Experiment, points: pd.DataFrame) -> pd.DataFrame:
    """SALib indices of each pattern's point-mean difference (Morris mu*, or Sobol S1/ST)."""
    problem = salib_problem(exp)
    names = problem["names"]
    rows = []
    for pat in PATTERNS:
        p = points[points["pattern"] == pat.key].sort_values("sample")
        x = p[names].to_numpy(dtype=float)
        res = salib_analyze(exp, problem, x, p["mean"].to_numpy(dtype=float))
        cols = INDEX_COLUMNS[exp.design]
        for i, name in enumerate(names):
            rows.append(
                {"pattern": pat.key, "parameter": name, **{c: float(res[c][i]) for c in cols}}
            )
    out = pd.DataFrame(rows)
    key = "mu_star" if exp.design == "morris" else "ST"
    out["rank"] = out.groupby("pattern")[key].rank(ascending=False, method="first").astype(int)
    return out


def flips(
    points: pd.DataFrame, names: list[str], bins: int = 4, min_rho: float = 0.3
) -> pd.DataFrame:
    """Per pattern and parameter: does the majority conclusion change along the range?

    The parameter's sampled values are cut into ``bins`` equal-width bins; in each, the
    share of points where the pattern holds and the mean difference. ``flips`` is true
    when the majority conclusion differs between the lowest and the highest bin and the
    difference is monotonically associated with the parameter (|Spearman| >= ``min_rho``),
    so a noisy middle bin alone never counts; ``threshold`` is where the binned mean
    difference crosses zero (linear interpolation), and ``holds_when`` says on which side
    the paper's sign holds.
    """
    rows = []
    for pat in PATTERNS:
        p = points[points["pattern"] == pat.key]
        holds = pat.sign * p["mean"] > 0
        for n in names:
            v = p[n].astype(float)
            edges = np.linspace(v.min(), v.max(), bins + 1)
            idx = np.clip(np.digitize(v, edges[1:-1]), 0, bins - 1)
            tab = pd.DataFrame({"b": idx, "h": holds.to_numpy(), "d": p["mean"].to_numpy()})
            g = tab.groupby("b").agg(h=("h", "mean"), d=("d", "mean"))
            centres = (edges[:-1] + edges[1:])[g.index.to_numpy()] / 2
            rho = float(stats.spearmanr(v, p["mean"]).statistic) if v.nunique() > 1 else np.nan
            threshold, side = np.nan, ""
            s = pat.sign * g["d"].to_numpy()
            for i in range(len(s) - 1):
                if (s[i] > 0) != (s[i + 1] > 0):
                    t = s[i] / (s[i] - s[i + 1])
                    threshold = float(centres[i] + t * (centres[i + 1] - centres[i]))
                    side = "above" if s[i + 1] > 0 else "below"
                    break
            rows.append(
                {
                    "pattern": pat.key,
                    "parameter": n,
                    "spearman": rho,
                    "share_holds_low": float(g["h"].iloc[0]),
                    "share_holds_high": float(g["h"].iloc[-1]),
                    "min_bin_share": float(g["h"].min()),
                    "max_bin_share": float(g["h"].max()),
                    "flips": bool(
                        (g["h"].iloc[0] - 0.5) * (g["h"].iloc[-1] - 0.5) < 0 and abs(rho) >= min_rho
                    ),
                    "threshold": threshold,
                    "holds_when": side,
                }
            )
    return pd.DataFrame(rows)


# -- figures -------------------------------------------------------------------------------------
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _short(name: str) -> str:
    return name.split(".", 1)[1]


def plot_shares(table: pd.DataFrame, path: Path) -> Path:
    """Horizontal bars: share of the space where each pattern holds (and significantly)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["share_holds"], color="#9ecae1", label="holds (sign as in the paper)")
    if table["share_significant"].notna().any():
        ax.barh(y, table["share_significant"], color="#3182bd", label="holds, 95% CI excludes 0")
        ax.barh(
            y,
            -table["share_significant_opposite"],
            color="#de2d26",
            label="opposite sign, 95% CI excludes 0",
        )
    ax.axvline(0.5, color="grey", lw=0.8, ls=":")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, table["pattern"], fontsize=8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("share of sampled parameter space (negative bars: opposite sign)", fontsize=8)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_indices(idx: pd.DataFrame, design: str, path: Path) -> Path:
    """Morris: heat map of mu* (scaled per pattern). Sobol: S1 and ST bars with 95% CIs."""
    plt = _plt()
    pats = list(dict.fromkeys(idx["pattern"]))
    params = list(dict.fromkeys(idx["parameter"]))
    if design == "morris":
        m = idx.pivot(index="pattern", columns="parameter", values="mu_star").loc[pats, params]
        scaled = m.div(m.max(axis=1), axis=0)
        fig, ax = plt.subplots(figsize=(0.55 * len(params) + 3.5, 0.35 * len(pats) + 2))
        im = ax.imshow(scaled.to_numpy(), cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ranks = idx.pivot(index="pattern", columns="parameter", values="rank").loc[pats, params]
        for i in range(len(pats)):
            for j in range(len(params)):
                ax.text(j, i, int(ranks.iloc[i, j]), ha="center", va="center", fontsize=6)
        ax.set_xticks(
            range(len(params)), [_short(p) for p in params], rotation=60, ha="right", fontsize=7
        )
        ax.set_yticks(range(len(pats)), pats, fontsize=7)
        fig.colorbar(im, ax=ax, label="mu* / largest mu* of the pattern (number: rank)")
        ax.set_title("Morris screening of the paired regime differences", fontsize=9)
    else:
        fig, axes = plt.subplots(
            int(np.ceil(len(pats) / 3)),
            3,
            figsize=(12, 2.2 * np.ceil(len(pats) / 3)),
            squeeze=False,
        )
        x = np.arange(len(params))
        for ax, pat in zip(axes.flat, pats, strict=False):
            d = idx[idx["pattern"] == pat].set_index("parameter").loc[params]
            ax.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"], label="S1", color="#9ecae1")
            ax.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"], label="ST", color="#3182bd")
            ax.set_xticks(x, [_short(p) for p in params], rotation=30, ha="right", fontsize=7)
            ax.set_title(pat, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.axhline(0, color="black", lw=0.6)
        for ax in axes.flat[len(pats) :]:
            ax.set_visible(False)
        axes.flat[0].legend(fontsize=7)
        fig.suptitle("Sobol indices of the paired regime differences (95% CI)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_scatter(points: pd.DataFrame, idx: pd.DataFrame, design: str, path: Path) -> Path:
    """Each pattern's difference against its most influential parameter."""
    plt = _plt()
    pats = list(dict.fromkeys(idx["pattern"]))
    key = "mu_star" if design == "morris" else "ST"
    fig, axes = plt.subplots(
        int(np.ceil(len(pats) / 4)), 4, figsize=(14, 2.6 * np.ceil(len(pats) / 4)), squeeze=False
    )
    sign = {p.key: p.sign for p in PATTERNS}
    for ax, pat in zip(axes.flat, pats, strict=False):
        top = idx[idx["pattern"] == pat].sort_values(key, ascending=False)["parameter"].iloc[0]
        p = points[points["pattern"] == pat]
        ok = sign[pat] * p["mean"] > 0
        ax.scatter(p.loc[ok, top], p.loc[ok, "mean"], s=8, color="#3182bd", label="holds")
        ax.scatter(p.loc[~ok, top], p.loc[~ok, "mean"], s=8, color="#de2d26", label="does not")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(pat, fontsize=8)
        ax.set_xlabel(top, fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in axes.flat[len(pats) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Paired difference (regime - dispersal) against the top parameter", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return path


# -- driver --------------------------------------------------------------------------------------
def run(
    config: str | Path,
    out: str | Path | None = None,
    workers: int = 1,
    progress: bool | None = None,
) -> dict:
    """Run (or resume) a robustness experiment and write its tables and figures."""
    cfg, exp = load_config(config)
    p = plan(exp)
    labels = regime_labels(p)
    folder = Path(out or f"runs/{cfg.name}")
    store = prepare_folder(p, folder, "robustness", Path(config).read_text())
    start = time.perf_counter()
    _, failed = execute_plan(p, store, workers=workers, progress=progress)
    seconds = time.perf_counter() - start
    if failed:
        raise RuntimeError(f"{failed} runs failed (see {folder}/failures); rerun to retry")
    return analyse(folder, exp, p, labels, seconds)


def analyse(folder: Path, exp: Experiment, p: Plan, labels: dict[str, str], seconds: float):
    """Differences, shares, indices, flips and figures from a finished folder."""
    from wingsim.experiments.store import RunStore

    design = p.design_table()
    runs = RunStore(folder).read_runs()
    diffs = differences(design, runs, labels)
    points = point_differences(diffs)
    share = shares(points)
    idx = sensitivity(exp, points)
    flip = flips(points, p.parameters, bins=exp.levels if exp.design == "morris" else 4)
    name = exp.name
    files = {
        "differences": folder / "differences.csv",
        "shares": folder / f"{name}-shares.csv",
        "indices": folder / f"{name}-indices.csv",
        "flips": folder / f"{name}-flips.csv",
    }
    diffs.to_csv(files["differences"], index=False)
    share.to_csv(files["shares"], index=False)
    idx.to_csv(files["indices"], index=False)
    flip.to_csv(files["flips"], index=False)
    files["shares_png"] = plot_shares(share, folder / f"{name}-shares.png")
    files["indices_png"] = plot_indices(idx, exp.design, folder / f"{name}-indices.png")
    files["scatter_png"] = plot_scatter(points, idx, exp.design, folder / f"{name}-scatter.png")
    summary = {
        "name": name,
        "design": exp.design,
        "points": int(points["sample"].nunique()),
        "runs": len(runs),
        "replications": exp.replications,
        "days": exp.days,
        "seconds_this_invocation": round(seconds, 1),
        "files": {k: str(v) for k, v in files.items()},
    }
    (folder / "robustness.json").write_text(json.dumps(summary, indent=2))
    return {"summary": summary, "shares": share, "indices": idx, "flips": flip, "files": files}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m wingsim.validation.robustness", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("config", type=Path, help="robustness experiment TOML file")
    ap.add_argument("--out", type=Path, default=None, help="run folder (default runs/<name>)")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument(
        "--figures", type=Path, default=None, help="also copy summary CSV/PNG files here"
    )
    args = ap.parse_args(argv)
    try:
        res = run(args.config, args.out, args.workers)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: finished runs are saved; rerun to resume", file=sys.stderr)
        return 130
    s = res["summary"]
    print(f"{s['name']}: {s['points']} points, {s['runs']} runs, {s['seconds_this_invocation']} s")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(res["shares"].drop(columns=["claim"]).round(3).to_string(index=False))
        key = "mu_star" if s["design"] == "morris" else "ST"
        top = res["indices"][res["indices"]["rank"] <= 3].sort_values(["pattern", "rank"])
        print(top[["pattern", "parameter", key, "rank"]].round(4).to_string(index=False))
        fl = res["flips"][res["flips"]["flips"]]
        print(fl.round(3).to_string(index=False) if len(fl) else "no flips")
    if args.figures:
        args.figures.mkdir(parents=True, exist_ok=True)
        for k, path in res["files"].items():
            if k != "differences":
                shutil.copy(path, args.figures / path.name)
        print(f"copied summaries to {args.figures}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
