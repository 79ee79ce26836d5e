"""Every outcome column of a day, from one compiled pass over each kind of row.

Meanings, ranges and formulas are documented in ``docs/outcomes.md``; the column
names here are the contract with the DataCollector, Parquet files and experiments.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

import mesa
import numpy as np

from wingsim.kernels import _u, compiled
from wingsim.pairwise import pairwise_head_sum, pairwise_sum
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


class DayTable(mesa.DataCollector):
    """Mesa's DataCollector with one model reporter per outcome column, read from
    ``model.today`` (the dict :func:`compute` returns each day, its keys in ``COLUMNS``
    order).

    ``collect`` keeps the day's values as one row (a tuple: they are Python numbers, so
    the deep copy Mesa makes of every reporter's value is not needed); ``model_vars``
    turns the rows not yet read into Mesa's columns when it is read (eighty appends a day
    cost more than the one transposition at the end). Everything else, including
    ``get_model_vars_dataframe``, is Mesa's.
    """

    def __init__(self):
        self._rows: list[tuple] = []
        self._read = 0  # rows already moved into the columns
        super().__init__(model_reporters={c: (lambda m, c=c: m.today[c]) for c in COLUMNS})

    @property
    def model_vars(self) -> dict[str, list]:
        """Mesa's columns, one list per outcome (the rows collected so far moved in)."""
        rows, columns = self._rows, self._columns
        if self._read < len(rows):
            new = zip(*rows[self._read :], strict=True)
            for values, added in zip(columns.values(), new, strict=True):
                values.extend(added)
            self._read = len(rows)
        return columns

    @model_vars.setter
    def model_vars(self, columns: dict[str, list]) -> None:
        self._columns = columns

    def collect(self, model) -> None:
        self._rows.append(tuple(model.today.values()))


def _mean(total: float, k: int) -> float:
    """A group's mean from its sum and its size (``NaN`` for an empty group)."""
    return total / k if k else float("nan")


#: The prisoners' attributes averaged by group each day (columns of the ``sums`` of
#: :func:`prisoner_sums`): the float attributes, then ``radical``, a flag, last.
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
_N_CATEGORIES = len(Category)  # an enum's len() is slow Python: once, not daily
#: Groups of categories the outcome columns average over.
ALL_CATEGORIES = (MAINSTREAM, AT_RISK, VEO_LESSER, VEO_VIOLENT)
VEOS, OF_CONCERN, NON_VEOS = (
    (VEO_LESSER, VEO_VIOLENT),
    (AT_RISK, VEO_LESSER, VEO_VIOLENT),
    (MAINSTREAM, AT_RISK),
)


# The day's sums and counts come from one compiled pass over the prisoners, one over
# the ties, one over the officers' posts and one over the community ledger: a masked
# numpy reduction per column cost a few microseconds each, dozens a day. Counts are
# exact whatever the order. Float totals are left to numpy: the passes gather the values
# in row order and ``ndarray.sum`` adds them, as ``x[mask].sum()`` did, so every column
# keeps its bits; the group means add in slot order (``docs/architecture.md``).


@compiled
def prisoner_sums(
    active, category, attributes, radical, status, labelled, extremism, leader, unit,
    officer, true_risk, radical_threshold, n_categories, is_special, special_factor,
):  # fmt: skip
    """Every per-prisoner sum and count of the day, in one pass over the active slots.

    ``sums[c]`` (categories x ``AVERAGED``) adds each attribute of ``attributes`` (the
    float ones of ``AVERAGED``) and then ``radical`` over category ``c``, ``counts[c]``
    its members; ``tally`` counts the labelled, the truly at risk (extremism above
    ``true_risk``), the rest, false positives (labelled, not at risk), false negatives
    (at risk, not labelled), leaders, extremist leaders (extremism above
    ``radical_threshold``) and those already with a probation officer. ``veo`` marks the
    active VEOs (for the tie pass); ``status`` gathers the active prisoners' status in
    slot order; ``totals`` holds its total, the VEOs' and the occupied places, each
    unit's weighted by ``special_factor`` on a special unit (totals added as numpy adds,
    :mod:`wingsim.pairwise`); ``occupancy`` counts the prisoners on each unit.
    """
    n = active.shape[0]
    n_attributes = len(attributes)
    sums = np.zeros((n_categories, n_attributes + 1))
    counts = np.zeros(n_categories, np.int64)
    veo = np.zeros(n, np.bool_)
    status_active = np.empty(n)
    status_veo = np.empty(n)
    n_active = n_veo = 0
    # Counters in locals, not an array: the compiler keeps them in registers.
    n_labelled = n_risky = false_pos = false_neg = leaders = extremist_leaders = held = 0
    occupancy = np.zeros(is_special.shape[0], np.int64)
    for i in range(n):
        if not active[i]:
            continue
        c = category[i]
        counts[c] += 1
        for j in range(n_attributes):
            sums[c, j] += attributes[j][i]
        sums[c, n_attributes] += 1.0 if radical[i] else 0.0
        status_active[n_active] = status[i]
        n_active += 1
        if c >= VEO_LESSER:
            veo[i] = True
            status_veo[n_veo] = status[i]
            n_veo += 1
        risky = extremism[i] > true_risk
        n_labelled += labelled[i]
        n_risky += risky
        false_pos += labelled[i] and not risky
        false_neg += risky and not labelled[i]
        leaders += leader[i]
        extremist_leaders += leader[i] and extremism[i] > radical_threshold
        held += officer[i] >= 0
        occupancy[unit[i]] += 1
    tally = np.array(
        [n_labelled, n_risky, n_active - n_risky, false_pos, false_neg, leaders,
         extremist_leaders, held],
        np.int64,
    )  # fmt: skip
    weighted = np.empty(occupancy.shape[0])
    for u in range(occupancy.shape[0]):
        weighted[u] = occupancy[u] * (special_factor if is_special[u] else 1.0)
    totals = np.array(
        [
            pairwise_head_sum(status_active, n_active),
            pairwise_head_sum(status_veo, n_veo),
            pairwise_sum(weighted),
        ]
    )
    return sums, counts, tally, veo, status_active[:n_active], totals, occupancy


def gini(x: np.ndarray, total: float | None = None) -> float:
    """Gini coefficient of non-negative values (0 equal, ->1 concentrated); ``total`` is
    ``x.sum()`` where the caller already has it."""
    if x.shape[0] == 0 or (pairwise_sum(x) if total is None else total) <= 0:
        return 0.0
    return _gini_of_sorted(np.sort(x))  # numpy's sort: several times numba's


@compiled
def _gini_of_sorted(xs):
    """The Gini coefficient of sorted values, with the bits numpy's ``cumsum`` (in order)
    and ``ndarray.sum`` (:mod:`wingsim.pairwise`) gave it."""
    n = xs.shape[0]
    cum = np.cumsum(xs)
    return (n + 1 - 2 * (pairwise_sum(cum) / cum[-1])) / n


@compiled
def tie_weights_by_group(lo, hi, w, member):
    """The total strength of the ties within the group ``member`` (both ends in it) and
    of those across its boundary (one end), each added as numpy added ``w[mask]``."""
    inside = np.empty(lo.shape[0])
    across = np.empty(lo.shape[0])
    n_in = 0
    n_across = 0
    for i in range(lo.shape[0]):
        a, b = member[_u(lo[i])], member[_u(hi[i])]  # (unsigned: see ``kernels._u``)
        if a and b:
            inside[n_in] = w[i]
            n_in += 1
        elif a or b:
            across[n_across] = w[i]
            n_across += 1
    return pairwise_head_sum(inside, n_in), pairwise_head_sum(across, n_across)


@compiled
def staff_counts(active, training):
    """Officers in post, and of them those with general and with specialist training."""
    on_post = 0
    trained_general = 0
    trained_specialist = 0
    for i in range(active.shape[0]):
        if active[i]:
            on_post += 1
            trained_general += training[i] == Training.GENERAL
            trained_specialist += training[i] == Training.SPECIALIST
    return on_post, trained_general, trained_specialist


@compiled
def community_tally(
    size, place, officer, licence_end, day, mentor, awaiting, housed, employed, support,
    strain, extremism, officer_trust,
):  # fmt: skip
    """The community ledger's stocks today, in one pass over its first ``size`` rows.

    ``tally``: people in the community (``place`` ``COMMUNITY``), of them supervised
    (an officer, licence not ended) and mentored, those awaiting return (anywhere in the
    ledger), and the housed and employed in the community. ``totals``: support, strain
    and extremism of those in the community and trust in the officer of the supervised,
    each added as numpy adds the values gathered in row order.
    """
    tally = np.zeros(6, np.int64)
    gathered = np.empty((4, size))
    for i in range(size):
        tally[3] += awaiting[i]
        if place[i] != Place.COMMUNITY:
            continue
        k = tally[0]
        gathered[0, k] = support[i]
        gathered[1, k] = strain[i]
        gathered[2, k] = extremism[i]
        tally[0] += 1
        if officer[i] >= 0 and day < licence_end[i]:
            gathered[3, tally[1]] = officer_trust[i]
            tally[1] += 1
        tally[2] += mentor[i] >= 0
        tally[4] += housed[i]
        tally[5] += employed[i]
    totals = np.empty(4)
    for j in range(4):
        totals[j] = pairwise_head_sum(gathered[j], tally[0] if j < 3 else tally[1])
    return tally, totals


#: The columns that average an attribute over a group of categories: column ->
#: (attribute of ``AVERAGED``, the categories, ascending).
GROUP_MEANS = {
    "trust_in_staff": ("trust_in_staff", ALL_CATEGORIES),
    "trust_in_staff_veo": ("trust_in_staff", VEOS),
    "trust_in_staff_mainstream": ("trust_in_staff", (MAINSTREAM,)),
    "legitimacy": ("legitimacy", ALL_CATEGORIES),
    "wellbeing": ("wellbeing", ALL_CATEGORIES),
    "us_vs_them": ("opposition", OF_CONCERN),
    "extremism_mainstream": ("extremism", (MAINSTREAM,)),
    "extremism_veo": ("extremism", VEOS),
    "extremism_at_risk": ("extremism", (AT_RISK,)),
    "grievance": ("grievance", ALL_CATEGORIES),
    "us_vs_them_all": ("opposition", ALL_CATEGORIES),
    "trust_in_chaplain": ("trust_in_chaplain", ALL_CATEGORIES),
    "radicalised_share_non_veo": ("radical", NON_VEOS),
}
#: ``GROUP_MEANS`` as the kernel reads it: each column's attribute, and its categories
#: as a row of flags.
_MEAN_ATTRIBUTE = np.array([AVERAGED.index(name) for name, _ in GROUP_MEANS.values()])
_MEAN_GROUP = np.array(
    [[c in group for c in range(_N_CATEGORIES)] for _, group in GROUP_MEANS.values()]
)


@compiled
def group_means(sums, counts, attribute, group):
    """Each ``GROUP_MEANS`` column: its attribute's sums over its categories divided by
    their members (NaN for none).

    The sums over categories add as Python's ``sum`` of floats does (3.12: the first
    value added to 0, then Neumaier's compensated summation, the compensation added at
    the end if finite), so the columns keep the bits they had when Python added them.
    """
    out = np.empty(attribute.shape[0])
    for k in range(attribute.shape[0]):
        total = 0.0
        compensation = 0.0
        members = 0
        for c in range(group.shape[1]):
            if not group[k, c]:
                continue
            x = sums[c, attribute[k]]
            members += counts[c]
            t = total + x
            if abs(total) >= abs(x):
                compensation += (total - t) + x
            else:
                compensation += (x - t) + total
            total = t
        if compensation != 0.0 and np.isfinite(compensation):
            total += compensation
        out[k] = total / members if members else np.nan
    return out


#: Where :func:`day_tallies` writes each count (``counts``) and each float total or
#: mean (``values``): the group means first, in ``GROUP_MEANS`` order.
(N_ACTIVE, N_VEO, LABELLED, RISKY, SAFE, FALSE_POS, FALSE_NEG, LEADERS, EXTREMIST_LEADERS,
 HELD, ON_SPECIAL_UNIT, ON_POST, GENERAL, SPECIALIST, OUT, SUPERVISED, MENTORED, AWAITING,
 HOUSED, EMPLOYED, N_COUNTS) = range(21)  # fmt: skip
_MEANS = len(GROUP_MEANS)
(STATUS_TOTAL, STATUS_VEO, PLACES, SUPPORT, STRAIN, EXTREMISM, TRUST, N_VALUES) = range(
    _MEANS, _MEANS + 8
)


@compiled
def day_tallies(
    active, category, attributes, radical, status, labelled, extremism, leader, unit,
    officer, true_risk, radical_threshold, n_categories, is_special, special_factor, special,
    mean_attribute, mean_group, staff_active, training, size, place, c_officer, licence_end,
    day, mentor, awaiting, housed, employed, support, strain, c_extremism, officer_trust,
    counts_out, values_out, veo_out, status_out,
):  # fmt: skip
    """:func:`prisoner_sums`, :func:`group_means`, :func:`staff_counts` and
    :func:`community_tally` in one call, written into the caller's buffers (a kernel's
    every returned array costs Python about half a microsecond): the counts and totals
    at the indices above, ``veo_out`` the active VEOs, ``status_out`` the active
    prisoners' status in slot order; returns how many are active."""
    sums, counts, tally, veo, status_active, totals, occupancy = prisoner_sums(
        active, category, attributes, radical, status, labelled, extremism, leader, unit,
        officer, true_risk, radical_threshold, n_categories, is_special, special_factor,
    )  # fmt: skip
    means = group_means(sums, counts, mean_attribute, mean_group)
    on_post, general, specialist = staff_counts(staff_active, training)
    c_tally, c_totals = community_tally(
        size, place, c_officer, licence_end, day, mentor, awaiting, housed, employed,
        support, strain, c_extremism, officer_trust,
    )  # fmt: skip
    counts_out[N_ACTIVE] = counts.sum()
    counts_out[N_VEO] = counts[VEO_LESSER] + counts[VEO_VIOLENT]
    counts_out[LABELLED : HELD + 1] = tally
    counts_out[ON_SPECIAL_UNIT] = occupancy[special]
    counts_out[ON_POST], counts_out[GENERAL], counts_out[SPECIALIST] = on_post, general, specialist
    counts_out[OUT : EMPLOYED + 1] = c_tally
    values_out[:_MEANS] = means
    values_out[STATUS_TOTAL : PLACES + 1] = totals
    values_out[SUPPORT : TRUST + 1] = c_totals
    veo_out[:] = veo
    n = status_active.shape[0]
    status_out[:n] = status_active
    return n


@dataclass
class _Buffers:
    """What :func:`day_tallies` writes into, kept from day to day (one set per model)."""

    counts: np.ndarray
    values: np.ndarray
    veo: np.ndarray
    status: np.ndarray

    @classmethod
    def of(cls, model: WingModel) -> _Buffers:
        n = model.prisoners.n
        buffers = getattr(model, "_outcome_buffers", None)
        if buffers is None or buffers.veo.shape[0] != n:
            buffers = model._outcome_buffers = cls(
                np.empty(N_COUNTS, np.int64), np.empty(N_VALUES), np.empty(n, bool), np.empty(n)
            )
        return buffers


_averaged = attrgetter(*AVERAGED[:-1])


def compute(model: WingModel) -> dict[str, float]:
    """The day's outcome columns, in ``COLUMNS`` order (``DayTable.collect`` relies on it)."""
    p, s, units, c = model.prisoners, model.staff, model.units, model.community
    defs, costs = model.config.definitions, model.config.costs
    counted, summed = model.day_counts.get, model.day_sums.get
    buffers = _Buffers.of(model)
    n_active = day_tallies(
        p.active, p.category, _averaged(p), p.radical, p.status, p.labelled, p.extremism,
        p.leader, p.unit, p.officer, defs.true_risk_threshold, defs.radical_threshold,
        _N_CATEGORIES, units.is_special, costs.special_unit_place_factor, units.special,
        _MEAN_ATTRIBUTE, _MEAN_GROUP, s.active, s.training, c.size, c.place, c.officer,
        c.licence_end, model.day, c.mentor, c.awaiting, c.housed, c.employed, c.support,
        c.strain, c.person.extremism, c.officer_trust,
        buffers.counts, buffers.values, buffers.veo, buffers.status,
    )  # fmt: skip
    (
        n_act, n_veo, labelled, risky, safe, false_pos, false_neg, leaders, extremist_leaders,
        held, on_special_unit, on_post, general, specialist, out, supervised, mentored,
        awaiting, housed, employed,
    ) = buffers.counts.tolist()  # fmt: skip
    values = buffers.values.tolist()
    mean = dict(zip(GROUP_MEANS, values[:_MEANS], strict=True))
    status_total, status_veo, places, support, strain, extremism, trust = values[_MEANS:]
    veo = buffers.veo

    # Bonding: tie strength among VEOs, and the E-I index of VEOs' ties.
    lo, hi = model.ties.ends
    internal, external = tie_weights_by_group(lo, hi, model.ties.weight, veo)
    bonding = 2.0 * internal / n_veo if n_veo else 0.0
    ei_den = 2.0 * internal + external
    ei = (external - 2.0 * internal) / ei_den if ei_den > 0 else float("nan")

    # Cost of the day in euros: accounting, from the resources the day used.
    officer_year = (
        costs.officer_year_eur * on_post
        + costs.general_training_eur * general
        + costs.specialist_premium_eur * specialist
    )
    place_year = costs.place_year_eur * places
    one_to_one = model.config.interventions.mode == "one_to_one"
    session_eur = costs.one_to_one_session_eur if one_to_one else costs.group_place_eur
    cost = (officer_year + place_year) / DAYS_PER_YEAR
    cost += session_eur * counted("sessions", 0)
    cost += costs.assessment_eur * counted("assessments", 0)

    posts = s.n
    released = counted("released", 0)
    incidents = counted("incidents", 0)
    # Every case is held by an officer in post (officers are only ever hired), so the
    # mean caseload is the cases over the officers; ``held`` counts the active prisoners
    # who already have one (pre-release planning).
    officers = model.probation_officers.n
    return {
        "day": model.day,
        "population": counted("population", 0),
        "veo_count": n_veo,
        "trust_in_staff": mean["trust_in_staff"],
        "trust_in_staff_veo": mean["trust_in_staff_veo"],
        "trust_in_staff_mainstream": mean["trust_in_staff_mainstream"],
        "legitimacy": mean["legitimacy"],
        "wellbeing": mean["wellbeing"],
        "bonding_veo": bonding,
        "ei_index_veo": ei,
        "us_vs_them": mean["us_vs_them"],
        "status_gini": gini(buffers.status[:n_active], status_total),
        "status_share_veo": status_veo / status_total if status_total else 0.0,
        "leader_count": leaders,
        "extremism_mainstream": mean["extremism_mainstream"],
        "extremism_veo": mean["extremism_veo"],
        "newly_radicalised": counted("newly_radicalised", 0),
        "incidents": incidents,
        "labelled_share": labelled / n_act if n_act else 0.0,
        "false_positive_rate": false_pos / safe if safe else 0.0,
        "false_negative_rate": false_neg / risky if risky else 0.0,
        "cost": cost,
        "extremism_at_risk": mean["extremism_at_risk"],
        "grievance": mean["grievance"],
        "us_vs_them_all": mean["us_vs_them_all"],
        "extremist_leader_count": extremist_leaders,
        "veo_mainstream_contacts": counted("veo_mainstream_contacts", 0),
        "hostile_contacts": counted("hostile_contacts", 0),
        "special_unit_population": on_special_unit,
        "staff_in_post": on_post,
        "staff_vacancy_rate": 1.0 - on_post / posts if posts else 0.0,
        "released": released,
        "release_extremism": _mean(summed("release_extremism", 0.0), released),
        "trust_in_chaplain": mean["trust_in_chaplain"],
        "radicalised_share_non_veo": mean["radicalised_share_non_veo"],
        **{name: counted(name, 0) for name in FLOW_COUNTS},
        "release_trust_in_staff": _mean(summed("release_trust", 0.0), released),
        "assaults_on_prisoners": incidents - counted("assaults_on_staff", 0),
        "staff_posts": posts,
        "release_readiness": _mean(summed("release_readiness", 0.0), released),
        "community_population": out,
        "community_supervised": supervised,
        "community_mentored": mentored,
        "awaiting_return": awaiting,
        "community_housed_share": _mean(housed, out),
        "community_employed_share": _mean(employed, out),
        "community_support": _mean(support, out),
        "community_strain": _mean(strain, out),
        "trust_in_probation": _mean(trust, supervised),
        "probation_caseload": (supervised + held) / officers if officers else 0.0,
        "community_extremism": _mean(extremism, out),
        **{name: counted(name, 0) for name in COMMUNITY_FLOWS},
        "terrorist_reoffences_expected": summed("terrorist_reoffences_expected", 0.0),
        "general_reoffences_expected": summed("general_reoffences_expected", 0.0),
        **{name: counted(name, 0) for name in COHORT_COUNTS},
        "cohort_terrorist_expected": summed("cohort_terrorist_expected", 0.0),
        "cohort_general_expected": summed("cohort_general_expected", 0.0),
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
    """Counts per year and per 1,000 prisoners, placements on the unit, euros per
    prisoner-year.

    Rates scale the run's totals to a year and divide by the mean population (or, for
    staff, the posts). ``held_on_unit`` counts placements on the special unit during the
    run: those there at day 0 plus every entry since, so a person who enters twice (after
    an exit, or back from the community) counts twice; it is not a count of people.
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
