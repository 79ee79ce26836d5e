"""Agent state as typed numpy arrays, one row per slot (the Covasim/Starsim style).

A prisoner slot is reused when its occupant is released and a new prisoner arrives,
so arrays never grow and the population is conserved. Mesa agents (``agents.py``)
are thin views on rows of these arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from wingsim import kernels
from wingsim.streams import beta_draws

if TYPE_CHECKING:
    from wingsim.scenario import Scenario


class Category(IntEnum):
    """Prisoner categories: the paper's distinctions between VEOs and others.

    Ordered so that ``category >= AT_RISK`` selects prisoners of concern and
    ``category >= VEO_LESSER`` selects VEOs.
    """

    MAINSTREAM = 0
    AT_RISK = 1
    VEO_LESSER = 2
    VEO_VIOLENT = 3


class Training(IntEnum):
    """Officer training levels: none, general awareness, specialist (special units)."""

    UNTRAINED = 0
    GENERAL = 1
    SPECIALIST = 2


MAINSTREAM, AT_RISK, VEO_LESSER, VEO_VIOLENT = Category
CATEGORY_NAMES = tuple(c.name.lower() for c in Category)

#: Floor of the relative-agreement uncertainty: the update divides by it (Deffuant et al. 2002).
MIN_UNCERTAINTY = 0.02

# Initial attitudes by category: Beta(a, b) for extremism and the base uncertainty
# (openness) range. VEOs start confident, mainstream prisoners start open.
_EXTREMISM_BETA = {
    MAINSTREAM: (1.5, 12.0),
    AT_RISK: (4.0, 5.0),
    VEO_LESSER: (5.0, 3.0),
    VEO_VIOLENT: (8.0, 2.0),
}
_UNCERTAINTY_RANGE = {
    MAINSTREAM: (0.2, 0.45),
    AT_RISK: (0.2, 0.4),
    VEO_LESSER: (0.1, 0.25),
    VEO_VIOLENT: (0.06, 0.18),
}
_OPPOSITION_MEAN = {MAINSTREAM: 0.2, AT_RISK: 0.35, VEO_LESSER: 0.45, VEO_VIOLENT: 0.55}


@dataclass
class Prisoners:
    """State of every prisoner slot; ``active`` marks occupied slots."""

    active: np.ndarray
    uid: np.ndarray
    category: np.ndarray
    gang: np.ndarray
    charisma: np.ndarray
    extremism: np.ndarray
    predisposition: np.ndarray
    uncertainty: np.ndarray
    base_uncertainty: np.ndarray
    trust_in_staff: np.ndarray
    trust_in_chaplain: np.ndarray
    legitimacy: np.ndarray
    wellbeing: np.ndarray
    grievance: np.ndarray
    opposition: np.ndarray
    imported_status: np.ndarray
    status: np.ndarray
    leader: np.ndarray
    vulnerability: np.ndarray
    observance: np.ndarray
    unit: np.ndarray
    labelled: np.ndarray
    label_days: np.ndarray
    assessed_risk: np.ndarray
    low_assessments: np.ndarray
    clear_assessments: np.ndarray
    next_assessment: np.ndarray
    knowledge: np.ndarray
    reports: np.ndarray
    sentence: np.ndarray
    served: np.ndarray
    radicalised: np.ndarray
    radical: np.ndarray
    days_on_special_unit: np.ndarray
    # Before release (``resettlement.py``): what a person builds in prison and leaves with.
    # They feed nothing back into the prison's own mechanisms.
    skills: np.ndarray  # vocational skills, 0-1 (-1: not yet profiled)
    family_bond: np.ndarray  # strength of family ties, 0-1 (-1: not yet profiled)
    plan_days: np.ndarray  # days of resettlement planning so far
    officer: np.ndarray  # probation officer met before release (-1: none yet)
    officer_trust: np.ndarray  # trust in that officer, 0-1
    mentor: np.ndarray  # mentor met before release (-1: none)
    mentor_trust: np.ndarray  # trust in that mentor, 0-1
    readmitted: np.ndarray  # back from the community (recalled or sentenced again)

    @property
    def n(self) -> int:
        return self.active.shape[0]

    @property
    def is_veo(self) -> np.ndarray:
        return self.category >= VEO_LESSER

    @classmethod
    def empty(cls, n: int) -> Prisoners:
        kinds = {
            "active": bool,
            "gang": bool,
            "leader": bool,
            "labelled": bool,
            "readmitted": bool,
            "radicalised": bool,
            "radical": bool,
            "uid": np.int64,
            "category": np.int8,
            "unit": np.int32,
            "label_days": np.int32,
            "low_assessments": np.int32,
            "clear_assessments": np.int32,
            "next_assessment": np.int64,
            "sentence": np.int64,
            "served": np.int64,
            "days_on_special_unit": np.int64,
            "plan_days": np.int64,
            "officer": np.int32,
            "mentor": np.int32,
        }
        out = cls(**{f.name: np.zeros(n, dtype=kinds.get(f.name, np.float64)) for f in fields(cls)})
        out.reset_resettlement(np.arange(n))
        return out

    def reset_resettlement(self, slots: np.ndarray) -> None:
        """A new arrival has no plan, officer or mentor yet and is profiled on first sight."""
        self.skills[slots] = -1.0
        self.family_bond[slots] = -1.0
        self.plan_days[slots] = 0
        self.officer[slots] = -1
        self.officer_trust[slots] = 0.0
        self.mentor[slots] = -1
        self.mentor_trust[slots] = 0.0

    def copy_rows(
        self, rows: np.ndarray | slice, other: Prisoners, other_rows: np.ndarray | slice
    ) -> None:
        """``self[rows] = other[other_rows]`` for every field (a snapshot or a restore).

        Either side may be a slice where its rows run in order. A slice to read from costs
        less than an index array on each of the fields, but one to write into costs more
        (numpy's assignment to a slice converts the values; an index array's takes them
        as they are: 2 rows, 43 fields, 11.2 against 6.7 us), so ``rows`` is written
        through an index array.
        """
        if isinstance(rows, slice):
            rows = np.arange(*rows.indices(self.n))
        mine, theirs = vars(self), vars(other)
        for name in _PRISONER_FIELDS:
            mine[name][rows] = theirs[name][other_rows]

    def reorder(self, order: np.ndarray) -> None:
        """Row ``i`` takes what row ``order[i]`` held, for every field, in place."""
        self.copy_rows(np.arange(self.n), self, order)

    def grown(self, n: int) -> Prisoners:
        """A copy with ``n`` rows: the first rows as now, the rest empty."""
        out = Prisoners.empty(n)
        k = min(n, self.n)
        out.copy_rows(np.arange(k), self, np.arange(k))
        return out

    def fill(
        self,
        slots: np.ndarray,
        rng: np.random.Generator,
        scenario: Scenario,
        uids: np.ndarray,
        today: int,
        served_fraction: bool = False,
    ) -> None:
        """Draw new prisoners into ``slots`` (arrivals, or the initial population).

        Every draw comes from ``rng`` in a fixed order and a fixed count per
        prisoner, so the same seed gives the same arrivals under every regime.
        """
        k = slots.shape[0]
        if k == 0:
            return
        pop = scenario.population
        u = rng.random((k, 12))
        # Category edges: the cumulative shares, summed in the order np.cumsum sums them.
        edge0 = pop.veo_violent_share
        edge1 = edge0 + pop.veo_lesser_share
        edge2 = edge1 + pop.at_risk_share
        cat, a, b = _draw_categories(u, float(edge0), float(edge1), float(edge2))
        z = rng.standard_normal((k, 2))
        ext = beta_draws(rng, a, b)
        # One draw per prisoner (a draw without ``size`` gave every prisoner of a batch,
        # the whole first population included, the same vulnerability).
        vm = pop.vulnerability_mean
        drawn = 0 < vm < 1
        vul = rng.beta(2.0 * vm / max(1e-9, 1 - vm) + 1e-6, 2.0, size=k) if drawn else np.empty(k)
        spread = np.exp(pop.sentence_spread * z[:, 0])
        _fill_rows(
            slots, uids, u, z, cat, ext, vul, spread, drawn, float(vm),
            float(pop.sentence_days_veo), float(pop.sentence_days_other),
            float(pop.leader_share), float(pop.extremist_leader_share), float(pop.gang_share),
            float(scenario.definitions.radical_threshold), bool(served_fraction),
            int(today), int(scenario.assessment.interval_days),
            self.active, self.uid, self.category, self.gang, self.charisma, self.extremism,
            self.predisposition, self.uncertainty, self.base_uncertainty, self.trust_in_staff,
            self.trust_in_chaplain, self.legitimacy, self.wellbeing, self.grievance,
            self.opposition, self.imported_status, self.status, self.leader,
            self.vulnerability, self.observance, self.unit, self.labelled, self.label_days,
            self.assessed_risk, self.low_assessments, self.clear_assessments, self.knowledge,
            self.reports, self.sentence, self.served, self.radical, self.radicalised,
            self.days_on_special_unit, self.readmitted, self.next_assessment,
        )  # fmt: skip
        self.reset_resettlement(slots)

    def clear(self, slots: np.ndarray) -> None:
        self.active[slots] = False
        self.unit[slots] = -1
        self.leader[slots] = False
        self.labelled[slots] = False


#: Names of the per-slot fields, in order (``copy_rows`` walks them).
_PRISONER_FIELDS = tuple(f.name for f in fields(Prisoners))

#: The tables above by category index, for the compiled fill.
_BETA_A = np.array([_EXTREMISM_BETA[c][0] for c in range(4)])
_BETA_B = np.array([_EXTREMISM_BETA[c][1] for c in range(4)])
_UNC_LO = np.array([_UNCERTAINTY_RANGE[c][0] for c in range(4)])
_UNC_HI = np.array([_UNCERTAINTY_RANGE[c][1] for c in range(4)])
_OPP_MEAN = np.array([_OPPOSITION_MEAN[c] for c in range(4)])
_MAINSTREAM, _AT_RISK, _VEO_LESSER, _VEO_VIOLENT = (int(c) for c in Category)


@kernels.compiled
def _draw_categories(u, edge0, edge1, edge2):
    """Each arrival's category from ``u[:, 0]`` and the cumulative shares (the most
    severe whose edge it falls below), and the Beta parameters of his extremism."""
    k = u.shape[0]
    cat = np.empty(k, np.int8)
    a = np.empty(k)
    b = np.empty(k)
    for i in range(k):
        x = u[i, 0]
        if x < edge0:
            c = _VEO_VIOLENT
        elif x < edge1:
            c = _VEO_LESSER
        elif x < edge2:
            c = _AT_RISK
        else:
            c = _MAINSTREAM
        cat[i] = c
        a[i] = _BETA_A[c]
        b[i] = _BETA_B[c]
    return cat, a, b


@kernels.compiled
def _fill_rows(
    slots, uids, u, z, cat, ext, vul, spread, drawn, vm, days_veo, days_other, leader_share,
    extremist_leader_share, gang_share, radical_threshold, served_fraction, today, interval,
    active, uid, category, gang, charisma, extremism, predisposition, uncertainty,
    base_uncertainty, trust_in_staff, trust_in_chaplain, legitimacy, wellbeing, grievance,
    opposition, imported_status, status, leader, vulnerability, observance, unit, labelled,
    label_days, assessed_risk, low_assessments, clear_assessments, knowledge, reports,
    sentence, served, radical, radicalised, days_on_special_unit, readmitted, next_assessment,
):  # fmt: skip
    """Every field of the arrivals in ``slots`` from their draws but the resettlement
    ones (``Prisoners.fill`` resets those): the numpy expressions it replaced, element by
    element in the same order."""
    for i in range(slots.shape[0]):
        s = slots[i]
        c = cat[i]
        charismatic = u[i, 2] < leader_share
        extremist_leader = charismatic and c != _MAINSTREAM and u[i, 3] < extremist_leader_share
        e = ext[i]
        if extremist_leader:
            e = max(e, 0.8)
        elif charismatic:
            e = min(e, 0.1)
        unc = 0.08 if charismatic else _UNC_LO[c] + (_UNC_HI[c] - _UNC_LO[c]) * u[i, 1]
        median = days_veo if c >= _VEO_LESSER else days_other
        sent = max(14.0, np.rint(median * spread[i]))
        g = c == _MAINSTREAM and u[i, 4] < gang_share
        imported = (
            0.15
            + 0.25 * u[i, 5]
            + 0.25 * np.float64(g)
            + 0.15 * np.float64(c == _VEO_VIOLENT)
            + 0.4 * np.float64(charismatic)
        )
        imported = min(max(imported, 0.0), 1.0)
        active[s] = True
        uid[s] = uids[i]
        category[s] = c
        gang[s] = g
        charisma[s] = 0.7 + 0.3 * u[i, 6] if charismatic else 0.0
        extremism[s] = e
        predisposition[s] = e
        uncertainty[s] = unc
        base_uncertainty[s] = unc
        trust = 0.5 - 0.25 * e + 0.2 * (u[i, 7] - 0.5)
        trust_in_staff[s] = min(max(trust, 0.0), 1.0)
        trust_in_chaplain[s] = 0.3
        legit = 0.6 - 0.2 * e + 0.2 * (u[i, 8] - 0.5)
        legitimacy[s] = min(max(legit, 0.0), 1.0)
        wellbeing[s] = 0.6
        grievance[s] = 0.0
        opp = _OPP_MEAN[c] + 0.15 * z[i, 1]
        opposition[s] = min(max(opp, 0.0), 1.0)
        imported_status[s] = imported
        status[s] = imported
        leader[s] = False
        vulnerability[s] = min(max(vul[i], 0.0), 1.0) if drawn else vm
        observance[s] = u[i, 9]
        unit[s] = -1
        labelled[s] = False
        label_days[s] = 0
        assessed_risk[s] = 0.0
        low_assessments[s] = 0
        clear_assessments[s] = 0
        knowledge[s] = 0.0
        reports[s] = 0.0
        sentence[s] = np.int64(sent)
        served[s] = np.int64(np.floor(u[i, 10] * sent)) if served_fraction else 0
        radical[s] = e > radical_threshold
        radicalised[s] = e > radical_threshold
        days_on_special_unit[s] = 0
        readmitted[s] = False
        next_assessment[s] = today + np.int64(np.floor(u[i, 11] * interval))


@dataclass
class Roster:
    """Who is on which unit today, sorted by unit: built once a day after intake.

    Submodels that draw unit mates (contacts) or count per unit share it instead of each
    re-sorting the population. Valid until placement moves or releases change units.
    """

    slots: np.ndarray  # active slots
    unit: np.ndarray  # their units
    by_unit: np.ndarray  # active slots sorted by unit
    counts: np.ndarray  # prisoners per unit
    starts: np.ndarray  # offset of each unit in ``by_unit``

    @classmethod
    def build(cls, prisoners: Prisoners, n_units: int) -> Roster:
        return cls(*_roster(prisoners.active, prisoners.unit, n_units))

    def draw(self, units: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A uniformly random prisoner of each given unit (``u`` uniform in [0, 1))."""
        return self.by_unit[self.starts[units] + (u * self.counts[units]).astype(np.int64)]


@kernels.compiled
def _roster(active, unit_of, n_units):
    """The roster's arrays in one pass and a counting sort: active slots, their units,
    the slots sorted by unit (stably), prisoners per unit and each unit's offset."""
    n = active.shape[0]
    slots = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if active[i]:
            slots[k] = i
            k += 1
    slots = slots[:k]
    unit = np.empty(k, unit_of.dtype)
    counts = np.zeros(n_units, np.int64)
    for j in range(k):
        unit[j] = unit_of[slots[j]]
        counts[unit[j]] += 1
    starts = np.zeros(n_units, np.int64)
    for d in range(1, n_units):
        starts[d] = starts[d - 1] + counts[d - 1]
    by_unit = np.empty(k, np.int64)
    at = starts.copy()
    for j in range(k):
        by_unit[at[unit[j]]] = slots[j]
        at[unit[j]] += 1
    return slots, unit, by_unit, counts, starts


@dataclass
class Staff:
    """Officer posts; a vacant post has ``active`` False until it is filled."""

    active: np.ndarray
    uid: np.ndarray
    unit: np.ndarray
    training: np.ndarray
    fairness: np.ndarray
    stress: np.ndarray

    @property
    def n(self) -> int:
        return self.active.shape[0]

    @classmethod
    def posts(cls, unit: np.ndarray) -> Staff:
        """Vacant posts on the given units (``staffing.py`` hires into them)."""
        k = unit.shape[0]
        return cls(
            active=np.zeros(k, bool),
            uid=np.zeros(k, np.int64),
            unit=unit,
            training=np.zeros(k, np.int8),
            fairness=np.zeros(k),
            stress=np.zeros(k),
        )


@dataclass
class Chaplains:
    """Chaplains serve the whole establishment."""

    uid: np.ndarray
    trained: np.ndarray
    visits_made: np.ndarray

    @property
    def n(self) -> int:
        return self.uid.shape[0]


# -- after release ----------------------------------------------------------------------


class Place(IntEnum):
    """Where a released person's episode stands (one row of the community ledger).

    ``COMMUNITY``: out of prison and followed; ``RETURNED``: back in custody (recalled, or
    a new custodial sentence), awaiting or holding a place in the establishment;
    ``PAST_HORIZON``: followed for the whole horizon in the community. A person released
    again after a return starts a new episode (a new row).
    """

    COMMUNITY = 0
    RETURNED = 1
    PAST_HORIZON = 2


class FamilyKind(IntEnum):
    """Family and significant others after release: none, a support, a negative influence."""

    NONE = 0
    SUPPORTIVE = 1
    NEGATIVE = 2


class MentorKind(IntEnum):
    """Mentors the paper names: 'formers', religious or community mentors, volunteers."""

    FORMER = 0
    RELIGIOUS = 1
    VOLUNTEER = 2


#: Uids are below this (pairs of uids are keyed as ``lo * _UID_SPAN + hi``).
_UID_SPAN = 1 << 31


@kernels.compiled
def _merge_pairs(held_a, held_b, held_w, key, w, span):
    """Merge a sorted batch of pair keys (``a * span + b``) and strengths into the held
    pairs (sorted the same way): a pair already held keeps the stronger strength, a new
    pair goes in at its place. One pass: a day's few releases into thousands of pairs."""
    nh, nk = held_a.shape[0], key.shape[0]
    out_a = np.empty(nh + nk, np.int64)
    out_b = np.empty(nh + nk, np.int64)
    out_w = np.empty(nh + nk)
    i = o = 0
    for j in range(nk):
        while i < nh and held_a[i] * span + held_b[i] < key[j]:
            out_a[o], out_b[o], out_w[o] = held_a[i], held_b[i], held_w[i]
            i += 1
            o += 1
        if i < nh and held_a[i] * span + held_b[i] == key[j]:
            held_w[i] = max(held_w[i], w[j])
        else:
            out_a[o], out_b[o], out_w[o] = key[j] // span, key[j] % span, w[j]
            o += 1
    while i < nh:
        out_a[o], out_b[o], out_w[o] = held_a[i], held_b[i], held_w[i]
        i += 1
        o += 1
    return out_a[:o], out_b[:o], out_w[:o]


@kernels.compiled
def _carry_pairs(held_a, held_b, held_w, a, b, w, span):
    """:meth:`Community.carry_ties` in one call: the batch's pair keys, sorted stably
    (numba's merge sort, stable as numpy's), merged into the held pairs."""
    key = kernels.tie_keys(a, b, span)
    order = np.argsort(key, kind="mergesort")
    return _merge_pairs(held_a, held_b, held_w, key[order], w[order], span)


@kernels.compiled
def _rows_of(uid, row_of_uid):
    """``row_of_uid[uid]`` where ``uid`` is below its length, else -1."""
    out = np.empty(uid.shape[0], np.int64)
    for i in range(uid.shape[0]):
        out[i] = row_of_uid[uid[i]] if uid[i] < row_of_uid.shape[0] else -1
    return out


_COMMUNITY = int(Place.COMMUNITY)


@kernels.compiled
def _admit_rows(
    rows, uid, extremism, row_of_uid, today, extremism_at_release, episode, place,
    release_day, licence_end, mentor_end, housed, employed,
):  # fmt: skip
    """The new rows' own fields at the gate (``Community.admit``): extremism at release,
    the episode (one more than the uid's last, else 1), and the uid's latest row; in the
    community from ``today``, housed and employed until the gate submodels say otherwise.
    ``uid`` holds distinct uids, each below ``row_of_uid``'s length."""
    for i in range(rows.shape[0]):
        r, who = rows[i], uid[i]
        extremism_at_release[r] = extremism[r]
        before = row_of_uid[who]
        episode[r] = episode[before] + 1 if before >= 0 else 1
        row_of_uid[who] = r
        place[r] = _COMMUNITY
        release_day[r] = today
        licence_end[r] = today
        mentor_end[r] = today
        housed[r] = True
        employed[r] = True


#: Community ledger fields and their dtypes (float64 unless listed).
_COMMUNITY_KINDS = {
    "place": np.int8,
    "episode": np.int32,
    "release_day": np.int64,
    "licence_end": np.int64,
    "mentor_end": np.int64,
    "return_day": np.int64,
    "return_sentence": np.int64,
    "awaiting": bool,
    "closed": bool,
    "housed": bool,
    "home": bool,
    "employed": bool,
    "family_kind": np.int8,
    "family_involved": bool,
    "background": np.int8,
    "mh_need": bool,
    "mh_identified": bool,
    "mh_treated": bool,
    "officer": np.int32,
    "matched_officer": bool,
    "mentor": np.int32,
    "matched_mentor": bool,
    "disengaged": bool,
    "reengaged": bool,
    "general_reoffences": np.int32,
    "terrorist_reoffences": np.int32,
    "breaches": np.int32,
}


@dataclass
class Community:
    """Everyone released, one row per release *episode*, kept for the whole run.

    ``person`` holds each episode's prisoner record as it was at the gate (extremism,
    trust, label, category, ...); the community mechanisms then move its extremism and
    predisposition. The other arrays are the community's own state. Rows are appended at
    release and never removed, so nobody is lost: a row's ``place`` says where the episode
    stands. ``size`` rows are in use; arrays grow by doubling.
    """

    size: int
    person: Prisoners
    place: np.ndarray
    episode: np.ndarray  # 1 for a first release, 2 after one return, ...
    release_day: np.ndarray
    licence_end: np.ndarray  # first day no longer on licence
    mentor_end: np.ndarray  # first day without the mentor
    return_day: np.ndarray  # day of return to custody (RETURNED)
    return_sentence: np.ndarray  # days to serve on return
    awaiting: np.ndarray  # returned, waiting for a place in the establishment
    closed: np.ndarray  # the horizon has passed: the episode's outcomes are counted
    extremism_at_release: np.ndarray
    readiness: np.ndarray  # share of the resettlement plan done at release, 0-1
    quality: np.ndarray  # quality of the multi-agency needs assessment at release, 0-1
    stigma: np.ndarray  # stigma met in the community, 0-1
    home: np.ndarray  # has a home to return to (a fixed trait)
    housed: np.ndarray
    employed: np.ndarray
    family_kind: np.ndarray
    family_involved: np.ndarray
    background: np.ndarray  # cultural or religious background (index)
    mh_need: np.ndarray
    mh_identified: np.ndarray
    mh_treated: np.ndarray
    officer: np.ndarray  # probation officer (-1: none)
    matched_officer: np.ndarray
    officer_trust: np.ndarray
    officer_knowledge: np.ndarray
    misses: np.ndarray  # missed appointments since the last breach
    mentor: np.ndarray  # mentor (-1: none)
    matched_mentor: np.ndarray
    mentor_trust: np.ndarray
    support: np.ndarray  # support in place, 0-1 (transition.py)
    strain: np.ndarray  # transition strain (vulnerability), 0-1
    disengaged: np.ndarray  # extremism has been below the re-engagement band
    reengaged: np.ndarray
    general_reoffences: np.ndarray
    terrorist_reoffences: np.ndarray
    breaches: np.ndarray
    propensity: np.ndarray  # general reoffending relative to the average (criminal history)
    expected_general: np.ndarray  # sum of daily general reoffending hazards
    expected_terrorist: np.ndarray  # sum of daily terrorist reoffending hazards
    #: Per day since release (0 .. horizon-1): people at risk, hazards and events summed.
    at_risk_by_day: np.ndarray
    hazard_by_day: np.ndarray  # general reoffending hazard
    terrorist_hazard_by_day: np.ndarray
    events_by_day: np.ndarray  # general reoffences
    row_of_uid: np.ndarray  # the row of a uid's latest episode (-1: never released)
    #: Prison ties carried out of the gate: uids of both ends and strength.
    tie_a: np.ndarray
    tie_b: np.ndarray
    tie_w: np.ndarray
    #: Days simulated before day 0 (warm-up): keyed draws use ``day + day_offset``.
    day_offset: int = 0

    @classmethod
    def empty(cls, horizon: int, capacity: int = 64) -> Community:
        arrays = {}
        for f in fields(cls):
            if f.name in ("size", "person", "day_offset") or f.name.endswith("_by_day"):
                continue
            if f.name in ("row_of_uid", "tie_a", "tie_b", "tie_w"):
                continue
            arrays[f.name] = np.zeros(capacity, dtype=_COMMUNITY_KINDS.get(f.name, np.float64))
        arrays["officer"][:] = -1
        arrays["mentor"][:] = -1
        by_day = {
            name: np.zeros(horizon)
            for name in (
                "at_risk_by_day",
                "hazard_by_day",
                "terrorist_hazard_by_day",
                "events_by_day",
            )
        }
        return cls(
            size=0,
            person=Prisoners.empty(capacity),
            row_of_uid=np.full(64, -1, dtype=np.int64),
            tie_a=np.empty(0, np.int64),
            tie_b=np.empty(0, np.int64),
            tie_w=np.empty(0),
            **arrays,
            **by_day,
        )

    @property
    def capacity(self) -> int:
        return self.place.shape[0]

    @property
    def horizon(self) -> int:
        return self.at_risk_by_day.shape[0]

    def _row_fields(self) -> list[str]:
        skip = ("size", "person", "day_offset", "row_of_uid", "tie_a", "tie_b", "tie_w")
        return [f.name for f in fields(self) if f.name not in skip and "_by_day" not in f.name]

    def _grow(self, need: int) -> None:
        cap = self.capacity
        if need <= cap:
            return
        new = max(need, 2 * cap)
        for name in self._row_fields():
            old = getattr(self, name)
            grown = np.zeros(new, dtype=old.dtype)
            if name in ("officer", "mentor"):
                grown[:] = -1
            grown[:cap] = old
            setattr(self, name, grown)
        self.person = self.person.grown(new)

    def in_community(self) -> np.ndarray:
        """Rows followed in the community today."""
        return np.flatnonzero(self.place[: self.size] == Place.COMMUNITY)

    def admit(self, prisoners: Prisoners, slots: np.ndarray, today: int) -> np.ndarray:
        """New rows for prisoners released from ``slots`` today: their record at the gate.

        Every other field starts neutral (housed, employed, no officer, no mentor, no
        family); each community mechanism sets its own part as the person leaves.
        """
        k = slots.shape[0]
        rows = np.arange(self.size, self.size + k)
        self._grow(self.size + k)
        self.size += k
        self.person.copy_rows(slice(self.size - k, self.size), prisoners, slots)
        uid = self.person.uid[rows]
        top = int(uid.max())
        if top >= self.row_of_uid.shape[0]:
            grown = np.full(max(top + 1, 2 * self.row_of_uid.shape[0]), -1, np.int64)
            grown[: self.row_of_uid.shape[0]] = self.row_of_uid
            self.row_of_uid = grown
        _admit_rows(
            rows, uid, self.person.extremism, self.row_of_uid, today, self.extremism_at_release,
            self.episode, self.place, self.release_day, self.licence_end, self.mentor_end,
            self.housed, self.employed,
        )  # fmt: skip
        return rows

    def rows_of(self, uid: np.ndarray) -> np.ndarray:
        """The latest episode's row of each uid (-1 for someone never released)."""
        return _rows_of(uid, self.row_of_uid)

    def carry_ties(self, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> None:
        """Add prison ties (uids of both ends) that leave through the gate, kept sorted by
        pair; a pair already held keeps the stronger strength."""
        if a.shape[0] == 0:
            return
        self.tie_a, self.tie_b, self.tie_w = _carry_pairs(
            self.tie_a, self.tie_b, self.tie_w, a, b, w, _UID_SPAN
        )

    def send_back(self, rows: np.ndarray, today: int, sentence: np.ndarray | int) -> None:
        """Return ``rows`` to custody: they wait for a place at the next intake."""
        self.place[rows] = Place.RETURNED
        self.awaiting[rows] = True
        self.return_day[rows] = today
        self.return_sentence[rows] = sentence

    def waiting(self) -> np.ndarray:
        """Rows waiting for a place in the establishment, longest-waiting first."""
        rows = np.flatnonzero(self.awaiting[: self.size])
        return rows[np.argsort(self.return_day[rows], kind="stable")]

    def restore(
        self, rows: np.ndarray, prisoners: Prisoners, slots: np.ndarray, today: int
    ) -> None:
        """Put returning people into freshly filled ``slots`` with their own state.

        Everything of the person comes back (extremism, trust, label, category, skills,
        family ties, ...) except what belongs to a new stay: the sentence (the recall or
        the new sentence), days served, unit, days on the special unit, whether he was
        radicalised in this stay, leadership, status, the assessment calendar and the
        resettlement plan.
        """
        keep_next = prisoners.next_assessment[slots].copy()
        prisoners.copy_rows(slots, self.person, rows)
        prisoners.active[slots] = True
        prisoners.readmitted[slots] = True
        sentence = np.maximum(1, self.return_sentence[rows])
        prisoners.sentence[slots] = sentence
        # Days waiting for a place count toward the time to serve (at least a day here).
        prisoners.served[slots] = np.minimum(today - self.return_day[rows], sentence - 1)
        prisoners.unit[slots] = -1
        prisoners.leader[slots] = False
        prisoners.status[slots] = prisoners.imported_status[slots]
        prisoners.low_assessments[slots] = 0
        # "In this stay": a new stay starts with no days on the unit, and radicalised
        # (for ``newly_radicalised``) only if he comes back holding radical views.
        prisoners.days_on_special_unit[slots] = 0
        prisoners.radicalised[slots] = prisoners.radical[slots]
        prisoners.next_assessment[slots] = keep_next
        prisoners.plan_days[slots] = 0
        prisoners.officer[slots] = -1
        prisoners.officer_trust[slots] = 0.0
        prisoners.mentor[slots] = -1
        prisoners.mentor_trust[slots] = 0.0
        self.awaiting[rows] = False

    def shift_days(self, days: int) -> None:
        """After a warm-up the calendar restarts at day 0: day stamps move with it."""
        n = self.size
        for name in ("release_day", "licence_end", "mentor_end", "return_day"):
            getattr(self, name)[:n] -= days
        self.day_offset += days


@dataclass
class ProbationOfficers:
    """Probation officers in post; the service hires as caseloads require (supervision.py)."""

    background: np.ndarray
    fairness: np.ndarray

    @property
    def n(self) -> int:
        return self.background.shape[0]

    @classmethod
    def empty(cls) -> ProbationOfficers:
        return cls(background=np.zeros(0, np.int8), fairness=np.zeros(0))

    def hire(self, background: np.ndarray, fairness: np.ndarray) -> np.ndarray:
        start = self.n
        self.background = np.concatenate([self.background, background.astype(np.int8)])
        self.fairness = np.concatenate([self.fairness, fairness])
        return np.arange(start, self.n)


@dataclass
class Mentors:
    """The mentors available to the service (mentoring.py): kind, vetting outcome, places."""

    kind: np.ndarray
    hidden_agenda: np.ndarray
    places: np.ndarray  # mentees a mentor can take at once

    @property
    def n(self) -> int:
        return self.kind.shape[0]

    @classmethod
    def empty(cls) -> Mentors:
        return cls(kind=np.zeros(0, np.int8), hidden_agenda=np.zeros(0, bool), places=np.zeros(0))


@dataclass
class Holding:
    """Arrivals waiting elsewhere (a local prison) for a place in the establishment.

    They exist only when people returned from the community hold places: each returner
    displaces one arrival, who waits here, in order of arrival, with their time counting
    toward the sentence, and takes the first place a returner frees. Arrivals are drawn
    exactly as if nobody had returned, so the arrival stream and every arrival's release
    date are the same whoever is recalled (common random numbers across regimes).
    """

    person: Prisoners
    size: int = 0

    @classmethod
    def empty(cls) -> Holding:
        return cls(person=Prisoners.empty(8))

    def append(self, k: int) -> np.ndarray:
        """Room for ``k`` more at the end (in arrival order): their rows, to be filled."""
        if self.size + k > self.person.n:
            self.person = self.person.grown(max(self.size + k, 2 * self.person.n))
        rows = np.arange(self.size, self.size + k)
        self.size += k
        return rows

    def remove(self, rows: np.ndarray) -> None:
        """Drop ``rows`` (sorted, distinct: admitted, or released from here), keeping the
        order."""
        k = rows.shape[0]
        if k and rows[-1] == k - 1:  # the first k: the rest move up (slices)
            if self.size > k:
                self.person.copy_rows(slice(0, self.size - k), self.person, slice(k, self.size))
            self.size -= k
            return
        keep = np.ones(self.size, dtype=bool)
        keep[rows] = False
        left = np.flatnonzero(keep)
        self.person.copy_rows(np.arange(left.shape[0]), self.person, left)
        self.size = left.shape[0]
