"""Who arrives: every trait drawn at arrival is drawn per prisoner, with the stated mean."""

from __future__ import annotations

import numpy as np

from wingsim.model import WingModel
from wingsim.scenario import default_scenario


def test_traits_are_drawn_per_prisoner():
    """A draw made once per batch would give a whole batch (the first population of a
    run, or a day's arrivals) one value; each trait must differ between prisoners."""
    m = WingModel(default_scenario(), rng=3)
    p = m.prisoners
    act = p.active
    for name in ("extremism", "uncertainty", "vulnerability", "observance", "opposition"):
        values = getattr(p, name)[act]
        assert np.unique(values).shape[0] > act.sum() // 2, name


def test_vulnerability_has_the_scenario_mean():
    """``v ~ Beta(2 vm / (1 - vm), 2)`` has mean ``vm``: the first population's mean is
    within four standard errors of it, for two means."""
    for vm in (0.3, 0.6):
        sc = default_scenario().with_overrides({"population.vulnerability_mean": vm})
        p = WingModel(sc, rng=5).prisoners
        v = p.vulnerability[p.active]
        assert abs(v.mean() - vm) < 4 * v.std() / np.sqrt(v.shape[0]), vm
