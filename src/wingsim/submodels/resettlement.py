"""Before release: planning, vocational training and family ties built in prison."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import Prisoners
from wingsim.submodels.base import Submodel
from wingsim.submodels.community import BOND, WORK, clock, traits


class ResettlementParams(Params):
    """Strengths of resettlement work before release (``[mechanisms.resettlement]``)."""

    planning_days_needed: float = par(
        180,
        ge=1,
        le=1825,
        unit="days",
        doc="Days of multi-agency planning that complete a resettlement plan.",
        source=(
            "paper ('preferably at least six months earlier'); assumption that it takes that long"
        ),
    )
    vocational_rate: float = par(
        0.004,
        ge=0.0,
        le=0.1,
        unit="1/day at full activity access",
        doc="Daily growth of vocational skills toward 1, scaled by the unit's activity access.",
        source="paper ('Vocational training whilst in prison is significant'); value assumption",
    )
    work_history_skills: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="skills (0-1)",
        doc="Most skills a person brings in from work before prison (uniform from 0).",
    )
    family_rate: float = par(
        0.003,
        ge=0.0,
        le=0.1,
        unit="1/day",
        doc="Daily drift of family ties toward the establishment's family contact.",
        source="paper ('Family contact ... contributes to healthy relationships after release')",
    )
    prison_meetings_per_week: float = par(
        1.0,
        ge=0.0,
        le=7.0,
        unit="meetings/week",
        doc="Meetings with the probation officer and the mentor during planning (continuity).",
    )
    meeting_trust_gain: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share of gap per meeting",
        doc="Trust built per meeting before release.",
    )
    assessment_without_sharing: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Quality of the needs assessment when agencies share nothing (full sharing: 1).",
    )


class Resettlement(Submodel):
    """Planning for release starts a set time before release; skills and family ties form.

    Paper: "Multi-agency cooperation and planning for release must begin well in advance
    of the release date, preferably at least six months earlier"; "Vocational training
    whilst in prison is significant in preparing offenders for release and desistance";
    "Family contact is a crucial form of support for prisoners and contributes to healthy
    relationships after release"; "Offenders with shorter sentences present fewer
    opportunities for intervention in prison."

    Planning runs while the days left to serve are within ``probation.planning_lead_days``:
    a sentence shorter than that gets only the days it has. Readiness at release is the
    share of ``planning_days_needed`` done; the multi-agency needs assessment is as good
    as readiness times how much agencies share. With ``probation.continuity`` the
    probation officer and a mentor are assigned when planning starts and meet the person
    in prison, so trust exists at the gate. Skills grow with the unit's activity access;
    family ties drift toward the establishment's family contact. None of this changes the
    prison's own mechanisms: it is what a person leaves with.
    """

    name = "resettlement"
    Params = ResettlementParams
    paper = (
        "planning for release must begin well in advance of the release date, preferably at "
        "least six months earlier"
    )

    def build(self) -> None:
        self.profile(np.flatnonzero(self.model.prisoners.active))

    def profile(self, slots: np.ndarray, people: Prisoners | None = None) -> None:
        """First sight of an arrival: work history and family ties brought in."""
        if slots.shape[0] == 0:
            return
        m = self.model
        p = m.prisoners if people is None else people
        u = traits(m, p.uid[slots])
        ties = m.submodels.get("community_ties")
        has_family = (
            ties.family_kind(u, p.category[slots]) > 0
            if ties is not None
            else np.zeros(slots.shape[0], bool)
        )
        p.family_bond[slots] = np.where(has_family, 0.4 + 0.6 * u[:, BOND], 0.0)
        p.skills[slots] = self.params.work_history_skills * u[:, WORK]

    def step(self) -> None:
        m, p, mp = self.model, self.model.prisoners, self.params
        pr = m.config.probation
        act = p.active
        planning, starting = plan_day(act, p.sentence, p.served, pr.planning_lead_days, p.plan_days)
        if pr.continuity:
            for name in ("supervision", "mentoring"):
                submodel = m.submodels.get(name)
                if starting.shape[0] and submodel is not None and submodel in m.schedule:
                    submodel.assign_before_release(starting)
        if clock(m) % pr.step_days:
            return
        # Every step_days days: skills, family ties and trust built in meetings.
        e = pr.step_days
        self.profile(np.flatnonzero(act & (p.family_bond < 0)))
        stays = skill_stays(act, p.unit, m.units.activity_access, mp.vocational_rate)
        kept = (1.0 - mp.meeting_trust_gain) ** (e * mp.prison_meetings_per_week / 7.0)
        # numpy's power over the step's days (the kernel's libm differs in the last bit).
        resettle_week(
            act, stays**e, p.skills, p.family_bond, 1.0 - (1.0 - mp.family_rate) ** e,
            m.config.establishment.family_contact, bool(pr.continuity), planning, kept,
            p.officer, p.officer_trust, p.mentor, p.mentor_trust,
        )  # fmt: skip

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        """At the gate: how ready the plan is and how good the needs assessment was."""
        m, c = self.model, self.model.community
        rec = c.person
        share = m.config.probation.information_sharing
        floor = self.params.assessment_without_sharing
        readiness = gate_plans(
            rows, rec.plan_days, self.params.planning_days_needed,
            floor + (1.0 - floor) * share, c.readiness, c.quality,
        )  # fmt: skip
        m.day_sums["release_readiness"] += float(readiness.sum())


@compiled
def plan_day(active, sentence, served, lead, plan_days):
    """One more day of planning for those within ``lead`` days of release, in place;
    returns who is planning and the slots whose planning starts today (day 1)."""
    n = active.shape[0]
    planning = np.zeros(n, np.bool_)
    starting = np.empty(n, np.int64)
    k = 0
    for i in range(n):
        if active[i] and sentence[i] - served[i] <= lead:
            planning[i] = True
            plan_days[i] += 1
            if plan_days[i] == 1:
                starting[k] = i
                k += 1
    return planning, starting[:k]


@compiled
def skill_stays(active, unit, access, rate):
    """Each slot's daily chance of no vocational gain, ``1 - rate x`` its unit's activity
    access (unit 0's for an empty slot)."""
    out = np.empty(active.shape[0])
    for i in range(active.shape[0]):
        out[i] = 1.0 - rate * access[unit[i] if active[i] else 0]
    return out


@compiled
def resettle_week(
    active, stays, skills, family_bond, family_gain, family_contact, continuity, planning,
    kept, officer, officer_trust, mentor, mentor_trust,
):  # fmt: skip
    """:meth:`Resettlement.step` every ``step_days`` days, in place: skills grow by
    ``1 - stays`` of the gap (prisoners only), family ties drift toward family contact,
    and with ``continuity`` trust in the officer and mentor met in planning grows
    (``kept`` of the distrust is left)."""
    for i in range(active.shape[0]):
        grow = 1.0 - stays[i] if active[i] else 0.0
        skills[i] = skills[i] + grow * (1.0 - skills[i])
        if active[i] and family_bond[i] > 0:
            family_bond[i] += family_gain * (family_contact - family_bond[i])
        if continuity and planning[i]:
            if officer[i] >= 0:
                officer_trust[i] = 1.0 - (1.0 - officer_trust[i]) * kept
            if mentor[i] >= 0:
                mentor_trust[i] = 1.0 - (1.0 - mentor_trust[i]) * kept


@compiled
def gate_plans(rows, plan_days, days_needed, quality_share, readiness, quality):
    """:meth:`Resettlement.enter` in place: readiness, the share of the plan's days done
    (at most 1), and the needs assessment's quality, readiness x ``quality_share``;
    returns the readiness of ``rows``."""
    out = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        ready = min(1.0, plan_days[r] / days_needed)
        out[i] = ready
        readiness[r] = ready
        quality[r] = ready * quality_share
    return out
