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

    def copy_rows(self, rows: np.ndarray, other: Prisoners, other_rows: np.ndarray) -> None:
        """``self[rows] = other[other_rows]`` for every field (a snapshot or a restore)."""
        for f in fields(self):
            getattr(self, f.name)[rows] = getattr(other, f.name)[other_rows]

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
        shares = np.array([pop.veo_violent_share, pop.veo_lesser_share, pop.at_risk_share])
        edges = np.cumsum(shares)
        cat = np.full(k, MAINSTREAM, dtype=np.int8)
        cat[u[:, 0] < edges[2]] = AT_RISK
        cat[u[:, 0] < edges[1]] = VEO_LESSER
        cat[u[:, 0] < edges[0]] = VEO_VIOLENT
        z = rng.standard_normal((k, 2))
        a = np.array([_EXTREMISM_BETA[c][0] for c in range(4)])[cat]
        b = np.array([_EXTREMISM_BETA[c][1] for c in range(4)])[cat]
        ext = rng.beta(a, b)
        lo = np.array([_UNCERTAINTY_RANGE[c][0] for c in range(4)])[cat]
        hi = np.array([_UNCERTAINTY_RANGE[c][1] for c in range(4)])[cat]
        unc = lo + (hi - lo) * u[:, 1]
        veo = cat >= VEO_LESSER
        median = np.where(veo, pop.sentence_days_veo, pop.sentence_days_other)
        sentence = np.maximum(14, np.round(median * np.exp(pop.sentence_spread * z[:, 0])))
        charismatic = u[:, 2] < pop.leader_share
        extremist_leader = (
            charismatic & (cat != MAINSTREAM) & (u[:, 3] < pop.extremist_leader_share)
        )
        # Extremist leaders hold firm views; order-keeping leaders are firmly anti-extremist.
        ext = np.where(extremist_leader, np.maximum(ext, 0.8), ext)
        ext = np.where(charismatic & ~extremist_leader, np.minimum(ext, 0.1), ext)
        unc = np.where(charismatic, 0.08, unc)
        gang = (cat == MAINSTREAM) & (u[:, 4] < pop.gang_share)
        imported = np.clip(
            0.15 + 0.25 * u[:, 5] + 0.25 * gang + 0.15 * (cat == VEO_VIOLENT) + 0.4 * charismatic,
            0.0,
            1.0,
        )
        # One draw per prisoner (a draw without ``size`` gave every prisoner of a batch,
        # the whole first population included, the same vulnerability).
        vm = pop.vulnerability_mean
        vul = (
            np.clip(rng.beta(2.0 * vm / max(1e-9, 1 - vm) + 1e-6, 2.0, size=k), 0, 1)
            if 0 < vm < 1
            else np.full(k, vm)
        )
        opp_mean = np.array([_OPPOSITION_MEAN[c] for c in range(4)])[cat]

        s = slots
        self.active[s] = True
        self.uid[s] = uids
        self.category[s] = cat
        self.gang[s] = gang
        self.charisma[s] = np.where(charismatic, 0.7 + 0.3 * u[:, 6], 0.0)
        self.extremism[s] = ext
        self.predisposition[s] = ext
        self.uncertainty[s] = unc
        self.base_uncertainty[s] = unc
        self.trust_in_staff[s] = np.clip(0.5 - 0.25 * ext + 0.2 * (u[:, 7] - 0.5), 0, 1)
        self.trust_in_chaplain[s] = 0.3
        self.legitimacy[s] = np.clip(0.6 - 0.2 * ext + 0.2 * (u[:, 8] - 0.5), 0, 1)
        self.wellbeing[s] = 0.6
        self.grievance[s] = 0.0
        self.opposition[s] = np.clip(opp_mean + 0.15 * z[:, 1], 0, 1)
        self.imported_status[s] = imported
        self.status[s] = imported
        self.leader[s] = False
        self.vulnerability[s] = vul
        # Religious observance is independent of extremism: the paper warns it is
        # misread as radicalisation, which is what the assessment bias models.
        self.observance[s] = u[:, 9]
        self.unit[s] = -1
        self.labelled[s] = False
        self.label_days[s] = 0
        self.assessed_risk[s] = 0.0
        self.low_assessments[s] = 0
        self.clear_assessments[s] = 0
        self.knowledge[s] = 0.0
        self.reports[s] = 0.0
        self.sentence[s] = sentence.astype(np.int64)
        served = np.floor(u[:, 10] * sentence).astype(np.int64) if served_fraction else 0
        self.served[s] = served
        self.radical[s] = ext > scenario.definitions.radical_threshold
        self.radicalised[s] = self.radical[s]
        self.days_on_special_unit[s] = 0
        self.readmitted[s] = False
        self.reset_resettlement(s)
        # Stagger assessments so they do not all fall on one day.
        interval = scenario.assessment.interval_days
        self.next_assessment[s] = today + np.floor(u[:, 11] * interval).astype(np.int64)

    def clear(self, slots: np.ndarray) -> None:
        self.active[slots] = False
        self.unit[slots] = -1
        self.leader[slots] = False
        self.labelled[slots] = False


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
        slots = np.flatnonzero(prisoners.active)
        unit = prisoners.unit[slots]
        counts = np.bincount(unit, minlength=n_units)
        starts = np.zeros(n_units, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        return cls(slots, unit, slots[kernels.group_order(unit, n_units)], counts, starts)

    def draw(self, units: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A uniformly random prisoner of each given unit (``u`` uniform in [0, 1))."""
        return self.by_unit[self.starts[units] + (u * self.counts[units]).astype(np.int64)]


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
        self.person.copy_rows(rows, prisoners, slots)
        self.extremism_at_release[rows] = prisoners.extremism[slots]
        uid = prisoners.uid[slots]
        if uid.max() >= self.row_of_uid.shape[0]:
            grown = np.full(max(int(uid.max()) + 1, 2 * self.row_of_uid.shape[0]), -1, np.int64)
            grown[: self.row_of_uid.shape[0]] = self.row_of_uid
            self.row_of_uid = grown
        before = self.row_of_uid[uid]
        self.episode[rows] = np.where(before >= 0, self.episode[np.maximum(before, 0)] + 1, 1)
        self.row_of_uid[uid] = rows
        self.place[rows] = Place.COMMUNITY
        self.release_day[rows] = today
        self.licence_end[rows] = today
        self.mentor_end[rows] = today
        self.housed[rows] = True
        self.employed[rows] = True
        return rows

    def rows_of(self, uid: np.ndarray) -> np.ndarray:
        """The latest episode's row of each uid (-1 for someone never released)."""
        out = np.full(uid.shape[0], -1, dtype=np.int64)
        inside = uid < self.row_of_uid.shape[0]
        out[inside] = self.row_of_uid[uid[inside]]
        return out

    def carry_ties(self, a: np.ndarray, b: np.ndarray, w: np.ndarray) -> None:
        """Add prison ties (uids of both ends) that leave through the gate, kept sorted by
        pair; a pair already held keeps the stronger strength."""
        if a.shape[0] == 0:
            return
        key = np.minimum(a, b) * _UID_SPAN + np.maximum(a, b)
        order = np.argsort(key, kind="stable")
        self.tie_a, self.tie_b, self.tie_w = _merge_pairs(
            self.tie_a, self.tie_b, self.tie_w, key[order], w[order], _UID_SPAN
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
        """Drop ``rows`` (admitted, or released from here), keeping the order."""
        keep = np.ones(self.size, dtype=bool)
        keep[rows] = False
        left = np.flatnonzero(keep)
        self.person.copy_rows(np.arange(left.shape[0]), self.person, left)
        self.size = left.shape[0]
