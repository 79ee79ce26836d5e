"""The tie kernels written for speed (issue 11) give the bits of plain numpy.

The kernels keep a ``lo`` end's sum in a register over its run of ties and write every
tie whether or not it is kept; these tests give them ties in key order with many runs,
many ties to drop and repeated pairs, and compare with ``np.bincount`` and masks, bit for
bit (``_same`` compares the bytes, so even the sign of a zero counts).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from wingsim import kernels
from wingsim.network import MIN_TIE, TieLayer


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def _sorted_ties(seed, n, k, dtype=np.int32):
    """About ``k`` distinct ties ``lo < hi`` among ``n`` slots in key order, strengths
    in (0, 1) (some near ``MIN_TIE``), and the generator."""
    rng = np.random.default_rng(seed)
    lo = rng.integers(0, n - 1, k)
    hi = lo + rng.integers(1, n - lo)
    keys = np.unique(lo * n + hi)
    lo, hi = (keys // n).astype(dtype), (keys % n).astype(dtype)
    w = np.where(rng.random(keys.shape[0]) < 0.2, rng.uniform(0.04, 0.06, keys.shape[0]), 0.0)
    w = np.where(w > 0, w, rng.random(keys.shape[0]))
    return lo, hi, w, rng


def _bincounts(lo, hi, w, n):
    return np.bincount(lo, w, n) + np.bincount(hi, w, n)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_node_and_peer_sums_match_bincount(seed):
    n = 300
    lo, hi, w, rng = _sorted_ties(seed, n, 4000)
    values = rng.random(n) * 2.0 - 1.0
    values[::7] = 0.0
    assert _same(kernels.tie_node_sum(lo, hi, w, n), _bincounts(lo, hi, w, n))
    peer = np.bincount(lo, w * values[hi], n) + np.bincount(hi, w * values[lo], n)
    assert _same(kernels.tie_peer_sum(lo, hi, w, values, n), peer)
    # Ends in any order: the plain loop (the same bits as bincount still).
    shuffle = rng.permutation(lo.shape[0])
    lo, hi, w = lo[shuffle], hi[shuffle], w[shuffle]
    assert _same(kernels.tie_node_sum(lo, hi, w, n), _bincounts(lo, hi, w, n))
    peer = np.bincount(lo, w * values[hi], n) + np.bincount(hi, w * values[lo], n)
    assert _same(kernels.tie_peer_sum(lo, hi, w, values, n), peer)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_decay_and_drop_match_masks(seed):
    n = 200
    lo, hi, w, rng = _sorted_ties(seed, n, 3000)
    size = lo.shape[0]
    # Decay in place (buffers longer than the ties).
    bw, blo, bhi = (np.concatenate([x, x[:50]]) for x in (w, lo, hi))
    kept, strength = kernels.tie_decay(bw, blo, bhi, size, 0.95, MIN_TIE, n)
    faded = w * 0.95
    keep = faded >= MIN_TIE
    assert 0 < kept == keep.sum() < size
    assert _same(bw[:kept], faded[keep]) and _same(blo[:kept], lo[keep])
    assert _same(bhi[:kept], hi[keep])
    assert _same(strength, _bincounts(lo[keep], hi[keep], faded[keep], n))
    # Dropping slots.
    gone = np.zeros(n, dtype=bool)
    gone[rng.choice(n, 15, replace=False)] = True
    bw, blo, bhi = w.copy(), lo.copy(), hi.copy()
    kept, strength = kernels.tie_drop_nodes(bw, blo, bhi, size, gone)
    keep = ~(gone[lo] | gone[hi])
    assert 0 < kept == keep.sum() < size
    assert _same(bw[:kept], w[keep]) and _same(blo[:kept], lo[keep])
    assert _same(bhi[:kept], hi[keep])
    assert _same(strength, _bincounts(lo[keep], hi[keep], w[keep], n))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_add_and_decay_matches_add_then_numpy_decay(seed):
    """Contacts on existing and new pairs, repeated pairs, hostile (negative) changes."""
    n = 150
    rng = np.random.default_rng(seed)
    fused, ref = TieLayer(n), TieLayer(n)
    for _ in range(40):
        m = int(rng.integers(0, 800))
        a = rng.integers(0, n, m)
        b = (a + rng.integers(1, n, m)) % n
        delta = np.where(rng.random(m) < 0.2, -0.16, rng.uniform(0.0, 0.2, m))
        after = fused.add_and_decay(a, b, delta, 0.05)
        expected = ref.add(a, b, delta) if m else np.zeros(0)
        assert _same(after, expected)
        faded = ref.weight * 0.95
        keep = faded >= MIN_TIE
        assert _same(fused.weight, faded[keep])
        assert _same(fused.lo, ref.lo[keep]) and _same(fused.hi, ref.hi[keep])
        assert _same(fused.strength_by_node(), _bincounts(fused.lo, fused.hi, fused.weight, n))
        # The reference fades as numpy did (not with tie_decay) for the next day.
        ref._buffers = (faded[keep], ref.lo[keep], ref.hi[keep])
        ref._size = int(keep.sum())
        ref._changed()
    assert len(fused) > 500


def _staff_day_numpy(
    wu, r, by_unit, starts, counts, obu, ostarts, officers, training_level, fairness, stress,
    security, seen, labelled, observance, k, specialist,
):  # fmt: skip
    """The staff contact day in numpy: per-contact arrays, then counts per prisoner
    (``np.add.at`` adds in contact order) and ``math.pow`` (the C library's, as numba's
    ``**``). Returns the prisoner-state updates as functions of the old state."""
    who = by_unit[starts[wu] + (r[:, 3] * counts[wu]).astype(np.int64)]
    officer = obu[ostarts[wu] + (r[:, 0] * officers[wu]).astype(np.int64)]
    training = training_level[officer] / specialist
    fair_p = (
        fairness[officer]
        * (1.0 - k[0] * stress[officer])
        * (1.0 - k[1] * security[wu])
        * (1.0 - k[2] * seen[who])
    )
    singled = labelled[who].astype(float) * k[3] * (1.0 - k[4] * training)
    fair_p = fair_p * (1.0 - singled)
    fair = r[:, 1] < fair_p
    heavy = 1.0 - (1.0 - k[5]) * (1.0 - singled)
    hostile = ~fair & (r[:, 1] < fair_p + (1.0 - fair_p) * heavy)
    learn = k[10] * (k[8] + (1.0 - k[8]) * training) * (1.0 + k[9] * security[wu])
    n = seen.shape[0]
    learnt = np.zeros(n)
    np.add.at(learnt, who, learn * fair)
    reported = r[:, 2] < k[11] * observance[who] * (1.0 - training)
    n_fair, n_hostile = np.zeros(n, np.int64), np.zeros(n, np.int64)
    np.add.at(n_fair, who, fair)
    np.add.at(n_hostile, who, hostile)
    keep_f = np.array([math.pow(k[6], float(c)) if c else 1.0 for c in n_fair.tolist()])
    keep_h = np.array([math.pow(k[7], float(c)) if c else 1.0 for c in n_hostile.tolist()])
    half_f, half_h = np.sqrt(keep_f), np.sqrt(keep_h)
    return fair, hostile, reported, who, learnt, keep_f, keep_h, half_f, half_h


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_staff_contact_day_matches_numpy(seed):
    from wingsim.submodels.staff_contact import staff_contact_day

    rng = np.random.default_rng(seed)
    n, n_units, n_staff = 300, 6, 40
    unit = rng.integers(0, n_units, n)
    by_unit = np.argsort(unit, kind="stable")
    counts = np.bincount(unit, minlength=n_units)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    staff_unit = rng.integers(0, n_units, n_staff)
    obu = np.argsort(staff_unit, kind="stable")
    officers = np.bincount(staff_unit, minlength=n_units)
    ostarts = np.concatenate([[0], np.cumsum(officers)[:-1]])
    wu = np.sort(rng.integers(0, n_units, 2000))
    r = rng.random((wu.shape[0], 4))
    training_level = rng.integers(0, 3, n_staff).astype(np.int8)
    fairness, stress, security = rng.random(n_staff), rng.random(n_staff), rng.random(n_units)
    seen, labelled, observance = rng.random(n), rng.random(n) < 0.3, rng.random(n)
    k = np.concatenate([rng.uniform(0.1, 0.9, 6), [0.96, 0.92], rng.uniform(0.1, 0.9, 4)])
    state = [rng.random(n) for _ in range(4)] + [rng.integers(0, 5, n)]
    trust, legitimacy, opposition, knowledge, reports = (x.copy() for x in state)
    common = (wu, r, by_unit, starts, counts, obu, ostarts, officers, training_level, fairness)
    fair_count, hostile_count = staff_contact_day(
        *common, stress, security, seen, labelled, observance, trust, legitimacy, opposition,
        knowledge, reports, k, 2,
    )  # fmt: skip
    fair, hostile, reported, who, learnt, keep_f, keep_h, half_f, half_h = _staff_day_numpy(
        *common, stress, security, seen, labelled, observance, k, 2
    )
    assert (fair_count, hostile_count) == (fair.sum(), hostile.sum()) and hostile.any()
    t0, g0, o0, k0, r0 = state
    assert _same(trust, (1.0 - (1.0 - t0) * keep_f) * keep_h)
    assert _same(legitimacy, (1.0 - (1.0 - g0) * half_f) * half_h)
    assert _same(opposition, 1.0 - (1.0 - o0 * half_f) * half_h)
    assert _same(knowledge, np.clip(k0 + learnt * (1.0 - k0), 0.0, 1.0))
    assert _same(reports, r0 + np.bincount(who, reported, n).astype(np.int64))
    assert np.unique(keep_f).size >= 4  # several counts of fair contacts: several powers


def _meeting_effects_numpy(a, b, hostile, strength, seen_draws, state, k, veo, main):
    """What ``meeting_effects`` does, in numpy (bincount adds in meeting order). Returns
    the new state and the counts."""
    x, u, pred, status, charisma, trust, vul, opp, reports, unit, category, security = state
    mu, s_inf, c_inf, closure, intercept, recept, min_unc, stubborn = k[:8]
    radical, detect, opp_rate, trust_rate = k[8:]
    n, friendly = x.shape[0], ~hostile
    ia, ib, w = a[friendly], b[friendly], strength[friendly]
    xa, xb, ua, ub = x[ia], x[ib], u[ia], u[ib]
    speaker_b = 1.0 + s_inf * status[ib] + c_inf * charisma[ib]
    speaker_a = 1.0 + s_inf * status[ia] + c_inf * charisma[ia]
    watched = 1.0 - intercept * security[np.maximum(unit[ia], 0)]
    closed_a = np.where(xb > xa, (1.0 - closure * trust[ia]) * watched, 1.0)
    closed_b = np.where(xa > xb, (1.0 - closure * trust[ib]) * watched, 1.0)
    weight_ab = speaker_b * closed_a * (recept + vul[ia])
    weight_ba = speaker_a * closed_b * (recept + vul[ib])
    h = np.minimum(xa + ua, xb + ub) - np.maximum(xa - ua, xb - ub)
    ra = np.where(h > ub, h / ub - 1.0, 0.0) * mu * weight_ab
    rb = np.where(h > ua, h / ua - 1.0, 0.0) * mu * weight_ba
    dx = np.bincount(ia, ra * (xb - xa), n) + np.bincount(ib, rb * (xa - xb), n)
    du = np.bincount(ia, ra * (ub - ua), n) + np.bincount(ib, rb * (ua - ub), n)
    x = x + dx
    u = np.clip(u + du, min_unc, 1.0)
    x = np.clip(x + stubborn * (pred - x), 0.0, 1.0)
    seen = seen_draws < detect * security[np.maximum(unit[ia], 0)]
    both = (x[ia] > radical) & (x[ib] > radical)
    caught = np.bincount(ia[both & seen], minlength=n) + np.bincount(ib[both & seen], minlength=n)
    ca, cb = category[ia], category[ib]
    cross = ((ca >= veo) & (cb == main)) | ((cb >= veo) & (ca == main))
    culture = []
    for arr, rate in ((opp, opp_rate), (trust, trust_rate)):
        d = rate * w * (arr[ib] - arr[ia])
        culture.append(np.clip(arr + (np.bincount(ia, d, n) - np.bincount(ib, d, n)), 0.0, 1.0))
    counts = (int(both.sum()), int((both & ~seen).sum()), int(cross.sum()))
    return (x, u, *culture, reports + caught), counts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_meeting_effects_match_numpy(seed):
    from wingsim.submodels.contacts import meeting_effects

    rng = np.random.default_rng(seed)
    n, m, n_units = 200, 3000, 5
    a = rng.integers(0, n, m)
    b = (a + rng.integers(1, n, m)) % n
    hostile = rng.random(m) < 0.1
    strength = rng.random(m)
    seen_draws = rng.random(int((~hostile).sum()))
    x, u = rng.random(n) ** 0.5, rng.uniform(0.05, 0.6, n)
    pred, status, charisma, trust, vul, opp = (rng.random(n) for _ in range(6))
    charisma[rng.random(n) < 0.8] = 0.0
    reports = rng.integers(0, 3, n)
    unit, category = rng.integers(-1, n_units, n), rng.integers(0, 4, n).astype(np.int8)
    security = rng.random(n_units)
    k = np.array([0.3, 1.0, 1.0, 0.6, 0.3, 0.5, 0.05, 0.01, 0.6, 0.5, 0.03, 0.03])
    state = (x, u, pred, status, charisma, trust, vul, opp, reports, unit, category, security)
    expected, counts = _meeting_effects_numpy(a, b, hostile, strength, seen_draws, state, k, 2, 0)
    x, u, trust, opp, reports = x.copy(), u.copy(), trust.copy(), opp.copy(), reports.copy()
    got = meeting_effects(
        a, b, hostile, strength, seen_draws, x, u, pred, status, charisma, trust, vul, opp,
        reports, unit, category, security, tuple(k.tolist()), 2, 0,
    )  # fmt: skip
    assert got == counts and min(counts) > 0
    for mine, theirs in zip((x, u, opp, trust, reports), expected, strict=True):
        assert _same(mine, theirs)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_with_a_sorted_tail_sums_in_batch_order(seed):
    """A day's batch: random pairs, then pairs in key order (the meetings along ties),
    some of them also in the random part, with equal keys in both parts and in the tail.
    ``_batch`` sorts the head and merges it with the tail: the distinct keys, the sums
    in batch order (``np.bincount`` adds in input order; three or more terms in another
    order would differ in the last bits) and each pair's index, as ``np.unique`` gives."""
    rng = np.random.default_rng(seed)
    n, m_head = 60, 400
    a = rng.integers(0, n, m_head)
    b = (a + rng.integers(1, n, m_head)) % n
    k_head = np.minimum(a, b) * n + np.maximum(a, b)
    tail = np.sort(np.concatenate([rng.choice(k_head, 150), rng.integers(1, n * n, 150)]))
    tail = tail[tail // n < tail % n]
    a = np.concatenate([a, tail // n]).astype(np.int32)
    b = np.concatenate([b, tail % n]).astype(np.int32)
    delta = rng.uniform(-0.3, 0.3, a.shape[0])
    k = np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b)
    uk, inv = np.unique(k, return_inverse=True)
    d = np.bincount(inv, delta, uk.shape[0])
    got = kernels._batch(a, b, delta, n)
    assert _same(got[0], uk) and _same(got[1], d) and _same(got[2], inv.astype(np.int64))
    # (the merge matters: summed head first, tail first, or in key order alone, the
    # sums of repeated pairs would differ)
    assert (np.bincount(inv, delta, uk.shape[0]) != np.bincount(inv[::-1], delta[::-1])).any()
    # Batches that are all head, all tail, one pair, none.
    for sl in (slice(0, m_head), slice(m_head, None), slice(0, 1), slice(0, 0)):
        uk, inv = np.unique(k[sl], return_inverse=True)
        got = kernels._batch(a[sl], b[sl], delta[sl], n)
        assert _same(got[0], uk) and _same(got[2], inv.astype(np.int64))
        d = np.bincount(inv, delta[sl], uk.shape[0]).astype(float)  # (int64 if empty)
        assert _same(got[1], d)
