"""Prisoner-prisoner contact: influence, bonding and hostility on the wing."""

from __future__ import annotations

import numpy as np

from wingsim import kernels
from wingsim.kernels import _u, compiled
from wingsim.params import Params, par
from wingsim.state import MIN_UNCERTAINTY, Category
from wingsim.streams import poisson_draws
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

    def meetings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Today's meeting pairs ``(a, b)`` (slots), drawn only between units that can meet,
        and the rows of the ties of the last of them (the meetings along ties)."""
        m, p, units, rng = self.model, self.model.prisoners, self.model.units, self.rng
        mp = self.params
        roster = self.roster
        act = roster.slots
        t_unit = units.time_out_today

        # Chance meetings: a Poisson number per unit (the same in law as a Poisson number
        # per prisoner), each between a random unit member and a random unit mate.
        n_unit = poisson_draws(rng, mp.contacts_per_day * t_unit * roster.counts)
        r = rng.random((int(n_unit.sum()), 3))
        init, partner, in_activities, k = chance_meetings(
            n_unit, r, roster.by_unit, roster.starts, roster.counts, units.mixes,
            units.activity_access, mp.activity_mixing,
        )  # fmt: skip
        # Some meet in shared work and education: a partner from any unit that mixes (a
        # meeting in activities happens only on a unit that mixes, so the pool has people).
        if k:
            activity_partners(partner, in_activities, rng.random(k), act, roster.unit, units.mixes)

        # Repeat meetings along ties. Time is finite: a prisoner's repeat meetings are
        # shared among his ties in proportion to their strength, so a few strong bonds
        # crowd out many weak ones; a meeting needs time from both.
        ties = m.ties
        lo, hi = ties.ends
        rows = np.empty(0, np.int64)  # (no ties: no draws for them)
        if len(ties):
            rows = kernels.tie_meetings(
                lo,
                hi,
                ties.weight,
                ties.strength_by_node(),
                p.unit,
                t_unit,
                units.can_meet,
                units.activity_access,
                mp.tie_contact_rate,
                mp.activity_mixing,
                self._uniforms(lo.shape[0]),
            )
        return (*chance_pairs(init, partner, lo, hi, rows), rows)

    def _uniforms(self, k: int) -> np.ndarray:
        """``rng.random(k)``, the same draws, written into a buffer kept between days
        (a fresh array of a million draws a day costs more than drawing them)."""
        buf = getattr(self, "_buffer", None)
        if buf is None or buf.shape[0] < k:
            buf = self._buffer = np.empty(k + k // 2)
        return self.rng.random(out=buf[:k])

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
        a, b, rows = self.meetings()
        if a.shape[0] == 0:
            m.last_meetings = (a, b, p.unit[a], p.unit[b])
            self._anchor()
            m.ties.decay(mp.tie_decay)
            return
        # Draws as before, from this submodel's stream: one per meeting (hostile?), then
        # one per friendly meeting (is planning seen?); the kernels do the arithmetic.
        hostile, n_hostile, delta, unit_a, unit_b = meeting_tone(
            a,
            b,
            p.extremism,
            p.opposition,
            p.grievance,
            rng.random(a.shape[0]),
            -mp.hostility,
            mp.tie_gain,
            -mp.homophily,
            -mp.hostile_tie_loss * mp.tie_gain,
            p.unit,
        )
        # Kept for invariant checks: who met, and on which units they were at the time.
        m.last_meetings = (a, b, unit_a, unit_b)
        seen_draws = rng.random(a.shape[0] - n_hostile)
        # Bonding: similar and aggrieved prisoners bond more; hostility weakens ties. Ties
        # then fade (one pass over the ties for both; the effects read only ``strength``).
        strength = m.ties.add_and_decay(a, b, delta, mp.tie_decay, rows)
        planning, undetected, cross = meeting_effects(
            a,
            b,
            hostile,
            strength,
            seen_draws,
            p.extremism,
            p.uncertainty,
            p.predisposition,
            p.status,
            p.charisma,
            p.trust_in_staff,
            p.vulnerability,
            p.opposition,
            p.reports,
            p.unit,
            p.category,
            units.security,
            (
                mp.influence_rate,
                mp.status_influence,
                mp.charisma_influence,
                mp.trust_closure,
                mp.monitoring_interception,
                mp.base_receptiveness,
                MIN_UNCERTAINTY,
                mp.stubbornness,
                m.config.definitions.radical_threshold,
                mp.monitoring_detection,
                mp.opposition_contagion,
                mp.trust_contagion,
            ),
            int(Category.VEO_LESSER),
            int(Category.MAINSTREAM),
        )
        m.day_counts["planning_contacts"] += planning
        m.day_counts["undetected_planning"] += undetected
        m.day_counts["meetings"] += int(a.shape[0])
        m.day_counts["hostile_contacts"] += n_hostile
        m.day_counts["veo_mainstream_contacts"] += cross


@compiled
def chance_meetings(n_unit, r, by_unit, starts, counts, mixes, access, mixing):
    """``n_unit[u]`` chance meetings on each unit ``u``, in unit order, each with three
    uniform draws (a row of ``r``): a random member, a random unit mate, and whether it
    happens in shared activities (``mixing x the unit's access``, on units that mix).
    Returns ``(initiator, partner, in_activities, how many in activities)``."""
    m = r.shape[0]
    init = np.empty(m, np.int64)
    partner = np.empty(m, np.int64)
    in_activities = np.zeros(m, np.bool_)
    k = 0
    i = 0
    for u in range(n_unit.shape[0]):
        for _ in range(n_unit[u]):
            init[i] = by_unit[starts[u] + np.int64(r[i, 0] * counts[u])]
            partner[i] = by_unit[starts[u] + np.int64(r[i, 1] * counts[u])]
            in_activities[i] = r[i, 2] < mixing * access[u] * (1.0 if mixes[u] else 0.0)
            k += in_activities[i]
            i += 1
    return init, partner, in_activities, k


@compiled
def activity_partners(partner, in_activities, r, slots, unit, mixes):
    """The partners of the meetings in shared activities, in place: the pool is the
    prisoners (``slots``, in order) of every unit that mixes, and meeting ``i`` of those
    ``in_activities`` takes the member at ``int(r[j] x pool size)`` for its own draw ``j``
    (``partner[in_activities] = pool[(r * len(pool)).astype(int)]``)."""
    pool = np.empty(slots.shape[0], np.int64)
    size = 0
    for j in range(slots.shape[0]):
        if mixes[unit[j]]:
            pool[size] = slots[j]
            size += 1
    j = 0
    for i in range(partner.shape[0]):
        if in_activities[i]:
            partner[i] = pool[np.int64(r[j] * size)]
            j += 1


@compiled
def chance_pairs(init, partner, lo, hi, rows):
    """The day's meeting pairs: the chance meetings of two different prisoners, in
    order, then the repeat meetings along ties (the ties ``lo, hi`` of ``rows``)."""
    n = 0
    for i in range(init.shape[0]):
        n += init[i] != partner[i]
    a = np.empty(n + rows.shape[0], np.int64)
    b = np.empty(n + rows.shape[0], np.int64)
    j = 0
    for i in range(init.shape[0]):
        if init[i] != partner[i]:
            a[j], b[j] = init[i], partner[i]
            j += 1
    for t in range(rows.shape[0]):
        a[n + t], b[n + t] = lo[_u(rows[t])], hi[_u(rows[t])]
    return a, b


@compiled
def meeting_tone(
    a, b, x, opposition, grievance, r, neg_hostility, gain, neg_homophily, loss, unit
):  # fmt: skip
    """Which meetings turn hostile (``r`` one uniform draw each) and how many, each tie's
    change, and the units of both sides (``unit[a]``, ``unit[b]``, read in the same pass).

    A meeting is hostile with chance ``1 - exp(-hostility x gap x the larger
    opposition)``; a hostile one changes the tie by ``loss`` (negative), a friendly one
    by ``tie_gain x exp(-homophily x gap) x (1 + the pair's mean grievance)``.
    """
    m = a.shape[0]
    hostile = np.empty(m, np.bool_)
    delta = np.empty(m)
    unit_a = np.empty(m, unit.dtype)
    unit_b = np.empty(m, unit.dtype)
    n_hostile = 0
    for i in range(m):
        ia, ib = _u(a[i]), _u(b[i])
        unit_a[i], unit_b[i] = unit[ia], unit[ib]
        gap = abs(x[ia] - x[ib])
        hostile_p = 1.0 - np.exp(neg_hostility * gap * max(opposition[ia], opposition[ib]))
        hostile[i] = r[i] < hostile_p
        if hostile[i]:
            delta[i] = loss
            n_hostile += 1
        else:
            aggrieved = 0.5 * (grievance[ia] + grievance[ib])
            delta[i] = gain * np.exp(neg_homophily * gap) * (1.0 + aggrieved)
    return hostile, n_hostile, delta, unit_a, unit_b


@compiled
def meeting_effects(
    a, b, hostile, strength, seen_draws, x, u, pred, status, charisma, trust, vul, opp,
    reports, unit, category, security, k, veo, main,
):  # fmt: skip
    """What the friendly meetings do, in place: influence, anchoring, planning, culture.

    ``k`` holds the parameters, a tuple of floats (see the order in
    ``PrisonerContacts.step``; a tuple, not an array built each day: 0.5 us less). Influence is
    relative agreement (``opinion.relative_agreement``), both ways and synchronous, with
    b's pull on a weighted by b's standing (status, charisma), a's openness (trust in
    staff closes, vulnerability opens) and, toward extremism, the unit's monitoring.
    Returns the counts ``(planning, undetected planning, VEO-mainstream contacts)``.
    """
    mu, s_inf, c_inf, closure, intercept, recept = k[0], k[1], k[2], k[3], k[4], k[5]
    min_unc, stubborn, radical, detect, opp_rate, trust_rate = k[6], k[7], k[8], k[9], k[10], k[11]
    n = x.shape[0]
    m = a.shape[0]
    # Relative agreement, weighted by the speaker, from the attitudes before today's meetings.
    dxa, dxb, dua, dub = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(m):
        if hostile[i]:
            continue
        ia, ib = _u(a[i]), _u(b[i])
        xa, xb, ua, ub = x[ia], x[ib], u[ia], u[ib]
        speaker_b = 1.0 + s_inf * status[ib] + c_inf * charisma[ib]
        speaker_a = 1.0 + s_inf * status[ia] + c_inf * charisma[ia]
        # Trust in staff closes a prisoner to being pulled toward extremism, and close
        # monitoring (the meeting's unit's security) cuts that pull.
        watched = 1.0 - intercept * security[_u(max(unit[ia], 0))]
        closed_a = (1.0 - closure * trust[ia]) * watched if xb > xa else 1.0
        closed_b = (1.0 - closure * trust[ib]) * watched if xa > xb else 1.0
        weight_ab = speaker_b * closed_a * (recept + vul[ia])
        weight_ba = speaker_a * closed_b * (recept + vul[ib])
        h = min(xa + ua, xb + ub) - max(xa - ua, xb - ub)
        ra = (h / ub - 1.0 if h > ub else 0.0) * mu * weight_ab
        rb = (h / ua - 1.0 if h > ua else 0.0) * mu * weight_ba
        dxa[ia] += ra * (xb - xa)
        dxb[ib] += rb * (xa - xb)
        dua[ia] += ra * (ub - ua)
        dub[ib] += rb * (ua - ub)
    # Stubbornness (Friedkin-Johnsen): attitudes are anchored in predispositions (in the
    # same pass over the prisoners as the influence, the same arithmetic for each).
    for i in range(n):
        x[i] += dxa[i] + dxb[i]
        u[i] += dua[i] + dub[i]
        u[i] = min(max(u[i], min_unc), 1.0)
        x[i] += stubborn * (pred[i] - x[i])
        x[i] = min(max(x[i], 0.0), 1.0)
    # Planning between committed extremists; close monitoring sees some of it (reports).
    # Group culture: the oppositional mindset and (dis)trust of staff spread along bonds
    # (both from the values before today's spread; one pass over the meetings for all).
    planning = 0
    undetected = 0
    cross = 0
    caught = np.zeros(n, np.int64)
    opp_a, opp_b, trust_a, trust_b = dxa, dxb, dua, dub  # (reused, zeroed)
    opp_a[:] = 0.0
    opp_b[:] = 0.0
    trust_a[:] = 0.0
    trust_b[:] = 0.0
    j = 0
    for i in range(m):
        if hostile[i]:
            continue
        ia, ib = _u(a[i]), _u(b[i])
        seen = seen_draws[j] < detect * security[_u(max(unit[ia], 0))]
        j += 1
        if x[ia] > radical and x[ib] > radical:
            planning += 1
            if seen:
                caught[ia] += 1
                caught[ib] += 1
            else:
                undetected += 1
        ca, cb = category[ia], category[ib]
        if (ca >= veo and cb == main) or (cb >= veo and ca == main):
            cross += 1
        d = opp_rate * strength[i] * (opp[ib] - opp[ia])
        opp_a[ia] += d
        opp_b[ib] += d
        d = trust_rate * strength[i] * (trust[ib] - trust[ia])
        trust_a[ia] += d
        trust_b[ib] += d
    for i in range(n):
        reports[i] += caught[i]
        opp[i] += opp_a[i] - opp_b[i]
        opp[i] = min(max(opp[i], 0.0), 1.0)
        trust[i] += trust_a[i] - trust_b[i]
        trust[i] = min(max(trust[i], 0.0), 1.0)
    return planning, undetected, cross
