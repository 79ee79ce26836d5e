"""Interventions: specialist sessions, one-to-one or in groups, and mentoring."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.pairwise import pairwise_sum
from wingsim.params import Params, par
from wingsim.state import VEO_LESSER
from wingsim.submodels.base import Submodel

_VEO_LESSER = int(VEO_LESSER)


class InterventionsParams(Params):
    """Strengths of interventions (``[mechanisms.interventions]``)."""

    intervention_rate: float = par(
        0.02,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily chance a labelled or VEO prisoner has a session.",
    )
    intervention_effect: float = par(
        0.03,
        ge=0.0,
        le=0.5,
        unit="share per session",
        doc="Extremism reduction by a session with a trusting prisoner.",
    )
    group_leader_disruption: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of a group session's effect lost with an extremist leader present.",
    )
    mentoring_trust: float = par(
        0.01, ge=0.0, le=0.5, unit="share of gap per session", doc="Trust gained per session."
    )
    need_targeting: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="How far session places follow assessed risk (0: at random among the eligible; "
        "1: in proportion to assessed risk). The mean rate is unchanged.",
        source="paper (interventions 'tailored to the individual' after assessment); value "
        "assumption",
    )
    unit_programme_reach: float = par(
        2.0,
        ge=0.0,
        le=10.0,
        unit="multiplier",
        doc="Sessions per eligible resident of the special unit, relative to the wings "
        "(focused interventions are the unit's stated advantage).",
        source="paper (special units allow 'focused' interventions); value assumption",
    )
    group_honesty: float = par(
        0.7,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Share of a session's effect kept in a group, where participants are 'often less "
            "honest'."
        ),
        source="paper (group participants 'often less honest'); value assumption",
    )


class Interventions(Submodel):
    """VEOs and labelled prisoners attend sessions that lower extremism through trust.

    Paper: "During group interventions, participants are often less 'honest' ... The
    potential disruption of group dynamics (e.g. charismatic radical 'leaders' who
    challenge the facilitator) must also be taken into account"; "one-on-one
    interventions should take priority over group interventions".

    Places go to VEOs and labelled prisoners, weighted toward higher assessed risk, and
    more often on the special unit. A session lowers extremism and the conviction under
    it (predisposition) in proportion to the prisoner's trust in staff (the relationship
    carries the work) and builds a little trust (mentoring). Group
    sessions keep less of the effect, and less again when a charismatic extremist
    leader shares the unit. One-to-one sessions cost more.
    """

    name = "interventions"
    Params = InterventionsParams
    paper = (
        "During group interventions, participants are often less 'honest' ... charismatic "
        "radical 'leaders' who challenge the facilitator"
    )

    def step(self) -> None:
        m, p, units, mp = self.model, self.model.prisoners, self.model.units, self.params
        iv = m.config.interventions
        u = self.rng.random(p.n)
        k = sessions_of_day(
            u, p.active, p.category, p.labelled, p.assessed_risk, p.unit, p.leader, p.charisma,
            p.extremism, p.predisposition, p.trust_in_staff, mp.need_targeting,
            mp.unit_programme_reach, units.special, mp.intervention_rate,
            mp.intervention_effect, mp.mentoring_trust, iv.mode == "group", mp.group_honesty,
            mp.group_leader_disruption, m.config.definitions.radical_threshold, units.n,
        )  # fmt: skip
        if k:
            m.day_counts["sessions"] += k


@compiled
def sessions_of_day(
    u, active, category, labelled, assessed_risk, unit, leader, charisma, extremism,
    predisposition, trust, need_targeting, reach, special, rate, effect_size,
    mentoring_trust, group, honesty, disruption, radical_threshold, n_units,
):  # fmt: skip
    """The day in one call: places go by assessed need (mean-preserving weights: the
    eligible's mean risk, :func:`eligible_risks` added as numpy adds), and the special
    unit's focused programme reaches its residents more often (the unit's stated
    advantage); then :func:`sessions`. Returns how many sessions were held."""
    risks = eligible_risks(active, category, labelled, assessed_risk)
    mean_risk = max(pairwise_sum(risks) / risks.shape[0], 1e-9) if risks.shape[0] else 0.0
    return sessions(
        u, active, category, labelled, assessed_risk, unit, leader, charisma, extremism,
        predisposition, trust, mean_risk, need_targeting, reach, special, rate, effect_size,
        mentoring_trust, group, honesty, disruption, radical_threshold, n_units,
    )  # fmt: skip


@compiled
def eligible_risks(active, category, labelled, assessed_risk):
    """Assessed risk of the eligible (active VEOs and labelled prisoners), in slot order:
    ``assessed_risk[active & (is_veo | labelled)]``."""
    out = np.empty(active.shape[0])
    k = 0
    for i in range(active.shape[0]):
        if active[i] and (category[i] >= _VEO_LESSER or labelled[i]):
            out[k] = assessed_risk[i]
            k += 1
    return out[:k]


@compiled
def sessions(
    u, active, category, labelled, assessed_risk, unit, leader, charisma, extremism,
    predisposition, trust, mean_risk, need_targeting, reach, special, rate, effect_size,
    mentoring_trust, group, honesty, disruption, radical_threshold, n_units,
):  # fmt: skip
    """The day's sessions, in place; returns how many. An eligible prisoner attends when
    ``u < rate x weight x reach`` (weight by assessed risk over ``mean_risk``, the
    eligible's mean; ``reach`` on the special unit); a session lowers extremism and
    predisposition by ``effect_size x trust`` (less in a group, less again with a radical
    leader on the unit) and builds trust."""
    disrupted = np.zeros(n_units, np.bool_)
    if group:
        for i in range(active.shape[0]):
            if active[i] and leader[i] and charisma[i] > 0 and extremism[i] > radical_threshold:
                disrupted[unit[i]] = True
    k = 0
    for i in range(active.shape[0]):
        if not (active[i] and (category[i] >= _VEO_LESSER or labelled[i])):
            continue
        need = assessed_risk[i] / mean_risk
        weight = (1.0 - need_targeting) + need_targeting * need
        chance = rate * weight * (reach if unit[i] == special else 1.0)
        if not u[i] < chance:
            continue
        k += 1
        effect = effect_size * trust[i]
        if group:
            effect = effect * honesty * (1.0 - disruption * np.float64(disrupted[unit[i]]))
        extremism[i] *= 1.0 - effect
        predisposition[i] *= 1.0 - effect
        trust[i] += mentoring_trust * (1.0 - trust[i])
    return k
