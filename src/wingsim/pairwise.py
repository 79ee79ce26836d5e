"""numpy's float sum, compiled: ``ndarray.sum()`` of a 1-d float64 array, to the bit.

numpy adds a contiguous float64 array by pairwise summation (blocks of at most 128
values, each added in eight interleaved running sums, halves added recursively), not in
a plain loop, so a kernel that summed in a loop would give other bits than the numpy
code it replaced. :func:`pairwise_sum` does numpy's additions in numpy's order, so a
kernel can return a total instead of handing an array back to Python for ``.sum()``
(a microsecond or two a call, dozens of calls a day). ``tests/test_pairwise.py`` checks
it against ``ndarray.sum()`` on every length up to 2,000 and some far longer.
"""

from __future__ import annotations

import numpy as np

from wingsim.kernels import compiled

_BLOCK = 128  # numpy's PW_BLOCKSIZE: the longest run added without splitting


@compiled
def _block(a, start, n):
    """numpy's sum of a run of at most 128 values: fewer than eight in a plain loop, else
    eight interleaved running sums added as a tree, then the tail."""
    if n < 8:
        total = -0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = start + 8
    whole = start + n - n % 8
    while i < whole:
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < start + n:
        total += a[i]
        i += 1
    return total


@compiled
def _pairwise(a, start, n):
    """numpy's ``pairwise_sum`` of ``a[start:start + n]``: runs longer than 128 are split
    in two (the first half a multiple of eight long) and the halves' sums added.

    numpy recurses; this walks the same tree with a stack of its own (a recursive kernel
    compiled, cached and called from another module's kernel fails to link in numba).
    """
    if n <= _BLOCK:
        return _block(a, start, n)
    depth = 64  # halving from 2**63 values reaches 128 in fewer steps
    starts = np.empty(depth, np.int64)
    lengths = np.empty(depth, np.int64)
    stage = np.empty(depth, np.int64)  # 0 new, 1 left half pending, 2 right half pending
    left = np.empty(depth)
    top = 0
    starts[0], lengths[0], stage[0] = start, n, 0
    while True:
        s, m = starts[top], lengths[top]
        if m > _BLOCK:  # split: the left half first
            half = m // 2
            half -= half % 8
            stage[top] = 1
            top += 1
            starts[top], lengths[top], stage[top] = s, half, 0
            continue
        total = _block(a, s, m)
        top -= 1
        while top >= 0:  # hand the finished sum to the frames waiting for it
            if stage[top] == 1:  # a left half: keep it, do the right one
                left[top] = total
                stage[top] = 2
                half = lengths[top] // 2
                half -= half % 8
                s, m = starts[top] + half, lengths[top] - half
                top += 1
                starts[top], lengths[top], stage[top] = s, m, 0
                break
            total = left[top] + total  # a right half: the frame's sum is done
            top -= 1
        if top < 0:
            return total


@compiled
def pairwise_sum(a):
    """``a.sum()`` for a 1-d float64 array, with numpy's bits: the reduction starts from
    0.0 and adds the pairwise total."""
    return 0.0 + _pairwise(a, 0, a.shape[0])


@compiled
def pairwise_head_sum(a, n):
    """``a[:n].sum()`` (the first ``n`` values: a kernel's gathered values), numpy's bits.
    (Its own function, not an optional argument of :func:`pairwise_sum`: called with
    the argument omitted, that compiled to a crash.)"""
    return 0.0 + _pairwise(a, 0, n)
