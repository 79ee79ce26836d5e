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
