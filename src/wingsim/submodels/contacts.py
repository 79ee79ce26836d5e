"""Prisoner-prisoner contact: influence, bonding and hostility on the wing."""

from __future__ import annotations

import numpy as np

from wingsim.opinion import relative_agreement
from wingsim.params import Params, par
from wingsim.state import MIN_UNCERTAINTY, Category
from wingsim.submodels.base import Submodel


class PrisonerContactsParams(Params):
    """Strengths of prisoner contacts (``[mechanisms.prisoner_contacts]``)."""

    contacts_per_day: float = par(
        2.0,
        ge=0.0,
        le=50.0,
        unit="meetings/prisoner/day",
        doc="Chance meetings with unit mates per day at full unlock.",
    )
    tie_contact_rate: float = par(
        3.0,
        ge=0.0,
        le=20.0,
        unit="meetings/prisoner/day",
        doc="Daily meetings along ties at full unlock (shared by strength).",
    )
    activity_mixing: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of chance meetings made in shared activities, scaled by access.",
    )
    influence_rate: float = par(
        0.02,
        ge=0.0,
        le=0.5,
        unit="per contact",
        doc="Relative-agreement convergence rate mu per contact.",
        source="Deffuant et al. 2002 (form); value assumption",
    )
    stubbornness: float = par(
        0.01,
        ge=0.0,
        le=1.0,
        unit="1/day",
        doc="Daily pull of attitude back to predisposition (Friedkin-Johnsen).",
        source="Friedkin & Johnsen (form); value assumption",
    )
    status_influence: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="weight per unit status",
        doc="Extra influence per unit of the speaker's status.",
    )
    charisma_influence: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="weight per unit charisma",
        doc="Extra influence of a charismatic leader.",
    )
    trust_closure: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of openness to extremist views removed by full trust in staff.",
    )
    tie_gain: float = par(
        0.08, ge=0.0, le=1.0, unit="per contact", doc="Tie strengthening per contact."
    )
    tie_decay: float = par(0.05, ge=0.0, le=0.5, unit="1/day", doc="Daily decay of tie strength.")
    homophily: float = par(
        2.0,
        ge=0.0,
        le=20.0,
        unit="per unit attitude gap",
        doc="Bonding gain decays as exp(-homophily x attitude gap).",
    )
    hostility: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="per unit gap x opposition",
        doc="Hostility of a meeting: chance 1 - exp(-hostility x attitude gap x the larger "
        "opposition of the two).",
    )
    opposition_contagion: float = par(
        0.03,
        ge=0.0,
        le=1.0,
        unit="per contact x tie",
        doc="Pull of a bonded peer's oppositional mindset.",
    )
    trust_contagion: float = par(
        0.03,
        ge=0.0,
        le=1.0,
        unit="per contact x tie",
        doc="Pull of a bonded peer's trust (or distrust) in staff.",
    )
    monitoring_interception: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share per unit security",
        doc="Share of a pull toward extremism cut per unit of the unit's security intensity "
        "(staff watching interrupt recruitment).",
        source="paper (containment 'allows the close monitoring of behaviours and "
        "interactions'); value assumption",
    )
    monitoring_detection: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share per unit security",
        doc="Chance per unit of security intensity that a meeting of two committed "
        "extremists (planning) is detected and reported.",
        source="paper (close monitoring); value assumption",
    )
    hostile_tie_loss: float = par(
        2.0,
        ge=0.0,
        le=10.0,
        unit="multiple of tie_gain",
        doc="Tie strength lost in a hostile meeting, as a multiple of the gain of a friendly one.",
    )
    base_receptiveness: float = par(
        0.5,
        ge=0.0,
        le=2.0,
        unit="weight",
        doc=(
            "Receptiveness to a peer of a prisoner with no vulnerability; vulnerability adds to it."
        ),
    )


class PrisonerContacts(Submodel):
    """Daily meetings between prisoners who can meet, and what each meeting does.

    Paper: "placing VEOs together may strengthen social bonds and contribute to a culture
    of opposition between prisoners and staff"; "There are also concerns that dispersing
    VEOs throughout the general population will heighten the potential for
    radicalisation among others".

    Meetings are chance meetings with unit mates (and, on mainstream wings, in shared
    work and education) plus repeat meetings along existing ties, all scaled by time
    out of cell. A meeting across a wide attitude gap may turn hostile (group conflict,
    which weakens the tie and adds to tension); otherwise the two bond (more so if
    similar or aggrieved), influence each other's extremism by relative agreement
    (Deffuant et al. 2002) weighted by the speaker's status and charisma and anchored
    by each prisoner's predisposition (Friedkin and Johnsen's stubbornness), and pull
    each other's oppositional mindset and trust in staff together (group culture).
    """

    name = "prisoner_contacts"
    Params = PrisonerContactsParams
    paper = (
        "placing VEOs together may strengthen social bonds and contribute to a culture of "
        "opposition between prisoners and staff"
    )

    def meetings(self) -> tuple[np.ndarray, np.ndarray]:
        """Today's meeting pairs ``(a, b)`` (slots), drawn only between units that can meet."""
        m, p, units, rng = self.model, self.model.prisoners, self.model.units, self.rng
        mp = self.params
        roster = self.roster
        act = roster.slots
        t_unit = units.time_out_of_cell * (1.0 - units.lockdown)

        # Chance meetings: a Poisson number per unit (the same in law as a Poisson number
        # per prisoner), each between a random unit member and a random unit mate.
        n_unit = rng.poisson(mp.contacts_per_day * t_unit * roster.counts)
        init_unit = np.repeat(np.arange(units.n), n_unit)
        r = rng.random((init_unit.shape[0], 3))
        init = roster.draw(init_unit, r[:, 0])
        partner = roster.draw(init_unit, r[:, 1])
        mixes = units.mixes
        if mixes.any():
            pool = act[mixes[roster.unit]]
            p_activity = mp.activity_mixing * units.activity_access[init_unit] * mixes[init_unit]
            use_pool = r[:, 2] < p_activity
            if pool.shape[0] and use_pool.any():
                k = int(use_pool.sum())
                partner[use_pool] = pool[(rng.random(k) * pool.shape[0]).astype(np.int64)]
        keep = partner != init
        a, b = init[keep], partner[keep]

        # Repeat meetings along ties. Time is finite: a prisoner's repeat meetings are
        # shared among his ties in proportion to their strength, so a few strong bonds
        # crowd out many weak ones; a meeting needs time from both.
        ties = m.ties
        if len(ties):
            lo, hi = ties.ends
            rate = (
                mp.tie_contact_rate
                * t_unit[np.maximum(p.unit, 0)]
                / np.maximum(ties.strength_by_node(), 1.0)
            )
            prob = ties.weight * np.minimum(rate[lo], rate[hi])
            ul, uh = p.unit[lo], p.unit[hi]
            cross = np.flatnonzero(ul != uh)
            if cross.shape[0]:
                cu, cv = ul[cross], uh[cross]
                prob[cross] *= (
                    units.can_meet[cu, cv] * mp.activity_mixing * units.activity_access[cu]
                )
            meet = rng.random(lo.shape[0]) < prob
            a = np.concatenate((a, lo[meet]))
            b = np.concatenate((b, hi[meet]))
        return a, b

    def _anchor(self) -> None:
        """Stubbornness (Friedkin-Johnsen): attitudes are anchored in predispositions."""
        p = self.model.prisoners
        p.extremism += self.params.stubbornness * (p.predisposition - p.extremism)
        np.clip(p.extremism, 0.0, 1.0, out=p.extremism)

    def step(self) -> None:
        m, p, mp, rng, units = (
            self.model,
            self.model.prisoners,
            self.params,
            self.rng,
            self.model.units,
        )
        a, b = self.meetings()
        # Kept for invariant checks: who met, and on which units they were at the time.
        m.last_meetings = (a, b, p.unit[a], p.unit[b])
        if a.shape[0] == 0:
            self._anchor()
            m.ties.decay(mp.tie_decay)
            return
        x = p.extremism
        gap = np.abs(x[a] - x[b])
        hostile_p = 1.0 - np.exp(-mp.hostility * gap * np.maximum(p.opposition[a], p.opposition[b]))
        hostile = rng.random(a.shape[0]) < hostile_p
        friendly = ~hostile

        # Bonding: similar and aggrieved prisoners bond more; hostility weakens ties.
        aggrieved = 0.5 * (p.grievance[a] + p.grievance[b])
        gain = mp.tie_gain * np.exp(-mp.homophily * gap) * (1.0 + aggrieved)
        strength = m.ties.add(a, b, np.where(friendly, gain, -mp.hostile_tie_loss * mp.tie_gain))

        # Influence among friendly meetings (relative agreement, weighted by the speaker).
        fa, fb = a[friendly], b[friendly]
        speaker_b = (
            1.0 + mp.status_influence * p.status[fb] + mp.charisma_influence * p.charisma[fb]
        )
        speaker_a = (
            1.0 + mp.status_influence * p.status[fa] + mp.charisma_influence * p.charisma[fa]
        )
        # Trust in staff closes a prisoner to being pulled toward extremism (dynamic security).
        closed_a = np.where(x[fb] > x[fa], 1.0 - mp.trust_closure * p.trust_in_staff[fa], 1.0)
        closed_b = np.where(x[fa] > x[fb], 1.0 - mp.trust_closure * p.trust_in_staff[fb], 1.0)
        # Close monitoring interrupts recruitment: a pull toward extremism is cut where
        # staff watch (the meeting's unit's security).
        watched = 1.0 - mp.monitoring_interception * units.security[np.maximum(p.unit[fa], 0)]
        closed_a = np.where(x[fb] > x[fa], closed_a * watched, closed_a)
        closed_b = np.where(x[fa] > x[fb], closed_b * watched, closed_b)
        vul_a = mp.base_receptiveness + p.vulnerability[fa]
        vul_b = mp.base_receptiveness + p.vulnerability[fb]
        relative_agreement(
            p.extremism,
            p.uncertainty,
            fa,
            fb,
            mp.influence_rate,
            weight_ab=speaker_b * closed_a * vul_a,
            weight_ba=speaker_a * closed_b * vul_b,
        )
        np.clip(p.uncertainty, MIN_UNCERTAINTY, 1.0, out=p.uncertainty)
        self._anchor()

        # Two committed extremists meeting is where planning happens; close monitoring
        # detects some of it, which becomes intelligence on both (reports).
        radical = m.config.definitions.radical_threshold
        plotting = (x[fa] > radical) & (x[fb] > radical)
        seen = (
            rng.random(fa.shape[0])
            < mp.monitoring_detection * units.security[np.maximum(p.unit[fa], 0)]
        )
        caught = plotting & seen
        p.reports += np.bincount(fa[caught], minlength=p.n) + np.bincount(fb[caught], minlength=p.n)
        m.day_counts["planning_contacts"] += int(plotting.sum())
        m.day_counts["undetected_planning"] += int((plotting & ~seen).sum())

        # Group culture: the oppositional mindset toward staff, and (dis)trust of staff,
        # spread along bonds.
        w = strength[friendly]
        n = p.n
        for arr, rate in (
            (p.opposition, mp.opposition_contagion),
            (p.trust_in_staff, mp.trust_contagion),
        ):
            d = rate * w * (arr[fb] - arr[fa])
            arr += np.bincount(fa, d, n) - np.bincount(fb, d, n)
            np.clip(arr, 0.0, 1.0, out=arr)

        m.ties.decay(mp.tie_decay)
        cat = p.category
        veo, main = Category.VEO_LESSER, Category.MAINSTREAM
        cross = ((cat[fa] >= veo) & (cat[fb] == main)) | ((cat[fb] >= veo) & (cat[fa] == main))
        m.day_counts["meetings"] += int(a.shape[0])
        m.day_counts["hostile_contacts"] += int(hostile.sum())
        m.day_counts["veo_mainstream_contacts"] += int(cross.sum())
