"""Each mechanism on tiny hand-built cases: the direction of its effect, in isolation."""

import numpy as np

from wingsim import WingModel, default_scenario
from wingsim.network import TieLayer
from wingsim.submodels.staff_contact import StaffContacts


def _tiny(regime="dispersal", **overrides):
    base = {
        "establishment.wings": 1,
        "establishment.wing_capacity": 20,
        "establishment.occupancy": 1.0,
        "chaplaincy.chaplains": 0,
    }
    base.update(overrides)
    return WingModel(default_scenario(regime).with_overrides(base), rng=1)


def _staff_contacts_only(model, fairness):
    model.staff.fairness[:] = fairness
    model.staff.stress[:] = 0
    model.prisoners.trust_in_staff[:] = 0.5
    model.prisoners.opposition[:] = 0.0
    model.prisoners.labelled[:] = False
    StaffContacts(model).step()
    return model.prisoners.trust_in_staff[model.prisoners.active]


def test_fair_staff_contact_raises_trust():
    m = _tiny(**{"establishment.security_intensity": 0.0, "staff.staff_ratio": 0.5})
    trust = _staff_contacts_only(m, fairness=1.0)
    assert trust.mean() > 0.5


def test_hostile_staff_contact_lowers_trust():
    m = _tiny(**{"establishment.security_intensity": 1.0, "staff.staff_ratio": 0.5})
    trust = _staff_contacts_only(m, fairness=0.0)
    assert trust.mean() < 0.5


def test_special_unit_placement_adds_label():
    m = _tiny("containment", **{"establishment.special_unit_capacity": 10})
    p = m.prisoners
    slot = int(np.flatnonzero(p.active & (p.unit != m.units.special))[0])
    p.category[slot] = 3
    p.labelled[slot] = False
    p.assessed_risk[slot] = 0.9
    m.placement.review(np.array([slot]))
    assert p.unit[slot] == m.units.special and p.labelled[slot]


def test_exit_criteria_release_from_special_unit_only_when_enabled():
    for exit_criteria in (True, False):
        m = _tiny(
            "combination",
            **{"establishment.special_unit_capacity": 10, "regime.exit_criteria": exit_criteria},
        )
        p = m.prisoners
        on_unit = np.flatnonzero(p.active & (p.unit == m.units.special))
        slot = int(on_unit[0]) if on_unit.size else int(np.flatnonzero(p.active)[0])
        p.unit[slot] = m.units.special
        p.low_assessments[slot] = 5
        p.assessed_risk[slot] = 0.0
        m.placement.review(np.array([slot]))
        assert (p.unit[slot] != m.units.special) == exit_criteria


def test_assessment_error_shrinks_with_knowledge():
    m = _tiny(**{"assessment.noise": 0.3})
    p = m.prisoners
    slots = np.flatnonzero(p.active)
    p.reports[:] = 0
    errs = {}
    for k in (0.0, 1.0):
        p.knowledge[:] = k
        e = []
        rng = np.random.default_rng(0)
        for _ in range(200):
            m.submodels["assessment"].assess(slots, rng)
            e.append(p.assessed_risk[slots] - p.extremism[slots])
        errs[k] = np.abs(np.concatenate(e)).mean()
    assert errs[1.0] < 0.6 * errs[0.0]


def test_untrained_staff_over_report_observance():
    reports = {}
    for training in (0.0, 1.0):
        m = _tiny(**{"staff.training": training, "staff.staff_ratio": 0.5})
        m.prisoners.reports[:] = 0
        m.prisoners.observance[:] = 1.0
        for _ in range(10):
            StaffContacts(m).step()
        reports[training] = m.prisoners.reports.sum()
    assert reports[0.0] > 0 and reports[1.0] < reports[0.0]


def test_ties_strengthen_with_contact_and_decay_without():
    t = TieLayer(5)
    a, b = np.array([0, 0, 3]), np.array([1, 1, 4])
    t.add(a, b, np.array([0.2, 0.2, 0.1]))
    assert np.isclose(t.strength(np.array([1]), np.array([0]))[0], 0.4)
    t.add(np.array([0]), np.array([1]), np.array([-0.5]))
    assert np.isclose(t.strength(np.array([0]), np.array([1]))[0], 0.2)
    for _ in range(60):
        t.decay(0.05)
    assert len(t) == 0


def test_grievance_is_hardship_times_illegitimacy():
    m = _tiny()
    p = m.prisoners
    p.legitimacy[:] = 1.0
    from wingsim.submodels.grievance import Grievance

    g = Grievance(m)
    g.step()
    high_legit = p.grievance[p.active].mean()
    p.legitimacy[:] = 0.0
    g.step()
    assert p.grievance[p.active].mean() > high_legit


def test_chaplain_in_risk_assessment_erodes_trust_in_chaplain():
    out = {}
    for flag in (False, True):
        m = _tiny(**{"chaplaincy.chaplains": 2, "chaplaincy.in_risk_assessment": flag})
        m.run_for(60)
        out[flag] = m.prisoners.trust_in_chaplain[m.prisoners.active].mean()
    assert out[True] < out[False]
