"""Opinion-dynamics kernels shared by the wing model and the docking experiments.

The wing's influence mechanism (``submodels/contacts.py``) and the stand-alone
docking models (``wingsim.validation``) call the same functions, so a docking
result is evidence about the code the wing actually runs.

All kernels are vectorised over a batch of interacting pairs ``(a, b)``. Within a
batch an agent may appear several times; updates are accumulated and applied
together (synchronous), which is exact when the pairs are disjoint (a random
matching, as the docking runs use).
"""

from __future__ import annotations

import numpy as np


def relative_agreement(
    x: np.ndarray,
    u: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    mu: float | np.ndarray,
    *,
    weight_ab: float | np.ndarray = 1.0,
    weight_ba: float | np.ndarray = 1.0,
) -> None:
    """Apply the relative agreement update (Deffuant et al. 2002) in place, both ways.

    For a pair (i, j), the overlap ``h = min(x_i+u_i, x_j+u_j) - max(x_i-u_i, x_j-u_j)``.
    If ``h > u_j``, j influences i: ``x_i += mu (h/u_j - 1)(x_j - x_i)`` and
    ``u_i += mu (h/u_j - 1)(u_j - u_i)``; symmetrically for i influencing j.
    ``weight_ab`` scales b's influence on a (status, charisma); ``weight_ba`` the reverse.
    """
    xa, xb, ua, ub = x[a], x[b], u[a], u[b]
    h = np.minimum(xa + ua, xb + ub) - np.maximum(xa - ua, xb - ub)
    # b -> a
    ra = np.where(h > ub, h / ub - 1.0, 0.0) * mu * weight_ab
    # a -> b
    rb = np.where(h > ua, h / ua - 1.0, 0.0) * mu * weight_ba
    n = x.shape[0]
    dx = np.bincount(a, ra * (xb - xa), n) + np.bincount(b, rb * (xa - xb), n)
    du = np.bincount(a, ra * (ub - ua), n) + np.bincount(b, rb * (ua - ub), n)
    x += dx
    u += du


def bounded_confidence(
    x: np.ndarray, a: np.ndarray, b: np.ndarray, mu: float, epsilon: float
) -> None:
    """Deffuant-Weisbuch bounded confidence, in place: pairs closer than epsilon converge by mu."""
    xa, xb = x[a], x[b]
    close = np.abs(xa - xb) < epsilon
    d = np.where(close, mu * (xb - xa), 0.0)
    n = x.shape[0]
    x += np.bincount(a, d, n) - np.bincount(b, d, n)


def hegselmann_krause_step(x: np.ndarray, epsilon: float) -> np.ndarray:
    """One synchronous Hegselmann-Krause (2002) update on a complete graph.

    Each agent moves to the mean opinion of all agents within epsilon of it
    (itself included). Sorting makes it O(n log n): the neighbours of a sorted
    opinion form a contiguous window found with ``searchsorted``.
    """
    order = np.argsort(x, kind="stable")
    xs = x[order]
    csum = np.concatenate(([0.0], np.cumsum(xs)))
    lo = np.searchsorted(xs, xs - epsilon, side="left")
    hi = np.searchsorted(xs, xs + epsilon, side="right")
    new_sorted = (csum[hi] - csum[lo]) / (hi - lo)
    out = np.empty_like(x)
    out[order] = new_sorted
    return out


def random_matching(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A uniformly random matching of ``n`` agents into ``n // 2`` disjoint pairs."""
    perm = rng.permutation(n)
    half = n // 2
    return perm[:half], perm[half : 2 * half]
