"""The compiled wing choice (``placement.best_wings``) gives the same moves as the numpy
loop it replaced, one prisoner at a time with one row of jitter each."""

from __future__ import annotations

import numpy as np
import pytest

from wingsim.state import AT_RISK
from wingsim.submodels.placement import best_wings


def numpy_moves(slots, category, unit, occ, concern, places, r, cap, special):
    """The loop as it was: per prisoner, a score per wing and ``argmax``, then the move."""
    exits = 0
    for j, slot in enumerate(slots.tolist()):
        free = places - occ[: places.shape[0]]
        jitter = r[j] * 1e-3
        if category[slot] >= AT_RISK:
            under_cap = (concern[: places.shape[0]] < cap) & (free > 0)
            score = np.where(under_cap, -concern[: places.shape[0]] + free * 1e-3, -1e9 + free)
        else:
            score = free.astype(float)
        w = int(np.argmax(score + jitter))
        old = unit[slot]
        if old >= 0:
            occ[old] -= 1
            if category[slot] >= AT_RISK:
                concern[old] -= 1
            exits += old == special
        unit[slot] = w
        occ[w] += 1
        if category[slot] >= AT_RISK:
            concern[w] += 1
    return exits


@pytest.mark.parametrize("seed", range(20))
def test_best_wings_match_the_numpy_loop(seed):
    rng = np.random.default_rng(seed)
    wings = int(rng.integers(1, 8))
    n = 60
    special = wings
    category = rng.integers(0, 4, n).astype(np.int8)
    unit = rng.integers(-1, wings + 1, n)
    occ = np.bincount(unit[unit >= 0], minlength=wings + 1)
    concern = np.bincount(unit[(unit >= 0) & (category >= AT_RISK)], minlength=wings + 1)
    # Full wings and ties between wings happen: both must be decided the same way.
    places = rng.integers(0, 15, wings) * float(rng.choice([1.0, 1.1]))
    slots = rng.choice(n, int(rng.integers(1, 25)), replace=False)
    r = rng.random((slots.shape[0], wings)) * rng.choice([0.0, 1.0])
    cap = int(rng.integers(0, 4))
    expected = [unit.copy(), occ.copy(), concern.copy()]
    exits_expected = numpy_moves(slots, category, *expected, places, r, cap, special)
    exits = best_wings(slots, category, unit, occ, concern, places, r, cap, AT_RISK, special)
    assert exits == exits_expected
    for got, want in zip((unit, occ, concern), expected, strict=True):
        np.testing.assert_array_equal(got, want)
