"""The tie kernels written for speed (issue 11) give the bits of plain numpy.

The kernels keep a ``lo`` end's sum in a register over its run of ties and write every
tie whether or not it is kept; these tests give them ties in key order with many runs,
many ties to drop and repeated pairs, and compare with ``np.bincount`` and masks, bit for
bit (``_same`` compares the bytes, so even the sign of a zero counts).
"""

from __future__ import annotations

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
