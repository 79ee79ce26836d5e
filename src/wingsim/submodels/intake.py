"""Intake and placement: arrivals fill the slots released the day before."""

from __future__ import annotations

import numpy as np

from wingsim.submodels.base import Submodel


class Intake(Submodel):
    """New prisoners arrive and the regime's placement policy assigns them a unit.

    Paper: "Containment Model: VEOs and people suspected of radicalisation are placed in
    separate units"; "Dispersal Model: VEOs and people suspected of radicalisation are
    placed among the mainstream prison population".
    """

    name = "intake"
    paper = (
        "VEOs and people suspected of radicalisation are placed in separate units ... "
        "[or] placed among the mainstream prison population"
    )

    def step(self) -> None:
        m = self.model
        slots = np.flatnonzero(~m.prisoners.active)
        if slots.shape[0] == 0:
            return
        m.admit(slots, self.rng)
        m.day_counts["arrivals"] += int(slots.shape[0])
