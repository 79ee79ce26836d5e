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
        if slots.shape[0] == 0:
            return
        self.admit(slots, self.rng)
        m.day_counts["arrivals"] += int(slots.shape[0])
