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
        strain = c.strain[rows]
        # numpy's exp, not the kernel's (libm's): the same bits as before the fusion.
        return daily_hazards(
            rows, np.exp(mp.general_strain * strain), np.exp(mp.terrorist_strain * strain),
            c.propensity, c.support, c.person.extremism, c.officer, c.licence_end,
            c.officer_knowledge, m.day, m.config.definitions.radical_threshold,
            mp.general_base, mp.general_support, mp.terrorist_base, mp.supervision_disruption,
        )  # fmt: skip

    def step_people(self, rows: np.ndarray) -> None:
        m, c = self.model, self.model.community
        # Days at risk since the last step, within the horizon (days 0 .. horizon - 1).
        live, out, e, ending = days_at_risk(
            rows, c.release_day, m.day, m.config.probation.step_days, c.horizon
        )
        if live.shape[0]:
            self._at_risk(live, out, e)
        # Whose horizon ends today, among those still out after today's returns.
        done = ending[c.place[ending] == Place.COMMUNITY] if ending.shape[0] else ending
        if done.shape[0]:
            c.place[done] = Place.PAST_HORIZON
            c.mentor[done] = -1
            m.leave_community(done)
        self._close_cohorts()

    def _at_risk(self, rows: np.ndarray, out: np.ndarray, e: np.ndarray) -> None:
        m, c, mp = self.model, self.model.community, self.params
        d = m.config.definitions
        general, terrorist = self.hazards(rows)
        eg, et, neg_g, neg_t, newly = at_risk_sums(
            rows, out, e, general, terrorist, c.expected_general, c.expected_terrorist,
            c.at_risk_by_day, c.hazard_by_day, c.terrorist_hazard_by_day, c.person.extremism,
            d.radical_threshold - d.radical_buffer, d.radical_threshold + d.radical_buffer,
            c.disengaged, c.reengaged,
        )  # fmt: skip
        m.day_sums["general_reoffences_expected"] += float(eg.sum())
        m.day_sums["terrorist_reoffences_expected"] += float(et.sum())
        m.day_counts["reengagements"] += newly

        u = self.draws(rows, 3)
        veo_sentence = int(round(m.config.population.sentence_days_veo))
        custody, sentence, n_gen, n_ter = reoffences(
            rows, out, u, np.exp(neg_g), np.exp(neg_t), m.day, c.licence_end,
            mp.recall_after_reoffence, mp.custody_after_reoffence, veo_sentence,
            mp.reconviction_days, c.general_reoffences, c.terrorist_reoffences, c.events_by_day,
        )  # fmt: skip
        m.day_counts["general_reoffences"] += n_gen
        m.day_counts["terrorist_reoffences"] += n_ter
        if custody.shape[0]:
            m.return_to_custody(custody, sentence)

    def _close_cohorts(self) -> None:
        """Episodes released at least ``horizon`` days ago: count their outcomes within it."""
        m, c = self.model, self.model.community
        closing = close_cohorts(c.closed, c.place, c.release_day, c.size, m.day, c.horizon)
        if closing.shape[0] == 0:
            return
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
_COMMUNITY = int(Place.COMMUNITY)


@compiled
def days_at_risk(rows, release_day, day, step_days, horizon):
    """:meth:`Reoffending.step_people`'s days: the rows with days at risk since the last
    step within the horizon, their day since release (capped at ``horizon - 1``) and
    those days; and the rows whose horizon ends today."""
    k = rows.shape[0]
    live = np.empty(k, np.int64)
    out_live = np.empty(k, np.int64)
    e_live = np.empty(k, np.int64)
    done = np.empty(k, np.int64)
    n_live = n_done = 0
    for i in range(k):
        r = rows[i]
        out = day - release_day[r]
        exposure = min(step_days, out + 1)
        e = min(max(horizon - (out + 1 - exposure), 0), exposure)
        if e > 0:
            live[n_live] = r
            out_live[n_live] = min(out, horizon - 1)
            e_live[n_live] = e
            n_live += 1
        if out >= horizon - 1:
            done[n_done] = r
            n_done += 1
    return live[:n_live], out_live[:n_live], e_live[:n_live], done[:n_done]


@compiled
def daily_hazards(
    rows, general_exp, terrorist_exp, propensity, support, extremism, officer, licence_end,
    knowledge, day, line, general_base, general_support, terrorist_base, disruption,
):  # fmt: skip
    """:meth:`Reoffending.hazards` given the strain terms ``exp(strain_coefficient x
    strain)``: general = base x propensity x strain term x (1 - support share); terrorist
    = base x engagement above ``line`` x strain term x (1 - disruption x what a supervising
    officer knows); each at most 1."""
    k = rows.shape[0]
    general = np.empty(k)
    terrorist = np.empty(k)
    for i in range(k):
        r = rows[i]
        g = general_base * propensity[r] * general_exp[i] * (1.0 - general_support * support[r])
        engaged = min(max((extremism[r] - line) / (1.0 - line), 0.0), 1.0)
        known = knowledge[r] if officer[r] >= 0 and day < licence_end[r] else 0.0
        t = terrorist_base * engaged * terrorist_exp[i] * (1.0 - disruption * known)
        general[i] = min(g, 1.0)
        terrorist[i] = min(t, 1.0)
    return general, terrorist


@compiled
def at_risk_sums(
    rows, out, e, general, terrorist, expected_general, expected_terrorist, at_risk_by_day,
    hazard_by_day, terrorist_hazard_by_day, extremism, below, above, disengaged, reengaged,
):  # fmt: skip
    """:meth:`Reoffending._at_risk` before the draws, in place: the expected counts and the
    sums by day since release (each day's sum of this step first, as ``np.bincount``
    gives it, then added); disengaged below ``below``, re-engaged above ``above`` after.
    Returns ``e x`` each hazard, ``-e x`` each (the exponents of the chances) and how many
    re-engaged."""
    k = rows.shape[0]
    horizon = at_risk_by_day.shape[0]
    eg = np.empty(k)
    et = np.empty(k)
    neg_g = np.empty(k)
    neg_t = np.empty(k)
    days = np.zeros(horizon)
    g_sum = np.zeros(horizon)
    t_sum = np.zeros(horizon)
    newly = 0
    for i in range(k):
        r = rows[i]
        eg[i] = e[i] * general[i]
        et[i] = e[i] * terrorist[i]
        neg_g[i] = -e[i] * general[i]
        neg_t[i] = -e[i] * terrorist[i]
        expected_general[r] += eg[i]
        expected_terrorist[r] += et[i]
        days[out[i]] += e[i]
        g_sum[out[i]] += eg[i]
        t_sum[out[i]] += et[i]
        x = extremism[r]
        disengaged[r] = disengaged[r] or x < below
        if disengaged[r] and not reengaged[r] and x > above:
            reengaged[r] = True
            newly += 1
    for j in range(horizon):
        at_risk_by_day[j] += days[j]
        hazard_by_day[j] += g_sum[j]
        terrorist_hazard_by_day[j] += t_sum[j]
    return eg, et, neg_g, neg_t, newly


@compiled
def reoffences(
    rows, out, u, stay_g, stay_t, day, licence_end, recall_p, custody_p, veo_sentence,
    reconviction_days, general_reoffences, terrorist_reoffences, events_by_day,
):  # fmt: skip
    """:meth:`Reoffending._at_risk` after the draws, in place: a general (terrorist)
    reoffence where ``u[:, 0]`` (``u[:, 1]``) is below ``1 - stay``; reoffences by day
    since release; back to custody after a terrorist reoffence (a VEO's sentence) or
    after a general one with the chance on or off licence (``reconviction_days``).
    Returns the rows going back, their sentences and the two counts."""
    k = rows.shape[0]
    horizon = events_by_day.shape[0]
    custody = np.empty(k, np.int64)
    sentence = np.empty(k, np.int64)
    events = np.zeros(horizon, np.int64)
    n_custody = n_gen = n_ter = 0
    for i in range(k):
        r = rows[i]
        gen = u[i, 0] < 1.0 - stay_g[i]
        ter = u[i, 1] < 1.0 - stay_t[i]
        general_reoffences[r] += gen
        terrorist_reoffences[r] += ter
        if gen:
            events[out[i]] += 1
            n_gen += 1
        n_ter += ter
        chance = recall_p if day < licence_end[r] else custody_p
        if ter or (gen and u[i, 2] < chance):
            custody[n_custody] = r
            sentence[n_custody] = veo_sentence if ter else reconviction_days
            n_custody += 1
    for j in range(horizon):
        events_by_day[j] += events[j]
    return custody[:n_custody], sentence[:n_custody], n_gen, n_ter


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


@compiled
def close_cohorts(closed, place, release_day, n, day, horizon):
    """The episodes among the first ``n`` rows no longer in the community, released at
    least ``horizon - 1`` days ago and not yet counted: closed in place, and returned."""
    out = np.empty(n, np.int64)
    k = 0
    for r in range(n):
        if not closed[r] and place[r] != _COMMUNITY and day - release_day[r] >= horizon - 1:
            closed[r] = True
            out[k] = r
            k += 1
    return out[:k]
