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
        m, p, mp = self.model, self.model.prisoners, self.params
        act = p.active
        weights = mp.imported_weight + mp.network_status + mp.charisma_weight
        base, anyone_marked = status_base(
            act, m.ties.strength_by_node(), p.imported_status, p.charisma,
            p.days_on_special_unit, mp.imported_weight, mp.network_status,
            mp.charisma_weight, max(weights, 1e-12),
        )  # fmt: skip
        if anyone_marked:
            marked = act & (p.days_on_special_unit > 0)
            standing = np.where(marked, mp.special_unit_status * self.audience(), 0.0)
            p.status[:] = np.where(
                standing > 0, base + standing * (1.0 - base), base * (1 + standing)
            )
        else:  # no one has been on the unit (dispersal): no audience to ask
            p.status[:] = base
        roster = self.roster
        # Hierarchies have few at the top: at most ``leaders_per_100`` per 100 unit members,
        # the highest-status ones, and only those above the unit's threshold.
        threshold, cap = unit_thresholds(
            roster.unit, roster.slots, p.trust_in_staff, roster.counts, mp.leader_threshold,
            mp.leader_trust_sensitivity, mp.leaders_per_100,
        )  # fmt: skip
        unit_leaders(
            roster.by_unit, roster.starts, roster.counts, p.status, cap, threshold, p.leader
        )


@compiled
def status_base(act, strength, imported, charisma, days_on_unit, w_imported, w_network,
                w_charisma, weights):  # fmt: skip
    """Every slot's status before the unit's standing: the weighted mean of imported
    status, network centrality (weighted degree over the highest among prisoners, capped
    at 1) and charisma; and whether any prisoner has been on the special unit."""
    top = -np.inf
    anyone_marked = False
    for i in range(act.shape[0]):
        if act[i]:
            top = max(top, strength[i])
            anyone_marked = anyone_marked or days_on_unit[i] > 0
    if top == -np.inf:
        top = 1.0
    top = max(top, 1e-9)
    base = np.empty(act.shape[0])
    for i in range(act.shape[0]):
        network = min(strength[i] / top, 1.0)
        base[i] = (
            w_imported * imported[i] + w_network * network + w_charisma * charisma[i]
        ) / weights
    return base, anyone_marked


@compiled
def unit_thresholds(unit, slots, trust, counts, leader_threshold, sensitivity, per_100):
    """Each unit's leadership threshold (lower where its prisoners trust staff less) and
    its cap on leaders (``per_100`` per 100 members, at least one); trust summed in
    roster order, as ``np.bincount``."""
    n = counts.shape[0]
    trust_sum = np.zeros(n)
    for j in range(slots.shape[0]):
        trust_sum[unit[j]] += trust[slots[j]]
    threshold = np.empty(n)
    cap = np.empty(n, np.int64)
    for u in range(n):
        mean_trust = trust_sum[u] / max(counts[u], 1)
        threshold[u] = leader_threshold - sensitivity * (1.0 - mean_trust)
        cap[u] = np.int64(max(1.0, np.ceil(per_100 * counts[u] / 100.0)))
    return threshold, cap


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
