"""After release: transition strain, highest at the gate, easing as needs are met."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.submodels.community import CommunitySubmodel


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
        return support_in_place(
            rows, family, c.mentor, c.mentor_trust, c.officer, c.officer_trust, c.licence_end,
            m.day, mp.mentor_support, mp.officer_support,
        )  # fmt: skip

    def target(self, rows: np.ndarray, support: np.ndarray) -> np.ndarray:
        m, c, mp = self.model, self.model.community, self.params
        health = m.submodels.get("mental_health")
        load = health.load(rows) if health is not None else np.zeros(rows.shape[0])
        return strain_target(
            rows, c.housed, c.employed, load, support, mp.weight_housing, mp.weight_work,
            mp.weight_mental_health, mp.weight_isolation,
        )  # fmt: skip

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        c, mp = self.model.community, self.params
        support = self.support(rows)
        gate_strain(
            rows, support, self.target(rows, support), c.readiness, mp.gate_shock,
            mp.plan_relief, c.support, c.strain,
        )  # fmt: skip

    def step_people(self, rows: np.ndarray) -> None:
        c, mp = self.model.community, self.params
        if rows.shape[0] == 0:
            return
        support = self.support(rows)
        target = self.target(rows, support)
        stays = strain_stays(rows, support, target, mp.adjustment_rate, c.support, c.strain)
        # numpy's power over the step's days (the kernel's libm differs in the last bit).
        strain_moves(rows, target, stays ** self.exposure(rows), c.strain)


@compiled
def support_in_place(
    rows, family, mentor, mentor_trust, officer, officer_trust, licence_end, day,
    mentor_support, officer_support,
):  # fmt: skip
    """:meth:`Transition.support`: ``1 - (1 - family)(1 - mentor)(1 - officer)``, the
    mentor's share if there is one, the officer's while on licence."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        m = mentor_support * mentor_trust[r] if mentor[r] >= 0 else 0.0
        supervised = officer[r] >= 0 and day < licence_end[r]
        o = officer_support * officer_trust[r] if supervised else 0.0
        out[i] = 1.0 - (1.0 - family[i]) * (1.0 - m) * (1.0 - o)
    return out


@compiled
def strain_target(
    rows, housed, employed, load, support, weight_housing, weight_work, weight_mental_health,
    weight_isolation,
):  # fmt: skip
    """:meth:`Transition.target`: weighted unmet needs (no housing, no work, mental
    health load, isolation), in [0, 1]."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        t = (
            weight_housing * np.float64(not housed[r])
            + weight_work * np.float64(not employed[r])
            + weight_mental_health * load[i]
            + weight_isolation * (1.0 - support[i])
        )
        out[i] = min(max(t, 0.0), 1.0)
    return out


@compiled
def gate_strain(rows, support, target, readiness, gate_shock, plan_relief, out_support, strain):
    """:meth:`Transition.enter` in place: each row's support, and strain at the larger of
    the target and the gate shock (lowered by ``plan_relief`` x readiness)."""
    for i in range(rows.shape[0]):
        r = rows[i]
        out_support[r] = support[i]
        shock = gate_shock * (1.0 - plan_relief * readiness[r])
        strain[r] = max(target[i], shock)


@compiled
def strain_stays(rows, support, target, rate, out_support, strain):
    """Each row's support, in place; returns each row's daily share of the gap to the
    target strain left, ``1 - min(rate, 1)`` (recovery is faster by ``1 + support``)."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        out_support[r] = support[i]
        daily = rate * (1.0 + support[i]) if target[i] < strain[r] else rate
        out[i] = 1.0 - min(daily, 1.0)
    return out


@compiled
def strain_moves(rows, target, stays, strain):
    """Strain moves ``1 - stays`` of the way to the target, within [0, 1], in place."""
    for i in range(rows.shape[0]):
        r = rows[i]
        s = strain[r]
        strain[r] = min(max(s + (1.0 - stays[i]) * (target[i] - s), 0.0), 1.0)
