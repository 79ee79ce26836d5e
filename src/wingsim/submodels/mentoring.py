"""Mentors and community support: formers, religious mentors, volunteers; vetted, matched."""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled
from wingsim.params import Params, par
from wingsim.state import AT_RISK, FamilyKind, MentorKind, Mentors
from wingsim.submodels.community import HOME, CommunitySubmodel, cases_held, traits


class MentoringParams(Params):
    """Strengths of mentoring (``[mechanisms.mentoring]``)."""

    hidden_agenda_share: float = par(
        0.1,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of would-be mentors with a hidden agenda (before vetting).",
        source=(
            "paper ('Vetting mentors to make sure there are no hidden agendas'); value assumption"
        ),
    )
    vetting_screen: float = par(
        0.9,
        ge=0.0,
        le=1.0,
        unit="share (0-1)",
        doc="Share of hidden agendas that vetting catches (when probation.mentor_vetting).",
    )
    meetings_per_week: float = par(
        1.0, ge=0.0, le=7.0, unit="meetings/week", doc="Mentor meetings after release."
    )
    trust_gain: float = par(
        0.03, ge=0.0, le=1.0, unit="share of gap per meeting", doc="Trust built per meeting."
    )
    match_bonus: float = par(
        0.5,
        ge=0.0,
        le=5.0,
        unit="multiplier",
        doc="A matched mentor builds trust and works this much better (x (1 + bonus)).",
        source="paper ('a good matching process between mentor and offender are key to success')",
    )
    mentor_effect: float = par(
        0.002,
        ge=0.0,
        le=0.5,
        unit="share per meeting",
        doc=(
            "Extremism (and predisposition) a trusted former or religious mentor takes away per "
            "meeting, times trust."
        ),
        source=(
            "paper (formers 'can offer guidance on pathways out of extremism'); value assumption"
        ),
    )
    volunteer_effect: float = par(
        0.3,
        ge=0.0,
        le=1.0,
        unit="share of mentor_effect",
        doc="A community volunteer's effect on attitude relative to a former's.",
    )
    agenda_pull: float = par(
        0.02,
        ge=0.0,
        le=0.5,
        unit="share of gap per meeting",
        doc="Pull of a mentor with a hidden agenda toward extremism per meeting, times trust.",
    )
    mentoring_days: int = par(
        365, ge=0, le=3650, unit="days", doc="Days mentoring lasts after release."
    )
    observant_threshold: float = par(
        0.6,
        ge=0.0,
        le=1.0,
        unit="observance (0-1)",
        doc="Religious observance above which a religious mentor is the match.",
        source="assumption",
    )
    former_margin: float = par(
        0.2,
        ge=0.0,
        le=0.95,
        unit="extremism (0-1)",
        doc=(
            "A person of concern (at risk, VEO or labelled) whose extremism is above "
            "definitions.radical_threshold minus this margin is matched to a former."
        ),
        source="paper (formers for those still engaged); value assumption",
    )


class Mentoring(CommunitySubmodel):
    """Vetted mentors are matched to people of concern, before release or at the gate.

    Paper: "These mentors, who serve as role models and guides within society, can be
    trained volunteers. Some might be 'formers' ... They are familiar with the situation
    in which the person finds him or herself, can offer guidance on pathways out of
    extremism ... Other mentors may come from religious or community organisations and
    may support the offender in any number of ways, including day-to-day help (e.g. in
    completing job applications). Vetting mentors to make sure there are no hidden agendas
    and having a good matching process between mentor and offender are key to success";
    "One way to ensure this continuity is to provide a mentoring or facilitator
    arrangement with offenders pre- and post-release."

    ``probation.mentors`` mentors (formers, religious, volunteers by the shares in
    ``[probation]``) each take ``mentees_per_mentor`` people. Mentoring goes to people of
    concern (VEOs, at-risk, labelled) and to those with neither a home nor a supportive
    family, VEOs first. With ``probation.continuity`` the mentor is assigned when planning
    starts (``resettlement.py``); otherwise at the gate, if a place is free. Matching
    pairs formers with the engaged and religious mentors with the observant. At each
    meeting trust grows and a trusted mentor lowers extremism and predisposition (a
    volunteer less); a mentor with a hidden agenda (missed by vetting) pulls the other
    way. A trusted mentor also helps find work and housing (``barriers.py``) and counts
    as support (``transition.py``).
    """

    name = "mentoring"
    Params = MentoringParams
    paper = (
        "Vetting mentors to make sure there are no hidden agendas and having a good matching "
        "process between mentor and offender are key to success"
    )

    def build(self) -> None:
        m, pr, mp = self.model, self.model.config.probation, self.params
        n = pr.mentors
        u = m.streams.keyed("mentor_pool").uniforms(np.arange(n), k=2)
        kind = np.full(n, MentorKind.VOLUNTEER, dtype=np.int8)
        kind[u[:, 0] < pr.former_share + pr.religious_share] = MentorKind.RELIGIOUS
        kind[u[:, 0] < pr.former_share] = MentorKind.FORMER
        caught = mp.vetting_screen if pr.mentor_vetting else 0.0
        m.mentors = Mentors(
            kind=kind,
            hidden_agenda=u[:, 1] < mp.hidden_agenda_share * (1.0 - caught),
            places=np.full(n, pr.mentees_per_mentor, dtype=np.int64),
        )
        m.add_mentor_views(np.arange(n))

    # -- who, and with whom --------------------------------------------------------------
    def preferred(self, category, extremism, observance, labelled) -> np.ndarray:
        """The kind of mentor that matches each person."""
        mp = self.params
        line = self.model.config.definitions.radical_threshold - mp.former_margin
        return preferred_kinds(
            category, extremism, observance, labelled, mp.observant_threshold, line
        )

    def eligible(self, category, labelled, home, family_kind) -> np.ndarray:
        """People of concern, and those with neither a home nor a supportive family."""
        return eligible_people(category, labelled, home, family_kind)

    def _home_share(self) -> float:
        barriers = self.model.submodels.get("barriers")
        return barriers.params.home_share if barriers is not None else 1.0

    def free_places(self) -> np.ndarray:
        m = self.model
        c, p = m.community, m.prisoners
        return places_left(p.active, p.mentor, c.place, c.mentor, c.size, m.mentors.places)

    def match(self, category, extremism, observance, labelled, uid) -> tuple:
        """Assign mentors to candidates (VEOs first) while places last: (mentor, matched).

        A loop over today's candidates (a handful), never over the population.
        """
        k = category.shape[0]
        mentor = np.full(k, -1, dtype=np.int32)
        if k == 0 or self.model.mentors.n == 0:
            return mentor, np.zeros(k, bool)
        free = self.free_places()
        want = self.preferred(category, extremism, observance, labelled)
        kinds = self.model.mentors.kind
        matching = self.model.config.probation.mentor_matching
        order = np.lexsort((uid, -labelled.astype(np.int64), -category.astype(np.int64)))
        matched = first_free_mentors(order, free, want, kinds, bool(matching), mentor)
        return mentor, matched

    def assign_before_release(self, slots: np.ndarray) -> None:
        """Planning starts for ``slots``: eligible prisoners meet a mentor in prison."""
        p = self.model.prisoners
        u = traits(self.model, p.uid[slots])
        family = self.model.submodels.get("community_ties")
        kind = (
            family.family_kind(u, p.category[slots])
            if family is not None
            else np.zeros(slots.shape[0], np.int8)
        )
        home = u[:, HOME] < self._home_share()
        slots = slots[self.eligible(p.category[slots], p.labelled[slots], home, kind)]
        if slots.shape[0] == 0:
            return
        mentor, _ = self.match(
            p.category[slots],
            p.extremism[slots],
            p.observance[slots],
            p.labelled[slots],
            p.uid[slots],
        )
        p.mentor[slots] = mentor
        p.mentor_trust[slots] = 0.0

    def enter(self, rows: np.ndarray, slots: np.ndarray | None) -> None:
        m, c, mp = self.model, self.model.community, self.params
        rec = c.person
        new = gate_mentors(
            rows, m.day + mp.mentoring_days, rec.mentor, rec.mentor_trust, rec.category,
            rec.labelled, c.home, c.family_kind, c.mentor_end, c.mentor, c.mentor_trust,
        )  # fmt: skip
        if new.shape[0]:
            mentor, _ = self.match(
                rec.category[new],
                rec.extremism[new],
                rec.observance[new],
                rec.labelled[new],
                rec.uid[new],
            )
            c.mentor[new] = mentor
            c.mentor_trust[new] = 0.0
        gate_matches(
            rows, c.mentor, rec.category, rec.extremism, rec.observance, rec.labelled,
            m.mentors.kind, mp.observant_threshold,
            m.config.definitions.radical_threshold - mp.former_margin, c.matched_mentor,
        )  # fmt: skip

    def step_people(self, rows: np.ndarray) -> None:
        m, c, mp = self.model, self.model.community, self.params
        rows, expected = mentored(
            rows, c.mentor, c.mentor_end, c.release_day, m.day,
            m.config.probation.step_days, mp.meetings_per_week,
        )  # fmt: skip
        if rows.shape[0] == 0:
            return
        rows, n, keep_gain, bonus = meetings_held(
            rows, expected, self.draws(rows, 1), c.matched_mentor, mp.match_bonus, mp.trust_gain
        )
        if rows.shape[0] == 0:
            return
        # numpy's powers between the compiled passes (libm's differ in the last bit).
        keep, pulled = mentor_trust(
            rows, keep_gain**n, bonus, c.mentor, c.mentor_trust, m.mentors.kind,
            mp.volunteer_effect, mp.mentor_effect, mp.agenda_pull,
        )  # fmt: skip
        mentor_pull(
            rows, keep**n, pulled**n, c.mentor, m.mentors.hidden_agenda, c.person.extremism,
            c.person.predisposition,
        )  # fmt: skip
        m.day_counts["mentor_meetings"] += int(n.sum())


_AT_RISK, _SUPPORTIVE = int(AT_RISK), int(FamilyKind.SUPPORTIVE)
_FORMER, _RELIGIOUS, _VOLUNTEER = (int(k) for k in MentorKind)


@compiled
def _preferred(category, extremism, observance, labelled, observant_threshold, line):
    """The kind of mentor that matches one person (:meth:`Mentoring.preferred`)."""
    if (category >= _AT_RISK or labelled) and extremism > line:
        return _FORMER
    if observance > observant_threshold:
        return _RELIGIOUS
    return _VOLUNTEER


@compiled
def _eligible(category, labelled, home, family_kind):
    """Whether one person is offered a mentor (:meth:`Mentoring.eligible`)."""
    alone = not home and family_kind != _SUPPORTIVE
    return category >= _AT_RISK or labelled or alone


@compiled
def preferred_kinds(category, extremism, observance, labelled, observant_threshold, line):
    """:meth:`Mentoring.preferred`: a former for the engaged (of concern or labelled, and
    above ``line``), else a religious mentor for the observant, else a volunteer."""
    kind = np.empty(category.shape[0], np.int8)
    for i in range(category.shape[0]):
        kind[i] = _preferred(
            category[i], extremism[i], observance[i], labelled[i], observant_threshold, line
        )
    return kind


@compiled
def eligible_people(category, labelled, home, family_kind):
    """:meth:`Mentoring.eligible`: of concern, labelled, or with neither a home nor a
    supportive family."""
    out = np.empty(category.shape[0], np.bool_)
    for i in range(category.shape[0]):
        out[i] = _eligible(category[i], labelled[i], home[i], family_kind[i])
    return out


@compiled
def gate_mentors(
    rows, end, planned, planned_trust, category, labelled, home, family_kind, mentor_end,
    mentor, mentor_trust,
):  # fmt: skip
    """:meth:`Mentoring.enter` before matching, in place: mentoring runs to ``end``; the
    mentor met in planning (and the trust built) goes out with the person. Returns the
    eligible rows without one, in order."""
    new = np.empty(rows.shape[0], np.int64)
    k = 0
    for r in rows:
        mentor_end[r] = end
        mentor[r] = planned[r]
        mentor_trust[r] = planned_trust[r]
        if mentor[r] < 0 and _eligible(category[r], labelled[r], home[r], family_kind[r]):
            new[k] = r
            k += 1
    return new[:k]


@compiled
def gate_matches(
    rows, mentor, category, extremism, observance, labelled, kinds, observant_threshold,
    line, matched,
):  # fmt: skip
    """Whether each row with a mentor has the kind that matches him, in place."""
    for r in rows:
        if mentor[r] >= 0:
            want = _preferred(
                category[r], extremism[r], observance[r], labelled[r], observant_threshold, line
            )
            matched[r] = kinds[mentor[r]] == want


def places_left(active, mentor, place, case_mentor, n, places):
    """Each mentor's free places: ``places`` less prisoners he meets in planning and
    mentees in the community among the first ``n`` rows."""
    return places - cases_held(
        active, mentor, place, case_mentor, n, places.shape[0], case_mentor, 0, False
    )


@compiled
def first_free_mentors(order, free, want, kinds, matching, mentor):
    """Candidates in ``order`` each take the mentor with the most free places (of the
    kind they ``want`` first, if ``matching``; the first such on a tie) while any place
    is free: ``mentor`` and ``free`` in place; returns who got a mentor of the kind wanted.
    """
    for i in order:
        best, best_score = -1, -np.inf
        for j in range(free.shape[0]):
            if free[j] <= 0:
                continue
            score = np.float64(free[j])
            if matching:
                score = score + 1000.0 * np.float64(kinds[j] == want[i])
            if score > best_score:
                best, best_score = j, score
        if best < 0:
            break
        mentor[i] = best
        free[best] -= 1
    matched = np.empty(mentor.shape[0], np.bool_)
    for i in range(mentor.shape[0]):
        matched[i] = mentor[i] >= 0 and kinds[max(mentor[i], 0)] == want[i]
    return matched


@compiled
def mentored(rows, mentor, mentor_end, release_day, day, step_days, per_week):
    """Mentoring ends for those past its end (``mentor`` in place); returns those still
    mentored and their expected meetings over the step's days."""
    out = np.empty(rows.shape[0], np.int64)
    expected = np.empty(rows.shape[0])
    k = 0
    for r in rows:
        if mentor[r] < 0:
            continue
        if day >= mentor_end[r]:
            mentor[r] = -1
            continue
        e = min(step_days, day - release_day[r] + 1)
        out[k] = r
        expected[k] = e * per_week / 7.0
        k += 1
    return out[:k], expected[:k]


@compiled
def meetings_held(rows, expected, u, matched, match_bonus, trust_gain):
    """Meetings (the expected count rounded with ``u[:, 0]``): the rows with any, how
    many, the share of distrust a meeting keeps and the match bonus."""
    k = rows.shape[0]
    out = np.empty(k, np.int64)
    n = np.empty(k, np.int64)
    keep_gain = np.empty(k)
    bonus = np.empty(k)
    j = 0
    for i in range(k):
        held = np.int64(np.floor(expected[i] + u[i, 0]))
        if held > 0:
            r = rows[i]
            out[j] = r
            n[j] = held
            bonus[j] = 1.0 + match_bonus * np.float64(matched[r])
            keep_gain[j] = 1.0 - min(trust_gain * bonus[j], 1.0)
            j += 1
    return out[:j], n[:j], keep_gain[:j], bonus[:j]


@compiled
def mentor_trust(
    rows, trust_keeps, bonus, mentor, trust, kind, volunteer_effect, mentor_effect,
    agenda_pull,
):  # fmt: skip
    """Trust after the meetings (the numpy power ``trust_keeps``), in place; returns what
    of extremism a meeting keeps (a volunteer takes less) and what a hidden agenda's pull
    leaves of the gap to 0.9."""
    keep = np.empty(rows.shape[0])
    pulled = np.empty(rows.shape[0])
    for i in range(rows.shape[0]):
        r = rows[i]
        t = 1.0 - (1.0 - trust[r]) * trust_keeps[i]
        trust[r] = t
        strength = volunteer_effect if kind[mentor[r]] == _VOLUNTEER else 1.0
        keep[i] = 1.0 - min(mentor_effect * strength * bonus[i] * t, 1.0)
        pulled[i] = 1.0 - min(agenda_pull * t, 1.0)
    return keep, pulled


@compiled
def mentor_pull(rows, keeps, pulls, mentor, hidden_agenda, extremism, predisposition):
    """Extremism and predisposition after the meetings, in place: kept (``keeps``) by a
    mentor, pulled toward 0.9 (``pulls`` of the gap left) by one with a hidden agenda."""
    for i in range(rows.shape[0]):
        r = rows[i]
        if hidden_agenda[mentor[r]]:
            extremism[r] = 0.9 - (0.9 - extremism[r]) * pulls[i]
            predisposition[r] = 0.9 - (0.9 - predisposition[r]) * pulls[i]
        else:
            extremism[r] = extremism[r] * keeps[i]
            predisposition[r] = predisposition[r] * keeps[i]
