"""The paper's Table 2 as measurable, paired comparisons (pattern-oriented modelling).

:data:`CLAIMS` is the one definition of the claims: each names two scenarios of
:func:`pattern_scenarios`, a run-summary outcome and the sign the paper expects of
``b - a``, compared over the same seeds (common random numbers) by the paired mean
difference with a 95% t-interval (:func:`paired`). ``tests/test_patterns.py`` asserts the
claims marked ``asserted``, ``scripts/measure_patterns.py`` prints every claim (the
README's table), and :mod:`wingsim.validation.robustness` maps a selection of them over
the parameter space, so all three read the same claims.

A claim's ``kind`` says what its holding shows. ``"effect"``: it has to emerge from the
mechanisms. ``"accounting"``: it follows from a definition (the special unit labels whom
it receives; cost is summed from per-place and per-officer costs), so its holding checks
the bookkeeping, not the model's dynamics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

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
    #: Shares of the pairs in which ``b`` is above / below ``a`` (ties in neither).
    share_above: float = float("nan")
    share_below: float = float("nan")

    def share(self, sign: int) -> float:
        """The share of pairs whose difference has ``sign`` (+1 or -1)."""
        return self.share_above if sign > 0 else self.share_below

    def __str__(self) -> str:
        return (
            f"{self.outcome:<28} a={self.mean_a:8.4f} b={self.mean_b:8.4f} "
            f"b-a={self.diff:+.4f} [95% CI {self.lo:+.4f}, {self.hi:+.4f}] n={self.n}"
        )


def paired(a: list[dict], b: list[dict], outcome: str) -> Paired:
    """``b - a`` of ``outcome`` over runs paired by position (same seed)."""
    xa = np.array([r[outcome] for r in a])
    xb = np.array([r[outcome] for r in b])
    d = xb - xa
    n, m, lo, hi = t_interval(d)
    d = d[np.isfinite(d)]
    above = float((d > 0).mean()) if n else float("nan")
    below = float((d < 0).mean()) if n else float("nan")
    return Paired(outcome, float(xa.mean()), float(xb.mean()), m, lo, hi, n, above, below)


Kind = Literal["effect", "accounting"]


@dataclass(frozen=True)
class Claim:
    """One Table 2 claim: the sign of ``b - a`` in ``outcome`` over paired seeds."""

    name: str
    #: Reference and compared scenario: names from :func:`pattern_scenarios`.
    a: str
    b: str
    #: A run-summary column (``mean_*`` or ``total_*``, see ``outcomes.summarise``).
    outcome: str
    #: Expected sign of ``b - a``: +1 or -1.
    sign: int
    kind: Kind
    #: The paper's words (Table 2 or its text; where a row is the converse of another
    #: regime's entry, our short reading of it), as tables and reports print them.
    words: str
    #: False for the rows that do not emerge at the defaults: measured, never asserted.
    asserted: bool = True
    #: Why, for an accounting or an unasserted claim.
    note: str = ""

    def measure(self, runs: Mapping[str, list[dict]]) -> Paired:
        """The paired difference ``b - a`` over ``runs`` (as :func:`replicate` returns)."""
        return paired(runs[self.a], runs[self.b], self.outcome)

    def holds(self, p: Paired) -> bool:
        """The 95% CI lies wholly on the expected side of zero."""
        return p.lo > 0 if self.sign > 0 else p.hi < 0


_LABELS = "the special unit labels whom it receives (placement sets the risk label)"
_COST = "cost is summed from per-officer and per-place costs; the unit has more of both"
_ENTRENCHED = (
    "weak at the defaults: the unit's focused interventions (twice the sessions) offset most "
    "of the loss of moderate peers (docs/validation.md: what decides it); significant over "
    "seeds 1-20 since the fixes of 2026-11-30, not before"
)
_RECRUIT = (
    "reversed in headcounts: the mean mainstream attitude falls, but the at-risk prisoners "
    "placed on the unit among VEOs are radicalised there"
)
_HEALTHY = "a healthy prison environment is the primary deterrent for radicalisation"
_D, _C = "dispersal", "containment"
_STAFF = ("dispersal_well_staffed", "dispersal_understaffed")
_ACC = ("combination_accurate", "combination_noisy")

#: Every Table 2 claim, in the order of the README's table.
# fmt: off
CLAIMS: tuple[Claim, ...] = (
    Claim("containment_mainstream", _D, _C, "mean_extremism_mainstream", -1, "effect",
          "limited influence on the mainstream population"),
    Claim("containment_bonding", _D, _C, "mean_bonding_veo", +1, "effect",
          "new and stronger bonds forged among VEOs"),
    Claim("containment_labelling", _D, _C, "mean_labelled_share", +1, "accounting",
          "labelling effects, stigmatisation", note=_LABELS),
    Claim("containment_status", _D, _C, "mean_status_share_veo", +1, "effect",
          "status from special-unit placement"),
    Claim("containment_cost", _D, _C, "mean_cost", +1, "accounting",
          "higher cost", note=_COST),
    Claim("containment_entrenched_veos", _D, _C, "mean_extremism_veo", +1, "effect",
          "no positive influence from others: more entrenched VEOs", asserted=False,
          note=_ENTRENCHED),
    Claim("containment_trust", _D, _C, "mean_trust_in_staff_veo", -1, "effect",
          "eroded trust between staff and prisoners"),
    Claim("containment_us_vs_them", _D, _C, "mean_us_vs_them", +1, "effect",
          "entrenched 'us versus them'"),
    Claim("containment_recruitment", _D, _C, "newly_radicalised_per_year", -1, "effect",
          "ensures that VEOs ... do not directly recruit or influence others",
          asserted=False, note=_RECRUIT),
    Claim("dispersal_staffing_influence", *_STAFF, "mean_extremism_mainstream", +1, "effect",
          "VEOs may exert influence over others, more so where staff are few or untrained"),
    Claim("dispersal_staffing_trust", *_STAFF, "mean_trust_in_staff", -1, "effect",
          "poor staff-prisoner relationships can erode trust"),
    Claim("combination_accuracy_influence", *_ACC, "mean_extremism_mainstream", +1, "effect",
          "combination's outcomes depend on how accurate risk assessment is"),
    Claim("combination_accuracy_false_positives", *_ACC, "mean_false_positive_rate", +1,
          "effect", "monitoring for extremism is subject to false positives"),
    Claim("combination_accuracy_false_negatives", *_ACC, "mean_false_negative_rate", +1,
          "effect", "difficult to ensure high quality of intelligence"),
    *(
        Claim(f"healthy_{r}_{what}", f"{r}_unhealthy", f"{r}_healthy", outcome, sign, "effect",
              _HEALTHY)
        for r in ("dispersal", "containment", "combination")
        for what, outcome, sign in (
            ("mainstream", "mean_extremism_mainstream", -1),
            ("trust", "mean_trust_in_staff", +1),
        )
    ),
)
# fmt: on


def claim(name: str) -> Claim:
    """The claim called ``name``."""
    for c in CLAIMS:
        if c.name == name:
            return c
    raise KeyError(f"no claim {name!r}; known: {', '.join(c.name for c in CLAIMS)}")


def replicate(
    scenarios: dict[str, Scenario],
    seeds: list[int],
    days: int,
    workers: int | None = None,
    draws: list[dict] | None = None,
) -> dict[str, list[dict]]:
    """Run every scenario on every seed through the experiments runner, keyed by name.

    Lists follow ``seeds``, so position *i* pairs the scenarios on one seed. ``draws``
    (one dict of dotted overrides per seed, e.g. posterior draws) are applied to every
    scenario on that seed, so the pairs share their parameters too.
    """
    from wingsim.experiments.runner import RunSpec, executor_factory, run_specs

    draws = draws or [{} for _ in seeds]
    specs = [
        RunSpec(f"{name}/{seed}", (sc.with_overrides(d) if d else sc).model_dump(), seed, days)
        for name, sc in scenarios.items()
        for seed, d in zip(seeds, draws, strict=True)
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
