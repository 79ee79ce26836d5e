"""Values kept between calls of the day (caches) and the kernels that took over small
numpy calls: each gives what the expression it replaced gives, and a cache is dropped
where what it was computed from changes."""

from __future__ import annotations

import numpy as np

from wingsim.model import WingModel
from wingsim.streams import KeyedStream


def _conditions(units):
    security = 1.0 - (1.0 - units.security_base) * (1.0 - units.lockdown)
    return security, units.time_out_of_cell * (1.0 - units.lockdown)


def test_security_follows_the_lockdown():
    m = WingModel(rng=3)
    units = m.units
    before = units.security.copy()
    np.testing.assert_array_equal(before, _conditions(units)[0])
    # A lockdown (as the incidents submodel writes it) changes security and time out of
    # cell once the writer says so.
    units.lockdown[0] = 0.5
    units.lockdown_changed()
    security, time_out = _conditions(units)
    assert units.security[0] > before[0]
    np.testing.assert_array_equal(units.security, security)
    np.testing.assert_array_equal(units.time_out_today, time_out)


def test_security_cache_is_current_after_every_day():
    m = WingModel(rng=4)
    for _ in range(30):
        m.step()
        security, time_out = _conditions(m.units)
        np.testing.assert_array_equal(m.units.security, security)
        np.testing.assert_array_equal(m.units.time_out_today, time_out)


def test_mixes_is_the_units_that_meet_others():
    units = WingModel(rng=5).units
    np.testing.assert_array_equal(units.mixes, units.can_meet.sum(axis=1) > 1)


def test_keyed_uniforms_same_for_any_integer_ids():
    keyed = KeyedStream(7, "traits")
    ids = np.array([0, 5, 2**40, 17], np.int64)
    want = keyed.uniforms(ids.astype(np.uint64), 3, 1, k=4)
    np.testing.assert_array_equal(keyed.uniforms(ids, 3, 1, k=4), want)
    np.testing.assert_array_equal(keyed.uniforms(ids.tolist(), 3, 1, k=4), want)
    np.testing.assert_array_equal(keyed.uniforms(5, 3, 1, k=4), want[1:2])


def test_activity_partners_match_numpy():
    from wingsim.submodels.contacts import activity_partners

    rng = np.random.default_rng(11)
    slots = np.sort(rng.choice(500, 300, replace=False))
    unit = rng.integers(0, 5, slots.shape[0]).astype(np.int32)
    mixes = np.array([True, True, False, True, False])
    partner = rng.integers(0, 500, 200)
    in_activities = rng.random(200) < 0.3
    r = rng.random(int(in_activities.sum()))
    want = partner.copy()
    pool = slots[mixes[unit]]
    want[in_activities] = pool[(r * pool.shape[0]).astype(np.int64)]
    activity_partners(partner, in_activities, r, slots, unit, mixes)
    np.testing.assert_array_equal(partner, want)


def test_gini_with_the_total_given():
    from wingsim.outcomes import gini

    x = np.random.default_rng(2).random(399)
    assert gini(x, x.sum()) == gini(x)
    assert gini(np.zeros(4), 0.0) == gini(np.zeros(4)) == 0.0


def test_gate_needs_match_numpy():
    from wingsim.submodels.community import MENTAL_HEALTH
    from wingsim.submodels.mental_health import gate_needs

    rng = np.random.default_rng(5)
    n = 50
    rows = rng.choice(n, 20, replace=False)
    category = rng.integers(0, 4, n).astype(np.int8)
    trait, u = rng.random((20, 8)), rng.random((20, 2))
    quality, readiness = rng.random(n), rng.random(n)
    need, identified, treated = (rng.random(n) < 0.5 for _ in range(3))
    want = [a.copy() for a in (need, identified, treated)]
    share = np.where(category[rows] >= 1, 0.45, 0.3)
    want[0][rows] = trait[:, MENTAL_HEALTH] < share
    want[1][rows] = want[0][rows] & (u[:, 0] < quality[rows])
    want[2][rows] = want[1][rows] & (u[:, 1] < 0.7 * readiness[rows])
    gate_needs(
        rows, category, trait, u, quality, readiness, 0.45, 0.3, 0.7, need, identified, treated
    )
    for got, expected in zip((need, identified, treated), want, strict=True):
        np.testing.assert_array_equal(got, expected)


def test_meeting_tone_counts_and_units():
    from wingsim.submodels.contacts import meeting_tone

    rng = np.random.default_rng(8)
    n, m = 60, 300
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    unit = rng.integers(-1, 5, n).astype(np.int32)
    x, opp, grievance = rng.random(n), rng.random(n), rng.random(n)
    hostile, n_hostile, _, unit_a, unit_b = meeting_tone(
        a, b, x, opp, grievance, rng.random(m), -2.0, 0.08, -2.0, -0.16, unit
    )
    assert 0 < n_hostile == int(hostile.sum())
    np.testing.assert_array_equal(unit_a, unit[a])
    np.testing.assert_array_equal(unit_b, unit[b])
    assert unit_a.dtype == unit.dtype


def test_a_lockdown_set_between_days_is_seen_the_next_day():
    """Someone outside the day (a notebook, a test) sets the lockdown after the security of
    the day was read: the next day reads it afresh."""
    m = WingModel(rng=3)
    m.run_for(2)
    _ = m.units.security  # read and kept
    m.units.lockdown[:] = 1.0
    seen = []
    incidents = m.submodels["incidents"]
    original = incidents.step

    def step():
        seen.append(m.units.security.copy())
        original()

    incidents.step = step
    m.run_for(1)
    assert np.array_equal(seen[0], np.ones_like(seen[0])), "a stale security was read"
