"""Scenario discovery: under which conditions does containment do better or worse than
dispersal, in people, incidents and euros?

The paper leaves the answer to circumstances ("each approach has its advantages and
disadvantages"). This module asks the model where those circumstances lie. A Latin
hypercube over the policy levers (staffing, training, fairness, time out of cell, the
unit's security, probation caseloads), each point with its own draw of the mechanism
parameters from a calibrated posterior, runs dispersal and containment on the same seed
and the same draw; the paired difference of each headcount outcome says which regime did
better there. PRIM (Friedman and Fisher's patient rule induction, in the EMA Workbench's
implementation) then finds the box of levers and parameters in which one regime does
better much more often than on average, with its coverage (the share of all such cases
the box holds) and density (the share of cases in the box that are such cases).

    python -m wingsim.validation.discovery experiments/discovery-prim.toml --workers 1
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from wingsim.experiments.designs import Plan, plan
from wingsim.experiments.engine import execute_plan, guarded, prepare_folder
from wingsim.experiments.experiment_file import ExperimentError, validate_experiment
from wingsim.validation.robustness import Range, Strict, read_config

REGIMES = ("dispersal", "containment")
ENSEMBLE_HELP = (
    "posterior (Parquet, from `wingsim calibrate`) whose draws give each point its "
    "mechanism parameters; replaces the file's `ensemble`"
)
#: Headcount outcomes (run totals or per year); lower is better for every one.
OUTCOMES = (
    "newly_radicalised_per_year",
    "total_reengagements",
    "total_terrorist_reoffences_expected",
    "incidents_per_1000_year",
    "cost_per_prisoner_year_eur",
)
WORDS = {
    "newly_radicalised_per_year": "people radicalised on the wings (per year)",
    "total_reengagements": "people re-engaging after release (run total)",
    "total_terrorist_reoffences_expected": "terrorist reoffences after release (expected, "
    "run total)",
    "incidents_per_1000_year": "incidents per 1,000 prisoners a year",
    "cost_per_prisoner_year_eur": "cost per prisoner-year (EUR)",
}


class FailedRuns(RuntimeError):
    """Some runs of the design failed; the finished ones are kept (rerun to retry)."""


class DiscoveryConfig(Strict):
    """A scenario-discovery file (``experiments/discovery-*.toml``)."""

    name: str = Field(min_length=1)
    question: str = ""
    description: str = ""
    samples: int = Field(ge=8, le=100_000, description="Latin hypercube points over the levers.")
    replications: int = Field(1, ge=1, le=100)
    days: int = Field(365, ge=1, le=36_500)
    seed: int = Field(ge=0, le=2**32 - 1)
    ensemble: str | None = Field(
        None, description="Posterior of the mechanism parameters (relative to this file)."
    )
    scenarios: dict[str, str] = Field(
        default_factory=lambda: {r: f"../scenarios/{r}.toml" for r in REGIMES}
    )
    overrides: dict[str, bool | int | float | str] = Field(default_factory=dict)
    levers: dict[str, Range] = Field(min_length=1)
    min_coverage: float = Field(
        0.5,
        ge=0.05,
        le=1.0,
        description="The box reported is the densest on PRIM's peeling trajectory that "
        "still holds at least this share of the cases (a usual choice in scenario discovery).",
    )


def load_config(path: str | Path, ensemble: str | None = None) -> tuple[DiscoveryConfig, object]:
    """Read a discovery file; raise ExperimentError naming the file and the key.

    ``ensemble`` (a posterior file, relative to the working folder) replaces the file's.
    """
    path = Path(path)
    source = str(path)
    cfg = read_config(path, DiscoveryConfig)
    if ensemble is not None:
        cfg.ensemble = str(Path(ensemble).resolve())
    if set(cfg.scenarios) != set(REGIMES):
        raise ExperimentError(source, [f"scenarios: give exactly {', '.join(REGIMES)}"])
    data = {
        "name": cfg.name,
        "question": cfg.question,
        "description": cfg.description,
        "scenarios": [cfg.scenarios[r] for r in REGIMES],
        "overrides": cfg.overrides,
        "design": "lhs",
        "parameters": {k: v.model_dump() for k, v in cfg.levers.items()},
        "samples": cfg.samples,
        "replications": cfg.replications,
        "days": cfg.days,
        "seed": cfg.seed,
        "outcomes": list(OUTCOMES),
    }
    if cfg.ensemble is not None:
        data["ensemble"] = cfg.ensemble
    return cfg, validate_experiment(data, source, path.parent)


def paired_differences(p: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (sample, replication): levers, drawn parameters, and for each outcome
    containment minus dispersal."""
    design = p.design_table()
    inputs = [*p.parameters, *p.drawn]
    d = design[["run_id", "scenario_index", "sample", "replication", "seed", *inputs]].merge(
        runs[["run_id", *OUTCOMES]], on="run_id"
    )
    by = {i: g.set_index(["sample", "replication"]) for i, g in d.groupby("scenario_index")}
    disp, cont = by[0], by[1]  # REGIMES order
    cont, disp = cont.align(disp, join="inner")
    if not (cont["seed"] == disp["seed"]).all():
        raise AssertionError("paired runs have different seeds")
    out = disp[inputs].copy()
    for o in OUTCOMES:
        out[f"dispersal:{o}"] = disp[o]
        out[o] = cont[o] - disp[o]
    return out.reset_index()


def _restrictions(box, inputs: list[str]) -> str:
    lims, first = box.box_lims[box._cur_box], box.box_lims[0]
    parts = []
    for name in inputs:
        lo, hi = lims[name]
        if (lo, hi) != (first[name][0], first[name][1]):
            parts.append(f"{name} in [{lo:.3g}, {hi:.3g}]")
    return "; ".join(parts) or "(whole space)"


def _prim():
    """The EMA Workbench's PRIM (an optional extra: ``pip install 'wingsim[discover]'``)."""
    try:
        with warnings.catch_warnings():  # it warns that its ipyparallel evaluator is absent
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise SystemExit(
            "scenario discovery needs the EMA Workbench: pip install 'wingsim[discover]'"
        ) from None
    return prim


def prim_boxes(diffs: pd.DataFrame, inputs: list[str], min_coverage: float) -> pd.DataFrame:
    """For each outcome and direction, PRIM's box where containment does better (or worse).

    ``cases`` is the share of points in that direction (ties count in neither). The box is
    the densest on the peeling trajectory with coverage at least ``min_coverage``.
    """
    prim = _prim()
    x = diffs[inputs].astype(float)
    rows = []
    for o in OUTCOMES:
        for direction, y in (("better", diffs[o] < 0), ("worse", diffs[o] > 0)):
            y = y.to_numpy()
            row = {"outcome": o, "direction": direction, "n": len(y), "cases": float(y.mean())}
            if y.sum() < 5 or y.all():
                row["box"] = f"no box: {int(y.sum())} of {len(y)} points"
                rows.append(row)
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                box = prim.Prim(x, y, peel_alpha=0.05, mass_min=0.05).find_box()
            traj = box.peeling_trajectory
            ok = traj[traj["coverage"] >= min_coverage]
            pick = int(ok["density"].idxmax()) if len(ok) else 0
            box.select(pick)
            t = traj.loc[pick]
            row.update(
                coverage=float(t["coverage"]),
                density=float(t["density"]),
                mass=float(t["mass"]),
                box=_restrictions(box, inputs),
            )
            rows.append(row)
    return pd.DataFrame(rows)


def markdown(boxes: pd.DataFrame) -> str:
    """The boxes as the Markdown table of docs/validation.md."""
    rows = [
        "| outcome | containment does | share of points | box (conditions) | coverage "
        "| density | mass |",
        "|---|---|---:|---|---:|---:|---:|",
    ]
    for _, r in boxes.iterrows():
        cells = [
            f"{r[k]:.2f}" if pd.notna(r.get(k)) else "-" for k in ("coverage", "density", "mass")
        ]
        rows.append(
            f"| {WORDS[r['outcome']]} | {r['direction']} | {r['cases']:.0%} | {r['box']} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(rows)


def plot_shares(diffs: pd.DataFrame, path: Path) -> Path:
    """Share of points where containment does better / worse, per outcome."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    better = [float((diffs[o] < 0).mean()) for o in OUTCOMES]
    worse = [float((diffs[o] > 0).mean()) for o in OUTCOMES]
    fig, ax = plt.subplots(figsize=(7, 3))
    ys = np.arange(len(OUTCOMES))
    ax.barh(ys, better, color="#2a9d8f", label="containment better")
    ax.barh(ys, worse, left=better, color="#e76f51", label="containment worse")
    ax.set_yticks(ys, [WORDS[o] for o in OUTCOMES], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of points (levers x posterior draws)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(folder: Path, cfg: DiscoveryConfig, boxes: pd.DataFrame, summary: dict) -> Path:
    """A self-contained HTML brief of the boxes (inline styles and figure, no scripts)."""
    import html

    from wingsim.experiments.report import CSS, embed_png, html_table

    e = html.escape
    shown = boxes.assign(outcome=boxes["outcome"].map(WORDS))
    drawn = ", ".join(summary["drawn"]) or "none (no posterior: the defaults)"
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>wingsim: {e(cfg.name)}"
        f"</title><style>{CSS}</style></head><body><h1>{e(cfg.name)}</h1>",
        f"<h2>The question</h2><p>{e(cfg.question or __doc__.splitlines()[0])}</p>",
        f"<p>{summary['points']} points of a Latin hypercube over the levers "
        f"({e(', '.join(summary['levers']))}), each with its own posterior draw of "
        f"{e(drawn)}; dispersal and containment on the same seed and draw, "
        f"{summary['days']} days. A point counts for <i>better</i> when containment's "
        "headcount is lower than dispersal's there, for <i>worse</i> when it is higher.</p>",
        "<h2>Where each conclusion holds (PRIM boxes)</h2>" + html_table(shown),
        f"<p class='note'>The box is the densest on PRIM's peeling trajectory that still "
        f"holds at least {cfg.min_coverage:.0%} of the points in its direction. "
        "<i>cases</i>: the share of all points in that direction; <i>coverage</i>: the share "
        "of them inside the box; <i>density</i>: the share of the box's points in that "
        "direction; <i>mass</i>: the share of all points inside the box. Cost is accounting: "
        "it follows from the unit's places and posts.</p>",
        f"<figure>{embed_png(folder / 'discovery-shares.png')}</figure>",
        "<p class='note'>For comparing regimes and levers, never for scoring real "
        "individuals.</p></body></html>",
    ]
    path = folder / "report.html"
    path.write_text("\n".join(parts))
    return path


def run(
    config: str | Path,
    out: str | Path | None = None,
    workers: int = 1,
    ensemble: str | None = None,
) -> dict:
    """Run (or resume) a discovery experiment and write its tables and figure."""
    cfg, exp = load_config(config, ensemble)
    p = plan(exp)
    folder = Path(out or f"runs/{cfg.name}")
    store = prepare_folder(p, folder, "discovery", Path(config).read_text())
    start = time.perf_counter()
    _, failed = execute_plan(p, store, workers=workers)
    seconds = time.perf_counter() - start
    if failed:
        raise FailedRuns(f"{failed} runs failed (see {folder}/failures); rerun to retry")
    return analyse(folder, cfg, p, seconds)


def analyse(folder: Path, cfg: DiscoveryConfig, p: Plan, seconds: float) -> dict:
    """Paired differences, PRIM boxes and the figure from a finished folder."""
    from wingsim.experiments.store import RunStore

    runs = RunStore(folder).read_runs()
    diffs = paired_differences(p, runs)
    inputs = [*p.parameters, *p.drawn]
    boxes = prim_boxes(diffs, inputs, cfg.min_coverage)
    diffs.to_csv(folder / "differences.csv", index=False)
    boxes.to_csv(folder / "boxes.csv", index=False)
    (folder / "boxes.md").write_text(markdown(boxes) + "\n")
    png = plot_shares(diffs, folder / "discovery-shares.png")
    summary = {
        "name": cfg.name,
        "points": int(len(diffs)),
        "runs": int(len(runs)),
        "days": p.experiment.days,
        "levers": p.parameters,
        "drawn": p.drawn,
        "seconds_this_invocation": round(seconds, 1),
    }
    (folder / "discovery.json").write_text(json.dumps(summary, indent=2))
    report = write_report(folder, cfg, boxes, summary)
    return {
        "summary": summary,
        "boxes": boxes,
        "differences": diffs,
        "figure": png,
        "report": report,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m wingsim.validation.discovery", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("config", type=Path, help="discovery TOML file")
    ap.add_argument("--out", type=Path, default=None, help="run folder (default runs/<name>)")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--ensemble", default=None, help=ENSEMBLE_HELP)
    return command(ap.parse_args(argv))


def command(args: argparse.Namespace) -> int:
    """Run a discovery file and print its boxes (``wingsim discover``); a refused input or
    a failure is one line, as for every wingsim command."""

    def body() -> int:
        try:
            res = run(args.config, args.out, args.workers, getattr(args, "ensemble", None))
        except FailedRuns as exc:
            print(f"wingsim discover: {exc}", file=sys.stderr)
            return 1
        s = res["summary"]
        print(
            f"{s['name']}: {s['points']} paired points, {s['runs']} runs, "
            f"{s['seconds_this_invocation']} s"
        )
        print(markdown(res["boxes"]))
        print(f"report: {res['report']}")
        return 0

    return guarded("discover", args.out, body)


if __name__ == "__main__":
    raise SystemExit(main())
