"""The one 95% t-interval: known numbers, its edge cases, and who uses it."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wingsim.experiments.stats import t_half_width, t_interval
from wingsim.patterns import paired

ROOT = Path(__file__).resolve().parents[1]


def test_known_numbers():
    n, m, lo, hi = t_interval([1.0, 2.0, 3.0])
    assert (n, m) == (3, 2.0)
    assert hi - m == pytest.approx(4.302652729911275 / np.sqrt(3))
    assert m - lo == pytest.approx(hi - m)


def test_too_few_values_give_nan_bounds_and_non_finite_values_are_dropped():
    assert np.isnan(t_interval([])[1])
    n, m, lo, hi = t_interval([2.0, np.nan])
    assert (n, m) == (1, 2.0) and np.isnan(lo) and np.isnan(hi)
    assert t_interval([1.0, np.inf, 2.0, 3.0]) == t_interval([1.0, 2.0, 3.0])


def test_grouped_half_widths_equal_the_scalar_interval():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"g": rng.integers(0, 5, 60), "x": rng.normal(size=60)})
    df.loc[df.index[-1], "g"] = 9  # a group of one: NaN
    out = df.groupby("g")["x"].agg(["count", "mean", "std"])
    half = t_half_width(out["std"], out["count"])
    for (_, x), h in zip(df.groupby("g")["x"], half, strict=True):
        n, m, lo, hi = t_interval(x)
        if n < 2:
            assert np.isnan(h) and np.isnan(hi)
        else:
            assert hi - m == pytest.approx(h, rel=1e-12)
    assert isinstance(t_half_width(1.0, 4), float)


def test_paired_is_the_interval_of_the_differences():
    a = [{"x": v} for v in (10.0, 20.0, 30.0)]
    b = [{"x": v} for v in (11.0, 21.2, 31.1)]
    p = paired(a, b, "x")
    n, m, lo, hi = t_interval(np.array([11.0, 21.2, 31.1]) - np.array([10.0, 20.0, 30.0]))
    assert (p.n, p.diff, p.lo, p.hi) == (n, m, lo, hi)
    assert p.diff == pytest.approx(1.1) and p.lo > 0  # pairing removes the shared spread
    assert (p.mean_a, p.mean_b) == (20.0, pytest.approx(21.1))


def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text())


def test_only_wingsim_stats_computes_a_t_quantile():
    """Other modules, scripts and benchmarks call wingsim.experiments.stats (tests may check)."""
    files = [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "scripts").glob("*.py"),
        *(ROOT / "benchmarks").glob("*.py"),
    ]
    users = sorted(
        str(p.relative_to(ROOT))
        for p in files
        if any(isinstance(n, ast.Attribute) and n.attr == "ppf" for n in ast.walk(_tree(p)))
    )
    assert users == ["src/wingsim/experiments/stats.py"]
