"""Invariants that must hold every day, under every regime."""

import numpy as np
import pytest

from wingsim import Leader, Prisoner, ReleasedPerson, WingModel, default_scenario
from wingsim.state import Place

STATE_IN_UNIT_RANGE = (
    "extremism",
    "trust_in_staff",
    "trust_in_chaplain",
    "legitimacy",
    "wellbeing",
    "grievance",
    "opposition",
    "status",
    "knowledge",
    "assessed_risk",
    "vulnerability",
)


@pytest.mark.parametrize("regime", ["dispersal", "containment", "combination"])
def test_daily_invariants(regime):
    m = WingModel(default_scenario(regime), rng=21)
    p, units = m.prisoners, m.units
    n0 = int(p.active.sum())
    for _ in range(150):
        m.step()
        act = p.active
        # Population conserved across intake and release.
        assert m.today["population"] == n0
        # State in range.
        for name in STATE_IN_UNIT_RANGE:
            v = getattr(p, name)[act]
            assert np.all((v >= 0) & (v <= 1)), name
        assert np.all((p.uncertainty[act] > 0) & (p.uncertainty[act] <= 1))
        # Everyone is on an open unit, within capacity where capacity binds.
        assert np.all(p.unit[act] >= 0) and np.all(units.open[p.unit[act]])
        occ = np.bincount(p.unit[act], minlength=units.n)
        assert occ[units.special] <= units.capacity[units.special]
        # Special-unit residents carry the label.
        assert np.all(p.labelled[act & (p.unit == units.special)])
        # No contact across units that cannot meet.
        a, b, unit_a, unit_b = m.last_meetings
        assert np.all((unit_a >= 0) & (unit_b >= 0)) and np.all(a != b)
        assert np.all(units.can_meet[unit_a, unit_b])
        # Ties only between current prisoners, strengths in (0, 1].
        lo, hi = m.ties.ends
        assert np.all(act[lo]) and np.all(act[hi]) and np.all(lo < hi)
        assert np.all((m.ties.weight > 0) & (m.ties.weight <= 1))
        # Mesa agent views match occupied slots.
        views = sum(len(m.agents_by_type.get(c, [])) for c in (Prisoner, Leader))
        assert views == act.sum() == n0 - m.today["released"]
    if regime == "dispersal":
        assert occ[units.special] == 0


def test_no_veo_meets_mainstream_under_containment_when_unit_has_room():
    sc = default_scenario("containment").with_overrides(
        {"establishment.special_unit_capacity": 200}
    )
    m = WingModel(sc, rng=4)
    for _ in range(30):
        m.step()
        a, b, _, _ = m.last_meetings
        cat = m.prisoners.category
        assert not np.any(((cat[a] >= 2) & (cat[b] == 0)) | ((cat[b] >= 2) & (cat[a] == 0)))


@pytest.mark.parametrize("regime", ["dispersal", "containment"])
def test_everyone_is_in_exactly_one_place(regime):
    """Every person ever drawn is in one place: a prison place, waiting for one, in the
    community, back in custody waiting for a place, or past the horizon. Nobody is lost."""
    sc = default_scenario(regime).with_overrides(
        {
            "establishment.wings": 2,
            "establishment.wing_capacity": 60,
            "population.sentence_days_other": 90.0,
            "population.sentence_days_veo": 120.0,
            "population.veo_violent_share": 0.1,
            "probation.horizon_days": 120,
            "mechanisms.supervision.recall_days": 40,
        }
    )
    m = WingModel(sc, rng=12)
    released = 0
    for _ in range(300):
        m.step()
        released += m.today["released"]
        p, c, h = m.prisoners, m.community, m.holding
        n = c.size
        assert n == released  # one ledger row per release, from a place or from waiting
        everyone = np.arange(m._next_uid["prisoner"])
        latest = c.rows_of(everyone)
        ever = latest >= 0
        place = np.where(ever, c.place[np.maximum(latest, 0)], -1)
        where = (
            np.isin(everyone, p.uid[p.active]).astype(int)
            + np.isin(everyone, h.person.uid[: h.size])
            + (ever & (place == Place.COMMUNITY))
            + (ever & c.awaiting[np.maximum(latest, 0)])
            + (ever & (place == Place.PAST_HORIZON))
        )
        assert (where == 1).all(), everyone[where != 1]
        # Back in custody means waiting or holding a place.
        back = ever & (place == Place.RETURNED)
        in_prison = np.isin(everyone, p.uid[p.active & p.readmitted])
        assert (back == (in_prison | (ever & c.awaiting[np.maximum(latest, 0)]))).all()
        assert len(m.agents_by_type.get(ReleasedPerson, [])) == m.today["community_population"]
    assert c.episode[:n].max() > 1 and (c.place[:n] == Place.PAST_HORIZON).any()
