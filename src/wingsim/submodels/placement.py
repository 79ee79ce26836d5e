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

from wingsim.state import AT_RISK, VEO_LESSER
from wingsim.submodels import labelling

if TYPE_CHECKING:
    from wingsim.model import WingModel


def _occupancy(model: WingModel) -> np.ndarray:
    p = model.prisoners
    return np.bincount(p.unit[p.active & (p.unit >= 0)], minlength=model.units.n)


def _concern_count(model: WingModel) -> np.ndarray:
    p = model.prisoners
    concern = p.active & (p.unit >= 0) & (p.category >= AT_RISK)
    return np.bincount(p.unit[concern], minlength=model.units.n)


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
    def _to_wing(self, slot: int, occ: np.ndarray, concern: np.ndarray) -> int:
        """Choose a mainstream wing: spread prisoners of concern, fill free space."""
        units = self.model.units
        wings = units.special
        free = units.capacity[:wings] * self.model.wing_fill - occ[:wings]
        jitter = self.rng.random(wings) * 1e-3
        if self.model.prisoners.category[slot] >= AT_RISK:
            under_cap = (concern[:wings] < self.cap) & (free > 0)
            score = np.where(under_cap, -concern[:wings] + free * 1e-3, -1e9 + free)
        else:
            score = free.astype(float)
        w = int(np.argmax(score + jitter))
        return w

    def _move(self, slot: int, unit: int, occ: np.ndarray, concern: np.ndarray) -> None:
        p = self.model.prisoners
        old = p.unit[slot]
        if old >= 0:
            occ[old] -= 1
            if p.category[slot] >= AT_RISK:
                concern[old] -= 1
        p.unit[slot] = unit
        occ[unit] += 1
        if p.category[slot] >= AT_RISK:
            concern[unit] += 1
        if unit == self.model.units.special:
            labelling.label_on_entry(p, slot)
            self.model.day_counts["unit_entries"] += 1
        elif old == self.model.units.special:
            self.model.day_counts["unit_exits"] += 1

    def _special_has_room(self, occ: np.ndarray) -> bool:
        u = self.model.units
        return bool(u.open[u.special] and occ[u.special] < u.capacity[u.special])

    # -- policy --------------------------------------------------------------------
    def wants_special(self, slots: np.ndarray) -> np.ndarray:
        """Which of ``slots`` meet this regime's entrance criteria."""
        return np.zeros(slots.shape[0], dtype=bool)

    def place(self, slots: np.ndarray) -> None:
        """Place arrivals (``unit == -1``)."""
        if slots.shape[0] == 0:
            return
        occ, concern = _occupancy(self.model), _concern_count(self.model)
        special = self.wants_special(slots)
        for slot, sp in zip(slots.tolist(), special.tolist(), strict=True):
            if sp and self._special_has_room(occ):
                self._move(slot, self.model.units.special, occ, concern)
            else:
                self._move(slot, self._to_wing(slot, occ, concern), occ, concern)

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
        occ, concern = _occupancy(self.model), _concern_count(self.model)
        for slot in slots[leave].tolist():
            self._move(slot, self._to_wing(slot, occ, concern), occ, concern)
            p.low_assessments[slot] = 0
        for slot in slots[enter].tolist():
            if not self._special_has_room(occ):
                break
            self._move(slot, special_unit, occ, concern)


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
