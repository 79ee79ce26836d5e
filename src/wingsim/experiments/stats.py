"""The project's one 95% t-interval, for a mean and for a paired difference.

Replications are independent runs, so a t-interval is the honest 95% CI for a mean.
Replication ``i`` of every scenario shares its seed (common random numbers), so two
scenarios are compared *paired*: the interval of the per-replication differences
``b - a``, which is :func:`t_interval` of those differences. Comparisons
(:mod:`wingsim.experiments.analysis`), the Table 2 checks (:mod:`wingsim.patterns`) and
the robustness analysis (:mod:`wingsim.validation.robustness`) all call this module.
Free of the model (numpy and scipy only), so it imports in a blink.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

#: Two-sided 95%: the t quantile used everywhere.
QUANTILE = 0.975


def t_half_width(std, n):
    """Half-width of the 95% t-interval of a mean, from the sample sd (ddof=1) and size.

    Elementwise on arrays or Series (per-group summaries); NaN where ``n < 2``. Returns a
    float for scalar input.
    """
    n = np.asarray(n)
    tcrit = stats.t.ppf(QUANTILE, np.maximum(n - 1, 1))
    half = np.where(n > 1, tcrit * np.asarray(std, dtype=float) / np.sqrt(n), np.nan)
    return float(half) if half.ndim == 0 else half


def t_interval(x) -> tuple[int, float, float, float]:
    """(n, mean, low, high): the mean of the finite values of ``x`` and its 95% t-interval.

    NaN bounds if fewer than two values (NaN mean too if none). For a paired difference
    pass the per-pair differences, ``t_interval(b - a)``.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    n = x.shape[0]
    if n == 0:
        return 0, float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if n < 2:
        return n, m, float("nan"), float("nan")
    half = t_half_width(x.std(ddof=1), n)
    return n, m, m - half, m + half
