"""``pairwise_sum`` adds as numpy's ``ndarray.sum()`` does, to the bit."""

import numpy as np
import pytest

from wingsim.pairwise import pairwise_head_sum, pairwise_sum


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e6])
def test_pairwise_sum_has_numpys_bits_at_every_length(scale):
    rng = np.random.default_rng(7)
    lengths = [*range(0, 2001), 4095, 8192, 8193, 100_003]
    for n in lengths:
        x = rng.standard_normal(n) * scale  # signs mixed: the order of additions shows
        assert pairwise_sum(x) == x.sum(), n


def test_pairwise_sum_of_a_prefix_and_of_negative_zeros():
    x = np.random.default_rng(8).random(500)
    for n in (0, 7, 8, 129, 300):
        assert pairwise_head_sum(x, n) == x[:n].sum()
    zeros = np.full(9, -0.0)
    assert np.signbit(zeros.sum()) == np.signbit(pairwise_sum(zeros))
    assert pairwise_sum(np.empty(0)) == 0.0


def test_a_plain_loop_would_not_do():
    """The check above can fail: a loop's total differs from numpy's for most lengths."""
    x = np.random.default_rng(9).standard_normal(1000)
    loop = 0.0
    for v in x:
        loop += v
    assert loop != x.sum()
