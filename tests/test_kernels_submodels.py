"""The compiled kernels of the state helpers and submodels give the numpy bits.

Each reference below is the numpy code a kernel took over (kept here, not in the
package), run on the same random inputs as the kernel's caller; equality is exact.
"""

from __future__ import annotations

import numpy as np
import pytest

from wingsim.scenario import default_scenario
from wingsim.state import (
    _EXTREMISM_BETA,
    _OPPOSITION_MEAN,
    _UNCERTAINTY_RANGE,
    AT_RISK,
    MAINSTREAM,
    VEO_LESSER,
    VEO_VIOLENT,
    Prisoners,
)


def _fields_equal(x: Prisoners, y: Prisoners) -> None:
    for name in Prisoners.__dataclass_fields__:
        a, b = getattr(x, name), getattr(y, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b), name


def _numpy_fill(self, slots, rng, scenario, uids, today, served_fraction=False):
    """``Prisoners.fill`` as it was in numpy."""
    k = slots.shape[0]
    pop = scenario.population
    u = rng.random((k, 12))
    shares = np.array([pop.veo_violent_share, pop.veo_lesser_share, pop.at_risk_share])
    edges = np.cumsum(shares)
    cat = np.full(k, MAINSTREAM, dtype=np.int8)
    cat[u[:, 0] < edges[2]] = AT_RISK
    cat[u[:, 0] < edges[1]] = VEO_LESSER
    cat[u[:, 0] < edges[0]] = VEO_VIOLENT
    z = rng.standard_normal((k, 2))
    a = np.array([_EXTREMISM_BETA[c][0] for c in range(4)])[cat]
    b = np.array([_EXTREMISM_BETA[c][1] for c in range(4)])[cat]
    ext = rng.beta(a, b)
    lo = np.array([_UNCERTAINTY_RANGE[c][0] for c in range(4)])[cat]
    hi = np.array([_UNCERTAINTY_RANGE[c][1] for c in range(4)])[cat]
    unc = lo + (hi - lo) * u[:, 1]
    veo = cat >= VEO_LESSER
    median = np.where(veo, pop.sentence_days_veo, pop.sentence_days_other)
    sentence = np.maximum(14, np.round(median * np.exp(pop.sentence_spread * z[:, 0])))
    charismatic = u[:, 2] < pop.leader_share
    extremist_leader = charismatic & (cat != MAINSTREAM) & (u[:, 3] < pop.extremist_leader_share)
    ext = np.where(extremist_leader, np.maximum(ext, 0.8), ext)
    ext = np.where(charismatic & ~extremist_leader, np.minimum(ext, 0.1), ext)
    unc = np.where(charismatic, 0.08, unc)
    gang = (cat == MAINSTREAM) & (u[:, 4] < pop.gang_share)
    imported = np.clip(
        0.15 + 0.25 * u[:, 5] + 0.25 * gang + 0.15 * (cat == VEO_VIOLENT) + 0.4 * charismatic,
        0.0,
        1.0,
    )
    vm = pop.vulnerability_mean
    vul = (
        np.clip(rng.beta(2.0 * vm / max(1e-9, 1 - vm) + 1e-6, 2.0, size=k), 0, 1)
        if 0 < vm < 1
        else np.full(k, vm)
    )
    opp_mean = np.array([_OPPOSITION_MEAN[c] for c in range(4)])[cat]
    s = slots
    self.active[s] = True
    self.uid[s] = uids
    self.category[s] = cat
    self.gang[s] = gang
    self.charisma[s] = np.where(charismatic, 0.7 + 0.3 * u[:, 6], 0.0)
    self.extremism[s] = ext
    self.predisposition[s] = ext
    self.uncertainty[s] = unc
    self.base_uncertainty[s] = unc
    self.trust_in_staff[s] = np.clip(0.5 - 0.25 * ext + 0.2 * (u[:, 7] - 0.5), 0, 1)
    self.trust_in_chaplain[s] = 0.3
    self.legitimacy[s] = np.clip(0.6 - 0.2 * ext + 0.2 * (u[:, 8] - 0.5), 0, 1)
    self.wellbeing[s] = 0.6
    self.grievance[s] = 0.0
    self.opposition[s] = np.clip(opp_mean + 0.15 * z[:, 1], 0, 1)
    self.imported_status[s] = imported
    self.status[s] = imported
    self.leader[s] = False
    self.vulnerability[s] = vul
    self.observance[s] = u[:, 9]
    self.unit[s] = -1
    self.labelled[s] = False
    self.label_days[s] = 0
    self.assessed_risk[s] = 0.0
    self.low_assessments[s] = 0
    self.clear_assessments[s] = 0
    self.knowledge[s] = 0.0
    self.reports[s] = 0.0
    self.sentence[s] = sentence.astype(np.int64)
    served = np.floor(u[:, 10] * sentence).astype(np.int64) if served_fraction else 0
    self.served[s] = served
    self.radical[s] = ext > scenario.definitions.radical_threshold
    self.radicalised[s] = self.radical[s]
    self.days_on_special_unit[s] = 0
    self.readmitted[s] = False
    self.reset_resettlement(s)
    interval = scenario.assessment.interval_days
    self.next_assessment[s] = today + np.floor(u[:, 11] * interval).astype(np.int64)


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"population.vulnerability_mean": 0.0, "population.leader_share": 0.3},
        {"population.vulnerability_mean": 1.0, "population.sentence_spread": 2.0},
        {"population.veo_violent_share": 0.3, "population.extremist_leader_share": 1.0},
    ],
)
def test_fill_matches_numpy(overrides):
    sc = default_scenario().with_overrides(overrides)
    seed = np.random.default_rng(7)
    for _ in range(30):
        n = int(seed.integers(1, 200))
        k = int(seed.integers(1, n + 1))
        slots = seed.choice(n, k, replace=False)
        uids = seed.integers(0, 10**6, k)
        today, served_fraction = int(seed.integers(0, 900)), bool(seed.random() < 0.5)
        x, y = Prisoners.empty(n), Prisoners.empty(n)
        s = int(seed.integers(0, 2**32))
        x.fill(slots, np.random.default_rng(s), sc, uids, today, served_fraction)
        _numpy_fill(y, slots, np.random.default_rng(s), sc, uids, today, served_fraction)
        _fields_equal(x, y)


def _random_prisoners(seed, n, n_units=5):
    """``n`` slots, most active, with random attitudes, units, labels and risks."""
    p = Prisoners.empty(n)
    p.fill(np.arange(n), seed, default_scenario(), np.arange(n), 0)
    p.active[:] = seed.random(n) < 0.9
    p.unit[:] = seed.integers(0, n_units, n)
    p.labelled[:] = seed.random(n) < 0.3
    p.leader[:] = seed.random(n) < 0.2
    p.assessed_risk[:] = seed.random(n)
    p.knowledge[:] = seed.random(n)
    p.reports[:] = seed.random(n) * 6
    p.low_assessments[:] = seed.integers(0, 4, n)
    p.clear_assessments[:] = seed.integers(0, 4, n)
    p.extremism[:] = seed.random(n)
    return p


def _numpy_sessions(p, u, special, n_units, mp, group, radical_threshold):
    """The numpy body of ``Interventions.step`` after its draw (``u``); returns ``k``."""
    eligible = p.active & (p.is_veo | p.labelled)
    need = (
        p.assessed_risk / max(float(p.assessed_risk[eligible].mean()), 1e-9)
        if (eligible.any())
        else np.ones(p.n)
    )
    weight = (1.0 - mp["need_targeting"]) + mp["need_targeting"] * need
    reach = np.where(p.unit == special, mp["unit_programme_reach"], 1.0)
    attend = eligible & (u < mp["intervention_rate"] * weight * reach)
    k = int(attend.sum())
    if k == 0:
        return 0
    effect = mp["intervention_effect"] * p.trust_in_staff[attend]
    if group:
        unit = np.where(p.active, p.unit, 0)
        radical_leader = p.active & p.leader & (p.charisma > 0) & (p.extremism > radical_threshold)
        disrupted = np.bincount(unit[radical_leader], minlength=n_units) > 0
        effect = (
            effect
            * mp["group_honesty"]
            * (1.0 - mp["group_leader_disruption"] * disrupted[p.unit[attend]])
        )
    p.extremism[attend] *= 1.0 - effect
    p.predisposition[attend] *= 1.0 - effect
    p.trust_in_staff[attend] += mp["mentoring_trust"] * (1.0 - p.trust_in_staff[attend])
    return k


@pytest.mark.parametrize("group", [False, True])
def test_sessions_match_numpy(group):
    from wingsim.submodels.interventions import eligible_risks, sessions

    seed = np.random.default_rng(11)
    for _ in range(40):
        n, n_units = int(seed.integers(1, 300)), int(seed.integers(1, 6))
        p = _random_prisoners(seed, n, n_units)
        if seed.random() < 0.2:
            p.labelled[:] = False
            p.category[:] = 0
        mp = {
            "need_targeting": float(seed.random()),
            "unit_programme_reach": float(seed.random() * 5),
            "intervention_rate": float(seed.random()),
            "intervention_effect": float(seed.random() * 0.5),
            "mentoring_trust": float(seed.random() * 0.5),
            "group_honesty": float(seed.random()),
            "group_leader_disruption": float(seed.random()),
        }
        special, threshold = int(seed.integers(-1, n_units)), float(seed.random())
        u = seed.random(n)
        q = _random_prisoners(np.random.default_rng(0), n, n_units)
        q.copy_rows(np.arange(n), p, np.arange(n))
        want = _numpy_sessions(q, u, special, n_units, mp, group, threshold)
        risks = eligible_risks(p.active, p.category, p.labelled, p.assessed_risk)
        mean_risk = max(float(risks.mean()), 1e-9) if risks.shape[0] else 0.0
        got = sessions(
            u, p.active, p.category, p.labelled, p.assessed_risk, p.unit, p.leader, p.charisma,
            p.extremism, p.predisposition, p.trust_in_staff, mean_risk, mp["need_targeting"],
            mp["unit_programme_reach"], special, mp["intervention_rate"],
            mp["intervention_effect"], mp["mentoring_trust"], group, mp["group_honesty"],
            mp["group_leader_disruption"], threshold, n_units,
        )  # fmt: skip
        assert got == want
        _fields_equal(p, q)


def _numpy_assess(p, slots, z, noise, gain, cap, max_reports, exit_threshold, label):
    """The numpy body of ``Assessment.assess`` after its draw ``z``, labels included."""
    sd = noise * (1.0 - gain * p.knowledge[slots])
    bias = cap * (1.0 - np.exp(-p.reports[slots] / max(max_reports, 1e-12)))
    risk = np.clip(p.extremism[slots] + bias + sd * z, 0.0, 1.0)
    p.assessed_risk[slots] = risk
    p.low_assessments[slots] = np.where(risk < exit_threshold, p.low_assessments[slots] + 1, 0)
    threshold, special_unit, removal_assessments = label
    on_unit = p.unit[slots] == special_unit
    high = (risk > threshold) | on_unit
    p.clear_assessments[slots] = np.where(high, 0, p.clear_assessments[slots] + 1)
    keep = p.labelled[slots] & (p.clear_assessments[slots] < removal_assessments)
    p.labelled[slots] = high | keep


def test_assessment_and_labels_match_numpy():
    from wingsim.submodels.assessment import assessed_risks
    from wingsim.submodels.labelling import access_of, label_assessed, programme_access

    seed = np.random.default_rng(5)
    for _ in range(60):
        n, n_units = int(seed.integers(1, 300)), int(seed.integers(1, 6))
        p = _random_prisoners(seed, n, n_units)
        q = _random_prisoners(np.random.default_rng(0), n, n_units)
        q.copy_rows(np.arange(n), p, np.arange(n))
        slots = seed.choice(n, int(seed.integers(0, n + 1)), replace=False)
        z = seed.standard_normal(slots.shape[0])
        noise, gain, cap = seed.random() * 0.5, seed.random(), seed.random() * 0.4
        max_reports, exit_threshold = float(seed.choice([1e-3, 4.0, 50.0])), seed.random()
        label = (seed.random(), int(seed.integers(-1, n_units)), int(seed.integers(1, 4)))
        _numpy_assess(q, slots, z, noise, gain, cap, max_reports, exit_threshold, label)
        fresh = np.exp(-p.reports[slots] / max(max_reports, 1e-12))
        risk = assessed_risks(
            slots, z, fresh, p.knowledge, p.extremism, p.assessed_risk, p.low_assessments,
            noise, gain, cap, exit_threshold,
        )  # fmt: skip
        label_assessed(p, slots, risk, *label)
        _fields_equal(p, q)
        access, exclusion = seed.random(n_units), seed.random()
        p.unit[seed.random(n) < 0.1] = -1
        want = access[np.maximum(p.unit, 0)] * (1.0 - exclusion * p.labelled)
        assert np.array_equal(programme_access(p, access, exclusion), want)
        assert np.array_equal(access_of(p.unit, p.labelled, access, exclusion), want)


def test_chaplain_visit_counts_match_numpy():
    from wingsim.submodels.chaplaincy import visit_counts

    seed = np.random.default_rng(3)
    for _ in range(100):
        n = int(seed.integers(1, 400))
        act = np.flatnonzero(seed.random(n) < 0.9)
        if act.shape[0] == 0:
            continue
        wellbeing, targeting = seed.random(n), float(seed.choice([0.0, seed.random() * 3]))
        u = seed.random(int(seed.integers(0, 30)))
        need = 1.0 + targeting * (1.0 - wellbeing[act])
        cum = np.cumsum(need)
        visited = act[np.searchsorted(cum, u * cum[-1], side="right")]
        want = np.bincount(visited, minlength=n).astype(float)
        assert np.array_equal(visit_counts(act, wellbeing, targeting, u, n), want)


def test_roster_matches_numpy():
    from wingsim.state import Roster

    seed = np.random.default_rng(9)
    for _ in range(100):
        n, n_units = int(seed.integers(0, 300)), int(seed.integers(1, 8))
        p = Prisoners.empty(n)
        p.active[:] = seed.random(n) < 0.8
        p.unit[:] = seed.integers(0, n_units, n)
        slots = np.flatnonzero(p.active)
        unit = p.unit[slots]
        counts = np.bincount(unit, minlength=n_units)
        starts = np.zeros(n_units, dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        by_unit = slots[np.argsort(unit, kind="stable")]
        r = Roster.build(p, n_units)
        for got, want in zip(
            (r.slots, r.unit, r.by_unit, r.counts, r.starts),
            (slots, unit, by_unit, counts, starts),
            strict=True,
        ):
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_unit_counts_match_numpy():
    from wingsim.submodels.placement import unit_counts

    seed = np.random.default_rng(13)
    for _ in range(100):
        n, n_units = int(seed.integers(0, 300)), int(seed.integers(1, 8))
        active = seed.random(n) < 0.8
        unit = seed.integers(-1, n_units, n).astype(np.int32)
        category = seed.integers(0, 4, n).astype(np.int8)
        occ = np.bincount(unit[active & (unit >= 0)], minlength=n_units)
        concern = np.bincount(unit[active & (unit >= 0) & (category >= AT_RISK)], minlength=n_units)
        got = unit_counts(active, unit, category, n_units)
        assert np.array_equal(got[0], occ) and np.array_equal(got[1], concern)
        assert got[0].dtype == occ.dtype and got[1].dtype == concern.dtype


def test_family_kinds_match_numpy():
    from wingsim.state import FamilyKind
    from wingsim.submodels.community import FAMILY
    from wingsim.submodels.community_ties import family_kinds

    seed = np.random.default_rng(17)
    for _ in range(100):
        k = int(seed.integers(0, 200))
        u = seed.random((k, 8))
        category = seed.integers(0, 4, k).astype(np.int8)
        concern, other, supportive = seed.random(3) * 0.6
        negative = np.where(category >= AT_RISK, concern, other)
        x = u[:, FAMILY]
        want = np.full(x.shape[0], FamilyKind.NONE, dtype=np.int8)
        want[x < negative + supportive] = FamilyKind.SUPPORTIVE
        want[x < negative] = FamilyKind.NEGATIVE
        got = family_kinds(u, category, concern, other, supportive)
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_background_groups_and_caseloads_match_numpy():
    from wingsim.state import Place
    from wingsim.submodels.supervision import BACKGROUNDS, background_groups, caseload_counts

    seed = np.random.default_rng(19)
    for _ in range(100):
        u, major = seed.random(int(seed.integers(0, 100))), float(seed.choice([0.0, 1.0, 0.7]))
        minor = np.minimum((u - major) / max(1e-9, 1.0 - major) * (BACKGROUNDS - 1), 1.999)
        want = np.where(u < major, 0, 1 + np.floor(minor)).astype(np.int8)
        got = background_groups(u, major, max(1e-9, 1.0 - major))
        assert got.dtype == want.dtype and np.array_equal(got, want)

        n_prisoners, rows, n, k = (int(x) for x in seed.integers(1, 200, 4))
        n = min(n, rows)
        active = seed.random(n_prisoners) < 0.8
        officer = seed.integers(-1, k, n_prisoners).astype(np.int32)
        place = seed.integers(0, 3, rows).astype(np.int8)
        case_officer = seed.integers(-1, k, rows).astype(np.int32)
        licence_end, day = seed.integers(0, 100, rows), int(seed.integers(0, 100))
        held = np.bincount(officer[active & (officer >= 0)], minlength=k)
        on = (place[:n] == Place.COMMUNITY) & (case_officer[:n] >= 0) & (day < licence_end[:n])
        held += np.bincount(case_officer[:n][on], minlength=k)
        got = caseload_counts(active, officer, place, case_officer, licence_end, n, day, k)
        assert got.dtype == held.dtype and np.array_equal(got, held)


def _numpy_first_free(order, free, want, kinds, matching, mentor):
    """The numpy loop of ``Mentoring.match``."""
    for i in order.tolist():
        if not (free > 0).any():
            break
        score = free.astype(float)
        if matching:
            score = score + 1000.0 * (kinds == want[i])
        score[free <= 0] = -np.inf
        j = int(np.argmax(score))
        mentor[i] = j
        free[j] -= 1
    return (mentor >= 0) & (kinds[np.maximum(mentor, 0)] == want)


def test_mentoring_kernels_match_numpy():
    from wingsim.state import FamilyKind, MentorKind, Place
    from wingsim.submodels.mentoring import (
        eligible_people,
        first_free_mentors,
        places_left,
        preferred_kinds,
    )

    seed = np.random.default_rng(23)
    for _ in range(100):
        k = int(seed.integers(0, 60))
        category = seed.integers(0, 4, k).astype(np.int8)
        extremism, observance = seed.random(k), seed.random(k)
        labelled, home = seed.random(k) < 0.3, seed.random(k) < 0.5
        family_kind = seed.integers(0, 3, k).astype(np.int8)
        threshold, line = seed.random(2)
        want = np.full(k, MentorKind.VOLUNTEER, dtype=np.int8)
        want[observance > threshold] = MentorKind.RELIGIOUS
        want[((category >= AT_RISK) | labelled) & (extremism > line)] = MentorKind.FORMER
        got = preferred_kinds(category, extremism, observance, labelled, threshold, line)
        assert got.dtype == want.dtype and np.array_equal(got, want)
        alone = ~home & (family_kind != FamilyKind.SUPPORTIVE)
        assert np.array_equal(
            eligible_people(category, labelled, home, family_kind),
            (category >= AT_RISK) | labelled | alone,
        )

        n_mentors, n_prisoners, rows = (int(x) for x in seed.integers(1, 30, 3))
        n = int(seed.integers(0, rows + 1))
        places = seed.integers(0, 4, n_mentors)
        active = seed.random(n_prisoners) < 0.8
        p_mentor = seed.integers(-1, n_mentors, n_prisoners).astype(np.int32)
        place = seed.integers(0, 3, rows).astype(np.int8)
        c_mentor = seed.integers(-1, n_mentors, rows).astype(np.int32)
        held = np.bincount(p_mentor[active & (p_mentor >= 0)], minlength=n_mentors)
        out = (place[:n] == Place.COMMUNITY) & (c_mentor[:n] >= 0)
        held += np.bincount(c_mentor[:n][out], minlength=n_mentors)
        free = places_left(active, p_mentor, place, c_mentor, n, places)
        assert free.dtype == (places - held).dtype and np.array_equal(free, places - held)

        kinds = seed.integers(0, 3, n_mentors).astype(np.int8)
        order = seed.permutation(k)
        for matching in (False, True):
            a, b = np.full(k, -1, np.int32), np.full(k, -1, np.int32)
            matched = first_free_mentors(order, free.copy(), want, kinds, matching, a)
            expected = _numpy_first_free(order, free.copy(), want, kinds, matching, b)
            assert np.array_equal(a, b) and np.array_equal(matched, expected)


def test_gate_kernels_match_numpy():
    from wingsim.state import FamilyKind
    from wingsim.submodels.barriers import gate_barriers
    from wingsim.submodels.community import HOME
    from wingsim.submodels.community_ties import family_supports
    from wingsim.submodels.transition import strain_target, support_in_place

    seed = np.random.default_rng(29)
    for _ in range(100):
        size = int(seed.integers(1, 100))
        rows = seed.choice(size, int(seed.integers(0, size + 1)), replace=False)
        k = rows.shape[0]
        category = seed.integers(0, 4, size).astype(np.int8)
        labelled, skills, readiness = seed.random(size) < 0.3, seed.random(size), seed.random(size)
        trait, u = seed.random((k, 8)), seed.random((k, 2))
        sp = seed.random(9) * 1.5
        stigma_want = np.minimum(
            sp[0] * (1.0 + sp[1] * (category[rows] >= VEO_LESSER) + sp[2] * labelled[rows]), 1.0
        )
        home_want = trait[:, HOME] < sp[3]
        ready = readiness[rows] * sp[4]
        housed_want = home_want | (u[:, 0] < sp[5] * ready * (1.0 - sp[6] * stigma_want))
        employed_want = u[:, 1] < (sp[7] * ready * skills[rows] * (1.0 - sp[8] * stigma_want))
        stigma, home = np.zeros(size), np.zeros(size, bool)
        housed, employed = np.zeros(size, bool), np.zeros(size, bool)
        gate_barriers(
            rows, category, labelled, skills, readiness, trait, u, *sp,
            stigma, home, housed, employed,
        )  # fmt: skip
        assert np.array_equal(stigma[rows], stigma_want) and np.array_equal(home[rows], home_want)
        assert np.array_equal(housed[rows], housed_want)
        assert np.array_equal(employed[rows], employed_want)

        kind = seed.integers(0, 3, size).astype(np.int8)
        bond, involved, g = seed.random(size), seed.random(size) < 0.5, seed.random()
        share = 1.0 - g + g * involved[rows]
        family = np.where(kind[rows] == FamilyKind.SUPPORTIVE, bond[rows] * share, 0.0)
        assert np.array_equal(family_supports(rows, kind, bond, involved, g), family)

        mentor, officer = (seed.integers(-1, 3, size).astype(np.int32) for _ in range(2))
        mentor_trust, officer_trust = seed.random(size), seed.random(size)
        licence_end, day, ms, os_ = seed.integers(0, 50, size), 25, seed.random(), seed.random()
        m_ = np.where(mentor[rows] >= 0, ms * mentor_trust[rows], 0.0)
        supervised = (officer[rows] >= 0) & (day < licence_end[rows])
        o_ = np.where(supervised, os_ * officer_trust[rows], 0.0)
        support = 1.0 - (1.0 - family) * (1.0 - m_) * (1.0 - o_)
        got = support_in_place(
            rows, family, mentor, mentor_trust, officer, officer_trust, licence_end, day, ms, os_
        )
        assert np.array_equal(got, support)

        load, w = seed.random(k), seed.random(4)
        target = np.clip(
            w[0] * ~housed[rows] + w[1] * ~employed[rows] + w[2] * load + w[3] * (1.0 - support),
            0.0,
            1.0,
        )
        got = strain_target(rows, housed, employed, load, support, *w)
        assert np.array_equal(got, target)


def test_plan_day_matches_numpy():
    from wingsim.submodels.resettlement import plan_day

    seed = np.random.default_rng(31)
    for _ in range(100):
        n = int(seed.integers(0, 200))
        active = seed.random(n) < 0.8
        sentence, served = seed.integers(14, 400, n), seed.integers(0, 400, n)
        lead, plan_days = int(seed.integers(0, 200)), seed.integers(0, 3, n)
        want_days = plan_days.copy()
        planning = active & (sentence - served <= lead)
        want_days[planning] += 1
        starting = np.flatnonzero(planning & (want_days == 1))
        got_planning, got_starting = plan_day(active, sentence, served, lead, plan_days)
        assert np.array_equal(got_planning, planning) and np.array_equal(plan_days, want_days)
        assert got_starting.dtype == starting.dtype and np.array_equal(got_starting, starting)


def test_daily_counts_match_numpy():
    from wingsim.submodels.labelling import count_days
    from wingsim.submodels.release import serve_day

    seed = np.random.default_rng(37)
    for _ in range(60):
        n, n_units = int(seed.integers(1, 200)), int(seed.integers(1, 6))
        p = _random_prisoners(seed, n, n_units)
        p.label_days[:] = seed.integers(0, 50, n)
        p.days_on_special_unit[:] = seed.integers(0, 50, n)
        p.served[:] = seed.integers(0, 1500, n)
        q = _random_prisoners(np.random.default_rng(0), n, n_units)
        q.copy_rows(np.arange(n), p, np.arange(n))
        special = int(seed.integers(-1, n_units))
        count_days(p, special)
        q.label_days[q.labelled & q.active] += 1
        q.days_on_special_unit[(q.unit == special) & q.active] += 1
        got = serve_day(p.active, p.served, p.sentence)
        q.served[q.active] += 1
        _fields_equal(p, q)
        done = np.flatnonzero(q.active & (q.served >= q.sentence))
        assert got.dtype == done.dtype and np.array_equal(got, done)


def test_family_involvement_and_carried_ties_match_numpy():
    from wingsim.state import FamilyKind
    from wingsim.submodels.community_ties import involve_family

    seed = np.random.default_rng(41)
    for _ in range(100):
        size = int(seed.integers(1, 100))
        rows = seed.choice(size, int(seed.integers(0, size + 1)), replace=False)
        kind = seed.integers(0, 3, rows.shape[0]).astype(np.int8)
        u, readiness, quality = (
            seed.random((rows.shape[0], 2)),
            seed.random(size),
            seed.random(size),
        )
        involvement = seed.random()
        offered = u[:, 0] < involvement * readiness[rows]
        spotted = u[:, 1] < quality[rows]
        want = offered & (
            (kind == FamilyKind.SUPPORTIVE) | ((kind == FamilyKind.NEGATIVE) & ~spotted)
        )
        family_kind, involved = np.zeros(size, np.int8), np.zeros(size, bool)
        involve_family(rows, kind, u, readiness, quality, involvement, family_kind, involved)
        assert np.array_equal(family_kind[rows], kind) and np.array_equal(involved[rows], want)


def test_rows_of_matches_numpy():
    from wingsim.state import Community

    seed = np.random.default_rng(43)
    c = Community.empty(10)
    for _ in range(50):
        c.row_of_uid = seed.integers(-1, 100, int(seed.integers(0, 80)))
        uid = seed.integers(0, 120, int(seed.integers(0, 60)))
        want = np.full(uid.shape[0], -1, dtype=np.int64)
        inside = uid < c.row_of_uid.shape[0]
        want[inside] = c.row_of_uid[uid[inside]]
        got = c.rows_of(uid)
        assert got.dtype == want.dtype and np.array_equal(got, want)


def _numpy_admit(c, prisoners, slots, today):
    """``Community.admit`` as it was in numpy."""
    k = slots.shape[0]
    rows = np.arange(c.size, c.size + k)
    c._grow(c.size + k)
    c.size += k
    c.person.copy_rows(rows, prisoners, slots)
    c.extremism_at_release[rows] = prisoners.extremism[slots]
    uid = prisoners.uid[slots]
    if uid.max() >= c.row_of_uid.shape[0]:
        grown = np.full(max(int(uid.max()) + 1, 2 * c.row_of_uid.shape[0]), -1, np.int64)
        grown[: c.row_of_uid.shape[0]] = c.row_of_uid
        c.row_of_uid = grown
    before = c.row_of_uid[uid]
    c.episode[rows] = np.where(before >= 0, c.episode[np.maximum(before, 0)] + 1, 1)
    c.row_of_uid[uid] = rows
    c.place[rows] = 0
    c.release_day[rows] = today
    c.licence_end[rows] = today
    c.mentor_end[rows] = today
    c.housed[rows] = True
    c.employed[rows] = True
    return rows


def test_admit_and_assessment_due_match_numpy():
    from wingsim.state import Community
    from wingsim.submodels.assessment import stale_reports_and_due

    seed = np.random.default_rng(47)
    x, y = Community.empty(30), Community.empty(30)
    for day in range(60):
        n = int(seed.integers(5, 120))
        p = _random_prisoners(seed, n)
        p.uid[:] = seed.permutation(300)[:n]  # uids come back: later episodes
        slots = seed.choice(n, int(seed.integers(1, n + 1)), replace=False)
        assert np.array_equal(x.admit(p, slots, day), _numpy_admit(y, p, slots, day))
        assert x.size == y.size and np.array_equal(x.row_of_uid, y.row_of_uid)
        for name in x._row_fields():
            assert np.array_equal(getattr(x, name), getattr(y, name)), name
        _fields_equal(x.person, y.person)

        keep, today = seed.random(), int(seed.integers(0, 100))
        reports, nxt = seed.random(n) * 5, seed.integers(0, 100, n)
        want_reports = reports * keep
        due = np.flatnonzero(p.active & (nxt <= today))
        got = stale_reports_and_due(reports, keep, p.active, nxt, today)
        assert np.array_equal(reports, want_reports) and np.array_equal(got, due)
        assert got.dtype == due.dtype


def test_gate_reoffending_matches_numpy():
    from wingsim.submodels.reoffending import gate_reoffending

    seed = np.random.default_rng(53)
    for _ in range(100):
        size = int(seed.integers(1, 100))
        rows = seed.choice(size, int(seed.integers(0, size + 1)), replace=False)
        history = -np.log1p(-seed.random(rows.shape[0]))
        extremism, gang = seed.random(size), seed.random(size) < 0.3
        category = seed.integers(0, 4, size).astype(np.int8)
        line, veo_factor, gang_factor = seed.random(), seed.random() * 2, seed.random() * 2
        factor = np.where(category[rows] >= VEO_LESSER, veo_factor, 1.0)
        want = history * factor * np.where(gang[rows], gang_factor, 1.0)
        disengaged, propensity = np.zeros(size, bool), np.zeros(size)
        gate_reoffending(
            rows, history, extremism, category, gang, line, veo_factor, gang_factor,
            disengaged, propensity,
        )  # fmt: skip
        assert np.array_equal(propensity[rows], want)
        assert np.array_equal(disengaged[rows], extremism[rows] < line)


def test_supervision_gate_matches_numpy():
    from wingsim.submodels.supervision import gate_cases, licence_ends

    seed = np.random.default_rng(59)
    for _ in range(100):
        size, n_officers = int(seed.integers(1, 80)), int(seed.integers(1, 10))
        rows = seed.choice(size, int(seed.integers(0, size + 1)), replace=False)
        k = rows.shape[0]
        served, day, min_days = seed.integers(0, 900, size), int(seed.integers(0, 400)), 180
        licence_end = np.zeros(size, np.int64)
        licence_ends(rows, served, day, min_days, licence_end)
        assert np.array_equal(licence_end[rows], day + np.maximum(min_days, served[rows]))

        planned = seed.integers(-1, n_officers, size).astype(np.int32)
        planned_trust, trust_in_staff = seed.random(size), seed.random(size)
        bg = seed.integers(0, 3, k).astype(np.int8)
        officer = np.where(planned[rows] >= 0, planned[rows], seed.integers(0, n_officers, k))
        officer = officer.astype(np.int32)
        officer_background = seed.integers(0, 3, n_officers).astype(np.int8)
        quality, carry, handover = seed.random(size), seed.random(), seed.random()
        out = (
            np.zeros(size, np.int8), np.zeros(size, np.int32), np.zeros(size),
            np.zeros(size, bool), np.zeros(size), np.ones(size),
        )  # fmt: skip
        gate_cases(
            rows, bg, officer, planned, planned_trust, trust_in_staff, carry,
            officer_background, quality, handover, *out,
        )  # fmt: skip
        trust = np.where(planned[rows] >= 0, planned_trust[rows], carry * trust_in_staff[rows])
        want = (
            bg, officer, trust, officer_background[officer] == bg, handover * quality[rows],
            np.zeros(k),
        )  # fmt: skip
        for got, expected in zip(out, want, strict=True):
            assert np.array_equal(got[rows], expected)
