"""Experimental designs: grid, Latin hypercube, Sobol (Saltelli) and Morris.

Like SALib's ``sample``/``analyze`` pair, each design here has its analysis in
:mod:`wingsim.experiments.analysis`, which reads the design table this module writes.
Replication ``i`` of every design point uses the same seed (common random numbers), so
differences between points are not blurred by different random draws.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wingsim.experiments.ensemble import ROW, load_posterior
from wingsim.experiments.ensemble import draw as ensemble_draw
from wingsim.experiments.ensemble import parameters as ensemble_parameters
from wingsim.experiments.experiment_file import (
    Experiment,
    expand_outcomes,
    parameter_info,
    resolve,
)
from wingsim.experiments.runner import RunSpec
from wingsim.scenario import Scenario, load_scenario


def replication_seeds(base_seed: int, n: int) -> list[int]:
    """Seeds of replications 0..n-1, derived from the base seed (independent streams)."""
    state = np.random.SeedSequence(base_seed).generate_state(n, dtype=np.uint32)
    return [int(s) for s in state]


def salib_problem(exp: Experiment) -> dict:
    """The SALib ``problem`` dict of an experiment's sampled parameters."""
    names = list(exp.parameters)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [[exp.parameters[n].min, exp.parameters[n].max] for n in names],
    }


def sample(exp: Experiment) -> pd.DataFrame:
    """The design points (one row each, one column per parameter) of ``exp``."""
    names = list(exp.parameters)
    if exp.design == "grid":
        combos = list(itertools.product(*(exp.parameters[n].values for n in names)))
        return pd.DataFrame(combos if names else [()], columns=names)
    problem = salib_problem(exp)
    if exp.design == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, exp.samples, seed=exp.seed)
    elif exp.design == "sobol":
        from SALib.sample import sobol

        with warnings.catch_warnings():  # N not a power of two: the engine asks to --confirm
            warnings.simplefilter("ignore", UserWarning)
            x = sobol.sample(
                problem, exp.samples, calc_second_order=exp.second_order, seed=exp.seed
            )
    else:
        from SALib.sample import morris

        x = morris.sample(problem, exp.samples, num_levels=exp.levels, seed=exp.seed)
    df = pd.DataFrame(x, columns=names)
    for n in names:
        if parameter_info(n)[0] is int:
            df[n] = df[n].round().astype(np.int64)
    return df


def expected_points(exp: Experiment) -> int:
    """Design points per base scenario (what SALib documents for each design)."""
    d, n = len(exp.parameters), exp.samples
    if exp.design == "grid":
        return int(np.prod([len(p.values) for p in exp.parameters.values()])) if d else 1
    if exp.design == "lhs":
        return n
    if exp.design == "sobol":
        return n * (2 * d + 2) if exp.second_order else n * (d + 2)
    return n * (d + 1)


def _labels(paths: list[str], scenarios: list[Scenario]) -> list[str]:
    names = [s.name for s in scenarios]
    if len(set(names)) == len(names):
        return names
    return [f"{i}:{Path(p).stem}" for i, p in enumerate(paths)]


@dataclass
class Plan:
    """Every run of an experiment: the design table plus the base scenarios it indexes."""

    experiment: Experiment
    bases: list[Scenario]
    labels: list[str]
    table: pd.DataFrame  # one row per run
    parameters: list[str]
    outcomes: tuple[str, ...] | None
    #: Parameters drawn from the experiment's posterior (columns ``e_<i>``), if any.
    drawn: list[str] = field(default_factory=list)

    def _overrides(self, row) -> dict:
        """The dotted overrides of one run: its design point and its posterior draw."""
        values = {n: _py(getattr(row, f"p_{i}")) for i, n in enumerate(self.parameters)}
        values.update({n: _py(getattr(row, f"e_{i}")) for i, n in enumerate(self.drawn)})
        return values

    def specs(self, skip: set[str] = frozenset()) -> Iterator[RunSpec]:
        """Run specs in design order, lazily (a million-run sweep never sits in memory)."""
        exp = self.experiment
        cache: tuple[tuple, dict] | None = None
        for row in self.table.itertuples(index=False):
            if row.run_id in skip:
                continue
            params = self._overrides(row)
            # A posterior draw differs by replication; a design point alone does not.
            key = (row.point, row.replication if self.drawn else None)
            if cache is None or cache[0] != key:
                base = self.bases[row.scenario_index]
                scen = base.with_overrides(params) if params else base
                cache = (key, scen.model_dump())
            meta = {
                "scenario": row.scenario,
                "point": int(row.point),
                "replication": int(row.replication),
            }
            if self.drawn:
                meta[ROW] = int(getattr(row, ROW))
            meta.update(params)
            yield RunSpec(
                run_id=row.run_id,
                scenario=cache[1],
                seed=int(row.seed),
                days=exp.days,
                outcomes=self.outcomes,
                timeseries=exp.timeseries,
                meta=meta,
            )

    def design_table(self) -> pd.DataFrame:
        """The table written to ``design.parquet`` (parameters under their dotted names)."""
        names = {f"p_{i}": n for i, n in enumerate(self.parameters)}
        names.update({f"e_{i}": n for i, n in enumerate(self.drawn)})
        return self.table.rename(columns=names)

    def fingerprint(self) -> str:
        """Hash of the runs this plan makes: resume refuses a folder of another experiment."""
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(self.design_table(), index=False).values.tobytes())
        for b in self.bases:
            h.update(json.dumps(b.model_dump(), sort_keys=True).encode())
        h.update(
            json.dumps([self.experiment.days, self.outcomes, self.experiment.timeseries]).encode()
        )
        return h.hexdigest()[:16]


def _py(v):
    return v.item() if isinstance(v, np.generic) else v


def plan(exp: Experiment) -> Plan:
    """Expand an experiment into its run table: scenario x design point x replication."""
    bases = []
    for path in exp.scenarios:
        base = load_scenario(resolve(exp, path))
        bases.append(base.with_overrides(exp.overrides) if exp.overrides else base)
    labels = _labels(exp.scenarios, bases)
    points = sample(exp)
    names = list(exp.parameters)
    seeds = replication_seeds(exp.seed, exp.replications)
    rows = []
    point = 0
    width = max(5, len(str(len(bases) * len(points))))
    for si, label in enumerate(labels):
        for k in range(len(points)):
            values = [_py(points.iloc[k][n]) for n in names]
            for r, seed in enumerate(seeds):
                rows.append([f"p{point:0{width}d}-r{r:04d}", label, si, point, k, r, seed, *values])
            point += 1
    cols = ["run_id", "scenario", "scenario_index", "point", "sample", "replication", "seed"]
    table = pd.DataFrame(rows, columns=cols + [f"p_{i}" for i in range(len(names))])
    for i, n in enumerate(names):
        if exp.design == "grid":
            continue
        table[f"p_{i}"] = table[f"p_{i}"].astype(points[n].dtype)
    drawn = _add_draws(exp, table, len(points)) if exp.ensemble else []
    return Plan(exp, bases, labels, table, names, expand_outcomes(exp.outcomes), drawn)


def _add_draws(exp: Experiment, table: pd.DataFrame, points: int) -> list[str]:
    """Give every (design sample, replication) its own posterior draw, shared by all
    scenarios, in columns ``posterior_row`` and ``e_<i>``; return the drawn names."""
    posterior = load_posterior(resolve(exp, exp.ensemble))
    draws = ensemble_draw(posterior, points * exp.replications, exp.seed)
    index = table["sample"].to_numpy() * exp.replications + table["replication"].to_numpy()
    names = ensemble_parameters(posterior)
    table[ROW] = draws[ROW].to_numpy()[index]
    for i, n in enumerate(names):
        values = draws[n].to_numpy()[index]
        if parameter_info(n)[0] is int:
            values = np.round(values).astype(np.int64)
        table[f"e_{i}"] = values
    return names
