"""After release: transition strain, highest at the gate, easing as needs are met."""

from __future__ import annotations

import numpy as np

from wingsim.params import Params, par
from wingsim.submodels.community import CommunitySubmodel, over


class TransitionParams(Params):
    """Strengths of the transition from prison (``[mechanisms.transition]``)."""

    gate_shock: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="strain (0-1)",
        doc="Strain on the day of release with no plan at all (adjustment to life outside).",
        source=(
            "paper ('The first few weeks for offenders after release are the point at which "
            "ex-offenders are most vulnerable'); value assumption"
        ),
    )
    plan_relief: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the gate shock a complete resettlement plan removes.",
        source=(
            "paper ('it is important to have plans in place prior to full sentence being served')"
        ),
    )
    adjustment_rate: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc=(
            "Daily drift of strain toward what unmet needs and isolation justify; recovery is "
            "faster by (1 + support)."
        ),
    )
    weight_housing: float = par(
        0.35, ge=0.0, le=1.0, unit="weight", doc="Strain from having no stable housing."
    )
    weight_work: float = par(0.2, ge=0.0, le=1.0, unit="weight", doc="Strain from having no work.")
    weight_mental_health: float = par(
        0.25, ge=0.0, le=1.0, unit="weight", doc="Strain from an untreated mental health need."
    )
    weight_isolation: float = par(
        0.3, ge=0.0, le=1.0, unit="weight", doc="Strain from having no support in place."
    )
    officer_support: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of trust in the probation officer in the support a person has.",
    )
    mentor_support: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="weight",
        doc="Weight of trust in the mentor in the support a person has.",
    )


class Transition(CommunitySubmodel):
    """Strain is high at the gate and eases as housing, work, treatment and support arrive.

    Paper: "Offenders must have continuity of support from prison to release. The first
    few weeks for offenders after release are the point at which ex-offenders are most
    vulnerable. Adjustment can be difficult for both ex-offenders and his or her family";
    "Transitional periods are those points in time when the risk of recidivism is high,
    and when it is important to have plans in place prior to full sentence being served."

    Support in place = 1 - (1 - family support)(1 - ``mentor_support`` x trust in the
    mentor)(1 - ``officer_support`` x trust in the officer while on licence). Strain drifts at
    ``adjustment_rate`` (recovering faster with support) toward a target made of unmet
    needs: no housing, no work, an untreated mental health need, and isolation (1 -
    support). On the day of release strain starts at the larger of that target and the
    gate shock, which a complete plan lowers by ``plan_relief``. Strain raises the hazards
    of breach (``supervision.py``) and reoffending (``reoffending.py``): that is why risk
    is concentrated in the first weeks, and why support at the gate matters.
    """

    name = "transition"
    Params = TransitionParams
    paper = (
        "The first few weeks for offenders after release are the point at which ex-offenders "
        "are most vulnerable"
    )

    def support(self, rows: np.ndarray) -> np.ndarray:
        m, c, mp = self.model, self.model.community, self.params
        ties = m.submodels.get("community_ties")
        family = ties.family_support(rows) if ties is not None else np.zeros(rows.shape[0])
        mentor = np.where(c.mentor[rows] >= 0, mp.mentor_support * c.mentor_trust[rows], 0.0)
        supervised = (c.officer[rows] >= 0) & (m.day < c.licence_end[rows])
        officer = np.where(supervised, mp.officer_support * c.officer_trust[rows], 0.0)
        return 1.0 - (1.0 - family) * (1.0 - mentor) * (1.0 - officer)

    def target(self, rows: np.ndarray, support: np.ndarray) -> np.ndarray:
        m, c, mp = self.model, self.model.community, self.params
        health = m.submodels.get("mental_health")
        load = health.load(rows) if health is not None else np.zeros(rows.shape[0])
        return np.clip(
            mp.weight_housing * ~c.housed[rows]
            + mp.weight_work * ~c.employed[rows]
            + mp.weight_mental_health * load
            + mp.weight_isolation * (1.0 - support),
            0.0,
            1.0,
        )

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        c, mp = self.model.community, self.params
        support = self.support(rows)
        c.support[rows] = support
        shock = mp.gate_shock * (1.0 - mp.plan_relief * c.readiness[rows])
        c.strain[rows] = np.maximum(self.target(rows, support), shock)

    def step_people(self, rows: np.ndarray) -> None:
        c, mp = self.model.community, self.params
        if rows.shape[0] == 0:
            return
        support = self.support(rows)
        c.support[rows] = support
        target = self.target(rows, support)
        strain = c.strain[rows]
        rate = np.where(target < strain, mp.adjustment_rate * (1.0 + support), mp.adjustment_rate)
        moved = over(rate, self.exposure(rows))
        c.strain[rows] = np.clip(strain + moved * (target - strain), 0.0, 1.0)
