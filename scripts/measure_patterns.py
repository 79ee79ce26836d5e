"""Measure the paper's Table 2 patterns: paired differences with 95% CIs.

Usage: python scripts/measure_patterns.py [--seeds 10] [--days 365] [--warmup 0]
"""

from __future__ import annotations

import argparse

from wingsim.patterns import paired, pattern_scenarios, replicate

REGIME_OUTCOMES = [
    "mean_extremism_mainstream",
    "mean_bonding_veo",
    "mean_trust_in_staff_veo",
    "mean_us_vs_them",
    "mean_labelled_share",
    "mean_cost",
    "mean_status_share_veo",
    "total_newly_radicalised",
    "mean_extremism_veo",
    "total_incidents",
    "mean_ei_index_veo",
    "mean_radicalised_share_non_veo",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--warmup", type=int, default=0, help="run.warmup_days for every scenario")
    args = ap.parse_args()
    seeds = list(range(1, args.seeds + 1))
    sc = pattern_scenarios()
    if args.warmup:
        sc = {k: v.with_overrides({"run.warmup_days": args.warmup}) for k, v in sc.items()}
    res = replicate(sc, seeds, args.days)

    def show(title, a, b, outcomes):
        print(f"\n== {title}: b={b} minus a={a}")
        for o in outcomes:
            print(paired(res[a], res[b], o))

    show("containment vs dispersal", "dispersal", "containment", REGIME_OUTCOMES)
    show("combination vs dispersal", "dispersal", "combination", REGIME_OUTCOMES)
    show(
        "dispersal: understaffed vs well staffed",
        "dispersal_well_staffed",
        "dispersal_understaffed",
        [
            "mean_extremism_mainstream",
            "total_newly_radicalised",
            "mean_radicalised_share_non_veo",
            "mean_trust_in_staff",
        ],
    )
    show(
        "combination: noisy vs accurate assessment",
        "combination_accurate",
        "combination_noisy",
        [
            "mean_extremism_mainstream",
            "total_newly_radicalised",
            "mean_false_positive_rate",
            "mean_false_negative_rate",
            "mean_extremism_veo",
            "mean_radicalised_share_non_veo",
        ],
    )
    for r in ("dispersal", "containment", "combination"):
        show(
            f"{r}: healthy vs unhealthy prison",
            f"{r}_unhealthy",
            f"{r}_healthy",
            [
                "total_newly_radicalised",
                "mean_radicalised_share_non_veo",
                "mean_extremism_mainstream",
                "mean_trust_in_staff",
            ],
        )


if __name__ == "__main__":
    main()
