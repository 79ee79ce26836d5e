"""The release and intake days' shortcuts: each gives what the longer way gives."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from wingsim import kernels
from wingsim.model import WingModel
from wingsim.state import Holding, Prisoners
from wingsim.streams import beta_draws, binomial_draws, poisson_draws
from wingsim.submodels.resettlement import gate_plans


def _filled_holding(n: int) -> Holding:
    m = WingModel(rng=3)
    h = Holding.empty()
    rows = h.append(n)
    h.person.fill(rows, np.random.default_rng(5), m.config, np.arange(100, 100 + n), 0)
    return h


def _rows(p: Prisoners, n: int) -> dict[str, np.ndarray]:
    return {f.name: getattr(p, f.name)[:n].copy() for f in fields(p)}


@pytest.mark.parametrize("k", [1, 3, 7])
def test_removing_the_first_rows_moves_the_rest_up(k):
    h = _filled_holding(7)
    before = _rows(h.person, 7)
    h.remove(np.arange(k))
    assert h.size == 7 - k
    after = _rows(h.person, h.size)
    for name, column in before.items():
        np.testing.assert_array_equal(after[name], column[k:], err_msg=name)


def test_removing_other_rows_keeps_the_order():
    h = _filled_holding(6)
    before = _rows(h.person, 6)
    h.remove(np.array([1, 4]))
    after = _rows(h.person, h.size)
    for name, column in before.items():
        np.testing.assert_array_equal(after[name], column[[0, 2, 3, 5]], err_msg=name)


def test_copy_rows_takes_slices_as_index_arrays():
    h = _filled_holding(5)
    a, b = Prisoners.empty(9), Prisoners.empty(9)
    a.copy_rows(np.array([4, 6, 7]), h.person, np.arange(1, 4))
    b.copy_rows(np.array([4, 6, 7]), h.person, slice(1, 4))
    c = Prisoners.empty(9)
    c.copy_rows(slice(4, 7), h.person, np.arange(1, 4))
    for f in fields(a):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name))
        np.testing.assert_array_equal(getattr(c, f.name)[4:7], getattr(a, f.name)[[4, 6, 7]])


@pytest.mark.parametrize("k", [1, 2, 4, 5, 30])
def test_beta_draws_are_numpys(k):
    params = np.random.default_rng(k)
    a, b = params.random(k) * 10 + 0.1, params.random(k) * 10 + 0.1
    ours, numpys = np.random.default_rng(9), np.random.default_rng(9)
    got = beta_draws(ours, a, b)
    np.testing.assert_array_equal(got, numpys.beta(a, b))
    assert got.dtype == np.float64 and got.shape == (k,)
    assert ours.random() == numpys.random()  # the stream is where numpy's would be


@pytest.mark.parametrize("k", [0, 1, 6, 8, 9, 30])
def test_poisson_draws_are_numpys(k):
    lam = np.random.default_rng(k).random(k) * np.array([0.3, 5.0, 40.0])[np.arange(k) % 3]
    lam[3::4] = 0.0  # a closed unit's rate
    ours, numpys = np.random.default_rng(9), np.random.default_rng(9)
    got = poisson_draws(ours, lam)
    np.testing.assert_array_equal(got, numpys.poisson(lam))
    assert got.dtype == np.int64 and got.shape == (k,)
    assert ours.random() == numpys.random()  # the stream is where numpy's would be


@pytest.mark.parametrize("k", [0, 1, 6, 8, 9, 30])
def test_binomial_draws_are_numpys(k):
    rng = np.random.default_rng(k)
    n = rng.poisson(0.8, k) * np.array([1, 1, 60])[np.arange(k) % 3]  # zeros, few, many
    p = rng.random(k) * (rng.random(k) < 0.9)  # some chances of 0
    ours, numpys = np.random.default_rng(9), np.random.default_rng(9)
    got = binomial_draws(ours, n, p)
    np.testing.assert_array_equal(got, numpys.binomial(n, p))
    assert got.dtype == np.int64 and got.shape == (k,)
    assert ours.random() == numpys.random()  # the stream is where numpy's would be


def test_readmit_without_returners_or_places_takes_nobody():
    m = WingModel(rng=3)
    m.community.awaiting[:] = False
    assert m.readmit(np.arange(3)) == 0
    assert m.readmit(np.empty(0, np.int64)) == 0


def test_serving_everyone_waiting_matches_numpy():
    rng = np.random.default_rng(2)
    served, sentence = rng.integers(0, 30, 40), rng.integers(1, 32, 40)
    want = served.copy()
    want += 1
    done = np.flatnonzero(want >= sentence)
    got = kernels.serve_day(None, served, sentence)
    assert done.shape[0] > 0
    np.testing.assert_array_equal(got, done)
    np.testing.assert_array_equal(served, want)


def test_gate_plans_match_numpy():
    rng = np.random.default_rng(3)
    plan_days, rows = rng.integers(0, 300, 60), np.arange(10, 50)
    want = np.minimum(1.0, plan_days[rows] / 180.0)
    share = 0.3 + (1.0 - 0.3) * 0.75
    readiness, quality = np.zeros(60), np.zeros(60)
    got = gate_plans(rows, plan_days, 180.0, share, readiness, quality)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(readiness[rows], want)
    np.testing.assert_array_equal(quality[rows], want * share)
    assert (want == 1.0).any() and (want < 1.0).any()
