"""The community submodels' fused compiled passes against the numpy they replaced.

Each test keeps the numpy of the step as it was before its fusion and checks the kernels
give the same bits on random inputs (the exponentials stay numpy's, outside the kernels).
"""

from __future__ import annotations

import numpy as np
import pytest

from wingsim.submodels.barriers import barrier_moves, barrier_stays
from wingsim.submodels.community_ties import leaving_ties, tie_moves, tie_pulls
from wingsim.submodels.mental_health import need_loads
from wingsim.submodels.mentoring import (
    eligible_people,
    gate_matches,
    gate_mentors,
    meetings_held,
    mentor_pull,
    mentor_trust,
    mentored,
    preferred_kinds,
)
from wingsim.submodels.reoffending import (
    at_risk_sums,
    close_cohorts,
    daily_hazards,
    days_at_risk,
    reoffences,
)
from wingsim.submodels.resettlement import resettle_week, skill_stays
from wingsim.submodels.supervision import breaches, contact_day, disclosures, trust_day
from wingsim.submodels.transition import gate_strain, strain_moves, strain_stays


def _ledger(rng, n=200):
    return {
        "strain": rng.random(n),
        "support": rng.random(n),
        "propensity": rng.exponential(1.0, n),
        "extremism": rng.random(n),
        "officer": rng.integers(-1, 5, n).astype(np.int32),
        "licence_end": rng.integers(0, 60, n),
        "knowledge": rng.random(n),
        "release_day": rng.integers(0, 60, n),
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reoffending_step_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    n, horizon, day, step_days = 200, 40, 55, 7
    c = _ledger(rng, n)
    rows = np.sort(rng.choice(n, 120, replace=False))
    # Days at risk (the numpy of step_people).
    out = day - c["release_day"][rows]
    exposure = np.minimum(step_days, out + 1)
    e = np.clip(horizon - (out + 1 - exposure), 0, exposure)
    live = e > 0
    got = days_at_risk(rows, c["release_day"], day, step_days, horizon)
    np.testing.assert_array_equal(got[0], rows[live])
    np.testing.assert_array_equal(got[1], np.minimum(out[live], horizon - 1))
    np.testing.assert_array_equal(got[2], e[live])
    np.testing.assert_array_equal(got[3], rows[out >= horizon - 1])
    rows, out, e = got[0], got[1], got[2]

    # Hazards.
    gb, gs, gsup, tb, ts, sd, line = 0.001, 1.5, 0.4, 0.0002, 1.0, 0.5, 0.6
    strain, support = c["strain"][rows], c["support"][rows]
    general = gb * c["propensity"][rows] * np.exp(gs * strain) * (1.0 - gsup * support)
    engaged = np.clip((c["extremism"][rows] - line) / (1.0 - line), 0.0, 1.0)
    supervised = (c["officer"][rows] >= 0) & (day < c["licence_end"][rows])
    known = np.where(supervised, c["knowledge"][rows], 0.0)
    terrorist = tb * engaged * np.exp(ts * strain) * (1.0 - sd * known)
    general, terrorist = np.minimum(general, 1.0), np.minimum(terrorist, 1.0)
    g, t = daily_hazards(
        rows, np.exp(gs * strain), np.exp(ts * strain), c["propensity"], c["support"],
        c["extremism"], c["officer"], c["licence_end"], c["knowledge"], day, line, gb, gsup,
        tb, sd,
    )  # fmt: skip
    np.testing.assert_array_equal(g, general)
    np.testing.assert_array_equal(t, terrorist)
    general, terrorist = 50 * general, 500 * terrorist  # some events in a small sample

    # Sums before the draws.
    exp_g, exp_t = rng.random(n), rng.random(n)
    by_day = [rng.random(horizon) for _ in range(3)]
    dis, reen = rng.random(n) < 0.3, rng.random(n) < 0.1
    want = [a.copy() for a in (exp_g, exp_t, *by_day, dis, reen)]
    want[0][rows] += e * general
    want[1][rows] += e * terrorist
    want[2] += np.bincount(out, e, horizon)
    want[3] += np.bincount(out, e * general, horizon)
    want[4] += np.bincount(out, e * terrorist, horizon)
    x = c["extremism"][rows]
    want[5][rows] |= x < 0.45
    newly = want[5][rows] & ~want[6][rows] & (x > 0.75)
    want[6][rows[newly]] = True
    got_arrays = [a.copy() for a in (exp_g, exp_t, *by_day, dis, reen)]
    eg, et, neg_g, neg_t, k = at_risk_sums(
        rows, out, e, general, terrorist, *got_arrays[:5], c["extremism"], 0.45, 0.75,
        *got_arrays[5:],
    )  # fmt: skip
    for a, b in zip(got_arrays, want, strict=True):
        np.testing.assert_array_equal(a, b)
    assert k == int(newly.sum())
    np.testing.assert_array_equal(eg, e * general)
    np.testing.assert_array_equal(et, e * terrorist)
    np.testing.assert_array_equal(neg_g, -e * general)
    np.testing.assert_array_equal(neg_t, -e * terrorist)

    # After the draws.
    u = rng.random((rows.shape[0], 3))
    gen = u[:, 0] < 1.0 - np.exp(-e * general)
    ter = u[:, 1] < 1.0 - np.exp(-e * terrorist)
    assert gen.any() and ter.any()
    counts = [rng.integers(0, 3, n).astype(np.int32) for _ in range(2)]
    events = rng.integers(0, 5, horizon).astype(float)
    want = [counts[0].copy(), counts[1].copy(), events.copy()]
    want[0][rows] += gen
    want[1][rows] += ter
    want[2] += np.bincount(out[gen], minlength=horizon)
    chance = np.where(day < c["licence_end"][rows], 0.6, 0.5)
    custody = ter | (gen & (u[:, 2] < chance))
    sentence = np.where(ter, 900, 180)
    got_counts = [counts[0].copy(), counts[1].copy(), events.copy()]
    back, days, n_gen, n_ter = reoffences(
        rows, out, u, np.exp(neg_g), np.exp(neg_t), day, c["licence_end"], 0.6, 0.5, 900, 180,
        *got_counts,
    )  # fmt: skip
    for a, b in zip(got_counts, want, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(back, rows[custody])
    np.testing.assert_array_equal(days, sentence[custody])
    assert (n_gen, n_ter) == (int(gen.sum()), int(ter.sum()))


@pytest.mark.parametrize("slots", [[3, 40, 77, 119], [0], [118], [5, 6]])
def test_leaving_ties_match_masks(slots):
    rng = np.random.default_rng(4)
    n, m = 120, 900
    lo = rng.integers(0, n - 1, m)
    hi = lo + 1 + rng.integers(0, n - 1 - lo)
    key = np.unique(lo * n + hi)  # ties once each, in key order
    lo, hi = (key // n).astype(np.int32), (key % n).astype(np.int32)
    w, uid = rng.random(key.shape[0]), rng.permutation(5 * n)[:n].astype(np.int64)
    slots = np.array(slots)
    leaving = np.zeros(n, bool)
    leaving[slots] = True
    carried = np.flatnonzero((leaving[lo] | leaving[hi]) & (w >= 0.2))
    a, b, kept = leaving_ties(lo, hi, w, slots, uid, 0.2)
    assert carried.shape[0] > 0
    np.testing.assert_array_equal(a, uid[lo[carried]])
    np.testing.assert_array_equal(b, uid[hi[carried]])
    np.testing.assert_array_equal(kept, w[carried])


def _supervision_numpy(rows, e, load, u, a, mp, day_line):
    """The numpy of ``Supervision.step_people`` before its fusion, on copies ``a``."""
    trust, strain = a["trust"][rows], a["strain"][rows]
    per_day = np.minimum(mp["weekly"], mp["per_officer_day"] / load)
    contacts = np.floor(e * per_day + u[:, 0]).astype(np.int64)
    miss = mp["miss_base"] * (1.0 + mp["miss_strain"] * strain) * (1.0 - 0.5 * trust)
    missed = np.minimum(
        np.floor(contacts * np.minimum(miss, 1.0) + u[:, 1]).astype(np.int64), contacts
    )
    kept = contacts - missed
    misses = a["misses"][rows] * (1.0 - 1.0 / 180.0) ** e + missed
    missed_breach = misses >= 2.0
    a["misses"][rows] = np.where(missed_breach, 0.0, misses)
    quality = 1.0 - 0.5 * np.maximum(0.0, 1.0 - 50.0 / load)
    fair_p = a["fairness"][a["officer"][rows]] * quality
    fair = np.minimum(np.floor(kept * fair_p + u[:, 2]).astype(np.int64), kept)
    gain = np.minimum(0.1 * (1.0 + 0.5 * a["matched"][rows]), 1.0)
    trust = 1.0 - (1.0 - trust) * (1.0 - gain) ** fair
    trust = trust * (1.0 - 0.1) ** (kept - fair)
    trust = trust * (1.0 - 0.005) ** e
    a["trust"][rows] = trust
    tell = rows[u[:, 3] < 1.0 - (1.0 - np.minimum(0.5 * trust, 1.0)) ** kept]
    k = a["knowledge"]
    k[tell] += 0.05 * (1.0 - k[tell])
    a["strain"][tell] *= 1.0 - 0.3
    a["mh_identified"][tell] |= a["mh_need"][tell]
    x, x0 = a["extremism"], a["predisposition"]
    worry = tell[x[tell] > day_line]
    x[worry] *= 1.0 - 0.004
    x0[worry] *= 1.0 - 0.004
    hazard = 0.04 * np.exp(2.0 * strain) * (1.0 - 0.5 * trust)
    breach = missed_breach | (u[:, 4] < 1.0 - (1.0 - np.minimum(hazard, 1.0)) ** e)
    a["breaches"][rows] += breach
    chance = np.where(a["category"][rows] >= 2, 0.9, 0.5)
    chance = chance * (1.0 - 0.5 * a["knowledge"][rows])
    recalled = rows[breach & (u[:, 5] < chance)]
    return kept, tell.shape[0], int(breach.sum()), recalled


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_supervision_step_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    n, n_officers = 150, 6
    rows = np.sort(rng.choice(n, 100, replace=False))
    e = rng.integers(1, 8, rows.shape[0])
    load = rng.integers(1, 80, n_officers)
    u = rng.random((rows.shape[0], 7))
    a = {
        "trust": rng.random(n),
        "strain": rng.random(n),
        "misses": rng.random(n) * 2.0,
        "officer": rng.integers(0, n_officers, n).astype(np.int32),
        "fairness": rng.random(n_officers),
        "matched": rng.random(n) < 0.5,
        "knowledge": rng.random(n),
        "mh_need": rng.random(n) < 0.4,
        "mh_identified": rng.random(n) < 0.2,
        "extremism": rng.random(n),
        "predisposition": rng.random(n),
        "breaches": rng.integers(0, 3, n).astype(np.int32),
        "category": rng.integers(0, 4, n).astype(np.int8),
    }
    mp = {"weekly": 7.0 / 7.0, "per_officer_day": 5.0, "miss_base": 0.3, "miss_strain": 2.0}
    want = {name: v.copy() for name, v in a.items()}
    kept_want, told_want, n_want, recalled_want = _supervision_numpy(
        rows, e, load[a["officer"][rows]], u, want, mp, 0.4
    )
    kept, fair, unfair, keep_gain, missed_breach = contact_day(
        rows, e, a["officer"], load, u, a["trust"], a["strain"], a["misses"],
        (1.0 - 1.0 / 180.0) ** e, a["matched"], a["fairness"], mp["weekly"],
        mp["per_officer_day"], mp["miss_base"], mp["miss_strain"], 0.5, 2.0, 0.5, 50.0, 0.1,
        0.5,
    )  # fmt: skip
    trust, keep_told = trust_day(
        rows, a["trust"], keep_gain**fair, (1.0 - 0.1) ** unfair, (1.0 - 0.005) ** e, 0.5
    )
    told, keep_breach = disclosures(
        rows, u, keep_told**kept, np.exp(2.0 * a["strain"][rows]), trust, a["knowledge"],
        a["strain"], a["mh_need"], a["mh_identified"], a["extremism"], a["predisposition"],
        0.4, 0.05, 1.0 - 0.3, 1.0 - 0.004, 0.04, 0.5,
    )  # fmt: skip
    recalled, n_breaches = breaches(
        rows, u, missed_breach, keep_breach**e, a["breaches"], a["category"], a["knowledge"],
        0.9, 0.5, 0.5,
    )  # fmt: skip
    np.testing.assert_array_equal(kept, kept_want)
    assert told == told_want > 0 and n_breaches == n_want > 0
    np.testing.assert_array_equal(recalled, recalled_want)
    for name in a:
        np.testing.assert_array_equal(a[name], want[name], err_msg=name)


def _over(p, e):
    return 1.0 - (1.0 - np.minimum(p, 1.0)) ** e


@pytest.mark.parametrize("seed", [1, 2])
def test_barriers_step_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    n = 150
    rows = np.sort(rng.choice(n, 100, replace=False))
    e = rng.integers(1, 8, rows.shape[0])
    u = rng.random((rows.shape[0], 2))
    stigma, strain, trust, skills, support = (rng.random(n) for _ in range(5))
    mentor = rng.integers(-1, 4, n).astype(np.int32)
    housed, employed = rng.random(n) < 0.5, rng.random(n) < 0.5
    x0 = rng.random(n)
    rates = (0.5, 0.3, 0.7, 0.08, 0.8, 0.02, 0.03, 0.4)  # help, housing, work, losses, push
    services = 1.5
    # The numpy of Barriers.step_people before its fusion (rates raised to see events).
    helped = 1.0 + rates[0] * np.where(mentor[rows] >= 0, trust[rows], 0.0)
    chance = services * helped
    h, w = housed[rows], employed[rows]
    find_home = rates[1] * chance * (1.0 - rates[2] * stigma[rows])
    find_work = (
        rates[3]
        * chance
        * (0.3 + 0.7 * skills[rows])
        * (1.0 - rates[4] * stigma[rows])
        * np.where(h, 1.0, 0.5)
    )
    want_h, want_w, want_x0 = housed.copy(), employed.copy(), x0.copy()
    want_h[rows] = np.where(
        h, u[:, 0] >= _over(rates[5] * strain[rows], e), u[:, 0] < _over(find_home, e)
    )
    want_w[rows] = np.where(
        w, u[:, 1] >= _over(rates[6] * (0.5 + strain[rows]), e), u[:, 1] < _over(find_work, e)
    )
    push = _over(rates[7] * stigma[rows] * (1.0 - support[rows]), e)
    want_x0[rows] += push * want_x0[rows] * (1.0 - want_x0[rows])
    stays = barrier_stays(
        rows, stigma, strain, mentor, trust, housed, skills, support, services, rates[0],
        rates[1], rates[2], rates[3], rates[4], rates[5], rates[6], rates[7],
    )  # fmt: skip
    barrier_moves(rows, u, *(stay**e for stay in stays), housed, employed, x0)
    assert (housed[rows] != h).any() and (employed[rows] != w).any()
    np.testing.assert_array_equal(housed, want_h)
    np.testing.assert_array_equal(employed, want_w)
    np.testing.assert_array_equal(x0, want_x0)


@pytest.mark.parametrize("seed", [1, 2])
def test_mentoring_step_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    n, day, n_mentors = 150, 60, 8
    rows = np.sort(rng.choice(n, 100, replace=False))
    mentor = rng.integers(-1, n_mentors, n).astype(np.int32)
    mentor_end, release_day = rng.integers(40, 90, n), rng.integers(0, 60, n)
    matched, trust = rng.random(n) < 0.5, rng.random(n)
    kind, agenda = rng.integers(0, 3, n_mentors).astype(np.int8), np.arange(n_mentors) % 3 == 0
    x, x0 = rng.random(n), rng.random(n)
    u = rng.random((n, 1))  # by row, so both sides draw alike
    # The numpy of Mentoring.step_people before its fusion (effects raised).
    want = [a.copy() for a in (mentor, trust, x, x0)]
    r = rows[want[0][rows] >= 0]
    want[0][r[day >= mentor_end[r]]] = -1
    r = r[day < mentor_end[r]]
    expected = np.minimum(7, day - release_day[r] + 1) * 2.0 / 7.0
    meetings = np.floor(expected + u[r, 0]).astype(np.int64)
    r, m = r[meetings > 0], meetings[meetings > 0]
    bonus = 1.0 + 0.5 * matched[r]
    gain = np.minimum(0.03 * bonus, 1.0)
    want[1][r] = 1.0 - (1.0 - want[1][r]) * (1.0 - gain) ** m
    strength = np.where(kind[want[0][r]] == 2, 0.3, 1.0)
    keep = (1.0 - np.minimum(0.02 * strength * bonus * want[1][r], 1.0)) ** m
    pulled = (1.0 - np.minimum(0.05 * want[1][r], 1.0)) ** m
    a = agenda[want[0][r]]
    want[2][r] = np.where(a, 0.9 - (0.9 - want[2][r]) * pulled, want[2][r] * keep)
    want[3][r] = np.where(a, 0.9 - (0.9 - want[3][r]) * pulled, want[3][r] * keep)

    got, expected = mentored(rows, mentor, mentor_end, release_day, day, 7, 2.0)
    got, held, keep_gain, bonus = meetings_held(got, expected, u[got], matched, 0.5, 0.03)
    np.testing.assert_array_equal(got, r)
    np.testing.assert_array_equal(held, m)
    keep, pulled = mentor_trust(got, keep_gain**held, bonus, mentor, trust, kind, 0.3, 0.02, 0.05)
    mentor_pull(got, keep**held, pulled**held, mentor, agenda, x, x0)
    assert a.any() and not a.all()
    for have, should in zip((mentor, trust, x, x0), want, strict=True):
        np.testing.assert_array_equal(have, should)


@pytest.mark.parametrize("seed", [1, 2])
def test_community_ties_step_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    n, m = 150, 400
    rows = np.sort(rng.choice(n, 100, replace=False))
    e = rng.integers(1, 8, rows.shape[0])
    x, x0, bond = rng.random(n), rng.random(n), rng.random(n)
    kind = rng.integers(0, 3, n).astype(np.int8)
    involved, place = rng.random(n) < 0.5, rng.integers(0, 3, n).astype(np.int8)
    ra, rb, w = rng.integers(-1, n, m), rng.integers(-1, n, m), rng.random(m)
    ns, ss, fi, ar, pi = 0.8, 0.1, 0.7, 0.01, 0.2  # pulls raised to reach the cap of 1
    # The numpy of CommunityTies.step_people before its fusion.
    k = kind[rows]
    stance = np.where(k == 2, ns, ss)
    pull = np.minimum(np.where(k == 0, 0.0, fi * bond[rows] * (1.0 + involved[rows])), 1.0)
    dx = ar * (x0[rows] - x[rows]) + pull * (stance - x[rows])
    rate = ar + pull
    both = (ra >= 0) & (rb >= 0) & (place[ra] == 0) & (place[rb] == 0)
    a, b, kw = ra[both], rb[both], pi * w[both]
    gap = x[b] - x[a]
    dx += (np.bincount(a, kw * gap, n) - np.bincount(b, kw * gap, n))[rows]
    rate += (np.bincount(a, kw, n) + np.bincount(b, kw, n))[rows]
    moved = _over(np.minimum(rate, 1.0), e) / np.maximum(rate, 1e-12)
    want = x.copy()
    want[rows] = np.clip(x[rows] + moved * dx, 0.0, 1.0)
    got_dx, got_rate, stay = tie_pulls(
        rows, x, x0, kind, bond, involved, ra, rb, w, place, n, ns, ss, fi, ar, pi
    )
    np.testing.assert_array_equal(got_dx, dx)
    np.testing.assert_array_equal(got_rate, rate)
    assert both.any() and (rate > 1.0).any()
    tie_moves(rows, got_dx, got_rate, stay**e, x)
    np.testing.assert_array_equal(x, want)


def test_mentoring_gate_matches_numpy():
    rng = np.random.default_rng(6)
    n, n_mentors = 120, 6
    rows = np.arange(40, 100)
    planned = rng.integers(-1, n_mentors, n).astype(np.int32)
    planned_trust, x, obs = rng.random(n), rng.random(n), rng.random(n)
    category, labelled = rng.integers(0, 4, n).astype(np.int8), rng.random(n) < 0.2
    home, family = rng.random(n) < 0.5, rng.integers(0, 3, n).astype(np.int8)
    kinds = rng.integers(0, 3, n_mentors).astype(np.int8)
    end, mentor, trust = np.zeros(n, np.int64), np.full(n, -1, np.int32), np.zeros(n)
    # The numpy of Mentoring.enter before its fusion (with match's mentors given).
    want_mentor, want_trust = mentor.copy(), trust.copy()
    want_mentor[rows], want_trust[rows] = planned[rows], planned_trust[rows]
    eligible = eligible_people(category[rows], labelled[rows], home[rows], family[rows])
    new = rows[(want_mentor[rows] < 0) & eligible]
    got = gate_mentors(
        rows, 77, planned, planned_trust, category, labelled, home, family, end, mentor, trust
    )
    np.testing.assert_array_equal(got, new)
    assert (end[rows] == 77).all() and new.shape[0] > 0
    given = rng.integers(-1, n_mentors, new.shape[0]).astype(np.int32)
    mentor[new] = want_mentor[new] = given
    has = rows[want_mentor[rows] >= 0]
    want = preferred_kinds(category[has], x[has], obs[has], labelled[has], 0.6, 0.4)
    want_matched = np.zeros(n, bool)
    want_matched[has] = kinds[want_mentor[has]] == want
    matched = np.zeros(n, bool)
    gate_matches(rows, mentor, category, x, obs, labelled, kinds, 0.6, 0.4, matched)
    np.testing.assert_array_equal(mentor, want_mentor)
    np.testing.assert_array_equal(trust, want_trust)
    np.testing.assert_array_equal(matched, want_matched)
    assert matched.any()


def test_mentoring_kinds_and_eligibility_keep_their_rules():
    category = np.array([0, 1, 2, 0, 0, 0], np.int8)
    labelled = np.array([True, False, False, False, False, False])
    x = np.array([0.5, 0.5, 0.3, 0.9, 0.1, 0.1])
    obs = np.array([0.1, 0.1, 0.9, 0.1, 0.9, 0.1])
    kinds = preferred_kinds(category, x, obs, labelled, 0.6, 0.4)
    assert kinds.tolist() == [0, 0, 1, 2, 1, 2]
    home = np.array([True, True, True, False, False, True])
    family = np.array([0, 0, 0, 0, 1, 0], np.int8)
    eligible = eligible_people(category, labelled, home, family)
    assert eligible.tolist() == [True, True, True, True, False, False]


def test_transition_gate_matches_numpy():
    rng = np.random.default_rng(8)
    n = 80
    rows = np.arange(20, 70)
    support, target, readiness = rng.random(50), rng.random(50), rng.random(n)
    want_support, want_strain = np.zeros(n), np.zeros(n)
    want_support[rows] = support
    shock = 0.8 * (1.0 - 0.6 * readiness[rows])
    want_strain[rows] = np.maximum(target, shock)
    got_support, got_strain = np.zeros(n), np.zeros(n)
    gate_strain(rows, support, target, readiness, 0.8, 0.6, got_support, got_strain)
    assert (target > shock).any() and (target < shock).any()
    np.testing.assert_array_equal(got_support, want_support)
    np.testing.assert_array_equal(got_strain, want_strain)


@pytest.mark.parametrize("continuity", [True, False])
def test_resettlement_week_matches_numpy(continuity):
    rng = np.random.default_rng(10)
    n, e = 200, 7
    act = rng.random(n) < 0.8
    unit = np.where(act, rng.integers(0, 5, n), -1).astype(np.int32)
    access = rng.random(5)
    skills = np.where(rng.random(n) < 0.1, -1.0, rng.random(n))
    bond = np.where(rng.random(n) < 0.3, 0.0, rng.random(n))
    planning = act & (rng.random(n) < 0.3)
    officer, mentor = (rng.integers(-1, 4, n).astype(np.int32) for _ in range(2))
    officer_trust, mentor_trust = rng.random(n), rng.random(n)
    fk, fc, kept = 1.0 - (1.0 - 0.003) ** e, 0.7, (1.0 - 0.05) ** (e * 1.0 / 7.0)
    # The numpy of Resettlement.step's weekly part before its fusion.
    want = [a.copy() for a in (skills, bond, officer_trust, mentor_trust)]
    grow = np.where(act, 1.0 - (1.0 - 0.004 * access[np.where(act, unit, 0)]) ** e, 0.0)
    want[0] += grow * (1.0 - want[0])
    family = act & (want[1] > 0)
    want[1][family] += fk * (fc - want[1][family])
    if continuity:
        for holder, trust in ((officer, want[2]), (mentor, want[3])):
            met = planning & (holder >= 0)
            trust[met] = 1.0 - (1.0 - trust[met]) * kept
    stays = skill_stays(act, unit, access, 0.004)
    resettle_week(
        act, stays**e, skills, bond, fk, fc, continuity, planning, kept, officer,
        officer_trust, mentor, mentor_trust,
    )  # fmt: skip
    for have, should in zip((skills, bond, officer_trust, mentor_trust), want, strict=True):
        np.testing.assert_array_equal(have, should)


def test_transition_step_and_need_loads_match_numpy():
    rng = np.random.default_rng(12)
    n = 90
    rows = np.sort(rng.choice(n, 60, replace=False))
    e = rng.integers(1, 8, rows.shape[0])
    need, treated = rng.random(n) < 0.5, rng.random(n) < 0.5
    np.testing.assert_array_equal(
        need_loads(rows, need, treated, 0.6), need[rows] * (1.0 - 0.6 * treated[rows])
    )
    support, target, strain = rng.random(60), rng.random(60), rng.random(n)
    # The numpy of Transition.step_people after support and target (rate raised past 1).
    want_support, want_strain = np.zeros(n), strain.copy()
    want_support[rows] = support
    s = strain[rows]
    rate = np.where(target < s, 0.7 * (1.0 + support), 0.7)
    want_strain[rows] = np.clip(s + _over(rate, e) * (target - s), 0.0, 1.0)
    got_support = np.zeros(n)
    stays = strain_stays(rows, support, target, 0.7, got_support, strain)
    strain_moves(rows, target, stays**e, strain)
    assert (rate > 1.0).any()
    np.testing.assert_array_equal(got_support, want_support)
    np.testing.assert_array_equal(strain, want_strain)


def test_close_cohorts_matches_numpy():
    rng = np.random.default_rng(14)
    n, size, day, horizon = 100, 80, 90, 40
    closed = rng.random(n) < 0.3
    place = rng.integers(0, 3, n).astype(np.int8)
    release_day = rng.integers(0, 90, n)
    age = day - release_day[:size]
    want = np.flatnonzero(~closed[:size] & (place[:size] != 0) & (age >= horizon - 1))
    want_closed = closed.copy()
    want_closed[want] = True
    got = close_cohorts(closed, place, release_day, size, day, horizon)
    assert want.shape[0] > 0
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(closed, want_closed)
