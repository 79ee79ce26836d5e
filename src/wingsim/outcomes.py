"""Every outcome column of a day, computed in one vectorised pass.

Meanings, ranges and formulas are documented in ``docs/outcomes.md``; the column
names here are the contract with the DataCollector, Parquet files and experiments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wingsim.state import AT_RISK, MAINSTREAM, RADICAL, VEO_LESSER, Place, Training

if TYPE_CHECKING:
    from wingsim.model import WingModel

#: Daily counts that are reported as they are counted (``model.day_counts``).
FLOW_COUNTS = (
    "arrivals",
    "unit_entries",
    "unit_exits",
    "assessments",
    "sessions",
    "chaplain_visits",
    "staff_left",
    "meetings",
    "staff_contacts",
    "fair_staff_contacts",
    "hostile_staff_contacts",
)

#: Daily counts after release (``model.day_counts``), reported as counted.
COMMUNITY_FLOWS = (
    "readmissions",
    "probation_contacts",
    "disclosures",
    "mentor_meetings",
    "breaches",
    "breach_recalls",
    "recalls",
    "reengagements",
    "terrorist_reoffences",
    "general_reoffences",
)

#: Episodes whose horizon closed today and their outcomes within it (``model.day_counts``).
COHORT_COUNTS = (
    "cohort_followups",
    "cohort_veo",
    "cohort_reengaged",
    "cohort_terrorist_reoffended",
    "cohort_general_reoffended",
    "cohort_recalled",
    "cohort_desisted",
)

#: Columns about the community after release (every column from ``release_readiness`` on).
AFTER_RELEASE_START = "release_readiness"

#: Columns that every run reports (the issue's required set comes first).
COLUMNS = (
    "day",
    "population",
    "veo_count",
    "trust_in_staff",
    "trust_in_staff_veo",
    "trust_in_staff_mainstream",
    "legitimacy",
    "wellbeing",
    "bonding_veo",
    "ei_index_veo",
    "us_vs_them",
    "status_gini",
    "status_share_veo",
    "leader_count",
    "extremism_mainstream",
    "extremism_veo",
    "newly_radicalised",
    "incidents",
    "labelled_share",
    "false_positive_rate",
    "false_negative_rate",
    "cost",
    # additional columns
    "extremism_at_risk",
    "grievance",
    "us_vs_them_all",
    "extremist_leader_count",
    "veo_mainstream_contacts",
    "hostile_contacts",
    "special_unit_population",
    "staff_in_post",
    "staff_vacancy_rate",
    "released",
    "release_extremism",
    "trust_in_chaplain",
    "radicalised_share_non_veo",
    # flows of the day (counts), for accounting and diagnostics
    *FLOW_COUNTS,
    "release_trust_in_staff",
    # after release: the released cohort in the community (docs/outcomes.md)
    "release_readiness",
    "community_population",
    "community_supervised",
    "community_mentored",
    "awaiting_return",
    "community_housed_share",
    "community_employed_share",
    "community_support",
    "community_strain",
    "trust_in_probation",
    "probation_caseload",
    "community_extremism",
    *COMMUNITY_FLOWS,
    "terrorist_reoffences_expected",
    "general_reoffences_expected",
    *COHORT_COUNTS,
    "cohort_terrorist_expected",
    "cohort_general_expected",
)

#: The columns after release, and the prison's own (the rest).
AFTER_RELEASE = COLUMNS[COLUMNS.index(AFTER_RELEASE_START) :]

# Cost weights (officer-day equivalents): see docs/outcomes.md.
COST_OFFICER_DAY = 1.0
COST_GENERAL_TRAINING = 0.1
COST_SPECIALIST = 0.5
COST_PLACE_DAY = 0.2
COST_SESSION_UNIT = 0.25


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 equal, ->1 concentrated)."""
    if x.shape[0] == 0 or x.sum() <= 0:
        return 0.0
    xs = np.sort(x)
    n = xs.shape[0]
    cum = np.cumsum(xs)
    return float((n + 1 - 2 * (cum.sum() / cum[-1])) / n)


def _mean(values: np.ndarray, mask: np.ndarray) -> float:
    k = mask.sum()
    return float(values[mask].sum() / k) if k else float("nan")


def compute(model: WingModel) -> dict[str, float]:
    p, s, units = model.prisoners, model.staff, model.units
    act = p.active
    cat = p.category
    veo = act & (cat >= VEO_LESSER)
    main = act & (cat == MAINSTREAM)
    concern = act & (cat >= AT_RISK)
    non_veo = act & (cat < VEO_LESSER)
    n_act = int(act.sum())
    n_veo = int(veo.sum())

    # Bonding: tie strength among VEOs, and the E-I index of VEOs' ties.
    lo, hi = model.ties.ends
    w = model.ties.weight
    vlo, vhi = veo[lo], veo[hi]
    internal = float(w[vlo & vhi].sum())
    external = float(w[vlo ^ vhi].sum())
    bonding = 2.0 * internal / n_veo if n_veo else 0.0
    ei_den = 2.0 * internal + external
    ei = (external - 2.0 * internal) / ei_den if ei_den > 0 else float("nan")

    status = p.status[act]
    total_status = status.sum()
    risky = act & (p.extremism > model.config.assessment.true_risk_threshold)
    safe = act & ~risky
    labelled = act & p.labelled
    fpr = float((labelled & safe).sum() / safe.sum()) if safe.any() else 0.0
    fnr = float((~p.labelled & risky).sum() / risky.sum()) if risky.any() else 0.0

    # Cost of the day.
    on_post = s.active
    cost = (
        COST_OFFICER_DAY * on_post.sum()
        + COST_GENERAL_TRAINING * (on_post & (s.training == Training.GENERAL)).sum()
        + COST_SPECIALIST * (on_post & (s.training == Training.SPECIALIST)).sum()
    )
    occ = np.bincount(p.unit[act], minlength=units.n)
    place_cost = np.where(units.is_special, model.config.regime.special_unit_cost_factor, 1.0)
    cost += COST_PLACE_DAY * float((occ * place_cost).sum())
    cost += COST_SESSION_UNIT * model.day_sums["intervention_cost"]

    posts = s.n
    released = model.day_counts["released"]
    after = _community(model)
    leader = act & p.leader
    return {
        "day": model.day,
        "population": model.day_counts["population"],
        "veo_count": n_veo,
        "trust_in_staff": _mean(p.trust_in_staff, act),
        "trust_in_staff_veo": _mean(p.trust_in_staff, veo),
        "trust_in_staff_mainstream": _mean(p.trust_in_staff, main),
        "legitimacy": _mean(p.legitimacy, act),
        "wellbeing": _mean(p.wellbeing, act),
        "bonding_veo": bonding,
        "ei_index_veo": ei,
        "us_vs_them": _mean(p.opposition, concern),
        "status_gini": gini(status),
        "status_share_veo": float(p.status[veo].sum() / total_status) if total_status else 0.0,
        "leader_count": int(leader.sum()),
        "extremism_mainstream": _mean(p.extremism, main),
        "extremism_veo": _mean(p.extremism, veo),
        "newly_radicalised": model.day_counts["newly_radicalised"],
        "incidents": model.day_counts["incidents"],
        "labelled_share": float(labelled.sum() / n_act) if n_act else 0.0,
        "false_positive_rate": fpr,
        "false_negative_rate": fnr,
        "cost": float(cost),
        "extremism_at_risk": _mean(p.extremism, act & (cat == AT_RISK)),
        "grievance": _mean(p.grievance, act),
        "us_vs_them_all": _mean(p.opposition, act),
        "extremist_leader_count": int((leader & (p.extremism > RADICAL)).sum()),
        "veo_mainstream_contacts": model.day_counts["veo_mainstream_contacts"],
        "hostile_contacts": model.day_counts["hostile_contacts"],
        "special_unit_population": int(occ[units.special]),
        "staff_in_post": int(on_post.sum()),
        "staff_vacancy_rate": float(1.0 - on_post.sum() / posts) if posts else 0.0,
        "released": released,
        "release_extremism": (
            model.day_sums["release_extremism"] / released if released else float("nan")
        ),
        "trust_in_chaplain": _mean(p.trust_in_chaplain, act),
        "radicalised_share_non_veo": _mean(p.extremism > RADICAL, non_veo),
        **{name: model.day_counts[name] for name in FLOW_COUNTS},
        "release_trust_in_staff": (
            model.day_sums["release_trust"] / released if released else float("nan")
        ),
        "release_readiness": (
            model.day_sums["release_readiness"] / released if released else float("nan")
        ),
        **after,
        **{name: model.day_counts[name] for name in COMMUNITY_FLOWS},
        "terrorist_reoffences_expected": model.day_sums["terrorist_reoffences_expected"],
        "general_reoffences_expected": model.day_sums["general_reoffences_expected"],
        **{name: model.day_counts[name] for name in COHORT_COUNTS},
        "cohort_terrorist_expected": model.day_sums["cohort_terrorist_expected"],
        "cohort_general_expected": model.day_sums["cohort_general_expected"],
    }


def _community(model: WingModel) -> dict[str, float]:
    """Stocks of the community after release today."""
    c, n = model.community, model.community.size
    place = c.place[:n]
    out = place == Place.COMMUNITY
    k = int(out.sum())
    supervised = out & (c.officer[:n] >= 0) & (model.day < c.licence_end[:n])
    p = model.prisoners
    before = p.active & (p.officer >= 0)
    officers = np.bincount(c.officer[:n][supervised], minlength=model.probation_officers.n)
    officers += np.bincount(p.officer[before], minlength=model.probation_officers.n)
    return {
        "community_population": k,
        "community_supervised": int(supervised.sum()),
        "community_mentored": int((out & (c.mentor[:n] >= 0)).sum()),
        "awaiting_return": int(c.awaiting[:n].sum()),
        "community_housed_share": _mean(c.housed[:n], out),
        "community_employed_share": _mean(c.employed[:n], out),
        "community_support": _mean(c.support[:n], out),
        "community_strain": _mean(c.strain[:n], out),
        "trust_in_probation": _mean(c.officer_trust[:n], supervised),
        "probation_caseload": float(officers.mean()) if officers.shape[0] else 0.0,
        "community_extremism": _mean(c.person.extremism[:n], out),
    }


#: The outcomes a policy table shows first (CLI, demo, reports).
KEY_OUTCOMES = (
    "trust_in_staff_veo",
    "bonding_veo",
    "us_vs_them",
    "status_share_veo",
    "extremism_mainstream",
    "extremism_veo",
    "newly_radicalised",
    "incidents",
    "labelled_share",
    "false_positive_rate",
    "cost",
    # after release (in-run flows; cohort outcomes over the horizon are the cohort_* columns)
    "trust_in_probation",
    "reengagements",
    "terrorist_reoffences_expected",
    "general_reoffences",
    "recalls",
)

#: How each key outcome is summarised over a run: "mean" of daily values or "sum".
AGGREGATE = {
    **dict.fromkeys(FLOW_COUNTS, "sum"),
    **dict.fromkeys(COMMUNITY_FLOWS, "sum"),
    **dict.fromkeys(COHORT_COUNTS, "sum"),
    "terrorist_reoffences_expected": "sum",
    "general_reoffences_expected": "sum",
    "cohort_terrorist_expected": "sum",
    "cohort_general_expected": "sum",
    "newly_radicalised": "sum",
    "incidents": "sum",
    "released": "sum",
    "hostile_contacts": "sum",
    "veo_mainstream_contacts": "sum",
}


def summarise(timeseries) -> dict[str, float]:
    """End-of-run and run-mean outcomes of one run's daily table (a pandas DataFrame).

    Counts (incidents, newly radicalised, ...) are summed over the run instead of
    averaged; day 0 (the initial state) is left out of run means and sums.
    """
    days = timeseries[timeseries["day"] > 0] if "day" in timeseries else timeseries
    out: dict[str, float] = {}
    last = timeseries.iloc[-1]
    for col in COLUMNS:
        if col == "day":
            continue
        out[f"end_{col}"] = float(last[col])
        if AGGREGATE.get(col) == "sum":
            out[f"total_{col}"] = float(days[col].sum())
        else:
            out[f"mean_{col}"] = float(days[col].mean())
    return out
