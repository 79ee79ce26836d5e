"""Interventions: specialist sessions, one-to-one or in groups, and mentoring."""

from __future__ import annotations

import numpy as np

from wingsim.params import Params, par
from wingsim.submodels.base import Submodel


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
        m, p, units, mp, rng = (
            self.model,
            self.model.prisoners,
            self.model.units,
            self.params,
            self.rng,
        )
        iv = m.config.interventions
        eligible = p.active & (p.is_veo | p.labelled)
        # Places go by assessed need (mean-preserving weights), and the special unit's
        # focused programme reaches its residents more often: the unit's stated advantage.
        need = (
            p.assessed_risk / max(float(p.assessed_risk[eligible].mean()), 1e-9)
            if (eligible.any())
            else np.ones(p.n)
        )
        weight = (1.0 - mp.need_targeting) + mp.need_targeting * need
        reach = np.where(p.unit == units.special, mp.unit_programme_reach, 1.0)
        attend = eligible & (rng.random(p.n) < mp.intervention_rate * weight * reach)
        k = int(attend.sum())
        if k == 0:
            return
        effect = mp.intervention_effect * p.trust_in_staff[attend]
        if iv.mode == "group":
            unit = np.where(p.active, p.unit, 0)
            radical_leader = (
                p.active
                & p.leader
                & (p.charisma > 0)
                & (p.extremism > m.config.definitions.radical_threshold)
            )
            disrupted = np.bincount(unit[radical_leader], minlength=units.n) > 0
            effect = (
                effect
                * mp.group_honesty
                * (1.0 - mp.group_leader_disruption * disrupted[p.unit[attend]])
            )
        # Sessions work on convictions, not only on today's attitude.
        p.extremism[attend] *= 1.0 - effect
        p.predisposition[attend] *= 1.0 - effect
        p.trust_in_staff[attend] += mp.mentoring_trust * (1.0 - p.trust_in_staff[attend])
        m.day_counts["sessions"] += k
