"""The two-sided regime mechanisms on tiny hand-built cases (issue: a defensible comparison).

Like-for-like resources, security that protects as well as costs, labels with
consequences that outlast placement, status granted by an audience, specialists who
still single people out, less often.
"""

from __future__ import annotations

import numpy as np

from wingsim import WingModel, default_scenario
from wingsim.submodels import labelling
from wingsim.submodels.contacts import PrisonerContacts
from wingsim.submodels.incidents import Incidents
from wingsim.submodels.staff_contact import StaffContacts
from wingsim.submodels.status import Status


def _model(regime="dispersal", seed=1, **overrides):
    return WingModel(default_scenario(regime).with_overrides(overrides), rng=seed)


def test_like_for_like_places_and_posts_are_equal_across_regimes():
    counts = {}
    for regime in ("dispersal", "containment", "combination"):
        m = _model(regime)
        counts[regime] = (int(m.units.capacity[m.units.open].sum()), m.staff.n)
    assert len(set(counts.values())) == 1, counts
    added = _model("containment", **{"regime.resources": "added"})
    places, posts = int(added.units.capacity.sum()), added.staff.n
    assert (places, posts) == (counts["dispersal"][0] + 28, counts["dispersal"][1] + 14)
    extra = _model(**{"establishment.extra_places": 28, "staff.extra_posts": 14})
    assert (int(extra.units.capacity[extra.units.open].sum()), extra.staff.n) == (places, posts)


def _one_unit_pair(security: float, interception: float) -> float:
    """A moderate meets an extremist many times; returns the moderate's extremism after."""
    m = _model(
        **{
            "establishment.security_intensity": security,
            "mechanisms.prisoner_contacts.monitoring_interception": interception,
        }
    )
    p = m.prisoners
    a, b = np.flatnonzero(p.active)[:2]
    contacts = PrisonerContacts(m)
    # Hand-built meetings (none along ties: no tie rows).
    contacts.meetings = lambda: (np.full(50, a), np.full(50, b), np.empty(0, np.int64))
    p.opposition[[a, b]] = 0.0  # no hostility
    p.extremism[[a, b]] = (0.3, 0.7)
    p.predisposition[[a, b]] = (0.3, 0.7)
    p.uncertainty[[a, b]] = (0.5, 0.5)
    p.trust_in_staff[[a, b]] = 0.0
    contacts.step()
    return float(p.extremism[a])


def test_close_monitoring_cuts_recruitment_pulls():
    open_wing = _one_unit_pair(security=0.0, interception=0.5)
    watched = _one_unit_pair(security=1.0, interception=0.5)
    no_lever = _one_unit_pair(security=1.0, interception=0.0)
    assert 0.3 < watched < open_wing
    assert no_lever == open_wing


def _incidents(security: float, effect: float, days: int = 400) -> int:
    m = _model(
        **{
            "establishment.security_intensity": security,
            "mechanisms.incidents.monitoring_incident_effect": effect,
            "mechanisms.incidents.incident_base": 0.5,
        }
    )
    step = Incidents(m)
    total = 0
    for _ in range(days):
        m.day_counts.clear()
        m.units.lockdown[:] = 0.0
        step.step()
        total += m.day_counts["incidents"]
    return total


def test_security_lowers_incidents():
    assert _incidents(0.9, 1.0) < 0.7 * _incidents(0.0, 1.0)
    assert abs(_incidents(0.9, 0.0) - _incidents(0.0, 0.0)) < 0.25 * _incidents(0.0, 0.0)


def test_label_lowers_programme_access():
    m = _model(**{"mechanisms.grievance.label_activity_exclusion": 0.5})
    p = m.prisoners
    p.labelled[:] = False
    slots = np.flatnonzero(p.active)[:2]
    p.labelled[slots[0]] = True
    access = labelling.programme_access(p, m.units.activity_access, 0.5)
    assert access[slots[0]] == 0.5 * access[slots[1]] > 0


def test_label_outlasts_placement():
    """A resident who leaves the unit keeps its label until enough clear assessments."""
    m = _model("containment", **{"assessment.label_removal_assessments": 2})
    p = m.prisoners
    slot = np.flatnonzero(p.active & (p.unit == m.units.special))[:1]
    assert p.labelled[slot].all()
    p.unit[slot] = 0  # back on a wing
    low = np.array([0.1])
    labelling.label_assessed(p, slot, low, 0.55, m.units.special, 2)
    assert p.labelled[slot].all()  # one clear assessment: still labelled
    labelling.label_assessed(p, slot, low, 0.55, m.units.special, 2)
    assert not p.labelled[slot].any()  # two: lifted


def test_unit_status_depends_on_the_audience():
    m = _model("containment", **{"mechanisms.status.special_unit_status": 0.5})
    p = m.prisoners
    resident = int(np.flatnonzero(p.active & (p.unit == m.units.special))[0])
    p.days_on_special_unit[resident] = 30
    status = Status(m)
    peer = int(np.flatnonzero(p.active & (np.arange(p.n) != resident))[0])
    assert len(m.ties) == 0  # runs start with no ties
    m.ties.add(np.array([resident]), np.array([peer]), np.array([1.0]))
    seen = {}
    for opposition in (0.9, 0.1):
        p.opposition[peer] = opposition
        status.step()
        seen[opposition] = float(p.status[resident])
    p.days_on_special_unit[resident] = 0
    status.step()
    unmarked = float(p.status[resident])
    assert seen[0.1] < unmarked < seen[0.9]


def _singled_out(training_level: int, restraint: float) -> float:
    m = _model(
        **{
            "mechanisms.staff_contacts.training_restraint": restraint,
            "mechanisms.staff_contacts.label_hostility": 1.0,
            "establishment.security_intensity": 0.0,
        }
    )
    p, s = m.prisoners, m.staff
    s.training[:] = training_level
    s.fairness[:] = 1.0
    s.stress[:] = 0.0
    p.labelled[:] = p.active
    p.opposition[:] = 0.0
    m.day_counts.clear()
    contacts = StaffContacts(m)
    for _ in range(5):
        contacts.step()
    return m.day_counts["hostile_staff_contacts"] / m.day_counts["staff_contacts"]


def test_specialists_single_out_less_but_still_do():
    untrained = _singled_out(0, 0.8)
    specialist = _singled_out(2, 0.8)
    assert 0.0 < specialist < 0.5 * untrained
    assert _singled_out(2, 0.0) > 0.8 * untrained
