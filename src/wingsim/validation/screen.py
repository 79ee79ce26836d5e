"""One-at-a-time screen: does every parameter act at the defaults, and how much?

Each numeric, boolean or categorical parameter of the scenario is moved, alone, to a
low and a high value (halved and doubled within its allowed range; both ends of a flag;
every alternative of a choice) while everything else stays at the default, and the run
is repeated on the same seeds (common random numbers). A parameter whose runs are
bit-identical to the default run at both ends does nothing there: a dead lever. The
screen reports, for every parameter, the change it makes to the key outcomes.

    python -m wingsim.validation.screen [--seeds 5] [--days 365] [--out DIR]

writes ``screen.csv`` (one row per parameter and outcome) and prints the table that
``docs/validation.md`` shows.
"""

from __future__ import annotations

import argparse
import math
import sys
import typing
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel

from wingsim.outcomes import HEADCOUNTS
from wingsim.scenario import Scenario, default_scenario
from wingsim.schedule import DAY

#: Parameters that do nothing at the defaults, each with the reason. The test fails on
#: any other parameter that moves no outcome, and on any listed here that does act.
INERT_AT_DEFAULTS: dict[str, str] = {
    "mechanisms.incidents.staff_assault_distrust": (
        "it moves only which incidents count as assaults on staff; incidents are rare "
        "(about 15 a year in the default establishment), and halving or doubling the "
        "slope changed no incident's target in the test's short run (it acts in the full "
        "screen of 2026-11-30)"
    ),
    "regime.exit_criteria": (
        "exits need regime.exit_assessments consecutive assessments below exit_threshold "
        "(0.4) made on the unit, and residents' assessed risk there averages about 0.8: no "
        "resident leaves in a year (nor in the full screen; 0-1 exits in three years)"
    ),
    "costs.one_to_one_session_eur": "priced only when interventions.mode = 'one_to_one'",
    "mechanisms.chaplaincy.chaplain_security_distrust": (
        "acts only when chaplaincy.in_risk_assessment is on (off by default)"
    ),
    "mechanisms.chaplaincy.chaplain_knowledge_gain": (
        "acts only when chaplaincy.in_risk_assessment is on (off by default)"
    ),
    "mechanisms.chaplaincy.labelled_daily_distrust": (
        "acts only when chaplaincy.in_risk_assessment is on (off by default)"
    ),
    "mechanisms.grievance.unstaffed_fairness": (
        "acts only on a unit with no officer in post, which the default staffing never leaves"
    ),
    "mechanisms.supervision.overload_quality": (
        "acts only on caseloads above quality_caseload (50); the service hires at "
        "probation.caseload (35)"
    ),
    "mechanisms.mentoring.hidden_agenda_share": (
        "vetting catches 90% of hidden agendas, so about 1% of the 25 mentors has one and "
        "most seeds have none (with probation.mentor_vetting off it acts)"
    ),
    "mechanisms.mentoring.agenda_pull": "acts only through a mentor with a hidden agenda: as above",
}

#: Parameters that act only through rare events (a charismatic extremist leader on a
#: unit, an incident, an officer leaving), so a short run of a small establishment, as
#: the test suite uses, may not show them; the full screen (365 days, default
#: establishment, docs/validation.md) does.
RARE_IN_SHORT_RUNS: dict[str, str] = {
    "regime.dispersal_cap_per_wing": (
        "the small establishment's few prisoners of concern stay under the cap either way"
    ),
    "definitions.radical_buffer": "counts crossings of the radical line, which are rare",
    "population.extremist_leader_share": "charismatic prisoners are 2% of arrivals",
    "population.sentence_days_veo": "few VEOs reach release in a short run",
    "mechanisms.assessment.report_staleness": (
        "acts through assessed risk, which changes an outcome only when a label or a "
        "placement flips at an assessment"
    ),
    "mechanisms.staff_contacts.knowledge_gain": "as report_staleness: through assessed risk",
    "mechanisms.staff_contacts.monitoring_knowledge": "as knowledge_gain",
    "mechanisms.staff_contacts.untrained_learning": "as knowledge_gain",
    "mechanisms.staff_contacts.observance_bias": "acts through reports: as report_staleness",
    "assessment.label_removal_assessments": (
        "acts when a label is lifted, after consecutive clear assessments 90 days apart"
    ),
    "regime.exit_threshold": (
        "acts when a resident leaves the unit; none does in 90 days (a raised threshold "
        "lets some leave in the full screen)"
    ),
    "mechanisms.staffing.attrition_base": (
        "acts when an officer leaves: 0-2 of the small establishment's 24 in 90 days"
    ),
    "mechanisms.staffing.stress_attrition": "as attrition_base",
    "mechanisms.staffing.recruitment_days": "acts on a vacancy: as attrition_base",
    "mechanisms.staffing.special_unit_recruitment_factor": "as recruitment_days",
    "mechanisms.supervision.discretion": (
        "acts at a breach of licence conditions, which few of the short run's releases reach"
    ),
    "mechanisms.supervision.recall_on_breach_veo": "acts at a VEO's breach: as discretion",
}

#: The test suite's screen of the prison's parameters: a small containment establishment
#: for 90 days, one seed.
TEST_ESTABLISHMENT = {
    "establishment.wings": 3,
    "establishment.wing_capacity": 40,
    "establishment.special_unit_capacity": 12,
}
TEST_DAYS = 90

#: The test suite's screen of the after-release parameters: few people leave the small
#: establishment above in 90 days, so these are screened where many do (short sentences,
#: more VEOs) for longer, with a horizon short enough to end within the run.
AFTER_RELEASE_TEST_ESTABLISHMENT = {
    "establishment.wings": 2,
    "establishment.wing_capacity": 60,
    "population.sentence_days_other": 200.0,
    "population.sentence_days_veo": 200.0,
    "population.veo_violent_share": 0.1,
    "population.veo_lesser_share": 0.1,
    "probation.horizon_days": 180,
    "probation.min_licence_days": 90,
}
AFTER_RELEASE_TEST_DAYS = 240

#: Sections that are not levers or strengths: run settings and ablation switches.
SKIP_PREFIXES = ("run.", "submodels.")

#: The outcomes the screen reports (run means or totals, and the headcounts).
SCREEN_OUTCOMES = (
    "mean_trust_in_staff_veo",
    "mean_extremism_mainstream",
    "mean_extremism_veo",
    "mean_bonding_veo",
    "mean_us_vs_them",
    "mean_status_share_veo",
    "incidents_per_1000_year",
    "newly_radicalised_per_year",
    "cost_per_prisoner_year_eur",
)


def parameters(model: type[BaseModel] = Scenario, prefix: str = "") -> dict[str, Any]:
    """Every screened parameter's dotted name with its pydantic field info."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        dotted = f"{prefix}{name}"
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.update(parameters(ann, f"{dotted}."))
        elif prefix and not dotted.startswith(SKIP_PREFIXES):
            out[dotted] = info
    return out


def after_release(name: str) -> bool:
    """A parameter of the probation service or of a submodel from resettlement on (the
    prison's last days and the community after the gate)."""
    names = [submodel.name for submodel in DAY]
    community = names[names.index("resettlement") :]
    return name.startswith("probation.") or name.split(".")[:2] in (
        ["mechanisms", n] for n in community
    )


def screen_values(info, default: Any) -> list[Any]:
    """The values a parameter is moved to: halved and doubled, or the other choices."""
    ann = info.annotation
    if ann is bool:
        return [not default]
    if typing.get_origin(ann) is Literal:
        return [v for v in typing.get_args(ann) if v != default]
    lo = hi = None
    for meta in info.metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    lo = -math.inf if lo is None else lo
    hi = math.inf if hi is None else hi
    if default == 0:
        candidates = [min(hi, 10 if ann is int else 0.1)]
    else:
        candidates = [default / 2, default * 2]
    values = []
    for v in candidates:
        v = min(max(v, lo), hi)
        if ann is int:
            v = int(round(v))
        if v != default and v not in values:
            values.append(v)
    return values


def _defaults(scenario: Scenario) -> dict[str, Any]:
    flat: dict[str, Any] = {}

    def walk(d: dict, prefix: str) -> None:
        for k, v in d.items():
            if isinstance(v, dict):
                walk(v, f"{prefix}{k}.")
            else:
                flat[f"{prefix}{k}"] = v

    walk(scenario.model_dump(), "")
    return flat


def variants(base: Scenario, only=None) -> dict[str, Scenario]:
    """``{"default": base, "<param>=<value>": variant, ...}`` for every screened value (of
    the parameters whose name ``only`` accepts, if given)."""
    defaults = _defaults(base)
    out = {"default": base}
    for name, info in parameters().items():
        if only is not None and not only(name):
            continue
        for value in screen_values(info, defaults[name]):
            out[f"{name}={value}"] = base.with_overrides({name: value})
    return out


def screen(
    base: Scenario, seeds: list[int], days: int, workers: int | None = None, only=None
) -> pd.DataFrame:
    """Run every variant on every seed; one row per variant, seed and summary outcome."""
    return _rows(variants(base, only), seeds, days, workers)


def _rows(scenarios: dict[str, Scenario], seeds: list[int], days: int, workers) -> pd.DataFrame:
    from wingsim.patterns import replicate

    runs = replicate(scenarios, seeds, days, workers)
    rows = []
    for label, results in runs.items():
        name, _, value = label.partition("=")
        for seed, summary in zip(seeds, results, strict=True):
            for outcome, x in summary.items():
                if outcome.startswith(("end_", "mean_", "total_")) or outcome in HEADCOUNTS:
                    rows.append((name, value, seed, outcome, float(x)))
    return pd.DataFrame(rows, columns=["parameter", "value", "seed", "outcome", "x"])


def dead_parameters(
    base: Scenario, seeds: list[int], days: int, workers: int | None = None, only=None
) -> list[str]:
    """:func:`inert` of :func:`screen`, with fewer runs: a parameter's next value is run
    only while the values before it left every outcome bit-identical to the default.

    Most parameters act at their first value, so this needs about half the runs of the
    full screen (the test suite's check for dead levers uses it).
    """
    defaults = _defaults(base)
    queue = {
        name: screen_values(info, defaults[name])
        for name, info in parameters().items()
        if only is None or only(name)
    }
    queue = {name: values for name, values in queue.items() if values}
    default_runs = screen(base, seeds, days, workers, only=lambda name: False)
    alive: set[str] = set()
    while True:
        todo = {n: vs.pop(0) for n, vs in queue.items() if vs and n not in alive}
        if not todo:
            return sorted(set(queue) - alive)
        scenarios = {f"{n}={v}": base.with_overrides({n: v}) for n, v in todo.items()}
        runs = pd.concat([default_runs, _rows(scenarios, seeds, days, workers)])
        dead_now = set(inert(runs))
        alive |= set(todo) - dead_now


def inert(runs: pd.DataFrame) -> list[str]:
    """Parameters whose every variant equals the default run in every outcome and seed."""
    base = runs[runs["parameter"] == "default"].set_index(["seed", "outcome"])["x"]
    out = []
    for name, group in runs[runs["parameter"] != "default"].groupby("parameter"):
        same = True
        for _, g in group.groupby("value"):
            x = g.set_index(["seed", "outcome"])["x"]
            b = base.loc[x.index]
            if not np.array_equal(x.to_numpy(), b.to_numpy(), equal_nan=True):
                same = False
                break
        if same:
            out.append(name)
    return sorted(out)


def effects(runs: pd.DataFrame, outcomes=SCREEN_OUTCOMES) -> pd.DataFrame:
    """For each parameter and outcome: the low and high variants' mean change from default,
    as a percentage of the default's mean (paired over seeds)."""
    sub = runs[runs["outcome"].isin(outcomes)]
    base = sub[sub["parameter"] == "default"].groupby("outcome")["x"].mean()
    rows = []
    for (name, value), g in sub[sub["parameter"] != "default"].groupby(["parameter", "value"]):
        means = g.groupby("outcome")["x"].mean()
        for outcome in outcomes:
            ref = base.get(outcome, np.nan)
            change = means.get(outcome, np.nan) - ref
            pct = 100.0 * change / abs(ref) if ref else np.nan
            rows.append((name, value, outcome, change, pct))
    return pd.DataFrame(rows, columns=["parameter", "value", "outcome", "change", "percent"])


def table(eff: pd.DataFrame) -> str:
    """Markdown: per parameter, the largest relative change and where, low and high."""
    lines = [
        "| parameter | values | largest change (% of default) | in | second |",
        "|---|---|---:|---|---|",
    ]
    for name, g in eff.groupby("parameter", sort=True):
        g = g.assign(size=g["percent"].abs()).sort_values("size", ascending=False)
        per_outcome = g.drop_duplicates("outcome")
        top = per_outcome.iloc[0]
        second = per_outcome.iloc[1] if len(per_outcome) > 1 else None
        values = ", ".join(sorted(set(g["value"])))
        sec = f"{second['outcome']} ({second['percent']:+.1f}%)" if second is not None else ""
        lines.append(f"| `{name}` | {values} | {top['percent']:+.1f} | {top['outcome']} | {sec} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m wingsim.validation.screen")
    ap.add_argument("--regime", default="containment")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", default="runs/screen")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = screen(
        default_scenario(args.regime), list(range(1, args.seeds + 1)), args.days, args.workers
    )
    runs.to_parquet(out / "screen-runs.parquet", index=False)
    eff = effects(runs)
    eff.to_csv(out / "screen.csv", index=False)
    dead = inert(runs)
    print(table(eff))
    print(f"\nno effect at the defaults ({args.regime}, {args.days} days): {dead or 'none'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
