"""A stay in prison: day counters, the unit's exit rule, returners' fresh start, the
assessment calendar, and a stream that switching another mechanism off leaves alone."""

from __future__ import annotations

import numpy as np

from wingsim import WingModel, default_scenario
from wingsim.submodels.placement import _concern_count, _occupancy


def test_days_on_the_unit_and_under_a_label_count_with_grievance_off():
    """The counters belong to the day, not to grievance: containment's "first entry"
    rule and status read them whichever mechanisms run."""
    sc = default_scenario("containment").with_overrides({"submodels.grievance": False})
    m = WingModel(sc, rng=3)
    m.run_for(60)
    p = m.prisoners
    on_unit = p.active & (p.unit == m.units.special)
    assert on_unit.sum() > 5
    assert (p.days_on_special_unit[on_unit] >= 1).all()
    assert (p.label_days[p.active & p.labelled] >= 1).all()


def test_only_assessments_on_the_unit_count_toward_leaving_it():
    sc = default_scenario("containment").with_overrides({"regime.exit_criteria": True})
    m = WingModel(sc, rng=1)
    p = m.prisoners
    slot = int(np.flatnonzero(p.active & (p.unit != m.units.special))[0])
    p.low_assessments[slot] = 5  # low assessments on a wing
    m.placement._to_special(slot, _occupancy(m), _concern_count(m))
    assert p.unit[slot] == m.units.special and p.low_assessments[slot] == 0


def test_a_returner_starts_a_new_stay():
    """Days on the unit and "radicalised in this stay" are of the stay (ODD 2): someone
    returned to custody comes back with neither, unless he comes back radical."""
    m = WingModel(default_scenario("containment"), rng=2)
    p = m.prisoners
    slots = np.flatnonzero(p.active)[:2]
    p.days_on_special_unit[slots] = 40
    p.radicalised[slots] = True
    p.radical[slots] = [True, False]
    rows = m.hand_over(slots)
    m.discharge(slots)
    m.return_to_custody(rows, 100)
    m.readmit(slots)
    assert p.active[slots].all() and p.readmitted[slots].all()
    assert (p.days_on_special_unit[slots] == 0).all()
    assert p.radicalised[slots].tolist() == [True, False]


def test_arrivals_waiting_for_a_place_keep_their_assessment_calendar_after_warm_up():
    sc = default_scenario().with_overrides({"run.warmup_days": 400})
    m = WingModel(sc, rng=1)
    h = m.holding
    assert h.size > 0  # returners hold places, so arrivals wait elsewhere
    interval = m.config.assessment.interval_days
    assert h.person.next_assessment[: h.size].max() <= interval
    assert m.prisoners.next_assessment[m.prisoners.active].max() <= interval


def test_switching_incidents_off_leaves_staffings_draws_alone():
    """Staffing draws from its own stream: with stress unable to matter, officers leave
    on the same days whether incidents run or not."""
    left = {}
    for on in (True, False):
        sc = default_scenario().with_overrides(
            {"submodels.incidents": on, "mechanisms.staffing.stress_attrition": 0.0}
        )
        m = WingModel(sc, rng=4)
        m.run_for(200)
        left[on] = m.timeseries()["staff_left"].to_numpy()
    assert left[True].sum() > 0
    np.testing.assert_array_equal(left[True], left[False])
