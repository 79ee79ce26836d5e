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
        }
        return cls(
            **{f.name: np.zeros(n, dtype=kinds.get(f.name, np.float64)) for f in fields(cls)}
        )

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
        vm = pop.vulnerability_mean
        vul = (
            np.clip(rng.beta(2.0 * vm / max(1e-9, 1 - vm) + 1e-6, 2.0), 0, 1)
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
        return cls(slots, unit, slots[np.argsort(unit, kind="stable")], counts, starts)

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
