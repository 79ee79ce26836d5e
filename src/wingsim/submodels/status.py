"""Status and leadership: imported status, network position, and the standing others grant."""

from __future__ import annotations

import numpy as np

from wingsim import kernels
from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.submodels.base import Submodel


class StatusParams(Params):
    """Strengths of status (``[mechanisms.status]``)."""

    imported_weight: float = par(
        0.6,
        ge=0.0,
        le=10.0,
        unit="weight",
        doc="Weight of imported status (crime hierarchies, gang, offence) in status.",
    )
    network_status: float = par(
        0.4, ge=0.0, le=10.0, unit="weight", doc="Weight of network position in status."
    )
    charisma_weight: float = par(0.2, ge=0.0, le=10.0, unit="weight", doc="Weight of charisma.")
    special_unit_status: float = par(
        0.25,
        ge=0.0,
        le=1.0,
        unit="share of the gap (0-1)",
        doc="Standing others grant to one who has been held on the special unit, at full "
        "agreement of his audience: prestige among the oppositional (this share of the "
        "way to full status), stigma among the rest (this share of his status lost).",
        source="paper ('Special units can serve as a source of status'); value assumption",
    )
    leader_threshold: float = par(
        0.58,
        ge=0.0,
        le=1.0,
        unit="status (0-1)",
        doc="Status above which a prisoner leads (0.7 on the old summed scale, divided by "
        "the default weights' sum, 1.2).",
    )
    leaders_per_100: float = par(
        4.0,
        ge=0.0,
        le=100.0,
        unit="leaders per 100 prisoners",
        doc="At most this many leaders per 100 prisoners on a unit (the highest-status ones "
        "above the threshold).",
        source="assumption (hierarchies have few at the top)",
    )
    leader_trust_sensitivity: float = par(
        0.17,
        ge=0.0,
        le=1.0,
        unit="status (0-1)",
        doc="How far poor staff relationships lower the leadership threshold (0.2 on the old "
        "summed scale).",
    )


class Status(Submodel):
    """Status is recomputed daily; leaders emerge where it is high and staff relations poor.

    Paper: "prisoner status arises from what is imported into the prison (crime
    hierarchies) and what is considered valuable within a prison context ... (e.g.
    social bonds)"; "Special units can serve as a source of status"; "evidence of
    prisoner hierarchies emerging in a tense prison environment with poor
    staff-prisoner relationships".

    Status is the weighted mean of imported status, weighted degree in the tie network
    (relative to the establishment's best connected) and charisma, so it stays in [0, 1]
    whatever the weights. Time on the special unit is no status in itself: it is what
    the prisoner's audience makes of it. His peers (tie-weighted; his unit mates if he
    has no ties) grant prestige in so far as they are oppositional (opposition above
    one half) and stigma in so far as they are not; ``special_unit_status`` scales how
    far that standing moves him toward full status, or away from it. A prisoner leads
    when status exceeds a threshold lowered on units where trust in staff is low, and he
    is among the few highest-status prisoners of his unit.
    """

    name = "status"
    Params = StatusParams
    paper = (
        "prisoner status arises from what is imported into the prison (crime hierarchies) "
        "and what is considered valuable within a prison context"
    )

    def audience(self) -> np.ndarray:
        """How each prisoner's peers view the unit, in [-1, 1]: 2 x their opposition - 1.

        Tie-weighted over his peers; a prisoner with no ties is seen by his unit mates.
        """
        m, p, roster = self.model, self.model.prisoners, self.roster
        view = 2.0 * p.opposition - 1.0
        unit_view = np.bincount(roster.unit, view[roster.slots], minlength=m.units.n) / (
            np.maximum(roster.counts, 1)
        )
        out = unit_view[np.maximum(p.unit, 0)]
        if len(m.ties):
            lo, hi = m.ties.ends
            total = m.ties.strength_by_node()
            peer = kernels.tie_peer_sum(lo, hi, m.ties.weight, view, p.n)
            tied = total > 0
            out[tied] = peer[tied] / total[tied]
        return out

    def step(self) -> None:
        m, p, units, mp = self.model, self.model.prisoners, self.model.units, self.params
        act = p.active
        strength = m.ties.strength_by_node()
        top = strength[act].max() if act.any() else 1.0
        network = np.minimum(strength / max(top, 1e-9), 1.0)
        weights = mp.imported_weight + mp.network_status + mp.charisma_weight
        base = (
            mp.imported_weight * p.imported_status
            + mp.network_status * network
            + mp.charisma_weight * p.charisma
        ) / max(weights, 1e-12)
        marked = act & (p.days_on_special_unit > 0)
        if marked.any():
            standing = np.where(marked, mp.special_unit_status * self.audience(), 0.0)
        else:  # no one has been on the unit (dispersal): no audience to ask
            standing = np.zeros(p.n)
        p.status[:] = np.where(standing > 0, base + standing * (1.0 - base), base * (1 + standing))
        roster = self.roster
        slots, counts = roster.slots, roster.counts
        trust = np.bincount(roster.unit, p.trust_in_staff[slots], minlength=units.n) / np.maximum(
            counts, 1
        )
        threshold = mp.leader_threshold - mp.leader_trust_sensitivity * (1.0 - trust)
        # Hierarchies have few at the top: at most ``leaders_per_100`` per 100 unit members,
        # the highest-status ones, and only those above the unit's threshold.
        cap = np.maximum(1, np.ceil(mp.leaders_per_100 * counts / 100.0)).astype(np.int64)
        unit_leaders(roster.by_unit, roster.starts, counts, p.status, cap, threshold, p.leader)


@compiled
def unit_leaders(by_unit, starts, counts, status, cap, threshold, leader):
    """``leader`` in place: on each unit, its ``cap`` highest-status members (equal status:
    the lower slot first) who are above the unit's ``threshold``; no one else."""
    leader[:] = False
    for u in range(counts.shape[0]):
        top = np.empty(cap[u], np.int64)
        k = 0
        for i in range(starts[u], starts[u] + counts[u]):  # ascending slots
            s = by_unit[i]
            pos = k
            while pos > 0 and status[top[pos - 1]] < status[s]:
                pos -= 1
            if pos < cap[u]:
                for j in range(min(k, cap[u] - 1), pos, -1):
                    top[j] = top[j - 1]
                top[pos] = s
                k = min(k + 1, cap[u])
        for j in range(k):
            leader[top[j]] = status[top[j]] > threshold[u]
