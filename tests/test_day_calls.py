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
