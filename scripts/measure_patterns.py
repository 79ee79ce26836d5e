"""Measure the paper's Table 2 claims (``wingsim.patterns.CLAIMS``): paired differences.

Every claim is printed with its paired difference ``b - a`` and 95% CI, grouped by the
scenario pair it compares, followed by other outcomes of that pair for context (those
are not claims and carry no expected sign). ``--markdown`` prints the README's table.

Usage: python scripts/measure_patterns.py [--seeds 10] [--days 365] [--warmup 0] [--markdown]
       [--save runs.parquet | --load runs.parquet] [--first N]
"""

from __future__ import annotations

import argparse
import math

import pandas as pd

from wingsim.patterns import CLAIMS, Claim, paired, pattern_scenarios, replicate

_CONTEXT_REGIME = [
    "mean_trust_in_staff_veo",
    "mean_us_vs_them",
    "total_newly_radicalised",
    "total_incidents",
    "mean_ei_index_veo",
    "mean_radicalised_share_non_veo",
]

#: Scenario pair -> outcomes printed for context after the pair's claims (not claims).
#: Combination has no Table 2 row against dispersal; it is measured on the regime
#: outcomes as the robustness analysis reads it (held to containment's signs).
CONTEXT: dict[tuple[str, str], list[str]] = {
    ("dispersal", "containment"): _CONTEXT_REGIME,
    ("dispersal", "combination"): [
        "mean_extremism_mainstream",
        "mean_bonding_veo",
        "mean_labelled_share",
        "mean_cost",
        "mean_status_share_veo",
        "mean_extremism_veo",
        *_CONTEXT_REGIME,
    ],
    ("dispersal_well_staffed", "dispersal_understaffed"): [
        "total_newly_radicalised",
        "mean_radicalised_share_non_veo",
    ],
    ("combination_accurate", "combination_noisy"): [
        "total_newly_radicalised",
        "mean_extremism_veo",
        "mean_radicalised_share_non_veo",
    ],
    **{
        (f"{r}_unhealthy", f"{r}_healthy"): [
            "total_newly_radicalised",
            "mean_radicalised_share_non_veo",
        ]
        for r in ("dispersal", "containment", "combination")
    },
}


def pairs() -> list[tuple[str, str]]:
    """Scenario pairs in the order of the claims, then pairs measured for context only."""
    order = list(dict.fromkeys((c.a, c.b) for c in CLAIMS))
    return order + [p for p in CONTEXT if p not in order]


def verdict(claim: Claim, runs) -> str:
    if claim.holds(claim.measure(runs)):
        return "yes" if claim.asserted else "yes (not asserted)"
    return "no" if claim.asserted else "**no** (not asserted)"


def text_report(runs) -> str:
    """Every claim and the context outcomes, one block per scenario pair."""
    lines = []
    for a, b in pairs():
        lines.append(f"\n== b={b} minus a={a}")
        claims = [c for c in CLAIMS if (c.a, c.b) == (a, b)]
        for c in claims:
            lines.append(
                f"{c.measure(runs)}  expect {'+' if c.sign > 0 else '-'} {c.kind:<10} "
                f"holds: {verdict(c, runs)}  [{c.name}]"
            )
        claimed = {c.outcome for c in claims}
        for o in CONTEXT.get((a, b), []):
            if o not in claimed:
                lines.append(f"{paired(runs[a], runs[b], o)}  (context)")
    return "\n".join(lines)


def _decimals(p) -> int:
    """Decimals that show two significant digits of the CI half-width."""
    half = (p.hi - p.lo) / 2
    return max(0, 1 - math.floor(math.log10(half))) if math.isfinite(half) and half > 0 else 4


def markdown_table(runs) -> str:
    """The README's table: one row per claim."""
    rows = [
        "| Table 2 claim | kind | outcome (run mean) | a | b | mean a | mean b "
        "| paired difference b - a [95% CI] | holds? |",
        "|---|---|---|---|---|---:|---:|---:|---|",
    ]
    for c in CLAIMS:
        p = c.measure(runs)
        d = _decimals(p)
        rows.append(
            f"| {c.words} | {c.kind} | `{c.outcome}` | {c.a} | {c.b} | {p.mean_a:.{d}f} "
            f"| {p.mean_b:.{d}f} | {p.diff:+.{d}f} [{p.lo:+.{d}f}, {p.hi:+.{d}f}] "
            f"| {verdict(c, runs)} |"
        )
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--warmup", type=int, default=0, help="run.warmup_days for every scenario")
    ap.add_argument("--markdown", action="store_true", help="print the README's table")
    ap.add_argument("--save", default=None, help="also write the runs to this Parquet file")
    ap.add_argument("--load", default=None, help="read runs saved with --save instead of running")
    ap.add_argument("--first", type=int, default=None, help="use only the first N seeds")
    args = ap.parse_args()
    if args.load:
        table = pd.read_parquet(args.load)
    else:
        seeds = list(range(1, args.seeds + 1))
        sc = pattern_scenarios()
        if args.warmup:
            sc = {k: v.with_overrides({"run.warmup_days": args.warmup}) for k, v in sc.items()}
        runs = replicate(sc, seeds, args.days)
        table = pd.DataFrame(
            [
                {"scenario": name, "seed": seed, **row}
                for name, rows in runs.items()
                for seed, row in zip(seeds, rows, strict=True)
            ]
        )
        if args.save:
            table.to_parquet(args.save, index=False)
    seeds = sorted(table["seed"].unique())[: args.first]
    runs = {
        name: [g[g["seed"] == s].iloc[0].to_dict() for s in seeds]
        for name, g in table.groupby("scenario", sort=False)
    }
    print(markdown_table(runs) if args.markdown else text_report(runs))


if __name__ == "__main__":
    main()
