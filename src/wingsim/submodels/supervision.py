"""Probation supervision: officers, caseloads, trust, disclosure, breaches and recall."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import VEO_LESSER
from wingsim.submodels.community import (
    BACKGROUND,
    CommunitySubmodel,
    cases_held,
    count,
    over,
    traits,
)

#: Cultural or religious backgrounds in the population (*constant*): a majority and two
#: minorities of equal size; officers are drawn from the same mix.
BACKGROUNDS = 3


class SupervisionParams(Params):
    """Strengths of probation supervision (``[mechanisms.supervision]``)."""

    contacts_per_week: float = par(
        1.0,
        ge=0.0,
        le=7.0,
        unit="contacts/week",
        doc="Supervision appointments a week the service aims for.",
        source="assumption (weekly reporting in the first months of a licence)",
    )
    contacts_per_officer_day: float = par(
        5.0,
        ge=0.0,
        le=50.0,
        unit="contacts/officer/day",
        doc=(
            "Appointments an officer can hold a day, shared over the caseload: above 35 cases "
            "each person is seen less than weekly."
        ),
        source="assumption",
    )
    quality_caseload: float = par(
        50.0,
        ge=1.0,
        le=500.0,
        unit="cases",
        doc="Caseload above which the quality of each contact falls.",
        source=(
            "HM Inspectorate of Probation 2021/02 (quality falls when practitioners hold 50 or "
            "more cases)"
        ),
    )
    overload_quality: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc=(
            "Share of the chance of a fair contact lost as the caseload grows past "
            "quality_caseload (x (1 - quality_caseload / caseload))."
        ),
    )
    miss_base: float = par(
        0.04,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc="Chance an appointment is missed without acceptable reason, at no strain or trust.",
    )
    miss_strain: float = par(
        2.0,
        ge=0.0,
        le=20.0,
        unit="multiplier per unit strain",
        doc="Missing rises with strain (x (1 + miss_strain x strain)).",
    )
    miss_trust: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of missing removed by full trust in the officer.",
    )
    missed_limit: float = par(
        2.0,
        ge=1.0,
        le=20.0,
        unit="appointments",
        doc="Missed appointments on record that make a breach of the licence.",
        source="assumption (enforcement after a second unacceptable absence within a year)",
    )
    missed_memory: float = par(
        180.0,
        ge=1.0,
        le=3650.0,
        unit="days",
        doc="Mean time a missed appointment stays on record.",
    )
    trust_gain: float = par(
        0.1, ge=0.0, le=1.0, unit="share of gap per contact", doc="Trust built by a fair contact."
    )
    trust_loss: float = par(
        0.1, ge=0.0, le=1.0, unit="share per contact", doc="Trust lost in an unfair contact."
    )
    trust_fading: float = par(
        0.005,
        ge=0.0,
        le=0.5,
        unit="1/day",
        doc="Daily fading of trust in the officer: a relationship needs contact to last.",
        source="assumption (trust in staff also erodes daily in prison: grievance.py)",
    )
    match_bonus: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="multiplier",
        doc="An officer of the same background builds trust this much faster (x (1 + bonus)).",
        source="paper ('Probation officers who share a cultural or religious background ...')",
    )
    fairness_mean: float = par(
        0.75, ge=0.0, le=1.0, unit="index (0-1)", doc="Mean fairness of probation officers."
    )
    fairness_spread: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="index (0-1)",
        doc="Width of the uniform spread of officers' fairness around the mean.",
    )
    trust_carry: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Trust in a new officer met at the gate, as a share of trust in prison staff.",
    )
    disclosure: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="probability per unit trust",
        doc="Chance, times trust, that a person confides problems at a contact.",
        source="paper ('Trust is central to effective probation work'); value assumption",
    )
    knowledge_gain: float = par(
        0.05,
        ge=0.0,
        le=1.0,
        unit="share of gap per disclosure",
        doc="What the officer learns from a disclosure.",
    )
    handover_knowledge: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="What the officer knows at the gate, times the quality of the needs assessment.",
    )
    strain_relief: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of strain an early intervention after a disclosure takes away.",
    )
    intervention_effect: float = par(
        0.004,
        ge=0.0,
        le=0.5,
        unit="share per disclosure",
        doc="Extremism (and predisposition) lowered by a referral after a worrying disclosure.",
    )
    worry_margin: float = par(
        0.2,
        ge=0.0,
        le=0.95,
        unit="extremism (0-1)",
        doc=(
            "A disclosure is worrying (and referred) when extremism is above "
            "definitions.radical_threshold minus this margin."
        ),
        source="assumption",
    )
    breach_base: float = par(
        0.0004,
        ge=0.0,
        le=0.1,
        unit="1/day",
        doc="Daily hazard of a conduct breach with no strain and no trust.",
        source="assumption (set against recall volumes, see docs/ODD.md 7.13)",
    )
    breach_strain: float = par(
        2.0,
        ge=0.0,
        le=10.0,
        unit="log-hazard per unit strain",
        doc="Conduct breaches rise with strain.",
    )
    breach_trust: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the conduct breach hazard removed by full trust in the officer.",
    )
    recall_on_breach: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc="Chance a breach leads to recall.",
        source="assumption (not every breach is recalled)",
    )
    recall_on_breach_veo: float = par(
        0.9,
        ge=0.0,
        le=1.0,
        unit="probability",
        doc="The same for a VEO, whose conditions are stricter.",
        source="paper ('offenders are easily recalled to prison for their breach')",
    )
    discretion: float = par(
        0.5,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of the recall chance an officer who knows the person fully handles otherwise.",
        source=(
            "paper ('Practitioners however may also use these conditions ... to work with "
            "offenders')"
        ),
    )
    recall_days: int = par(
        120,
        ge=1,
        le=3650,
        unit="days",
        doc="Days a recalled person serves before release again.",
        source="assumption",
    )
    majority_share: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of people (and officers) of the majority background.",
    )


class Supervision(CommunitySubmodel):
    """Officers with caseloads meet people on licence; trust grows with fair, matched contact.

    Paper: "Trust is central to effective probation work, and often the process of
    matching extremist offenders with probation officers is carried out with the building
    of trust in mind. Probation officers who share a cultural or religious background with
    the offender may help to foster trust"; "Conditions can be quite strict for these
    offenders ... This may hamper reintegration if, for example, offenders are easily
    recalled to prison for their breach. Practitioners however may also use these
    conditions, and the more frequent contact they imply, as an opportunity to work with
    offenders and respond to their needs."

    A person is on licence for ``max(probation.min_licence_days, days served)``. The
    service hires an officer whenever every officer holds ``probation.caseload`` cases;
    with ``probation.officer_matching`` a case goes to an officer of the same background
    when one has room. A person is seen ``contacts_per_week`` times a week, or less when
    the officer's capacity (``contacts_per_officer_day``) is spread over a larger caseload,
    and misses an appointment with a chance that rises with strain and falls with trust;
    ``missed_limit`` missed appointments on record (each kept about ``missed_memory``
    days) are a breach. A kept appointment is fair with the officer's fairness, lowered
    when the caseload exceeds ``quality_caseload`` (trust grows, faster when matched), or
    not (trust falls); between contacts trust fades (``trust_fading``), so how often a
    person is seen sets how much trust there is. With chance ``disclosure x trust`` the
    person confides: the officer learns, intervenes early (strain relieved, a mental
    health need identified, a worrying attitude referred). Conduct breaches occur at a
    hazard that rises with strain and falls with trust. A breach leads to recall with a
    chance (higher for VEOs) that falls with what the officer knows.
    """

    name = "supervision"
    Params = SupervisionParams
    paper = (
        "Probation officers who share a cultural or religious background with the offender may "
        "help to foster trust"
    )

    # -- officers and caseloads -----------------------------------------------------------
    def background(self, uid: np.ndarray) -> np.ndarray:
        u = traits(self.model, uid)[:, BACKGROUND]
        return self._group(u)

    def _group(self, u: np.ndarray) -> np.ndarray:
        major = self.params.majority_share
        return background_groups(u, major, max(1e-9, 1.0 - major))

    def caseloads(self) -> np.ndarray:
        m = self.model
        c, p = m.community, m.prisoners
        return caseload_counts(
            p.active, p.officer, c.place, c.officer, c.licence_end, c.size, m.day,
            m.probation_officers.n,
        )  # fmt: skip

    def _hire(self) -> int:
        m, mp = self.model, self.params
        index = m.probation_officers.n
        u = m.streams.keyed("probation_staff").uniforms(np.array([index]), k=2)
        fairness = np.clip(mp.fairness_mean + mp.fairness_spread * (u[:, 1] - 0.5), 0.0, 1.0)
        hired = m.probation_officers.hire(self._group(u[:, 0]), fairness)
        m.add_officer_views(hired)
        return index

    def assign(self, background: np.ndarray) -> np.ndarray:
        """An officer for each new case, in order (``assign_cases``); hire when all are full."""
        m = self.model
        load = self.caseloads().astype(float)
        out = np.empty(background.shape[0], dtype=np.int32)
        done = 0
        while True:
            done = assign_cases(
                load,
                m.config.probation.caseload,
                m.probation_officers.background,
                background,
                m.config.probation.officer_matching,
                out,
                done,
            )
            if done == background.shape[0]:
                return out
            self._hire()
            load = np.append(load, 0.0)

    def assign_before_release(self, slots: np.ndarray) -> None:
        """Planning starts for ``slots``: the officer who will supervise meets them inside."""
        p = self.model.prisoners
        p.officer[slots] = self.assign(self.background(p.uid[slots]))
        p.officer_trust[slots] = self.params.trust_carry * p.trust_in_staff[slots]

    # -- at the gate and after ------------------------------------------------------------
    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        m, c, mp = self.model, self.model.community, self.params
        rec = c.person
        licence_ends(rows, rec.served, m.day, m.config.probation.min_licence_days, c.licence_end)
        bg = self.background(rec.uid[rows])
        officer = rec.officer[rows]  # a copy: new cases get theirs below
        new = officer < 0
        if new.any():
            officer[new] = self.assign(bg[new])
        gate_cases(
            rows, bg, officer, rec.officer, rec.officer_trust, rec.trust_in_staff,
            mp.trust_carry, m.probation_officers.background, c.quality, mp.handover_knowledge,
            c.background, c.officer, c.officer_trust, c.matched_officer, c.officer_knowledge,
            c.misses,
        )  # fmt: skip

    def step_people(self, rows: np.ndarray) -> None:
        m, c, mp = self.model, self.model.community, self.params
        rows = rows[(c.officer[rows] >= 0) & (m.day < c.licence_end[rows])]
        if rows.shape[0] == 0:
            return
        e = self.exposure(rows)
        officer = c.officer[rows]
        # The officer's whole caseload: people on licence and prisoners whose release he
        # is planning (as the service counts it when it hires).
        load = self.caseloads()[officer]
        u = self.draws(rows, 7)
        trust, strain = c.officer_trust[rows], c.strain[rows]
        per_day = np.minimum(mp.contacts_per_week / 7.0, mp.contacts_per_officer_day / load)
        contacts = count(e * per_day, u[:, 0])
        miss = mp.miss_base * (1.0 + mp.miss_strain * strain) * (1.0 - mp.miss_trust * trust)
        missed = np.minimum(count(contacts * np.minimum(miss, 1.0), u[:, 1]), contacts)
        kept = contacts - missed
        misses = c.misses[rows] * (1.0 - 1.0 / mp.missed_memory) ** e + missed
        missed_breach = misses >= mp.missed_limit
        c.misses[rows] = np.where(missed_breach, 0.0, misses)

        quality = 1.0 - mp.overload_quality * np.maximum(0.0, 1.0 - mp.quality_caseload / load)
        fair_p = m.probation_officers.fairness[officer] * quality
        fair = np.minimum(count(kept * fair_p, u[:, 2]), kept)
        gain = np.minimum(mp.trust_gain * (1.0 + mp.match_bonus * c.matched_officer[rows]), 1.0)
        trust = 1.0 - (1.0 - trust) * (1.0 - gain) ** fair
        trust = trust * (1.0 - mp.trust_loss) ** (kept - fair)
        trust = trust * (1.0 - mp.trust_fading) ** e
        c.officer_trust[rows] = trust

        tell = rows[u[:, 3] < over(mp.disclosure * trust, kept)]
        if tell.shape[0]:
            k = c.officer_knowledge
            k[tell] += mp.knowledge_gain * (1.0 - k[tell])
            c.strain[tell] *= 1.0 - mp.strain_relief
            c.mh_identified[tell] |= c.mh_need[tell]
            x, x0 = c.person.extremism, c.person.predisposition
            line = m.config.definitions.radical_threshold - mp.worry_margin
            worry = tell[x[tell] > line]
            x[worry] *= 1.0 - mp.intervention_effect
            x0[worry] *= 1.0 - mp.intervention_effect
            m.day_counts["disclosures"] += int(tell.shape[0])

        hazard = (
            mp.breach_base * np.exp(mp.breach_strain * strain) * (1.0 - mp.breach_trust * trust)
        )
        breach = missed_breach | (u[:, 4] < over(hazard, e))
        if breach.any():
            c.breaches[rows] += breach
            veo = c.person.category[rows] >= VEO_LESSER
            chance = np.where(veo, mp.recall_on_breach_veo, mp.recall_on_breach)
            chance = chance * (1.0 - mp.discretion * c.officer_knowledge[rows])
            m.day_counts["breaches"] += int(breach.sum())
            recalled = rows[breach & (u[:, 5] < chance)]
            m.day_counts["breach_recalls"] += int(recalled.shape[0])
            m.return_to_custody(recalled, mp.recall_days)
        m.day_counts["probation_contacts"] += int(kept.sum())


@compiled
def background_groups(u, major, minor_span):
    """Background group of each uniform ``u``: the majority (0) below ``major``, else one
    of the ``BACKGROUNDS - 1`` minorities in equal shares of the rest (``minor_span``)."""
    out = np.empty(u.shape[0], np.int8)
    for i in range(u.shape[0]):
        if u[i] < major:
            out[i] = 0
        else:
            minor = min((u[i] - major) / minor_span * (BACKGROUNDS - 1), 1.999)
            out[i] = np.int8(1.0 + np.floor(minor))
    return out


def caseload_counts(active, officer, place, case_officer, licence_end, n, day, n_officers):
    """Cases per officer: prisoners in planning who met him (``officer``) and people on
    licence in the community among the first ``n`` rows (``case_officer``)."""
    return cases_held(active, officer, place, case_officer, n, n_officers, licence_end, day, True)


@compiled
def licence_ends(rows, served, day, min_days, licence_end):
    """Licence runs from ``day`` for the time served, at least ``min_days``, in place."""
    for i in range(rows.shape[0]):
        r = rows[i]
        licence_end[r] = day + max(min_days, served[r])


@compiled
def gate_cases(
    rows, bg, officer, planned, planned_trust, trust_in_staff, trust_carry,
    officer_background, quality, handover_knowledge, background, case_officer, case_trust,
    matched, knowledge, misses,
):  # fmt: skip
    """:meth:`Supervision.enter` after the officers are known, in place: background and
    officer of each row; trust as built in planning (``planned >= 0``) or carried from
    trust in staff; matched backgrounds; what the officer knows from the hand-over."""
    for i in range(rows.shape[0]):
        r = rows[i]
        background[r] = bg[i]
        case_officer[r] = officer[i]
        case_trust[r] = planned_trust[r] if planned[r] >= 0 else trust_carry * trust_in_staff[r]
        matched[r] = officer_background[officer[i]] == bg[i]
        knowledge[r] = handover_knowledge * quality[r]
        misses[r] = 0


@compiled
def assign_cases(load, cap, officer_background, background, matching, out, start):
    """Cases ``start, start+1, ...`` each to the least-loaded officer with room (below
    ``cap``), preferring, with ``matching``, one who shares the case's background; the
    first such officer on ties. ``load`` and ``out`` are updated in place. Returns the
    first case left without an officer because all are full (the caller hires one and
    calls again), or the number of cases when all have one."""
    for i in range(start, background.shape[0]):
        best = -1
        best_score = -np.inf
        for j in range(load.shape[0]):
            if load[j] >= cap:
                continue
            shared = matching and officer_background[j] == background[i]
            score = -load[j] + (1e6 if shared else 0.0)
            if score > best_score:
                best, best_score = j, score
        if best < 0:
            return i
        out[i] = best
        load[best] += 1.0
    return background.shape[0]
