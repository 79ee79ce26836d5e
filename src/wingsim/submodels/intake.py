"""Intake: arrivals fill the slots released the day before, are assessed and placed."""

from __future__ import annotations

import numpy as np

from wingsim.submodels.base import Submodel


class Intake(Submodel):
    """New prisoners arrive, are assessed, and the regime's placement policy assigns a unit.

    Paper: "Containment Model: VEOs and people suspected of radicalisation are placed in
    separate units"; "Dispersal Model: VEOs and people suspected of radicalisation are
    placed among the mainstream prison population".

    Who arrives is drawn by ``Prisoners.fill`` (``state.py``) from ``[population]``; an
    arrival is assessed at once (``assessment.py``) and placed by the regime
    (``placement.py``). At build, the first population is drawn the same way, part-way
    through their sentences.

    People returned to custody from the community (recalled, or sentenced again) take
    free places first, with their own state (``model.readmit``). Arrivals are drawn as if
    nobody returned (one for each regular release of the day before), so while returners
    hold places, arrivals wait elsewhere in order of arrival (``state.Holding``), their
    time counting, and take the places returners free. The arrival stream, and every
    arrival's release date, are then the same whoever is recalled.
    """

    name = "intake"
    paper = (
        "VEOs and people suspected of radicalisation are placed in separate units ... "
        "[or] placed among the mainstream prison population"
    )

    def build(self) -> None:
        """The initial population: every slot filled, part-way through sentences."""
        m = self.model
        self.admit(np.arange(m.prisoners.n), m.streams["init"], served_fraction=True)

    def admit(
        self, slots: np.ndarray, rng: np.random.Generator, served_fraction: bool = False
    ) -> None:
        """Draw prisoners into empty ``slots``, assess them, and place them by regime."""
        m = self.model
        m.prisoners.fill(slots, rng, m.config, m.new_uids(slots.shape[0]), m.day, served_fraction)
        m.submodels["assessment"].assess(slots, rng)
        m.placement.place(slots)
        m.add_prisoner_views(slots)

    def step(self) -> None:
        m = self.model
        slots = np.flatnonzero(~m.prisoners.active)
        due, m.arrivals_due = m.arrivals_due, 0
        if due == slots.shape[0] and m.holding.size == 0 and not m.community.awaiting.any():
            if due:  # nobody is coming back: every released place goes to an arrival
                self.admit(slots, self.rng)
                m.day_counts["arrivals"] += due
            return
        # Today's arrivals are drawn and assessed as always, and wait for a place.
        if due:
            waiting = m.holding.append(due)
            m.holding.person.fill(waiting, self.rng, m.config, m.new_uids(due), m.day)
            m.submodels["assessment"].assess(waiting, self.rng, m.holding.person)
        # Places go first to people returned to custody, then to arrivals in arrival order.
        back = m.readmit(slots)
        free = slots[back:]
        k = min(free.shape[0], m.holding.size)
        if k:
            m.prisoners.copy_rows(free[:k], m.holding.person, slice(0, k))
            m.holding.remove(np.arange(k))
        placed = slots[: back + k]
        if placed.shape[0]:
            m.placement.place(placed)
            m.add_prisoner_views(placed)
        m.day_counts["arrivals"] += k
