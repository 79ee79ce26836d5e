"""Run one replication and write its files: reusable by the CLI, experiments and notebooks.

A run folder holds ``timeseries.parquet`` (one row per day, every outcome column),
``summary.json`` (the resolved scenario, seed, days, version, end-of-run and run-mean
outcomes, wall time) and ``outcomes.png`` (the key outcomes over time). Keeping the
writer here means every entry point produces the same files with the same columns.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wingsim import __version__, outcomes
from wingsim.model import WingModel
from wingsim.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
PLOT = "outcomes.png"

#: Readable panel titles and y-axis units for the key outcomes (plot and CLI table).
LABELS: dict[str, tuple[str, str]] = {
    "trust_in_staff_veo": ("Trust in staff (VEOs)", "mean, 0-1"),
    "bonding_veo": ("Bonding among VEOs", "tie strength per VEO"),
    "us_vs_them": ("'Us versus them' (VEO + at-risk)", "mean, 0-1"),
    "status_share_veo": ("VEOs' share of status", "share, 0-1"),
    "extremism_mainstream": ("Extremism, mainstream", "mean, 0-1"),
    "extremism_veo": ("Extremism, VEOs", "mean, 0-1"),
    "newly_radicalised": ("Newly radicalised (cumulative)", "prisoners"),
    "incidents": ("Incidents (cumulative)", "incidents"),
    "labelled_share": ("Labelled as risk", "share of prisoners"),
    "false_positive_rate": ("False positive rate", "share of not-at-risk"),
    "cost": ("Cost per day", "officer-day equivalents"),
    "special_unit_population": ("Special unit population", "prisoners"),
}

#: Panels of ``outcomes.png``: the key outcomes plus special-unit occupancy (regime context).
PLOT_COLUMNS = (*outcomes.KEY_OUTCOMES, "special_unit_population")

ProgressCallback = Callable[[WingModel], None]


def run_scenario(
    scenario: Scenario,
    seed: int | None = None,
    days: int | None = None,
    progress: bool = False,
    on_day: ProgressCallback | None = None,
) -> WingModel:
    """Run one replication: build a model and step it day by day; return the model.

    The project's one way to run a replication: ``wingsim run``, every run of a sweep or
    comparison (:func:`wingsim.experiments.runner.simulate`) and the Table 2 checks
    (:func:`wingsim.patterns.replicate`) all come here. ``seed`` and ``days`` default to
    the scenario's ``run`` section. ``progress`` shows a tqdm bar (on stderr); ``on_day``
    is called with the model after every day (so a bar or a dashboard can follow along).
    """
    seed = scenario.run.seed if seed is None else seed
    days = scenario.run.days if days is None else days
    model = WingModel(scenario, rng=seed)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=days, desc=scenario.name, unit="day", leave=False)
    try:
        for _ in range(days):
            model.step()
            if bar is not None:
                bar.update(1)
            if on_day is not None:
                on_day(model)
    finally:
        if bar is not None:
            bar.close()
    return model


def _json_safe(value: Any) -> Any:
    """NaN/inf become null: strict JSON readers (browsers, jq, DuckDB) reject NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def summary_dict(model: WingModel, wall_time: float | None = None) -> dict[str, Any]:
    """What ``summary.json`` holds: enough to reproduce the run and read its results."""
    df = model.datacollector.get_model_vars_dataframe()
    return _json_safe(
        {
            "scenario": model.config.model_dump(mode="json"),
            "seed": int(model.seed),
            "days": int(model.day),
            "version": __version__,
            "key_outcomes": list(outcomes.KEY_OUTCOMES),
            "outcomes": outcomes.summarise(df),
            "wall_time_seconds": wall_time,
        }
    )


def write_timeseries(model: WingModel, path: str | Path) -> pd.DataFrame:
    """One row per day (day 0 = initial state) plus ``scenario`` and ``seed`` columns.

    The two identity columns let DuckDB query many run folders at once with a glob.
    """
    df = model.datacollector.get_model_vars_dataframe().copy()
    df["scenario"] = model.config.name
    df["seed"] = int(model.seed)
    df.to_parquet(path, engine="pyarrow", index=False)
    return df


def plot_outcomes(df: pd.DataFrame, path: str | Path, title: str | None = None) -> None:
    """A grid of small panels, one per key outcome over days; counts shown cumulatively.

    Uses a bare ``Figure`` (Agg canvas), so it never needs a display or touches pyplot
    state, which keeps it safe in worker processes and servers.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    cols = [c for c in PLOT_COLUMNS if c in df]
    ncols = 4
    nrows = max(1, math.ceil(len(cols) / ncols))
    fig = Figure(figsize=(4.0 * ncols, 2.8 * nrows))
    # Fixed margins: a layout engine would cost a second per plot for the same result.
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.07, top=0.9, wspace=0.3, hspace=0.55)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    days = df["day"]
    for ax, col in zip(axes, cols, strict=False):
        series = df[col]
        if outcomes.AGGREGATE.get(col) == "sum":
            series = series.cumsum()
        if series.dtype.kind in "iu" or outcomes.AGGREGATE.get(col) == "sum":
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        label, unit = LABELS.get(col, (col, ""))
        ax.plot(days, series, color="tab:blue", linewidth=1.4)
        ax.set_title(label, fontsize=10)
        ax.set_ylabel(unit, fontsize=8)
        ax.set_xlabel("day", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    for ax in axes[len(cols) :]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=12)
    fig.savefig(path, dpi=110)


#: The files of a run folder (``outcomes.png`` may be absent): what ``write_run`` replaces.
RUN_FILES = (TIMESERIES, SUMMARY, PLOT)


class NotARunFolder(FileExistsError):
    """``out_dir`` exists and is not a folder."""


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (signal 0; one we may not signal exists too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _clean_stale(folder: Path, pattern: str) -> None:
    """Remove temporary folders left by a ``wingsim run`` that was killed (``*-PID``)."""
    for p in folder.glob(pattern):
        pid = p.name.rpartition("-")[2]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def check_run_folder(out_dir: str | Path) -> None:
    """Raise :class:`NotARunFolder` now if ``out_dir`` exists and is not a folder."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotARunFolder("it exists and is not a folder")


def _only_a_run(out: Path) -> bool:
    """True if ``out`` is missing, empty, or holds nothing but a run's files."""
    return not out.exists() or {p.name for p in out.iterdir()} <= set(RUN_FILES)


def write_run(model: WingModel, out_dir: str | Path, wall_time: float | None = None) -> dict:
    """Write the three run files into ``out_dir`` and return the summary dict.

    All or nothing: the files are written into a temporary folder first. A new folder, or
    one holding only a previous run, is then replaced by renaming, so it holds one whole
    run or none even if the process is killed while writing. A folder that holds other
    files too keeps them: the previous ``summary.json`` is removed first and the new one
    moved in last, so a ``summary.json`` always belongs to the files beside it.
    """
    out = Path(out_dir)
    check_run_folder(out)
    whole = _only_a_run(out)
    if whole:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale(out.parent, f".{out.name}.tmp-*")
        _clean_stale(out.parent, f".{out.name}.old-*")
        tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    else:
        _clean_stale(out, ".run.tmp-*")
        tmp = out / f".run.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        df = write_timeseries(model, tmp / TIMESERIES)
        summary = summary_dict(model, wall_time)
        (tmp / SUMMARY).write_text(json.dumps(summary, indent=2, allow_nan=False) + "\n")
        title = f"{model.config.name} (seed {model.seed}, {model.day} days)"
        plot_outcomes(df, tmp / PLOT, title=title)
        if whole:
            _replace_folder(tmp, out)
        else:
            _move_files(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


def _replace_folder(tmp: Path, out: Path) -> None:
    """Put the finished folder ``tmp`` at ``out``: a reader sees one whole run or none."""
    if out.is_dir() and any(out.iterdir()):  # a previous run: swap it out, then remove it
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)  # new, or onto an empty folder


def _move_files(tmp: Path, out: Path) -> None:
    """Into a folder shared with other files: the summary goes first and comes back last."""
    (out / SUMMARY).unlink(missing_ok=True)
    (out / PLOT).unlink(missing_ok=True)
    for name in (TIMESERIES, PLOT, SUMMARY):
        if (tmp / name).exists():
            os.replace(tmp / name, out / name)


def key_outcome_table(summary: dict) -> str:
    """The key outcomes as a fixed-width text table: end of run and run mean (or total)."""
    res = summary["outcomes"]
    rows = [("outcome", "end", "run mean/total")]
    for col in outcomes.KEY_OUTCOMES:
        count = outcomes.AGGREGATE.get(col) == "sum"
        agg = "total" if count else "mean"
        end, run = res.get(f"end_{col}"), res.get(f"{agg}_{col}")
        rows.append((col, _fmt(end, count), f"{_fmt(run, count)} {agg}"))
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:>10}  {c:>16}" for a, b, c in rows)


def _fmt(x: float | None, count: bool = False) -> str:
    if x is None:
        return "n/a"
    if count:
        return f"{x:,.0f}"
    return f"{x:.3f}" if abs(x) < 100 else f"{x:,.1f}"


def timed_run(
    scenario: Scenario, seed: int | None, days: int | None, out_dir: str | Path, progress=False
) -> tuple[WingModel, dict]:
    """Run and write in one call, recording wall time (the CLI's whole job)."""
    check_run_folder(out_dir)  # refuse a file before the run, not after it
    start = time.perf_counter()
    model = run_scenario(scenario, seed=seed, days=days, progress=progress)
    summary = write_run(model, out_dir, wall_time=round(time.perf_counter() - start, 3))
    return model, summary
