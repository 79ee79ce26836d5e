"""A shipped scenario pair meant to compare a lever shows a difference on its own horizon."""

from __future__ import annotations

from wingsim import load_scenario
from wingsim.patterns import replicate


def test_exit_criteria_pair_differs_on_its_horizon():
    """With exit criteria a resident can earn his way out within the files' three years;
    without, none do, and the runs differ. Exits are rare: only assessments made on the
    unit count toward leaving it, and residents' assessed risk there averages about 0.8
    against the exit threshold of 0.4 (0, 1 and 1 exits for seeds 1-3, measured
    2026-11-30), so the pair is checked over three seeds together."""
    pair = {
        name: load_scenario(name)
        for name in ("containment-with-exit-criteria", "containment-no-exit-criteria")
    }
    days = {sc.run.days for sc in pair.values()}
    assert days == {1095}
    runs = replicate(pair, seeds=[1, 2, 3], days=1095, workers=2)
    with_exits = runs["containment-with-exit-criteria"]
    without = runs["containment-no-exit-criteria"]
    assert sum(r["total_unit_exits"] for r in with_exits) > 0
    assert all(r["total_unit_exits"] == 0 for r in without)
    assert any(
        a["mean_extremism_veo"] != b["mean_extremism_veo"]
        for a, b in zip(with_exits, without, strict=True)
    )
