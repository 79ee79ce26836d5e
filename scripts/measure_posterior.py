"""The paper's claims under a calibrated posterior: the share of it in which each holds.

Every replication draws one parameter set from the posterior (in proportion to its
weights) and gives it to every scenario of the claim, on one seed: the pairs share their
random numbers *and* their parameters. For each Table 2 claim (``wingsim.patterns``) and
each probation claim (``scripts/measure_probation.py``) it prints the paired mean
difference with its 95% t-interval, which now spans parameter uncertainty as well as
run-to-run noise, and the share of draws whose difference has the sign the paper expects:

    python scripts/measure_posterior.py calibration/default/posterior.parquet --draws 20

The share counts each draw with its run-to-run noise; it is the share of the posterior in
which the claim holds only as far as one run per draw can tell.
"""

from __future__ import annotations

import argparse
import sys
import time

import measure_probation  # scripts/ is on sys.path when this file is run

from wingsim import default_scenario, patterns
from wingsim.experiments.ensemble import draw, effective_sample_size, load_posterior, parameters


def _cells(p, sign: int) -> str:
    verdict = "yes" if (p.lo > 0 if sign > 0 else p.hi < 0) else "no"
    return f"{p.diff:+.4g} [{p.lo:+.4g}, {p.hi:+.4g}] | {verdict} | {p.share(sign):.0%}"


def table2(draws: list[dict], seeds: list[int], days: int, workers: int) -> list[str]:
    runs = patterns.replicate(patterns.pattern_scenarios(), seeds, days, workers, draws)
    rows = [
        "| Table 2 claim | kind | outcome | b - a [95% CI] | holds (CI) | share of draws |",
        "|---|---|---|---:|---|---:|",
    ]
    for c in patterns.CLAIMS:
        p = c.measure(runs)
        rows.append(
            f"| {c.words} ({c.b} vs {c.a}) | {c.kind} | `{c.outcome}` | {_cells(p, c.sign)} |"
        )
    return rows


def probation(draws: list[dict], seeds: list[int], days: int, workers: int) -> list[str]:
    results = measure_probation.measure_claims(
        default_scenario("dispersal"), seeds, days, workers, draws=draws
    )
    rows = [
        "| probation claim | outcome | B - A [95% CI] | holds (CI) | share of draws |",
        "|---|---|---:|---|---:|",
    ]
    rows += [f"| {r.claim} | `{r.outcome}` | {_cells(r, r.sign)} |" for r in results]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("posterior", help="posterior Parquet file (wingsim calibrate)")
    ap.add_argument("--draws", type=int, default=20, help="replications, one draw each")
    ap.add_argument("--days", type=int, default=365, help="days of a Table 2 run")
    ap.add_argument("--probation-days", type=int, default=730, help="days of a probation run")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=20240601, help="seed of the draws")
    ap.add_argument("--only", choices=("table2", "probation"), default=None)
    args = ap.parse_args(argv)
    post = load_posterior(args.posterior)
    drawn = draw(post, args.draws, args.seed)
    names = parameters(post)
    draws = [
        {n: float(v) for n, v in zip(names, row, strict=True)}
        for row in drawn[names].itertuples(index=False)
    ]
    seeds = list(range(1, args.draws + 1))
    start = time.perf_counter()
    print(
        f"{args.draws} posterior draws ({len(post)} particles, effective sample size "
        f"{effective_sample_size(post):.0f}; {', '.join(names)}), paired seeds 1-{args.draws}\n"
    )
    if args.only in (None, "table2"):
        print(f"Table 2, default establishment, {args.days} days:\n")
        print("\n".join(table2(draws, seeds, args.days, args.workers)) + "\n")
    if args.only in (None, "probation"):
        print(f"Probation, default establishment (dispersal), {args.probation_days} days:\n")
        print("\n".join(probation(draws, seeds, args.probation_days, args.workers)))
    print(f"\n({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
