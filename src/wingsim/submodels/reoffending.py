"""After release: re-engagement, terrorist and general reoffending, and the follow-up."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import VEO_LESSER, Place
from wingsim.submodels.community import PROPENSITY, CommunitySubmodel, traits


class ReoffendingParams(Params):
    """Hazards of reoffending after release (``[mechanisms.reoffending]``)."""

    general_base: float = par(
        0.001,
        ge=0.0,
        le=0.1,
        unit="1/day",
        doc=(
            "Daily hazard of a proven general reoffence at average criminal history, no strain "
            "and no support."
        ),
        source=(
            "set against MoJ proven reoffending (adults released from custody or starting court "
            "orders: 35.7% within a year, Oct-Dec 2018 cohort); see docs/ODD.md 7.13"
        ),
    )
    general_strain: float = par(
        1.5,
        ge=0.0,
        le=10.0,
        unit="log-hazard per unit strain",
        doc="General reoffending rises with transition strain.",
        source="paper ('transition periods ... pose the highest risk for recidivism')",
    )
    general_support: float = par(
        0.4,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the general hazard removed by full support in place.",
        source="paper ('desistance is co-produced with others'); value assumption",
    )
    veo_general_factor: float = par(
        0.4,
        ge=0.0,
        le=5.0,
        unit="multiplier",
        doc="General reoffending of VEOs relative to other prisoners.",
        source="assumption (terrorist offenders reoffend generally less than other prisoners)",
    )
    gang_factor: float = par(
        1.5,
        ge=0.0,
        le=10.0,
        unit="multiplier",
        doc="General reoffending of members of crime groups or gangs.",
    )
    terrorist_base: float = par(
        0.0002,
        ge=0.0,
        le=0.1,
        unit="1/day",
        doc="Daily hazard of a terrorist reoffence at full extremism with no strain.",
        source=(
            "set against terrorist reconviction after release: 6 of 196 people convicted of a "
            "terrorist offence and released in England and Wales, Jan 2013-Dec 2019, were "
            "reconvicted of a terrorist offence (3.06%, follow-up up to seven years; written "
            "answer to Lord Anderson, reported by The Guardian, 12 Feb 2020); Belgium <3% "
            "(Renard, CTC Sentinel); United States 4 of 247, 1.6% (Hodwitz 2019); value "
            "calibrated, see docs/ODD.md 7.13"
        ),
    )
    terrorist_strain: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="log-hazard per unit strain",
        doc="Terrorist reoffending rises with transition strain.",
    )
    supervision_disruption: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Share of the terrorist hazard an officer who knows the person fully disrupts while "
            "on licence."
        ),
        source="paper (information sharing and risk management); value assumption",
    )
    custody_after_reoffence: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc="Chance a general reoffence off licence returns the person to custody.",
        source="MoJ FOI 89575 (about 29% of adults released 2007-11 given custody within a year)",
    )
    recall_after_reoffence: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc="The same chance on licence (recall).",
        source="assumption ('Further charge' is a leading recorded recall reason)",
    )
    reconviction_days: int = par(
        180,
        ge=1,
        le=20000,
        unit="days",
        doc="Days served after a general reoffence that returns a person to custody.",
    )


class Reoffending(CommunitySubmodel):
    """Daily hazards of reoffending; re-engagement; returns to custody; the horizon.

    Paper: "Transitional periods are those points in time when the risk of recidivism is
    high"; "Reintegration aims to prevent violent behaviour and enable inclusion and
    participation in society. A sense of belonging and acceptance makes commitment to
    violence less sustainable."

    General hazard = ``general_base`` x criminal history (a fixed trait, mean 1) x
    (``veo_general_factor`` for a VEO) x (``gang_factor`` for a gang member) x exp(
    ``general_strain`` x strain) x (1 - ``general_support`` x support). Terrorist hazard
    = ``terrorist_base`` x engagement x exp(``terrorist_strain`` x strain) x (1 -
    ``supervision_disruption`` x what the officer knows, on licence), engagement being how
    far extremism is above the radicalisation line (0 below it). Both are drawn each
    day and also summed (the *expected* counts). A terrorist reoffence returns the person
    to custody for a VEO's median sentence; a general one does with ``recall_after_
    reoffence`` on licence or ``custody_after_reoffence`` after it. A person re-engages
    when extremism that had been below the re-engagement band rises above it. After
    ``probation.horizon_days`` the episode's outcomes are counted (its cohort closes),
    whether the person is still out or back in custody.
    """

    name = "reoffending"
    Params = ReoffendingParams
    paper = "Transitional periods are those points in time when the risk of recidivism is high"

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        m, c, mp = self.model, self.model.community, self.params
        rec = c.person
        d = m.config.definitions
        history = -np.log1p(-traits(m, rec.uid[rows])[:, PROPENSITY])  # exponential, mean 1
        gate_reoffending(
            rows, history, rec.extremism, rec.category, rec.gang,
            d.radical_threshold - d.radical_buffer, mp.veo_general_factor, mp.gang_factor,
            c.disengaged, c.propensity,
        )  # fmt: skip

    def hazards(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(general, terrorist) daily hazards of ``rows`` today."""
        m, c, mp = self.model, self.model.community, self.params
        rec = c.person
        strain, support = c.strain[rows], c.support[rows]
        general = (
            mp.general_base
            * c.propensity[rows]
            * np.exp(mp.general_strain * strain)
            * (1.0 - mp.general_support * support)
        )
        line = m.config.definitions.radical_threshold
        engaged = np.clip((rec.extremism[rows] - line) / (1.0 - line), 0.0, 1.0)
        supervised = (c.officer[rows] >= 0) & (m.day < c.licence_end[rows])
        known = np.where(supervised, c.officer_knowledge[rows], 0.0)
        terrorist = (
            mp.terrorist_base
            * engaged
            * np.exp(mp.terrorist_strain * strain)
            * (1.0 - mp.supervision_disruption * known)
        )
        return np.minimum(general, 1.0), np.minimum(terrorist, 1.0)

    def step_people(self, rows: np.ndarray) -> None:
        m, c = self.model, self.model.community
        out = self.days_out(rows)
        # Days at risk since the last step, within the horizon (days 0 .. horizon - 1).
        e = np.clip(c.horizon - (out + 1 - self.exposure(rows)), 0, self.exposure(rows))
        live = e > 0
        if live.any():
            self._at_risk(rows[live], np.minimum(out[live], c.horizon - 1), e[live])
        done = rows[(out >= c.horizon - 1) & (c.place[rows] == Place.COMMUNITY)]
        if done.shape[0]:
            c.place[done] = Place.PAST_HORIZON
            c.mentor[done] = -1
            m.leave_community(done)
        self._close_cohorts()

    def _at_risk(self, rows: np.ndarray, out: np.ndarray, e: np.ndarray) -> None:
        m, c, mp = self.model, self.model.community, self.params
        general, terrorist = self.hazards(rows)
        c.expected_general[rows] += e * general
        c.expected_terrorist[rows] += e * terrorist
        m.day_sums["general_reoffences_expected"] += float((e * general).sum())
        m.day_sums["terrorist_reoffences_expected"] += float((e * terrorist).sum())
        c.at_risk_by_day += np.bincount(out, e, c.horizon)
        c.hazard_by_day += np.bincount(out, e * general, c.horizon)
        c.terrorist_hazard_by_day += np.bincount(out, e * terrorist, c.horizon)

        x, d = c.person.extremism[rows], m.config.definitions
        c.disengaged[rows] |= x < d.radical_threshold - d.radical_buffer
        up = x > d.radical_threshold + d.radical_buffer
        newly = c.disengaged[rows] & ~c.reengaged[rows] & up
        c.reengaged[rows[newly]] = True
        m.day_counts["reengagements"] += int(newly.sum())

        u = self.draws(rows, 3)
        gen = u[:, 0] < 1.0 - np.exp(-e * general)
        ter = u[:, 1] < 1.0 - np.exp(-e * terrorist)
        c.general_reoffences[rows] += gen
        c.terrorist_reoffences[rows] += ter
        c.events_by_day += np.bincount(out[gen], minlength=c.horizon)
        m.day_counts["general_reoffences"] += int(gen.sum())
        m.day_counts["terrorist_reoffences"] += int(ter.sum())
        on_licence = m.day < c.licence_end[rows]
        custody_chance = np.where(on_licence, mp.recall_after_reoffence, mp.custody_after_reoffence)
        custody = ter | (gen & (u[:, 2] < custody_chance))
        if custody.any():
            veo_sentence = int(round(m.config.population.sentence_days_veo))
            sentence = np.where(ter, veo_sentence, mp.reconviction_days)
            m.return_to_custody(rows[custody], sentence[custody])

    def _close_cohorts(self) -> None:
        """Episodes released at least ``horizon`` days ago: count their outcomes within it."""
        m, c = self.model, self.model.community
        n = c.size
        age = m.day - c.release_day[:n]
        followed = c.place[:n] != Place.COMMUNITY
        closing = np.flatnonzero(~c.closed[:n] & followed & (age >= c.horizon - 1))
        if closing.shape[0] == 0:
            return
        c.closed[closing] = True
        reoffended = c.general_reoffences[closing] > 0
        terrorist = c.terrorist_reoffences[closing] > 0
        returned = c.place[closing] == Place.RETURNED
        reengaged = c.reengaged[closing]
        counts = m.day_counts
        counts["cohort_followups"] += int(closing.shape[0])
        counts["cohort_veo"] += int((c.person.category[closing] >= VEO_LESSER).sum())
        counts["cohort_reengaged"] += int(reengaged.sum())
        counts["cohort_terrorist_reoffended"] += int(terrorist.sum())
        counts["cohort_general_reoffended"] += int(reoffended.sum())
        counts["cohort_recalled"] += int(returned.sum())
        counts["cohort_desisted"] += int((~returned & ~reoffended & ~terrorist & ~reengaged).sum())
        m.day_sums["cohort_terrorist_expected"] += float(c.expected_terrorist[closing].sum())
        m.day_sums["cohort_general_expected"] += float(c.expected_general[closing].sum())


_VEO_LESSER = int(VEO_LESSER)


@compiled
def gate_reoffending(
    rows, history, extremism, category, gang, line, veo_factor, gang_factor, disengaged,
    propensity,
):  # fmt: skip
    """:meth:`Reoffending.enter` after the history draw, in place: disengaged below
    ``line``; propensity = history x the VEO factor x the gang factor."""
    for i in range(rows.shape[0]):
        r = rows[i]
        disengaged[r] = extremism[r] < line
        factor = veo_factor if category[r] >= _VEO_LESSER else 1.0
        propensity[r] = history[i] * factor * (gang_factor if gang[r] else 1.0)
