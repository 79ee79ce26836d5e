"""Staff-prisoner contact: dynamic security, trust, legitimacy and intelligence."""

from __future__ import annotations

import numpy as np

from wingsim import kernels
from wingsim.kernels import _u, compiled, officers_per_unit
from wingsim.params import Params, par
from wingsim.state import Training
from wingsim.streams import poisson_draws
from wingsim.submodels.base import Submodel


class StaffContactsParams(Params):
    """Strengths of staff contacts (``[mechanisms.staff_contacts]``)."""

    staff_contacts_per_officer: float = par(
        12.0,
        ge=0.0,
        le=200.0,
        unit="contacts/officer/day",
        doc="Prisoner contacts an officer on duty makes per day.",
    )
    trust_gain: float = par(
        0.04,
        ge=0.0,
        le=1.0,
        unit="share of gap per contact",
        doc="Trust gained from a fair contact.",
    )
    trust_loss: float = par(
        0.08, ge=0.0, le=1.0, unit="share per contact", doc="Trust lost from a hostile contact."
    )
    label_hostility: float = par(
        0.25,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Extra chance a labelled prisoner is singled out by an untrained officer (trained "
        "officers: see training_restraint).",
    )
    knowledge_gain: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share of gap per contact",
        doc="What an officer learns per contact.",
    )
    opposition_filter: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of a fair contact's chance lost through a full oppositional mindset.",
    )
    peer_norm_weight: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "How far a well-bonded prisoner reads staff contact through his peers' oppositional "
            "mindset."
        ),
        source="paper (culture of opposition); strength assumption",
    )
    observance_bias: float = par(
        0.25,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Chance per staff contact an untrained officer files a report, per unit of religious "
            "observance (halved for general training)."
        ),
    )
    training_restraint: float = par(
        0.8,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of singling out a fully trained (specialist) officer refrains from; a "
        "generally trained officer refrains from half as much.",
    )
    monitoring_knowledge: float = par(
        1.0,
        ge=0.0,
        le=10.0,
        unit="multiple per unit security",
        doc="Extra that staff learn from a fair contact per unit of security intensity "
        "(close monitoring).",
        source="paper (containment 'allows the close monitoring of behaviours and "
        "interactions'); value assumption",
    )
    hostile_share: float = par(
        0.25,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Of the contacts that are not fair, the share that are heavy-handed (the rest are "
            "neutral)."
        ),
    )
    locked_contact_share: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Share of the full contact rate kept when prisoners are locked up all day (contact at "
            "the cell door)."
        ),
    )
    stress_fairness_loss: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of an officer's chance of a fair contact lost at full stress.",
    )
    security_fairness_loss: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Share of the chance of a fair contact lost at full security intensity (searches, "
            "restrictions)."
        ),
    )
    untrained_learning: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "What an untrained officer learns from a contact, relative to a specialist (general "
            "training: halfway)."
        ),
    )


class StaffContacts(Submodel):
    """Officers on a unit meet its prisoners; fair contact builds trust, unfair erodes it.

    Paper: "Good relationships between VEOs and staff can facilitate the building of
    trust and help break down 'us' versus 'them' barriers"; "Heavy-handed or punitive
    policies, as well as poor staff-prisoner relationships, can erode trust"; "Prejudice,
    uncertainty and fear of offenders can lead to over-reporting".

    Contacts per prisoner grow with officers on duty per prisoner and time on landings.
    Each contact is with one officer of the unit: fair with a chance set by that
    officer's fairness and stress and the unit's security intensity, and seen through
    the prisoner's oppositional mindset and his group's; labelled prisoners are singled
    out by untrained officers. Fair contacts teach staff about the prisoner (knowledge
    lowers assessment error); untrained officers file reports on religious observance
    (false positives).
    """

    name = "staff_contacts"
    Params = StaffContactsParams
    paper = (
        "Good relationships between VEOs and staff can facilitate the building of trust "
        "and help break down 'us' versus 'them' barriers"
    )

    def peers(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The tie-weighted sum of each prisoner's peers' oppositional mindset and his
        total tie strength, through which he reads a contact with an officer (None when
        peers do not count: no ties, or ``peer_norm_weight`` 0).

        His own oppositional mindset is blended with his peers' in proportion to how
        embedded he is (:func:`_blend`): where the group's culture is oppositional, being
        seen to respond to staff costs standing, which undermines staff efforts (the
        paper).
        """
        p, ties, mp = self.model.prisoners, self.model.ties, self.params
        if len(ties) == 0 or mp.peer_norm_weight == 0:
            return None
        lo, hi = ties.ends
        peer_sum = kernels.tie_peer_sum(lo, hi, ties.weight, p.opposition, p.n)
        return peer_sum, ties.strength_by_node()

    def step(self) -> None:
        m, p, s, units, mp, rng = (
            self.model,
            self.model.prisoners,
            self.model.staff,
            self.model.units,
            self.params,
            self.rng,
        )
        roster = self.roster
        # A Poisson number of contacts per unit, each with a random prisoner and officer.
        means, officers = contact_means(
            roster.counts, s.unit, s.active, units.time_out_of_cell, units.lockdown,
            mp.locked_contact_share, mp.staff_contacts_per_officer,
        )  # fmt: skip
        n_unit = poisson_draws(rng, means)
        r = rng.random((int(n_unit.sum()), 4))
        if r.shape[0] == 0:
            return
        peers = self.peers()
        peer_sum, strength = (p.opposition, p.opposition) if peers is None else peers
        made, fair, hostile = contacts_of_day(
            n_unit, s.unit, s.active, officers, r, roster.by_unit, roster.starts,
            roster.counts, s.training, s.fairness, s.stress, units.security, p.opposition,
            peer_sum, strength, mp.peer_norm_weight, peers is not None, p.labelled,
            p.observance, p.trust_in_staff, p.legitimacy, p.knowledge, p.reports,
            np.array(
                [
                    mp.stress_fairness_loss,
                    mp.security_fairness_loss,
                    mp.opposition_filter,
                    mp.label_hostility,
                    mp.training_restraint,
                    mp.hostile_share,
                    1.0 - mp.trust_gain,
                    1.0 - mp.trust_loss,
                    mp.untrained_learning,
                    mp.monitoring_knowledge,
                    mp.knowledge_gain,
                    mp.observance_bias,
                ]
            ),
            int(Training.SPECIALIST),
        )  # fmt: skip
        m.day_counts["staff_contacts"] += made
        m.day_counts["fair_staff_contacts"] += fair
        m.day_counts["hostile_staff_contacts"] += hostile


@compiled
def contacts_of_day(
    n_unit, staff_unit, staff_active, officers, r, by_unit, starts, counts, training_level,
    fairness, stress, security, opposition, peer_sum, strength, peer_weight, blend, labelled,
    observance, trust, legitimacy, knowledge, reports, k, specialist,
):  # fmt: skip
    """The day's staff contacts after the draws, in one call (each kernel call and each
    array a kernel hands back costs Python a microsecond or so): :func:`officers_by_unit`,
    the mindset each prisoner reads a contact through (his own, or if ``blend`` his own
    blended with his peers', :func:`_blend`), then :func:`staff_contact_day`. Returns
    the contacts made and of them the fair and the hostile ones."""
    wu, officer_by_unit, officer_starts, officers = officers_by_unit(
        n_unit, staff_unit, staff_active, officers
    )
    seen = _blend(opposition, peer_sum, strength, peer_weight) if blend else opposition
    fair, hostile = staff_contact_day(
        wu, r, by_unit, starts, counts, officer_by_unit, officer_starts, officers,
        training_level, fairness, stress, security, seen, labelled, observance, trust,
        legitimacy, opposition, knowledge, reports, k, specialist,
    )  # fmt: skip
    return wu.shape[0], fair, hostile


@compiled
def _blend(own, peer_sum, strength, weight):
    """Own mindset blended with the peers' tie-weighted one, by embeddedness."""
    out = np.empty(own.shape[0])
    for i in range(own.shape[0]):
        norm = peer_sum[i] / max(strength[i], 1e-12)
        embedded = weight * strength[i] / (1.0 + strength[i])
        out[i] = (1.0 - embedded) * own[i] + embedded * norm
    return out


@compiled
def contact_means(counts, staff_unit, staff_active, time_out, lockdown, locked, per_officer):
    """Each unit's expected staff contacts today: ``per_officer`` per officer on duty per
    prisoner, for every prisoner, at ``locked`` of the rate when locked up and the full
    rate in time out of cell; and the officers on each unit."""
    n = counts.shape[0]
    officers = officers_per_unit(staff_unit, staff_active, n)
    mean = np.empty(n)
    for u in range(n):
        t = time_out[u] * (1.0 - lockdown[u])
        rate = per_officer * officers[u] / max(counts[u], 1) * (locked + (1.0 - locked) * t)
        mean[u] = rate * counts[u]
    return mean, officers


@compiled
def officers_by_unit(n_unit, staff_unit, staff_active, officers):
    """The unit of each of today's contacts (``n_unit[u]`` on unit ``u``, in unit order),
    the officers on duty sorted by unit (post order within a unit), where each unit's
    officers start, and ``officers`` (how many each unit has, from ``contact_means``)."""
    n = n_unit.shape[0]
    wu = np.empty(n_unit.sum(), np.int64)
    i = 0
    for u in range(n):
        for _ in range(n_unit[u]):
            wu[i] = u
            i += 1
    starts = np.zeros(n, np.int64)
    for u in range(1, n):
        starts[u] = starts[u - 1] + officers[u - 1]
    by_unit = np.empty(officers.sum(), np.int64)
    fill = starts.copy()
    for j in range(staff_unit.shape[0]):
        if staff_active[j]:
            by_unit[fill[staff_unit[j]]] = j
            fill[staff_unit[j]] += 1
    return wu, by_unit, starts, officers


@compiled
def staff_contact_day(
    wu, r, by_unit, starts, counts, officer_by_unit, officer_starts, officers, training_level,
    fairness, stress, security, seen, labelled, observance, trust, legitimacy, opposition,
    knowledge, reports, k, specialist,
):  # fmt: skip
    """The day's staff contacts, one per entry of ``wu`` (its unit) and row of ``r`` (its
    four uniform draws: officer, fair or hostile, report, prisoner), applied in place.

    ``k`` holds the parameters (order in ``StaffContacts.step``). Returns the counts of
    fair and hostile contacts.
    """
    stress_loss, security_loss, opp_filter, label_hostility = k[0], k[1], k[2], k[3]
    restraint, hostile_share, keep_fair, keep_hostile = k[4], k[5], k[6], k[7]
    untrained, monitoring, knowledge_gain, observance_bias = k[8], k[9], k[10], k[11]
    n = trust.shape[0]
    # Each contact's outcome is added without a branch on it (fair, hostile and reported
    # are each about as likely as not to change from one contact to the next): a count
    # plus 0 is the count, learnt plus 0.0 the same bits (learning is >= 0).
    n_fair, n_hostile = np.zeros(n, np.int64), np.zeros(n, np.int64)
    learnt = np.zeros(n)
    n_reports = np.zeros(n, np.int64)
    fair_count = 0
    hostile_count = 0
    for i in range(wu.shape[0]):
        u = _u(wu[i])  # (unsigned indices: no wraparound check, see ``kernels._u``)
        who = _u(by_unit[_u(starts[u] + np.int64(r[i, 3] * counts[u]))])
        officer = _u(officer_by_unit[_u(officer_starts[u] + np.int64(r[i, 0] * officers[u]))])
        training = training_level[officer] / specialist  # 0, 0.5 or 1
        fair_p = (
            fairness[officer]
            * (1.0 - stress_loss * stress[officer])
            * (1.0 - security_loss * security[u])
            * (1.0 - opp_filter * seen[who])
        )
        # Training restrains singling out; specialists still do it, less often.
        singled = (1.0 if labelled[who] else 0.0) * label_hostility * (1.0 - restraint * training)
        fair_p = fair_p * (1.0 - singled)
        fair = r[i, 1] < fair_p
        heavy = 1.0 - (1.0 - hostile_share) * (1.0 - singled)
        hostile = (r[i, 1] < fair_p + (1.0 - fair_p) * heavy) & ~fair
        n_fair[who] += fair
        n_hostile[who] += hostile
        fair_count += fair
        hostile_count += hostile
        # Close monitoring: on a high-security unit staff learn more from the same contact.
        watch = 1.0 + monitoring * security[u]
        learn = knowledge_gain * (untrained + (1.0 - untrained) * training) * watch
        learnt[who] += learn * (1.0 if fair else 0.0)
        # Over-reporting: untrained officers read observance as a sign of radicalisation.
        n_reports[who] += r[i, 2] < observance_bias * observance[who] * (1.0 - training)
    # Repeated contacts compound: (1 - g)^k of the gap remains after k fair contacts (x **
    # 0 is exactly 1, so the power is taken only where there were contacts). The powers
    # and their square roots are taken once for each count (the same calls, so the same
    # bits), not once a prisoner.
    pow_fair, root_fair = _powers(keep_fair, n_fair)
    pow_hostile, root_hostile = _powers(keep_hostile, n_hostile)
    for j in range(n):
        keep_f, keep_h = pow_fair[_u(n_fair[j])], pow_hostile[_u(n_hostile[j])]
        trust[j] = (1.0 - (1.0 - trust[j]) * keep_f) * keep_h
        # Legitimacy and the oppositional mindset move at half trust's log-rate.
        half_f, half_h = root_fair[_u(n_fair[j])], root_hostile[_u(n_hostile[j])]
        legitimacy[j] = (1.0 - (1.0 - legitimacy[j]) * half_f) * half_h
        opposition[j] = 1.0 - (1.0 - opposition[j] * half_f) * half_h
        knowledge[j] += learnt[j] * (1.0 - knowledge[j])
        knowledge[j] = min(max(knowledge[j], 0.0), 1.0)
        reports[j] += n_reports[j]
    return fair_count, hostile_count


@compiled
def _powers(base, counts):
    """``base ** k`` (1.0 for ``k = 0``) and its square root for every ``k`` up to the
    largest of ``counts``, computed as ``base ** float(k)`` and ``np.sqrt``: the values the
    contact day took for each prisoner before."""
    top = 0
    for c in counts:
        top = max(top, c)
    power = np.ones(top + 1)
    root = np.ones(top + 1)
    for c in range(1, top + 1):
        power[c] = base ** np.float64(c)
        root[c] = np.sqrt(power[c])
    return power, root
