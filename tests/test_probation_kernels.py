"""The community submodels' fused compiled passes against the numpy they replaced.

Each test keeps the numpy of the step as it was before its fusion and checks the kernels
give the same bits on random inputs (the exponentials stay numpy's, outside the kernels).
"""

from __future__ import annotations

import numpy as np
import pytest

from wingsim.submodels.community_ties import leaving_ties
from wingsim.submodels.reoffending import at_risk_sums, daily_hazards, days_at_risk, reoffences


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


def test_leaving_ties_match_masks():
    rng = np.random.default_rng(4)
    n, m = 120, 900
    lo = rng.integers(0, n - 1, m)
    hi = lo + 1 + rng.integers(0, n - 1 - lo)
    w, uid = rng.random(m), rng.permutation(5 * n)[:n].astype(np.int64)
    slots = np.array([3, 40, 77, 119])
    leaving = np.zeros(n, bool)
    leaving[slots] = True
    carried = np.flatnonzero((leaving[lo] | leaving[hi]) & (w >= 0.2))
    a, b, kept = leaving_ties(lo, hi, w, slots, uid, 0.2)
    assert carried.shape[0] > 0
    np.testing.assert_array_equal(a, uid[lo[carried]])
    np.testing.assert_array_equal(b, uid[hi[carried]])
    np.testing.assert_array_equal(kept, w[carried])
