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
        # The officer's whole caseload: people on licence and prisoners whose release he
        # is planning (as the service counts it when it hires).
        load = self.caseloads()
        u = self.draws(rows, 7)
        # The powers and exponentials stay numpy's (the kernels' libm differs in the last
        # bit); the arithmetic between them is compiled.
        kept, fair, unfair, keep_gain, misses_breach = contact_day(
            rows, e, c.officer, load, u, c.officer_trust, c.strain, c.misses,
            (1.0 - 1.0 / mp.missed_memory) ** e, c.matched_officer,
            m.probation_officers.fairness, mp.contacts_per_week / 7.0,
            mp.contacts_per_officer_day, mp.miss_base, mp.miss_strain, mp.miss_trust,
            mp.missed_limit, mp.overload_quality, mp.quality_caseload, mp.trust_gain,
            mp.match_bonus,
        )  # fmt: skip
        trust, keep_told = trust_day(
            rows, c.officer_trust, keep_gain**fair, (1.0 - mp.trust_loss) ** unfair,
            (1.0 - mp.trust_fading) ** e, mp.disclosure,
        )  # fmt: skip
        told, keep_breach = disclosures(
            rows, u, keep_told**kept, np.exp(mp.breach_strain * c.strain[rows]), trust,
            c.officer_knowledge, c.strain, c.mh_need, c.mh_identified, c.person.extremism,
            c.person.predisposition, m.config.definitions.radical_threshold - mp.worry_margin,
            mp.knowledge_gain, 1.0 - mp.strain_relief, 1.0 - mp.intervention_effect,
            mp.breach_base, mp.breach_trust,
        )  # fmt: skip
        if told:
            m.day_counts["disclosures"] += told
        recalled, n_breaches = breaches(
            rows, u, misses_breach, keep_breach**e, c.breaches, c.person.category,
            c.officer_knowledge, mp.recall_on_breach_veo, mp.recall_on_breach, mp.discretion,
        )  # fmt: skip
        if n_breaches:
            m.day_counts["breaches"] += n_breaches
            m.day_counts["breach_recalls"] += int(recalled.shape[0])
            m.return_to_custody(recalled, mp.recall_days)
        m.day_counts["probation_contacts"] += int(kept.sum())


_VEO_LESSER = int(VEO_LESSER)


@compiled
def contact_day(
    rows, e, case_officer, caseload, u, officer_trust, strain, misses, memory, matched,
    fairness, weekly, per_officer_day, miss_base, miss_strain, miss_trust, missed_limit,
    overload_quality, quality_caseload, trust_gain, match_bonus,
):  # fmt: skip
    """:meth:`Supervision.step_people` up to the trust powers, in place on ``misses``:
    contacts (``u[:, 0]``), missed ones (``u[:, 1]``) and the record of misses (decayed
    by ``memory``, the numpy power; a breach at ``missed_limit`` clears it), fair
    contacts (``u[:, 2]``). Returns the kept and fair contacts, the unfair ones, the
    share of distrust a fair contact keeps (``1 - gain``) and the breaches by misses."""
    k = rows.shape[0]
    kept = np.empty(k, np.int64)
    fair = np.empty(k, np.int64)
    unfair = np.empty(k, np.int64)
    keep_gain = np.empty(k)
    missed_breach = np.empty(k, np.bool_)
    for i in range(k):
        r = rows[i]
        officer = case_officer[r]
        load = caseload[officer]
        per_day = min(weekly, per_officer_day / load)
        contacts = np.int64(np.floor(e[i] * per_day + u[i, 0]))
        miss = miss_base * (1.0 + miss_strain * strain[r]) * (1.0 - miss_trust * officer_trust[r])
        missed = min(np.int64(np.floor(contacts * min(miss, 1.0) + u[i, 1])), contacts)
        kept[i] = contacts - missed
        m = misses[r] * memory[i] + missed
        missed_breach[i] = m >= missed_limit
        misses[r] = 0.0 if missed_breach[i] else m
        quality = 1.0 - overload_quality * max(0.0, 1.0 - quality_caseload / load)
        fair_p = fairness[officer] * quality
        fair[i] = min(np.int64(np.floor(kept[i] * fair_p + u[i, 2])), kept[i])
        unfair[i] = kept[i] - fair[i]
        gain = min(trust_gain * (1.0 + match_bonus * np.float64(matched[r])), 1.0)
        keep_gain[i] = 1.0 - gain
    return kept, fair, unfair, keep_gain, missed_breach


@compiled
def trust_day(rows, officer_trust, fair_keeps, unfair_keeps, fading_keeps, disclosure):
    """Trust after the step's fair and unfair contacts and its fading (the numpy powers),
    in place and returned; and the chance of not confiding at one contact."""
    trust = np.empty(rows.shape[0])
    keep_told = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        t = 1.0 - (1.0 - officer_trust[r]) * fair_keeps[i]
        t = t * unfair_keeps[i]
        t = t * fading_keeps[i]
        officer_trust[r] = t
        trust[i] = t
        keep_told[i] = 1.0 - min(disclosure * t, 1.0)
    return trust, keep_told


@compiled
def disclosures(
    rows, u, untold, strain_terms, trust, knowledge, strain, mh_need, mh_identified,
    extremism, predisposition, line, knowledge_gain, strain_kept, attitude_kept, breach_base,
    breach_trust,
):  # fmt: skip
    """Who confides (``u[:, 3]`` below ``1 - untold``), in place: the officer learns,
    strain is relieved, a mental health need comes to light and a worrying attitude
    (above ``line``) is referred. Returns how many confided and each row's chance of no
    conduct breach in a day (hazard ``breach_base x strain term x (1 - breach_trust x
    trust)``, at most 1)."""
    told = 0
    keep_breach = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        if u[i, 3] < 1.0 - untold[i]:
            told += 1
            knowledge[r] += knowledge_gain * (1.0 - knowledge[r])
            strain[r] *= strain_kept
            mh_identified[r] |= mh_need[r]
            if extremism[r] > line:
                extremism[r] *= attitude_kept
                predisposition[r] *= attitude_kept
        hazard = breach_base * strain_terms[i] * (1.0 - breach_trust * trust[i])
        keep_breach[i] = 1.0 - min(hazard, 1.0)
    return told, keep_breach


@compiled
def breaches(
    rows, u, missed_breach, no_breach, breach_count, category, knowledge, recall_veo, recall,
    discretion,
):  # fmt: skip
    """Breaches by misses or by conduct (``u[:, 4]`` below ``1 - no_breach``), counted in
    place; recalled with ``u[:, 5]`` below the chance (higher for a VEO) less the
    officer's discretion. Returns the rows recalled and how many breached."""
    recalled = np.empty(rows.shape[0], np.int64)
    n = k = 0
    for i in range(rows.shape[0]):
        r = rows[i]
        if missed_breach[i] or u[i, 4] < 1.0 - no_breach[i]:
            breach_count[r] += 1
            n += 1
            chance = recall_veo if category[r] >= _VEO_LESSER else recall
            if u[i, 5] < chance * (1.0 - discretion * knowledge[r]):
                recalled[k] = r
                k += 1
    return recalled[:k], n


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
