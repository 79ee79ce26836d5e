"""Submodels' fused compiled passes against the numpy expressions they replaced.

Each test keeps the numpy of the submodel's day as it was before its fusion and checks the
kernel gives the same bits on random inputs, so a kernel that drifted from the mechanism
(a term dropped, an order changed) fails here before it changes a run.
"""

from __future__ import annotations

import numpy as np
import pytest

from libm import exp, power
from wingsim.model import radical_crossings
from wingsim.state import VEO_LESSER
from wingsim.submodels.chaplaincy import chaplain_visits
from wingsim.submodels.contacts import chance_pairs
from wingsim.submodels.grievance import unit_day
from wingsim.submodels.incidents import consequences, unit_hazards
from wingsim.submodels.staff_contact import contact_means, officers_by_unit
from wingsim.submodels.staffing import turnover
from wingsim.submodels.status import status_base, unit_thresholds


def _population(rng, n_slots=300, n_units=6):
    active = rng.random(n_slots) < 0.85
    unit = np.where(active, rng.integers(0, n_units, n_slots), -1)
    slots = np.flatnonzero(active)
    return active, unit, slots, unit[slots], np.bincount(unit[slots], minlength=n_units)


def _staff(rng, n_posts=40, n_units=6):
    return rng.integers(0, n_units, n_posts), rng.random(n_posts) < 0.8


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incident_hazards_and_consequences_match_numpy(seed):
    rng = np.random.default_rng(seed)
    n_units = 6
    active, unit, slots, slot_unit, counts = _population(rng, n_units=n_units)
    counts[2] = 0  # an empty unit
    keep = slot_unit != 2
    slots, slot_unit = slots[keep], slot_unit[keep]
    g, t, o, x = (rng.random(unit.shape[0]) for _ in range(4))
    leader = rng.random(unit.shape[0]) < 0.1
    staff_unit, staff_active = _staff(rng, n_units=n_units)
    security = rng.random(n_units)
    c = np.array([3.0, 2.0, 0.3, 0.5, 0.02, np.log(0.3 / 0.7), 1.5])
    lam, on_staff_p = unit_hazards(
        slots, slot_unit, counts, g, t, o, x, leader, 0.6, staff_unit, staff_active, security, c
    )
    # The numpy it replaced.
    safe = np.maximum(counts, 1)
    tension = np.bincount(slot_unit, (g + (1.0 - t) + o + x)[slots] / 4, minlength=n_units)
    order = np.bincount(slot_unit, (leader & (x < 0.6))[slots].astype(float), minlength=n_units)
    trust_sum = np.bincount(slot_unit, t[slots], minlength=n_units)
    officers = np.bincount(staff_unit[staff_active], minlength=n_units)
    log_h = c[0] * (tension / safe) - c[1] * officers / safe - c[2] * order - c[3] * security
    assert np.array_equal(lam, c[4] * counts / 100.0 * exp(log_h))
    distrust = 1.0 - trust_sum / safe
    assert np.array_equal(on_staff_p, 1.0 / (1.0 + exp(-(c[5] + c[6] * (distrust - 0.5)))))

    incidents = rng.poisson(3 * lam + 0.5)
    stress, lockdown = rng.random(staff_unit.shape[0]), rng.random(n_units)
    want_stress, want_lockdown = stress.copy(), lockdown.copy()
    consequences(incidents, stress, staff_unit, staff_active, lockdown, 0.1, 0.05, 0.2, 0.8, 0.4)
    want_stress *= 1.0 - 0.1
    want_stress[:] = 1.0 - (1.0 - want_stress) * power(
        1.0 - 0.05 * staff_active, incidents[staff_unit]
    )
    want_lockdown *= 1.0 - 0.2
    want_lockdown[:] = 0.8 - (0.8 - want_lockdown) * power(1.0 - 0.4, incidents)
    assert np.array_equal(stress, want_stress)
    assert np.array_equal(lockdown, want_lockdown)


@pytest.mark.parametrize("seed", [1, 2])
def test_grievance_unit_conditions_match_numpy(seed):
    rng = np.random.default_rng(seed)
    n_units = 5
    counts = rng.integers(0, 120, n_units)
    capacity = np.array([100, 100, 0, 80, 20])
    staff_unit, staff_active = _staff(rng, n_units=n_units)
    staff_active[staff_unit == 1] = False  # an unstaffed unit
    fairness = rng.random(staff_unit.shape[0])
    time_out, lockdown, security = (rng.random(n_units) for _ in range(3))
    k = np.array([4.0, 0.9, 1.0, 1.0, 1.0 * (1.0 - 0.5), 0.5, 0.3])
    conditions, unit_fairness = unit_day(
        counts, capacity, staff_unit, staff_active, fairness, time_out, lockdown, security, k
    )
    fill = counts / np.maximum(capacity, 1)
    crowding = 1.0 - exp(-k[0] * np.maximum(fill - k[1], 0.0))
    officers = np.bincount(staff_unit[staff_active], minlength=n_units)
    posts = np.maximum(np.bincount(staff_unit, minlength=n_units), 1)
    understaffed = 1.0 - officers / posts
    t = time_out * (1.0 - lockdown)
    either = 1.0 - (1.0 * (1.0 - crowding)) * (1.0 - understaffed)
    want = k[2] * either + k[3] * (1.0 - t) + k[4] + k[5] * security
    assert np.array_equal(conditions, want)
    fair_sum = np.bincount(staff_unit[staff_active], fairness[staff_active], minlength=n_units)
    want_fair = np.where(officers > 0, fair_sum / np.maximum(officers, 1), k[6])
    assert np.array_equal(unit_fairness, want_fair)
    assert unit_fairness[1] == k[6]


@pytest.mark.parametrize("marked_share", [0.0, 0.2])
def test_status_base_and_thresholds_match_numpy(marked_share):
    rng = np.random.default_rng(7)
    n_units = 6
    active, unit, slots, slot_unit, counts = _population(rng, n_units=n_units)
    strength = rng.random(unit.shape[0]) * 5
    imported, charisma, trust = (rng.random(unit.shape[0]) for _ in range(3))
    days_on = np.where(rng.random(unit.shape[0]) < marked_share, 3, 0)
    base, anyone = status_base(active, strength, imported, charisma, days_on, 1.0, 2.0, 0.5, 3.5)
    top = strength[active].max()
    network = np.minimum(strength / max(top, 1e-9), 1.0)
    assert np.array_equal(base, (1.0 * imported + 2.0 * network + 0.5 * charisma) / 3.5)
    assert anyone == bool((active & (days_on > 0)).any())

    threshold, cap = unit_thresholds(slot_unit, slots, trust, counts, 0.7, 0.4, 5.0)
    mean = np.bincount(slot_unit, trust[slots], minlength=n_units) / np.maximum(counts, 1)
    assert np.array_equal(threshold, 0.7 - 0.4 * (1.0 - mean))
    want_cap = np.maximum(1, np.ceil(5.0 * counts / 100.0)).astype(np.int64)
    assert np.array_equal(cap, want_cap)


def test_staff_contact_means_and_officer_roster_match_numpy():
    rng = np.random.default_rng(11)
    n_units = 5
    counts = rng.integers(0, 90, n_units)
    staff_unit, staff_active = _staff(rng, n_units=n_units)
    time_out, lockdown = rng.random(n_units), rng.random(n_units)
    mean, officers_counted = contact_means(
        counts, staff_unit, staff_active, time_out, lockdown, 0.2, 1.5
    )
    on_post = np.flatnonzero(staff_active)
    officers = np.bincount(staff_unit[on_post], minlength=n_units)
    t = time_out * (1.0 - lockdown)
    rate = 1.5 * officers / np.maximum(counts, 1) * (0.2 + (1.0 - 0.2) * t)
    assert np.array_equal(mean, rate * counts)

    n_unit = rng.poisson(mean)
    wu, by_unit, starts, got_officers = officers_by_unit(
        n_unit, staff_unit, staff_active, officers_counted
    )
    assert np.array_equal(wu, np.repeat(np.arange(n_units), n_unit))
    assert np.array_equal(by_unit, on_post[np.argsort(staff_unit[on_post], kind="stable")])
    assert np.array_equal(starts, np.concatenate(([0], np.cumsum(officers)[:-1])))
    assert np.array_equal(got_officers, officers)


def test_radical_crossings_match_numpy():
    rng = np.random.default_rng(5)
    n = 500
    active = rng.random(n) < 0.9
    radical, radicalised = rng.random(n) < 0.3, rng.random(n) < 0.4
    x, category = rng.random(n), rng.integers(0, 4, n)
    want_up = active & ~radical & (x > 0.65)
    want_down = active & radical & (x < 0.55)
    want_newly = want_up & (category < VEO_LESSER) & ~radicalised
    want_radical = (radical | want_up) & ~want_down
    want_radicalised = radicalised | want_up
    newly, entered, left = radical_crossings(active, radical, radicalised, x, category, 0.65, 0.55)
    assert (newly, entered, left) == (want_newly.sum(), want_up.sum(), want_down.sum())
    assert np.array_equal(radical, want_radical)
    assert np.array_equal(radicalised, want_radicalised)
    assert entered > 0 and left > 0 and newly > 0


def test_chance_pairs_drop_self_meetings_then_append_tie_meetings():
    rng = np.random.default_rng(3)
    init, partner = rng.integers(0, 20, 200), rng.integers(0, 20, 200)
    lo, hi = rng.integers(0, 20, 80).astype(np.int32), rng.integers(0, 20, 80).astype(np.int32)
    rows = np.sort(rng.choice(80, 50, replace=False))
    ma, mb = lo[rows], hi[rows]
    a, b = chance_pairs(init, partner, lo, hi, rows)
    keep = partner != init
    assert np.array_equal(a, np.concatenate((init[keep], ma)))
    assert np.array_equal(b, np.concatenate((partner[keep], mb)))
    assert (~keep).any()


def test_staff_turnover_matches_numpy():
    rng = np.random.default_rng(9)
    n, special = 300, 4
    active, stress = rng.random(n) < 0.7, rng.random(n)
    unit, r = rng.integers(0, 5, n), rng.random((n, 2))
    leaves, fills = turnover(active, stress, unit, special, r, 0.01, 0.2, 30.0, 60.0)
    want_leaves = active & (r[:, 0] < 0.01 + 0.2 * stress)
    days = np.where(unit == special, 30.0 * 2.0, 30.0)
    want_fills = ~active & ~want_leaves & (r[:, 1] < 1.0 / days)
    assert np.array_equal(leaves, np.flatnonzero(want_leaves))
    assert np.array_equal(fills, np.flatnonzero(want_fills))
    assert leaves.shape[0] and fills.shape[0]


@pytest.mark.parametrize("in_risk_assessment", [False, True])
@pytest.mark.parametrize("trained", [False, True])
def test_chaplain_visits_match_numpy(in_risk_assessment, trained):
    """The chaplains' day, with the powers taken only for visited slots, against the
    numpy of every slot (``power``: the C library's pow, as the kernel's ``**``)."""
    rng = np.random.default_rng(11)
    n = 400
    visits = np.where(rng.random(n) < 0.1, rng.integers(1, 4, n), 0).astype(float)
    # (thirds: draws are multiples of 2**-53, for which 1 - (1 - t) is exact)
    tc, wellbeing, x, knowledge = (rng.random(n) / 3.0 for _ in range(4))
    labelled = rng.random(n) < 0.3
    tc0 = tc.copy()
    kt, kl, gain, kw, challenge = 0.9, 0.97, 0.05, 0.95, 0.02
    # The numpy: every slot's arithmetic, with powers of 1.0 where there were no visits.
    ones = np.ones(n)
    want_tc = 1.0 - (1.0 - tc) * np.where(visits > 0, power(kt, visits), ones)
    want_k = knowledge.copy()
    if in_risk_assessment:
        want_tc = np.where(labelled, want_tc * kl, want_tc)
        want_k = np.clip(knowledge + gain * want_tc * visits * (1.0 - knowledge), 0.0, 1.0)
    want_wb = 1.0 - (1.0 - wellbeing) * np.where(visits > 0, power(kw, visits), ones)
    want_x = x * np.where(visits > 0, power(1.0 - challenge * want_tc, visits), ones)
    want_x = want_x if trained else x.copy()
    chaplain_visits(
        visits, tc, wellbeing, x, knowledge, labelled, kt, kl, gain, kw, challenge,
        in_risk_assessment, trained,
    )  # fmt: skip
    for got, want in ((tc, want_tc), (wellbeing, want_wb), (x, want_x), (knowledge, want_k)):
        assert got.tobytes() == want.tobytes()
    # (without visits trust still moves, by the rounding of 1 - (1 - t): kept)
    assert (tc0 != tc)[visits == 0].any()
