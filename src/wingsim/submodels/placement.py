"""Placement policies: dispersal, containment and combination (the regime).

"EU Member States currently use one of three regime types to manage VEOs and
individuals considered either at risk of radicalisation or of influencing others."
Each policy places arrivals and, after each risk assessment, moves prisoners into or
out of the special unit: intake calls :meth:`Placement.place` for arrivals, assessment
calls :meth:`Placement.review` after each assessment (``schedule.PLACEMENT`` shows this
beside the day). The policy's parameters are the scenario's ``[regime]`` table.
Placement loops over the day's arrivals and movers only (a handful a day), never over
the population.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from wingsim.kernels import compiled
from wingsim.state import AT_RISK, VEO_LESSER
from wingsim.submodels import labelling

#: The category as a plain int, for the kernels (an IntEnum argument costs dispatch).
_AT_RISK = int(AT_RISK)

if TYPE_CHECKING:
    from wingsim.model import WingModel


def _occupancy(model: WingModel) -> np.ndarray:
    return _unit_counts(model)[0]


def _concern_count(model: WingModel) -> np.ndarray:
    return _unit_counts(model)[1]


def _unit_counts(model: WingModel) -> tuple[np.ndarray, np.ndarray]:
    """Prisoners, and prisoners of concern, on each unit (``_occupancy``, ``_concern_count``)."""
    p = model.prisoners
    return unit_counts(p.active, p.unit, p.category, model.units.n)


class Placement:
    """Base policy: dispersal across mainstream wings with a cap on VEOs per wing."""

    name = "dispersal"

    def __init__(self, model: WingModel):
        self.model = model
        self.rng = model.streams["placement"]
        reg = model.config.regime
        self.cap = reg.dispersal_cap_per_wing
        self.entry = reg.entry_threshold
        self.exit_threshold = reg.exit_threshold
        self.exit_after = reg.exit_assessments
        self.exit_criteria = reg.exit_criteria

    # -- helpers -------------------------------------------------------------------
    def _to_wings(self, slots: np.ndarray, occ: np.ndarray, concern: np.ndarray) -> None:
        """Move ``slots``, in order, each to the mainstream wing that spreads prisoners of
        concern and fills free space (``best_wings``); one row of jitter draws each."""
        if slots.shape[0] == 0:
            return
        m, units = self.model, self.model.units
        wings = units.special
        exits = best_wings(
            slots,
            m.prisoners.category,
            m.prisoners.unit,
            occ,
            concern,
            units.capacity[:wings] * m.wing_fill,
            self.rng.random((slots.shape[0], wings)),
            self.cap,
            _AT_RISK,
            units.special,
        )
        m.day_counts["unit_exits"] += exits

    def _to_special(self, slot: int, occ: np.ndarray, concern: np.ndarray) -> None:
        """Move ``slot`` onto the special unit: placement there carries the risk label."""
        p, special = self.model.prisoners, self.model.units.special
        old = p.unit[slot]
        concerned = p.category[slot] >= AT_RISK
        if old >= 0:
            occ[old] -= 1
            concern[old] -= concerned
        p.unit[slot] = special
        p.low_assessments[slot] = 0  # only assessments on the unit count toward leaving it
        occ[special] += 1
        concern[special] += concerned
        labelling.label_on_entry(p, slot)
        self.model.day_counts["unit_entries"] += 1

    def _special_has_room(self, occ: np.ndarray) -> bool:
        u = self.model.units
        return bool(u.open[u.special] and occ[u.special] < u.capacity[u.special])

    # -- policy --------------------------------------------------------------------
    def wants_special(self, slots: np.ndarray) -> np.ndarray:
        """Which of ``slots`` meet this regime's entrance criteria."""
        return np.zeros(slots.shape[0], dtype=bool)

    def place(self, slots: np.ndarray) -> None:
        """Place arrivals (``unit == -1``): those meeting the entrance criteria go to the
        special unit while it has room, in order; everyone else to a wing."""
        if slots.shape[0] == 0:
            return
        occ, concern = _unit_counts(self.model)
        special = self.wants_special(slots)
        if not np.count_nonzero(special):  # dispersal, and most days in the other regimes
            self._to_wings(slots, occ, concern)
            return
        u = self.model.units
        room = int(u.capacity[u.special] - occ[u.special]) if u.open[u.special] else 0
        # Arrivals come from nowhere, so moving one to a wing never frees the unit's room,
        # and the wings' choices never read the unit: the two kinds of move are independent.
        special &= np.cumsum(special) <= max(room, 0)
        for slot in slots[special].tolist():
            self._to_special(slot, occ, concern)
        self._to_wings(slots[~special], occ, concern)

    def review(self, slots: np.ndarray) -> None:
        """After assessing ``slots``: move into or out of the special unit."""
        if slots.shape[0] == 0 or not self.model.units.open[self.model.units.special]:
            return
        p, special_unit = self.model.prisoners, self.model.units.special
        on_unit = p.unit[slots] == special_unit
        leave = on_unit & self.exit_criteria & (p.low_assessments[slots] >= self.exit_after)
        enter = ~on_unit & self.wants_special(slots)
        if not (leave.any() or enter.any()):
            return
        occ, concern = _unit_counts(self.model)
        self._to_wings(slots[leave], occ, concern)
        p.low_assessments[slots[leave]] = 0
        for slot in slots[enter].tolist():
            if not self._special_has_room(occ):
                break
            self._to_special(slot, occ, concern)


class Dispersal(Placement):
    """VEOs and at-risk prisoners spread across mainstream wings under one regime."""

    name = "dispersal"


class Containment(Placement):
    """VEOs, and at-risk prisoners meeting the entrance criteria, held in the special unit."""

    name = "containment"

    def wants_special(self, slots: np.ndarray) -> np.ndarray:
        p = self.model.prisoners
        cat = p.category[slots]
        above_entry = p.assessed_risk[slots] > self.entry
        # Every VEO enters, except one who has earned an exit: he returns only if he is
        # assessed above entry again, like an at-risk prisoner.
        first_time = (cat >= VEO_LESSER) & (p.days_on_special_unit[slots] == 0)
        return first_time | ((cat >= AT_RISK) & above_entry)


class Combination(Placement):
    """Placement by assessed risk: enter above a threshold, leave after sustained low risk."""

    name = "combination"

    def wants_special(self, slots: np.ndarray) -> np.ndarray:
        return self.model.prisoners.assessed_risk[slots] > self.entry


POLICIES = {"dispersal": Dispersal, "containment": Containment, "combination": Combination}


@compiled
def best_wings(slots, category, unit, occ, concern, places, r, cap, at_risk, special):
    """Move each of ``slots``, in order, to a mainstream wing, updating ``occ`` and
    ``concern`` (prisoners of concern per unit) as it goes; returns how many left the
    special unit.

    A prisoner of concern goes to the wing with the fewest of them among wings under the
    dispersal ``cap`` with free space (free space breaking ties), or, if none is, to the
    wing with the most free space; anyone else to the wing with the most free space.
    ``places`` is each wing's places (capacity x fill); row ``j`` of ``r`` is slot ``j``'s
    uniforms, a jitter of at most 1e-3 that breaks exact ties at random.
    """
    wings = places.shape[0]
    exits = 0
    for j in range(slots.shape[0]):
        slot = slots[j]
        concerned = category[slot] >= at_risk
        best, best_score = 0, -np.inf
        for w in range(wings):
            free = places[w] - occ[w]
            if not concerned:
                score = free
            elif concern[w] < cap and free > 0:
                score = -concern[w] + free * 1e-3
            else:
                score = -1e9 + free
            score = score + r[j, w] * 1e-3
            if score > best_score:
                best, best_score = w, score
        old = unit[slot]
        if old >= 0:
            occ[old] -= 1
            concern[old] -= concerned
            exits += old == special
        unit[slot] = best
        occ[best] += 1
        concern[best] += concerned
    return exits


@compiled
def unit_counts(active, unit, category, n_units):
    """Active prisoners placed on each unit, and those of concern (category at least
    ``AT_RISK``): the two ``np.bincount`` of ``unit`` over the masks, in one pass."""
    occ = np.zeros(n_units, np.int64)
    concern = np.zeros(n_units, np.int64)
    for i in range(active.shape[0]):
        if active[i] and unit[i] >= 0:
            occ[unit[i]] += 1
            if category[i] >= _AT_RISK:
                concern[unit[i]] += 1
    return occ, concern
