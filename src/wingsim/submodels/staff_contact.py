"""Staff-prisoner contact: dynamic security, trust, legitimacy and intelligence."""

from __future__ import annotations

import numpy as np

from wingsim import kernels
from wingsim.params import Params, par
from wingsim.state import Training
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

    def seen_through(self) -> np.ndarray:
        """The mindset through which each prisoner reads a contact with an officer.

        His own oppositional mindset, blended with his peers' (tie-weighted) in proportion
        to how embedded he is: where the group's culture is oppositional, being seen to
        respond to staff costs standing, which undermines staff efforts (the paper).
        """
        p, ties, mp = self.model.prisoners, self.model.ties, self.params
        if len(ties) == 0 or mp.peer_norm_weight == 0:
            return p.opposition
        lo, hi = ties.ends
        strength = ties.strength_by_node()
        peer_sum = kernels.tie_peer_sum(lo, hi, ties.weight, p.opposition, p.n)
        norm = peer_sum / np.maximum(strength, 1e-12)
        embedded = mp.peer_norm_weight * strength / (1.0 + strength)
        return (1.0 - embedded) * p.opposition + embedded * norm

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
        on_post = np.flatnonzero(s.active)
        staff_unit = s.unit[on_post]
        officers = np.bincount(staff_unit, minlength=units.n)
        occ = np.maximum(roster.counts, 1)
        t_unit = units.time_out_of_cell * (1.0 - units.lockdown)
        locked = mp.locked_contact_share
        rate = mp.staff_contacts_per_officer * officers / occ * (locked + (1.0 - locked) * t_unit)
        # A Poisson number of contacts per unit, each with a random prisoner and officer.
        n_unit = rng.poisson(rate * roster.counts)
        wu = np.repeat(np.arange(units.n), n_unit)
        r = rng.random((wu.shape[0], 4))
        if wu.shape[0] == 0:
            return
        who = roster.draw(wu, r[:, 3])
        order = np.argsort(staff_unit, kind="stable")
        by_unit = on_post[order]
        starts = np.concatenate(([0], np.cumsum(officers)[:-1]))
        officer = by_unit[starts[wu] + (r[:, 0] * officers[wu]).astype(np.int64)]
        training = s.training[officer] / Training.SPECIALIST  # 0, 0.5 or 1
        fair_p = (
            s.fairness[officer]
            * (1.0 - mp.stress_fairness_loss * s.stress[officer])
            * (1.0 - mp.security_fairness_loss * units.security[wu])
            * (1.0 - mp.opposition_filter * self.seen_through()[who])
        )
        # Training restrains singling out; specialists still do it, less often.
        singled = p.labelled[who] * mp.label_hostility * (1.0 - mp.training_restraint * training)
        fair_p = fair_p * (1.0 - singled)
        fair = r[:, 1] < fair_p
        heavy = 1.0 - (1.0 - mp.hostile_share) * (1.0 - singled)
        hostile = ~fair & (r[:, 1] < fair_p + (1.0 - fair_p) * heavy)

        n = p.n
        nf = np.bincount(who[fair], minlength=n).astype(float)
        nh = np.bincount(who[hostile], minlength=n).astype(float)
        # Repeated contacts compound: (1 - g)^k of the gap remains after k fair contacts.
        keep_f = (1.0 - mp.trust_gain) ** nf
        keep_h = (1.0 - mp.trust_loss) ** nh
        tr = p.trust_in_staff
        tr[:] = 1.0 - (1.0 - tr) * keep_f
        tr *= keep_h
        # Legitimacy and the oppositional mindset move at half trust's log-rate (square root).
        lg = p.legitimacy
        lg[:] = 1.0 - (1.0 - lg) * np.sqrt(keep_f)
        lg *= np.sqrt(keep_h)
        op = p.opposition
        op *= np.sqrt(keep_f)
        op[:] = 1.0 - (1.0 - op) * np.sqrt(keep_h)

        untrained = mp.untrained_learning
        # Close monitoring: on a high-security unit staff learn more from the same contact.
        watch = 1.0 + mp.monitoring_knowledge * units.security[wu]
        learn = mp.knowledge_gain * (untrained + (1.0 - untrained) * training) * watch * fair
        nk = np.bincount(who, learn, minlength=n)
        p.knowledge += nk * (1.0 - p.knowledge)
        np.clip(p.knowledge, 0.0, 1.0, out=p.knowledge)
        # Over-reporting: untrained officers read observance as a sign of radicalisation.
        report_p = mp.observance_bias * p.observance[who] * (1.0 - training)
        report = r[:, 2] < report_p
        p.reports += np.bincount(who[report], minlength=n)
        m.day_counts["staff_contacts"] += int(who.shape[0])
        m.day_counts["fair_staff_contacts"] += int(fair.sum())
        m.day_counts["hostile_staff_contacts"] += int(hostile.sum())
