"""Status and leadership: imported status, network position and the special-unit marker."""

from __future__ import annotations

import numpy as np

from wingsim.params import Params, par
from wingsim.submodels.base import Submodel


class StatusParams(Params):
    """Strengths of status (``[mechanisms.status]``)."""

    special_unit_status: float = par(
        0.25, ge=0.0, le=1.0, unit="share (0-1)", doc="Status marker from special-unit placement."
    )
    network_status: float = par(
        0.4, ge=0.0, le=1.0, unit="share (0-1)", doc="Weight of network position in status."
    )
    leader_threshold: float = par(
        0.7, ge=0.0, le=1.0, unit="share (0-1)", doc="Status above which a prisoner leads."
    )
    leaders_per_100: float = par(
        4.0,
        ge=0.0,
        le=100.0,
        unit="leaders per 100 prisoners",
        doc=(
            "At most this many leaders per 100 prisoners on a unit (the highest-status ones above "
            "the threshold)."
        ),
        source="assumption (hierarchies have few at the top)",
    )
    leader_trust_sensitivity: float = par(
        0.2,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="How far poor staff relationships lower the leadership threshold.",
    )
    imported_weight: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of imported status (crime hierarchies, gang, offence) in status.",
    )
    charisma_weight: float = par(
        0.2, ge=0.0, le=1.0, unit="weight", doc="Weight of charisma in status."
    )


class Status(Submodel):
    """Status is recomputed daily; leaders emerge where it is high and staff relations poor.

    Paper: "prisoner status arises from what is imported into the prison (crime
    hierarchies) and what is considered valuable within a prison context ... (e.g.
    social bonds)"; "Special units can serve as a source of status"; "evidence of
    prisoner hierarchies emerging in a tense prison environment with poor
    staff-prisoner relationships".

    Status = imported status + weighted degree in the tie network (relative to the
    establishment's best connected) + a marker for special-unit placement + charisma.
    A prisoner leads when status exceeds a threshold lowered on units where trust in
    staff is low, and he is among the few highest-status prisoners of his unit.
    """

    name = "status"
    Params = StatusParams
    paper = (
        "prisoner status arises from what is imported into the prison (crime hierarchies) "
        "and what is considered valuable within a prison context"
    )

    def step(self) -> None:
        m, p, units, mp = self.model, self.model.prisoners, self.model.units, self.params
        act = p.active
        strength = m.ties.strength_by_node()
        top = strength[act].max() if act.any() else 1.0
        network = np.minimum(strength / max(top, 1e-9), 1.0)
        on_special = act & (p.unit == units.special)
        p.status[:] = np.clip(
            mp.imported_weight * p.imported_status
            + mp.network_status * network
            + mp.special_unit_status * on_special
            + mp.charisma_weight * p.charisma,
            0.0,
            1.0,
        )
        roster = self.roster
        slots, counts = roster.slots, roster.counts
        trust = np.bincount(roster.unit, p.trust_in_staff[slots], minlength=units.n) / np.maximum(
            counts, 1
        )
        threshold = mp.leader_threshold - mp.leader_trust_sensitivity * (1.0 - trust)
        # Hierarchies have few at the top: at most ``leaders_per_100`` per 100 unit members,
        # the highest-status ones, and only those above the unit's threshold.
        order = slots[np.lexsort((-p.status[slots], roster.unit))]
        rank = np.arange(order.shape[0]) - roster.starts[p.unit[order]]
        cap = np.maximum(1, np.ceil(mp.leaders_per_100 * counts / 100.0))
        p.leader[:] = False
        top = order[rank < cap[p.unit[order]]]
        p.leader[top] = p.status[top] > threshold[p.unit[top]]
