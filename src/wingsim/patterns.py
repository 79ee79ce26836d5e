"""The paper's Table 2 as measurable, paired comparisons (pattern-oriented modelling).

Each pattern compares run-mean outcomes of two scenarios over the same seeds (common
random numbers) and reports the paired mean difference with a 95% t-interval. The
statistical tests in ``tests/test_patterns.py`` and ``scripts/measure_patterns.py``
both use these definitions, so the closing note's numbers are the tests' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wingsim.experiments.stats import t_interval
from wingsim.scenario import Scenario, default_scenario


@dataclass
class Paired:
    """Paired difference ``b - a`` of one outcome over common seeds."""

    outcome: str
    mean_a: float
    mean_b: float
    diff: float
    lo: float
    hi: float
    n: int

    def __str__(self) -> str:
        return (
            f"{self.outcome:<28} a={self.mean_a:8.4f} b={self.mean_b:8.4f} "
            f"b-a={self.diff:+.4f} [95% CI {self.lo:+.4f}, {self.hi:+.4f}] n={self.n}"
        )


def paired(a: list[dict], b: list[dict], outcome: str) -> Paired:
    """``b - a`` of ``outcome`` over runs paired by position (same seed)."""
    xa = np.array([r[outcome] for r in a])
    xb = np.array([r[outcome] for r in b])
    n, m, lo, hi = t_interval(xb - xa)
    return Paired(outcome, float(xa.mean()), float(xb.mean()), m, lo, hi, n)


def replicate(
    scenarios: dict[str, Scenario], seeds: list[int], days: int, workers: int | None = None
) -> dict[str, list[dict]]:
    """Run every scenario on every seed through the experiments runner, keyed by name.

    Lists follow ``seeds``, so position *i* pairs the scenarios on one seed.
    """
    from wingsim.experiments.runner import RunSpec, executor_factory, run_specs

    specs = [
        RunSpec(f"{name}/{seed}", sc.model_dump(), seed, days)
        for name, sc in scenarios.items()
        for seed in seeds
    ]
    done = {}

    def keep(result) -> None:
        if not result.ok:
            raise RuntimeError(f"run {result.run_id} failed: {result.error}")
        done[result.run_id] = result.row

    with executor_factory(workers) as new_executor:
        run_specs(specs, new_executor, keep)
    return {name: [done[f"{name}/{seed}"] for seed in seeds] for name in scenarios}


def regime(name: str, **overrides) -> Scenario:
    """The default establishment under ``name`` with dotted-key overrides."""
    sc = default_scenario(name)
    return sc.with_overrides(overrides) if overrides else sc


UNDERSTAFFED = {"staff.staff_ratio": 0.1, "staff.training": 0.0, "staff.fairness": 0.5}
WELL_STAFFED = {"staff.staff_ratio": 0.35, "staff.training": 0.9, "staff.fairness": 0.85}
HEALTHY = {
    **WELL_STAFFED,
    "establishment.time_out_of_cell": 0.7,
    "establishment.activity_access": 0.85,
    "establishment.family_contact": 0.8,
    "establishment.occupancy": 0.85,
}
UNHEALTHY = {
    "staff.staff_ratio": 0.12,
    "staff.training": 0.1,
    "staff.fairness": 0.5,
    "establishment.time_out_of_cell": 0.3,
    "establishment.activity_access": 0.3,
    "establishment.family_contact": 0.3,
    "establishment.occupancy": 1.15,
}
ACCURATE = {"assessment.noise": 0.05}
NOISY = {"assessment.noise": 0.4}


def pattern_scenarios() -> dict[str, Scenario]:
    """Every scenario the Table 2 comparisons need, keyed by name."""
    scenarios = {
        "dispersal": regime("dispersal"),
        "containment": regime("containment"),
        "combination": regime("combination"),
        "dispersal_understaffed": regime("dispersal", **UNDERSTAFFED),
        "dispersal_well_staffed": regime("dispersal", **WELL_STAFFED),
        "combination_accurate": regime("combination", **ACCURATE),
        "combination_noisy": regime("combination", **NOISY),
    }
    for r in ("dispersal", "containment", "combination"):
        scenarios[f"{r}_healthy"] = regime(r, **HEALTHY)
        scenarios[f"{r}_unhealthy"] = regime(r, **UNHEALTHY)
    return scenarios
