"""The paper's probation claims as paired comparisons with 95% confidence intervals.

Each claim compares two scenarios over the same seeds (common random numbers: the same
people are sentenced and released in both) and reports the paired mean difference of an
outcome with a 95% t-interval. ``tests/test_probation_claims.py`` asserts the same
definitions on a small establishment; this script prints them for the default one:

    python scripts/measure_probation.py --seeds 20 --days 730 --workers 2
    python scripts/measure_probation.py --regimes --seeds 20 --days 1095

Rates are per person-year in the community (expected counts from the daily hazards
divided by the person-years followed), so a scenario that recalls more people (and so
leaves fewer at risk) is not credited with the reoffending it removed from the count.
``--regimes`` compares dispersal, containment and combination on post-release outcomes,
including the two-year cohort outcomes (a run longer than the horizon is needed).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from wingsim import WingModel, default_scenario, patterns
from wingsim.outcomes import summarise
from wingsim.output import run_scenario

#: Each claim: (scenario A overrides, scenario B overrides, outcome, sign of B - A).
#: Scenario A is the reference; every scenario starts from the default establishment, and
#: B is mostly the default itself (a default service: continuity, 25 mentors, caseload
#: 35, planning six months ahead, family involvement 0.5, public stigma 0.4).
CLAIMS: dict[str, tuple[dict, dict, str, int]] = {
    "continuity lowers general reoffending": (
        {"probation.continuity": False},
        {},
        "general_rate",
        -1,
    ),
    "continuity lowers terrorist reoffending": (
        {"probation.continuity": False},
        {},
        "terrorist_rate",
        -1,
    ),
    "continuity lowers re-engagement": (
        {"probation.continuity": False},
        {},
        "reengagement_rate",
        -1,
    ),
    "risk is concentrated in the first weeks (weeks 1-4 minus months 6-12)": (
        {},
        {},
        "early_minus_late_hazard",
        +1,
    ),
    "mentors lower general reoffending": ({"probation.mentors": 0}, {}, "general_rate", -1),
    "mentors lower re-engagement": ({"probation.mentors": 0}, {}, "reengagement_rate", -1),
    "family involvement lowers general reoffending": (
        {"probation.family_involvement": 0.0},
        {},
        "general_rate",
        -1,
    ),
    "family contact in prison lowers general reoffending": (
        {"establishment.family_contact": 0.2},
        {},
        "general_rate",
        -1,
    ),
    "stigma raises general reoffending": (
        {},
        {"probation.public_stigma": 0.8},
        "general_rate",
        +1,
    ),
    "stigma raises re-engagement": (
        {},
        {"probation.public_stigma": 0.8},
        "reengagement_rate",
        +1,
    ),
    "lower caseloads raise trust in the officer": (
        {"probation.caseload": 80.0},
        {},
        "trust_in_probation",
        +1,
    ),
    "lower caseloads lower breaches": (
        {"probation.caseload": 80.0},
        {},
        "breach_rate",
        -1,
    ),
    "lower caseloads lower recall-worthy breaches": (
        {"probation.caseload": 80.0},
        {},
        "breach_recall_rate",
        -1,
    ),
    "lower caseloads lower general reoffending": (
        {"probation.caseload": 80.0},
        {},
        "general_rate",
        -1,
    ),
    "... where missed appointments are not enforced as breaches": (
        {"probation.caseload": 80.0, "mechanisms.supervision.missed_limit": 20.0},
        {"mechanisms.supervision.missed_limit": 20.0},
        "breach_recall_rate",
        -1,
    ),
    "planning six months ahead lowers general reoffending (vs at release)": (
        {"probation.planning_lead_days": 0},
        {},
        "general_rate",
        -1,
    ),
    "planning six months ahead lowers recalls (vs at release)": (
        {"probation.planning_lead_days": 0},
        {},
        "recall_rate",
        -1,
    ),
}

#: Outcomes of one run (see :func:`measures`).
MEASURES = (
    "general_rate",
    "terrorist_rate",
    "reengagement_rate",
    "breach_rate",
    "recall_rate",
    "breach_recall_rate",
    "trust_in_probation",
    "early_minus_late_hazard",
    "hazard_weeks_1_4",
    "hazard_months_6_12",
    "cohort_general",
    "cohort_terrorist_expected_per_veo",
    "cohort_reengaged",
    "cohort_recalled",
    "cohort_desisted",
)


def measures(model: WingModel) -> dict[str, float]:
    """Post-release outcomes of one finished run, per person-year where they are rates."""
    df = model.datacollector.get_model_vars_dataframe()
    days = df[df["day"] > 0]
    years = days["community_population"].sum() / 365.0
    c = model.community
    risk = c.at_risk_by_day
    early = c.hazard_by_day[:28].sum() / max(risk[:28].sum(), 1e-12)
    late = c.hazard_by_day[182:365].sum() / max(risk[182:365].sum(), 1e-12)
    total = summarise(df)
    cohort = total["total_cohort_followups"]
    veos = total["total_cohort_veo"]
    per = (lambda x: x / cohort) if cohort else (lambda x: float("nan"))
    return {
        "general_rate": days["general_reoffences_expected"].sum() / years,
        "terrorist_rate": days["terrorist_reoffences_expected"].sum() / years,
        "reengagement_rate": days["reengagements"].sum() / years,
        "breach_rate": days["breaches"].sum() / years,
        "recall_rate": days["recalls"].sum() / years,
        "breach_recall_rate": days["breach_recalls"].sum() / years,
        "trust_in_probation": total["mean_trust_in_probation"],
        "hazard_weeks_1_4": early,
        "hazard_months_6_12": late,
        "early_minus_late_hazard": early - late,
        "cohort_general": per(total["total_cohort_general_reoffended"]),
        "cohort_terrorist_expected_per_veo": (
            total["total_cohort_terrorist_expected"] / veos if veos else float("nan")
        ),
        "cohort_reengaged": per(total["total_cohort_reengaged"]),
        "cohort_recalled": per(total["total_cohort_recalled"]),
        "cohort_desisted": per(total["total_cohort_desisted"]),
    }


def run_one(args: tuple) -> dict[str, float]:
    base, overrides, seed, days = args
    scenario = base.with_overrides(overrides) if overrides else base
    return measures(run_scenario(scenario, seed=seed, days=days))


@dataclass
class Paired(patterns.Paired):
    """A probation claim's paired difference ``B - A`` and the sign the paper expects."""

    claim: str = ""
    sign: int = 1

    @property
    def holds(self) -> bool:
        return self.lo > 0 if self.sign > 0 else self.hi < 0

    def row(self) -> str:
        verdict = "yes" if self.holds else "no"
        return (
            f"| {self.claim} | {self.outcome} | {self.mean_a:.4g} | {self.mean_b:.4g} | "
            f"{self.diff:+.4g} [{self.lo:+.4g}, {self.hi:+.4g}] | {verdict} |"
        )


def paired(claim: str, a: list[dict], b: list[dict], outcome: str, sign: int) -> Paired:
    return Paired(**asdict(patterns.paired(a, b, outcome)), claim=claim, sign=sign)


def replicate(
    base,
    variants: dict[str, dict],
    seeds: list[int],
    days: int,
    workers: int,
    draws: list[dict] | None = None,
) -> dict[str, list[dict]]:
    """Every variant (dotted overrides of ``base``) on every seed: name -> list by seed.

    ``draws`` (one dict of dotted overrides per seed, e.g. posterior draws) apply to every
    variant on that seed, under the variant's own overrides.
    """
    draws = draws or [{} for _ in seeds]
    jobs = [(name, i) for name in variants for i in range(len(seeds))]
    args = [(base, {**draws[i], **variants[name]}, seeds[i], days) for name, i in jobs]
    if workers > 1:
        # Spawned workers start clean and get this process's sys.path (this script's folder).
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            results = list(pool.map(run_one, args))
    else:
        results = [run_one(a) for a in args]
    out: dict[str, list[dict]] = {name: [] for name in variants}
    for (name, _), result in zip(jobs, results, strict=True):
        out[name].append(result)
    return out


def _key(overrides: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(overrides.items())) or "default"


def measure_claims(base, seeds, days, workers, claims=CLAIMS, draws=None) -> list[Paired]:
    variants = {}
    for a, b, _, _ in claims.values():
        variants[_key(a)] = a
        variants[_key(b)] = b
    runs = replicate(base, variants, seeds, days, workers, draws)
    results = []
    for claim, (a, b, outcome, sign) in claims.items():
        if outcome == "early_minus_late_hazard":  # within-run: B itself against zero
            zero = [{outcome: 0.0} for _ in seeds]
            results.append(paired(claim, zero, runs[_key(b)], outcome, sign))
        else:
            results.append(paired(claim, runs[_key(a)], runs[_key(b)], outcome, sign))
    return results


def measure_regimes(seeds, days, workers, warmup: int = 0) -> dict[str, list[dict]]:
    variants = {r: {"regime.type": r} for r in ("dispersal", "containment", "combination")}
    base = default_scenario("dispersal")
    if warmup:
        base = base.with_overrides({"run.warmup_days": warmup})
    return replicate(base, variants, seeds, days, workers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--regimes", action="store_true", help="compare the three regimes")
    parser.add_argument(
        "--veo-share",
        type=float,
        default=None,
        help="share of VEOs among arrivals (re-engagement is rare at the default 5%%)",
    )
    parser.add_argument("--only", default=None, help="only the claims whose name contains this")
    args = parser.parse_args(argv)
    seeds = list(range(1, args.seeds + 1))
    start = time.perf_counter()
    if args.regimes:
        runs = measure_regimes(seeds, args.days, args.workers)
        print(f"regimes, {args.seeds} paired seeds, {args.days} days (default establishment)")
        head = "| outcome | dispersal | containment - dispersal | combination - dispersal |"
        print(head)
        print("|---|---:|---:|---:|")
        for outcome in MEASURES:
            cells = []
            for other in ("containment", "combination"):
                p = paired("", runs["dispersal"], runs[other], outcome, 0)
                cells.append(f"{p.diff:+.4g} [{p.lo:+.4g}, {p.hi:+.4g}]")
            mean = np.nanmean([r[outcome] for r in runs["dispersal"]])
            print(f"| {outcome} | {mean:.4g} | {cells[0]} | {cells[1]} |")
    else:
        base = default_scenario("dispersal")
        if args.veo_share is not None:
            half = args.veo_share / 2
            veos = {"population.veo_violent_share": half, "population.veo_lesser_share": half}
            base = base.with_overrides(veos)
        claims = {k: v for k, v in CLAIMS.items() if args.only is None or args.only in k}
        results = measure_claims(base, seeds, args.days, args.workers, claims)
        share = "" if args.veo_share is None else f", {args.veo_share:.0%} VEOs"
        print(f"probation claims, {args.seeds} paired seeds, {args.days} days, dispersal{share}")
        print("| claim | outcome | A | B | B - A [95% CI] | emerges? |")
        print("|---|---|---:|---:|---:|---|")
        for r in results:
            print(r.row())
    print(f"\n({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
