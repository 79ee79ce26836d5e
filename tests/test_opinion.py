import numpy as np

from wingsim.opinion import bounded_confidence, hegselmann_krause_step, relative_agreement


def test_relative_agreement_moves_uncertain_agent_toward_confident_one():
    x = np.array([0.0, 0.9])
    u = np.array([1.0, 0.1])
    relative_agreement(x, u, np.array([0]), np.array([1]), 0.5)
    assert x[0] > 0.0  # the uncertain agent moved toward the extremist
    assert x[1] == 0.9  # overlap 0.2 is not > u_0 = 1, so the extremist did not move
    assert u[0] < 1.0


def test_bounded_confidence_ignores_distant_pairs():
    x = np.array([0.0, 0.1, 0.9])
    bounded_confidence(x, np.array([0, 1]), np.array([1, 2]), 0.5, 0.2)
    assert np.isclose(x[0], 0.05) and np.isclose(x[1], 0.05 + 0.0)
    assert x[2] == 0.9


def test_hegselmann_krause_converges_to_consensus_with_wide_confidence():
    x = np.linspace(0, 1, 101)
    for _ in range(20):
        x = hegselmann_krause_step(x, 0.6)
    assert np.ptp(x) < 1e-9


def test_relative_agreement_batch_equals_pairwise_on_a_matching():
    """The docking runs rely on this: one batched call over disjoint pairs equals the
    pair-by-pair update of Deffuant et al. (2002), both agents using pre-interaction values."""
    from wingsim.opinion import random_matching

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, 40)
    u = np.where(rng.random(40) < 0.2, 0.1, 1.2)
    a, b = random_matching(40, rng)
    xb, ub = x.copy(), u.copy()
    relative_agreement(xb, ub, a, b, 0.3)
    for i, j in zip(a, b, strict=True):
        xi, xj, ui, uj = x[i], x[j], u[i], u[j]
        h = min(xi + ui, xj + uj) - max(xi - ui, xj - uj)
        if h > uj:  # j influences i
            x[i] += 0.3 * (h / uj - 1) * (xj - xi)
            u[i] += 0.3 * (h / uj - 1) * (uj - ui)
        if h > ui:  # i influences j
            x[j] += 0.3 * (h / ui - 1) * (xi - xj)
            u[j] += 0.3 * (h / ui - 1) * (ui - uj)
    np.testing.assert_allclose(xb, x)
    np.testing.assert_allclose(ub, u)
