"""Chaplaincy: pastoral care, theological challenge, and the cost of a security role."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.submodels.base import Submodel


class ChaplaincyParams(Params):
    """Strengths of chaplaincy (``[mechanisms.chaplaincy]``)."""

    chaplain_trust_gain: float = par(
        0.05, ge=0.0, le=1.0, unit="share of gap per visit", doc="Trust in chaplain per visit."
    )
    chaplain_deradicalisation: float = par(
        0.01,
        ge=0.0,
        le=0.5,
        unit="share per visit",
        doc="Share of today's extremism a trained chaplain's visit challenges away, at full "
        "trust in the chaplain; by default a third of a specialist session's effect, and "
        "it leaves convictions (predisposition) to specialist work.",
        source="paper ('The fact that they are religiously educated does not suffice for "
        "specialist interventions with VEOs'); value assumption",
    )
    chaplain_security_distrust: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "When chaplains assess risk: share of per-visit trust gain lost; labelled prisoners "
            "also lose 1% x this of chaplain trust daily."
        ),
    )
    pastoral_targeting: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="weight per unit ill-being",
        doc="How much more often chaplains visit those with low well-being (0: at random).",
    )
    chaplain_knowledge_gain: float = par(
        0.025,
        ge=0.0,
        le=1.0,
        unit="share of gap per visit",
        doc=(
            "What a chaplain in risk assessment learns of a prisoner per visit, scaled by trust in"
            " the chaplain."
        ),
    )
    labelled_daily_distrust: float = par(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc=(
            "When chaplains assess risk: daily share of a labelled prisoner's chaplain trust lost,"
            " times chaplain_security_distrust."
        ),
    )
    visit_wellbeing_gain: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share of gap per visit",
        doc="Well-being gained per pastoral visit.",
    )


class Chaplaincy(Submodel):
    """Chaplains visit prisoners: well-being rises; trained, trusted chaplains challenge views.

    Paper: "Chaplains not only provide religious education, but ... can also challenge
    particular views"; "chaplains ... are increasingly involved in risk assessment,
    although this has not been without controversy as it can erode the trust of
    prisoners".

    Visits go to prisoners weighted toward low well-being. Each visit builds trust in the
    chaplain and well-being; a trained chaplain challenges today's extremist views in
    proportion to that trust (convictions are left to specialist interventions). If
    chaplains take part in risk assessment, each visit builds less trust, labelled
    prisoners' trust drains daily, and what the chaplain learns feeds the assessment.
    """

    name = "chaplaincy"
    Params = ChaplaincyParams
    paper = (
        "Chaplains not only provide religious education, but in the case of violent "
        "Islamist ideology, can also challenge particular views"
    )

    def step(self) -> None:
        m, p, mp, rng = self.model, self.model.prisoners, self.params, self.rng
        ch = m.config.chaplaincy
        if m.chaplains.n == 0:
            return
        act = self.roster.slots
        k = rng.poisson(m.chaplains.n * ch.visits_per_chaplain)
        m.chaplains.visits_made += k / m.chaplains.n
        gain = mp.chaplain_trust_gain * (
            1.0 - mp.chaplain_security_distrust * ch.in_risk_assessment
        )
        visits_of_day(
            act,
            mp.pastoral_targeting,
            rng.random(k),
            p.trust_in_chaplain,
            p.wellbeing,
            p.extremism,
            p.knowledge,
            p.labelled,
            1.0 - gain,
            1.0 - mp.labelled_daily_distrust * mp.chaplain_security_distrust,
            mp.chaplain_knowledge_gain,
            1.0 - mp.visit_wellbeing_gain,
            mp.chaplain_deradicalisation,
            bool(ch.in_risk_assessment),
            bool(ch.trained),
        )
        m.day_counts["chaplain_visits"] += int(k)


@compiled
def visits_of_day(
    act, targeting, u, tc, wellbeing, x, knowledge, labelled, keep_trust, keep_labelled,
    knowledge_gain, keep_wellbeing, challenge, in_risk_assessment, trained,
):  # fmt: skip
    """The day in one call: visits go where pastoral need is, weighted toward low
    well-being (:func:`visit_counts`), then their effects (:func:`chaplain_visits`)."""
    visits = visit_counts(act, wellbeing, targeting, u, wellbeing.shape[0])
    chaplain_visits(
        visits, tc, wellbeing, x, knowledge, labelled, keep_trust, keep_labelled,
        knowledge_gain, keep_wellbeing, challenge, in_risk_assessment, trained,
    )  # fmt: skip


@compiled
def visit_counts(act, wellbeing, targeting, u, n):
    """Visits per slot today: each uniform in ``u`` picks one of ``act`` with chance
    proportional to pastoral need ``1 + targeting x (1 - wellbeing)`` (the running sum of
    need, searched from the right, as ``np.cumsum`` and ``np.searchsorted`` did)."""
    m = act.shape[0]
    cum = np.empty(m)
    total = 0.0
    for j in range(m):
        total += 1.0 + targeting * (1.0 - wellbeing[act[j]])
        cum[j] = total
    visits = np.zeros(n)
    for i in range(u.shape[0]):
        x = u[i] * cum[m - 1]
        lo, hi = 0, m
        while lo < hi:  # first index with cum > x
            mid = (lo + hi) // 2
            if cum[mid] <= x:
                lo = mid + 1
            else:
                hi = mid
        if lo == m:
            raise IndexError("visit drawn past the last prisoner")
        visits[act[lo]] += 1.0
    return visits


@compiled
def chaplain_visits(
    visits, tc, wellbeing, x, knowledge, labelled, keep_trust, keep_labelled, knowledge_gain,
    keep_wellbeing, challenge, in_risk_assessment, trained,
):  # fmt: skip
    """Each slot's ``visits`` today, in place: trust in the chaplain and well-being close
    their gaps by a share per visit; in risk assessment, labelled prisoners' trust drains
    and the chaplain learns; a trained chaplain challenges today's extremism.

    ``keep ** visits`` (1.0 without visits) is taken only for the few slots visited, in
    a loop of its own: written per slot as ``keep ** v if v > 0 else 1.0``, the compiler
    took the powers for every slot and chose after (99 of 100 slots have no visit:
    0.096 -> 0.01 ms a day at 10,000 prisoners). The same arithmetic for every slot, so
    the same bits: ``tc`` and well-being move by ``1 - (1 - t) x 1.0`` without visits as
    before, and extremism times 1.0 is itself.
    """
    n = visits.shape[0]
    visited = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        visited[k] = i
        k += visits[i] > 0
    visited = visited[:k]
    keep_t, keep_w = np.ones(n), np.ones(n)
    for i in visited:
        keep_t[i], keep_w[i] = keep_trust ** visits[i], keep_wellbeing ** visits[i]
    for i in range(n):
        v = visits[i]
        tc[i] = 1.0 - (1.0 - tc[i]) * keep_t[i]
        if in_risk_assessment:
            if labelled[i]:
                tc[i] *= keep_labelled
            knowledge[i] += knowledge_gain * tc[i] * v * (1.0 - knowledge[i])
            knowledge[i] = min(max(knowledge[i], 0.0), 1.0)
        wellbeing[i] = 1.0 - (1.0 - wellbeing[i]) * keep_w[i]
    if trained:
        for i in visited:
            x[i] *= (1.0 - challenge * tc[i]) ** visits[i]
