"""Rows in unit order (``run.slot_order_days``): a renumbering of rows, nothing else.

Renumbering must move every prisoner's whole state, ties and Mesa view with them, so a
model just renumbered is the same model seen in another row order; and a run that
renumbers must stay reproducible and keep the daily invariants.
"""

from dataclasses import fields

import numpy as np

from wingsim import Leader, Prisoner, WingModel, default_scenario, kernels

SMALL_AND_RENUMBERED = {"run.slot_order_days": 7}


def by_person(model: WingModel) -> tuple[dict, set, dict]:
    """Everything about the prisoners, keyed by uid instead of row."""
    p = model.prisoners
    rows = np.flatnonzero(p.active)
    uid = p.uid
    state = {
        f.name: dict(zip(uid[rows].tolist(), getattr(p, f.name)[rows].tolist(), strict=True))
        for f in fields(p)
    }
    lo, hi = model.ties.ends
    a, b = uid[lo], uid[hi]
    ties = set(
        zip(
            np.minimum(a, b).tolist(),
            np.maximum(a, b).tolist(),
            model.ties.weight.tolist(),
            strict=True,
        )
    )
    views = {
        int(uid[agent.slot]): agent
        for cls in (Prisoner, Leader)
        for agent in model.agents_by_type.get(cls, [])
    }
    return state, ties, views


def test_renumbering_moves_every_field_tie_and_view_with_its_prisoner():
    model = WingModel(default_scenario("containment"), rng=3)
    model.run_for(40)
    model.ties.strength_by_node()  # cached: must be renumbered too
    before = by_person(model)
    model.order_slots_by_unit()
    after = by_person(model)
    assert before[0] == after[0]
    assert before[1] == after[1] and len(before[1]) > 1000
    assert before[2] == after[2] and len(after[2]) == model.prisoners.active.sum()

    p = model.prisoners
    n_active = int(p.active.sum())
    assert p.active[:n_active].all() and not p.active[n_active:].any()
    assert np.all(np.diff(p.unit[:n_active]) >= 0)
    keys = model.ties.keys
    assert np.all(np.diff(keys) > 0) and np.all(model.ties.lo < model.ties.hi)
    lo, hi = model.ties.ends
    expected = kernels.tie_node_sum(lo, hi, model.ties.weight, p.n)
    np.testing.assert_allclose(model.ties.strength_by_node(), expected, rtol=1e-12)


def test_a_renumbering_run_is_reproducible_and_keeps_the_invariants():
    scenario = default_scenario("dispersal").with_overrides(SMALL_AND_RENUMBERED)
    runs = []
    for _ in range(2):
        model = WingModel(scenario, rng=5)
        for _day in range(60):
            model.step()
            p = model.prisoners
            lo, hi = model.ties.ends
            assert np.all(p.active[lo]) and np.all(p.active[hi])
            assert all(p.active[a.slot] for a in model.agents_by_type.get(Prisoner, []))
        runs.append(model.timeseries())
    assert runs[0].equals(runs[1])
    plain = WingModel(default_scenario("dispersal"), rng=5)
    plain.run_for(60)
    # Another equally likely run, not the same one: the per-row draws fall to others.
    assert not plain.timeseries().equals(runs[0])
    assert plain.timeseries()["population"].equals(runs[0]["population"])
