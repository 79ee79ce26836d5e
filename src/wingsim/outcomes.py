"""Every outcome column of a day, computed in one vectorised pass.

Meanings, ranges and formulas are documented in ``docs/outcomes.md``; the column
names here are the contract with the DataCollector, Parquet files and experiments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from wingsim import kernels
from wingsim.kernels import compiled
from wingsim.state import AT_RISK, MAINSTREAM, VEO_LESSER, VEO_VIOLENT, Category, Place, Training

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
    "entered_radical",
    "left_radical",
    "assaults_on_staff",
    "planning_contacts",
    "undetected_planning",
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
    "assaults_on_prisoners",
    "staff_posts",
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

DAYS_PER_YEAR = 365.0


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 equal, ->1 concentrated)."""
    if x.shape[0] == 0 or x.sum() <= 0:
        return 0.0
    xs = np.sort(x)
    n = xs.shape[0]
    cum = np.cumsum(xs)
    return float((n + 1 - 2 * (cum.sum() / cum[-1])) / n)


class DayTable(mesa.DataCollector):
    """Mesa's DataCollector with one model reporter per outcome column, read from
    ``model.today`` (the dict :func:`compute` returns each day).

    ``collect`` appends the day's values directly: they are Python numbers, so the deep
    copy Mesa makes of every reporter's value (to protect mutable ones) is not needed,
    and it cost about a tenth of a default run. Everything else, including
    ``get_model_vars_dataframe``, is Mesa's.
    """

    def __init__(self):
        super().__init__(model_reporters={c: (lambda m, c=c: m.today[c]) for c in COLUMNS})

    def collect(self, model) -> None:
        today = model.today
        for column, values in self.model_vars.items():
            values.append(today[column])


def _mean(values: np.ndarray, mask: np.ndarray) -> float:
    k = mask.sum()
    return float(values[mask].sum() / k) if k else float("nan")


#: The prisoners' attributes averaged by group each day (rows of :func:`category_sums`).
AVERAGED = (
    "trust_in_staff",
    "legitimacy",
    "wellbeing",
    "opposition",
    "extremism",
    "grievance",
    "trust_in_chaplain",
    "radical",
)
_ROW = {name: i for i, name in enumerate(AVERAGED)}
#: Groups of categories the outcome columns average over.
ALL_CATEGORIES = (MAINSTREAM, AT_RISK, VEO_LESSER, VEO_VIOLENT)
VEOS, OF_CONCERN, NON_VEOS = (
    (VEO_LESSER, VEO_VIOLENT),
    (AT_RISK, VEO_LESSER, VEO_VIOLENT),
    (MAINSTREAM, AT_RISK),
)


@compiled
def category_sums(values, category, active, n_categories):
    """Each column of ``values`` (slots x attributes) summed over the active slots of
    each category, and the active slots per category: every group mean of the day in
    one pass over the prisoners, instead of a masked copy and sum per mean."""
    n, k = values.shape
    sums = np.zeros((n_categories, k))
    counts = np.zeros(n_categories, np.int64)
    for i in range(n):
        if active[i]:
            c = category[i]
            counts[c] += 1
            for j in range(k):
                sums[c, j] += values[i, j]
    return sums, counts


class GroupMeans:
    """Means of the prisoners' attributes over groups of categories, from one pass."""

    def __init__(self, prisoners):
        values = np.empty((prisoners.category.shape[0], len(AVERAGED)))
        for j, name in enumerate(AVERAGED):
            values[:, j] = getattr(prisoners, name)
        sums, counts = category_sums(values, prisoners.category, prisoners.active, len(Category))
        self.sums, self.counts = sums.tolist(), counts.tolist()  # Python numbers: fast to add

    def count(self, categories=ALL_CATEGORIES) -> int:
        return sum(self.counts[c] for c in categories)

    def mean(self, name: str, categories=ALL_CATEGORIES) -> float:
        k = self.count(categories)
        row = _ROW[name]
        return sum(self.sums[c][row] for c in categories) / k if k else float("nan")


def compute(model: WingModel) -> dict[str, float]:
    p, s, units = model.prisoners, model.staff, model.units
    act = p.active
    cat = p.category
    veo = act & (cat >= VEO_LESSER)
    means = GroupMeans(p)
    n_act = means.count()
    n_veo = means.count(VEOS)

    # Bonding: tie strength among VEOs, and the E-I index of VEOs' ties.
    lo, hi = model.ties.ends
    inside, across = kernels.tie_weights_by_group(lo, hi, model.ties.weight, veo)
    internal = float(inside.sum())
    external = float(across.sum())
    bonding = 2.0 * internal / n_veo if n_veo else 0.0
    ei_den = 2.0 * internal + external
    ei = (external - 2.0 * internal) / ei_den if ei_den > 0 else float("nan")

    status = p.status[act]
    total_status = status.sum()
    defs, costs = model.config.definitions, model.config.costs
    risky = act & (p.extremism > defs.true_risk_threshold)
    safe = act & ~risky
    labelled = act & p.labelled
    fpr = float((labelled & safe).sum() / safe.sum()) if safe.any() else 0.0
    fnr = float((~p.labelled & risky).sum() / risky.sum()) if risky.any() else 0.0

    # Cost of the day in euros: accounting, from the resources the day used.
    on_post = s.active
    officer_year = (
        costs.officer_year_eur * on_post.sum()
        + costs.general_training_eur * (on_post & (s.training == Training.GENERAL)).sum()
        + costs.specialist_premium_eur * (on_post & (s.training == Training.SPECIALIST)).sum()
    )
    occ = np.bincount(p.unit[act], minlength=units.n)
    place_factor = np.where(units.is_special, costs.special_unit_place_factor, 1.0)
    place_year = costs.place_year_eur * float((occ * place_factor).sum())
    one_to_one = model.config.interventions.mode == "one_to_one"
    session_eur = costs.one_to_one_session_eur if one_to_one else costs.group_place_eur
    cost = (officer_year + place_year) / DAYS_PER_YEAR
    cost += session_eur * model.day_counts["sessions"]
    cost += costs.assessment_eur * model.day_counts["assessments"]

    posts = s.n
    released = model.day_counts["released"]
    after = _community(model)
    leader = act & p.leader
    return {
        "day": model.day,
        "population": model.day_counts["population"],
        "veo_count": n_veo,
        "trust_in_staff": means.mean("trust_in_staff"),
        "trust_in_staff_veo": means.mean("trust_in_staff", VEOS),
        "trust_in_staff_mainstream": means.mean("trust_in_staff", (MAINSTREAM,)),
        "legitimacy": means.mean("legitimacy"),
        "wellbeing": means.mean("wellbeing"),
        "bonding_veo": bonding,
        "ei_index_veo": ei,
        "us_vs_them": means.mean("opposition", OF_CONCERN),
        "status_gini": gini(status),
        "status_share_veo": float(p.status[veo].sum() / total_status) if total_status else 0.0,
        "leader_count": int(leader.sum()),
        "extremism_mainstream": means.mean("extremism", (MAINSTREAM,)),
        "extremism_veo": means.mean("extremism", VEOS),
        "newly_radicalised": model.day_counts["newly_radicalised"],
        "incidents": model.day_counts["incidents"],
        "labelled_share": float(labelled.sum() / n_act) if n_act else 0.0,
        "false_positive_rate": fpr,
        "false_negative_rate": fnr,
        "cost": float(cost),
        "extremism_at_risk": means.mean("extremism", (AT_RISK,)),
        "grievance": means.mean("grievance"),
        "us_vs_them_all": means.mean("opposition"),
        "extremist_leader_count": int((leader & (p.extremism > defs.radical_threshold)).sum()),
        "veo_mainstream_contacts": model.day_counts["veo_mainstream_contacts"],
        "hostile_contacts": model.day_counts["hostile_contacts"],
        "special_unit_population": int(occ[units.special]),
        "staff_in_post": int(on_post.sum()),
        "staff_vacancy_rate": float(1.0 - on_post.sum() / posts) if posts else 0.0,
        "released": released,
        "release_extremism": (
            model.day_sums["release_extremism"] / released if released else float("nan")
        ),
        "trust_in_chaplain": means.mean("trust_in_chaplain"),
        "radicalised_share_non_veo": means.mean("radical", NON_VEOS),
        **{name: model.day_counts[name] for name in FLOW_COUNTS},
        "release_trust_in_staff": (
            model.day_sums["release_trust"] / released if released else float("nan")
        ),
        "assaults_on_prisoners": model.day_counts["incidents"]
        - model.day_counts["assaults_on_staff"],
        "staff_posts": posts,
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
    "assaults_on_prisoners": "sum",
}

#: Headcounts and rates a policy analyst counts, derived from a run's daily table.
HEADCOUNTS = (
    "incidents_per_1000_year",
    "assaults_on_staff_per_1000_year",
    "assaults_on_prisoners_per_1000_year",
    "newly_radicalised_per_year",
    "entered_radical_per_year",
    "left_radical_per_year",
    "staff_leaving_share_per_year",
    "held_on_unit",
    "cost_per_prisoner_year_eur",
)


def headcounts(timeseries) -> dict[str, float]:
    """Counts per year and per 1,000 prisoners, people held on the unit, euros per prisoner-year.

    Rates scale the run's totals to a year and divide by the mean population (or, for
    staff, the posts). ``held_on_unit`` is the distinct people held on the special unit
    during the run: those there at day 0 plus every entry since.
    """
    days = timeseries[timeseries["day"] > 0]
    n_days = max(len(days), 1)
    year = DAYS_PER_YEAR / n_days
    population = max(float(days["population"].mean()), 1e-12)

    def per_year(col: str) -> float:
        return float(days[col].sum()) * year

    return {
        "incidents_per_1000_year": per_year("incidents") / population * 1000.0,
        "assaults_on_staff_per_1000_year": per_year("assaults_on_staff") / population * 1000.0,
        "assaults_on_prisoners_per_1000_year": (
            per_year("assaults_on_prisoners") / population * 1000.0
        ),
        "newly_radicalised_per_year": per_year("newly_radicalised"),
        "entered_radical_per_year": per_year("entered_radical"),
        "left_radical_per_year": per_year("left_radical"),
        "staff_leaving_share_per_year": per_year("staff_left")
        / max(float(days["staff_posts"].mean()), 1e-12),
        "held_on_unit": float(timeseries["special_unit_population"].iloc[0])
        + float(days["unit_entries"].sum()),
        "cost_per_prisoner_year_eur": float(days["cost"].mean()) * DAYS_PER_YEAR / population,
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
    if len(days):
        out.update(headcounts(timeseries))
    return out
