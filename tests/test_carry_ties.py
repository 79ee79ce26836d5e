"""Ties carried through the gate (``Community.carry_ties``): the compiled merge against
the numpy it replaced (sorted insert; a pair already held keeps the stronger strength)."""

import numpy as np
import pytest

from wingsim.state import _UID_SPAN, Community


def carry_ties_numpy(c: Community, a, b, w) -> None:
    key = np.minimum(a, b) * _UID_SPAN + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    key, w = key[order], w[order]
    held = c.tie_a * _UID_SPAN + c.tie_b
    pos = np.searchsorted(held, key)
    inside = pos < held.shape[0]
    same = np.zeros(key.shape[0], dtype=bool)
    same[inside] = held[pos[inside]] == key[inside]
    np.maximum.at(c.tie_w, pos[same], w[same])
    new = ~same
    if new.any():
        c.tie_a = np.insert(c.tie_a, pos[new], key[new] // _UID_SPAN)
        c.tie_b = np.insert(c.tie_b, pos[new], key[new] % _UID_SPAN)
        c.tie_w = np.insert(c.tie_w, pos[new], w[new])


@pytest.mark.parametrize("seed", range(6))
def test_merge_matches_the_numpy_insert(seed):
    rng = np.random.default_rng(seed)
    compiled, reference = Community.empty(10), Community.empty(10)
    for _day in range(30):
        k = int(rng.integers(0, 12))
        # Few uids, so batches often repeat held pairs and, now and then, each other.
        a, b = rng.integers(0, 25, k), rng.integers(0, 25, k)
        w = rng.random(k)
        compiled.carry_ties(a, b, w)
        carry_ties_numpy(reference, a, b, w)
        for name in ("tie_a", "tie_b", "tie_w"):
            np.testing.assert_array_equal(getattr(compiled, name), getattr(reference, name))
    assert compiled.tie_a.shape[0] > 30
