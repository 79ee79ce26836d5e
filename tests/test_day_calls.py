"""Kernels that bundle a day's calls of a submodel (or of the metrics) into one.

Each bundle only chains kernels that are checked against numpy elsewhere, writing into
buffers instead of handing arrays back; these tests check a bundle gives the bits of its
kernels called one by one, as the code called them before.
"""

from __future__ import annotations

import numpy as np
import pytest

from wingsim import outcomes
from wingsim.model import WingModel
from wingsim.state import Training
from wingsim.submodels import (
    assessment,
    chaplaincy,
    grievance,
    interventions,
    labelling,
    staff_contact,
)


def _bits(a) -> np.ndarray:
    """The bytes of ``a`` (NaNs compare equal when their bits are)."""
    return np.ascontiguousarray(a).view(np.uint8)


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(_bits(a), _bits(b))


@pytest.mark.parametrize("n", [0, 1, 60, 399])
def test_day_tallies_match_the_kernels_one_by_one(n):
    rng = np.random.default_rng(n)
    active = rng.random(n) < 0.85
    category = rng.integers(0, 4, n).astype(np.int8)
    attributes = tuple(rng.random(n) for _ in outcomes.AVERAGED[:-1])
    radical, labelled, leader = (rng.random(n) < share for share in (0.2, 0.3, 0.1))
    status, extremism = rng.random(n), rng.random(n)
    unit = rng.integers(0, 6, n).astype(np.int32)
    officer = rng.integers(-1, 4, n).astype(np.int32)
    is_special = np.arange(6) == 5
    prisoners = (
        active, category, attributes, radical, status, labelled, extremism, leader, unit,
        officer, 0.6, 0.5, 4, is_special, 2.5,
    )  # fmt: skip
    staff_active, training = rng.random(40) < 0.7, rng.integers(0, 3, 40).astype(np.int8)
    size, capacity = 90, 128
    place = rng.integers(0, 3, capacity).astype(np.int8)
    c_officer, mentor = (rng.integers(-1, 5, capacity).astype(np.int32) for _ in range(2))
    licence_end = rng.integers(0, 200, capacity)
    awaiting, housed, employed = (rng.random(capacity) < 0.4 for _ in range(3))
    support, strain, c_extremism, trust = (rng.random(capacity) for _ in range(4))
    community = (
        size, place, c_officer, licence_end, 100, mentor, awaiting, housed, employed, support,
        strain, c_extremism, trust,
    )  # fmt: skip
    counts = np.full(outcomes.N_COUNTS, -7, np.int64)
    values, veo, status_out = np.full(outcomes.N_VALUES, -7.0), np.ones(n, bool), np.ones(n)
    n_active = outcomes.day_tallies(
        *prisoners, 5, outcomes._MEAN_ATTRIBUTE, outcomes._MEAN_GROUP, staff_active, training,
        *community, counts, values, veo, status_out,
    )  # fmt: skip

    sums, by_category, tally, want_veo, want_status, totals, occupancy = outcomes.prisoner_sums(
        *prisoners
    )
    means = outcomes.group_means(sums, by_category, outcomes._MEAN_ATTRIBUTE, outcomes._MEAN_GROUP)
    c_tally, c_totals = outcomes.community_tally(*community)
    want_counts = [
        int(by_category.sum()), int(by_category[2] + by_category[3]), *tally.tolist(),
        int(occupancy[5]), *outcomes.staff_counts(staff_active, training), *c_tally.tolist(),
    ]  # fmt: skip
    assert counts.tolist() == want_counts and n_active == want_status.shape[0]
    assert _same(values, np.concatenate([means, totals, c_totals]))
    assert _same(veo, want_veo) and _same(status_out[:n_active], want_status)


def test_a_day_row_is_in_column_order_and_collected_as_mesa_did():
    model = WingModel(rng=3)
    rows = [dict(model.today)]
    for _ in range(4):
        model.step()
        assert tuple(model.today) == outcomes.COLUMNS
        rows.append(dict(model.today))
    table = model.datacollector
    assert table.model_vars == {c: [row[c] for row in rows] for c in outcomes.COLUMNS}
    model.step()  # rows collected after a read join the columns at the next read
    assert table.model_vars["day"] == [0, 1, 2, 3, 4, 5]
    assert table.get_model_vars_dataframe().shape == (6, len(outcomes.COLUMNS))


@pytest.mark.parametrize("blend", [False, True])
def test_contacts_of_day_match_the_kernels_one_by_one(blend):
    rng = np.random.default_rng(4 + blend)
    n, n_units, n_staff = 300, 6, 40
    unit = rng.integers(0, n_units, n)
    by_unit = np.argsort(unit, kind="stable")
    counts = np.bincount(unit, minlength=n_units)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    staff_unit, staff_active = rng.integers(0, n_units, n_staff), rng.random(n_staff) < 0.8
    officers = np.bincount(staff_unit[staff_active], minlength=n_units)
    n_unit = rng.poisson(60.0, n_units) * (officers > 0)
    r = rng.random((int(n_unit.sum()), 4))
    staff = (
        rng.integers(0, 3, n_staff).astype(np.int8), rng.random(n_staff), rng.random(n_staff),
        rng.random(n_units),
    )  # fmt: skip
    peer_sum, strength = rng.random(n) * 3, rng.random(n) * 4
    labelled, observance = rng.random(n) < 0.3, rng.random(n)
    k = np.concatenate([rng.uniform(0.1, 0.9, 6), [0.96, 0.92], rng.uniform(0.1, 0.9, 4)])
    state = [rng.random(n) for _ in range(4)] + [rng.integers(0, 5, n)]
    spec = int(Training.SPECIALIST)

    mine = [x.copy() for x in state]
    trust, legitimacy, opp, knowledge, reports = mine
    got = staff_contact.contacts_of_day(
        n_unit, staff_unit, staff_active, officers, r, by_unit, starts, counts, *staff, opp,
        peer_sum, strength, 0.8, blend, labelled, observance, trust, legitimacy, knowledge,
        reports, k, spec,
    )  # fmt: skip

    theirs = [x.copy() for x in state]
    trust, legitimacy, opp, knowledge, reports = theirs
    wu, obu, ostarts, officers = staff_contact.officers_by_unit(
        n_unit, staff_unit, staff_active, officers
    )
    seen = staff_contact._blend(opp, peer_sum, strength, 0.8) if blend else opp
    fair, hostile = staff_contact.staff_contact_day(
        wu, r, by_unit, starts, counts, obu, ostarts, officers, *staff, seen, labelled,
        observance, trust, legitimacy, opp, knowledge, reports, k, spec,
    )  # fmt: skip
    assert got == (wu.shape[0], fair, hostile) and fair and hostile
    assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True))


def test_incident_strengths_follow_a_parameter_set_between_days():
    model = WingModel(rng=5)
    incidents = model.submodels["incidents"]
    model.step()
    before = incidents.strengths()
    assert incidents.strengths() is before  # kept while nothing changes
    incidents.params.staff_assault_share = 0.5  # a notebook's change between days
    after = incidents.strengths()
    assert after[5] == np.log(0.5 / (1.0 - 0.5)) and after[5] != before[5]
    assert np.array_equal(np.delete(after, 5), np.delete(before, 5))


def _prison(seed, n=300, n_units=6):
    """Random prisoners on units (some slots empty) and officers' posts."""
    rng = np.random.default_rng(seed)
    active = rng.random(n) < 0.9
    return rng, {
        "active": active,
        "unit": np.where(active, rng.integers(0, n_units, n), -1).astype(np.int32),
        "category": rng.integers(0, 4, n).astype(np.int8),
        "labelled": rng.random(n) < 0.3,
        "staff_unit": rng.integers(0, n_units, 40),
        "staff_active": rng.random(40) < 0.8,
    }


def _state(rng, n, k):
    """``k`` random state arrays, and a copy of them for the one-by-one calls."""
    state = [rng.random(n) for _ in range(k)]
    return state, [x.copy() for x in state]


@pytest.mark.parametrize("seed", [0, 1])
def test_grievance_of_day_matches_the_kernels_one_by_one(seed):
    rng, pr = _prison(seed)
    n, n_units = pr["active"].shape[0], 6
    units = (
        rng.integers(0, 90, n_units), rng.integers(40, 80, n_units), pr["staff_unit"],
        pr["staff_active"], rng.random(40), rng.random(n_units), rng.random(n_units) * 0.3,
        rng.random(n_units), rng.uniform(0.1, 0.9, 7),
    )  # fmt: skip
    unit_access, k = rng.random(n_units), rng.uniform(0.02, 0.9, 14)
    x, base_u = rng.random(n), rng.random(n)
    mine, theirs = _state(rng, n, 6)
    grievance.grievance_of_day(
        pr["unit"], pr["labelled"], unit_access, 0.4, *units, pr["active"], 5, x, base_u,
        *mine, k,
    )  # fmt: skip
    access = labelling.access_of(pr["unit"], pr["labelled"], unit_access, 0.4)
    conditions, fairness = grievance.unit_day(*units)
    grievance.grievance_day(
        pr["active"], pr["unit"], 5, conditions, fairness, access, pr["labelled"], x, base_u,
        *theirs, k,
    )  # fmt: skip
    assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True))


@pytest.mark.parametrize(("seed", "group"), [(0, True), (1, False), (2, True)])
def test_sessions_of_day_match_the_kernels_one_by_one(seed, group):
    rng, pr = _prison(seed)
    n = pr["active"].shape[0]
    if seed == 2:
        pr["labelled"][:], pr["category"][:] = False, 0  # nobody eligible
    risk, leader, charisma = rng.random(n), rng.random(n) < 0.1, rng.random(n)
    u = rng.random(n) * 0.2
    args = (0.6, 2.0, 5, 0.3, 0.05, 0.1, group, 0.7, 0.5, 0.6, 6)
    before = pr["active"], pr["category"], pr["labelled"], risk, pr["unit"], leader, charisma
    mine, theirs = _state(rng, n, 3)
    got = interventions.sessions_of_day(u, *before, *mine, *args)
    risks = interventions.eligible_risks(pr["active"], pr["category"], pr["labelled"], risk)
    mean_risk = max(float(risks.sum() / risks.shape[0]), 1e-9) if risks.shape[0] else 0.0
    want = interventions.sessions(u, *before, *theirs, mean_risk, *args)
    assert got == want and (want > 0) == (seed != 2)
    assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True))


@pytest.mark.parametrize(
    ("seed", "in_risk_assessment", "trained"), [(0, True, True), (1, False, False)]
)
def test_visits_of_day_match_the_kernels_one_by_one(seed, in_risk_assessment, trained):
    rng, pr = _prison(seed)
    n = pr["active"].shape[0]
    act, u = np.flatnonzero(pr["active"]), rng.random(12)
    k = (0.9, 0.97, 0.05, 0.8, 0.02, in_risk_assessment, trained)
    mine, theirs = _state(rng, n, 4)
    chaplaincy.visits_of_day(act, 2.0, u, *mine, pr["labelled"], *k)
    tc, wellbeing, x, knowledge = theirs
    visits = chaplaincy.visit_counts(act, wellbeing, 2.0, u, n)
    chaplaincy.chaplain_visits(visits, *theirs, pr["labelled"], *k)
    assert visits.sum() == 12
    assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True))


@pytest.mark.parametrize("seed", [0, 1])
def test_assess_and_label_match_the_kernels_one_by_one(seed):
    rng, pr = _prison(seed)
    n = pr["active"].shape[0]
    slots = np.flatnonzero(pr["active"])[::3]
    z, fresh = rng.standard_normal(slots.shape[0]), rng.random(slots.shape[0])
    knowledge, extremism = rng.random(n), rng.random(n)
    risk_args = (0.3, 0.5, 0.2, 0.35)
    label_args = (0.55, 5, 2)
    unit = np.where(rng.random(n) < 0.1, 5, pr["unit"]).astype(np.int32)

    def state():
        r = np.random.default_rng(seed + 100)
        return [r.random(n), r.integers(0, 4, n).astype(np.int32)], [
            r.integers(0, 3, n).astype(np.int32),
            r.random(n) < 0.3,
        ]

    (mine_risk, mine_label), (theirs_risk, theirs_label) = state(), state()
    assessment.assess_and_label(
        slots, z, fresh, knowledge, extremism, *mine_risk, *risk_args, unit, *mine_label,
        *label_args,
    )  # fmt: skip
    risk = assessment.assessed_risks(
        slots, z, fresh, knowledge, extremism, *theirs_risk, *risk_args
    )
    labelling.label_rows(slots, risk, unit, *theirs_label, *label_args)
    mine, theirs = mine_risk + mine_label, theirs_risk + theirs_label
    assert all(_same(a, b) for a, b in zip(mine, theirs, strict=True))
    assert theirs_label[1].any() and not theirs_label[1].all()


@pytest.mark.parametrize("n", [0, 1, 7, 9, 130, 400])
def test_release_tally_matches_the_gathers_and_sums(n):
    from wingsim.submodels.release import release_tally

    rng = np.random.default_rng(n + 11)
    readmitted = rng.random(1000) < 0.3
    extremism, trust = rng.random(1000), rng.random(1000)
    done = np.sort(rng.choice(1000, n, replace=False)).astype(np.int64)
    regular, x, t = release_tally(done, readmitted, extremism, trust)
    assert regular == int((~readmitted[done]).sum())
    assert _same(x, float(extremism[done].sum())) and _same(t, float(trust[done].sum()))
